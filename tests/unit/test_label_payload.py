"""QR payloads: building label URLs and reading back whatever a scanner typed."""

import pytest

from labels import KINDS, ScannedCode, build_payload, parse_payload
from labels.payload import MAX_SCAN_LENGTH, lot_label_code

BASE = "https://depot.example.org"


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("code", ["K-EQ-0007", "A-01-03", "EA-AFFF3-25", "箱-1", "A B", "50%", "a+b#c?d"])
def test_every_kind_round_trips(kind, code):
    payload = build_payload(BASE, kind, code)
    assert payload.startswith(f"{BASE}/{KINDS[kind]}/")
    assert payload.isascii() and " " not in payload
    assert parse_payload(payload) == ScannedCode(kind, code)


def test_the_public_url_may_end_with_a_slash_or_a_prefix():
    assert build_payload(BASE + "/", "kit", "K-1") == f"{BASE}/k/K-1"
    payload = build_payload(BASE + "/depot/", "location", "A-01")
    assert payload == f"{BASE}/depot/l/A-01"
    assert parse_payload(payload) == ScannedCode("location", "A-01")


@pytest.mark.parametrize("code", ["EA-AFFF3-25/L2024-01", "SKU/LOT/WITH/SLASHES", "X/箱 1"])
def test_lot_codes_keep_their_slashes(code):
    payload = build_payload(BASE, "lot", code)
    assert parse_payload(payload) == ScannedCode("lot", code)


def test_lot_label_code_joins_sku_and_lot():
    assert lot_label_code("EA-AFFF3-25", "L2024-01") == "EA-AFFF3-25/L2024-01"


@pytest.mark.parametrize("text", ["K-EQ-0007", " K-EQ-0007 ", "K-EQ-0007\r\n", "\x02K-EQ-0007\x03",
                                  "\tK-EQ-0007\t"])
def test_bare_codes_are_returned_without_a_kind(text):
    assert parse_payload(text) == ScannedCode(None, "K-EQ-0007")


def test_a_bare_code_is_percent_decoded():
    assert parse_payload("A%2F1") == ScannedCode(None, "A/1")


@pytest.mark.parametrize("text", [
    "https://depot.example.org/k/K-EQ-0007\r\n",
    "\x02https://depot.example.org/k/K-EQ-0007\x03",
    "  https://depot.example.org/k/K-EQ-0007\t",
    "https://depot.example.org/k/K-EQ-0007/",
    "https://depot.example.org/k/K-EQ-0007?utm=x#frag",
    "HTTPS://DEPOT.EXAMPLE.ORG/K/K-EQ-0007",
    "HTTP://HOST/K/K-EQ-0007",
    "http://10.0.0.5:8080/k/K-EQ-0007",
    "/k/K-EQ-0007",
    "/depot/k/K-EQ-0007",
    "https://depot.example.org/depot/app/k/K-EQ-0007",
])
def test_urls_and_paths_from_any_host_and_prefix(text):
    assert parse_payload(text) == ScannedCode("kit", "K-EQ-0007")


def test_percent_encoding_is_decoded_in_urls():
    assert parse_payload(f"{BASE}/i/%E7%AE%B1%20A") == ScannedCode("item", "箱 A")
    assert parse_payload(f"{BASE}/b/SKU%2FLOT") == ScannedCode("lot", "SKU/LOT")


def test_a_badge_names_a_person_by_the_letter_p():
    assert KINDS["person"] == "p"
    assert build_payload(BASE, "person", "BZ-0001") == f"{BASE}/p/BZ-0001"
    for text in (f"{BASE}/p/BZ-0001", "HTTP://HOST/P/BZ-0001\r\n", "/depot/p/BZ-0001"):
        assert parse_payload(text) == ScannedCode("person", "BZ-0001")


def test_every_kind_has_its_own_letter():
    assert len(set(KINDS.values())) == len(KINDS)
    assert all(len(segment) == 1 for segment in KINDS.values())


def test_uppercase_kind_segments_are_read():
    assert parse_payload("HTTP://HOST/B/SKU/LOT") == ScannedCode("lot", "SKU/LOT")
    assert parse_payload("/L/A-01-03") == ScannedCode("location", "A-01-03")


@pytest.mark.parametrize("text", ["", "   ", "\r\n", "\x00\x1f\x7f", None])
def test_nothing_scanned_is_an_error(text):
    with pytest.raises(ValueError, match="nothing was scanned"):
        parse_payload(text)


def test_a_scan_longer_than_any_label_is_an_error():
    assert parse_payload("K" * MAX_SCAN_LENGTH) == ScannedCode(None, "K" * MAX_SCAN_LENGTH)
    with pytest.raises(ValueError, match="at most"):
        parse_payload("K" * (MAX_SCAN_LENGTH + 1))


@pytest.mark.parametrize("text", [
    "/x/K-EQ-0007", "https://host/x/K-EQ-0007", "https://host/", "https://host", "https://host/k",
    "https://host/k/", "/k", "/depot/only/paths",
])
def test_addresses_that_are_not_labels_are_errors(text):
    with pytest.raises(ValueError, match="not a label address") as error:
        parse_payload(text)
    assert "/p/" in str(error.value)


def test_build_payload_refuses_unknown_kinds_and_empty_codes():
    with pytest.raises(ValueError, match="unknown label kind"):
        build_payload(BASE, "pallet", "P-1")
    with pytest.raises(ValueError, match="needs a code"):
        build_payload(BASE, "kit", "")
