"""The support force's roster for registration (登记备案): squads, their people and qualifications.

A pure renderer, like the labels package: records with every word already translated in, A4 PDF
bytes out. Names, stations and notes are user text, never markup: each string is escaped before
it becomes a Paragraph, so `<b>` in a name prints as those three characters.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from labels.fonts import register_font
from warehouse.documents.pages import (
    GRID_GREY,
    MARGIN,
    PAGE_WIDTH,
    NumberedCanvas,
    grid_style,
    literal,
    page_header,
)

BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN
# 序号, name, badge, role, employment, status, phone, qualifications: 180 mm in all.
COLUMN_WIDTHS_MM = (9, 22, 21, 15, 19, 14, 24, 56)
# A squad's heading block never starts this close to the foot of a page: it would sit alone there.
SQUAD_BLOCK_MIN = 60 * mm


@dataclass(frozen=True)
class RosterQualification:
    """A qualification as printed: its kind and grade in the reader's language, number and expiry."""

    kind: str
    grade: str = ""
    certificate_no: str = ""
    expires_on: date | None = None
    lapsed: bool = False  # expired, or not yet valid, on the day printed


@dataclass(frozen=True)
class RosterPerson:
    """One row of a squad's table; role, employment and status already translated."""

    name: str
    badge_code: str
    role: str
    employment: str
    status: str
    phone: str = ""
    qualifications: tuple[RosterQualification, ...] = ()


@dataclass(frozen=True)
class RosterSquad:
    """A squad's heading block and its people; kind and function already translated."""

    code: str
    name: str
    kind: str
    function: str
    station: str = ""
    leader_name: str = ""
    leader_badge: str = ""
    modules: tuple[str, ...] = ()  # "EQ 地震/地质灾害"
    active: int = 0
    on_leave: int = 0
    total: int = 0
    people: tuple[RosterPerson, ...] = ()


@dataclass(frozen=True)
class RosterHeadings:
    """Every word the roster prints that is not data, in the reader's language.

    counts, page and summary are %-templates: counts takes active, on_leave and total; page
    takes page and pages; summary takes squads and people.
    """

    title: str
    printed: str
    kind: str
    function: str
    station: str
    leader: str
    modules: str
    strength: str
    counts: str
    columns: tuple[str, str, str, str, str, str, str, str]
    valid_until: str
    lapsed: str
    no_members: str
    no_squads: str
    signatures: tuple[str, ...]  # prepared by, reviewed by, signature of the person in charge
    date: str
    page: str
    summary: str = ""  # the whole force's roster says how many squads and people it lists


@dataclass(frozen=True)
class Roster:
    """A roster to print: its headings, squads (in print order) and the moment it was printed."""

    headings: RosterHeadings
    squads: tuple[RosterSquad, ...]
    printed_at: datetime


def _styles(font: str) -> dict[str, ParagraphStyle]:
    # No wordWrap="CJK": it breaks English words anywhere. Long runs of Chinese (one "word" to
    # reportlab) are split by splitLongWords, which is on by default.
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=9, leading=13, alignment=TA_CENTER),
        "squad": ParagraphStyle("squad", fontName=font, fontSize=12, leading=16, spaceBefore=4, spaceAfter=3),
        "label": ParagraphStyle("label", parent=cell, textColor=colors.Color(0.3, 0.3, 0.3)),
        "cell": cell,
        "head": ParagraphStyle("head", parent=cell, alignment=TA_CENTER),
        "number": ParagraphStyle("number", parent=cell, alignment=TA_CENTER),
        "note": ParagraphStyle("note", fontName=font, fontSize=9, leading=13, spaceBefore=2),
        "sign": ParagraphStyle("sign", fontName=font, fontSize=10, leading=13),
    }


def _font(styles: dict) -> tuple:
    """Return the table style command that sets the roster's font on plain-string cells too."""
    # Otherwise reportlab names Helvetica for the empty cells: a font never drawn with.
    return ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName)


def _qualification_line(q: RosterQualification, headings: RosterHeadings) -> str:
    parts = [" ".join(part for part in (q.kind, q.grade) if part)]
    if q.certificate_no:
        parts.append(q.certificate_no)
    if q.expires_on is not None:
        parts.append(f"{headings.valid_until} {q.expires_on.isoformat()}")
    line = " · ".join(parts)
    return f"{line} ({headings.lapsed})" if q.lapsed else line


def _squad_block(squad: RosterSquad, headings: RosterHeadings, styles: dict) -> list:
    """Return the squad's heading, its details and its people's table (or a "no members" line)."""
    label, cell = styles["label"], styles["cell"]
    leader = f"{squad.leader_name} ({squad.leader_badge})" if squad.leader_name else "—"
    counts = headings.counts % {"active": squad.active, "on_leave": squad.on_leave, "total": squad.total}
    rows = [
        [literal(headings.kind, label), literal(squad.kind, cell),
         literal(headings.function, label), literal(squad.function, cell)],
        [literal(headings.station, label), literal(squad.station or "—", cell),
         literal(headings.leader, label), literal(leader, cell)],
        [literal(headings.modules, label), literal(", ".join(squad.modules) or "—", cell),
         literal(headings.strength, label), literal(counts, cell)],
    ]
    details = Table(rows, colWidths=[22 * mm, 68 * mm, 22 * mm, 68 * mm], hAlign="LEFT")
    details.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, -1), (-1, -1), 0.4, GRID_GREY),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        _font(styles),
    ]))
    heading = literal(f"{squad.code}  {squad.name}", styles["squad"])
    block = [CondPageBreak(SQUAD_BLOCK_MIN), KeepTogether([heading, details, Spacer(1, 3 * mm)])]
    if not squad.people:
        return [*block, literal(headings.no_members, styles["note"]), Spacer(1, 6 * mm)]
    return [*block, _people_table(squad.people, headings, styles), Spacer(1, 6 * mm)]


def _people_table(people: tuple[RosterPerson, ...], headings: RosterHeadings, styles: dict) -> Table:
    cell = styles["cell"]
    rows = [[literal(title, styles["head"]) for title in headings.columns]]
    for number, person in enumerate(people, start=1):
        qualifications = "\n".join(_qualification_line(q, headings) for q in person.qualifications)
        rows.append([literal(str(number), styles["number"]), literal(person.name, cell),
                     literal(person.badge_code, cell), literal(person.role, cell),
                     literal(person.employment, cell), literal(person.status, cell),
                     literal(person.phone, cell), literal(qualifications or "—", cell)])
    # repeatRows: the header row starts every page the table runs onto.
    table = Table(rows, colWidths=[w * mm for w in COLUMN_WIDTHS_MM], repeatRows=1, hAlign="LEFT")
    table.setStyle(grid_style(styles["cell"].fontName))
    return table


def _signatures(headings: RosterHeadings, styles: dict) -> KeepTogether:
    """Return the lines the people who prepare, review and answer for the roster sign."""
    blanks = [*headings.signatures, headings.date]
    cells = [literal(label, styles["sign"]) for label in blanks] + ([""] if len(blanks) % 2 else [])
    # Two label-and-line pairs a row: [label, line, label, line].
    rows = [[cells[i], "", cells[i + 1], ""] for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[32 * mm, 56 * mm, 32 * mm, 56 * mm], rowHeights=12 * mm, hAlign="LEFT")
    style = [("VALIGN", (0, 0), (-1, -1), "BOTTOM")]
    for index in range(len(blanks)):
        row, column = divmod(index, 2)
        style.append(("LINEBELOW", (2 * column + 1, row), (2 * column + 1, row), 0.6, colors.black))
    table.setStyle(TableStyle([*style, _font(styles)]))
    return KeepTogether([Spacer(1, 8 * mm), table])


def _no_header(_canvas: Canvas, _doc) -> None:
    return None


def render_roster(roster: Roster) -> bytes:
    """Render the roster as an A4 PDF: title, each squad's block and table, then signature lines."""
    font = register_font()
    headings = roster.headings
    styles = _styles(font)
    printed = f"{headings.printed} {roster.printed_at:%Y-%m-%d %H:%M}"
    story: list = [literal(headings.title, styles["title"]), literal(printed, styles["subtitle"])]
    if headings.summary:
        people = sum(squad.total for squad in roster.squads)
        story.append(literal(headings.summary % {"squads": len(roster.squads), "people": people},
                           styles["subtitle"]))
    story.append(Spacer(1, 4 * mm))
    if not roster.squads:
        story.append(literal(headings.no_squads, styles["note"]))
    for squad in roster.squads:
        story.extend(_squad_block(squad, headings, styles))
    story.append(_signatures(headings, styles))

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN + 4 * mm, bottomMargin=MARGIN + 2 * mm,
                            title=headings.title, creator="warehouse", invariant=1,
                            initialFontName=font)
    # The first page has the title in full; the pages after it repeat it small at the top.
    header = partial(page_header, font=font, title=headings.title, printed=printed)
    doc.build(story, onFirstPage=_no_header, onLaterPages=header,
              canvasmaker=partial(NumberedCanvas, page_footer=headings.page, font=font))
    return out.getvalue()
