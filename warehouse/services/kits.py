"""Box use cases: create a box, restock it from the depot, inspect it and change its status.

A box is a stock location of kind kit, so filling and emptying it are ledger movements
(into_kit / out_of_kit) and `flask ledger check` covers box contents like any shelf.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from warehouse.database import write_transaction
from warehouse.domain.accounts import Role
from warehouse.domain.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from warehouse.domain.kits import (
    RESTING,
    RESTOCKABLE,
    SET_BY_DEPLOYMENT,
    STATUS_WORDS,
    TRANSITIONS,
    Completeness,
    Held,
    InspectionOutcome,
    KitStatus,
    LineSpec,
    check_transition,
    completeness,
    is_usable,
    kit_code,
    kit_number,
    plan_restock,
    resting_status,
    status_after_fill,
    validate_kit_code,
)
from warehouse.domain.stock import (
    ALLOWED_PARENTS,
    PICKABLE_KINDS,
    Candidate,
    LocationKind,
    Reason,
    validate_quantity,
)
from warehouse.models import (
    Item,
    Kit,
    KitEvent,
    KitLineSubstitute,
    KitTemplate,
    KitTemplateLine,
    Location,
    Lot,
    Module,
    ModuleRequirement,
    StockBalance,
    StockMovement,
)
from warehouse.models.base import utcnow
from warehouse.services import ledger
from warehouse.services.accounts import Caller
from warehouse.services.kit_templates import get_module, get_template
from warehouse.services.stock import NOTE_MAX, RECEIVABLE_KINDS, find_lot, get_location, text_field
from warehouse.timezone import today

# Retiring a box takes it off the books for good: supply officers decide that.
RETIRERS = frozenset({Role.SUPPLY_OFFICER, Role.ADMIN})
# A box is kept on the floor of a zone, on a rack's pallet place or in a bin.
HOME_KINDS = frozenset({LocationKind.ZONE, LocationKind.RACK, LocationKind.BIN})
MAX_RESTOCK_ENTRIES = 500
# Two people registering boxes of a module at once may pick the same next number: try the next.
AUTO_CODE_ATTEMPTS = 5


def get_kit(session: Session, code: str, *, lock: bool = False) -> Kit:
    """Return the box with this printed code or raise NotFound; lock its row if asked."""
    stmt = select(Kit).where(Kit.code == (code or "").strip().upper())
    if lock:
        # PostgreSQL: a second restock or status change of the same box waits here, then reads
        # the row as the first left it (populate_existing: not the copy loaded before the lock).
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    kit = session.scalar(stmt)
    if kit is None:
        raise NotFound(N_("no box %(code)s", code=code))
    return kit


def line_specs(session: Session, template_id: int) -> list[LineSpec]:
    """Return a template's content lines as domain specs, in template order."""
    # Plain columns in one query: a scan measures a box, and loading ORM lines with their items
    # and substitutes cost more than the rest of the scan.
    line = KitTemplateLine
    rows = session.execute(
        select(line.id, line.item_id, line.par_quantity, line.min_shelf_days, line.optional,
               KitLineSubstitute.item_id)
        .outerjoin(KitLineSubstitute, KitLineSubstitute.line_id == line.id)
        .where(line.template_id == template_id).order_by(line.position, line.id)).all()
    specs: dict[int, tuple] = {}
    substitutes: dict[int, set[int]] = {}
    for line_id, item_id, par, shelf, optional, substitute in rows:
        specs.setdefault(line_id, (item_id, par, shelf, optional))
        if substitute is not None:
            substitutes.setdefault(line_id, set()).add(substitute)
    return [LineSpec(line_id, item_id, par, shelf, optional, frozenset(substitutes.get(line_id, ())))
            for line_id, (item_id, par, shelf, optional) in specs.items()]


def holdings(session: Session, kit: Kit) -> list[Held]:
    """Return what is in the box, per item and lot."""
    rows = session.execute(
        select(StockBalance.item_id, StockBalance.lot_id, Lot.expires_on, StockBalance.quantity)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.location_id == kit.location_id, StockBalance.quantity > 0)
    ).all()
    return [Held(*row) for row in rows]


def measure(session: Session, kit: Kit, on: date | None = None) -> Completeness:
    """Measure one box's contents against its template."""
    return completeness(line_specs(session, kit.template_id), holdings(session, kit), on or today())


_kit_table, _kit_events, _locations = Kit.__table__, KitEvent.__table__, Location.__table__
# Prebuilt: the scan station changes a box's status and place on every scan (see queries/boxes.py).
_CHANGE_STATUS = (update(_kit_table)
                  .where(_kit_table.c.id == bindparam("kit_id"), _kit_table.c.status == bindparam("current"))
                  .values(status=bindparam("target"), status_changed_at=bindparam("changed_at")))
_LOG_EVENT = insert(_kit_events)
_MOVE_BOX = (update(_locations).where(_locations.c.id == bindparam("box_location_id"))
             .values(parent_id=bindparam("new_parent_id"), path=bindparam("new_path")))


def record_transition(session: Session, caller: Caller, kit: Kit, target: KitStatus, *,
                      note: str = "", outcome: InspectionOutcome | None = None,
                      undoing: bool = False) -> None:
    """Move a box to a new status by conditional update and log it (inside a transaction).

    `undoing` takes a box back to where a scan found it (deployed -> ready, returned ->
    deployed): steps the lifecycle does not allow otherwise.
    """
    # Pending ORM changes go first: the statements below bypass the unit of work.
    session.flush()
    transition(session, caller, kit.id, kit.code, kit.status, target, note=note, outcome=outcome,
               undoing=undoing)
    set_committed_value(kit, "status", target)


def transition(session: Session, caller: Caller, kit_id: int, code: str, current: KitStatus,
               target: KitStatus, *, note: str = "", outcome: InspectionOutcome | None = None,
               undoing: bool = False) -> None:
    """Move a box from `current` to `target` unless it changed meanwhile, and log the step."""
    if not undoing:
        check_transition(code, current, target)
    now = utcnow()
    changed = session.execute(_CHANGE_STATUS, {"kit_id": kit_id, "current": current, "target": target,
                                               "changed_at": now}).rowcount
    if changed != 1:
        found = KitStatus(session.scalar(select(Kit.status).where(Kit.id == kit_id)))
        raise Conflict(N_("box %(code)s was changed meanwhile and is now %(status)s",
                          code=code, status=STATUS_WORDS[found]),
                       {"status": [N_("currently %(status)s", status=STATUS_WORDS[found])]})
    session.execute(_LOG_EVENT, {"kit_id": kit_id, "at": now,
                                 "actor_id": caller.user.id if caller.user else None,
                                 "actor_name": _actor_name(caller), "from_status": current,
                                 "to_status": target, "outcome": outcome, "note": note})


def _actor_name(caller: Caller) -> str:
    return caller.user.username if caller.user else (caller.address or "system")


def _log(session: Session, caller: Caller, kit: Kit, **fields) -> KitEvent:
    event = KitEvent(kit_id=kit.id, actor_id=caller.user.id if caller.user else None,
                     actor_name=_actor_name(caller), **fields)
    session.add(event)
    session.flush()
    return event


def _check_parent(parent_kind: LocationKind, parent_code: str) -> None:
    if parent_kind not in ALLOWED_PARENTS[LocationKind.KIT]:
        raise InvalidInput.on("home_location_id", N_("a box cannot be placed in %(code)s",
                                                     code=parent_code))


def place(session: Session, kit: Kit, parent: Location) -> None:
    """Put the box's location under another place; its contents move with it, unledgered."""
    location = session.get(Location, kit.location_id)
    _check_parent(parent.kind, parent.code)
    location.parent_id = parent.id
    # A box has no children, so only its own materialised path changes.
    location.path = f"{parent.path}{location.id}/"
    session.flush()


def place_box(session: Session, location_id: int, *, parent_id: int, parent_kind: LocationKind,
              parent_code: str, parent_path: str) -> None:
    """Put a box's location (by id) under another place, in one UPDATE."""
    _check_parent(parent_kind, parent_code)
    session.execute(_MOVE_BOX, {"box_location_id": location_id, "new_parent_id": parent_id,
                                "new_path": f"{parent_path}{location_id}/"})


def _next_code(session: Session, module: Module, skip: int = 0) -> str:
    prefix = kit_code(module.code, 0)[:-4]
    codes = session.scalars(select(Location.code).where(Location.code.startswith(prefix, autoescape=True)))
    numbers = [n for n in (kit_number(module.code, c) for c in codes) if n is not None]
    return kit_code(module.code, max(numbers, default=0) + 1 + skip)


def _insert_kit(session: Session, code: str, template: KitTemplate, module: Module, home: Location,
                note: str) -> Kit | None:
    """Insert the box and its location under a savepoint; None when the code is taken."""
    if session.scalar(select(func.count()).select_from(Location).where(Location.code == code)):
        return None
    savepoint = session.begin_nested()
    try:
        location = Location(code=code, name=template.name_zh[:80], kind=LocationKind.KIT,
                            parent_id=home.id, footprint_m2=template.footprint_m2)
        session.add(location)
        session.flush()
        location.path = f"{home.path}{location.id}/"
        kit = Kit(code=code, template_id=template.id, module_id=module.id, location_id=location.id,
                  home_location_id=home.id, status=KitStatus.ASSEMBLING, note=note)
        session.add(kit)
        session.flush()
    except IntegrityError:
        # Another writer numbered a box the same between our read and our insert.
        savepoint.rollback()
        return None
    savepoint.commit()
    return kit


def create_kit(session: Session, caller: Caller, *, template: str, module: str,
               home_location_id: int, code: str | None = None, note: str | None = None) -> Kit:
    """Register a new (empty) box of a template for a module, kept at a home location."""
    note = text_field(note, "note", NOTE_MAX)
    if code:
        code = validate_kit_code(code)
    with write_transaction(session):
        found_template = get_template(session, template)
        if not found_template.active:
            raise InvalidInput.on("template", N_("template %(code)s is retired", code=found_template.code))
        found_module = get_module(session, module)
        serves = session.scalar(select(ModuleRequirement.id).where(
            ModuleRequirement.module_id == found_module.id,
            ModuleRequirement.template_id == found_template.id))
        if serves is None:
            raise InvalidInput.on("module", N_("template %(template_code)s is not part of module %(module)s",
                                               template_code=found_template.code, module=found_module.code))
        home = get_location(session, home_location_id, "home_location_id", HOME_KINDS)
        kit = None
        for attempt in range(AUTO_CODE_ATTEMPTS):
            candidate = code or _next_code(session, found_module, skip=attempt)
            kit = _insert_kit(session, candidate, found_template, found_module, home, note)
            if kit is not None:
                break
            if code:
                raise Conflict(N_("box code %(code)s is taken", code=code), {"code": [N_("already taken")]})
        if kit is None:
            raise Conflict(N_("could not number the box; try again"), {"code": [N_("already taken")]})
        _log(session, caller, kit, to_status=KitStatus.ASSEMBLING, note=note)
    return kit


def _depot_of(session: Session, location: Location) -> Location:
    root_id = int(location.path.strip("/").split("/")[0])
    return session.get(Location, root_id)


def _candidates(session: Session, item_ids: set[int], within: Location,
                lock: bool = False) -> dict[int, list[Candidate]]:
    """Return the depot balances each item could be picked from, in one query."""
    stmt = (
        select(StockBalance.item_id, StockBalance.id, StockBalance.location_id, Location.kind,
               StockBalance.lot_id, Lot.expires_on, Lot.received_on, StockBalance.quantity)
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.item_id.in_(item_ids), StockBalance.quantity > 0,
               Location.active.is_(True), Location.kind.in_(PICKABLE_KINDS),
               Location.path.startswith(within.path, autoescape=True))
    )
    if lock:
        stmt = stmt.with_for_update(of=StockBalance)
    found: dict[int, list[Candidate]] = {}
    for item_id, *rest in session.execute(stmt):
        found.setdefault(item_id, []).append(Candidate(*rest))
    return found


@dataclass(frozen=True)
class ProposedRemoval:
    """Take stale units out of the box to a depot place."""

    line_id: int
    item: Item
    lot: Lot | None
    quantity: int
    to_location: Location


@dataclass(frozen=True)
class ProposedFill:
    """Put units from a depot place into the box."""

    line_id: int
    item: Item
    lot: Lot | None
    from_location: Location
    quantity: int


@dataclass(frozen=True)
class RestockProposal:
    """What a restock would do, for the user to confirm or edit."""

    kit: Kit
    before: Completeness
    removals: list[ProposedRemoval]
    fills: list[ProposedFill]
    unfilled: dict[int, int]


def _removal_place(session: Session, kit: Kit, expired: bool) -> Location:
    """Expired units go to the depot's quarantine for disposal; others back beside the box."""
    home = session.get(Location, kit.home_location_id)
    if expired:
        depot = _depot_of(session, home)
        quarantine = session.scalar(
            select(Location).where(Location.kind == LocationKind.QUARANTINE, Location.active.is_(True),
                                   Location.path.startswith(depot.path, autoescape=True))
            .order_by(Location.id).limit(1))
        if quarantine is not None:
            return quarantine
    return home


def propose_restock(session: Session, code: str) -> RestockProposal:
    """Plan what would bring every line of a box to par: swap-outs first, then FEFO picks."""
    kit = get_kit(session, code)
    on = today()
    lines = line_specs(session, kit.template_id)
    held = holdings(session, kit)
    home = session.get(Location, kit.home_location_id)
    candidates = _candidates(session, {line.item_id for line in lines}, _depot_of(session, home))
    plan = plan_restock(lines, held, candidates, on)
    items = {i.id: i for i in session.scalars(select(Item).where(
        Item.id.in_({r.item_id for r in plan.removals} | {line.item_id for line in lines})))}
    lot_ids = {r.lot_id for r in plan.removals} | {f.candidate.lot_id for f in plan.fills}
    lots = {lt.id: lt for lt in session.scalars(select(Lot).where(Lot.id.in_(lot_ids - {None})))}
    places = {loc.id: loc for loc in session.scalars(select(Location).where(
        Location.id.in_({f.candidate.location_id for f in plan.fills})))}
    line_items = {line.line_id: line.item_id for line in lines}
    removals = [ProposedRemoval(r.line_id, items[r.item_id], lots.get(r.lot_id), r.quantity,
                                _removal_place(session, kit, r.expires_on is not None and r.expires_on < on))
                for r in plan.removals]
    fills = [ProposedFill(f.line_id, items[line_items[f.line_id]], lots.get(f.candidate.lot_id),
                          places[f.candidate.location_id], f.quantity) for f in plan.fills]
    return RestockProposal(kit, completeness(lines, held, on), removals, fills, plan.unfilled)


@dataclass(frozen=True)
class RestockResult:
    """What a restock did: its movements and the box's status after it."""

    kit: Kit
    movements: list[StockMovement]
    after: Completeness


def _entries(raw, field: str) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidInput.on(field, N_("must be a list"))
    if len(raw) > MAX_RESTOCK_ENTRIES:
        raise InvalidInput.on(field, N_("at most %(count)d entries", count=MAX_RESTOCK_ENTRIES))
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise InvalidInput.on(f"{field}.{index}", N_("must be an object"))
    return raw


def _entry_item(session: Session, entry: dict, field: str, allowed: dict[int, LineSpec]) -> Item:
    item_id = entry.get("item_id")
    item = session.get(Item, item_id) if isinstance(item_id, int) and not isinstance(item_id, bool) else None
    if item is None:
        raise InvalidInput.on(f"{field}.item_id", N_("no such item"))
    if item.id not in allowed:
        raise InvalidInput.on(f"{field}.item_id", N_("%(sku)s is not in this box's template", sku=item.sku))
    return item


def _entry_quantity(entry: dict, field: str) -> int:
    return validate_quantity(entry.get("quantity"), f"{field}.quantity")


def _entry_location(session: Session, entry: dict, key: str, field: str, kinds) -> Location:
    return get_location(session, entry.get(key), f"{field}.{key}", kinds)


def restock_kit(session: Session, caller: Caller, code: str, *, fills: list | None = None,
                removals: list | None = None, note: str | None = None) -> RestockResult:
    """Take stale units out and put depot stock in, all in one transaction; ready or short after."""
    note = text_field(note, "note", NOTE_MAX)
    fills = _entries(fills, "fills")
    removals = _entries(removals, "removals")
    if not fills and not removals:
        raise InvalidInput.on("fills", N_("nothing to put in or take out"))
    with write_transaction(session):
        kit = get_kit(session, code, lock=True)
        if kit.status not in RESTOCKABLE:
            raise Conflict(N_("box %(code)s is %(status)s and cannot be restocked now",
                              code=kit.code, status=STATUS_WORDS[kit.status]),
                           {"status": [N_("currently %(status)s", status=STATUS_WORDS[kit.status])]})
        box = session.get(Location, kit.location_id)
        on = today()
        lines = line_specs(session, kit.template_id)
        by_item = {item_id: line for line in lines for item_id in line.item_ids}
        movements = []
        for index, entry in enumerate(removals):
            field = f"removals.{index}"
            item = _entry_item(session, entry, field, by_item)
            lot = find_lot(session, item, entry.get("lot"), f"{field}.lot")
            quantity = _entry_quantity(entry, field)
            destination = _entry_location(session, entry, "to_location_id", field, RECEIVABLE_KINDS)
            movements.append(_post(session, caller, kit, field, item=item, lot=lot, quantity=quantity,
                                   reason=Reason.OUT_OF_KIT, from_location=box,
                                   to_location=destination, note=note))
        filled_lines = set()
        for index, entry in enumerate(fills):
            field = f"fills.{index}"
            item = _entry_item(session, entry, field, by_item)
            line = by_item[item.id]
            lot = find_lot(session, item, entry.get("lot"), f"{field}.lot")
            if lot is not None and not is_usable(lot.expires_on, on, line.min_shelf_days):
                raise InvalidInput.on(f"{field}.lot", N_(
                    "lot %(lot)s expires on %(date)s; this line needs at least %(days)d days left",
                    lot=lot.code, date=lot.expires_on.isoformat(), days=line.min_shelf_days))
            quantity = _entry_quantity(entry, field)
            origin = _entry_location(session, entry, "from_location_id", field, PICKABLE_KINDS)
            movements.append(_post(session, caller, kit, field, item=item, lot=lot, quantity=quantity,
                                   reason=Reason.INTO_KIT, from_location=origin, to_location=box,
                                   note=note))
            filled_lines.add(line.line_id)
        after = completeness(lines, holdings(session, kit), on)
        for state in after.lines:
            if state.line.line_id in filled_lines and state.usable > state.line.par:
                item = session.get(Item, state.line.item_id)
                raise Conflict(N_("%(sku)s would hold %(held)d in box %(code)s; its par is %(par)d",
                                  sku=item.sku, held=state.usable, code=kit.code, par=state.line.par),
                               {"fills": [N_("more than par for %(sku)s", sku=item.sku)]})
        target = status_after_fill(kit.status, after.complete)
        if target != kit.status:
            record_transition(session, caller, kit, target, note=note)
    return RestockResult(kit, movements, after)


def _post(session: Session, caller: Caller, kit: Kit, field: str, **entry) -> StockMovement:
    """Post one restock movement; a shortfall names the entry, what was asked and what is there."""
    try:
        return ledger.post(session, caller, reference=kit.code, **entry)
    except Conflict as error:
        if "quantity" not in error.fields:
            raise
        place = entry["from_location"]
        item, lot = entry["item"], entry["lot"]
        available = ledger.balance_of(session, item, lot, place)
        what = item.sku if lot is None else f"{item.sku} {lot.code}"
        raise Conflict(
            N_("%(what)s: only %(available)d at %(code)s, %(wanted)d requested",
               what=what, available=available, code=place.code, wanted=entry["quantity"]),
            {f"{field}.quantity": [N_("only %(available)d available", available=available)]},
        ) from None


def inspect_kit(session: Session, caller: Caller, code: str, *, outcome: InspectionOutcome | str,
                findings: str | None = None) -> KitEvent:
    """Record that a box was checked; a returned box moves on, a failed one goes to quarantine."""
    try:
        outcome = InspectionOutcome(outcome)
    except ValueError:
        raise InvalidInput.on("outcome", N_("one of %(values)s",
                                            values=", ".join(o.value for o in InspectionOutcome))) from None
    findings = text_field(findings, "findings", NOTE_MAX)
    if outcome != InspectionOutcome.PASSED and not findings:
        raise InvalidInput.on("findings", N_("say what was found"))
    with write_transaction(session):
        kit = get_kit(session, code, lock=True)
        if kit.status in (KitStatus.DEPLOYED, KitStatus.RETIRED):
            raise Conflict(N_("box %(code)s is %(status)s and cannot be inspected",
                              code=kit.code, status=STATUS_WORDS[kit.status]),
                           {"status": [N_("currently %(status)s", status=STATUS_WORDS[kit.status])]})
        event = _log(session, caller, kit, outcome=outcome, note=findings)
        if outcome == InspectionOutcome.FAILED:
            if kit.status != KitStatus.QUARANTINED and KitStatus.QUARANTINED in TRANSITIONS[kit.status]:
                record_transition(session, caller, kit, KitStatus.QUARANTINED, note=findings)
        elif kit.status == KitStatus.RETURNED:
            complete = measure(session, kit).complete
            record_transition(session, caller, kit,
                              KitStatus.READY if complete else KitStatus.RESTOCKING, note=findings)
    return event


def change_kit_status(session: Session, caller: Caller, code: str, *, status: KitStatus | str,
                      note: str | None = None) -> Kit:
    """Put a box into restock or quarantine, back into service, or retire it."""
    try:
        target = KitStatus(status)
    except ValueError:
        raise InvalidInput.on("status", N_("one of %(values)s",
                                           values=", ".join(s.value for s in KitStatus))) from None
    if target in SET_BY_DEPLOYMENT:
        raise InvalidInput.on("status", N_("boxes are deployed and returned by scanning them out and in"))
    note = text_field(note, "note", NOTE_MAX)
    if target in (KitStatus.QUARANTINED, KitStatus.RETIRED) and not note:
        raise InvalidInput.on("note", N_("say why"))
    if target == KitStatus.RETIRED and caller.user is not None and caller.user.role not in RETIRERS:
        raise Forbidden(N_("only a supply officer retires a box"))
    with write_transaction(session):
        kit = get_kit(session, code, lock=True)
        check_transition(kit.code, kit.status, target)
        if target in RESTING:
            state = measure(session, kit)
            if resting_status(state.complete) != target:
                if target == KitStatus.READY:
                    missing = ", ".join(f"{session.get(Item, s.line.item_id).sku} −{s.missing}"
                                        for s in state.shortfalls if s.short)
                    raise Conflict(N_("box %(code)s is short: %(missing)s", code=kit.code, missing=missing),
                                   {"status": [N_("the box is not complete")]})
                raise Conflict(N_("box %(code)s is complete", code=kit.code),
                               {"status": [N_("the box is complete")]})
        if target == KitStatus.RETIRED:
            inside = session.scalar(select(func.coalesce(func.sum(StockBalance.quantity), 0)).where(
                StockBalance.location_id == kit.location_id))
            if inside:
                raise Conflict(N_("box %(code)s still holds %(count)d units; empty it first",
                                  code=kit.code, count=inside),
                               {"status": [N_("the box is not empty")]})
        record_transition(session, caller, kit, target, note=note)
        if target == KitStatus.RETIRED:
            session.get(Location, kit.location_id).active = False
    return kit


def relocate_kit(session: Session, caller: Caller, code: str, *, home_location_id: int,
                 note: str | None = None) -> Kit:
    """Give a box a new home place in the depot; a box in the depot moves there with it."""
    note = text_field(note, "note", NOTE_MAX)
    with write_transaction(session):
        kit = get_kit(session, code, lock=True)
        if kit.status == KitStatus.RETIRED:
            raise Conflict(N_("box %(code)s is retired", code=kit.code),
                           {"status": [N_("currently %(status)s", status=STATUS_WORDS[kit.status])]})
        home = get_location(session, home_location_id, "home_location_id", HOME_KINDS)
        if home.id == kit.home_location_id:
            raise InvalidInput.on("home_location_id", N_("the box already lives there"))
        location = session.get(Location, kit.location_id)
        if location.parent_id == kit.home_location_id:
            place(session, kit, home)
        kit.home_location_id = home.id
        _log(session, caller, kit, note=note or N_("moved to %(code)s", code=home.code))
    return kit
