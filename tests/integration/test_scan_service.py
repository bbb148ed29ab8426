"""The scan station service: every scan logged, retries replayed, refusals answered and logged."""

import pytest
from sqlalchemy import func, select

from tests.builders import make_box_depot, make_deployment, make_user
from warehouse.domain.deployments import ScanResult
from warehouse.domain.errors import BadRequest, InvalidInput
from warehouse.domain.kits import KitStatus
from warehouse.models import Kit, KitCheckout, ScanEvent, StockMovement, User
from warehouse.services import scans
from warehouse.services.accounts import Caller

HOSTS = frozenset({"depot.example", "127.0.0.1"})


@pytest.fixture
def station(app, session):
    boxes = make_box_depot(app, 3)
    user = make_user(app, "logistics")
    caller = Caller(session.get(User, user.id), "10.0.0.7")
    return boxes, caller, make_deployment(app)


def do(session, caller, code, action="check_out", **fields):
    return scans.scan(session, caller, code=code, action=action, known_hosts=HOSTS,
                      where=scans.Station("10.0.0.7", "Zebra TC21"), **fields)


def logged(session) -> list[ScanEvent]:
    session.rollback()
    return list(session.scalars(select(ScanEvent).order_by(ScanEvent.id)))


def test_a_label_url_checks_the_box_out_and_the_scan_is_logged(app, session, station):
    boxes, caller, deployment = station
    answer = do(session, caller, f"https://depot.example/k/{boxes.boxes[0]}", deployment_id=deployment)
    assert answer.status == 201 and answer.body["result"] == "checked_out" and answer.body["ok"]
    assert answer.body["kit"]["status"] == "deployed"
    assert answer.body["kit"]["deployment"]["id"] == deployment
    assert answer.body["kit"]["module"]["code"] == "EQ"
    [event] = logged(session)
    assert (event.user_id, event.address, event.station, event.kit_id, event.deployment_id) == \
        (caller.user.id, "10.0.0.7", "Zebra TC21", answer.body["kit"] and event.kit_id, deployment)
    assert answer.body["scan_id"] == event.id and event.outcome["result"] == "checked_out"


def test_a_retry_with_the_same_key_replays_and_another_body_is_422(app, session, station):
    boxes, caller, deployment = station
    first = do(session, caller, boxes.boxes[0], deployment_id=deployment, idempotency_key="c0ffee00-0001")
    again = do(session, caller, boxes.boxes[0], deployment_id=deployment, idempotency_key="c0ffee00-0001")
    assert again.replayed and again.status == 201 and again.body == first.body
    assert session.scalar(select(func.count()).select_from(KitCheckout)) == 1
    with pytest.raises(InvalidInput) as error:
        do(session, caller, boxes.boxes[1], deployment_id=deployment, idempotency_key="c0ffee00-0001")
    assert "idempotency_key" in error.value.fields
    # Keys are per user: another user's same key is a new scan.
    other = Caller(session.get(User, make_user(app, "logistics").id), "10.0.0.8")
    answer = do(session, other, boxes.boxes[1], deployment_id=deployment, idempotency_key="c0ffee00-0001")
    assert answer.status == 201 and not answer.replayed


@pytest.mark.parametrize("code, status, result", [
    ("K-EQ-9999", 404, "not_found"),
    ("https://elsewhere.example/k/K-EQ-0001", 404, "not_found"),
    ("T-A-R01-B01", 422, "wrong_kind"),
    ("T-ROPE", 422, "wrong_kind"),
    ("https://depot.example/x/y", 400, "invalid"),
    ("K-EQ\x07-0001", 400, "invalid"),
    ("K" * 301, 400, "invalid"),
    ("   ", 400, "invalid"),
    (12, 400, "invalid"),
])
def test_refused_scans_answer_clearly_and_are_logged_with_nothing_else_written(app, session, station, code,
                                                                               status, result):
    boxes, caller, deployment = station
    movements = session.scalar(select(func.count()).select_from(StockMovement))
    answer = do(session, caller, code, deployment_id=deployment)
    assert (answer.status, answer.body["result"], answer.body["ok"]) == (status, result, False)
    assert answer.body["error"]["message"]
    [event] = logged(session)
    assert event.result == result and event.status == status
    assert "\x07" not in event.code and len(event.code) <= 320
    assert session.scalar(select(func.count()).select_from(StockMovement)) == movements
    assert session.scalar(select(func.count()).select_from(KitCheckout)) == 0


def test_a_location_at_the_box_prompt_says_what_it_is(app, session, station):
    boxes, caller, deployment = station
    answer = do(session, caller, "T-A-R01-B01", deployment_id=deployment)
    assert "is a location, not a box" in answer.body["error"]["message"]
    lookup = do(session, caller, "T-A-R01-B01", action="lookup")
    assert lookup.status == 200 and lookup.body["target"] == {"kind": "location", "code": "T-A-R01-B01"}


def test_a_deployed_box_is_refused_naming_its_deployment_and_the_refusal_shows_the_box(app, session, station):
    boxes, caller, deployment = station
    do(session, caller, boxes.boxes[0], deployment_id=deployment)
    other = make_deployment(app, "另一次演练")
    answer = do(session, caller, boxes.boxes[0], deployment_id=other)
    assert answer.status == 409 and answer.body["result"] == "conflict"
    code = session.get(__import__("warehouse.models", fromlist=["Deployment"]).Deployment, deployment).code
    assert code in answer.body["error"]["message"]
    assert answer.body["kit"]["deployment"]["code"] == code
    assert logged(session)[-1].kit_id is not None


def test_check_out_without_a_deployment_and_unknown_actions(app, session, station):
    boxes, caller, _ = station
    answer = do(session, caller, boxes.boxes[0])
    assert answer.status == 422 and "deployment_id" in answer.body["error"]["fields"]
    with pytest.raises(InvalidInput):
        do(session, caller, boxes.boxes[0], action="steal")
    with pytest.raises(InvalidInput):
        do(session, caller, boxes.boxes[0], idempotency_key="short")


def test_check_in_then_undo_only_the_last_scan(app, session, station):
    boxes, caller, deployment = station
    out = do(session, caller, boxes.boxes[0], deployment_id=deployment)
    back = do(session, caller, boxes.boxes[0], action="check_in",
              usage=[{"item_id": boxes.rope, "consumed": 1}])
    assert back.status == 200 and back.body["usage"] == {"consumed": 1, "damaged": 0, "lost": 0}
    with pytest.raises(Exception) as error:
        scans.undo(session, caller, out.body["scan_id"])
    assert getattr(error.value, "status", None) == 409
    undone = scans.undo(session, caller, back.body["scan_id"])
    assert undone.body["result"] == "undone" and undone.body["kit"]["status"] == "deployed"
    with pytest.raises(Exception) as error:
        scans.undo(session, caller, back.body["scan_id"])
    assert getattr(error.value, "status", None) == 409
    session.rollback()
    assert session.scalar(select(Kit.status).where(Kit.code == boxes.boxes[0])) == KitStatus.DEPLOYED
    other = Caller(session.get(User, make_user(app, "logistics").id), "x")
    with pytest.raises(Exception) as error:
        scans.undo(session, other, out.body["scan_id"])
    assert getattr(error.value, "status", None) == 404


def test_lookup_shows_contents_and_shortfalls(app, session, station):
    boxes, caller, _ = station
    answer = do(session, caller, f"/k/{boxes.boxes[0]}", action="lookup")
    kit = answer.body["kit"]
    assert kit["ready"] and kit["shortfalls"] == []
    assert {(c["sku"], c["quantity"]) for c in kit["contents"]} == {("T-FOAM", 1), ("T-ROPE", 2)}
    assert logged(session)[-1].result == ScanResult.FOUND


def test_clean_scan_is_a_bad_request(app):
    from warehouse.domain.deployments import clean_scan

    with pytest.raises(BadRequest):
        clean_scan("a\u200bb")
    assert clean_scan("\tK-EQ-0001\r\n") == "K-EQ-0001"
