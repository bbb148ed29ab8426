"""Label stocks as data: every cell on its page, none overlapping, the sizes the packets say."""

from itertools import combinations

import pytest

from labels import FORMATS, UnknownFormat, get_format
from labels.render import cell_boxes

EPSILON = 1e-6


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=FORMATS)
def test_every_cell_lies_inside_the_page(fmt):
    for position in range(fmt.per_page):
        left, top, width, height = fmt.cell(position)
        assert left >= -EPSILON and top >= -EPSILON
        assert left + width <= fmt.page_width_mm + EPSILON
        assert top + height <= fmt.page_height_mm + EPSILON


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=FORMATS)
def test_no_two_cells_overlap(fmt):
    cells = [fmt.cell(position) for position in range(fmt.per_page)]
    for (l1, t1, w1, h1), (l2, t2, w2, h2) in combinations(cells, 2):
        apart = l1 + w1 <= l2 + EPSILON or l2 + w2 <= l1 + EPSILON or \
            t1 + h1 <= t2 + EPSILON or t2 + h2 <= t1 + EPSILON
        assert apart


@pytest.mark.parametrize(("code", "per_page", "size", "layout", "thermal"), [
    ("a4-3x8", 24, (70.0, 37.0), "compact", False),
    ("a4-2x7", 14, (99.1, 38.1), "compact", False),
    ("a4-2x2", 4, (100.0, 140.0), "large", False),
    ("thermal-50x30", 1, (50.0, 30.0), "compact", True),
    ("thermal-100x70", 1, (100.0, 70.0), "large", True),
])
def test_stock_sizes(code, per_page, size, layout, thermal):
    fmt = get_format(code)
    assert fmt.per_page == per_page
    assert (fmt.label_width_mm, fmt.label_height_mm) == size
    assert fmt.layout == layout and fmt.thermal is thermal
    if thermal:
        assert (fmt.page_width_mm, fmt.page_height_mm) == size
    else:
        assert (fmt.page_width_mm, fmt.page_height_mm) == (210.0, 297.0)


def test_cells_are_numbered_row_by_row_from_the_top_left():
    fmt = get_format("a4-3x8")
    assert fmt.cell(0) == (0.0, 0.5, 70.0, 37.0)
    assert fmt.cell(1) == (70.0, 0.5, 70.0, 37.0)
    assert fmt.cell(3) == (0.0, 37.5, 70.0, 37.0)
    assert fmt.cell(23)[:2] == (140.0, 0.5 + 7 * 37.0)


@pytest.mark.parametrize("position", [-1, 24, 100])
def test_a_position_off_the_page_is_an_index_error(position):
    with pytest.raises(IndexError):
        get_format("a4-3x8").cell(position)


def test_unknown_format_is_a_key_error_naming_the_code():
    with pytest.raises(UnknownFormat) as caught:
        get_format("letter-5x2")
    assert isinstance(caught.value, KeyError)
    assert "letter-5x2" in str(caught.value)


def test_names_in_both_languages():
    fmt = get_format("a4-3x8")
    assert fmt.name("en").startswith("A4 sheet")
    assert fmt.name("zh").startswith("A4 不干胶")


def test_codes_are_the_keys():
    assert all(code == fmt.code for code, fmt in FORMATS.items())


def test_cell_boxes_continue_on_the_next_page_after_skipped_cells():
    fmt = get_format("a4-2x7")
    boxes = cell_boxes(fmt, 20, skip=10)
    assert [page for page, *_ in boxes] == [0] * 4 + [1] * 14 + [2] * 2
    assert boxes[0][1:] == fmt.cell(10)
    assert boxes[4][1:] == fmt.cell(0)


def test_cell_boxes_move_with_the_offset():
    fmt = get_format("a4-3x8")
    (page, left, top, width, height), = cell_boxes(fmt, 1, skip=4, offset_mm=(1.5, -2.0))
    cell = fmt.cell(4)
    assert (page, width, height) == (0, cell[2], cell[3])
    assert left == pytest.approx(cell[0] + 1.5) and top == pytest.approx(cell[1] - 2.0)


def test_thermal_rolls_put_one_label_on_each_page_and_ignore_skip():
    fmt = get_format("thermal-50x30")
    assert cell_boxes(fmt, 3, skip=5) == [(page, 0.0, 0.0, 50.0, 30.0) for page in range(3)]


@pytest.mark.parametrize("skip", [-1, 24, 25])
def test_cell_boxes_refuse_a_skip_off_the_sheet(skip):
    with pytest.raises(ValueError, match="skip"):
        cell_boxes(get_format("a4-3x8"), 1, skip=skip)
