"""Label printing on a real database: choosing what to label, records, checks, calibration, scans."""

from __future__ import annotations

import io
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

import labels
from tests.builders import CLI, LABEL_FOAM, LABEL_ROPE, in_days, make_label_depot, make_person, make_squad
from tests.label_scan import scan_labels
from warehouse.domain.categories import CATEGORY_COLOURS
from warehouse.domain.errors import InvalidInput
from warehouse.extensions import db
from warehouse.models import LabelCalibration, Person
from warehouse.queries.scans import resolve_scan
from warehouse.services import labels as service

URL = "https://depot.example.org"
FOAM = LABEL_FOAM
ROPE = LABEL_ROPE


@pytest.fixture
def stocked(app):
    return make_label_depot(app)


@pytest.fixture
def force(app):
    """A standing and a mobile squad; people active, on leave, left, and one in no squad."""
    make_squad(app, "CB-WZ")
    make_squad(app, "JD-WQ", kind="mobile", function="medical", name_zh="卫勤保障机动分队",
               name_en="Mobile medical squad")
    people = {
        "BZ-0001": ("CB-WZ", "刘振华", {"squad_role": "leader"}),
        "BZ-0002": ("CB-WZ", "欧阳晓燕", {}),
        "BZ-0003": ("CB-WZ", "孙海涛", {"status": "on_leave"}),
        "BZ-0004": ("CB-WZ", "郑浩", {"status": "left"}),
        "BZ-0005": ("JD-WQ", "秦岚", {"squad_role": "deputy"}),
        "BZ-0006": (None, "韩冰", {}),
    }
    for badge, (squad, name, fields) in people.items():
        make_person(app, squad, badge_code=badge, name=name, **fields)
    return people


# --- choosing what to print ----------------------------------------------------------------------

def test_boxes_are_chosen_by_module_template_and_live_status(session, stocked):
    eq = service.select_codes(session, "kit", module="EQ")
    assert eq == sorted([stocked["ready"], stocked["empty"]])
    assert service.select_codes(session, "kit", template="FOAM-BOX") == sorted(
        [stocked["ready"], stocked["empty"], stocked["water"]])
    assert service.select_codes(session, "kit", module="EQ", status="ready") == [stocked["ready"]]
    assert service.select_codes(session, "kit", module="ZZ") == []
    with pytest.raises(InvalidInput) as error:
        service.select_codes(session, "kit", status="lost")
    assert "status" in error.value.fields


def test_locations_under_a_zone_are_its_racks_and_bins_not_its_boxes(session, stocked):
    codes = stocked["depot"].codes
    chosen = service.select_codes(session, "location", zone=codes["zone"].lower())
    assert chosen == [codes["zone"], codes["rack"], codes["bin_a"], codes["bin_b"]]
    assert stocked["ready"] not in chosen
    everything = service.select_codes(session, "location", zone=codes["depot"])
    assert codes["quarantine"] in everything and codes["depot"] == everything[0]
    for zone in (None, "NOWHERE", stocked["ready"]):
        with pytest.raises(InvalidInput) as error:
            service.select_codes(session, "location", zone=zone)
        assert "zone" in error.value.fields


def test_items_by_category_and_lots_by_receipt_or_item(session, stocked):
    assert service.select_codes(session, "item", category="re") == [ROPE]
    assert service.select_codes(session, "item") == [FOAM, ROPE]  # category order: EA before RE
    assert service.select_codes(session, "lot", receipt="CG-2026-001") == [f"{FOAM}/L-1", f"{FOAM}/L-2"]
    assert service.select_codes(session, "lot", item=FOAM) == [f"{FOAM}/L-1", f"{FOAM}/L-2", f"{FOAM}/L-3"]
    with pytest.raises(InvalidInput) as error:
        service.select_codes(session, "lot")
    assert "receipt" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        service.select_codes(session, "pallet")
    assert "kind" in error.value.fields


def test_every_printable_kind_prints_a_kind_of_label_address():
    assert set(service.PAYLOAD_KINDS.values()) == set(labels.KINDS)
    assert service.KINDS == ("kit", "location", "item", "lot", "badge")


def test_badges_are_chosen_by_squad_and_only_active_people_unless_on_leave_is_asked_for(session, force):
    assert service.select_codes(session, "badge", squad="cb-wz") == ["BZ-0001", "BZ-0002"]
    # The leader first, then the others by name (byte order on both engines).
    with_leave = sorted(["BZ-0002", "BZ-0003"], key=lambda b: force[b][1])
    assert service.select_codes(session, "badge", squad="CB-WZ", on_leave=True) == ["BZ-0001", *with_leave]
    assert service.select_codes(session, "badge", squad="JD-WQ") == ["BZ-0005"]
    # No squad: everyone active, standing squads first, then mobile ones, then people in none.
    assert service.select_codes(session, "badge") == ["BZ-0001", "BZ-0002", "BZ-0005", "BZ-0006"]


@pytest.mark.parametrize("squad", ["NOWHERE", "cb-xx"])
def test_badges_of_an_unknown_squad_name_the_squad_field(session, force, squad):
    with pytest.raises(InvalidInput) as error:
        service.select_codes(session, "badge", squad=squad)
    assert squad in error.value.fields["squad"][0]


def test_badge_labels_carry_the_address_name_squad_role_and_function(session, force):
    leader, deputy, loner = service.label_records(session, "badge", ["BZ-0001", "BZ-0005", "BZ-0006"],
                                                  public_url=URL + "/")
    assert (leader.code, leader.payload) == ("BZ-0001", f"{URL}/p/BZ-0001")
    assert leader.title_zh == "刘振华"
    assert "物资保障常备分队" in leader.title_en and "队长" in leader.title_en
    assert leader.band == "物资保障 Materials"
    assert any("Standing materials squad" in line for line in leader.small_print)
    assert deputy.band == "卫勤保障 Medical" and "副队长" in deputy.title_en
    assert leader.colour != deputy.colour
    assert (loner.band, loner.colour) == ("", "#616161")
    assert "Not in a squad" in loner.title_en


def test_a_badge_prints_and_its_qr_code_scans_to_the_persons_address(session, force):
    job = service.print_labels(session, kind="badge", codes=["BZ-0001", "BZ-0005"], format="a4-3x8",
                               skip=2, public_url=URL)
    assert (job.count, job.pages) == (2, 1)
    assert scan_labels(job.pdf, job.format, 2, skip=2) == [[f"{URL}/p/BZ-0001"], [f"{URL}/p/BZ-0005"]]
    text = "".join(PdfReader(io.BytesIO(job.pdf)).pages[0].extract_text().split())
    for words in ("刘振华", "秦岚", "BZ-0001", "BZ-0005", "物资保障Materials", "卫勤保障Medical"):
        assert words in text


def test_badge_codes_and_addresses_are_read_and_other_kinds_refused(force):
    assert service.normalise_codes("badge", ["bz-0001", f"{URL}/p/BZ-0002\r\n"]) == ["BZ-0001", "BZ-0002"]
    with pytest.raises(InvalidInput) as error:
        service.normalise_codes("badge", [f"{URL}/k/K-EQ-0001"])
    assert "not a badge label" in error.value.fields["codes"][0]
    with pytest.raises(InvalidInput) as error:
        service.normalise_codes("kit", [f"{URL}/p/BZ-0001"])
    assert "is a badge label, not a kit label" in error.value.fields["codes"][0]


def test_typed_and_scanned_entries_become_codes_of_the_kind():
    assert service.normalise_codes("kit", ["k-eq-0001", f"{URL}/k/K-EQ-0002\r\n", "  ", ""]) == [
        "K-EQ-0001", "K-EQ-0002"]
    assert service.normalise_codes("lot", [f"{URL}/b/{FOAM}/lot-a"]) == [f"{FOAM}/lot-a"]
    with pytest.raises(InvalidInput) as error:
        service.normalise_codes("kit", [f"{URL}/l/T-A"])
    assert "codes" in error.value.fields


# --- label records -------------------------------------------------------------------------------

def test_box_labels_carry_their_address_module_template_and_category_colour(session, stocked):
    [record] = service.label_records(session, "kit", [stocked["ready"]], public_url=URL + "/")
    assert record.payload == f"{URL}/k/{stocked['ready']}"
    assert record.code == stocked["ready"]
    assert (record.title_zh, record.title_en) == ("泡沫箱", "Foam box")
    assert record.colour == CATEGORY_COLOURS["EA"]
    assert record.band.startswith("EA ")
    assert record.module.startswith("EQ ")
    assert any("FOAM-BOX" in line for line in record.small_print)
    assert any(stocked["depot"].codes["zone"] in line for line in record.small_print)


def test_a_bin_takes_the_colour_of_its_zone_and_shows_its_trail(session, stocked):
    codes = stocked["depot"].codes
    records = service.label_records(session, "location", [codes["bin_a"], codes["quarantine"]],
                                    public_url=URL)
    bin_label, quarantine = records
    assert bin_label.payload == f"{URL}/l/{codes['bin_a']}"
    assert bin_label.colour == CATEGORY_COLOURS["EA"]  # the zone's category
    assert codes["rack"] in bin_label.small_print[0] and codes["zone"] in bin_label.small_print[0]
    assert quarantine.colour == "#616161"  # no category above it
    assert quarantine.band == ""


def test_item_and_lot_labels(session, stocked):
    [rope] = service.label_records(session, "item", [ROPE], public_url=URL)
    assert rope.payload == f"{URL}/i/{ROPE}" and rope.colour == CATEGORY_COLOURS["RE"]
    assert any("5-30 °C" in line for line in rope.small_print)
    [lot] = service.label_records(session, "lot", [f"{FOAM}/L-2"], public_url=URL)
    assert lot.payload == f"{URL}/b/{FOAM}/L-2"
    assert any(line.endswith(in_days(500).isoformat()) for line in lot.small_print)


def test_records_keep_the_order_and_repeats_asked_for(session, stocked):
    codes = [stocked["empty"], stocked["ready"], stocked["empty"]]
    assert [r.code for r in service.label_records(session, "kit", codes, public_url=URL)] == codes


@pytest.mark.parametrize("kind, codes", [
    ("kit", ["K-EQ-9999"]),
    ("location", ["NOWHERE"]),
    ("item", ["XX-NONE"]),
    ("lot", [f"{FOAM}/NO-LOT", "NO-SLASH"]),
    ("badge", ["BZ-9999", "K-EQ-0001"]),
])
def test_unknown_codes_are_listed_and_nothing_is_rendered(session, stocked, kind, codes):
    with pytest.raises(InvalidInput) as error:
        service.label_records(session, kind, codes, public_url=URL)
    message = error.value.fields["codes"][0]
    for code in codes:
        assert code in message


def test_a_box_is_not_a_location_label(session, stocked):
    with pytest.raises(InvalidInput):
        service.label_records(session, "location", [stocked["ready"]], public_url=URL)


@pytest.mark.parametrize("codes", [[], ["K"] * (service.MAX_LABELS + 1)])
def test_an_empty_or_oversized_job_is_refused(session, stocked, codes):
    with pytest.raises(InvalidInput) as error:
        service.label_records(session, "kit", codes, public_url=URL)
    assert "codes" in error.value.fields


# --- print jobs ----------------------------------------------------------------------------------

def test_a_print_job_renders_a_pdf_with_its_counts(session, stocked):
    job = service.print_labels(session, kind="kit", codes=[stocked["ready"], stocked["empty"]],
                               format="a4-3x8", skip=23, public_url=URL)
    assert job.pdf.startswith(b"%PDF") and job.count == 2 and job.pages == 2
    roll = service.print_labels(session, kind="item", codes=[FOAM, ROPE], format="thermal-50x30",
                                public_url=URL)
    assert roll.pages == 2


@pytest.mark.parametrize("changes, field", [
    ({"format": "a5-1x1"}, "format"),
    ({"format": None}, "format"),
    ({"skip": 24}, "skip"),
    ({"skip": -1}, "skip"),
    ({"format": "thermal-50x30", "skip": 1}, "skip"),
])
def test_bad_print_jobs_name_the_field(session, stocked, changes, field):
    job = {"kind": "kit", "codes": [stocked["ready"]], "format": "a4-3x8", "skip": 0, **changes}
    with pytest.raises(InvalidInput) as error:
        service.print_labels(session, public_url=URL, **job)
    assert field in error.value.fields
    if field == "format":
        reason = error.value.fields["format"][0]
        assert "a4-3x8" in reason and "thermal-100x70" in reason


# --- calibration ---------------------------------------------------------------------------------

def test_calibration_is_stored_updated_and_applied_to_prints(session, stocked, monkeypatch):
    service.calibrate(session, CLI, format="a4-3x8", offset_x_mm=1.25, offset_y_mm="-2")
    service.calibrate(session, CLI, format="a4-3x8", offset_x_mm=1.5, offset_y_mm=-2)
    assert service.calibrations(session) == {"a4-3x8": (1.5, -2.0)}
    seen = {}

    def fake_render(records, fmt, **options):
        seen.update(options)
        return b"%PDF-fake"

    monkeypatch.setattr(service, "render_pdf", fake_render)
    service.print_labels(session, kind="kit", codes=[stocked["ready"]], format="a4-3x8", public_url=URL)
    assert seen["offset_mm"] == (1.5, -2.0)
    service.print_labels(session, kind="kit", codes=[stocked["ready"]], format="a4-2x7", public_url=URL)
    assert seen["offset_mm"] == (0.0, 0.0)


@pytest.mark.parametrize("changes, field", [
    ({"offset_x_mm": 20.5}, "offset_x_mm"),
    ({"offset_y_mm": -21}, "offset_y_mm"),
    ({"offset_x_mm": "left"}, "offset_x_mm"),
    ({"offset_y_mm": float("nan")}, "offset_y_mm"),
    ({"offset_x_mm": None}, "offset_x_mm"),
    ({"format": "a3"}, "format"),
])
def test_bad_calibration_is_refused_and_nothing_written(session, changes, field):
    with pytest.raises(InvalidInput) as error:
        service.calibrate(session, CLI, **{"format": "a4-2x7", "offset_x_mm": 1, "offset_y_mm": 1, **changes})
    assert field in error.value.fields
    assert session.scalar(select(func.count()).select_from(LabelCalibration)) == 0


def test_two_officers_saving_the_first_calibration_at_once_both_succeed(app):
    errors, barrier = [], threading.Barrier(2)

    def save(x):
        with app.app_context():
            try:
                barrier.wait()
                service.calibrate(db.session, CLI, format="thermal-50x30", offset_x_mm=x, offset_y_mm=0)
            except Exception as error:  # noqa: BLE001 - any failure fails the test below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(x,)) for x in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        rows = db.session.scalars(select(LabelCalibration)).all()
        assert len(rows) == 1 and rows[0].offset_x_mm in (1.0, 2.0)


# --- scans ---------------------------------------------------------------------------------------

def test_scans_resolve_label_addresses_and_bare_codes(session, stocked):
    ready, codes = stocked["ready"], stocked["depot"].codes
    assert resolve_scan(session, f"{URL}/k/{ready}").kind == "kit"
    assert resolve_scan(session, f"http://other-host:5000/k/{ready.lower()}").code == ready
    assert resolve_scan(session, ready + "\r\n").kind == "kit"  # a bare box code
    # A box's own location code opens the box, not its location.
    assert resolve_scan(session, f"{URL}/l/{ready}").kind == "kit"
    place = resolve_scan(session, codes["bin_a"])
    assert (place.kind, place.id) == ("location", stocked["depot"].bin_a)
    item = resolve_scan(session, f"{URL}/i/{FOAM}")
    assert (item.kind, item.id) == ("item", stocked["foam"])
    lot = resolve_scan(session, f"{FOAM}/L-2")
    assert (lot.kind, lot.item_sku, lot.lot_code) == ("lot", FOAM, "L-2")
    assert resolve_scan(session, f"{URL}/b/{FOAM}/L-2").lot_code == "L-2"


def test_scans_resolve_badges_to_people(session, force):
    ids = dict(session.execute(select(Person.badge_code, Person.id)).all())
    for text in (f"{URL}/p/BZ-0001", "http://other-host/p/bz-0001", "BZ-0001", " bz-0001\r\n"):
        found = resolve_scan(session, text)
        assert (found.kind, found.code, found.id) == ("person", "BZ-0001", ids["BZ-0001"]), text
    # Someone who left keeps their badge page (it says they left).
    assert resolve_scan(session, f"{URL}/p/BZ-0004").id == ids["BZ-0004"]
    assert resolve_scan(session, f"{URL}/p/BZ-9999") is None
    assert resolve_scan(session, "BZ-0001", kind="kit") is None


@pytest.mark.parametrize("text", ["", "   ", "K-EQ-9999", "https://x/k/", "https://x/q/ABC",
                                  f"{FOAM}/NOPE", "x" * 600, "/b/NOSLASH"])
def test_scans_of_nothing_known_resolve_to_none(session, stocked, text):
    assert resolve_scan(session, text) is None


def test_codes_too_dense_for_a_small_label_are_a_format_error(session, stocked):
    long_url = "https://" + "reserve-depot." * 40 + "example.org"
    with pytest.raises(InvalidInput) as error:
        service.print_labels(session, kind="kit", codes=[stocked["ready"]], format="thermal-50x30",
                             public_url=long_url)
    assert "thermal-50x30" in error.value.fields["format"][0]
    # The same labels fit a large box label.
    assert service.print_labels(session, kind="kit", codes=[stocked["ready"]], format="a4-2x2",
                                public_url=long_url).count == 1


def test_copies_print_each_label_side_by_side_and_count_against_the_maximum(session, stocked):
    fmt, records = service.plan_job(session, kind="kit", codes=[stocked["ready"], stocked["empty"]],
                                    format="a4-2x2", copies=3, public_url=URL)
    assert [r.code for r in records] == [stocked["ready"]] * 3 + [stocked["empty"]] * 3
    job = service.print_labels(session, kind="kit", codes=[stocked["ready"]], format="a4-2x2",
                               copies=3, skip=2, public_url=URL)
    assert (job.count, job.pages) == (3, 2)
    for copies in (0, service.MAX_COPIES + 1):
        with pytest.raises(InvalidInput) as error:
            service.plan_job(session, kind="kit", codes=[stocked["ready"]], format="a4-2x2",
                             copies=copies, public_url=URL)
        assert "copies" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        service.plan_job(session, kind="kit", codes=[stocked["ready"]] * 600, format="a4-3x8",
                         copies=10, public_url=URL)
    assert "6000" in error.value.fields["codes"][0]
