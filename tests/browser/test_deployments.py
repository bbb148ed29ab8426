"""Logistics staff in a real browser: open a drill through the form, find it in the list and on its page."""

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_stock_operations import sign_in
from tests.builders import CLI, make_box_depot, make_squad, make_user
from warehouse.extensions import db
from warehouse.models import Deployment
from warehouse.services import deployments
from warehouse.timezone import depot_zone

pytestmark = pytest.mark.browser


def snapshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"deployments-{name}.png"), full_page=True)


def test_logistics_opens_a_drill_and_sees_it_in_the_chinese_list_and_page(app, live_server, page):
    make_user(app, "logistics", username="keeper", display_name="仓管 张强")
    boxes = make_box_depot(app, 2)
    make_squad(app, "CB-WZ")
    make_squad(app, "JD-JS", kind="mobile", function="technical", name_zh="技术保障机动分队",
               name_en="Mobile technical squad")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    sign_in(page, live_server, "keeper")
    page.locator("nav.nav a[href='/deployments']").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("nav.nav a[href='/deployments']")).to_have_attribute("aria-current", "page")
    page.get_by_test_id("new-deployment").click()

    form = page.get_by_test_id("deployment-form")
    form.locator("input[name=name]").fill("龙山区地震救援实兵演练")
    form.locator("select[name=kind]").select_option("drill")
    form.locator("select[name=module]").select_option("EQ")
    form.locator("input[name=place]").fill("龙山区体育场")
    form.locator("input[name=commander]").fill("李队长")
    form.locator("input[name=squads][value='CB-WZ']").check()
    due = (datetime.now(depot_zone()) + timedelta(hours=30)).replace(second=0, microsecond=0)
    form.locator("input[name=expected_return_at]").fill(due.strftime("%Y-%m-%dT%H:%M"))
    form.locator("textarea[name=note]").fill("携带破拆箱")
    snapshot(page, "form")
    page.get_by_test_id("save-deployment").click()

    expect(page.locator(".flash-success")).to_be_visible()
    with app.app_context():
        opened = db.session.scalar(select(Deployment).where(Deployment.name == "龙山区地震救援实兵演练"))
        deployment_id, code = opened.id, opened.code
        assert opened.kind.value == "drill" and opened.opened_by_name == "keeper"
        assert opened.expected_return_at == due
        db.session.remove()
    expect(page).to_have_url(f"{live_server}/deployments/{deployment_id}")
    expect(page.get_by_test_id("code")).to_have_text(code)
    expect(page.get_by_test_id("module")).to_contain_text("地震救援模块")
    expect(page.get_by_test_id("place")).to_have_text("龙山区体育场")
    expect(page.locator("[data-testid=squads] li[data-squad='CB-WZ']")).to_contain_text("物资保障常备分队")
    expect(page.locator("[data-testid=squads] li[data-squad='JD-JS']")).to_have_count(0)
    snapshot(page, "page")

    # A box goes out; the page shows it, then the list counts it.
    with app.app_context():
        deployments.check_out(db.session, CLI, boxes.boxes[0], deployment_id)
        db.session.remove()
    page.reload()
    expect(page.locator(f"[data-testid=boxes] tr[data-kit='{boxes.boxes[0]}']")).to_have_attribute("data-out",
                                                                                                  "true")
    page.locator("nav.breadcrumb a[href='/deployments']").click()
    row = page.locator(f"[data-testid=deployments] tr[data-deployment='{code}']")
    expect(row.locator("[data-col=name]")).to_contain_text("龙山区地震救援实兵演练")
    expect(row.locator("[data-col=squads]")).to_have_text("CB-WZ")
    expect(row.locator("[data-count=out]")).to_have_text("1")
    expect(row).to_have_attribute("data-state", "open")
    snapshot(page, "list")
    page.locator("select[name=squad]").select_option("JD-JS")
    page.locator("form[data-testid=filters] button[type=submit]").click()
    expect(page.locator("[data-testid=deployments] tr[data-deployment]")).to_have_count(0)
    assert errors == []
