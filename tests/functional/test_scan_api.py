"""The scan station's API over HTTP: check out, check in, look up, replay, refusals, garbage, undo."""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.api_client import Api, assert_error
from tests.builders import CLI, Client, in_days, make_box_depot, make_deployment, make_user
from warehouse import create_app
from warehouse.domain.accounts import Role
from warehouse.domain.kits import KitStatus
from warehouse.domain.stock import Reason
from warehouse.extensions import db
from warehouse.models import (
    Deployment,
    Kit,
    KitCheckout,
    KitEvent,
    Location,
    ScanEvent,
    StockBalance,
    StockMovement,
)
from warehouse.services import deployments, kits, ledger

SCANS = "/api/v1/scans"
FOAM = {"sku": "T-FOAM", "name_zh": "水成膜泡沫灭火剂", "name_en": "AFFF foam concentrate", "unit": "drum"}
ROPE = {"sku": "T-ROPE", "name_zh": "静力绳", "name_en": "Static rope", "unit": "piece"}
MODULE = {"code": "EQ", "name_zh": "地震救援模块", "name_en": "Earthquake rescue module"}
TEMPLATE = {"code": "BOX-EQ", "name_zh": "破拆箱", "name_en": "Breaching kit"}


@pytest.fixture
def api(app, users) -> Api:
    return Api(app, users, writer=Role.LOGISTICS)


@pytest.fixture
def depot(app):
    return make_box_depot(app, 3)


@pytest.fixture
def drill(app, depot) -> int:
    return make_deployment(app, "龙山区地震救援演练")


@dataclass(frozen=True)
class Station:
    """A depot with three ready boxes and an open drill, shared by the tests whose scans are refused."""

    app: object
    api: Api
    depot: object
    drill: int


@pytest.fixture(scope="module")
def shared(sqlite_template, tmp_path_factory):
    """Build the station once: a refused scan only adds a row to the log, which these tests allow for."""
    path = tmp_path_factory.mktemp("scan_api") / "warehouse.db"
    shutil.copy(sqlite_template, path)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    app.test_client_class = Client
    users = {role: make_user(app, role, username=role.value.replace("_", "")) for role in Role}
    depot = make_box_depot(app, 3)
    drill = make_deployment(app, "龙山区地震救援演练")
    yield Station(app, Api(app, users, writer=Role.LOGISTICS), depot, drill)
    with app.app_context():
        db.engine.dispose()


def scan(api: Api, body, role: Role = Role.LOGISTICS, **headers):
    """POST a scan with the role's token (and any extra headers); return the response."""
    headers = {"Authorization": f"Bearer {api.tokens[role]}", "Accept-Language": "en",
               "Content-Type": "application/json", **headers}
    # ASCII JSON, so a lone surrogate travels as the escape a client would send.
    return api.app.test_client().post(SCANS, data=json.dumps(body), headers=headers)


def post_raw(api: Api, data: bytes, content_type: str | None = "application/json"):
    """POST raw bytes as a scan body."""
    headers = {"Authorization": f"Bearer {api.tokens[Role.LOGISTICS]}"}
    if content_type:
        headers["Content-Type"] = content_type
    return api.app.test_client().post(SCANS, data=data, headers=headers)


def refused(response, status: int, code: str, field: str | None = None) -> dict:
    """Check a refused scan: the API's error shape plus the scan as the station shows it."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert set(body) == {"error", "scan"}, body
    assert set(body["error"]) == {"code", "message", "fields"} and body["error"]["code"] == code
    if field is not None:
        assert field in body["error"]["fields"], body
    scan_body = body["scan"]
    assert scan_body["ok"] is False and scan_body["message"] == body["error"]["message"]
    return body


def state(app) -> dict:
    """Count what a scan may write: check-outs, box events, movements, scans; and box statuses."""
    with app.app_context():
        s = db.session
        found = {model.__name__: s.scalar(select(func.count()).select_from(model))
                 for model in (KitCheckout, KitEvent, StockMovement, ScanEvent)}
        found["statuses"] = dict(s.execute(select(Kit.code, Kit.status)).all())
        db.session.remove()
    return found


def code_of(app, deployment_id: int) -> str:
    with app.app_context():
        code = db.session.get(Deployment, deployment_id).code
        db.session.remove()
    return code


def contents(app, code: str) -> dict:
    """Return what a box holds: {(sku, lot): quantity}."""
    from warehouse.models import Item, Lot

    with app.app_context():
        kit = db.session.scalar(select(Kit).where(Kit.code == code))
        rows = db.session.execute(
            select(Item.sku, Lot.code, StockBalance.quantity).join(Item, Item.id == StockBalance.item_id)
            .outerjoin(Lot, Lot.id == StockBalance.lot_id)
            .where(StockBalance.location_id == kit.location_id, StockBalance.quantity > 0)).all()
        db.session.remove()
    return {(sku, lot): quantity for sku, lot, quantity in rows}


def kit_body(depot, code: str, status: str, deployment: dict | None, **changes) -> dict:
    """The box summary a scan shows of a full box of the depot."""
    return {
        "code": code, "status": status, "ready": True, "module": MODULE, "template": TEMPLATE,
        "home": depot.depot.codes["zone"], "earliest_expiry": in_days(700).isoformat(), "shortfalls": [],
        "contents": [{"item_id": depot.foam, **FOAM, "lot": "F-1", "quantity": 1},
                     {"item_id": depot.rope, **ROPE, "lot": None, "quantity": 2}],
        "deployment": deployment, **changes}


# --- check out, check in, look up --------------------------------------------------------------

def test_a_label_url_checks_a_box_out_with_the_box_summary(app, api, depot, drill):
    code = depot.boxes[0]
    url = f"http://127.0.0.1:5000/k/{code}"
    before = state(app)
    response = scan(api, {"code": url, "action": "check_out", "deployment_id": drill,
                          "idempotency_key": str(uuid.uuid4()), "station": "保管室 PC-1"})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    held_by = {"id": drill, "code": code_of(app, drill), "name": "龙山区地震救援演练"}
    message = f"box {code} out with {held_by['code']}"
    assert body == {
        "scan_id": body["scan_id"], "action": "check_out", "result": "checked_out", "ok": True, "code": url,
        "message": message, "display_message": message,
        "kit": kit_body(depot, code, "deployed", held_by), "deployment": held_by,
        "target": {"kind": "kit", "code": code}, "checkout_id": body["checkout_id"]}
    after = state(app)
    assert after["statuses"][code] == KitStatus.DEPLOYED
    assert (after["KitCheckout"], after["ScanEvent"], after["StockMovement"]) == \
        (before["KitCheckout"] + 1, before["ScanEvent"] + 1, before["StockMovement"])
    [logged] = api.get(f"{SCANS}?deployment_id={drill}", Role.COMMANDER)["items"]
    assert logged | {"at": None} == {
        "id": body["scan_id"], "at": None, "user_id": logged["user_id"], "actor_name": "logistics",
        "address": "127.0.0.1", "station": "保管室 PC-1", "code": url, "action": "check_out",
        "result": "checked_out", "status": 201, "message": message, "deployment_id": drill,
        "kit_id": logged["kit_id"], "undone_at": None}


def test_a_check_in_with_usage_posts_it_through_the_ledger(app, api, depot, drill):
    code = depot.boxes[0]
    scan(api, {"code": code, "action": "check_out", "deployment_id": drill})
    deployment_code = code_of(app, drill)
    response = scan(api, {"code": f"/k/{code.lower()}", "action": "check_in", "usage": [
        {"item_id": depot.rope, "consumed": 1, "damaged": 1},
        {"item_id": depot.foam, "lot": "F-1", "lost": 1}]})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert (body["result"], body["ok"], body["usage"]) == \
        ("checked_in", True, {"consumed": 1, "damaged": 1, "lost": 1})
    assert body["message"] == f"box {code} back from {deployment_code}: to inspect"
    # Whatever was used, damaged or lost has left the box; it is home, waiting for inspection.
    assert body["kit"]["status"] == "returned" and body["kit"]["deployment"] is None
    assert contents(app, code) == {}
    assert state(app)["statuses"][code] == KitStatus.RETURNED
    with app.app_context():
        s = db.session
        moved = s.scalars(select(StockMovement).where(StockMovement.id.in_(body["movement_ids"]))).all()
        assert sorted((m.reason, m.item_id, m.quantity, m.to_location_id) for m in moved) == sorted([
            (Reason.CONSUME, depot.rope, 1, None), (Reason.MOVE, depot.rope, 1, depot.depot.quarantine),
            (Reason.DISPOSE, depot.foam, 1, None)])
        assert {m.reference for m in moved} == {deployment_code}
        assert s.scalar(select(StockBalance.quantity).where(
            StockBalance.location_id == depot.depot.quarantine, StockBalance.item_id == depot.rope)) == 1
        assert ledger.check(s) == []
        kit = s.scalar(select(Kit).where(Kit.code == code))
        assert s.get(Location, kit.location_id).parent_id == depot.depot.zone
        db.session.remove()


def test_a_quick_check_in_brings_everything_back(app, api, depot, drill):
    code = depot.boxes[1]
    scan(api, {"code": code, "action": "check_out", "deployment_id": drill})
    body = scan(api, {"code": code, "action": "check_in"}).json
    assert (body["usage"], body["movement_ids"]) == ({"consumed": 0, "damaged": 0, "lost": 0}, [])
    assert contents(app, code) == {("T-FOAM", "F-1"): 1, ("T-ROPE", None): 2}


def test_lookup_shows_a_box_and_names_other_things(app, api, depot, drill):
    code = depot.boxes[2]
    body = scan(api, {"code": code, "action": "lookup"}).json
    assert body == {"scan_id": body["scan_id"], "action": "lookup", "result": "found", "ok": True,
                    "code": code, "message": f"box {code}", "display_message": f"box {code}",
                    "kit": kit_body(depot, code, "ready", None), "deployment": None,
                    "target": {"kind": "kit", "code": code}}
    shelf = depot.depot.codes["bin_a"]
    found = scan(api, {"code": f"http://localhost/l/{shelf}", "action": "lookup"}).json
    assert (found["target"], found["kit"], found["message"]) == \
        ({"kind": "location", "code": shelf}, None, f"{shelf} is a location")


# --- idempotency --------------------------------------------------------------------------------

def test_a_retry_with_the_same_key_replays_the_first_answer_and_acts_once(app, api, depot, drill):
    key = str(uuid.uuid4())
    body = {"code": depot.boxes[0], "action": "check_out", "deployment_id": drill, "idempotency_key": key}
    first = scan(api, body)
    before = state(app)
    again = scan(api, body)
    assert (again.status_code, again.json) == (201, first.json)
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert state(app) == before  # nothing acted, nothing logged twice
    # A refusal is replayed too: the key stands for the first answer, whatever it was.
    other = make_deployment(app, "另一次演练")
    refusal = {"code": depot.boxes[0], "action": "check_out", "deployment_id": other,
               "idempotency_key": str(uuid.uuid4())}
    first_refusal = scan(api, refusal)
    replayed = scan(api, refusal)
    assert (replayed.status_code, replayed.json) == (409, first_refusal.json)
    assert replayed.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_body_is_422_and_acts_on_nothing(app, api, depot, drill):
    key = str(uuid.uuid4())
    scan(api, {"code": depot.boxes[0], "action": "check_out", "deployment_id": drill, "idempotency_key": key})
    before = state(app)
    response = scan(api, {"code": depot.boxes[1], "action": "check_out", "deployment_id": drill,
                          "idempotency_key": key})
    assert_error(response, 422, "invalid_input", "idempotency_key")
    assert state(app) == before
    # Keys are the user's own: a supply officer's same key is a new scan.
    assert scan(api, {"code": depot.boxes[1], "action": "check_out", "deployment_id": drill,
                      "idempotency_key": key}, Role.SUPPLY_OFFICER).status_code == 201


# --- refusals -----------------------------------------------------------------------------------

def test_an_unknown_code_is_404_echoing_it_as_text(app, api, depot, drill):
    code = 'K-EQ-<script>alert("x")</script>'
    response = scan(api, {"code": code, "action": "check_out", "deployment_id": drill})
    body = refused(response, 404, "not_found", "code")
    assert response.mimetype == "application/json"
    assert json.loads(response.get_data(as_text=True)) == body  # valid JSON, the code inside as text
    assert body["error"]["message"] == f"nothing has the code {code}"
    assert body["scan"]["code"] == code and body["scan"]["result"] == "not_found"


def test_a_label_of_another_host_is_404(app, api, depot, drill):
    url = f"https://other-depot.example/k/{depot.boxes[0]}"
    body = refused(scan(api, {"code": url, "action": "check_out", "deployment_id": drill}), 404, "not_found")
    assert "other-depot.example" in body["error"]["message"]
    assert state(app)["statuses"][depot.boxes[0]] == KitStatus.READY


@pytest.mark.parametrize("code, what", [
    ("T-A-R01-B01", "a location"),
    ("http://127.0.0.1:5000/l/T-A-R01-B02", "a location"),
    ("T-ROPE", "a catalogue item"),
    ("/i/T-FOAM", "a catalogue item"),
])
def test_a_location_or_item_at_the_box_prompt_is_422_saying_what_it_is(shared, code, what):
    for action in ("check_out", "check_in"):
        body = refused(scan(shared.api, {"code": code, "action": action, "deployment_id": shared.drill}),
                       422, "invalid_input", "code")
        assert body["error"]["message"].endswith(f"is {what}, not a box")
        assert body["scan"]["result"] == "wrong_kind"


def test_a_deployed_box_is_409_naming_the_deployment_holding_it(app, api, depot, drill):
    code = depot.boxes[0]
    scan(api, {"code": code, "action": "check_out", "deployment_id": drill})
    other = make_deployment(app, "西安区高层住宅火灾", kind="incident")
    body = refused(scan(api, {"code": code, "action": "check_out", "deployment_id": other}), 409, "conflict")
    holder = code_of(app, drill)
    assert body["error"]["message"] == f"box {code} is already out with {holder} (龙山区地震救援演练)"
    assert body["scan"]["kit"]["deployment"] == {"id": drill, "code": holder, "name": "龙山区地震救援演练"}


def test_checking_in_a_box_that_is_not_out_is_409(app, api, depot, drill):
    body = refused(scan(api, {"code": depot.boxes[0], "action": "check_in"}), 409, "conflict", "code")
    assert body["error"]["message"] == f"box {depot.boxes[0]} is not out (it is ready)"


def test_a_closed_deployment_takes_no_box(app, api, depot, drill):
    with app.app_context():
        deployments.close_deployment(db.session, CLI, drill)
        db.session.remove()
    before = state(app)
    body = refused(scan(api, {"code": depot.boxes[0], "action": "check_out", "deployment_id": drill}),
                   409, "conflict", "deployment_id")
    assert body["error"]["message"] == f"deployment {code_of(app, drill)} was closed"
    assert state(app) | {"ScanEvent": 0} == before | {"ScanEvent": 0}


def test_a_short_box_goes_out_only_with_a_confirmers_reason(app, api, depot, drill):
    code = depot.boxes[0]
    with app.app_context():
        kits.restock_kit(db.session, CLI, code, removals=[
            {"item_id": depot.rope, "quantity": 1, "to_location_id": depot.depot.bin_b}])
        db.session.remove()
    asked = refused(scan(api, {"code": code, "action": "check_out", "deployment_id": drill}),
                    409, "conflict", "override_reason")
    assert asked["scan"]["kit"]["shortfalls"] == [{**{k: ROPE[k] for k in ("sku", "name_zh", "name_en")},
                                                   "missing": 1, "optional": False}]
    body = {"code": code, "action": "check_out", "deployment_id": drill, "override_reason": "急需，缺绳先出"}
    assert refused(scan(api, body), 403, "forbidden")["scan"]["result"] == "forbidden"
    confirmed = scan(api, body, Role.COMMANDER)
    assert confirmed.status_code == 201
    [checkout] = api.get(f"/api/v1/deployments/{drill}")["checkouts"]
    assert (checkout["kit"], checkout["override_reason"], checkout["out_by"]) == \
        (code, "急需，缺绳先出", "commander")


# --- garbage ------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [
    "K-EQ\x07-0001", "K-EQ-0001\x00", "\x00", "K" * 10_240, "", "   ", "\t\r\n", "K-EQ-\u202e0001",
    "K-EQ-\ud800", 5, 0, -1, 1.5, 1e308, True, False, None, [], ["K-EQ-0001"], {}, {"code": "K-EQ-0001"},
    "https://127.0.0.1:5000/x/y",
])
def test_a_garbage_code_is_400_logged_and_acts_on_nothing(shared, code):
    before = state(shared.app)
    response = scan(shared.api, {"code": code, "action": "check_out", "deployment_id": shared.drill})
    body = refused(response, 400, "bad_request", "code")
    assert body["scan"]["result"] == "invalid"
    after = state(shared.app)
    assert after == before | {"ScanEvent": before["ScanEvent"] + 1}
    [logged] = shared.api.get(f"{SCANS}?result=invalid&per_page=1")["items"]
    assert logged["id"] == body["scan"]["scan_id"] and logged["status"] == 400
    assert len(logged["code"]) <= 320 and not any(ch in logged["code"] for ch in "\x00\x07\u202e")


@pytest.mark.parametrize("data, content_type", [
    (b"\xff\xfe\xfd{", "application/json"),  # not UTF-8
    (b'{"code": "K-EQ-0001", "action": "lookup"\xff}', "application/json"),
    (b"K-EQ-0001", "application/json"),  # not JSON
    (b"{'code': 'K-EQ-0001'}", "application/json"),
    (b"", "application/json"),
    (b"   ", "application/json"),
    (b"", None),
    (b"code=K-EQ-0001&action=lookup", "application/x-www-form-urlencoded"),
    (b'{"code": "K-EQ-0001", "action": "lookup"}', "text/plain"),
    (b"null", "application/json"),
    (b"[]", "application/json"),
    (b'["K-EQ-0001", "lookup"]', "application/json"),
    (b"42", "application/json"),
    (b'"K-EQ-0001"', "application/json"),
    (b"[" * 100_000, "application/json"),  # deeper than the JSON decoder goes
    (b"[" * 900 + b"]" * 900, "application/json"),
    (b'{"code": ' + b"[" * 800 + b"]" * 800 + b', "action": "lookup"}', "application/json"),
])
def test_a_body_that_is_no_json_object_is_400_and_writes_nothing(shared, data, content_type):
    before = state(shared.app)
    assert_error(post_raw(shared.api, data, content_type), 400, "bad_request", "json")
    assert state(shared.app) == before


@pytest.mark.parametrize("changes, field", [
    ({"action": 5}, "action"),
    ({"action": "steal"}, "action"),
    ({"action": None}, "action"),
    ({"deployment_id": "one"}, "deployment_id"),
    ({"deployment_id": 0}, "deployment_id"),
    ({"deployment_id": 2**63}, "deployment_id"),
    ({"deployment_id": [1]}, "deployment_id"),
    ({"station": 5}, "station"),
    ({"station": "x" * 121}, "station"),
    ({"station": "PC\x00"}, "station"),
    ({"station": "PC-\ud800"}, "station"),
    ({"\ud800": 1}, "\\ud800"),  # the field is named, escaped
    ({"override_reason": ["x"]}, "override_reason"),
    ({"idempotency_key": 12345678}, "idempotency_key"),
    ({"idempotency_key": "short"}, "idempotency_key"),
    ({"idempotency_key": "<script>alert(1)</script>"}, "idempotency_key"),
    ({"usage": "all"}, "usage"),
    ({"usage": [{"item_id": 1, "consumed": 1.5}]}, "usage.0.consumed"),
    ({"usage": [{"item_id": 1, "consumed": "1"}]}, "usage.0.consumed"),
    ({"usage": [{"item_id": 1, "consumed": -1}]}, "usage.0.consumed"),
    ({"usage": [{"item_id": 1, "colour": "red"}]}, "usage.0.colour"),
    ({"usage": [{"item_id": 1, "lot": "F-\udfff"}]}, "usage.0.lot"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_field_other_than_the_code_is_422_naming_it(shared, changes, field):
    before = state(shared.app)
    body = {"code": shared.depot.boxes[0], "action": "check_out", "deployment_id": shared.drill, **changes}
    assert_error(scan(shared.api, body), 422, "invalid_input", field)
    assert state(shared.app) == before


def test_check_out_needs_a_deployment_and_an_unknown_one_is_refused(shared):
    code = shared.depot.boxes[0]
    refused(scan(shared.api, {"code": code, "action": "check_out"}), 422, "invalid_input", "deployment_id")
    refused(scan(shared.api, {"code": code, "action": "check_out", "deployment_id": 999_999}),
            422, "invalid_input", "deployment_id")
    assert state(shared.app)["statuses"][code] == KitStatus.READY


# Text a forged request may carry: control and format characters, lone surrogates, CJK, spaces.
ODD_TEXT = st.text(alphabet=st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zs", "Lo"]), max_size=40)
JSON_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
                | ODD_TEXT)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8) | ODD_TEXT, inner, max_size=4), max_leaves=12)
SCANNED = st.one_of(
    st.text(max_size=400),
    ODD_TEXT,
    st.sampled_from(["K-EQ-0001", "/k/K-EQ-0002", "http://127.0.0.1:5000/k/K-EQ-0003", "T-ROPE", "T-A"]),
    JSON_VALUES,
)


@settings(max_examples=80, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(code=SCANNED, action=st.sampled_from(["check_out", "check_in", "lookup"]) | JSON_SCALARS,
       extra=st.dictionaries(st.sampled_from(["deployment_id", "usage", "idempotency_key", "station",
                                              "override_reason"]), JSON_VALUES, max_size=3))
def test_no_scan_body_makes_the_server_fail(app, api, depot, drill, code, action, extra):
    response = scan(api, {"code": code, "action": action, **extra})
    assert response.status_code in (200, 201, 400, 403, 404, 409, 422), response.get_data(as_text=True)
    body = response.json
    if response.status_code >= 400:
        assert set(body["error"]) == {"code", "message", "fields"}


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_no_raw_body_makes_the_server_fail(shared, data):
    response = post_raw(shared.api, data)
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert set(response.json["error"]) == {"code", "message", "fields"}


# --- the log and undo ---------------------------------------------------------------------------

def test_every_refused_scan_is_in_the_scan_log(app, api, depot, drill):
    scan(api, {"code": depot.boxes[0], "action": "check_out", "deployment_id": drill})
    attempts = [
        ({"code": "K-EQ-9999", "action": "check_out", "deployment_id": drill}, 404, "not_found"),
        ({"code": "https://elsewhere.example/k/K-EQ-0001", "action": "lookup"}, 404, "not_found"),
        ({"code": "T-A-R01-B01", "action": "check_out", "deployment_id": drill}, 422, "wrong_kind"),
        ({"code": depot.boxes[0], "action": "check_out", "deployment_id": drill}, 409, "conflict"),
        ({"code": depot.boxes[1], "action": "check_in"}, 409, "conflict"),
        ({"code": "K\x00", "action": "lookup"}, 400, "invalid"),
        ({"code": ["K-EQ-0001"], "action": "lookup"}, 400, "invalid"),
    ]
    expected = []
    for body, status, result in attempts:
        response = scan(api, body)
        assert response.status_code == status, (body, response.get_data(as_text=True))
        answer = response.json["scan"]
        expected.append((answer["scan_id"], status, result, "logistics", answer["code"]))
    log = api.get(f"{SCANS}?per_page=200", Role.ADMIN)
    refusals = [(e["id"], e["status"], e["result"], e["actor_name"], e["code"]) for e in log["items"]
                if e["status"] >= 400]
    assert refusals == expected[::-1]  # newest first
    assert log["total"] == len(attempts) + 1
    assert [e["id"] for e in api.get(f"{SCANS}?result=conflict")["items"]] == [expected[4][0], expected[3][0]]


def test_the_last_scan_is_undone_over_http(app, api, depot, drill):
    code = depot.boxes[0]
    out = scan(api, {"code": code, "action": "check_out", "deployment_id": drill}).json
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api.tokens[Role.SUPPLY_OFFICER]}"}
    assert_error(client.post(f"{SCANS}/{out['scan_id']}/undo", headers=headers), 404, "not_found")
    headers = {"Authorization": f"Bearer {api.tokens[Role.LOGISTICS]}", "Accept-Language": "en"}
    undone = client.post(f"{SCANS}/{out['scan_id']}/undo", headers=headers)
    assert undone.status_code == 200, undone.get_data(as_text=True)
    assert (undone.json["result"], undone.json["undoes"], undone.json["kit"]["status"],
            undone.json["message"]) == ("undone", out["scan_id"], "ready", f"scan of {code} undone")
    assert state(app)["statuses"][code] == KitStatus.READY
    assert_error(client.post(f"{SCANS}/{out['scan_id']}/undo", headers=headers), 409, "conflict", "scan")
    assert_error(client.post(f"{SCANS}/999999/undo", headers=headers), 404, "not_found")
    log = api.get(f"{SCANS}?deployment_id={drill}")["items"]
    assert [(e["result"], e["undone_at"] is not None) for e in log] == \
        [("undone", False), ("checked_out", True)]


# --- sessions, roles, the document --------------------------------------------------------------

def test_a_browser_session_scans_only_with_the_csrf_header(app, users, depot, drill):
    client = app.test_client().sign_in(users[Role.LOGISTICS])
    body = {"code": depot.boxes[0], "action": "check_out", "deployment_id": drill}
    before = state(app)
    assert_error(client.post(SCANS, json=body), 400, "csrf_failed")
    assert state(app) == before
    response = client.post(SCANS, json=body, headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 201 and response.json["result"] == "checked_out"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_scans_and_reads_the_log(app, api, depot, drill, role):
    response = scan(api, {"code": depot.boxes[0], "action": "check_out", "deployment_id": drill}, role)
    assert response.status_code == 201
    assert api.get(SCANS, role)["total"] == 1


def test_anonymous_callers_cannot_scan(app, depot, drill):
    before = state(app)
    response = app.test_client().post(SCANS, json={"code": depot.boxes[0], "action": "lookup"})
    assert_error(response, 401, "unauthenticated")
    assert state(app) == before


def test_the_scan_and_deployment_endpoints_are_in_the_openapi_document(client_as):
    document = client_as(Role.LOGISTICS).get("/api/v1/openapi.json").json
    paths = document["paths"]
    assert set(paths["/api/v1/scans"]) >= {"get", "post"}
    documented = set(paths["/api/v1/scans"]["post"]["responses"])
    assert {"200", "201", "400", "403", "404", "409", "422"} <= documented
    assert "post" in paths["/api/v1/scans/{scan_id}/undo"]
    assert set(paths["/api/v1/deployments"]) >= {"get", "post"}
    assert set(paths["/api/v1/deployments/{deployment_id}"]) >= {"get", "patch"}
    for action in ("close", "issues", "returns"):
        assert "post" in paths[f"/api/v1/deployments/{{deployment_id}}/{action}"]
    assert "get" in paths["/api/v1/deployments/overdue"]
    assert "Deployment" in document["components"]["schemas"]
