"""Deployments on a real database: open, check boxes out and in with usage, loose items, close, undo."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.builders import CLI, make_box_depot, make_deployment, make_squad, make_user, stock_counts
from warehouse.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from warehouse.domain.kits import KitStatus
from warehouse.domain.stock import Reason
from warehouse.models import Deployment, Kit, KitCheckout, Location, StockBalance, StockMovement
from warehouse.models.base import utcnow
from warehouse.services import deployments, kits, ledger
from warehouse.services.accounts import Caller


def status_of(session, code: str) -> KitStatus:
    session.rollback()
    return session.scalar(select(Kit.status).where(Kit.code == code))


def parent_of(session, code: str) -> str:
    session.rollback()
    kit = session.scalar(select(Kit).where(Kit.code == code))
    location = session.get(Location, kit.location_id)
    return session.get(Location, location.parent_id).code


def caller_for(session, user) -> Caller:
    from warehouse.models import User

    return Caller(session.get(User, user.id), "127.0.0.1")


@pytest.fixture
def boxes(app):
    return make_box_depot(app, 3)


def test_a_deployment_is_numbered_by_year_and_owns_a_location(app, session, boxes):
    make_squad(app, "CB-WZ")
    first = make_deployment(app, squads=["cb-wz"], module="EQ", place="龙山区", commander="李队长")
    second = make_deployment(app, "辽河水域救援", kind="incident")
    one, two = session.get(Deployment, first), session.get(Deployment, second)
    year = utcnow().year
    assert one.code.startswith(f"CD-{year}-") and int(two.code[-4:]) == int(one.code[-4:]) + 1
    location = session.get(Location, one.location_id)
    assert location.kind == "deployed" and location.code == one.code
    assert session.get(Location, location.parent_id).id == boxes.depot.depot


@pytest.mark.parametrize("fields, field", [
    ({"name": ""}, "name"),
    ({"kind": "party"}, "kind"),
    ({"expected_return_at": "tomorrow"}, "expected_return_at"),
    ({"expected_return_at": "2001-01-01T00:00"}, "expected_return_at"),
    ({"module": "NOPE"}, "module"),
    ({"squads": ["NOPE"]}, "squads"),
    ({"squads": "CB-WZ"}, "squads"),
    ({"place": "x" * 201}, "place"),
])
def test_bad_deployment_input_names_the_field_and_writes_nothing(app, session, boxes, fields, field):
    before = session.scalar(select(func.count()).select_from(Deployment))
    values = {"name": "演练", "kind": "drill", "expected_return_at": utcnow() + timedelta(hours=5), **fields}
    with pytest.raises(InvalidInput) as error:
        deployments.create_deployment(session, CLI, **values)
    assert field in error.value.fields
    assert session.scalar(select(func.count()).select_from(Deployment)) == before


def test_check_out_hangs_the_box_under_the_deployment_without_ledger_movements(app, session, boxes):
    deployment = make_deployment(app)
    movements = stock_counts(app)
    done = deployments.check_out(session, CLI, boxes.boxes[0].lower(), deployment)
    assert done.checkout.from_status == KitStatus.READY
    assert status_of(session, boxes.boxes[0]) == KitStatus.DEPLOYED
    assert parent_of(session, boxes.boxes[0]) == session.get(Deployment, deployment).code
    assert stock_counts(app) == movements  # the contents travel in the box
    with pytest.raises(Conflict) as error:
        deployments.check_out(session, CLI, boxes.boxes[0], make_deployment(app, "另一次"))
    assert session.get(Deployment, deployment).code in error.value.message


def test_check_in_posts_consumption_damage_and_loss_and_the_box_waits_for_inspection(app, session, boxes):
    deployment = make_deployment(app)
    code = boxes.boxes[0]
    deployments.check_out(session, CLI, code, deployment)
    done = deployments.check_in(session, CLI, code, usage=[
        {"item_id": boxes.rope, "consumed": 1, "damaged": 1},
        {"item_id": boxes.foam, "lot": "F-1", "lost": 1}])
    session.rollback()
    assert status_of(session, code) == KitStatus.RETURNED
    assert parent_of(session, code) == boxes.depot.codes["zone"]
    reasons = sorted(m.reason for m in done.movements)
    assert reasons == sorted([Reason.CONSUME, Reason.MOVE, Reason.DISPOSE])
    assert all(m.reference == session.get(Deployment, deployment).code for m in done.movements)
    quarantined = session.scalar(select(StockBalance.quantity).where(
        StockBalance.location_id == boxes.depot.quarantine, StockBalance.item_id == boxes.rope))
    assert quarantined == 1
    checkout = session.scalar(select(KitCheckout).where(KitCheckout.deployment_id == deployment))
    assert (checkout.consumed, checkout.damaged, checkout.lost) == (1, 1, 1)
    assert ledger.check(session) == []
    # Inspection sends it to restock: it is now short of rope and foam.
    kits.inspect_kit(session, CLI, code, outcome="passed")
    assert status_of(session, code) == KitStatus.RESTOCKING


@pytest.mark.parametrize("usage, field", [
    ([{"item_id": "x"}], "usage.0.item_id"),
    ([{"item_id": 999999}], "usage.0.item_id"),
    ([{"item_id": "ROPE", "consumed": 1}], "usage.0.item_id"),
    ("all", "usage"),
    (["x"], "usage.0"),
])
def test_bad_usage_is_refused_and_the_box_stays_out(app, session, boxes, usage, field):
    deployment = make_deployment(app)
    code = boxes.boxes[0]
    deployments.check_out(session, CLI, code, deployment)
    before = stock_counts(app)
    with pytest.raises(InvalidInput) as error:
        deployments.check_in(session, CLI, code, usage=usage)
    assert field in error.value.fields
    assert status_of(session, code) == KitStatus.DEPLOYED
    assert stock_counts(app) == before


def test_usage_beyond_what_the_box_held_is_refused(app, session, boxes):
    deployment = make_deployment(app)
    code = boxes.boxes[0]
    deployments.check_out(session, CLI, code, deployment)
    for usage in ({"consumed": 2, "lost": 1}, {"consumed": -1}, {"damaged": True}):
        with pytest.raises(InvalidInput):
            deployments.check_in(session, CLI, code, usage=[{"item_id": boxes.rope, **usage}])
    assert status_of(session, code) == KitStatus.DEPLOYED


def test_check_in_of_a_box_that_is_not_out_and_unknown_boxes(app, session, boxes):
    with pytest.raises(Conflict):
        deployments.check_in(session, CLI, boxes.boxes[0])
    with pytest.raises(NotFound):
        deployments.check_in(session, CLI, "K-EQ-9999")
    with pytest.raises(NotFound):
        deployments.check_out(session, CLI, "K-EQ-9999", make_deployment(app))


def test_a_short_box_goes_out_only_on_a_confirmers_word_with_a_reason(app, session, boxes):
    deployment = make_deployment(app)
    code = boxes.boxes[0]
    kits.restock_kit(session, CLI, code, removals=[{"item_id": boxes.rope, "quantity": 1,
                                                    "to_location_id": boxes.depot.bin_b}])
    keeper = caller_for(session, make_user(app, "logistics"))
    officer = caller_for(session, make_user(app, "commander"))
    with pytest.raises(Conflict) as error:
        deployments.check_out(session, keeper, code, deployment)
    assert "override_reason" in error.value.fields and "T-ROPE −1" in error.value.message
    with pytest.raises(Forbidden):
        deployments.check_out(session, keeper, code, deployment, override_reason="急需")
    done = deployments.check_out(session, officer, code, deployment, override_reason="急需，缺绳先出")
    assert done.checkout.override_reason == "急需，缺绳先出"
    assert done.checkout.from_status == KitStatus.SHORT


def test_boxes_that_are_not_resting_cannot_go_out(app, session, boxes):
    deployment = make_deployment(app)
    kits.change_kit_status(session, CLI, boxes.boxes[1], status="quarantined", note="受潮")
    with pytest.raises(Conflict) as error:
        deployments.check_out(session, CLI, boxes.boxes[1], deployment)
    assert "quarantined" in error.value.message


def test_a_closed_deployment_takes_nothing_and_closes_only_when_everything_is_back(app, session, boxes):
    deployment = make_deployment(app)
    deployments.check_out(session, CLI, boxes.boxes[0], deployment)
    deployments.issue_loose(session, CLI, deployment, item_id=boxes.rope, quantity=5)
    with pytest.raises(Conflict) as error:
        deployments.close_deployment(session, CLI, deployment)
    assert boxes.boxes[0] in error.value.message
    deployments.check_in(session, CLI, boxes.boxes[0])
    with pytest.raises(Conflict) as error:
        deployments.close_deployment(session, CLI, deployment)
    assert "5" in error.value.message
    deployments.return_loose(session, CLI, deployment, item_id=boxes.rope, returned=3, consumed=1, lost=1,
                             to_location_id=boxes.depot.bin_b)
    closed = deployments.close_deployment(session, CLI, deployment)
    assert closed.closed_at is not None
    with pytest.raises(Conflict):
        deployments.check_out(session, CLI, boxes.boxes[1], deployment)
    with pytest.raises(Conflict):
        deployments.issue_loose(session, CLI, deployment, item_id=boxes.rope, quantity=1)
    with pytest.raises(Conflict):
        deployments.close_deployment(session, CLI, deployment)
    assert ledger.check(session) == []


def test_loose_items_out_and_back_through_the_ledger(app, session, boxes):
    deployment = make_deployment(app, kind="incident")
    posted = deployments.issue_loose(session, CLI, deployment, item_id=boxes.foam, quantity=4)
    assert [m.reason for m in posted] == [Reason.ISSUE] and posted[0].purpose == "incident"
    with pytest.raises(InvalidInput):
        deployments.return_loose(session, CLI, deployment, item_id=boxes.foam, lot="F-1", returned=5,
                                 to_location_id=boxes.depot.bin_a)
    with pytest.raises(InvalidInput):
        deployments.return_loose(session, CLI, deployment, item_id=boxes.foam, lot="F-1", returned=1)
    with pytest.raises(Conflict):
        deployments.issue_loose(session, CLI, deployment, item_id=boxes.foam, quantity=10_000)
    deployments.return_loose(session, CLI, deployment, item_id=boxes.foam, lot="F-1", returned=2, damaged=2,
                             to_location_id=boxes.depot.bin_a)
    session.rollback()
    location = session.get(Deployment, deployment).location_id
    out_there = select(func.sum(StockBalance.quantity)).where(StockBalance.location_id == location)
    assert session.scalar(out_there) == 0
    assert ledger.check(session) == []


def test_undo_check_out_and_check_in(app, session, boxes):
    deployment = make_deployment(app)
    code = boxes.boxes[0]
    done = deployments.check_out(session, CLI, code, deployment)
    from warehouse.database import write_transaction

    with write_transaction(session):
        deployments.undo_check_out(session, CLI, done.checkout.id)
    assert status_of(session, code) == KitStatus.READY
    assert parent_of(session, code) == boxes.depot.codes["zone"]
    assert session.scalar(select(func.count()).select_from(KitCheckout)) == 0
    done = deployments.check_out(session, CLI, code, deployment)
    usage = [{"item_id": boxes.rope, "consumed": 2, "damaged": 0},
             {"item_id": boxes.foam, "lot": "F-1", "damaged": 1}]
    back = deployments.check_in(session, CLI, code, usage=usage)
    before = session.scalar(select(func.count()).select_from(StockMovement))
    with write_transaction(session):
        deployments.undo_check_in(session, CLI, back.checkout.id, [m.id for m in back.movements])
    assert status_of(session, code) == KitStatus.DEPLOYED
    assert session.scalar(select(func.count()).select_from(StockMovement)) == before + 2
    assert kits.measure(session, session.scalar(select(Kit).where(Kit.code == code))).complete
    assert ledger.check(session) == []


def test_stock_out_with_a_deployment_changes_only_through_check_in_and_returns(app, session, boxes):
    from warehouse.services import stock

    deployment = make_deployment(app)
    code = boxes.boxes[0]
    deployments.check_out(session, CLI, code, deployment)
    deployments.issue_loose(session, CLI, deployment, item_id=boxes.rope, quantity=2)
    session.rollback()
    box = session.scalar(select(Kit.location_id).where(Kit.code == code))
    out_there = session.get(Deployment, deployment).location_id
    before = stock_counts(app)
    for location in (box, out_there):
        with pytest.raises(Conflict) as error:
            stock.adjust_stock(session, CLI, item_id=boxes.rope, location_id=location, change=-1, note="丢了")
        assert "checked in" in error.value.message
        with pytest.raises(Conflict):
            stock.adjust_stock(session, CLI, item_id=boxes.rope, location_id=location, change=1, note="多了")
    assert stock_counts(app) == before
    # Back in, the box is a depot place again.
    deployments.check_in(session, CLI, code)
    stock.adjust_stock(session, CLI, item_id=boxes.rope, location_id=box, change=-1, note="盘点少一根")
