"""One colour per material category: the labels' bands and the pages' badges and floor plan agree."""

import re
from pathlib import Path

from warehouse.domain.categories import CATEGORY_COLOURS, NO_CATEGORY_COLOUR, category_colour

CSS = (Path(__file__).parents[2] / "warehouse" / "static" / "css" / "warehouse.css").read_text()
MIGRATION = (Path(__file__).parents[2] / "migrations" / "versions" / "0001_foundation.py").read_text()


def test_every_seeded_category_has_a_colour_and_no_two_share_one():
    seeded = set(re.findall(r'\("([A-Z]{2})", "', MIGRATION))
    assert seeded == set(CATEGORY_COLOURS) and len(seeded) == 7
    assert len(set(CATEGORY_COLOURS.values())) == 7


def test_the_page_badges_use_the_label_colours():
    badges = dict(re.findall(r"\.cat-([A-Z]{2}) \{ background: (#[0-9a-f]{6}); \}", CSS))
    assert badges == CATEGORY_COLOURS


def test_the_floor_plan_uses_the_label_colours():
    zones = dict(re.findall(r"\.floor-plan \.zone\.cat-([A-Z]{2}) \{ fill: (#[0-9a-f]{6});", CSS))
    assert zones == CATEGORY_COLOURS


def test_white_text_is_readable_on_every_band():
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in [*CATEGORY_COLOURS.values(), NO_CATEGORY_COLOUR]:
        contrast = 1.05 / (luminance(colour) + 0.05)
        assert contrast >= 3.0, colour  # WCAG large text; the band's text is bold-sized


def test_unknown_or_missing_categories_are_grey():
    assert category_colour(None) == category_colour("ZZ") == NO_CATEGORY_COLOUR
    assert category_colour("MS") == "#2e7d32"
