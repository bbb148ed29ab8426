"""The location pages: the tree, a location's contents (and CSV), scanning, zone forms, the floor plan."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import select

from tests.builders import CLI, field_errors, in_days, make_depot, make_item, receive
from warehouse.extensions import db
from warehouse.models import Location, Lot
from warehouse.services import locations

TREE_ROW = re.compile(r'<tr class="depth-(\d)(?: retired)?" data-code="([^"]+)">')
ZONE_RECT = re.compile(r'<rect class="zone cat-(\w+)[^"]*"\s+x="([\d.]+)" y="([\d.]+)" '
                       r'width="([\d.]+)" height="([\d.]+)"/>')


def in_english(client):
    """Switch the client's pages to English (messages are asserted in English)."""
    client.post_form("/language", {"lang": "en"})
    return client


def tree(response) -> list[tuple[int, str]]:
    assert response.status_code == 200, response.status_code
    return [(int(depth), code) for depth, code in TREE_ROW.findall(response.get_data(as_text=True))]


def section(body: str, marker: str, end: str) -> str:
    """The part of the page from the marker to the next end tag."""
    start = body.index(marker)
    return body[start:body.index(end, start)]


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def location_rows(app) -> list[tuple]:
    """Every location's stored fields, to prove a refused form changed nothing."""
    with app.app_context():
        rows = [tuple(row) for row in db.session.execute(
            select(Location.code, Location.name, Location.active, Location.category_id, Location.area_m2,
                   Location.plan_x_m, Location.plan_y_m, Location.plan_width_m, Location.plan_depth_m)
            .order_by(Location.id))]
        db.session.remove()
    return rows


def location(app, code: str) -> Location:
    with app.app_context():
        found = db.session.scalar(select(Location).where(Location.code == code))
        db.session.expunge_all()
        db.session.remove()
    return found


def add_zone(app, depot_id: int, code: str, **fields) -> int:
    with app.app_context():
        zone = locations.create_location(db.session, CLI, kind="zone", code=code, name=f"{code} 区",
                                         parent_id=depot_id, **fields)
        zone_id = zone.id
        db.session.remove()
    return zone_id


def zone_form(**changes) -> dict:
    data = {"kind": "zone", "code": "T-B", "name": "B区 防护装备", "category": "PE", "area_m2": "80",
            "plan_x_m": "12", "plan_y_m": "0", "plan_width_m": "8", "plan_depth_m": "10",
            "footprint_m2": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def depot(app):
    return make_depot(app)


# --- the tree ---------------------------------------------------------------------------------

def test_tree_lists_locations_by_path_indented_by_depth_in_both_languages(app, client_as, depot):
    foam = make_item(app, "EA-FOAM-01")
    receive(app, foam, depot.bin_a, 7, lot="L1", expires_on=in_days(100))
    client = client_as("commander")
    response = client.get("/locations")
    body = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in body
    assert tree(response) == [(0, "T"), (1, "T-A"), (2, "T-A-R01"), (3, "T-A-R01-B01"),
                              (3, "T-A-R01-B02"), (1, "T-Q")]
    bin_row = body[body.index('data-code="T-A-R01-B01"'):body.index('data-code="T-A-R01-B02"')]
    assert '<td class="num">7</td>' in bin_row  # units held directly
    zone_row = body[body.index('data-code="T-A"'):body.index('data-code="T-A-R01"')]
    assert '<td class="num">0</td>' in zone_row and "cat-EA" in zone_row
    assert 'name="code"' in body and 'action="/locations/scan"' in body
    english = in_english(client).get("/locations").get_data(as_text=True)
    assert '<html lang="en">' in english and "Quarantine" in english and "Bin" in english


@pytest.mark.parametrize(("query", "expected"), [
    ("kind=bin", ["T-A-R01-B01", "T-A-R01-B02"]),
    ("kind=quarantine", ["T-Q"]),
    ("q=r01", ["T-A-R01", "T-A-R01-B01", "T-A-R01-B02"]),
    ("q=%E5%BE%85%E6%A3%80", ["T-Q"]),  # 待检 in the name
    ("active=false", ["T-A-R01-B02"]),
    ("active=true&kind=bin", ["T-A-R01-B01"]),
    ("q=%25", []),
])
def test_tree_filters(app, client_as, depot, query, expected):
    with app.app_context():
        locations.update_location(db.session, CLI, depot.bin_b, active=False)
        db.session.remove()
    assert [code for _, code in tree(client_as("logistics").get(f"/locations?{query}"))] == expected


def test_tree_pages(client_as, depot):
    client = in_english(client_as("commander"))
    first = client.get("/locations?per_page=4")
    assert [code for _, code in tree(first)] == ["T", "T-A", "T-A-R01", "T-A-R01-B01"]
    assert "Page 1 of 2" in text(first)
    second = client.get("/locations?per_page=4&page=2")
    assert [code for _, code in tree(second)] == ["T-A-R01-B02", "T-Q"]


# --- a location -------------------------------------------------------------------------------

def test_location_page_shows_breadcrumb_facts_children_and_the_subtrees_contents(app, client_as, depot):
    foam = make_item(app, "EA-FOAM-01", name_zh="水成膜泡沫", name_en="AFFF foam")
    receive(app, foam, depot.bin_a, 7, lot="L1", expires_on=in_days(100), reference="PO-77")
    receive(app, foam, depot.quarantine, 2, lot="L2", expires_on=in_days(100))
    client = client_as("commander")
    bin_page = client.get(f"/locations/{depot.bin_a}").get_data(as_text=True)
    crumbs = bin_page[bin_page.index('data-testid="breadcrumb"'):bin_page.index("</nav>", bin_page.index(
        'data-testid="breadcrumb"'))]
    assert re.findall(r">(T[-\w]*)</a>", crumbs) == ["T", "T-A", "T-A-R01"]
    assert '<span aria-current="page">T-A-R01-B01</span>' in crumbs
    assert "PO-77" in bin_page  # the receipt is a recent movement here

    zone = client.get(f"/locations/{depot.zone}").get_data(as_text=True)
    assert "12 × 10 米，位于 x 0、y 0" in zone and "120 m²" in zone
    children = section(zone, 'data-testid="children"', "</ul>")
    assert "T-A-R01" in children
    contents = section(zone, 'data-testid="contents"', "</table>")
    assert "EA-FOAM-01" in contents and "T-A-R01-B01" in contents and ">L1<" in contents
    assert "badge status-available" in contents and "水成膜泡沫" in contents

    whole = client.get(f"/locations/{depot.depot}").get_data(as_text=True)
    contents = whole[whole.index('data-testid="contents"'):]
    assert ">L1<" in contents and ">L2<" in contents and "badge status-quarantined" in contents
    assert "/floor-plan?depot=" in whole


def test_expired_stock_is_marked_on_the_location_page(app, client_as, depot):
    foam = make_item(app, "EA-FOAM-01")
    receive(app, foam, depot.bin_a, 3, lot="OLD", expires_on=in_days(3))
    with app.app_context():
        db.session.execute(Lot.__table__.update().values(expires_on=in_days(-2)))
        db.session.commit()
        db.session.remove()
    body = client_as("commander").get(f"/locations/{depot.rack}").get_data(as_text=True)
    assert "badge status-expired" in body


def test_location_contents_sort_and_page(app, client_as, depot):
    foam = make_item(app, "EA-FOAM-01")
    gloves = make_item(app, "PE-GLOVE-01", category="PE", tracking="bulk", expiry_required=False,
                       shelf_life_days=None)
    receive(app, foam, depot.bin_a, 3, lot="L1", expires_on=in_days(100))
    receive(app, gloves, depot.bin_b, 9)
    client = in_english(client_as("commander"))

    def contents(query):
        body = client.get(f"/locations/{depot.zone}?{query}").get_data(as_text=True)
        table = section(body, 'data-testid="contents"', "</table>")
        return re.findall(r"<code>([A-Z]{2}-[A-Z]+-\d+)</code>", table), html.unescape(body)

    assert contents("sort=item")[0] == ["EA-FOAM-01", "PE-GLOVE-01"]
    assert contents("sort=-quantity")[0] == ["PE-GLOVE-01", "EA-FOAM-01"]
    first, body = contents("sort=-quantity&per_page=1")
    assert first == ["PE-GLOVE-01"] and "Page 1 of 2" in body
    assert re.search(rf'href="/locations/{depot.zone}\?page=2&[^"]*sort=-quantity', body)
    assert contents("sort=-quantity&per_page=1&page=2")[0] == ["EA-FOAM-01"]


def test_contents_csv_is_an_attachment_of_the_whole_subtree_with_formulas_neutralised(app, client_as, depot):
    evil = make_item(app, "EA-EVIL-01", name_zh="=1+2", name_en="@cmd")
    foam = make_item(app, "EA-FOAM-01")
    receive(app, evil, depot.bin_a, 1, lot="L-1", expires_on=in_days(50))
    receive(app, foam, depot.bin_b, 4, lot="L9", expires_on=in_days(60))
    response = in_english(client_as("commander")).get(f"/locations/{depot.zone}?format=csv&per_page=1")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert re.match(r'attachment; filename="location-T-A-\d{8}-\d{4}\.csv"',
                    response.headers["Content-Disposition"])
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][:3] == ["Location", "Location name", "SKU"]
    by_sku = {row[2]: row for row in rows[1:]}
    assert set(by_sku) == {"EA-EVIL-01", "EA-FOAM-01"}
    assert by_sku["EA-EVIL-01"][3:7] == ["'=1+2", "'@cmd", "EA", "L-1"]
    assert by_sku["EA-FOAM-01"][9:] == ["4", "drum", "available"]


@pytest.mark.parametrize("url", ["/locations/999999", "/locations/999999/edit",
                                 "/locations/new?parent_id=999999", "/locations/new?parent_id=abc",
                                 "/floor-plan?depot=999999"])
def test_unknown_locations_are_404(client_as, depot, url):
    assert client_as("admin").get(url).status_code == 404


# --- scanning ---------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["T-A-R01-B01", " t-a-r01-b01 "])
def test_scanning_a_code_opens_its_location(client_as, depot, typed):
    response = client_as("logistics").get("/locations/scan", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/locations/{depot.bin_a}"


def test_scanning_an_unknown_code_goes_back_with_a_message(client_as, depot):
    client = in_english(client_as("logistics"))
    response = client.get("/locations/scan",
                          query_string={"code": "NOPE-9<b>", "next": "/locations?kind=bin"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/locations?kind=bin"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No location NOPE-9&lt;b&gt;." in page


@pytest.mark.parametrize("query", [{}, {"code": "  "}, {"code": "X", "next": "https://evil.example/"}])
def test_scan_without_a_code_or_with_a_foreign_next_stays_on_the_locations_page(client_as, depot, query):
    response = client_as("logistics").get("/locations/scan", query_string=query)
    assert response.status_code == 302
    assert response.headers["Location"] == "/locations"


# --- adding and editing zones -----------------------------------------------------------------

def test_supply_officer_adds_a_zone_on_the_floor_plan(app, client_as, depot):
    client = client_as("supply_officer")
    form = client.get(f"/locations/new?parent_id={depot.depot}&kind=zone").get_data(as_text=True)
    assert 'name="csrf_token"' in form and f'name="parent_id" type="hidden" value="{depot.depot}"' in form
    assert re.search(r'<option (selected )?value="zone"( selected)?>', form)
    assert 'value="bin"' not in form  # only kinds that fit under a depot are offered
    response = client.post_form("/locations/new", zone_form(parent_id=str(depot.depot)))
    assert response.status_code == 302
    zone = location(app, "T-B")
    assert response.headers["Location"] == f"/locations/{zone.id}"
    assert (zone.kind.value, zone.parent_id, zone.rect.x, zone.rect.width, zone.area_m2) == \
        ("zone", depot.depot, 12.0, 8.0, 80.0)
    assert zone.path == f"/{depot.depot}/{zone.id}/"


def test_a_new_depot_needs_no_parent(app, client_as):
    response = client_as("admin").post_form("/locations/new", {
        "parent_id": "", "kind": "depot", "code": "LY", "name": "辽源储备库", "area_m2": "1000",
        "plan_width_m": "40", "plan_depth_m": "25"})
    assert response.status_code == 302
    depot = location(app, "LY")
    assert (depot.kind.value, depot.parent_id, depot.plan_width_m) == ("depot", None, 40.0)


@pytest.mark.parametrize(("changes", "status", "field", "message"), [
    ({"plan_x_m": "6"}, 422, "plan_x_m", "the rectangle overlaps zone T-A"),
    ({"plan_x_m": "35"}, 422, "plan_x_m", "the rectangle lies outside the depot floor (40 × 25 m)"),
    ({"plan_depth_m": ""}, 422, "plan_depth_m", "give all four numbers of the rectangle, or none"),
    ({"plan_width_m": "0"}, 422, "plan_width_m", "must be between 0 and 10000"),
    ({"area_m2": "-5"}, 422, "area_m2", "must be between 0 and 1e+06"),
    ({"plan_x_m": "nan"}, 422, "plan_x_m", "must be a number"),
    ({"code": "T-A"}, 409, "code", "already taken"),
    ({"code": "bad code"}, 422, "code", "1-24 characters: letters, digits and '-'"),
    ({"category": "XX"}, 400, "category", "Not a valid choice."),
    ({"plan_y_m": "two"}, 400, "plan_y_m", "Not a valid float value."),
    ({"name": ""}, 400, "name", "This field is required."),
    ({"kind": "bin"}, 400, "kind", "Not a valid choice."),
])
def test_bad_zone_input_is_refused_naming_the_field_and_nothing_is_written(
        app, client_as, depot, changes, status, field, message):
    before = location_rows(app)
    response = in_english(client_as("supply_officer")).post_form(
        "/locations/new", zone_form(parent_id=str(depot.depot), **changes))
    assert response.status_code == status
    assert field_errors(response, field) == [message]
    assert location_rows(app) == before


@pytest.mark.parametrize("parent", ["999999", "x1"])
def test_a_missing_parent_is_named_on_the_form(app, client_as, depot, parent):
    before = location_rows(app)
    client = in_english(client_as("supply_officer"))
    response = client.post_form("/locations/new", zone_form(parent_id=parent))
    assert response.status_code == 422
    assert '<span class="error" role="alert">no such location</span>' in response.get_data(as_text=True)
    assert location_rows(app) == before


def test_only_kinds_that_fit_under_the_parent_are_accepted(app, client_as, depot):
    client = in_english(client_as("admin"))
    before = location_rows(app)
    kit = client.post_form("/locations/new", {
        "parent_id": str(depot.bin_a), "kind": "kit", "code": "KIT-1", "name": "Box", "footprint_m2": "0.5"})
    assert kit.status_code == 302  # a kit box may sit in a bin
    nested = client.post_form("/locations/new", {
        "parent_id": str(depot.bin_a), "kind": "bin", "code": "BIN-X", "name": "Nested"})
    assert nested.status_code == 400
    assert field_errors(nested, "kind") == ["Not a valid choice."]
    assert len(location_rows(app)) == len(before) + 1


def test_nothing_can_be_added_under_a_retired_location(app, client_as, depot):
    with app.app_context():
        locations.update_location(db.session, CLI, depot.bin_b, active=False)
        db.session.remove()
    before = location_rows(app)
    client = in_english(client_as("admin"))
    assert "/locations/new" not in client.get(f"/locations/{depot.bin_b}").get_data(as_text=True)
    response = client.post_form("/locations/new", {
        "parent_id": str(depot.bin_b), "kind": "kit", "code": "KIT-2", "name": "Box"})
    assert response.status_code == 422
    assert '<span class="error" role="alert">location T-A-R01-B02 is retired</span>' in \
        response.get_data(as_text=True)
    assert location_rows(app) == before


def test_edit_zone_form_is_prefilled_and_moves_the_rectangle(app, client_as, depot):
    client = client_as("supply_officer")
    form = client.get(f"/locations/{depot.zone}/edit").get_data(as_text=True)
    assert 'name="plan_width_m"' in form and 'value="12.0"' in form and 'name="kind"' not in form
    assert re.search(r'<option (selected )?value="EA"( selected)?>', form)
    response = client.post_form(f"/locations/{depot.zone}/edit", zone_form(
        code="T-A", name="A区 灭火药剂", category="EA", area_m2="150", plan_x_m="20", plan_y_m="5",
        plan_width_m="15", plan_depth_m="10", active="y", kind=None))
    assert response.status_code == 302
    zone = location(app, "T-A")
    assert (zone.name, zone.area_m2) == ("A区 灭火药剂", 150)
    assert (zone.rect.x, zone.rect.y, zone.rect.width) == (20, 5, 15)


def test_editing_a_zone_onto_another_is_refused(app, client_as, depot):
    add_zone(app, depot.depot, "T-B", plan_x_m=20, plan_y_m=0, plan_width_m=10, plan_depth_m=10)
    before = location_rows(app)
    response = in_english(client_as("supply_officer")).post_form(f"/locations/{depot.zone}/edit", zone_form(
        code="T-A", category="EA", plan_x_m="15", plan_y_m="0", plan_width_m="10", plan_depth_m="10",
        active="y", kind=None))
    assert response.status_code == 422
    assert field_errors(response, "plan_x_m") == ["the rectangle overlaps zone T-B"]
    assert location_rows(app) == before


def test_a_zone_can_be_taken_off_the_plan_and_retired_once_empty(app, client_as, depot):
    zone_id = add_zone(app, depot.depot, "T-C", plan_x_m=30, plan_y_m=15, plan_width_m=5, plan_depth_m=5)
    response = client_as("admin").post_form(f"/locations/{zone_id}/edit", {
        "code": "T-C", "name": "C区", "category": "", "plan_x_m": "", "plan_y_m": "", "plan_width_m": "",
        "plan_depth_m": ""})
    assert response.status_code == 302
    zone = location(app, "T-C")
    assert (zone.rect, zone.active, zone.category_id) == (None, False, None)


def test_a_zone_holding_stock_cannot_be_retired(app, client_as, depot):
    foam = make_item(app, "EA-FOAM-01")
    receive(app, foam, depot.bin_a, 1, lot="L1", expires_on=in_days(30))
    before = location_rows(app)
    response = in_english(client_as("supply_officer")).post_form(f"/locations/{depot.zone}/edit", zone_form(
        code="T-A", category="EA", plan_x_m="0", plan_y_m="0", plan_width_m="12", plan_depth_m="10",
        kind=None))
    assert response.status_code == 409
    assert field_errors(response, "active") == ["still holds stock"]
    assert location_rows(app) == before


def test_location_forms_without_csrf_token_are_refused(app, client_as, depot):
    before = location_rows(app)
    client = client_as("supply_officer")
    assert client.post("/locations/new", data=zone_form(parent_id=str(depot.depot))).status_code == 400
    assert client.post(f"/locations/{depot.zone}/edit",
                       data=zone_form(code="T-A", name="Forged", active="y")).status_code == 400
    assert location_rows(app) == before


@pytest.mark.parametrize("role", ["commander", "logistics"])
def test_commander_and_logistics_may_not_add_or_edit_locations(app, client_as, depot, role):
    before = location_rows(app)
    client = client_as(role)
    assert client.get(f"/locations/new?parent_id={depot.depot}").status_code == 403
    assert client.post_form("/locations/new", zone_form(parent_id=str(depot.depot))).status_code == 403
    assert client.get(f"/locations/{depot.zone}/edit").status_code == 403
    edit = client.post_form(f"/locations/{depot.zone}/edit", zone_form(code="T-A", active="y"))
    assert edit.status_code == 403
    assert location_rows(app) == before
    page = client.get(f"/locations/{depot.zone}").get_data(as_text=True)
    assert "/edit" not in page and "/locations/new" not in page
    assert "/edit" not in client.get("/floor-plan").get_data(as_text=True)


# --- the floor plan ---------------------------------------------------------------------------

def test_floor_plan_draws_each_placed_zone_to_scale_with_its_utilisation(app, client_as, depot):
    add_zone(app, depot.depot, "T-B", category="PE", area_m2=50, plan_x_m=12, plan_y_m=0,
             plan_width_m=10, plan_depth_m=5)
    add_zone(app, depot.depot, "T-C", category="MS", area_m2=30)  # not placed
    foam = make_item(app, "EA-FOAM-01")
    receive(app, foam, depot.bin_a, 5, lot="L1", expires_on=in_days(90))
    response = in_english(client_as("commander")).get("/floor-plan")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    svg = body[body.index("<svg"):body.index("</svg>")]
    view_box = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"', svg).groups()
    assert float(view_box[0]) < 0 and float(view_box[2]) > 40 and float(view_box[3]) > 25
    assert '<rect class="depot-outline" x="0" y="0" width="40.0" height="25.0"/>' in svg
    assert ZONE_RECT.findall(svg) == [("EA", "0.0", "0.0", "12.0", "10.0"),
                                      ("PE", "12.0", "0.0", "10.0", "5.0")]
    assert svg.count('<title id="plan-title">') == 1 and svg.count("<title>") == 2  # one per zone
    links = re.findall(r'<a href="/locations/(\d+)" class="zone-link" data-code="([^"]+)">\s*'
                       r'<title>([^<]+)</title>', svg)
    assert [(int(i), code) for i, code, _ in links] == [(depot.zone, "T-A"), (location(app, "T-B").id, "T-B")]
    # The rack's 6 m² footprint holds stock: 6 of the zone's 120 m² = 5%.
    assert links[0][2] == "T-A A区 · Extinguishing agents · 5% of the floor used (6 of 120 m²)"
    assert "style=" not in body
    table = body[body.index('data-testid="zones"'):]
    assert [code for code in re.findall(r'<tr data-code="([^"]+)">', table)] == ["T-A", "T-B", "T-C", "T-Q"]
    t_c = table[table.index('data-code="T-C"'):table.index('data-code="T-Q"')]
    assert "not placed" in t_c
    t_a = table[table.index('data-code="T-A"'):table.index('data-code="T-B"')]
    assert re.findall(r'<td class="num">([^<]*)</td>', t_a) == ["120", "6", "5%", "5", "1"]


def test_floor_plan_in_chinese_names_categories_in_chinese(client_as, depot):
    body = client_as("commander").get("/floor-plan").get_data(as_text=True)
    assert '<html lang="zh-CN">' in body and "灭火药剂" in body


def test_floor_plan_chooses_among_several_depots(app, client_as, depot):
    other = make_depot(app, prefix="U")
    client = client_as("logistics")
    first = client.get("/floor-plan").get_data(as_text=True)
    assert 'data-code="T-A"' in first and 'data-code="U-A"' not in first
    assert f'href="/floor-plan?depot={other.depot}"' in first
    second = client.get(f"/floor-plan?depot={other.depot}").get_data(as_text=True)
    assert 'data-code="U-A"' in second and 'data-code="T-A"' not in second


def test_floor_plan_without_a_depot_says_so(app, client_as):
    response = in_english(client_as("supply_officer")).get("/floor-plan")
    assert response.status_code == 200
    assert "There is no depot yet." in response.get_data(as_text=True)
