"""Report pages on a small built dataset: stock by category and zone, expiring, below minimum."""

from __future__ import annotations

import html

import pytest

from tests.builders import expire_lot, in_days, make_depot, make_item, receive
from tests.functional.stock_page_helpers import LOCALES, assert_csv_attachment, table_rows
from warehouse.domain.accounts import Role

FOAM = "EA-AFFF-01"
RATIONS = "FF-RATION-01"
GLOVES = "PE-GLOVE-01"
HELMETS = "PE-HELMET-01"


@pytest.fixture
def dataset(app, users):
    """Foam lots expiring in 10, 45, 80 and 200 days, expired rations, gloves short, helmets fine."""
    depot = make_depot(app)
    foam = make_item(app, FOAM, min_level=100)
    rations = make_item(app, RATIONS, name_zh="单兵自热食品", name_en="Self-heating rations",
                        category="FF", unit="box", expiry_required=False, shelf_life_days=30,
                        min_level=10)
    make_item(app, GLOVES, name_zh="救援手套", name_en="Rescue gloves", category="PE", unit="pair",
              tracking="bulk", expiry_required=False, shelf_life_days=None, min_level=5)
    helmets = make_item(app, HELMETS, name_zh="抢险救援头盔", name_en="Rescue helmet", category="PE",
                        unit="piece", tracking="bulk", expiry_required=False, shelf_life_days=None,
                        min_level=2)
    receive(app, foam, depot.bin_a, 4, lot="L-10", expires_on=in_days(10))
    receive(app, foam, depot.bin_b, 5, lot="L-45", expires_on=in_days(45))
    receive(app, foam, depot.bin_a, 6, lot="L-80", expires_on=in_days(80))
    receive(app, foam, depot.bin_a, 7, lot="L-200", expires_on=in_days(200))
    # Received 20 days ago with a 30-day shelf life, then kept until it expired ten days ago.
    receive(app, rations, depot.bin_b, 8, lot="R-OLD", received_on=in_days(-20))
    expire_lot(app, "R-OLD", 10)
    receive(app, helmets, depot.bin_a, 3)
    return depot


def body(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- every page, both languages ----------------------------------------------------------------

PAGES = ["/reports", "/reports/expiring", "/reports/expiring?days=60", "/reports/expiring?days=90",
         "/reports/below-minimum", "/reports/below-minimum?category=PE&sort=sku"]


@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize("url", PAGES)
def test_every_report_renders_in_chinese_and_english(client_as, dataset, url, locale):
    accept, marker = LOCALES[locale]
    response = client_as("commander").get(url, headers={"Accept-Language": accept})
    assert response.status_code == 200, url
    assert marker in response.get_data(as_text=True)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_reports(client_as, dataset, role):
    client = client_as(role)
    for url in PAGES:
        assert client.get(url).status_code == 200, url


def test_reports_need_signing_in(client, dataset):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- overview ------------------------------------------------------------------------------------

def test_overview_shows_stock_by_category(client_as, dataset):
    rows = {r["attrs"]["category"]: r["cols"]
            for r in table_rows(client_as("commander").get("/reports"), "by-category")}
    assert set(rows) == {"EA", "PE", "FE", "RE", "ER", "MS", "FF"}
    assert rows["EA"] == {"held": "22", "available": "22", "expired": "0", "below-minimum": "1"}
    assert rows["FF"] == {"held": "8", "available": "0", "expired": "8", "below-minimum": "1"}
    assert rows["PE"] == {"held": "3", "available": "3", "expired": "0", "below-minimum": "1"}
    assert rows["MS"] == {"held": "0", "available": "0", "expired": "0", "below-minimum": "0"}


def test_overview_shows_zone_utilisation(client_as, dataset):
    response = client_as("commander").get("/reports")
    zones = {r["attrs"]["zone"]: r for r in table_rows(response, "by-zone")}
    assert set(zones) == {dataset.codes["zone"], dataset.codes["quarantine"]}
    # The rack (6 m²) holds stock in a zone of 120 m².
    assert zones[dataset.codes["zone"]]["cols"]["utilisation"].endswith("5.0%")
    assert zones[dataset.codes["quarantine"]]["cols"]["utilisation"] == "—"
    page = response.get_data(as_text=True)
    assert f'href="/stock?location={dataset.codes["zone"]}"' in page
    assert 'href="/reports/expiring?days=30"' in page and 'href="/reports/below-minimum"' in page


# --- expiring ------------------------------------------------------------------------------------

def expiring(response) -> list[tuple[str, str]]:
    return [(r["attrs"]["lot"], r["cols"]["days-left"]) for r in table_rows(response, "expiring")]


@pytest.mark.parametrize("days, expected", [
    (30, [("R-OLD", "-10"), ("L-10", "10")]),
    (60, [("R-OLD", "-10"), ("L-10", "10"), ("L-45", "45")]),
    (90, [("R-OLD", "-10"), ("L-10", "10"), ("L-45", "45"), ("L-80", "80")]),
])
def test_expiry_tabs_list_expired_and_expiring_stock_soonest_first(client_as, dataset, days, expected):
    response = client_as("logistics").get(f"/reports/expiring?days={days}")
    assert expiring(response) == expected
    page = response.get_data(as_text=True)
    assert f'aria-current="page" data-testid="tab-{days}"' in page


def test_expiry_report_shows_quantities_and_locations_and_highlights_the_expired(client_as, dataset):
    rows = table_rows(client_as("logistics").get("/reports/expiring?days=30"), "expiring")
    assert [(r["attrs"]["location"], r["cols"]["quantity"].split()[0]) for r in rows] == [
        (dataset.codes["bin_b"], "8"), (dataset.codes["bin_a"], "4")]
    assert "row-expired" in rows[0]["class"] and "row-expired" not in rows[1]["class"]


def test_expiry_report_defaults_to_thirty_days_and_refuses_other_horizons(client_as, dataset):
    client = client_as("logistics")
    assert expiring(client.get("/reports/expiring")) == [("R-OLD", "-10"), ("L-10", "10")]
    odd = client.get("/reports/expiring?days=365")
    assert odd.status_code == 200
    assert "flash-error" in odd.get_data(as_text=True)
    assert expiring(odd) == [("R-OLD", "-10"), ("L-10", "10")]


def test_expiry_csv_has_every_row_with_days_left(client_as, dataset):
    rows = assert_csv_attachment(client_as("commander").get("/reports/expiring?days=90&format=csv"),
                                 "expiring-90d")
    assert rows[0][0] == "SKU"
    # Columns: SKU, names (zh, en), category, lot, expiry, days left, location, quantity, ...
    assert [(line[4], line[6], line[8]) for line in rows[1:]] == [
        ("R-OLD", "-10", "8"), ("L-10", "10", "4"), ("L-45", "45", "5"), ("L-80", "80", "6")]


# --- below minimum -------------------------------------------------------------------------------

def short(response) -> list[tuple[str, str, str, str]]:
    return [(r["attrs"]["sku"], r["cols"]["min"], r["cols"]["available"],
             r["cols"]["shortfall"].split()[0]) for r in table_rows(response, "below-minimum")]


def test_below_minimum_lists_the_shortfall_biggest_first(client_as, dataset):
    # Foam: 22 usable of 100. Rations: all 8 expired, so none usable of 10. Gloves: none of 5.
    assert short(client_as("supply_officer").get("/reports/below-minimum")) == [
        (FOAM, "100", "22", "78"), (RATIONS, "10", "0", "10"), (GLOVES, "5", "0", "5")]


def test_below_minimum_filters_by_category_and_sorts(client_as, dataset):
    client = client_as("supply_officer")
    assert short(client.get("/reports/below-minimum?category=pe")) == [(GLOVES, "5", "0", "5")]
    by_sku = [row[0] for row in short(client.get("/reports/below-minimum?sort=sku"))]
    assert by_sku == [FOAM, RATIONS, GLOVES]
    ignored = client.get("/reports/below-minimum?sort=name;drop")
    assert "flash-error" in ignored.get_data(as_text=True)
    assert len(short(ignored)) == 3


def test_below_minimum_csv_is_an_attachment_with_neutralised_cells(client_as, app, dataset):
    make_item(app, "MS-RISKY-01", name_zh="-2+3", name_en="=1+1", category="MS",
              expiry_required=False, shelf_life_days=None, min_level=1)
    rows = assert_csv_attachment(client_as("commander").get("/reports/below-minimum?format=csv"),
                                 "below-minimum")
    assert rows[0][0] == "SKU"
    risky = next(row for row in rows if row[0] == "MS-RISKY-01")
    assert risky[1:3] == ["'-2+3", "'=1+1"]
    foam = next(row for row in rows if row[0] == FOAM)
    assert foam[4:7] == ["100", "22", "78"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
