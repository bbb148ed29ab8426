"""The readiness report a commander takes to a meeting: modules, shortfalls, targets, signatures.

A pure renderer, like the roster: records with every word already translated in, A4 PDF bytes
out. Module, item, partner and deployment names are user text, never markup: each string is
escaped before it becomes a Paragraph, so `<b>&` in a name prints as those characters. A level is
always printed in words as well as a tint, for black-and-white printers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from labels.fonts import register_font
from warehouse.documents.pages import MARGIN, PAGE_WIDTH, NumberedCanvas, grid_style, literal, page_header

# code, module, required, ready, short, deployed, in restock, unbuilt, %, level, earliest expiry.
MODULE_WIDTHS_MM = (12, 34, 13, 13, 13, 13, 13, 13, 12, 20, 24)
# item, missing, where it is missing, where it could come from.
SHORTFALL_WIDTHS_MM = (46, 20, 36, 78)
# target, threshold, actual, result, missing.
TARGET_WIDTHS_MM = (70, 22, 26, 20, 42)
# expires, item, lot, units, place.
EXPIRY_WIDTHS_MM = (22, 72, 30, 24, 32)
# code, name, kind, module, opened, due back, boxes out, loose units.
DEPLOYMENT_WIDTHS_MM = (24, 40, 16, 14, 22, 24, 28, 12)
# A section's heading never starts this close to the foot of a page: it would sit alone there.
SECTION_MIN = 35 * mm
# Light tints, so the words on them stay legible in print and on a grey-scale copy.
LEVEL_TINTS = {
    "good": colors.Color(0.80, 0.93, 0.80),
    "fair": colors.Color(1.00, 0.89, 0.60),
    "poor": colors.Color(0.98, 0.76, 0.76),
}
SOON_TINT = colors.Color(1.00, 0.89, 0.60)


@dataclass(frozen=True)
class ModuleLine:
    """One module's row; its level both as a key ("good", "fair", "poor", "none") and in words."""

    code: str
    name: str
    required: int
    ready: int  # ready boxes that count towards the requirement
    short: int
    deployed: int
    restocking: int
    unbuilt: int
    percent: int | None  # None when nothing is required
    level: str
    level_word: str
    earliest_expiry: date | None = None
    expiry_soon: bool = False  # within the warning days: marked and tinted


@dataclass(frozen=True)
class ShortfallLine:
    """An item a module lacks: how many, where they are missing, and where they could come from."""

    item: str
    missing: str
    where: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModuleShortfalls:
    """A module's heading ("EQ 地震救援模块") and its largest shortfalls."""

    module: str
    lines: tuple[ShortfallLine, ...]


@dataclass(frozen=True)
class TargetLine:
    """A target of the plan against the data, figures already written out."""

    name: str
    threshold: str
    actual: str
    passed: bool
    missing: str = ""


@dataclass(frozen=True)
class ExpiryLine:
    """A lot held past or near its expiry."""

    expires_on: date
    item: str
    lot: str
    units: str
    place: str
    expired: bool = False


@dataclass(frozen=True)
class DeploymentLine:
    """An open deployment and the boxes it still has out."""

    code: str
    name: str
    kind: str
    module: str
    opened: datetime
    due: datetime
    overdue: bool
    boxes: tuple[str, ...] = ()
    loose: int = 0


@dataclass(frozen=True)
class ReportHeadings:
    """Every word the report prints that is not data, in the reader's language.

    page is a %-template taking page and pages.
    """

    title: str
    depot: str
    as_of: str
    printed: str
    printed_by: str
    overall: str
    modules: str
    module_columns: tuple[str, ...]
    total: str
    soon_note: str  # explains the mark on an earliest expiry within the warning days
    shortfalls: str
    shortfall_columns: tuple[str, str, str, str]
    no_shortfalls: str
    targets: str
    target_columns: tuple[str, str, str, str, str]
    passed: str
    failed: str
    staffing: str
    expiry: str
    expiry_columns: tuple[str, str, str, str, str]
    expired: str
    no_expiry: str
    deployments: str
    deployment_columns: tuple[str, ...]
    overdue: str
    no_deployments: str
    signatures: tuple[str, ...]  # compiled by, reviewed by, commander's signature
    date: str
    page: str


@dataclass(frozen=True)
class ReadinessReport:
    """A readiness report to print: its words, the day's figures and who printed it when.

    overall and targets_summary, staffing and expiry_summary are sentences already written out.
    """

    headings: ReportHeadings
    depot: str
    on: date
    printed_at: datetime
    printed_by: str
    overall: str
    overall_level: str
    overall_counts: tuple[str, ...]
    modules: tuple[ModuleLine, ...]
    totals: ModuleLine | None
    shortfalls: tuple[ModuleShortfalls, ...]
    targets: tuple[TargetLine, ...]
    targets_summary: str
    staffing: tuple[str, ...]
    expiry_summary: str
    expiring: tuple[ExpiryLine, ...]
    deployments: tuple[DeploymentLine, ...]


def _styles(font: str) -> dict[str, ParagraphStyle]:
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=9, leading=13, alignment=TA_CENTER),
        "overall": ParagraphStyle("overall", fontName=font, fontSize=14, leading=19, alignment=TA_CENTER),
        "section": ParagraphStyle("section", fontName=font, fontSize=12, leading=16, spaceBefore=6,
                                  spaceAfter=3),
        "module": ParagraphStyle("module", fontName=font, fontSize=10, leading=13, spaceBefore=3,
                                 spaceAfter=2),
        "cell": cell,
        "head": ParagraphStyle("head", parent=cell, alignment=TA_CENTER),
        "number": ParagraphStyle("number", parent=cell, alignment=TA_RIGHT),
        "centre": ParagraphStyle("centre", parent=cell, alignment=TA_CENTER),
        "note": ParagraphStyle("note", fontName=font, fontSize=9, leading=13, spaceBefore=2),
        "small": ParagraphStyle("small", parent=cell, textColor=colors.Color(0.3, 0.3, 0.3)),
        "sign": ParagraphStyle("sign", fontName=font, fontSize=10, leading=13),
    }


def _table(rows: list, widths_mm: tuple, font: str, *extra) -> Table:
    # repeatRows: the header row starts every page the table runs onto.
    table = Table(rows, colWidths=[w * mm for w in widths_mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(grid_style(font, *extra))
    return table


def _section(title: str, styles: dict) -> list:
    return [CondPageBreak(SECTION_MIN), literal(title, styles["section"])]


def _overall(report: ReadinessReport, styles: dict) -> list:
    """Return the overall figure in a box tinted by its level, with the counts below it."""
    rows = [[literal(report.overall, styles["overall"])]]
    rows += [[literal(line, styles["subtitle"])] for line in report.overall_counts]
    box = Table(rows, colWidths=[PAGE_WIDTH - 2 * MARGIN])
    style = [("BOX", (0, 0), (-1, -1), 0.8, colors.black),
             ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName)]
    tint = LEVEL_TINTS.get(report.overall_level)
    if tint is not None:
        style.append(("BACKGROUND", (0, 0), (-1, 0), tint))
    box.setStyle(TableStyle(style))
    return [box, Spacer(1, 4 * mm)]


def _module_row(line: ModuleLine, styles: dict) -> list:
    number = styles["number"]
    expiry = line.earliest_expiry.isoformat() if line.earliest_expiry else "—"
    return [literal(line.code, styles["cell"]), literal(line.name, styles["cell"]),
            *(literal(str(value), number) for value in (line.required, line.ready, line.short, line.deployed,
                                                       line.restocking, line.unbuilt)),
            literal("—" if line.percent is None else f"{line.percent}%", number),
            literal(line.level_word, styles["centre"]),
            literal(f"{expiry} *" if line.expiry_soon else expiry, styles["centre"])]


def _modules(report: ReadinessReport, styles: dict, font: str) -> list:
    headings = report.headings
    rows = [[literal(title, styles["head"]) for title in headings.module_columns]]
    extra = []
    lines = list(report.modules) + ([report.totals] if report.totals else [])
    for index, line in enumerate(lines, start=1):
        rows.append(_module_row(line, styles))
        tint = LEVEL_TINTS.get(line.level)
        if tint is not None:
            extra.append(("BACKGROUND", (9, index), (9, index), tint))
        if line.expiry_soon:
            extra.append(("BACKGROUND", (10, index), (10, index), SOON_TINT))
    if report.totals:
        extra.append(("LINEABOVE", (0, len(lines)), (-1, len(lines)), 1.0, colors.black))
    story = [*_section(headings.modules, styles), _table(rows, MODULE_WIDTHS_MM, font, *extra)]
    if any(line.expiry_soon for line in report.modules):
        story.append(literal(headings.soon_note, styles["small"]))
    return story


def _shortfalls(report: ReadinessReport, styles: dict, font: str) -> list:
    headings = report.headings
    story = _section(headings.shortfalls, styles)
    listed = [entry for entry in report.shortfalls if entry.lines]
    if not listed:
        return [*story, literal(headings.no_shortfalls, styles["note"])]
    for entry in listed:
        rows = [[literal(title, styles["head"]) for title in headings.shortfall_columns]]
        for line in entry.lines:
            rows.append([literal(line.item, styles["cell"]), literal(line.missing, styles["number"]),
                         literal(line.where, styles["cell"]),
                         literal("\n".join(line.sources) or "—", styles["cell"])])
        table = _table(rows, SHORTFALL_WIDTHS_MM, font, ("VALIGN", (0, 1), (-1, -1), "TOP"))
        story += [CondPageBreak(25 * mm), literal(entry.module, styles["module"]), table]
    return story


def _targets(report: ReadinessReport, styles: dict, font: str) -> list:
    headings = report.headings
    rows = [[literal(title, styles["head"]) for title in headings.target_columns]]
    extra = []
    for index, line in enumerate(report.targets, start=1):
        rows.append([literal(line.name, styles["cell"]), literal(line.threshold, styles["number"]),
                     literal(line.actual, styles["number"]),
                     literal(headings.passed if line.passed else headings.failed, styles["centre"]),
                     literal(line.missing or "—", styles["cell"])])
        extra.append(("BACKGROUND", (3, index), (3, index), LEVEL_TINTS["good" if line.passed else "poor"]))
    story = [*_section(headings.targets, styles), literal(report.targets_summary, styles["note"])]
    if report.targets:
        story.append(_table(rows, TARGET_WIDTHS_MM, font, *extra))
    return story


def _staffing(report: ReadinessReport, styles: dict) -> list:
    lines = [literal(line, styles["note"]) for line in report.staffing]
    return [KeepTogether([*_section(report.headings.staffing, styles), *lines])]


def _expiry(report: ReadinessReport, styles: dict, font: str) -> list:
    headings = report.headings
    story = [*_section(headings.expiry, styles), literal(report.expiry_summary, styles["note"])]
    if not report.expiring:
        return [*story, literal(headings.no_expiry, styles["note"])]
    rows = [[literal(title, styles["head"]) for title in headings.expiry_columns]]
    extra = []
    for index, line in enumerate(report.expiring, start=1):
        when = line.expires_on.isoformat() + (f" ({headings.expired})" if line.expired else "")
        rows.append([literal(when, styles["centre"]), literal(line.item, styles["cell"]),
                     literal(line.lot, styles["cell"]), literal(line.units, styles["number"]),
                     literal(line.place, styles["cell"])])
        if line.expired:
            extra.append(("BACKGROUND", (0, index), (0, index), LEVEL_TINTS["poor"]))
    return [*story, _table(rows, EXPIRY_WIDTHS_MM, font, *extra)]


def _deployments(report: ReadinessReport, styles: dict, font: str) -> list:
    headings = report.headings
    story = _section(headings.deployments, styles)
    if not report.deployments:
        return [*story, literal(headings.no_deployments, styles["note"])]
    rows = [[literal(title, styles["head"]) for title in headings.deployment_columns]]
    extra = []
    for index, line in enumerate(report.deployments, start=1):
        due = f"{line.due:%Y-%m-%d %H:%M}" + (f"\n{headings.overdue}" if line.overdue else "")
        rows.append([literal(line.code, styles["cell"]), literal(line.name, styles["cell"]),
                     literal(line.kind, styles["cell"]), literal(line.module or "—", styles["centre"]),
                     literal(f"{line.opened:%Y-%m-%d %H:%M}", styles["centre"]),
                     literal(due, styles["centre"]),
                     literal(" ".join(line.boxes) or "—", styles["cell"]),
                     literal(str(line.loose), styles["number"])])
        if line.overdue:
            extra.append(("BACKGROUND", (5, index), (5, index), LEVEL_TINTS["poor"]))
    return [*story, _table(rows, DEPLOYMENT_WIDTHS_MM, font, *extra)]


def _signatures(headings: ReportHeadings, styles: dict) -> KeepTogether:
    """Return the lines the people who compile, review and answer for the report sign."""
    blanks = [*headings.signatures, headings.date]
    cells = [literal(label, styles["sign"]) for label in blanks] + ([""] if len(blanks) % 2 else [])
    rows = [[cells[i], "", cells[i + 1], ""] for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[32 * mm, 56 * mm, 32 * mm, 56 * mm], rowHeights=12 * mm, hAlign="LEFT")
    style = [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName)]
    for index in range(len(blanks)):
        row, column = divmod(index, 2)
        style.append(("LINEBELOW", (2 * column + 1, row), (2 * column + 1, row), 0.6, colors.black))
    table.setStyle(TableStyle(style))
    return KeepTogether([Spacer(1, 8 * mm), table])


def _no_header(_canvas, _doc) -> None:
    return None


def readiness_pdf(report: ReadinessReport, locale: str = "zh") -> bytes:
    """Render the readiness report as an A4 PDF in the reader's language (locale tags the file)."""
    font = register_font()
    headings = report.headings
    styles = _styles(font)
    printed = f"{headings.printed} {report.printed_at:%Y-%m-%d %H:%M}"
    subtitle = (f"{headings.depot}: {report.depot}    {headings.as_of}: {report.on.isoformat()}    "
                f"{printed}    {headings.printed_by}: {report.printed_by}")
    story: list = [literal(headings.title, styles["title"]), literal(subtitle, styles["subtitle"]),
                   Spacer(1, 3 * mm), literal(headings.overall, styles["section"]), *_overall(report, styles)]
    story += _modules(report, styles, font)
    story += _shortfalls(report, styles, font)
    story += _targets(report, styles, font)
    story += _staffing(report, styles)
    story += _expiry(report, styles, font)
    story += _deployments(report, styles, font)
    story.append(_signatures(headings, styles))

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN + 4 * mm, bottomMargin=MARGIN + 2 * mm,
                            title=headings.title, creator="warehouse", invariant=1,
                            initialFontName=font, lang="en" if locale == "en" else "zh-CN")
    # The first page has the title in full; the pages after it repeat it small at the top.
    header = partial(page_header, font=font, title=headings.title, printed=printed)
    doc.build(story, onFirstPage=_no_header, onLaterPages=header,
              canvasmaker=partial(NumberedCanvas, page_footer=headings.page, font=font))
    return out.getvalue()

