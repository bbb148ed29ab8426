"""Deployments (出动), the squads they support, box check-outs and the scan station's log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.domain.deployments import DeploymentKind, ScanAction, ScanResult
from warehouse.domain.kits import KitStatus
from warehouse.models.base import Base, utcnow
from warehouse.models.catalogue import str_enum
from warehouse.models.kits import Kit, Module
from warehouse.models.locations import Location
from warehouse.models.squads import Squad


class Deployment(Base):
    """An incident, drill, exercise or loan that takes boxes and loose items out of the depot."""

    __tablename__ = "deployments"
    __table_args__ = (
        CheckConstraint("expected_return_at >= opened_at", name="return_after_opening"),
        CheckConstraint("closed_at IS NULL OR closed_at >= opened_at", name="closed_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[DeploymentKind] = mapped_column(str_enum(DeploymentKind, "deployment_kind"))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), index=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    commander: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # The deployment's own location (kind deployed): boxes out hang under it, loose items are
    # balances there, so `flask ledger check` covers what is out like any shelf.
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    expected_return_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_by_name: Mapped[str] = mapped_column(String(80), default="")
    closed_by_name: Mapped[str] = mapped_column(String(80), default="")

    module: Mapped[Module | None] = relationship(lazy="raise_on_sql")
    location: Mapped[Location] = relationship(lazy="raise_on_sql")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class DeploymentSquad(Base):
    """A support squad a deployment serves."""

    __tablename__ = "deployment_squads"
    __table_args__ = (Index("uq_deployment_squads_pair", "deployment_id", "squad_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    # No cascade: a squad that was deployed keeps its history and is deactivated, not deleted.
    squad_id: Mapped[int] = mapped_column(ForeignKey("squads.id"), index=True)

    squad: Mapped[Squad] = relationship(lazy="raise_on_sql")


class KitCheckout(Base):
    """One box out with one deployment: who scanned it out and back, and any override."""

    __tablename__ = "kit_checkouts"
    __table_args__ = (
        # The database's own guarantee: at most one open check-out per box, whatever the workers do.
        Index("uq_kit_checkouts_open", "kit_id", unique=True,
              sqlite_where=text("in_at IS NULL"), postgresql_where=text("in_at IS NULL")),
        CheckConstraint("in_at IS NULL OR in_at >= out_at", name="in_after_out"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), index=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    # The status the box had (ready or short), so an undo puts it back as it was.
    from_status: Mapped[KitStatus] = mapped_column(str_enum(KitStatus, "checkout_from_status"))
    out_at: Mapped[datetime] = mapped_column(default=utcnow)
    out_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    out_by_name: Mapped[str] = mapped_column(String(80), default="")
    # A box that was not ready went out on a supply officer's or commander's word: why.
    override_reason: Mapped[str] = mapped_column(Text, default="")
    in_at: Mapped[datetime | None]
    in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    in_by_name: Mapped[str] = mapped_column(String(80), default="")
    # Units used, damaged and lost on the way, as counted at check-in.
    consumed: Mapped[int] = mapped_column(Integer, default=0)
    damaged: Mapped[int] = mapped_column(Integer, default=0)
    lost: Mapped[int] = mapped_column(Integer, default=0)

    deployment: Mapped[Deployment] = relationship(lazy="raise_on_sql")
    kit: Mapped[Kit] = relationship(lazy="raise_on_sql")


class ScanEvent(Base):
    """Every scan at a scan station, refused ones too: who, when, from where, what and the answer."""

    __tablename__ = "scan_events"
    __table_args__ = (
        # A client's retry with the same key finds the first answer instead of acting twice.
        Index("uq_scan_events_user_key", "user_id", "idempotency_key", unique=True,
              sqlite_where=text("idempotency_key IS NOT NULL"),
              postgresql_where=text("idempotency_key IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_name: Mapped[str] = mapped_column(String(80), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    station: Mapped[str] = mapped_column(String(120), default="")
    # What was scanned, made printable and cut to length: the audit must store even garbage.
    code: Mapped[str] = mapped_column(String(320), default="")
    action: Mapped[ScanAction] = mapped_column(str_enum(ScanAction, "scan_action"))
    deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployments.id"), index=True)
    kit_id: Mapped[int | None] = mapped_column(ForeignKey("kits.id"), index=True)
    checkout_id: Mapped[int | None] = mapped_column(ForeignKey("kit_checkouts.id", ondelete="SET NULL"))
    result: Mapped[ScanResult] = mapped_column(str_enum(ScanResult, "scan_result"))
    status: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    # A digest of the request body, so a reused key with another body is told apart.
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    # The answer as sent, replayed for a retry with the same key.
    outcome: Mapped[dict] = mapped_column(JSON, default=dict)
    # Set on a check-out or check-in that a later scan undid.
    undone_at: Mapped[datetime | None]

    deployment: Mapped[Deployment | None] = relationship(lazy="raise_on_sql")
