"""The stock API: catalogue, locations, stock, the ledger, use cases, stocktakes and reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.api_client import Api, assert_error
from tests.builders import (
    in_days,
    make_depot,
    make_item,
    receive,
    stock_counts,
)
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import Lot
from warehouse.models.base import utcnow
from warehouse.services import ledger

WRITES = [
    ("POST", "/api/v1/items"),
    ("PATCH", "/api/v1/items/{item}"),
    ("POST", "/api/v1/locations"),
    ("PATCH", "/api/v1/locations/{zone}"),
    ("POST", "/api/v1/receipts"),
    ("POST", "/api/v1/moves"),
    ("POST", "/api/v1/issues"),
    ("POST", "/api/v1/adjustments"),
    ("POST", "/api/v1/disposals"),
    ("POST", "/api/v1/stocktakes"),
]
MANAGER_ONLY = [
    ("POST", "/api/v1/items"),
    ("PATCH", "/api/v1/items/{item}"),
    ("POST", "/api/v1/locations"),
    ("PATCH", "/api/v1/locations/{zone}"),
    ("POST", "/api/v1/adjustments"),
    ("POST", "/api/v1/disposals"),
]


@pytest.fixture
def api(app, users) -> Api:
    return Api(app, users)


@pytest.fixture
def depot(app):
    return make_depot(app)


@pytest.fixture
def foam(app):
    """A lot-tracked foam concentrate that requires expiry dates."""
    return make_item(app, "EA-AFFF", min_level=10)


@pytest.fixture
def gloves(app):
    """A bulk-counted protective item."""
    return make_item(app, "PE-GLOVE", name_zh="救援手套", name_en="Rescue gloves", category="PE",
                     unit="pair", tracking="bulk", expiry_required=False, shelf_life_days=None,
                     min_level=5)


def expire(app, item_id: int, code: str, days_ago: int = 1) -> None:
    """Backdate a lot's expiry (receipts refuse stock that is already expired)."""
    with app.app_context():
        db.session.execute(update(Lot).where(Lot.item_id == item_id, Lot.code == code)
                           .values(expires_on=in_days(-days_ago)))
        db.session.commit()
        db.session.remove()


def ledger_differences(app) -> list:
    with app.app_context():
        found = ledger.check(db.session)
        db.session.remove()
    return found


# --- catalogue and locations -----------------------------------------------------------------

def test_items_are_created_listed_shown_and_changed(api):
    body = {"sku": "ms-tourniquet", "name_zh": "止血带", "name_en": "Tourniquet", "category": "MS",
            "unit": "piece", "tracking": "lot", "expiry_required": True, "shelf_life_days": 1825,
            "min_level": 20, "storage_temp": "5-30 °C"}
    created = api.post("/api/v1/items", body)
    assert created["sku"] == "MS-TOURNIQUET" and created["category"] == "MS"
    assert created["tracking"] == "lot" and created["unit"] == "piece"
    assert created["available"] == 0 and created["on_hand"] == 0 and created["lots"] == []

    listed = api.get("/api/v1/items?q=tourniquet&category=MS")
    assert [i["sku"] for i in listed["items"]] == ["MS-TOURNIQUET"] and listed["total"] == 1
    assert api.get("/api/v1/items?category=EA")["total"] == 0

    shown = api.get(f"/api/v1/items/{created['id']}")
    assert shown["name_zh"] == "止血带" and shown["min_level"] == 20

    changed = api("PATCH", f"/api/v1/items/{created['id']}", json={"min_level": 40, "spec": "CAT"})
    assert changed.status_code == 200 and changed.json["min_level"] == 40
    assert changed.json["spec"] == "CAT" and changed.json["name_en"] == "Tourniquet"

    duplicate = api("POST", "/api/v1/items", json=body)
    assert_error(duplicate, 409, "conflict", "sku")


@pytest.mark.parametrize("body, field", [
    ({"category": "XX"}, "category"),
    ({"unit": "bucket"}, "unit"),
    ({"tracking": "rfid"}, "tracking"),
    ({"min_level": -1}, "min_level"),
    ({"min_level": "5"}, "min_level"),
    ({"shelf_life_days": 0}, "shelf_life_days"),
    ({"sku": "bad sku!"}, "sku"),
    ({"tracking": "bulk", "expiry_required": True}, "expiry_required"),
    ({"colour": "red"}, "colour"),
])
def test_bad_item_input_is_422_naming_the_field(api, body, field):
    base = {"sku": "EA-X1", "name_zh": "干粉", "name_en": "Dry powder", "category": "EA",
            "unit": "bag", "tracking": "lot"}
    assert_error(api("POST", "/api/v1/items", json={**base, **body}), 422, "invalid_input", field)
    assert api.get("/api/v1/items")["total"] == 0


def test_unknown_ids_in_paths_are_404(api):
    for url in ("/api/v1/items/999999", "/api/v1/items/999999/fefo", "/api/v1/locations/999999",
                "/api/v1/stocktakes/999999"):
        assert_error(api("GET", url), 404, "not_found")
    assert_error(api("PATCH", "/api/v1/items/999999", json={}), 404, "not_found")
    assert_error(api("PATCH", "/api/v1/locations/999999", json={}), 404, "not_found")
    for action in ("submit", "approve", "cancel"):
        assert_error(api("POST", f"/api/v1/stocktakes/999999/{action}"), 404, "not_found")


def test_locations_are_created_listed_within_a_subtree_and_changed(api, depot):
    zone = api.post("/api/v1/locations", {
        "kind": "zone", "parent_id": depot.depot, "code": "t-b", "name": "B区", "category": "PE",
        "area_m2": 80, "plan_x_m": 12, "plan_y_m": 0, "plan_width_m": 8, "plan_depth_m": 10})
    assert zone["code"] == "T-B" and zone["kind"] == "zone" and zone["category"] == "PE"
    assert zone["parent_id"] == depot.depot and zone["plan_width_m"] == 8 and zone["units"] == 0
    rack = api.post("/api/v1/locations", {"kind": "rack", "parent_id": zone["id"], "code": "T-B-R01",
                                          "name": "R01", "footprint_m2": 4})

    within = api.get(f"/api/v1/locations?within={zone['id']}")
    assert [loc["code"] for loc in within["items"]] == ["T-B", "T-B-R01"]
    children = api.get(f"/api/v1/locations?parent_id={depot.depot}&sort=code")
    assert [loc["code"] for loc in children["items"]] == ["T-A", "T-B", "T-Q"]
    assert api.get("/api/v1/locations?kind=bin")["total"] == 2
    assert api.get("/api/v1/locations?q=r01")["total"] == 4  # T-A-R01, its bins, T-B-R01

    shown = api.get(f"/api/v1/locations/{rack['id']}")
    assert shown["code"] == "T-B-R01" and shown["footprint_m2"] == 4

    moved = api("PATCH", f"/api/v1/locations/{zone['id']}", json={"plan_x_m": 30, "name": "防护区"})
    assert moved.status_code == 200 and moved.json["plan_x_m"] == 30 and moved.json["name"] == "防护区"


@pytest.mark.parametrize("body, field", [
    ({"kind": "zone", "parent_id": None}, "parent"),
    ({"kind": "shelf"}, "kind"),
    ({"parent_id": 999_999}, "parent_id"),
    ({"plan_x_m": 30, "plan_width_m": 20}, "plan_x_m"),  # off the 40 m floor
    ({"plan_x_m": 5}, "plan_x_m"),  # overlaps zone T-A
    ({"plan_width_m": -3}, "plan_width_m"),
    ({"area_m2": "NaN"}, "area_m2"),
    ({"code": "T-A"}, "code"),
])
def test_bad_location_input_is_4xx_naming_the_field(api, depot, body, field):
    base = {"kind": "zone", "parent_id": depot.depot, "code": "T-C", "name": "C区",
            "plan_x_m": 20, "plan_y_m": 0, "plan_width_m": 5, "plan_depth_m": 5}
    response = api("POST", "/api/v1/locations", json={**base, **body})
    assert response.status_code in (409, 422), response.json
    assert field in response.json["error"]["fields"], response.json
    assert api.get("/api/v1/locations?q=T-C")["total"] == 0


# --- use cases --------------------------------------------------------------------------------

def test_receive_move_issue_through_the_api(app, api, depot, foam):
    received = api.post("/api/v1/receipts", {
        "item_id": foam, "location_id": depot.bin_a, "quantity": 12, "lot": "L-2024-01",
        "expires_on": in_days(400).isoformat(), "supplier_ref": "PO-77", "note": "delivery"},
        role=Role.LOGISTICS)
    assert received["reason"] == "receive" and received["quantity"] == 12
    assert received["lot"] == "L-2024-01" and received["to_location"] == depot.codes["bin_a"]
    assert received["from_location"] is None and received["reference"] == "PO-77"
    assert received["actor_name"] == "logistics" and received["sku"] == "EA-AFFF"

    moved = api.post("/api/v1/moves", {"item_id": foam, "from_location_id": depot.bin_a,
                                       "to_location_id": depot.bin_b, "quantity": 5,
                                       "lot": "L-2024-01"}, role=Role.LOGISTICS)
    assert moved["reason"] == "move" and moved["from_location_id"] == depot.bin_a
    assert moved["to_location_id"] == depot.bin_b

    issued = api.post("/api/v1/issues", {"item_id": foam, "quantity": 3, "purpose": "drill",
                                         "location_id": depot.bin_b, "reference": "DR-1"},
                      role=Role.LOGISTICS)
    assert [(m["reason"], m["quantity"], m["purpose"], m["from_location"]) for m in issued] == [
        ("issue", 3, "drill", depot.codes["bin_b"])]

    stock = api.get(f"/api/v1/stock?item_id={foam}&sort=location")
    assert [(row["location_code"], row["quantity"], row["status"]) for row in stock["items"]] == [
        (depot.codes["bin_a"], 7, "available"), (depot.codes["bin_b"], 2, "available")]
    assert stock["items"][0]["expires_on"] == in_days(400).isoformat()

    item = api.get(f"/api/v1/items/{foam}")
    assert item["available"] == 9 and item["on_hand"] == 9
    assert [(lot["code"], lot["on_hand"]) for lot in item["lots"]] == [("L-2024-01", 9)]

    ledger_rows = api.get(f"/api/v1/movements?item_id={foam}&sort=at")["items"]
    assert [m["reason"] for m in ledger_rows] == ["receive", "move", "issue"]
    assert ledger_differences(app) == []


def test_adjust_and_dispose_through_the_api(app, api, depot, foam, gloves):
    receive(app, gloves, depot.bin_a, 10)
    up = api.post("/api/v1/adjustments", {"item_id": gloves, "location_id": depot.bin_a,
                                          "change": 2, "note": "found in the wrong bin"})
    down = api.post("/api/v1/adjustments", {"item_id": gloves, "location_id": depot.bin_a,
                                            "change": -4, "note": "torn"})
    assert (up["to_location_id"], up["quantity"]) == (depot.bin_a, 2)
    assert (down["from_location_id"], down["quantity"], down["note"]) == (depot.bin_a, 4, "torn")

    receive(app, foam, depot.bin_a, 6, lot="OLD", expires_on=in_days(10))
    expire(app, foam, "OLD")
    disposed = api.post("/api/v1/disposals", {"item_id": foam, "location_id": depot.bin_a,
                                              "quantity": 6, "lot": "OLD", "note": "expired"})
    assert disposed["reason"] == "dispose" and disposed["to_location"] is None
    assert api.get(f"/api/v1/stock?item_id={foam}")["total"] == 0
    assert api.get(f"/api/v1/stock?item_id={gloves}")["items"][0]["quantity"] == 8
    assert ledger_differences(app) == []


def test_disposing_of_stock_in_date_is_409(app, api, depot, gloves):
    receive(app, gloves, depot.bin_a, 3)
    before = stock_counts(app)
    response = api("POST", "/api/v1/disposals", json={
        "item_id": gloves, "location_id": depot.bin_a, "quantity": 1})
    assert_error(response, 409, "conflict", "location_id")
    assert stock_counts(app) == before


BAD_QUANTITIES = [0, -1, -5, "5", "five", 1.5, 2.0, True, False, None, [], {}]


def _bodies(depot, foam, gloves):
    return {
        "/api/v1/receipts": {"item_id": gloves, "location_id": depot.bin_a},
        "/api/v1/moves": {"item_id": gloves, "from_location_id": depot.bin_a,
                          "to_location_id": depot.bin_b},
        "/api/v1/issues": {"item_id": gloves, "purpose": "incident"},
        "/api/v1/disposals": {"item_id": gloves, "location_id": depot.quarantine},
    }


@pytest.mark.parametrize("quantity", BAD_QUANTITIES, ids=repr)
def test_bad_quantities_are_422_and_write_nothing(app, api, depot, foam, gloves, quantity):
    receive(app, gloves, depot.bin_a, 10)
    before = stock_counts(app)
    for url, body in _bodies(depot, foam, gloves).items():
        response = api("POST", url, json={**body, "quantity": quantity})
        assert_error(response, 422, "invalid_input", "quantity")
    for change in (0, "3", 1.5, True, None):
        response = api("POST", "/api/v1/adjustments", json={
            "item_id": gloves, "location_id": depot.bin_a, "change": change, "note": "x"})
        assert_error(response, 422, "invalid_input", "change")
    assert stock_counts(app) == before


@pytest.mark.parametrize("url, body, field", [
    ("/api/v1/receipts", {"item_id": 999_999, "location_id": "bin_a", "quantity": 1}, "item_id"),
    ("/api/v1/receipts", {"item_id": "gloves", "location_id": 999_999, "quantity": 1}, "location_id"),
    ("/api/v1/receipts", {"item_id": "gloves", "location_id": "depot", "quantity": 1}, "location_id"),
    ("/api/v1/moves", {"item_id": 999_999, "from_location_id": "bin_a", "to_location_id": "bin_b",
                       "quantity": 1}, "item_id"),
    ("/api/v1/moves", {"item_id": "gloves", "from_location_id": 999_999, "to_location_id": "bin_b",
                       "quantity": 1}, "from_location_id"),
    ("/api/v1/moves", {"item_id": "gloves", "from_location_id": "bin_a", "to_location_id": 999_999,
                       "quantity": 1}, "to_location_id"),
    ("/api/v1/issues", {"item_id": 999_999, "quantity": 1, "purpose": "drill"}, "item_id"),
    ("/api/v1/issues", {"item_id": "gloves", "quantity": 1, "purpose": "drill",
                        "location_id": 999_999}, "location_id"),
    ("/api/v1/issues", {"item_id": "gloves", "quantity": 1, "purpose": "party"}, "purpose"),
    ("/api/v1/issues", {"item_id": "gloves", "quantity": 1}, "purpose"),
    ("/api/v1/adjustments", {"item_id": 999_999, "location_id": "bin_a", "change": 1,
                             "note": "x"}, "item_id"),
    ("/api/v1/adjustments", {"item_id": "gloves", "location_id": 999_999, "change": 1,
                             "note": "x"}, "location_id"),
    ("/api/v1/adjustments", {"item_id": "gloves", "location_id": "bin_a", "change": 1}, "note"),
    ("/api/v1/adjustments", {"item_id": "gloves", "location_id": "bin_a", "change": 1,
                             "note": ""}, "note"),
    ("/api/v1/disposals", {"item_id": 999_999, "location_id": "quarantine", "quantity": 1}, "item_id"),
    ("/api/v1/disposals", {"item_id": "gloves", "location_id": 999_999, "quantity": 1},
     "location_id"),
    ("/api/v1/stocktakes", {"location_id": 999_999}, "location_id"),
    ("/api/v1/receipts", {"item_id": "gloves", "location_id": "bin_a", "quantity": 1,
                          "lot": "L1"}, "lot"),
    ("/api/v1/moves", {"item_id": "foam", "from_location_id": "bin_a", "to_location_id": "bin_b",
                       "quantity": 1}, "lot"),
    ("/api/v1/receipts", {"item_id": "gloves", "location_id": "bin_a", "quantity": 1,
                          "colour": "red"}, "colour"),
    ("/api/v1/receipts", {"item_id": "foam", "location_id": "bin_a", "quantity": 1, "lot": "L9",
                          "expires_on": "2024-02-30"}, "expires_on"),
])
def test_unknown_or_wrong_references_are_422_naming_the_field(app, api, depot, foam, gloves,
                                                              url, body, field):
    names = {"gloves": gloves, "foam": foam, **{k: getattr(depot, k) for k in
                                                ("depot", "bin_a", "bin_b", "quarantine")}}
    body = {key: names.get(value, value) if isinstance(value, str) else value
            for key, value in body.items()}
    receive(app, gloves, depot.bin_a, 10)
    receive(app, foam, depot.bin_a, 4, lot="L1", expires_on=in_days(90))
    before = stock_counts(app)
    assert_error(api("POST", url, json=body), 422, "invalid_input", field)
    assert stock_counts(app) == before


def test_a_body_that_is_not_json_is_422(app, api, depot, gloves):
    before = stock_counts(app)
    response = api("POST", "/api/v1/receipts", data="item_id=1&quantity=2",
                   content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert stock_counts(app) == before


def test_issuing_more_than_on_hand_is_409_saying_how_much_is_available(app, api, depot, gloves):
    receive(app, gloves, depot.bin_a, 4)
    receive(app, gloves, depot.bin_b, 3)
    before = stock_counts(app)
    error = assert_error(api("POST", "/api/v1/issues", role=Role.LOGISTICS, json={
        "item_id": gloves, "quantity": 8, "purpose": "incident"}), 409, "conflict", "quantity")
    assert "only 7 available" in error["message"]
    assert error["fields"]["quantity"] == ["only 7 available"]
    assert stock_counts(app) == before

    error = assert_error(api("POST", "/api/v1/moves", role=Role.LOGISTICS, json={
        "item_id": gloves, "from_location_id": depot.bin_a, "to_location_id": depot.bin_b,
        "quantity": 5}), 409, "conflict", "quantity")
    assert "only 4" in error["message"]
    assert stock_counts(app) == before


def test_expiry_required_but_missing_is_422_on_expires_on(app, api, depot, foam):
    before = stock_counts(app)
    response = api("POST", "/api/v1/receipts", role=Role.LOGISTICS, json={
        "item_id": foam, "location_id": depot.bin_a, "quantity": 3, "lot": "NEW-1"})
    assert_error(response, 422, "invalid_input", "expires_on")
    response = api("POST", "/api/v1/receipts", role=Role.LOGISTICS, json={
        "item_id": foam, "location_id": depot.bin_a, "quantity": 3, "lot": "NEW-1",
        "expires_on": in_days(-1).isoformat()})
    assert_error(response, 422, "invalid_input", "expires_on")
    assert stock_counts(app) == before


# --- roles ------------------------------------------------------------------------------------

def _url(template: str, depot, item: int) -> str:
    return template.format(item=item, zone=depot.zone)


def test_a_commander_may_read_but_gets_403_on_every_write(app, api, depot, gloves):
    receive(app, gloves, depot.bin_a, 5)
    before = stock_counts(app)
    for method, template in WRITES:
        response = api(method, _url(template, depot, gloves), role=Role.COMMANDER, json={})
        assert_error(response, 403, "forbidden")
    opened = api.post("/api/v1/stocktakes", {"location_id": depot.bin_a}, role=Role.LOGISTICS)
    for action in ("counts", "submit", "approve", "cancel"):
        response = api("POST", f"/api/v1/stocktakes/{opened['id']}/{action}", role=Role.COMMANDER,
                       json={"item_id": gloves, "counted": 5})
        assert_error(response, 403, "forbidden")
    for url in ("/api/v1/items", "/api/v1/locations", "/api/v1/stock", "/api/v1/movements",
                "/api/v1/stocktakes", f"/api/v1/stocktakes/{opened['id']}",
                "/api/v1/reports/below-minimum", "/api/v1/reports/stock-by-category",
                "/api/v1/reports/stock-by-zone", f"/api/v1/items/{gloves}/fefo"):
        api.get(url, role=Role.COMMANDER)
    assert stock_counts(app) == before


def test_logistics_may_not_adjust_dispose_approve_or_edit_the_catalogue(app, api, depot, gloves):
    receive(app, gloves, depot.bin_a, 5)
    before = stock_counts(app)
    for method, template in MANAGER_ONLY:
        response = api(method, _url(template, depot, gloves), role=Role.LOGISTICS, json={})
        assert_error(response, 403, "forbidden")
    opened = api.post("/api/v1/stocktakes", {"location_id": depot.bin_a}, role=Role.LOGISTICS)
    api.post(f"/api/v1/stocktakes/{opened['id']}/counts", {"item_id": gloves, "counted": 4},
             role=Role.LOGISTICS, status=200)
    api.post(f"/api/v1/stocktakes/{opened['id']}/submit", None, role=Role.LOGISTICS, status=200)
    for action in ("approve", "cancel"):
        response = api("POST", f"/api/v1/stocktakes/{opened['id']}/{action}", role=Role.LOGISTICS)
        assert_error(response, 403, "forbidden")
    assert stock_counts(app) == before
    assert api.get(f"/api/v1/stocktakes/{opened['id']}")["status"] == "submitted"


# --- FEFO -------------------------------------------------------------------------------------

def test_fefo_suggests_and_issues_the_earlier_expiry_first(app, api, depot, foam):
    receive(app, foam, depot.bin_a, 5, lot="LATE", expires_on=in_days(300))
    receive(app, foam, depot.bin_b, 4, lot="EARLY", expires_on=in_days(30))
    receive(app, foam, depot.bin_b, 9, lot="GONE", expires_on=in_days(5))
    expire(app, foam, "GONE")

    suggested = api.get(f"/api/v1/items/{foam}/fefo?quantity=6")
    assert [(s["lot"], s["location_code"], s["quantity"], s["take"]) for s in suggested] == [
        ("EARLY", depot.codes["bin_b"], 4, 4), ("LATE", depot.codes["bin_a"], 5, 2)]
    assert suggested[0]["expires_on"] == in_days(30).isoformat()
    assert [s["lot"] for s in api.get(f"/api/v1/items/{foam}/fefo")] == ["EARLY", "LATE"]

    issued = api.post("/api/v1/issues", {"item_id": foam, "quantity": 6, "purpose": "incident"},
                      role=Role.LOGISTICS)
    assert [(m["lot"], m["quantity"]) for m in issued] == [("EARLY", 4), ("LATE", 2)]

    # Only the expired lot is left besides 3 of LATE: never issued, never suggested.
    assert [s["lot"] for s in api.get(f"/api/v1/items/{foam}/fefo")] == ["LATE"]
    before = stock_counts(app)
    error = assert_error(api("POST", "/api/v1/issues", role=Role.LOGISTICS, json={
        "item_id": foam, "quantity": 4, "purpose": "incident"}), 409, "conflict", "quantity")
    assert "only 3 available" in error["message"]
    assert_error(api("POST", "/api/v1/issues", role=Role.LOGISTICS, json={
        "item_id": foam, "quantity": 1, "purpose": "incident", "lot": "GONE"}), 409, "conflict", "lot")
    assert stock_counts(app) == before


def test_fefo_quantity_is_validated(api, foam):
    for query in ("quantity=0", "quantity=-2", "quantity=abc", "quantity=1.5", "amount=3"):
        response = api("GET", f"/api/v1/items/{foam}/fefo?{query}")
        assert response.status_code == 422, query


# --- stocktakes -------------------------------------------------------------------------------

def test_a_stocktake_counts_freezes_and_posts_variances_on_approval(app, api, depot, foam, gloves):
    receive(app, gloves, depot.bin_a, 10)
    receive(app, foam, depot.bin_a, 6, lot="L1", expires_on=in_days(200))
    receive(app, foam, depot.bin_b, 2, lot="L2", expires_on=in_days(100))

    opened = api.post("/api/v1/stocktakes", {"location_id": depot.bin_a, "note": "Q3 count"},
                      role=Role.LOGISTICS)
    assert opened["status"] == "counting" and opened["location_code"] == depot.codes["bin_a"]
    assert opened["line_count"] == 2 and opened["counted_count"] == 0
    assert sorted((ln["sku"], ln["lot"], ln["expected"], ln["counted"]) for ln in opened["lines"]) == [
        ("EA-AFFF", "L1", 6, None), ("PE-GLOVE", None, 10, None)]
    assert_error(api("POST", "/api/v1/stocktakes", role=Role.LOGISTICS,
                     json={"location_id": depot.bin_a}), 409, "conflict", "location_id")

    # The bin is frozen while counted: nothing moves in or out.
    before = stock_counts(app)
    frozen = api("POST", "/api/v1/moves", role=Role.LOGISTICS, json={
        "item_id": gloves, "from_location_id": depot.bin_a, "to_location_id": depot.bin_b,
        "quantity": 1})
    assert_error(frozen, 409, "conflict")
    assert "being counted" in frozen.json["error"]["message"]
    assert_error(api("POST", "/api/v1/receipts", role=Role.LOGISTICS, json={
        "item_id": gloves, "location_id": depot.bin_a, "quantity": 1}), 409, "conflict")
    assert stock_counts(app) == before

    url = f"/api/v1/stocktakes/{opened['id']}"
    assert_error(api("POST", f"{url}/submit", role=Role.LOGISTICS), 422, "invalid_input", "lines")
    for bad in (-1, "3", 2.5, None):
        assert_error(api("POST", f"{url}/counts", role=Role.LOGISTICS,
                         json={"item_id": gloves, "counted": bad}), 422, "invalid_input", "counted")
    api.post(f"{url}/counts", {"item_id": gloves, "counted": 8}, role=Role.LOGISTICS, status=200)
    api.post(f"{url}/counts", {"item_id": foam, "lot": "L1", "counted": 6}, role=Role.LOGISTICS,
             status=200)
    # L2 was found in the bin though the ledger has it elsewhere: a new line.
    counted = api.post(f"{url}/counts", {"item_id": foam, "lot": "L2", "counted": 1},
                       role=Role.LOGISTICS, status=200)
    lines = {(ln["sku"], ln["lot"]): (ln["expected"], ln["counted"], ln["variance"])
             for ln in counted["lines"]}
    assert lines == {("PE-GLOVE", None): (10, 8, -2), ("EA-AFFF", "L1"): (6, 6, 0),
                     ("EA-AFFF", "L2"): (0, 1, 1)}
    assert stock_counts(app) == before  # counting posts nothing

    submitted = api.post(f"{url}/submit", None, role=Role.LOGISTICS, status=200)
    assert submitted["status"] == "submitted" and submitted["submitted_at"]
    assert_error(api("POST", f"{url}/counts", role=Role.LOGISTICS,
                     json={"item_id": gloves, "counted": 9}), 409, "conflict", "status")

    approved = api.post(f"{url}/approve", None, role=Role.SUPPLY_OFFICER, status=200)
    assert approved["status"] == "approved" and approved["decided_by_id"]
    assert sorted((m["sku"], m["lot"], m["reason"], m["quantity"], m["from_location"],
                   m["to_location"], m["reference"]) for m in approved["movements"]) == [
        ("EA-AFFF", "L2", "count", 1, None, depot.codes["bin_a"], f"ST-{opened['id']}"),
        ("PE-GLOVE", None, "count", 2, depot.codes["bin_a"], None, f"ST-{opened['id']}")]
    assert_error(api("POST", f"{url}/approve"), 409, "conflict")
    assert_error(api("POST", f"{url}/cancel"), 409, "conflict")

    stock = api.get(f"/api/v1/stock?location_id={depot.bin_a}&sort=item")["items"]
    assert [(s["sku"], s["lot"], s["quantity"]) for s in stock] == [
        ("EA-AFFF", "L2", 1), ("EA-AFFF", "L1", 6), ("PE-GLOVE", None, 8)]  # first expiry first
    assert api.get("/api/v1/movements?reason=count")["total"] == 2
    assert ledger_differences(app) == []

    # The bin is free again.
    api.post("/api/v1/moves", {"item_id": gloves, "from_location_id": depot.bin_a,
                               "to_location_id": depot.bin_b, "quantity": 1}, role=Role.LOGISTICS)
    listed = api.get("/api/v1/stocktakes?status=approved")
    assert [(s["id"], s["line_count"], s["counted_count"]) for s in listed["items"]] == [
        (opened["id"], 3, 3)]


def test_a_cancelled_stocktake_posts_nothing_and_frees_the_location(app, api, depot, gloves):
    receive(app, gloves, depot.bin_a, 5)
    opened = api.post("/api/v1/stocktakes", {"location_id": depot.bin_a}, role=Role.LOGISTICS)
    api.post(f"/api/v1/stocktakes/{opened['id']}/counts", {"item_id": gloves, "counted": 1},
             role=Role.LOGISTICS, status=200)
    before = stock_counts(app)
    cancelled = api.post(f"/api/v1/stocktakes/{opened['id']}/cancel", None, status=200)
    assert cancelled["status"] == "cancelled"
    assert stock_counts(app) == before
    assert api.get(f"/api/v1/stocktakes?location_id={depot.bin_a}&status=cancelled")["total"] == 1
    assert api.get("/api/v1/stocktakes?status=counting")["total"] == 0
    api.post("/api/v1/moves", {"item_id": gloves, "from_location_id": depot.bin_a,
                               "to_location_id": depot.bin_b, "quantity": 5}, role=Role.LOGISTICS)


def test_a_serial_unit_counts_zero_or_one(app, api, depot):
    scba = make_item(app, "PE-SCBA", name_zh="正压式空气呼吸器", name_en="SCBA set", category="PE",
                     unit="set", tracking="serial", expiry_required=False, shelf_life_days=None,
                     inspection_interval_days=365)
    receive(app, scba, depot.bin_a, 1, lot="SN-001")
    opened = api.post("/api/v1/stocktakes", {"location_id": depot.bin_a}, role=Role.LOGISTICS)
    response = api("POST", f"/api/v1/stocktakes/{opened['id']}/counts", role=Role.LOGISTICS,
                   json={"item_id": scba, "lot": "SN-001", "counted": 2})
    assert_error(response, 422, "invalid_input", "counted")


# --- filters and reports ----------------------------------------------------------------------

def test_stock_filters(app, api, depot, foam, gloves):
    receive(app, foam, depot.bin_a, 3, lot="SOON", expires_on=in_days(20))
    receive(app, foam, depot.bin_b, 4, lot="LATER", expires_on=in_days(80))
    receive(app, foam, depot.quarantine, 2, lot="HELD", expires_on=in_days(500))
    receive(app, gloves, depot.zone, 2)

    def lots(query):
        return sorted((row["lot"] or row["sku"]) for row in api.get(f"/api/v1/stock?{query}")["items"])

    assert lots("expiring_within_days=30") == ["SOON"]
    assert lots("expiring_within_days=90") == ["LATER", "SOON"]
    assert lots("category=PE") == ["PE-GLOVE"]
    assert lots("category=ea") == ["HELD", "LATER", "SOON"]
    assert lots(f"location_id={depot.zone}") == ["LATER", "PE-GLOVE", "SOON"]
    assert lots(f"location_id={depot.rack}") == ["LATER", "SOON"]
    assert lots(f"location_id={depot.bin_b}") == ["LATER"]
    assert lots("lot=LATER") == ["LATER"]
    assert lots("status=quarantined") == ["HELD"]
    assert lots("q=glove") == ["PE-GLOVE"]
    # gloves: 2 available, minimum 5; foam: 7 available, minimum 10.
    assert lots("below_minimum=true") == ["HELD", "LATER", "PE-GLOVE", "SOON"]
    receive(app, gloves, depot.bin_a, 3)
    assert lots("below_minimum=true") == ["HELD", "LATER", "SOON"]
    assert lots("below_minimum=false") == ["PE-GLOVE", "PE-GLOVE"]

    expire(app, foam, "SOON")
    assert lots("status=expired") == ["SOON"]
    assert lots("expiring_within_days=0") == ["SOON"]

    items = api.get("/api/v1/items?below_minimum=true")["items"]
    assert [(i["sku"], i["available"], i["on_hand"]) for i in items] == [("EA-AFFF", 4, 9)]

    for query, field in [("expiring_within_days=-1", "expiring_within_days"),
                         ("expiring_within_days=4000", "expiring_within_days"),
                         ("status=lost", "status"), ("sort=quantity;drop", "sort"),
                         ("location_id=0", "location_id"), ("warehouse=1", "warehouse")]:
        assert_error(api("GET", f"/api/v1/stock?{query}"), 422, "invalid_input", field)


def test_movement_filters(app, api, depot, foam, gloves):
    start = utcnow() - timedelta(seconds=1)
    receive(app, gloves, depot.bin_a, 5)
    receive(app, foam, depot.bin_b, 4, lot="L1", expires_on=in_days(90))
    api.post("/api/v1/moves", {"item_id": gloves, "from_location_id": depot.bin_a,
                               "to_location_id": depot.bin_b, "quantity": 2}, role=Role.LOGISTICS)

    def reasons(query):
        return [m["reason"] for m in api.get(f"/api/v1/movements?{query}")["items"]]

    assert reasons(f"item_id={gloves}") == ["move", "receive"]
    assert reasons(f"item_id={gloves}&sort=at") == ["receive", "move"]
    assert reasons(f"location_id={depot.bin_b}&sort=at") == ["receive", "move"]
    assert reasons("reason=receive") == ["receive", "receive"]
    assert reasons("lot=L1") == ["receive"]
    since = start.isoformat().replace("+00:00", "Z")
    assert len(reasons(f"since={since}")) == 3
    assert reasons(f"until={since}") == []
    for query, field in [("reason=stolen", "reason"), ("since=yesterday", "since"),
                         ("until=2024-01-01T00:00:00", "until"), ("sort=sku", "sort")]:
        assert_error(api("GET", f"/api/v1/movements?{query}"), 422, "invalid_input", field)


def test_movements_page_on_by_cursor(app, api, depot, foam, gloves):
    for _ in range(3):
        receive(app, gloves, depot.bin_a, 1)
    first = api.get("/api/v1/movements?per_page=2")
    assert (first["page"], first["total"], first["more"], first["pages"]) == (1, 3, False, 2)
    assert first["newer"] is None
    second = api.get(f"/api/v1/movements?per_page=2&after={first['older']}")
    assert second["page"] is None and second["older"] is None and len(second["items"]) == 1
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 3
    assert api.get(f"/api/v1/movements?per_page=2&before={second['newer']}")["items"] == first["items"]
    assert api.get("/api/v1/movements?per_page=2&page=2")["items"] == second["items"]
    for query in ("after=nope", "before=MjAyNTAzMDFUMDgwMDAwLjAwMDAwMC4w", "after=" + "A" * 100):
        field = query.split("=")[0]
        assert_error(api("GET", f"/api/v1/movements?{query}"), 422, "invalid_input", field)


def test_reports(app, api, depot, foam, gloves):
    receive(app, foam, depot.bin_a, 4, lot="L1", expires_on=in_days(90))
    receive(app, foam, depot.bin_a, 3, lot="OLD", expires_on=in_days(9))
    expire(app, foam, "OLD")
    receive(app, gloves, depot.bin_b, 6)

    below = api.get("/api/v1/reports/below-minimum")
    assert [(r["sku"], r["min_level"], r["available"], r["shortfall"]) for r in below["items"]] == [
        ("EA-AFFF", 10, 4, 6)]
    assert api.get("/api/v1/reports/below-minimum?category=PE")["total"] == 0
    assert_error(api("GET", "/api/v1/reports/below-minimum?sort=name"), 422, "invalid_input", "sort")

    by_category = {row["code"]: row for row in api.get("/api/v1/reports/stock-by-category")}
    assert len(by_category) == 7
    ea = by_category["EA"]
    assert (ea["items"], ea["held"], ea["available"], ea["expired"], ea["below_minimum"]) == (
        1, 7, 4, 3, 1)
    assert (by_category["PE"]["held"], by_category["PE"]["below_minimum"]) == (6, 0)

    zones = api.get(f"/api/v1/reports/stock-by-zone?depot_id={depot.depot}")
    zone = next(z for z in zones if z["code"] == depot.codes["zone"])
    # The rack's 6 m² footprint holds stock in a 120 m² zone.
    assert (zone["used_m2"], zone["area_m2"], zone["units"], zone["items"]) == (6.0, 120.0, 13, 2)
    assert zone["utilisation"] == pytest.approx(0.05)
    quarantine = next(z for z in zones if z["code"] == depot.codes["quarantine"])
    assert quarantine["utilisation"] is None and quarantine["units"] == 0


def test_a_balance_cannot_grow_past_the_column_range(app, api, depot, gloves):
    receive(app, gloves, depot.bin_a, 1_000_000_000)
    receive(app, gloves, depot.bin_a, 1_000_000_000)
    before = stock_counts(app)
    response = api("POST", "/api/v1/receipts", json={
        "item_id": gloves, "location_id": depot.bin_a, "quantity": 1_000_000_000})
    assert_error(response, 409, "conflict", "quantity")
    assert stock_counts(app) == before
