"""Label printing settings: the print-offset calibration of each label stock format."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from warehouse.models.base import Base, utcnow


class LabelCalibration(Base):
    """How far (mm) this depot's printer shifts one format: added to every label position."""

    __tablename__ = "label_calibrations"
    __table_args__ = (
        CheckConstraint("offset_x_mm BETWEEN -20 AND 20", name="offset_x_in_range"),
        CheckConstraint("offset_y_mm BETWEEN -20 AND 20", name="offset_y_in_range"),
    )

    # The format's code from labels.FORMATS; a format without a row prints unshifted.
    format_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    offset_x_mm: Mapped[float] = mapped_column(Float, default=0.0)  # right is positive
    offset_y_mm: Mapped[float] = mapped_column(Float, default=0.0)  # down is positive
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
