"""The deployments API over HTTP: open, list, show, change, close; loose items; overdue; roles."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.api_client import Api, assert_error
from tests.builders import CLI, Client, make_box_depot, make_deployment, make_module, make_squad, make_user
from warehouse import create_app
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import (
    Deployment,
    DeploymentSquad,
    KitCheckout,
    Location,
    Lot,
    ScanEvent,
    StockBalance,
    StockMovement,
)
from warehouse.models.base import utcnow
from warehouse.services import deployments, ledger
from warehouse.timezone import depot_zone

URL = "/api/v1/deployments"
FOAM = {"sku": "T-FOAM", "name_zh": "水成膜泡沫灭火剂", "name_en": "AFFF foam concentrate", "unit": "drum"}


@pytest.fixture
def api(app, users) -> Api:
    return Api(app, users, writer=Role.LOGISTICS)


@pytest.fixture
def depot(app):
    boxes = make_box_depot(app, 3)
    make_squad(app, "CB-WZ")
    make_squad(app, "JD-JS", kind="mobile", function="technical", name_zh="技术保障机动分队",
               name_en="Mobile technical squad")
    return boxes


def stamp(value: str) -> datetime:
    """Assert a timestamp is ISO 8601 in UTC and return it."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", value), value
    return datetime.fromisoformat(value)


def moment(hours: float) -> datetime:
    """Return a whole second so many hours from now, in UTC."""
    return (utcnow() + timedelta(hours=hours)).replace(microsecond=0)


def depot_time(app, value: datetime) -> str:
    """Write a moment as the depot's local time with its offset (+08:00), as a client might."""
    with app.app_context():
        return value.astimezone(depot_zone()).isoformat()


def this_year(app) -> int:
    with app.app_context():
        return datetime.now(depot_zone()).year


def code_of(app, deployment_id: int) -> str:
    with app.app_context():
        code = db.session.get(Deployment, deployment_id).code
        db.session.remove()
    return code


def rows(app) -> dict:
    """Count what opening, changing and closing deployments write, and the stock it moves."""
    with app.app_context():
        s = db.session
        found = {model.__name__: s.scalar(select(func.count()).select_from(model))
                 for model in (Deployment, DeploymentSquad, Location, KitCheckout, StockMovement, ScanEvent)}
        found["closed"] = s.scalar(select(func.count()).select_from(Deployment).where(
            Deployment.closed_at.is_not(None)))
        found["deployments"] = tuple(s.execute(select(
            Deployment.name, Deployment.place, Deployment.expected_return_at, Deployment.note)
            .order_by(Deployment.id)).all())
        db.session.remove()
    return found


def scan(api: Api, code: str, action: str, role: Role = Role.LOGISTICS, **fields):
    response = api("POST", "/api/v1/scans", role, json={"code": code, "action": action, **fields})
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    return response.json


def codes(found: list[dict]) -> list[str]:
    return [d["name"] for d in found]


# --- the life of a deployment -------------------------------------------------------------------

def test_a_deployment_is_opened_shown_changed_and_closed(app, api, depot):
    back = moment(48)
    body = {"name": "西安区高层住宅火灾", "kind": "incident", "module": "eq", "place": "西安区长安路 18 号",
            "commander": "李队长", "squads": ["cb-wz"], "note": "二级响应",
            "expected_return_at": depot_time(app, back)}
    started = utcnow()
    created = api.post(URL, body)
    expected = {
        "id": created["id"], "code": f"CD-{this_year(app)}-0001", "name": "西安区高层住宅火灾",
        "kind": "incident", "module": "EQ", "place": "西安区长安路 18 号", "commander": "李队长",
        "note": "二级响应", "squads": ["CB-WZ"], "opened_at": created["opened_at"],
        "expected_return_at": back.isoformat(),
        "closed_at": None, "open": True, "overdue": False, "opened_by": "logistics", "closed_by": None,
        "kits_out": 0, "kits_back": 0, "loose_out": 0, "checkouts": [], "loose": []}
    assert created == expected
    assert started <= stamp(created["opened_at"]) <= utcnow()
    assert api.get(f"{URL}/{created['id']}", Role.COMMANDER) == expected
    listed = {k: v for k, v in expected.items() if k not in ("checkouts", "loose")}
    assert api.get(URL) == {"items": [listed], "page": 1, "per_page": 50, "total": 1, "pages": 1}

    later = moment(72)
    changed = api.send("PATCH", f"{URL}/{created['id']}", {
        "name": "西安区高层住宅火灾（扩大）", "squads": ["JD-JS", "cb-wz"], "place": None,
        "expected_return_at": later.isoformat()}, role=Role.LOGISTICS)
    expected |= {"name": "西安区高层住宅火灾（扩大）", "squads": ["CB-WZ", "JD-JS"], "place": "",
                 "expected_return_at": later.isoformat()}
    assert changed == expected
    assert api.send("PATCH", f"{URL}/{created['id']}", {}, role=Role.LOGISTICS) == expected

    box = depot.boxes[0]
    scan(api, box, "check_out", deployment_id=created["id"])
    shown = api.get(f"{URL}/{created['id']}")
    [out] = shown["checkouts"]
    assert out == {"kit": box, "template": "BOX-EQ", "module": "EQ", "kit_status": "deployed",
                   "out_at": out["out_at"], "out_by": "logistics", "override_reason": None, "in_at": None,
                   "in_by": None, "consumed": 0, "damaged": 0, "lost": 0}
    assert (shown["kits_out"], shown["kits_back"]) == (1, 0)

    scan(api, box, "check_in", Role.SUPPLY_OFFICER, usage=[{"item_id": depot.rope, "consumed": 2}])
    closed = api.post(f"{URL}/{created['id']}/close", {"note": "全部归还"}, status=200)
    [back_in] = closed["checkouts"]
    assert back_in == out | {"kit_status": "returned", "in_at": back_in["in_at"], "in_by": "supplyofficer",
                             "consumed": 2}
    assert stamp(out["out_at"]) <= stamp(back_in["in_at"]) <= stamp(closed["closed_at"]) <= utcnow()
    assert closed == expected | {
        "note": "二级响应\n全部归还", "open": False, "closed_at": closed["closed_at"],
        "closed_by": "logistics", "kits_back": 1, "checkouts": [back_in]}
    assert api.get(f"{URL}?open=false")["items"][0]["closed_by"] == "logistics"


def test_the_list_filters_by_open_module_squad_kind_overdue_and_text(app, api, depot):
    make_module(app, "WR", name_zh="水域救援模块", name_en="Water rescue module")
    # Opened in this order, each later than the last (the list shows the newest first).
    late = make_deployment(app, "龙首山山岳救援拉动演练", kind="exercise", squads=["JD-JS"],
                           opened_at=utcnow() - timedelta(days=3),
                           expected_return_at=utcnow() - timedelta(hours=5))
    river = make_deployment(app, "辽河水域救援", kind="incident", module="WR", squads=["CB-WZ", "JD-JS"],
                            place="辽河大桥", opened_at=utcnow() - timedelta(days=2))
    quake = make_deployment(app, "龙山区地震救援演练", module="EQ", squads=["CB-WZ"],
                            opened_at=utcnow() - timedelta(days=1))
    loan = make_deployment(app, "借调市应急局", kind="lend")
    with app.app_context():
        deployments.close_deployment(db.session, CLI, river)
        db.session.remove()

    def names(query: str = "") -> list[str]:
        return codes(api.get(f"{URL}{query}")["items"])

    # Open ones first, newest first; then the closed ones.
    assert names() == ["借调市应急局", "龙山区地震救援演练", "龙首山山岳救援拉动演练", "辽河水域救援"]
    assert names("?open=true") == ["借调市应急局", "龙山区地震救援演练", "龙首山山岳救援拉动演练"]
    assert names("?open=false") == ["辽河水域救援"]
    assert names("?module=eq") == ["龙山区地震救援演练"]
    assert names("?module=WR") == ["辽河水域救援"]
    assert names("?squad=jd-js") == ["龙首山山岳救援拉动演练", "辽河水域救援"]
    assert names("?squad=CB-WZ&open=true") == ["龙山区地震救援演练"]
    assert names("?kind=lend") == ["借调市应急局"]
    assert names("?overdue=true") == ["龙首山山岳救援拉动演练"]
    assert names("?overdue=false") == ["借调市应急局", "龙山区地震救援演练", "辽河水域救援"]
    assert names("?q=辽河大桥") == ["辽河水域救援"]  # the place
    assert names("?q=演练") == ["龙山区地震救援演练", "龙首山山岳救援拉动演练"]
    assert names(f"?q={code_of(app, loan).lower()}") == ["借调市应急局"]
    assert names("?q=%25") == []  # % is a literal, not a wildcard
    assert names("?module=EQ&squad=JD-JS") == []
    page = api.get(f"{URL}?per_page=3&page=2")
    assert (codes(page["items"]), page["total"], page["pages"]) == (["辽河水域救援"], 4, 2)
    overdue = api.get(f"{URL}?overdue=true")["items"][0]
    assert (overdue["id"], overdue["overdue"], overdue["open"], overdue["kind"], overdue["squads"]) == \
        (late, True, True, "exercise", ["JD-JS"])
    assert {d["id"] for d in api.get(URL)["items"]} == {late, river, quake, loan}


def test_overdue_lists_open_deployments_past_their_return_with_the_boxes_still_out(app, api, depot):
    hours_ago = utcnow() - timedelta(days=2)
    older = make_deployment(app, "龙首山山岳救援拉动演练", opened_at=hours_ago,
                            expected_return_at=utcnow() - timedelta(hours=30))
    late = make_deployment(app, "西安区高层住宅火灾", kind="incident", module="EQ", opened_at=hours_ago,
                           expected_return_at=utcnow() - timedelta(hours=1))
    on_time = make_deployment(app, "龙山区地震救援演练", hours=5)
    scan(api, depot.boxes[2], "check_out", deployment_id=late)
    scan(api, depot.boxes[0], "check_out", deployment_id=late)
    scan(api, depot.boxes[1], "check_out", deployment_id=on_time)
    found = api.get(f"{URL}/overdue", Role.COMMANDER)
    # The longest overdue first; each with the codes of the boxes it still has out.
    assert [(d["id"], d["boxes_out"]) for d in found] == [
        (older, []), (late, sorted([depot.boxes[0], depot.boxes[2]]))]
    listed = {k: v for k, v in api.get(f"{URL}/{late}").items() if k not in ("checkouts", "loose")}
    assert found[1] == listed | {"boxes_out": sorted([depot.boxes[0], depot.boxes[2]])}
    assert (found[1]["overdue"], found[1]["kits_out"]) == (True, 2)

    scan(api, depot.boxes[0], "check_in")
    assert [d["boxes_out"] for d in api.get(f"{URL}/overdue")] == [[], [depot.boxes[2]]]
    with app.app_context():
        deployments.close_deployment(db.session, CLI, older)
        db.session.remove()
    assert [d["id"] for d in api.get(f"{URL}/overdue")] == [late]


def test_close_with_boxes_out_is_409_listing_them_then_loose_units(app, api, depot):
    deployment = make_deployment(app)
    for box in depot.boxes[:2]:
        scan(api, box, "check_out", deployment_id=deployment)
    api.post(f"{URL}/{deployment}/issues", {"item_id": depot.rope, "quantity": 3})
    before = rows(app)
    error = assert_error(api("POST", f"{URL}/{deployment}/close", Role.COMMANDER, json={}), 409,
                         "conflict", "kits")
    assert error["message"] == f"boxes still out (2): {depot.boxes[0]}, {depot.boxes[1]}"
    for box in depot.boxes[:2]:
        scan(api, box, "check_in")
    error = assert_error(api("POST", f"{URL}/{deployment}/close", json={}), 409, "conflict", "items")
    assert error["message"] == "3 loose units are still out; return or write them off first"
    assert rows(app)["closed"] == before["closed"] == 0
    api.post(f"{URL}/{deployment}/returns", {"item_id": depot.rope, "lost": 3})
    assert api.send("POST", f"{URL}/{deployment}/close", {}, role=Role.COMMANDER)["closed_by"] == "commander"


def test_a_closed_deployment_is_409_for_changes_scans_and_loose_items(app, api, depot):
    deployment = make_deployment(app)
    api.post(f"{URL}/{deployment}/issues", {"item_id": depot.rope, "quantity": 1})
    api.post(f"{URL}/{deployment}/returns", {"item_id": depot.rope, "returned": 1,
                                             "to_location_id": depot.depot.bin_b})
    api.post(f"{URL}/{deployment}/close", {}, status=200)
    before = rows(app)
    for method, url, body, field in [
            ("PATCH", f"{URL}/{deployment}", {"name": "改名"}, "status"),
            ("POST", f"{URL}/{deployment}/close", {}, "status"),
            ("POST", f"{URL}/{deployment}/issues", {"item_id": depot.rope, "quantity": 1}, "status"),
            ("POST", f"{URL}/{deployment}/returns", {"item_id": depot.rope, "lost": 1}, "status")]:
        assert_error(api(method, url, Role.ADMIN, json=body), 409, "conflict", field)
    response = api("POST", "/api/v1/scans", json={"code": depot.boxes[0], "action": "check_out",
                                                  "deployment_id": deployment})
    assert response.status_code == 409 and "was closed" in response.json["error"]["message"]
    assert rows(app) | {"ScanEvent": 0} == before | {"ScanEvent": 0}  # only the refused scan is logged


# --- loose items --------------------------------------------------------------------------------

def test_loose_items_are_issued_and_returned_through_the_ledger(app, api, depot):
    deployment = make_deployment(app, "辽河水域救援", kind="incident")
    with app.app_context():
        s = db.session
        place = s.get(Location, s.get(Deployment, deployment).location_id)
        place_id, code = place.id, place.code
        lot_id = s.scalar(select(Lot.id).where(Lot.code == "F-1"))
        db.session.remove()
    issued = api.post(f"{URL}/{deployment}/issues", {"item_id": depot.foam, "quantity": 4, "lot": "F-1",
                                                     "from_location_id": depot.depot.bin_a})
    assert issued == [{
        "id": issued[0]["id"], "at": issued[0]["at"], "quantity": 4, "reason": "issue", "purpose": "incident",
        "reference": code, "note": "辽河水域救援", "actor_name": "logistics", "item_id": depot.foam, **FOAM,
        "lot_id": lot_id, "lot": "F-1", "from_location_id": depot.depot.bin_a,
        "from_location": depot.depot.codes["bin_a"], "to_location_id": place_id, "to_location": code}]
    shown = api.get(f"{URL}/{deployment}")
    assert (shown["loose_out"], shown["loose"]) == (4, [{"item_id": depot.foam, **FOAM, "lot": "F-1",
                                                         "quantity": 4}])

    returned = api.post(f"{URL}/{deployment}/returns", {
        "item_id": depot.foam, "lot": "F-1", "returned": 2, "consumed": 1, "damaged": 1,
        "to_location_id": depot.depot.bin_b, "note": "冲洗后归还"})
    assert [(m["reason"], m["quantity"], m["from_location"], m["to_location"], m["purpose"], m["reference"],
             m["note"]) for m in returned] == [
        ("move", 2, code, depot.depot.codes["bin_b"], None, code, "冲洗后归还"),
        ("consume", 1, code, None, "incident", code, "辽河水域救援"),
        ("move", 1, code, depot.depot.codes["quarantine"], None, code, "辽河水域救援: damaged")]
    shown = api.get(f"{URL}/{deployment}")
    assert (shown["loose_out"], shown["loose"]) == (0, [])
    with app.app_context():
        s = db.session
        held = dict(s.execute(select(StockBalance.location_id, StockBalance.quantity).where(
            StockBalance.item_id == depot.foam, StockBalance.lot_id == lot_id)).all())
        assert (held[depot.depot.bin_b], held[depot.depot.quarantine], held.get(place_id, 0)) == (2, 1, 0)
        assert ledger.check(s) == []
        db.session.remove()
    ledger_rows = api.get(f"/api/v1/movements?location_id={place_id}")["items"]
    assert sorted(m["id"] for m in ledger_rows) == sorted([issued[0]["id"]] + [m["id"] for m in returned])


def test_issuing_more_than_the_depot_holds_is_409_and_writes_nothing(app, api, depot):
    deployment = make_deployment(app)
    before = rows(app)
    error = assert_error(api("POST", f"{URL}/{deployment}/issues", Role.LOGISTICS,
                             json={"item_id": depot.rope, "quantity": 10_000}), 409, "conflict")
    assert "available" in error["message"]
    assert rows(app) == before


# --- bad input, unknown objects, roles: on one depot built once ----------------------------------

@dataclass(frozen=True)
class Shared:
    """A depot with boxes, two squads, an open drill holding a box, and a closed deployment."""

    app: object
    api: Api
    depot: object
    open: int
    closed: int


@pytest.fixture(scope="module")
def shared(sqlite_template, tmp_path_factory):
    """Build it once: these tests are all refused, and check that nothing was written."""
    path = tmp_path_factory.mktemp("deployment_api") / "warehouse.db"
    shutil.copy(sqlite_template, path)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    app.test_client_class = Client
    users = {role: make_user(app, role, username=role.value.replace("_", "")) for role in Role}
    depot = make_box_depot(app, 2)
    make_squad(app, "CB-WZ")
    make_squad(app, "JD-OLD", kind="mobile", function="technical")
    closed = make_deployment(app, "已结束的演练", squads=["JD-OLD"])
    with app.app_context():
        from warehouse.services import squads

        deployments.close_deployment(db.session, CLI, closed)
        squads.update_squad(db.session, CLI, "JD-OLD", active=False)
        db.session.remove()
    opened = make_deployment(app, squads=["CB-WZ"])
    api = Api(app, users, writer=Role.LOGISTICS)
    scan(api, depot.boxes[0], "check_out", deployment_id=opened)
    api.post(f"{URL}/{opened}/issues", {"item_id": depot.rope, "quantity": 2})
    yield Shared(app, api, depot, opened, closed)
    with app.app_context():
        db.engine.dispose()


def create_body(**changes) -> dict:
    return {"name": "龙山区地震救援演练", "kind": "drill", "expected_return_at": moment(24).isoformat(),
            **changes}


@pytest.mark.parametrize("body, field", [
    (create_body(expected_return_at=moment(-1).isoformat()), "expected_return_at"),  # before the opening
    (create_body(opened_at=moment(-5).isoformat(), expected_return_at=moment(-6).isoformat()),
     "expected_return_at"),
    (create_body(expected_return_at=moment(24 * 400).isoformat()), "expected_return_at"),  # over a year
    (create_body(expected_return_at="2026-12-01T08:00"), "expected_return_at"),  # no time zone
    (create_body(expected_return_at="tomorrow"), "expected_return_at"),
    (create_body(expected_return_at=None), "expected_return_at"),
    (create_body(opened_at=moment(24 * 40).isoformat()), "opened_at"),  # in the future
    (create_body(opened_at=moment(-24 * 40).isoformat()), "opened_at"),  # more than 30 days ago
    (create_body(kind="party"), "kind"),
    (create_body(kind="DRILL"), "kind"),
    (create_body(kind=None), "kind"),
    ({"name": "演练", "expected_return_at": moment(24).isoformat()}, "kind"),
    (create_body(name=""), "name"),
    (create_body(name="   "), "name"),
    (create_body(name="x" * 121), "name"),
    (create_body(name=5), "name"),
    (create_body(name="演练\x00"), "name"),
    (create_body(name="演练\ud800"), "name"),
    (create_body(place="x" * 201), "place"),
    (create_body(commander="x" * 81), "commander"),
    (create_body(module="ZZ"), "module"),
    (create_body(module="TOO-LONG"), "module"),
    (create_body(squads=["NOPE"]), "squads"),
    (create_body(squads=["JD-OLD"]), "squads"),  # deactivated
    (create_body(squads="CB-WZ"), "squads"),
    (create_body(squads=["CB-WZ"] * 21), "squads"),
    (create_body(squads=[5]), "squads.0"),
    (create_body(colour="red"), "colour"),
    (create_body(code="CD-2026-9999"), "code"),  # numbers are given, not chosen
    (create_body(closed_at=moment(1).isoformat()), "closed_at"),
    ([create_body()], "_schema"),
])
def test_a_bad_deployment_is_422_naming_the_field_and_writes_nothing(shared, body, field):
    before = rows(shared.app)
    # ASCII JSON, so a lone surrogate travels as the escape a client would send.
    response = shared.api("POST", URL, Role.LOGISTICS, data=json.dumps(body), content_type="application/json")
    assert_error(response, 422, "invalid_input", field)
    assert rows(shared.app) == before


@pytest.mark.parametrize("body, field", [
    ({"expected_return_at": moment(-48).isoformat()}, "expected_return_at"),  # before the opening
    ({"expected_return_at": None}, "expected_return_at"),
    ({"name": None}, "name"),
    ({"name": ""}, "name"),
    ({"squads": ["NOPE"]}, "squads"),
    ({"squads": None}, "squads"),
    ({"kind": "incident"}, "kind"),  # the kind, module and opening stay as opened
    ({"module": "EQ"}, "module"),
    ({"opened_at": moment(-1).isoformat()}, "opened_at"),
    ({"code": "CD-2026-9999"}, "code"),
    ({"closed_at": moment(0).isoformat()}, "closed_at"),
])
def test_a_bad_change_is_422_naming_the_field_and_changes_nothing(shared, body, field):
    before = rows(shared.app)
    assert_error(shared.api("PATCH", f"{URL}/{shared.open}", Role.LOGISTICS, json=body), 422,
                 "invalid_input", field)
    assert rows(shared.app) == before
    assert shared.api.get(f"{URL}/{shared.open}")["squads"] == ["CB-WZ"]


@pytest.mark.parametrize("query, field", [
    ("open=maybe", "open"), ("overdue=soon", "overdue"), ("kind=party", "kind"), ("module=ZZ", "module"),
    ("module=TOO-LONG", "module"), ("squad=NOPE", "squad"), ("q=" + "x" * 81, "q"),
    ("per_page=201", "per_page"), ("page=0", "page"), ("colour=red", "colour"), ("sort=name", "sort"),
])
def test_a_bad_list_query_is_422_naming_the_parameter(shared, query, field):
    assert_error(shared.api("GET", f"{URL}?{query}"), 422, "invalid_input", field)


@pytest.mark.parametrize("action, body, field", [
    ("issues", {"quantity": 1}, "item_id"),
    ("issues", {"item_id": 999_999, "quantity": 1}, "item_id"),
    ("issues", {"item_id": "rope", "quantity": 1}, "item_id"),
    ("issues", {"item_id": "ROPE", "quantity": 0}, "quantity"),
    ("issues", {"item_id": "ROPE", "quantity": "2"}, "quantity"),
    ("issues", {"item_id": "ROPE", "quantity": 1.5}, "quantity"),
    ("issues", {"item_id": "ROPE", "quantity": -1}, "quantity"),
    ("issues", {"item_id": "ROPE", "quantity": 1, "lot": "F-1"}, "lot"),  # rope is counted in bulk
    ("issues", {"item_id": "FOAM", "quantity": 1, "lot": "NOPE"}, "lot"),
    ("issues", {"item_id": "ROPE", "quantity": 1, "from_location_id": 999_999}, "from_location_id"),
    ("issues", {"item_id": "ROPE", "quantity": 1, "from_location_id": "QUARANTINE"}, "from_location_id"),
    ("issues", {"item_id": "ROPE", "quantity": 1, "note": "x" * 2001}, "note"),
    ("issues", {"item_id": "ROPE", "quantity": 1, "purpose": "drill"}, "purpose"),
    ("returns", {"item_id": "ROPE"}, "returned"),  # nothing to account for
    ("returns", {"item_id": "ROPE", "returned": 3, "to_location_id": "BIN_B"}, "returned"),  # 2 are out
    ("returns", {"item_id": "ROPE", "consumed": 1, "lost": 2}, "returned"),
    ("returns", {"item_id": "ROPE", "returned": 1}, "to_location_id"),  # where to?
    ("returns", {"item_id": "ROPE", "returned": 1, "to_location_id": 999_999}, "to_location_id"),
    ("returns", {"item_id": "ROPE", "returned": -1}, "returned"),
    ("returns", {"item_id": "ROPE", "consumed": 1.5}, "consumed"),
    ("returns", {"item_id": "ROPE", "damaged": "1"}, "damaged"),
    ("returns", {"item_id": "ROPE", "lost": True}, "lost"),
    ("returns", {"item_id": "FOAM", "lost": 1}, "lot"),  # which lot?
    ("returns", {"item_id": "ROPE", "lost": 1, "colour": "red"}, "colour"),
])
def test_a_bad_loose_item_entry_is_422_naming_the_field_and_writes_nothing(shared, action, body, field):
    names = {"ROPE": shared.depot.rope, "FOAM": shared.depot.foam,
             "QUARANTINE": shared.depot.depot.quarantine, "BIN_B": shared.depot.depot.bin_b}
    body = {key: names.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    before = rows(shared.app)
    assert_error(shared.api("POST", f"{URL}/{shared.open}/{action}", Role.LOGISTICS, json=body), 422,
                 "invalid_input", field)
    assert rows(shared.app) == before


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/999999", None), ("PATCH", "/999999", {}), ("POST", "/999999/close", {}),
    ("POST", "/999999/issues", {"item_id": 1, "quantity": 1}),
    ("POST", "/999999/returns", {"item_id": 1, "lost": 1}),
    ("GET", "/0", None), ("GET", "/CD-2026-0001", None), ("GET", "/2147483648", None),
])
def test_an_unknown_deployment_is_404(shared, method, path, body):
    assert_error(shared.api(method, URL + path, Role.ADMIN, json=body), 404, "not_found")


def test_a_body_that_is_not_json_is_refused_and_writes_nothing(shared):
    before = rows(shared.app)
    headers = {"Authorization": f"Bearer {shared.api.tokens[Role.LOGISTICS]}"}
    client = shared.app.test_client()
    assert_error(client.post(URL, data=b"{not json", headers=headers | {"Content-Type": "application/json"}),
                 400, "bad_request", "json")
    assert_error(client.post(URL, data=b"[" * 50_000, headers=headers | {"Content-Type": "application/json"}),
                 400, "bad_request", "json")
    assert_error(client.post(f"{URL}/{shared.open}/close", headers=headers), 422, "invalid_input", "json")
    assert rows(shared.app) == before


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_and_deployers_open_change_and_close(shared, role):
    api = shared.api
    for url in (URL, f"{URL}/overdue", f"{URL}/{shared.open}", f"{URL}/{shared.closed}"):
        assert api("GET", url, role).status_code == 200, url
    created = api.send("POST", URL, create_body(name=f"{role.value} 的演练"), role=role, status=201)
    username = role.replace("_", "")
    assert created["opened_by"] == username
    changed = api.send("PATCH", f"{URL}/{created['id']}", {"place": "训练基地"}, role=role)
    assert changed["place"] == "训练基地"
    assert api.send("POST", f"{URL}/{created['id']}/close", {}, role=role)["closed_by"] == username


@pytest.mark.parametrize("role, status", [
    (Role.COMMANDER, 403), (Role.LOGISTICS, 201), (Role.SUPPLY_OFFICER, 201), (Role.ADMIN, 201)])
def test_only_stock_handlers_issue_and_take_back_loose_items(shared, role, status):
    api = shared.api
    before = rows(shared.app)
    issue = api(method="POST", url=f"{URL}/{shared.open}/issues", role=role,
                json={"item_id": shared.depot.rope, "quantity": 1})
    back = api(method="POST", url=f"{URL}/{shared.open}/returns", role=role,
               json={"item_id": shared.depot.rope, "returned": 1, "to_location_id": shared.depot.depot.bin_b})
    assert (issue.status_code, back.status_code) == (status, status)
    if status == 403:
        assert_error(issue, 403, "forbidden")
        assert rows(shared.app) == before
    else:
        assert rows(shared.app)["StockMovement"] == before["StockMovement"] + 2


def test_anonymous_callers_get_401(shared):
    client = shared.app.test_client()
    before = rows(shared.app)
    assert_error(client.get(URL), 401, "unauthenticated")
    assert_error(client.post(URL, json=create_body()), 401, "unauthenticated")
    assert_error(client.post(f"{URL}/{shared.open}/issues", json={"item_id": 1, "quantity": 1}), 401,
                 "unauthenticated")
    assert rows(shared.app) == before
