"""Stocktakes (盘点): count a location, submit, and post the variances once approved.

While a count is open its location is frozen (the ledger refuses movements there), so the
ledger's quantity when counting starts is still the right one to compare with at approval.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from warehouse.database import write_transaction
from warehouse.domain.errors import N_, Conflict, InvalidInput, NotFound
from warehouse.domain.stock import LocationKind, Reason, StocktakeStatus, variance
from warehouse.models import Location, Lot, StockBalance, Stocktake, StocktakeLine
from warehouse.models.base import utcnow
from warehouse.services import ledger
from warehouse.services.accounts import Caller
from warehouse.services.stock import NOTE_MAX, find_lot, get_item, get_location, text_field

COUNTABLE_KINDS = frozenset({LocationKind.ZONE, LocationKind.RACK, LocationKind.BIN,
                             LocationKind.QUARANTINE, LocationKind.KIT})


def _get(session: Session, stocktake_id: int) -> Stocktake:
    stocktake = session.get(Stocktake, stocktake_id, options=[selectinload(Stocktake.lines)],
                            populate_existing=True)
    if stocktake is None:
        raise NotFound(N_("no such stocktake"))
    return stocktake


def _require(stocktake: Stocktake, *statuses: StocktakeStatus) -> None:
    if stocktake.status not in statuses:
        raise Conflict(N_("the stocktake is %(status)s", status=stocktake.status.value),
                       {"status": [N_("not allowed in this state")]})


def start_stocktake(session: Session, caller: Caller, *, location_id: int,
                    note: str | None = None) -> Stocktake:
    """Open a count of one location, listing what the ledger says is there."""
    note = text_field(note, "note", NOTE_MAX)
    with write_transaction(session):
        location = get_location(session, location_id, kinds=COUNTABLE_KINDS)
        # Read before the insert: a failed flush expires the location, and loading it then fails.
        code = location.code
        stocktake = Stocktake(location_id=location.id, note=note,
                              started_by_id=caller.user.id if caller.user else None)
        session.add(stocktake)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(N_("%(code)s is already being counted", code=code),
                           {"location_id": [N_("already being counted")]}) from None
        balances = session.execute(
            select(StockBalance.item_id, StockBalance.lot_id, StockBalance.quantity)
            .where(StockBalance.location_id == location.id, StockBalance.quantity > 0)
            .order_by(StockBalance.item_id, StockBalance.lot_id)
        ).all()
        session.add_all(StocktakeLine(stocktake_id=stocktake.id, item_id=item_id, lot_id=lot_id,
                                      expected=quantity) for item_id, lot_id, quantity in balances)
        session.flush()
    return stocktake


def record_count(session: Session, caller: Caller, stocktake_id: int, *, item_id: int,
                 counted: int, lot: str | None = None) -> StocktakeLine:
    """Record how many of an item (lot) were counted; items found unexpectedly add a line."""
    variance(counted, 0)  # validates the number
    with write_transaction(session):
        stocktake = _get(session, stocktake_id)
        _require(stocktake, StocktakeStatus.COUNTING)
        item = get_item(session, item_id)
        found = find_lot(session, item, lot)
        line = next((ln for ln in stocktake.lines
                     if ln.item_id == item.id and ln.lot_id == (found.id if found else None)), None)
        if line is None:
            location = session.get(Location, stocktake.location_id)
            line = StocktakeLine(stocktake_id=stocktake.id, item_id=item.id,
                                 lot_id=found.id if found else None,
                                 expected=ledger.balance_of(session, item, found, location))
            session.add(line)
        line.counted = counted
        line.counted_at = utcnow()
        line.counted_by_id = caller.user.id if caller.user else None
        session.flush()
    return line


def submit_stocktake(session: Session, caller: Caller, stocktake_id: int) -> Stocktake:
    """Hand a finished count to a supply officer; every line must be counted."""
    with write_transaction(session):
        stocktake = _get(session, stocktake_id)
        _require(stocktake, StocktakeStatus.COUNTING)
        uncounted = sum(1 for line in stocktake.lines if line.counted is None)
        if uncounted:
            raise InvalidInput.on("lines", N_("%(count)d lines are not counted yet", count=uncounted))
        stocktake.status = StocktakeStatus.SUBMITTED
        stocktake.submitted_at = utcnow()
    return stocktake


def _decide(session: Session, stocktake: Stocktake, caller: Caller, status: StocktakeStatus,
            allowed: tuple[StocktakeStatus, ...]) -> None:
    # A conditional UPDATE: of two officers deciding at once, exactly one wins.
    changed = session.execute(
        update(Stocktake).where(Stocktake.id == stocktake.id, Stocktake.status.in_(allowed))
        .values(status=status, decided_at=utcnow(),
                decided_by_id=caller.user.id if caller.user else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(N_("the stocktake was decided meanwhile"), {"status": [N_("already decided")]})
    session.refresh(stocktake, ["status", "decided_at", "decided_by_id"])


def approve_stocktake(session: Session, caller: Caller, stocktake_id: int) -> list:
    """Approve a submitted count and post each variance as a count movement."""
    with write_transaction(session):
        stocktake = _get(session, stocktake_id)
        _require(stocktake, StocktakeStatus.SUBMITTED)
        _decide(session, stocktake, caller, StocktakeStatus.APPROVED, (StocktakeStatus.SUBMITTED,))
        location = session.get(Location, stocktake.location_id)
        movements = []
        for line in stocktake.lines:
            difference = variance(line.counted, line.expected)
            if difference == 0:
                continue
            item = get_item(session, line.item_id)
            lot = session.get(Lot, line.lot_id) if line.lot_id else None
            where = {"to_location": location} if difference > 0 else {"from_location": location}
            movements.append(ledger.post(
                session, caller, item=item, lot=lot, quantity=abs(difference), reason=Reason.COUNT,
                reference=f"ST-{stocktake.id}", note=stocktake.note, **where))
    return movements


def cancel_stocktake(session: Session, caller: Caller, stocktake_id: int) -> Stocktake:
    """Abandon a count; nothing is posted and the location is free again."""
    with write_transaction(session):
        stocktake = _get(session, stocktake_id)
        _require(stocktake, StocktakeStatus.COUNTING, StocktakeStatus.SUBMITTED)
        _decide(session, stocktake, caller, StocktakeStatus.CANCELLED,
                (StocktakeStatus.COUNTING, StocktakeStatus.SUBMITTED))
    return stocktake
