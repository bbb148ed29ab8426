"""A supply officer in a real browser: record a support agreement with its signed PDF, add a
commitment, read it back in Chinese and download the PDF again."""

import hashlib
from decimal import Decimal
from io import BytesIO

import pytest
from playwright.sync_api import expect
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from sqlalchemy import select

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_stock_operations import sign_in
from tests.builders import in_days, make_item, make_partner, make_user
from warehouse.extensions import db
from warehouse.models import Agreement, AgreementDocument, Commitment

pytestmark = pytest.mark.browser


def snapshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"agreements-{name}.png"), full_page=True)


def signed_agreement() -> bytes:
    """A one-page agreement as a scanner's software would save it, Chinese text included."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setTitle("应急保障协议 LS-CS-2026-002")
    page.setFont("STSong-Light", 16)
    page.drawString(72, 760, "辽源市消防救援支队 应急物资保障协议")
    page.setFont("STSong-Light", 11)
    for number, line in enumerate(["协议编号：LS-CS-2026-002", "乙方：龙山区欧亚购物中心",
                                   "乙方承诺：接到通知后4小时内供应压缩干粮200箱。", "（签字盖章）"]):
        page.drawString(72, 720 - 22 * number, line)
    page.showPage()
    page.save()
    return buffer.getvalue()


def test_a_supply_officer_records_an_agreement_with_its_pdf_and_downloads_it(app, live_server, page,
                                                                            tmp_path):
    make_user(app, "supply_officer", username="officer", display_name="供应科 李明")
    rations = make_item(app, "FF-RATION", name_zh="压缩干粮", name_en="Compressed rations", category="FF",
                        unit="box", tracking="bulk", expiry_required=False, shelf_life_days=None)
    market = make_partner(app, "龙山区欧亚购物中心")
    make_partner(app, "东丰县汽车修理厂", kind="auto_repair", district="DF")
    content = signed_agreement()
    scan = tmp_path / "应急保障协议（签字版）.pdf"
    scan.write_bytes(content)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/agreements")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_test_id("new-agreement").click()

    form = page.get_by_test_id("agreement-form")
    form.locator("input[name=number]").fill("ls-cs-2026-002")
    form.locator("select[name=partner_id]").select_option(str(market))
    form.locator("input[name=title]").fill("应急物资保障协议")
    form.locator("input[name=signed_on]").fill(in_days(-1).isoformat())
    form.locator("input[name=valid_from]").fill(in_days(0).isoformat())
    form.locator("input[name=valid_to]").fill(in_days(364).isoformat())
    form.locator("input[name=response_hours]").fill("4")
    expect(form.locator("select[name=status]")).to_have_value("active")
    form.locator("textarea[name=note]").fill("接到通知后4小时内送达")
    form.locator("input[name=document]").set_input_files(str(scan))
    snapshot(page, "form")
    page.get_by_test_id("save-agreement").click()

    expect(page.locator(".flash-success")).to_be_visible()
    with app.app_context():
        agreement = db.session.scalar(select(Agreement).where(Agreement.number == "LS-CS-2026-002"))
        agreement_id = agreement.id
        assert (agreement.partner_id, agreement.title, agreement.valid_to, agreement.response_hours,
                agreement.status.value) == (market, "应急物资保障协议", in_days(364), 4, "active")
        db.session.remove()
    expect(page).to_have_url(f"{live_server}/agreements/{agreement_id}")
    expect(page.get_by_test_id("number")).to_have_text("LS-CS-2026-002")
    expect(page.get_by_test_id("partner")).to_contain_text("龙山区欧亚购物中心")
    expect(page.get_by_test_id("contact")).to_contain_text("138 0437 0001")
    expect(page.locator("[data-testid=document]")).to_contain_text("应急保障协议（签字版）.pdf")
    expect(page.get_by_test_id("sha256")).to_have_text(hashlib.sha256(content).hexdigest())

    commitment = page.get_by_test_id("commitment-form")
    commitment.locator("select[name=item_id]").select_option(str(rations))
    commitment.locator("input[name=quantity]").fill("200")
    commitment.locator("input[name=note]").fill("4小时内送达")
    page.get_by_test_id("add-commitment").click()

    expect(page.locator(".flash-success")).to_be_visible()
    row = page.locator("[data-testid=commitments] tr[data-commitment]")
    expect(row).to_have_count(1)
    expect(row.locator("[data-col=what]")).to_contain_text("FF-RATION")
    expect(row.locator("[data-col=what]")).to_contain_text("压缩干粮")
    expect(row.locator("[data-col=quantity] .qty")).to_have_text("200")
    expect(row.locator("[data-col=note]")).to_have_text("4小时内送达")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    snapshot(page, "page")

    with page.expect_download() as started:
        page.get_by_test_id("download").click()
    download = started.value
    assert download.suggested_filename == "应急保障协议（签字版）.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == content

    with app.app_context():
        lines = db.session.scalars(select(Commitment).where(Commitment.agreement_id == agreement_id)).all()
        assert [(c.item_id, c.quantity, c.unit, c.period.value) for c in lines] == \
            [(rations, Decimal("200"), "box", "total")]
        document = db.session.scalar(select(AgreementDocument)
                                     .where(AgreementDocument.agreement_id == agreement_id))
        assert document.sha256 == hashlib.sha256(content).hexdigest() and document.size == len(content)
        assert document.uploaded_by_name == "供应科 李明"
        db.session.remove()

    page.goto(f"{live_server}/agreements")
    listed = page.locator("[data-testid=agreements] tr[data-agreement='LS-CS-2026-002']")
    expect(listed).to_have_attribute("data-standing", "in_force")
    expect(listed.locator("[data-col=document]")).to_have_text("PDF")
    assert errors == []
