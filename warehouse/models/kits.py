"""Disaster modules, box templates with their content lines, boxes and their inspections."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.domain.kits import BoxType, InspectionOutcome, KitStatus
from warehouse.models.base import Base, utcnow
from warehouse.models.catalogue import Category, Item, str_enum
from warehouse.models.locations import Location


class Module(Base):
    """Equipment for one kind of disaster (high-rise fire, earthquake...): a set of boxes."""

    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str) -> str:
        """Return the name in the given UI language."""
        return self.name_en if locale == "en" else self.name_zh


class KitTemplate(Base):
    """A kind of box: what it is packed in and what it must hold."""

    __tablename__ = "kit_templates"
    __table_args__ = (
        CheckConstraint("width_m IS NULL OR width_m > 0", name="width_positive"),
        CheckConstraint("depth_m IS NULL OR depth_m > 0", name="depth_positive"),
        CheckConstraint("weight_kg IS NULL OR weight_kg > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    box_type: Mapped[BoxType] = mapped_column(str_enum(BoxType, "box_type"))
    width_m: Mapped[float | None] = mapped_column(Float)
    depth_m: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)
    lines: Mapped[list[KitTemplateLine]] = relationship(
        back_populates="template", lazy="raise_on_sql", order_by="KitTemplateLine.position",
        cascade="all, delete-orphan")
    requirements: Mapped[list[ModuleRequirement]] = relationship(
        back_populates="template", lazy="raise_on_sql", cascade="all, delete-orphan")

    def name(self, locale: str) -> str:
        """Return the name in the given UI language."""
        return self.name_en if locale == "en" else self.name_zh

    @property
    def footprint_m2(self) -> float | None:
        """Return the floor space one box takes, if its size is known."""
        return self.width_m * self.depth_m if self.width_m and self.depth_m else None


class ModuleRequirement(Base):
    """How many boxes of a template a module needs to count as ready."""

    __tablename__ = "module_requirements"
    __table_args__ = (
        CheckConstraint("boxes_required > 0", name="boxes_required_positive"),
        Index("uq_module_requirements_module_template", "module_id", "template_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("kit_templates.id"), index=True)
    boxes_required: Mapped[int]

    module: Mapped[Module] = relationship(lazy="joined", innerjoin=True)
    template: Mapped[KitTemplate] = relationship(back_populates="requirements", lazy="raise_on_sql")


class KitTemplateLine(Base):
    """One content line of a template: an item, its par quantity and its minimum shelf life."""

    __tablename__ = "kit_template_lines"
    __table_args__ = (
        CheckConstraint("par_quantity > 0", name="par_positive"),
        CheckConstraint("min_shelf_days >= 0", name="min_shelf_not_negative"),
        Index("uq_kit_template_lines_template_item", "template_id", "item_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("kit_templates.id", ondelete="CASCADE"),
                                             index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    par_quantity: Mapped[int]
    # Medical and food lines only count units with at least this many days left.
    min_shelf_days: Mapped[int] = mapped_column(default=0)
    optional: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(String(200), default="")

    template: Mapped[KitTemplate] = relationship(back_populates="lines", lazy="raise_on_sql")
    item: Mapped[Item] = relationship(lazy="joined", innerjoin=True)
    substitutes: Mapped[list[KitLineSubstitute]] = relationship(
        back_populates="line", lazy="selectin", cascade="all, delete-orphan")


class KitLineSubstitute(Base):
    """An item that may stand in for a line's item (another make of the same tourniquet)."""

    __tablename__ = "kit_line_substitutes"
    __table_args__ = (Index("uq_kit_line_substitutes_line_item", "line_id", "item_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("kit_template_lines.id", ondelete="CASCADE"),
                                         index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)

    line: Mapped[KitTemplateLine] = relationship(back_populates="substitutes", lazy="raise_on_sql")
    item: Mapped[Item] = relationship(lazy="joined", innerjoin=True)


class Kit(Base):
    """One physical box with a printed code; it is also the stock location of its contents."""

    __tablename__ = "kits"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("kit_templates.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    # The box's own location (kind kit): its contents are balances there.
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), unique=True)
    # Where the box is kept when it is in the depot (a zone or bin).
    home_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    status: Mapped[KitStatus] = mapped_column(str_enum(KitStatus, "kit_status"), index=True,
                                              default=KitStatus.ASSEMBLING)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    template: Mapped[KitTemplate] = relationship(lazy="raise_on_sql")
    module: Mapped[Module] = relationship(lazy="raise_on_sql")
    location: Mapped[Location] = relationship(foreign_keys=[location_id], lazy="raise_on_sql")
    home: Mapped[Location] = relationship(foreign_keys=[home_location_id], lazy="raise_on_sql")


class BoxState(Base):
    """A box's completeness as last computed, kept so lists and readiness need not recompute every box.

    Database triggers (migration 0009) add one row per box and raise `version` whenever what the
    state derives from changes: the box's balances, its lots' expiry, its template's lines or
    substitutes. A state is valid for a day when `seen` (the version it was computed from, read in
    the same statement as the contents) equals `version`, the day is not before `computed_on`,
    and no lot in use passes its shelf-life margin before the day (`valid_through`).
    """

    __tablename__ = "box_states"

    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    seen: Mapped[int | None]
    computed_on: Mapped[date | None] = mapped_column(Date)
    valid_through: Mapped[date | None] = mapped_column(Date)
    short_lines: Mapped[int] = mapped_column(default=0, server_default="0")
    missing_units: Mapped[int] = mapped_column(default=0, server_default="0")
    line_count: Mapped[int] = mapped_column(default=0, server_default="0")
    earliest_expiry: Mapped[date | None] = mapped_column(Date)


class KitEvent(Base):
    """A box's history: each status change and each inspection, with who and why."""

    __tablename__ = "kit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(80), default="")
    from_status: Mapped[KitStatus | None] = mapped_column(str_enum(KitStatus, "kit_event_from"))
    to_status: Mapped[KitStatus | None] = mapped_column(str_enum(KitStatus, "kit_event_to"))
    # Set for inspections: what the inspector found.
    outcome: Mapped[InspectionOutcome | None] = mapped_column(
        str_enum(InspectionOutcome, "inspection_outcome"))
    note: Mapped[str] = mapped_column(Text, default="")

    kit: Mapped[Kit] = relationship(lazy="raise_on_sql")
