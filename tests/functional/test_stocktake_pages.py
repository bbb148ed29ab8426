"""Stocktake pages: scan a bin to start, count blind, add what was found, submit, approve."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import event

from tests.builders import field_errors, in_days, make_depot, make_item, receive, stock_counts
from tests.functional.stock_page_helpers import (
    LOCALES,
    balance,
    ledger_problems,
    movements,
    table_rows,
)
from warehouse.extensions import db

FOAM = "EA-AFFF-01"
GLOVES = "PE-GLOVE-01"
SPREADER = "RE-SPREAD-01"


@pytest.fixture
def depot(app, users):
    depot = make_depot(app)
    foam = make_item(app, FOAM)
    gloves = make_item(app, GLOVES, name_zh="救援手套", name_en="Rescue gloves", category="PE",
                       unit="pair", tracking="bulk", expiry_required=False, shelf_life_days=None)
    make_item(app, SPREADER, name_zh="液压扩张器", name_en="Hydraulic spreader", category="RE",
              unit="set", tracking="serial", expiry_required=False, shelf_life_days=None)
    # Distinctive quantities: the blind count sheet must not give them away.
    receive(app, foam, depot.bin_a, 37, lot="L-45", expires_on=in_days(45))
    receive(app, foam, depot.bin_a, 23, lot="L-90", expires_on=in_days(90))
    receive(app, gloves, depot.bin_a, 41)
    receive(app, foam, depot.bin_b, 5, lot="L-45", expires_on=in_days(45))
    return depot


def body(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def start(client, code: str) -> int:
    """Start counting a location through the form; return the stocktake's id."""
    response = client.post_form("/stocktakes", {"location": code, "note": ""})
    assert response.status_code == 302, body(response)
    return int(re.fullmatch(r"/stocktakes/(\d+)", response.headers["Location"]).group(1))


def count(client, stocktake_id: int, counted, *, item_id=None, sku="", lot=""):
    data = {"item_id": "" if item_id is None else str(item_id), "sku": sku, "lot": lot,
            "counted": str(counted)}
    return client.post_form(f"/stocktakes/{stocktake_id}/count", data)


def sheet(response) -> dict[tuple[str, str], dict]:
    """The stocktake's lines by (SKU, lot)."""
    return {(r["attrs"]["sku"], r["attrs"]["lot"]): r for r in table_rows(response, "lines")}


def line_item_ids(response) -> dict[tuple[str, str], int]:
    """The hidden item id of each line's count form, by (SKU, lot)."""
    found = {}
    for match in re.finditer(r'<tr id="line-\d+" data-sku="([^"]+)" data-lot="([^"]*)">(.*?)</tr>',
                             response.get_data(as_text=True), re.S):
        item_id = re.search(r'name="item_id" value="(\d+)"', match.group(3))
        if item_id:
            found[(match.group(1), match.group(2))] = int(item_id.group(1))
    return found


def status_of(response) -> str:
    return re.search(r'data-testid="status"><span class="badge[^"]*" data-status="(\w+)"',
                     response.get_data(as_text=True)).group(1)


# --- pages in both languages --------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["zh", "en"])
def test_stocktake_pages_render_in_chinese_and_english(client_as, depot, locale):
    accept, marker = LOCALES[locale]
    client = client_as("supply_officer")
    stocktake_id = start(client, depot.codes["bin_a"])
    for url in ["/stocktakes", "/stocktakes?status=counting", f"/stocktakes/{stocktake_id}"]:
        response = client.get(url, headers={"Accept-Language": accept})
        assert response.status_code == 200, url
        assert marker in response.get_data(as_text=True)
    for each in line_item_ids(client.get(f"/stocktakes/{stocktake_id}")).items():
        (_sku, lot), item_id = each
        count(client, stocktake_id, 1, item_id=item_id, lot=lot)
    client.post_form(f"/stocktakes/{stocktake_id}/submit")
    submitted = client.get(f"/stocktakes/{stocktake_id}", headers={"Accept-Language": accept})
    assert submitted.status_code == 200 and marker in submitted.get_data(as_text=True)


# --- a whole stocktake --------------------------------------------------------------------------

def test_full_stocktake_blind_count_then_approval_posts_the_variances(client_as, app, depot):
    codes = depot.codes
    keeper = client_as("logistics")
    keeper.post_form("/language", {"lang": "en"})
    # The keeper scans the bin label (a scanner may send lower case).
    stocktake_id = start(keeper, codes["bin_a"].lower())
    page = keeper.get(f"/stocktakes/{stocktake_id}")
    assert status_of(page) == "counting"
    lines = sheet(page)
    assert set(lines) == {(FOAM, "L-45"), (FOAM, "L-90"), (GLOVES, "")}
    # Blind count: the expected quantities appear nowhere on the sheet.
    text = page.get_data(as_text=True)
    assert 'data-col="expected"' not in text
    for expected in ("37", "23", "41"):
        assert f">{expected}<" not in text and f'value="{expected}"' not in text
    assert 'data-testid="approve"' not in text  # the keeper may not approve

    ids = line_item_ids(page)
    assert count(keeper, stocktake_id, 37, item_id=ids[(FOAM, "L-45")], lot="L-45").status_code == 302
    assert count(keeper, stocktake_id, 20, item_id=ids[(FOAM, "L-90")], lot="L-90").status_code == 302
    assert count(keeper, stocktake_id, 44, item_id=ids[(GLOVES, "")]).status_code == 302
    # Found on the shelf but not in the ledger here: a lot from bin B.
    found = count(keeper, stocktake_id, 2, sku=FOAM.lower(), lot="L-45-X")
    assert found.status_code == 422  # no such lot of the item
    assert "no lot L-45-X of EA-AFFF-01" in field_errors(found, "lot")
    # A recount of a line replaces its count.
    assert count(keeper, stocktake_id, 21, item_id=ids[(FOAM, "L-90")], lot="L-90").status_code == 302

    page = keeper.get(f"/stocktakes/{stocktake_id}")
    assert re.search(r'<div class="flash flash-success"', page.get_data(as_text=True))
    assert re.search(r'data-testid="progress">3 / 3<', page.get_data(as_text=True))
    before = stock_counts(app)
    submitted = keeper.post_form(f"/stocktakes/{stocktake_id}/submit")
    assert submitted.status_code == 302
    assert stock_counts(app) == before  # submitting posts nothing

    page = keeper.get(f"/stocktakes/{stocktake_id}")
    assert status_of(page) == "submitted"
    variances = {key: (r["cols"]["expected"].split()[0], r["cols"]["counted"], r["cols"]["variance"])
                 for key, r in sheet(page).items()}
    assert variances == {(FOAM, "L-45"): ("37", "37", "0"), (FOAM, "L-90"): ("23", "21", "-2"),
                         (GLOVES, ""): ("41", "44", "+3")}
    assert 'data-testid="approve"' not in page.get_data(as_text=True)
    assert keeper.post_form(f"/stocktakes/{stocktake_id}/approve").status_code == 403

    officer = client_as("supply_officer")
    officer_page = officer.get(f"/stocktakes/{stocktake_id}").get_data(as_text=True)
    assert 'data-testid="approve"' in officer_page
    approved = officer.post_form(f"/stocktakes/{stocktake_id}/approve")
    assert approved.status_code == 302
    assert status_of(officer.get(f"/stocktakes/{stocktake_id}")) == "approved"

    counted = [m for m in movements(app) if m["reason"] == "count"]
    assert sorted((m["sku"], m["lot"], m["quantity"], m["from"] is not None) for m in counted) == [
        (FOAM, "L-90", 2, True), (GLOVES, None, 3, False)]
    assert {m["reference"] for m in counted} == {f"ST-{stocktake_id}"}
    assert balance(app, FOAM, codes["bin_a"], "L-45") == 37
    assert balance(app, FOAM, codes["bin_a"], "L-90") == 21
    assert balance(app, GLOVES, codes["bin_a"]) == 44
    assert balance(app, FOAM, codes["bin_b"], "L-45") == 5  # the other bin is untouched
    assert ledger_problems(app) == []


def test_an_item_found_that_was_not_expected_adds_a_line(client_as, app, depot):
    keeper = client_as("logistics")
    stocktake_id = start(keeper, depot.codes["bin_b"])
    response = count(keeper, stocktake_id, 3, sku=GLOVES)
    assert response.status_code == 302
    page = keeper.get(f"/stocktakes/{stocktake_id}")
    assert set(sheet(page)) == {(FOAM, "L-45"), (GLOVES, "")}
    ids = line_item_ids(page)
    count(keeper, stocktake_id, 5, item_id=ids[(FOAM, "L-45")], lot="L-45")
    keeper.post_form(f"/stocktakes/{stocktake_id}/submit")
    client_as("admin").post_form(f"/stocktakes/{stocktake_id}/approve")
    assert balance(app, GLOVES, depot.codes["bin_b"]) == 3
    assert balance(app, FOAM, depot.codes["bin_b"], "L-45") == 5
    assert ledger_problems(app) == []


def test_submitting_with_lines_not_counted_is_refused_and_says_how_many(client_as, app, depot):
    keeper = client_as("logistics")
    keeper.post_form("/language", {"lang": "en"})
    stocktake_id = start(keeper, depot.codes["bin_a"])
    response = keeper.post_form(f"/stocktakes/{stocktake_id}/submit")
    assert response.status_code == 422
    assert "3 lines are not counted yet" in body(response)
    assert status_of(keeper.get(f"/stocktakes/{stocktake_id}")) == "counting"


@pytest.mark.parametrize("counted, status, message", [
    ("-1", 422, "must be zero or a whole number"),
    ("lots", 400, "Not a valid integer value."),
    ("", 400, "This field is required."),
])
def test_a_bad_count_shows_the_reason_on_its_line(client_as, app, depot, counted, status, message):
    keeper = client_as("logistics")
    keeper.post_form("/language", {"lang": "en"})
    stocktake_id = start(keeper, depot.codes["bin_a"])
    ids = line_item_ids(keeper.get(f"/stocktakes/{stocktake_id}"))
    response = count(keeper, stocktake_id, counted, item_id=ids[(GLOVES, "")])
    assert response.status_code == status
    row = sheet(response)[(GLOVES, "")]
    assert message in " ".join(row["cells"])
    assert "not counted" in body(keeper.get(f"/stocktakes/{stocktake_id}"))


def test_a_found_item_with_an_unknown_sku_is_refused_on_the_sku(client_as, depot):
    keeper = client_as("logistics")
    keeper.post_form("/language", {"lang": "en"})
    stocktake_id = start(keeper, depot.codes["bin_a"])
    response = count(keeper, stocktake_id, 1, sku="NOPE")
    assert response.status_code == 422
    assert "No item has the SKU NOPE." in field_errors(response, "sku")
    missing = count(keeper, stocktake_id, 1)
    assert missing.status_code == 422
    assert "Scan or type the SKU of the item found." in field_errors(missing, "sku")


@pytest.mark.parametrize("code, status, message", [
    ("NOWHERE", 422, "No location has the code NOWHERE."),
    ("T", 422, "stock cannot be put in or taken from T here"),
    ("", 400, "This field is required."),
])
def test_starting_a_count_of_an_unknown_or_uncountable_location_is_refused(client_as, app, depot, code,
                                                                          status, message):
    keeper = client_as("logistics")
    keeper.post_form("/language", {"lang": "en"})
    response = keeper.post_form("/stocktakes", {"location": code})
    assert response.status_code == status
    assert message in field_errors(response, "location")
    assert table_rows(keeper.get("/stocktakes"), "stocktakes") == []


def test_a_location_is_counted_once_at_a_time_and_frozen_meanwhile(client_as, app, depot):
    keeper = client_as("logistics")
    keeper.post_form("/language", {"lang": "en"})
    start(keeper, depot.codes["bin_a"])
    again = keeper.post_form("/stocktakes", {"location": depot.codes["bin_a"]})
    assert again.status_code == 409
    assert "already being counted" in field_errors(again, "location")
    before = stock_counts(app)
    moved = keeper.post_form("/stock/move", {"sku": GLOVES, "from_location": depot.codes["bin_a"],
                                             "to_location": depot.codes["bin_b"], "quantity": "1"})
    assert moved.status_code == 409
    assert "being counted" in body(moved)
    assert stock_counts(app) == before


def test_counting_after_submission_is_refused(client_as, app, depot):
    keeper = client_as("logistics")
    keeper.post_form("/language", {"lang": "en"})
    stocktake_id = start(keeper, depot.codes["bin_b"])
    ids = line_item_ids(keeper.get(f"/stocktakes/{stocktake_id}"))
    count(keeper, stocktake_id, 5, item_id=ids[(FOAM, "L-45")], lot="L-45")
    keeper.post_form(f"/stocktakes/{stocktake_id}/submit")
    late = count(keeper, stocktake_id, 9, item_id=ids[(FOAM, "L-45")], lot="L-45")
    assert late.status_code == 409
    assert "the stocktake is submitted" in body(late)
    assert 'data-testid="save-count"' not in late.get_data(as_text=True)


def test_cancelling_posts_nothing_and_frees_the_location(client_as, app, depot):
    keeper = client_as("logistics")
    stocktake_id = start(keeper, depot.codes["bin_a"])
    ids = line_item_ids(keeper.get(f"/stocktakes/{stocktake_id}"))
    count(keeper, stocktake_id, 0, item_id=ids[(GLOVES, "")])
    before = stock_counts(app)
    officer = client_as("supply_officer")
    assert officer.post_form(f"/stocktakes/{stocktake_id}/cancel").status_code == 302
    assert status_of(officer.get(f"/stocktakes/{stocktake_id}")) == "cancelled"
    assert stock_counts(app) == before
    assert officer.post_form(f"/stocktakes/{stocktake_id}/approve").status_code == 409
    start(keeper, depot.codes["bin_a"])  # the bin may be counted again


def test_stocktake_list_filters_by_status_and_shows_progress(client_as, app, depot):
    keeper = client_as("logistics")
    first = start(keeper, depot.codes["bin_a"])
    second = start(keeper, depot.codes["bin_b"])
    client_as("admin").post_form(f"/stocktakes/{first}/cancel")
    rows = table_rows(keeper.get("/stocktakes"), "stocktakes")
    assert [r["cells"][0] for r in rows] == [f"ST-{second}", f"ST-{first}"]
    assert rows[0]["cells"][3] == "0 / 1" and rows[1]["cells"][3] == "0 / 3"
    counting = table_rows(keeper.get("/stocktakes?status=counting"), "stocktakes")
    assert [r["cells"][0] for r in counting] == [f"ST-{second}"]


def test_unknown_stocktake_is_404(client_as, depot):
    client = client_as("logistics")
    assert client.get("/stocktakes/999999").status_code == 404
    assert count(client, 999999, 1, sku=GLOVES).status_code == 404
    assert client.post_form("/stocktakes/999999/submit").status_code == 404


def test_the_count_sheet_loads_its_lines_without_a_query_per_line(client_as, app, depot):
    keeper = client_as("logistics")
    small = start(keeper, depot.codes["bin_b"])
    # Bin A has three lines; give the rack-level count forty more.
    extra = [make_item(app, f"MS-KIT-{n:02d}", category="MS", expiry_required=False,
                       shelf_life_days=None) for n in range(40)]
    for item_id in extra:
        receive(app, item_id, depot.bin_a, 1, lot="K1")
    big = start(keeper, depot.codes["bin_a"])

    def statements(stocktake_id: int) -> int:
        seen = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert keeper.get(f"/stocktakes/{stocktake_id}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements(big) == statements(small)


# --- roles and CSRF ------------------------------------------------------------------------------

def test_commander_reads_stocktakes_but_gets_403_on_every_action(client_as, app, depot):
    keeper = client_as("logistics")
    stocktake_id = start(keeper, depot.codes["bin_a"])
    commander = client_as("commander")
    page = commander.get(f"/stocktakes/{stocktake_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-testid="save-count"' not in text and 'data-testid="submit-count"' not in text
    assert 'data-testid="start-count"' not in commander.get("/stocktakes").get_data(as_text=True)
    before = stock_counts(app)
    ids = line_item_ids(keeper.get(f"/stocktakes/{stocktake_id}"))
    for url, data in [("/stocktakes", {"location": depot.codes["bin_b"]}),
                      (f"/stocktakes/{stocktake_id}/count",
                       {"item_id": str(ids[(GLOVES, "")]), "counted": "1"}),
                      (f"/stocktakes/{stocktake_id}/submit", {}),
                      (f"/stocktakes/{stocktake_id}/approve", {}),
                      (f"/stocktakes/{stocktake_id}/cancel", {})]:
        assert commander.post_form(url, data).status_code == 403, url
    assert stock_counts(app) == before
    assert status_of(keeper.get(f"/stocktakes/{stocktake_id}")) == "counting"


def test_logistics_staff_may_not_approve_or_cancel(client_as, app, depot):
    keeper = client_as("logistics")
    stocktake_id = start(keeper, depot.codes["bin_b"])
    ids = line_item_ids(keeper.get(f"/stocktakes/{stocktake_id}"))
    count(keeper, stocktake_id, 4, item_id=ids[(FOAM, "L-45")], lot="L-45")
    keeper.post_form(f"/stocktakes/{stocktake_id}/submit")
    page = keeper.get(f"/stocktakes/{stocktake_id}").get_data(as_text=True)
    assert 'data-testid="approve"' not in page and 'data-testid="cancel"' not in page
    assert keeper.post_form(f"/stocktakes/{stocktake_id}/approve").status_code == 403
    assert keeper.post_form(f"/stocktakes/{stocktake_id}/cancel").status_code == 403
    assert balance(app, FOAM, depot.codes["bin_b"], "L-45") == 5


def test_stocktake_forms_need_a_csrf_token(client_as, app, depot):
    keeper = client_as("logistics")
    assert keeper.post("/stocktakes", data={"location": depot.codes["bin_a"]}).status_code == 400
    assert table_rows(keeper.get("/stocktakes"), "stocktakes") == []
    stocktake_id = start(keeper, depot.codes["bin_b"])
    ids = line_item_ids(keeper.get(f"/stocktakes/{stocktake_id}"))
    response = keeper.post(f"/stocktakes/{stocktake_id}/count",
                           data={"item_id": str(ids[(FOAM, "L-45")]), "lot": "L-45", "counted": "5"})
    assert response.status_code == 400
    assert keeper.post(f"/stocktakes/{stocktake_id}/submit").status_code == 400
    assert "未清点" in body(keeper.get(f"/stocktakes/{stocktake_id}"))
