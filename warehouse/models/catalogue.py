"""The seven material categories and the catalogue of items kept in the reserve."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.domain.stock import Tracking, Unit
from warehouse.models.base import Base, utcnow


def str_enum(enum_class, name: str, length: int = 20) -> Enum:
    """A portable enum column storing the members' values, checked by the database."""
    return Enum(enum_class, name=name, native_enum=False, create_constraint=True, length=length,
                values_callable=lambda members: [m.value for m in members])


class Category(Base):
    """One of the plan's seven material categories (七个方面), seeded by a data migration."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)

    def name(self, locale: str) -> str:
        """Return the name in the given UI language."""
        return self.name_en if locale == "en" else self.name_zh


class Item(Base):
    """A kind of material the reserve keeps: what it is, how it is counted and its minimum."""

    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("min_level >= 0", name="min_level_not_negative"),
        CheckConstraint("shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life_positive"),
        CheckConstraint("inspection_interval_days IS NULL OR inspection_interval_days > 0",
                        name="inspection_interval_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(24), unique=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    unit: Mapped[Unit] = mapped_column(str_enum(Unit, "unit"))
    tracking: Mapped[Tracking] = mapped_column(str_enum(Tracking, "tracking"))
    shelf_life_days: Mapped[int | None]
    expiry_required: Mapped[bool] = mapped_column(Boolean, default=False)
    min_level: Mapped[int] = mapped_column(default=0)
    # Serial equipment (SCBA, hydraulic tools, generators) is inspected every so many days.
    inspection_interval_days: Mapped[int | None]
    storage_temp: Mapped[str] = mapped_column(String(40), default="")
    hazard_class: Mapped[str] = mapped_column(String(80), default="")
    spec: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)

    def name(self, locale: str) -> str:
        """Return the name in the given UI language."""
        return self.name_en if locale == "en" else self.name_zh
