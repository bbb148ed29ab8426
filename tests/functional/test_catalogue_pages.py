"""The catalogue pages: the item list (filters, sort, pages, CSV), an item's page, adding and editing."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import func, select

from tests.builders import field_errors, in_days, make_depot, make_item, receive
from warehouse.domain.stock import Tracking
from warehouse.extensions import db
from warehouse.models import Item

SKU_ROW = re.compile(r'<tr data-sku="([^"]+)">')


def listed(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return SKU_ROW.findall(response.get_data(as_text=True))


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def item_count(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Item))
        db.session.remove()
    return count


def item_row(app, item_id: int) -> dict:
    with app.app_context():
        item = db.session.get(Item, item_id)
        row = {c: getattr(item, c) for c in ("sku", "name_zh", "name_en", "min_level", "tracking",
                                             "active", "expiry_required", "spec")}
        db.session.remove()
    return row


def in_english(client):
    """Switch the client's pages to English (messages are asserted in English)."""
    client.post_form("/language", {"lang": "en"})
    return client


def csv_rows(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def item_form(**changes) -> dict:
    """The new-item form as a browser posts it (an unticked checkbox is absent)."""
    data = {"sku": "PE-GLOVE-01", "name_zh": "消防手套", "name_en": "Firefighting gloves",
            "category": "PE", "unit": "pair", "tracking": "bulk", "min_level": "20",
            "shelf_life_days": "", "inspection_interval_days": "", "storage_temp": "",
            "hazard_class": "", "spec": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def depot(app):
    return make_depot(app)


@pytest.fixture
def stocked(app, depot):
    """Three items: foam in stock above its minimum, gloves below it, a retired serial cutter."""
    foam = make_item(app, "EA-FOAM-01", name_zh="水成膜泡沫灭火剂", name_en="AFFF foam concentrate",
                     min_level=5)
    receive(app, foam, depot.bin_a, 10, lot="L1", expires_on=in_days(200))
    gloves = make_item(app, "PE-GLOVE-01", name_zh="消防手套", name_en="Firefighting gloves",
                       category="PE", unit="pair", tracking="bulk", expiry_required=False,
                       shelf_life_days=None, min_level=3)
    cutter = make_item(app, "RE-CUT-01", name_zh="液压剪切器", name_en="Hydraulic cutter",
                       category="RE", unit="set", tracking="serial", expiry_required=False,
                       shelf_life_days=None, active=False)
    return {"foam": foam, "gloves": gloves, "cutter": cutter}


# --- the list ---------------------------------------------------------------------------------

def test_item_list_shows_names_in_chinese_by_default_and_in_english_on_request(client_as, stocked):
    client = client_as("commander")
    zh = client.get("/items")
    body = zh.get_data(as_text=True)
    assert '<html lang="zh-CN">' in body
    assert listed(zh) == ["EA-FOAM-01", "PE-GLOVE-01", "RE-CUT-01"]
    assert 'class="item-name">水成膜泡沫灭火剂</a>' in body
    assert 'lang="en">AFFF foam concentrate</small>' in body
    assert '<span class="code cat-EA"' in body

    client.post_form("/language", {"lang": "en"})
    en = client.get("/items").get_data(as_text=True)
    assert '<html lang="en">' in en
    assert 'class="item-name">AFFF foam concentrate</a>' in en
    assert 'lang="zh-CN">水成膜泡沫灭火剂</small>' in en
    assert "Below minimum" in en


def test_item_list_shows_available_over_minimum_and_flags_items_below_it(client_as, stocked):
    body = client_as("logistics").get("/items").get_data(as_text=True)
    foam = body[body.index('data-sku="EA-FOAM-01"'):body.index('data-sku="PE-GLOVE-01"')]
    gloves = body[body.index('data-sku="PE-GLOVE-01"'):body.index('data-sku="RE-CUT-01"')]
    assert '<span class="available">10</span> / 5' in foam and "below-minimum" not in foam
    assert '<span class="available">0</span> / 3' in gloves and "badge below-minimum" in gloves


@pytest.mark.parametrize(("query", "expected"), [
    ("q=glove", ["PE-GLOVE-01"]),
    ("q=%E6%B3%A1%E6%B2%AB", ["EA-FOAM-01"]),  # 泡沫
    ("q=ea-foam", ["EA-FOAM-01"]),
    ("category=RE", ["RE-CUT-01"]),
    ("tracking=bulk", ["PE-GLOVE-01"]),
    ("tracking=serial", ["RE-CUT-01"]),
    ("active=true", ["EA-FOAM-01", "PE-GLOVE-01"]),
    ("active=false", ["RE-CUT-01"]),
    ("below_minimum=true", ["PE-GLOVE-01"]),
    ("below_minimum=false", ["EA-FOAM-01", "RE-CUT-01"]),
    ("category=EA&below_minimum=true", []),
    ("q=%25", []),  # a literal % matches nothing rather than everything
])
def test_item_list_filters(client_as, stocked, query, expected):
    assert listed(client_as("commander").get(f"/items?{query}")) == expected


@pytest.mark.parametrize(("sort", "expected"), [
    ("sku", ["EA-FOAM-01", "PE-GLOVE-01", "RE-CUT-01"]),
    ("-sku", ["RE-CUT-01", "PE-GLOVE-01", "EA-FOAM-01"]),
    ("category", ["EA-FOAM-01", "PE-GLOVE-01", "RE-CUT-01"]),
    ("-available", ["EA-FOAM-01", "PE-GLOVE-01", "RE-CUT-01"]),
    ("available", ["PE-GLOVE-01", "RE-CUT-01", "EA-FOAM-01"]),
])
def test_item_list_sorts_by_the_allowed_keys(client_as, stocked, sort, expected):
    assert listed(client_as("commander").get(f"/items?sort={sort}")) == expected


def test_invalid_filters_are_ignored_with_a_message(client_as, stocked):
    response = in_english(client_as("commander")).get("/items?sort=drop_table&tracking=weird&page=0")
    assert listed(response) == ["EA-FOAM-01", "PE-GLOVE-01", "RE-CUT-01"]
    assert "Ignored invalid filters" in text(response)


def test_item_list_pages_keep_the_filters(client_as, stocked):
    client = in_english(client_as("commander"))
    first = client.get("/items?per_page=1&q=0")
    assert listed(first) == ["EA-FOAM-01"]
    body = text(first)
    assert "Page 1 of 3" in body
    next_link = re.search(r'<a href="(/items\?[^"]*page=2[^"]*)">', body).group(1)
    assert "q=0" in next_link and "per_page=1" in next_link
    assert listed(client.get(next_link)) == ["PE-GLOVE-01"]
    assert listed(client.get("/items?per_page=1&page=3")) == ["RE-CUT-01"]
    assert listed(client.get("/items?per_page=1&page=4")) == []


def test_csv_download_is_an_attachment_of_every_matching_row_with_formulas_neutralised(app, client_as):
    make_item(app, "EA-EVIL-01", name_zh="@SUM(A1)", name_en="=HYPERLINK(\"http://x\")")
    make_item(app, "EA-PLAIN-01", name_zh="干粉", name_en="-dry powder")
    make_item(app, "PE-OTHER-01", category="PE")
    response = in_english(client_as("commander")).get("/items?format=csv&category=EA&per_page=1&sort=-sku")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert re.match(r'attachment; filename="items-\d{8}-\d{4}\.csv"',
                    response.headers["Content-Disposition"])
    rows = csv_rows(response)
    assert rows[0][:3] == ["SKU", "Chinese name", "English name"]
    by_sku = {row[0]: row for row in rows[1:]}
    assert list(by_sku) == ["EA-PLAIN-01", "EA-EVIL-01"]  # all rows, not one page, in the sort
    assert by_sku["EA-EVIL-01"][1] == "'@SUM(A1)"
    assert by_sku["EA-EVIL-01"][2] == "'=HYPERLINK(\"http://x\")"
    assert by_sku["EA-PLAIN-01"][2] == "'-dry powder"
    assert by_sku["EA-PLAIN-01"][3:6] == ["EA", "drum", "lot"]


# --- an item's page ---------------------------------------------------------------------------

def test_item_page_shows_facts_stock_by_location_and_lot_fefo_and_movements(app, client_as, depot):
    foam = make_item(app, "EA-FOAM-02", name_zh="抗溶泡沫", name_en="AR-AFFF foam", min_level=100,
                     storage_temp="5-30 °C", hazard_class="<b>none</b>", spec="6% concentrate")
    receive(app, foam, depot.bin_a, 4, lot="LATE", expires_on=in_days(300), reference="PO-1")
    receive(app, foam, depot.bin_b, 2, lot="SOON", expires_on=in_days(20))
    receive(app, foam, depot.quarantine, 3, lot="HELD", expires_on=in_days(10))
    response = client_as("logistics").get(f"/items/{foam}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "&lt;b&gt;none&lt;/b&gt;" in body  # user text is escaped
    assert "5-30 °C" in body and "6% concentrate" in body
    assert '<strong data-testid="available">6</strong>' in body
    assert "badge below-minimum" in body
    stock = body[body.index('data-testid="item-stock"'):body.index('data-testid="fefo"')]
    # Sorted by expiry: the quarantined lot first, with its status.
    assert re.findall(r"<td>(LATE|SOON|HELD)</td>", stock) == ["HELD", "SOON", "LATE"]
    assert "badge status-quarantined" in stock and "badge status-available" in stock
    fefo = body[body.index('data-testid="fefo"'):body.index("</ol>")]
    # Quarantined stock is never suggested; the sooner expiry comes first.
    assert re.findall(r"· (SOON|LATE|HELD)", fefo) == ["SOON", "LATE"]
    assert depot.codes["bin_b"] in fefo
    assert body.count("PO-1") == 1
    other = make_item(app, "EA-OTHER-01")
    receive(app, other, depot.bin_a, 1, lot="X1", expires_on=in_days(50), reference="PO-OTHER")
    history = html.unescape(re.search(r'href="([^"]+)" data-testid="full-history"', body).group(1))
    ledger = client_as("logistics").get(history)
    assert ledger.status_code == 200
    assert "PO-1" in ledger.get_data(as_text=True) and "PO-OTHER" not in ledger.get_data(as_text=True)


def test_item_page_marks_expired_lots_and_never_suggests_them(app, client_as, depot):
    from warehouse.models import Lot

    foam = make_item(app, "EA-FOAM-03")
    receive(app, foam, depot.bin_a, 5, lot="OLD", expires_on=in_days(5))
    with app.app_context():
        db.session.execute(Lot.__table__.update().values(expires_on=in_days(-1)))
        db.session.commit()
        db.session.remove()
    body = client_as("commander").get(f"/items/{foam}").get_data(as_text=True)
    assert "badge status-expired" in body
    assert 'data-testid="fefo"' not in body
    assert '<strong data-testid="available">0</strong>' in body


def test_serial_units_show_their_next_inspection_highlighted_when_due_or_overdue(app, client_as, depot):
    cutter = make_item(app, "RE-CUT-02", name_zh="液压剪切器", name_en="Hydraulic cutter",
                       category="RE", unit="set", tracking="serial", expiry_required=False,
                       shelf_life_days=None, inspection_interval_days=60)
    receive(app, cutter, depot.bin_a, 1, lot="SN-DUE", received_on=in_days(-50))
    receive(app, cutter, depot.bin_a, 1, lot="SN-LATE", received_on=in_days(-70))
    receive(app, cutter, depot.bin_a, 1, lot="SN-FINE", received_on=in_days(-1))
    body = client_as("commander").get(f"/items/{cutter}").get_data(as_text=True)
    units = body[body.index('data-testid="item-stock"'):body.index("</table>")]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"<td>(SN-\w+)</td>(.*?)</tr>", units, re.S)}
    assert set(rows) == {"SN-DUE", "SN-LATE", "SN-FINE"}
    assert 'data-testid="inspection-due"' in rows["SN-DUE"] and in_days(10).isoformat() in rows["SN-DUE"]
    assert 'data-testid="inspection-overdue"' in rows["SN-LATE"]
    assert "inspection-" not in rows["SN-FINE"] and in_days(59).isoformat() in rows["SN-FINE"]


@pytest.mark.parametrize("url", ["/items/999999", "/items/999999/edit"])
def test_unknown_item_is_404(client_as, url):
    assert client_as("admin").get(url).status_code == 404


# --- adding an item ---------------------------------------------------------------------------

def test_supply_officer_adds_an_item_through_the_form(app, client_as):
    client = client_as("supply_officer")
    form = client.get("/items/new")
    assert form.status_code == 200
    assert 'name="csrf_token"' in form.get_data(as_text=True)
    response = client.post_form("/items/new", item_form(sku="pe-glove-01", spec="EN 659"))
    assert response.status_code == 302
    item_id = int(re.search(r"/items/(\d+)$", response.headers["Location"]).group(1))
    row = item_row(app, item_id)
    assert row["sku"] == "PE-GLOVE-01" and row["name_zh"] == "消防手套"
    assert row["min_level"] == 20 and row["tracking"] == Tracking.BULK and row["active"] is True
    page = client.get(f"/items/{item_id}")
    assert "PE-GLOVE-01" in text(page) and "EN 659" in text(page)
    assert "已加入目录" in text(page)  # the Chinese UI: "added to the catalogue"


@pytest.mark.parametrize(("changes", "status", "field", "message"), [
    ({"sku": "bad sku!"}, 422, "sku", "2-24 characters: letters, digits and '-'"),
    ({"expiry_required": "y"}, 422, "expiry_required", "expiry is kept per lot: track the item by lot"),
    ({"inspection_interval_days": "90"}, 422, "inspection_interval_days",
     "only serial-numbered equipment has inspections"),
    ({"min_level": "2000000000"}, 422, "min_level", "a whole number from 0 to 1000000000"),
    ({"min_level": "-1"}, 422, "min_level", "a whole number from 0 to 1000000000"),
    ({"shelf_life_days": "0"}, 422, "shelf_life_days", "a number of days from 1 to 36500"),
    ({"name_zh": ""}, 400, "name_zh", "This field is required."),
    ({"min_level": "many"}, 400, "min_level", "Not a valid integer value."),
    ({"shelf_life_days": "1.5"}, 400, "shelf_life_days", "Not a valid integer value."),
    ({"category": "XX"}, 400, "category", "Not a valid choice."),
    ({"unit": "ton"}, 400, "unit", "Not a valid choice."),
])
def test_bad_item_input_is_refused_naming_the_field_and_nothing_is_written(
        app, client_as, changes, status, field, message):
    before = item_count(app)
    response = in_english(client_as("supply_officer")).post_form("/items/new", item_form(**changes))
    assert response.status_code == status
    assert field_errors(response, field) == [message]
    assert item_count(app) == before


def test_duplicate_sku_is_a_conflict_on_the_sku_field(app, client_as):
    make_item(app, "PE-GLOVE-01", category="PE")
    before = item_count(app)
    response = in_english(client_as("admin")).post_form("/items/new", item_form(sku="PE-GLOVE-01"))
    assert response.status_code == 409
    assert field_errors(response, "sku") == ["already taken"]
    assert item_count(app) == before


def test_new_item_form_without_csrf_token_is_refused(app, client_as):
    before = item_count(app)
    response = client_as("supply_officer").post("/items/new", data=item_form())
    assert response.status_code == 400
    assert item_count(app) == before


@pytest.mark.parametrize("role", ["commander", "logistics"])
def test_commander_and_logistics_may_not_add_or_edit_items(app, client_as, role):
    item_id = make_item(app, "EA-FOAM-09")
    before = item_row(app, item_id), item_count(app)
    client = client_as(role)
    assert client.get("/items/new").status_code == 403
    assert client.post_form("/items/new", item_form()).status_code == 403
    assert client.get(f"/items/{item_id}/edit").status_code == 403
    assert client.post_form(f"/items/{item_id}/edit", item_form(sku="EA-FOAM-09")).status_code == 403
    assert (item_row(app, item_id), item_count(app)) == before
    listing = client.get("/items").get_data(as_text=True)
    assert "/items/new" not in listing
    assert f"/items/{item_id}/edit" not in client.get(f"/items/{item_id}").get_data(as_text=True)


# --- editing an item --------------------------------------------------------------------------

def test_edit_form_is_prefilled_and_saves_changes(app, client_as):
    item_id = make_item(app, "EA-FOAM-10", min_level=4)
    client = client_as("supply_officer")
    form = client.get(f"/items/{item_id}/edit").get_data(as_text=True)
    assert 'value="EA-FOAM-10"' in form
    assert re.search(r'<option selected value="lot">|<option value="lot" selected>', form) or \
        'selected value="lot"' in form
    assert 'name="active" type="checkbox" value="y"' in form and "checked" in form
    data = item_form(sku="EA-FOAM-10", category="EA", unit="drum", tracking="lot",
                     expiry_required="y", name_en="AFFF 3%", min_level="12", active="y")
    response = client.post_form(f"/items/{item_id}/edit", data)
    assert response.status_code == 302
    row = item_row(app, item_id)
    assert (row["name_en"], row["min_level"], row["expiry_required"]) == ("AFFF 3%", 12, True)


def test_unticking_in_use_retires_the_item(app, client_as):
    item_id = make_item(app, "PE-GLOVE-02", category="PE", tracking="bulk", expiry_required=False)
    data = item_form(sku="PE-GLOVE-02", active=None)
    assert client_as("admin").post_form(f"/items/{item_id}/edit", data).status_code == 302
    assert item_row(app, item_id)["active"] is False


def test_tracking_cannot_change_once_stock_is_recorded(app, client_as, depot):
    item_id = make_item(app, "EA-FOAM-11")
    receive(app, item_id, depot.bin_a, 1, lot="L1", expires_on=in_days(100))
    before = item_row(app, item_id)
    data = item_form(sku="EA-FOAM-11", category="EA", unit="drum", tracking="bulk", active="y",
                     name_en="Changed")
    response = in_english(client_as("supply_officer")).post_form(f"/items/{item_id}/edit", data)
    assert response.status_code == 409
    assert field_errors(response, "tracking") == ["fixed once stock is recorded"]
    assert item_row(app, item_id) == before


def test_edit_to_a_taken_sku_is_refused(app, client_as):
    make_item(app, "EA-FOAM-12")
    item_id = make_item(app, "EA-FOAM-13")
    data = item_form(sku="ea-foam-12", category="EA", unit="drum", tracking="lot", active="y")
    response = in_english(client_as("supply_officer")).post_form(f"/items/{item_id}/edit", data)
    assert response.status_code == 409
    assert field_errors(response, "sku") == ["already taken"]
    assert item_row(app, item_id)["sku"] == "EA-FOAM-13"


def test_edit_form_without_csrf_token_changes_nothing(app, client_as):
    item_id = make_item(app, "EA-FOAM-14")
    before = item_row(app, item_id)
    data = item_form(sku="EA-FOAM-14", category="EA", unit="drum", tracking="lot", name_en="Forged")
    assert client_as("admin").post(f"/items/{item_id}/edit", data=data).status_code == 400
    assert item_row(app, item_id) == before


def test_field_messages_are_in_chinese_by_default(app, client_as):
    make_item(app, "PE-GLOVE-01", category="PE")
    response = client_as("supply_officer").post_form("/items/new", item_form())
    assert response.status_code == 409
    assert '<html lang="zh-CN">' in response.get_data(as_text=True)
    assert field_errors(response, "sku") == ["已被占用"]
