"""The depot's location tree: depot -> zones -> racks -> bins, plus kits, quarantine, deployed."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.domain.stock import LocationKind, Rect
from warehouse.models.base import Base
from warehouse.models.catalogue import Category, str_enum


class Location(Base):
    """A place stock can be: each has a short printable code and sits under its parent."""

    __tablename__ = "locations"
    __table_args__ = (
        CheckConstraint("area_m2 IS NULL OR area_m2 > 0", name="area_positive"),
        CheckConstraint("footprint_m2 IS NULL OR footprint_m2 > 0", name="footprint_positive"),
        CheckConstraint("plan_width_m IS NULL OR plan_width_m > 0", name="plan_width_positive"),
        CheckConstraint("plan_depth_m IS NULL OR plan_depth_m > 0", name="plan_depth_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[LocationKind] = mapped_column(str_enum(LocationKind, "location_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    # Materialised ancestry "/1/4/17/": subtree queries are one LIKE on an index.
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    # Floor area of a depot or zone; for a depot also its floor's width and depth.
    area_m2: Mapped[float | None] = mapped_column(Float)
    # A zone's rectangle on the depot floor plan, in metres from the top-left corner
    # (a depot uses width and depth only).
    plan_x_m: Mapped[float | None] = mapped_column(Float)
    plan_y_m: Mapped[float | None] = mapped_column(Float)
    plan_width_m: Mapped[float | None] = mapped_column(Float)
    plan_depth_m: Mapped[float | None] = mapped_column(Float)
    # Floor space a rack, pallet spot or box occupies: zone utilisation adds these up.
    footprint_m2: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    category: Mapped[Category | None] = relationship(lazy="joined")
    parent: Mapped[Location | None] = relationship(remote_side=[id], lazy="raise_on_sql")

    @property
    def depth(self) -> int:
        """How deep in the tree the location sits (a depot is 0)."""
        return max(0, self.path.count("/") - 2)

    @property
    def rect(self) -> Rect | None:
        """Return the zone's floor-plan rectangle, if it has one."""
        values = (self.plan_x_m, self.plan_y_m, self.plan_width_m, self.plan_depth_m)
        if any(v is None for v in values):
            return None
        return Rect(*values)
