"""A supply officer in a real browser: registers a department with a contact, logs a call that
reached them, lists its stockpile and finds it in the reachable reserve, in the Chinese UI."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_stock_operations import sign_in
from tests.builders import make_agreement, make_depot, make_item, make_partner, make_user, receive
from warehouse.extensions import db
from warehouse.models import ContactCheck, Partner, PartnerContact, StockpileLine

pytestmark = pytest.mark.browser

DEPOT_RATIONS = 120
SHOP_RATIONS = 300  # committed by a supermarket within 4 hours
STOCKPILE_RATIONS = 500  # what the officer lists for the new department


def snapshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"partners-{name}.png"), full_page=True)


def test_officer_registers_a_department_logs_a_call_and_finds_its_stockpile_in_the_reserve(app, live_server,
                                                                                           page):
    make_user(app, "supply_officer", username="officer", display_name="保障科 刘军")
    depot = make_depot(app)
    rations = make_item(app, "T-RATION", name_zh="单兵自热食品", name_en="Self-heating ration", category="FF",
                        unit="box", tracking="bulk", expiry_required=False, shelf_life_days=None)
    receive(app, rations, depot.bin_a, DEPOT_RATIONS)
    make_agreement(app, make_partner(app, "龙山区欧亚购物中心"), "LS-CS-001", response_hours=4,
                   commitments=[{"item_id": rations, "quantity": SHOP_RATIONS}])
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    sign_in(page, live_server, "officer")
    page.locator("nav.nav a[href='/partners']").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("[data-testid=partners] tr[data-kind=supermarket]")).to_have_count(1)
    page.get_by_test_id("new-partner").click()

    form = page.get_by_test_id("partner-form")
    form.locator("input[name=name]").fill("辽源市应急管理局")
    form.locator("select[name=kind]").select_option("emergency_management")
    form.locator("select[name=district]").select_option("LY")
    form.locator("input[name=address]").fill("辽源市龙山区福镇大路")
    snapshot(page, "form")
    page.get_by_test_id("save-partner").click()

    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id("partner-name")).to_contain_text("辽源市应急管理局")
    contact_form = page.get_by_test_id("contact-form")
    expect(contact_form).to_be_visible()  # no contact yet: the form is open
    contact_form.locator("input[name=name]").fill("张科长")
    contact_form.locator("input[name=title]").fill("值班室主任")
    contact_form.locator("input[name=phone_24h]").fill("0437 321 0119")
    page.get_by_test_id("save-contact").click()

    contact = page.locator("[data-testid=contacts] tr[data-active=true]")
    expect(contact).to_have_count(1)
    expect(contact.locator("[data-col=phone_24h] a")).to_have_attribute("href", "tel:04373210119")
    contact.locator("input[name=note]").fill("值班电话畅通")
    contact.get_by_test_id("reached").click()
    expect(page.locator(".flash-success")).to_be_visible()
    logged = page.locator("[data-testid=checks] tr[data-reached=true]")
    expect(logged).to_have_count(1)
    expect(logged.locator("[data-col=note]")).to_have_text("值班电话畅通")
    expect(page.get_by_test_id("last-reached").locator("[data-out-of-touch]")).to_have_attribute(
        "data-out-of-touch", "false")

    page.locator("#stockpile summary").click()
    stockpile = page.get_by_test_id("stockpile-form")
    stockpile.locator("input[name=sku]").fill("T-RATION")
    stockpile.locator("input[name=quantity]").fill(str(STOCKPILE_RATIONS))
    stockpile.locator("input[name=location]").fill("市应急物资储备库")
    page.get_by_test_id("save-line").click()
    expect(page.locator("[data-testid=stockpile] tr[data-sku=T-RATION] [data-col=quantity]")).to_contain_text(
        str(STOCKPILE_RATIONS))
    snapshot(page, "partner")

    page.get_by_test_id("reachable-link").click()
    search = page.get_by_test_id("reach-form")
    search.locator("input[name=item]").fill("T-RATION")
    search.locator("input[name=within_hours]").fill("6")
    search.locator("input[name=quantity]").fill("200")
    page.get_by_test_id("search").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    totals = page.locator("[data-testid=reach-totals] tr[data-item=T-RATION]")
    expect(totals.locator("[data-col=total]")).to_contain_text(str(DEPOT_RATIONS + STOCKPILE_RATIONS
                                                                   + SHOP_RATIONS))
    expect(totals.locator("[data-col=stockpiles]")).to_have_text(str(STOCKPILE_RATIONS))
    # The department signed no agreement: its stockpile has no promised time and is greyed.
    expect(totals.locator("[data-col=within]")).to_contain_text(str(DEPOT_RATIONS + SHOP_RATIONS))
    expect(totals).to_have_attribute("data-enough", "true")
    stockpile_row = page.locator("[data-testid=reach-sources] tr[data-source=stockpile]")
    expect(stockpile_row).to_have_attribute("data-within", "false")
    expect(stockpile_row).to_have_class("outside")
    expect(stockpile_row.locator("[data-col=partner]")).to_contain_text("0437 321 0119")
    snapshot(page, "reachable")

    with app.app_context():
        partner = db.session.scalar(select(Partner).where(Partner.name == "辽源市应急管理局"))
        contact_row = db.session.scalar(select(PartnerContact).where(PartnerContact.partner_id == partner.id))
        checks = list(db.session.scalars(select(ContactCheck)
                                         .where(ContactCheck.contact_id == contact_row.id)))
        lines = list(db.session.scalars(select(StockpileLine).where(StockpileLine.partner_id == partner.id)))
        assert (partner.kind.value, partner.district.code, partner.address) == (
            "emergency_management", "LY", "辽源市龙山区福镇大路")
        assert (contact_row.name, contact_row.phone_24h) == ("张科长", "0437 321 0119")
        assert [(c.reached, c.note, c.checked_by_name) for c in checks] == [
            (True, "值班电话畅通", "保障科 刘军")]
        assert [(line.item_id, line.quantity, line.location) for line in lines] == [
            (rations, STOCKPILE_RATIONS, "市应急物资储备库")]
        db.session.remove()
    assert errors == []
