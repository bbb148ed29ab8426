"""The stock pages: the list, receiving, moving, issuing (FEFO), adjusting, disposing, the ledger."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from tests.builders import expire_lot, field_errors, in_days, make_depot, make_item, receive, stock_counts
from tests.functional.stock_page_helpers import (
    LOCALES,
    assert_csv_attachment,
    balance,
    ledger_problems,
    movements,
    table_rows,
)
from warehouse.domain.accounts import Role

FOAM = "EA-AFFF-01"
GLOVES = "PE-GLOVE-01"


@pytest.fixture
def depot(app):
    return make_depot(app)


@pytest.fixture
def foam(app):
    """A lot-tracked foam concentrate whose lots must carry an expiry date."""
    return make_item(app, FOAM)


@pytest.fixture
def gloves(app):
    """Rescue gloves, counted in bulk (no lots, no expiry)."""
    return make_item(app, GLOVES, name_zh="救援手套", name_en="Rescue gloves", category="PE",
                     unit="pair", tracking="bulk", expiry_required=False, shelf_life_days=None)


@pytest.fixture
def stocked(app, users, depot, foam, gloves):
    """Foam in two lots in two bins, gloves in bin A."""
    receive(app, foam, depot.bin_a, 10, lot="L-45", expires_on=in_days(45))
    receive(app, foam, depot.bin_b, 6, lot="L-10", expires_on=in_days(10))
    receive(app, gloves, depot.bin_a, 20)
    return depot


def receipt(depot, **changes) -> dict:
    """The receive form as a keeper fills it in."""
    data = {"sku": FOAM, "location": depot.codes["bin_a"], "quantity": "12", "lot": "L-NEW",
            "expires_on": in_days(300).isoformat(), "received_on": "", "supplier_ref": "DN-2024-117",
            "reference": "", "note": ""}
    data.update(changes)
    return data


def body(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- every page, both languages ----------------------------------------------------------------

PAGES = ["/stock", "/stock?status=available&sort=-quantity&category=EA", "/stock?format=html",
         "/stock/receive", "/stock/move", "/stock/issue", f"/stock/issue?sku={FOAM}&quantity=5",
         "/stock/adjust", "/stock/dispose", "/movements", "/movements?reason=receive&since=2020-01-01"]


@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize("url", PAGES)
def test_every_stock_page_renders_in_chinese_and_english(client_as, stocked, url, locale):
    accept, marker = LOCALES[locale]
    response = client_as("admin").get(url, headers={"Accept-Language": accept})
    assert response.status_code == 200, url
    assert marker in response.get_data(as_text=True)


def test_stock_list_names_items_in_the_page_language(client_as, stocked):
    client = client_as("commander")
    zh = body(client.get("/stock", headers={"Accept-Language": "zh-CN"}))
    en = body(client.get("/stock", headers={"Accept-Language": "en"}))
    assert "水成膜泡沫灭火剂" in zh and "AFFF foam concentrate" not in zh
    assert "AFFF foam concentrate" in en and "水成膜泡沫灭火剂" not in en


# --- the stock list ------------------------------------------------------------------------------

def listed(response) -> list[tuple[str, str, str, str]]:
    """(SKU, lot, location, quantity) of the stock table's rows; the unit's label is left out."""
    return [(r["attrs"]["sku"], r["attrs"]["lot"], r["attrs"]["location"],
             r["cols"]["quantity"].split()[0]) for r in table_rows(response, "stock")]


def test_stock_list_shows_every_balance_with_status_badges(client_as, stocked):
    response = client_as("commander").get("/stock")
    assert response.status_code == 200
    codes = stocked.codes
    assert sorted(listed(response)) == sorted([
        (FOAM, "L-45", codes["bin_a"], "10"), (GLOVES, "", codes["bin_a"], "20"),
        (FOAM, "L-10", codes["bin_b"], "6")])
    assert response.get_data(as_text=True).count('data-status="available"') == 3


def test_stock_list_filters_by_location_code_including_what_lies_inside(client_as, stocked):
    client = client_as("logistics")
    in_bin = listed(client.get(f"/stock?location={stocked.codes['bin_b'].lower()}"))
    assert in_bin == [(FOAM, "L-10", stocked.codes["bin_b"], "6")]
    in_zone = listed(client.get(f"/stock?location={stocked.codes['zone']}"))
    assert len(in_zone) == 3


def test_stock_list_with_an_unknown_location_code_says_so_and_lists_nothing(client_as, stocked):
    response = client_as("logistics").get("/stock?location=NOWHERE")
    assert response.status_code == 200
    assert listed(response) == []
    assert "NOWHERE" in body(response) and 'data-testid="filter-error"' in body(response)


def test_stock_list_filters_by_search_category_and_expiry(client_as, stocked):
    client = client_as("logistics")
    assert [r[0] for r in listed(client.get("/stock?q=glove"))] == [GLOVES]
    assert [r[1] for r in listed(client.get("/stock?q=l-10"))] == ["L-10"]
    assert {r[0] for r in listed(client.get("/stock?category=pe"))} == {GLOVES}
    assert [r[1] for r in listed(client.get("/stock?expiring_within_days=30"))] == ["L-10"]


def test_stock_list_sorts_by_allowlisted_keys(client_as, stocked):
    client = client_as("logistics")
    by_quantity = [r[3] for r in listed(client.get("/stock?sort=-quantity"))]
    assert by_quantity == ["20", "10", "6"]
    by_expiry = [r[1] for r in listed(client.get("/stock?sort=expires_on"))]
    assert by_expiry == ["L-10", "L-45", ""]


def test_stock_list_ignores_an_invalid_filter_and_says_so(client_as, stocked):
    response = client_as("logistics").get("/stock?sort=password&status=stolen")
    assert response.status_code == 200
    assert "flash-error" in response.get_data(as_text=True)
    assert len(listed(response)) == 3


def test_stock_list_paginates(client_as, app, depot, gloves, users):
    for n in range(3):
        receive(app, gloves, [depot.bin_a, depot.bin_b, depot.quarantine][n], n + 1)
    response = client_as("logistics").get("/stock?per_page=2&sort=quantity")
    assert [r[3] for r in listed(response)] == ["1", "2"]
    second = client_as("logistics").get("/stock?per_page=2&sort=quantity&page=2")
    assert [r[3] for r in listed(second)] == ["3"]


def test_stock_csv_downloads_every_row_as_an_attachment_with_neutralised_cells(client_as, app, depot,
                                                                               users):
    risky = make_item(app, "EA-RISKY-01", name_en="=HYPERLINK(\"http://x\")", name_zh="@SUM(A1)",
                      expiry_required=False, shelf_life_days=None)
    for n in range(60):
        receive(app, risky, depot.bin_a, 1, lot=f"R{n:02d}")
    response = client_as("commander").get("/stock?format=csv&per_page=10")
    rows = assert_csv_attachment(response, "stock")
    assert len(rows) == 1 + 60
    header = rows[0]
    assert header[0] == "SKU"
    first = dict(zip(header, rows[1], strict=True))
    assert first["SKU"] == "EA-RISKY-01"
    assert "'=HYPERLINK(\"http://x\")" in rows[1] and "'@SUM(A1)" in rows[1]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# --- receiving -----------------------------------------------------------------------------------

def test_receive_form_is_ready_for_a_scanner(client_as, users):
    page = client_as("logistics").get("/stock/receive").get_data(as_text=True)
    assert re.search(r'<input[^>]*autofocus[^>]*name="sku"', page)
    assert "data-scan" in page and "/static/js/scanner.js" in page
    assert re.search(r'<input[^>]*name="expires_on"[^>]*type="date"', page)
    assert "<script>" not in page  # no inline script: CSP allows only our files


def test_receiving_records_the_lot_and_returns_to_an_empty_form_with_a_summary(client_as, app, depot,
                                                                               foam, users):
    client = client_as("logistics")
    # A scanner may send lower case and a trailing newline.
    response = client.post_form("/stock/receive", receipt(
        depot, sku=FOAM.lower() + "\n", location=depot.codes["bin_a"].lower()))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/stock/receive?last=")
    assert balance(app, FOAM, depot.codes["bin_a"], "L-NEW") == 12
    page = client.get(response.headers["Location"])
    text = body(page)
    assert "flash-success" in text and 'data-testid="last-receipt"' in text
    summary = table_rows(page, "last-movements")
    assert len(summary) == 1 and FOAM in summary[0]["cells"][2]
    assert summary[0]["cols"]["to"] == depot.codes["bin_a"]
    assert re.search(r'<input[^>]*name="sku"[^>]*value=""', page.get_data(as_text=True))
    assert movements(app)[-1] | {"to": None} == {
        "reason": "receive", "sku": FOAM, "lot": "L-NEW", "quantity": 12, "from": None, "to": None,
        "reference": "DN-2024-117", "purpose": None}
    assert ledger_problems(app) == []


def test_receiving_bulk_stock_needs_no_lot(client_as, app, depot, gloves, users):
    response = client_as("supply_officer").post_form("/stock/receive", receipt(
        depot, sku=GLOVES, lot="", expires_on="", quantity="40"))
    assert response.status_code == 302
    assert balance(app, GLOVES, depot.codes["bin_a"]) == 40


@pytest.mark.parametrize("changes, field, status, message", [
    ({"sku": "NO-SUCH-ITEM"}, "sku", 422, "No item has the SKU NO-SUCH-ITEM."),
    ({"sku": ""}, "sku", 400, "This field is required."),
    ({"location": "NOWHERE"}, "location", 422, "No location has the code NOWHERE."),
    ({"location": "T"}, "location", 422, "stock cannot be put in or taken from T here"),
    ({"quantity": "0"}, "quantity", 422, "must be greater than zero"),
    ({"quantity": "-5"}, "quantity", 422, "must be greater than zero"),
    ({"quantity": "twelve"}, "quantity", 400, "Not a valid integer value."),
    ({"quantity": "1.5"}, "quantity", 400, "Not a valid integer value."),
    ({"quantity": "9" * 20}, "quantity", 422, "at most 1000000000"),
    ({"expires_on": ""}, "expires_on", 422, "EA-AFFF-01 requires an expiry date"),
    ({"expires_on": "2024-02-30"}, "expires_on", 400, "Not a valid date value."),
    ({"expires_on": "2001-01-01"}, "expires_on", 422, "already expired: do not receive expired stock"),
    ({"lot": ""}, "lot", 422, "EA-AFFF-01 needs a lot or serial number"),
    ({"lot": "bad lot!"}, "lot", 422, "1-40 characters: letters, digits and . _ / -"),
    ({"received_on": "2999-01-01"}, "received_on", 422, "cannot be in the future"),
    ({"note": "x" * 2001}, "note", 400, "Field cannot be longer than 2000 characters."),
])
def test_bad_receipts_show_the_reason_on_the_field_and_write_nothing(client_as, app, depot, foam,
                                                                     users, changes, field, status,
                                                                     message):
    before = stock_counts(app)
    client = client_as("logistics")
    client.post_form("/language", {"lang": "en"})
    response = client.post_form("/stock/receive", receipt(depot, **changes))
    assert response.status_code == status
    assert message in field_errors(response, field)
    assert stock_counts(app) == before


def test_receiving_into_a_bin_being_counted_is_refused(client_as, app, depot, foam, users):
    client = client_as("logistics")
    assert client.post_form("/stocktakes", {"location": depot.codes["bin_a"]}).status_code == 302
    before = stock_counts(app)
    client.post_form("/language", {"lang": "en"})
    response = client.post_form("/stock/receive", receipt(depot))
    assert response.status_code == 409
    assert any("being counted" in e for e in field_errors(response, "location"))
    assert stock_counts(app) == before


def test_receive_form_without_csrf_token_is_refused_and_writes_nothing(client_as, app, depot, foam,
                                                                       users):
    before = stock_counts(app)
    response = client_as("logistics").post("/stock/receive", data=receipt(depot))
    assert response.status_code == 400
    assert stock_counts(app) == before


def test_receive_form_prefills_from_the_query_string(client_as, users):
    page = client_as("logistics").get("/stock/receive?sku=EA-X&location=T-A").get_data(as_text=True)
    assert re.search(r'name="sku"[^>]*value="EA-X"', page)
    assert re.search(r'name="location"[^>]*value="T-A"', page)


# --- moving --------------------------------------------------------------------------------------

def move_data(stocked, **changes) -> dict:
    data = {"sku": FOAM, "lot": "L-45", "from_location": stocked.codes["bin_a"],
            "to_location": stocked.codes["bin_b"], "quantity": "4", "note": "put away"}
    data.update(changes)
    return data


def test_moving_stock_between_bins_by_code(client_as, app, stocked):
    client = client_as("logistics")
    response = client.post_form("/stock/move", move_data(stocked))
    assert response.status_code == 302 and "/stock/move?last=" in response.headers["Location"]
    assert balance(app, FOAM, stocked.codes["bin_a"], "L-45") == 6
    assert balance(app, FOAM, stocked.codes["bin_b"], "L-45") == 4
    summary = table_rows(client.get(response.headers["Location"]), "last-movements")
    assert summary[0]["cols"] == {"from": stocked.codes["bin_a"], "to": stocked.codes["bin_b"]}
    assert ledger_problems(app) == []


@pytest.mark.parametrize("changes, field, status, message", [
    ({"quantity": "11"}, "quantity", 409, "only 10 available"),
    ({"to_location": "T-A-R01-B01"}, "to_location", 422, "the destination is the origin"),
    ({"to_location": "NOWHERE"}, "to_location", 422, "No location has the code NOWHERE."),
    ({"from_location": ""}, "from_location", 400, "This field is required."),
    ({"lot": "L-99"}, "lot", 422, "no lot L-99 of EA-AFFF-01"),
    ({"sku": "NOPE"}, "sku", 422, "No item has the SKU NOPE."),
    ({"quantity": "0"}, "quantity", 422, "must be greater than zero"),
])
def test_bad_moves_show_the_reason_on_the_field_and_write_nothing(client_as, app, stocked, changes,
                                                                  field, status, message):
    before = stock_counts(app)
    client = client_as("logistics")
    client.post_form("/language", {"lang": "en"})
    response = client.post_form("/stock/move", move_data(stocked, **changes))
    assert response.status_code == status
    assert message in field_errors(response, field)
    assert stock_counts(app) == before


def test_move_form_prefills_from_a_stock_row(client_as, stocked):
    client = client_as("logistics")
    stock_page = client.get("/stock").get_data(as_text=True)
    link = html.unescape(re.search(r'href="(/stock/move\?[^"]*lot=L-45[^"]*)"', stock_page).group(1))
    page = client.get(link).get_data(as_text=True)
    assert re.search(rf'name="from_location"[^>]*value="{stocked.codes["bin_a"]}"', page)
    assert re.search(r'name="lot"[^>]*value="L-45"', page)


# --- issuing -------------------------------------------------------------------------------------

@pytest.fixture
def fefo_stock(app, users, depot, foam):
    """Foam lots: one expired (by shelf life), in date in two bins, one in quarantine."""
    receive(app, foam, depot.bin_a, 10, lot="L-45", expires_on=in_days(45))
    receive(app, foam, depot.bin_b, 6, lot="L-10", expires_on=in_days(10))
    receive(app, foam, depot.bin_a, 5, lot="L-80", expires_on=in_days(80))
    receive(app, foam, depot.quarantine, 50, lot="L-Q", expires_on=in_days(5))
    old = make_item(app, "EA-OLD-01", expiry_required=False, shelf_life_days=30)
    receive(app, old, depot.bin_a, 3, lot="L-OLD", received_on=in_days(-20))
    expire_lot(app, "L-OLD", 10)
    return depot


def suggestions(response) -> list[tuple[str, str, str]]:
    return [(r["attrs"]["lot"], r["attrs"]["location"], r["cols"]["take"])
            for r in table_rows(response, "suggestions")]


def test_issue_page_suggests_picks_first_expiry_first_out(client_as, fefo_stock):
    codes = fefo_stock.codes
    client = client_as("logistics")
    response = client.get(f"/stock/issue?sku={FOAM.lower()}&quantity=12")
    assert response.status_code == 200
    # 6 from the lot expiring in 10 days, then 6 of the 45-day lot; quarantine is never offered.
    assert suggestions(response) == [("L-10", codes["bin_b"], "6"), ("L-45", codes["bin_a"], "6")]
    page = response.get_data(as_text=True)
    assert re.search(rf'<input[^>]*id="sku"[^>]*value="{FOAM}"', page)
    assert re.search(r'<select[^>]*autofocus[^>]*name="purpose"', page)
    everything = suggestions(client.get(f"/stock/issue?sku={FOAM}"))
    assert everything == [("L-10", codes["bin_b"], "6"), ("L-45", codes["bin_a"], "10"),
                          ("L-80", codes["bin_a"], "5")]


def test_issue_page_never_suggests_expired_stock_and_says_how_much_is_short(client_as, fefo_stock):
    client = client_as("logistics")
    client.post_form("/language", {"lang": "en"})
    expired = client.get("/stock/issue?sku=EA-OLD-01&quantity=1")
    assert suggestions(expired) == []
    assert 'data-testid="no-suggestions"' in expired.get_data(as_text=True)
    too_many = client.get(f"/stock/issue?sku={FOAM}&quantity=30")
    assert len(suggestions(too_many)) == 3
    assert "Only 21 available." in body(too_many)


def test_issue_lookup_of_an_unknown_sku_says_so(client_as, fefo_stock):
    client = client_as("logistics")
    client.post_form("/language", {"lang": "en"})
    response = client.get("/stock/issue?sku=NOPE&quantity=1")
    assert response.status_code == 422
    assert "No item has the SKU NOPE." in body(response)
    assert client.get(f"/stock/issue?sku={FOAM}&quantity=abc").status_code == 422


def test_issuing_picks_fefo_and_shows_which_lot_left_which_bin(client_as, app, fefo_stock):
    codes = fefo_stock.codes
    client = client_as("logistics")
    response = client.post_form("/stock/issue", {
        "sku": FOAM, "quantity": "8", "purpose": "incident", "lot": "", "location": "",
        "reference": "INC-2024-031", "note": "高层火灾"})
    assert response.status_code == 302
    assert "issued=" in response.headers["Location"]
    shown = table_rows(client.get(response.headers["Location"]), "issued-movements")
    assert [(r["cells"][3], r["cols"]["from"], r["cells"][4].split()[0]) for r in shown] == [
        ("L-10", codes["bin_b"], "6"), ("L-45", codes["bin_a"], "2")]
    assert balance(app, FOAM, codes["bin_b"], "L-10") == 0
    assert balance(app, FOAM, codes["bin_a"], "L-45") == 8
    issued = [m for m in movements(app) if m["reason"] == "issue"]
    assert {(m["purpose"], m["reference"]) for m in issued} == {("incident", "INC-2024-031")}
    assert ledger_problems(app) == []


def test_issuing_a_named_lot_from_a_named_location(client_as, app, fefo_stock):
    codes = fefo_stock.codes
    response = client_as("supply_officer").post_form("/stock/issue", {
        "sku": FOAM, "quantity": "5", "purpose": "drill", "lot": "L-80", "location": codes["rack"]})
    assert response.status_code == 302
    assert balance(app, FOAM, codes["bin_a"], "L-80") == 0
    assert balance(app, FOAM, codes["bin_b"], "L-10") == 6


@pytest.mark.parametrize("changes, field, status, message", [
    ({"quantity": "22"}, "quantity", 409, "only 21 available"),
    ({"quantity": "0"}, "quantity", 422, "must be greater than zero"),
    ({"quantity": "-1"}, "quantity", 422, "must be greater than zero"),
    ({"quantity": "x"}, "quantity", 400, "Not a valid integer value."),
    ({"purpose": ""}, "purpose", 400, "This field is required."),
    ({"purpose": "party"}, "purpose", 400, "Not a valid choice."),
    ({"sku": "NOPE"}, "sku", 422, "No item has the SKU NOPE."),
    ({"location": "NOWHERE"}, "location", 422, "No location has the code NOWHERE."),
    ({"lot": "L-Q", "quantity": "1"}, "quantity", 409, "only 0 available"),
    ({"sku": "EA-OLD-01", "lot": "L-OLD", "quantity": "1"}, "lot", 409, "expired"),
])
def test_bad_issues_show_the_reason_on_the_field_and_write_nothing(client_as, app, fefo_stock,
                                                                   changes, field, status, message):
    before = stock_counts(app)
    client = client_as("logistics")
    client.post_form("/language", {"lang": "en"})
    data = {"sku": FOAM, "quantity": "3", "purpose": "training", "lot": "", "location": ""}
    response = client.post_form("/stock/issue", {**data, **changes})
    assert response.status_code == status
    assert message in field_errors(response, field)
    assert stock_counts(app) == before


# --- adjusting and disposing ---------------------------------------------------------------------

def test_supply_officer_adjusts_a_balance_up_and_down_with_a_note(client_as, app, stocked):
    client = client_as("supply_officer")
    data = {"sku": FOAM, "lot": "L-45", "location": stocked.codes["bin_a"], "change": "-3",
            "note": "破损 3 桶"}
    response = client.post_form("/stock/adjust", data)
    assert response.status_code == 302 and "/stock/adjust?last=" in response.headers["Location"]
    assert balance(app, FOAM, stocked.codes["bin_a"], "L-45") == 7
    assert client.post_form("/stock/adjust", {**data, "change": "+2"}).status_code == 302
    assert balance(app, FOAM, stocked.codes["bin_a"], "L-45") == 9
    assert [m["reason"] for m in movements(app)][-2:] == ["adjust", "adjust"]
    assert ledger_problems(app) == []


@pytest.mark.parametrize("changes, field, status, message", [
    ({"note": ""}, "note", 400, "This field is required."),
    ({"change": "0"}, "change", 422, "a whole number other than zero"),
    ({"change": "many"}, "change", 400, "Not a valid integer value."),
    ({"change": "-11"}, "change", 409, "only 10 available"),
    ({"location": "NOWHERE"}, "location", 422, "No location has the code NOWHERE."),
])
def test_bad_adjustments_are_refused_and_write_nothing(client_as, app, stocked, changes, field,
                                                       status, message):
    before = stock_counts(app)
    client = client_as("supply_officer")
    client.post_form("/language", {"lang": "en"})
    data = {"sku": FOAM, "lot": "L-45", "location": stocked.codes["bin_a"], "change": "-3",
            "note": "recount"}
    response = client.post_form("/stock/adjust", {**data, **changes})
    assert response.status_code == status
    assert message in field_errors(response, field)
    assert stock_counts(app) == before


def test_disposal_page_lists_expired_and_quarantined_stock_with_prefilled_links(client_as, app,
                                                                                  fefo_stock):
    client = client_as("supply_officer")
    page = client.get("/stock/dispose")
    expired = table_rows(page, "disposable-expired")
    quarantined = table_rows(page, "disposable-quarantined")
    assert [r["cells"][1] for r in expired] == ["L-OLD"]
    assert [r["cells"][1] for r in quarantined] == ["L-Q"]
    link = html.unescape(re.search(r'href="(/stock/dispose\?[^"]*lot=L-OLD[^"]*)"',
                                   page.get_data(as_text=True)).group(1))
    form = client.get(link).get_data(as_text=True)
    assert re.search(r'name="quantity"[^>]*value="3"', form)
    assert re.search(r'name="sku"[^>]*value="EA-OLD-01"', form)


def test_disposing_of_expired_stock(client_as, app, fefo_stock):
    response = client_as("supply_officer").post_form("/stock/dispose", {
        "sku": "EA-OLD-01", "lot": "L-OLD", "location": fefo_stock.codes["bin_a"], "quantity": "3",
        "note": "送危废处置"})
    assert response.status_code == 302
    assert balance(app, "EA-OLD-01", fefo_stock.codes["bin_a"], "L-OLD") == 0
    assert movements(app)[-1]["reason"] == "dispose"
    assert ledger_problems(app) == []


def test_disposing_of_stock_in_date_is_refused_on_the_location(client_as, app, fefo_stock):
    before = stock_counts(app)
    client = client_as("supply_officer")
    client.post_form("/language", {"lang": "en"})
    response = client.post_form("/stock/dispose", {
        "sku": FOAM, "lot": "L-45", "location": fefo_stock.codes["bin_a"], "quantity": "1"})
    assert response.status_code == 409
    assert "stock here is neither expired nor quarantined" in field_errors(response, "location")
    assert stock_counts(app) == before


# --- roles and CSRF ------------------------------------------------------------------------------

STOCK_FORMS = ["/stock/receive", "/stock/move", "/stock/issue", "/stock/adjust", "/stock/dispose"]


@pytest.mark.parametrize("url", STOCK_FORMS)
def test_commander_gets_403_on_every_stock_operation_and_nothing_is_written(client_as, app, stocked,
                                                                            url):
    before = stock_counts(app)
    client = client_as("commander")
    assert client.get(url).status_code == 403
    response = client.post_form(url, {"sku": FOAM, "location": stocked.codes["bin_a"], "quantity": "1",
                                      "lot": "L-45", "purpose": "drill", "change": "1", "note": "x",
                                      "from_location": stocked.codes["bin_a"],
                                      "to_location": stocked.codes["bin_b"],
                                      "expires_on": in_days(45).isoformat()})
    assert response.status_code == 403
    assert stock_counts(app) == before


@pytest.mark.parametrize("url", ["/stock/adjust", "/stock/dispose"])
def test_logistics_staff_may_not_adjust_or_dispose(client_as, app, stocked, url):
    before = stock_counts(app)
    client = client_as("logistics")
    assert client.get(url).status_code == 403
    response = client.post_form(url, {"sku": FOAM, "location": stocked.codes["bin_a"], "lot": "L-45",
                                      "change": "-1", "quantity": "1", "note": "x"})
    assert response.status_code == 403
    assert stock_counts(app) == before


def test_navigation_shows_stock_operations_only_to_those_who_may_do_them(client_as, stocked):
    commander = client_as("commander").get("/stock").get_data(as_text=True)
    assert 'href="/stock/receive"' not in commander and 'href="/stock/adjust"' not in commander
    keeper = client_as("logistics").get("/stock").get_data(as_text=True)
    assert 'href="/stock/receive"' in keeper and 'href="/stock/adjust"' not in keeper
    officer = client_as("supply_officer").get("/stock").get_data(as_text=True)
    assert 'href="/stock/adjust"' in officer and 'href="/stock/dispose"' in officer


@pytest.mark.parametrize("url", STOCK_FORMS)
def test_stock_forms_without_csrf_token_are_refused(client_as, app, stocked, url):
    before = stock_counts(app)
    response = client_as("admin").post(url, data={"sku": FOAM, "quantity": "1"})
    assert response.status_code == 400
    assert stock_counts(app) == before


def test_anonymous_visitors_are_sent_to_sign_in(client, stocked):
    for url in ["/stock", "/movements", "/stock/receive"]:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- the ledger ----------------------------------------------------------------------------------

def ledger_rows(response) -> list[tuple[str, str]]:
    return [(r["cells"][1], r["cells"][3]) for r in table_rows(response, "movements")]


def test_ledger_lists_movements_newest_first(client_as, app, stocked):
    client = client_as("logistics")
    client.post_form("/stock/move", move_data(stocked))
    client.post_form("/language", {"lang": "en"})
    rows = table_rows(client.get("/movements"), "movements")
    assert [r["cells"][1] for r in rows] == ["Move", "Receipt", "Receipt", "Receipt"]


def test_ledger_is_empty_of_placeholders_when_nothing_matches(client_as, stocked):
    response = client_as("logistics").get("/movements?reason=dispose")
    assert table_rows(response, "movements") == []
    assert "No movements match." in body(client_as("logistics").get(
        "/movements?reason=dispose", headers={"Accept-Language": "en"}))


def test_ledger_filters_by_item_location_reason_lot_and_dates(client_as, app, stocked):
    client = client_as("logistics")
    client.post_form("/stock/move", move_data(stocked))
    assert len(ledger_rows(client.get(f"/movements?item={GLOVES.lower()}"))) == 1
    at_b = ledger_rows(client.get(f"/movements?location={stocked.codes['bin_b']}"))
    assert sorted(lot for _, lot in at_b) == ["L-10", "L-45"]
    assert len(ledger_rows(client.get("/movements?reason=move"))) == 1
    assert len(ledger_rows(client.get("/movements?lot=L-45"))) == 2
    today = in_days(0)
    assert len(ledger_rows(client.get(f"/movements?since={today}&until={today}"))) == 4
    assert ledger_rows(client.get(f"/movements?since={today + timedelta(days=1)}")) == []
    assert ledger_rows(client.get(f"/movements?until={today - timedelta(days=1)}")) == []


def test_ledger_pages_on_by_older_and_newer_links_keeping_filters(client_as, stocked):
    client = client_as("logistics")
    first = client.get("/movements?per_page=1&reason=receive")
    page = body(first)
    older = html.unescape(re.search(r'href="([^"]+)" rel="next"', page).group(1))
    assert "reason=receive" in older and "after=" in older and 'rel="prev"' not in page
    second = client.get(older)
    assert len(ledger_rows(second)) == 1 and ledger_rows(second) != ledger_rows(first)
    newer = html.unescape(re.search(r'href="([^"]+)" rel="prev"', body(second)).group(1))
    assert "before=" in newer and ledger_rows(client.get(newer)) == ledger_rows(first)
    assert ledger_rows(client.get("/movements?per_page=1&reason=receive&page=2")) == ledger_rows(second)


@pytest.mark.parametrize("query", ["after=not-a-cursor", "before=%E2%9C%93", "after=" + "A" * 200])
def test_ledger_with_a_broken_cursor_shows_the_first_page_and_says_so(client_as, stocked, query):
    response = client_as("logistics").get(f"/movements?{query}")
    assert response.status_code == 200
    assert "flash-error" in response.get_data(as_text=True)
    assert len(ledger_rows(response)) == 3


@pytest.mark.parametrize("query", ["since=0001-01-01", "until=9999-12-31", "since=2024-13-01",
                                   "until=yesterday", "page=0", "per_page=100000", "reason=theft"])
def test_ledger_ignores_impossible_filters_and_says_so(client_as, stocked, query):
    response = client_as("logistics").get(f"/movements?{query}")
    assert response.status_code == 200
    assert "flash-error" in response.get_data(as_text=True)
    assert len(ledger_rows(response)) == 3


def test_ledger_with_an_unknown_item_or_location_lists_nothing_and_says_why(client_as, stocked):
    client = client_as("logistics")
    client.post_form("/language", {"lang": "en"})
    for query, message in [("item=NOPE", "No item has the SKU NOPE."),
                           ("location=NOWHERE", "No location has the code NOWHERE.")]:
        response = client.get(f"/movements?{query}")
        assert response.status_code == 200
        assert ledger_rows(response) == []
        assert message in body(response)


def test_ledger_csv_has_every_row_and_neutralises_formulas(client_as, app, stocked):
    client = client_as("supply_officer")
    client.post_form("/stock/issue", {"sku": GLOVES, "quantity": "2", "purpose": "other",
                                      "reference": "+1-555", "note": "=cmd|' /C calc'!A0"})
    rows = assert_csv_attachment(client.get("/movements?format=csv"), "movements")
    assert len(rows) == 1 + 4
    newest = rows[1]
    assert "'=cmd|' /C calc'!A0" in newest and "'+1-555" in newest and "issue" in newest
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_stock_list_and_the_ledger(client_as, stocked, role):
    client = client_as(role)
    assert client.get("/stock").status_code == 200
    assert client.get("/movements").status_code == 200


@pytest.mark.parametrize("url", [
    "/stock?expiring_within_days=-1", "/stock?expiring_within_days=99999999999999999999",
    "/stock?q=%25_%5C", "/stock?location=%25", "/stock?category=ZZ", "/stock?page=99999",
    "/stock/issue?sku=%25&quantity=99999999999999999999999", "/stock/issue?sku=" + "A" * 500,
    "/stock/receive?last=abc&last=-1&last=99999999999&last=0", "/stock/issue?issued=99999999",
    "/stock/move?quantity=-4&sku=%3Cscript%3E", "/stock/dispose?quantity=1e9",
    "/reports/expiring?days=abc", "/reports/below-minimum?category=ZZ&sort=-sku",
    "/stocktakes?status=lost&page=-1", "/movements?item=%25&lot=%25&location=" + "B" * 300,
])
def test_odd_query_strings_never_fail_the_server(client_as, stocked, url):
    response = client_as("admin").get(url)
    assert response.status_code < 500, url
    assert "<script>" not in response.get_data(as_text=True)
