"""A keeper's day in a real browser: receive, put away, issue FEFO, count; an officer approves."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.builders import PASSWORD, in_days, make_depot, make_item, make_user, receive

pytestmark = pytest.mark.browser

FOAM = "EA-AFFF-01"


def sign_in(page, live_server: str, username: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("role")).to_be_visible()


def snapshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"stock-{name}.png"), full_page=True)


def stock_rows(page) -> list[tuple[str, str, str]]:
    """(location, lot, quantity) of the stock list's rows."""
    rows = page.locator("[data-testid=stock] tbody tr[data-sku]")
    return sorted((rows.nth(i).get_attribute("data-location"), rows.nth(i).get_attribute("data-lot"),
                   rows.nth(i).locator("[data-col=quantity] .qty").inner_text())
                  for i in range(rows.count()))


def test_keeper_receives_moves_issues_and_counts_then_an_officer_approves(app, live_server, page,
                                                                          browser):
    make_user(app, "logistics", username="keeper", display_name="保管员 李明")
    make_user(app, "supply_officer", username="officer", display_name="物资管理员 王芳")
    depot = make_depot(app)
    foam = make_item(app, FOAM)
    bin_a, bin_b = depot.codes["bin_a"], depot.codes["bin_b"]
    # Already on the shelf: an older lot that expires sooner, so FEFO picks it first.
    receive(app, foam, depot.bin_b, 4, lot="L-OLD", expires_on=in_days(20))

    sign_in(page, live_server, "keeper")

    # Receive (入库): the scanner types the SKU and Enter, then the bin label and Enter.
    page.goto(f"{live_server}/stock/receive")
    expect(page.locator("#sku")).to_be_focused()
    page.locator("#sku").press_sequentially(FOAM.lower())
    page.keyboard.press("Enter")
    expect(page.locator("#location")).to_be_focused()
    page.keyboard.type(bin_a)
    page.keyboard.press("Enter")
    expect(page.locator("#quantity")).to_be_focused()
    page.keyboard.type("30")
    page.keyboard.press("Enter")
    expect(page.locator("#lot")).to_be_focused()
    page.keyboard.type("L-NEW")
    page.fill("#expires_on", in_days(300).isoformat())
    page.fill("#supplier_ref", "DN-2024-117")
    snapshot(page, "receive-form")
    page.get_by_test_id("submit").click()
    expect(page.locator(".flash-success")).to_be_visible()
    summary = page.locator("[data-testid=last-movements] tbody tr")
    expect(summary).to_have_count(1)
    expect(summary.locator("[data-col=to]")).to_have_text(bin_a)
    expect(page.locator("#sku")).to_have_value("")
    expect(page.locator("#sku")).to_be_focused()

    # Put part of it away in the other bin.
    page.goto(f"{live_server}/stock/move")
    page.fill("#sku", FOAM)
    page.fill("#lot", "L-NEW")
    page.fill("#from_location", bin_a)
    page.fill("#to_location", bin_b)
    page.fill("#quantity", "10")
    page.get_by_test_id("submit").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("[data-testid=last-movements] [data-col=to]")).to_have_text(bin_b)

    # Issue (出库) 6: the page first shows where to pick, first expiry first out.
    page.goto(f"{live_server}/stock/issue")
    page.fill("#lookup-sku", FOAM)
    page.fill("#lookup-quantity", "6")
    page.get_by_test_id("suggest").click()
    picks = page.locator("[data-testid=suggestions] tbody tr")
    expect(picks).to_have_count(2)
    expect(picks.nth(0)).to_have_attribute("data-lot", "L-OLD")
    expect(picks.nth(0)).to_have_attribute("data-location", bin_b)
    expect(picks.nth(0).locator("[data-col=take]")).to_have_text("4")
    expect(picks.nth(1)).to_have_attribute("data-lot", "L-NEW")
    expect(picks.nth(1).locator("[data-col=take]")).to_have_text("2")
    expect(page.locator("#sku")).to_have_value(FOAM)
    expect(page.locator("#quantity")).to_have_value("6")
    page.select_option("#purpose", "drill")
    page.fill("#reference", "DRILL-0612")
    snapshot(page, "issue-suggestions")
    page.get_by_test_id("submit").click()
    issued = page.locator("[data-testid=issued-movements] tbody tr")
    expect(issued).to_have_count(2)
    expect(issued.nth(0).locator("[data-col=from]")).to_have_text(bin_b)
    expect(issued.nth(1).locator("[data-col=from]")).to_have_text(bin_a)

    # Count bin A (盘点): scan its label; the sheet is blind.
    page.goto(f"{live_server}/stocktakes")
    page.locator("#location").press_sequentially(bin_a)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/stocktakes/\d+$"))
    stocktake_url = page.url
    lines = page.locator("[data-testid=lines] tbody tr[data-sku]")
    expect(lines).to_have_count(1)
    expect(page.locator("[data-testid=lines] [data-col=expected]")).to_have_count(0)
    expect(page.locator("[data-testid=lines]")).not_to_contain_text("18")
    lines.first.locator("input[name=counted]").fill("17")
    lines.first.get_by_test_id("save-count").click()
    expect(page.get_by_test_id("progress")).to_have_text("1 / 1")
    snapshot(page, "count-sheet")
    page.get_by_test_id("submit-count").click()
    expect(page.get_by_test_id("status").locator(".badge")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id("approve")).to_have_count(0)

    # A supply officer, in a browser of their own, sees the variance and approves.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    officer = context.new_page()
    officer.set_default_timeout(10_000)
    sign_in(officer, live_server, "officer")
    officer.goto(stocktake_url)
    line = officer.locator("[data-testid=lines] tbody tr[data-sku]").first
    expect(line.locator("[data-col=expected] .qty")).to_have_text("18")
    expect(line.locator("[data-col=counted]")).to_have_text("17")
    expect(line.locator("[data-col=variance]")).to_have_text("-1")
    officer.get_by_test_id("approve").click()
    expect(officer.get_by_test_id("status").locator(".badge")).to_have_attribute("data-status", "approved")
    snapshot(officer, "approved")
    context.close()

    # The stock page shows the resulting balances.
    page.goto(f"{live_server}/stock?q={FOAM}")
    assert stock_rows(page) == [(bin_a, "L-NEW", "17"), (bin_b, "L-NEW", "10")]
    page.goto(f"{live_server}/movements?location={bin_a}&reason=count")
    expect(page.locator("[data-testid=movements] tbody tr[data-movement]")).to_have_count(1)
    page.goto(f"{live_server}/stock")
    assert stock_rows(page) == [(bin_a, "L-NEW", "17"), (bin_b, "L-NEW", "10")]


def test_the_receive_form_works_without_javascript_and_keeps_what_was_scanned(app, live_server, browser):
    make_user(app, "logistics", username="keeper")
    depot = make_depot(app)
    make_item(app, FOAM)
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "keeper")
    page.goto(f"{live_server}/stock/receive")
    # Without the script a scanner's Enter submits at once: the page asks for the rest.
    page.locator("#sku").press_sequentially(FOAM)
    page.keyboard.press("Enter")
    expect(page.locator("#sku")).to_have_value(FOAM)
    expect(page.locator(".has-error #location")).to_be_visible()
    page.fill("#location", depot.codes["bin_a"])
    page.fill("#quantity", "3")
    page.fill("#lot", "L-1")
    page.fill("#expires_on", in_days(100).isoformat())
    page.get_by_test_id("submit").click()
    expect(page.locator(".flash-success")).to_be_visible()
    context.close()


def test_the_receive_form_is_big_enough_for_a_phone(app, live_server, browser):
    make_user(app, "logistics", username="phone")
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "phone")
    page.goto(f"{live_server}/stock/receive")
    for selector in ("#sku", "#location", "#quantity", "[data-testid=submit]"):
        box = page.locator(selector).bounding_box()
        assert box["height"] >= 44, selector  # a gloved thumb's target
        assert box["width"] >= 300, selector  # one field per row
    snapshot(page, "receive-phone")
    context.close()
