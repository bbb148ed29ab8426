"""Lots, balances (a cache) and the append-only ledger of stock movements; stocktakes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.domain.stock import Purpose, Reason, StocktakeStatus
from warehouse.models.base import Base, utcnow
from warehouse.models.catalogue import Item, str_enum
from warehouse.models.locations import Location


class Lot(Base):
    """A manufacturer lot (with its expiry) or, for serial items, one numbered unit."""

    __tablename__ = "lots"
    __table_args__ = (Index("uq_lots_item_id_code", "item_id", "code", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    code: Mapped[str] = mapped_column(String(40))
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    received_on: Mapped[date] = mapped_column(Date)
    next_inspection_on: Mapped[date | None] = mapped_column(Date)
    supplier_ref: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StockBalance(Base):
    """How many of an item (and lot) are at a location: a cache of the ledger's sums."""

    __tablename__ = "stock_balances"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        # One row per (item, lot, location); a bulk item's rows have no lot.
        Index("uq_stock_balances_item_lot_location", "item_id", "lot_id", "location_id",
              unique=True, sqlite_where=text("lot_id IS NOT NULL"),
              postgresql_where=text("lot_id IS NOT NULL")),
        Index("uq_stock_balances_item_location_bulk", "item_id", "location_id", unique=True,
              sqlite_where=text("lot_id IS NULL"), postgresql_where=text("lot_id IS NULL")),
        # A box's line: the balances at its place of one item. The partial indexes above cannot
        # serve a query for all of an item's stock; this one can.
        Index("ix_stock_balances_location_id_item_id", "location_id", "item_id"),
        Index("ix_stock_balances_item_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    quantity: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    item: Mapped[Item] = relationship(lazy="raise_on_sql")
    lot: Mapped[Lot | None] = relationship(lazy="raise_on_sql")
    location: Mapped[Location] = relationship(lazy="raise_on_sql")


class StockMovement(Base):
    """One change of quantity: so many units of an item (lot) from one place to another.

    Rows are only ever added. A receipt has no origin, an issue or disposal no destination.
    """

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("from_location_id IS NOT NULL OR to_location_id IS NOT NULL",
                        name="has_a_location"),
        CheckConstraint("from_location_id IS NULL OR to_location_id IS NULL "
                        "OR from_location_id <> to_location_id", name="moves_somewhere"),
        Index("ix_stock_movements_item_id_at", "item_id", "at"),
        # The ledger list filters by one of these and shows the newest first: with the moment in the
        # index the database reads the first page in order instead of sorting every match.
        Index("ix_stock_movements_reason_at", "reason", "at"),
        Index("ix_stock_movements_from_location_id_at", "from_location_id", "at"),
        Index("ix_stock_movements_to_location_id_at", "to_location_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Kept as text too: the ledger must say who acted even if the account is gone.
    actor_name: Mapped[str] = mapped_column(String(80), default="")
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), index=True)
    quantity: Mapped[int]
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    reason: Mapped[Reason] = mapped_column(str_enum(Reason, "movement_reason"))
    purpose: Mapped[Purpose | None] = mapped_column(str_enum(Purpose, "issue_purpose"))
    # Indexed: a deployment, a box or an order lists its movements by reference.
    reference: Mapped[str] = mapped_column(String(80), default="", index=True)
    note: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item] = relationship(lazy="raise_on_sql")
    lot: Mapped[Lot | None] = relationship(lazy="raise_on_sql")
    from_location: Mapped[Location | None] = relationship(foreign_keys=[from_location_id],
                                                          lazy="raise_on_sql")
    to_location: Mapped[Location | None] = relationship(foreign_keys=[to_location_id],
                                                        lazy="raise_on_sql")


class Stocktake(Base):
    """A count of one location: keepers count, a supply officer approves, variances post."""

    __tablename__ = "stocktakes"
    __table_args__ = (
        # One open count per location: the location is frozen while it is counted.
        Index("uq_stocktakes_open_location", "location_id", unique=True,
              sqlite_where=text("status IN ('counting', 'submitted')"),
              postgresql_where=text("status IN ('counting', 'submitted')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    status: Mapped[StocktakeStatus] = mapped_column(str_enum(StocktakeStatus, "stocktake_status"),
                                                    default=StocktakeStatus.COUNTING)
    note: Mapped[str] = mapped_column(Text, default="")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    location: Mapped[Location] = relationship(lazy="raise_on_sql")
    lines: Mapped[list[StocktakeLine]] = relationship(
        back_populates="stocktake", lazy="raise_on_sql", order_by="StocktakeLine.id")


class StocktakeLine(Base):
    """One item (lot) of a stocktake: what the ledger expected and what was counted."""

    __tablename__ = "stocktake_lines"
    __table_args__ = (
        CheckConstraint("expected >= 0", name="expected_not_negative"),
        CheckConstraint("counted IS NULL OR counted >= 0", name="counted_not_negative"),
        Index("uq_stocktake_lines_lot", "stocktake_id", "item_id", "lot_id", unique=True,
              sqlite_where=text("lot_id IS NOT NULL"), postgresql_where=text("lot_id IS NOT NULL")),
        Index("uq_stocktake_lines_bulk", "stocktake_id", "item_id", unique=True,
              sqlite_where=text("lot_id IS NULL"), postgresql_where=text("lot_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id", ondelete="CASCADE"),
                                              index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    expected: Mapped[int] = mapped_column(default=0)
    counted: Mapped[int | None]
    counted_at: Mapped[datetime | None]
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    stocktake: Mapped[Stocktake] = relationship(back_populates="lines", lazy="raise_on_sql")
    item: Mapped[Item] = relationship(lazy="raise_on_sql")
    lot: Mapped[Lot | None] = relationship(lazy="raise_on_sql")
