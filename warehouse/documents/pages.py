"""What every printed document of the depot shares: A4 pages numbered "n of m", a running header,
and text set literally (user text is never reportlab markup)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, TableStyle

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
GRID_GREY = colors.Color(0.55, 0.55, 0.55)
HEADER_FILL = colors.Color(0.9, 0.9, 0.9)


def literal(text: str, style: ParagraphStyle) -> Paragraph:
    """Return a Paragraph that prints text literally (escaped; line breaks kept)."""
    return Paragraph("<br/>".join(escape(line) for line in (text or "").splitlines()), style)


class NumberedCanvas(Canvas):
    """A canvas that holds its pages back until the end, to print "page n of m" on each."""

    def __init__(self, *args, page_footer: str, font: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._footer = page_footer
        self._font = font
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(self._font, 8)
            footer = self._footer % {"page": number, "pages": total}
            self.drawCentredString(PAGE_WIDTH / 2, MARGIN / 2, footer)
            super().showPage()
        super().save()


def page_header(canvas: Canvas, _doc, *, font: str, title: str, printed: str) -> None:
    """Draw the title and print time at the top of every page, above a thin rule."""
    canvas.saveState()
    canvas.setFont(font, 8)
    canvas.setFillGray(0.35)
    top = PAGE_HEIGHT - MARGIN / 2 - 2 * mm
    canvas.drawString(MARGIN, top, title)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, top, printed)
    canvas.setStrokeGray(0.6)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, top - 2 * mm, PAGE_WIDTH - MARGIN, top - 2 * mm)
    canvas.restoreState()


def grid_style(font: str, *extra) -> TableStyle:
    """Return the house table style: grey grid, shaded header row, the report's font throughout."""
    return TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, GRID_GREY),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        # Otherwise reportlab names Helvetica for the empty cells: a font never drawn with.
        ("FONTNAME", (0, 0), (-1, -1), font),
        *extra,
    ])
