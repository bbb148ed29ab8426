"""Deployment rules in plain Python: kinds, scan input, check-in usage and what is overdue."""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from warehouse.domain.errors import N_, BadRequest, InvalidInput

# A deployment's printed number: CD-<year>-<sequence>, short enough for a label and a radio call.
DEPLOYMENT_CODE_PATTERN = re.compile(r"^CD-\d{4}-\d{4}$")
# Longer than any label URL the app prints; anything longer is not a scan but a paste accident.
MAX_SCAN_TEXT = 300
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$")
NAME_MAX = 120
PLACE_MAX = 200
COMMANDER_MAX = 80
REASON_MAX = 500
MAX_SQUADS = 20
MAX_USAGE_LINES = 200


class DeploymentKind(enum.StrEnum):
    """What took the boxes out."""

    INCIDENT = "incident"  # 灾害事故
    DRILL = "drill"  # 演练
    EXERCISE = "exercise"  # 拉动训练
    LEND = "lend"  # 借调 to another unit or department


class ScanAction(enum.StrEnum):
    """What a scan at the scan station asks for."""

    CHECK_OUT = "check_out"
    CHECK_IN = "check_in"
    LOOKUP = "lookup"


class ScanResult(enum.StrEnum):
    """What a scan did: one of three successes, an undo, or why it was refused."""

    CHECKED_OUT = "checked_out"
    CHECKED_IN = "checked_in"
    FOUND = "found"
    UNDONE = "undone"
    INVALID = "invalid"  # garbage, too long, control characters, bad fields
    NOT_FOUND = "not_found"  # no such code, or a label of another system
    WRONG_KIND = "wrong_kind"  # a location, item, lot or badge where a box was expected
    CONFLICT = "conflict"  # deployed elsewhere, not out, closed deployment, not ready
    FORBIDDEN = "forbidden"


SUCCESSES = frozenset({ScanResult.CHECKED_OUT, ScanResult.CHECKED_IN, ScanResult.FOUND,
                       ScanResult.UNDONE})

# The scanned thing's kind in words, for "this is a location, not a box".
KIND_WORDS = {
    "location": N_("a location"),
    "item": N_("a catalogue item"),
    "lot": N_("a lot"),
    "person": N_("a person's badge"),
}


def deployment_code(year: int, number: int) -> str:
    """Return the printed number of the year's n-th deployment, e.g. CD-2026-0007."""
    return f"CD-{year:04d}-{number:04d}"


def deployment_number(year: int, code: str) -> int | None:
    """Return the sequence number in a deployment code of that year, or None."""
    prefix = f"CD-{year:04d}-"
    rest = code[len(prefix):] if code.startswith(prefix) else ""
    return int(rest) if rest.isascii() and rest.isdigit() else None


def clean_scan(text) -> str:
    """Return what a scanner typed, trimmed; refuse garbage with BadRequest (400).

    Scanners end a scan with Enter or Tab, so surrounding whitespace is dropped; a control
    character inside the text means a misconfigured scanner or a forged request.
    """
    if not isinstance(text, str):
        raise BadRequest(N_("code: must be text"), {"code": [N_("must be text")]})
    cleaned = text.strip()
    if not cleaned:
        raise BadRequest(N_("code: nothing was scanned"), {"code": [N_("nothing was scanned")]})
    if len(cleaned) > MAX_SCAN_TEXT:
        raise BadRequest(N_("code: at most %(count)d characters", count=MAX_SCAN_TEXT),
                         {"code": [N_("at most %(count)d characters", count=MAX_SCAN_TEXT)]})
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in cleaned):
        raise BadRequest(N_("code: control characters are not allowed"),
                         {"code": [N_("control characters are not allowed")]})
    return cleaned


def safe_echo(text, limit: int = 64) -> str:
    """Return scanned text fit to repeat in a message: printable and short."""
    if not isinstance(text, str):
        return ""
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else "\ufffd" for ch in text.strip())
    return printable if len(printable) <= limit else printable[:limit - 1] + "…"


def foreign_host(text: str, known_hosts: frozenset[str]) -> str | None:
    """Return the host of a label URL printed by another system, or None for ours or a bare code."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text):
        return None
    try:
        host = (urlsplit(text).hostname or "").lower()
    except ValueError:
        return ""
    return None if host in known_hosts else host


def validate_idempotency_key(value) -> str | None:
    """Return a client's idempotency key (a UUID or similar) or None; refuse other shapes."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not IDEMPOTENCY_KEY_PATTERN.match(value):
        raise InvalidInput.on("idempotency_key", N_("8-64 letters, digits, '.', '_', ':' or '-'"))
    return value


@dataclass(frozen=True)
class Usage:
    """What happened to one item (lot) of a box while it was out."""

    item_id: int
    lot_id: int | None
    held: int
    consumed: int = 0
    damaged: int = 0
    lost: int = 0

    @property
    def returned(self) -> int:
        """Return the units that came back fit for use."""
        return self.held - self.consumed - self.damaged - self.lost


def check_usage(usage: Usage, field: str) -> None:
    """Refuse negative counts and more used, damaged and lost than the box held."""
    for name in ("consumed", "damaged", "lost"):
        value = getattr(usage, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput.on(f"{field}.{name}", N_("a whole number, 0 or more"))
    if usage.returned < 0:
        raise InvalidInput.on(f"{field}.consumed", N_(
            "consumed, damaged and lost add up to %(total)d; the box held %(held)d",
            total=usage.consumed + usage.damaged + usage.lost, held=usage.held))


def is_overdue(expected_return_at: datetime | None, closed_at: datetime | None, now: datetime) -> bool:
    """Tell whether an open deployment is past its expected return."""
    return closed_at is None and expected_return_at is not None and expected_return_at < now
