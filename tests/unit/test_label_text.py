"""Label text fitting, the QR matrix and the font: the pieces the renderer is built from."""

import threading

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from labels.fonts import FONT_NAME, register_font
from labels.qr import qr_matrix, qr_runs
from labels.text import ELLIPSIS, LEADING, fit, line_height, width_em, wrap

LONG_ZH = "液压破拆工具组（扩张器、剪切器、顶杆）及配套液压泵站与备用电池组" * 3
LONG_EN = "Hydraulic rescue tool set with spreader cutter ram and a very long power unit name " * 3


def test_the_font_is_registered_once_even_from_many_threads():
    names = []
    threads = [threading.Thread(target=lambda: names.append(register_font())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert names == [FONT_NAME] * 8


def test_widths_grow_with_text():
    assert width_em("") == 0
    assert width_em("箱") == pytest.approx(1.0)  # CJK is one em wide
    assert 0 < width_em("i") < width_em("W")


def test_short_text_is_one_line_at_the_largest_size():
    fitted = fit("K-EQ-0007", 200, 30, 20, 6)
    assert fitted.lines == ("K-EQ-0007",) and fitted.size == 20


def test_text_shrinks_on_one_line_when_its_box_has_room_for_one():
    fitted = fit("泡沫灭火剂", 40, 12, 20, 5, max_lines=2)
    assert fitted.lines == ("泡沫灭火剂",)
    assert fitted.size == pytest.approx(8.0)


def test_one_line_is_kept_when_wrapping_would_barely_enlarge_it():
    fitted = fit("泡沫灭火剂", 90, 30, 20, 5, max_lines=2)
    assert fitted.lines == ("泡沫灭火剂",) and fitted.size == pytest.approx(18.0)


def test_text_wraps_when_two_lines_set_it_much_larger():
    fitted = fit("泡沫灭火剂", 40, 30, 20, 5, max_lines=2)
    assert fitted.lines == ("泡沫灭", "火剂") and fitted.size > 13


def test_chinese_wraps_between_any_characters():
    lines = wrap("地震救援工具箱", 3.0)
    assert lines == ["地震救", "援工具", "箱"]


def test_closing_punctuation_stays_with_the_character_before_it():
    lines = wrap("组（扩张器、剪切器）", 3.0)
    assert all(not line.startswith(("、", "）")) for line in lines)
    assert "".join(lines) == "组（扩张器、剪切器）"


def test_latin_wraps_at_spaces_and_breaks_words_longer_than_a_line():
    assert wrap("aaa bbb ccc", width_em("aaa bbb") + 0.01) == ["aaa bbb", "ccc"]
    pieces = wrap("x" * 40, width_em("x" * 10) + 0.01)
    assert pieces == ["x" * 10] * 4


@pytest.mark.parametrize("text", [LONG_ZH, LONG_EN, "W" * 300, "<b>&amp;</b><font size=80>" * 5])
@pytest.mark.parametrize(("width", "height", "lines"), [(90, 20, 2), (250, 30, 2), (60, 8, 1)])
def test_fitted_text_never_leaves_its_box(text, width, height, lines):
    fitted = fit(text, width, height, 14, 6, max_lines=lines)
    assert 1 <= len(fitted.lines) <= lines
    assert fitted.height() <= height + 1e-6
    for line in fitted.lines:
        assert width_em(line) * fitted.size <= width + 1e-6
    shown = "".join(fitted.lines).replace(" ", "")
    assert shown == text.replace(" ", "") or fitted.lines[-1].endswith(ELLIPSIS)


def test_height_counts_ascent_descent_and_leading():
    fitted = fit("地震救援工具箱" * 4, 60, 100, 10, 6, max_lines=3)
    assert fitted.height() == pytest.approx(fitted.size * (line_height() + LEADING * (len(fitted.lines) - 1)))


def test_empty_text_draws_nothing():
    assert fit("  ", 100, 100, 10, 5).lines == ()


def test_a_box_smaller_than_the_minimum_size_still_holds_the_text():
    fitted = fit("K-EQ-0007", 200, 3, 20, 6)
    assert fitted.height() <= 3 + 1e-6


@pytest.mark.parametrize("payload", ["https://depot.example.org/k/K-EQ-0007", "K", "箱 A/1", "x" * 300])
def test_qr_matrix_decodes_back_to_the_payload_at_level_m(payload):
    matrix = qr_matrix(payload)
    size = len(matrix)
    assert size >= 21 and (size - 17) % 4 == 0 and all(len(row) == size for row in matrix)
    scale, quiet = 4, 4
    image = Image.new("L", ((size + 2 * quiet) * scale,) * 2, 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.paste(0, ((x + quiet) * scale, (y + quiet) * scale,
                                (x + quiet + 1) * scale, (y + quiet + 1) * scale))
    found = zxingcpp.read_barcode(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert found is not None and found.text == payload and found.ec_level == "M"


def test_qr_runs_cover_exactly_the_dark_modules():
    payload = "https://depot.example.org/b/EA-AFFF3-25/L2024-01"
    matrix = qr_matrix(payload)
    size, runs = qr_runs(payload)
    painted = [[False] * size for _ in range(size)]
    for column, row, length in runs:
        assert length >= 1 and column + length <= size
        for x in range(column, column + length):
            assert not painted[row][x]
            painted[row][x] = True
    assert painted == matrix
    # Runs are maximal: no two touch on one row.
    ends = {(row, column + length) for column, row, length in runs}
    assert not any((row, column) in ends for column, row, _ in runs)


def test_qr_refuses_an_empty_payload():
    with pytest.raises(ValueError):
        qr_matrix("")


@settings(max_examples=150, deadline=None)
@given(text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120),
       width=st.floats(20, 300), height=st.floats(5, 60), lines=st.integers(1, 3))
def test_any_text_fits_and_keeps_its_order(text, width, height, lines):
    fitted = fit(text, width, height, 16, 5, max_lines=lines)
    assert len(fitted.lines) <= lines
    assert fitted.height() <= height + 1e-6
    for line in fitted.lines:
        assert width_em(line) * fitted.size <= width + 1e-6
    shown = "".join("".join(fitted.lines).split())
    whole = "".join(text.split())
    assert shown == whole or (shown.endswith(ELLIPSIS) and whole.startswith(shown[:-1]))
