"""The scan station in a real Chromium: five boxes out to a drill by their label URLs and back in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from labels.qr import qr_matrix
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_stock_operations import sign_in
from tests.builders import CLI, make_box_depot, make_deployment, make_user
from warehouse.domain.kits import KitStatus
from warehouse.domain.stock import Reason
from warehouse.extensions import db
from warehouse.models import (
    Deployment,
    Item,
    Kit,
    KitCheckout,
    Location,
    ScanEvent,
    StockBalance,
    StockMovement,
)
from warehouse.services import kits, ledger

pytestmark = pytest.mark.browser


def snapshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"station-{name}.png"), full_page=True)


class Console:
    """Script errors of a page, apart from Chromium's note on each refused scan.

    The scan API answers a refusal with a 4xx status, which Chromium logs as "Failed to load
    resource"; those are expected answers, so they are kept apart (as statuses) and checked.
    """

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.refusals: list[int] = []
        self.lost: int = 0  # requests the test cut off on purpose
        page.on("console", self._message)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _message(self, message) -> None:
        if message.type != "error":
            return
        found = re.match(r"Failed to load resource: the server responded with a status of (4\d\d)",
                         message.text)
        ours = "/api/v1/scans" in message.location.get("url", "")
        if found and ours:
            self.refusals.append(int(found.group(1)))
        elif ours and "net::ERR_FAILED" in message.text:
            self.lost += 1
        else:
            self.errors.append(message.text)


def scan(page, text: str) -> None:
    """Type into whatever has the focus, as a handheld scanner does, then Enter."""
    expect(page.get_by_test_id("scan-input")).to_be_focused()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def expect_answer(page, result: str, code: str | None = None) -> None:
    feedback = page.get_by_test_id("feedback")
    expect(feedback).to_have_attribute("data-result", result)
    if code is not None:
        expect(feedback.locator("[data-part=code]")).to_have_text(code)


def box_contents(code: str) -> dict[str, int]:
    """{sku: units} in a box now."""
    kit = db.session.scalar(select(Kit).where(Kit.code == code))
    skus = dict(db.session.execute(select(Item.id, Item.sku)).all())
    found: dict[str, int] = {}
    for held in kits.holdings(db.session, kit):
        found[skus[held.item_id]] = found.get(skus[held.item_id], 0) + held.quantity
    return found


def on_hand(item_id: int, *, except_location: int | None = None) -> int:
    stmt = select(func.coalesce(func.sum(StockBalance.quantity), 0)).where(StockBalance.item_id == item_id)
    if except_location is not None:
        stmt = stmt.where(StockBalance.location_id != except_location)
    return db.session.scalar(stmt)


def test_keeper_checks_five_boxes_out_to_a_drill_by_label_url_and_back_in_with_usage(app, live_server, page):
    depot = make_box_depot(app, boxes=5)
    make_user(app, "logistics", username="keeper", display_name="保管员 王芳")
    drill = make_deployment(app, "龙首山山岳救援拉动演练", kind="drill", place="龙首山")
    with app.app_context():
        drill_code = db.session.get(Deployment, drill).code
        before = {"foam": on_hand(depot.foam), "rope": on_hand(depot.rope)}
        db.session.remove()
    boxes = depot.boxes
    console = Console(page)

    sign_in(page, live_server, "keeper")
    page.goto(f"{live_server}/station")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_test_id("deployment").select_option(str(drill))
    expect(page).to_have_url(f"{live_server}/station?mode=check_out&deployment={drill}")
    expect(page.get_by_test_id("mode-check_out")).to_have_attribute("aria-pressed", "true")

    # Out: five label URLs typed by the "scanner", five green answers.
    for code in boxes:
        scan(page, f"{live_server}/k/{code}")
        expect_answer(page, "checked_out", code)
        expect(page.get_by_test_id("feedback")).to_have_attribute("data-state", "ok")
        expect(page.get_by_test_id("feedback").locator("[data-part=status]")).to_have_text("已出动")
        expect(page.get_by_test_id("feedback").locator("[data-part=deployment]")).to_contain_text(drill_code)
    expect(page.locator("[data-testid=scan-list] li[data-result=checked_out]")).to_have_count(5)
    snapshot(page, "five-out")

    # A code nobody printed: red, echoed as text; the last check-out can still be undone.
    scan(page, "K-NOPE-<b>9</b>")
    expect_answer(page, "not_found", "K-NOPE-<b>9</b>")
    expect(page.get_by_test_id("feedback")).to_have_attribute("data-state", "bad")
    expect(page.get_by_test_id("feedback").locator("b")).to_have_count(0)
    snapshot(page, "unknown")
    expect(page.get_by_test_id("undo")).to_be_enabled()
    page.get_by_test_id("undo").click()
    expect_answer(page, "undone", boxes[4])
    expect(page.get_by_test_id("undo")).to_be_disabled()
    with app.app_context():
        assert db.session.scalar(select(Kit.status).where(Kit.code == boxes[4])) == KitStatus.READY
        db.session.remove()
    page.get_by_test_id("feedback").click()  # a click on the page gives the focus back to the input
    scan(page, boxes[4])  # a bare code works as well as a label URL
    expect_answer(page, "checked_out", boxes[4])

    # In: F2 switches mode; each scan asks what was used.
    page.keyboard.press("F2")
    expect(page.get_by_test_id("mode-check_in")).to_have_attribute("aria-pressed", "true")
    typed = {
        boxes[0]: {"T-FOAM": {"consumed": 1}},
        boxes[1]: {"T-ROPE": {"consumed": 2}},
        boxes[2]: {"T-ROPE": {"damaged": 1, "lost": 1}},
        boxes[3]: {},
    }
    usage = page.get_by_test_id("usage-form")
    for code, lines in typed.items():
        scan(page, f"{live_server}/k/{code}")
        expect(usage).to_be_visible()
        expect(usage.locator("[data-part=code]")).to_have_text(code)
        expect(usage.locator("tbody tr")).to_have_count(2)
        expect(usage.locator("tr[data-sku=T-FOAM] [data-col=lot]")).to_have_text("F-1")
        expect(usage.locator("tr[data-sku=T-ROPE] [data-col=quantity]")).to_have_text("2")
        expect(usage.locator("tr[data-sku=T-FOAM] input[name=consumed]")).to_be_focused()
        if code == boxes[0]:
            snapshot(page, "usage-form")
        if code == boxes[3]:
            # A label fired into a number field is not read as 0: the form refuses and stays.
            page.keyboard.type(f"{live_server}/k/{boxes[4]}")
            page.keyboard.press("Enter")
            expect(usage.locator("[data-part=error]")).not_to_be_empty()
            expect(usage).to_be_visible()
            # More than went out is refused in the form, which stays; Esc cancels, the box stays out.
            usage.locator("tr[data-sku=T-FOAM] input[name=consumed]").fill("0")
            usage.locator("tr[data-sku=T-ROPE] input[name=consumed]").fill("5")
            page.keyboard.press("Enter")
            expect(usage.locator("[data-part=error]")).not_to_be_empty()
            expect(usage).to_be_visible()
            page.keyboard.press("Escape")
            expect(usage).to_be_hidden()
            expect(page.get_by_test_id("feedback")).to_have_attribute("data-state", "pending")
            scan(page, code)
            expect(usage).to_be_visible()
        for sku, counts in lines.items():
            for name, value in counts.items():
                usage.locator(f"tr[data-sku={sku}] input[name={name}]").fill(str(value))
        page.keyboard.press("Enter")
        expect(usage).to_be_hidden()
        expect_answer(page, "checked_in", code)
        expect(page.get_by_test_id("feedback").locator("[data-part=status]")).to_have_text("已归还待检")
        expect(page.get_by_test_id("scan-input")).to_be_focused()
    snapshot(page, "checked-in")

    # The last one with quick check-in: no form at all.
    page.get_by_test_id("quick-check-in").check()
    scan(page, f"{live_server}/k/{boxes[4]}")
    expect_answer(page, "checked_in", boxes[4])
    expect(usage).to_be_hidden()
    expect(page.locator("[data-testid=scan-list] li[data-result=checked_in]")).to_have_count(5)
    # Checking a box in twice is refused, in red.
    scan(page, boxes[4])
    expect_answer(page, "conflict", boxes[4])
    snapshot(page, "done")

    with app.app_context():
        s = db.session
        statuses = dict(s.execute(select(Kit.code, Kit.status).where(Kit.code.in_(boxes))).all())
        assert statuses == dict.fromkeys(boxes, KitStatus.RETURNED)
        # Each box holds what it went out with less what was typed (1 foam drum, 2 ropes each).
        for code in boxes:
            lines = typed.get(code, {})
            expected = {sku: full - sum(lines.get(sku, {}).values())
                        for sku, full in (("T-FOAM", 1), ("T-ROPE", 2))}
            assert box_contents(code) == {sku: n for sku, n in expected.items() if n}, code
        moved = sorted((m.reason, s.get(Item, m.item_id).sku, m.quantity,
                        s.get(Location, m.to_location_id).code if m.to_location_id else None)
                       for m in s.scalars(select(StockMovement).where(StockMovement.reference == drill_code)))
        assert moved == sorted([
            (Reason.CONSUME, "T-FOAM", 1, None),
            (Reason.CONSUME, "T-ROPE", 2, None),
            (Reason.MOVE, "T-ROPE", 1, depot.depot.codes["quarantine"]),
            (Reason.DISPOSE, "T-ROPE", 1, None),
        ])
        # Stock on hand dropped by what was consumed and lost; the damaged rope is in quarantine.
        assert on_hand(depot.foam) == before["foam"] - 1
        assert on_hand(depot.rope) == before["rope"] - 3
        assert on_hand(depot.rope, except_location=depot.depot.quarantine) == before["rope"] - 4
        assert ledger.check(s) == []
        results = dict(s.execute(select(ScanEvent.result, func.count()).where(ScanEvent.user_id.is_not(None))
                                 .group_by(ScanEvent.result)).all())
        assert results["checked_out"] == 6 and results["checked_in"] == 5 and results["undone"] == 1
        assert results["not_found"] == 1 and results["conflict"] == 1
        s.remove()
    assert console.errors == [] and console.refusals == [404, 409]


def test_a_short_box_goes_out_on_an_officers_reason_and_a_keeper_is_told_to_ask(app, live_server, page):
    depot = make_box_depot(app, boxes=2)
    make_user(app, "logistics", username="keeper")
    make_user(app, "supply_officer", username="officer")
    incident = make_deployment(app, "西安区高层住宅火灾", kind="incident")
    short = depot.boxes[0]
    with app.app_context():
        kits.restock_kit(db.session, CLI, short, removals=[{"item_id": depot.rope, "quantity": 1,
                                                             "to_location_id": depot.depot.bin_b}])
        db.session.remove()
    console = Console(page)

    sign_in(page, live_server, "keeper")
    page.goto(f"{live_server}/station?deployment={incident}")
    scan(page, short)
    expect_answer(page, "conflict", short)
    feedback = page.get_by_test_id("feedback")
    expect(feedback.get_by_test_id("shortfalls")).to_contain_text("T-ROPE")
    expect(feedback.get_by_test_id("shortfalls")).to_contain_text("−1")
    expect(feedback.locator("[data-part=ask]")).to_be_visible()
    expect(page.get_by_test_id("override-form")).to_be_hidden()
    snapshot(page, "short-keeper")

    page.get_by_test_id("logout").click()
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/station?deployment={incident}")
    scan(page, short)
    expect_answer(page, "conflict", short)
    form = page.get_by_test_id("override-form")
    expect(form).to_be_visible()
    expect(feedback.locator("[data-part=ask]")).to_be_hidden()
    expect(page.get_by_test_id("override-reason")).to_be_focused()
    page.keyboard.type("急需，缺绳先出")
    page.keyboard.press("Enter")
    expect_answer(page, "checked_out", short)
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("scan-input")).to_be_focused()
    snapshot(page, "short-officer")

    # Look-up mode (F3) reports a box without touching it.
    page.keyboard.press("F3")
    scan(page, depot.boxes[1])
    expect_answer(page, "found", depot.boxes[1])
    expect(feedback.locator("[data-part=status]")).to_have_text("完好")

    # The network loses the answer of a check-out the server did: Enter retries with the same
    # idempotency key and the server replays its first answer instead of acting twice.
    sent, replayed = [], []

    def lose_first_answer(route):
        sent.append(route.request.post_data_json["idempotency_key"])
        response = route.fetch()
        if len(sent) == 1:
            route.abort()
        else:
            replayed.append(response.headers.get("idempotent-replayed"))
            route.fulfill(response=response)

    page.route("**/api/v1/scans", lose_first_answer)
    page.keyboard.press("F1")
    scan(page, depot.boxes[1])
    expect(feedback).to_have_attribute("data-result", "network")
    expect(page.get_by_test_id("scan-input")).to_have_value(depot.boxes[1])
    expect(page.get_by_test_id("scan-input")).to_be_focused()
    page.keyboard.press("Enter")
    expect_answer(page, "checked_out", depot.boxes[1])
    assert len(sent) == 2 and sent[0] == sent[1] and replayed == ["true"]
    page.unroute("**/api/v1/scans")

    with app.app_context():
        checkout = db.session.scalar(select(KitCheckout).join(Kit, Kit.id == KitCheckout.kit_id)
                                     .where(Kit.code == short))
        assert checkout.override_reason == "急需，缺绳先出"
        checkouts = select(func.count()).select_from(KitCheckout).join(Kit, Kit.id == KitCheckout.kit_id)
        assert db.session.scalar(checkouts.where(Kit.code == depot.boxes[1])) == 1
        assert db.session.scalar(select(func.count()).select_from(ScanEvent)
                                 .where(ScanEvent.idempotency_key == sent[0])) == 1
        db.session.remove()
    assert console.errors == [] and console.refusals == [409, 409] and console.lost == 1


def write_label_video(path, payload: str, *, width: int = 640, height: int = 480, module: int = 8) -> None:
    """Write a few frames of a box label's QR code, as Chromium's fake camera plays them (Y4M)."""
    rows = qr_matrix(payload)
    size = (len(rows) + 8) * module  # with the 4-module quiet zone a reader needs
    left, top = (width - size) // 2, (height - size) // 2
    luma = bytearray(b"\xff" * width * height)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                for y in range(top + (r + 4) * module, top + (r + 5) * module):
                    start = y * width + left + (c + 4) * module
                    luma[start:start + module] = b"\x00" * module
    chroma = b"\x80" * (width // 2) * (height // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * 5)


def test_phone_camera_reads_a_box_label_and_checks_the_box_out(app, live_server, browser, tmp_path):
    depot = make_box_depot(app, boxes=1)
    make_user(app, "logistics", username="keeper")
    drill = make_deployment(app, "龙首山山岳救援拉动演练")
    code = depot.boxes[0]
    video = tmp_path / "label.y4m"
    write_label_video(video, f"{live_server}/k/{code}")
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"])
    try:
        context = camera_browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800},
                                             permissions=["camera"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        console = Console(page)
        sign_in(page, live_server, "keeper")
        page.goto(f"{live_server}/station?deployment={drill}")
        native = page.evaluate("'BarcodeDetector' in window")
        page.get_by_test_id("camera").click()
        expect(page.get_by_test_id("camera-panel")).to_be_visible()
        expect_answer(page, "checked_out", code)
        page.locator("#camera-stop").click()
        expect(page.get_by_test_id("camera-panel")).to_be_hidden()
        # Linux Chromium has no BarcodeDetector: the vendored decoder was loaded, on demand.
        assert native or page.evaluate("typeof window.jsQR") == "function"
        snapshot(page, "camera")
        with app.app_context():
            assert db.session.scalar(select(Kit.status).where(Kit.code == code)) == KitStatus.DEPLOYED
            db.session.remove()
        assert console.errors == []
        context.close()
    finally:
        camera_browser.close()
