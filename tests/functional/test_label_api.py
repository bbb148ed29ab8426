"""/api/v1/labels: formats, calibration and printing as PDF; `flask labels` on the command line."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.builders import LABEL_FOAM, LABEL_ROPE, issue_token, make_label_depot, make_person, make_squad
from warehouse.domain.accounts import Role

FORMATS = {"a4-3x8", "a4-2x7", "a4-2x2", "thermal-50x30", "thermal-100x70"}


@pytest.fixture
def depot(app):
    return make_label_depot(app)


@pytest.fixture
def force(app):
    make_squad(app, "CB-WZ")
    make_person(app, "CB-WZ", badge_code="BZ-0001", name="刘振华", squad_role="leader")
    make_person(app, "CB-WZ", badge_code="BZ-0002", name="欧阳晓燕")
    make_person(app, "CB-WZ", badge_code="BZ-0003", name="孙海涛", status="on_leave")


@pytest.fixture
def officer(app, users):
    return {"Authorization": f"Bearer {issue_token(app, users[Role.SUPPLY_OFFICER])}"}


def test_formats_list_every_stock_with_its_geometry_and_calibration(client, app, users, officer):
    headers = {"Authorization": f"Bearer {issue_token(app, users[Role.COMMANDER])}"}
    formats = {f["code"]: f for f in client.get("/api/v1/labels/formats", headers=headers).get_json()}
    assert set(formats) == FORMATS
    assert formats["a4-3x8"]["per_page"] == 24 and formats["a4-3x8"]["label_width_mm"] == 70
    assert formats["thermal-50x30"]["thermal"] is True
    assert formats["a4-2x2"]["layout"] == "large"
    saved = client.put("/api/v1/labels/formats/a4-3x8/calibration", headers=officer,
                       json={"offset_x_mm": -1.2, "offset_y_mm": 0.8})
    assert saved.status_code == 200 and saved.get_json()["offset_x_mm"] == -1.2
    formats = {f["code"]: f for f in client.get("/api/v1/labels/formats", headers=headers).get_json()}
    assert (formats["a4-3x8"]["offset_x_mm"], formats["a4-3x8"]["offset_y_mm"]) == (-1.2, 0.8)


@pytest.mark.parametrize("code, body, field", [
    ("a4-3x8", {"offset_x_mm": 21, "offset_y_mm": 0}, "offset_x_mm"),
    ("a4-3x8", {"offset_x_mm": 0}, "offset_y_mm"),
    ("a4-3x8", {"offset_x_mm": "NaN", "offset_y_mm": 0}, "offset_x_mm"),
    ("letter", {"offset_x_mm": 0, "offset_y_mm": 0}, "format"),
])
def test_bad_calibration_is_422_naming_the_field(client, officer, code, body, field):
    response = client.put(f"/api/v1/labels/formats/{code}/calibration", headers=officer, json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_printing_returns_a_pdf_with_the_labels(client, depot, officer):
    response = client.post("/api/v1/labels", headers=officer, json={
        "kind": "kit", "codes": [depot["ready"], f"https://depot.example.org/k/{depot['empty']}"],
        "format": "a4-2x2", "skip": 1})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Label-Count"] == "2" and response.headers["X-Page-Count"] == "1"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert depot["ready"] in text and depot["empty"] in text and "泡沫箱" in text


def test_printing_badges_by_code_or_scanned_address(client, force, officer):
    response = client.post("/api/v1/labels", headers=officer, json={
        "kind": "badge", "codes": ["bz-0002", "https://depot.example.org/p/BZ-0001"], "format": "a4-2x7"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["X-Label-Count"] == "2"
    assert 'filename="labels-badge-a4-2x7-' in response.headers["Content-Disposition"]
    text = "".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert "BZ-0002" in text and "欧阳晓燕" in text and "刘振华" in text


@pytest.mark.parametrize("codes, words", [
    (["BZ-9999"], ["BZ-9999"]),
    (["https://depot.example.org/k/K-EQ-0001"], ["not a badge label"]),
])
def test_bad_badge_requests_are_422_on_the_codes(client, force, officer, codes, words):
    response = client.post("/api/v1/labels", headers=officer, json={"kind": "badge", "codes": codes})
    assert response.status_code == 422
    message = " ".join(response.get_json()["error"]["fields"]["codes"])
    for word in words:
        assert word in message


def test_copies_are_counted_in_the_headers(client, depot, officer):
    response = client.post("/api/v1/labels", headers=officer, json={
        "kind": "kit", "codes": [depot["ready"]], "format": "a4-3x8", "copies": 4})
    assert response.headers["X-Label-Count"] == "4"
    bad = client.post("/api/v1/labels", headers=officer,
                      json={"kind": "kit", "codes": [depot["ready"]], "copies": 11})
    assert bad.status_code == 422 and "copies" in bad.get_json()["error"]["fields"]


def test_thermal_rolls_print_one_label_per_page(client, depot, officer):
    response = client.post("/api/v1/labels", headers=officer, json={
        "kind": "item", "codes": [LABEL_FOAM, LABEL_ROPE, LABEL_FOAM], "format": "thermal-50x30"})
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 3
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (50, 30)


@pytest.mark.parametrize("body, field, words", [
    ({"kind": "kit", "codes": ["K-EQ-9999", "K-EQ-8888"]}, "codes", ["K-EQ-9999", "K-EQ-8888"]),
    ({"kind": "kit", "codes": []}, "codes", []),
    ({"kind": "kit", "codes": ["K"] * 5001}, "codes", []),
    ({"kind": "kit", "codes": ["{ready}"], "format": "a5"}, "format", ["a4-3x8", "thermal-100x70"]),
    ({"kind": "kit", "codes": ["{ready}"], "skip": 24}, "skip", []),
    ({"kind": "kit", "codes": ["{ready}"], "skip": -1}, "skip", []),
    ({"kind": "kit", "codes": ["{ready}"], "format": "thermal-100x70", "skip": 1}, "skip", []),
    ({"kind": "pallet", "codes": ["{ready}"]}, "kind", []),
    ({"kind": "kit", "codes": ["https://x/l/T-A"]}, "codes", []),
    ({"kind": "kit", "codes": ["{ready}"], "colour": "red"}, "colour", []),
    ({"codes": ["{ready}"]}, "kind", []),
])
def test_bad_print_requests_are_422_and_render_nothing(client, depot, officer, body, field, words):
    body = {k: [c.format(ready=depot["ready"]) for c in v] if k == "codes" else v for k, v in body.items()}
    response = client.post("/api/v1/labels", headers=officer, json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert field in error["fields"]
    message = " ".join(error["fields"][field])
    for word in words:
        assert word in message


def test_only_supply_officers_and_admins_print(client, app, users, depot):
    for role, status in ((Role.LOGISTICS, 403), (Role.COMMANDER, 403), (Role.ADMIN, 200)):
        headers = {"Authorization": f"Bearer {issue_token(app, users[role])}"}
        response = client.post("/api/v1/labels", headers=headers,
                               json={"kind": "kit", "codes": [depot["ready"]]})
        assert response.status_code == status, role


def test_the_openapi_document_lists_badge_among_the_kinds(client, app, users):
    headers = {"Authorization": f"Bearer {issue_token(app, users[Role.COMMANDER])}"}
    spec = client.get("/api/v1/openapi.json", headers=headers).get_json()
    schema = spec["components"]["schemas"]["LabelPrint"]["properties"]["kind"]
    assert schema["enum"] == ["kit", "location", "item", "lot", "badge"]


def test_the_openapi_document_describes_the_pdf(client, app, users):
    headers = {"Authorization": f"Bearer {issue_token(app, users[Role.COMMANDER])}"}
    spec = client.get("/api/v1/openapi.json", headers=headers).get_json()
    post = spec["paths"]["/api/v1/labels"]["post"]
    assert "application/pdf" in post["responses"]["200"]["content"]
    assert "422" in post["responses"]
    assert "/api/v1/labels/formats" in spec["paths"]


# --- flask labels ----------------------------------------------------------------------------------

def test_the_command_line_prints_boxes_by_code_or_module(app, depot, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "labels.pdf"
    result = runner.invoke(args=["labels", "print", "--kits", f"{depot['ready']},{depot['empty']}",
                                 "--format", "a4-3x8", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = PdfReader(out).pages[0].extract_text()
    assert depot["ready"] in text and depot["empty"] in text
    result = runner.invoke(args=["labels", "print", "--module", "WR", "--format", "thermal-100x70",
                                 "--copies", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(PdfReader(out).pages) == 2 and depot["water"] in PdfReader(out).pages[1].extract_text()


def test_the_command_line_prints_a_squads_badges_or_badges_by_code(app, force, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "badges.pdf"
    result = runner.invoke(args=["labels", "print", "--squad", "cb-wz", "--format", "thermal-50x30",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 badge labels" in result.output
    pages = [page.extract_text() for page in PdfReader(out).pages]
    assert len(pages) == 2 and "BZ-0001" in pages[0] and "BZ-0002" in pages[1]
    result = runner.invoke(args=["labels", "print", "--badges", "BZ-0003", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "BZ-0003" in PdfReader(out).pages[0].extract_text()


@pytest.mark.parametrize("args, message", [
    (["--squad", "NOPE"], "squad"),
    (["--badges", "BZ-9999"], "BZ-9999"),
    (["--kits", "K-EQ-9999"], "K-EQ-9999"),
    (["--kits", "K-EQ-0001", "--items", LABEL_FOAM], "choose one kind"),
    ([], "choose one kind"),
    (["--module", "ZZ"], "no labels match"),
    (["--kits", "K-EQ-0001", "--format", "a5"], "a4-3x8"),
])
def test_the_command_line_explains_bad_requests(app, depot, tmp_path, args, message):
    out = tmp_path / "labels.pdf"
    result = app.test_cli_runner().invoke(args=["labels", "print", *args, "-o", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists() or out.stat().st_size == 0


def test_the_command_line_lists_formats(app):
    result = app.test_cli_runner().invoke(args=["labels", "formats"])
    assert result.exit_code == 0
    for code in FORMATS:
        assert code in result.output
