"""Fitting plain text into a box: shrink, then wrap, then cut with an ellipsis."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from labels.fonts import label_font

ELLIPSIS = "…"
LEADING = 1.12  # baseline to baseline, in font sizes
_SIZE_STEP = 0.25  # points: finer steps cost time and look the same on paper
# One line reads better than two, unless two set the text more than ~18 % larger.
ONE_LINE_PREFERENCE = 0.85

# Break anywhere next to a CJK character, at spaces in Latin text.
_CJK = (
    "\u1100-\u11ff\u2e80-\u2fff\u3000-\u30ff\u3100-\u31ff\u3200-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
# A line should not start with closing punctuation nor end with opening punctuation (kinsoku).
_CLOSING = "，。、；：？！）》」』】〉〕…,.;:?!)]}%’”"
_OPENING = "（《「『【〈〔([{‘“"
_TOKEN = re.compile(
    rf"\s+"
    rf"|[{re.escape(_OPENING)}]*[{_CJK}][{re.escape(_CLOSING)}]*"
    rf"|[^\s{_CJK}]+"
)


@dataclass(frozen=True)
class Fitted:
    """Text fitted into a box: the font size and the lines to draw, top to bottom."""

    size: float
    lines: tuple[str, ...]

    def height(self) -> float:
        """Return the height the lines take, from the first ascender to the last descender."""
        if not self.lines:
            return 0.0
        return self.size * (line_height() + LEADING * (len(self.lines) - 1))


@lru_cache(maxsize=1)
def _metrics() -> tuple[dict[int, float], float, float, float]:
    face = label_font().face
    return face.charWidths, face.defaultWidth, face.ascent / 1000.0, -face.descent / 1000.0


def ascent() -> float:
    """Return the font's ascent as a fraction of its size."""
    return _metrics()[2]


def line_height() -> float:
    """Return one line's height (ascent + descent) as a fraction of the font size."""
    _, _, up, down = _metrics()
    return up + down


def cap_height() -> float:
    """Return the height of capital letters as a fraction of the font size."""
    return label_font().face.capHeight / 1000.0


@lru_cache(maxsize=16384)
def width_em(text: str) -> float:
    """Return the width of text set at size 1 (the same sum reportlab draws with)."""
    widths, default, _, _ = _metrics()
    return sum(widths.get(ord(char), default) for char in text) / 1000.0


def _hard_break(word: str, max_em: float) -> list[str]:
    """Split a word wider than a line into pieces that each fit (at least one character)."""
    widths, default, _, _ = _metrics()
    pieces, piece, used = [], "", 0.0
    for char in word:
        w = widths.get(ord(char), default) / 1000.0
        if piece and used + w > max_em:
            pieces.append(piece)
            piece, used = "", 0.0
        piece += char
        used += w
    pieces.append(piece)
    return pieces


def wrap(text: str, max_em: float) -> list[str]:
    """Break text into lines no wider than max_em (widths at size 1)."""
    lines: list[str] = []
    line, used, space = "", 0.0, ""
    for token in _TOKEN.findall(text):
        if token.isspace():
            space = " " if line else ""
            continue
        w = width_em(token)
        gap = width_em(space) if space else 0.0
        if used + gap + w <= max_em:
            line, used = line + space + token, used + gap + w
        elif w <= max_em:
            if line:
                lines.append(line)
            line, used = token, w
        else:
            if line:
                lines.append(line)
            *full, line = _hard_break(token, max_em)
            lines.extend(full)
            used = width_em(line)
        space = ""
    if line:
        lines.append(line)
    return lines


def ellipsize(text: str, max_em: float) -> str:
    """Cut text so that it and a trailing ellipsis fit in max_em."""
    widths, default, _, _ = _metrics()
    room = (max_em - width_em(ELLIPSIS)) * 1000.0
    used, end = 0.0, 0
    for char in text:
        used += widths.get(ord(char), default)
        if used > room:
            break
        end += 1
    return text[:end].rstrip() + ELLIPSIS


def _lines_that_fit(size: float, height: float, max_lines: int) -> int:
    if size * line_height() > height:
        return 0
    return min(max_lines, 1 + int((height / size - line_height()) / LEADING + 1e-9))


def _wrapped(text: str, width: float, height: float, max_size: float, min_size: float,
             max_lines: int) -> Fitted | None:
    """Return the largest size from max_size to min_size at which text fits on 2+ lines."""
    total = width_em(text)
    # Sizes above what two lines leave room for were one-line sizes.
    size = min(max_size, height / (line_height() + LEADING))
    while size >= min_size - 1e-9:
        room = _lines_that_fit(size, height, max_lines)
        # Wrapping never packs tighter than the text's full width: skip sizes that cannot fit.
        if room >= 2 and total * size <= room * width:
            lines = wrap(text, width / size)
            if len(lines) <= room:
                return Fitted(size, tuple(lines))
        size -= _SIZE_STEP
    return None


@lru_cache(maxsize=8192)
def fit(text: str, width: float, height: float, max_size: float, min_size: float,
        max_lines: int = 1) -> Fitted:
    """Fit text into width x height points: shrink it on one line, then wrap it, then cut it.

    One line is kept down to min_size, unless wrapping sets the text notably larger; below
    min_size on any number of lines, the last line that fits ends with an ellipsis.
    """
    text = " ".join(text.split())
    if not text or width <= 0 or height <= 0:
        return Fitted(0.0, ())
    # The box, not the minimum, has the last word: text never leaves its label.
    max_size = min(max_size, height / line_height())
    min_size = min(min_size, max_size)
    one_line = min(max_size, width / width_em(text))
    if one_line >= ONE_LINE_PREFERENCE * max_size:
        return Fitted(one_line, (text,))
    wrapped = _wrapped(text, width, height, max_size, min_size, max_lines) if max_lines > 1 else None
    if one_line >= min_size and (wrapped is None or one_line >= ONE_LINE_PREFERENCE * wrapped.size):
        return Fitted(one_line, (text,))
    if wrapped is not None:
        return wrapped
    size = min_size
    room = max(1, _lines_that_fit(size, height, max_lines))
    lines = wrap(text, width / size)
    kept = lines[:room]
    if len(lines) > room:
        kept[-1] = ellipsize(kept[-1], width / size)
    return Fitted(size, tuple(kept))
