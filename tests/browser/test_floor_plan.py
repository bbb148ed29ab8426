"""The stock pages in a real browser: the depot floor plan, the catalogue list and an item's page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.builders import CLI, PASSWORD, in_days, make_depot, make_item, make_user, receive
from warehouse.extensions import db
from warehouse.services import locations

pytestmark = pytest.mark.browser


def sign_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_be_visible()


@pytest.fixture
def depot(app):
    """The builders' depot plus a second, placed zone for protective equipment holding stock."""
    ref = make_depot(app)
    with app.app_context():
        zone = locations.create_location(db.session, CLI, kind="zone", code="T-B", name="B区 防护装备",
                                         parent_id=ref.depot, category="PE", area_m2=96,
                                         plan_x_m=14, plan_y_m=0, plan_width_m=12, plan_depth_m=8)
        zone_b = zone.id
        db.session.remove()
    gloves = make_item(app, "PE-GLOVE-01", name_zh="消防手套", name_en="Firefighting gloves",
                       category="PE", unit="pair", tracking="bulk", expiry_required=False,
                       shelf_life_days=None)
    receive(app, gloves, zone_b, 40)
    return ref, zone_b


def test_commander_opens_the_floor_plan_and_clicks_a_zone_to_see_its_contents(app, live_server, page, depot):
    ref, zone_b = depot
    make_user(app, "commander", username="zhao", display_name="指挥员 赵刚")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server, "zhao")
    page.click("nav a[href='/floor-plan']")
    expect(page).to_have_url(re.compile(r"/floor-plan$"))
    plan = page.get_by_test_id("floor-plan")
    expect(plan).to_be_visible()
    expect(plan.locator("rect.zone")).to_have_count(2)
    expect(plan.locator("rect.zone.cat-EA")).to_have_count(1)
    expect(plan.locator("rect.zone.cat-PE")).to_have_count(1)
    # The plan scales to the page: 40 m across fill the content width.
    box = plan.bounding_box()
    assert box["width"] > 800 and box["height"] < box["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "floor_plan_desktop.png"), full_page=True)
    zone = plan.locator("a.zone-link[data-code='T-B']")
    expect(zone.locator("title")).to_contain_text("T-B B区 防护装备")
    zone.locator("rect").click()
    expect(page).to_have_url(re.compile(rf"/locations/{zone_b}$"))
    expect(page.locator("h1")).to_contain_text("T-B")
    expect(page.get_by_test_id("contents")).to_contain_text("PE-GLOVE-01")
    expect(page.get_by_test_id("contents")).to_contain_text("消防手套")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_the_floor_plan_fits_a_phone_screen(app, live_server, browser, depot):
    make_user(app, "logistics", username="keeper")
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server, "keeper")
    page.goto(f"{live_server}/floor-plan")
    plan = page.get_by_test_id("floor-plan")
    box = plan.bounding_box()
    assert 300 < box["width"] <= 375
    code = plan.locator("a.zone-link[data-code='T-A'] .zone-code")
    expect(code).to_be_visible()
    assert code.bounding_box()["height"] >= 9  # the zone code stays legible
    expect(plan.locator("a.zone-link[data-code='T-A'] .zone-name")).to_be_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "floor_plan_phone.png"), full_page=True)
    context.close()


def test_supply_officer_filters_the_catalogue_and_opens_an_item(app, live_server, page, depot):
    ref, _zone_b = depot
    foam = make_item(app, "EA-FOAM-01", name_zh="水成膜泡沫灭火剂", name_en="AFFF foam concentrate",
                     min_level=12)
    receive(app, foam, ref.bin_a, 4, lot="L-2024-01", expires_on=in_days(20))
    receive(app, foam, ref.bin_b, 6, lot="L-2024-09", expires_on=in_days(300))
    make_user(app, "supply_officer", username="officer")
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/items")
    rows = page.locator("table.items tbody tr")
    expect(rows).to_have_count(2)
    page.select_option("select[name=category]", "EA")
    page.locator("form.filters button[type=submit]").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("水成膜泡沫灭火剂")
    expect(rows.first.locator(".badge.below-minimum")).to_be_visible()
    rows.first.locator("a.item-name").click()
    expect(page).to_have_url(re.compile(r"/items/\d+$"))
    expect(page.locator("h1")).to_contain_text("EA-FOAM-01")
    expect(page.get_by_test_id("available")).to_have_text("10")
    picks = page.get_by_test_id("fefo").locator("li")
    expect(picks).to_have_count(2)
    expect(picks.first).to_contain_text("L-2024-01")  # the first to expire is picked first
    expect(picks.first).to_contain_text(ref.codes["bin_a"])
    expect(page.get_by_test_id("item-stock")).to_contain_text("L-2024-09")


def test_a_scanned_location_code_and_enter_open_the_location(app, live_server, page, depot):
    ref, _zone_b = depot
    make_user(app, "logistics", username="scanner")
    sign_in(page, live_server, "scanner")
    page.goto(f"{live_server}/locations")
    expect(page.get_by_test_id("scan")).to_be_focused()
    page.keyboard.type("t-a-r01-b02")  # what a handheld scanner sends, then Enter
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/locations/{ref.bin_b}$"))
    expect(page.get_by_test_id("breadcrumb")).to_contain_text("T-A-R01")
    page.get_by_test_id("scan").fill("NOWHERE")
    page.get_by_test_id("scan").press("Enter")
    expect(page).to_have_url(re.compile(rf"/locations/{ref.bin_b}$"))
    expect(page.locator(".flash-error")).to_contain_text("NOWHERE")
