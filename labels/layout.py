"""Where each part of a label goes, per label stock: boxes in points from the cell's top left."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.units import mm

from labels.formats import LabelFormat
from labels.text import LEADING, cap_height, line_height

QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 asks
LARGE_CODE_CAP_MM = 12.5  # box codes on a 140 mm label, readable from 2 m; scaled for others


@dataclass(frozen=True)
class Box:
    """A rectangle in points: x right and y down from the cell's top left."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Slot:
    """Where one text field goes and how large it may be set."""

    field: str  # "band", "code", "title_zh", "title_en", "module" or "small_print:N"
    box: Box
    max_size: float
    min_size: float
    max_lines: int = 1
    centred: bool = False


@dataclass(frozen=True)
class Layout:
    """One label's parts: the QR code's box (quiet zone included), the band and the text."""

    qr: Box
    band: Box
    slots: tuple[Slot, ...]  # the band's text first


@dataclass(frozen=True)
class Shape:
    """Which optional fields a record fills: labels with the same shape share a layout."""

    title_zh: bool
    title_en: bool
    module: bool
    small_print: int


def _padding(height: float) -> float:
    # Sheets shift by a millimetre or so in the printer: keep everything that far inside.
    return min(2 * mm, max(1 * mm, 0.04 * height))


def _stack(top: float, room: float, parts: list[tuple[str, float]], gap: float = 0.0,
           grow: float = 1.0) -> dict[str, tuple[float, float]]:
    """Place parts of the given heights top to bottom: (y, height) by name.

    They shrink together when they ask for more than room, and grow by at most `grow`.
    """
    if not parts:
        return {}
    asked = sum(height for _, height in parts)
    scale = min(grow, (room - gap * (len(parts) - 1)) / asked)
    placed, y = {}, top
    for name, height in parts:
        placed[name] = (y, height * scale)
        y += height * scale + gap
    return placed


def _band_slot(band: Box, centred: bool) -> Slot:
    inset = 0.25 * band.h
    box = Box(band.x + inset, band.y + 0.2 * band.h, band.w - 2 * inset, 0.6 * band.h)
    max_size = box.h / line_height()
    # Cut a long band rather than shrink it past reading: the colour says the category too.
    return Slot("band", box, max_size, max(4.5, 0.5 * max_size), 1, centred)


def _names(shape: Shape, zh: float, en: float, small: float) -> list[tuple[str, float]]:
    """Return the name and small print rows this shape needs, with their heights."""
    parts = []
    if shape.title_zh:
        parts.append(("title_zh", zh))
    if shape.title_en:
        parts.append(("title_en", en))
    return parts + [(f"small_print:{i}", small) for i in range(shape.small_print)]


def _slots(rows: dict[str, tuple[float, float]], x: float, w: float,
           limits: dict[str, tuple[float, float, int]], centred: bool) -> list[Slot]:
    slots = []
    for name, (y, h) in rows.items():
        max_size, min_size, lines = limits[name.split(":")[0]]
        slots.append(Slot(name, Box(x, y, w, h), max_size, min_size, lines, centred))
    return slots


def _compact(fmt: LabelFormat, shape: Shape) -> Layout:
    """QR code on the left, as tall as the label; band, code and names in a column beside it."""
    width, height = fmt.label_width_mm * mm, fmt.label_height_mm * mm
    pad = _padding(height)
    inner = height - 2 * pad
    qr = Box(pad, pad, inner, inner)
    x, w = pad + inner, width - 2 * pad - inner
    gap = 0.02 * inner
    # Band and code keep their place on every label of a sheet; the rows below share the rest.
    band = Box(x, pad, w, 0.15 * inner)
    code_h = 0.21 * inner
    rows = {"code": (band.y + band.h + gap, code_h)}
    top = band.y + band.h + code_h + 2 * gap
    parts = [("module", 0.1 * inner)] if shape.module else []
    parts += _names(shape, 0.2 * inner, 0.14 * inner, 0.085 * inner)
    rows.update(_stack(top, pad + inner - top, parts, gap, grow=1.2))
    # Sizes follow the label's height, not the row's, so names never outgrow the code.
    limits = {
        "code": (0.2 * inner, 7.0, 2), "module": (0.085 * inner, 5.0, 1),
        "title_zh": (0.12 * inner, 6.0, 2), "title_en": (0.09 * inner, 5.0, 2),
        "small_print": (0.07 * inner, 4.5, 1),
    }
    slots = [_band_slot(band, False), *_slots(rows, x, w, limits, False)]
    return Layout(qr, band, tuple(slots))


def _large(fmt: LabelFormat, shape: Shape) -> Layout:
    """Band, module and code across the top in type readable from 2 m; a big QR code below
    (portrait) or beside the names (landscape)."""
    width, height = fmt.label_width_mm * mm, fmt.label_height_mm * mm
    pad = _padding(height)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    portrait = height > width
    gap = 0.012 * inner_h
    scale = height / (140 * mm)
    code_size = LARGE_CODE_CAP_MM * mm * scale / cap_height()
    head = [("band", (0.075 if portrait else 0.11) * inner_h)]
    if shape.module:
        head.append(("module", (0.085 if portrait else 0.12) * inner_h))
    head.append(("code", code_size * line_height()))
    rows = _stack(pad, inner_h, head, gap)
    band_y, band_h = rows.pop("band")
    band = Box(pad, band_y, inner_w, band_h)
    code_y, code_h = rows["code"]
    body_top = code_y + code_h + gap
    body_h = pad + inner_h - body_top
    # Below the QR code names get a line each at full width; beside it, narrower, two lines.
    name_sizes = (0.06, 0.042, 0.028) if portrait else (0.085, 0.06, 0.045)
    zh, en, small = (share * inner_h for share in name_sizes)
    limits = {
        "code": (code_size, 0.4 * code_size, 2),
        "module": (rows.get("module", (0, 0))[1] / line_height(), 10.0, 1),
        "title_zh": (zh, 8.0, 2), "title_en": (en, 6.0, 2), "small_print": (small, 6.0, 1),
    }
    slots = [_band_slot(band, True), *_slots(rows, pad, inner_w, limits, True)]
    if portrait:
        parts = _names(shape, 0.085 * inner_h, 0.06 * inner_h, 0.035 * inner_h)
        text_h = sum(h for _, h in parts) + gap
        side = min(inner_w, body_h - text_h)
        qr = Box(pad + (inner_w - side) / 2, body_top, side, side)
        below = _stack(body_top + side + gap, body_h - side - gap, parts, gap=0.3 * gap)
        slots += _slots(below, pad, inner_w, limits, True)
    else:
        qr = Box(pad, body_top, body_h, body_h)
        two = line_height() + LEADING
        parts = _names(shape, zh * two, en * two, small * line_height() * 1.1)
        beside = _stack(body_top, body_h, parts, gap=gap)
        slots += _slots(beside, pad + body_h, inner_w - body_h, limits, False)
    return Layout(qr, band, tuple(slots))


@lru_cache(maxsize=256)
def layout_for(fmt: LabelFormat, shape: Shape) -> Layout:
    """Return the layout of labels of this shape on this stock."""
    return _large(fmt, shape) if fmt.layout == "large" else _compact(fmt, shape)
