"""Label stocks as data: sheets and thermal rolls, their cells, margins and gaps (in mm)."""

from __future__ import annotations

from dataclasses import dataclass

A4 = (210.0, 297.0)


class UnknownFormat(KeyError):
    """Raised for a format code that is not in FORMATS."""


@dataclass(frozen=True)
class LabelFormat:
    """One label stock: a page of columns x rows cells (a thermal roll is one cell per page)."""

    code: str
    name_zh: str
    name_en: str
    page_width_mm: float
    page_height_mm: float
    columns: int
    rows: int
    label_width_mm: float
    label_height_mm: float
    margin_left_mm: float = 0.0
    margin_top_mm: float = 0.0
    gap_x_mm: float = 0.0  # between columns
    gap_y_mm: float = 0.0  # between rows
    layout: str = "compact"  # compact: QR beside text; large: module and code readable from 2 m
    thermal: bool = False  # a roll: one label per page, nothing to skip

    @property
    def per_page(self) -> int:
        """How many labels one page holds."""
        return self.columns * self.rows

    def name(self, locale: str) -> str:
        """Return the name in the given UI language."""
        return self.name_en if locale == "en" else self.name_zh

    def cell(self, position: int) -> tuple[float, float, float, float]:
        """Return (left, top, width, height) in mm from the page's top-left of a cell on a page.

        Cells are numbered row by row from the top left, as label sheets are.
        """
        if not 0 <= position < self.per_page:
            raise IndexError(f"position {position} is not on a {self.code} page")
        row, column = divmod(position, self.columns)
        left = self.margin_left_mm + column * (self.label_width_mm + self.gap_x_mm)
        top = self.margin_top_mm + row * (self.label_height_mm + self.gap_y_mm)
        return left, top, self.label_width_mm, self.label_height_mm


FORMATS: dict[str, LabelFormat] = {
    f.code: f
    for f in (
        # Avery/Herma-style 24-up sheet (e.g. Avery 3475): no gaps, 4.5 mm top and bottom.
        LabelFormat("a4-3x8", "A4 不干胶 3×8（70×37 mm）", "A4 sheet 3 × 8 (70 × 37 mm)",
                    *A4, columns=3, rows=8, label_width_mm=70.0, label_height_mm=37.0,
                    margin_left_mm=0.0, margin_top_mm=0.5),
        # 14-up sheet (e.g. Avery L7163): 99.1 x 38.1 mm, 2.5 mm between columns.
        LabelFormat("a4-2x7", "A4 不干胶 2×7（99.1×38.1 mm）", "A4 sheet 2 × 7 (99.1 × 38.1 mm)",
                    *A4, columns=2, rows=7, label_width_mm=99.1, label_height_mm=38.1,
                    margin_left_mm=4.65, margin_top_mm=15.15, gap_x_mm=2.5),
        # Four large box labels per sheet, readable from 2 m.
        LabelFormat("a4-2x2", "A4 大号箱标 2×2（100×140 mm）", "A4 large box labels 2 × 2 (100 × 140 mm)",
                    *A4, columns=2, rows=2, label_width_mm=100.0, label_height_mm=140.0,
                    margin_left_mm=3.0, margin_top_mm=5.5, gap_x_mm=4.0, gap_y_mm=6.0,
                    layout="large"),
        LabelFormat("thermal-50x30", "热敏标签 50×30 mm", "Thermal roll 50 × 30 mm",
                    50.0, 30.0, columns=1, rows=1, label_width_mm=50.0, label_height_mm=30.0,
                    thermal=True),
        LabelFormat("thermal-100x70", "热敏标签 100×70 mm", "Thermal roll 100 × 70 mm",
                    100.0, 70.0, columns=1, rows=1, label_width_mm=100.0, label_height_mm=70.0,
                    layout="large", thermal=True),
    )
}


def get_format(code: str) -> LabelFormat:
    """Return the format with this code, or raise UnknownFormat naming the valid ones."""
    try:
        return FORMATS[code]
    except KeyError:
        raise UnknownFormat(code) from None
