"""Partner pages: the registry and its filters, a partner with contacts, call log, stockpile list and
agreements, their forms and refusals, roles, the menu entry and the home page's alert card."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.builders import (
    CLI,
    field_errors,
    in_days,
    make_agreement,
    make_item,
    make_partner,
    make_stockpile_line,
)
from tests.functional.stock_page_helpers import LOCALES, table_rows
from warehouse.access import PARTNER_KEEPERS
from warehouse.extensions import db
from warehouse.models import Agreement, ContactCheck, Partner, PartnerContact, StockpileLine, User
from warehouse.models.base import utcnow
from warehouse.services import partners as partner_services

ROLES = ["logistics", "supply_officer", "commander", "admin"]
KEEPERS = {role.value for role in PARTNER_KEEPERS}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def english(client):
    client.post_form("/language", {"lang": "en"})
    return client


def table_counts(app) -> dict[str, int]:
    """Rows in each partner table: to prove a refused form wrote nothing."""
    with app.app_context():
        result = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                  for model in (Partner, PartnerContact, ContactCheck, StockpileLine, Agreement)}
        db.session.remove()
    return result


def partner_of(app, name: str) -> dict | None:
    with app.app_context():
        partner = db.session.scalar(select(Partner).where(Partner.name == name))
        result = None if partner is None else {
            "id": partner.id, "name_en": partner.name_en, "kind": partner.kind.value,
            "district": partner.district.code, "address": partner.address, "note": partner.note,
            "active": partner.active}
        db.session.remove()
    return result


def contacts_of(app, partner_id: int) -> list[dict]:
    with app.app_context():
        result = [{"id": c.id, "name": c.name, "title": c.title, "phone_24h": c.phone_24h,
                   "phone_office": c.phone_office, "note": c.note, "active": c.active}
                  for c in db.session.scalars(select(PartnerContact)
                                              .where(PartnerContact.partner_id == partner_id)
                                              .order_by(PartnerContact.position))]
        db.session.remove()
    return result


def checks_of(app, contact_id: int) -> list[tuple]:
    with app.app_context():
        result = [(c.reached, c.note, c.checked_by_name) for c in db.session.scalars(
            select(ContactCheck).where(ContactCheck.contact_id == contact_id).order_by(ContactCheck.id))]
        db.session.remove()
    return result


def lines_of(app, partner_id: int) -> list[tuple]:
    with app.app_context():
        result = [(line.item_id, line.quantity, line.location, line.as_of, line.note)
                  for line in db.session.scalars(select(StockpileLine)
                                                 .where(StockpileLine.partner_id == partner_id)
                                                 .order_by(StockpileLine.id))]
        db.session.remove()
    return result


def log_call(app, partner_id: int, *, reached: bool, days_ago: int) -> None:
    """Log a call to the partner's first contact so many days ago."""
    contact_id = contacts_of(app, partner_id)[0]["id"]
    with app.app_context():
        partner_services.record_contact_check(db.session, CLI, contact_id, reached=reached,
                                              checked_at=utcnow() - timedelta(days=days_ago))
        db.session.remove()


def names(response) -> list[str]:
    """The registry's names, without the inactive badge (Chinese pages)."""
    return [row["cols"]["name"].removesuffix(" 已停用") for row in table_rows(response, "partners")]


@pytest.fixture
def registry(app, users):
    """A department with a stockpile, a supermarket with an agreement in force and an expired one, a
    garage reached long ago, a railway without a contact; an inactive restaurant."""
    rations = make_item(app, "T-RATION", name_zh="单兵自热食品", name_en="Self-heating ration", category="FF",
                        unit="box", tracking="bulk", expiry_required=False, shelf_life_days=None)
    civil = make_partner(app, "辽源市民政局", kind="civil_affairs", district="LY",
                         name_en="Civil Affairs Bureau", address="辽源市龙山区人民大街")
    shop = make_partner(app, "龙山区欧亚购物中心", address="龙山区西宁大路")
    garage = make_partner(app, "西安区汽车修理厂", kind="auto_repair", district="XA")
    rail = make_partner(app, "辽源车务段", kind="railway", district="LY", contact=False)
    diner = make_partner(app, "东丰县大酒店", kind="restaurant", district="DF")
    with app.app_context():
        partner_services.update_partner(db.session, CLI, diner, active=False)
        db.session.remove()
    line = make_stockpile_line(app, civil, rations, 500, location="救灾物资储备库")
    in_force = make_agreement(app, shop, "LS-CS-001", response_hours=4, valid_to=in_days(300),
                              commitments=[{"item_id": rations, "quantity": 300}])
    make_agreement(app, shop, "LS-CS-000", valid_from=in_days(-400), valid_to=in_days(-10))
    log_call(app, shop, reached=True, days_ago=10)
    log_call(app, garage, reached=True, days_ago=200)
    log_call(app, garage, reached=False, days_ago=3)
    return {"rations": rations, "civil": civil, "shop": shop, "garage": garage, "rail": rail, "diner": diner,
            "line": line, "in_force": in_force}


# --- reading ----------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_partner_pages_in_both_languages(client_as, registry, locale, role):
    accept, marker = LOCALES[locale]
    client = client_as(role)
    for url in ["/partners", f"/partners/{registry['civil']}", f"/partners/{registry['shop']}",
                f"/partners/{registry['rail']}", "/partners?kind=departments&district=LY&q=民政&active=all",
                "/reserve/reachable", "/reserve/reachable?item=T-RATION&within_hours=6&quantity=200"]:
        response = client.get(url, headers={"Accept-Language": accept})
        assert response.status_code == 200, url
        assert marker in response.get_data(as_text=True), url
    keeper = role in KEEPERS
    civil = client.get(f"/partners/{registry['civil']}").get_data(as_text=True)
    for marker in ('data-testid="edit-partner"', 'data-testid="contact-form"', 'data-testid="check-form-',
                   'data-testid="stockpile-form"', 'data-testid="partner-status"', 'data-testid="edit-line"'):
        assert (marker in civil) is keeper, marker
    assert ('data-testid="new-partner"' in client.get("/partners").get_data(as_text=True)) is keeper
    assert "救灾物资储备库" in civil and "王经理" in civil


def test_unknown_partners_contacts_and_lines_are_404(client_as, registry):
    client = client_as("supply_officer")
    for url in ["/partners/999999", "/partners/999999/edit", "/partners/contacts/999999/edit",
                "/partners/stockpile/999999/edit", "/partners/0", "/partners/abc"]:
        assert client.get(url).status_code == 404, url
    for url in ["/partners/999999/delete", "/partners/999999/contacts", "/partners/contacts/999999/delete",
                "/partners/contacts/999999/checks", "/partners/999999/stockpile",
                "/partners/stockpile/999999/delete", "/partners/999999/edit"]:
        assert client.post_form(url, {"name": "x", "reached": "1"}).status_code == 404, url


def test_the_registry_lists_active_partners_by_district_with_phone_agreements_stockpile_and_contact(
        client_as, registry):
    client = english(client_as("commander"))
    rows = {int(row["attrs"]["partner"]): row for row in table_rows(client.get("/partners"), "partners")}
    # City level first, then Longshan, Xi'an; the inactive Dongfeng restaurant is not listed.
    assert list(rows) == [registry[name] for name in ("civil", "rail", "shop", "garage")]
    civil, rail, shop, garage = (row["cols"] for row in rows.values())
    # In English the English name, when there is one.
    assert civil["name"] == "Civil Affairs Bureau" and shop["name"] == "龙山区欧亚购物中心"
    assert civil["kind"] == "Civil affairs" and civil["district"] == "Liaoyuan city level"
    assert civil["phone"] == "138 0437 0001 王经理"
    assert (civil["agreements"], civil["stockpile"]) == ("0 / 0", "1")
    assert (shop["agreements"], shop["stockpile"], shop["kind"]) == ("1 / 2", "—", "Supermarket")
    assert rail["phone"] == "no contact"
    assert civil["reached"] == "never reached" and garage["reached"] != "never reached"
    body = client.get("/partners").get_data(as_text=True)
    assert 'href="tel:13804370001"' in body
    # Red (out of touch) for the never reached department and the garage last reached 200 days ago.
    stale = {key: re.search(r'data-out-of-touch="(\w+)"',
                            body[body.index(f'data-partner="{registry[key]}"'):]).group(1)
             for key in ("civil", "rail", "shop", "garage")}
    assert stale == {"civil": "true", "rail": "true", "shop": "false", "garage": "true"}


@pytest.mark.parametrize("query, expected", [
    ("kind=departments", ["辽源市民政局"]),
    ("kind=county", ["龙山区欧亚购物中心", "西安区汽车修理厂"]),
    ("kind=delivery", ["辽源车务段"]),
    ("kind=auto_repair", ["西安区汽车修理厂"]),
    ("district=xa", ["西安区汽车修理厂"]),
    ("district=LY&kind=railway", ["辽源车务段"]),
    ("q=欧亚", ["龙山区欧亚购物中心"]),
    ("q=civil affairs", ["辽源市民政局"]),
    ("q=西宁大路", ["龙山区欧亚购物中心"]),
    ("q=100%", []),
    ("active=0", ["东丰县大酒店"]),
    ("active=all&kind=county", ["龙山区欧亚购物中心", "西安区汽车修理厂", "东丰县大酒店"]),
    ("out_of_touch=1", ["辽源市民政局", "辽源车务段", "西安区汽车修理厂"]),
    ("kind=bogus", ["辽源市民政局", "辽源车务段", "龙山区欧亚购物中心", "西安区汽车修理厂"]),
    ("district=ZZ", ["辽源市民政局", "辽源车务段", "龙山区欧亚购物中心", "西安区汽车修理厂"]),
])
def test_the_registry_filters_by_kind_group_district_words_state_and_contact(client_as, registry, query,
                                                                           expected):
    response = client_as("commander").get(f"/partners?{query}")
    assert response.status_code == 200
    assert names(response) == expected


def test_the_registry_sorts_by_name_and_pages_keeping_the_filters(client_as, registry):
    client = client_as("commander")
    everyone = sorted(["辽源市民政局", "辽源车务段", "龙山区欧亚购物中心", "西安区汽车修理厂"])
    first = client.get("/partners?sort=name&per_page=2&kind=")
    assert names(first) == everyone[:2]
    assert re.search(r'<nav class="pager"', first.get_data(as_text=True))
    following = re.search(r'href="(/partners\?[^"]*page=2[^"]*)"', first.get_data(as_text=True)).group(1)
    assert "sort=name" in following and "per_page=2" in following
    assert names(client.get(html.unescape(following))) == everyone[2:]


def test_the_partner_page_shows_details_contacts_call_log_stockpile_and_agreements(app, client_as, registry):
    client = english(client_as("commander"))
    civil = client.get(f"/partners/{registry['civil']}")
    body = text(civil)
    assert "Civil Affairs Bureau" in body and "辽源市龙山区人民大街" in body
    (line,) = table_rows(civil, "stockpile")
    assert line["cols"]["item"] == "T-RATION Self-heating ration"
    assert (line["cols"]["quantity"], line["cols"]["location"]) == ("500 box", "救灾物资储备库")
    assert line["cols"]["category"].startswith("FF ")
    assert line["cols"]["as_of"] == in_days(0).isoformat()
    shop = client.get(f"/partners/{registry['shop']}")
    agreements = {row["attrs"]["agreement"]: row for row in table_rows(shop, "agreements")}
    assert list(agreements) == ["LS-CS-000", "LS-CS-001"]  # by end date
    assert agreements["LS-CS-001"]["attrs"]["standing"] == "in_force"
    assert agreements["LS-CS-000"]["attrs"]["standing"] == "expired"
    assert agreements["LS-CS-001"]["cols"]["response"] == "4 h"
    assert agreements["LS-CS-001"]["cols"]["valid_to"] == in_days(300).isoformat()
    assert 'data-testid="stockpile"' not in shop.get_data(as_text=True)  # not a department
    garage = client.get(f"/partners/{registry['garage']}")
    (contact,) = table_rows(garage, "contacts")
    assert contact["cols"]["phone_24h"] == "138 0437 0001" and contact["cols"]["title"] == "值班经理"
    # Newest first: not reached three days ago, reached 200 days ago.
    assert [row["attrs"]["reached"] for row in table_rows(garage, "checks")] == ["false", "true"]
    assert "not reached in 180 days" in text(garage)


def test_agreement_numbers_link_to_the_agreement_pages(app, client_as, registry):
    page = client_as("supply_officer").get(f"/partners/{registry['shop']}").get_data(as_text=True)
    assert f'href="/agreements/{registry["in_force"]}" class="sku">LS-CS-001</a>' in page
    assert f'href="/agreements/new?partner={registry["shop"]}" data-testid="new-agreement"' in page
    assert 'data-testid="agreements-link"' in page
    commander = client_as("commander").get(f"/partners/{registry['shop']}").get_data(as_text=True)
    assert 'data-testid="new-agreement"' not in commander and 'LS-CS-001</a>' in commander


# --- partner forms ----------------------------------------------------------------------------

def partner_form(**changes) -> dict:
    data = {"name": "东辽县宏达工程机械有限公司", "name_en": "Dongliao Hongda Machinery", "kind": "machinery",
            "district": "DL", "address": "东辽县白泉镇", "note": "挖掘机3台"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_supply_officer_registers_edits_and_deactivates_a_partner(app, client_as, registry):
    officer = client_as("supply_officer")
    page = officer.get("/partners/new").get_data(as_text=True)
    assert re.search(r'<optgroup label="[^"]+">\s*<option value="emergency_management">', page)
    response = officer.post_form("/partners/new", partner_form())
    created = partner_of(app, "东辽县宏达工程机械有限公司")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/partners/{created['id']}#contacts"
    assert created == {"id": created["id"], "name_en": "Dongliao Hongda Machinery", "kind": "machinery",
                       "district": "DL", "address": "东辽县白泉镇", "note": "挖掘机3台", "active": True}
    edit = officer.get(f"/partners/{created['id']}/edit").get_data(as_text=True)
    assert 'value="东辽县宏达工程机械有限公司"' in edit and re.search(r'<option selected value="DL">', edit)
    response = officer.post_form(f"/partners/{created['id']}/edit",
                                 partner_form(district="DF", note="", active="y", name_en=""))
    assert response.status_code == 302 and response.headers["Location"] == f"/partners/{created['id']}"
    changed = partner_of(app, "东辽县宏达工程机械有限公司")
    assert (changed["district"], changed["note"], changed["name_en"], changed["active"]) == (
        "DF", "", "", True)
    response = officer.post_form(f"/partners/{created['id']}/edit", {"set_active": "0"})
    assert response.status_code == 302 and partner_of(app, "东辽县宏达工程机械有限公司")["active"] is False
    shown = officer.get(f"/partners/{created['id']}").get_data(as_text=True)
    assert 'data-testid="inactive"' in shown and 'data-testid="reactivate"' in shown
    assert officer.post_form(f"/partners/{created['id']}/edit", {"set_active": "maybe"}).status_code == 400
    officer.post_form(f"/partners/{created['id']}/edit", {"set_active": "1"})
    assert partner_of(app, "东辽县宏达工程机械有限公司")["active"] is True


@pytest.mark.parametrize("changes, field, message, status", [
    ({"name": ""}, "name", "This field is required.", 422),
    ({"name": "辽源市民政局"}, "name", "already taken", 409),
    ({"name": "x" * 121}, "name", "Field cannot be longer than 120 characters.", 422),
    ({"kind": "bakery"}, "kind", "Not a valid choice.", 422),
    ({"district": "ZZ"}, "district", "no such county or district", 422),
    ({"district": None}, "district", "This field is required.", 422),
])
def test_a_bad_partner_is_refused_on_its_field_and_nothing_is_written(app, client_as, registry, changes,
                                                                     field, message, status):
    before = table_counts(app)
    response = english(client_as("supply_officer")).post_form("/partners/new", partner_form(**changes))
    assert response.status_code == status
    assert message in field_errors(response, field)
    assert table_counts(app) == before


def test_changing_a_department_with_a_stockpile_into_a_shop_is_refused(app, client_as, registry):
    response = english(client_as("supply_officer")).post_form(
        f"/partners/{registry['civil']}/edit",
        partner_form(name="辽源市民政局", kind="supermarket", active="y"))
    assert response.status_code == 409
    assert field_errors(response, "kind") == ["has a stockpile list"]
    assert partner_of(app, "辽源市民政局")["kind"] == "civil_affairs"


def test_a_partner_without_agreements_is_deleted_and_one_with_agreements_shows_the_409_message(
        app, client_as, registry):
    officer = english(client_as("supply_officer"))
    before = table_counts(app)
    refused = officer.post_form(f"/partners/{registry['shop']}/delete")
    assert refused.status_code == 409
    assert "龙山区欧亚购物中心 has agreements: deactivate the partner instead" in text(refused)
    assert table_counts(app) == before
    response = officer.post_form(f"/partners/{registry['garage']}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/partners"
    assert partner_of(app, "西安区汽车修理厂") is None
    after = table_counts(app)
    # The garage went with its contact and both logged calls.
    assert (after["partners"], after["partner_contacts"], after["contact_checks"]) == (
        before["partners"] - 1, before["partner_contacts"] - 1, before["contact_checks"] - 2)
    assert officer.post(f"/partners/{registry['civil']}/delete").status_code == 400  # no CSRF token
    assert partner_of(app, "辽源市民政局") is not None


# --- contacts and calls -----------------------------------------------------------------------

def test_contacts_are_added_edited_checked_and_removed(app, client_as, registry, users):
    officer = client_as("supply_officer")
    rail = registry["rail"]
    response = officer.post_form(f"/partners/{rail}/contacts", {
        "name": "赵站长", "title": "调度主任", "phone_24h": "0437 321 0001", "phone_office": "0437-3210002",
        "note": "夜间转值班室"})
    assert response.status_code == 302 and response.headers["Location"] == f"/partners/{rail}#contacts"
    (contact,) = contacts_of(app, rail)
    assert contact == {"id": contact["id"], "name": "赵站长", "title": "调度主任",
                       "phone_24h": "0437 321 0001", "phone_office": "0437-3210002", "note": "夜间转值班室",
                       "active": True}
    page = officer.get(f"/partners/{rail}").get_data(as_text=True)
    assert 'href="tel:04373210001"' in page and 'href="tel:04373210002"' in page
    response = officer.post_form(f"/partners/contacts/{contact['id']}/checks",
                                 {"reached": "1", "note": "已核实"})
    assert response.status_code == 302 and response.headers["Location"] == f"/partners/{rail}#contacts"
    officer.post_form(f"/partners/contacts/{contact['id']}/checks", {"reached": "0"})
    with app.app_context():
        officer_user = db.session.get(User, users["supply_officer"].id)
        officer_name = officer_user.display_name or officer_user.username
        db.session.remove()
    assert checks_of(app, contact["id"]) == [(True, "已核实", officer_name), (False, "", officer_name)]
    shown = english(officer).get(f"/partners/{rail}")
    rows = table_rows(shown, "checks")
    assert [(r["attrs"]["reached"], r["cols"]["result"], r["cols"]["note"]) for r in rows] == [
        ("false", "✗ Not reached", "—"), ("true", "✓ Reached", "已核实")]
    assert table_rows(shown, "contacts")[0]["cols"]["reached"] != "—"
    assert table_rows(english(officer).get("/partners?q=车务段"), "partners")[0]["cols"]["reached"] != \
        "never reached"

    edit = officer.get(f"/partners/contacts/{contact['id']}/edit").get_data(as_text=True)
    assert 'value="0437 321 0001"' in edit
    # The "still to be called" box left unticked: the contact has left.
    response = officer.post_form(f"/partners/contacts/{contact['id']}/edit", {
        "name": "赵站长", "title": "", "phone_24h": "139 0437 9999", "phone_office": "", "note": ""})
    assert response.status_code == 302
    (changed,) = contacts_of(app, rail)
    assert (changed["phone_24h"], changed["title"], changed["active"]) == ("139 0437 9999", "", False)
    page = officer.get(f"/partners/{rail}").get_data(as_text=True)
    assert f'data-testid="check-form-{contact["id"]}"' not in page  # someone who left is not called

    response = officer.post_form(f"/partners/contacts/{contact['id']}/delete")
    assert response.status_code == 302 and contacts_of(app, rail) == []
    assert checks_of(app, contact["id"]) == []


PHONE_MESSAGE = "digits, spaces, '+', '-' and brackets, e.g. 138 0437 0001"


@pytest.mark.parametrize("changes, field, message", [
    ({"phone_24h": ""}, "phone_24h", "This field is required."),
    ({"phone_24h": "call the shop"}, "phone_24h", PHONE_MESSAGE),
    ({"phone_office": "x"}, "phone_office", PHONE_MESSAGE),
    ({"name": ""}, "name", "This field is required."),
    ({"name": "名" * 41}, "name", "Field cannot be longer than 40 characters."),
])
def test_a_bad_contact_shows_the_field_message_with_422_and_writes_nothing(app, client_as, registry, changes,
                                                                           field, message):
    before = table_counts(app)
    data = {"name": "孙经理", "phone_24h": "138 0437 0002", **changes}
    response = english(client_as("supply_officer")).post_form(f"/partners/{registry['rail']}/contacts", data)
    assert response.status_code == 422
    assert message in field_errors(response, field)
    assert 'data-testid="contact-form"' in response.get_data(as_text=True)
    assert table_counts(app) == before
    contact_id = contacts_of(app, registry["shop"])[0]["id"]
    edited = english(client_as("supply_officer")).post_form(f"/partners/contacts/{contact_id}/edit", data)
    assert edited.status_code == 422 and message in field_errors(edited, field)
    assert contacts_of(app, registry["shop"])[0]["phone_24h"] == "138 0437 0001"


@pytest.mark.parametrize("data, message", [
    ({}, "Press “reached” or “not reached”."),
    ({"reached": "yes"}, "Press “reached” or “not reached”."),
    ({"reached": "1", "note": "x" * 401}, "Field cannot be longer than 400 characters."),
])
def test_a_call_without_a_result_or_with_a_long_note_is_refused(app, client_as, registry, data, message):
    before = table_counts(app)
    contact_id = contacts_of(app, registry["civil"])[0]["id"]
    response = english(client_as("supply_officer")).post_form(f"/partners/contacts/{contact_id}/checks", data)
    assert response.status_code == 422
    assert message in field_errors(response, "note")
    assert table_counts(app) == before


# --- stockpile lists --------------------------------------------------------------------------

def test_a_department_stockpile_line_is_added_edited_and_removed(app, client_as, registry):
    officer = client_as("supply_officer")
    civil, rations = registry["civil"], registry["rations"]
    water = make_item(app, "T-WATER", name_zh="瓶装水", name_en="Bottled water", category="FF", unit="box",
                      tracking="bulk", expiry_required=False, shelf_life_days=None)
    response = officer.post_form(f"/partners/{civil}/stockpile", {
        "sku": "t-water", "quantity": "1200", "location": "东辽县分库", "as_of": in_days(-7).isoformat(),
        "note": "每月盘点"})
    assert response.status_code == 302 and response.headers["Location"] == f"/partners/{civil}#stockpile"
    assert lines_of(app, civil) == [(rations, 500, "救灾物资储备库", in_days(0), ""),
                                    (water, 1200, "东辽县分库", in_days(-7), "每月盘点")]
    line_id = table_rows(officer.get(f"/partners/{civil}"), "stockpile")[1]["attrs"]["line"]
    edit = officer.get(f"/partners/stockpile/{line_id}/edit").get_data(as_text=True)
    assert 'value="T-WATER"' in edit and 'value="1200"' in edit
    response = officer.post_form(f"/partners/stockpile/{line_id}/edit", {
        "sku": "T-WATER", "quantity": "0", "location": "东辽县分库", "as_of": "", "note": ""})
    assert response.status_code == 302
    assert lines_of(app, civil)[1] == (water, 0, "东辽县分库", in_days(0), "")
    response = officer.post_form(f"/partners/stockpile/{line_id}/delete")
    assert response.status_code == 302 and len(lines_of(app, civil)) == 1


@pytest.mark.parametrize("changes, field, message, status", [
    ({"quantity": "-5"}, "quantity", "must not be negative", 422),
    ({"quantity": ""}, "quantity", "This field is required.", 422),
    ({"quantity": "2.5"}, "quantity", "Not a valid integer value.", 422),
    ({"sku": "NOPE-1"}, "sku", "No item has the SKU NOPE-1.", 422),
    ({"as_of": "2099-01-01"}, "as_of", "cannot be in the future", 422),
    ({"location": "救灾物资储备库"}, "sku", "already listed at this place", 409),
])
def test_a_bad_stockpile_line_shows_the_field_message_and_writes_nothing(app, client_as, registry, changes,
                                                                         field, message, status):
    before = table_counts(app)
    data = {"sku": "T-RATION", "quantity": "100", "location": "二号库", **changes}
    officer = english(client_as("supply_officer"))
    response = officer.post_form(f"/partners/{registry['civil']}/stockpile", data)
    assert response.status_code == status
    assert message in field_errors(response, field)
    assert table_counts(app) == before
    if status == 422:  # the same refusal when the line is edited
        edited = officer.post_form(f"/partners/stockpile/{registry['line']}/edit", data)
        assert edited.status_code == status and message in field_errors(edited, field)
    assert lines_of(app, registry["civil"]) == [(registry["rations"], 500, "救灾物资储备库", in_days(0), "")]


def test_a_shop_keeps_no_stockpile_list(app, client_as, registry):
    before = table_counts(app)
    response = english(client_as("supply_officer")).post_form(
        f"/partners/{registry['shop']}/stockpile", {"sku": "T-RATION", "quantity": "10"})
    assert response.status_code == 422
    assert "only the five departments keep stockpile lists" in text(response)
    assert table_counts(app) == before


# --- roles and safety -------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["commander", "logistics"])
def test_commanders_and_logistics_staff_read_but_every_partner_form_is_403(app, client_as, registry, role):
    client = client_as(role)
    contact_id = contacts_of(app, registry["shop"])[0]["id"]
    before = table_counts(app)
    posts = {
        "/partners/new": partner_form(),
        f"/partners/{registry['garage']}/edit": {"set_active": "0"},
        f"/partners/{registry['garage']}/delete": {},
        f"/partners/{registry['rail']}/contacts": {"name": "某人", "phone_24h": "138 0000 0000"},
        f"/partners/contacts/{contact_id}/edit": {"name": "某人", "phone_24h": "138 0000 0000"},
        f"/partners/contacts/{contact_id}/checks": {"reached": "1"},
        f"/partners/contacts/{contact_id}/delete": {},
        f"/partners/{registry['civil']}/stockpile": {"sku": "T-RATION", "quantity": "1"},
        f"/partners/stockpile/{registry['line']}/edit": {"sku": "T-RATION", "quantity": "1"},
        f"/partners/stockpile/{registry['line']}/delete": {},
    }
    for url, data in posts.items():
        assert client.post_form(url, data).status_code == 403, url
    for url in ["/partners/new", f"/partners/{registry['garage']}/edit",
                f"/partners/contacts/{contact_id}/edit", f"/partners/stockpile/{registry['line']}/edit"]:
        assert client.get(url).status_code == 403, url
    assert table_counts(app) == before
    assert client.get(f"/partners/{registry['shop']}").status_code == 200


def test_script_in_partner_contact_and_stockpile_text_is_escaped(app, client_as, registry):
    evil = "<script>alert(1)</script>"
    partner = make_partner(app, f"坏{evil}", kind="earthquake", district="LY", address=evil, note=evil)
    make_stockpile_line(app, partner, registry["rations"], 5, location=evil, note=evil)
    contact_id = contacts_of(app, partner)[0]["id"]
    with app.app_context():
        partner_services.update_contact(db.session, CLI, contact_id, name=f"赵{evil}"[:40], note=evil)
        # Not reached: the partner is listed in the home page's alerts too.
        partner_services.record_contact_check(db.session, CLI, contact_id, reached=False, note=evil)
        db.session.remove()
    client = client_as("supply_officer")
    for url in ["/partners", f"/partners/{partner}", f"/partners/{partner}/edit",
                f"/partners/contacts/{contact_id}/edit", "/", "/reserve/reachable?item=T-RATION",
                "/partners?q=<script>"]:
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in body, url
        assert "&lt;script&gt;" in body, url


def test_the_pages_have_no_inline_scripts_or_styles(client_as, registry):
    client = client_as("admin")
    for url in ["/partners", f"/partners/{registry['civil']}", "/partners/new",
                f"/partners/{registry['civil']}/edit", f"/partners/stockpile/{registry['line']}/edit",
                "/reserve/reachable?item=T-RATION&within_hours=1", "/"]:
        body = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=)", body), url
        assert " style=" not in body, url


def test_the_menu_has_one_partners_entry_current_on_partner_and_reserve_pages(client_as, registry):
    client = english(client_as("admin"))
    for url in ["/partners", f"/partners/{registry['civil']}", "/partners/new", "/reserve/reachable"]:
        body = client.get(url).get_data(as_text=True)
        nav = re.search(r'<nav class="nav".*?</nav>', body, re.S).group(0)
        assert nav.count('href="/partners"') == 1, url
        assert re.search(r'href="/partners" aria-current="page">Partners<', nav), url
        assert "/reserve/reachable" not in nav and "/agreements" not in nav
    index = client.get("/partners").get_data(as_text=True)
    assert 'href="/reserve/reachable"' in index
    home = client.get("/").get_data(as_text=True)
    assert not re.search(r'href="/partners" aria-current', home)


# --- the home page ----------------------------------------------------------------------------

def card(response) -> str | None:
    found = re.search(r'data-testid="home-partner-alerts"(.*?)</section>', response.get_data(as_text=True),
                      re.S)
    return found.group(0) if found else None


@pytest.fixture
def alerting(app, users):
    """An agreement ending in 20 days, one past its end (still marked active), one far off, one
    terminated; a partner reached last week, one long ago, one never."""
    soon = make_partner(app, "东辽县万达超市", district="DL")
    past = make_partner(app, "西安区中石油油库", kind="oil_depot", district="XA")
    calm = make_partner(app, "东丰县顺达物流", kind="logistics", district="DF")
    make_agreement(app, soon, "DL-CS-001", valid_to=in_days(20))
    make_agreement(app, past, "XA-YK-001", valid_from=in_days(-400), valid_to=in_days(-3))
    make_agreement(app, calm, "DF-WL-001", valid_to=in_days(200))
    make_agreement(app, calm, "DF-WL-000", status="terminated", valid_to=in_days(5))
    log_call(app, soon, reached=True, days_ago=7)
    log_call(app, calm, reached=True, days_ago=181)
    return {"soon": soon, "past": past, "calm": calm}


@pytest.mark.parametrize("role", ["supply_officer", "admin"])
def test_partner_keepers_see_the_agreement_and_contact_alerts_on_the_home_page(client_as, alerting, role):
    response = english(client_as(role)).get("/")
    found = card(response)
    assert found is not None and "Agreements and partners" in found
    agreements = re.findall(r'<tr data-agreement="([^"]+)" data-standing="(\w+)" data-days-left="(-?\d+)">',
                            found)
    assert agreements == [("XA-YK-001", "expired", "-3"), ("DL-CS-001", "expiring", "20")]
    plain = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found)))
    assert "ended 3 days ago" in plain and "20 days left" in plain
    assert "东辽县万达超市" in plain and "西安区中石油油库" in plain
    partners = re.findall(r'<tr data-partner="(\d+)">', found)
    assert partners == [str(alerting["past"]), str(alerting["calm"])]  # Xi'an before Dongfeng
    assert "never reached" in plain
    assert f'href="/partners/{alerting["soon"]}"' in found and 'href="/partners?out_of_touch=1"' in found


def test_commanders_see_a_one_line_count_and_logistics_staff_no_card(client_as, alerting):
    found = card(english(client_as("commander")).get("/"))
    assert 'data-agreements="2" data-partners="2"' in found
    plain = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found)))
    assert "2 agreements expired or ending soon" in plain and "2 partners not reached in 180 days" in plain
    assert "<table" not in found and 'href="/partners"' in found
    assert card(client_as("logistics").get("/")) is None


def test_no_alert_card_when_nothing_needs_attention(app, client_as, users):
    calm = make_partner(app, "龙山区大润发超市")
    make_agreement(app, calm, "LS-CS-009", valid_to=in_days(61))
    log_call(app, calm, reached=True, days_ago=179)
    for role in ("supply_officer", "commander"):
        assert card(client_as(role).get("/")) is None, role
