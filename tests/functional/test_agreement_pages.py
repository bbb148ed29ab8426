"""Agreement pages: the list and its filters, recording agreements with their PDF, commitments,
the signed document, calling agreements in and recording arrivals, the deployment's partner support."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.builders import (
    CLI,
    field_errors,
    in_days,
    make_agreement,
    make_deployment,
    make_depot,
    make_item,
    make_partner,
    stock_counts,
    tiny_pdf,
)
from tests.functional.stock_page_helpers import LOCALES, balance, ledger_problems, movements, table_rows
from warehouse.extensions import db
from warehouse.models import (
    Activation,
    ActivationLine,
    Agreement,
    AgreementDocument,
    Arrival,
    Commitment,
    StockMovement,
)
from warehouse.models.base import utcnow
from warehouse.services import agreements, deployments
from warehouse.timezone import depot_zone

ROLES = ["logistics", "supply_officer", "commander", "admin"]
KEEPERS = ["supply_officer", "admin"]
ACTIVATORS = ["supply_officer", "commander", "admin"]


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def english(client):
    client.post_form("/language", {"lang": "en"})
    return client


def flashes(response) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<div class="flash flash-\w+" role="status">([^<]*)</div>',
                                                 response.get_data(as_text=True))]


def counts(app) -> tuple[int, ...]:
    """(agreements, commitments, documents, activations, request lines, arrivals): to prove nothing was
    written."""
    with app.app_context():
        result = tuple(db.session.scalar(select(func.count()).select_from(model))
                       for model in (Agreement, Commitment, AgreementDocument, Activation, ActivationLine,
                                     Arrival))
        db.session.remove()
    return result


def local_now(minutes: int = 0) -> str:
    """What a datetime-local input holds for now (plus some minutes), in depot time."""
    return (datetime.now(depot_zone()) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def padded_pdf(size: int) -> bytes:
    """A PDF (by its content) of exactly `size` bytes."""
    head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
    return head + b"0" * (size - len(head) - len(tail)) + tail


def stored_agreement(app, number: str) -> dict | None:
    with app.app_context():
        found = db.session.scalar(select(Agreement).where(Agreement.number == number))
        if found is None:
            db.session.remove()
            return None
        lines = db.session.scalars(select(Commitment).where(Commitment.agreement_id == found.id)
                                   .order_by(Commitment.position)).all()
        document = db.session.scalar(select(AgreementDocument)
                                     .where(AgreementDocument.agreement_id == found.id))
        result = {"id": found.id, "partner_id": found.partner_id, "title": found.title,
                  "signed_on": found.signed_on, "valid_from": found.valid_from, "valid_to": found.valid_to,
                  "response_hours": found.response_hours, "status": found.status.value, "note": found.note,
                  "lines": [(c.item_id, c.category_id is not None, c.description, c.quantity, c.unit,
                             c.period.value, c.note) for c in lines],
                  "document": (document.filename, document.size, document.sha256,
                               document.uploaded_by_name) if document else None}
        db.session.remove()
    return result


def commitment_ids(app, agreement_id: int) -> list[int]:
    with app.app_context():
        ids = db.session.scalars(select(Commitment.id).where(Commitment.agreement_id == agreement_id)
                                 .order_by(Commitment.position)).all()
        db.session.remove()
    return list(ids)


@pytest.fixture
def world(app, users):
    """A depot; rations (counted) and foam (by lot); a Longshan supermarket whose agreement is in
    force, a Dongfeng repair plant with an expiring and a draft agreement, the emergency management
    bureau whose agreement expired (still marked active); an open incident."""
    depot = make_depot(app)
    rations = make_item(app, "T-RATION", name_zh="压缩干粮", name_en="Compressed rations", category="FF",
                        unit="box", tracking="bulk", expiry_required=False, shelf_life_days=None)
    foam = make_item(app, "T-FOAM")
    market = make_partner(app, "龙山区欧亚购物中心", name_en="Oya Longshan")
    repair = make_partner(app, "东丰县汽车修理厂", kind="auto_repair", district="DF")
    bureau = make_partner(app, "辽源市应急管理局", kind="emergency_management", district="LY")
    in_force = make_agreement(app, market, "LS-CS-2026-001", title="应急物资保障协议", response_hours=4,
                              commitments=[
                                  {"item_id": rations, "quantity": "200", "period": "total"},
                                  {"item_id": foam, "quantity": "10"},
                                  {"category": "FF", "description": "瓶装水", "quantity": "2.5", "unit": "吨",
                                   "note": "冬季防冻"},
                                  {"description": "盒饭", "quantity": "2000", "unit": "份",
                                   "period": "per_day"}])
    expiring = make_agreement(app, repair, "DF-QX-2025-003", title="车辆抢修协议", valid_from=in_days(-300),
                              valid_to=in_days(20), response_hours=2,
                              commitments=[{"description": "车辆抢修", "quantity": "5", "unit": "辆",
                                            "period": "per_day"}])
    expired = make_agreement(app, bureau, "LY-YJ-2024-001", valid_from=in_days(-400), valid_to=in_days(-5))
    draft = make_agreement(app, repair, "DF-QX-2026-009", status="draft", valid_to=in_days(400))
    incident = make_deployment(app, "西安区仓库火灾", kind="incident")
    return SimpleNamespace(depot=depot, rations=rations, foam=foam, market=market, repair=repair,
                           bureau=bureau, in_force=in_force, expiring=expiring, expired=expired, draft=draft,
                           incident=incident, lines=commitment_ids(app, in_force))


def call_in(app, world, *, deployment: bool = True) -> SimpleNamespace:
    """Call the supermarket in (150 rations, 10 foam, 2 excavators); return the activation, line ids."""
    with app.app_context():
        activation = agreements.activate_agreement(
            db.session, CLI, world.in_force, deployment_id=world.incident if deployment else None,
            contact_name="王经理", requested_at=utcnow() - timedelta(hours=1),
            lines=[{"commitment_id": world.lines[0], "quantity": "150"},
                   {"commitment_id": world.lines[1], "quantity": "10"},
                   {"description": "挖掘机", "unit": "台", "quantity": "2"}])
        lines = db.session.scalars(select(ActivationLine.id)
                                   .where(ActivationLine.activation_id == activation.id)
                                   .order_by(ActivationLine.id)).all()
        result = SimpleNamespace(id=activation.id, rations=lines[0], foam=lines[1], excavators=lines[2])
        db.session.remove()
    return result


# --- reading ----------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_list_an_agreement_and_an_activation_in_both_languages(app, client_as, world,
                                                                                    locale, role):
    accept, marker = LOCALES[locale]
    activation = call_in(app, world)
    client = client_as(role)
    for url in ["/agreements", f"/agreements/{world.in_force}", f"/activations/{activation.id}",
                f"/deployments/{world.incident}"]:
        response = client.get(url, headers={"Accept-Language": accept})
        assert response.status_code == 200, url
        assert marker in response.get_data(as_text=True), url
    body = text(client.get(f"/agreements/{world.in_force}", headers={"Accept-Language": accept}))
    assert "应急物资保障协议" in body and "138 0437 0001" in body
    assert ("压缩干粮" if locale == "zh" else "Compressed rations") in body
    keeper = role in KEEPERS
    assert ('data-testid="commitment-form"' in body) is keeper
    assert ('data-testid="document-form"' in body) is keeper
    assert ('data-testid="edit-agreement"' in body) is keeper
    assert ('data-testid="call-in"' in body) is (role in ACTIVATORS)


@pytest.mark.parametrize("role", KEEPERS)
def test_keepers_open_the_new_and_edit_forms(client_as, world, role):
    client = client_as(role)
    for url in ["/agreements/new", f"/agreements/{world.in_force}/edit"]:
        assert client.get(url).status_code == 200, url


def test_the_list_shows_each_agreement_with_partner_term_response_and_standing(client_as, world):
    response = english(client_as("commander")).get("/agreements")
    rows = {row["attrs"]["agreement"]: row for row in table_rows(response, "agreements")}
    # Those ending soonest first.
    assert list(rows) == ["LY-YJ-2024-001", "DF-QX-2025-003", "LS-CS-2026-001", "DF-QX-2026-009"]
    market = rows["LS-CS-2026-001"]
    assert market["attrs"]["standing"] == "in_force"
    assert market["cols"]["title"] == "应急物资保障协议"
    assert market["cols"]["partner"] == "Oya Longshan Supermarket"
    assert market["cols"]["district"] == "Longshan District"
    assert market["cols"]["valid"] == f"{in_days(-30).isoformat()} – {in_days(335).isoformat()}"
    assert market["cols"]["response"] == "4 h"
    assert market["cols"]["lines"] == "4"
    assert market["cols"]["standing"] == "In force"
    assert rows["DF-QX-2025-003"]["attrs"]["standing"] == "expiring"
    assert rows["DF-QX-2025-003"]["cols"]["standing"] == "Expiring: 20 days left"
    assert rows["LY-YJ-2024-001"]["attrs"]["standing"] == "expired"
    assert rows["LY-YJ-2024-001"]["cols"]["standing"] == "Expired"
    assert rows["DF-QX-2026-009"]["cols"]["standing"] == "Draft"
    assert all(row["cols"]["document"] == "—" for row in rows.values())
    assert 'data-testid="new-agreement"' not in response.get_data(as_text=True)
    officer = client_as("supply_officer").get("/agreements").get_data(as_text=True)
    assert 'data-testid="new-agreement"' in officer


def test_the_list_marks_an_agreement_with_its_signed_pdf(app, client_as, world):
    with app.app_context():
        agreements.attach_document(db.session, CLI, world.in_force, filename="scan.pdf", content=tiny_pdf())
        db.session.remove()
    response = client_as("commander").get("/agreements")
    rows = {row["attrs"]["agreement"]: row for row in table_rows(response, "agreements")}
    assert rows["LS-CS-2026-001"]["cols"]["document"] == "PDF"
    assert f'href="/agreements/{world.in_force}/document"' in response.get_data(as_text=True)


@pytest.mark.parametrize("query, expected", [
    ("", ["LY-YJ-2024-001", "DF-QX-2025-003", "LS-CS-2026-001", "DF-QX-2026-009"]),
    ("status=draft", ["DF-QX-2026-009"]),
    ("status=active", ["LY-YJ-2024-001", "DF-QX-2025-003", "LS-CS-2026-001"]),
    ("standing=in_force", ["DF-QX-2025-003", "LS-CS-2026-001"]),
    ("standing=attention", ["LY-YJ-2024-001", "DF-QX-2025-003"]),
    ("kind=auto_repair", ["DF-QX-2025-003", "DF-QX-2026-009"]),
    ("kind=railway", []),
    ("district=DF", ["DF-QX-2025-003", "DF-QX-2026-009"]),
    ("district=ly", ["LY-YJ-2024-001"]),
    ("q=欧亚", ["LS-CS-2026-001"]),
    ("q=df-qx", ["DF-QX-2025-003", "DF-QX-2026-009"]),
    ("q=抢修", ["DF-QX-2025-003"]),
    ("q=100%25", []),
    ("sort=number", ["DF-QX-2025-003", "DF-QX-2026-009", "LS-CS-2026-001", "LY-YJ-2024-001"]),
    ("standing=in_force&district=LS", ["LS-CS-2026-001"]),
])
def test_the_list_filters_by_status_standing_kind_district_and_text(client_as, world, query, expected):
    response = client_as("logistics").get(f"/agreements?{query}")
    assert response.status_code == 200
    assert [row["attrs"]["agreement"] for row in table_rows(response, "agreements")] == expected


def test_the_list_filters_by_partner(client_as, world):
    response = client_as("logistics").get(f"/agreements?partner={world.repair}")
    assert [row["attrs"]["agreement"] for row in table_rows(response, "agreements")] == \
        ["DF-QX-2025-003", "DF-QX-2026-009"]


@pytest.mark.parametrize("query, ignored", [
    ("status=lapsed", "status"), ("standing=soon", "standing"), ("kind=bank", "kind"),
    ("district=<script>", "district"), ("partner=abc", "partner"), ("deployment=-1", "deployment"),
    ("sort=price", "sort"), ("page=0", "page"), ("q=" + "x" * 81, "q"),
])
def test_invalid_filters_are_named_and_ignored(client_as, world, query, ignored):
    response = client_as("logistics").get(f"/agreements?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert f"Ignored invalid filters: {ignored}" in flashes(response)
    assert len(table_rows(response, "agreements")) == 4


def test_the_list_pages_through_agreements(client_as, world):
    client = english(client_as("logistics"))
    first = client.get("/agreements?per_page=3")
    second = client.get("/agreements?per_page=3&page=2")
    numbers = [r["attrs"]["agreement"]
               for r in table_rows(first, "agreements") + table_rows(second, "agreements")]
    assert numbers == ["LY-YJ-2024-001", "DF-QX-2025-003", "LS-CS-2026-001", "DF-QX-2026-009"]
    assert "Page 1 of 2" in text(first)


def test_the_agreement_page_lists_its_commitments_with_plain_quantities(client_as, world):
    response = english(client_as("commander")).get(f"/agreements/{world.in_force}")
    lines = table_rows(response, "commitments")
    assert [(r["attrs"]["kind"], r["cols"]["what"], r["cols"]["quantity"], r["cols"]["period"],
             r["cols"]["note"]) for r in lines] == [
        ("item", "T-RATION Compressed rations", "200 box", "in all", ""),
        ("item", "T-FOAM AFFF foam concentrate", "10 drum", "in all", ""),
        ("category", "FF Fuel and food 瓶装水", "2.5 吨", "in all", "冬季防冻"),
        ("description", "盒饭", "2000 份", "per day", ""),
    ]
    body = text(response)
    assert "Oya Longshan" in body and "王经理" in body and 'href="tel:13804370001"' in body
    assert "4 hours" in body and "No signed agreement has been uploaded." in body


def test_an_unknown_agreement_or_activation_is_a_404(client_as, world):
    client = client_as("supply_officer")
    for url in ["/agreements/999999", "/agreements/999999/edit", "/agreements/999999/activate",
                "/agreements/999999/document", "/activations/999999",
                f"/agreements/{world.in_force}/document"]:
        assert client.get(url).status_code == 404, url
    for url in ["/agreements/999999/delete", "/agreements/commitments/999999/delete",
                "/agreements/999999/commitments", "/agreements/999999/document/delete",
                "/activations/lines/999999/arrivals"]:
        assert client.post_form(url, {"quantity": "1"}).status_code == 404, url


# --- recording --------------------------------------------------------------------------------

def form_data(partner: int, **changes) -> dict:
    data = {"number": "ls-cs-2026-007", "partner_id": str(partner), "title": "应急饮食保障协议",
            "signed_on": in_days(-3).isoformat(), "valid_from": in_days(-2).isoformat(),
            "valid_to": in_days(363).isoformat(), "response_hours": "6", "status": "active",
            "note": "24小时供货"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_new_form_offers_active_partners_by_district_and_preselects_one(app, client_as, world):
    from warehouse.services import partners

    with app.app_context():
        partners.update_partner(db.session, CLI, world.bureau, active=False)
        db.session.remove()
    body = english(client_as("supply_officer")).get(f"/agreements/new?partner={world.repair}").get_data(
        as_text=True)
    select_html = re.search(r'<select id="partner_id" name="partner_id">(.*?)</select>', body, re.S).group(1)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select_html, re.S)
    assert [(label, re.findall(r'value="(\d+)"', options)) for label, options in groups] == [
        ("Longshan District", [str(world.market)]), ("Dongfeng County", [str(world.repair)])]
    assert f'<option value="{world.repair}" selected>' in select_html
    assert 'enctype="multipart/form-data"' in body and 'name="document"' in body
    assert 'value="active" selected' in body or re.search(r'<option selected value="active">', body)


def test_a_supply_officer_records_an_agreement_with_its_pdf_and_adds_commitments(app, client_as, world,
                                                                                users):
    content = tiny_pdf("辽源市龙山区应急饮食保障协议")
    before = counts(app)
    client = english(client_as("supply_officer"))
    response = client.post_form("/agreements/new", {**form_data(world.market),
                                                    "document": (BytesIO(content), "协议 签字版.pdf")})
    assert response.status_code == 302
    row = stored_agreement(app, "LS-CS-2026-007")
    assert response.headers["Location"] == f"/agreements/{row['id']}"
    assert (row["partner_id"], row["title"], row["signed_on"], row["valid_from"], row["valid_to"],
            row["response_hours"], row["status"], row["note"]) == \
        (world.market, "应急饮食保障协议", in_days(-3), in_days(-2), in_days(363), 6, "active", "24小时供货")
    assert row["document"] == ("协议 签字版.pdf", len(content), hashlib.sha256(content).hexdigest(),
                               users["supply_officer"].username)
    assert counts(app) == (before[0] + 1, before[1], before[2] + 1, *before[3:])
    page = client.get(f"/agreements/{row['id']}")
    assert "Agreement LS-CS-2026-007 recorded." in flashes(page)

    for line in [{"item_id": str(world.rations), "quantity": "20", "period": "total", "note": "先期"},
                 {"category": "FF", "description": "柴油", "quantity": "2.5", "unit": "吨",
                  "period": "per_day"},
                 {"description": "挖掘机", "quantity": "3", "unit": "台", "period": "total"}]:
        added = client.post_form(f"/agreements/{row['id']}/commitments", line)
        assert added.status_code == 302
        assert added.headers["Location"] == f"/agreements/{row['id']}#commitments"
    assert stored_agreement(app, "LS-CS-2026-007")["lines"] == [
        (world.rations, False, "", Decimal("20"), "box", "total", "先期"),
        (None, True, "柴油", Decimal("2.5"), "吨", "per_day", ""),
        (None, False, "挖掘机", Decimal("3"), "台", "total", ""),
    ]
    shown = table_rows(client.get(f"/agreements/{row['id']}"), "commitments")
    assert [r["cols"]["quantity"] for r in shown] == ["20 box", "2.5 吨", "3 台"]


def test_an_agreement_may_be_recorded_without_a_pdf(app, client_as, world):
    response = client_as("admin").post_form("/agreements/new",
                                            form_data(world.repair, signed_on="", title=""))
    assert response.status_code == 302
    row = stored_agreement(app, "LS-CS-2026-007")
    assert row["document"] is None and row["signed_on"] is None and row["title"] == ""


@pytest.mark.parametrize("changes, status, field, message", [
    ({"valid_to": in_days(-10).isoformat()}, 422, "valid_to", "must not be before the start date"),
    ({"number": "x"}, 422, "number", "3-40 capital letters, digits, '-' and '/', e.g. LY-XF-2026-001"),
    ({"number": ""}, 422, "number", "This field is required."),
    ({"number": "LS-CS-2026-001"}, 409, "number", "already taken"),
    ({"partner_id": ""}, 422, "partner_id", "This field is required."),
    ({"partner_id": "999999"}, 422, "partner_id", "no such partner"),
    ({"partner_id": "abc"}, 422, "partner_id", "no such partner"),
    ({"response_hours": "800"}, 422, "response_hours", "Number must be between 0 and 720."),
    ({"response_hours": "-1"}, 422, "response_hours", "Number must be between 0 and 720."),
    ({"response_hours": "soon"}, 422, "response_hours", "Not a valid integer value."),
    ({"status": "lapsed"}, 422, "status", "Not a valid choice."),
    ({"valid_from": ""}, 422, "valid_from", "This field is required."),
    ({"valid_from": "2026-13-01"}, 422, "valid_from", "Not a valid date value."),
    ({"signed_on": in_days(3).isoformat()}, 422, "signed_on", "cannot be in the future"),
    ({"title": "x" * 121}, 422, "title", "Field cannot be longer than 120 characters."),
])
def test_a_refused_agreement_names_the_field_and_writes_nothing(app, client_as, world, changes, status, field,
                                                               message):
    before = counts(app)
    response = english(client_as("supply_officer")).post_form(
        "/agreements/new", {**form_data(world.market, **changes), "document": (BytesIO(tiny_pdf()), "a.pdf")})
    assert response.status_code == status
    assert message in field_errors(response, field)
    assert counts(app) == before
    body = text(response)
    # What was typed stays; the chosen file cannot, and the page says so.
    assert 'value="应急饮食保障协议"' in body or field == "title"
    assert "Nothing was saved: choose the PDF again." in field_errors(response, "document")


@pytest.mark.parametrize("content, reason", [
    (b"GIF89a\x01\x00 not a pdf %%EOF", "not a PDF document"),
    (b"<html><script>alert(1)</script></html>", "not a PDF document"),
    (b"%PDF-1.7\n1 0 obj << >> endobj\n", "not a complete PDF document"),
    (b"", "the file is empty"),
    (padded_pdf(512 * 1024 + 1), "at most 0.5 MB"),
])
def test_a_refused_pdf_saves_neither_the_agreement_nor_the_file(app, client_as, world, content, reason):
    app.config["AGREEMENT_DOCUMENT_MAX_BYTES"] = 512 * 1024
    before = counts(app)
    response = english(client_as("supply_officer")).post_form(
        "/agreements/new", {**form_data(world.market), "document": (BytesIO(content), "signed.pdf")})
    assert response.status_code == 422
    assert field_errors(response, "document") == [reason]
    assert counts(app) == before and stored_agreement(app, "LS-CS-2026-007") is None


def test_a_pdf_at_the_size_limit_is_accepted(app, client_as, world):
    app.config["AGREEMENT_DOCUMENT_MAX_BYTES"] = 512 * 1024
    content = padded_pdf(512 * 1024)
    response = client_as("supply_officer").post_form(
        "/agreements/new", {**form_data(world.market), "document": (BytesIO(content), "big.pdf")})
    assert response.status_code == 302
    assert stored_agreement(app, "LS-CS-2026-007")["document"][1] == 512 * 1024


def test_a_body_above_the_request_limit_is_a_422_on_the_document_not_a_413(app, client_as, world):
    app.config.update(AGREEMENT_DOCUMENT_MAX_BYTES=512 * 1024, MAX_CONTENT_LENGTH=600 * 1024)
    before = counts(app)
    client = english(client_as("supply_officer"))
    huge = padded_pdf(700 * 1024)
    response = client.post_form("/agreements/new", {**form_data(world.market),
                                                    "document": (BytesIO(huge), "huge.pdf")})
    assert response.status_code == 422
    assert field_errors(response, "document") == ["at most 0.5 MB",
                                                  "Nothing was saved: fill in the form again."]
    assert counts(app) == before
    upload = client.post_form(f"/agreements/{world.in_force}/document",
                              {"document": (BytesIO(padded_pdf(700 * 1024)), "huge.pdf")})
    assert upload.status_code == 422
    assert field_errors(upload, "document") == ["at most 0.5 MB"]
    assert counts(app) == before
    # Nobody else gets a form out of it: the route's roles still hold.
    commander = client_as("commander").post_form(f"/agreements/{world.in_force}/document",
                                                 {"document": (BytesIO(padded_pdf(700 * 1024)), "huge.pdf")})
    assert commander.status_code == 403
    anonymous = app.test_client().post(f"/agreements/{world.in_force}/document",
                                       data={"document": (BytesIO(padded_pdf(700 * 1024)), "huge.pdf")})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    missing = client.post_form("/agreements/999999/document",
                               {"document": (BytesIO(padded_pdf(700 * 1024)), "huge.pdf")})
    assert missing.status_code == 404


def test_a_new_agreement_without_the_csrf_token_is_refused(app, client_as, world):
    before = counts(app)
    response = client_as("supply_officer").post("/agreements/new", data=form_data(world.market))
    assert response.status_code == 400
    assert counts(app) == before


# --- editing and deleting ---------------------------------------------------------------------

def test_the_edit_form_shows_the_agreement(client_as, world):
    body = client_as("admin").get(f"/agreements/{world.expiring}/edit").get_data(as_text=True)
    assert 'value="DF-QX-2025-003"' in body and 'value="车辆抢修协议"' in body
    assert f'value="{in_days(20).isoformat()}"' in body
    assert f'<option value="{world.repair}" selected>' in body
    assert 'name="document"' not in body


def test_editing_changes_the_terms_and_status(app, client_as, world):
    response = client_as("supply_officer").post_form(f"/agreements/{world.expiring}/edit", form_data(
        world.repair, number="DF-QX-2026-003", title="车辆抢修协议（续签）",
        valid_from=in_days(0).isoformat(), valid_to=in_days(365).isoformat(), response_hours="3",
        note="续签一年"))
    assert response.status_code == 302 and response.headers["Location"] == f"/agreements/{world.expiring}"
    row = stored_agreement(app, "DF-QX-2026-003")
    assert (row["id"], row["title"], row["valid_to"], row["response_hours"], row["note"]) == \
        (world.expiring, "车辆抢修协议（续签）", in_days(365), 3, "续签一年")
    # The commitments stay.
    assert [line[2] for line in row["lines"]] == ["车辆抢修"]


@pytest.mark.parametrize("changes, status, field, message", [
    ({"valid_to": in_days(-400).isoformat()}, 422, "valid_to", "must not be before the start date"),
    ({"number": "LS-CS-2026-001"}, 409, "number", "already taken"),
    ({"response_hours": ""}, 422, "response_hours", "This field is required."),
])
def test_a_refused_edit_names_the_field_and_changes_nothing(app, client_as, world, changes, status, field,
                                                           message):
    before = stored_agreement(app, "DF-QX-2025-003")
    data = form_data(world.repair, **{"number": "DF-QX-2025-003", "valid_from": in_days(-300).isoformat(),
                                      **changes})
    response = english(client_as("supply_officer")).post_form(f"/agreements/{world.expiring}/edit", data)
    assert response.status_code == status
    assert message in field_errors(response, field)
    assert stored_agreement(app, "DF-QX-2025-003") == before


def test_an_agreement_recorded_by_mistake_is_deleted(app, client_as, world):
    client = english(client_as("supply_officer"))
    response = client.post_form(f"/agreements/{world.draft}/delete")
    assert response.status_code == 302
    assert stored_agreement(app, "DF-QX-2026-009") is None
    assert "Agreement DF-QX-2026-009 deleted." in flashes(client.get(response.headers["Location"]))


def test_an_agreement_called_in_cannot_be_deleted(app, client_as, world):
    call_in(app, world)
    before = counts(app)
    client = english(client_as("supply_officer"))
    assert 'data-testid="delete-agreement"' not in client.get(f"/agreements/{world.in_force}").get_data(
        as_text=True)
    response = client.post_form(f"/agreements/{world.in_force}/delete")
    assert response.status_code == 409
    assert ("Could not delete: agreement LS-CS-2026-001 has been called on: terminate it instead"
            in flashes(response))
    assert counts(app) == before


# --- commitments ------------------------------------------------------------------------------

@pytest.mark.parametrize("line, field, message", [
    ({"item": True, "quantity": "-5"}, "quantity", "must be more than zero"),
    ({"item": True, "quantity": "0"}, "quantity", "must be more than zero"),
    ({"item": True, "quantity": "2.5"}, "quantity", "whole units: the catalogue counts this item in units"),
    ({"description": "柴油", "unit": "吨", "quantity": "1.2345"}, "quantity", "at most three decimals"),
    ({"description": "柴油", "unit": "吨", "quantity": "lots"}, "quantity", "a number such as 20 or 2.5"),
    ({"description": "柴油", "unit": "吨", "quantity": ""}, "quantity", "This field is required."),
    ({"description": "挖掘机", "quantity": "3"}, "unit", "required when no catalogue item is given"),
    ({"unit": "台", "quantity": "3"}, "description", "required when no catalogue item is given"),
    ({"item": True, "category": "FF", "quantity": "1"}, "category", "give an item or a category, not both"),
    ({"item_id": "999999", "quantity": "1"}, "item_id", "no such item"),
    ({"category": "ZZ", "description": "水", "unit": "吨", "quantity": "1"}, "category", "no such category"),
    ({"description": "柴油", "unit": "吨", "quantity": "1", "period": "weekly"}, "period",
     "Not a valid choice."),
    ({"description": "x" * 121, "unit": "吨", "quantity": "1"}, "description",
     "Field cannot be longer than 120 characters."),
])
def test_a_refused_commitment_names_the_field_and_writes_nothing(app, client_as, world, line, field, message):
    data = {"period": "total", **{k: v for k, v in line.items() if k != "item"}}
    if line.get("item"):
        data["item_id"] = str(world.rations)
    before = counts(app)
    response = english(client_as("supply_officer")).post_form(
        f"/agreements/{world.in_force}/commitments", data)
    assert response.status_code == 422
    assert message in field_errors(response, field)
    assert counts(app) == before
    assert 'data-testid="commitment-form"' in response.get_data(as_text=True)


def test_a_commitment_line_is_removed(app, client_as, world):
    response = client_as("admin").post_form(f"/agreements/commitments/{world.lines[2]}/delete")
    assert response.status_code == 302
    assert [line[2] for line in stored_agreement(app, "LS-CS-2026-001")["lines"]] == ["", "", "盒饭"]


# --- the signed document ----------------------------------------------------------------------

def test_the_pdf_is_uploaded_replaced_downloaded_as_an_attachment_and_removed(app, client_as, world, users):
    client = english(client_as("supply_officer"))
    first, second = tiny_pdf("第一版"), tiny_pdf("签字盖章版")
    assert client.post_form(f"/agreements/{world.in_force}/document",
                            {"document": (BytesIO(first), "scan.pdf")}).status_code == 302
    response = client.post_form(f"/agreements/{world.in_force}/document",
                                {"document": (BytesIO(second), "辽源 协议.pdf")})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/agreements/{world.in_force}#document"
    assert stored_agreement(app, "LS-CS-2026-001")["document"] == \
        ("辽源 协议.pdf", len(second), hashlib.sha256(second).hexdigest(), users["supply_officer"].username)
    page = client.get(f"/agreements/{world.in_force}").get_data(as_text=True)
    assert hashlib.sha256(second).hexdigest() in page and "辽源 协议.pdf" in page

    download = client_as("commander").get(f"/agreements/{world.in_force}/document")
    assert download.status_code == 200
    assert download.data == second
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E8%BE%BD%E6%BA%90%20%E5%8D%8F%E8%AE%AE.pdf" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "sandbox"

    removed = client.post_form(f"/agreements/{world.in_force}/document/delete")
    assert removed.status_code == 302
    assert stored_agreement(app, "LS-CS-2026-001")["document"] is None
    assert client.get(f"/agreements/{world.in_force}/document").status_code == 404


@pytest.mark.parametrize("upload, reason", [
    ((b"\x89PNG\r\n\x1a\n not a pdf", "scan.pdf"), "not a PDF document"),
    ((b"%PDF-1.4 but cut short", "scan.pdf"), "not a complete PDF document"),
    ((b"", "scan.pdf"), "the file is empty"),
    (None, "Choose the signed agreement as a PDF file."),
    ("large", "at most 0.5 MB"),
])
def test_a_refused_upload_keeps_the_pdf_on_file(app, client_as, world, upload, reason):
    app.config["AGREEMENT_DOCUMENT_MAX_BYTES"] = 512 * 1024
    with app.app_context():
        agreements.attach_document(db.session, CLI, world.in_force, filename="kept.pdf", content=tiny_pdf())
        db.session.remove()
    before = stored_agreement(app, "LS-CS-2026-001")["document"]
    if upload == "large":
        upload = (padded_pdf(512 * 1024 + 1), "large.pdf")
    data = {"document": (BytesIO(upload[0]), upload[1])} if upload else {}
    response = english(client_as("supply_officer")).post_form(f"/agreements/{world.in_force}/document", data)
    assert response.status_code == 422
    assert field_errors(response, "document") == [reason]
    assert stored_agreement(app, "LS-CS-2026-001")["document"] == before


def test_a_commander_reads_but_may_not_change_an_agreement(app, client_as, world):
    before = (counts(app), stored_agreement(app, "LS-CS-2026-001"))
    client = client_as("commander")
    for url, data in [("/agreements/new", form_data(world.market)),
                      (f"/agreements/{world.in_force}/edit",
                       form_data(world.market, number="LS-CS-2026-001")),
                      (f"/agreements/{world.in_force}/delete", {}),
                      (f"/agreements/{world.in_force}/commitments", {"description": "x", "unit": "t",
                                                                    "quantity": "1"}),
                      (f"/agreements/commitments/{world.lines[0]}/delete", {}),
                      (f"/agreements/{world.in_force}/document",
                       {"document": (BytesIO(tiny_pdf()), "a.pdf")}),
                      (f"/agreements/{world.in_force}/document/delete", {})]:
        assert client.post_form(url, data).status_code == 403, url
    assert (counts(app), stored_agreement(app, "LS-CS-2026-001")) == before


# --- calling an agreement in ------------------------------------------------------------------

def test_the_call_in_form_offers_each_commitment_line_the_open_deployments_and_the_contact(app, client_as,
                                                                                          world):
    closed = make_deployment(app, "已结束演练")
    with app.app_context():
        deployments.close_deployment(db.session, CLI, closed)
        db.session.remove()
    body = english(client_as("commander")).get(
        f"/agreements/{world.in_force}/activate?deployment={world.incident}").get_data(as_text=True)
    deployment_select = re.search(r'<select id="deployment_id" name="deployment_id">(.*?)</select>', body,
                                  re.S).group(1)
    assert re.findall(r'value="(\d*)"', deployment_select) == ["", str(world.incident)]
    assert re.search(rf'<option selected value="{world.incident}">', deployment_select)
    assert re.search(r'<input[^>]*name="contact_name"[^>]*value="王经理"', body)
    rows = re.findall(r'data-row="([^"]+)"', body)
    assert rows == [f"c{i}" for i in world.lines] + ["free1", "free2"]
    field = re.search(r'<input[^>]*name="requested_at"[^>]*>', body).group(0)
    shown = datetime.strptime(re.search(r'value="([^"]+)"', field).group(1), "%Y-%m-%dT%H:%M")
    assert abs(shown.replace(tzinfo=depot_zone()) - datetime.now(depot_zone())) < timedelta(minutes=2)
    assert 'href="tel:13804370001"' in body


@pytest.mark.parametrize("role", ACTIVATORS)
def test_activators_call_an_agreement_in_for_a_deployment(app, client_as, world, users, role):
    before = counts(app)
    requested = local_now(-30)
    response = english(client_as(role)).post_form(f"/agreements/{world.in_force}/activate", {
        "deployment_id": str(world.incident), "requested_at": requested, "contact_name": "王经理",
        "note": "送至西安区仓库现场", f"c{world.lines[0]}-quantity": "150",
        f"c{world.lines[3]}-quantity": "300", f"c{world.lines[1]}-quantity": "",
        "free1-description": "挖掘机", "free1-unit": "台", "free1-quantity": "2"})
    assert response.status_code == 302
    assert counts(app) == (*before[:3], before[3] + 1, before[4] + 3, before[5])
    with app.app_context():
        activation = db.session.scalar(select(Activation))
        lines = db.session.scalars(select(ActivationLine).order_by(ActivationLine.id)).all()
        assert response.headers["Location"] == f"/activations/{activation.id}"
        assert (activation.agreement_id, activation.deployment_id, activation.contact_name, activation.note,
                activation.requested_by_name) == (world.in_force, world.incident, "王经理",
                                                  "送至西安区仓库现场", users[role].username)
        typed = datetime.strptime(requested, "%Y-%m-%dT%H:%M").replace(tzinfo=depot_zone())
        assert activation.requested_at == typed
        assert [(line.commitment_id, line.item_id, line.description, line.quantity, line.unit)
                for line in lines] == [
            (world.lines[0], world.rations, "", Decimal("150"), "box"),
            (world.lines[3], None, "盒饭", Decimal("300"), "份"),
            (None, None, "挖掘机", Decimal("2"), "台"),
        ]
        db.session.remove()


@pytest.mark.parametrize("data, status, where, message", [
    ({"c0-quantity": "-3"}, 422, "c0-quantity", "must be more than zero"),
    ({"c0-quantity": "1.5"}, 422, "c0-quantity", "whole units: the catalogue counts this item in units"),
    ({"c3-quantity": "many"}, 422, "c3-quantity", "a number such as 20 or 2.5"),
    ({"free1-description": "挖掘机", "free1-quantity": "2"}, 422, "free1-unit",
     "Required for a line of your own."),
    ({"free2-unit": "台", "free2-quantity": "2"}, 422, "free2-description",
     "Required for a line of your own."),
    ({"free1-description": "挖掘机", "free1-unit": "台"}, 422, "free1-quantity",
     "a number such as 20 or 2.5"),
    ({}, 422, None, "Ask for at least one thing: fill in a quantity."),
    ({"c0-quantity": "5", "requested_at": "2099-01-01T08:00"}, 422, "requested_at",
     "cannot be in the future"),
    ({"c0-quantity": "5", "requested_at": "yesterday"}, 422, "requested_at", "Not a valid datetime value."),
    ({"c0-quantity": "5", "deployment_id": "999999"}, 422, "deployment_id", "no such deployment"),
    ({"c0-quantity": "5", "contact_name": "x" * 81}, 422, "contact_name",
     "Field cannot be longer than 80 characters."),
])
def test_a_refused_call_in_names_the_row_or_field_and_writes_nothing(app, client_as, world, data, status,
                                                                    where, message):
    def real(key: str) -> str:
        # c0-quantity: the first commitment line's input, and so on.
        return re.sub(r"^c(\d)-", lambda m: f"c{world.lines[int(m.group(1))]}-", key)

    posted = {"requested_at": local_now(), "contact_name": "王经理", **{real(k): v for k, v in data.items()}}
    where = where and real(where)
    before = counts(app)
    response = english(client_as("commander")).post_form(f"/agreements/{world.in_force}/activate", posted)
    assert response.status_code == status
    if where is None:
        assert message in flashes(response)
    else:
        assert message in field_errors(response, where), field_errors(response, where)
    assert counts(app) == before
    # What was typed stays in the form.
    for key, value in posted.items():
        if key.endswith("quantity") and value:
            assert f'value="{value}"' in response.get_data(as_text=True)


def test_a_call_in_for_a_closed_deployment_is_refused(app, client_as, world):
    with app.app_context():
        deployments.close_deployment(db.session, CLI, world.incident)
        db.session.remove()
    before = counts(app)
    response = english(client_as("commander")).post_form(f"/agreements/{world.in_force}/activate", {
        "deployment_id": str(world.incident), "requested_at": local_now(),
        f"c{world.lines[0]}-quantity": "5"})
    assert response.status_code == 409
    assert "closed" in field_errors(response, "deployment_id")
    assert counts(app) == before


@pytest.mark.parametrize("which, standing", [("expired", "Expired"), ("draft", "Draft")])
def test_an_agreement_not_in_force_cannot_be_called_in(app, client_as, world, which, standing):
    agreement_id = getattr(world, which)
    client = english(client_as("commander"))
    page = client.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert 'data-testid="call-in"' not in page
    response = client.get(f"/agreements/{agreement_id}/activate")
    assert response.status_code == 302 and response.headers["Location"] == f"/agreements/{agreement_id}"
    number = "LY-YJ-2024-001" if which == "expired" else "DF-QX-2026-009"
    assert f"Agreement {number} is not in force ({standing}): it cannot be called in." in flashes(
        client.get(response.headers["Location"]))
    before = counts(app)
    refused = client.post_form(f"/agreements/{agreement_id}/activate",
                               {"requested_at": local_now(), "free1-description": "挖掘机",
                                "free1-unit": "台", "free1-quantity": "1"})
    assert refused.status_code == 409
    reason = "has expired" if which == "expired" else "is a draft, not in force"
    assert flashes(refused) == [f"Could not call in: the agreement {reason}"]
    assert counts(app) == before


def test_logistics_staff_may_not_call_an_agreement_in(app, client_as, world):
    before = counts(app)
    client = client_as("logistics")
    assert client.get(f"/agreements/{world.in_force}/activate").status_code == 403
    refused = client.post_form(f"/agreements/{world.in_force}/activate",
                               {"requested_at": local_now(), f"c{world.lines[0]}-quantity": "5"})
    assert refused.status_code == 403
    assert counts(app) == before


# --- arrivals ---------------------------------------------------------------------------------

def test_the_activation_page_shows_the_lines_with_arrived_and_outstanding(app, client_as, world):
    activation = call_in(app, world)
    response = english(client_as("commander")).get(f"/activations/{activation.id}")
    body = text(response)
    assert "LS-CS-2026-001" in body and "Oya Longshan" in body and "西安区仓库火灾" in body
    assert 'href="tel:13804370001"' in response.get_data(as_text=True)
    lines = table_rows(response, "lines")
    assert [(r["cols"]["what"], r["cols"]["requested"], r["cols"]["arrived"], r["cols"]["outstanding"])
            for r in lines] == [
        ("T-RATION Compressed rations", "150 box", "0 box", "150 box"),
        ("T-FOAM AFFF foam concentrate", "10 drum", "0 drum", "10 drum"),
        ("挖掘机", "2 台", "0 台", "2 台"),
    ]
    # A commander records what came on scene; deliveries into the depot are for stock handlers.
    assert body.count('data-testid="arrival-form"') == 3
    assert 'name="location_id"' not in body
    officer = client_as("supply_officer").get(f"/activations/{activation.id}").get_data(as_text=True)
    # Only catalogue items can be received into the depot.
    assert officer.count('name="location_id"') == 2


def test_an_arrival_into_the_depot_is_one_receipt_referencing_the_agreement(app, client_as, world):
    activation = call_in(app, world)
    before = stock_counts(app)
    ledger_before = len(movements(app))
    client = english(client_as("supply_officer"))
    response = client.post_form(f"/activations/lines/{activation.rations}/arrivals", {
        "quantity": "100", "arrived_at": local_now(-5), "location_id": str(world.depot.bin_a),
        "note": "第一车"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/activations/{activation.id}#line-{activation.rations}"
    posted = movements(app)[ledger_before:]
    assert posted == [{"reason": "receive", "sku": "T-RATION", "lot": None, "quantity": 100, "from": None,
                       "to": world.depot.bin_a, "reference": "LS-CS-2026-001", "purpose": None}]
    assert balance(app, "T-RATION", world.depot.codes["bin_a"]) == 100
    assert stock_counts(app)[0] == before[0] + 1
    assert ledger_problems(app) == []
    page = client.get(f"/activations/{activation.id}")
    assert "Arrival of 100 recorded and received into the depot." in flashes(page)
    line = table_rows(page, "lines")[0]
    assert (line["cols"]["arrived"], line["cols"]["outstanding"]) == ("100 box", "50 box")
    arrival = table_rows(page, "arrivals")[0]
    assert arrival["attrs"]["into"] == "depot" and arrival["cols"]["quantity"] == "100"
    with app.app_context():
        receipt = db.session.scalar(select(StockMovement.id).order_by(StockMovement.id.desc()))
        db.session.remove()
    assert f"Receipt #{receipt}" in arrival["cols"]["into"]
    assert world.depot.codes["bin_a"] in arrival["cols"]["into"]


def test_a_lot_tracked_item_arrives_into_the_depot_with_its_lot_and_expiry(app, client_as, world):
    activation = call_in(app, world)
    response = client_as("logistics").post_form(f"/activations/lines/{activation.foam}/arrivals", {
        "quantity": "10", "arrived_at": local_now(), "location_id": str(world.depot.bin_b),
        "lot": "XF-2026-07", "expires_on": in_days(700).isoformat()})
    assert response.status_code == 302
    assert balance(app, "T-FOAM", world.depot.codes["bin_b"], "XF-2026-07") == 10
    assert ledger_problems(app) == []


def test_an_arrival_on_scene_writes_no_stock_and_completes_the_line(app, client_as, world):
    activation = call_in(app, world)
    before = stock_counts(app)
    client = english(client_as("commander"))
    response = client.post_form(f"/activations/lines/{activation.excavators}/arrivals", {
        "quantity": "2", "arrived_at": local_now(), "location_id": "", "note": "到达火场"})
    assert response.status_code == 302
    assert stock_counts(app) == before
    page = client.get(f"/activations/{activation.id}")
    assert "Arrival of 2 recorded (on scene)." in flashes(page)
    assert table_rows(page, "lines")[2]["cols"]["outstanding"] == "0"
    assert table_rows(page, "arrivals")[0]["attrs"]["into"] == "scene"
    on_scene_rations = client.post_form(f"/activations/lines/{activation.rations}/arrivals", {
        "quantity": "150", "arrived_at": local_now()})
    assert on_scene_rations.status_code == 302
    assert stock_counts(app) == before
    with app.app_context():
        arrived = db.session.execute(select(Arrival.quantity, Arrival.movement_id).order_by(Arrival.id)).all()
        db.session.remove()
    assert arrived == [(Decimal("2"), None), (Decimal("150"), None)]


def test_a_commander_may_not_receive_into_the_depot(app, client_as, world):
    activation = call_in(app, world)
    before = (stock_counts(app), counts(app))
    response = client_as("commander").post_form(f"/activations/lines/{activation.rations}/arrivals", {
        "quantity": "10", "arrived_at": local_now(), "location_id": str(world.depot.bin_a)})
    assert response.status_code == 403
    assert (stock_counts(app), counts(app)) == before


@pytest.mark.parametrize("line, data, status, field, message", [
    ("rations", {"quantity": "0"}, 422, "quantity", "must be more than zero"),
    ("rations", {"quantity": "-4"}, 422, "quantity", "must be more than zero"),
    ("rations", {"quantity": "1.5"}, 422, "quantity", "whole units: the catalogue counts this item in units"),
    ("rations", {"quantity": ""}, 422, "quantity", "This field is required."),
    ("rations", {"quantity": "5", "arrived_at": "2001-01-01T08:00"}, 422, "arrived_at",
     "before the request was made"),
    ("rations", {"quantity": "5", "arrived_at": "2099-01-01T08:00"}, 422, "arrived_at",
     "cannot be in the future"),
    ("rations", {"quantity": "5", "location_id": "abc"}, 422, "location_id",
     "Choose a location of the depot."),
    ("rations", {"quantity": "5", "location_id": "999999"}, 422, "location_id",
     "Choose a location of the depot."),
    ("rations", {"quantity": "5", "location_id": "depot"}, 422, "location_id", None),
    ("rations", {"quantity": "5", "lot": "L-1"}, 422, "location_id",
     "a lot is recorded only when received into the depot"),
    ("foam", {"quantity": "5", "location_id": "bin_a"}, 422, "lot", None),
    ("excavators", {"quantity": "1", "location_id": "bin_a"}, 422, "location_id",
     "only catalogue items are received into the depot"),
])
def test_a_refused_arrival_names_the_field_and_writes_nothing(app, client_as, world, line, data, status,
                                                             field, message):
    activation = call_in(app, world)
    places = {"bin_a": str(world.depot.bin_a), "depot": str(world.depot.depot)}
    posted = {"arrived_at": local_now(), **data}
    posted["location_id"] = places.get(posted.get("location_id"), posted.get("location_id", ""))
    before = (stock_counts(app), counts(app))
    response = english(client_as("supply_officer")).post_form(
        f"/activations/lines/{getattr(activation, line)}/arrivals", posted)
    assert response.status_code == status
    found = field_errors(response, field)
    assert found if message is None else message in found, found
    assert (stock_counts(app), counts(app)) == before


# --- the deployment's partner support ---------------------------------------------------------

def test_a_deployment_without_partner_support_says_so(client_as, world):
    response = english(client_as("admin")).get(f"/deployments/{world.incident}")
    assert table_rows(response, "partner-support-table") == []
    assert "No agreement has been called in." in text(response)


def test_the_deployment_page_lists_the_agreements_called_in_and_links_to_call_one_in(app, client_as, world):
    activation = call_in(app, world)
    call_in(app, world, deployment=False)
    client = english(client_as("commander"))
    response = client.get(f"/deployments/{world.incident}")
    rows = table_rows(response, "partner-support-table")
    assert [row["attrs"]["activation"] for row in rows] == [str(activation.id)]
    assert rows[0]["cols"]["agreement"] == "LS-CS-2026-001"
    assert "T-RATION Compressed rations: 0 of 150 box arrived · 150 outstanding" in rows[0]["cols"]["lines"]
    body = response.get_data(as_text=True)
    assert f'href="/activations/{activation.id}"' in body
    link = f'/agreements?standing=in_force&amp;deployment={world.incident}'
    assert link in body
    listing = client.get(html.unescape(link))
    assert [r["attrs"]["agreement"] for r in table_rows(listing, "agreements")] == \
        ["DF-QX-2025-003", "LS-CS-2026-001"]
    listing_body = listing.get_data(as_text=True)
    assert f'href="/agreements/{world.in_force}/activate?deployment={world.incident}"' in listing_body
    assert listing_body.count('data-testid="call-in"') == 2
    # Logistics staff read the support but do not call agreements in.
    logistics = client_as("logistics").get(f"/deployments/{world.incident}").get_data(as_text=True)
    assert 'data-testid="partner-support"' in logistics and 'data-testid="call-in-agreement"' not in logistics


# --- safety -----------------------------------------------------------------------------------

def test_a_script_in_a_title_partner_or_line_is_shown_as_text(app, client_as, world):
    evil = '<script>alert("x")</script>'
    partner = make_partner(app, f"{evil}超市", contact=False)
    agreement_id = make_agreement(app, partner, "EV-2026-001", title=evil, note=evil,
                                  commitments=[{"description": evil, "unit": "<b>t</b>", "quantity": "1"}])
    with app.app_context():
        activation = agreements.activate_agreement(
            db.session, CLI, agreement_id, deployment_id=world.incident, contact_name=evil,
            lines=[{"description": evil, "unit": "台", "quantity": "1"}])
        activation_id = activation.id
        db.session.remove()
    client = client_as("supply_officer")
    for url in ["/agreements", f"/agreements/{agreement_id}", f"/agreements/{agreement_id}/edit",
                f"/agreements/{agreement_id}/activate", f"/activations/{activation_id}",
                f"/deployments/{world.incident}"]:
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in body and "<b>t</b>" not in body, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body, url


def test_pages_carry_no_inline_script_or_style(app, client_as, world):
    activation = call_in(app, world)
    client = client_as("admin")
    for url in ["/agreements", f"/agreements/{world.in_force}", "/agreements/new",
                f"/agreements/{world.in_force}/edit", f"/agreements/{world.in_force}/activate",
                f"/activations/{activation.id}"]:
        body = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=)", body), url
        assert " style=" not in body, url
