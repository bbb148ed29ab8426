"""The agreements API over HTTP: agreements and commitments, the signed PDF, calling partners in and
what arrived, with the roles of each."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from tests.api_client import Api, assert_error
from tests.builders import (
    CLI,
    DepotRef,
    in_days,
    make_agreement,
    make_deployment,
    make_depot,
    make_item,
    make_partner,
    stock_counts,
    tiny_pdf,
)
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import (
    Activation,
    ActivationLine,
    Agreement,
    AgreementDocument,
    Arrival,
    Commitment,
    Deployment,
)
from warehouse.models.base import utcnow
from warehouse.services import deployments, ledger

URL = "/api/v1/agreements"
LONGSHAN = {"code": "LS", "name_zh": "龙山区", "name_en": "Longshan District"}
FUEL_AND_FOOD = {"code": "FF", "name_zh": "油料饮食", "name_en": "Fuel and food"}
WATER = {"sku": "T-WATER", "name_zh": "瓶装水", "name_en": "Bottled water", "unit": "box"}


@pytest.fixture
def api(app, users) -> Api:
    return Api(app, users)


@dataclass(frozen=True)
class Scene:
    """A Longshan supermarket (with a 24-h contact), bottled water in the catalogue and a depot."""

    shop: int
    water: int
    depot: DepotRef


@pytest.fixture
def scene(app) -> Scene:
    water = make_item(app, "T-WATER", name_zh="瓶装水", name_en="Bottled water", category="FF", unit="box",
                      tracking="bulk", expiry_required=False, shelf_life_days=None)
    return Scene(make_partner(app), water, make_depot(app))


def body(scene: Scene, **changes) -> dict:
    """Return a new agreement's body: in force for a year, water, daily meals and diesel committed."""
    return {"number": "ls-cs-2026-001", "partner_id": scene.shop, "title": "应急物资保障协议",
            "signed_on": in_days(-31).isoformat(), "valid_from": in_days(-30).isoformat(),
            "valid_to": in_days(335).isoformat(), "response_hours": 4, "status": "active",
            "note": "战时优先供应",
            "commitments": [
                {"item_id": scene.water, "quantity": 500, "note": "550 ml × 24"},
                {"category": "ff", "description": "盒饭", "quantity": 2000, "unit": "份",
                 "period": "per_day"},
                {"description": "0号柴油", "quantity": 20.5, "unit": "t"}]} | changes


def rows(app) -> dict:
    """Count what agreements, documents and activations write, and list the agreements' terms."""
    with app.app_context():
        s = db.session
        found = {model.__name__: s.scalar(select(func.count()).select_from(model))
                 for model in (Agreement, Commitment, AgreementDocument, Activation, ActivationLine, Arrival)}
        found["agreements"] = tuple(s.execute(select(
            Agreement.number, Agreement.valid_from, Agreement.valid_to, Agreement.status)
            .order_by(Agreement.id)).all())
        found["commitments"] = tuple(s.execute(select(Commitment.quantity, Commitment.unit)
                                               .order_by(Commitment.id)).all())
        found["documents"] = tuple(s.scalars(select(AgreementDocument.sha256).order_by(AgreementDocument.id)))
        db.session.remove()
    return found


def stamp(value: str) -> datetime:
    """Assert a timestamp is ISO 8601 in UTC and return it."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", value), value
    return datetime.fromisoformat(value)


def numbers(api: Api, query: str = "") -> list[str]:
    return [a["number"] for a in api.get(f"{URL}{query}")["items"]]


def summary(detail: dict) -> dict:
    return {k: v for k, v in detail.items() if k not in ("commitments", "document")}


# --- agreements and commitments -----------------------------------------------------------------

def test_an_agreement_is_recorded_shown_changed_and_deleted(app, api, scene):
    created = api.post(URL, body(scene))
    lines = created["commitments"]
    expected = {
        "id": created["id"], "number": "LS-CS-2026-001", "title": "应急物资保障协议",
        "partner": {"id": scene.shop, "name": "龙山区欧亚购物中心", "kind": "supermarket",
                    "district": LONGSHAN},
        "signed_on": in_days(-31).isoformat(), "valid_from": in_days(-30).isoformat(),
        "valid_to": in_days(335).isoformat(), "response_hours": 4, "status": "active", "standing": "in_force",
        "days_left": 335, "note": "战时优先供应", "commitments_count": 3, "has_document": False,
        "commitments": [
            # A catalogue item is committed in the unit the catalogue counts it in.
            {"id": lines[0]["id"], "item": {"id": scene.water, **WATER}, "category": None, "description": "",
             "quantity": 500, "unit": "box", "period": "total", "note": "550 ml × 24"},
            {"id": lines[1]["id"], "item": None, "category": FUEL_AND_FOOD, "description": "盒饭",
             "quantity": 2000, "unit": "份", "period": "per_day", "note": ""},
            {"id": lines[2]["id"], "item": None, "category": None, "description": "0号柴油",
             "quantity": 20.5, "unit": "t", "period": "total", "note": ""}],
        "document": None}
    assert created == expected
    assert api.get(f"{URL}/{created['id']}", Role.COMMANDER) == expected
    assert api.get(URL, Role.LOGISTICS) == {"items": [summary(expected)], "page": 1, "per_page": 50,
                                            "total": 1, "pages": 1}

    changed = api.send("PATCH", f"{URL}/{created['id']}", {
        "valid_to": in_days(30).isoformat(), "title": None,
        "commitments": [{"description": "货车", "quantity": 10, "unit": "辆", "period": "per_day"}]})
    [line] = changed["commitments"]
    expected |= {"valid_to": in_days(30).isoformat(), "days_left": 30, "standing": "expiring", "title": "",
                 "commitments_count": 1,
                 "commitments": [{"id": line["id"], "item": None, "category": None, "description": "货车",
                                  "quantity": 10, "unit": "辆", "period": "per_day", "note": ""}]}
    assert changed == expected
    assert api.send("PATCH", f"{URL}/{created['id']}", {}) == expected  # nothing given: nothing changes
    assert rows(app)["Commitment"] == 1  # the old lines were replaced

    added = api.post(f"{URL}/{created['id']}/commitments", {"item_id": scene.water, "quantity": 100})
    assert added == {"id": added["id"], "item": {"id": scene.water, **WATER}, "category": None,
                     "description": "", "quantity": 100, "unit": "box", "period": "total", "note": ""}
    assert api.get(f"{URL}/{created['id']}")["commitments"] == [line, added]
    assert api.send("DELETE", f"{URL}/commitments/{line['id']}", status=204) is None
    assert api.get(f"{URL}/{created['id']}")["commitments"] == [added]

    terminated = api.send("PATCH", f"{URL}/{created['id']}", {"status": "terminated"})
    assert (terminated["status"], terminated["standing"]) == ("terminated", "terminated")
    assert api.send("DELETE", f"{URL}/{created['id']}", status=204) is None
    assert_error(api("GET", f"{URL}/{created['id']}"), 404, "not_found")
    found = rows(app)
    assert (found["Agreement"], found["Commitment"]) == (0, 0)


def test_the_list_filters_by_partner_status_standing_kind_district_and_words(app, api, scene):
    depot = make_partner(app, "东丰县中石油油库", kind="oil_depot", district="DF")
    make_agreement(app, scene.shop, "LS-CS-1", valid_to=in_days(300), title="食品保障")
    make_agreement(app, scene.shop, "LS-CS-0", valid_from=in_days(-400), valid_to=in_days(-2))
    make_agreement(app, depot, "DF-YK-1", valid_to=in_days(50), title="油料保障")
    make_agreement(app, depot, "DF-YK-2", status="draft", valid_to=in_days(400))
    make_agreement(app, depot, "DF-YK-3", valid_from=in_days(10), valid_to=in_days(380))

    assert numbers(api) == ["LS-CS-0", "DF-YK-1", "LS-CS-1", "DF-YK-3", "DF-YK-2"]  # the earliest end first
    assert numbers(api, f"?partner_id={scene.shop}") == ["LS-CS-0", "LS-CS-1"]
    assert numbers(api, "?status=draft") == ["DF-YK-2"]
    assert numbers(api, "?in_force=true") == ["DF-YK-1", "LS-CS-1"]  # not pending, expired nor draft
    assert numbers(api, "?attention=true") == ["LS-CS-0", "DF-YK-1"]
    assert numbers(api, "?kind=oil_depot&in_force=true") == ["DF-YK-1"]
    assert numbers(api, "?district=df") == ["DF-YK-1", "DF-YK-3", "DF-YK-2"]
    assert numbers(api, "?q=油料") == ["DF-YK-1"]  # the title
    assert numbers(api, "?q=ls-cs") == ["LS-CS-0", "LS-CS-1"]  # the number, any case
    assert numbers(api, "?q=欧亚") == ["LS-CS-0", "LS-CS-1"]  # the partner's name
    assert numbers(api, "?sort=number") == sorted(numbers(api))
    standings = {a["number"]: a["standing"] for a in api.get(URL)["items"]}
    assert standings == {"LS-CS-0": "expired", "DF-YK-1": "expiring", "LS-CS-1": "in_force",
                         "DF-YK-3": "pending", "DF-YK-2": "draft"}
    assert_error(api("GET", f"{URL}?district=ZZ"), 422, "invalid_input", "district")
    assert_error(api("GET", f"{URL}?partner_id=999999"), 422, "invalid_input", "partner_id")
    assert_error(api("GET", f"{URL}?status=lapsed"), 422, "invalid_input", "status")


@pytest.mark.parametrize(("changes", "field", "status"), [
    # The bad inputs: an end before the start, a negative commitment.
    ({"valid_to": in_days(-31).isoformat()}, "valid_to", 422),
    ({"commitments": [{"description": "盒饭", "quantity": -5, "unit": "份"}]}, "commitments.0.quantity", 422),
    ({"commitments": [{"description": "盒饭", "quantity": 0, "unit": "份"}]}, "commitments.0.quantity", 422),
    ({"commitments": [{"description": "盒饭", "quantity": "5", "unit": "份"}]}, "commitments.0.quantity",
     422),
    ({"commitments": [{"description": "盒饭", "quantity": 0.0005, "unit": "份"}]}, "quantity", 422),
    ({"commitments": [{"item_id": 999999, "quantity": 5}]}, "item_id", 422),
    ({"commitments": [{"item_id": None, "description": "", "quantity": 5, "unit": "t"}]}, "description", 422),
    ({"commitments": [{"description": "柴油", "quantity": 5}]}, "unit", 422),
    ({"commitments": [{"category": "ZZ", "description": "x", "quantity": 5, "unit": "t"}]}, "category", 422),
    ({"commitments": [{"description": "x", "quantity": 5, "unit": "t", "period": "weekly"}]},
     "commitments.0.period", 422),
    ({"number": "x"}, "number", 422),
    ({"number": "LS CS 1"}, "number", 422),
    ({"partner_id": 999999}, "partner_id", 422),
    ({"response_hours": 721}, "response_hours", 422),
    ({"response_hours": -1}, "response_hours", 422),
    ({"signed_on": in_days(1).isoformat()}, "signed_on", 422),
    ({"status": "lapsed"}, "status", 422),
    ({"valid_from": None}, "valid_from", 422),
    ({"currency": "CNY"}, "currency", 422),
    ({"number": "LS-CS-2025-009"}, "number", 409),  # already recorded
])
def test_bad_agreement_input_is_refused_and_writes_nothing(app, api, scene, changes, field, status):
    make_agreement(app, scene.shop, "LS-CS-2025-009")
    before = rows(app)
    error = assert_error(api("POST", URL, json=body(scene, **changes)), status,
                         "conflict" if status == 409 else "invalid_input", field)
    assert rows(app) == before
    if field == "valid_to":
        assert error["fields"]["valid_to"] == ["must not be before the start date"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"valid_to": in_days(-31).isoformat()}, "valid_to"),  # before the recorded start
    ({"valid_from": in_days(336).isoformat()}, "valid_to"),  # after the recorded end
    ({"commitments": [{"description": "盒饭", "quantity": -5, "unit": "份"}]}, "commitments.0.quantity"),
    ({"commitments": [{"item_id": 999999, "quantity": 5}]}, "item_id"),  # the old lines stay
])
def test_a_bad_change_changes_nothing(app, api, scene, changes, field):
    created = api.post(URL, body(scene))
    before = rows(app)
    assert_error(api("PATCH", f"{URL}/{created['id']}", json=changes), 422, "invalid_input", field)
    assert rows(app) == before
    assert api.get(f"{URL}/{created['id']}") == created


@pytest.mark.parametrize(("line", "field"), [
    ({"description": "盒饭", "quantity": -5, "unit": "份"}, "quantity"),
    ({"item_id": None, "quantity": 2.5}, "quantity"),  # the water counts whole boxes
    ({"item_id": None, "category": "FF", "quantity": 5}, "category"),  # an item or a category
])
def test_a_bad_commitment_line_is_422_and_writes_nothing(app, api, scene, line, field):
    agreement = make_agreement(app, scene.shop)
    if "item_id" in line:
        line = line | {"item_id": scene.water}
    before = rows(app)
    assert_error(api("POST", f"{URL}/{agreement}/commitments", json=line), 422, "invalid_input", field)
    assert rows(app) == before


# --- the signed document ------------------------------------------------------------------------

def upload(api: Api, agreement_id: int, content: bytes, name: str = "协议.pdf",
           role: Role = Role.SUPPLY_OFFICER):
    return api("PUT", f"{URL}/{agreement_id}/document", role, data={"document": (BytesIO(content), name)},
               content_type="multipart/form-data")


def test_the_signed_pdf_is_uploaded_downloaded_as_an_attachment_replaced_and_removed(app, api, scene):
    agreement = make_agreement(app, scene.shop, "LS-CS-2026-001")
    pdf = tiny_pdf("应急保障协议")
    before = utcnow()
    response = upload(api, agreement, pdf, "../签字版 协议.PDF")
    assert response.status_code == 200, response.get_data(as_text=True)
    document = response.json
    assert document == {"filename": "签字版 协议.pdf", "size": len(pdf),
                        "sha256": hashlib.sha256(pdf).hexdigest(), "uploaded_at": document["uploaded_at"],
                        "uploaded_by": "supplyofficer", "url": f"/api/v1/agreements/{agreement}/document"}
    assert before <= stamp(document["uploaded_at"]) <= utcnow()
    shown = api.get(f"{URL}/{agreement}")
    assert (shown["document"], shown["has_document"]) == (document, True)

    download = api("GET", document["url"], Role.COMMANDER)
    assert download.status_code == 200
    assert download.data == pdf
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E7%AD%BE%E5%AD%97%E7%89%88%20%E5%8D%8F%E8%AE%AE.pdf" in \
        download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "sandbox"
    assert download.headers["Cache-Control"] == "no-store"

    second = tiny_pdf("补充协议")
    replaced = upload(api, agreement, second, "补充.pdf").json
    assert (replaced["filename"], replaced["sha256"]) == ("补充.pdf", hashlib.sha256(second).hexdigest())
    assert api("GET", document["url"]).data == second
    assert rows(app)["AgreementDocument"] == 1

    assert api.send("DELETE", document["url"], status=204) is None
    assert_error(api("GET", document["url"]), 404, "not_found")
    assert api.get(f"{URL}/{agreement}")["document"] is None
    assert_error(api("DELETE", document["url"]), 404, "not_found")
    assert_error(upload(api, 999999, pdf), 404, "not_found")


LIMIT = 512 * 1024  # 0.5 MB for the tests; 10 MB in production
BODY_LIMIT = 1024 * 1024


def pdf_of(size: int) -> bytes:
    """Return a PDF-looking file of exactly this many bytes (a header, padding, the end marker)."""
    head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
    return head + b"%" * (size - len(head) - len(tail)) + tail


def _not_pdf() -> bytes:
    return b"<html><script>alert(1)</script></html>"


@pytest.mark.parametrize(("make", "reason"), [
    (_not_pdf, "not a PDF document"),
    (lambda: b"", "the file is empty"),
    (lambda: b"GIF89a" + tiny_pdf(), "not a PDF document"),  # the content counts, not the name
    (lambda: tiny_pdf().replace(b"%%EOF", b""), "not a complete PDF document"),
    (lambda: pdf_of(LIMIT + 1), "at most 0.5 MB"),  # above the configured limit
    (lambda: pdf_of(BODY_LIMIT + 1), "at most 0.5 MB"),  # above the limit of any request body
])
@pytest.mark.parametrize("had_one", [False, True])
def test_a_refused_upload_is_422_and_stores_nothing(app, api, scene, make, reason, had_one):
    app.config["AGREEMENT_DOCUMENT_MAX_BYTES"] = LIMIT
    app.config["MAX_CONTENT_LENGTH"] = BODY_LIMIT
    agreement = make_agreement(app, scene.shop)
    original = tiny_pdf("原件")
    if had_one:
        assert upload(api, agreement, original).status_code == 200
    before = rows(app)
    error = assert_error(upload(api, agreement, make(), "协议.pdf"), 422, "invalid_input", "document")
    assert error["fields"]["document"] == [reason]
    assert rows(app) == before
    download = api("GET", f"{URL}/{agreement}/document")
    if had_one:
        assert download.data == original
    else:
        assert_error(download, 404, "not_found")


@pytest.mark.parametrize("request_kwargs", [
    {"json": {"document": "JVBERi0xLjQ="}},  # a JSON body, not a file
    {"data": {"file": (BytesIO(b"%PDF-1.4\n%%EOF"), "a.pdf")}, "content_type": "multipart/form-data"},
    {"data": {"document": "%PDF-1.4 %%EOF"}, "content_type": "multipart/form-data"},  # a field, not a file
    # A part without a name (read as the name None): once a 500 in the NUL check of every request.
    {"data": b'--b\r\nContent-Disposition: form-data; filename="a.pdf"\r\n\r\n%PDF-1.4\n%%EOF\r\n--b--\r\n',
     "content_type": "multipart/form-data; boundary=b"},
    {"data": b"--b\r\nContent-Disposition: form-data\r\n\r\nnull\r\n--b--\r\n",
     "content_type": "multipart/form-data; boundary=b"},
])
def test_an_upload_without_a_document_file_is_422(app, api, scene, request_kwargs):
    agreement = make_agreement(app, scene.shop)
    before = rows(app)
    assert_error(api("PUT", f"{URL}/{agreement}/document", **request_kwargs), 422, "invalid_input",
                 "document")
    assert rows(app) == before


def test_a_body_too_large_for_other_routes_stays_413(app, api, scene):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    before = rows(app)
    response = api("POST", URL, data={"number": "x" * 2000}, content_type="multipart/form-data")
    assert_error(response, 413, "too_large")
    assert rows(app) == before


@pytest.mark.parametrize("role", [Role.COMMANDER, Role.LOGISTICS])
def test_only_partner_keepers_upload_or_remove_the_document(app, api, scene, role):
    agreement = make_agreement(app, scene.shop)
    assert upload(api, agreement, tiny_pdf()).status_code == 200
    before = rows(app)
    assert_error(upload(api, agreement, tiny_pdf("x"), role=role), 403, "forbidden")
    assert_error(api("DELETE", f"{URL}/{agreement}/document", role), 403, "forbidden")
    # A body too large is refused before the role is known, as for any route: 413, never kept.
    app.config["MAX_CONTENT_LENGTH"] = 1000
    assert_error(upload(api, agreement, tiny_pdf() + b"0" * 2000, role=role), 413, "too_large")
    assert rows(app) == before
    assert api("GET", f"{URL}/{agreement}/document", role).status_code == 200


# --- activations and arrivals -------------------------------------------------------------------

def activate(api: Api, agreement_id: int, role: Role = Role.SUPPLY_OFFICER, status: int = 201, **fields):
    return api.send("POST", f"{URL}/{agreement_id}/activations", fields, role=role, status=status)


def arrive(api: Api, line_id: int, role: Role, status: int = 201, **fields):
    return api.send("POST", f"/api/v1/activations/lines/{line_id}/arrivals", fields, role=role, status=status)


@pytest.fixture
def called(app, scene) -> dict:
    """An agreement in force with water and meals committed, and an open deployment."""
    agreement = make_agreement(app, scene.shop, "LS-CS-2026-001", commitments=[
        {"item_id": scene.water, "quantity": 500},
        {"category": "FF", "description": "盒饭", "quantity": 2000, "unit": "份", "period": "per_day"}])
    with app.app_context():
        commitments = list(db.session.scalars(
            select(Commitment.id).where(Commitment.agreement_id == agreement).order_by(Commitment.position)))
        db.session.remove()
    deployment = make_deployment(app, "西安区高层住宅火灾", kind="incident")
    with app.app_context():
        code = db.session.get(Deployment, deployment).code
        db.session.remove()
    return {"agreement": agreement, "commitments": commitments, "deployment": deployment, "code": code}


def test_an_agreement_is_called_in_and_what_arrives_goes_into_the_depot_or_on_scene(app, api, scene, called):
    needed_by = (utcnow() + timedelta(hours=3)).replace(microsecond=0)
    started = utcnow()
    activation = activate(api, called["agreement"], Role.COMMANDER, deployment_id=called["deployment"],
                          contact_name="王经理", note="送至西安区长安路 18 号",
                          lines=[{"commitment_id": called["commitments"][0], "quantity": 200},
                                 {"commitment_id": called["commitments"][1], "quantity": 300,
                                  "needed_by": needed_by.isoformat()}])
    first, second = activation["lines"]
    expected = {
        "id": activation["id"], "agreement": {"id": called["agreement"], "number": "LS-CS-2026-001"},
        "partner": {"id": scene.shop, "name": "龙山区欧亚购物中心"},
        "deployment": {"id": called["deployment"], "code": called["code"], "name": "西安区高层住宅火灾"},
        "requested_at": activation["requested_at"], "contact_name": "王经理",
        "note": "送至西安区长安路 18 号", "requested_by": "commander", "complete": False,
        "lines": [
            # From the commitment lines: the item and its unit, or the words and unit.
            {"id": first["id"], "commitment_id": called["commitments"][0],
             "item": {"id": scene.water, **WATER}, "description": "", "quantity": 200, "unit": "box",
             "needed_by": None, "arrived": 0, "outstanding": 200, "last_arrival_at": None},
            {"id": second["id"], "commitment_id": called["commitments"][1], "item": None,
             "description": "盒饭", "quantity": 300, "unit": "份", "needed_by": needed_by.isoformat(),
             "arrived": 0, "outstanding": 300, "last_arrival_at": None}],
        "arrivals": []}
    assert activation == expected
    assert started <= stamp(activation["requested_at"]) <= utcnow()

    before = stock_counts(app)
    into_depot = arrive(api, first["id"], Role.LOGISTICS, quantity=150, location_id=scene.depot.bin_a)
    assert into_depot == {"id": into_depot["id"], "line_id": first["id"],
                          "arrived_at": into_depot["arrived_at"], "quantity": 150, "into_depot": True,
                          "movement_id": into_depot["movement_id"], "note": "", "recorded_by": "logistics"}
    on_scene = arrive(api, second["id"], Role.COMMANDER, quantity=300, note="现场签收")
    assert (on_scene["into_depot"], on_scene["movement_id"], on_scene["recorded_by"]) == (
        False, None, "commander")

    # One receipt in the ledger, referencing the agreement; the meals on scene are not our stock.
    movements, balances, lots, units = stock_counts(app)
    assert (movements, units) == (before[0] + 1, before[3] + 150)
    [receipt] = api.get(f"/api/v1/movements?item_id={scene.water}")["items"]
    assert (receipt["id"], receipt["reason"], receipt["quantity"], receipt["reference"],
            receipt["to_location_id"]) == (into_depot["movement_id"], "receive", 150, "LS-CS-2026-001",
                                           scene.depot.bin_a)
    with app.app_context():
        assert ledger.check(db.session) == []
        db.session.remove()

    shown = api.get(f"/api/v1/activations/{activation['id']}", Role.LOGISTICS)
    assert shown["lines"] == [
        expected["lines"][0] | {"arrived": 150, "outstanding": 50,
                                "last_arrival_at": into_depot["arrived_at"]},
        expected["lines"][1] | {"arrived": 300, "outstanding": 0, "last_arrival_at": on_scene["arrived_at"]}]
    assert shown["arrivals"] == [into_depot, on_scene]
    assert shown["complete"] is False
    arrive(api, first["id"], Role.SUPPLY_OFFICER, quantity=50)
    assert api.get(f"/api/v1/activations/{activation['id']}")["complete"] is True
    listed = api.get(f"{URL}/{called['agreement']}/activations")
    assert [a["id"] for a in listed] == [activation["id"]] and "arrivals" not in listed[0]
    assert_error(api("GET", f"{URL}/999999/activations"), 404, "not_found")
    assert_error(api("GET", "/api/v1/activations/999999"), 404, "not_found")


def test_an_activation_on_its_own_asks_for_anything_in_words(app, api, scene, called):
    activation = activate(api, called["agreement"], lines=[
        {"description": "车辆抢修", "quantity": 2, "unit": "次"}, {"item_id": scene.water, "quantity": 10}])
    assert activation["deployment"] is None and activation["requested_by"] == "supplyofficer"
    assert [(line["commitment_id"], line["description"], line["unit"], line["item"] and line["item"]["sku"])
            for line in activation["lines"]] == [(None, "车辆抢修", "次", None), (None, "", "box", "T-WATER")]


def test_a_commander_calls_in_but_receives_nothing_into_the_depot(app, api, scene, called):
    activation = activate(api, called["agreement"], Role.COMMANDER,
                          lines=[{"item_id": scene.water, "quantity": 10}])
    [line] = activation["lines"]
    before = rows(app), stock_counts(app)
    error = assert_error(api("POST", f"/api/v1/activations/lines/{line['id']}/arrivals", Role.COMMANDER,
                             json={"quantity": 10, "location_id": scene.depot.bin_a}), 403, "forbidden")
    assert error["message"] == "only logistics staff and supply officers receive stock into the depot"
    assert (rows(app), stock_counts(app)) == before
    assert arrive(api, line["id"], Role.COMMANDER, quantity=10)["into_depot"] is False


def test_logistics_staff_record_arrivals_but_do_not_call_partners_in(app, api, scene, called):
    before = rows(app)
    assert_error(api("POST", f"{URL}/{called['agreement']}/activations", Role.LOGISTICS,
                     json={"lines": [{"item_id": scene.water, "quantity": 10}]}), 403, "forbidden")
    assert rows(app) == before
    [line] = activate(api, called["agreement"], lines=[{"item_id": scene.water, "quantity": 10}])["lines"]
    assert arrive(api, line["id"], Role.LOGISTICS, quantity=4, location_id=scene.depot.bin_b)["into_depot"]
    # On scene too: logistics staff run the forward supply point.
    assert arrive(api, line["id"], Role.LOGISTICS, quantity=6)["into_depot"] is False


@pytest.mark.parametrize(("fields", "field"), [
    ({"quantity": -5}, "quantity"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": 2.5}, "quantity"),  # whole boxes
    ({"quantity": "5"}, "quantity"),
    ({"quantity": 5, "location_id": 999999}, "location_id"),
    ({"quantity": 5, "lot": "L-1"}, "location_id"),  # a lot only with a receipt
    ({"quantity": 5, "arrived_at": "2001-01-01T00:00:00+08:00"}, "arrived_at"),  # before the request
    ({"quantity": 5, "colour": "blue"}, "colour"),
])
def test_a_bad_arrival_is_422_and_writes_nothing(app, api, scene, called, fields, field):
    [line] = activate(api, called["agreement"], lines=[{"item_id": scene.water, "quantity": 10}])["lines"]
    before = rows(app), stock_counts(app)
    assert_error(api("POST", f"/api/v1/activations/lines/{line['id']}/arrivals", json=fields), 422,
                 "invalid_input", field)
    assert (rows(app), stock_counts(app)) == before


@pytest.mark.parametrize(("fields", "field", "status"), [
    ({"lines": []}, "lines", 422),
    ({"lines": [{"description": "盒饭", "quantity": -1, "unit": "份"}]}, "lines.0.quantity", 422),
    ({"lines": [{"commitment_id": 999999, "quantity": 1}]}, "commitment_id", 422),
    ({"lines": [{"description": "盒饭", "quantity": 1}]}, "unit", 422),
    ({"lines": [{"item_id": None, "quantity": 1}], "deployment_id": 999999}, "deployment_id", 422),
    ({"lines": [{"item_id": None, "quantity": 1}], "requested_at": "2099-01-01T00:00:00+00:00"},
     "requested_at", 422),
    ({"lines": [{"item_id": None, "quantity": 1}], "deployment_id": "closed"}, "deployment_id", 409),
])
def test_a_bad_activation_is_refused_and_writes_nothing(app, api, scene, called, fields, field, status):
    if fields.get("deployment_id") == "closed":
        with app.app_context():
            deployments.close_deployment(db.session, CLI, called["deployment"])
            db.session.remove()
        fields = fields | {"deployment_id": called["deployment"]}
    fields = fields | {"lines": [line | {"item_id": scene.water} if "item_id" in line else line
                                 for line in fields["lines"]]}
    before = rows(app)
    assert_error(api("POST", f"{URL}/{called['agreement']}/activations", json=fields), status,
                 "conflict" if status == 409 else "invalid_input", field)
    assert rows(app) == before


@pytest.mark.parametrize(("terms", "message"), [
    # Expired by date while still marked active.
    ({"valid_from": in_days(-400), "valid_to": in_days(-1)}, "the agreement has expired"),
    ({"status": "expired"}, "the agreement has expired"),
    ({"status": "terminated"}, "the agreement was terminated"),
    ({"status": "draft"}, "the agreement is a draft, not in force"),
    ({"valid_from": in_days(1), "valid_to": in_days(300)}, "the agreement's term has not started"),
])
def test_an_agreement_not_in_force_cannot_be_called_in(app, api, scene, terms, message):
    agreement = make_agreement(app, scene.shop, **terms)
    before = rows(app)
    error = assert_error(api("POST", f"{URL}/{agreement}/activations", Role.COMMANDER,
                             json={"lines": [{"description": "盒饭", "quantity": 1, "unit": "份"}]}), 409,
                         "conflict", "agreement")
    assert error["message"] == message
    assert rows(app) == before


def test_an_agreement_called_on_cannot_be_deleted_nor_given_to_another_partner(app, api, scene, called):
    activate(api, called["agreement"], lines=[{"item_id": scene.water, "quantity": 10}])
    other = make_partner(app, "万达广场超市", district="XA")
    before = rows(app)
    assert_error(api("DELETE", f"{URL}/{called['agreement']}"), 409, "conflict", "agreement")
    assert_error(api("PATCH", f"{URL}/{called['agreement']}", json={"partner_id": other}), 409, "conflict",
                 "partner_id")
    assert rows(app) == before
    assert_error(api("DELETE", f"/api/v1/partners/{scene.shop}"), 409, "conflict", "partner")


@pytest.mark.parametrize("role", [Role.COMMANDER, Role.LOGISTICS])
def test_commanders_and_logistics_read_agreements_but_may_not_change_them(app, api, scene, called, role):
    line = called["commitments"][0]
    assert api.get(f"{URL}/{called['agreement']}", role)["number"] == "LS-CS-2026-001"
    before = rows(app)
    for method, url, data in [
        ("POST", URL, body(scene, number="LS-CS-2026-002")),
        ("PATCH", f"{URL}/{called['agreement']}", {"note": "x"}),
        ("DELETE", f"{URL}/{called['agreement']}", None),
        ("POST", f"{URL}/{called['agreement']}/commitments",
         {"description": "x", "quantity": 1, "unit": "t"}),
        ("DELETE", f"{URL}/commitments/{line}", None),
    ]:
        assert_error(api(method, url, role, json=data), 403, "forbidden")
    assert rows(app) == before
