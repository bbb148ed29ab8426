"""The bilingual shell in a real browser: sign in, Chinese home, English, sign out."""

import re

import pytest
from playwright.sync_api import expect

from tests.builders import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_commander_signs_in_sees_chinese_switches_to_english_and_signs_out(app, live_server, page):
    make_user(app, "commander", username="zhao", display_name="指挥员 赵刚")
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("登录")

    page.fill("input[name=username]", "zhao")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("指挥员 赵刚")
    expect(page.get_by_test_id("role")).to_have_text("指挥员")
    expect(page.locator("nav")).to_contain_text("物资类别")

    page.get_by_test_id("switch-language").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("role")).to_have_text("Commander")
    expect(page.locator("nav")).to_contain_text("Categories")

    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("h1")).to_have_text("Sign in")
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_wrong_password_shows_the_form_message(app, live_server, page):
    make_user(app, "logistics", username="keeper")
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "keeper")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_have_text("用户名或密码错误。")


def test_the_menu_folds_on_a_phone_screen(app, live_server, browser):
    user = make_user(app, "logistics", username="phone")
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".nav")).to_be_hidden()
    page.click("label.menu-button")
    expect(page.locator(".nav")).to_be_visible()
    context.close()


def test_the_api_page_renders_the_document_with_vendored_swagger_ui(app, live_server, page):
    make_user(app, "supply_officer", username="officer")
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Emergency materials reserve API",
                                                                    timeout=15_000)
    # Every resource is listed, folded; opening one shows its operations.
    tags = page.locator(".opblock-tag-section")
    expect(tags.first).to_be_visible()
    assert tags.count() >= 30
    page.locator("#operations-tag-api_readiness").click()
    expect(page.locator("#operations-api_readiness-get_api_v1_readiness")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors
