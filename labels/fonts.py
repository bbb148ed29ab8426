"""The one label font: WenQuanYi Micro Hei, registered with reportlab once per process."""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "WenQuanYiMicroHei"
FONT_PATH = Path(__file__).with_name("fonts") / "wqy-microhei.ttc"

_lock = threading.Lock()
_font: TTFont | None = None


def label_font() -> TTFont:
    """Return the registered label font, loading it on first use."""
    global _font
    if _font is None:
        # Parsing the 5 MB collection takes ~0.2 s: one thread does it, the others wait for it.
        with _lock:
            if _font is None:
                font = TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0)
                pdfmetrics.registerFont(font)
                _font = font
    return _font


def register_font() -> str:
    """Register the label font (embedded as subsets in each PDF) and return its name."""
    return label_font().fontName
