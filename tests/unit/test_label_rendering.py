"""Label PDFs as a printer sees them: rasterised at 203 dpi, every QR code scanned back."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image

from labels import FORMATS, LabelRecord, build_payload, get_format
from labels.fonts import FONT_NAME
from labels.layout import Shape, layout_for
from labels.preview import preview_png
from labels.render import cell_boxes, render_pdf
from labels.text import cap_height, fit
from tests.label_scan import DPI, decode, font_names, qr_symbols, rasterise

PX_PER_MM = DPI / 25.4
PT_PER_MM = 72 / 25.4
WHITE = 250  # anti-aliasing greys the edges of anything drawn; paper is above this
MARKUP = "<b>&amp;</b><font size=80>"
BASE = "https://depot.example.org"
SHEETS = [code for code, fmt in FORMATS.items() if not fmt.thermal]
THERMAL = [code for code, fmt in FORMATS.items() if fmt.thermal]
# Several pages of each stock, starting part way into a used sheet.
BATCHES = {"a4-3x8": (45, 5), "a4-2x7": (26, 3), "a4-2x2": (9, 1), "thermal-50x30": (5, 0),
           "thermal-100x70": (5, 0)}

NAMES = [
    ("液压破拆工具组", "Hydraulic rescue tool set"),
    ("泡沫灭火剂 AFFF 3%", "AFFF foam concentrate 3%"),
    (MARKUP, MARKUP),
    ("个人防护装备箱（防化服、正压式空气呼吸器、防护手套、护目镜）及备用滤毒罐与气瓶",
     "Personal protective equipment: gas-tight chemical suits, self-contained breathing "
     "apparatus, gloves, goggles and spare canisters and cylinders"),
    ("生命探测仪", ""),
]
KIND_CODES = [("kit", "K-EQ-{:04d}"), ("location", "A-{:02d}-03"), ("item", "EA-AFFF3-{:02d}"),
              ("lot", "EA-AFFF3-25/L2024/{:03d}"), ("kit", "箱-{}"), ("person", "BZ-{:04d}")]
COLOURS = ["#D32F2F", "#FFEB3B", "#1976D2", "#616161", "#FFFFFF", "#000000"]


def make_records(count: int) -> list[LabelRecord]:
    """Return labels of every kind, with short, empty, markup-like and very long text."""
    records = []
    for i in range(count):
        kind, pattern = KIND_CODES[i % len(KIND_CODES)]
        code = pattern.format(i)
        title_zh, title_en = NAMES[i % len(NAMES)]
        records.append(LabelRecord(
            code=code,
            payload=build_payload(BASE, kind, code),
            title_zh=title_zh,
            title_en=title_en,
            colour=COLOURS[i % len(COLOURS)],
            band=["EQ 地震救援", "", "HZ 危化品处置与洗消（一级）" * 3][i % 3],
            module=["地震救援模块", "", "危险化学品泄漏事故处置与洗消模块" * 2][i % 3],
            small_print=(("模板 T-EQ-01", "批次 L2024-001 · 有效期 2027-05-31", "装箱 2026-11-28",
                          "检查 2026-12-01", "备注 " + "很长的备注" * 20)[: i % 6]),
        ))
    return records


def long_record() -> LabelRecord:
    """Return a label whose every field is far too long for any stock."""
    return LabelRecord(
        code="K-EQ-" + "0123456789" * 6,
        payload=build_payload(BASE, "kit", "K-EQ-0001"),
        title_zh="消防救援应急物资储备库" * 12,
        title_en="Supercalifragilisticexpialidocious" * 4 + " emergency materials depot" * 10,
        colour="#1976D2",
        band="EQ 地震救援" * 10,
        module="地震救援模块" * 10,
        small_print=tuple("小字" * 60 for _ in range(8)),
    )


def px_box(left_mm: float, top_mm: float, width_mm: float, height_mm: float,
           inset_mm: float = 0.0) -> tuple[int, int, int, int]:
    """Return the pixel box of a rectangle in mm, rounded outwards (inwards when inset)."""
    left, top = (left_mm + inset_mm) * PX_PER_MM, (top_mm + inset_mm) * PX_PER_MM
    right = (left_mm + width_mm - inset_mm) * PX_PER_MM
    bottom = (top_mm + height_mm - inset_mm) * PX_PER_MM
    if inset_mm:
        return math.ceil(left), math.ceil(top), math.floor(right), math.floor(bottom)
    return math.floor(left), math.floor(top), math.ceil(right), math.ceil(bottom)


def darkest_outside(page: Image.Image, boxes: list[tuple[int, int, int, int]]) -> int:
    """Return the darkest pixel of the page once the boxes are painted white."""
    page = page.copy()
    for box in boxes:
        page.paste(255, box)
    return page.getextrema()[0]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Render, rasterise and remember a several-page batch on every stock."""
    out = {}
    for code, (count, skip) in BATCHES.items():
        fmt = get_format(code)
        records = make_records(count)
        pdf = render_pdf(records, fmt, skip=skip, title=f"labels {code}")
        pages = rasterise(pdf)
        out[code] = (fmt, records, skip, pdf, pages)
    return out


@pytest.mark.parametrize("code", FORMATS)
def test_every_label_scans_back_to_its_exact_payload(rendered, code):
    fmt, records, skip, _, pages = rendered[code]
    for record, (page, *cell) in zip(records, cell_boxes(fmt, len(records), skip), strict=True):
        assert decode(pages[page].crop(px_box(*cell))) == [record.payload], record.code


@pytest.mark.parametrize("code", FORMATS)
def test_qr_codes_use_error_correction_level_m(rendered, code):
    fmt, records, skip, _, pages = rendered[code]
    page, *cell = cell_boxes(fmt, 1, skip)[0]
    found = zxingcpp.read_barcode(pages[page].crop(px_box(*cell)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert found is not None and found.text == records[0].payload
    assert found.ec_level == "M"


@pytest.mark.parametrize("code", SHEETS)
def test_sheets_fill_pages_after_the_skipped_cells(rendered, code):
    fmt, records, skip, pdf, pages = rendered[code]
    expected = math.ceil((skip + len(records)) / fmt.per_page)
    assert len(pages) == len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == expected
    assert pages[0].size == (pytest.approx(210 * PX_PER_MM, abs=1), pytest.approx(297 * PX_PER_MM, abs=1))


@pytest.mark.parametrize("code", THERMAL)
def test_thermal_rolls_print_one_label_per_page_of_the_label_size(rendered, code):
    fmt, records, _, pdf, pages = rendered[code]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(pages) == len(records)
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(fmt.label_width_mm * PT_PER_MM)
        assert float(page.mediabox.height) == pytest.approx(fmt.label_height_mm * PT_PER_MM)


@pytest.mark.parametrize("code", SHEETS)
def test_skipped_cells_are_left_blank(rendered, code):
    fmt, _, skip, _, pages = rendered[code]
    assert skip > 0
    for position in range(skip):
        assert pages[0].crop(px_box(*fmt.cell(position))).getextrema()[0] >= WHITE


@pytest.mark.parametrize("code", FORMATS)
def test_nothing_is_printed_outside_the_cells(rendered, code):
    fmt, _, _, _, pages = rendered[code]
    cells = [px_box(*fmt.cell(position)) for position in range(fmt.per_page)]
    for page in pages:
        assert darkest_outside(page, cells) >= WHITE


@pytest.mark.parametrize("code", FORMATS)
def test_pdf_text_holds_codes_chinese_titles_and_markup_literally(rendered, code):
    _, records, _, pdf, _ = rendered[code]
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    flat = "".join(text.split())
    for record in records[:5]:
        assert record.code in flat
    assert "液压破拆工具组" in flat and "泡沫灭火剂" in flat and "生命探测仪" in flat
    assert "<b>&amp;</b>" in flat


def test_the_font_is_embedded_and_no_cid_font_is_used(rendered):
    pdf = rendered["a4-3x8"][3]
    assert FONT_NAME.encode() in pdf
    assert b"STSong" not in pdf and b"Adobe-GB1" not in pdf
    fonts = font_names(pdf)
    assert fonts and all(FONT_NAME in name for name in fonts)


def test_the_title_is_the_pdf_metadata_title(rendered):
    assert pypdf.PdfReader(io.BytesIO(rendered["a4-2x7"][3])).metadata.title == "labels a4-2x7"


@pytest.mark.parametrize("code", FORMATS)
def test_very_long_text_stays_inside_its_own_label(tmp_path, code):
    fmt = get_format(code)
    skip = 0 if fmt.thermal else fmt.per_page // 2 + 1  # a cell with neighbours on all sides
    record = long_record()
    (page, *cell), = cell_boxes(fmt, 1, skip)
    image, = rasterise(render_pdf([record], fmt, skip=skip))
    # Everything keeps at least a millimetre from the cell's edge, where the printer may shift.
    assert darkest_outside(image, [px_box(*cell, inset_mm=0.7)]) >= WHITE
    assert decode(image.crop(px_box(*cell))) == [record.payload]


@pytest.mark.parametrize(("code", "offset"), [("a4-3x8", (3.0, 5.0)), ("a4-2x2", (-2.0, 4.0)),
                                              ("thermal-100x70", (2.5, -1.5))])
def test_offsets_move_the_content_by_that_many_millimetres(tmp_path, code, offset):
    fmt = get_format(code)
    records = make_records(1)
    positions = []
    for shift in [(0.0, 0.0), offset]:
        image, = rasterise(render_pdf(records, fmt, skip=0, offset_mm=shift))
        symbol, = qr_symbols(image)
        assert symbol.data.decode() == records[0].payload
        xs = [point.x for point in symbol.polygon]
        ys = [point.y for point in symbol.polygon]
        positions.append((min(xs), min(ys)))
    (x0, y0), (x1, y1) = positions
    assert x1 - x0 == pytest.approx(offset[0] * PX_PER_MM, abs=1.5)
    assert y1 - y0 == pytest.approx(offset[1] * PX_PER_MM, abs=1.5)


def test_outlines_draw_the_cells_in_light_grey(tmp_path):
    fmt = get_format("a4-3x8")
    image, = rasterise(render_pdf(make_records(1), fmt, outlines=True))
    left, top, right, bottom = px_box(*fmt.cell(23))  # an empty cell: only its outline is drawn
    inside = image.crop((left + 3, top + 3, right - 3, bottom - 3)).getextrema()
    edge = image.crop((left, top, right, bottom)).getextrema()
    assert inside[0] >= WHITE
    assert 60 < edge[0] < WHITE  # grey, not black


def test_large_labels_print_the_box_code_readable_from_two_metres():
    fmt = get_format("a4-2x2")
    layout = layout_for(fmt, Shape(title_zh=True, title_en=True, module=True, small_print=3))
    slot, = [slot for slot in layout.slots if slot.field == "code"]
    fitted = fit("K-EQ-0007", slot.box.w, slot.box.h, slot.max_size, slot.min_size, slot.max_lines)
    assert fitted.size * cap_height() / PT_PER_MM >= 12.0
    thermal = layout_for(get_format("thermal-100x70"), Shape(True, True, True, 3))
    slot, = [slot for slot in thermal.slots if slot.field == "code"]
    fitted = fit("K-EQ-0007", slot.box.w, slot.box.h, slot.max_size, slot.min_size, slot.max_lines)
    assert fitted.size * cap_height() / PT_PER_MM >= 6.0


@pytest.mark.parametrize("code", FORMATS)
def test_the_qr_code_keeps_a_quiet_zone_of_four_modules_inside_the_cell(code):
    fmt = get_format(code)
    layout = layout_for(fmt, Shape(True, True, True, 3))
    box = layout.qr
    assert box.x >= 0 and box.y >= 0
    assert box.x + box.w <= fmt.label_width_mm * PT_PER_MM
    assert box.y + box.h <= fmt.label_height_mm * PT_PER_MM
    for slot in [*layout.slots]:
        apart = slot.box.x >= box.x + box.w - 1e-6 or slot.box.y >= box.y + box.h - 1e-6 or \
            slot.box.y + slot.box.h <= box.y + 1e-6
        assert apart, slot.field


def test_the_same_labels_give_the_same_bytes():
    fmt = get_format("a4-3x8")
    assert render_pdf(make_records(3), fmt) == render_pdf(make_records(3), fmt)


def test_no_records_is_an_error():
    with pytest.raises(ValueError, match="no labels"):
        render_pdf([], get_format("a4-3x8"))


@pytest.mark.parametrize(("code", "skip"), [("a4-3x8", -1), ("a4-3x8", 24), ("a4-2x2", 4),
                                            ("thermal-50x30", -1)])
def test_a_skip_off_the_sheet_is_an_error(code, skip):
    with pytest.raises(ValueError, match="skip"):
        render_pdf(make_records(1), get_format(code), skip=skip)


def test_thermal_rolls_ignore_skip():
    fmt = get_format("thermal-50x30")
    assert render_pdf(make_records(2), fmt, skip=3) == render_pdf(make_records(2), fmt)


def test_a_payload_too_long_to_scan_on_the_label_is_an_error():
    record = LabelRecord(code="K-1", payload="https://depot.example.org/k/" + "x" * 480, title_zh="箱")
    with pytest.raises(ValueError, match="too long to scan"):
        render_pdf([record], get_format("thermal-50x30"))


def test_preview_is_a_png_of_the_asked_width(rendered):
    pdf = rendered["a4-3x8"][3]
    png = preview_png(pdf, page=1, width_px=600)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.width == 600 and image.height == pytest.approx(600 * 297 / 210, abs=2)
        assert image.convert("L").getextrema()[0] < 50  # labels were drawn


@pytest.mark.parametrize("page", [-1, 3])
def test_preview_of_a_missing_page_is_an_error(rendered, page):
    with pytest.raises(ValueError, match="page"):
        preview_png(rendered["a4-3x8"][3], page=page)


def test_the_labels_package_imports_neither_flask_nor_the_app():
    code = ("import sys, labels, labels.render, labels.preview, labels.qr, labels.fonts; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'warehouse'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip() == "[]"
