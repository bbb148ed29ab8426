"""Kit rules with plain values: the lifecycle, completeness, restock plans, lines and codes."""

from datetime import date, timedelta

import pytest

from warehouse.domain.errors import Conflict, InvalidInput
from warehouse.domain.kits import (
    MAX_PAR,
    MAX_SHELF_DAYS,
    RESTING,
    RESTOCKABLE,
    SET_BY_DEPLOYMENT,
    Held,
    KitStatus,
    LineSpec,
    check_lines,
    check_transition,
    completeness,
    effective_status,
    is_usable,
    kit_code,
    kit_number,
    plan_restock,
    resting_status,
    status_after_fill,
    usable_from,
    validate_kit_code,
    validate_module_code,
    validate_template_code,
)
from warehouse.domain.stock import Candidate, LocationKind

TODAY = date(2026, 11, 28)
S = KitStatus

# The lifecycle as the issue describes it, written out by hand (not read from TRANSITIONS).
ALLOWED = {
    S.ASSEMBLING: {S.READY, S.SHORT, S.RESTOCKING, S.RETIRED},
    S.READY: {S.SHORT, S.DEPLOYED, S.RESTOCKING, S.QUARANTINED, S.RETIRED},
    S.SHORT: {S.READY, S.DEPLOYED, S.RESTOCKING, S.QUARANTINED, S.RETIRED},
    S.DEPLOYED: {S.RETURNED},
    S.RETURNED: {S.READY, S.SHORT, S.RESTOCKING, S.QUARANTINED},
    S.RESTOCKING: {S.READY, S.SHORT, S.QUARANTINED},
    S.QUARANTINED: {S.READY, S.SHORT, S.RESTOCKING, S.RETIRED},
    S.RETIRED: set(),
}
GRID = [(current, target) for current in KitStatus for target in KitStatus]


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


def line(line_id=1, item_id=10, par=4, min_shelf_days=0, optional=False, substitutes=()):
    return LineSpec(line_id, item_id, par, min_shelf_days, optional, frozenset(substitutes))


def held(item_id, quantity, expires_in=None, lot_id=None):
    return Held(item_id, lot_id, None if expires_in is None else day(expires_in), quantity)


def candidate(balance_id, quantity, expires_in=None, kind=LocationKind.BIN, received_ago=100, lot=None):
    return Candidate(balance_id, location_id=balance_id * 10, location_kind=kind,
                     lot_id=lot if lot is not None else balance_id,
                     expires_on=None if expires_in is None else day(expires_in),
                     received_on=TODAY - timedelta(days=received_ago), quantity=quantity)


# --- lifecycle --------------------------------------------------------------------------------

def test_the_expected_table_covers_every_state():
    assert set(ALLOWED) == set(KitStatus)


@pytest.mark.parametrize("current, target", GRID, ids=[f"{c.value}->{t.value}" for c, t in GRID])
def test_every_transition_is_allowed_or_refused_as_the_table_says(current, target):
    if target in ALLOWED[current]:
        check_transition("K-EQ-0001", current, target)
        return
    with pytest.raises(Conflict) as error:
        check_transition("K-EQ-0001", current, target)
    assert error.value.status == 409
    assert f"is {current.value}" in error.value.message
    assert "K-EQ-0001" in error.value.message and target.value in error.value.message
    assert error.value.fields == {"status": [f"currently {current.value}"]}


@pytest.mark.parametrize("status", list(KitStatus))
def test_staying_in_the_same_state_is_not_a_transition(status):
    with pytest.raises(Conflict):
        check_transition("K-EQ-0001", status, status)


def test_a_retired_box_never_comes_back():
    for target in KitStatus:
        with pytest.raises(Conflict) as error:
            check_transition("K-EQ-0009", S.RETIRED, target)
        assert "is retired" in error.value.message


def test_state_groups():
    assert {S.READY, S.SHORT} == RESTING
    assert {S.ASSEMBLING, S.READY, S.SHORT, S.RETURNED, S.RESTOCKING} == RESTOCKABLE
    assert {S.DEPLOYED, S.RETURNED} == SET_BY_DEPLOYMENT


@pytest.mark.parametrize("stored, complete, expected", [
    (S.READY, True, S.READY),
    (S.READY, False, S.SHORT),  # a lot expired since the box was last filled
    (S.SHORT, True, S.READY),
    (S.SHORT, False, S.SHORT),
    (S.ASSEMBLING, True, S.ASSEMBLING),
    (S.DEPLOYED, False, S.DEPLOYED),
    (S.RETURNED, True, S.RETURNED),
    (S.RESTOCKING, True, S.RESTOCKING),
    (S.QUARANTINED, True, S.QUARANTINED),
    (S.RETIRED, False, S.RETIRED),
])
def test_effective_status_reads_resting_boxes_by_their_contents_only(stored, complete, expected):
    assert effective_status(stored, complete) == expected


def test_resting_status_and_status_after_fill():
    assert resting_status(True) == S.READY and resting_status(False) == S.SHORT
    assert status_after_fill(S.ASSEMBLING, False) == S.ASSEMBLING
    assert status_after_fill(S.ASSEMBLING, True) == S.READY
    for current in (S.READY, S.SHORT, S.RETURNED, S.RESTOCKING):
        assert status_after_fill(current, True) == S.READY
        assert status_after_fill(current, False) == S.SHORT


# --- completeness -----------------------------------------------------------------------------

def test_a_box_at_par_is_complete():
    state = completeness([line(par=4)], [held(10, 4, 100)], TODAY)
    assert state.complete and state.shortfalls == []
    (only,) = state.lines
    assert (only.held, only.usable, only.missing, only.short) == (4, 4, 0, False)


def test_a_box_below_par_is_short_by_the_missing_units():
    state = completeness([line(par=4)], [held(10, 1, 100)], TODAY)
    assert not state.complete
    (only,) = state.shortfalls
    assert (only.held, only.usable, only.missing, only.short) == (1, 1, 3, True)


def test_an_empty_box_misses_every_line():
    state = completeness([line(1, 10, par=2), line(2, 11, par=3)], [], TODAY)
    assert [s.missing for s in state.lines] == [2, 3]
    assert state.earliest_expiry is None and not state.complete


def test_more_than_par_is_not_missing_anything():
    state = completeness([line(par=2)], [held(10, 5, 100)], TODAY)
    assert state.complete and state.lines[0].missing == 0 and state.lines[0].usable == 5


def test_minimum_shelf_life_boundary_day_counts_and_the_day_before_does_not():
    spec = line(par=1, min_shelf_days=30)
    assert usable_from(TODAY, 30) == day(30)
    assert completeness([spec], [held(10, 1, 30)], TODAY).complete
    before = completeness([spec], [held(10, 1, 29)], TODAY)
    assert not before.complete
    assert (before.lines[0].held, before.lines[0].usable) == (1, 0)


def test_without_a_minimum_shelf_life_stock_expiring_today_still_counts_but_expired_does_not():
    spec = line(par=1)
    assert is_usable(TODAY, TODAY, 0)
    assert completeness([spec], [held(10, 1, 0)], TODAY).complete
    expired = completeness([spec], [held(10, 1, -1)], TODAY)
    assert not expired.complete and expired.lines[0].held == 1 and expired.lines[0].usable == 0


def test_stock_without_expiry_always_counts():
    assert is_usable(None, TODAY, MAX_SHELF_DAYS)
    assert completeness([line(par=3, min_shelf_days=365)], [held(10, 3)], TODAY).complete


def test_usable_and_held_differ_by_the_stale_units():
    state = completeness([line(par=5, min_shelf_days=10)],
                         [held(10, 2, 5, lot_id=1), held(10, 3, 60, lot_id=2), held(10, 1, -3, lot_id=3)],
                         TODAY)
    (only,) = state.lines
    assert (only.held, only.usable, only.missing) == (6, 3, 2)


def test_an_optional_line_missing_leaves_the_box_complete_but_listed_as_a_shortfall():
    lines = [line(1, 10, par=2), line(2, 11, par=1, optional=True)]
    state = completeness(lines, [held(10, 2, 100)], TODAY)
    assert state.complete
    assert [s.line.line_id for s in state.shortfalls] == [2]
    assert state.shortfalls[0].missing == 1 and not state.shortfalls[0].short


def test_substitutes_count_towards_their_line():
    spec = line(1, 10, par=4, substitutes={20, 21})
    state = completeness([spec], [held(10, 1, 100), held(20, 2, 100), held(21, 1, 100)], TODAY)
    assert state.complete and state.lines[0].usable == 4


def test_items_of_no_line_do_not_fill_anything():
    state = completeness([line(1, 10, par=1)], [held(99, 5, 100)], TODAY)
    assert not state.complete and state.lines[0].held == 0


def test_zero_quantities_are_ignored_even_for_earliest_expiry():
    state = completeness([line(par=1)], [held(10, 0, 1), held(10, 1, 50)], TODAY)
    assert state.earliest_expiry == day(50)


def test_earliest_expiry_is_the_first_date_of_anything_in_the_box():
    state = completeness([line(1, 10, par=2)],
                         [held(10, 1, 40), held(10, 1, 90), held(99, 1, 15), held(10, 3)], TODAY)
    assert state.earliest_expiry == day(15)


def test_line_states_keep_template_order():
    lines = [line(3, 30, par=1), line(1, 10, par=1), line(2, 20, par=1)]
    state = completeness(lines, [], TODAY)
    assert [s.line.line_id for s in state.lines] == [3, 1, 2]


# --- restock plans ----------------------------------------------------------------------------

def test_an_empty_box_is_filled_first_expiry_first_out():
    plan = plan_restock([line(par=5)], [], {10: [candidate(1, 3, 300), candidate(2, 3, 100),
                                                  candidate(3, 10)]}, TODAY)
    assert [(f.candidate.balance_id, f.quantity) for f in plan.fills] == [(2, 3), (1, 2)]
    assert plan.removals == [] and plan.unfilled == {}


def test_fefo_ties_go_to_the_oldest_receipt():
    plan = plan_restock([line(par=1)], [], {10: [candidate(1, 1, 100, received_ago=5),
                                                  candidate(2, 1, 100, received_ago=50)]}, TODAY)
    assert [f.candidate.balance_id for f in plan.fills] == [2]


def test_a_full_box_needs_nothing():
    plan = plan_restock([line(par=2)], [held(10, 2, 100)], {10: [candidate(1, 5, 100)]}, TODAY)
    assert plan.fills == [] and plan.removals == [] and plan.unfilled == {}


def test_stale_units_are_swapped_out_and_replaced():
    spec = line(1, 10, par=4, min_shelf_days=30)
    box = [held(10, 2, -2, lot_id=7), held(10, 1, 10, lot_id=8), held(10, 1, 200, lot_id=9)]
    plan = plan_restock([spec], box, {10: [candidate(1, 10, 365)]}, TODAY)
    assert [(r.lot_id, r.quantity, r.expires_on) for r in plan.removals] == [(7, 2, day(-2)), (8, 1, day(10))]
    assert all(r.line_id == 1 and r.item_id == 10 for r in plan.removals)
    assert [(f.candidate.balance_id, f.quantity) for f in plan.fills] == [(1, 3)]


def test_a_unit_on_the_boundary_day_stays_in_the_box():
    plan = plan_restock([line(par=1, min_shelf_days=30)], [held(10, 1, 30)], {10: [candidate(1, 5)]}, TODAY)
    assert plan.removals == [] and plan.fills == []


def test_candidates_expiring_within_the_minimum_shelf_life_are_skipped():
    spec = line(par=3, min_shelf_days=30)
    cands = [candidate(1, 5, 29), candidate(2, 2, 30), candidate(3, 5, 400)]
    plan = plan_restock([spec], [], {10: cands}, TODAY)
    assert [(f.candidate.balance_id, f.quantity) for f in plan.fills] == [(2, 2), (3, 1)]


@pytest.mark.parametrize("kind", [LocationKind.QUARANTINE, LocationKind.KIT, LocationKind.DEPLOYED,
                                  LocationKind.DEPOT])
def test_held_stock_is_never_picked(kind):
    plan = plan_restock([line(par=2)], [], {10: [candidate(1, 5, 100, kind=kind), candidate(2, 1, 200)]},
                        TODAY)
    assert [(f.candidate.balance_id, f.quantity) for f in plan.fills] == [(2, 1)]
    assert plan.unfilled == {1: 1}


def test_expired_candidates_are_never_picked():
    plan = plan_restock([line(par=2)], [], {10: [candidate(1, 5, -1)]}, TODAY)
    assert plan.fills == [] and plan.unfilled == {1: 2}


def test_a_line_the_depot_cannot_fill_reports_the_units_still_missing():
    lines = [line(1, 10, par=5), line(2, 11, par=2), line(3, 12, par=1)]
    plan = plan_restock(lines, [held(12, 1, 100)], {10: [candidate(1, 3, 100)]}, TODAY)
    assert [(f.line_id, f.quantity) for f in plan.fills] == [(1, 3)]
    assert plan.unfilled == {1: 2, 2: 2}


def test_substitutes_in_the_box_count_but_only_the_line_item_is_picked():
    spec = line(1, 10, par=4, substitutes={20})
    plan = plan_restock([spec], [held(20, 1, 100), held(20, 1, -1, lot_id=5)],
                        {10: [candidate(1, 9, 100)], 20: [candidate(2, 9, 50)]}, TODAY)
    assert [(r.item_id, r.lot_id, r.quantity) for r in plan.removals] == [(20, 5, 1)]
    assert [(f.candidate.balance_id, f.quantity) for f in plan.fills] == [(1, 3)]


def test_an_optional_line_is_filled_too_when_stock_allows():
    plan = plan_restock([line(1, 10, par=1, optional=True)], [], {10: [candidate(1, 1)]}, TODAY)
    assert [(f.line_id, f.quantity) for f in plan.fills] == [(1, 1)]


# --- template lines ---------------------------------------------------------------------------

def test_good_lines_pass():
    check_lines([line(1, 10, par=1), line(2, 11, par=MAX_PAR, min_shelf_days=MAX_SHELF_DAYS,
                                           substitutes={12, 13})])


@pytest.mark.parametrize("lines, field", [
    ([line(1, 10), line(2, 10)], "lines.1.item_id"),  # the same item twice
    ([line(1, 10, substitutes={11}), line(2, 11)], "lines.1.item_id"),  # an item and another's substitute
    ([line(1, 10), line(2, 11, substitutes={10})], "lines.1.item_id"),  # a substitute that is another's item
    ([line(1, 10, substitutes={12}), line(2, 11, substitutes={12})], "lines.1.item_id"),  # shared substitute
])
def test_an_item_may_fill_only_one_line(lines, field):
    with pytest.raises(InvalidInput) as error:
        check_lines(lines)
    assert field in error.value.fields


@pytest.mark.parametrize("par", [0, -1, MAX_PAR + 1, 1.5, "3", True, None])
def test_par_must_be_a_whole_number_in_range(par):
    with pytest.raises(InvalidInput) as error:
        check_lines([line(1, 10, par=2), line(2, 11, par=par)])
    assert "lines.1.par" in error.value.fields


@pytest.mark.parametrize("days", [-1, MAX_SHELF_DAYS + 1, 2.5, "30", True, None])
def test_min_shelf_days_must_be_a_whole_number_in_range(days):
    with pytest.raises(InvalidInput) as error:
        check_lines([line(1, 10, min_shelf_days=days)])
    assert "lines.0.min_shelf_days" in error.value.fields


def test_line_item_ids_include_substitutes():
    assert line(1, 10, substitutes={11, 12}).item_ids == {10, 11, 12}


# --- codes ------------------------------------------------------------------------------------

def test_kit_code_pads_the_number_to_four_digits():
    assert kit_code("EQ", 7) == "K-EQ-0007"
    assert kit_code("HRF", 1234) == "K-HRF-1234"
    assert kit_code("EQ", 12345) == "K-EQ-12345"


@pytest.mark.parametrize("code, expected", [
    ("K-EQ-0007", 7),
    ("K-EQ-12345", 12345),
    ("K-EQ-", None),
    ("K-EQ-00A1", None),
    ("K-EQX-0001", None),  # another module whose code starts the same
    ("K-CH-0001", None),
    ("BOX-1", None),
    ("K-EQ-0001-B", None),
    ("K-EQ-²", None),  # str.isdigit accepts superscripts that int() refuses
])
def test_kit_number_reads_only_the_modules_own_codes(code, expected):
    assert kit_number("EQ", code) == expected


def test_kit_number_inverts_kit_code():
    for n in (1, 42, 9999, 10000):
        assert kit_number("WR", kit_code("WR", n)) == n


def test_module_codes():
    assert validate_module_code(" eq ") == "EQ"
    assert validate_module_code("HRF2") == "HRF2"
    for bad in ("", "E", "1EQ", "EQUAKES", "E-Q", "E Q", None):
        with pytest.raises(InvalidInput) as error:
            validate_module_code(bad)
        assert "code" in error.value.fields


def test_template_codes():
    assert validate_template_code(" eq-shore-1 ") == "EQ-SHORE-1"
    assert validate_template_code("2X") == "2X"
    for bad in ("", "A", "-AB", "AB CD", "AB_CD", "A" * 25, None):
        with pytest.raises(InvalidInput) as error:
            validate_template_code(bad)
        assert "code" in error.value.fields


def test_kit_codes_and_their_field_name():
    assert validate_kit_code(" k-eq-0001 ") == "K-EQ-0001"
    assert validate_kit_code("B12") == "B12"
    for bad in ("", "AB", "-AB", "K EQ 1", "K_EQ", "K" * 25, None):
        with pytest.raises(InvalidInput) as error:
            validate_kit_code(bad, "box")
        assert "box" in error.value.fields
