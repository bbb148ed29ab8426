"""Stock use cases: receive, move, issue, adjust and dispose; each is one transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.domain.errors import N_, Conflict, InvalidInput
from warehouse.domain.stock import (
    PICKABLE_KINDS,
    Candidate,
    LocationKind,
    Purpose,
    Reason,
    StockStatus,
    Tracking,
    default_expiry,
    fefo_picks,
    stock_status,
    validate_lot_code,
    validate_quantity,
)
from warehouse.models import Item, Location, Lot, StockBalance, StockMovement
from warehouse.services import ledger
from warehouse.services.accounts import Caller
from warehouse.timezone import today

# Where a receipt may put stock: storage or straight into quarantine for inspection.
RECEIVABLE_KINDS = PICKABLE_KINDS | {LocationKind.QUARANTINE}
REFERENCE_MAX = 80
NOTE_MAX = 2000


def text_field(value: str | None, field: str, limit: int) -> str:
    """Return trimmed free text or raise InvalidInput when it is too long."""
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput.on(field, N_("at most %(count)d characters", count=limit))
    return value


def get_item(session: Session, item_id: int, field: str = "item_id") -> Item:
    """Return the item or raise InvalidInput naming the field."""
    item = session.get(Item, item_id) if isinstance(item_id, int) else None
    if item is None:
        raise InvalidInput.on(field, N_("no such item"))
    return item


def get_location(session: Session, location_id: int, field: str = "location_id",
                 kinds: frozenset[LocationKind] | None = None) -> Location:
    """Return the location or raise InvalidInput naming the field (also for a wrong kind)."""
    location = session.get(Location, location_id) if isinstance(location_id, int) else None
    if location is None:
        raise InvalidInput.on(field, N_("no such location"))
    if not location.active:
        raise InvalidInput.on(field, N_("location %(code)s is retired", code=location.code))
    if kinds is not None and location.kind not in kinds:
        raise InvalidInput.on(field, N_("stock cannot be put in or taken from %(code)s here",
                                        code=location.code))
    return location


def find_lot(session: Session, item: Item, code: str | None, field: str = "lot") -> Lot | None:
    """Return the item's lot with this code; None for bulk items; InvalidInput when unknown."""
    if item.tracking == Tracking.BULK:
        if code:
            raise InvalidInput.on(field, N_("%(sku)s is counted in bulk and has no lots", sku=item.sku))
        return None
    if not code:
        raise InvalidInput.on(field, N_("%(sku)s needs a lot or serial number", sku=item.sku))
    lot = session.scalar(select(Lot).where(Lot.item_id == item.id, Lot.code == code.strip()))
    if lot is None:
        raise InvalidInput.on(field, N_("no lot %(code)s of %(sku)s", code=code.strip(), sku=item.sku))
    return lot


def _lot_for_receipt(session: Session, item: Item, code: str | None, expires_on: date | None,
                     received_on: date, supplier_ref: str) -> Lot | None:
    if item.tracking == Tracking.BULK:
        if code:
            raise InvalidInput.on("lot", N_("%(sku)s is counted in bulk and has no lots", sku=item.sku))
        if expires_on is not None:
            raise InvalidInput.on("expires_on", N_("bulk stock has no expiry; track the item by lot"))
        return None
    if not code:
        raise InvalidInput.on("lot", N_("%(sku)s needs a lot or serial number", sku=item.sku))
    code = validate_lot_code(code)
    lot = session.scalar(select(Lot).where(Lot.item_id == item.id, Lot.code == code))
    if lot is None:
        lot = _insert_lot(session, item, code, expires_on, received_on, supplier_ref)
        if lot is not None:
            return lot
        # Another receipt of the same new lot committed first (PostgreSQL): check against theirs.
        lot = session.scalar(select(Lot).where(Lot.item_id == item.id, Lot.code == code))
    if lot is not None:
        if item.tracking == Tracking.SERIAL:
            raise Conflict(N_("serial number %(code)s of %(sku)s is already recorded", code=code,
                              sku=item.sku), {"lot": [N_("already recorded")]})
        if expires_on is not None and expires_on != lot.expires_on:
            raise InvalidInput.on("expires_on", N_("lot %(code)s is recorded as expiring on %(date)s",
                                                   code=code, date=str(lot.expires_on or "—")))
    return lot


def _insert_lot(session: Session, item: Item, code: str, expires_on: date | None, received_on: date,
                supplier_ref: str) -> Lot | None:
    """Insert a new lot under a savepoint; None when another receipt inserted it meanwhile."""
    if expires_on is None:
        if item.expiry_required:
            raise InvalidInput.on("expires_on", N_("%(sku)s requires an expiry date", sku=item.sku))
        expires_on = default_expiry(received_on, item.shelf_life_days)
        if expires_on is not None and expires_on < today():
            raise InvalidInput.on("received_on", N_("with a shelf life of %(days)d days this lot has "
                                                    "already expired", days=item.shelf_life_days))
    next_inspection = None
    if item.tracking == Tracking.SERIAL and item.inspection_interval_days:
        next_inspection = received_on + timedelta(days=item.inspection_interval_days)
    savepoint = session.begin_nested()
    try:
        lot = Lot(item_id=item.id, code=code, expires_on=expires_on, received_on=received_on,
                  next_inspection_on=next_inspection, supplier_ref=supplier_ref)
        session.add(lot)
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        return None
    savepoint.commit()
    return lot


def receive_stock(session: Session, caller: Caller, *, item_id: int, location_id: int,
                  quantity: int, lot: str | None = None, expires_on: date | None = None,
                  received_on: date | None = None, supplier_ref: str | None = None,
                  reference: str | None = None, note: str | None = None) -> StockMovement:
    """Record stock arriving (入库) into a location, creating its lot on first receipt."""
    quantity = validate_quantity(quantity)
    supplier_ref = text_field(supplier_ref, "supplier_ref", REFERENCE_MAX)
    reference = text_field(reference, "reference", REFERENCE_MAX)
    note = text_field(note, "note", NOTE_MAX)
    received_on = received_on or today()
    if received_on > today():
        raise InvalidInput.on("received_on", N_("cannot be in the future"))
    if expires_on is not None and expires_on < today():
        raise InvalidInput.on("expires_on", N_("already expired: do not receive expired stock"))
    with write_transaction(session):
        return post_receipt(session, caller, item_id=item_id, location_id=location_id,
                            quantity=quantity, lot=lot, expires_on=expires_on, received_on=received_on,
                            supplier_ref=supplier_ref, reference=reference or supplier_ref, note=note)


def post_receipt(session: Session, caller: Caller, *, item_id: int, location_id: int, quantity: int,
                 lot: str | None, expires_on: date | None, received_on: date, supplier_ref: str,
                 reference: str, note: str, at: datetime | None = None) -> StockMovement:
    """Post a receipt of checked values inside the caller's transaction (receipts, partner arrivals)."""
    item = get_item(session, item_id)
    if not item.active:
        raise InvalidInput.on("item_id", N_("%(sku)s is retired from the catalogue", sku=item.sku))
    location = get_location(session, location_id, kinds=RECEIVABLE_KINDS)
    found = _lot_for_receipt(session, item, lot, expires_on, received_on, supplier_ref)
    return ledger.post(session, caller, item=item, lot=found, quantity=quantity,
                       reason=Reason.RECEIVE, to_location=location, reference=reference, note=note,
                       at=at)


def move_stock(session: Session, caller: Caller, *, item_id: int, from_location_id: int,
               to_location_id: int, quantity: int, lot: str | None = None,
               note: str | None = None) -> StockMovement:
    """Put away or relocate stock between storage places (or into quarantine)."""
    quantity = validate_quantity(quantity)
    note = text_field(note, "note", NOTE_MAX)
    with write_transaction(session):
        item = get_item(session, item_id)
        origin = get_location(session, from_location_id, "from_location_id", RECEIVABLE_KINDS)
        destination = get_location(session, to_location_id, "to_location_id", RECEIVABLE_KINDS)
        if origin.id == destination.id:
            raise InvalidInput.on("to_location_id", N_("the destination is the origin"))
        found = find_lot(session, item, lot)
        return ledger.post(session, caller, item=item, lot=found, quantity=quantity,
                           reason=Reason.MOVE, from_location=origin, to_location=destination,
                           note=note)


def pick_candidates(session: Session, item: Item, *, lot: Lot | None = None,
                    within: Location | None = None, lock: bool = False) -> list[Candidate]:
    """Return the balances of an item that picking could draw from (any status)."""
    stmt = (
        select(StockBalance.id, StockBalance.location_id, Location.kind, StockBalance.lot_id,
               Lot.expires_on, Lot.received_on, StockBalance.quantity)
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.item_id == item.id, StockBalance.quantity > 0,
               Location.active.is_(True))
    )
    if lot is not None:
        stmt = stmt.where(StockBalance.lot_id == lot.id)
    if within is not None:
        stmt = stmt.where(Location.path.startswith(within.path, autoescape=True))
    if lock:
        # PostgreSQL: wait for concurrent pickers and see what they left (SQLite is serialised).
        stmt = stmt.with_for_update(of=StockBalance)
    return [Candidate(*row) for row in session.execute(stmt)]


def issue_stock(session: Session, caller: Caller, *, item_id: int, quantity: int,
                purpose: Purpose | str, location_id: int | None = None, lot: str | None = None,
                reference: str | None = None, note: str | None = None) -> list[StockMovement]:
    """Issue stock (出库) to a purpose, picking first-expiry-first-out unless a lot is named."""
    quantity = validate_quantity(quantity)
    try:
        purpose = Purpose(purpose)
    except ValueError:
        raise InvalidInput.on("purpose", N_("one of %(values)s",
                                            values=", ".join(p.value for p in Purpose))) from None
    reference = text_field(reference, "reference", REFERENCE_MAX)
    note = text_field(note, "note", NOTE_MAX)
    with write_transaction(session):
        item = get_item(session, item_id)
        within = None if location_id is None else get_location(session, location_id)
        found = find_lot(session, item, lot) if lot else None
        on = today()
        if found is not None and found.expires_on is not None and found.expires_on < on:
            raise Conflict(N_("lot %(code)s expired on %(date)s; dispose of it instead",
                              code=found.code, date=found.expires_on.isoformat()),
                           {"lot": [N_("expired")]})
        candidates = pick_candidates(session, item, lot=found, within=within, lock=True)
        picks = fefo_picks(candidates, quantity, on)
        locations = {loc.id: loc for loc in session.scalars(
            select(Location).where(Location.id.in_({p.candidate.location_id for p in picks})))}
        lots = {lt.id: lt for lt in session.scalars(
            select(Lot).where(Lot.id.in_({p.candidate.lot_id for p in picks} - {None})))}
        return [
            ledger.post(session, caller, item=item, lot=lots.get(pick.candidate.lot_id),
                        quantity=pick.quantity, reason=Reason.ISSUE,
                        from_location=locations[pick.candidate.location_id], purpose=purpose,
                        reference=reference, note=note)
            for pick in picks
        ]


def adjust_stock(session: Session, caller: Caller, *, item_id: int, location_id: int,
                 change: int, note: str, lot: str | None = None) -> StockMovement:
    """Correct a balance up or down by a signed amount; the note says why."""
    if isinstance(change, bool) or not isinstance(change, int) or change == 0:
        raise InvalidInput.on("change", N_("a whole number other than zero"))
    validate_quantity(abs(change), "change")
    note = text_field(note, "note", NOTE_MAX)
    if not note:
        raise InvalidInput.on("note", N_("say why the quantity is adjusted"))
    with write_transaction(session):
        item = get_item(session, item_id)
        location = get_location(session, location_id)
        found = find_lot(session, item, lot)
        where = {"to_location": location} if change > 0 else {"from_location": location}
        return ledger.post(session, caller, item=item, lot=found, quantity=abs(change),
                           reason=Reason.ADJUST, note=note, **where)


def dispose_stock(session: Session, caller: Caller, *, item_id: int, location_id: int,
                  quantity: int, lot: str | None = None, note: str | None = None) -> StockMovement:
    """Write off expired or quarantined stock that is destroyed or returned."""
    quantity = validate_quantity(quantity)
    note = text_field(note, "note", NOTE_MAX)
    with write_transaction(session):
        item = get_item(session, item_id)
        location = get_location(session, location_id)
        found = find_lot(session, item, lot)
        status = stock_status(found.expires_on if found else None, location.kind, today())
        if status == StockStatus.AVAILABLE:
            raise Conflict(N_("only expired or quarantined stock is disposed of; "
                              "move it to quarantine or adjust instead"),
                           {"location_id": [N_("stock here is neither expired nor quarantined")]})
        return ledger.post(session, caller, item=item, lot=found, quantity=quantity,
                           reason=Reason.DISPOSE, from_location=location, note=note)
