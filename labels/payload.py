"""What a label's QR code holds, and reading it back from whatever a scanner typed.

A label holds a URL, `{public_url}/k/K-EQ-0007`, so a phone camera opens the box's page; a
handheld scanner types the same URL (or a bare code, from older labels or a keyboard) into
the scan box, and parse_payload() turns either back into what was scanned. A person's badge
holds `{public_url}/p/BZ-0001`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

# The thing a label is for -> the one-letter path segment of its URL.
KINDS: dict[str, str] = {"kit": "k", "location": "l", "item": "i", "lot": "b", "person": "p"}
_KIND_OF_SEGMENT = {segment: kind for kind, segment in KINDS.items()}
MAX_SCAN_LENGTH = 512  # longer than any label we print: a wrong paste, not a scan
# Scanners end a scan with Enter or Tab; some send other control characters around it.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


@dataclass(frozen=True)
class ScannedCode:
    """What a scan names: a kind ("kit", "location", "item", "lot", "person") or None, and the code.

    kind is None for a bare code: the caller looks it up among boxes, locations, items and people.
    A lot's code is "SKU/LOT", because lot numbers repeat across items.
    """

    kind: str | None
    code: str


def lot_label_code(sku: str, lot: str) -> str:
    """Return the code a lot's label carries: lot numbers are only unique within an item."""
    return f"{sku}/{lot}"


def build_payload(public_url: str, kind: str, code: str) -> str:
    """Return the URL a label for this kind of thing and code holds."""
    try:
        segment = KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown label kind {kind!r}; use one of {sorted(KINDS)}") from None
    if not code:
        raise ValueError("a label needs a code")
    return f"{public_url.rstrip('/')}/{segment}/{quote(code, safe='/')}"


def parse_payload(text: str) -> ScannedCode:
    """Read what a scanner typed: a label URL (any host), a path like /k/CODE, or a bare code.

    Raises ValueError when nothing usable was scanned.
    """
    cleaned = _CONTROL.sub("", text or "").strip()
    if not cleaned:
        raise ValueError("nothing was scanned")
    if len(cleaned) > MAX_SCAN_LENGTH:
        raise ValueError(f"a scan is at most {MAX_SCAN_LENGTH} characters")
    if _SCHEME.match(cleaned):
        path = urlsplit(cleaned).path
    elif cleaned.startswith("/"):
        path = cleaned
    else:
        return ScannedCode(None, unquote(cleaned))
    segments = [s for s in path.split("/") if s]
    # The app may sit under a prefix (https://host/depot/k/...): the kind is the first
    # one-letter segment with a code after it.
    for index, segment in enumerate(segments[:-1]):
        kind = _KIND_OF_SEGMENT.get(segment.lower())
        if kind is not None:
            return ScannedCode(kind, unquote("/".join(segments[index + 1:])))
    raise ValueError("not a label address: expected /k/, /l/, /i/, /b/ or /p/ followed by a code")
