"""Deployment rules without a database: numbers, scan input, usage, overdue."""

from datetime import UTC, datetime, timedelta

import pytest

from warehouse.domain.deployments import (
    MAX_SCAN_TEXT,
    Usage,
    check_usage,
    clean_scan,
    deployment_code,
    deployment_number,
    foreign_host,
    is_overdue,
    safe_echo,
    validate_idempotency_key,
)
from warehouse.domain.errors import BadRequest, InvalidInput

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def test_deployment_codes_round_trip_within_their_year():
    assert deployment_code(2026, 7) == "CD-2026-0007"
    assert deployment_number(2026, "CD-2026-0007") == 7
    assert deployment_number(2025, "CD-2026-0007") is None
    assert deployment_number(2026, "CD-2026-00x7") is None
    assert deployment_number(2026, "CD-2026-²") is None


@pytest.mark.parametrize("typed, expected", [
    ("K-EQ-0001\r\n", "K-EQ-0001"),
    ("\tK-EQ-0001", "K-EQ-0001"),
    ("http://127.0.0.1:5000/k/K-EQ-0001", "http://127.0.0.1:5000/k/K-EQ-0001"),
    ("x" * MAX_SCAN_TEXT, "x" * MAX_SCAN_TEXT),
])
def test_a_scan_is_trimmed_of_what_scanners_add(typed, expected):
    assert clean_scan(typed) == expected


@pytest.mark.parametrize("typed", [
    "", "   ", None, 7, ["K-EQ-0001"], "x" * (MAX_SCAN_TEXT + 1), "K-EQ\x00-0001", "K-EQ\x1d0001",
    "K\u200b-EQ", "K-EQ\ud800",
])
def test_garbage_and_control_characters_are_a_bad_request(typed):
    with pytest.raises(BadRequest) as error:
        clean_scan(typed)
    assert error.value.status == 400 and "code" in error.value.fields


def test_an_echo_is_printable_and_short():
    assert safe_echo("<b>\x07K") == "<b>\ufffdK"
    assert len(safe_echo("K" * 500)) == 64 and safe_echo("K" * 500).endswith("…")
    assert safe_echo(None) == ""


@pytest.mark.parametrize("text, host", [
    ("https://depot.example/k/K-1", None),
    ("HTTPS://DEPOT.EXAMPLE:8443/k/K-1", None),
    ("https://evil.example/k/K-1", "evil.example"),
    ("K-EQ-0001", None),
    ("/k/K-EQ-0001", None),
])
def test_label_urls_of_other_hosts_are_told_apart(text, host):
    assert foreign_host(text, frozenset({"depot.example"})) == host


@pytest.mark.parametrize("key, ok", [
    (None, True), ("", True), ("3f1c2a9e-7b7d-4c39-9a55-1f0e0c4d2b11", True), ("short", False),
    ("x" * 65, False), ("has space x", False), (12345678, False),
])
def test_idempotency_keys_are_uuid_like(key, ok):
    if ok:
        assert validate_idempotency_key(key) == (key or None)
    else:
        with pytest.raises(InvalidInput):
            validate_idempotency_key(key)


@pytest.mark.parametrize("consumed, damaged, lost, returned", [
    (0, 0, 0, 5), (5, 0, 0, 0), (1, 2, 2, 0), (2, 1, 1, 1),
])
def test_usage_may_account_for_every_unit_but_no_more(consumed, damaged, lost, returned):
    usage = Usage(1, None, 5, consumed, damaged, lost)
    check_usage(usage, "usage.0")
    assert usage.returned == returned


@pytest.mark.parametrize("counts, field", [
    ((6, 0, 0), "usage.0.consumed"), ((2, 2, 2), "usage.0.consumed"), ((-1, 0, 0), "usage.0.consumed"),
    ((0, True, 0), "usage.0.damaged"), ((0, 0, 1.5), "usage.0.lost"),
])
def test_impossible_usage_names_the_field(counts, field):
    with pytest.raises(InvalidInput) as error:
        check_usage(Usage(1, None, 5, *counts), "usage.0")
    assert field in error.value.fields


def test_overdue_means_open_and_past_the_expected_return():
    assert is_overdue(NOW - timedelta(minutes=1), None, NOW)
    assert not is_overdue(NOW + timedelta(minutes=1), None, NOW)
    assert not is_overdue(NOW - timedelta(days=3), NOW - timedelta(days=1), NOW)
