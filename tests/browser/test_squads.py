"""A supply officer in a real browser: registers a driver in a squad and sees the driver share met."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_stock_operations import sign_in
from tests.builders import in_days, make_module, make_person, make_squad, make_user

pytestmark = pytest.mark.browser


def snapshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"squads-{name}.png"), full_page=True)


def test_officer_adds_a_driver_and_the_driver_share_is_met_on_the_chinese_panel(app, live_server, page):
    make_user(app, "supply_officer", username="officer", display_name="保障科 刘军")
    make_module(app, "EQ")
    make_squad(app, "CB-WZ", modules=["EQ"])
    # 19 active people and no driver: one more, with a driver's licence, is exactly 5 % of 20.
    for n in range(1, 20):
        make_person(app, "CB-WZ", badge_code=f"BZ-{n:04d}", name=f"队员{n:02d}",
                    squad_role="leader" if n == 1 else "member")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    sign_in(page, live_server, "officer")
    page.locator("nav.nav a[href='/squads']").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    row = page.locator("[data-testid=squads] tr[data-squad='CB-WZ']")
    expect(row.locator("[data-col=active]")).to_have_text("19")
    snapshot(page, "list")
    row.locator("a[href='/squads/CB-WZ']").click()
    expect(page.locator("h1")).to_contain_text("物资保障常备分队")
    snapshot(page, "squad")
    page.get_by_test_id("add-person").click()

    form = page.get_by_test_id("person-form")
    expect(form.locator("select[name=squad]")).to_have_value("CB-WZ")
    form.locator("input[name=badge_code]").fill("bz-0020")
    form.locator("input[name=name]").fill("刘洋")
    form.locator("input[name=phone]").fill("139 0437 0020")
    form.locator("select[name=employment]").select_option("contract")
    form.locator("input[name=joined_on]").fill(in_days(-30).isoformat())
    snapshot(page, "person-form")
    page.get_by_test_id("save-person").click()

    expect(page).to_have_url(f"{live_server}/personnel/BZ-0020")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id("badge-code")).to_have_text("BZ-0020")
    qualification = page.get_by_test_id("qualification-form")
    qualification.locator("select[name=kind]").select_option("DRIVER")
    qualification.locator("input[name=certificate_no]").fill("JZ-2026-020")
    qualification.locator("input[name=issued_on]").fill(in_days(-10).isoformat())
    qualification.locator("input[name=expires_on]").fill(in_days(30).isoformat())
    page.get_by_test_id("save-qualification").click()

    held = page.locator("[data-testid=qualifications] tr[data-kind=DRIVER]")
    expect(held).to_have_attribute("data-state", "expiring")
    expect(held.locator("[data-col=kind]")).to_have_text("特种车驾驶员")
    snapshot(page, "person")

    page.locator("nav.tabs a[href='/compliance/staffing']").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    driver = page.locator("[data-target=DRIVER_SHARE]")
    expect(driver).to_have_attribute("data-passed", "true")
    expect(driver.locator("[data-count=actual]")).to_have_text("5.0%")
    expect(driver.get_by_test_id("definition")).to_contain_text("特种车驾驶员")
    counted = driver.get_by_test_id("counted")
    expect(counted.locator("a[href='/personnel/BZ-0020']")).to_be_hidden()
    counted.locator("summary").click()
    expect(counted.locator("a[href='/personnel/BZ-0020']")).to_have_text("刘洋")
    expect(page.locator("[data-target=STANDING_HEADCOUNT]")).to_have_attribute("data-passed", "true")
    expect(page.locator("[data-target=TECHNICIAN_SHARE]")).to_have_attribute("data-passed", "false")
    expect(page.locator("[data-testid=expiring] tr[data-badge=BZ-0020]")).to_have_count(1)
    snapshot(page, "compliance")
    assert errors == []
