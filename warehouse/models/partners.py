"""Partners: districts, departments and suppliers, their contacts, agreements and stockpiles."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from warehouse.domain.partners import AgreementStatus, PartnerKind, Period
from warehouse.models.base import Base, utcnow
from warehouse.models.catalogue import Category, Item, str_enum

# Quantities partners commit may be fractional (20.5 t of diesel); three decimals suffice.
Quantity = Numeric(14, 3, asdecimal=True)


class District(Base):
    """A county or district of the city (or the city level itself), seeded by a migration."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    # The city level holds the departments; counties and districts hold the support partners.
    city_level: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(default=0)

    def name(self, locale: str) -> str:
        """Return the name in the given UI language."""
        return self.name_en if locale == "en" else self.name_zh


class Partner(Base):
    """A department, company or carrier whose reserve or services the fire service can call on."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_en: Mapped[str] = mapped_column(String(160), default="")
    kind: Mapped[PartnerKind] = mapped_column(str_enum(PartnerKind, "partner_kind", 24), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    district: Mapped[District] = relationship(lazy="joined", innerjoin=True)

    def display_name(self, locale: str) -> str:
        """Return the English name in English when there is one."""
        return self.name_en if locale == "en" and self.name_en else self.name


class PartnerContact(Base):
    """Someone to call at a partner, with the number answered day and night."""

    __tablename__ = "partner_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(60), default="")
    phone_24h: Mapped[str] = mapped_column(String(40))
    phone_office: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactCheck(Base):
    """A call made to check a contact still answers: when, by whom, and whether they were reached."""

    __tablename__ = "contact_checks"
    __table_args__ = (Index("ix_contact_checks_contact_at", "contact_id", "checked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("partner_contacts.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    reached: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(400), default="")
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checked_by_name: Mapped[str] = mapped_column(String(80), default="")


class Agreement(Base):
    """An emergency support or delivery agreement (应急保障协议) with one partner."""

    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint("valid_to >= valid_from", name="ends_after_start"),
        CheckConstraint("response_hours >= 0", name="response_hours_not_negative"),
        Index("ix_agreements_status_valid_to", "status", "valid_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    title: Mapped[str] = mapped_column(String(120), default="")
    signed_on: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    response_hours: Mapped[int]
    status: Mapped[AgreementStatus] = mapped_column(str_enum(AgreementStatus, "agreement_status"),
                                                    default=AgreementStatus.DRAFT)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    partner: Mapped[Partner] = relationship(lazy="raise_on_sql")
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="agreement", lazy="raise_on_sql", cascade="all, delete-orphan",
        order_by="Commitment.position")


class AgreementDocument(Base):
    """The signed agreement as a PDF, kept in the database so backups and workers share it."""

    __tablename__ = "agreement_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), unique=True)
    filename: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Deferred: lists and pages read the metadata, only the download reads the bytes.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_name: Mapped[str] = mapped_column(String(80), default="")


class Commitment(Base):
    """What a partner commits under an agreement: an item, a category or something in words."""

    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("item_id IS NULL OR category_id IS NULL", name="item_or_category"),
        CheckConstraint("item_id IS NOT NULL OR description <> ''", name="described"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    description: Mapped[str] = mapped_column(String(120), default="")
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit: Mapped[str] = mapped_column(String(20), default="")
    period: Mapped[Period] = mapped_column(str_enum(Period, "commitment_period"), default=Period.TOTAL)
    note: Mapped[str] = mapped_column(String(400), default="")
    position: Mapped[int] = mapped_column(default=0)

    agreement: Mapped[Agreement] = relationship(back_populates="commitments", lazy="raise_on_sql")
    item: Mapped[Item | None] = relationship(lazy="raise_on_sql")
    category: Mapped[Category | None] = relationship(lazy="raise_on_sql")


class StockpileLine(Base):
    """One item of a department's stockpile: how much, where, as of when (not in our depot)."""

    __tablename__ = "stockpile_lines"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        Index("uq_stockpile_lines_place", "partner_id", "item_id", "location", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    quantity: Mapped[int]
    location: Mapped[str] = mapped_column(String(120), default="")
    as_of: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(400), default="")

    item: Mapped[Item] = relationship(lazy="raise_on_sql")


class Activation(Base):
    """An agreement called on (启动协议), during a deployment or on its own."""

    __tablename__ = "activations"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployments.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    contact_name: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_by_name: Mapped[str] = mapped_column(String(80), default="")

    agreement: Mapped[Agreement] = relationship(lazy="raise_on_sql")
    lines: Mapped[list[ActivationLine]] = relationship(
        back_populates="activation", lazy="raise_on_sql", cascade="all, delete-orphan",
        order_by="ActivationLine.id")


class ActivationLine(Base):
    """What was asked for in an activation: an item or something in words, how much, by when."""

    __tablename__ = "activation_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("item_id IS NOT NULL OR description <> ''", name="described"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activation_id: Mapped[int] = mapped_column(ForeignKey("activations.id", ondelete="CASCADE"), index=True)
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id", ondelete="SET NULL"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    description: Mapped[str] = mapped_column(String(120), default="")
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit: Mapped[str] = mapped_column(String(20), default="")
    needed_by: Mapped[datetime | None]

    activation: Mapped[Activation] = relationship(back_populates="lines", lazy="raise_on_sql")
    item: Mapped[Item | None] = relationship(lazy="raise_on_sql")


class Arrival(Base):
    """What arrived against a request line; into the depot it is a ledger receipt."""

    __tablename__ = "arrivals"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("activation_lines.id", ondelete="CASCADE"), index=True)
    arrived_at: Mapped[datetime] = mapped_column(default=utcnow)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    # Delivered into the depot: the receipt's movement. Delivered on scene: none (not our stock).
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movements.id"), unique=True)
    note: Mapped[str] = mapped_column(String(400), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_by_name: Mapped[str] = mapped_column(String(80), default="")
