"""The demo's readiness: 30 days of honest snapshots, and a dashboard with something to act on.

The whole demo is loaded once for this module (through `flask demo load`); the last test resets
and loads it again, which must bring back the plan's targets and thresholds as well as the history.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from warehouse.domain.partners import Source
from warehouse.domain.readiness import Level
from warehouse.extensions import db
from warehouse.queries.readiness import plan_checks, readiness
from warehouse.timezone import today

DAYS = 30
# Each box's state as of :on, from the tables alone: a ready or short box is ready when every
# required line holds enough units (its own item or a substitute) that keep the line's margin.
BOX_STATES = text("""
WITH fills AS (
    SELECT id AS line_id, item_id FROM kit_template_lines
    UNION ALL SELECT line_id, item_id FROM kit_line_substitutes
), box_lines AS (
    SELECT k.id AS kit_id, l.par_quantity AS par, l.optional,
           COALESCE((SELECT SUM(b.quantity) FROM stock_balances b LEFT JOIN lots lo ON lo.id = b.lot_id
                     WHERE b.location_id = k.location_id AND b.quantity > 0
                       AND b.item_id IN (SELECT f.item_id FROM fills f WHERE f.line_id = l.id)
                       AND (lo.expires_on IS NULL
                            OR lo.expires_on >= date(:on, '+' || l.min_shelf_days || ' days'))), 0) AS usable
    FROM kits k JOIN kit_template_lines l ON l.template_id = k.template_id
)
SELECT k.module_id, k.template_id,
       CASE WHEN k.status IN ('ready', 'short') THEN
            CASE WHEN EXISTS (SELECT 1 FROM box_lines s WHERE s.kit_id = k.id AND s.optional = 0
                              AND s.usable < s.par) THEN 'short' ELSE 'ready' END
            ELSE k.status END AS state
FROM kits k WHERE k.status != 'retired'
""")


def expected_modules(session, on) -> dict[str, dict]:
    """Each active module's figures on a day, counted from the tables by the plan's rule."""
    boxes: dict[tuple[int, int], dict[str, int]] = {}
    for module_id, template_id, state in session.execute(BOX_STATES, {"on": on.isoformat()}):
        counts = boxes.setdefault((module_id, template_id), {})
        counts[state] = counts.get(state, 0) + 1
    found = {}
    for module_id, code in session.execute(text("SELECT id, code FROM modules WHERE active = 1")):
        found[code] = {"module_id": module_id, "required": 0, "ready": 0, "short": 0, "deployed": 0,
                       "restocking": 0}
    requirements = session.execute(text(
        "SELECT r.module_id, m.code, r.template_id, r.boxes_required FROM module_requirements r "
        "JOIN modules m ON m.id = r.module_id WHERE m.active = 1"))
    for module_id, code, template_id, required in requirements:
        counts = boxes.get((module_id, template_id), {})
        figures = found[code]
        figures["required"] += required
        figures["ready"] += min(counts.get("ready", 0), required)  # extra ready boxes do not count
        figures["short"] += counts.get("short", 0)
        figures["deployed"] += counts.get("deployed", 0)
        figures["restocking"] += counts.get("returned", 0) + counts.get("restocking", 0)
    for figures in found.values():
        figures["percent"] = round(100 * figures["ready"] / figures["required"]) if figures["required"] else 0
    return found


def snapshots(session, day) -> dict[str, dict]:
    rows = session.execute(text(
        "SELECT m.code, s.required, s.ready, s.short, s.deployed, s.restocking, s.percent "
        "FROM readiness_snapshots s JOIN modules m ON m.id = s.module_id WHERE s.day = :day"),
        {"day": day.isoformat()}).mappings()
    figures = ("required", "ready", "short", "deployed", "restocking", "percent")
    return {row["code"]: {k: row[k] for k in figures} for row in rows}


def without_ids(figures: dict[str, dict]) -> dict[str, dict]:
    return {code: {k: v for k, v in f.items() if k != "module_id"} for code, f in figures.items()}


@pytest.fixture(scope="module")
def demo(demo_app):
    """A session on the loaded demo."""
    with demo_app.app_context():
        yield db.session
        db.session.remove()


def test_every_active_module_has_a_snapshot_on_each_of_the_last_30_days(demo):
    on = today()
    modules = {code for (code,) in demo.execute(text("SELECT code FROM modules WHERE active = 1"))}
    days = demo.execute(text(
        "SELECT s.day, COUNT(*), COUNT(DISTINCT s.module_id) FROM readiness_snapshots s GROUP BY s.day "
        "ORDER BY s.day")).all()
    assert [day for day, _n, _m in days] == [(on - timedelta(days=back)).isoformat()
                                             for back in range(DAYS - 1, -1, -1)]
    assert {(n, m) for _day, n, m in days} == {(len(modules), len(modules))}
    assert len(modules) == 7


def test_todays_snapshot_equals_a_count_of_the_boxes_from_the_tables(demo):
    on = today()
    assert snapshots(demo, on) == without_ids(expected_modules(demo, on))


def test_each_past_day_is_computed_as_of_that_day_not_copied_from_today(demo):
    on = today()
    for back in (DAYS - 1, 15, 7, 1):
        day = on - timedelta(days=back)
        assert snapshots(demo, day) == without_ids(expected_modules(demo, day)), day
    # Lots have gone past their lines' margins during the month: the history is not a flat line.
    oldest, latest = snapshots(demo, on - timedelta(days=DAYS - 1)), snapshots(demo, on)
    assert oldest != latest
    assert sum(f["ready"] for f in oldest.values()) > sum(f["ready"] for f in latest.values())


def test_past_snapshots_are_stamped_on_their_own_day(demo):
    stamped = demo.execute(text(
        "SELECT day, MIN(taken_at), MAX(taken_at) FROM readiness_snapshots GROUP BY day")).all()
    on = today()
    for day, first, last in stamped:
        if day == on.isoformat():
            continue
        # 07:30 at the depot (UTC+8) is 23:30 UTC the evening before.
        assert first == last
        assert first.startswith((on.fromisoformat(day) - timedelta(days=1)).isoformat() + " 23:30")


def test_the_demo_dashboard_has_something_for_a_commander_to_act_on(demo):
    found = readiness(demo, today())
    levels = {status.module.code: status.level for status in found.modules}
    assert Level.GOOD in levels.values()
    assert {Level.FAIR, Level.POOR} & set(levels.values())
    shortfalls = [s for status in found.modules for s in status.shortfalls]
    assert any(s.sources.loose >= s.missing for s in shortfalls)  # restock from the shelves
    assert any(s.sources.loose == 0 and not s.sources.rows for s in shortfalls)  # nowhere to get it
    kinds = {row.source for s in shortfalls for row in s.sources.rows}
    assert {Source.STOCKPILE, Source.AGREEMENT} <= kinds
    assert any(status.deployed for status in found.modules)
    assert any(not row.check.passed for row in plan_checks(demo, today()))


def test_demo_reset_brings_back_the_plans_targets_thresholds_and_history(demo_app, demo):
    demo.execute(text("UPDATE readiness_settings SET good_percent = 80, fair_percent = 50, "
                      "updated_by_name = 'admin'"))
    demo.execute(text("UPDATE plan_targets SET threshold = 3, scope = 'HR CH EQ', updated_by_name = 'admin' "
                      "WHERE measure = 'modules'"))
    demo.execute(text("UPDATE plan_targets SET threshold = 50, updated_by_name = 'admin' "
                      "WHERE measure = 'county_agreements'"))
    demo.commit()
    demo.remove()

    result = demo_app.test_cli_runner().invoke(args=["demo", "load", "--reset"])

    assert result.exit_code == 0, result.output
    assert demo.execute(text(
        "SELECT good_percent, fair_percent, updated_at, updated_by_name FROM readiness_settings")).all() == [
        (90, 60, None, "")]
    targets = demo.execute(text(
        "SELECT measure, threshold, plan_threshold, scope, updated_at, updated_by_name FROM plan_targets "
        "ORDER BY position")).all()
    assert targets == [
        ("depot_area", 1000, 1000, "", None, ""),
        ("categories", 7, 7, "", None, ""),
        ("modules", 5, 5, "HR CH EQ MT WR", None, ""),
        ("stockpiles", 5, 5, "", None, ""),
        ("county_agreements", 100, 100, "", None, ""),
        ("delivery_agreements", 2, 2, "", None, ""),
    ]
    assert demo.execute(text("SELECT COUNT(DISTINCT day), COUNT(*) FROM readiness_snapshots")).one() == (
        DAYS, DAYS * 7)
    assert snapshots(demo, today()) == without_ids(expected_modules(demo, today()))
