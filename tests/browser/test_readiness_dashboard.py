"""The readiness dashboard in a real browser: a commander opens it in Chinese over the demo data."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser.conftest import ARTIFACTS
from tests.builders import PASSWORD, make_user
from warehouse.extensions import db

pytestmark = pytest.mark.browser


def test_commander_sees_the_demo_readiness_in_chinese(app, live_server, page):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        modules = db.session.scalar(text("SELECT count(*) FROM modules WHERE active"))
        required = db.session.scalar(text(
            "SELECT sum(r.boxes_required) FROM module_requirements r JOIN modules m ON m.id = r.module_id "
            "WHERE m.active"))
        db.session.remove()
    make_user(app, "commander", username="zhao", display_name="指挥员 赵刚")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "zhao")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav a[href='/readiness/']")
    expect(page).to_have_url(re.compile(r"/readiness/$"))
    expect(page.locator("h1")).to_have_text("战备状态")
    expect(page.get_by_test_id("module")).to_have_count(modules)
    expect(page.get_by_test_id("totals")).to_have_attribute("data-required", str(required))
    expect(page.get_by_test_id("trend").first).to_be_visible()
    expect(page.get_by_test_id("readiness-floor-plan")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "readiness_desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    card = page.get_by_test_id("module").first.bounding_box()
    assert card["width"] <= 390  # stacked on a phone
    page.screenshot(path=str(ARTIFACTS / "readiness_phone.png"), full_page=True)
    assert errors == []
