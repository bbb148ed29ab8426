"""The readiness dashboard in a real browser: a commander opens it in Chinese over the demo data,
drills down to a short box and downloads the printed report."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
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


def test_commander_drills_down_to_a_short_box_and_downloads_the_report(app, live_server, page):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    make_user(app, "commander", username="zhao", display_name="指挥员 赵刚")
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "zhao")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/readiness/")
    expect(page.locator("h1")).to_have_text("战备状态")
    # The first module with a short box, as its card says.
    card = page.locator("[data-testid=module]:not([data-short='0'])").first
    code = card.get_attribute("data-module")
    card.get_by_test_id("module-link").click()
    expect(page).to_have_url(re.compile(rf"/readiness/modules/{code}$"))
    short = page.locator("tr[data-status=short]").first
    box = short.get_attribute("data-kit")
    expect(short.locator("[data-col=status]")).to_have_text("缺件")
    expect(page.locator(f"tr[data-lines-for='{box}'] tr[data-line]").first).to_be_visible()
    short.locator(f"a[href='/kits/boxes/{box}']").click()
    expect(page.get_by_test_id("status").locator(".badge")).to_have_attribute("data-status", "short")

    page.goto(f"{live_server}/readiness/")
    with page.expect_download() as download:
        page.get_by_test_id("report-pdf").click()
    assert re.fullmatch(r"readiness-\d{4}-\d{2}-\d{2}\.pdf", download.value.suggested_filename)
    with open(download.value.path(), "rb") as pdf:
        report = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    assert "应急物资战备情况报告" in report and "指挥员签字" in report
    with app.app_context():
        codes = db.session.scalars(text("SELECT code FROM modules WHERE active")).all()
        db.session.remove()
    assert code in codes and all(c in report for c in codes)  # every module in the table
