"""Squad rules in plain Python: kinds, functions, qualifications and the plan's staffing targets."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from warehouse.domain.errors import N_, InvalidInput

SQUAD_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,23}$")
BADGE_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,23}$")
QUALIFICATION_CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{1,23}$")
# Digits with the separators people type: +86 138-0000-0000, (0437) 321 4567, ext. 12.
PHONE_PATTERN = re.compile(r"^\+?[0-9(][0-9 ()\-]{2,22}[0-9](?:\s*(?:ext\.?|转)\s*[0-9]{1,6})?$")
# Qualifications expiring this close are listed for renewal on the compliance panel.
EXPIRY_WARNING_DAYS = 60
MAX_HEADCOUNT_TARGET = 10_000


class SquadKind(enum.StrEnum):
    """Standing (常备) squads are on duty at all times; mobile (机动) ones are called up."""

    STANDING = "standing"
    MOBILE = "mobile"


class SupportFunction(enum.StrEnum):
    """The five kinds of support the plan names."""

    MATERIALS = "materials"  # 物资保障
    TECHNICAL = "technical"  # 技术保障: repair of vehicles and equipment
    MEDICAL = "medical"  # 卫勤保障
    LIVING = "living"  # 生活保障: food, shelter, water
    SOCIAL_JOINT = "social_joint"  # 社会联勤保障: with partners outside the service


class SquadRole(enum.StrEnum):
    """A person's place in their squad; a squad has at most one leader."""

    LEADER = "leader"
    DEPUTY = "deputy"
    MEMBER = "member"


class Employment(enum.StrEnum):
    """How a person is employed."""

    FIREFIGHTER = "firefighter"  # 消防员 (career)
    CONTRACT = "contract"  # 合同制消防员
    EXTERNAL_HIRE = "external_hire"  # 外聘
    PURCHASED_SERVICE = "purchased_service"  # 购买服务


class PersonStatus(enum.StrEnum):
    """Only active people count towards the targets."""

    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    LEFT = "left"


class Grade(enum.StrEnum):
    """The grade of a graded qualification (装备技师 初级 / 中级 / 高级)."""

    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"


GRADE_ORDER = {Grade.JUNIOR: 1, Grade.INTERMEDIATE: 2, Grade.SENIOR: 3}


def grades_at_least(minimum: Grade | None) -> frozenset[Grade]:
    """Return the grades at or above a minimum (every grade when there is none)."""
    if minimum is None:
        return frozenset(Grade)
    return frozenset(g for g in Grade if GRADE_ORDER[g] >= GRADE_ORDER[minimum])


class Measure(enum.StrEnum):
    """How a target is measured: a number of people, or a share of all support staff."""

    HEADCOUNT = "headcount"
    SHARE = "share"


def validate_code(value: str | None, field: str, pattern: re.Pattern, example: str,
                  separator: str = "-") -> str:
    """Return a code normalised to upper case, or raise InvalidInput on the field."""
    code = (value or "").strip().upper() if isinstance(value, str) or value is None else None
    if not code or not pattern.match(code):
        raise InvalidInput.on(field, N_("capital letters, digits and '%(separator)s', e.g. %(example)s",
                                        separator=separator, example=example))
    return code


def validate_squad_code(value: str | None) -> str:
    """Return a squad code (2-24 characters) or raise InvalidInput."""
    return validate_code(value, "code", SQUAD_CODE_PATTERN, "CB-WZ")


def validate_badge_code(value: str | None) -> str:
    """Return a badge code (3-24 characters) or raise InvalidInput."""
    return validate_code(value, "badge_code", BADGE_CODE_PATTERN, "P-0001")


def validate_phone(value: str | None) -> str:
    """Return a phone number as typed (trimmed; may be empty) or raise InvalidInput."""
    phone = (value or "").strip() if isinstance(value, str) or value is None else None
    if phone is None or (phone and not PHONE_PATTERN.match(phone)):
        raise InvalidInput.on("phone", N_("digits, spaces, '+', '-' and brackets, e.g. 138 0437 0001"))
    return phone


def check_validity_dates(issued_on: date | None, expires_on: date | None) -> None:
    """Refuse a qualification that expires before it was issued."""
    if issued_on is not None and expires_on is not None and expires_on < issued_on:
        raise InvalidInput.on("expires_on", N_("must not be before the issue date"))


def is_valid_on(issued_on: date | None, expires_on: date | None, on: date) -> bool:
    """Tell whether a qualification holds on a day: issued by then and not yet expired."""
    return (issued_on is None or issued_on <= on) and (expires_on is None or expires_on >= on)


# --- compliance with the plan's targets --------------------------------------------------------

@dataclass(frozen=True)
class StaffMember:
    """An active person in an active squad: support staff who count."""

    person_id: int
    name: str
    badge_code: str
    squad_code: str
    squad_kind: SquadKind


@dataclass(frozen=True)
class HeldQualification:
    """A qualification an active person holds on the day assessed."""

    person_id: int
    kind_code: str
    grade: Grade | None


@dataclass(frozen=True)
class Target:
    """What the plan asks for: a headcount in squads of one kind, or a qualified share of all."""

    code: str
    measure: Measure
    threshold: int  # people for a headcount, whole percent for a share
    squad_kind: SquadKind | None = None
    qualification: str | None = None
    min_grade: Grade | None = None


@dataclass(frozen=True)
class Assessment:
    """A target against the data: the figure, the base of a share, pass or fail, who counts."""

    target: Target
    actual: int  # people who count
    base: int  # all active support staff (the denominator of a share)
    passed: bool
    counted: tuple[StaffMember, ...]

    @property
    def percent(self) -> float | None:
        """Return a share as a percentage (None for a headcount or when there is no staff)."""
        if self.target.measure is not Measure.SHARE or not self.base:
            return None
        return 100 * self.actual / self.base

    @property
    def needed(self) -> int:
        """Return how many more people would meet the target (0 when it passes)."""
        if self.passed:
            return 0
        if self.target.measure is Measure.HEADCOUNT:
            return self.target.threshold - self.actual
        # Smallest n with (actual + n) * 100 >= threshold * base, counting existing staff who
        # gain the qualification (new hires would grow the base too).
        return max(1, -(-(self.target.threshold * self.base) // 100) - self.actual)


def validate_threshold(measure: Measure, threshold) -> int:
    """Return a target's threshold or raise InvalidInput: people 0-10000, or a percent 0-100."""
    high = 100 if measure is Measure.SHARE else MAX_HEADCOUNT_TARGET
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 0 <= threshold <= high:
        raise InvalidInput.on("threshold", N_("a whole number from %(low)d to %(high)d", low=0, high=high))
    return threshold


def assess(target: Target, staff: Sequence[StaffMember],
           held: Iterable[HeldQualification]) -> Assessment:
    """Measure one target: exact integer arithmetic, so exactly 5% of 20 people passes 5%."""
    if target.measure is Measure.HEADCOUNT:
        counted = tuple(m for m in staff if target.squad_kind is None or m.squad_kind is target.squad_kind)
        return Assessment(target, len(counted), len(staff), len(counted) >= target.threshold, counted)
    grades = grades_at_least(target.min_grade)
    qualified = {h.person_id for h in held if h.kind_code == target.qualification
                 and (target.min_grade is None or h.grade in grades)}
    counted = tuple(m for m in staff if m.person_id in qualified)
    base = len(staff)
    # A share of nobody proves nothing: with no staff only a 0% target passes.
    passed = len(counted) * 100 >= target.threshold * base and (base > 0 or target.threshold == 0)
    return Assessment(target, len(counted), base, passed, counted)


def assess_all(targets: Iterable[Target], staff: Sequence[StaffMember],
               held: Sequence[HeldQualification]) -> list[Assessment]:
    """Measure every target against the same staff and qualifications."""
    return [assess(target, staff, held) for target in targets]
