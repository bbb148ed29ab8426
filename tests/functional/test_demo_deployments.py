"""The demo's deployments: a fire and an overdue drill still out, a water rescue and a drill closed.

The whole demo is loaded once for this module (through `flask demo load`): the tests only read
(the last one loads again, which must change nothing).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select

from warehouse.domain.deployments import DeploymentKind, ScanAction, ScanResult
from warehouse.domain.kits import KitStatus
from warehouse.domain.stock import LocationKind, Reason
from warehouse.extensions import db
from warehouse.models import (
    Deployment,
    DeploymentSquad,
    Item,
    Kit,
    KitCheckout,
    KitEvent,
    Location,
    Module,
    ScanEvent,
    Squad,
    StockBalance,
    StockMovement,
    User,
)
from warehouse.models.base import Base, utcnow
from warehouse.queries import deployments as deployment_queries
from warehouse.queries import stock as stock_queries
from warehouse.services import ledger

FIRE, DRILL, WATER = "西安区高层住宅火灾", "龙首山山岳救援拉动演练", "辽河水域救援"


@pytest.fixture(scope="module")
def demo(demo_app):
    """A session on the loaded demo (read only)."""
    with demo_app.app_context():
        yield db.session
        db.session.remove()


@pytest.fixture(scope="module")
def told(demo) -> dict:
    """Each deployment by name with its module, squads, box check-outs and loose units, from the tables."""
    modules = dict(demo.execute(select(Module.id, Module.code)).all())
    squads = defaultdict(set)
    for deployment_id, code in demo.execute(select(DeploymentSquad.deployment_id, Squad.code).join(Squad)):
        squads[deployment_id].add(code)
    checkouts = defaultdict(list)
    for checkout, code, status in demo.execute(select(KitCheckout, Kit.code, Kit.status).join(Kit)):
        checkouts[checkout.deployment_id].append((checkout, code, status))
    loose = dict(demo.execute(select(StockBalance.location_id, func.sum(StockBalance.quantity))
                              .group_by(StockBalance.location_id)).all())
    return {d.name: {"deployment": d, "module": modules.get(d.module_id), "squads": squads[d.id],
                     "checkouts": checkouts[d.id], "loose": loose.get(d.location_id, 0)}
            for d in demo.scalars(select(Deployment))}


def aware(moment):
    """Read a stored UTC moment as aware (SQLite gives it back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_four_deployments_two_open_and_two_closed_numbered_as_they_happened(demo, told):
    assert len(told) == 4
    ordered = sorted((entry["deployment"] for entry in told.values()), key=lambda d: d.opened_at)
    assert [d.code for d in ordered] == sorted(d.code for d in ordered)
    assert [d.is_open for d in ordered] == [False, False, True, True]
    older = ordered[0]
    assert older.kind == DeploymentKind.DRILL and older.name not in (FIRE, DRILL, WATER)
    now = utcnow()
    for deployment in ordered:
        assert deployment.place and deployment.commander and deployment.note
        assert now - timedelta(days=30) < aware(deployment.opened_at) < now
        assert deployment.opened_by_name == "officer"
        location = demo.get(Location, deployment.location_id)
        assert location.kind == LocationKind.DEPLOYED and location.active == deployment.is_open


def test_the_high_rise_fire_is_out_with_two_boxes_and_loose_units(demo, told):
    fire = told[FIRE]
    deployment = fire["deployment"]
    assert deployment.kind == DeploymentKind.INCIDENT and deployment.is_open and fire["module"] == "HR"
    assert len(fire["squads"]) >= 2
    assert timedelta(days=1) < utcnow() - aware(deployment.opened_at) < timedelta(days=3)
    assert aware(deployment.expected_return_at) > utcnow()  # not overdue yet
    out = [(code, status) for checkout, code, status in fire["checkouts"] if checkout.in_at is None]
    assert len(out) == 2
    assert all(code.startswith("K-HR-") and status == KitStatus.DEPLOYED for code, status in out)
    issued = demo.execute(select(StockMovement.item_id, func.sum(StockMovement.quantity))
                          .where(StockMovement.reference == deployment.code,
                                 StockMovement.reason == Reason.ISSUE)
                          .group_by(StockMovement.item_id)).all()
    assert len(issued) >= 2 and fire["loose"] == sum(units for _item, units in issued) > 0


def test_the_mountain_drill_is_overdue_with_one_box_out(demo, told):
    drill = told[DRILL]
    deployment = drill["deployment"]
    assert deployment.kind == DeploymentKind.DRILL and deployment.is_open and drill["module"] == "MT"
    late = utcnow() - aware(deployment.expected_return_at)
    assert timedelta(0) < late < timedelta(days=2)  # expected back yesterday
    out = [(code[:4], status) for checkout, code, status in drill["checkouts"] if checkout.in_at is None]
    assert out == [("K-MT", KitStatus.DEPLOYED)]
    assert [row.deployment.name for row in deployment_queries.overdue(demo)] == [DRILL]


def test_the_water_rescue_is_closed_and_its_box_waits_for_inspection_after_consumption(demo, told):
    water = told[WATER]
    deployment = water["deployment"]
    assert deployment.kind == DeploymentKind.INCIDENT and not deployment.is_open and water["module"] == "WR"
    assert timedelta(days=5) < utcnow() - aware(deployment.opened_at) < timedelta(days=10)  # last week
    [(checkout, code, status)] = water["checkouts"]
    assert status == KitStatus.RETURNED and checkout.consumed > 0 and checkout.in_by_name == "keeper"
    assert aware(checkout.out_at) < aware(checkout.in_at) <= aware(deployment.closed_at)
    consumed = demo.execute(select(Item.sku, StockMovement.quantity, StockMovement.at).join(Item).where(
        StockMovement.reference == deployment.code, StockMovement.reason == Reason.CONSUME)).all()
    assert [(sku, quantity) for sku, quantity, _at in consumed] == [("RE-THROWBAG", checkout.consumed)]
    assert aware(consumed[0].at) == aware(checkout.in_at)  # dated with the check-in scan
    kit = demo.scalar(select(Kit).where(Kit.code == code))
    assert demo.get(Location, kit.location_id).parent_id == kit.home_location_id
    assert water["loose"] == 0


def test_the_older_drill_brought_everything_back_and_its_boxes_were_inspected(demo, told):
    older = next(entry for name, entry in told.items() if name not in (FIRE, DRILL, WATER))
    deployment = older["deployment"]
    assert not deployment.is_open and older["loose"] == 0
    assert older["checkouts"] and all(c.in_at is not None for c, _code, _status in older["checkouts"])
    reasons = dict(demo.execute(select(StockMovement.reason, func.sum(StockMovement.quantity))
                                .where(StockMovement.reference == deployment.code)
                                .group_by(StockMovement.reason)).all())
    # What was issued came back to a shelf, was used up in the drill, or went to quarantine.
    assert reasons[Reason.ISSUE] == reasons[Reason.MOVE] + reasons.get(Reason.CONSUME, 0) > 0
    for _checkout, code, _status in older["checkouts"]:
        kit = demo.scalar(select(Kit).where(Kit.code == code))
        passed = demo.scalar(select(func.count()).select_from(KitEvent).where(
            KitEvent.kit_id == kit.id, KitEvent.outcome == "passed",
            KitEvent.at > deployment.closed_at))
        assert passed == 1, code
    # The same boxes went out again to the fire: drilled, inspected, then deployed.
    assert {code for _c, code, _s in older["checkouts"]} == {code for _c, code, _s in told[FIRE]["checkouts"]}


def test_box_statuses_places_and_check_outs_agree(demo):
    open_out = dict(demo.execute(select(KitCheckout.kit_id, Deployment.location_id)
                                 .join(Deployment, Deployment.id == KitCheckout.deployment_id)
                                 .where(KitCheckout.in_at.is_(None))).all())
    for kit in demo.scalars(select(Kit)):
        parent = demo.get(Location, kit.location_id).parent_id
        if kit.status == KitStatus.DEPLOYED:
            assert parent == open_out[kit.id], kit.code
        else:
            assert kit.id not in open_out and parent == kit.home_location_id, kit.code
    statuses = Counter(demo.scalars(select(Kit.status)))
    assert statuses[KitStatus.DEPLOYED] == len(open_out) == 3 and statuses[KitStatus.RETURNED] == 1


def test_the_contents_of_boxes_out_count_as_deployed_stock(demo):
    out_places = set(demo.scalars(select(Kit.location_id).where(Kit.status == KitStatus.DEPLOYED)))
    loose_places = set(demo.scalars(select(StockBalance.location_id).join(
        Deployment, Deployment.location_id == StockBalance.location_id).where(StockBalance.quantity > 0)))
    assert len(out_places) == 3 and len(loose_places) == 1  # the fire's loose units
    rows = demo.execute(stock_queries.stock_stmt(status="deployed")).all()
    assert {r.location_id for r in rows} == out_places | loose_places
    expiring = demo.execute(stock_queries.stock_stmt(expiring_within_days=3650)).all()
    assert expiring and not {r.location_id for r in expiring} & (out_places | loose_places)


def test_every_scan_is_in_the_log_dated_with_who_and_where(demo, told):
    keeper = demo.scalar(select(User.id).where(User.username == "keeper"))
    scans = demo.scalars(select(ScanEvent).order_by(ScanEvent.id)).all()
    checkouts = [c for entry in told.values() for c, _code, _status in entry["checkouts"]]
    done = Counter((s.action, s.result) for s in scans)
    assert done[ScanAction.CHECK_OUT, ScanResult.CHECKED_OUT] == len(checkouts)
    assert done[ScanAction.CHECK_IN, ScanResult.CHECKED_IN] == sum(c.in_at is not None for c in checkouts)
    refused = [s for s in scans if s.status >= 400]
    assert refused and all(s.result == ScanResult.CONFLICT and "CD-" in s.message for s in refused)
    assert all(s.user_id == keeper and s.station and s.address and s.idempotency_key for s in scans)
    times = [aware(s.at) for s in scans]
    assert times == sorted(times) and times[-1] < utcnow() and times[0] < utcnow() - timedelta(days=10)
    for checkout in checkouts:
        out = next(s for s in scans if s.checkout_id == checkout.id and s.result == ScanResult.CHECKED_OUT)
        assert aware(out.at) == aware(checkout.out_at)


def test_the_ledger_reconciles_after_the_deployments(demo_app, demo):
    assert ledger.check(demo) == []
    result = demo_app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 0 and "ledger OK" in result.output


def test_the_old_out_location_is_gone(demo):
    assert demo.scalar(select(Location).where(Location.code == "LY-OUT")) is None
    assert demo.scalar(select(func.count()).select_from(Location).where(
        Location.kind == LocationKind.DEPLOYED)) == demo.scalar(select(func.count()).select_from(Deployment))


def test_loading_the_demo_again_changes_nothing(demo_app):
    def row_counts() -> dict:
        with demo_app.app_context():
            counted = {table.name: db.session.scalar(select(func.count()).select_from(table))
                       for table in Base.metadata.sorted_tables}
            db.session.remove()
        return counted

    before = row_counts()
    result = demo_app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0 and "not loaded" in result.output
    assert row_counts() == before
