"""Readiness rules with plain values: colour levels, percentages, shortfall ranking, plan checks, trends."""

from datetime import date, timedelta

import pytest

from warehouse.domain.errors import InvalidInput
from warehouse.domain.readiness import (
    Gap,
    Level,
    PlanMeasure,
    Thresholds,
    at_least,
    check_plan_threshold,
    check_scope,
    check_thresholds,
    coverage,
    merge_gaps,
    named_present,
    percent,
    rank_gaps,
    trend,
)


@pytest.mark.parametrize("required, pct, level", [
    (0, 0, Level.NONE), (0, 100, Level.NONE), (10, 100, Level.GOOD), (10, 90, Level.GOOD),
    (10, 89, Level.FAIR), (10, 60, Level.FAIR), (10, 59, Level.POOR), (10, 0, Level.POOR),
])
def test_default_thresholds_colour_a_module_green_from_90_and_amber_from_60(required, pct, level):
    assert Thresholds().level(required, pct) is level


def test_changed_thresholds_move_the_colours():
    strict = Thresholds(good=100, fair=95)
    assert strict.level(20, 99) is Level.FAIR
    assert strict.level(20, 94) is Level.POOR
    assert strict.level(20, 100) is Level.GOOD


def test_equal_thresholds_leave_no_amber_band():
    assert Thresholds(good=80, fair=80).level(5, 79) is Level.POOR
    assert Thresholds(good=80, fair=80).level(5, 80) is Level.GOOD


@pytest.mark.parametrize("good, fair, field", [
    (101, 60, "good_percent"), (-1, 0, "good_percent"), (90, -5, "fair_percent"), (90, 91, "fair_percent"),
    ("90", 60, "good_percent"), (90, 60.5, "fair_percent"), (True, 60, "good_percent"),
    (None, 60, "good_percent"),
])
def test_bad_thresholds_are_refused_naming_the_field(good, fair, field):
    with pytest.raises(InvalidInput) as error:
        check_thresholds(good, fair)
    assert field in error.value.fields


@pytest.mark.parametrize("ready, required, expected", [
    (0, 0, 0), (3, 4, 75), (4, 4, 100), (6, 4, 100), (1, 3, 33), (2, 3, 67), (0, 7, 0),
])
def test_percent_counts_ready_boxes_up_to_those_required(ready, required, expected):
    assert percent(ready, required) == expected


def test_gaps_merge_missing_units_from_boxes_and_from_boxes_not_built():
    gaps = {g.item_id: g for g in merge_gaps([(1, 4, 2), (2, 1, 1), (1, 2, 1)], [(1, 10), (3, 6)])}
    assert gaps[1] == Gap(1, in_boxes=6, boxes=3, unbuilt=10)
    assert gaps[1].missing == 16
    assert gaps[2].missing == 1 and gaps[3] == Gap(3, 0, 0, 6)


def test_the_largest_gaps_come_first_and_the_list_is_cut():
    gaps = [Gap(1, 2, 1, 0), Gap(2, 0, 0, 8), Gap(3, 2, 2, 0), Gap(4, 5, 1, 0), Gap(5, 0, 0, 0)]
    assert [g.item_id for g in rank_gaps(gaps, limit=3)] == [2, 4, 3]
    assert [g.item_id for g in rank_gaps(gaps, limit=10)] == [2, 4, 3, 1]  # nothing missing: left out


@pytest.mark.parametrize("measure, value, ok", [
    (PlanMeasure.DEPOT_AREA, 1000, True), (PlanMeasure.DEPOT_AREA, 0, True),
    (PlanMeasure.DEPOT_AREA, -1, False), (PlanMeasure.COUNTY_AGREEMENTS, 100, True),
    (PlanMeasure.COUNTY_AGREEMENTS, 101, False), (PlanMeasure.CATEGORIES, 7.5, False),
    (PlanMeasure.CATEGORIES, "7", False), (PlanMeasure.STOCKPILES, True, False),
])
def test_plan_thresholds_are_whole_numbers_and_coverage_is_a_percent(measure, value, ok):
    if ok:
        assert check_plan_threshold(measure, value) == value
    else:
        with pytest.raises(InvalidInput) as error:
            check_plan_threshold(measure, value)
        assert "threshold" in error.value.fields


def test_the_modules_scope_is_normalised_module_codes():
    assert check_scope(PlanMeasure.MODULES, " hr, ch；eq  MT wr hr") == "HR CH EQ MT WR"


@pytest.mark.parametrize("measure, scope", [
    (PlanMeasure.MODULES, ""), (PlanMeasure.MODULES, "HR 地震"), (PlanMeasure.MODULES, "H"),
    (PlanMeasure.MODULES, "HR <b>"), (PlanMeasure.DEPOT_AREA, "HR"),
])
def test_a_bad_scope_is_refused(measure, scope):
    with pytest.raises(InvalidInput) as error:
        check_scope(measure, scope)
    assert "scope" in error.value.fields


def test_other_targets_take_an_empty_scope():
    assert check_scope(PlanMeasure.DEPOT_AREA, "  ") == ""


def test_a_figure_passes_when_it_reaches_the_threshold():
    assert at_least("depot_area", PlanMeasure.DEPOT_AREA, 1000, 1000.0).passed
    check = at_least("depot_area", PlanMeasure.DEPOT_AREA, 1000, 999.5)
    assert not check.passed and check.unit == "m²"


def test_named_things_pass_when_enough_are_present_and_the_rest_are_named():
    check = named_present("modules", PlanMeasure.MODULES, 5, ["HR", "CH", "EQ", "MT", "WR"],
                          {"HR", "EQ", "FL"})
    assert (check.actual, check.base, check.passed, check.missing) == (2, 5, False, ("CH", "MT", "WR"))
    relaxed = named_present("modules", PlanMeasure.MODULES, 2, ["HR", "CH", "EQ"], {"HR", "EQ"})
    assert relaxed.passed and relaxed.missing == ("CH",)


def test_coverage_counts_district_and_kind_pairs_exactly():
    places = ["LS", "XA", "DL", "DF"]
    kinds = ["supermarket", "auto_repair", "oil_depot", "restaurant", "machinery"]
    covered = [(p, k) for p in places for k in kinds if (p, k) != ("DF", "machinery")]
    check = coverage("county_agreements", 100, places, kinds, covered)
    assert (check.actual, check.base, check.passed, check.missing) == (95.0, 20, False, ("DF:machinery",))
    assert coverage("county_agreements", 95, places, kinds, covered).passed  # 19 × 100 >= 95 × 20
    assert coverage("county_agreements", 100, places, kinds, covered + [("DF", "machinery")]).passed


def test_coverage_with_no_districts_never_passes():
    check = coverage("county_agreements", 0, [], ["supermarket"], [])
    assert not check.passed and check.base == 0


def test_a_trend_places_days_across_and_percent_upwards():
    until = date(2026, 11, 29)
    chart = trend([(until - timedelta(days=29), 0), (until, 100), (until - timedelta(days=40), 50)], until,
                  width=120, height=32, pad=2)
    assert chart.points == "2.0,30.0 118.0,2.0"  # the day 40 days back is outside the window
    assert [d[2] for d in chart.dots] == [0, 100]


def test_a_trend_of_one_day_still_draws_a_point_and_clamps_values():
    until = date(2026, 11, 29)
    chart = trend([(until, 120)], until, days=1, width=10, height=10, pad=0)
    assert chart.points == "0.0,0.0" and chart.dots[0][2] == 120
