"""The partners API over HTTP: the registry, contacts and check calls, stockpile lists, alerts, roles."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.api_client import Api, assert_error
from tests.builders import CLI, in_days, make_agreement, make_item, make_partner, make_stockpile_line
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import ContactCheck, Partner, PartnerContact, StockpileLine
from warehouse.models.base import utcnow
from warehouse.services import partners

URL = "/api/v1/partners"
LONGSHAN = {"code": "LS", "name_zh": "龙山区", "name_en": "Longshan District"}
CITY = {"code": "LY", "name_zh": "辽源市本级", "name_en": "Liaoyuan city level"}
SHOP = {"name": "龙山区欧亚购物中心", "name_en": "Eurasia Shopping Centre", "kind": "supermarket",
        "district": "ls", "address": "龙山区人民大街 1 号", "note": "食品、饮用水"}
CONTACT = {"name": "王经理", "title": "值班经理", "phone_24h": "0437 321 0119",
           "phone_office": "0437-3210120", "note": "夜间打手机"}


@pytest.fixture
def api(app, users) -> Api:
    return Api(app, users)


def rows(app) -> dict:
    """Count partners, contacts, checks and stockpile lines, and list the partners' fields."""
    with app.app_context():
        s = db.session
        found = {model.__name__: s.scalar(select(func.count()).select_from(model))
                 for model in (Partner, PartnerContact, ContactCheck, StockpileLine)}
        found["partners"] = tuple(s.execute(select(Partner.name, Partner.kind, Partner.district_id,
                                                   Partner.active).order_by(Partner.id)).all())
        found["contacts"] = tuple(s.execute(select(PartnerContact.name, PartnerContact.phone_24h,
                                                   PartnerContact.active).order_by(PartnerContact.id)).all())
        found["lines"] = tuple(s.execute(select(StockpileLine.quantity, StockpileLine.location)
                                         .order_by(StockpileLine.id)).all())
        db.session.remove()
    return found


def stamp(value: str) -> datetime:
    """Assert a timestamp is ISO 8601 in UTC and return it."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", value), value
    return datetime.fromisoformat(value)


def summary(detail: dict) -> dict:
    """Return a partner's detail without what only the detail shows."""
    return {k: v for k, v in detail.items() if k not in ("contacts", "checks", "stockpile", "agreements")}


def names(api: Api, query: str = "") -> list[str]:
    return [p["name"] for p in api.get(f"{URL}{query}")["items"]]


# --- partners ---------------------------------------------------------------------------------

def test_a_partner_is_registered_shown_changed_deactivated_and_deleted(app, api):
    created = api.post(URL, SHOP)
    expected = {
        "id": created["id"], "name": "龙山区欧亚购物中心", "name_en": "Eurasia Shopping Centre",
        "kind": "supermarket", "district": LONGSHAN, "address": "龙山区人民大街 1 号", "note": "食品、饮用水",
        "active": True, "contacts_count": 0, "agreements_count": 0, "agreements_in_force": 0,
        "stockpile_lines": 0, "last_reached_at": None, "last_checked_at": None, "out_of_touch": True,
        "contact": None, "contacts": [], "checks": [], "stockpile": [], "agreements": []}
    assert created == expected
    assert api.get(f"{URL}/{created['id']}", Role.COMMANDER) == expected
    assert api.get(URL, Role.LOGISTICS) == {"items": [summary(expected)], "page": 1, "per_page": 50,
                                            "total": 1, "pages": 1}

    changed = api.send("PATCH", f"{URL}/{created['id']}", {
        "name": "欧亚购物中心（龙山店）", "district": "XA", "address": None, "kind": "restaurant"})
    expected |= {"name": "欧亚购物中心（龙山店）", "kind": "restaurant", "address": "",
                 "district": {"code": "XA", "name_zh": "西安区", "name_en": "Xi'an District"}}
    assert changed == expected
    assert api.send("PATCH", f"{URL}/{created['id']}", {}) == expected  # nothing given: nothing changes

    assert api.send("PATCH", f"{URL}/{created['id']}", {"active": False}) == expected | {"active": False}
    assert names(api) == []
    assert names(api, "?active=false") == ["欧亚购物中心（龙山店）"]

    assert api.send("DELETE", f"{URL}/{created['id']}", status=204) is None
    assert_error(api("GET", f"{URL}/{created['id']}"), 404, "not_found")
    assert rows(app)["Partner"] == 0


def test_the_registry_filters_by_kind_group_district_words_activity_and_contact(app, api):
    shop = make_partner(app, "龙山区欧亚购物中心", name_en="Eurasia")
    make_partner(app, "东丰县中石油油库", kind="oil_depot", district="DF", address="东丰镇石油路")
    make_partner(app, "辽源市民政局", kind="civil_affairs", district="LY", contact=False)
    make_partner(app, "辽源车务段", kind="railway", district="XA")
    gone = make_partner(app, "已关闭饭店", kind="restaurant")
    with app.app_context():
        partners.update_partner(db.session, CLI, gone, active=False)
        contact = db.session.scalar(select(PartnerContact).where(PartnerContact.partner_id == shop))
        partners.record_contact_check(db.session, CLI, contact.id, reached=True)
        db.session.remove()

    # By district (the city level first), then name.
    assert names(api) == ["辽源市民政局", "龙山区欧亚购物中心", "辽源车务段", "东丰县中石油油库"]
    assert names(api, "?kind=oil_depot") == ["东丰县中石油油库"]
    assert names(api, "?group=department") == ["辽源市民政局"]
    assert names(api, "?group=county") == ["龙山区欧亚购物中心", "东丰县中石油油库"]
    assert names(api, "?group=delivery") == ["辽源车务段"]
    assert names(api, "?district=ls") == ["龙山区欧亚购物中心"]
    assert names(api, "?q=石油路") == ["东丰县中石油油库"]  # the address
    assert names(api, "?q=eurasia") == ["龙山区欧亚购物中心"]  # the English name, any case
    assert names(api, "?q=%25") == []  # % is a literal, not a wildcard
    assert names(api, "?active=false") == ["已关闭饭店"]
    assert names(api, "?out_of_touch=true") == ["辽源市民政局", "辽源车务段", "东丰县中石油油库"]
    assert names(api, "?sort=name") == sorted(names(api))
    page = api.get(f"{URL}?per_page=3&page=2")
    assert ([p["name"] for p in page["items"]], page["total"], page["pages"]) == (["东丰县中石油油库"], 4, 2)
    assert_error(api("GET", f"{URL}?district=ZZ"), 422, "invalid_input", "district")
    assert_error(api("GET", f"{URL}?kind=bank"), 422, "invalid_input", "kind")
    assert_error(api("GET", f"{URL}?colour=red"), 422, "invalid_input", "colour")


@pytest.mark.parametrize(("body", "field"), [
    ({k: v for k, v in SHOP.items() if k != "name"}, "name"),
    (SHOP | {"name": ""}, "name"),
    (SHOP | {"name": "超" * 121}, "name"),
    (SHOP | {"kind": "bank"}, "kind"),
    ({k: v for k, v in SHOP.items() if k != "kind"}, "kind"),
    (SHOP | {"district": "ZZ"}, "district"),
    ({k: v for k, v in SHOP.items() if k != "district"}, "district"),
    (SHOP | {"address": 5}, "address"),
    (SHOP | {"name": "坏\x00名"}, "name"),
    (SHOP | {"phone": "0437"}, "phone"),  # unknown fields are refused, not dropped
])
def test_bad_partner_input_is_422_and_writes_nothing(app, api, body, field):
    before = rows(app)
    assert_error(api("POST", URL, json=body), 422, "invalid_input", field)
    assert rows(app) == before


def test_partner_names_are_unique_and_a_taken_name_changes_nothing(app, api):
    api.post(URL, SHOP)
    other = api.post(URL, SHOP | {"name": "万达广场超市"})
    before = rows(app)
    assert_error(api("POST", URL, json=SHOP | {"name": " 龙山区欧亚购物中心 "}), 409, "conflict", "name")
    assert_error(api("PATCH", f"{URL}/{other['id']}", json={"name": "龙山区欧亚购物中心"}), 409, "conflict",
                 "name")
    assert rows(app) == before


def test_deleting_a_partner_with_agreements_is_409_and_deletes_nothing(app, api):
    partner = make_partner(app)
    make_agreement(app, partner, "LS-CS-2026-001")
    before = rows(app)
    error = assert_error(api("DELETE", f"{URL}/{partner}"), 409, "conflict", "partner")
    assert error["message"] == "龙山区欧亚购物中心 has agreements: deactivate the partner instead"
    assert rows(app) == before
    assert api.get(f"{URL}/{partner}")["agreements_count"] == 1
    assert_error(api("DELETE", f"{URL}/999999"), 404, "not_found")


def test_a_partner_lists_its_agreements_with_their_standing(app, api):
    partner = make_partner(app)
    old = make_agreement(app, partner, "LS-CS-2025-001", valid_from=in_days(-400), valid_to=in_days(-35),
                   signed_on=in_days(-401), response_hours=6, title="旧协议")
    current = make_agreement(app, partner, "LS-CS-2026-001", valid_to=in_days(40), signed_on=in_days(-31),
                             title="应急物资保障协议")
    shown = api.get(f"{URL}/{partner}")
    # The earliest end first.
    assert shown["agreements"] == [
        {"id": old, "number": "LS-CS-2025-001", "title": "旧协议", "status": "active",
         "standing": "expired", "valid_to": in_days(-35).isoformat(), "days_left": -35, "response_hours": 6},
        {"id": current, "number": "LS-CS-2026-001", "title": "应急物资保障协议", "status": "active",
         "standing": "expiring", "valid_to": in_days(40).isoformat(), "days_left": 40, "response_hours": 4}]
    assert (shown["agreements_count"], shown["agreements_in_force"]) == (2, 1)


# --- contacts and check calls -------------------------------------------------------------------

def test_contacts_are_added_changed_checked_and_removed(app, api):
    partner = make_partner(app, contact=False)
    created = api.post(f"{URL}/{partner}/contacts", CONTACT)
    expected = {"id": created["id"], **CONTACT, "active": True, "last_checked_at": None,
                "last_reached_at": None}
    assert created == expected
    second = api.post(f"{URL}/{partner}/contacts", {"name": "李主任", "phone_24h": "13804370002"})
    assert second == {"id": second["id"], "name": "李主任", "title": "", "phone_24h": "13804370002",
                      "phone_office": "", "note": "", "active": True, "last_checked_at": None,
                      "last_reached_at": None}

    before = utcnow()
    tried = api.post(f"{URL}/contacts/{created['id']}/checks", {"reached": False, "note": "无人接听"})
    assert tried == {"id": tried["id"], "contact_id": created["id"], "contact_name": "王经理",
                     "checked_at": tried["checked_at"], "reached": False, "note": "无人接听",
                     "checked_by": "supplyofficer"}
    assert before <= stamp(tried["checked_at"]) <= utcnow()
    earlier = (utcnow() - timedelta(days=3)).replace(microsecond=0)
    reached = api.post(f"{URL}/contacts/{created['id']}/checks",
                       {"reached": True, "checked_at": earlier.isoformat()})
    assert (stamp(reached["checked_at"]), reached["reached"], reached["note"]) == (earlier, True, "")

    shown = api.get(f"{URL}/{partner}")
    # The last call tried is the unanswered one; the last answered, three days ago.
    assert shown["contacts"][0] == expected | {"last_checked_at": tried["checked_at"],
                                               "last_reached_at": reached["checked_at"]}
    assert (shown["last_checked_at"], shown["last_reached_at"], shown["out_of_touch"]) == (
        tried["checked_at"], reached["checked_at"], False)
    assert shown["checks"] == [tried, reached]  # newest first
    assert shown["contact"] == {"name": "王经理", "title": "值班经理", "phone_24h": "0437 321 0119"}
    assert shown["contacts_count"] == 2

    changed = api.send("PATCH", f"{URL}/contacts/{created['id']}", {"phone_24h": "138 0437 0009",
                                                                    "active": False})
    assert changed == expected | {"phone_24h": "138 0437 0009", "active": False,
                                  "last_checked_at": tried["checked_at"],
                                  "last_reached_at": reached["checked_at"]}
    shown = api.get(f"{URL}/{partner}")
    assert [c["name"] for c in shown["contacts"]] == ["李主任", "王经理"]  # active ones first
    assert shown["contact"]["name"] == "李主任" and shown["contacts_count"] == 1

    assert api.send("DELETE", f"{URL}/contacts/{created['id']}", status=204) is None
    found = rows(app)
    assert (found["PartnerContact"], found["ContactCheck"]) == (1, 0)  # the check log went with them
    assert_error(api("DELETE", f"{URL}/contacts/{created['id']}"), 404, "not_found")


@pytest.mark.parametrize(("url", "body", "field"), [
    ("contacts", {"name": "王经理"}, "phone_24h"),
    ("contacts", {"name": "王经理", "phone_24h": ""}, "phone_24h"),
    ("contacts", {"name": "王经理", "phone_24h": "call me"}, "phone_24h"),
    ("contacts", {"phone_24h": "13804370001"}, "name"),
    ("contacts", {"name": "王经理", "phone_24h": "13804370001", "phone_office": "夜班"}, "phone_office"),
    ("checks", {}, "reached"),
    ("checks", {"reached": "maybe"}, "reached"),
    ("checks", {"reached": True, "checked_at": "2030-01-01T00:00:00+08:00"}, "checked_at"),
    ("checks", {"reached": True, "checked_at": "2026-01-01T00:00:00"}, "checked_at"),  # no zone
])
def test_bad_contact_input_is_422_and_writes_nothing(app, api, url, body, field):
    partner = make_partner(app)
    with app.app_context():
        contact_id = db.session.scalar(select(PartnerContact.id))
        db.session.remove()
    target = f"{URL}/{partner}/contacts" if url == "contacts" else f"{URL}/contacts/{contact_id}/checks"
    before = rows(app)
    assert_error(api("POST", target, json=body), 422, "invalid_input", field)
    assert rows(app) == before


# --- stockpile lists ----------------------------------------------------------------------------

@pytest.fixture
def tents(app) -> int:
    return make_item(app, "T-TENT", name_zh="救灾帐篷", name_en="Relief tent", category="ER", unit="piece",
                     tracking="bulk", expiry_required=False, shelf_life_days=None)


def test_a_department_keeps_a_stockpile_list(app, api, tents):
    department = make_partner(app, "辽源市民政局", kind="civil_affairs", district="LY")
    created = api.post(f"{URL}/{department}/stockpile", {
        "item_id": tents, "quantity": 300, "location": "市救灾物资储备库", "as_of": in_days(-10).isoformat(),
        "note": "12 m² 单帐篷"})
    item = {"id": tents, "sku": "T-TENT", "name_zh": "救灾帐篷", "name_en": "Relief tent", "unit": "piece"}
    category = {"code": "ER", "name_zh": "抢险装备", "name_en": "Emergency repair and salvage equipment"}
    expected = {"id": created["id"], "item": item, "category": category, "quantity": 300,
                "location": "市救灾物资储备库", "as_of": in_days(-10).isoformat(), "note": "12 m² 单帐篷"}
    assert created == expected
    assert api.get(f"{URL}/{department}/stockpile", Role.COMMANDER) == [expected]
    assert api.get(f"{URL}/{department}")["stockpile"] == [expected]
    assert api.get(f"{URL}/{department}")["stockpile_lines"] == 1

    changed = api.send("PATCH", f"{URL}/stockpile/{created['id']}", {"quantity": 0, "as_of": None})
    expected |= {"quantity": 0, "as_of": in_days(0).isoformat()}  # used up, counted today
    assert changed == expected
    assert api.send("DELETE", f"{URL}/stockpile/{created['id']}", status=204) is None
    assert api.get(f"{URL}/{department}/stockpile") == []


@pytest.mark.parametrize(("body", "field", "status"), [
    ({"item_id": "TENT", "quantity": 5}, "item_id", 422),
    ({"item_id": 999999, "quantity": 5}, "item_id", 422),
    ({"quantity": 5}, "item_id", 422),
    ({"item_id": None, "quantity": -1}, "quantity", 422),  # item filled in below
    ({"item_id": None, "quantity": 2.5}, "quantity", 422),
    ({"item_id": None, "quantity": "5"}, "quantity", 422),
    ({"item_id": None, "quantity": 5, "as_of": in_days(1).isoformat()}, "as_of", 422),
    ({"item_id": None, "quantity": 5, "location": "一号库"}, "item_id", 409),  # already listed there
])
def test_bad_stockpile_lines_are_refused_and_write_nothing(app, api, tents, body, field, status):
    department = make_partner(app, "辽源市应急管理局", kind="emergency_management", district="LY")
    make_stockpile_line(app, department, tents, 10, location="一号库")
    if "item_id" in body and body["item_id"] is None:
        body = body | {"item_id": tents}
    before = rows(app)
    assert_error(api("POST", f"{URL}/{department}/stockpile", json=body), status,
                 "conflict" if status == 409 else "invalid_input", field)
    assert rows(app) == before


def test_only_departments_keep_stockpile_lists(app, api, tents):
    shop = make_partner(app)
    before = rows(app)
    error = assert_error(api("POST", f"{URL}/{shop}/stockpile", json={"item_id": tents, "quantity": 5}), 422,
                         "invalid_input", "partner")
    assert error["fields"]["partner"] == ["only the five departments keep stockpile lists"]
    assert rows(app) == before
    assert_error(api("POST", f"{URL}/999999/stockpile", json={"item_id": tents, "quantity": 5}), 404,
                 "not_found")
    assert_error(api("GET", f"{URL}/999999/stockpile"), 404, "not_found")


# --- alerts and districts -----------------------------------------------------------------------

def test_alerts_list_agreements_ending_or_ended_and_partners_out_of_touch(app, api):
    soon = make_partner(app, "快到期超市")
    past = make_partner(app, "已过期油库", kind="oil_depot", district="DF")
    fine = make_partner(app, "长期饭店", kind="restaurant", district="XA")
    soon_id = make_agreement(app, soon, "LS-CS-2026-009", valid_to=in_days(20))
    past_id = make_agreement(app, past, "DF-YK-2025-001", valid_from=in_days(-400), valid_to=in_days(-3))
    make_agreement(app, fine, "XA-CY-2026-001", valid_to=in_days(200))
    make_agreement(app, fine, "XA-CY-2026-002", status="terminated", valid_to=in_days(5))
    with app.app_context():
        for partner_id, days_ago in ((soon, 1), (fine, 181)):
            contact = db.session.scalar(select(PartnerContact).where(PartnerContact.partner_id == partner_id))
            partners.record_contact_check(db.session, CLI, contact.id, reached=True,
                                          checked_at=utcnow() - timedelta(days=days_ago))
        db.session.remove()

    found = api.get(f"{URL}/alerts", Role.COMMANDER)
    assert found["agreements"] == [
        {"id": past_id, "number": "DF-YK-2025-001", "title": "", "status": "active", "standing": "expired",
         "valid_to": in_days(-3).isoformat(), "days_left": -3, "response_hours": 4,
         "partner": {"id": past, "name": "已过期油库", "kind": "oil_depot",
                     "district": {"code": "DF", "name_zh": "东丰县", "name_en": "Dongfeng County"}}},
        {"id": soon_id, "number": "LS-CS-2026-009", "title": "", "status": "active", "standing": "expiring",
         "valid_to": in_days(20).isoformat(), "days_left": 20, "response_hours": 4,
         "partner": {"id": soon, "name": "快到期超市", "kind": "supermarket", "district": LONGSHAN}}]
    listed = {p["name"]: p for p in found["partners"]}
    assert list(listed) == ["长期饭店", "已过期油库"]  # by district: Xi'an before Dongfeng
    assert listed["长期饭店"] == summary(api.get(f"{URL}/{fine}"))
    assert stamp(listed["长期饭店"]["last_reached_at"]) < utcnow() - timedelta(days=180)
    assert listed["已过期油库"]["last_reached_at"] is None and listed["已过期油库"]["out_of_touch"] is True
    assert found["counts"] == {"agreements": 2, "expiring": 1, "expired": 1, "partners": 2, "total": 4}


def test_districts_are_listed_city_level_first(api):
    assert api.get("/api/v1/districts", Role.LOGISTICS) == [
        CITY | {"city_level": True},
        LONGSHAN | {"city_level": False},
        {"code": "XA", "name_zh": "西安区", "name_en": "Xi'an District", "city_level": False},
        {"code": "DL", "name_zh": "东辽县", "name_en": "Dongliao County", "city_level": False},
        {"code": "DF", "name_zh": "东丰县", "name_en": "Dongfeng County", "city_level": False}]


# --- roles ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.COMMANDER, Role.LOGISTICS])
def test_commanders_and_logistics_read_partners_but_may_not_change_them(app, api, tents, role):
    department = make_partner(app, "辽源市水利局", kind="water_resources", district="LY")
    line = make_stockpile_line(app, department, tents, 10)
    with app.app_context():
        contact_id = db.session.scalar(select(PartnerContact.id))
        db.session.remove()
    assert api.get(f"{URL}/{department}", role)["name"] == "辽源市水利局"
    before = rows(app)
    for method, url, body in [
        ("POST", URL, SHOP), ("PATCH", f"{URL}/{department}", {"note": "x"}),
        ("DELETE", f"{URL}/{department}", None), ("POST", f"{URL}/{department}/contacts", CONTACT),
        ("PATCH", f"{URL}/contacts/{contact_id}", {"title": "x"}),
        ("DELETE", f"{URL}/contacts/{contact_id}", None),
        ("POST", f"{URL}/contacts/{contact_id}/checks", {"reached": True}),
        ("POST", f"{URL}/{department}/stockpile", {"item_id": tents, "quantity": 1, "location": "二号库"}),
        ("PATCH", f"{URL}/stockpile/{line}", {"quantity": 1}), ("DELETE", f"{URL}/stockpile/{line}", None),
    ]:
        assert_error(api(method, url, role, json=body), 403, "forbidden")
    assert rows(app) == before
