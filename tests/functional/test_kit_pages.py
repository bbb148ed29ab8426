"""Kit pages: module readiness, templates, boxes, inspections, status changes and restock forms."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from tests.builders import (
    expire_lot,
    field_errors,
    fill_kit,
    in_days,
    make_depot,
    make_item,
    make_kit,
    make_module,
    make_template,
    receive,
    stock_counts,
)
from tests.functional.stock_page_helpers import LOCALES, balance, ledger_problems, table_rows

FOAM = "EA-AFFF-01"
BANDAGE = "MS-BAND-01"


@pytest.fixture
def kitted(app, users):
    """A depot with two templates of module EQ and four boxes: ready, short (expired), assembling."""
    depot = make_depot(app)
    foam = make_item(app, FOAM)
    bandage = make_item(app, BANDAGE, name_zh="急救绷带", name_en="Trauma bandage", category="MS",
                        unit="pack", shelf_life_days=720)
    make_module(app, "EQ")
    make_module(app, "WR", name_zh="水域救援模块", name_en="Water rescue module", position=2)
    foam_box = make_template(app, [{"item_id": foam, "par_quantity": 4}], code="FOAM-BOX",
                             name_zh="泡沫箱", name_en="Foam box", category="EA",
                             modules={"EQ": 2, "WR": 1})
    med_box = make_template(app, [{"item_id": bandage, "par_quantity": 10, "min_shelf_days": 30}],
                            code="MED-BOX", name_zh="医疗箱", name_en="Medical box", category="MS",
                            modules={"EQ": 1})
    # Box 1 holds lot L-OLD, which will expire in the box; box 2 gets L-MID.
    receive(app, foam, depot.bin_a, 4, lot="L-OLD", expires_on=in_days(100))
    ready_box = make_kit(app, foam_box, depot.zone)
    fill_kit(app, ready_box)
    receive(app, foam, depot.bin_a, 4, lot="L-MID", expires_on=in_days(200))
    short_box = make_kit(app, foam_box, depot.zone)
    fill_kit(app, short_box)
    expire_lot(app, "L-MID", 3)
    # Fresh stock the restock can pick: only 3, so one unit stays unfilled after the swap-out.
    receive(app, foam, depot.bin_b, 3, lot="L-NEW", expires_on=in_days(300))
    med = make_kit(app, med_box, depot.zone)
    return {"depot": depot, "foam": foam, "bandage": bandage, "ready": ready_box, "short": short_box,
            "med": med, "foam_box": foam_box, "med_box": med_box}


class _FormReader(HTMLParser):
    """Collect what a browser would submit from the form with a given data-testid."""

    def __init__(self, testid: str) -> None:
        super().__init__(convert_charrefs=True)
        self.testid = testid
        self.inside = False
        self.data: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("data-testid") == self.testid:
            self.inside = True
        elif self.inside and tag == "input" and attrs.get("name") and "disabled" not in attrs:
            if attrs.get("type") == "checkbox" and "checked" not in attrs:
                return
            self.data[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_data(response, testid: str) -> dict[str, str]:
    reader = _FormReader(testid)
    reader.feed(response.get_data(as_text=True))
    reader.data.pop("csrf_token", None)
    return reader.data


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def counts_of(response, module: str) -> dict[str, int]:
    """The readiness numbers of a module's card."""
    body = response.get_data(as_text=True)
    card = re.search(rf'<section class="card module-card[^"]*" data-module="{module}".*?</section>',
                     body, re.S)
    return {name: int(value) for name, value in re.findall(r'data-count="(\w+)"[^>]*>(\d+)', card.group(0))}


def level_of(response, module: str) -> str:
    body = response.get_data(as_text=True)
    return re.search(rf'data-module="{module}".*?data-level="(\w+)"', body, re.S).group(1)


def badge(response) -> str:
    return re.search(r'data-testid="status"><span class="badge[^"]*" data-status="(\w+)"',
                     response.get_data(as_text=True)).group(1)


def kit_status(app, code: str) -> str:
    from warehouse.extensions import db
    from warehouse.services import kits

    with app.app_context():
        status = kits.get_kit(db.session, code).status.value
        db.session.remove()
    return status


def event_count(app, code: str) -> int:
    from sqlalchemy import func, select

    from warehouse.extensions import db
    from warehouse.models import Kit, KitEvent

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(KitEvent).join(Kit)
                                  .where(Kit.code == code))
        db.session.remove()
    return count


def english(client):
    client.post_form("/language", {"lang": "en"})
    return client


# --- reading --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["logistics", "supply_officer", "commander", "admin"])
def test_every_role_reads_every_kit_page(client_as, kitted, role):
    client = client_as(role)
    urls = ["/kits/", "/kits/modules/EQ", "/kits/modules/wr", "/kits/boxes",
            "/kits/boxes?status=short&module=EQ&q=K-EQ&page=1", "/kits/templates",
            "/kits/templates?module=EQ&category=EA&q=foam", "/kits/templates/FOAM-BOX",
            f"/kits/boxes/{kitted['short']}", f"/kits/boxes/{kitted['ready']}",
            f"/kits/boxes/{kitted['med']}", f"/kits/boxes/{kitted['short']}/restock"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'lang="zh-CN"' in response.get_data(as_text=True), url
    # Only stock handlers see the forms that change a box.
    box_page = client.get(f"/kits/boxes/{kitted['short']}").get_data(as_text=True)
    restock_page = client.get(f"/kits/boxes/{kitted['short']}/restock").get_data(as_text=True)
    handler = role != "commander"
    for marker in ('data-testid="inspection-form"', 'data-testid="status-form"',
                   'data-testid="relocate-form"', 'data-testid="restock"'):
        assert (marker in box_page) is handler, marker
    assert ('data-testid="confirm-restock"' in restock_page) is handler
    template_page = client.get("/kits/templates/FOAM-BOX").get_data(as_text=True)
    assert ('data-testid="new-box-form"' in template_page) is handler


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_nav_links_the_modules_overview_for_every_role(client_as, kitted, locale):
    accept, marker = LOCALES[locale]
    for role in ("logistics", "supply_officer", "commander", "admin"):
        page = client_as(role).get("/", headers={"Accept-Language": accept}).get_data(as_text=True)
        assert 'href="/kits/"' in page and marker in page, role


def test_the_home_page_shows_each_modules_readiness(client_as, kitted):
    page = client_as("commander").get("/")
    body = page.get_data(as_text=True)
    card = body[body.index('data-testid="home-modules"'):]
    assert re.search(r'data-module="EQ">.*?1 / 3.*?33%', card, re.S)
    assert re.search(r'data-module="WR">.*?0 / 1.*?0%', card, re.S)
    assert level_of(page, "EQ") == "poor" and 'href="/kits/modules/EQ"' in card


def test_unknown_codes_are_404(client_as, kitted):
    client = client_as("commander")
    for url in ["/kits/modules/XX", "/kits/templates/NOPE", "/kits/boxes/K-EQ-9999",
                "/kits/boxes/K-EQ-9999/restock"]:
        assert client.get(url).status_code == 404, url
    assert client_as("logistics").post_form("/kits/boxes/K-EQ-9999/restock", {}).status_code == 404


def test_overview_counts_boxes_per_module_and_template(client_as, kitted):
    # Built: FOAM-BOX needs 2 for EQ and 1 for WR, MED-BOX 1 for EQ. EQ has one ready foam box,
    # one short foam box (its lot expired in the box) and one medical box still assembling.
    page = client_as("commander").get("/kits/")
    assert counts_of(page, "EQ") == {"percent": 33, "required": 3, "ready": 1, "short": 1, "deployed": 0,
                                     "restocking": 0, "other": 1}
    assert counts_of(page, "WR") == {"percent": 0, "required": 1, "ready": 0, "short": 0, "deployed": 0,
                                     "restocking": 0, "other": 0}
    assert level_of(page, "EQ") == "poor"
    rows = {r["attrs"]["template"]: r["cols"] for r in table_rows(page, "templates-EQ")}
    assert rows["FOAM-BOX"] == {"required": "2", "ready": "1", "short": "1", "deployed": "0",
                                "restocking": "0", "other": "0"}
    assert rows["MED-BOX"]["other"] == "1" and rows["MED-BOX"]["ready"] == "0"
    body = page.get_data(as_text=True)
    assert 'href="/kits/modules/EQ"' in body and 'href="/kits/templates/FOAM-BOX"' in body


def test_a_module_turns_green_when_its_boxes_are_ready(app, client_as, kitted):
    # Refill the short box with fresh stock and fill the medical box: EQ is then complete.
    receive(app, kitted["foam"], kitted["depot"].bin_b, 1, lot="L-NEW", expires_on=in_days(300))
    fill_kit(app, kitted["short"])
    receive(app, kitted["bandage"], kitted["depot"].bin_a, 10, lot="B-1", expires_on=in_days(400))
    fill_kit(app, kitted["med"])
    page = client_as("commander").get("/kits/")
    assert counts_of(page, "EQ")["ready"] == 3 and counts_of(page, "EQ")["percent"] == 100
    assert level_of(page, "EQ") == "good"
    module_page = client_as("commander").get("/kits/modules/EQ")
    assert counts_of(module_page, "EQ")["percent"] == 100
    assert {r["attrs"]["kit"]: r["attrs"]["status"] for r in table_rows(module_page, "boxes")} == {
        kitted["ready"]: "ready", kitted["short"]: "ready", kitted["med"]: "ready"}


@pytest.mark.parametrize("required, percent, level", [
    (0, 0, "none"), (10, 100, "good"), (10, 90, "good"), (10, 89, "fair"), (10, 60, "fair"),
    (10, 59, "poor"), (10, 0, "poor"),
])
def test_readiness_levels_follow_the_thresholds(required, percent, level):
    from warehouse.domain.readiness import Thresholds
    from warehouse.views.kits import readiness_level

    assert readiness_level(required, percent, Thresholds()) == level


def test_box_list_filters_and_marks_expiry(client_as, kitted):
    client = client_as("commander")

    def listed(query=""):
        return {r["attrs"]["kit"]: r for r in table_rows(client.get(f"/kits/boxes{query}"), "boxes")}

    everything = listed()
    assert set(everything) == {kitted["ready"], kitted["short"], kitted["med"]}
    short = everything[kitted["short"]]
    assert short["attrs"]["status"] == "short" and short["cols"]["missing"] == "4"
    assert short["cols"]["expiry"] == in_days(-3).isoformat()
    assert everything[kitted["med"]]["cols"]["missing"] == "10"
    assert set(listed("?status=short")) == {kitted["short"]}
    assert set(listed("?status=ready")) == {kitted["ready"]}
    assert set(listed("?template=med-box")) == {kitted["med"]}
    assert set(listed("?module=WR")) == set()
    assert set(listed(f"?q={kitted['ready'][-4:]}")) == {kitted["ready"]}
    assert set(listed("?per_page=1&page=2&sort=code")) == {kitted["short"]}
    body = client.get("/kits/boxes?status=short").get_data(as_text=True)
    assert 'data-expiry="expired"' in body
    assert client.get("/kits/boxes?status=bogus").status_code == 200  # an invalid filter is dropped


def test_box_page_shows_contents_against_par_and_lots(client_as, kitted):
    page = client_as("commander").get(f"/kits/boxes/{kitted['short']}")
    assert badge(page) == "short"
    (line,) = table_rows(page, "lines")
    assert line["cols"] == {"par": "4", "held": "4", "usable": "0", "missing": "4"}
    (lot,) = table_rows(page, "contents")
    assert lot["attrs"]["lot"] == "L-MID" and "row-expired" in lot["class"]
    ready = client_as("commander").get(f"/kits/boxes/{kitted['ready']}")
    assert badge(ready) == "ready"
    assert table_rows(ready, "lines")[0]["cols"]["missing"] == "0"
    assert [r["attrs"]["reason"] for r in table_rows(ready, "movements")] == ["into_kit"]


def test_template_page_shows_the_box_its_contents_modules_and_boxes(client_as, kitted):
    page = english(client_as("commander")).get("/kits/templates/FOAM-BOX")
    body = text(page)
    assert re.search(r'data-testid="box-type">Case<', body)
    assert re.search(r'data-testid="size">0.6 × 0.4 m<', body)
    assert re.search(r'data-testid="weight">28 kg<', body)
    (line,) = table_rows(page, "lines")
    assert line["attrs"]["sku"] == FOAM and line["cols"]["par"].startswith("4")
    modules = {r["attrs"]["module"]: r["cols"] for r in table_rows(page, "modules")}
    assert modules == {"EQ": {"required": "2", "ready": "1"}, "WR": {"required": "1", "ready": "0"}}
    assert {r["attrs"]["kit"] for r in table_rows(page, "boxes")} == {kitted["ready"], kitted["short"]}
    med = english(client_as("commander")).get("/kits/templates/MED-BOX")
    assert table_rows(med, "lines")[0]["cols"]["shelf"] == "30 days"
    listing = table_rows(client_as("commander").get("/kits/templates"), "templates")
    assert {r["attrs"]["template"]: r["cols"]["boxes"] for r in listing} == {"FOAM-BOX": "2", "MED-BOX": "1"}


def test_user_text_is_escaped(app, client_as, kitted):
    make_template(app, [{"item_id": kitted["foam"], "par_quantity": 1}], code="XSS-BOX",
                  name_zh="<script>alert(1)</script>", name_en="<b>bold</b>", modules={"EQ": 1},
                  description="<img src=x onerror=alert(2)>")
    make_kit(app, "XSS-BOX", kitted["depot"].zone, note="<script>alert(3)</script>")
    client = client_as("commander")
    for url in ["/kits/", "/kits/modules/EQ", "/kits/templates", "/kits/templates/XSS-BOX",
                "/kits/boxes", "/kits/boxes/K-EQ-0004"]:
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body and "<b>bold" not in body, url
    page = client.get("/kits/templates/XSS-BOX").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- forms ----------------------------------------------------------------------------------------

def test_a_keeper_registers_a_box_from_the_template_page(app, client_as, kitted):
    keeper = english(client_as("logistics"))
    response = keeper.post_form("/kits/templates/FOAM-BOX",
                                {"module": "WR", "home": kitted["depot"].codes["bin_a"].lower(),
                                 "code": "", "note": ""})
    assert response.status_code == 302
    assert response.headers["Location"] == "/kits/boxes/K-WR-0001"
    page = keeper.get("/kits/boxes/K-WR-0001")
    assert badge(page) == "assembling"
    assert re.search(r'data-testid="home">.*?T-A-R01-B01', page.get_data(as_text=True), re.S)
    assert "K-WR-0001" in text(page)  # flash

    unknown = keeper.post_form("/kits/templates/FOAM-BOX", {"module": "EQ", "home": "NOWHERE"})
    assert unknown.status_code == 422
    assert field_errors(unknown, "home") == ["No location has the code NOWHERE."]
    taken = keeper.post_form("/kits/templates/FOAM-BOX",
                             {"module": "EQ", "home": "T-A", "code": kitted["ready"]})
    assert taken.status_code == 409 and field_errors(taken, "code") == ["already taken"]
    not_served = keeper.post_form("/kits/templates/MED-BOX", {"module": "WR", "home": "T-A"})
    assert not_served.status_code == 422
    assert "not part of module WR" in " ".join(field_errors(not_served, "module"))
    assert client_as("commander").post_form("/kits/templates/FOAM-BOX",
                                             {"module": "EQ", "home": "T-A"}).status_code == 403


def test_an_inspection_is_recorded_and_needs_findings_unless_passed(app, client_as, kitted):
    keeper = english(client_as("logistics"))
    url = f"/kits/boxes/{kitted['ready']}/inspections"
    missing = keeper.post_form(url, {"outcome": "defects", "findings": ""})
    assert missing.status_code == 422
    assert field_errors(missing, "findings") == ["say what was found"]
    assert event_count(app, kitted["ready"]) == 2
    done = keeper.post_form(url, {"outcome": "defects", "findings": "Lid hinge <cracked>"})
    assert done.status_code == 302
    page = keeper.get(f"/kits/boxes/{kitted['ready']}")
    events = table_rows(page, "events")
    assert events[0]["attrs"]["outcome"] == "defects" and "Lid hinge <cracked>" in events[0]["cells"][2]
    assert re.search(r'data-testid="last-inspection"><time', page.get_data(as_text=True))
    assert keeper.post_form(url, {"outcome": "bogus"}).status_code == 400


def test_an_illegal_status_change_says_why_and_writes_nothing(app, client_as, kitted):
    keeper = english(client_as("logistics"))
    med = kitted["med"]
    page = keeper.get(f"/kits/boxes/{med}").get_data(as_text=True)
    form = page.split('data-testid="status-form"')[1].split("</form>")[0]
    offered = re.findall(r'<option value="(\w+)"', form)
    assert offered == ["ready", "short", "restocking", "retired"]  # from assembling
    before = event_count(app, med)
    refused = keeper.post_form(f"/kits/boxes/{med}/status", {"status": "quarantined", "note": "wet"})
    assert refused.status_code == 409
    assert f"box {med} is assembling and cannot become quarantined" in text(refused)
    assert kit_status(app, med) == "assembling" and event_count(app, med) == before
    not_complete = keeper.post_form(f"/kits/boxes/{med}/status", {"status": "ready", "note": ""})
    assert not_complete.status_code == 409 and f"box {med} is short: {BANDAGE} −10" in text(not_complete)
    no_reason = keeper.post_form(f"/kits/boxes/{kitted['short']}/status", {"status": "quarantined"})
    assert no_reason.status_code == 422 and field_errors(no_reason, "note") == ["say why"]
    retire = keeper.post_form(f"/kits/boxes/{med}/status", {"status": "retired", "note": "broken"})
    assert retire.status_code == 403 and "only a supply officer retires a box" in text(retire)
    deploy = keeper.post_form(f"/kits/boxes/{med}/status", {"status": "deployed", "note": ""})
    assert deploy.status_code == 400  # not a status set by hand
    assert kit_status(app, med) == "assembling" and event_count(app, med) == before

    moved = keeper.post_form(f"/kits/boxes/{kitted['short']}/status", {"status": "restocking", "note": ""})
    assert moved.status_code == 302
    assert badge(keeper.get(f"/kits/boxes/{kitted['short']}")) == "restocking"


def test_a_box_is_moved_to_a_new_home(app, client_as, kitted):
    keeper = english(client_as("logistics"))
    url = f"/kits/boxes/{kitted['ready']}/move"
    assert keeper.post_form(url, {"home": "T-A-R01-B02"}).status_code == 302
    page = keeper.get(f"/kits/boxes/{kitted['ready']}").get_data(as_text=True)
    assert re.search(r'data-testid="home">.*?T-A-R01-B02', page, re.S)
    same = keeper.post_form(url, {"home": "T-A-R01-B02"})
    assert same.status_code == 422 and field_errors(same, "home") == ["the box already lives there"]
    assert field_errors(keeper.post_form(url, {"home": "XX"}), "home") == ["No location has the code XX."]


def test_restock_through_the_form_brings_a_short_box_to_ready(app, client_as, kitted):
    depot = kitted["depot"]
    receive(app, kitted["foam"], depot.bin_b, 1, lot="L-NEW", expires_on=in_days(300))
    keeper = english(client_as("logistics"))
    url = f"/kits/boxes/{kitted['short']}/restock"
    proposal = keeper.get(url)
    assert badge(proposal) == "short"
    (removal,) = table_rows(proposal, "removals")
    assert removal["attrs"]["lot"] == "L-MID" and removal["cols"]["location"] == depot.codes["quarantine"]
    (fill,) = table_rows(proposal, "fills")
    assert fill["attrs"]["lot"] == "L-NEW" and fill["cols"]["location"] == depot.codes["bin_b"]
    data = form_data(proposal, "restock-form")
    assert data["removals-0-quantity"] == "4" and data["fills-0-quantity"] == "4"
    assert data["fills-0-include"] == "1"

    done = keeper.post_form(url, {**data, "note": "monthly check"})
    assert done.status_code == 302 and done.headers["Location"] == f"/kits/boxes/{kitted['short']}"
    page = keeper.get(done.headers["Location"])
    assert badge(page) == "ready"
    assert "restocked: 2 movements posted" in text(page)
    assert balance(app, FOAM, kitted["short"], "L-NEW") == 4
    assert balance(app, FOAM, kitted["short"], "L-MID") == 0
    assert balance(app, FOAM, depot.codes["quarantine"], "L-MID") == 4
    assert balance(app, FOAM, depot.codes["bin_b"], "L-NEW") == 0
    assert kit_status(app, kitted["short"]) == "ready"
    assert ledger_problems(app) == []
    assert counts_of(keeper.get("/kits/"), "EQ")["ready"] == 2


def test_restock_asking_more_than_the_depot_holds_names_the_sku_and_moves_nothing(app, client_as, kitted):
    keeper = english(client_as("logistics"))
    url = f"/kits/boxes/{kitted['short']}/restock"
    proposal = keeper.get(url)
    assert [r["attrs"]["sku"] for r in table_rows(proposal, "unfilled")] == [FOAM]
    data = form_data(proposal, "restock-form")
    assert data["fills-0-quantity"] == "3"
    before = stock_counts(app)
    refused = keeper.post_form(url, {**data, "fills-0-quantity": "4"})
    assert refused.status_code == 409
    message = re.search(r'data-testid="restock-error">([^<]*)<', refused.get_data(as_text=True)).group(1)
    assert f"{FOAM} L-NEW: only 3 at T-A-R01-B02, 4 requested" in html.unescape(message)
    (fill,) = table_rows(refused, "fills")
    assert "only 3 available" in fill["cols"]["quantity"]
    assert form_data(refused, "restock-form")["fills-0-quantity"] == "4"  # the user's edit is kept
    assert stock_counts(app) == before and kit_status(app, kitted["short"]) == "ready"
    assert ledger_problems(app) == []


@pytest.mark.parametrize("change, status", [
    ({"fills-0-quantity": "lots"}, 400),
    ({"fills-0-quantity": "-2"}, 400),
    ({"fills-0-item_id": "x"}, 400),
    ({"fills-0-location_id": "99999"}, 422),
])
def test_a_damaged_restock_row_moves_nothing(app, client_as, kitted, change, status):
    keeper = english(client_as("logistics"))
    url = f"/kits/boxes/{kitted['short']}/restock"
    data = form_data(keeper.get(url), "restock-form")
    before = stock_counts(app)
    response = keeper.post_form(url, {**data, **change})
    assert response.status_code == status
    assert 'data-testid="restock-error"' in response.get_data(as_text=True)
    assert stock_counts(app) == before


def test_unticking_every_row_is_refused(app, client_as, kitted):
    keeper = english(client_as("logistics"))
    url = f"/kits/boxes/{kitted['short']}/restock"
    data = {k: v for k, v in form_data(keeper.get(url), "restock-form").items() if not k.endswith("-include")}
    before = stock_counts(app)
    response = keeper.post_form(url, data)
    assert response.status_code == 422 and "nothing to put in or take out" in text(response)
    assert stock_counts(app) == before
    assert client_as("commander").post_form(url, data).status_code == 403


def test_codes_outside_the_printed_pattern_are_404_without_a_query(client_as, kitted):
    client = client_as("supply_officer")
    for url in ["/kits/boxes/K%00EQ", "/kits/modules/%E2%80%A2", "/kits/templates/" + "A" * 30,
                "/kits/templates/A%00/edit"]:
        assert client.get(url).status_code == 404, url


def test_a_boxs_location_page_links_to_the_box(app, client_as, kitted):
    from warehouse.extensions import db
    from warehouse.services import kits

    with app.app_context():
        location_id = kits.get_kit(db.session, kitted["ready"]).location_id
        db.session.remove()
    body = client_as("commander").get(f"/locations/{location_id}").get_data(as_text=True)
    assert f'href="/kits/boxes/{kitted["ready"]}" data-testid="box-page"' in body


def test_the_box_page_shows_when_serial_units_are_due_for_inspection(app, client_as):
    from sqlalchemy import update

    from tests.builders import (
        fill_kit,
        in_days,
        make_depot,
        make_item,
        make_kit,
        make_module,
        make_template,
        receive,
    )
    from warehouse.extensions import db
    from warehouse.models import Lot

    depot = make_depot(app, "S")
    make_module(app)
    spreader = make_item(app, "RE-SPREAD", category="ER", unit="piece", tracking="serial",
                         expiry_required=False, shelf_life_days=None, inspection_interval_days=180)
    receive(app, spreader, depot.bin_a, 1, lot="SN-001")
    template = make_template(app, [{"item_id": spreader, "par_quantity": 1}], code="SPREAD-BOX")
    code = make_kit(app, template, depot.zone)
    fill_kit(app, code)
    with app.app_context():
        db.session.execute(update(Lot).where(Lot.code == "SN-001").values(next_inspection_on=in_days(-3)))
        db.session.commit()
        db.session.remove()
    body = client_as("commander").get(f"/kits/boxes/{code}").get_data(as_text=True)
    row = re.search(r'<tr data-sku="RE-SPREAD" data-lot="SN-001".*?</tr>', body, re.S).group(0)
    cell = re.search(r'data-col="inspection">(.*?)</td>', row, re.S).group(1)
    assert 'data-expiry="expired"' in cell and in_days(-3).isoformat() in cell
