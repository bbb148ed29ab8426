"""Readiness read side on a real database: a module's figures, shortfalls and their sources, the
colour it takes, the zones it is kept in, and the short lines of its boxes (expected by construction)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update

from tests.builders import in_days
from tests.readiness_scenario import FOAM, ROPE, build
from warehouse.domain.readiness import Level
from warehouse.models import Module, ReadinessSettings
from warehouse.queries import readiness as queries
from warehouse.timezone import today


@pytest.fixture
def scenario(app):
    return build(app)


def _eq(session):
    module_id = session.scalar(select(Module.id).where(Module.code == "EQ"))
    return module_id, queries.readiness(session, today(), module_id=module_id).modules[0]


def test_short_lines_list_the_missing_line_of_the_short_box_only(session, scenario):
    module_id, _ = _eq(session)
    rows = queries.short_lines(session, today(), module_id)
    assert [(r.kit_code, r.sku, r.par, r.held, r.usable, r.missing) for r in rows] == [
        (scenario.short, FOAM, 2, 2, 0, 2)]


def test_short_lines_leave_out_boxes_out_on_deployment_and_other_modules(app, session, scenario):
    from sqlalchemy import update as sql_update

    from warehouse.models import Lot

    # Expire the deployed box's lot too: a box out of the depot is not listed, it is not resting.
    session.execute(sql_update(Lot).where(Lot.code == "L-LATE").values(expires_on=in_days(-1)))
    session.commit()
    module_id, _ = _eq(session)
    assert [r.kit_code for r in queries.short_lines(session, today(), module_id)] == [scenario.short]
    assert queries.short_lines(session, today(), module_id + 1000) == []


def test_readiness_counts_boxes_by_state_and_the_boxes_never_built(session, scenario):
    _, eq = _eq(session)
    figures = (eq.required, eq.counted_ready, eq.short, eq.deployed, eq.restocking, eq.unbuilt)
    assert figures == (5, 1, 1, 1, 0, 2)
    assert eq.percent == 20  # 1 of 5
    by_code = {t.template_code: t for t in eq.templates}
    assert (by_code["RD-A"].required, by_code["RD-A"].ready, by_code["RD-A"].short,
            by_code["RD-A"].deployed) == (4, 1, 1, 1)
    assert (by_code["RD-B"].required, by_code["RD-B"].ready) == (1, 0)


def test_the_earliest_expiry_is_the_lot_expiring_tomorrow_in_the_ready_box(session, scenario):
    _, eq = _eq(session)
    assert eq.earliest_expiry == in_days(1)


def test_shortfalls_add_units_missing_in_boxes_and_for_boxes_not_built(session, scenario):
    _, eq = _eq(session)
    found = [(s.item.sku, s.gap.in_boxes, s.gap.boxes, s.gap.unbuilt, s.missing) for s in eq.shortfalls]
    # Foam: 2 in the short box + 2 for the unbuilt RD-A + 1 for the unbuilt RD-B; rope: 3 for the RD-A.
    assert found == [(FOAM, 2, 1, 3, 5), (ROPE, 0, 0, 3, 3)]


def test_sources_count_loose_stock_but_not_stock_in_boxes(session, scenario):
    _, eq = _eq(session)
    sources = {s.item.sku: s.sources for s in eq.shortfalls}
    # Foam received 2 + 2 + 10, six units went into boxes (two of them expired there): 8 loose.
    assert sources[FOAM].loose == 8 and sources[FOAM].outside == 0
    assert sources[ROPE].loose == 0
    shortfall = {s.item.sku: s for s in eq.shortfalls}
    assert shortfall[FOAM].covered_by_loose and not shortfall[ROPE].covered_by_loose


def test_an_agreement_that_expired_yesterday_does_not_count(session, scenario):
    _, eq = _eq(session)
    rope = next(s.sources for s in eq.shortfalls if s.item.sku == ROPE)
    assert rope.stockpiles == Decimal(20) and rope.committed == Decimal(50)
    assert rope.agreement_hours == 4  # not the expired agreement's 1 h
    assert rope.stockpile_hours is None or rope.stockpile_hours >= 0
    assert sorted(r.agreement_number for r in rope.rows if r.agreement_number) == ["RD-IN-FORCE"]


@pytest.mark.parametrize(("good", "fair", "level"), [(90, 60, Level.POOR), (20, 10, Level.GOOD),
                                                     (50, 20, Level.FAIR), (100, 0, Level.FAIR)])
def test_the_thresholds_in_force_set_the_level(session, scenario, good, fair, level):
    session.execute(update(ReadinessSettings).values(good_percent=good, fair_percent=fair))
    session.commit()
    state = queries.readiness(session, today())
    eq = next(m for m in state.modules if m.module.code == "EQ")
    assert eq.level is level and state.totals.level is level


def test_zones_hold_the_boxes_kept_there_and_the_weakest_modules_colour(session, scenario):
    state = queries.readiness(session, today())
    eq = next(m for m in state.modules if m.module.code == "EQ")
    assert eq.zones == (scenario.depot.codes["zone"],)
    zone = state.zones[scenario.depot.zone]
    assert (zone.boxes, zone.ready, zone.modules, zone.level) == (3, 1, ("EQ",), Level.POOR)


def test_totals_add_up_the_modules(session, scenario):
    totals = queries.readiness(session, today()).totals
    assert (totals.required, totals.ready, totals.short, totals.deployed, totals.unbuilt, totals.percent) == (
        5, 1, 1, 1, 2, 20)
    assert totals.levels == {Level.POOR: 1}
