"""The reachable reserve over HTTP: the depot, departments' stockpiles and agreements in force, added
up per item with response times; expected totals are computed here from the scenario's own data."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from tests.api_client import Api, assert_error
from tests.builders import (
    CLI,
    in_days,
    make_agreement,
    make_depot,
    make_item,
    make_partner,
    make_stockpile_line,
    receive,
)
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import Agreement
from warehouse.services import partners

URL = "/api/v1/reserve/reachable"
FUEL_AND_FOOD = {"code": "FF", "name_zh": "油料饮食", "name_en": "Fuel and food"}
FOOD = {"tracking": "bulk", "expiry_required": False, "shelf_life_days": None, "category": "FF"}
ITEMS = {
    "T-RATION": {"name_zh": "单兵自热食品", "name_en": "Self-heating ration", "unit": "box"},
    "T-WATER": {"name_zh": "瓶装水", "name_en": "Bottled water", "unit": "box"},
    "T-DIESEL": {"name_zh": "0号柴油", "name_en": "No. 0 diesel", "unit": "jerrycan"},  # nobody has any
}
# Into the depot: (SKU, where, units); the quarantine's units are held but not usable.
RECEIPTS = [("T-RATION", "bin_a", 120), ("T-RATION", "quarantine", 30), ("T-RATION", "bin_b", 15)]


@dataclass(frozen=True)
class Deal:
    """An agreement of the scenario, whether it is in force today, and what it commits."""

    number: str
    partner: str
    hours: int
    counts: bool
    lines: list[dict] = field(default_factory=list)
    terms: dict = field(default_factory=dict)


# name: (kind, district, active)
PARTNERS = {
    "辽源市民政局": ("civil_affairs", "LY", True),
    "辽源市应急管理局": ("emergency_management", "LY", True),
    "辽源市水利局": ("water_resources", "LY", False),  # deactivated: its stockpile no longer counts
    "龙山区欧亚购物中心": ("supermarket", "LS", True),
    "西安区万达超市": ("supermarket", "XA", True),
    "东辽县工程机械公司": ("machinery", "DL", True),
    "东丰县大酒店": ("restaurant", "DF", False),
    "过期超市": ("supermarket", "DF", True),
}
# Departments' stockpiles: (department, SKU, units, where).
STOCKPILES = [("辽源市民政局", "T-RATION", 500, "救灾物资储备库"), ("辽源市应急管理局", "T-RATION", 80, ""),
              ("辽源市应急管理局", "T-WATER", 1000, "应急物资仓库"), ("辽源市水利局", "T-RATION", 900, "")]
NOT_IN_FORCE = [
    {"valid_from": in_days(-400), "valid_to": in_days(-1)},  # expired by date, still marked active
    {"status": "expired"}, {"status": "terminated"}, {"status": "draft"},
    {"valid_from": in_days(1), "valid_to": in_days(300)},  # not started
]
DEALS = [
    Deal("MZ-1", "辽源市民政局", 12, True),  # gives the department's stockpile a response time
    Deal("CS-1", "龙山区欧亚购物中心", 4, True, [
        {"sku": "T-RATION", "quantity": 300},
        {"category": "FF", "description": "盒饭", "quantity": 2000, "unit": "份", "period": "per_day"}]),
    Deal("CS-2", "西安区万达超市", 2, True, [{"sku": "T-RATION", "quantity": 100, "period": "per_day"},
                                         {"sku": "T-WATER", "quantity": 200}]),
    Deal("JX-1", "东辽县工程机械公司", 3, True, [{"description": "挖掘机", "quantity": 3, "unit": "台"}]),
    Deal("CY-1", "东丰县大酒店", 1, False, [{"sku": "T-RATION", "quantity": 7000}]),  # partner deactivated
    *[Deal(f"X-{n}", "过期超市", 1, False, [{"sku": "T-RATION", "quantity": 10_000}], terms)
      for n, terms in enumerate(NOT_IN_FORCE, start=1)],
]


@dataclass
class Scenario:
    items: dict[str, int]
    partners: dict[str, int]
    agreements: dict[str, int]


@pytest.fixture
def scenario(app) -> Scenario:
    depot = make_depot(app)
    items = {sku: make_item(app, sku, **fields, **FOOD) for sku, fields in ITEMS.items()}
    for sku, where, units in RECEIPTS:
        receive(app, items[sku], getattr(depot, where), units)
    ids = {name: make_partner(app, name, kind=kind, district=district)
           for name, (kind, district, _) in PARTNERS.items()}
    for name, sku, units, where in STOCKPILES:
        make_stockpile_line(app, ids[name], items[sku], units, location=where, as_of=in_days(-7))
    agreements = {}
    for deal in DEALS:
        lines = [{k: v for k, v in line.items() if k != "sku"} | (
            {"item_id": items[line["sku"]]} if "sku" in line else {}) for line in deal.lines]
        agreements[deal.number] = make_agreement(app, ids[deal.partner], deal.number,
                                                 response_hours=deal.hours, commitments=lines, **deal.terms)
    with app.app_context():
        for name, (_, _, active) in PARTNERS.items():
            if not active:
                partners.update_partner(db.session, CLI, ids[name], active=False)
        db.session.remove()
    return Scenario(items, ids, agreements)


def expected_reach(sku: str, within_hours: int | None = None, needed: int | None = None) -> dict:
    """Add up an item's reachable reserve from the scenario's data, as the search should."""
    active = {name for name, (_, _, on) in PARTNERS.items() if on}
    hours = {deal.partner: deal.hours for deal in DEALS if deal.counts and not deal.lines}
    depot = sum(units for s, where, units in RECEIPTS if s == sku and where != "quarantine")
    stockpiles = [(units, hours.get(name)) for name, s, units, _ in STOCKPILES if s == sku and name in active]
    lines = [(line["quantity"], line.get("period", "total"), deal.hours) for deal in DEALS if deal.counts
             for line in deal.lines if line.get("sku") == sku]
    committed = sum(q for q, period, _ in lines if period == "total")
    per_day = sum(q for q, period, _ in lines if period == "per_day")
    total = depot + sum(q for q, _ in stockpiles) + committed + per_day
    within = None if within_hours is None else depot + sum(
        q for q, h in stockpiles if h is not None and h <= within_hours) + sum(
        q for q, _, h in lines if h <= within_hours)
    reachable = total if within is None else within
    return {"depot": depot, "stockpiles": sum(q for q, _ in stockpiles), "committed": committed,
            "committed_per_day": per_day, "total": total, "within": within,
            "enough": None if needed is None else reachable >= needed}


def item_ref(scenario: Scenario, sku: str) -> dict:
    return {"id": scenario.items[sku], "sku": sku, **ITEMS[sku]}


def district(code: str) -> dict:
    names = {"LY": ("辽源市本级", "Liaoyuan city level"), "LS": ("龙山区", "Longshan District"),
             "XA": ("西安区", "Xi'an District"), "DL": ("东辽县", "Dongliao County")}
    return {"code": code, "name_zh": names[code][0], "name_en": names[code][1]}


def partner_ref(scenario: Scenario, name: str) -> dict:
    kind, code, _ = PARTNERS[name]
    return {"id": scenario.partners[name], "name": name, "kind": kind, "district": district(code)}


CONTACT = {"name": "王经理", "title": "值班经理", "phone_24h": "138 0437 0001"}  # make_partner's


def test_the_reachable_reserve_of_an_item_adds_the_depot_stockpiles_and_agreements_in_force(app, users,
                                                                                          scenario):
    api = Api(app, users)
    found = api.get(f"{URL}?item=t-ration", Role.LOGISTICS)
    ration = item_ref(scenario, "T-RATION")
    assert found["items"] == [{"item": ration, **expected_reach("T-RATION")}]
    assert (found["items"][0]["total"], found["items"][0]["depot"]) == (1100 + 15, 135)  # written out once
    assert {k: found[k] for k in ("on", "item", "category", "q", "within_hours", "quantity")} == {
        "on": in_days(0).isoformat(), "item": ration, "category": None, "q": None, "within_hours": None,
        "quantity": None}
    mz, cs1, cs2 = (scenario.agreements[n] for n in ("MZ-1", "CS-1", "CS-2"))
    none = {"item": None, "category": None, "description": "", "partner": None, "agreement": None,
            "location": "", "as_of": None, "on_hand": None, "contact": None, "within": True, "counted": True,
            "period": "total"}
    assert found["sources"] == [
        none | {"source": "depot", "item": ration, "quantity": 135, "unit": "box", "response_hours": 0,
                "on_hand": 165},
        # Departments' stockpiles: the fastest first, one nobody promised a time for last.
        none | {"source": "stockpile", "item": ration, "quantity": 500, "unit": "box", "response_hours": 12,
                "partner": partner_ref(scenario, "辽源市民政局"), "location": "救灾物资储备库",
                "as_of": in_days(-7).isoformat(), "contact": CONTACT},
        none | {"source": "stockpile", "item": ration, "quantity": 80, "unit": "box", "response_hours": None,
                "partner": partner_ref(scenario, "辽源市应急管理局"), "as_of": in_days(-7).isoformat(),
                "contact": CONTACT},
        # Commitments of agreements in force; the category line is another unit: listed, not added.
        none | {"source": "agreement", "item": ration, "quantity": 100, "unit": "box", "period": "per_day",
                "response_hours": 2, "partner": partner_ref(scenario, "西安区万达超市"),
                "agreement": {"id": cs2, "number": "CS-2", "valid_to": in_days(335).isoformat()},
                "contact": CONTACT},
        none | {"source": "agreement", "item": ration, "quantity": 300, "unit": "box", "response_hours": 4,
                "partner": partner_ref(scenario, "龙山区欧亚购物中心"),
                "agreement": {"id": cs1, "number": "CS-1", "valid_to": in_days(335).isoformat()},
                "contact": CONTACT},
        none | {"source": "agreement", "category": FUEL_AND_FOOD, "description": "盒饭", "quantity": 2000,
                "unit": "份", "period": "per_day", "response_hours": 4, "counted": False,
                "partner": partner_ref(scenario, "龙山区欧亚购物中心"),
                "agreement": {"id": cs1, "number": "CS-1", "valid_to": in_days(335).isoformat()},
                "contact": CONTACT}]
    assert mz not in {s["agreement"]["id"] for s in found["sources"] if s["agreement"]}


@pytest.mark.parametrize(("within_hours", "needed"), [(6, 200), (6, 1000), (1, 200), (2, 235), (12, None),
                                                      (None, 1115), (None, 1116), (0, 135)])
def test_who_can_supply_so_much_within_so_many_hours(app, users, scenario, within_hours, needed):
    api = Api(app, users)
    query = "&".join(f"{k}={v}" for k, v in (("within_hours", within_hours), ("quantity", needed))
                     if v is not None)
    found = api.get(f"{URL}?item=T-RATION&{query}")
    [entry] = found["items"]
    assert {k: v for k, v in entry.items() if k != "item"} == expected_reach("T-RATION", within_hours, needed)
    assert (found["within_hours"], found["quantity"]) == (within_hours, needed)
    for source in found["sources"]:
        hours = source["response_hours"]
        assert source["within"] is (within_hours is None or (hours is not None and hours <= within_hours))


def test_the_issue_question_200_rations_within_6_hours(app, users, scenario):
    found = Api(app, users).get(f"{URL}?item=T-RATION&within_hours=6&quantity=200")
    # The depot's 135 usable, CS-1's 300 in 4 h and CS-2's first day of 100 in 2 h; not the
    # stockpiles (12 h, no promise) nor anything under an agreement not in force.
    assert (found["items"][0]["within"], found["items"][0]["enough"]) == (135 + 300 + 100, True)
    assert [(s["source"], s["agreement"] and s["agreement"]["number"]) for s in found["sources"]
            if s["within"]] == [("depot", None), ("agreement", "CS-2"), ("agreement", "CS-1"),
                                ("agreement", "CS-1")]


def test_a_category_totals_each_item_that_someone_holds(app, users, scenario):
    found = Api(app, users).get(f"{URL}?category=ff&within_hours=3")
    assert found["category"] == FUEL_AND_FOOD and found["item"] is None
    # Diesel is in the category, but nobody holds or commits any: left out.
    assert found["items"] == [{"item": item_ref(scenario, sku), **expected_reach(sku, 3)}
                              for sku in ("T-RATION", "T-WATER")]
    assert found["items"][1]["total"] == 1000 + 200
    sources = [(s["source"], s["item"] and s["item"]["sku"], s["description"]) for s in found["sources"]]
    assert ("agreement", None, "盒饭") in sources and all(sku != "T-DIESEL" for _, sku, _ in sources)


def test_words_find_commitments_outside_the_catalogue(app, users, scenario):
    found = Api(app, users).get(f"{URL}?q=挖掘")
    assert found["items"] == []
    assert [(s["description"], s["quantity"], s["unit"], s["response_hours"], s["partner"]["name"],
             s["counted"]) for s in found["sources"]] == [("挖掘机", 3, "台", 3, "东辽县工程机械公司", False)]
    assert Api(app, users).get(f"{URL}?q=吊车")["sources"] == []


def test_an_agreement_that_lapses_stops_counting(app, users, scenario):
    api = Api(app, users)
    before = api.get(f"{URL}?item=T-RATION")["items"][0]
    api.send("PATCH", f"/api/v1/agreements/{scenario.agreements['CS-1']}", {"status": "expired"})
    api.send("PATCH", f"/api/v1/agreements/{scenario.agreements['CS-2']}",
             {"valid_from": in_days(-300).isoformat(), "valid_to": in_days(-1).isoformat()})
    after = api.get(f"{URL}?item=T-RATION")["items"][0]
    assert (after["committed"], after["committed_per_day"]) == (0, 0)
    assert after["total"] == before["total"] - 300 - 100
    with app.app_context():
        assert db.session.scalar(select(Agreement.status).where(Agreement.number == "CS-1")) == "expired"
        db.session.remove()


@pytest.mark.parametrize(("query", "field"), [
    ("", "item"),  # nothing to look for
    ("?within_hours=6", "item"),
    ("?item=T-RATION&category=FF", "category"),
    ("?item=T-NOPE", "item"),
    ("?category=ZZ", "category"),
    ("?q=", "q"),
    ("?item=T-RATION&within_hours=-1", "within_hours"),
    ("?item=T-RATION&within_hours=721", "within_hours"),
    ("?item=T-RATION&within_hours=six", "within_hours"),
    ("?item=T-RATION&quantity=0", "quantity"),
    ("?item=T-RATION&quantity=-5", "quantity"),
    ("?item=T-RATION&quantity=NaN", "quantity"),
    ("?item=T-RATION&quantity=lots", "quantity"),
    ("?item=T-RATION&sort=total", "sort"),
])
def test_a_bad_question_is_422_naming_the_parameter(app, users, scenario, query, field):
    assert_error(Api(app, users)("GET", f"{URL}{query}", Role.COMMANDER), 422, "invalid_input", field)
