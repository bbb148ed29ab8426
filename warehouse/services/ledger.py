"""The stock ledger: the only writer of movements and of the balances they add up to.

Every change of quantity appends one movement and updates the cached balances in the caller's
transaction. Decrements are conditional UPDATEs (`quantity >= n`), so two scanners can never
take the same unit twice and the CHECK (quantity >= 0) is the last line, not the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, bindparam, case, func, literal, select, text, union_all, update
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from warehouse.domain.errors import N_, Conflict, InvalidInput
from warehouse.domain.stock import (
    MAX_BALANCE,
    STOCKED_KINDS,
    LocationKind,
    Purpose,
    Reason,
    StocktakeStatus,
    Tracking,
    validate_quantity,
)
from warehouse.models import Item, Location, Lot, StockBalance, StockMovement, Stocktake
from warehouse.models.base import utcnow
from warehouse.services.accounts import Caller

OPEN_STOCKTAKE = (StocktakeStatus.COUNTING, StocktakeStatus.SUBMITTED)


def _same_lot(lot: Lot | None):
    return StockBalance.lot_id.is_(None) if lot is None else StockBalance.lot_id == lot.id


def balance_of(session: Session, item: Item, lot: Lot | None, location: Location) -> int:
    """Return the cached quantity of an item (lot) at a location."""
    return session.scalar(
        select(StockBalance.quantity).where(StockBalance.item_id == item.id, _same_lot(lot),
                                            StockBalance.location_id == location.id)
    ) or 0


def _check_entry(item: Item, lot: Lot | None, quantity: int, from_location: Location | None,
                 to_location: Location | None) -> None:
    validate_quantity(quantity)
    if item.tracking == Tracking.BULK and lot is not None:
        raise InvalidInput.on("lot", N_("%(sku)s is counted in bulk and has no lots", sku=item.sku))
    if item.tracking != Tracking.BULK and lot is None:
        raise InvalidInput.on("lot", N_("%(sku)s needs a lot or serial number", sku=item.sku))
    if lot is not None and lot.item_id != item.id:
        raise InvalidInput.on("lot", N_("lot %(lot)s is not a lot of %(sku)s", lot=lot.code, sku=item.sku))
    if item.tracking == Tracking.SERIAL and quantity != 1:
        raise InvalidInput.on("quantity", N_("a serial-numbered unit moves one at a time"))
    if from_location is None and to_location is None:
        raise InvalidInput.on("location", N_("a movement needs a location"))
    if from_location is not None and to_location is not None and from_location.id == to_location.id:
        raise InvalidInput.on("to_location", N_("the destination is the origin"))
    for field, location in (("from_location", from_location), ("to_location", to_location)):
        if location is not None and location.kind not in STOCKED_KINDS:
            raise InvalidInput.on(field, N_("%(code)s cannot hold stock directly", code=location.code))


def _refuse_frozen(session: Session, locations: list[Location]) -> None:
    """Refuse movements at a location that is being counted: its count must stay exact."""
    ids = [location.id for location in locations]
    frozen = session.scalar(
        select(Location.code).join(Stocktake, Stocktake.location_id == Location.id)
        .where(Stocktake.location_id.in_(ids), Stocktake.status.in_(OPEN_STOCKTAKE)).limit(1)
    )
    if frozen is not None:
        raise Conflict(N_("location %(code)s is being counted; finish or cancel the stocktake first",
                          code=frozen), {"location": [N_("being counted")]})


def _refuse_out(session: Session, locations: list[Location]) -> None:
    """Refuse movements at a deployment's location or in a box that is out with one."""
    for location in locations:
        out = location.kind == LocationKind.DEPLOYED or (
            location.kind == LocationKind.KIT and location.parent_id is not None
            and session.get(Location, location.parent_id).kind == LocationKind.DEPLOYED)
        if out:
            raise Conflict(N_("%(code)s is out with a deployment; its stock changes when it is checked in",
                              code=location.code), {"location": [N_("out with a deployment")]})


def _take(session: Session, item: Item, lot: Lot | None, location: Location, quantity: int) -> None:
    taken = session.execute(
        update(StockBalance)
        .where(StockBalance.item_id == item.id, _same_lot(lot),
               StockBalance.location_id == location.id, StockBalance.quantity >= quantity)
        .values(quantity=StockBalance.quantity - quantity, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        available = balance_of(session, item, lot, location)
        what = item.sku if lot is None else f"{item.sku} {lot.code}"
        raise Conflict(
            N_("only %(available)d of %(what)s at %(code)s, %(wanted)d requested",
               available=available, what=what, code=location.code, wanted=quantity),
            {"quantity": [N_("only %(available)d available", available=available)]},
        )


_UPSERT_PARAMS = (bindparam("item_id", type_=Integer), bindparam("lot_id", type_=Integer),
                  bindparam("location_id", type_=Integer), bindparam("quantity", type_=Integer),
                  bindparam("now", type_=StockBalance.__table__.c.updated_at.type))
# Atomic upserts, so two receipts into a new bin cannot both insert the first row. Written as
# text because SQLite and PostgreSQL share this syntax and SQLAlchemy cannot cache its
# dialect-specific ON CONFLICT construct: compiling it anew cost more than the rest of a post.
UPSERT_BULK = text(
    "INSERT INTO stock_balances (item_id, lot_id, location_id, quantity, updated_at) "
    "VALUES (:item_id, :lot_id, :location_id, :quantity, :now) "
    "ON CONFLICT (item_id, location_id) WHERE lot_id IS NULL DO UPDATE SET "
    "quantity = stock_balances.quantity + excluded.quantity, updated_at = excluded.updated_at "
    "RETURNING quantity"
).bindparams(*_UPSERT_PARAMS)
UPSERT_LOT = text(
    "INSERT INTO stock_balances (item_id, lot_id, location_id, quantity, updated_at) "
    "VALUES (:item_id, :lot_id, :location_id, :quantity, :now) "
    "ON CONFLICT (item_id, lot_id, location_id) WHERE lot_id IS NOT NULL DO UPDATE SET "
    "quantity = stock_balances.quantity + excluded.quantity, updated_at = excluded.updated_at "
    "RETURNING quantity"
).bindparams(*_UPSERT_PARAMS)


def _put(session: Session, item: Item, lot: Lot | None, location: Location, quantity: int) -> int:
    """Add to a balance, creating it if needed, in one statement; return the new quantity."""
    params = {"item_id": item.id, "lot_id": lot.id if lot else None, "location_id": location.id,
              "quantity": quantity, "now": utcnow()}
    try:
        held = session.execute(UPSERT_BULK if lot is None else UPSERT_LOT, params).scalar_one()
    except DataError:
        held = None  # PostgreSQL's integer column overflowed; the transaction rolls back
    if held is None or held > MAX_BALANCE:
        raise Conflict(N_("%(code)s cannot hold more than %(max)d of %(sku)s",
                          code=location.code, max=MAX_BALANCE, sku=item.sku),
                       {"quantity": [N_("the balance would exceed %(max)d", max=MAX_BALANCE)]})
    return held


def post(
    session: Session,
    caller: Caller,
    *,
    item: Item,
    lot: Lot | None,
    quantity: int,
    reason: Reason,
    from_location: Location | None = None,
    to_location: Location | None = None,
    purpose: Purpose | None = None,
    reference: str = "",
    note: str = "",
    at: datetime | None = None,
    for_deployment: bool = False,
) -> StockMovement:
    """Append one movement and update the balances it touches; the caller's transaction commits.

    Stock out with a deployment (its location, or a box hanging under it) changes only through
    the deployment's check-in and returns (`for_deployment`): a stray adjustment would skip them.
    """
    _check_entry(item, lot, quantity, from_location, to_location)
    touched = [loc for loc in (from_location, to_location) if loc is not None]
    if not for_deployment:
        _refuse_out(session, touched)
    _refuse_frozen(session, touched)
    if from_location is not None:
        _take(session, item, lot, from_location, quantity)
    if to_location is not None:
        held = _put(session, item, lot, to_location, quantity)
        if item.tracking == Tracking.SERIAL and held > 1:
            raise Conflict(N_("serial number %(code)s is already in %(location)s",
                              code=lot.code, location=to_location.code),
                           {"lot": [N_("already in stock")]})
    movement = StockMovement(
        at=at or utcnow(), actor_id=caller.user.id if caller.user else None,
        actor_name=caller.user.username if caller.user else (caller.address or "system"),
        item_id=item.id, lot_id=lot.id if lot else None, quantity=quantity,
        from_location_id=from_location.id if from_location else None,
        to_location_id=to_location.id if to_location else None,
        reason=reason, purpose=purpose, reference=reference, note=note,
    )
    session.add(movement)
    session.flush()
    return movement


@dataclass(frozen=True)
class Discrepancy:
    """A balance that differs from the sum of its movements."""

    item_id: int
    lot_id: int | None
    location_id: int
    ledger: int
    cached: int


def check(session: Session) -> list[Discrepancy]:
    """Recompute every balance from the movements and return the ones that differ."""
    m = StockMovement
    source = literal("ledger")
    rows = union_all(
        select(m.item_id, m.lot_id, m.to_location_id.label("location_id"),
               m.quantity.label("amount"), source.label("source"))
        .where(m.to_location_id.is_not(None)),
        select(m.item_id, m.lot_id, m.from_location_id, -m.quantity, source)
        .where(m.from_location_id.is_not(None)),
        select(StockBalance.item_id, StockBalance.lot_id, StockBalance.location_id,
               StockBalance.quantity, literal("cache")),
    ).subquery()
    ledger = func.sum(case((rows.c.source == "ledger", rows.c.amount), else_=0))
    cached = func.sum(case((rows.c.source == "cache", rows.c.amount), else_=0))
    found = session.execute(
        select(rows.c.item_id, rows.c.lot_id, rows.c.location_id, ledger, cached)
        .group_by(rows.c.item_id, rows.c.lot_id, rows.c.location_id)
        .having(and_(ledger != cached))
        .order_by(rows.c.item_id, rows.c.lot_id, rows.c.location_id)
    ).all()
    return [Discrepancy(*row) for row in found]
