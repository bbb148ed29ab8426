"""Readiness on a real database: thresholds and plan targets as data, the daily snapshot (also
from several threads at once), and the plan's targets measured against what is recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.builders import (
    CLI,
    in_days,
    make_agreement,
    make_box_depot,
    make_depot,
    make_item,
    make_module,
    make_partner,
    make_stockpile_line,
    make_template,
    receive,
)
from tests.integration.test_kit_concurrency import race
from warehouse.domain.errors import InvalidInput, NotFound
from warehouse.extensions import db
from warehouse.models import Module, PlanTarget, ReadinessSettings, ReadinessSnapshot
from warehouse.queries import readiness as queries
from warehouse.services import kit_templates, readiness
from warehouse.timezone import today


def settings(session) -> tuple:
    session.rollback()
    row = session.get(ReadinessSettings, 1)
    return row.good_percent, row.fair_percent, row.updated_by_name


def target(session, measure: str) -> tuple:
    session.rollback()
    row = session.scalar(select(PlanTarget).where(PlanTarget.measure == measure))
    return row.threshold, row.scope, row.updated_by_name


def snapshots(session) -> list[tuple]:
    session.rollback()
    return session.execute(select(Module.code, ReadinessSnapshot.day, ReadinessSnapshot.required,
                                  ReadinessSnapshot.ready, ReadinessSnapshot.short,
                                  ReadinessSnapshot.deployed,
                                  ReadinessSnapshot.percent)
                           .join(Module).order_by(ReadinessSnapshot.day, Module.code)).all()


def checks(session) -> dict:
    session.rollback()
    return {row.code: row.check for row in queries.plan_checks(session, today())}


# --- settings and targets ---------------------------------------------------------------------

def test_the_migration_seeds_the_plans_figures_and_default_colours(session):
    assert settings(session) == (90, 60, "")
    rows = session.execute(select(PlanTarget.measure, PlanTarget.threshold, PlanTarget.plan_threshold,
                                  PlanTarget.scope).order_by(PlanTarget.position)).all()
    assert [(m.value, t, p, s) for m, t, p, s in rows] == [
        ("depot_area", 1000, 1000, ""), ("categories", 7, 7, ""), ("modules", 5, 5, "HR CH EQ MT WR"),
        ("stockpiles", 5, 5, ""), ("county_agreements", 100, 100, ""), ("delivery_agreements", 2, 2, "")]


def test_an_admin_changes_the_colour_thresholds_and_is_recorded(app, session):
    readiness.update_thresholds(session, CLI, good_percent=95, fair_percent=70)
    assert settings(session) == (95, 70, "test")
    readiness.update_thresholds(session, CLI, fair_percent=50)
    assert settings(session)[:2] == (95, 50)
    assert queries.thresholds(session).level(10, 94).value == "fair"


@pytest.mark.parametrize("changes, field", [
    ({"good_percent": 50, "fair_percent": 60}, "fair_percent"),
    ({"fair_percent": 91}, "fair_percent"),  # above the stored green threshold
    ({"good_percent": 101}, "good_percent"),
    ({"good_percent": "x"}, "good_percent"),
])
def test_bad_thresholds_write_nothing(session, changes, field):
    with pytest.raises(InvalidInput) as error:
        readiness.update_thresholds(session, CLI, **changes)
    assert field in error.value.fields
    assert settings(session) == (90, 60, "")


def test_an_admin_changes_a_plan_target_and_the_priority_modules(session):
    readiness.update_plan_target(session, CLI, "DEPOT_AREA", threshold=1200)
    readiness.update_plan_target(session, CLI, "modules", scope="hr eq fl", threshold=3)
    assert target(session, "depot_area") == (1200, "", "test")
    assert target(session, "modules") == (3, "HR EQ FL", "test")


@pytest.mark.parametrize("measure, changes, error_type, field", [
    ("county_agreements", {"threshold": 120}, InvalidInput, "threshold"),
    ("categories", {"threshold": -1}, InvalidInput, "threshold"),
    ("modules", {"scope": ""}, InvalidInput, "scope"),
    ("depot_area", {"scope": "HR"}, InvalidInput, "scope"),
    ("depot_area", {}, InvalidInput, "threshold"),
    ("STANDING_HEADCOUNT", {"threshold": 10}, NotFound, None),
    ("nothing", {"threshold": 1}, NotFound, None),
])
def test_bad_target_changes_write_nothing(session, measure, changes, error_type, field):
    measures = ("depot_area", "categories", "modules", "county_agreements")
    before = [target(session, m) for m in measures]
    with pytest.raises(error_type) as error:
        readiness.update_plan_target(session, CLI, measure, **changes)
    if field:
        assert field in error.value.fields
    assert [target(session, m) for m in measures] == before


# --- snapshots --------------------------------------------------------------------------------

def test_the_first_snapshot_of_a_day_stands(app, session):
    make_box_depot(app, boxes=2)  # module EQ: 2 required, 2 ready
    make_module(app, "CH", name_zh="化工灾害", name_en="Chemical")  # nothing required yet
    assert readiness.take_snapshot(session, today()) == 2
    assert snapshots(session) == [("CH", today(), 0, 0, 0, 0, 0), ("EQ", today(), 2, 2, 0, 0, 100)]
    assert readiness.take_snapshot(session, today()) == 0
    assert len(snapshots(session)) == 2
    assert queries.has_snapshot(session, today())
    assert not queries.has_snapshot(session, in_days(-1))


def test_replace_records_the_day_again_and_other_days_stay(app, session):
    make_box_depot(app, boxes=1)
    readiness.take_snapshot(session, in_days(-1))
    readiness.take_snapshot(session, today())
    with app.app_context():
        kit_templates.update_module(db.session, CLI, "EQ", active=False)
        db.session.remove()
    assert readiness.take_snapshot(session, today(), replace=True) == 0  # no active module left
    assert [row[:2] for row in snapshots(session)] == [("EQ", in_days(-1))]


def test_the_history_lists_each_modules_days_oldest_first(app, session):
    make_box_depot(app, boxes=1)
    for days_ago in (40, 3, 1, 0):
        readiness.take_snapshot(session, in_days(-days_ago))
    session.rollback()
    found = queries.history(session, today(), days=30)
    assert [s.day for s in next(iter(found.values()))] == [in_days(-3), in_days(-1), today()]


def test_several_workers_taking_the_days_first_snapshot_record_it_once(app, session):
    make_box_depot(app, boxes=2)
    make_module(app, "WR", name_zh="水域救援", name_en="Water rescue")

    def snap():
        with app.app_context():
            return readiness.take_snapshot(db.session, today())

    for _round in range(3):
        results = race(app, *([snap] * 4))
        session.rollback()
        assert session.scalar(select(func.count()).select_from(ReadinessSnapshot)) == 2
        session.execute(ReadinessSnapshot.__table__.delete())
        session.commit()
        assert sorted(results) == [0, 0, 0, 2]


# --- the plan's targets -----------------------------------------------------------------------

def test_an_empty_reserve_meets_no_material_target(session):
    found = checks(session)
    assert not found["depot_area"].passed and found["depot_area"].actual == 0
    assert found["categories"].actual == 0 and found["categories"].missing == ("EA", "PE", "FE", "RE", "ER",
                                                                               "MS", "FF")
    assert found["modules"].missing == ("HR", "CH", "EQ", "MT", "WR")
    assert found["stockpiles"].actual == 0 and len(found["stockpiles"].missing) == 5
    assert found["county_agreements"].base == 20 and found["county_agreements"].actual == 0
    assert not found["delivery_agreements"].passed
    # The staffing targets follow, from the squads' table.
    assert list(found)[6:] == ["STANDING_HEADCOUNT", "MOBILE_HEADCOUNT", "DRIVER_SHARE", "TECHNICIAN_SHARE"]


def test_a_category_counts_once_it_holds_usable_stock_and_an_item_has_a_minimum(app, session):
    depot = make_depot(app)  # 1,000 m²
    foam = make_item(app, "T-FOAM", min_level=10)
    rope = make_item(app, "T-ROPE", category="RE", tracking="bulk", expiry_required=False,
                     shelf_life_days=None,
                     unit="piece")  # no minimum
    medic = make_item(app, "T-MED", category="MS", min_level=5)  # a minimum, no stock
    receive(app, foam, depot.bin_a, 3, lot="F1", expires_on=in_days(300))
    receive(app, rope, depot.bin_b, 8)
    assert medic
    found = checks(session)
    assert found["depot_area"].passed and found["depot_area"].actual == 1000
    assert found["categories"].actual == 1
    assert "EA" not in found["categories"].missing and {"RE", "MS"} <= set(found["categories"].missing)


def test_the_priority_modules_count_when_defined_with_required_boxes(app, session):
    make_box_depot(app, boxes=1, module="EQ")
    make_module(app, "HR", name_zh="高层建筑火灾", name_en="High-rise fire")  # no required boxes
    found = checks(session)
    assert found["modules"].actual == 1 and "HR" in found["modules"].missing
    readiness.update_plan_target(session, CLI, "modules", scope="EQ", threshold=1)
    assert checks(session)["modules"].passed


def test_agreements_count_for_the_plan_only_while_in_force_with_an_active_partner(app, session):
    shop = make_partner(app, "龙山超市", kind="supermarket", district="LS")
    garage = make_partner(app, "龙山修理厂", kind="auto_repair", district="LS")
    oil = make_partner(app, "龙山油库", kind="oil_depot", district="LS")
    rail = make_partner(app, "辽源车站", kind="railway", district="LY")
    freight = make_partner(app, "辽源物流", kind="logistics", district="LY")
    make_agreement(app, shop)
    make_agreement(app, garage, valid_from=in_days(-400), valid_to=in_days(-1))  # ended yesterday
    make_agreement(app, oil, status="draft")
    make_agreement(app, rail)
    make_agreement(app, freight, valid_from=in_days(1), valid_to=in_days(300))  # not started
    found = checks(session)
    county = found["county_agreements"]
    assert county.actual == 5.0 and county.base == 20  # 1 of 20 pairs
    assert "LS:supermarket" not in county.missing and "LS:auto_repair" in county.missing
    assert "LS:oil_depot" in county.missing
    delivery = found["delivery_agreements"]
    assert (delivery.actual, delivery.missing, delivery.passed) == (1, ("logistics",), False)


def test_department_stockpiles_count_per_department_kind(app, session):
    item = make_item(app, "T-TENT", category="FF", tracking="bulk", expiry_required=False,
                     shelf_life_days=None,
                     unit="piece")
    civil = make_partner(app, "辽源市民政局", kind="civil_affairs", district="LY")
    water = make_partner(app, "辽源市水利局", kind="water_resources", district="LY")
    make_partner(app, "辽源市应急管理局", kind="emergency_management", district="LY")  # registered, no list
    make_stockpile_line(app, civil, item, 200, location="民政救灾仓库")
    make_stockpile_line(app, water, item, 50, location="防汛仓库")
    found = checks(session)["stockpiles"]
    assert found.actual == 2 and "emergency_management" in found.missing and not found.passed


def test_template_requirements_make_a_module_defined(app, session):
    item = make_item(app, "T-X")
    make_module(app, "CH", name_zh="化工", name_en="Chemical")
    assert "CH" in checks(session)["modules"].missing
    make_template(app, [{"item_id": item, "par_quantity": 1}], code="CH-BOX", modules={"CH": 1})
    assert "CH" not in checks(session)["modules"].missing


def test_reachable_reserve_for_several_items_answers_each_on_its_own(app, session):
    from decimal import Decimal

    from warehouse.queries.partners import reachable

    depot = make_depot(app)
    water = make_item(app, "T-WATER", category="FF", tracking="bulk", expiry_required=False,
                      shelf_life_days=None, unit="box")
    tent = make_item(app, "T-TENT", category="FF", tracking="bulk", expiry_required=False,
                     shelf_life_days=None, unit="piece")
    rope = make_item(app, "T-ROPE", category="RE", tracking="bulk", expiry_required=False,
                     shelf_life_days=None, unit="piece")  # asked for, supplied by nobody
    receive(app, water, depot.bin_a, 30)
    civil = make_partner(app, "辽源市民政局", kind="civil_affairs", district="LY")
    make_stockpile_line(app, civil, tent, 200, location="民政救灾仓库")
    shop = make_partner(app, "龙山超市")
    make_agreement(app, shop, response_hours=2, commitments=[
        {"item_id": water, "quantity": 500, "unit": "box", "period": "total"},
        {"category": "FF", "description": "即食食品", "quantity": 100, "unit": "份", "period": "per_day"}])
    old = make_partner(app, "东丰超市", district="DF")
    make_agreement(app, old, valid_from=in_days(-400), valid_to=in_days(-1),
                   commitments=[{"item_id": tent, "quantity": 999, "unit": "piece", "period": "total"}])
    session.rollback()
    found = reachable(session, on=today(), item_ids={water, tent, rope})
    totals = {entry.item.sku: (entry.reach.depot, entry.reach.stockpiles, entry.reach.committed)
              for entry in found.items}
    assert totals == {"T-WATER": (Decimal(30), Decimal(0), Decimal(500)),
                      "T-TENT": (Decimal(0), Decimal(200), Decimal(0)),
                      "T-ROPE": (Decimal(0), Decimal(0), Decimal(0))}
    # The FF category line is listed (another unit, not added); the ended agreement is not.
    listed = [(row.source.value, row.description) for row in found.sources if not row.counted]
    assert listed == [("agreement", "即食食品")]
    assert all(row.quantity != 999 for row in found.sources)
