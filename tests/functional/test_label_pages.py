"""The labels page, its preview and PDF, calibration, print buttons and label addresses (/k/ ...)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.builders import LABEL_FOAM, LABEL_ROPE, in_days, make_label_depot, make_person, make_squad, receive
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import LabelCalibration

OFFICER = Role.SUPPLY_OFFICER


@pytest.fixture
def depot(app):
    return make_label_depot(app)


@pytest.fixture
def force(app):
    """A squad with a leader, a member, someone on leave and someone who left; another squad."""
    make_squad(app, "CB-WZ")
    make_squad(app, "JD-WQ", kind="mobile", function="medical", name_zh="卫勤保障机动分队",
               name_en="Mobile medical squad")
    make_person(app, "CB-WZ", badge_code="BZ-0001", name="刘振华", squad_role="leader")
    make_person(app, "CB-WZ", badge_code="BZ-0002", name="欧阳晓燕")
    make_person(app, "CB-WZ", badge_code="BZ-0003", name="孙海涛", status="on_leave")
    make_person(app, "CB-WZ", badge_code="BZ-0004", name="郑浩", status="left")
    make_person(app, "JD-WQ", badge_code="BZ-0005", name="秦岚")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_page_offers_every_kind_format_and_the_calibration(client_as, depot):
    page = client_as(OFFICER).get("/labels").get_data(as_text=True)
    for kind in ("kit", "location", "item", "lot", "badge"):
        assert f'value="{kind}"' in page
    assert 'name="squad"' in page and 'name="on_leave"' in page
    for code in ("a4-3x8", "a4-2x7", "a4-2x2", "thermal-50x30", "thermal-100x70"):
        assert f'data-format="{code}"' in page
    assert 'name="csrf_token"' in page
    assert "js/labels.js" in page


def test_choosing_a_module_shows_the_job_the_preview_and_the_download(client_as, depot):
    client = client_as(OFFICER)
    page = client.get("/labels?kind=kit&module=EQ&format=a4-3x8&skip=3")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="job" data-count="2" data-pages="1"' in text
    assert depot["ready"] in text and depot["empty"] in text and depot["water"] not in text
    preview = re.search(r'src="(/labels/preview\.png\?[^"]+)"', text).group(1).replace("&amp;", "&")
    download = re.search(r'href="(/labels/labels\.pdf\?[^"]+)"', text).group(1).replace("&amp;", "&")
    image = client.get(preview)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data.startswith(b"\x89PNG")
    pdf = client.get(download)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith('attachment; filename="labels-kit-a4-3x8-')
    words = pdf_text(pdf.data)
    assert depot["ready"] in words and depot["empty"] in words and depot["water"] not in words


@pytest.mark.parametrize("query, kind, expected", [
    ("kind=location&zone=T-A", "location", ["T-A", "T-A-R01", "T-A-R01-B01", "T-A-R01-B02"]),
    ("kind=item&category=RE", "item", [LABEL_ROPE]),
    ("kind=lot&receipt=CG-2026-001", "lot", [f"{LABEL_FOAM}/L-1", f"{LABEL_FOAM}/L-2"]),
    ("kind=lot&item=" + LABEL_FOAM.lower(), "lot", [f"{LABEL_FOAM}/L-1", f"{LABEL_FOAM}/L-2",
                                                   f"{LABEL_FOAM}/L-3"]),
])
def test_each_kind_is_chosen_by_its_filters(client_as, depot, query, kind, expected):
    response = client_as(OFFICER).get(f"/labels.pdf?{query}".replace("/labels.pdf", "/labels/labels.pdf"))
    assert response.status_code == 200
    words = pdf_text(response.data)
    for code in expected:
        assert code in words


def test_a_squads_badges_are_chosen_on_the_page_and_printed(client_as, force):
    client = client_as(OFFICER)
    page = client.get("/labels?kind=badge&squad=CB-WZ&format=a4-3x8").get_data(as_text=True)
    assert 'data-testid="job" data-count="2" data-pages="1"' in page
    assert 'value="CB-WZ" selected' in page and "JD-WQ" in page  # the squad picker
    with_leave = client.get("/labels?kind=badge&squad=CB-WZ&on_leave=true").get_data(as_text=True)
    assert 'data-count="3"' in with_leave and "BZ-0003" in with_leave
    download = re.search(r'href="(/labels/labels\.pdf\?[^"]+)"', page).group(1).replace("&amp;", "&")
    pdf = client.get(download)
    assert pdf.status_code == 200
    assert pdf.headers["Content-Disposition"].startswith('attachment; filename="labels-badge-a4-3x8-')
    words = "".join(pdf_text(pdf.data).split())
    assert "刘振华" in words and "BZ-0001" in words and "欧阳晓燕" in words
    assert "孙海涛" not in words and "郑浩" not in words and "秦岚" not in words
    assert client.get(download.replace("labels.pdf", "preview.png")).mimetype == "image/png"


def test_every_active_persons_badge_without_a_squad_chosen(client_as, force):
    page = client_as(OFFICER).get("/labels?kind=badge").get_data(as_text=True)
    assert 'data-count="3"' in page  # BZ-0001, BZ-0002 and BZ-0005


def test_one_persons_badge_by_its_code_or_address(client_as, force):
    client = client_as(OFFICER)
    page = client.get("/labels", query_string={"kind": "badge", "codes": "bz-0005\nhttps://x/p/BZ-0004"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-count="2"' in text
    assert "BZ-0005, BZ-0004" in text


def test_filters_of_other_kinds_are_ignored(client_as, depot):
    # The page without JavaScript sends every filter; only the chosen kind's count.
    response = client_as(OFFICER).get("/labels?kind=item&category=RE&module=EQ&zone=T-A")
    assert response.status_code == 200
    assert 'data-count="1" data-pages="1"' in response.get_data(as_text=True)


def test_copies_multiply_the_labels_on_the_page_and_in_the_preview(client_as, depot):
    client = client_as(OFFICER)
    text = client.get("/labels?kind=kit&module=EQ&format=a4-2x2&copies=3").get_data(as_text=True)
    assert 'data-count="6" data-pages="2"' in text
    assert client.get("/labels/preview.png?kind=kit&module=EQ&format=a4-2x2&copies=3").status_code == 200
    assert client.get("/labels?kind=kit&module=EQ&copies=0").status_code == 422


def test_reprinting_one_box_from_its_page(client_as, depot):
    client = client_as(OFFICER)
    box = client.get(f"/kits/boxes/{depot['ready']}").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" data-testid="print-label"', box).group(1).replace("&amp;", "&")
    assert link == f"/labels?kind=kit&codes={depot['ready']}"
    page = client.get(link).get_data(as_text=True)
    assert 'data-testid="job"' in page and depot["ready"] in page


@pytest.mark.parametrize("path, fragment", [
    ("/locations/{bin_a}", "kind=location&amp;codes=T-A-R01-B01"),
    ("/items/{foam}", f"kind=item&amp;codes={LABEL_FOAM}"),
])
def test_location_and_item_pages_have_a_print_label_button(client_as, depot, path, fragment):
    url = path.format(bin_a=depot["depot"].bin_a, foam=depot["foam"])
    page = client_as(OFFICER).get(url).get_data(as_text=True)
    assert 'data-testid="print-label"' in page and fragment in page


def test_print_buttons_are_only_for_those_who_may_print(client_as, depot):
    page = client_as(Role.LOGISTICS).get(f"/kits/boxes/{depot['ready']}").get_data(as_text=True)
    assert 'data-testid="print-label"' not in page
    assert client_as(Role.LOGISTICS).get("/labels").status_code == 403
    assert client_as(Role.COMMANDER).get("/labels/labels.pdf?kind=kit&module=EQ").status_code == 403


@pytest.mark.parametrize("query, field, words", [
    ("kind=kit&codes=K-EQ-9999%0AK-EQ-8888", "codes", ["K-EQ-9999", "K-EQ-8888"]),
    ("kind=kit&module=ZZ", "codes", []),
    ("kind=kit&codes=X&format=a5", "format", []),
    ("kind=kit&module=EQ&skip=24", "skip", ["23"]),
    ("kind=kit&module=EQ&format=thermal-50x30&skip=2", "skip", []),
    ("kind=pallet", "kind", []),
    ("kind=location", "zone", []),
    ("kind=badge&squad=NOPE", "squad", ["NOPE"]),
    ("kind=badge&codes=BZ-9999", "codes", ["BZ-9999"]),
    ("kind=badge", "codes", []),
    ("kind=badge&codes=" + LABEL_FOAM, "codes", [LABEL_FOAM]),
])
def test_bad_choices_are_explained_on_the_page(client_as, depot, query, field, words):
    client = client_as(OFFICER)
    response = client.get(f"/labels?{query}")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f'data-error="{field}"' in text
    assert 'data-testid="job"' not in text
    for word in words:
        assert word in text
    # The download of the same choice sends the user back to the page, never an empty PDF.
    download = client.get(f"/labels/labels.pdf?{query}")
    assert download.status_code == 302 and download.location.startswith("/labels")
    assert client.get(f"/labels/preview.png?{query}").status_code == 422


def test_user_text_is_escaped_on_the_page(client_as, depot):
    text = client_as(OFFICER).get("/labels?kind=kit&codes=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;" in text


def test_calibration_is_saved_and_shown(app, client_as, depot):
    client = client_as(OFFICER)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/labels").get_data(as_text=True)).group(1)
    response = client.post("/labels/calibration", data={
        "csrf_token": token, "format": "a4-2x7", "offset_x_mm": "1.5", "offset_y_mm": "-0.5"})
    assert response.status_code == 302 and response.location.endswith("#calibration")
    page = client.get("/labels?format=a4-2x7").get_data(as_text=True)
    row = re.search(r'<tr data-format="a4-2x7">.*?</tr>', page, re.S).group(0)
    assert "1.5" in row and "-0.5" in row
    with app.app_context():
        saved = db.session.get(LabelCalibration, "a4-2x7")
        assert (saved.offset_x_mm, saved.offset_y_mm) == (1.5, -0.5)


@pytest.mark.parametrize("data", [
    {"format": "a4-2x7", "offset_x_mm": "25", "offset_y_mm": "0"},
    {"format": "a4-2x7", "offset_x_mm": "left", "offset_y_mm": "0"},
    {"format": "a3", "offset_x_mm": "1", "offset_y_mm": "0"},
])
def test_bad_calibration_is_refused_with_a_message(app, client_as, depot, data):
    client = client_as(OFFICER)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/labels").get_data(as_text=True)).group(1)
    response = client.post("/labels/calibration", data={"csrf_token": token, **data},
                           follow_redirects=True)
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(LabelCalibration).count() == 0


def test_calibration_needs_the_csrf_token(app, client_as, depot):
    response = client_as(OFFICER).post("/labels/calibration", data={
        "format": "a4-2x7", "offset_x_mm": "1", "offset_y_mm": "0"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.query(LabelCalibration).count() == 0


# --- label addresses -----------------------------------------------------------------------------

def test_label_addresses_open_the_page_of_what_they_name(client_as, depot):
    client = client_as(Role.COMMANDER)
    assert client.get(f"/k/{depot['ready']}").location == f"/kits/boxes/{depot['ready']}"
    assert client.get(f"/k/{depot['ready'].lower()}").location == f"/kits/boxes/{depot['ready']}"
    assert client.get("/l/T-A-R01-B01").location == f"/locations/{depot['depot'].bin_a}"
    assert client.get(f"/i/{LABEL_FOAM}").location == f"/items/{depot['foam']}"
    lot = client.get(f"/b/{LABEL_FOAM}/L-2")
    assert lot.location == f"/stock?item={LABEL_FOAM}&lot=L-2"
    stock = client.get(lot.location).get_data(as_text=True)
    assert 'data-lot="L-2"' in stock and 'data-lot="L-1"' not in stock


def test_a_badge_address_opens_the_persons_page(client_as, force):
    client = client_as(Role.COMMANDER)
    assert client.get("/p/BZ-0001").location == "/personnel/BZ-0001"
    assert client.get("/p/bz-0002").location == "/personnel/BZ-0002"
    assert client.get("/p/BZ-0004").location == "/personnel/BZ-0004"  # left, but still on record


@pytest.mark.parametrize("typed", ["BZ-0005", "https://depot.example.org/p/bz-0005", " bz-0005\r\n"])
def test_the_scan_box_opens_a_scanned_badge(client_as, force, typed):
    response = client_as(Role.LOGISTICS).get("/scan", query_string={"code": typed})
    assert response.location == "/personnel/BZ-0005"


def test_a_badge_scanned_by_a_phone_not_signed_in_lands_on_the_person_after_login(client, force):
    response = client.get("/p/BZ-0001")
    assert response.status_code == 302
    assert "/login" in response.location and "p/BZ-0001" in response.location.replace("%2F", "/")


@pytest.mark.parametrize("path", ["/k/K-EQ-9999", "/l/NOWHERE", "/i/NO-SKU", "/b/EA-AFFF-01/NOPE",
                                  "/b/NOSLASH", "/p/BZ-9999", "/p/EA-AFFF-01"])
def test_unknown_label_addresses_are_404(client_as, depot, path):
    response = client_as(Role.COMMANDER).get(path)
    assert response.status_code == 404


def test_a_phone_that_is_not_signed_in_lands_on_the_box_after_login(client, depot):
    response = client.get(f"/k/{depot['ready']}")
    assert response.status_code == 302
    assert "/login" in response.location and f"k/{depot['ready']}" in response.location.replace("%2F", "/")


@pytest.mark.parametrize("typed", ["http://127.0.0.1:5000/k/{ready}", "{ready}", "HTTP://HOST/K/{ready}",
                                   "  {ready}\t"])
def test_the_scan_box_opens_what_a_scanner_typed(client_as, depot, typed):
    scanned = typed.format(ready=depot["ready"])
    response = client_as(Role.LOGISTICS).get("/scan", query_string={"code": scanned})
    assert response.location == f"/kits/boxes/{depot['ready']}"


def test_the_scan_box_says_when_nothing_matches(client_as, depot):
    client = client_as(Role.LOGISTICS)
    response = client.get("/scan", query_string={"code": "NOTHING-HERE", "next": "/stock"})
    assert response.location == "/stock"
    assert "NOTHING-HERE" in client.get("/stock").get_data(as_text=True)


def test_the_location_scan_box_accepts_label_addresses(client_as, depot):
    response = client_as(Role.LOGISTICS).get(
        "/locations/scan", query_string={"code": "https://depot.example.org/l/T-A-R01-B02"})
    assert response.location == f"/locations/{depot['depot'].bin_b}"


def test_the_stock_list_filters_by_item_and_names_an_unknown_sku(client_as, depot):
    client = client_as(Role.LOGISTICS)
    page = client.get(f"/stock?item={LABEL_FOAM}").get_data(as_text=True)
    assert f'data-sku="{LABEL_FOAM}"' in page
    missing = client.get("/stock?item=NO-SUCH").get_data(as_text=True)
    assert "NO-SUCH" in missing and f'data-sku="{LABEL_FOAM}"' not in missing


def test_categories_carry_their_colour_in_the_api(client_as):
    categories = client_as(Role.COMMANDER).get("/api/v1/categories").get_json()
    assert {c["code"]: c["colour"] for c in categories}["EA"] == "#c62828"


def test_after_a_receipt_an_officer_can_print_its_lot_labels(app, client_as, depot):
    movement = receive(app, depot["foam"], depot["depot"].bin_a, 3, lot="L-9", expires_on=in_days(90))
    page = client_as(OFFICER).get(f"/stock/receive?last={movement}").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" data-testid="print-lot-labels"', page).group(1)
    assert link == f"/labels?kind=lot&amp;codes={LABEL_FOAM}/L-9"
    keeper = client_as(Role.LOGISTICS).get(f"/stock/receive?last={movement}").get_data(as_text=True)
    assert 'data-testid="print-lot-labels"' not in keeper


def test_the_home_page_scan_box_opens_a_scanned_label(client_as, depot):
    client = client_as(Role.LOGISTICS)
    home = client.get("/").get_data(as_text=True)
    assert 'action="/scan"' in home and 'data-testid="scan-anything"' in home
    assert client.get("/scan", query_string={"code": LABEL_FOAM}).location == f"/items/{depot['foam']}"
