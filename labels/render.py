"""Label records in, PDF bytes out: sheets of cells or one thermal label per page."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels.fonts import register_font
from labels.formats import LabelFormat
from labels.layout import QUIET_ZONE, Box, Layout, Shape, Slot, layout_for
from labels.qr import qr_runs
from labels.records import LabelRecord
from labels.text import LEADING, ascent, fit, width_em

MIN_MODULE_MM = 0.3  # smaller modules blur into each other at 203 dpi and on phone cameras
MAX_SMALL_PRINT = {"compact": 3, "large": 5}
OUTLINE_GREY = 0.6
TEXT_GREY = 0.0  # black: thermal printers turn greys into dots

CellBox = tuple[int, float, float, float, float]


class PayloadTooLong(ValueError):
    """Raised when a QR payload needs modules too small to scan on the chosen label stock."""

# ASCII85 on top of Flate only keeps streams 7-bit clean: it makes label PDFs a fifth larger
# and costs ~0.15 s per 1,000 labels in reportlab's pure-Python encoder. The switch is
# process-wide: the squads' roster PDFs come out smaller too, and nothing needs 7-bit streams.
rl_config.useA85 = 0


def _first_position(fmt: LabelFormat, skip: int) -> int:
    if skip < 0:
        raise ValueError(f"skip must be 0 or more, not {skip}")
    if fmt.thermal:
        return 0  # a roll has no used part to step over
    if skip >= fmt.per_page:
        raise ValueError(f"skip must be less than the {fmt.per_page} labels on a {fmt.code} page")
    return skip


def cell_boxes(fmt: LabelFormat, count: int, skip: int = 0,
               offset_mm: tuple[float, float] = (0.0, 0.0)) -> list[CellBox]:
    """Return (page, left, top, width, height) in mm from the page's top left for each of
    count labels, as render_pdf places them."""
    first = _first_position(fmt, skip)
    dx, dy = offset_mm
    boxes = []
    for index in range(first, first + count):
        page, position = divmod(index, fmt.per_page)
        left, top, width, height = fmt.cell(position)
        boxes.append((page, left + dx, top + dy, width, height))
    return boxes


@lru_cache(maxsize=64)
def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def _ink_on(rgb: tuple[float, float, float]) -> float:
    """Return the grey (0 black, 1 white) that reads best on a band of this colour."""
    r, g, b = rgb
    # Perceived lightness (ITU-R BT.601): white text disappears on yellow and light green.
    return 0.0 if 0.299 * r + 0.587 * g + 0.114 * b > 0.72 else 1.0


def _shape(record: LabelRecord, fmt: LabelFormat) -> tuple[Shape, tuple[str, ...]]:
    """Return the record's shape and the small print lines that fit the layout."""
    limit = MAX_SMALL_PRINT[fmt.layout]
    lines = tuple(line for line in (" ".join(s.split()) for s in record.small_print) if line)
    if len(lines) > limit:
        # The last line carries the rest; fitting cuts it with an ellipsis if need be.
        lines = lines[:limit - 1] + (" · ".join(lines[limit - 1:]),)
    shape = Shape(bool(record.title_zh.strip()), bool(record.title_en.strip()),
                  bool(record.module.strip()), len(lines))
    return shape, lines


def _qr_literal(payload: str, box: Box, left: float, top: float, code: str) -> str:
    """Return PDF operators filling the symbol's dark modules, centred in box."""
    size, runs = qr_runs(payload)
    module = min(box.w, box.h) / (size + 2 * QUIET_ZONE)
    if module < MIN_MODULE_MM * mm:
        raise PayloadTooLong(f"the QR payload of {code!r} is too long to scan on this label stock")
    x = left + box.x + (box.w - size * module) / 2
    y = top - box.y - (box.h - size * module) / 2
    # Module units with y down: each run is one "re" of integers, filled in one path, so
    # neighbouring modules leave no hairline seams between them.
    body = " ".join(f"{column} {row} {length} 1 re" for column, row, length in runs)
    return f"q 0 g {fp_str(module)} 0 0 {fp_str(-module)} {fp_str(x)} {fp_str(y)} cm {body} f Q"


def _draw_text(canvas: Canvas, font: str, text: str, slot: Slot, left: float, top: float) -> None:
    box = slot.box
    fitted = fit(text, box.w, box.h, slot.max_size, slot.min_size, slot.max_lines)
    if not fitted.lines:
        return
    size = fitted.size
    canvas.setFont(font, size)
    baseline = top - box.y - ascent() * size
    for line in fitted.lines:
        x = left + box.x
        if slot.centred:
            x += (box.w - width_em(line) * size) / 2
        canvas.drawString(x, baseline, line)
        baseline -= LEADING * size


def _draw_label(canvas: Canvas, font: str, record: LabelRecord, fmt: LabelFormat,
                left: float, top: float) -> None:
    """Draw one record in the cell whose top left corner is at (left, top) in PDF points."""
    shape, small_print = _shape(record, fmt)
    layout: Layout = layout_for(fmt, shape)
    canvas.addLiteral(_qr_literal(record.payload, layout.qr, left, top, record.code))
    band = layout.band
    rgb = _rgb(record.colour)
    canvas.setFillColorRGB(*rgb)
    canvas.rect(left + band.x, top - band.y - band.h, band.w, band.h, stroke=0, fill=1)
    band_slot, *slots = layout.slots
    canvas.setFillGray(_ink_on(rgb))
    _draw_text(canvas, font, record.band, band_slot, left, top)
    canvas.setFillGray(TEXT_GREY)
    for slot in slots:
        field = slot.field
        if field.startswith("small_print:"):
            text = small_print[int(field.removeprefix("small_print:"))]
        else:
            text = getattr(record, field)
        _draw_text(canvas, font, text, slot, left, top)


def render_pdf(records: Sequence[LabelRecord], fmt: LabelFormat, *, skip: int = 0,
               offset_mm: tuple[float, float] = (0.0, 0.0), outlines: bool = False,
               title: str = "") -> bytes:
    """Render the records as labels on fmt's stock and return the PDF.

    skip leaves the first cells of the first sheet empty (ignored on thermal rolls);
    offset_mm moves everything right and down to match a printer; outlines draws the cells.
    """
    if not records:
        raise ValueError("no labels to print")
    boxes = cell_boxes(fmt, len(records), skip)
    font = register_font()
    page_w, page_h = fmt.page_width_mm * mm, fmt.page_height_mm * mm
    out = io.BytesIO()
    # invariant: no timestamps or random IDs, so the same labels give the same bytes.
    # The label font from the start: otherwise each page names Helvetica, a font never drawn.
    canvas = Canvas(out, pagesize=(page_w, page_h), invariant=1, initialFontName=font)
    canvas.setTitle(title)
    canvas.setCreator("labels")
    dx, dy = offset_mm[0] * mm, offset_mm[1] * mm
    page = -1
    for record, (on_page, left_mm, top_mm, _, _) in zip(records, boxes, strict=True):
        if on_page != page:
            if page >= 0:
                canvas.showPage()
            page = on_page
            if outlines:
                _draw_outlines(canvas, fmt, dx, dy)
        _draw_label(canvas, font, record, fmt, left_mm * mm + dx, page_h - top_mm * mm - dy)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _draw_outlines(canvas: Canvas, fmt: LabelFormat, dx: float, dy: float) -> None:
    """Draw every cell of the page in thin grey, for lining up a printer on plain paper."""
    page_h = fmt.page_height_mm * mm
    canvas.setStrokeGray(OUTLINE_GREY)
    canvas.setLineWidth(0.25)
    for position in range(fmt.per_page):
        left, top, width, height = fmt.cell(position)
        canvas.rect(left * mm + dx, page_h - (top + height) * mm - dy, width * mm, height * mm,
                    stroke=1, fill=0)
