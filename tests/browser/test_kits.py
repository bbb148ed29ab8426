"""A keeper in a real browser: from the modules overview to a short box, restocked to ready."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_stock_operations import sign_in
from tests.builders import (
    expire_lot,
    fill_kit,
    in_days,
    make_depot,
    make_item,
    make_kit,
    make_module,
    make_template,
    make_user,
    receive,
)

pytestmark = pytest.mark.browser

FOAM = "EA-AFFF-01"


def snapshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"kits-{name}.png"), full_page=True)


def test_keeper_restocks_a_short_box_to_ready_from_the_modules_overview(app, live_server, page):
    make_user(app, "logistics", username="keeper", display_name="保管员 李明")
    depot = make_depot(app)
    foam = make_item(app, FOAM)
    make_module(app, "EQ")
    template = make_template(app, [{"item_id": foam, "par_quantity": 4}], code="FOAM-BOX",
                             name_zh="泡沫箱", name_en="Foam box", category="EA", modules={"EQ": 1})
    # The box was filled with a lot that has since expired inside it: it is short now.
    receive(app, foam, depot.bin_a, 4, lot="L-OLD", expires_on=in_days(100))
    box = make_kit(app, template, depot.zone)
    fill_kit(app, box)
    expire_lot(app, "L-OLD", 2)
    receive(app, foam, depot.bin_b, 10, lot="L-NEW", expires_on=in_days(300))

    sign_in(page, live_server, "keeper")
    page.locator("nav.nav a[href='/kits/']").click()
    module = page.get_by_test_id("module-EQ")
    expect(module.locator("[data-count=short]")).to_have_text("1")
    expect(module.locator("[data-count=ready]")).to_have_text("0")
    expect(module.locator(".readiness")).to_have_attribute("data-level", "poor")
    snapshot(page, "overview")

    module.locator("a[href='/kits/modules/EQ']").click()
    row = page.locator(f"[data-testid=boxes] tr[data-kit='{box}']")
    expect(row).to_have_attribute("data-status", "short")
    row.locator(f"a[href='/kits/boxes/{box}']").click()
    expect(page.get_by_test_id("status").locator(".badge")).to_have_attribute("data-status", "short")

    page.get_by_test_id("restock").click()
    expect(page.locator("[data-testid=removals] tbody tr[data-lot='L-OLD']")).to_have_count(1)
    fill = page.locator("[data-testid=fills] tbody tr[data-lot='L-NEW']")
    expect(fill.locator("input[type=number]")).to_have_value("4")
    snapshot(page, "proposal")
    page.get_by_test_id("confirm-restock").click()

    expect(page).to_have_url(f"{live_server}/kits/boxes/{box}")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id("status").locator(".badge")).to_have_attribute("data-status", "ready")
    expect(page.locator("[data-testid=lines] [data-col=missing]")).to_have_text("0")
    snapshot(page, "ready")

    page.locator("nav.nav a[href='/kits/']").click()
    expect(page.get_by_test_id("module-EQ").locator("[data-count=ready]")).to_have_text("1")
    expect(page.get_by_test_id("module-EQ").locator(".readiness")).to_have_attribute("data-level", "good")
