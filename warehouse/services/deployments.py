"""Deployment use cases: open and close a deployment, check boxes out and in, issue loose items.

A deployment owns a location of kind deployed under its depot. A box checked out hangs under
it (its contents travel with it, unledgered, as when a box moves in the depot); loose items
issued are ledger movements into it. What comes back, is used up, damaged or lost leaves it
through the ledger with the deployment's code as reference, so `flask ledger check` and the
stock reports see exactly what is out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.domain.accounts import Role
from warehouse.domain.deployments import (
    COMMANDER_MAX,
    MAX_SQUADS,
    MAX_USAGE_LINES,
    NAME_MAX,
    PLACE_MAX,
    REASON_MAX,
    DeploymentKind,
    Usage,
    check_usage,
    deployment_code,
    deployment_number,
)
from warehouse.domain.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from warehouse.domain.kits import (
    RESTING,
    STATUS_WORDS,
    Completeness,
    Held,
    KitStatus,
    resting_status,
)
from warehouse.domain.stock import (
    PICKABLE_KINDS,
    LocationKind,
    Purpose,
    Reason,
    fefo_picks,
    validate_quantity,
)
from warehouse.models import (
    Deployment,
    DeploymentSquad,
    Item,
    Kit,
    KitCheckout,
    Location,
    Lot,
    Squad,
    StockBalance,
    StockMovement,
)
from warehouse.models.base import utcnow
from warehouse.queries.boxes import Box, Contents, box_by_code, contents, refilled
from warehouse.services import fields, kits, ledger
from warehouse.services.accounts import Caller
from warehouse.services.kit_templates import get_module
from warehouse.services.squads import get_squad
from warehouse.services.stock import (
    NOTE_MAX,
    RECEIVABLE_KINDS,
    find_lot,
    get_item,
    get_location,
    pick_candidates,
)
from warehouse.timezone import depot_zone, today

# Who may send out a box that is not ready: those who answer for the decision.
CONFIRMERS = frozenset({Role.SUPPLY_OFFICER, Role.COMMANDER, Role.ADMIN})
# What issued and consumed stock was for, by kind of deployment (the ledger's purpose).
PURPOSES = {DeploymentKind.INCIDENT: Purpose.INCIDENT, DeploymentKind.DRILL: Purpose.DRILL,
            DeploymentKind.EXERCISE: Purpose.TRAINING, DeploymentKind.LEND: Purpose.TRANSFER}
# Opening a deployment after the fact is allowed, within reason.
MAX_BACKDATE = timedelta(days=30)
MAX_DURATION = timedelta(days=365)
NUMBER_ATTEMPTS = 5
USAGE_COUNTS = ("consumed", "damaged", "lost")
CANNOT_UNDO = {"scan": [N_("cannot be undone")]}


def get_deployment(session: Session, deployment_id, *, lock: bool = False, share: bool = False,
                   field: str | None = None) -> Deployment:
    """Return the deployment or raise NotFound (InvalidInput naming `field` when given)."""
    found = None
    if isinstance(deployment_id, int) and not isinstance(deployment_id, bool):
        stmt = select(Deployment).where(Deployment.id == deployment_id)
        if lock or share:
            stmt = stmt.execution_options(populate_existing=True)
            # PostgreSQL: closing takes the row for update; scans share it, so they never
            # slip a box into a deployment that is closing.
            stmt = stmt.with_for_update(read=share and not lock)
        found = session.scalar(stmt)
    if found is None:
        if field:
            raise InvalidInput.on(field, N_("no such deployment"))
        raise NotFound(N_("no deployment %(id)s", id=deployment_id))
    return found


def refuse_closed(deployment: Deployment, field: str = "deployment_id") -> None:
    """Refuse to change what a closed deployment holds."""
    if not deployment.is_open:
        raise Conflict(N_("deployment %(code)s was closed", code=deployment.code),
                       {field: [N_("closed")]})


def _squads(session: Session, codes) -> list[Squad]:
    if codes is None:
        return []
    if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
        raise InvalidInput.on("squads", N_("a list of squad codes"))
    if len(codes) > MAX_SQUADS:
        raise InvalidInput.on("squads", N_("at most %(count)d squads", count=MAX_SQUADS))
    found: dict[int, Squad] = {}
    for code in codes:
        try:
            squad = get_squad(session, code)
        except NotFound:
            raise InvalidInput.on("squads", N_("no squad %(code)s", code=code.strip()[:24])) from None
        if not squad.active:
            raise InvalidInput.on("squads", N_("squad %(code)s is deactivated", code=squad.code))
        found[squad.id] = squad
    return list(found.values())


def _depot(session: Session, depot_id) -> Location:
    if depot_id is not None:
        depot = get_location(session, depot_id, "depot_id", frozenset({LocationKind.DEPOT}))
    else:
        depot = session.scalar(select(Location).where(Location.kind == LocationKind.DEPOT,
                                                      Location.active.is_(True)).order_by(Location.id))
    if depot is None:
        raise Conflict(N_("set up a depot first"), {"depot_id": [N_("no depot")]})
    return depot


def _next_code(session: Session, year: int, skip: int) -> str:
    prefix = deployment_code(year, 0)[:-4]
    codes = session.scalars(select(Location.code).where(Location.code.startswith(prefix)))
    numbers = [n for n in (deployment_number(year, c) for c in codes) if n is not None]
    return deployment_code(year, max(numbers, default=0) + 1 + skip)


def _insert(session: Session, depot: Location, code: str, **columns) -> Deployment | None:
    """Insert the deployment and its location under a savepoint; None when the number is taken."""
    savepoint = session.begin_nested()
    try:
        location = Location(code=code, name=columns["name"][:80], kind=LocationKind.DEPLOYED,
                            parent_id=depot.id)
        session.add(location)
        session.flush()
        location.path = f"{depot.path}{location.id}/"
        deployment = Deployment(code=code, location_id=location.id, **columns)
        session.add(deployment)
        session.flush()
    except IntegrityError:
        # Another officer opened one with the same number between our read and our insert.
        savepoint.rollback()
        return None
    savepoint.commit()
    return deployment


def create_deployment(session: Session, caller: Caller, *, name, kind, expected_return_at,
                      module=None, place=None, commander=None, squads=None, note=None,
                      opened_at=None, depot_id=None) -> Deployment:
    """Open a deployment (incident, drill, exercise or loan) that boxes can be checked out to."""
    name = fields.text(name, "name", NAME_MAX, required=True)
    kind = fields.choice(DeploymentKind, kind, "kind")
    place = fields.text(place, "place", PLACE_MAX)
    commander = fields.text(commander, "commander", COMMANDER_MAX)
    note = fields.text(note, "note", NOTE_MAX)
    now = utcnow()
    opened = fields.moment(opened_at, "opened_at") or now
    if opened > now + timedelta(minutes=5):
        raise InvalidInput.on("opened_at", N_("cannot be in the future"))
    if opened < now - MAX_BACKDATE:
        raise InvalidInput.on("opened_at", N_("at most %(days)d days ago", days=MAX_BACKDATE.days))
    expected = fields.moment(expected_return_at, "expected_return_at", required=True)
    if expected <= opened:
        raise InvalidInput.on("expected_return_at", N_("must be after the opening"))
    if expected - opened > MAX_DURATION:
        raise InvalidInput.on("expected_return_at", N_("at most %(days)d days after the opening",
                                                       days=MAX_DURATION.days))
    with write_transaction(session):
        found_module = None
        if module not in (None, ""):
            try:
                found_module = get_module(session, module)
            except NotFound:
                raise InvalidInput.on("module", N_("no such module")) from None
        found_squads = _squads(session, squads)
        depot = _depot(session, depot_id)
        year = opened.astimezone(depot_zone()).year
        columns = dict(name=name, kind=kind, module_id=found_module.id if found_module else None,
                       place=place, commander=commander, note=note, opened_at=opened,
                       expected_return_at=expected,
                       opened_by_id=caller.user.id if caller.user else None,
                       opened_by_name=_name(caller))
        deployment = None
        for attempt in range(NUMBER_ATTEMPTS):
            deployment = _insert(session, depot, _next_code(session, year, attempt), **columns)
            if deployment is not None:
                break
        if deployment is None:
            raise Conflict(N_("could not number the deployment; try again"), {"name": [N_("try again")]})
        session.add_all(DeploymentSquad(deployment_id=deployment.id, squad_id=s.id) for s in found_squads)
    return deployment


def update_deployment(session: Session, caller: Caller, deployment_id: int, **changes) -> Deployment:
    """Change an open deployment's name, place, commander, expected return, note or squads."""
    allowed = {"name", "place", "commander", "expected_return_at", "note", "squads"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput.on(sorted(unknown)[0], N_("cannot be changed"))
    values = {}
    if "name" in changes:
        values["name"] = fields.text(changes["name"], "name", NAME_MAX, required=True)
    if "place" in changes:
        values["place"] = fields.text(changes["place"], "place", PLACE_MAX)
    if "commander" in changes:
        values["commander"] = fields.text(changes["commander"], "commander", COMMANDER_MAX)
    if "note" in changes:
        values["note"] = fields.text(changes["note"], "note", NOTE_MAX)
    if "expected_return_at" in changes:
        values["expected_return_at"] = fields.moment(changes["expected_return_at"], "expected_return_at",
                                                     required=True)
    with write_transaction(session):
        deployment = get_deployment(session, deployment_id, lock=True)
        refuse_closed(deployment, "status")
        expected = values.get("expected_return_at")
        if expected is not None and expected <= deployment.opened_at:
            raise InvalidInput.on("expected_return_at", N_("must be after the opening"))
        for key, value in values.items():
            setattr(deployment, key, value)
        if "name" in values:
            session.get(Location, deployment.location_id).name = values["name"][:80]
        if "squads" in changes:
            wanted = _squads(session, changes["squads"])
            session.execute(delete(DeploymentSquad).where(DeploymentSquad.deployment_id == deployment.id))
            session.add_all(DeploymentSquad(deployment_id=deployment.id, squad_id=s.id) for s in wanted)
        session.flush()
    return deployment


@dataclass(frozen=True)
class Outstanding:
    """What a deployment still has out: boxes and loose units."""

    kits: list[str]
    loose_units: int

    @property
    def nothing(self) -> bool:
        return not self.kits and not self.loose_units


def outstanding(session: Session, deployment: Deployment) -> Outstanding:
    """Return the boxes and loose units a deployment has not brought back."""
    codes = session.scalars(select(Kit.code).join(KitCheckout, KitCheckout.kit_id == Kit.id).where(
        KitCheckout.deployment_id == deployment.id, KitCheckout.in_at.is_(None)).order_by(Kit.code)).all()
    loose = session.scalar(select(func.coalesce(func.sum(StockBalance.quantity), 0)).where(
        StockBalance.location_id == deployment.location_id))
    return Outstanding(list(codes), int(loose))


def close_deployment(session: Session, caller: Caller, deployment_id: int, *, note=None) -> Deployment:
    """Close a deployment once every box and loose item is back or accounted for."""
    note = fields.text(note, "note", NOTE_MAX)
    with write_transaction(session):
        deployment = get_deployment(session, deployment_id, lock=True)
        refuse_closed(deployment, "status")
        left = outstanding(session, deployment)
        if left.kits:
            shown = ", ".join(left.kits[:10]) + ("…" if len(left.kits) > 10 else "")
            raise Conflict(N_("boxes still out (%(count)d): %(codes)s", count=len(left.kits), codes=shown),
                           {"kits": [N_("check them in first")]})
        if left.loose_units:
            raise Conflict(N_("%(count)d loose units are still out; return or write them off first",
                              count=left.loose_units), {"items": [N_("return them first")]})
        deployment.closed_at = max(utcnow(), deployment.opened_at)
        deployment.closed_by_name = _name(caller)
        if note:
            deployment.note = f"{deployment.note}\n{note}".strip()[:NOTE_MAX * 4]
        session.get(Location, deployment.location_id).active = False
        session.flush()
    return deployment


def _name(caller: Caller) -> str:
    return caller.user.username if caller.user else (caller.address or "system")


def open_checkout(session: Session, kit_id: int) -> KitCheckout | None:
    """Return the box's open check-out, if it is out."""
    return session.scalar(select(KitCheckout).where(KitCheckout.kit_id == kit_id,
                                                    KitCheckout.in_at.is_(None)))


def holder_of(session: Session, kit_id: int) -> Deployment | None:
    """Return the deployment a box is out with."""
    return session.scalar(select(Deployment).join(KitCheckout, KitCheckout.deployment_id == Deployment.id)
                          .where(KitCheckout.kit_id == kit_id, KitCheckout.in_at.is_(None)))


def refuse_deployed(session: Session, kit: Kit) -> None:
    """Refuse to act on a box that is out, naming the deployment holding it."""
    holder = holder_of(session, kit.id)
    if holder is not None:
        raise Conflict(N_("box %(code)s is already out with %(deployment)s (%(name)s)",
                          code=kit.code, deployment=holder.code, name=holder.name),
                       {"code": [N_("out with %(deployment)s", deployment=holder.code)]})


_deployments, _places, _checkouts = Deployment.__table__, Location.__table__, KitCheckout.__table__
# Prebuilt Core statements for the scan path, which runs them on every scan (see queries/boxes.py).
_DEPLOYMENT_COLUMNS = (_deployments.c.id, _deployments.c.code, _deployments.c.name, _deployments.c.kind,
                       _deployments.c.closed_at, _deployments.c.location_id, _places.c.kind, _places.c.code,
                       _places.c.path)
_DEPLOYMENT = (select(*_DEPLOYMENT_COLUMNS)
               .select_from(_deployments.join(_places, _places.c.id == _deployments.c.location_id))
               .where(_deployments.c.id == bindparam("deployment_id")))
# PostgreSQL: closing takes the row for update; scans share it (see get_deployment).
_DEPLOYMENT_SHARED = _DEPLOYMENT.with_for_update(read=True, of=_deployments)
_OPEN_CHECKOUT = (
    select(_checkouts.c.id, _checkouts.c.from_status, _checkouts.c.override_reason, _checkouts.c.out_at,
           *_DEPLOYMENT_COLUMNS)
    .select_from(_checkouts.join(_deployments, _deployments.c.id == _checkouts.c.deployment_id)
                 .join(_places, _places.c.id == _deployments.c.location_id))
    .where(_checkouts.c.kit_id == bindparam("kit_id"), _checkouts.c.in_at.is_(None))
)
_INSERT_CHECKOUT = insert(_checkouts).returning(_checkouts.c.id)
_CLOSE_CHECKOUT = (
    update(_checkouts).where(_checkouts.c.id == bindparam("checkout_id"), _checkouts.c.in_at.is_(None))
    .values(in_at=bindparam("back_at"), in_by_id=bindparam("back_by_id"),
            in_by_name=bindparam("back_by_name"), consumed=bindparam("used"), damaged=bindparam("broken"),
            lost=bindparam("missing"))
)


@dataclass(frozen=True)
class DeploymentRef:
    """A deployment as a scan needs it: its numbers, kind, whether open, and its location."""

    id: int
    code: str
    name: str
    kind: DeploymentKind
    closed_at: datetime | None
    location_id: int
    location_kind: LocationKind
    location_code: str
    location_path: str

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class CheckoutRecord:
    """A box's check-out as written: its id, deployment, the status it left and the usage counted."""

    id: int
    deployment_id: int
    kit_id: int
    from_status: KitStatus
    override_reason: str
    out_at: datetime
    consumed: int = 0
    damaged: int = 0
    lost: int = 0


def deployment_ref(session: Session, deployment_id, *, share: bool = False,
                   field: str | None = None) -> DeploymentRef:
    """Return the deployment as a scan needs it or raise NotFound (InvalidInput naming `field`)."""
    row = None
    if isinstance(deployment_id, int) and not isinstance(deployment_id, bool):
        row = session.execute(_DEPLOYMENT_SHARED if share else _DEPLOYMENT,
                              {"deployment_id": deployment_id}).first()
    if row is None:
        if field:
            raise InvalidInput.on(field, N_("no such deployment"))
        raise NotFound(N_("no deployment %(id)s", id=deployment_id))
    return DeploymentRef(*row)


def _serialized(session: Session) -> bool:
    """Tell whether writers run one at a time (SQLite begins write transactions IMMEDIATE).

    Then what this write transaction read is still true, and PostgreSQL's locked re-reads
    can be skipped.
    """
    return session.get_bind().dialect.name == "sqlite"


def _box(session: Session, code: str, *, lock: bool = False, read: Box | None = None) -> Box:
    """Return the box by code, locked if asked; reuse one already read when no lock is needed."""
    if read is not None and (not lock or _serialized(session)):
        return read
    box = box_by_code(session, code, lock=lock)
    if box is None:
        raise NotFound(N_("no box %(code)s", code=code))
    return box


@dataclass(frozen=True)
class CheckoutResult:
    """A box checked out: the row, the box, the deployment and what the box held then."""

    checkout: CheckoutRecord
    kit: Box
    deployment: DeploymentRef
    state: Completeness
    contents: Contents


def _missing(inside: Contents, state: Completeness) -> str:
    """Return a box's shortfalls in a line: 'MED-TQ −2, FOOD-MRE −5'."""
    return ", ".join(f"{inside.items[s.line.item_id].sku} −{s.missing}" for s in state.shortfalls if s.short)


def check_out(session: Session, caller: Caller, code: str, deployment_id: int, *,
              override_reason=None) -> CheckoutResult:
    """Send a box out with a deployment; a box that is not ready needs a confirmer and a reason."""
    with write_transaction(session):
        return checkout_box(session, caller, code, deployment_id, override_reason=override_reason)


def checkout_box(session: Session, caller: Caller, code: str, deployment_id: int, *,
                 override_reason=None, box: Box | None = None) -> CheckoutResult:
    """Check a box out inside the caller's write transaction (the scan station adds its log).

    `box` is the box as the caller already read it in this transaction, if it did.
    """
    override_reason = fields.text(override_reason, "override_reason", REASON_MAX)
    deployment = deployment_ref(session, deployment_id, share=True, field="deployment_id")
    refuse_closed(deployment)
    kit = _box(session, code, lock=True, read=box)
    if kit.status == KitStatus.DEPLOYED:
        refuse_deployed(session, kit)
    if kit.status not in RESTING:
        raise Conflict(N_("box %(code)s is %(status)s and cannot be checked out",
                          code=kit.code, status=STATUS_WORDS[kit.status]),
                       {"code": [N_("currently %(status)s", status=STATUS_WORDS[kit.status])]})
    inside = contents(session, kit)
    state = inside.measure()
    if not state.complete:
        missing = _missing(inside, state)
        if not override_reason:
            raise Conflict(N_("box %(code)s is not ready (short: %(missing)s); a supply officer "
                              "or commander may send it out with a reason",
                              code=kit.code, missing=missing),
                           {"override_reason": [N_("say why the box goes out short")]})
        if caller.user is not None and caller.user.role not in CONFIRMERS:
            raise Forbidden(N_("box %(code)s is not ready (short: %(missing)s); only a supply "
                               "officer or commander may send it out", code=kit.code, missing=missing))
    record = CheckoutRecord(0, deployment.id, kit.id, resting_status(state.complete),
                            "" if state.complete else override_reason, utcnow())
    try:
        checkout_id = session.execute(_INSERT_CHECKOUT, {
            "deployment_id": deployment.id, "kit_id": kit.id, "from_status": record.from_status,
            "out_at": record.out_at, "out_by_id": caller.user.id if caller.user else None,
            "out_by_name": _name(caller), "override_reason": record.override_reason}).scalar_one()
    except IntegrityError:
        # The partial unique index: another worker checked the box out first; name its deployment.
        session.rollback()
        refuse_deployed(session, kit)
        raise Conflict(N_("box %(code)s was just checked out by someone else", code=kit.code),
                       {"code": [N_("already out")]}) from None
    kits.place_box(session, kit.location_id, parent_id=deployment.location_id,
                   parent_kind=deployment.location_kind, parent_code=deployment.location_code,
                   parent_path=deployment.location_path)
    note = f"{deployment.code} {deployment.name}"
    if override_reason and not state.complete:
        note += f" — {override_reason}"
    kits.transition(session, caller, kit.id, kit.code, kit.status, KitStatus.DEPLOYED, note=note)
    return CheckoutResult(replace(record, id=checkout_id), kit, deployment, state, inside)


def _usage(session: Session, held: list[Held], raw) -> list[tuple[Usage, Item, Lot | None]]:
    """Match the reported usage to what the box holds; lines not named came back whole."""
    items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_({h.item_id for h in held})))}
    lot_ids = {h.lot_id for h in held} - {None}
    lots = {lt.id: lt for lt in session.scalars(select(Lot).where(Lot.id.in_(lot_ids)))}
    found = {(h.item_id, h.lot_id): Usage(h.item_id, h.lot_id, h.quantity) for h in held}
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise InvalidInput.on("usage", N_("must be a list"))
    if len(raw) > MAX_USAGE_LINES:
        raise InvalidInput.on("usage", N_("at most %(count)d entries", count=MAX_USAGE_LINES))
    reported: set[tuple[int, int | None]] = set()
    for index, entry in enumerate(raw):
        field = f"usage.{index}"
        if not isinstance(entry, dict):
            raise InvalidInput.on(field, N_("must be an object"))
        item = items.get(entry.get("item_id")) if isinstance(entry.get("item_id"), int) else None
        if item is None:
            raise InvalidInput.on(f"{field}.item_id", N_("not in this box"))
        lot = find_lot(session, item, entry.get("lot"), f"{field}.lot")
        key = (item.id, lot.id if lot else None)
        if key not in found:
            raise InvalidInput.on(f"{field}.lot", N_("not in this box"))
        if key in reported:
            raise InvalidInput.on(f"{field}.item_id", N_("named twice"))
        reported.add(key)
        usage = Usage(item.id, key[1], found[key].held, consumed=entry.get("consumed", 0) or 0,
                      damaged=entry.get("damaged", 0) or 0, lost=entry.get("lost", 0) or 0)
        check_usage(usage, field)
        found[key] = usage
    return [(u, items[u.item_id], lots.get(u.lot_id)) for u in found.values()]


def _quarantine(session: Session, depot_path: str) -> Location:
    place = session.scalar(select(Location).where(
        Location.kind == LocationKind.QUARANTINE, Location.active.is_(True),
        Location.path.startswith(depot_path, autoescape=True)).order_by(Location.id).limit(1))
    if place is None:
        raise Conflict(N_("the depot has no quarantine location for damaged units"),
                       {"damaged": [N_("no quarantine location")]})
    return place


def _depot_path(location: Location) -> str:
    return "/" + location.path.strip("/").split("/")[0] + "/"


def write_off(session: Session, caller: Caller, deployment: Deployment, *, item: Item, lot: Lot | None,
              source: Location, consumed: int, damaged: int, lost: int, field: str) -> list[StockMovement]:
    """Post what was used up, damaged (to quarantine) and lost, from a box or the deployment."""
    common = dict(item=item, lot=lot, from_location=source, reference=deployment.code)
    posted = []
    if consumed:
        posted.append(ledger.post(session, caller, for_deployment=True,
                                  quantity=consumed, reason=Reason.CONSUME,
                                  purpose=PURPOSES[deployment.kind], note=f"{deployment.name}", **common))
    if damaged:
        posted.append(ledger.post(session, caller, for_deployment=True,
                                  quantity=damaged, reason=Reason.MOVE,
                                  to_location=_quarantine(session, _depot_path(source)),
                                  note=f"{deployment.name}: damaged", **common))
    if lost:
        posted.append(ledger.post(session, caller, for_deployment=True,
                                  quantity=lost, reason=Reason.DISPOSE,
                                  note=f"{deployment.name}: lost", **common))
    return posted


@dataclass(frozen=True)
class CheckinResult:
    """A box back: its check-out row closed, the movements posted, the usage counted, what is in it."""

    checkout: CheckoutRecord
    kit: Box
    deployment: DeploymentRef
    movements: list[StockMovement]
    contents: Contents


def check_in(session: Session, caller: Caller, code: str, *, usage=None, deployment_id=None) -> CheckinResult:
    """Take a box back: post what was consumed, damaged and lost; it then waits for inspection."""
    with write_transaction(session):
        return checkin_box(session, caller, code, usage=usage, deployment_id=deployment_id)


def _open_checkout(session: Session, kit_id: int) -> tuple[CheckoutRecord, DeploymentRef] | None:
    row = session.execute(_OPEN_CHECKOUT, {"kit_id": kit_id}).first()
    if row is None:
        return None
    checkout_id, from_status, override_reason, out_at, *deployment = row
    ref = DeploymentRef(*deployment)
    return CheckoutRecord(checkout_id, ref.id, kit_id, from_status, override_reason, out_at), ref


def checkin_box(session: Session, caller: Caller, code: str, *, usage=None, deployment_id=None,
                box: Box | None = None) -> CheckinResult:
    """Check a box in inside the caller's write transaction (the scan station adds its log).

    `box` is the box as the caller already read it in this transaction, if it did.
    """
    kit = _box(session, code, read=box)
    found = _open_checkout(session, kit.id)
    if found is None:
        raise Conflict(N_("box %(code)s is not out (it is %(status)s)",
                          code=kit.code, status=STATUS_WORDS[kit.status]),
                       {"code": [N_("currently %(status)s", status=STATUS_WORDS[kit.status])]})
    checkout, deployment = found
    if deployment_id is not None:
        refuse_closed(deployment_ref(session, deployment_id, field="deployment_id"))
    if not _serialized(session):
        # Lock in the same order as check-out (deployment, then box) so the two never deadlock,
        # then read the box and its check-out again: another check-in may have come first.
        deployment = deployment_ref(session, checkout.deployment_id, share=True)
        kit = _box(session, code, lock=True)
        found = _open_checkout(session, kit.id)
        if found is None or found[0].deployment_id != deployment.id:
            raise Conflict(N_("box %(code)s was just checked in by someone else", code=kit.code),
                           {"code": [N_("already in")]})
        checkout = found[0]
    inside = contents(session, kit)
    movements = []
    totals = dict.fromkeys(USAGE_COUNTS, 0)
    # A quick check-in (nothing used) posts nothing: the box's contents came back with it.
    if usage is not None and usage != []:
        lines = _usage(session, inside.held, usage)
        source = session.get(Location, kit.location_id)
        for index, (entry, item, lot) in enumerate(lines):
            movements += write_off(session, caller, deployment, item=item, lot=lot, source=source,
                                   consumed=entry.consumed, damaged=entry.damaged, lost=entry.lost,
                                   field=f"usage.{index}")
        totals = {name: sum(getattr(e, name) for e, _, _ in lines) for name in USAGE_COUNTS}
        if movements:
            inside = refilled(session, kit, inside)
    kits.place_box(session, kit.location_id, parent_id=kit.home_location_id, parent_kind=kit.home_kind,
                   parent_code=kit.home_code, parent_path=kit.home_path)
    kits.transition(session, caller, kit.id, kit.code, kit.status, KitStatus.RETURNED,
                    note=f"{deployment.code} {deployment.name}")
    back_at = max(utcnow(), checkout.out_at)
    closed = session.execute(_CLOSE_CHECKOUT, {
        "checkout_id": checkout.id, "back_at": back_at, "back_by_id": caller.user.id if caller.user else None,
        "back_by_name": _name(caller), "used": totals["consumed"], "broken": totals["damaged"],
        "missing": totals["lost"]}).rowcount
    if closed != 1:
        raise Conflict(N_("box %(code)s was just checked in by someone else", code=kit.code),
                       {"code": [N_("already in")]})
    return CheckinResult(replace(checkout, **totals), kit, deployment, movements, inside)


def undo_check_out(session: Session, caller: Caller, checkout_id: int) -> Kit:
    """Take back a check-out scanned by mistake: the box returns home as it was (in a transaction)."""
    checkout = session.get(KitCheckout, checkout_id)
    if checkout is None or checkout.in_at is not None:
        raise Conflict(N_("the box is no longer out with this deployment"), CANNOT_UNDO)
    deployment = get_deployment(session, checkout.deployment_id, share=True)
    refuse_closed(deployment)
    kit = session.scalar(select(Kit).where(Kit.id == checkout.kit_id).with_for_update())
    if kit.status != KitStatus.DEPLOYED:
        raise Conflict(N_("box %(code)s has changed since", code=kit.code), CANNOT_UNDO)
    kits.place(session, kit, session.get(Location, kit.home_location_id))
    kits.record_transition(session, caller, kit, checkout.from_status, undoing=True,
                           note=N_("check-out to %(code)s undone", code=deployment.code))
    session.delete(checkout)
    session.flush()
    return kit


def undo_check_in(session: Session, caller: Caller, checkout_id: int, movement_ids: list[int]) -> Kit:
    """Take back a check-in scanned by mistake: reverse its movements, the box is out again."""
    checkout = session.get(KitCheckout, checkout_id)
    if checkout is None or checkout.in_at is None:
        raise Conflict(N_("the box is out again already"), CANNOT_UNDO)
    deployment = get_deployment(session, checkout.deployment_id, share=True)
    refuse_closed(deployment)
    kit = session.scalar(select(Kit).where(Kit.id == checkout.kit_id).with_for_update())
    if kit.status != KitStatus.RETURNED or open_checkout(session, kit.id) is not None:
        raise Conflict(N_("box %(code)s has changed since", code=kit.code), CANNOT_UNDO)
    later = session.scalar(select(func.count()).select_from(KitCheckout).where(
        KitCheckout.kit_id == kit.id, KitCheckout.id > checkout.id))
    if later:
        raise Conflict(N_("box %(code)s has changed since", code=kit.code), CANNOT_UNDO)
    box = session.get(Location, kit.location_id)
    for movement in session.scalars(select(StockMovement).where(StockMovement.id.in_(movement_ids))
                                    .order_by(StockMovement.id.desc())):
        item = session.get(Item, movement.item_id)
        lot = session.get(Lot, movement.lot_id) if movement.lot_id else None
        back_from = session.get(Location, movement.to_location_id) if movement.to_location_id else None
        # Consumed and lost units left the books: bring them back as a correction of the mistake.
        ledger.post(session, caller, for_deployment=True,
                    item=item, lot=lot, quantity=movement.quantity,
                    reason=Reason.MOVE if back_from is not None else Reason.ADJUST,
                    from_location=back_from, to_location=box, reference=deployment.code,
                    note=f"undo of check-in ({movement.reason.value} #{movement.id})")
    kits.place(session, kit, session.get(Location, deployment.location_id))
    kits.record_transition(session, caller, kit, KitStatus.DEPLOYED, undoing=True,
                           note=N_("check-in from %(code)s undone", code=deployment.code))
    checkout.in_at, checkout.in_by_id, checkout.in_by_name = None, None, ""
    checkout.consumed = checkout.damaged = checkout.lost = 0
    session.flush()
    return kit


def issue_loose(session: Session, caller: Caller, deployment_id: int, *, item_id, quantity, lot=None,
                from_location_id=None, note=None) -> list[StockMovement]:
    """Issue loose items (not in a box) to a deployment, first-expiry-first-out unless a lot is named."""
    quantity = validate_quantity(quantity)
    note = fields.text(note, "note", NOTE_MAX)
    with write_transaction(session):
        deployment = get_deployment(session, deployment_id, share=True)
        refuse_closed(deployment, "status")
        item = get_item(session, item_id)
        depot = session.get(Location, session.get(Location, deployment.location_id).parent_id)
        within = depot if from_location_id is None else get_location(
            session, from_location_id, "from_location_id", PICKABLE_KINDS)
        found = find_lot(session, item, lot) if lot else None
        on = today()
        if found is not None and found.expires_on is not None and found.expires_on < on:
            raise Conflict(N_("lot %(code)s expired on %(date)s", code=found.code,
                              date=found.expires_on.isoformat()), {"lot": [N_("expired")]})
        candidates = pick_candidates(session, item, lot=found, within=within, lock=True)
        picks = fefo_picks(candidates, quantity, on)
        destination = session.get(Location, deployment.location_id)
        posted = []
        for pick in picks:
            origin = session.get(Location, pick.candidate.location_id)
            picked_lot = session.get(Lot, pick.candidate.lot_id) if pick.candidate.lot_id else None
            posted.append(ledger.post(session, caller, for_deployment=True,
                                      item=item, lot=picked_lot, quantity=pick.quantity,
                                      reason=Reason.ISSUE, purpose=PURPOSES[deployment.kind],
                                      from_location=origin, to_location=destination,
                                      reference=deployment.code, note=note or deployment.name))
    return posted


def return_loose(session: Session, caller: Caller, deployment_id: int, *, item_id, lot=None, returned=0,
                 consumed=0, damaged=0, lost=0, to_location_id=None, note=None) -> list[StockMovement]:
    """Account for loose items out with a deployment: back to a shelf, used up, damaged or lost."""
    note = fields.text(note, "note", NOTE_MAX)
    counts = {"returned": returned, "consumed": consumed, "damaged": damaged, "lost": lost}
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput.on(name, N_("a whole number, 0 or more"))
    if not any(counts.values()):
        raise InvalidInput.on("returned", N_("nothing to account for"))
    with write_transaction(session):
        deployment = get_deployment(session, deployment_id, share=True)
        refuse_closed(deployment, "status")
        item = get_item(session, item_id)
        found = find_lot(session, item, lot)
        out_there = session.get(Location, deployment.location_id)
        held = ledger.balance_of(session, item, found, out_there)
        total = sum(counts.values())
        if total > held:
            raise InvalidInput.on("returned", N_("%(total)d accounted for; %(held)d are out with %(code)s",
                                                 total=total, held=held, code=deployment.code))
        posted = []
        if returned:
            if to_location_id is None:
                raise InvalidInput.on("to_location_id", N_("say where the returned units go"))
            shelf = get_location(session, to_location_id, "to_location_id", RECEIVABLE_KINDS)
            if not shelf.path.startswith(_depot_path(out_there)):
                raise InvalidInput.on("to_location_id", N_("not in this deployment's depot"))
            posted.append(ledger.post(session, caller, for_deployment=True,
                                      item=item, lot=found, quantity=returned,
                                      reason=Reason.MOVE, from_location=out_there, to_location=shelf,
                                      reference=deployment.code, note=note or f"{deployment.name}: returned"))
        posted += write_off(session, caller, deployment, item=item, lot=found, source=out_there,
                            consumed=consumed, damaged=damaged, lost=lost, field="returned")
    return posted
