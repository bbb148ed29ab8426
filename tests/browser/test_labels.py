"""A supply officer in a real browser prints the box labels of one module, and every QR scans."""

import pytest
from playwright.sync_api import expect

from labels import get_format
from tests.browser.test_stock_operations import sign_in
from tests.builders import make_label_depot, make_user
from tests.label_scan import scan_labels

pytestmark = pytest.mark.browser


def test_officer_prints_a_modules_box_labels_and_every_code_scans(app, live_server, page, tmp_path):
    make_user(app, "supply_officer", username="officer", display_name="司务长 王强")
    depot = make_label_depot(app)
    sign_in(page, live_server, "officer")
    page.locator("nav.nav a[href='/labels']").click()

    # Only the chosen kind's filters show (labels.js); boxes are the default.
    expect(page.get_by_test_id("module")).to_be_visible()
    page.get_by_test_id("kind-location").check()
    expect(page.get_by_test_id("module")).to_be_hidden()
    page.get_by_test_id("kind-kit").check()

    # A roll has no used positions to skip.
    page.get_by_test_id("format").select_option("thermal-50x30")
    expect(page.get_by_test_id("skip")).to_be_disabled()
    page.get_by_test_id("module").select_option("EQ")
    page.get_by_test_id("format").select_option("a4-3x8")
    expect(page.get_by_test_id("skip")).to_be_enabled()
    page.get_by_test_id("skip").fill("4")
    page.get_by_test_id("prepare").click()

    job = page.get_by_test_id("job")
    expect(job).to_contain_text(depot["ready"])
    expect(job).not_to_contain_text(depot["water"])
    preview = page.get_by_test_id("preview")
    expect(preview).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=preview.element_handle())

    with page.expect_download() as download:
        page.get_by_test_id("download").click()
    path = tmp_path / "labels.pdf"
    download.value.save_as(path)
    codes = [depot["empty"], depot["ready"]]  # the module's boxes, in code order
    scanned = scan_labels(path.read_bytes(), get_format("a4-3x8"), len(codes), skip=4)
    public_url = app.config["PUBLIC_URL"]
    assert scanned == [[f"{public_url}/k/{code}"] for code in sorted(codes)]
