"""The readiness API: modules, totals, shortfalls and their sources, plan targets, thresholds, history."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import event, func, insert, select

from tests.api_client import Api, assert_error
from tests.builders import (
    CLI,
    fill_kit,
    in_days,
    make_agreement,
    make_deployment,
    make_depot,
    make_item,
    make_kit,
    make_module,
    make_partner,
    make_stockpile_line,
    make_template,
    receive,
)
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import (
    Category,
    District,
    Module,
    PlanTarget,
    ReadinessSettings,
    ReadinessSnapshot,
    StaffingTarget,
    User,
)
from warehouse.services import deployments, kits

URL = "/api/v1/readiness"
DEPARTMENT = "辽源市应急管理局"
SUPERMARKET = "龙山区欧亚购物中心"


@pytest.fixture
def api(app, users) -> Api:
    return Api(app, users)


@dataclass
class Scenario:
    depot: object
    items: dict[str, int]
    boxes: dict[str, str]
    partners: dict[str, int]
    agreements: dict[str, int]


def build_scenario(app) -> Scenario:
    """Module EQ needs 4 breaching boxes and 3 rope boxes; WR one rope box; MT nothing.

    Breaching boxes (a foam drum, two pairs of gloves): #1 ready with a drum expiring tomorrow,
    #2 ready, #3 short of its gloves (taken out after it was filled), #4 deployed. One rope
    box of EQ is built (ready), two never were; WR's one rope box is ready.
    """
    depot = make_depot(app)
    foam = make_item(app, "T-FOAM", category="EA")
    glove = make_item(app, "T-GLOVE", name_zh="救援手套", name_en="Rescue gloves", category="PE",
                      tracking="bulk", expiry_required=False, shelf_life_days=None, unit="pair")
    rope = make_item(app, "T-ROPE", name_zh="静力绳", name_en="Static rope", category="RE", tracking="bulk",
                     expiry_required=False, shelf_life_days=None, unit="piece")
    make_module(app, "EQ", position=1)
    make_module(app, "WR", name_zh="水域救援模块", name_en="Water rescue module", position=2)
    make_module(app, "MT", name_zh="山岳救援模块", name_en="Mountain rescue module", position=3)
    breach = make_template(app, [{"item_id": foam, "par_quantity": 1}, {"item_id": glove, "par_quantity": 2}],
                           code="BREACH", name_zh="破拆箱", name_en="Breaching kit", category="ER",
                           modules={"EQ": 4})
    ropes = make_template(app, [{"item_id": rope, "par_quantity": 3}], code="ROPE-BOX", name_zh="绳索箱",
                          name_en="Rope box", category="RE", modules={"EQ": 3, "WR": 1})

    receive(app, foam, depot.bin_a, 1, lot="F-SOON", expires_on=in_days(1))
    receive(app, glove, depot.bin_b, 8)
    boxes = {"soon": make_kit(app, breach, depot.zone)}
    fill_kit(app, boxes["soon"])  # takes the only drum: the one expiring tomorrow
    receive(app, foam, depot.bin_a, 10, lot="F-LATE", expires_on=in_days(400))
    for name in ("ready", "deployed", "short"):
        boxes[name] = make_kit(app, breach, depot.zone)
        fill_kit(app, boxes[name])
    with app.app_context():  # a ready box loses its gloves: short by one line
        kits.restock_kit(db.session, CLI, boxes["short"], removals=[
            {"item_id": glove, "quantity": 2, "to_location_id": depot.bin_b}])
        db.session.remove()
    receive(app, rope, depot.bin_b, 6)
    boxes["rope"] = make_kit(app, ropes, depot.zone)
    fill_kit(app, boxes["rope"])
    boxes["water"] = make_kit(app, ropes, depot.zone, module="WR")
    fill_kit(app, boxes["water"])
    deployment = make_deployment(app)
    with app.app_context():
        deployments.check_out(db.session, CLI, boxes["deployed"], deployment)
        db.session.remove()
    receive(app, glove, depot.bin_b, 5)  # 7 loose with the 2 taken out
    receive(app, rope, depot.bin_b, 5)

    partners = {DEPARTMENT: make_partner(app, DEPARTMENT, kind="emergency_management", district="LY"),
                SUPERMARKET: make_partner(app, SUPERMARKET),
                "expired": make_partner(app, "西安区过期超市", district="XA")}
    make_stockpile_line(app, partners[DEPARTMENT], glove, 100, location="应急物资仓库")
    agreements = {
        # No commitments: gives the department's stockpile a response time.
        "department": make_agreement(app, partners[DEPARTMENT], "YJ-1", response_hours=6),
        "supermarket": make_agreement(app, partners[SUPERMARKET], "CS-1", response_hours=4, commitments=[
            {"item_id": glove, "quantity": 50}, {"item_id": glove, "quantity": 10, "period": "per_day"}]),
        # Expired yesterday though still marked active: must not count.
        "expired": make_agreement(app, partners["expired"], "CS-OLD", response_hours=1,
                                  valid_from=in_days(-400), valid_to=in_days(-1),
                                  commitments=[{"item_id": glove, "quantity": 1000}]),
    }
    return Scenario(depot, {"foam": foam, "glove": glove, "rope": rope}, boxes, partners, agreements)


@pytest.fixture
def scenario(app) -> Scenario:
    return build_scenario(app)


def item_ref(scenario, name) -> dict:
    words = {"glove": ("T-GLOVE", "救援手套", "Rescue gloves", "pair"),
             "rope": ("T-ROPE", "静力绳", "Static rope", "piece")}[name]
    return dict(zip(("id", "sku", "name_zh", "name_en", "unit"), (scenario.items[name], *words), strict=True))


def expected_eq(scenario) -> dict:
    """Module EQ as the scenario built it, counted by hand."""
    # Required 4 + 3; ready boxes that count: 2 breaching + 1 rope; 2 rope boxes never built.
    required, ready = 7, 3
    glove_lines = [
        {"source": "stockpile", "agreement": None, "quantity": 100, "unit": "pair", "period": "total",
         "response_hours": 6, "location": "应急物资仓库"},
        {"source": "agreement", "agreement": {"id": scenario.agreements["supermarket"], "number": "CS-1"},
         "quantity": 50, "unit": "pair", "period": "total", "response_hours": 4, "location": ""},
        {"source": "agreement", "agreement": {"id": scenario.agreements["supermarket"], "number": "CS-1"},
         "quantity": 10, "unit": "pair", "period": "per_day", "response_hours": 4, "location": ""},
    ]
    return {
        "code": "EQ", "name_zh": "地震救援模块", "name_en": "Earthquake rescue module",
        "kits_required": required, "kits_ready": ready, "kits_short": 1, "kits_deployed": 1,
        "kits_restocking": 0, "kits_other": 0, "kits_unbuilt": 2,
        "readiness_pct": round(100 * ready / required), "level": "poor",
        "earliest_expiry": in_days(1).isoformat(), "zones": [scenario.depot.codes["zone"]],
        "templates": [
            {"code": "BREACH", "name_zh": "破拆箱", "name_en": "Breaching kit", "category": "ER",
             "required": 4, "ready": 2, "counted_ready": 2, "short": 1, "deployed": 1, "restocking": 0,
             "other": 0},
            {"code": "ROPE-BOX", "name_zh": "绳索箱", "name_en": "Rope box", "category": "RE", "required": 3,
             "ready": 1, "counted_ready": 1, "short": 0, "deployed": 0, "restocking": 0, "other": 0},
        ],
        # Rope: two unbuilt boxes of 3 each; gloves: 2 pairs missing from the one short box.
        "shortfalls": [
            {"item": item_ref(scenario, "rope"), "missing": 6, "in_boxes": 0, "boxes": 0, "unbuilt": 6,
             "sources": {"loose": 5, "stockpiles": 0, "stockpile_hours": None, "committed": 0,
                         "committed_per_day": 0, "agreement_hours": None, "lines": []}},
            {"item": item_ref(scenario, "glove"), "missing": 2, "in_boxes": 2, "boxes": 1, "unbuilt": 0,
             "sources": {"loose": 7, "stockpiles": 100, "stockpile_hours": 6, "committed": 50,
                         "committed_per_day": 10, "agreement_hours": 4, "lines": glove_lines}},
        ],
    }


def comparable(module: dict) -> dict:
    """Drop the partners' district names (seeded data) and keep lines in a stable order."""
    module = {**module, "shortfalls": [dict(s) for s in module["shortfalls"]]}
    for shortfall in module["shortfalls"]:
        sources = shortfall["sources"] = dict(shortfall["sources"])
        lines = []
        for line in sources["lines"]:
            line = dict(line)
            partner = line.pop("partner")
            line["partner"] = (partner["id"], partner["name"], partner["kind"], partner["district"]["code"])
            lines.append(line)
        sources["lines"] = sorted(lines, key=lambda x: (x["source"] != "stockpile", x["period"] != "total"))
    return module


def test_readiness_counts_every_module_field_from_the_scenario(app, api, scenario):
    answer = api.get(URL)
    assert answer["on"] == in_days(0).isoformat()
    assert answer["thresholds"] == {"good_percent": 90, "fair_percent": 60}
    assert [m["code"] for m in answer["modules"]] == ["EQ", "WR", "MT"]
    eq, wr, mt = answer["modules"]

    expected = expected_eq(scenario)
    glove_partners = [(scenario.partners[DEPARTMENT], DEPARTMENT, "emergency_management", "LY"),
                      (scenario.partners[SUPERMARKET], SUPERMARKET, "supermarket", "LS"),
                      (scenario.partners[SUPERMARKET], SUPERMARKET, "supermarket", "LS")]
    for line, partner in zip(expected["shortfalls"][1]["sources"]["lines"], glove_partners, strict=True):
        line["partner"] = partner
    assert comparable(eq) == expected

    assert wr == {
        "code": "WR", "name_zh": "水域救援模块", "name_en": "Water rescue module", "kits_required": 1,
        "kits_ready": 1, "kits_short": 0, "kits_deployed": 0, "kits_restocking": 0, "kits_other": 0,
        "kits_unbuilt": 0, "readiness_pct": 100, "level": "good", "earliest_expiry": None,
        "zones": [scenario.depot.codes["zone"]],
        "templates": [{"code": "ROPE-BOX", "name_zh": "绳索箱", "name_en": "Rope box", "category": "RE",
                       "required": 1, "ready": 1, "counted_ready": 1, "short": 0, "deployed": 0,
                       "restocking": 0, "other": 0}],
        "shortfalls": []}
    assert mt == {
        "code": "MT", "name_zh": "山岳救援模块", "name_en": "Mountain rescue module", "kits_required": 0,
        "kits_ready": 0, "kits_short": 0, "kits_deployed": 0, "kits_restocking": 0, "kits_other": 0,
        "kits_unbuilt": 0, "readiness_pct": 0, "level": "none", "earliest_expiry": None, "zones": [],
        "templates": [], "shortfalls": []}

    # 3 of EQ's 7 and WR's 1 of 1: 4 of 8 required boxes ready.
    assert answer["totals"] == {
        "kits_required": 8, "kits_ready": 4, "kits_short": 1, "kits_deployed": 1, "kits_restocking": 0,
        "kits_unbuilt": 2, "readiness_pct": 50, "level": "poor",
        "modules_by_level": {"good": 1, "fair": 0, "poor": 1, "none": 1}}


def test_the_partner_in_a_source_line_carries_its_district(app, api, scenario):
    glove = api.get(URL)["modules"][0]["shortfalls"][1]
    stockpile = glove["sources"]["lines"][0]
    assert stockpile["source"] == "stockpile"
    with app.app_context():
        district = db.session.execute(select(District.code, District.name_zh, District.name_en)
                                      .where(District.code == "LY")).one()
        db.session.remove()
    assert stockpile["partner"] == {"id": scenario.partners[DEPARTMENT], "name": DEPARTMENT,
                                    "kind": "emergency_management",
                                    "district": dict(zip(("code", "name_zh", "name_en"), district,
                                                         strict=True))}


def test_an_agreement_that_expired_yesterday_does_not_count(app, api, scenario):
    glove = api.get(URL)["modules"][0]["shortfalls"][1]
    numbers = {(line["agreement"] or {}).get("number") for line in glove["sources"]["lines"]}
    assert "CS-OLD" not in numbers
    assert glove["sources"]["committed"] == 50 and glove["sources"]["agreement_hours"] == 4


def test_one_module_is_asked_for_by_code_in_any_case(app, api, scenario):
    answer = api.get(URL + "?module=eq")
    assert [m["code"] for m in answer["modules"]] == ["EQ"]
    assert answer["totals"] == {
        "kits_required": 7, "kits_ready": 3, "kits_short": 1, "kits_deployed": 1, "kits_restocking": 0,
        "kits_unbuilt": 2, "readiness_pct": 43, "level": "poor",
        "modules_by_level": {"good": 0, "fair": 0, "poor": 1, "none": 0}}


def test_changed_thresholds_change_the_levels(app, api, scenario):
    api.send("PATCH", URL + "/thresholds", {"good_percent": 40, "fair_percent": 20}, role=Role.ADMIN)
    answer = api.get(URL)
    assert answer["thresholds"] == {"good_percent": 40, "fair_percent": 20}
    assert [m["level"] for m in answer["modules"]] == ["good", "good", "none"]  # 43 % and 100 %
    api.send("PATCH", URL + "/thresholds", {"good_percent": 50, "fair_percent": 43}, role=Role.ADMIN)
    answer = api.get(URL)
    assert [m["level"] for m in answer["modules"]] == ["fair", "good", "none"]
    assert answer["totals"]["level"] == "good"  # 50 %
    assert answer["totals"]["modules_by_level"] == {"good": 1, "fair": 1, "poor": 0, "none": 1}


@pytest.mark.parametrize("query, status, field", [
    ("?module=ZZ", 404, None),
    ("?module=E", 422, "module"),
    ("?module=E-Q", 422, "module"),
    ("?module=", 422, "module"),
    ("?modules=EQ", 422, "modules"),
])
def test_a_bad_or_unknown_module_is_refused(app, api, scenario, query, status, field):
    assert_error(api("GET", URL + query, Role.COMMANDER), status,
                 "not_found" if status == 404 else "invalid_input", field)


def test_an_inactive_module_is_not_found(app, api, scenario):
    with app.app_context():
        db.session.get(Module, db.session.scalar(select(Module.id).where(Module.code == "MT"))).active = False
        db.session.commit()
        db.session.remove()
    error = assert_error(api("GET", URL + "?module=MT", Role.COMMANDER), 404, "not_found")
    assert "MT" in error["message"]
    assert [m["code"] for m in api.get(URL)["modules"]] == ["EQ", "WR"]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_readiness_targets_thresholds_and_history(app, api, role):
    make_module(app, "EQ")
    for path in ("", "/plan-targets", "/thresholds", "/history"):
        api.get(URL + path, role)


def test_no_module_and_no_box_answer_zeros(app, api):
    answer = api.get(URL)
    assert answer["modules"] == []
    assert answer["totals"] == {
        "kits_required": 0, "kits_ready": 0, "kits_short": 0, "kits_deployed": 0, "kits_restocking": 0,
        "kits_unbuilt": 0, "readiness_pct": 0, "level": "none",
        "modules_by_level": {"good": 0, "fair": 0, "poor": 0, "none": 0}}


# --- statements per request -------------------------------------------------------------------

@contextmanager
def statements(app):
    """Count the SQL statements run inside the block."""
    found = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        found.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_number_of_statements_does_not_grow_with_the_boxes(app, api, scenario):
    api.get(URL)  # warm: first-request work stays out of the count
    with statements(app) as few:
        small = api.get(URL)
    foam, glove = scenario.items["foam"], scenario.items["glove"]
    receive(app, foam, scenario.depot.bin_a, 18, lot="F-MORE", expires_on=in_days(300))
    receive(app, glove, scenario.depot.bin_b, 18 * 2)
    for _ in range(18):
        fill_kit(app, make_kit(app, "BREACH", scenario.depot.zone))
    api.get(URL)  # stores the new boxes' states (a write, once, after they changed)
    with statements(app) as many:
        large = api.get(URL)
    assert large["modules"][0]["templates"][0]["ready"] == small["modules"][0]["templates"][0]["ready"] + 18
    assert len(many) == len(few)
    assert len(few) <= 20


# --- the plan's targets -----------------------------------------------------------------------

def seeded(app):
    """Category codes, county districts and staffing targets as the database holds them."""
    with app.app_context():
        s = db.session
        found = {
            "categories": list(s.scalars(select(Category.code).order_by(Category.position))),
            "counties": list(s.scalars(select(District.code).where(District.city_level.is_(False))
                                       .order_by(District.position, District.code))),
            "staffing": s.execute(select(StaffingTarget.code, StaffingTarget.threshold)
                                  .order_by(StaffingTarget.position)).all(),
        }
        s.remove()
    return found


COUNTY_KINDS = ["supermarket", "auto_repair", "oil_depot", "restaurant", "machinery"]
DEPARTMENTS = ["emergency_management", "development_reform", "earthquake", "civil_affairs", "water_resources"]


def test_plan_targets_are_measured_from_the_scenario(app, api, scenario):
    data = seeded(app)
    answer = api.get(URL + "/plan-targets")
    assert answer["on"] == in_days(0).isoformat()
    plan = [t for t in answer["targets"] if t["kind"] == "plan"]
    staffing = [t for t in answer["targets"] if t["kind"] == "staffing"]
    assert [t["code"] for t in answer["targets"]] == [t["code"] for t in plan + staffing]
    common = {"kind": "plan", "updated_at": None, "updated_by": None}
    pairs = len(data["counties"]) * len(COUNTY_KINDS)
    assert plan == [
        {**common, "code": "depot_area", "measure": "depot_area", "name": "Reserve depot floor area",
         "threshold": 1000, "plan_threshold": 1000, "actual": 1000.0, "unit": "m²", "base": None,
         "passed": True, "missing": [], "scope": ""},
        # No item has a minimum level: no category counts as stocked.
        {**common, "code": "categories", "measure": "categories",
         "name": "Material categories stocked, with minimum levels", "threshold": 7, "plan_threshold": 7,
         "actual": 0, "unit": "", "base": len(data["categories"]), "passed": False,
         "missing": data["categories"], "scope": ""},
        # EQ and WR have required boxes; MT has none; HR and CH do not exist.
        {**common, "code": "modules", "measure": "modules",
         "name": "Priority disaster modules defined with required boxes", "threshold": 5, "plan_threshold": 5,
         "actual": 2, "unit": "", "base": 5, "passed": False, "missing": ["HR", "CH", "MT"],
         "scope": "HR CH EQ MT WR"},
        {**common, "code": "stockpiles", "measure": "stockpiles",
         "name": "Government departments' stockpiles in the reserve list", "threshold": 5,
         "plan_threshold": 5, "actual": 1, "unit": "", "base": 5, "passed": False,
         "missing": DEPARTMENTS[1:], "scope": ""},
        # One supermarket in Longshan is in force; the Xi'an one expired yesterday.
        {**common, "code": "county_agreements", "measure": "county_agreements",
         "name": "Each county/district: agreements with every kind of county partner", "threshold": 100,
         "plan_threshold": 100, "actual": round(100 / pairs, 1), "unit": "%", "base": pairs, "passed": False,
         "missing": [f"{d}:{k}" for d in data["counties"] for k in COUNTY_KINDS
                     if (d, k) != ("LS", "supermarket")],
         "scope": ""},
        {**common, "code": "delivery_agreements", "measure": "delivery_agreements",
         "name": "Delivery agreements with a railway and a logistics company", "threshold": 2,
         "plan_threshold": 2, "actual": 0, "unit": "", "base": 2, "passed": False,
         "missing": ["railway", "logistics"], "scope": ""},
    ]
    assert [(t["code"], t["threshold"]) for t in staffing] == [tuple(row) for row in data["staffing"]]
    assert all(t["measure"] in ("headcount", "share") and t["name"] and t["missing"] == [] for t in staffing)
    headcounts = [t for t in staffing if t["measure"] == "headcount"]
    assert headcounts and all(t["actual"] == 0 and not t["passed"] for t in headcounts)
    assert answer["passed"] == sum(t["passed"] for t in answer["targets"])
    # No staff at all: of the ten targets only the floor area is met.
    assert answer["failed"] == len(answer["targets"]) - answer["passed"] == 9


def test_staffing_target_names_are_english_whatever_the_callers_language(app, api):
    staffing = {t["code"]: t["name"] for t in api.get(URL + "/plan-targets?lang=zh")["targets"]
                if t["kind"] == "staffing"}
    assert staffing["STANDING_HEADCOUNT"] == "Support staff in standing squads"


def display_name(app, ref) -> str:
    with app.app_context():
        name = db.session.scalar(select(User.display_name).where(User.id == ref.id))
        db.session.remove()
    return name or ref.username


def plan_targets(app) -> list[tuple]:
    with app.app_context():
        found = db.session.execute(select(PlanTarget.measure, PlanTarget.threshold, PlanTarget.scope,
                                          PlanTarget.updated_at).order_by(PlanTarget.position)).all()
        db.session.remove()
    return [tuple(row) for row in found]


def test_an_admin_changes_the_modules_target_and_the_answer_checks_it_again(app, api, users, scenario):
    changed = api.send("PATCH", URL + "/plan-targets/modules", {"threshold": 2, "scope": "eq, wr"},
                       role=Role.ADMIN)
    assert {k: v for k, v in changed.items() if k != "updated_at"} == {
        "code": "modules", "kind": "plan", "measure": "modules",
        "name": "Priority disaster modules defined with required boxes", "threshold": 2, "plan_threshold": 5,
        "actual": 2, "unit": "", "base": 2, "passed": True, "missing": [], "scope": "EQ WR",
        "updated_by": display_name(app, users[Role.ADMIN])}
    assert changed["updated_at"]
    listed = {t["code"]: t for t in api.get(URL + "/plan-targets")["targets"]}
    assert listed["modules"] == changed
    area = api.send("PATCH", URL + "/plan-targets/DEPOT_AREA", {"threshold": 1200}, role=Role.ADMIN)
    assert (area["threshold"], area["plan_threshold"], area["passed"]) == (1200, 1000, False)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_an_admin_changes_plan_targets_and_thresholds(app, api, role):
    before = plan_targets(app)
    assert_error(api("PATCH", URL + "/plan-targets/modules", role, json={"threshold": 1}), 403, "forbidden")
    assert_error(api("PATCH", URL + "/thresholds", role, json={"good_percent": 50}), 403, "forbidden")
    assert plan_targets(app) == before
    assert api.get(URL + "/thresholds")["good_percent"] == 90


@pytest.mark.parametrize("measure, body, field", [
    ("modules", {"threshold": -1}, "threshold"),
    ("modules", {"threshold": "3"}, "threshold"),
    ("modules", {"threshold": 2.5}, "threshold"),
    ("modules", {"threshold": None}, "threshold"),
    ("modules", {"threshold": 1_000_001}, "threshold"),
    ("county_agreements", {"threshold": 101}, "threshold"),
    ("modules", {"scope": "EQ !!"}, "scope"),
    ("modules", {"scope": ""}, "scope"),
    ("depot_area", {"scope": "EQ"}, "scope"),
    ("modules", {}, "threshold"),
    ("modules", {"threshold": 3, "colour": "red"}, "colour"),
])
def test_a_bad_plan_target_change_is_refused_and_writes_nothing(app, api, measure, body, field):
    before = plan_targets(app)
    assert_error(api("PATCH", f"{URL}/plan-targets/{measure}", Role.ADMIN, json=body), 422, "invalid_input",
                 field)
    assert plan_targets(app) == before


def test_an_unknown_plan_target_is_not_found(app, api):
    response = api("PATCH", URL + "/plan-targets/floor", Role.ADMIN, json={"threshold": 1})
    assert_error(response, 404, "not_found")


def test_a_staffing_target_is_pointed_to_the_compliance_api(app, api):
    before = seeded(app)["staffing"]
    error = assert_error(api("PATCH", URL + "/plan-targets/standing_headcount", Role.ADMIN,
                             json={"threshold": 1}), 404, "not_found")
    assert "staffing target" in error["message"]
    assert "/api/v1/compliance/staffing/targets/STANDING_HEADCOUNT" in error["message"]
    assert seeded(app)["staffing"] == before


# --- thresholds -------------------------------------------------------------------------------

def settings_row(app) -> tuple:
    with app.app_context():
        row = db.session.execute(select(ReadinessSettings.good_percent, ReadinessSettings.fair_percent,
                                        ReadinessSettings.updated_at)).one()
        db.session.remove()
    return tuple(row)


def test_thresholds_start_at_the_plans_defaults_and_an_admin_changes_them(app, api, users):
    assert api.get(URL + "/thresholds") == {"good_percent": 90, "fair_percent": 60, "updated_at": None,
                                            "updated_by": None}
    changed = api.send("PATCH", URL + "/thresholds", {"fair_percent": 75}, role=Role.ADMIN)
    assert (changed["good_percent"], changed["fair_percent"]) == (90, 75)
    assert changed["updated_by"] == display_name(app, users[Role.ADMIN]) and changed["updated_at"]
    assert api.get(URL + "/thresholds", Role.LOGISTICS) == changed
    assert settings_row(app)[:2] == (90, 75)
    equal = api.send("PATCH", URL + "/thresholds", {"good_percent": 80, "fair_percent": 80}, role=Role.ADMIN)
    assert (equal["good_percent"], equal["fair_percent"]) == (80, 80)


@pytest.mark.parametrize("body, field", [
    ({"fair_percent": 95}, "fair_percent"),  # above green (90)
    ({"good_percent": 50}, "fair_percent"),  # green now below amber (60)
    ({"good_percent": 101}, "good_percent"),
    ({"fair_percent": -1}, "fair_percent"),
    ({"good_percent": "90"}, "good_percent"),
    ({"good_percent": True}, "good_percent"),
    ({"good_percent": None}, "good_percent"),
    ({}, "good_percent"),
    ({"good_percent": 90, "red_percent": 10}, "red_percent"),
])
def test_bad_thresholds_are_refused_and_write_nothing(app, api, body, field):
    before = settings_row(app)
    assert_error(api("PATCH", URL + "/thresholds", Role.ADMIN, json=body), 422, "invalid_input", field)
    assert settings_row(app) == before


# --- history ----------------------------------------------------------------------------------

def snapshot(module_id: int, days_ago: int, percent: int, **figures) -> dict:
    values = {"required": 4, "ready": 0, "short": 0, "deployed": 0, "restocking": 0} | figures
    return {"day": in_days(-days_ago), "module_id": module_id, "percent": percent, **values}


def point(days_ago: int, percent: int, **figures) -> dict:
    values = {"required": 4, "ready": 0, "short": 0, "deployed": 0, "restocking": 0} | figures
    return {"day": in_days(-days_ago).isoformat(), "percent": percent, **values}


@pytest.fixture
def recorded(app) -> None:
    """EQ recorded 40, 29, 5 and 0 days ago; WR yesterday; MT never."""
    make_module(app, "EQ", position=1)
    make_module(app, "WR", name_zh="水域救援模块", name_en="Water rescue module", position=2)
    make_module(app, "MT", name_zh="山岳救援模块", name_en="Mountain rescue module", position=3)
    with app.app_context():
        ids = dict(db.session.execute(select(Module.code, Module.id)).all())
        db.session.execute(insert(ReadinessSnapshot), [
            snapshot(ids["EQ"], 40, 25, ready=1, short=3),
            snapshot(ids["EQ"], 29, 50, ready=2, short=1, deployed=1),
            snapshot(ids["EQ"], 5, 75, ready=3, restocking=1),
            snapshot(ids["EQ"], 0, 100, ready=4),
            snapshot(ids["WR"], 1, 0, required=1, short=1),
        ])
        db.session.commit()
        db.session.remove()


def test_history_lists_each_modules_snapshots_oldest_first_within_the_days(app, api, recorded):
    answer = api.get(URL + "/history")
    assert answer == {"until": in_days(0).isoformat(), "days": 30, "modules": [
        {"code": "EQ", "name_zh": "地震救援模块", "name_en": "Earthquake rescue module", "points": [
            point(29, 50, ready=2, short=1, deployed=1), point(5, 75, ready=3, restocking=1),
            point(0, 100, ready=4)]},
        {"code": "WR", "name_zh": "水域救援模块", "name_en": "Water rescue module",
         "points": [point(1, 0, required=1, short=1)]},
        {"code": "MT", "name_zh": "山岳救援模块", "name_en": "Mountain rescue module", "points": []},
    ]}


def test_history_of_one_module_over_a_few_days_up_to_a_day(app, api, recorded):
    answer = api.get(URL + f"/history?module=eq&days=6&until={in_days(-1).isoformat()}")
    assert answer == {"until": in_days(-1).isoformat(), "days": 6, "modules": [
        {"code": "EQ", "name_zh": "地震救援模块", "name_en": "Earthquake rescue module",
         "points": [point(5, 75, ready=3, restocking=1)]}]}
    assert api.get(URL + "/history?days=366")["modules"][0]["points"][0] == point(40, 25, ready=1, short=3)


def test_history_keeps_a_deactivated_module_that_was_recorded(app, api, recorded):
    with app.app_context():
        db.session.get(Module, db.session.scalar(select(Module.id).where(Module.code == "WR"))).active = False
        db.session.commit()
        db.session.remove()
    assert [m["code"] for m in api.get(URL + "/history")["modules"]] == ["EQ", "WR", "MT"]
    assert [m["code"] for m in api.get(URL + "/history?days=1")["modules"]] == ["EQ", "MT"]


@pytest.mark.parametrize("query, status, field", [
    ("?days=0", 422, "days"),
    ("?days=367", 422, "days"),
    ("?days=ten", 422, "days"),
    ("?until=2026-02-30", 422, "until"),
    ("?until=1000-01-01", 422, "until"),
    ("?module=1", 422, "module"),
    ("?module=ZZ", 404, None),
    ("?day=3", 422, "day"),
])
def test_bad_history_queries_are_refused(app, api, recorded, query, status, field):
    assert_error(api("GET", URL + "/history" + query, Role.COMMANDER), status,
                 "not_found" if status == 404 else "invalid_input", field)


def test_snapshots_taken_through_the_service_show_in_the_history(app, api, scenario):
    from warehouse.services.readiness import take_snapshot

    with app.app_context():
        assert take_snapshot(db.session, in_days(0)) == 3
        assert db.session.scalar(select(func.count()).select_from(ReadinessSnapshot)) == 3
        db.session.remove()
    eq = api.get(URL + "/history?module=EQ&days=1")["modules"][0]
    assert eq["points"] == [{"day": in_days(0).isoformat(), "percent": 43, "ready": 3, "required": 7,
                             "short": 1, "deployed": 1, "restocking": 0}]


# --- the document -----------------------------------------------------------------------------

def test_the_readiness_operations_are_documented_with_examples(client_as):
    document = client_as("commander").get("/api/v1/openapi.json").json
    paths = document["paths"]
    assert set(paths["/api/v1/readiness"]) >= {"get"}
    assert "patch" in paths["/api/v1/readiness/plan-targets/{measure}"]
    assert {"get", "patch"} <= set(paths["/api/v1/readiness/thresholds"])
    get = paths["/api/v1/readiness"]["get"]
    assert get["tags"] == ["api_readiness"]
    tag = next(t for t in document["tags"] if t["name"] == "api_readiness")
    assert "commanders" in tag["description"]
    assert get["description"] and get["summary"]
    assert get["responses"]["200"]["content"]["application/json"]["example"]["modules"][0]["code"] == "EQ"
    module = document["components"]["schemas"]["ReadinessModule"]
    assert {"kits_required", "kits_ready", "kits_short", "kits_deployed", "readiness_pct", "level",
            "earliest_expiry", "shortfalls"} <= set(module["properties"])
