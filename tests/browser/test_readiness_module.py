"""A commander in a real browser drills a module down to a short box and its missing line."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_stock_operations import sign_in
from tests.builders import make_user
from tests.readiness_scenario import FOAM, build

pytestmark = pytest.mark.browser


def test_commander_sees_a_short_box_and_its_missing_line_in_chinese(app, live_server, page):
    make_user(app, "commander", username="chief", display_name="指挥员 张强")
    scenario = build(app, partners=False)

    sign_in(page, live_server, "chief")
    page.goto(f"{live_server}/readiness/modules/EQ")
    head = page.get_by_test_id("module-EQ")
    expect(head.locator("[data-count=percent]")).to_have_text("20%")
    expect(head).to_have_attribute("data-level", "poor")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    row = page.locator(f"tr[data-kit='{scenario.short}']")
    expect(row).to_have_attribute("data-status", "short")
    expect(row.locator("[data-col=status]")).to_have_text("缺件")
    line = page.locator(f"tr[data-lines-for='{scenario.short}'] tr[data-line='{FOAM}']")
    expect(line.locator("[data-col=missing]")).to_contain_text("2")
    expect(line).to_contain_text("水成膜泡沫灭火剂")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "readiness-module.png"), full_page=True)
    row.locator(f"a[href='/kits/boxes/{scenario.short}']").click()
    expect(page.get_by_test_id("status").locator(".badge")).to_have_attribute("data-status", "short")
