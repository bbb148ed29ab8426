"""Readiness settings, the plan's targets as data, and the daily readiness snapshots."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from warehouse.domain.readiness import PlanMeasure
from warehouse.models.base import Base, utcnow
from warehouse.models.catalogue import str_enum


class ReadinessSettings(Base):
    """The one row of readiness settings: from which percentages a module is green and amber."""

    __tablename__ = "readiness_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("fair_percent >= 0 AND fair_percent <= good_percent AND good_percent <= 100",
                        name="levels_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    good_percent: Mapped[int]
    fair_percent: Mapped[int]
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_name: Mapped[str] = mapped_column(String(80), default="")


class PlanTarget(Base):
    """One of the plan's targets measured from the data; the definition is fixed, the figure an admin's."""

    __tablename__ = "plan_targets"
    __table_args__ = (CheckConstraint("threshold >= 0", name="threshold_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[PlanMeasure] = mapped_column(str_enum(PlanMeasure, "plan_measure", 24), unique=True)
    threshold: Mapped[int]
    # The plan's figure, so the panel can show when an admin has changed it.
    plan_threshold: Mapped[int]
    # The modules target's priority module codes, space-separated; empty for the others.
    scope: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_name: Mapped[str] = mapped_column(String(80), default="")


class ReadinessSnapshot(Base):
    """A module's readiness on one day, kept for the trend: the first snapshot of a day stands."""

    __tablename__ = "readiness_snapshots"
    __table_args__ = (
        Index("uq_readiness_snapshots_day_module", "day", "module_id", unique=True),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    required: Mapped[int]
    ready: Mapped[int]  # ready boxes that count towards the requirement
    short: Mapped[int]
    deployed: Mapped[int]
    restocking: Mapped[int]
    percent: Mapped[int]
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
