"""The scan station: read what was scanned, act on it, log every scan and replay client retries.

A scan and its log row commit together, so a retry carrying the same idempotency key finds
the first answer and never acts twice; a refused scan is logged in a transaction of its own
after the refused one rolled back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import labels
from warehouse.database import write_transaction
from warehouse.domain.accounts import Role
from warehouse.domain.deployments import (
    KIND_WORDS,
    SUCCESSES,
    ScanAction,
    ScanResult,
    clean_scan,
    foreign_host,
    safe_echo,
    validate_idempotency_key,
)
from warehouse.domain.errors import (
    N_,
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Reason,
)
from warehouse.domain.kits import KitStatus
from warehouse.models import Deployment, ScanEvent
from warehouse.models.base import utcnow
from warehouse.queries.boxes import Box, box_by_code, box_summary
from warehouse.queries.deployments import kit_summary
from warehouse.queries.scans import ScanTarget, resolve_scan, scanned_box
from warehouse.services import deployments
from warehouse.services.accounts import Caller

CODE_COLUMN = 320
STATION_MAX = 120
ADDRESS_MAX = 64

_events = ScanEvent.__table__
# Prebuilt: every scan looks for its key and writes its log row (see queries/boxes.py).
_REPLAY = select(_events.c.id, _events.c.status, _events.c.fingerprint, _events.c.outcome).where(
    _events.c.user_id == bindparam("user_id"), _events.c.idempotency_key == bindparam("key"))
_LOG = insert(_events).returning(_events.c.id)


class WrongKind(InvalidInput):
    """A location, item, lot or badge was scanned where a box was expected."""


# First match wins: WrongKind before the InvalidInput it specialises.
RESULTS = {WrongKind: ScanResult.WRONG_KIND, BadRequest: ScanResult.INVALID, InvalidInput: ScanResult.INVALID,
           NotFound: ScanResult.NOT_FOUND, Conflict: ScanResult.CONFLICT, Forbidden: ScanResult.FORBIDDEN}


def reason_json(text) -> dict | str:
    """Return a message as JSON that can be translated later: its template and values."""
    if isinstance(text, Reason):
        return {"template": text.template, "params": {k: reason_json(v) for k, v in text.params.items()}}
    # Numbers stay numbers: a template's %(count)d needs one.
    return text if isinstance(text, int | float) else str(text)


def reason_from_json(data) -> str:
    """Rebuild a message stored by reason_json."""
    if isinstance(data, dict) and "template" in data:
        return Reason(data["template"], **{k: reason_from_json(v) for k, v in data.get("params", {}).items()})
    return data if isinstance(data, int | float) else str(data)


@dataclass(frozen=True)
class ScanAnswer:
    """What the station shows: the HTTP status, the body, and whether it is a replay."""

    status: int
    body: dict
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return self.status < 400


@dataclass(frozen=True)
class Station:
    """Where a scan came from: the network address and the device (user agent or station name)."""

    address: str = ""
    station: str = ""


@dataclass(frozen=True)
class Scanner:
    """The signed-in user as a scan needs them, read before its transactions begin.

    Ending the read snapshot before the write (see write_transaction) expires the ORM user;
    reading it again would cost a query on every scan.
    """

    id: int
    username: str
    role: Role


def _settled(caller: Caller) -> Caller:
    user = caller.user
    if user is None or isinstance(user, Scanner):
        return caller
    return Caller(Scanner(user.id, user.username, user.role), caller.address)


def _fingerprint(**request) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def _answer(scan_id: int, status: int, outcome: dict, replayed: bool = False) -> ScanAnswer:
    # The log row's id is the scan's id: added here, so the row is written in one INSERT.
    return ScanAnswer(status, {**outcome, "scan_id": scan_id}, replayed=replayed)


def _replay(session: Session, caller: Caller, key: str | None, fingerprint: str) -> ScanAnswer | None:
    if key is None or caller.user is None:
        return None
    row = session.execute(_REPLAY, {"user_id": caller.user.id, "key": key}).first()
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise InvalidInput.on("idempotency_key", N_("already used for a different scan"))
    return _answer(row.id, row.status, row.outcome, replayed=True)


def _log(session: Session, caller: Caller, where: Station, *, code, action, result, status, message,
         key, fingerprint, parts: dict | None = None, kit_id=None, deployment_id=None,
         checkout_id=None) -> ScanAnswer:
    """Write one scan log row with the answer it gave, and return that answer."""
    printable = safe_echo(code if isinstance(code, str) else repr(code), CODE_COLUMN)
    outcome = {"action": action.value, "result": result.value, "ok": result in SUCCESSES, "code": printable,
               "message": str(message), "message_i18n": reason_json(message), "kit": None,
               "deployment": None, "target": None, **(parts or {})}
    scan_id = session.execute(_LOG, {
        "at": utcnow(), "user_id": caller.user.id if caller.user else None,
        "actor_name": caller.user.username if caller.user else (caller.address or "system"),
        "address": (where.address or "")[:ADDRESS_MAX], "station": (where.station or "")[:STATION_MAX],
        "code": printable, "action": action, "result": result, "status": status, "message": str(message),
        "idempotency_key": key if caller.user else None, "fingerprint": fingerprint, "outcome": outcome,
        "kit_id": kit_id, "deployment_id": deployment_id, "checkout_id": checkout_id}).scalar_one()
    return _answer(scan_id, status, outcome)


def _deployment_json(deployment) -> dict | None:
    if deployment is None:
        return None
    return {"id": deployment.id, "code": deployment.code, "name": deployment.name}


def _find_box(session: Session, text: str, action: ScanAction,
              known_hosts: frozenset[str]) -> tuple[Box | None, ScanTarget]:
    """Return the scanned box, or a non-box target for a lookup; raise why not otherwise."""
    host = foreign_host(text, known_hosts)
    if host is not None:
        raise NotFound(N_("%(code)s is a label of another system (%(host)s)", code=safe_echo(text),
                          host=safe_echo(host, 40)), {"code": [N_("not one of our labels")]})
    try:
        labels.parse_payload(text)
    except ValueError:
        raise BadRequest(N_("%(code)s is not a code or label address", code=safe_echo(text)),
                         {"code": [N_("not a code or label address")]}) from None
    # Nearly every scan is a box's label: one query finds it with what the answer shows.
    box = scanned_box(session, text)
    if box is not None:
        return box, ScanTarget("kit", box.code, box.id)
    target = resolve_scan(session, text)
    if target is None:
        raise NotFound(N_("nothing has the code %(code)s", code=safe_echo(text)),
                       {"code": [N_("unknown code")]})
    if target.kind != "kit":
        if action == ScanAction.LOOKUP:
            return None, target
        raise WrongKind(N_("%(code)s is %(what)s, not a box", code=target.code, what=KIND_WORDS[target.kind]),
                           {"code": [N_("%(what)s, not a box", what=KIND_WORDS[target.kind])]})
    return box_by_code(session, target.code), target


def scan(session: Session, caller: Caller, *, code, action, deployment_id=None, idempotency_key=None,
         override_reason=None, usage=None, where: Station = Station(),
         known_hosts: frozenset[str] = frozenset()) -> ScanAnswer:
    """Act on one scan (check out, check in or look up) and log it; refusals are answers too."""
    try:
        action = ScanAction(action)
    except ValueError:
        raise InvalidInput.on("action", N_("one of %(values)s",
                                           values=", ".join(a.value for a in ScanAction))) from None
    key = validate_idempotency_key(idempotency_key)
    caller = _settled(caller)
    fingerprint = _fingerprint(code=code, action=action.value, deployment_id=deployment_id,
                               override_reason=override_reason, usage=usage)
    replay = _replay(session, caller, key, fingerprint)
    if replay is not None:
        return replay
    common = dict(code=code, action=action, key=key, fingerprint=fingerprint)
    try:
        with write_transaction(session):
            return _act(session, caller, where, common, deployment_id, override_reason, usage, known_hosts)
    except DomainError as error:
        return _refused(session, caller, where, common, error, deployment_id)
    except IntegrityError:
        # A retry with the same key raced the first attempt; the first one's answer stands.
        session.rollback()
        replay = _replay(session, caller, key, fingerprint)
        if replay is None:
            raise
        return replay


def _act(session: Session, caller: Caller, where: Station, common: dict, deployment_id, override_reason,
         usage, known_hosts) -> ScanAnswer:
    action = common["action"]
    text = clean_scan(common["code"])
    box, target = _find_box(session, text, action, known_hosts)
    if action == ScanAction.LOOKUP:
        if box is None:
            message = N_("%(code)s is %(what)s", code=target.code, what=KIND_WORDS[target.kind])
            parts = {"target": {"kind": target.kind, "code": target.code}}
        else:
            message = N_("box %(code)s", code=box.code)
            parts = {"kit": kit_summary(session, box), "target": {"kind": "kit", "code": box.code}}
        return _log(session, caller, where, result=ScanResult.FOUND, status=200, message=message,
                    kit_id=box.id if box else None, parts=parts, **common)
    if action == ScanAction.CHECK_OUT:
        if deployment_id is None:
            raise InvalidInput.on("deployment_id", N_("choose the deployment the box goes out with"))
        out = deployments.checkout_box(session, caller, box.code, deployment_id,
                                       override_reason=override_reason, box=box)
        message = N_("box %(code)s out with %(deployment)s", code=box.code, deployment=out.deployment.code)
        # Built from what the check-out read and wrote: the box is now out with this deployment.
        held_by = _deployment_json(out.deployment)
        parts = {"kit": box_summary(out.kit, KitStatus.DEPLOYED, out.contents, out.state, held_by),
                 "deployment": held_by, "target": {"kind": "kit", "code": box.code},
                 "checkout_id": out.checkout.id}
        return _log(session, caller, where, result=ScanResult.CHECKED_OUT, status=201, message=message,
                    kit_id=box.id, deployment_id=out.deployment.id, checkout_id=out.checkout.id,
                    parts=parts, **common)
    back = deployments.checkin_box(session, caller, box.code, usage=usage, deployment_id=deployment_id,
                                   box=box)
    message = N_("box %(code)s back from %(deployment)s: to inspect", code=box.code,
                 deployment=back.deployment.code)
    parts = {"kit": box_summary(back.kit, KitStatus.RETURNED, back.contents, back.contents.measure(), None),
             "deployment": _deployment_json(back.deployment), "target": {"kind": "kit", "code": box.code},
             "checkout_id": back.checkout.id, "movement_ids": [m.id for m in back.movements],
             "usage": {"consumed": back.checkout.consumed, "damaged": back.checkout.damaged,
                       "lost": back.checkout.lost}}
    return _log(session, caller, where, result=ScanResult.CHECKED_IN, status=200, message=message,
                kit_id=box.id, deployment_id=back.deployment.id, checkout_id=back.checkout.id,
                parts=parts, **common)


def _refused_box(session: Session, text: str) -> Box | None:
    box = scanned_box(session, text)
    if box is not None:
        return box
    target = resolve_scan(session, text)
    return box_by_code(session, target.code) if target is not None and target.kind == "kit" else None


def _refused(session: Session, caller: Caller, where: Station, common: dict, error: DomainError,
             deployment_id) -> ScanAnswer:
    """Log a refused scan in its own transaction and answer with the error and what is known."""
    result = next((r for cls, r in RESULTS.items() if isinstance(error, cls)), ScanResult.INVALID)
    try:
        with write_transaction(session):
            kit = None
            text = common["code"]
            if isinstance(text, str) and result in (ScanResult.CONFLICT, ScanResult.FORBIDDEN):
                kit = _refused_box(session, text.strip()) if text.strip() else None
            known = deployment_id if isinstance(deployment_id, int) and not isinstance(deployment_id, bool) \
                and session.get(Deployment, deployment_id) is not None else None
            summary = kit_summary(session, kit) if kit is not None else None
            parts = {"kit": summary, "deployment": summary["deployment"] if summary else None,
                     "target": {"kind": "kit", "code": kit.code} if kit else None,
                     "error": {"code": error.code, "message": str(error.message),
                               "fields": {k: [str(v) for v in vs] for k, vs in error.fields.items()}},
                     "error_i18n": {"message": reason_json(error.message),
                                    "fields": {k: [reason_json(v) for v in vs]
                                               for k, vs in error.fields.items()}}}
            return _log(session, caller, where, result=result, status=error.status, message=error.message,
                        kit_id=kit.id if kit else None, deployment_id=known, parts=parts, **common)
    except IntegrityError:
        session.rollback()
        replay = _replay(session, caller, common["key"], common["fingerprint"])
        if replay is None:
            raise
        return replay


def undo(session: Session, caller: Caller, scan_id: int, *, where: Station = Station()) -> ScanAnswer:
    """Undo the caller's last check-out or check-in while its deployment is open."""
    caller = _settled(caller)
    with write_transaction(session):
        event = session.get(ScanEvent, scan_id) if isinstance(scan_id, int) else None
        mine = event is not None and caller.user is not None and event.user_id == caller.user.id
        if not mine:
            raise NotFound(N_("no scan %(id)s of yours", id=scan_id))
        if event.result not in (ScanResult.CHECKED_OUT, ScanResult.CHECKED_IN) or event.undone_at is not None:
            raise Conflict(N_("only a check-out or check-in can be undone, once"),
                           {"scan": [N_("cannot be undone")]})
        last = session.scalar(select(ScanEvent.id).where(
            ScanEvent.user_id == caller.user.id,
            ScanEvent.result.in_((ScanResult.CHECKED_OUT, ScanResult.CHECKED_IN, ScanResult.UNDONE)))
            .order_by(ScanEvent.id.desc()).limit(1))
        if last != event.id:
            raise Conflict(N_("only your last scan can be undone"), {"scan": [N_("not your last scan")]})
        if event.checkout_id is None:
            raise Conflict(N_("the box has changed since"), {"scan": [N_("cannot be undone")]})
        if event.result == ScanResult.CHECKED_OUT:
            kit = deployments.undo_check_out(session, caller, event.checkout_id)
        else:
            kit = deployments.undo_check_in(session, caller, event.checkout_id,
                                            list(event.outcome.get("movement_ids", [])))
        event.undone_at = utcnow()
        message = N_("scan of %(code)s undone", code=kit.code)
        deployment = session.get(Deployment, event.deployment_id)
        parts = {"kit": kit_summary(session, kit), "deployment": _deployment_json(deployment),
                 "target": {"kind": "kit", "code": kit.code}, "undoes": event.id}
        return _log(session, caller, where, code=kit.code, action=event.action, result=ScanResult.UNDONE,
                    status=200, message=message, key=None, fingerprint="", kit_id=kit.id,
                    deployment_id=event.deployment_id, parts=parts)
