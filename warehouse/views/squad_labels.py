"""Translated names of squad kinds, support functions, roles, employment, statuses and grades."""

from flask_babel import lazy_gettext as _l

from warehouse.domain.squads import (
    Employment,
    Grade,
    PersonStatus,
    SquadKind,
    SquadRole,
    SupportFunction,
)

SQUAD_KIND_LABELS = {SquadKind.STANDING: _l("Standing"), SquadKind.MOBILE: _l("Mobile")}
FUNCTION_LABELS = {
    SupportFunction.MATERIALS: _l("Materials support"),
    SupportFunction.TECHNICAL: _l("Technical support"),
    SupportFunction.MEDICAL: _l("Medical support"),
    SupportFunction.LIVING: _l("Living support"),
    SupportFunction.SOCIAL_JOINT: _l("Social joint support"),
}
SQUAD_ROLE_LABELS = {SquadRole.LEADER: _l("Leader"), SquadRole.DEPUTY: _l("Deputy leader"),
                     SquadRole.MEMBER: _l("Member")}
EMPLOYMENT_LABELS = {
    Employment.FIREFIGHTER: _l("Firefighter"),
    Employment.CONTRACT: _l("Contract firefighter"),
    Employment.EXTERNAL_HIRE: _l("External hire"),
    Employment.PURCHASED_SERVICE: _l("Purchased service"),
}
PERSON_STATUS_LABELS = {PersonStatus.ACTIVE: _l("On duty"), PersonStatus.ON_LEAVE: _l("On leave"),
                        PersonStatus.LEFT: _l("Left")}
GRADE_LABELS = {Grade.JUNIOR: _l("Junior"), Grade.INTERMEDIATE: _l("Intermediate"),
                Grade.SENIOR: _l("Senior")}
# What each of the plan's targets measures; a target added as data later gets a generic name.
TARGET_LABELS = {
    "STANDING_HEADCOUNT": _l("Support staff in standing squads"),
    "MOBILE_HEADCOUNT": _l("Support staff in mobile squads"),
    "DRIVER_SHARE": _l("Special-vehicle drivers among all support staff"),
    "TECHNICIAN_SHARE": _l("Equipment technicians of intermediate grade or higher among all support staff"),
}
# For templates: SQUAD_LABELS.kind[squad.kind], SQUAD_LABELS.status[person.status], ...
SQUAD_LABELS = {"kind": SQUAD_KIND_LABELS, "function": FUNCTION_LABELS, "role": SQUAD_ROLE_LABELS,
                "employment": EMPLOYMENT_LABELS, "status": PERSON_STATUS_LABELS, "grade": GRADE_LABELS,
                "target": TARGET_LABELS}
