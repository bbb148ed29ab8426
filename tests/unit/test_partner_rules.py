"""Partner rules with plain values: standing, terms, quantities, the PDF check and reachable totals."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from warehouse.domain.errors import Conflict, InvalidInput
from warehouse.domain.partners import (
    AgreementStatus,
    PartnerKind,
    Period,
    Source,
    Standing,
    Supply,
    can_activate,
    check_commitment_target,
    check_pdf,
    check_term,
    document_filename,
    holds_stockpile,
    in_force,
    out_of_touch,
    reach,
    standing,
    validate_agreement_number,
    validate_quantity,
    validate_response_hours,
)

DAY = date(2026, 11, 29)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def field_of(error: InvalidInput) -> str:
    return next(iter(error.fields))


@pytest.mark.parametrize(("status", "start", "end", "expected"), [
    (AgreementStatus.DRAFT, -10, 100, Standing.DRAFT),
    (AgreementStatus.TERMINATED, -10, 100, Standing.TERMINATED),
    (AgreementStatus.EXPIRED, -10, 100, Standing.EXPIRED),
    (AgreementStatus.ACTIVE, -400, -1, Standing.EXPIRED),
    (AgreementStatus.ACTIVE, 1, 400, Standing.PENDING),
    (AgreementStatus.ACTIVE, -10, 59, Standing.EXPIRING),
    (AgreementStatus.ACTIVE, -10, 0, Standing.EXPIRING),
    (AgreementStatus.ACTIVE, -10, 60, Standing.IN_FORCE),
    (AgreementStatus.ACTIVE, 0, 365, Standing.IN_FORCE),
])
def test_an_agreements_standing_follows_its_status_and_term(status, start, end, expected):
    assert standing(status, DAY + timedelta(days=start), DAY + timedelta(days=end), DAY) == expected


@pytest.mark.parametrize(("status", "start", "end", "expected"), [
    (AgreementStatus.ACTIVE, 0, 0, True), (AgreementStatus.ACTIVE, -5, -1, False),
    (AgreementStatus.ACTIVE, 1, 9, False), (AgreementStatus.DRAFT, -5, 5, False),
    (AgreementStatus.EXPIRED, -5, 5, False), (AgreementStatus.TERMINATED, -5, 5, False),
])
def test_only_an_active_agreement_within_its_term_is_in_force(status, start, end, expected):
    valid_from, valid_to = DAY + timedelta(days=start), DAY + timedelta(days=end)
    assert in_force(status, valid_from, valid_to, DAY) is expected
    if expected:
        can_activate(status, valid_from, valid_to, DAY)
    else:
        with pytest.raises(Conflict):
            can_activate(status, valid_from, valid_to, DAY)


def test_an_agreement_needs_a_term_that_does_not_end_before_it_starts():
    check_term(DAY, DAY)
    for valid_from, valid_to, signed, field in [
        (None, DAY, None, "valid_from"), (DAY, None, None, "valid_to"),
        (DAY, DAY - timedelta(days=1), None, "valid_to"), (DAY, DAY, DAY + timedelta(days=1), "signed_on"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            check_term(valid_from, valid_to, signed)
        assert field_of(caught.value) == field


@pytest.mark.parametrize(("value", "expected"), [
    ("ly-xf-2026-001", "LY-XF-2026-001"), (" DL/ZB/7 ", "DL/ZB/7"), ("A1B", "A1B"),
])
def test_agreement_numbers_are_normalised(value, expected):
    assert validate_agreement_number(value) == expected


@pytest.mark.parametrize("value", [None, "", "ab", "-LY-1", "LY 1", "合同1号", "A" * 41, 12345])
def test_bad_agreement_numbers_are_refused(value):
    with pytest.raises(InvalidInput):
        validate_agreement_number(value)


@pytest.mark.parametrize(("value", "expected"), [(0, 0), (6, 6), ("24", 24), (720, 720)])
def test_response_hours_are_whole_hours_up_to_a_month(value, expected):
    assert validate_response_hours(value) == expected


@pytest.mark.parametrize("value", [-1, 721, "6h", 2.5, None, True, ""])
def test_bad_response_hours_are_refused(value):
    with pytest.raises(InvalidInput):
        validate_response_hours(value)


@pytest.mark.parametrize(("value", "whole", "expected"), [
    ("20", False, Decimal("20.000")), (2.5, False, Decimal("2.500")), ("0.125", False, Decimal("0.125")),
    (200, True, Decimal("200")), ("3.0", True, Decimal("3")),
])
def test_quantities_are_positive_with_up_to_three_decimals(value, whole, expected):
    assert validate_quantity(value, whole=whole) == expected


@pytest.mark.parametrize(("value", "whole"), [
    (-1, False), (0, False), ("-0.5", False), ("abc", False), ("NaN", False), ("Infinity", False),
    ("0.0001", False), (True, False), (None, False), ("1e12", False), ("2.5", True),
])
def test_bad_quantities_are_refused(value, whole):
    with pytest.raises(InvalidInput) as caught:
        validate_quantity(value, whole=whole)
    assert field_of(caught.value) == "quantity"


def test_a_commitment_names_an_item_or_says_what_it_is():
    check_commitment_target(7, None, "", "")
    check_commitment_target(None, 3, "盒饭", "份/天")
    check_commitment_target(None, None, "挖掘机", "台")
    for args, field in [((7, 3, "", ""), "category"), ((None, 3, "", "份"), "description"),
                        ((None, None, "挖掘机", ""), "unit")]:
        with pytest.raises(InvalidInput) as caught:
            check_commitment_target(*args)
        assert field_of(caught.value) == field


def test_only_the_five_departments_keep_stockpiles():
    assert {kind for kind in PartnerKind if holds_stockpile(kind)} == {
        PartnerKind.EMERGENCY_MANAGEMENT, PartnerKind.DEVELOPMENT_REFORM, PartnerKind.EARTHQUAKE,
        PartnerKind.CIVIL_AFFAIRS, PartnerKind.WATER_RESOURCES}


def test_a_partner_is_out_of_touch_after_180_days_without_an_answer():
    now = datetime(2026, 11, 29, 8, tzinfo=UTC)
    assert out_of_touch(None, now)
    assert out_of_touch(now - timedelta(days=181), now)
    assert not out_of_touch(now - timedelta(days=179), now)


def test_a_pdf_is_recognised_by_its_content():
    check_pdf(PDF)
    check_pdf(PDF + b"\r\n")


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "the file is empty"),
    (b"GIF89a" + PDF, "not a PDF document"),
    (b"<html>%PDF-1.4</html>%%EOF", "not a PDF document"),
    (b"%PDF-1.4\nno end", "not a complete PDF document"),
    (b"PK\x03\x04%%EOF", "not a PDF document"),
])
def test_files_that_are_not_pdfs_are_refused(data, reason):
    with pytest.raises(InvalidInput) as caught:
        check_pdf(data)
    assert caught.value.fields == {"document": [reason]}


def test_a_pdf_over_the_limit_is_refused():
    big = b"%PDF-1.7\n" + b"0" * 2000 + b"\n%%EOF\n"
    check_pdf(big, limit=len(big))
    with pytest.raises(InvalidInput) as caught:
        check_pdf(big, limit=len(big) - 1)
    assert field_of(caught.value) == "document"


@pytest.mark.parametrize(("name", "expected"), [
    ("协议.pdf", "协议.pdf"), ("scan.PDF", "scan.pdf"), ("../../etc/passwd", "passwd.pdf"),
    ("C:\\docs\\合同 2026.pdf", "合同 2026.pdf"), ("a\r\nb\x00.pdf", "ab.pdf"), ("", "LY-1.pdf"),
    (None, "LY-1.pdf"), ("...", "LY-1.pdf"), ("x" * 300 + ".pdf", "x" * 100 + ".pdf"),
])
def test_download_names_are_made_safe(name, expected):
    assert document_filename(name, "LY-1") == expected


def test_reach_adds_the_sources_and_counts_a_daily_commitment_once():
    supplies = [Supply(Source.DEPOT, Decimal(120)),
                Supply(Source.STOCKPILE, Decimal(500), response_hours=None),
                Supply(Source.STOCKPILE, Decimal(80), response_hours=12),
                Supply(Source.AGREEMENT, Decimal(300), response_hours=4),
                Supply(Source.AGREEMENT, Decimal(2000), Period.PER_DAY, response_hours=6)]
    found = reach(supplies)
    assert (found.depot, found.stockpiles, found.committed, found.committed_per_day) == (120, 580, 300, 2000)
    assert found.total == 3000 and found.within is None and found.enough is None
    within_six = reach(supplies, within_hours=6, needed=Decimal(2500))
    assert within_six.within == 120 + 300 + 2000 and within_six.enough is False
    assert reach(supplies, within_hours=4, needed=Decimal(420)).enough is True
    assert reach(supplies, within_hours=0).within == 120
    assert reach([], needed=Decimal(1)).enough is False
