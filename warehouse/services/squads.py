"""Squad and personnel use cases: register squads and people, their qualifications, the targets."""

from __future__ import annotations

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.domain.errors import N_, Conflict, InvalidInput, NotFound
from warehouse.domain.squads import (
    QUALIFICATION_CODE_PATTERN,
    Employment,
    Grade,
    PersonStatus,
    SquadKind,
    SquadRole,
    SupportFunction,
    check_validity_dates,
    validate_badge_code,
    validate_code,
    validate_phone,
    validate_squad_code,
    validate_threshold,
)
from warehouse.models import (
    Module,
    Person,
    Qualification,
    QualificationKind,
    Squad,
    SquadModule,
    StaffingTarget,
)
from warehouse.models.base import utcnow
from warehouse.services.accounts import Caller
from warehouse.services.fields import choice, optional_date, text
from warehouse.timezone import today

SQUAD_TEXT_LIMITS = {"name_zh": 40, "name_en": 80, "home_station": 80, "note": 4000}
PERSON_NAME_MAX = 40
CERTIFICATE_MAX = 40
MAX_MODULES = 50
MAX_QUALIFICATIONS = 20


def _squad_taken(code: str) -> Conflict:
    return Conflict(N_("squad code %(code)s is taken", code=code), {"code": [N_("already taken")]})


def _badge_taken(code: str) -> Conflict:
    return Conflict(N_("badge code %(code)s is taken", code=code), {"badge_code": [N_("already taken")]})


# --- lookups ----------------------------------------------------------------------------------

def get_squad(session: Session, code: str) -> Squad:
    """Return the squad with this code or raise NotFound."""
    squad = session.scalar(select(Squad).where(Squad.code == (code or "").strip().upper()))
    if squad is None:
        raise NotFound(N_("no squad %(code)s", code=code))
    return squad


def get_person(session: Session, badge_code: str) -> Person:
    """Return the person with this badge code or raise NotFound."""
    person = session.scalar(select(Person).where(Person.badge_code == (badge_code or "").strip().upper()))
    if person is None:
        raise NotFound(N_("no person with badge %(code)s", code=badge_code))
    return person


def get_qualification_kind(session: Session, code: str, field: str | None = None) -> QualificationKind:
    """Return a qualification kind; unknown is NotFound, or InvalidInput on a field when named."""
    kind = session.scalar(select(QualificationKind).where(
        QualificationKind.code == (code or "").strip().upper())) if isinstance(code, str) else None
    if kind is None:
        if field:
            raise InvalidInput.on(field, N_("no such qualification"))
        raise NotFound(N_("no qualification kind %(code)s", code=code))
    return kind


# --- squads -----------------------------------------------------------------------------------

def _modules(session: Session, codes) -> list[Module]:
    if codes is None:
        return []
    if not isinstance(codes, (list, tuple)) or not all(isinstance(c, str) for c in codes):
        raise InvalidInput.on("modules", N_("a list of module codes"))
    if len(codes) > MAX_MODULES:
        raise InvalidInput.on("modules", N_("at most %(count)d modules", count=MAX_MODULES))
    wanted = list(dict.fromkeys(c.strip().upper() for c in codes))
    found = {m.code: m for m in session.scalars(select(Module).where(Module.code.in_(wanted)))}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise InvalidInput.on("modules", N_("no such module: %(codes)s", codes=", ".join(unknown)))
    return [found[code] for code in wanted]


def _squad_fields(data: dict) -> dict:
    return {
        "name_zh": text(data.get("name_zh"), "name_zh", SQUAD_TEXT_LIMITS["name_zh"], required=True),
        "name_en": text(data.get("name_en"), "name_en", SQUAD_TEXT_LIMITS["name_en"], required=True),
        "kind": choice(SquadKind, data.get("kind"), "kind"),
        "function": choice(SupportFunction, data.get("function"), "function"),
        "home_station": text(data.get("home_station"), "home_station", SQUAD_TEXT_LIMITS["home_station"]),
        "note": text(data.get("note"), "note", SQUAD_TEXT_LIMITS["note"]),
    }


def create_squad(session: Session, caller: Caller, *, code: str, modules: list[str] | None = None,
                 **data) -> Squad:
    """Register a support squad: its kind, support function, home station and modules."""
    code = validate_squad_code(code)
    fields = _squad_fields(data)
    with write_transaction(session):
        if session.scalar(select(Squad.id).where(Squad.code == code)) is not None:
            raise _squad_taken(code)
        squad = Squad(code=code, active=True, **fields)
        squad.modules = _modules(session, modules)
        session.add(squad)
        try:
            session.flush()
        except IntegrityError:
            raise _squad_taken(code) from None
    return squad


def update_squad(session: Session, caller: Caller, code: str, /, **changes) -> Squad:
    """Change a squad's names, kind, function, station, note or modules, or (de)activate it."""
    with write_transaction(session):
        squad = get_squad(session, code)
        current = {"name_zh": squad.name_zh, "name_en": squad.name_en, "kind": squad.kind.value,
                   "function": squad.function.value, "home_station": squad.home_station,
                   "note": squad.note}
        for name, value in _squad_fields({**current, **{k: v for k, v in changes.items()
                                                         if k in current}}).items():
            setattr(squad, name, value)
        if "modules" in changes:
            wanted = _modules(session, changes["modules"])
            session.execute(delete(SquadModule).where(SquadModule.squad_id == squad.id))
            session.add_all(SquadModule(squad_id=squad.id, module_id=m.id) for m in wanted)
        if "active" in changes:
            squad.active = bool(changes["active"])
        session.flush()
    return squad


def delete_squad(session: Session, caller: Caller, code: str) -> None:
    """Delete a squad registered by mistake; one with people (or deployments) is deactivated instead."""
    with write_transaction(session):
        squad = get_squad(session, code)
        if session.scalar(select(exists().where(Person.squad_id == squad.id))):
            raise Conflict(N_("squad %(code)s has people: deactivate it instead", code=squad.code),
                           {"code": [N_("has people")]})
        try:
            # Core deletes: the ORM would load the squad's collections first.
            session.execute(delete(SquadModule).where(SquadModule.squad_id == squad.id))
            session.execute(delete(Squad).where(Squad.id == squad.id))
        except IntegrityError:
            # Another table (deployments) still refers to the squad.
            raise Conflict(N_("squad %(code)s has deployments: deactivate it instead", code=squad.code),
                           {"code": [N_("in use")]}) from None


# --- personnel --------------------------------------------------------------------------------

def _squad_or_none(session: Session, code) -> Squad | None:
    if code in (None, ""):
        return None
    squad = session.scalar(select(Squad).where(Squad.code == code.strip().upper())) \
        if isinstance(code, str) else None
    if squad is None:
        raise InvalidInput.on("squad", N_("no such squad"))
    return squad


def _person_fields(session: Session, data: dict) -> dict:
    squad = _squad_or_none(session, data.get("squad"))
    role = choice(SquadRole, data.get("squad_role") or SquadRole.MEMBER.value, "squad_role")
    if squad is None and role is not SquadRole.MEMBER:
        raise InvalidInput.on("squad_role", N_("only a squad's members can lead it"))
    joined_on = optional_date(data.get("joined_on"), "joined_on")
    if joined_on is not None and joined_on > today():
        raise InvalidInput.on("joined_on", N_("must not be in the future"))
    return {
        "name": text(data.get("name"), "name", PERSON_NAME_MAX, required=True),
        "phone": validate_phone(data.get("phone")),
        "squad": squad,
        "squad_role": role,
        "employment": choice(Employment, data.get("employment"), "employment"),
        "status": choice(PersonStatus, data.get("status") or PersonStatus.ACTIVE.value, "status"),
        "joined_on": joined_on,
        "note": text(data.get("note"), "note", SQUAD_TEXT_LIMITS["note"]),
    }


def _take_lead(session: Session, person: Person) -> None:
    """Make the person their squad's only leader: the previous leader becomes a member."""
    if person.squad_role is SquadRole.LEADER and person.squad is not None:
        query = update(Person).where(Person.squad_id == person.squad.id,
                                     Person.squad_role == SquadRole.LEADER)
        if person.id is not None:
            query = query.where(Person.id != person.id)
        # Not before the demotion: flushing the new leader first would trip the unique index.
        with session.no_autoflush:
            session.execute(query.values(squad_role=SquadRole.MEMBER, updated_at=utcnow()),
                            execution_options={"synchronize_session": False})


def _flush_person(session: Session, person: Person) -> None:
    try:
        session.flush()
    except IntegrityError as error:
        # Two officers saving at once: the database's unique indexes decide who wins.
        if "badge" in str(error.orig).lower():
            raise _badge_taken(person.badge_code) from None
        raise Conflict(N_("the squad's leader changed meanwhile; try again"),
                       {"squad_role": [N_("the squad already has a leader")]}) from None


def create_person(session: Session, caller: Caller, *, badge_code: str,
                  qualifications: list[dict] | None = None, **data) -> Person:
    """Register a person in the support force, with their qualifications."""
    badge_code = validate_badge_code(badge_code)
    with write_transaction(session):
        fields = _person_fields(session, data)
        if session.scalar(select(Person.id).where(Person.badge_code == badge_code)) is not None:
            raise _badge_taken(badge_code)
        person = Person(badge_code=badge_code, **fields)
        person.qualifications = [Qualification(**q) for q in _qualifications(session, qualifications)]
        _take_lead(session, person)
        session.add(person)
        _flush_person(session, person)
    return person


def update_person(session: Session, caller: Caller, badge_code: str, /, **changes) -> Person:
    """Change a person's details, squad, role, employment or status."""
    with write_transaction(session):
        person = get_person(session, badge_code)
        squad = session.get(Squad, person.squad_id) if person.squad_id else None
        current = {"name": person.name, "phone": person.phone, "squad": squad.code if squad else None,
                   "squad_role": person.squad_role.value, "employment": person.employment.value,
                   "status": person.status.value, "joined_on": person.joined_on, "note": person.note}
        merged = {**current, **{k: v for k, v in changes.items() if k in current}}
        if "squad" in changes and "squad_role" not in changes:
            wanted = changes["squad"]
            wanted = wanted.strip().upper() if isinstance(wanted, str) else wanted
            if (wanted or None) != current["squad"]:
                # A move to another squad starts as a member there ("cb-wz" for CB-WZ is no move).
                merged["squad_role"] = SquadRole.MEMBER.value
        for name, value in _person_fields(session, merged).items():
            setattr(person, name, value)
        if "qualifications" in changes:
            wanted = _qualifications(session, changes["qualifications"])
            with session.no_autoflush:
                session.execute(delete(Qualification).where(Qualification.person_id == person.id))
            session.add_all(Qualification(person_id=person.id, **q) for q in wanted)
        _take_lead(session, person)
        _flush_person(session, person)
    return person


def delete_person(session: Session, caller: Caller, badge_code: str) -> None:
    """Delete a person registered by mistake (someone who leaves is marked as left instead)."""
    with write_transaction(session):
        person = get_person(session, badge_code)
        try:
            session.execute(delete(Qualification).where(Qualification.person_id == person.id))
            session.execute(delete(Person).where(Person.id == person.id))
        except IntegrityError:
            raise Conflict(N_("%(code)s has history: mark the person as left instead",
                              code=person.badge_code), {"badge_code": [N_("in use")]}) from None


# --- qualifications ---------------------------------------------------------------------------

def _qualification(session: Session, raw: dict, prefix: str = "") -> dict:
    """Validate one qualification; return its row fields."""
    if not isinstance(raw, dict):
        raise InvalidInput.on(prefix.rstrip(".") or "qualification", N_("must be an object"))
    kind = get_qualification_kind(session, raw.get("kind"), f"{prefix}kind")
    grade = None
    if raw.get("grade") not in (None, ""):
        grade = choice(Grade, raw.get("grade"), f"{prefix}grade")
    if kind.graded and grade is None:
        raise InvalidInput.on(f"{prefix}grade", N_("required for %(kind)s", kind=kind.code))
    if not kind.graded and grade is not None:
        raise InvalidInput.on(f"{prefix}grade", N_("%(kind)s has no grades", kind=kind.code))
    issued_on = optional_date(raw.get("issued_on"), f"{prefix}issued_on")
    expires_on = optional_date(raw.get("expires_on"), f"{prefix}expires_on")
    if issued_on is not None and issued_on > today():
        raise InvalidInput.on(f"{prefix}issued_on", N_("must not be in the future"))
    try:
        check_validity_dates(issued_on, expires_on)
    except InvalidInput:
        raise InvalidInput.on(f"{prefix}expires_on", N_("must not be before the issue date")) from None
    return {"kind": kind, "grade": grade, "issued_on": issued_on, "expires_on": expires_on,
            "certificate_no": text(raw.get("certificate_no"), f"{prefix}certificate_no", CERTIFICATE_MAX)}


def _qualifications(session: Session, raw) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidInput.on("qualifications", N_("must be a list"))
    if len(raw) > MAX_QUALIFICATIONS:
        raise InvalidInput.on("qualifications", N_("at most %(count)d", count=MAX_QUALIFICATIONS))
    out, seen = [], set()
    for index, entry in enumerate(raw):
        fields = _qualification(session, entry, f"qualifications.{index}.")
        if fields["kind"].id in seen:
            raise InvalidInput.on(f"qualifications.{index}.kind", N_("listed twice"))
        seen.add(fields["kind"].id)
        out.append(fields)
    return out


def set_qualification(session: Session, caller: Caller, badge_code: str, /, **data) -> Qualification:
    """Record (or renew, or regrade) a person's qualification of one kind."""
    with write_transaction(session):
        person = get_person(session, badge_code)
        fields = _qualification(session, data)
        held = session.scalar(select(Qualification).where(Qualification.person_id == person.id,
                                                          Qualification.kind_id == fields["kind"].id))
        if held is None:
            held = Qualification(person_id=person.id, **fields)
            session.add(held)
        else:
            for name, value in fields.items():
                setattr(held, name, value)
        person.updated_at = utcnow()
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(N_("the qualification was recorded meanwhile; try again"),
                           {"kind": [N_("already recorded")]}) from None
    return held


def remove_qualification(session: Session, caller: Caller, badge_code: str, kind_code: str) -> None:
    """Remove a qualification recorded by mistake."""
    with write_transaction(session):
        person = get_person(session, badge_code)
        kind = get_qualification_kind(session, kind_code)
        removed = session.execute(delete(Qualification).where(
            Qualification.person_id == person.id, Qualification.kind_id == kind.id)).rowcount
        if not removed:
            raise NotFound(N_("%(code)s holds no %(kind)s qualification", code=person.badge_code,
                              kind=kind.code))
        person.updated_at = utcnow()


def create_qualification_kind(session: Session, caller: Caller, *, code: str, name_zh: str,
                              name_en: str, graded: bool = False) -> QualificationKind:
    """Add a kind of qualification (crane operator, diver...) people can then hold."""
    code = validate_code(code, "code", QUALIFICATION_CODE_PATTERN, "CRANE_OP", "_")
    fields = {"name_zh": text(name_zh, "name_zh", 40, required=True),
              "name_en": text(name_en, "name_en", 80, required=True)}
    with write_transaction(session):
        if session.scalar(select(QualificationKind.id).where(QualificationKind.code == code)):
            raise Conflict(N_("qualification code %(code)s is taken", code=code),
                           {"code": [N_("already taken")]})
        position = (session.scalar(select(func.max(QualificationKind.position))) or 0) + 1
        kind = QualificationKind(code=code, graded=bool(graded), position=position, active=True, **fields)
        session.add(kind)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(N_("qualification code %(code)s is taken", code=code),
                           {"code": [N_("already taken")]}) from None
    return kind


# --- the plan's targets -----------------------------------------------------------------------

def set_target_threshold(session: Session, caller: Caller, code: str, threshold: int) -> StaffingTarget:
    """Change one staffing target's threshold (people, or whole percent of all support staff)."""
    with write_transaction(session):
        target = session.scalar(select(StaffingTarget).where(
            StaffingTarget.code == (code or "").strip().upper()))
        if target is None:
            raise NotFound(N_("no staffing target %(code)s", code=code))
        target.threshold = validate_threshold(target.measure, threshold)
        target.updated_at = utcnow()
        target.updated_by_id = caller.user.id if caller.user else None
        target.updated_by_name = (caller.user.display_name or caller.user.username) if caller.user else ""
        session.flush()
    return target
