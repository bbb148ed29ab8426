"""The kits API: modules, box templates, boxes, restock, inspections and status, over HTTP."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.api_client import Api, assert_error
from tests.builders import (
    expire_lot,
    fill_kit,
    in_days,
    make_depot,
    make_item,
    make_kit,
    make_module,
    make_template,
    receive,
    stock_counts,
)
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.services import ledger


def ledger_differences(app) -> list:
    with app.app_context():
        found = ledger.check(db.session)
        db.session.remove()
    return found


@dataclass(frozen=True)
class Kits:
    """A depot with a module EQ, a trauma-kit template (tourniquets + gloves) and stock."""

    depot: object
    tourniquet: int
    tourniquet_b: int  # a substitute for the tourniquet
    gloves: int
    splint: int  # on an optional line
    template: str


@pytest.fixture
def api(app, users) -> Api:
    return Api(app, users, writer=Role.LOGISTICS)


@pytest.fixture
def kits(app) -> Kits:
    depot = make_depot(app)
    make_module(app, "EQ")
    make_module(app, "WR", name_zh="水域救援模块", name_en="Water rescue module")
    tourniquet = make_item(app, "MS-TQ", name_zh="止血带", name_en="Tourniquet", category="MS",
                           unit="piece", shelf_life_days=1095)
    tourniquet_b = make_item(app, "MS-TQ-B", name_zh="止血带(乙)", name_en="Tourniquet B",
                             category="MS", unit="piece", shelf_life_days=1095)
    gloves = make_item(app, "PE-GLOVE", name_zh="救援手套", name_en="Rescue gloves", category="PE",
                       unit="pair", tracking="bulk", expiry_required=False, shelf_life_days=None)
    splint = make_item(app, "MS-SPLINT", name_zh="夹板", name_en="Splint", category="MS",
                       unit="piece", tracking="bulk", expiry_required=False, shelf_life_days=None)
    template = make_template(app, [
        {"item_id": tourniquet, "par_quantity": 4, "min_shelf_days": 30, "substitutes": [tourniquet_b]},
        {"item_id": gloves, "par_quantity": 2},
        {"item_id": splint, "par_quantity": 1, "optional": True},
    ], code="TRAUMA", name_zh="创伤急救箱", name_en="Trauma kit", category="MS",
        modules={"EQ": 2})
    receive(app, tourniquet, depot.bin_a, 10, lot="TQ-A", expires_on=in_days(400))
    receive(app, gloves, depot.bin_b, 10)
    return Kits(depot, tourniquet, tourniquet_b, gloves, splint, template)


def fills(kits: Kits, tourniquets: int = 4, gloves: int = 2) -> list[dict]:
    entries = []
    if tourniquets:
        entries.append({"item_id": kits.tourniquet, "lot": "TQ-A", "from_location_id": kits.depot.bin_a,
                        "quantity": tourniquets})
    if gloves:
        entries.append({"item_id": kits.gloves, "from_location_id": kits.depot.bin_b, "quantity": gloves})
    return entries


# --- modules and templates ---------------------------------------------------------------------

def test_modules_show_boxes_required_ready_and_short(app, api, kits):
    ready = make_kit(app, kits.template, kits.depot.zone)
    fill_kit(app, ready)
    make_kit(app, kits.template, kits.depot.zone)  # assembling, empty

    modules = api.get("/api/v1/modules")
    assert [m["code"] for m in modules] == ["EQ", "WR"]
    eq = modules[0]
    assert (eq["required"], eq["ready"], eq["counted_ready"], eq["short"], eq["other"], eq["percent"]) \
        == (2, 1, 1, 0, 1, 50)
    assert eq["templates"] == [{
        "template_code": "TRAUMA", "template_name_zh": "创伤急救箱", "template_name_en": "Trauma kit",
        "category": "MS", "required": 2, "ready": 1, "counted_ready": 1, "short": 0, "deployed": 0,
        "restocking": 0, "other": 1}]
    assert modules[1]["required"] == 0 and modules[1]["percent"] == 0

    # Let the tourniquets run under the line's 30 days: the ready box is short now.
    expire_lot(app, "TQ-A", -10)
    eq = api.get("/api/v1/modules/eq")
    assert (eq["code"], eq["ready"], eq["short"], eq["percent"]) == ("EQ", 0, 1, 0)
    assert_error(api("GET", "/api/v1/modules/XX"), 404, "not_found")


def test_modules_are_created_by_supply_officers(app, api, kits):
    created = api.post("/api/v1/modules", {"code": "ice", "name_zh": "冰雪灾害模块",
                                           "name_en": "Ice and snow module"}, role=Role.SUPPLY_OFFICER)
    assert (created["code"], created["required"], created["templates"]) == ("ICE", 0, [])
    assert api.get("/api/v1/modules/ICE")["name_en"] == "Ice and snow module"
    assert_error(api("POST", "/api/v1/modules", json={"code": "ICE", "name_zh": "重复", "name_en": "Dup"}),
                 409, "conflict", "code")
    assert_error(api("POST", "/api/v1/modules", json={"code": "I", "name_zh": "x", "name_en": "x"}),
                 422, "invalid_input", "code")
    assert_error(api("POST", "/api/v1/modules", role=Role.LOGISTICS,
                     json={"code": "FL", "name_zh": "洪涝", "name_en": "Flood"}), 403, "forbidden")


def test_a_template_is_created_with_substitutes_listed_and_changed(app, api, kits):
    body = {
        "code": "rope-01", "name_zh": "绳索救援箱", "name_en": "Rope rescue kit", "category": "RE",
        "box_type": "case", "width_m": 0.6, "depth_m": 0.4, "weight_kg": 22.5,
        "lines": [{"item_id": kits.gloves, "par_quantity": 4, "note": "L/XL"},
                  {"item_id": kits.tourniquet, "par_quantity": 2, "min_shelf_days": 60,
                   "substitutes": [kits.tourniquet_b]}],
        "requirements": [{"module": "WR", "boxes_required": 3}, {"module": "eq", "boxes_required": 1}],
    }
    created = api.post("/api/v1/kit-templates", body, role=Role.SUPPLY_OFFICER)
    assert (created["code"], created["category"], created["box_type"]) == ("ROPE-01", "RE", "case")
    assert created["footprint_m2"] == pytest.approx(0.24)
    assert created["line_count"] == 2 and created["box_count"] == 0
    gloves, tourniquets = created["lines"]
    assert (gloves["sku"], gloves["par_quantity"], gloves["note"], gloves["substitutes"]) == \
        ("PE-GLOVE", 4, "L/XL", [])
    assert tourniquets["min_shelf_days"] == 60 and tourniquets["optional"] is False
    assert tourniquets["substitutes"] == [{"id": kits.tourniquet_b, "sku": "MS-TQ-B"}]
    assert sorted(created["requirements"], key=lambda r: r["module"]) == [
        {"module": "EQ", "boxes_required": 1}, {"module": "WR", "boxes_required": 3}]

    listed = api.get("/api/v1/kit-templates?module=WR")
    assert [(t["code"], t["line_count"]) for t in listed["items"]] == [("ROPE-01", 2)]
    assert api.get("/api/v1/kit-templates?category=MS")["items"][0]["code"] == "TRAUMA"
    assert api.get("/api/v1/kit-templates?q=rope")["total"] == 1

    changed = api("PATCH", "/api/v1/kit-templates/rope-01", json={
        "name_en": "Rope kit", "lines": [{"item_id": kits.gloves, "par_quantity": 6}]})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.json["name_en"] == "Rope kit" and changed.json["line_count"] == 1
    assert changed.json["lines"][0]["par_quantity"] == 6
    assert len(changed.json["requirements"]) == 2  # not given: kept
    assert api.get("/api/v1/kit-templates/ROPE-01")["lines"][0]["par_quantity"] == 6
    renamed = api("PATCH", "/api/v1/kit-templates/ROPE-01", json={"code": "rope-02", "active": False})
    assert renamed.status_code == 200 and renamed.json["code"] == "ROPE-02"
    assert api.get("/api/v1/kit-templates?active=false")["items"][0]["code"] == "ROPE-02"
    assert_error(api("PATCH", "/api/v1/kit-templates/ROPE-02", json={"code": "TRAUMA"}),
                 409, "conflict", "code")
    assert_error(api("GET", "/api/v1/kit-templates/ROPE-01"), 404, "not_found")
    assert_error(api("GET", "/api/v1/kit-templates/NOPE"), 404, "not_found")
    assert_error(api("PATCH", "/api/v1/kit-templates/NOPE", json={"name_en": "x"}), 404, "not_found")


@pytest.mark.parametrize("lines, field", [
    # the same item on two lines, and as another line's substitute
    ([{"item_id": "gloves", "par_quantity": 1}, {"item_id": "gloves", "par_quantity": 2}],
     "lines.1.item_id"),
    ([{"item_id": "tourniquet", "par_quantity": 1, "substitutes": ["gloves"]},
      {"item_id": "gloves", "par_quantity": 2}], "lines.1.item_id"),
    ([{"item_id": "gloves", "par_quantity": 0}], "lines.0.par_quantity"),
    ([{"item_id": "gloves", "par_quantity": "3"}], "lines.0.par_quantity"),
    ([{"item_id": "gloves", "par_quantity": 1, "min_shelf_days": -1}], "lines.0.min_shelf_days"),
    ([{"item_id": 999_999, "par_quantity": 1}], "lines.0.item_id"),
    ([{"item_id": "gloves", "par_quantity": 1, "substitutes": [999_999]}], "lines.0.substitutes"),
    ([{"item_id": "gloves", "par_quantity": 1, "colour": "red"}], "lines.0.colour"),
    ([], "lines"),
])
def test_a_template_with_bad_lines_is_422_naming_the_line(app, api, kits, lines, field):
    ids = {"gloves": kits.gloves, "tourniquet": kits.tourniquet}
    lines = [{key: ids.get(value, value) if key == "item_id" else
              [ids.get(s, s) for s in value] if key == "substitutes" else value
              for key, value in line.items()} for line in lines]
    response = api("POST", "/api/v1/kit-templates", json={
        "code": "BAD", "name_zh": "坏", "name_en": "Bad", "category": "RE", "box_type": "case",
        "lines": lines})
    assert_error(response, 422, "invalid_input", field)
    assert_error(api("GET", "/api/v1/kit-templates/BAD"), 404, "not_found")


@pytest.mark.parametrize("body, status, field", [
    ({"category": "XX"}, 422, "category"),
    ({"box_type": "crate"}, 422, "box_type"),
    ({"requirements": [{"module": "ZZ", "boxes_required": 1}]}, 422, "requirements.0.module"),
    ({"requirements": [{"module": "EQ", "boxes_required": 0}]}, 422, "requirements.0.boxes_required"),
    ({"code": "TRAUMA"}, 409, "code"),
])
def test_a_template_with_bad_fields_is_refused_naming_them(app, api, kits, body, status, field):
    base = {"code": "NEW", "name_zh": "新", "name_en": "New", "category": "RE", "box_type": "case",
            "lines": [{"item_id": kits.gloves, "par_quantity": 1}]}
    assert_error(api("POST", "/api/v1/kit-templates", json={**base, **body}), status,
                 "conflict" if status == 409 else "invalid_input", field)


# --- boxes: create, list, detail ---------------------------------------------------------------

def test_boxes_are_created_with_the_modules_next_code(app, api, kits):
    first = api.post("/api/v1/kits", {"template": "trauma", "module": "eq",
                                      "home_location_id": kits.depot.zone})
    assert (first["code"], first["status"], first["effective_status"]) == ("K-EQ-0001", "assembling",
                                                                           "assembling")
    assert first["template"]["code"] == "TRAUMA" and first["module"]["code"] == "EQ"
    assert first["home_location"] == {"id": kits.depot.zone, "code": kits.depot.codes["zone"]}
    assert first["place"] == first["home_location"]
    assert first["complete"] is False and first["lots"] == [] and first["lines"][0]["held"] == 0
    assert first["events"][0]["to_status"] == "assembling"
    second = api.post("/api/v1/kits", {"template": "TRAUMA", "module": "EQ",
                                       "home_location_id": kits.depot.bin_a, "note": "spare"})
    assert second["code"] == "K-EQ-0002" and second["note"] == "spare"
    named = api.post("/api/v1/kits", {"template": "TRAUMA", "module": "EQ", "code": "k-trauma-9",
                                      "home_location_id": kits.depot.zone})
    assert named["code"] == "K-TRAUMA-9"
    assert_error(api("POST", "/api/v1/kits", json={"template": "TRAUMA", "module": "EQ", "code": "K-EQ-0001",
                                                   "home_location_id": kits.depot.zone}),
                 409, "conflict", "code")


@pytest.mark.parametrize("body, status, field", [
    ({"template": "NOPE"}, 404, None),
    ({"module": "ZZ"}, 404, None),
    ({"module": "WR"}, 422, "module"),  # the template is not part of WR
    ({"home_location_id": 999_999}, 422, "home_location_id"),
    ({"home_location_id": "quarantine"}, 422, "home_location_id"),
    ({"home_location_id": True}, 422, "home_location_id"),
    ({"code": "K EQ 1"}, 422, "code"),
    ({"colour": "red"}, 422, "colour"),
])
def test_a_box_with_bad_references_is_refused(app, api, kits, body, status, field):
    base = {"template": "TRAUMA", "module": "EQ", "home_location_id": kits.depot.zone}
    if body.get("home_location_id") == "quarantine":
        body = {"home_location_id": kits.depot.quarantine}
    response = api("POST", "/api/v1/kits", role=Role.LOGISTICS, json={**base, **body})
    assert_error(response, status, "not_found" if status == 404 else "invalid_input", field)
    assert api.get("/api/v1/kits")["total"] == 0


def test_boxes_are_listed_and_filtered(app, api, kits):
    ready = make_kit(app, kits.template, kits.depot.zone)
    fill_kit(app, ready)
    assembling = make_kit(app, kits.template, kits.depot.zone)
    other = make_template(app, [{"item_id": kits.gloves, "par_quantity": 1}], code="GLOVES",
                          modules={"WR": 1})
    water = make_kit(app, other, kits.depot.bin_a, module="WR")
    fill_kit(app, water)

    def codes(query: str = "") -> list[str]:
        return [k["code"] for k in api.get(f"/api/v1/kits?{query}")["items"]]

    assert codes() == [ready, assembling, water]
    assert codes("module=WR") == [water]
    assert codes("template=trauma") == [ready, assembling]
    assert codes("status=ready") == [ready, water]
    assert codes("status=assembling") == [assembling]
    assert codes("ready=true") == [ready, water]
    assert codes("ready=false") == [assembling]
    assert codes("q=wr-") == [water]
    assert codes("sort=-code") == [water, assembling, ready]
    page = api.get("/api/v1/kits?per_page=2&page=2")
    assert (page["total"], page["pages"], [k["code"] for k in page["items"]]) == (3, 2, [water])
    row = api.get("/api/v1/kits?ready=true&module=EQ")["items"][0]
    assert (row["complete"], row["short_lines"], row["missing_units"], row["line_count"]) == (True, 0, 0, 3)
    assert row["earliest_expiry"] == in_days(400).isoformat()

    # A tourniquet lot within the line's 30 days: the ready box reads short, live.
    expire_lot(app, "TQ-A", -10)
    assert codes("status=short") == [ready]
    assert codes("ready=true") == [water]


@pytest.mark.parametrize("query, field", [
    ("status=sleeping", "status"), ("ready=maybe", "ready"), ("sort=id", "sort"),
    ("per_page=0", "per_page"), ("colour=red", "colour"),
])
def test_box_list_filters_come_from_an_allowlist(api, kits, query, field):
    assert_error(api("GET", f"/api/v1/kits?{query}"), 422, "invalid_input", field)


def test_a_box_shows_contents_against_par_and_its_shortfalls(app, api, kits):
    code = make_kit(app, kits.template, kits.depot.zone)
    receive(app, kits.tourniquet_b, kits.depot.bin_a, 5, lot="TQB-1", expires_on=in_days(200))
    api.post(f"/api/v1/kits/{code}/restock", {"fills": [
        *fills(kits, tourniquets=1, gloves=2),
        {"item_id": kits.tourniquet_b, "lot": "TQB-1", "from_location_id": kits.depot.bin_a, "quantity": 1},
    ]}, status=200)
    # The substitute counts for the tourniquet line; the TQ-A unit runs under the 30 days.
    expire_lot(app, "TQ-A", -20)

    box = api.get(f"/api/v1/kits/{code.lower()}")
    assert box["status"] == "assembling" and box["complete"] is False
    lines = {line["sku"]: line for line in box["lines"]}
    assert (lines["MS-TQ"]["par"], lines["MS-TQ"]["held"], lines["MS-TQ"]["usable"],
            lines["MS-TQ"]["missing"]) == (4, 2, 1, 3)
    assert (lines["PE-GLOVE"]["held"], lines["PE-GLOVE"]["missing"]) == (2, 0)
    assert (lines["MS-SPLINT"]["optional"], lines["MS-SPLINT"]["missing"]) == (True, 1)
    assert box["shortfalls"] == [
        {"line_id": lines["MS-TQ"]["line_id"], "item_id": kits.tourniquet, "sku": "MS-TQ", "missing": 3,
         "optional": False},
        {"line_id": lines["MS-SPLINT"]["line_id"], "item_id": kits.splint, "sku": "MS-SPLINT",
         "missing": 1, "optional": True},
    ]
    assert (box["short_lines"], box["missing_units"]) == (1, 3)
    assert box["earliest_expiry"] == in_days(20).isoformat()
    assert [(lot["sku"], lot["lot"], lot["expires_on"], lot["quantity"]) for lot in box["lots"]] == [
        ("MS-TQ", "TQ-A", in_days(20).isoformat(), 1),
        ("MS-TQ-B", "TQB-1", in_days(200).isoformat(), 1),
        ("PE-GLOVE", None, None, 2),
    ]


@pytest.mark.parametrize("method, suffix, body", [
    ("GET", "", None), ("GET", "/restock", None), ("POST", "/restock", {"use_proposal": True}),
    ("POST", "/inspections", {"outcome": "passed"}), ("POST", "/status", {"status": "restocking"}),
    ("POST", "/move", {"home_location_id": 1}),
])
@pytest.mark.parametrize("code", ["K-EQ-9999", "K%20EQ", "K-EQ-" + "9" * 30])
def test_an_unknown_box_code_is_404(api, kits, method, suffix, body, code):
    assert_error(api(method, f"/api/v1/kits/{code}{suffix}", json=body), 404, "not_found")


# --- restock -----------------------------------------------------------------------------------

def test_a_restock_brings_a_short_box_to_ready_and_the_ledger_reconciles(app, api, kits):
    code = make_kit(app, kits.template, kits.depot.zone)
    first = api.post(f"/api/v1/kits/{code}/restock", {"fills": fills(kits)}, status=200)
    assert first["kit"]["status"] == "ready"
    # The tourniquets run under the line's 30 days left: the box reads short, and is marked so.
    expire_lot(app, "TQ-A", -10)
    assert api.get(f"/api/v1/kits/{code}")["effective_status"] == "short"
    assert api.post(f"/api/v1/kits/{code}/status", {"status": "short"}, status=200)["status"] == "short"
    receive(app, kits.tourniquet, kits.depot.bin_b, 5, lot="TQ-NEW", expires_on=in_days(700))

    result = api.post(f"/api/v1/kits/{code}/restock", {
        "removals": [{"item_id": kits.tourniquet, "lot": "TQ-A", "to_location_id": kits.depot.quarantine,
                      "quantity": 4}],
        "fills": [{"item_id": kits.tourniquet, "lot": "TQ-NEW", "from_location_id": kits.depot.bin_b,
                   "quantity": 4}],
        "note": "swap out"}, status=200)
    kit = result["kit"]
    assert (kit["status"], kit["effective_status"], kit["complete"]) == ("ready", "ready", True)
    assert kit["shortfalls"] == [{"line_id": kit["lines"][2]["line_id"], "item_id": kits.splint,
                                  "sku": "MS-SPLINT", "missing": 1, "optional": True}]
    assert [(m["reason"], m["quantity"], m["lot"], m["from_location"], m["to_location"], m["reference"],
             m["note"]) for m in result["movements"]] == [
        ("out_of_kit", 4, "TQ-A", code, kits.depot.codes["quarantine"], code, "swap out"),
        ("into_kit", 4, "TQ-NEW", kits.depot.codes["bin_b"], code, code, "swap out"),
    ]
    assert [e["to_status"] for e in kit["events"]][:2] == ["ready", "short"]
    assert [(lot["lot"], lot["quantity"]) for lot in kit["lots"]] == [("TQ-NEW", 4), (None, 2)]
    stock = api.get(f"/api/v1/stock?item_id={kits.tourniquet}")["items"]
    assert sorted((row["location_code"], row["lot"], row["quantity"]) for row in stock) == sorted([
        (code, "TQ-NEW", 4), (kits.depot.codes["bin_a"], "TQ-A", 6), (kits.depot.codes["bin_b"], "TQ-NEW", 1),
        (kits.depot.codes["quarantine"], "TQ-A", 4)])
    assert ledger_differences(app) == []


def test_a_restock_asking_more_than_the_depot_holds_is_409_and_writes_nothing(app, api, kits):
    code = make_kit(app, kits.template, kits.depot.zone)
    receive(app, kits.tourniquet, kits.depot.bin_b, 3, lot="TQ-A")
    before = stock_counts(app)
    events = len(api.get(f"/api/v1/kits/{code}")["events"])
    # The gloves entry is fine; the tourniquets ask for 4 from a bin holding 3: all or nothing.
    body = {"fills": [fills(kits, tourniquets=0)[0],
                      {"item_id": kits.tourniquet, "lot": "TQ-A", "from_location_id": kits.depot.bin_b,
                       "quantity": 4}]}
    error = assert_error(api("POST", f"/api/v1/kits/{code}/restock", json=body), 409, "conflict",
                         "fills.1.quantity")
    assert "MS-TQ" in error["message"] and "only 3" in error["message"]
    assert error["fields"]["fills.1.quantity"] == ["only 3 available"]
    assert stock_counts(app) == before
    after = api.get(f"/api/v1/kits/{code}")
    assert after["status"] == "assembling" and after["lots"] == [] and len(after["events"]) == events
    assert ledger_differences(app) == []


@pytest.mark.parametrize("body, field", [
    ({"fills": [{"item_id": "tq", "lot": "TQ-A", "from_location_id": "bin_a", "quantity": 0}]},
     "fills.0.quantity"),
    ({"fills": [{"item_id": "tq", "lot": "TQ-A", "from_location_id": "bin_a", "quantity": "2"}]},
     "fills.0.quantity"),
    ({"fills": [{"item_id": "tq", "lot": "TQ-A", "quantity": 2}]}, "fills.0.from_location_id"),
    ({"fills": [{"item_id": "tq", "lot": "TQ-A", "from_location_id": "bin_a", "quantity": 1,
                 "colour": "red"}]}, "fills.0.colour"),
    ({"fills": [{"item_id": "tq", "lot": "NOPE", "from_location_id": "bin_a", "quantity": 1}]},
     "fills.0.lot"),
    ({"fills": [{"item_id": "splint_free", "from_location_id": "bin_a", "quantity": 1}]}, "fills.0.item_id"),
    ({"fills": [{"item_id": "tq", "lot": "TQ-A", "from_location_id": "quarantine", "quantity": 1}]},
     "fills.0.from_location_id"),
    ({"removals": [{"item_id": "tq", "lot": "TQ-A", "to_location_id": "bin_a", "quantity": -1}]},
     "removals.0.quantity"),
    ({"fills": []}, "fills"),
    ({"use_proposal": True, "fills": [{"item_id": "tq", "lot": "TQ-A", "from_location_id": "bin_a",
                                       "quantity": 1}]}, "use_proposal"),
    ({"fills": {"item_id": 1}}, "fills"),
])
def test_a_bad_restock_is_422_naming_the_entry_and_writes_nothing(app, api, kits, body, field):
    code = make_kit(app, kits.template, kits.depot.zone)
    stranger = make_item(app, "RE-ROPE", category="RE", tracking="bulk", expiry_required=False,
                         shelf_life_days=None)
    receive(app, stranger, kits.depot.bin_a, 3)
    names = {"tq": kits.tourniquet, "splint_free": stranger, "bin_a": kits.depot.bin_a,
             "quarantine": kits.depot.quarantine}

    def resolve(entry):
        return {k: names.get(v, v) if k.endswith("_id") else v for k, v in entry.items()}

    body = {key: [resolve(e) for e in value] if isinstance(value, list) else value
            for key, value in body.items()}
    before = stock_counts(app)
    assert_error(api("POST", f"/api/v1/kits/{code}/restock", json=body), 422, "invalid_input", field)
    assert stock_counts(app) == before


def test_the_proposal_lists_fefo_fills_swap_outs_and_what_the_depot_lacks(app, api, kits):
    code = make_kit(app, kits.template, kits.depot.zone)
    fill_kit(app, code)
    receive(app, kits.tourniquet, kits.depot.bin_b, 2, lot="TQ-EARLY", expires_on=in_days(100))
    expire_lot(app, "TQ-A", 1)  # the 4 in the box and the 6 in bin A are expired now

    proposal = api.get(f"/api/v1/kits/{code}/restock")
    assert (proposal["code"], proposal["status"], proposal["complete"]) == (code, "ready", False)
    assert [(r["sku"], r["lot"], r["quantity"], r["to_location_id"], r["to_location"])
            for r in proposal["removals"]] == [
        ("MS-TQ", "TQ-A", 4, kits.depot.quarantine, kits.depot.codes["quarantine"])]
    assert [(f["sku"], f["lot"], f["from_location_id"], f["from_location"], f["quantity"])
            for f in proposal["fills"]] == [
        ("MS-TQ", "TQ-EARLY", kits.depot.bin_b, kits.depot.codes["bin_b"], 2)]
    tq_line = proposal["fills"][0]["line_id"]
    splint_line = api.get(f"/api/v1/kits/{code}")["lines"][2]["line_id"]
    assert proposal["unfilled"] == [
        {"line_id": tq_line, "item_id": kits.tourniquet, "sku": "MS-TQ", "missing": 2},
        {"line_id": splint_line, "item_id": kits.splint, "sku": "MS-SPLINT", "missing": 1}]


def test_use_proposal_posts_the_current_proposal(app, api, kits):
    code = make_kit(app, kits.template, kits.depot.zone)
    before = stock_counts(app)
    result = api.post(f"/api/v1/kits/{code}/restock", {"use_proposal": True, "note": "as proposed"},
                      status=200)
    assert result["kit"]["status"] == "ready" and result["kit"]["complete"] is True
    assert sorted((m["sku"], m["quantity"]) for m in result["movements"]) == [("MS-TQ", 4), ("PE-GLOVE", 2)]
    assert stock_counts(app)[0] == before[0] + 2
    assert ledger_differences(app) == []
    # Nothing left to do: the same request is refused, naming what was empty.
    assert_error(api("POST", f"/api/v1/kits/{code}/restock", json={"use_proposal": True}),
                 422, "invalid_input", "fills")


# --- inspections, status, moves -----------------------------------------------------------------

def test_an_inspection_is_recorded_and_shown_on_the_box(app, api, kits):
    code = make_kit(app, kits.template, kits.depot.zone)
    fill_kit(app, code)
    inspected = api.post(f"/api/v1/kits/{code}/inspections", {"outcome": "defects",
                                                              "findings": "lid latch loose"})
    assert (inspected["code"], inspected["outcome"], inspected["findings"], inspected["status"],
            inspected["actor_name"]) == (code, "defects", "lid latch loose", "ready", "logistics")
    box = api.get(f"/api/v1/kits/{code}")
    assert box["last_inspected_at"] == inspected["at"]
    event = box["events"][0]
    assert (event["outcome"], event["note"], event["to_status"]) == ("defects", "lid latch loose", None)

    assert_error(api("POST", f"/api/v1/kits/{code}/inspections", role=Role.LOGISTICS,
                     json={"outcome": "failed"}), 422, "invalid_input", "findings")
    assert_error(api("POST", f"/api/v1/kits/{code}/inspections", role=Role.LOGISTICS,
                     json={"outcome": "fine"}), 422, "invalid_input", "outcome")
    failed = api.post(f"/api/v1/kits/{code}/inspections", {"outcome": "failed", "findings": "wet"})
    assert failed["status"] == "quarantined"
    assert api.get(f"/api/v1/kits/{code}")["status"] == "quarantined"


def test_status_changes_follow_the_lifecycle_and_name_the_current_state(app, api, kits):
    code = make_kit(app, kits.template, kits.depot.zone)
    error = assert_error(api("POST", f"/api/v1/kits/{code}/status", role=Role.LOGISTICS,
                             json={"status": "quarantined", "note": "smoke damage"}),
                         409, "conflict", "status")
    assert "assembling" in error["message"] and error["fields"]["status"] == ["currently assembling"]
    assert_error(api("POST", f"/api/v1/kits/{code}/status", json={"status": "deployed"}),
                 422, "invalid_input", "status")
    assert_error(api("POST", f"/api/v1/kits/{code}/status", json={"status": "lost"}),
                 422, "invalid_input", "status")
    assert_error(api("POST", f"/api/v1/kits/{code}/status", json={"status": "ready"}),
                 409, "conflict", "status")  # it is empty, so not ready

    fill_kit(app, code)
    restocking = api.post(f"/api/v1/kits/{code}/status", {"status": "restocking"}, role=Role.LOGISTICS,
                          status=200)
    assert restocking["status"] == "restocking" and restocking["events"][0]["to_status"] == "restocking"
    assert api.post(f"/api/v1/kits/{code}/status", {"status": "ready"}, status=200)["status"] == "ready"

    before = stock_counts(app)
    assert_error(api("POST", f"/api/v1/kits/{code}/status", role=Role.LOGISTICS,
                     json={"status": "retired", "note": "damaged"}), 403, "forbidden")
    error = assert_error(api("POST", f"/api/v1/kits/{code}/status", role=Role.SUPPLY_OFFICER,
                             json={"status": "retired", "note": "damaged"}), 409, "conflict", "status")
    assert "still holds 6 units" in error["message"]
    assert_error(api("POST", f"/api/v1/kits/{code}/status", role=Role.SUPPLY_OFFICER,
                     json={"status": "retired"}), 422, "invalid_input", "note")
    assert api.get(f"/api/v1/kits/{code}")["status"] == "ready"
    assert stock_counts(app) == before


def test_an_empty_box_is_retired_by_a_supply_officer(app, api, kits):
    code = make_kit(app, kits.template, kits.depot.zone)
    retired = api.post(f"/api/v1/kits/{code}/status", {"status": "retired", "note": "never used"},
                       role=Role.SUPPLY_OFFICER, status=200)
    assert retired["status"] == "retired"
    error = assert_error(api("POST", f"/api/v1/kits/{code}/restock", json={"use_proposal": True}),
                         409, "conflict", "status")
    assert "retired" in error["message"]
    assert api.get("/api/v1/modules/EQ")["other"] == 0  # retired boxes leave the counts


def test_a_box_moves_to_a_new_home(app, api, kits):
    code = make_kit(app, kits.template, kits.depot.zone)
    fill_kit(app, code)
    moved = api.post(f"/api/v1/kits/{code}/move", {"home_location_id": kits.depot.bin_b,
                                                   "note": "rack B"}, status=200)
    assert moved["home_location"] == {"id": kits.depot.bin_b, "code": kits.depot.codes["bin_b"]}
    assert moved["place"] == moved["home_location"] and moved["events"][0]["note"] == "rack B"
    assert api.get(f"/api/v1/kits?q={code}")["items"][0]["place_id"] == kits.depot.bin_b
    assert_error(api("POST", f"/api/v1/kits/{code}/move", json={"home_location_id": kits.depot.bin_b}),
                 422, "invalid_input", "home_location_id")
    assert_error(api("POST", f"/api/v1/kits/{code}/move", json={"home_location_id": kits.depot.quarantine}),
                 422, "invalid_input", "home_location_id")
    assert ledger_differences(app) == []


def test_a_commander_reads_everything_and_writes_nothing(app, api, kits):
    code = make_kit(app, kits.template, kits.depot.zone)
    for url in ("/api/v1/modules", "/api/v1/modules/EQ", "/api/v1/kit-templates",
                "/api/v1/kit-templates/TRAUMA", "/api/v1/kits", f"/api/v1/kits/{code}",
                f"/api/v1/kits/{code}/restock"):
        api.get(url, role=Role.COMMANDER)
    before = stock_counts(app)
    for method, url, body in [
        ("POST", "/api/v1/modules", {"code": "FL", "name_zh": "洪涝", "name_en": "Flood"}),
        ("POST", "/api/v1/kit-templates", {}), ("PATCH", "/api/v1/kit-templates/TRAUMA", {}),
        ("POST", "/api/v1/kits", {}), ("POST", f"/api/v1/kits/{code}/restock", {"use_proposal": True}),
        ("POST", f"/api/v1/kits/{code}/inspections", {"outcome": "passed"}),
        ("POST", f"/api/v1/kits/{code}/status", {"status": "restocking"}),
        ("POST", f"/api/v1/kits/{code}/move", {"home_location_id": kits.depot.bin_a}),
    ]:
        assert_error(api(method, url, role=Role.COMMANDER, json=body), 403, "forbidden")
    assert stock_counts(app) == before


def test_a_signed_in_page_session_may_call_the_kits_api_with_the_csrf_header(app, client_as, kits):
    client = client_as("logistics")
    assert client.get("/api/v1/kits").status_code == 200
    body = {"template": "TRAUMA", "module": "EQ", "home_location_id": kits.depot.zone}
    assert_error(client.post("/api/v1/kits", json=body), 400, "csrf_failed")
    created = client.post("/api/v1/kits", json=body, headers={"X-CSRFToken": client.csrf_token()})
    assert created.status_code == 201 and created.json["code"] == "K-EQ-0001"


def test_a_template_keeps_the_modules_its_boxes_belong_to(app, api, kits):
    make_kit(app, kits.template, kits.depot.zone)
    error = assert_error(api("PATCH", "/api/v1/kit-templates/TRAUMA", json={
        "requirements": [{"module": "WR", "boxes_required": 1}]}), 409, "conflict", "requirements")
    assert "EQ" in error["message"]
    assert api.get("/api/v1/kit-templates/TRAUMA")["requirements"] == [{"module": "EQ", "boxes_required": 2}]
    assert_error(api("PATCH", "/api/v1/kit-templates/TRAUMA", role=Role.LOGISTICS, json={"name_en": "x"}),
                 403, "forbidden")
