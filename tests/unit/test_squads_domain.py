"""The plan's staffing targets in plain Python: exact shares, who counts, what is still needed."""

from datetime import date

import pytest

from warehouse.domain.errors import InvalidInput
from warehouse.domain.squads import (
    Grade,
    HeldQualification,
    Measure,
    SquadKind,
    StaffMember,
    Target,
    assess,
    check_validity_dates,
    grades_at_least,
    is_valid_on,
    validate_badge_code,
    validate_phone,
    validate_squad_code,
    validate_threshold,
)

STANDING = Target("STANDING_HEADCOUNT", Measure.HEADCOUNT, 15, squad_kind=SquadKind.STANDING)
MOBILE = Target("MOBILE_HEADCOUNT", Measure.HEADCOUNT, 30, squad_kind=SquadKind.MOBILE)
DRIVERS = Target("DRIVER_SHARE", Measure.SHARE, 5, qualification="DRIVER")
TECHNICIANS = Target("TECHNICIAN_SHARE", Measure.SHARE, 15, qualification="TECH",
                     min_grade=Grade.INTERMEDIATE)


def force(standing: int, mobile: int) -> list[StaffMember]:
    """Return standing then mobile members, ids from 1."""
    kinds = [SquadKind.STANDING] * standing + [SquadKind.MOBILE] * mobile
    return [StaffMember(i, f"P{i}", f"P-{i:04d}", "CB" if kind is SquadKind.STANDING else "JD", kind)
            for i, kind in enumerate(kinds, start=1)]


def drivers(*ids: int) -> list[HeldQualification]:
    return [HeldQualification(i, "DRIVER", None) for i in ids]


def technicians(grade: Grade, *ids: int) -> list[HeldQualification]:
    return [HeldQualification(i, "TECH", grade) for i in ids]


@pytest.mark.parametrize(("standing", "passed", "needed"),
                         [(14, False, 1), (15, True, 0), (16, True, 0), (0, False, 15)])
def test_a_headcount_target_counts_the_members_of_its_kind_of_squad(standing, passed, needed):
    staff = force(standing, 40)
    result = assess(STANDING, staff, [])
    assert (result.actual, result.passed, result.needed) == (standing, passed, needed)
    assert [m.squad_kind for m in result.counted] == [SquadKind.STANDING] * standing
    assert result.percent is None


@pytest.mark.parametrize(("staff", "qualified", "passed"), [
    (20, 1, True),  # exactly 5%
    (40, 2, True),  # exactly 5%
    (21, 1, False),  # 4.76%
    (41, 2, False),  # 4.88%
    (19, 1, True),  # 5.26%
    (60, 3, True),  # exactly 5%
    (61, 3, False),
])
def test_the_driver_share_passes_at_exactly_five_percent_and_not_below(staff, qualified, passed):
    result = assess(DRIVERS, force(staff, 0), drivers(*range(1, qualified + 1)))
    assert result.passed is passed
    assert result.actual == qualified and result.base == staff
    assert result.percent == pytest.approx(100 * qualified / staff)


@pytest.mark.parametrize(("staff", "qualified", "passed"), [
    (20, 3, True),  # exactly 15%
    (40, 6, True),  # exactly 15%
    (100, 15, True),
    (101, 15, False),  # 14.85%
    (47, 7, False),  # 14.89%
    (46, 7, True),  # 15.2%
])
def test_the_technician_share_passes_at_exactly_fifteen_percent_and_not_below(staff, qualified, passed):
    held = technicians(Grade.INTERMEDIATE, *range(1, qualified + 1))
    assert assess(TECHNICIANS, force(staff, 0), held).passed is passed


def test_junior_technicians_do_not_count_towards_intermediate_or_higher():
    held = (technicians(Grade.JUNIOR, 1, 2, 3) + technicians(Grade.INTERMEDIATE, 4)
            + technicians(Grade.SENIOR, 5))
    result = assess(TECHNICIANS, force(20, 0), held)
    assert [m.person_id for m in result.counted] == [4, 5]
    assert not result.passed and result.needed == 1


def test_a_share_counts_each_person_once_and_ignores_people_outside_the_staff():
    held = drivers(1, 1) + drivers(99) + technicians(Grade.SENIOR, 1)
    result = assess(DRIVERS, force(10, 10), held)
    assert result.actual == 1 and result.base == 20


def test_a_share_of_nobody_fails_unless_the_threshold_is_zero():
    assert assess(DRIVERS, [], []).passed is False
    assert assess(DRIVERS, [], []).needed == 1
    zero = Target("DRIVER_SHARE", Measure.SHARE, 0, qualification="DRIVER")
    assert assess(zero, [], []).passed is True


@pytest.mark.parametrize(("staff", "qualified", "needed"), [(50, 6, 2), (50, 7, 1), (41, 0, 7), (40, 6, 0)])
def test_needed_is_the_fewest_more_qualified_people_that_would_pass(staff, qualified, needed):
    held = technicians(Grade.SENIOR, *range(1, qualified + 1))
    result = assess(TECHNICIANS, force(staff, 0), held)
    assert result.needed == needed
    more = technicians(Grade.SENIOR, *range(1, qualified + needed + 1))
    assert assess(TECHNICIANS, force(staff, 0), more).passed


@pytest.mark.parametrize(("minimum", "grades"), [
    (None, {Grade.JUNIOR, Grade.INTERMEDIATE, Grade.SENIOR}),
    (Grade.JUNIOR, {Grade.JUNIOR, Grade.INTERMEDIATE, Grade.SENIOR}),
    (Grade.INTERMEDIATE, {Grade.INTERMEDIATE, Grade.SENIOR}),
    (Grade.SENIOR, {Grade.SENIOR}),
])
def test_grades_at_least_a_minimum(minimum, grades):
    assert grades_at_least(minimum) == grades


@pytest.mark.parametrize(("issued", "expires", "valid"), [
    (None, None, True),
    (date(2026, 1, 1), None, True),
    (date(2026, 6, 1), date(2026, 6, 1), True),  # issued and expiring on the day
    (date(2026, 6, 2), None, False),  # not yet issued
    (None, date(2026, 5, 31), False),  # expired yesterday
    (None, date(2026, 6, 1), True),  # expires today: still valid today
])
def test_a_qualification_holds_from_its_issue_date_through_its_expiry_date(issued, expires, valid):
    assert is_valid_on(issued, expires, date(2026, 6, 1)) is valid


def test_an_expiry_before_the_issue_date_is_refused_on_expires_on():
    check_validity_dates(date(2026, 1, 1), date(2026, 1, 1))
    check_validity_dates(None, date(2020, 1, 1))
    with pytest.raises(InvalidInput) as raised:
        check_validity_dates(date(2026, 1, 2), date(2026, 1, 1))
    assert list(raised.value.fields) == ["expires_on"]


@pytest.mark.parametrize(("measure", "value", "ok"), [
    (Measure.SHARE, 0, True), (Measure.SHARE, 100, True), (Measure.SHARE, 101, False),
    (Measure.SHARE, -1, False), (Measure.SHARE, 5.5, False), (Measure.SHARE, True, False),
    (Measure.HEADCOUNT, 10_000, True), (Measure.HEADCOUNT, 10_001, False), (Measure.HEADCOUNT, "15", False),
])
def test_thresholds_are_whole_people_or_whole_percentages(measure, value, ok):
    if ok:
        assert validate_threshold(measure, value) == value
    else:
        with pytest.raises(InvalidInput) as raised:
            validate_threshold(measure, value)
        assert list(raised.value.fields) == ["threshold"]


@pytest.mark.parametrize(("raw", "code"), [(" cb-wz ", "CB-WZ"), ("JD1", "JD1")])
def test_squad_codes_are_normalised(raw, code):
    assert validate_squad_code(raw) == code


@pytest.mark.parametrize("raw", ["", "A", "-AB", "CB WZ", "中文", "A" * 25, None, 5])
def test_bad_squad_codes_are_refused(raw):
    with pytest.raises(InvalidInput):
        validate_squad_code(raw)


@pytest.mark.parametrize("raw", ["P1", "P_0001", "P-00\n01", "P/1"])
def test_bad_badge_codes_are_refused_on_the_badge_field(raw):
    with pytest.raises(InvalidInput) as raised:
        validate_badge_code(raw)
    assert list(raised.value.fields) == ["badge_code"]


@pytest.mark.parametrize("phone", ["", "13904370001", "+86 139-0437-0001", "(0437) 321 4567",
                                   "0437-3214567 转 12"])
def test_phone_numbers_as_people_type_them_are_accepted(phone):
    assert validate_phone(phone) == phone


@pytest.mark.parametrize("phone", ["call me", "12", "139<script>", "1" * 41])
def test_other_phone_text_is_refused(phone):
    with pytest.raises(InvalidInput):
        validate_phone(phone)
