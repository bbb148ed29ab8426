"""The reachable-reserve search page: totals on a built scenario, agreements not in force left out,
sources outside the asked time greyed, category and free-word searches, and bad parameters."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest

from tests.builders import (
    in_days,
    make_agreement,
    make_depot,
    make_item,
    make_partner,
    make_stockpile_line,
    receive,
)
from tests.functional.stock_page_helpers import table_rows

# The scenario's quantities, each named once: the expected totals are sums of these.
DEPOT_USABLE = 120  # rations on a shelf
DEPOT_QUARANTINED = 30  # held, not usable: not reachable
CIVIL_STOCKPILE = 500  # civil affairs, whose agreement promises 12 hours
EMERGENCY_STOCKPILE = 80  # emergency management, no agreement: no promised time
SHOP_TOTAL = 300  # supermarket, 4 hours, once
CHAIN_PER_DAY = 100  # another supermarket, 2 hours, every day
NOT_IN_FORCE = 10000  # each of the agreements that must not count
WATER_STOCKPILE = 1000
MEALS_PER_DAY = Decimal(2000)  # a category line in its own unit (份), never added to rations
DIESEL = Decimal("20.5")  # tonnes, a free line


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def english(client):
    client.post_form("/language", {"lang": "en"})
    return client


def totals(response) -> dict[str, dict]:
    """The totals table by SKU: its cells, and whether the row says there is enough (None: not asked)."""
    return {row["attrs"]["item"]: {**row["cols"], "is_enough": row["attrs"].get("enough")}
            for row in table_rows(response, "reach-totals")}


def number(cell: str) -> Decimal:
    """The leading number of a cell such as '700 box'."""
    return Decimal(cell.split()[0])


@pytest.fixture
def reserve(app, users):
    depot = make_depot(app)
    rations = make_item(app, "T-RATION", name_zh="单兵自热食品", name_en="Self-heating ration", category="FF",
                        unit="box", tracking="bulk", expiry_required=False, shelf_life_days=None)
    water = make_item(app, "T-WATER", name_zh="瓶装水", name_en="Bottled water", category="FF", unit="box",
                      tracking="bulk", expiry_required=False, shelf_life_days=None)
    receive(app, rations, depot.bin_a, DEPOT_USABLE)
    receive(app, rations, depot.quarantine, DEPOT_QUARANTINED)
    civil = make_partner(app, "辽源市民政局", kind="civil_affairs", district="LY")
    emergency = make_partner(app, "辽源市应急管理局", kind="emergency_management", district="LY",
                             contact=False)
    make_stockpile_line(app, civil, rations, CIVIL_STOCKPILE, location="救灾物资储备库", as_of=in_days(-14))
    make_stockpile_line(app, emergency, rations, EMERGENCY_STOCKPILE)
    make_stockpile_line(app, emergency, water, WATER_STOCKPILE)
    make_agreement(app, civil, "MZ-2026-01", response_hours=12)
    shop = make_partner(app, "龙山区欧亚购物中心")
    make_agreement(app, shop, "LS-CS-001", response_hours=4, commitments=[
        {"item_id": rations, "quantity": SHOP_TOTAL},
        {"category": "FF", "description": "盒饭", "quantity": MEALS_PER_DAY, "unit": "份",
         "period": "per_day"}])
    make_agreement(app, make_partner(app, "西安区万达超市", district="XA"), "XA-CS-001", response_hours=2,
                   commitments=[{"item_id": rations, "quantity": CHAIN_PER_DAY, "period": "per_day"}])
    make_agreement(app, make_partner(app, "东辽县中石油油库", kind="oil_depot", district="DL"), "DL-YK-001",
                   response_hours=3, commitments=[{"description": "柴油", "quantity": DIESEL, "unit": "吨"}])
    # None of these count: ended by date (still marked active), marked expired, terminated, draft,
    # not started yet.
    for number_, fields in [("X-ENDED", {"valid_from": in_days(-400), "valid_to": in_days(-1)}),
                            ("X-EXPIRED", {"status": "expired"}), ("X-TERMINATED", {"status": "terminated"}),
                            ("X-DRAFT", {"status": "draft"}),
                            ("X-PENDING", {"valid_from": in_days(1), "valid_to": in_days(300)})]:
        make_agreement(app, make_partner(app, f"{number_} 超市", district="DF"), number_, response_hours=1,
                       commitments=[{"item_id": rations, "quantity": NOT_IN_FORCE},
                                    {"description": "柴油", "quantity": NOT_IN_FORCE, "unit": "吨"}],
                       **fields)
    return {"rations": rations, "water": water}


def test_the_search_form_opens_empty_in_chinese_by_default(client_as, reserve):
    response = client_as("logistics").get("/reserve/reachable")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'lang="zh-CN"' in body
    assert 'data-testid="reach-form"' in body and 'data-testid="reach-answer"' not in body
    assert '<option value="T-RATION">单兵自热食品</option>' in body  # the item picker's list
    assert re.search(r'<option value="FF">FF [^<]+</option>', body)


def test_an_item_adds_the_depot_stockpiles_and_agreements_in_force(client_as, reserve):
    response = english(client_as("commander")).get("/reserve/reachable?item=t-ration")
    assert response.status_code == 200
    row = totals(response)["T-RATION"]
    assert number(row["depot"]) == DEPOT_USABLE
    assert number(row["stockpiles"]) == CIVIL_STOCKPILE + EMERGENCY_STOCKPILE
    assert number(row["committed"]) == SHOP_TOTAL
    assert number(row["per_day"]) == CHAIN_PER_DAY
    assert number(row["total"]) == (DEPOT_USABLE + CIVIL_STOCKPILE + EMERGENCY_STOCKPILE + SHOP_TOTAL
                                    + CHAIN_PER_DAY)
    assert row["total"].endswith("box") and "within" not in row and row["is_enough"] is None
    sources = table_rows(response, "reach-sources")
    assert [r["attrs"]["source"] for r in sources] == ["depot", "stockpile", "stockpile", "agreement",
                                                       "agreement", "agreement"]
    assert {r["attrs"].get("agreement") for r in sources} == {None, "XA-CS-001", "LS-CS-001"}
    body = response.get_data(as_text=True)
    for number_ in ("X-ENDED", "X-EXPIRED", "X-TERMINATED", "X-DRAFT", "X-PENDING"):
        assert number_ not in body, number_
    depot = sources[0]["cols"]
    assert depot["quantity"] == (f"{DEPOT_USABLE} box on hand {DEPOT_USABLE + DEPOT_QUARANTINED}, "
                                 "not all usable")
    assert depot["response"] == "at once"
    civil = next(r for r in sources if r["attrs"].get("partner") == "辽源市民政局")["cols"]
    assert civil["response"] == "12 h"
    assert civil["where"] == f"救灾物资储备库 as of {in_days(-14).isoformat()}"
    assert civil["partner"] == "辽源市民政局 Liaoyuan city level · 王经理 138 0437 0001"
    emergency = next(r for r in sources if r["attrs"].get("partner") == "辽源市应急管理局")["cols"]
    assert emergency["response"] == "—"
    chain = next(r for r in sources if r["attrs"].get("agreement") == "XA-CS-001")["cols"]
    assert chain["quantity"] == f"{CHAIN_PER_DAY} box / day"
    meals = next(r for r in sources if r["attrs"]["counted"] == "false")
    assert meals["attrs"]["agreement"] == "LS-CS-001"
    assert meals["cols"]["quantity"] == f"{MEALS_PER_DAY} 份 / day"
    assert "盒饭" in meals["cols"]["what"] and "other unit, not added" in meals["cols"]["what"]
    assert 'href="tel:13804370001"' in body


def test_who_can_supply_200_rations_within_6_hours(client_as, reserve):
    client = english(client_as("commander"))
    response = client.get("/reserve/reachable?item=T-RATION&within_hours=6&quantity=200")
    row = totals(response)["T-RATION"]
    within = DEPOT_USABLE + SHOP_TOTAL + CHAIN_PER_DAY  # the depot at once, 4 h and 2 h agreements
    assert number(row["within"]) == within and within >= 200
    assert (row["is_enough"], row["enough"]) == ("true", "✓ enough")
    sources = table_rows(response, "reach-sources")
    outside = {r["attrs"].get("partner"): r for r in sources if r["attrs"]["within"] == "false"}
    # The civil affairs stockpile answers in 12 h; the emergency management one has no promised time.
    assert set(outside) == {"辽源市民政局", "辽源市应急管理局"}
    assert all("outside" in r["class"] for r in outside.values())
    assert outside["辽源市民政局"]["cols"]["source"] == "Department stockpile slower than 6 h"
    assert outside["辽源市应急管理局"]["cols"]["source"] == "Department stockpile no response time agreed"
    assert all("outside" not in r["class"] for r in sources if r["attrs"]["within"] == "true")
    tight = totals(client.get("/reserve/reachable?item=T-RATION&within_hours=1&quantity=200"))["T-RATION"]
    assert number(tight["within"]) == DEPOT_USABLE
    assert (tight["is_enough"], tight["enough"]) == ("false", "✗ not enough")
    plenty = totals(client.get("/reserve/reachable?item=T-RATION&quantity=1100"))["T-RATION"]
    assert plenty["is_enough"] == "true"  # no time asked: the total (1100) counts


def test_a_category_search_totals_each_item_on_its_own(client_as, reserve):
    response = english(client_as("supply_officer")).get("/reserve/reachable?category=FF")
    found = totals(response)
    assert list(found) == ["T-RATION", "T-WATER"]
    assert number(found["T-RATION"]["total"]) == (DEPOT_USABLE + CIVIL_STOCKPILE + EMERGENCY_STOCKPILE
                                                   + SHOP_TOTAL + CHAIN_PER_DAY)
    assert number(found["T-WATER"]["total"]) == WATER_STOCKPILE
    assert number(found["T-WATER"]["depot"]) == 0
    sources = table_rows(response, "reach-sources")
    assert [r["attrs"].get("agreement") for r in sources if r["attrs"]["counted"] == "false"] == ["LS-CS-001"]


def test_free_words_find_commitments_outside_the_catalogue_without_trailing_zeros(client_as, reserve):
    response = english(client_as("commander")).get("/reserve/reachable?q=柴油&within_hours=3")
    assert table_rows(response, "reach-totals") == []
    (row,) = table_rows(response, "reach-sources")
    assert row["attrs"]["agreement"] == "DL-YK-001" and row["attrs"]["within"] == "true"
    assert row["cols"]["quantity"] == "20.5 吨" and row["cols"]["response"] == "3 h"
    assert "other unit, not added" in row["cols"]["what"]
    assert "20.500" not in response.get_data(as_text=True)


def test_nothing_found_says_so(client_as, reserve):
    response = english(client_as("commander")).get("/reserve/reachable?q=挖掘机")
    assert response.status_code == 200 and "Nobody holds or has committed this." in text(response)


def field_messages(response, name: str) -> list[str]:
    body = response.get_data(as_text=True)
    match = re.search(rf'<div class="field has-error">(?:(?!<div class="field).)*?name="{name}"'
                      rf'(?:(?!<div class="field).)*?</div>', body, re.S)
    if match is None:
        return []
    return re.findall(r'<p class="error" role="alert">([^<]*)</p>', html.unescape(match.group(0)))


@pytest.mark.parametrize("query, field, message", [
    ("item=NOPE-9", "item", "No item has the SKU NOPE-9."),
    ("category=ZZ", "category", "No such category."),
    ("item=T-RATION&category=FF", "category", "Give an item or a category, not both."),
    ("within_hours=6", "item", "Give an item, a category or words to search for."),
    ("item=T-RATION&within_hours=abc", "within_hours", "Not a valid integer value."),
    ("item=T-RATION&within_hours=-1", "within_hours", "Number must be between 0 and 720."),
    ("item=T-RATION&within_hours=721", "within_hours", "Number must be between 0 and 720."),
    ("item=T-RATION&quantity=-5", "quantity", "must be more than zero"),
    ("item=T-RATION&quantity=0", "quantity", "must be more than zero"),
    ("item=T-RATION&quantity=lots", "quantity", "a number such as 20 or 2.5"),
    ("item=T-RATION&quantity=0.0001", "quantity", "at most three decimals"),
    ("item=T-RATION&quantity=1e999", "quantity", "too large"),
    ("item=" + "X" * 30, "item", "Field cannot be longer than 24 characters."),
    ("q=" + "词" * 81, "q", "Field cannot be longer than 80 characters."),
])
def test_bad_parameters_give_a_form_message_not_a_500(client_as, reserve, query, field, message):
    response = english(client_as("commander")).get(f"/reserve/reachable?{query}")
    assert response.status_code == 422
    assert message in field_messages(response, field)
    assert 'data-testid="reach-answer"' not in response.get_data(as_text=True)
