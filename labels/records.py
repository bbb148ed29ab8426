"""What one label says: the input to rendering, filled by whoever prints."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
NEUTRAL_COLOUR = "#616161"  # the band of a label whose thing has no category


@dataclass(frozen=True)
class LabelRecord:
    """One label: its code, the QR payload and the text printed around them.

    All text is plain text (never markup): the renderer draws it literally.
    """

    code: str  # printed large: K-EQ-0007, A-01-03, EA-AFFF3-25
    payload: str  # what the QR code holds, normally a URL from build_payload()
    title_zh: str  # the thing's name in Chinese
    title_en: str = ""  # its name in English
    colour: str = NEUTRAL_COLOUR  # the category's colour, as #rrggbb, for the band
    band: str = ""  # printed in the band: the category code and name
    module: str = ""  # the module a box belongs to, printed large on box labels
    small_print: tuple[str, ...] = field(default_factory=tuple)  # template, lot, expiry, date

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("a label needs a code")
        if not self.payload:
            raise ValueError("a label needs a QR payload")
        if not HEX_COLOUR.match(self.colour):
            raise ValueError(f"colour must be #rrggbb, not {self.colour!r}")
