"""The scan station page: who opens it, which deployments it offers, and what its script is given."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from tests.builders import CLI, make_deployment, make_depot
from tests.functional.stock_page_helpers import LOCALES
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.services import deployments

DEPLOYERS = [Role.LOGISTICS, Role.SUPPLY_OFFICER, Role.COMMANDER, Role.ADMIN]
CONFIRMERS = {Role.SUPPLY_OFFICER, Role.COMMANDER, Role.ADMIN}


class _Page(HTMLParser):
    """Collect the tags of a page with their attributes, and the text of each <option>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.options: list[dict] = []
        self.words: dict[str, str] = {}
        self._option: dict | None = None
        self._word: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "option":
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
            self.options.append(self._option)
        if tag == "span" and "data-word" in attrs:
            self._word = attrs["data-word"]
            self.words[self._word] = ""

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None
        if tag == "span":
            self._word = None

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._word is not None:
            self.words[self._word] += data

    def first(self, tag: str, **wanted) -> dict | None:
        wanted = {k.replace("_", "-"): v for k, v in wanted.items()}
        return next((attrs for name, attrs in self.tags
                     if name == tag and all(attrs.get(k) == v for k, v in wanted.items())), None)

    def picker(self) -> list[dict]:
        return [o for o in self.options if o["value"]]


def parse(response) -> _Page:
    page = _Page()
    page.feed(response.get_data(as_text=True))
    return page


@pytest.fixture
def depot(app):
    return make_depot(app)


def close(app, deployment_id: int) -> None:
    with app.app_context():
        deployments.close_deployment(db.session, CLI, deployment_id)
        db.session.remove()


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_station_renders_in_the_users_language(client_as, depot, locale):
    accept, marker = LOCALES[locale]
    response = client_as(Role.LOGISTICS).get("/station", headers={"Accept-Language": accept})
    assert response.status_code == 200
    body = html.unescape(response.get_data(as_text=True))
    assert marker in body
    words = parse(response).words
    # The script's words come translated from the page: kit statuses are in the catalogue.
    if locale == "zh":
        assert words["status.returned"] == "已归还待检" and words["status.deployed"] == "已出动"
        assert "模块" in body
    else:
        assert words["status.returned"] == "Returned, to inspect" and words["status.deployed"] == "Deployed"
        assert "Module" in body
    assert words["result.checked_out"] and words["result.not_found"] and words["network"]


@pytest.mark.parametrize("role", DEPLOYERS, ids=lambda r: r.value)
def test_every_deploying_role_opens_the_station(client_as, depot, role):
    response = client_as(role).get("/station")
    assert response.status_code == 200
    assert parse(response).first("input", id="scan-input") is not None


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/station?deployment=1&mode=check_in")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_picker_lists_only_open_deployments_newest_first(app, client_as, depot):
    older = make_deployment(app, "龙首山拉动演练", kind="exercise")
    closed = make_deployment(app, "已结束的演练")
    newer = make_deployment(app, "西安区高层住宅火灾", kind="incident")
    close(app, closed)
    page = parse(client_as(Role.LOGISTICS).get("/station"))
    options = page.picker()
    assert [int(o["value"]) for o in options] == [newer, older]
    assert "西安区高层住宅火灾" in options[0]["text"] and "龙首山拉动演练" in options[1]["text"]
    assert not any(o["selected"] for o in options)
    assert page.first("p", data_testid="no-open") is None


def test_no_open_deployment_says_so(client_as, depot):
    page = parse(client_as(Role.LOGISTICS).get("/station"))
    assert page.picker() == []
    assert page.first("p", data_testid="no-open") is not None


@pytest.mark.parametrize("mode", ["check_out", "check_in", "lookup"])
def test_deployment_and_mode_in_the_address_are_preselected(app, client_as, depot, mode):
    first = make_deployment(app, "甲")
    second = make_deployment(app, "乙")
    page = parse(client_as(Role.LOGISTICS).get(f"/station?deployment={first}&mode={mode}"))
    assert {int(o["value"]): o["selected"] for o in page.picker()} == {first: True, second: False}
    assert page.first("div", id="station")["data-mode"] == mode
    pressed = [attrs["data-mode"] for tag, attrs in page.tags
               if tag == "button" and attrs.get("aria-pressed") == "true"]
    assert pressed == [mode]


@pytest.mark.parametrize("requested", ["closed", "999999", "abc", "-1", "1e3", ""])
def test_closed_unknown_or_garbled_deployment_is_not_preselected(app, client_as, depot, requested):
    open_id = make_deployment(app, "进行中")
    closed = make_deployment(app, "已结束")
    close(app, closed)
    value = str(closed) if requested == "closed" else requested
    response = client_as(Role.LOGISTICS).get("/station", query_string={"deployment": value})
    assert response.status_code == 200
    page = parse(response)
    assert [(int(o["value"]), o["selected"]) for o in page.picker()] == [(open_id, False)]
    numeric = requested in ("closed", "999999", "-1")
    assert (page.first("p", data_testid="not-open") is not None) == numeric


@pytest.mark.parametrize("mode", ["", "delete", "CHECK_OUT", "<script>alert(1)</script>"])
def test_unknown_mode_falls_back_to_check_out(client_as, depot, mode):
    response = client_as(Role.LOGISTICS).get("/station", query_string={"mode": mode})
    assert response.status_code == 200
    assert parse(response).first("div", id="station")["data-mode"] == "check_out"
    assert "<script>alert(1)" not in response.get_data(as_text=True)


def test_deployment_name_with_markup_is_shown_as_text(app, client_as, depot):
    make_deployment(app, "<script>alert(1)</script>{{ 7*7 }}")
    body = client_as(Role.LOGISTICS).get("/station").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}" in body


def test_page_has_no_inline_script_or_style_and_loads_the_decoder_only_on_demand(client_as, depot):
    response = client_as(Role.LOGISTICS).get("/station")
    page = parse(response)
    body = response.get_data(as_text=True)
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert scripts == [{"src": "/static/js/station.js", "defer": None}]
    assert not any("style" in attrs for _, attrs in page.tags)
    assert "<style" not in body and not re.search(r"\son[a-z]+=", body)  # no inline handlers either
    assert page.first("div", id="station")["data-jsqr-url"] == "/static/vendor/jsqr/jsQR.js"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_page_says_javascript_is_required(client_as, depot):
    body = client_as(Role.LOGISTICS).get("/station", headers={"Accept-Language": "en"}).get_data(as_text=True)
    noscript = re.search(r"<noscript>(.*?)</noscript>", body, re.S)
    assert noscript is not None and "JavaScript is required" in noscript.group(1)


def test_script_and_vendored_decoder_are_served_with_the_decoders_licence(client):
    assert client.get("/static/js/station.js").status_code == 200
    decoder = client.get("/static/vendor/jsqr/jsQR.js")
    assert decoder.status_code == 200 and b"jsQR" in decoder.data
    licence = client.get("/static/vendor/jsqr/LICENSE")
    assert licence.status_code == 200 and b"Apache License" in licence.data
    assert b"jsqr 1.4.0" in client.get("/static/vendor/jsqr/README").data


@pytest.mark.parametrize("role", DEPLOYERS, ids=lambda r: r.value)
def test_only_confirmers_are_offered_to_send_a_short_box_out(client_as, depot, role):
    station = parse(client_as(role).get("/station")).first("div", id="station")
    assert station["data-can-override"] == ("true" if role in CONFIRMERS else "false")


def test_csrf_meta_token_lets_the_page_call_the_scan_api(app, client_as, depot):
    client = client_as(Role.LOGISTICS)
    page = parse(client.get("/station"))
    token = page.first("meta", name="csrf-token")["content"]
    station = page.first("div", id="station")
    body = {"code": "K-NOPE-0001", "action": "lookup", "idempotency_key": "station-test-0001"}

    refused = client.post(station["data-scan-url"], json=body)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"

    answered = client.post(station["data-scan-url"], json=body, headers={"X-CSRFToken": token})
    assert answered.status_code == 404
    assert answered.json["scan"]["result"] == "not_found" and answered.json["scan"]["code"] == "K-NOPE-0001"

    undo = client.post(station["data-undo-url"].replace("{id}", str(answered.json["scan"]["scan_id"])),
                       headers={"X-CSRFToken": token})
    assert undo.status_code == 409  # a refused scan cannot be undone, but the address is the API's


def test_deployment_page_is_linked_once_the_deployment_pages_exist(app, client_as, depot):
    if "deployments.show" not in app.view_functions:
        # Stand in for the deployments blueprint (another part of issue 7) under its agreed name.
        app.add_url_rule("/deployments/<int:deployment_id>", "deployments.show", lambda deployment_id: "")
    chosen = make_deployment(app, "甲")
    station = parse(client_as(Role.LOGISTICS).get(f"/station?deployment={chosen}"))
    assert station.first("div", id="station")["data-deployment-url"] == "/deployments/{id}"
    link = station.first("a", id="deployment-link")
    assert link["href"] == f"/deployments/{chosen}" and "hidden" not in link
    unchosen = parse(client_as(Role.LOGISTICS).get("/station")).first("a", id="deployment-link")
    assert "hidden" in unchosen
