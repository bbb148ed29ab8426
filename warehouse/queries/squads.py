"""The read side of squads: lists with head counts, the roster, and staffing compliance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from warehouse.domain.squads import (
    EXPIRY_WARNING_DAYS,
    Assessment,
    Employment,
    HeldQualification,
    PersonStatus,
    SquadKind,
    SquadRole,
    StaffMember,
    SupportFunction,
    Target,
    assess_all,
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
from warehouse.queries.pagination import Page, paginate

PERSON_SORTS = {
    "name": (Person.name, Person.badge_code),
    "badge": (Person.badge_code,),
    "squad": (Squad.code, Person.name),
}


# --- squads -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SquadRow:
    """A squad with its head counts and leader, for lists."""

    squad: Squad
    active: int  # active members: those who count towards the targets
    on_leave: int
    total: int  # everyone in the squad who has not left
    leader_name: str | None
    leader_badge: str | None
    module_codes: tuple[str, ...]


def squad_rows(session: Session, *, kind: SquadKind | None = None,
               function: SupportFunction | None = None, include_inactive: bool = False,
               squad_id: int | None = None) -> list[SquadRow]:
    """Return squads (standing first, then by code) with head counts in one aggregate query."""
    leader = aliased(Person)
    counts = (select(Person.squad_id,
                     func.count().filter(Person.status == PersonStatus.ACTIVE).label("active"),
                     func.count().filter(Person.status == PersonStatus.ON_LEAVE).label("on_leave"),
                     func.count().filter(Person.status != PersonStatus.LEFT).label("total"))
              .where(Person.squad_id.is_not(None)).group_by(Person.squad_id).subquery())
    stmt = (select(Squad, func.coalesce(counts.c.active, 0), func.coalesce(counts.c.on_leave, 0),
                   func.coalesce(counts.c.total, 0), leader.name, leader.badge_code)
            .outerjoin(counts, counts.c.squad_id == Squad.id)
            .outerjoin(leader, and_(leader.squad_id == Squad.id, leader.squad_role == SquadRole.LEADER,
                                    leader.status != PersonStatus.LEFT))
            .order_by(case((Squad.kind == SquadKind.STANDING, 0), else_=1), Squad.code))
    if kind is not None:
        stmt = stmt.where(Squad.kind == kind)
    if function is not None:
        stmt = stmt.where(Squad.function == function)
    if squad_id is not None:
        stmt = stmt.where(Squad.id == squad_id)
    elif not include_inactive:
        stmt = stmt.where(Squad.active.is_(True))
    rows = session.execute(stmt).all()
    modules = squad_module_codes(session, [row[0].id for row in rows])
    return [SquadRow(squad, active, on_leave, total, leader_name, leader_badge,
                     modules.get(squad.id, ()))
            for squad, active, on_leave, total, leader_name, leader_badge in rows]


def squad_module_codes(session: Session, squad_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Return each squad's module codes in the modules' display order."""
    if not squad_ids:
        return {}
    out: dict[int, list[str]] = {}
    for squad_id, code in session.execute(
            select(SquadModule.squad_id, Module.code).join(Module, Module.id == SquadModule.module_id)
            .where(SquadModule.squad_id.in_(squad_ids)).order_by(Module.position, Module.code)):
        out.setdefault(squad_id, []).append(code)
    return {key: tuple(codes) for key, codes in out.items()}


def squad_modules(session: Session, squad_id: int) -> list[Module]:
    """Return the modules a squad specialises in."""
    return list(session.scalars(select(Module).join(SquadModule, SquadModule.module_id == Module.id)
                                .where(SquadModule.squad_id == squad_id)
                                .order_by(Module.position, Module.code)))


def squad_choices(session: Session, *, include_inactive: bool = False) -> list[Squad]:
    """Return squads for a picker: standing first, then by code."""
    stmt = select(Squad).order_by(case((Squad.kind == SquadKind.STANDING, 0), else_=1), Squad.code)
    if not include_inactive:
        stmt = stmt.where(Squad.active.is_(True))
    return list(session.scalars(stmt))


# --- personnel --------------------------------------------------------------------------------

ROLE_ORDER = case((Person.squad_role == SquadRole.LEADER, 0), (Person.squad_role == SquadRole.DEPUTY, 1),
                  else_=2)
STATUS_ORDER = case((Person.status == PersonStatus.ACTIVE, 0), (Person.status == PersonStatus.ON_LEAVE, 1),
                    else_=2)


def personnel_stmt(*, squad_id: int | None = None, status: PersonStatus | None = None,
                   employment: Employment | None = None, qualification: str | None = None,
                   q: str | None = None, unassigned: bool = False, sort: str = "name") -> Select:
    """Return the people matching the filters, with their squad, qualifications loaded."""
    stmt = (select(Person).outerjoin(Squad, Squad.id == Person.squad_id)
            .options(selectinload(Person.qualifications), selectinload(Person.squad)))
    if squad_id is not None:
        stmt = stmt.where(Person.squad_id == squad_id)
    if unassigned:
        stmt = stmt.where(Person.squad_id.is_(None))
    if status is not None:
        stmt = stmt.where(Person.status == status)
    if employment is not None:
        stmt = stmt.where(Person.employment == employment)
    if qualification:
        stmt = stmt.where(Person.qualifications.any(
            Qualification.kind.has(QualificationKind.code == qualification)))
    if q:
        pattern = f"%{q.strip()}%"
        stmt = stmt.where(or_(Person.name.ilike(pattern), Person.badge_code.ilike(pattern),
                              Person.phone.ilike(pattern)))
    return stmt.order_by(*PERSON_SORTS.get(sort, PERSON_SORTS["name"]), Person.id)


def personnel_page(session: Session, *, page: int = 1, per_page: int = 50, **filters) -> Page:
    """Return one page of people."""
    return paginate(session, personnel_stmt(**filters), page, per_page)


def squad_roster(session: Session, squad_id: int | None = None, *,
                 include_left: bool = False) -> list[Person]:
    """Return a squad's people (or the whole force's in squads): leaders first, then by name."""
    stmt = (select(Person).join(Squad, Squad.id == Person.squad_id)
            .options(selectinload(Person.qualifications), selectinload(Person.squad))
            .order_by(case((Squad.kind == SquadKind.STANDING, 0), else_=1), Squad.code, ROLE_ORDER,
                      STATUS_ORDER, Person.name, Person.badge_code))
    if squad_id is not None:
        stmt = stmt.where(Person.squad_id == squad_id)
    else:
        stmt = stmt.where(Squad.active.is_(True))
    if not include_left:
        stmt = stmt.where(Person.status != PersonStatus.LEFT)
    return list(session.scalars(stmt))


def person_with_qualifications(session: Session, person_id: int) -> Person:
    """Return one person with their squad and qualifications loaded."""
    return session.scalars(select(Person).where(Person.id == person_id)
                           .options(selectinload(Person.qualifications), selectinload(Person.squad))).one()


def qualification_kinds(session: Session, *, include_inactive: bool = False) -> list[QualificationKind]:
    """Return the kinds of qualification in display order."""
    stmt = select(QualificationKind).order_by(QualificationKind.position, QualificationKind.code)
    if not include_inactive:
        stmt = stmt.where(QualificationKind.active.is_(True))
    return list(session.scalars(stmt))


# --- compliance -------------------------------------------------------------------------------

def _counts_as_staff():
    """Active people in active squads: the support staff the plan counts."""
    return and_(Person.status == PersonStatus.ACTIVE, Squad.active.is_(True))


def _valid_on(on: date):
    return and_(or_(Qualification.issued_on.is_(None), Qualification.issued_on <= on),
                or_(Qualification.expires_on.is_(None), Qualification.expires_on >= on))


def support_staff(session: Session) -> list[StaffMember]:
    """Return every active person in an active squad."""
    rows = session.execute(select(Person.id, Person.name, Person.badge_code, Squad.code, Squad.kind)
                           .join(Squad, Squad.id == Person.squad_id).where(_counts_as_staff())
                           .order_by(Squad.code, Person.name, Person.badge_code))
    return [StaffMember(*row) for row in rows]


def held_qualifications(session: Session, on: date) -> list[HeldQualification]:
    """Return the qualifications support staff hold on the day: issued and not expired."""
    rows = session.execute(select(Qualification.person_id, QualificationKind.code, Qualification.grade)
                           .join(QualificationKind, QualificationKind.id == Qualification.kind_id)
                           .join(Person, Person.id == Qualification.person_id)
                           .join(Squad, Squad.id == Person.squad_id)
                           .where(_counts_as_staff(), _valid_on(on)))
    return [HeldQualification(*row) for row in rows]


def staffing_targets(session: Session) -> list[StaffingTarget]:
    """Return the targets in the plan's order."""
    return list(session.scalars(select(StaffingTarget)
                                .order_by(StaffingTarget.position, StaffingTarget.code)))


def as_target(row: StaffingTarget) -> Target:
    """Return the domain's view of a target row."""
    return Target(code=row.code, measure=row.measure, threshold=row.threshold, squad_kind=row.squad_kind,
                  qualification=row.qualification_code, min_grade=row.min_grade)


@dataclass(frozen=True)
class ExpiringQualification:
    """A qualification of an active person that expires soon or has expired."""

    badge_code: str
    name: str
    squad_code: str | None
    kind_code: str
    kind_name_zh: str
    kind_name_en: str
    grade: str | None
    expires_on: date
    days_left: int  # negative once expired


def expiring_qualifications(session: Session, on: date,
                            days: int = EXPIRY_WARNING_DAYS) -> list[ExpiringQualification]:
    """Return active people's qualifications expiring within the days, or expired, soonest first."""
    rows = session.execute(
        select(Person.badge_code, Person.name, Squad.code, QualificationKind.code, QualificationKind.name_zh,
               QualificationKind.name_en, Qualification.grade, Qualification.expires_on)
        .join(Person, Person.id == Qualification.person_id)
        .join(QualificationKind, QualificationKind.id == Qualification.kind_id)
        .outerjoin(Squad, Squad.id == Person.squad_id)
        .where(Person.status == PersonStatus.ACTIVE, Qualification.expires_on.is_not(None),
               Qualification.expires_on <= on + timedelta(days=days))
        .order_by(Qualification.expires_on, Person.name, QualificationKind.position))
    return [ExpiringQualification(badge, name, squad, code, zh, en, grade.value if grade else None,
                                  expires_on, (expires_on - on).days)
            for badge, name, squad, code, zh, en, grade, expires_on in rows]


@dataclass(frozen=True)
class StaffingReport:
    """Every target assessed on one day, with the qualifications due for renewal."""

    on: date
    staff_total: int
    standing: int
    mobile: int
    assessments: list[tuple[StaffingTarget, Assessment]]
    expiring: list[ExpiringQualification]

    @property
    def passed(self) -> int:
        return sum(1 for _row, assessment in self.assessments if assessment.passed)

    @property
    def failed(self) -> int:
        return len(self.assessments) - self.passed


def staffing_report(session: Session, on: date) -> StaffingReport:
    """Assess the plan's staffing targets on a day: three queries, whatever the force's size."""
    staff = support_staff(session)
    held = held_qualifications(session, on)
    rows = staffing_targets(session)
    assessments = assess_all([as_target(row) for row in rows], staff, held)
    return StaffingReport(
        on=on, staff_total=len(staff),
        standing=sum(1 for m in staff if m.squad_kind is SquadKind.STANDING),
        mobile=sum(1 for m in staff if m.squad_kind is SquadKind.MOBILE),
        assessments=list(zip(rows, assessments, strict=True)),
        expiring=expiring_qualifications(session, on))
