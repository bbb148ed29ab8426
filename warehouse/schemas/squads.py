"""Support squads, their people and qualifications, and the staffing targets' compliance."""

from datetime import date

import marshmallow as ma
from marshmallow import validate

from warehouse.domain.squads import (
    EXPIRY_WARNING_DAYS,
    MAX_HEADCOUNT_TARGET,
    Employment,
    Grade,
    Measure,
    PersonStatus,
    SquadKind,
    SquadRole,
    SupportFunction,
    is_valid_on,
)
from warehouse.queries.squads import PERSON_SORTS
from warehouse.schemas.common import PageArgsSchema, StrictSchema
from warehouse.services.squads import (
    CERTIFICATE_MAX,
    MAX_MODULES,
    MAX_QUALIFICATIONS,
    PERSON_NAME_MAX,
    SQUAD_TEXT_LIMITS,
)
from warehouse.timezone import today

KIND_VALUES = [k.value for k in SquadKind]
FUNCTION_VALUES = [f.value for f in SupportFunction]
ROLE_VALUES = [r.value for r in SquadRole]
EMPLOYMENT_VALUES = [e.value for e in Employment]
STATUS_VALUES = [s.value for s in PersonStatus]
GRADE_VALUES = [g.value for g in Grade]
SQUAD_CODE = validate.Length(min=2, max=24)
BADGE_CODE = validate.Length(min=3, max=24)
QUALIFICATION_CODE = validate.Length(min=2, max=24)
MODULE_CODE = validate.Length(min=2, max=6)
# Days the report may assess: it looks EXPIRY_WARNING_DAYS beyond, which must stay a date.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def _name(limit: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=validate.Length(min=1, max=limit), **kwargs)


def _text(limit: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(allow_none=True, validate=validate.Length(max=limit), **kwargs)


def _choice(values: list[str], **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=validate.OneOf(values), **kwargs)


# --- squads -----------------------------------------------------------------------------------

class LeaderSchema(ma.Schema):
    """Who leads a squad."""

    badge_code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class SquadSchema(ma.Schema):
    """A support squad with its modules, leader and head counts."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True, metadata={"description": "e.g. CB-WZ"})
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    kind = ma.fields.Enum(SquadKind, by_value=True, required=True,
                          metadata={"description": "standing (常备) or mobile (机动)"})
    function = ma.fields.Enum(SupportFunction, by_value=True, required=True,
                              metadata={"description": "The support function (物资, 技术, 卫勤...)"})
    home_station = ma.fields.String(required=True)
    note = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True, metadata={
        "description": "Only active squads' people count towards the staffing targets"})
    modules = ma.fields.List(ma.fields.String(), required=True,
                             metadata={"description": "Codes of the disaster modules it specialises in"})
    active_count = ma.fields.Integer(required=True, metadata={"description": "Active members"})
    on_leave_count = ma.fields.Integer(required=True, metadata={"description": "Members on leave"})
    total_count = ma.fields.Integer(required=True, metadata={"description": "Members who have not left"})
    leader = ma.fields.Nested(LeaderSchema, required=True, allow_none=True)

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # A queries.squads.SquadRow: the squad plus its counts, leader and module codes.
        squad = row.squad
        return {
            **{name: getattr(squad, name) for name in (
                "id", "code", "name_zh", "name_en", "kind", "function", "home_station", "note", "active")},
            "modules": list(row.module_codes), "active_count": row.active,
            "on_leave_count": row.on_leave, "total_count": row.total,
            "leader": ({"badge_code": row.leader_badge, "name": row.leader_name}
                       if row.leader_badge is not None else None),
        }


class SquadListArgsSchema(StrictSchema):
    """Which squads to list."""

    kind = _choice(KIND_VALUES)
    function = _choice(FUNCTION_VALUES)
    include_inactive = ma.fields.Boolean(load_default=False)


class _SquadFieldsSchema(StrictSchema):
    """What a new squad and a change to one share: every field optional."""

    name_zh = _name(SQUAD_TEXT_LIMITS["name_zh"])
    name_en = _name(SQUAD_TEXT_LIMITS["name_en"])
    kind = _choice(KIND_VALUES, metadata={"description": "standing (常备) or mobile (机动)"})
    function = _choice(FUNCTION_VALUES)
    home_station = _text(SQUAD_TEXT_LIMITS["home_station"])
    note = _text(SQUAD_TEXT_LIMITS["note"])
    modules = ma.fields.List(ma.fields.String(validate=MODULE_CODE), validate=validate.Length(
        max=MAX_MODULES), metadata={"description": "Module codes, e.g. [\"EQ\", \"WR\"]; "
                                                   "given, they replace the old ones"})


class SquadUpdateSchema(_SquadFieldsSchema):
    """Changes to a squad; modules, when given, replace the old ones."""

    active = ma.fields.Boolean(metadata={
        "description": "false deactivates the squad: its people stop counting towards the targets"})


class SquadCreateSchema(_SquadFieldsSchema):
    """A new support squad."""

    code = ma.fields.String(required=True, validate=SQUAD_CODE, metadata={
        "description": "Capital letters, digits and '-', e.g. CB-WZ; stored upper-case"})
    name_zh = _name(SQUAD_TEXT_LIMITS["name_zh"], required=True)
    name_en = _name(SQUAD_TEXT_LIMITS["name_en"], required=True)
    kind = _choice(KIND_VALUES, required=True, metadata={"description": "standing (常备) or mobile (机动)"})
    function = _choice(FUNCTION_VALUES, required=True)


class RosterArgsSchema(StrictSchema):
    """Who to list of a squad's people."""

    include_left = ma.fields.Boolean(load_default=False, metadata={"description": "Also people who left"})


# --- qualifications ---------------------------------------------------------------------------

class QualificationKindSchema(ma.Schema):
    """A kind of certificate people hold (special-vehicle driver, equipment technician...)."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True, metadata={"description": "e.g. DRIVER, TECH"})
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    graded = ma.fields.Boolean(required=True, metadata={
        "description": "Its qualifications carry a grade: junior, intermediate or senior"})
    position = ma.fields.Integer(required=True, metadata={"description": "Display order"})
    active = ma.fields.Boolean(required=True)


class QualificationKindListArgsSchema(StrictSchema):
    """Which kinds of qualification to list."""

    include_inactive = ma.fields.Boolean(load_default=False)


class QualificationKindCreateSchema(StrictSchema):
    """A new kind of qualification."""

    code = ma.fields.String(required=True, validate=QUALIFICATION_CODE, metadata={
        "description": "Capital letters, digits and '_', starting with a letter, e.g. CRANE"})
    name_zh = _name(40, required=True)
    name_en = _name(80, required=True)
    graded = ma.fields.Boolean(load_default=False, metadata={
        "description": "Whether holders have a grade (junior, intermediate, senior)"})


class HeldQualificationSchema(ma.Schema):
    """A qualification a person holds, and whether it is valid today."""

    kind = ma.fields.String(required=True, metadata={"description": "Qualification kind code"})
    kind_name_zh = ma.fields.String(required=True)
    kind_name_en = ma.fields.String(required=True)
    grade = ma.fields.Enum(Grade, by_value=True, required=True, allow_none=True)
    certificate_no = ma.fields.String(required=True)
    issued_on = ma.fields.Date(required=True, allow_none=True)
    expires_on = ma.fields.Date(required=True, allow_none=True)
    valid = ma.fields.Boolean(required=True, metadata={
        "description": "Holds today: issued by today and not expired (it counts on its expiry day)"})

    @ma.pre_dump
    def flatten(self, qualification, **kwargs):
        # A models.Qualification; its kind is loaded with it.
        return {
            "kind": qualification.kind.code, "kind_name_zh": qualification.kind.name_zh,
            "kind_name_en": qualification.kind.name_en, "grade": qualification.grade,
            "certificate_no": qualification.certificate_no, "issued_on": qualification.issued_on,
            "expires_on": qualification.expires_on,
            "valid": is_valid_on(qualification.issued_on, qualification.expires_on, today()),
        }


class QualificationInputSchema(StrictSchema):
    """A person's certificate of one kind: its grade, number and validity."""

    grade = ma.fields.String(allow_none=True, validate=validate.OneOf(GRADE_VALUES), metadata={
        "description": "Required for graded kinds (TECH), refused for the others"})
    certificate_no = _text(CERTIFICATE_MAX)
    issued_on = ma.fields.Date(allow_none=True, metadata={"description": "Not in the future"})
    expires_on = ma.fields.Date(allow_none=True, metadata={
        "description": "Not before issued_on; none: does not expire"})


class PersonQualificationInputSchema(QualificationInputSchema):
    """A qualification listed with a person: its kind, grade, number and validity."""

    kind = ma.fields.String(required=True, validate=QUALIFICATION_CODE,
                            metadata={"description": "Qualification kind code, e.g. DRIVER"})


# --- personnel --------------------------------------------------------------------------------

class PersonSchema(ma.Schema):
    """Someone in the support force, with their squad and qualifications."""

    id = ma.fields.Integer(required=True)
    badge_code = ma.fields.String(required=True, metadata={"description": "Printed on the QR badge"})
    name = ma.fields.String(required=True)
    phone = ma.fields.String(required=True)
    squad = ma.fields.String(required=True, allow_none=True, metadata={"description": "Squad code"})
    squad_role = ma.fields.Enum(SquadRole, by_value=True, required=True)
    employment = ma.fields.Enum(Employment, by_value=True, required=True)
    status = ma.fields.Enum(PersonStatus, by_value=True, required=True, metadata={
        "description": "Only active people in active squads count towards the targets"})
    joined_on = ma.fields.Date(required=True, allow_none=True)
    note = ma.fields.String(required=True)
    qualifications = ma.fields.List(ma.fields.Nested(HeldQualificationSchema), required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)

    @ma.pre_dump
    def flatten(self, person, **kwargs):
        # A models.Person with its squad and qualifications loaded (queries.squads).
        return {
            **{name: getattr(person, name) for name in (
                "id", "badge_code", "name", "phone", "squad_role", "employment", "status", "joined_on",
                "note", "created_at", "updated_at")},
            "squad": person.squad.code if person.squad is not None else None,
            "qualifications": sorted(person.qualifications,
                                     key=lambda q: (q.kind.position, q.kind.code)),
        }


class PersonUpdateSchema(StrictSchema):
    """Changes to a person; qualifications, when given, replace all of theirs."""

    name = _name(PERSON_NAME_MAX)
    phone = ma.fields.String(allow_none=True, validate=validate.Length(max=40),
                             metadata={"description": "e.g. 138 0437 0001"})
    squad = ma.fields.String(allow_none=True, validate=SQUAD_CODE,
                             metadata={"description": "Squad code; null: in no squad"})
    squad_role = _choice(ROLE_VALUES, metadata={
        "description": "A new leader makes the squad's previous leader a member; "
                       "a move to another squad starts as a member unless given"})
    employment = _choice(EMPLOYMENT_VALUES)
    status = _choice(STATUS_VALUES, metadata={"description": "Someone who leaves is marked left"})
    joined_on = ma.fields.Date(allow_none=True, metadata={"description": "Not in the future"})
    note = _text(SQUAD_TEXT_LIMITS["note"])
    qualifications = ma.fields.List(ma.fields.Nested(PersonQualificationInputSchema),
                                    validate=validate.Length(max=MAX_QUALIFICATIONS))


class PersonCreateSchema(PersonUpdateSchema):
    """A new person in the support force, with their qualifications."""

    badge_code = ma.fields.String(required=True, validate=BADGE_CODE, metadata={
        "description": "Capital letters, digits and '-', e.g. BZ-0001; stored upper-case"})
    name = _name(PERSON_NAME_MAX, required=True)
    squad_role = _choice(ROLE_VALUES, load_default=SquadRole.MEMBER.value, metadata={
        "description": "A new leader makes the squad's previous leader a member"})
    employment = _choice(EMPLOYMENT_VALUES, required=True)
    status = _choice(STATUS_VALUES, load_default=PersonStatus.ACTIVE.value)


class PersonListArgsSchema(PageArgsSchema):
    """Filters and sort of the personnel list."""

    squad = ma.fields.String(validate=SQUAD_CODE, metadata={"description": "Squad code"})
    status = _choice(STATUS_VALUES)
    employment = _choice(EMPLOYMENT_VALUES)
    qualification = ma.fields.String(validate=QUALIFICATION_CODE, metadata={
        "description": "People holding a qualification of this kind (valid or not)"})
    q = ma.fields.String(validate=validate.Length(max=40),
                         metadata={"description": "Part of the name, badge code or phone"})
    unassigned = ma.fields.Boolean(load_default=False, metadata={"description": "People in no squad"})
    sort = _choice(list(PERSON_SORTS), load_default="name")

    @ma.validates_schema
    def squad_or_unassigned(self, data, **kwargs):
        if data.get("unassigned") and data.get("squad"):
            raise ma.ValidationError("ask for a squad or for people in none, not both", "unassigned")


# --- compliance -------------------------------------------------------------------------------

class StaffingArgsSchema(StrictSchema):
    """The day to assess."""

    on = ma.fields.Date(validate=validate.Range(min=EARLIEST_DAY, max=LATEST_DAY), metadata={
        "description": "YYYY-MM-DD; default today at the depot"})


class CountedSchema(ma.Schema):
    """Someone who counts towards a target."""

    badge_code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    squad = ma.fields.String(required=True, metadata={"description": "Squad code"})


def target_pair(row, assessment) -> dict:
    """Return a target row and its assessment as TargetSchema dumps them."""
    return {"row": row, "assessment": assessment}


class TargetSchema(ma.Schema):
    """One of the plan's staffing targets against the data: the figure, pass or fail, who counts."""

    code = ma.fields.String(required=True, metadata={"description": "e.g. DRIVER_SHARE"})
    measure = ma.fields.Enum(Measure, by_value=True, required=True, metadata={
        "description": "headcount: people in squads of a kind; share: a whole percent of all staff"})
    squad_kind = ma.fields.Enum(SquadKind, by_value=True, required=True, allow_none=True,
                                metadata={"description": "For a headcount"})
    qualification = ma.fields.String(required=True, allow_none=True,
                                     metadata={"description": "Qualification kind code, for a share"})
    min_grade = ma.fields.Enum(Grade, by_value=True, required=True, allow_none=True,
                               metadata={"description": "Lowest grade that counts, for a graded share"})
    threshold = ma.fields.Integer(required=True, metadata={"description": "People, or whole percent"})
    plan_threshold = ma.fields.Integer(required=True, metadata={"description": "The plan's figure"})
    actual = ma.fields.Integer(required=True, metadata={"description": "People who count"})
    base = ma.fields.Integer(required=True, metadata={
        "description": "All active support staff: the denominator of a share"})
    percent = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "100 * actual / base for a share (null for a headcount or without staff)"})
    passed = ma.fields.Boolean(required=True, metadata={
        "description": "Met: exactly the threshold passes (1 driver of 20 people meets 5%)"})
    needed = ma.fields.Integer(required=True, metadata={
        "description": "How many more people would meet it (0 when met)"})
    counted = ma.fields.List(ma.fields.Nested(CountedSchema), required=True)
    updated_at = ma.fields.DateTime(required=True, allow_none=True,
                                    metadata={"description": "When an admin last changed the threshold"})
    updated_by = ma.fields.String(required=True, allow_none=True)

    @ma.pre_dump
    def flatten(self, pair, **kwargs):
        # {"row": models.StaffingTarget, "assessment": domain.squads.Assessment}, a pair of
        # queries.squads.staffing_report (a dict: flask-smorest reads a returned tuple as a status).
        row, assessment = pair["row"], pair["assessment"]
        return {
            "code": row.code, "measure": row.measure, "squad_kind": row.squad_kind,
            "qualification": row.qualification_code, "min_grade": row.min_grade,
            "threshold": row.threshold, "plan_threshold": row.plan_threshold,
            "actual": assessment.actual, "base": assessment.base, "percent": assessment.percent,
            "passed": assessment.passed, "needed": assessment.needed,
            "counted": [{"badge_code": m.badge_code, "name": m.name, "squad": m.squad_code}
                        for m in assessment.counted],
            "updated_at": row.updated_at, "updated_by": row.updated_by_name or None,
        }


class ExpiringSchema(ma.Schema):
    """An active person's qualification that expires within the warning days, or has expired."""

    badge_code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    squad = ma.fields.String(required=True, allow_none=True, metadata={"description": "Squad code"})
    kind = ma.fields.String(required=True, metadata={"description": "Qualification kind code"})
    kind_name_zh = ma.fields.String(required=True)
    kind_name_en = ma.fields.String(required=True)
    grade = ma.fields.Enum(Grade, by_value=True, required=True, allow_none=True)
    expires_on = ma.fields.Date(required=True)
    days_left = ma.fields.Integer(required=True, metadata={"description": "Negative once expired"})

    @ma.pre_dump
    def flatten(self, entry, **kwargs):
        # A queries.squads.ExpiringQualification.
        return {"badge_code": entry.badge_code, "name": entry.name, "squad": entry.squad_code,
                "kind": entry.kind_code, "kind_name_zh": entry.kind_name_zh,
                "kind_name_en": entry.kind_name_en,
                "grade": Grade(entry.grade) if entry.grade is not None else None,
                "expires_on": entry.expires_on, "days_left": entry.days_left}


class StaffingReportSchema(ma.Schema):
    """The plan's staffing targets assessed on a day, and the qualifications due for renewal."""

    on = ma.fields.Date(required=True, metadata={"description": "The day assessed"})
    staff_total = ma.fields.Integer(required=True, metadata={
        "description": "Active people in active squads: the support staff who count"})
    standing = ma.fields.Integer(required=True, metadata={"description": "Of them in standing squads"})
    mobile = ma.fields.Integer(required=True, metadata={"description": "Of them in mobile squads"})
    passed = ma.fields.Integer(required=True, metadata={"description": "Targets met"})
    failed = ma.fields.Integer(required=True, metadata={"description": "Targets not met"})
    targets = ma.fields.List(ma.fields.Nested(TargetSchema), required=True)
    expiring = ma.fields.List(ma.fields.Nested(ExpiringSchema), required=True, metadata={
        "description": f"Expired or expiring within {EXPIRY_WARNING_DAYS} days, soonest first"})

    @ma.pre_dump
    def flatten(self, report, **kwargs):
        # A queries.squads.StaffingReport.
        return {"on": report.on, "staff_total": report.staff_total, "standing": report.standing,
                "mobile": report.mobile, "passed": report.passed, "failed": report.failed,
                "targets": [target_pair(row, assessment) for row, assessment in report.assessments],
                "expiring": report.expiring}


class TargetUpdateSchema(StrictSchema):
    """A new threshold for a target."""

    threshold = ma.fields.Integer(strict=True, required=True, validate=validate.Range(
        min=0, max=MAX_HEADCOUNT_TARGET), metadata={
        "description": "People for a headcount (0-10000), whole percent for a share (0-100)"})
