"""Printing labels: choose what to label, check the request, render it; calibrate the printer.

Rendering itself is the `labels` package's job; this module turns boxes, locations, items, lots
and people's badges into its label records (both languages: the same printed label serves every
reader).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

import labels
from labels.payload import lot_label_code
from labels.records import NEUTRAL_COLOUR
from labels.render import PayloadTooLong, render_pdf
from warehouse.database import write_transaction
from warehouse.domain.categories import category_colour
from warehouse.domain.errors import N_, InvalidInput
from warehouse.domain.kits import KitStatus
from warehouse.domain.squads import PersonStatus, SquadKind, SquadRole, SupportFunction
from warehouse.domain.stock import LocationKind, Reason, Tracking
from warehouse.models import (
    Category,
    Item,
    Kit,
    KitTemplate,
    LabelCalibration,
    Location,
    Lot,
    Module,
    Person,
    Squad,
    StockMovement,
)
from warehouse.models.base import utcnow
from warehouse.queries.kits import kit_stmt
from warehouse.queries.squads import ROLE_ORDER
from warehouse.queries.stock import location_by_code
from warehouse.services.accounts import Caller
from warehouse.timezone import today

MAX_LABELS = 5000  # one print job; a whole city's boxes are about 300
MAX_COPIES = 10  # of each label: a box carries one on each side and one on the lid
CALIBRATION_LIMIT_MM = 20.0  # a printer further off than this needs its driver fixed
UNKNOWN_CODES_SHOWN = 20
# What the labels page prints -> what its QR code names: a badge names the person who wears it.
PAYLOAD_KINDS = {"kit": "kit", "location": "location", "item": "item", "lot": "lot", "badge": "person"}
KINDS = tuple(PAYLOAD_KINDS)
_PRINT_KIND_OF = {payload: kind for kind, payload in PAYLOAD_KINDS.items()}
# Boxes whose labels are printed by status: the stored lifecycle and the live ready/short.
KIT_STATUSES = tuple(s.value for s in KitStatus)
LOCATION_KIND_WORDS = {
    LocationKind.DEPOT: "库房 Depot", LocationKind.ZONE: "库区 Zone", LocationKind.RACK: "货架 Rack",
    LocationKind.BIN: "货位 Bin", LocationKind.QUARANTINE: "隔离区 Quarantine",
    LocationKind.DEPLOYED: "出动在外 Deployed", LocationKind.KIT: "箱组 Box",
}
ROLE_WORDS = {SquadRole.LEADER: "队长 Leader", SquadRole.DEPUTY: "副队长 Deputy",
              SquadRole.MEMBER: "队员 Member"}
# A badge's band says what its squad does, in a colour of its own per support function.
FUNCTION_WORDS = {
    SupportFunction.MATERIALS: "物资保障 Materials", SupportFunction.TECHNICAL: "技术保障 Technical",
    SupportFunction.MEDICAL: "卫勤保障 Medical", SupportFunction.LIVING: "生活保障 Living",
    SupportFunction.SOCIAL_JOINT: "社会联勤 Social joint",
}
FUNCTION_COLOURS = {
    SupportFunction.MATERIALS: "#00695c", SupportFunction.TECHNICAL: "#37474f",
    SupportFunction.MEDICAL: "#2e7d32", SupportFunction.LIVING: "#e65100",
    SupportFunction.SOCIAL_JOINT: "#4527a0",
}
NO_SQUAD_WORDS = "未编入分队 Not in a squad"


@dataclass(frozen=True)
class PrintedLabels:
    """A rendered print job: the PDF and what it holds."""

    pdf: bytes
    count: int
    pages: int
    format: labels.LabelFormat


def get_format(code: str | None) -> labels.LabelFormat:
    """Return the label format with this code or raise InvalidInput listing the valid ones."""
    try:
        return labels.get_format(code or "")
    except labels.UnknownFormat:
        raise InvalidInput.on("format", N_("unknown format %(format)s; use one of: %(formats)s",
                                           format=code or "", formats=", ".join(labels.FORMATS)))


def _check_kind(kind: str | None) -> str:
    if kind not in KINDS:
        raise InvalidInput.on("kind", N_("choose one of: %(kinds)s", kinds=", ".join(KINDS)))
    return kind


# --- choosing what to print ----------------------------------------------------------------------

def select_codes(session: Session, kind: str, *, module: str | None = None,
                 template: str | None = None, status: str | None = None, zone: str | None = None,
                 category: str | None = None, receipt: str | None = None,
                 item: str | None = None, squad: str | None = None, on_leave: bool = False) -> list[str]:
    """Return the codes a selection by filters names, in print order (may be empty).

    Badges: a squad's people (everyone's without one), active only unless on_leave adds those
    on leave; people who have left get none.
    """
    kind = _check_kind(kind)
    if kind == "badge":
        return _badge_codes(session, squad=squad, on_leave=on_leave)
    if kind == "kit":
        if status and status not in KIT_STATUSES:
            raise InvalidInput.on("status", N_("choose one of: %(statuses)s",
                                               statuses=", ".join(KIT_STATUSES)))
        stmt = kit_stmt(today(), module=module, template=template, status=status, sort="code")
        return [row.code for row in session.execute(stmt)]
    if kind == "location":
        if not zone:
            raise InvalidInput.on("zone", N_("choose a zone"))
        root = location_by_code(session, zone)
        if root is None or root.kind == LocationKind.KIT:
            raise InvalidInput.on("zone", N_("no location %(code)s", code=zone))
        # Boxes get box labels, not location labels.
        stmt = (select(Location.code)
                .where(Location.path.startswith(root.path), Location.active.is_(True),
                       Location.kind != LocationKind.KIT)
                .order_by(Location.path))
        return list(session.scalars(stmt))
    if kind == "item":
        stmt = (select(Item.sku).join(Category, Category.id == Item.category_id)
                .where(Item.active.is_(True)).order_by(Category.position, Item.sku))
        if category:
            stmt = stmt.where(Category.code == category.strip().upper())
        return list(session.scalars(stmt))
    return _lot_codes(session, receipt=receipt, item=item)


def _lot_codes(session: Session, *, receipt: str | None, item: str | None) -> list[str]:
    if not receipt and not item:
        raise InvalidInput.on("receipt", N_("give a receipt reference or an item"))
    stmt = select(Item.sku, Lot.code).join(Item, Item.id == Lot.item_id)
    if receipt:
        received = (select(StockMovement.lot_id)
                    .where(StockMovement.reason == Reason.RECEIVE,
                           StockMovement.reference == receipt.strip(),
                           StockMovement.lot_id.is_not(None)))
        stmt = stmt.where(Lot.id.in_(received))
    if item:
        stmt = stmt.where(Item.sku == item.strip().upper())
    stmt = stmt.order_by(Item.sku, Lot.expires_on, Lot.code)
    return [lot_label_code(sku, code) for sku, code in session.execute(stmt)]


def _badge_codes(session: Session, *, squad: str | None, on_leave: bool) -> list[str]:
    statuses = [PersonStatus.ACTIVE, PersonStatus.ON_LEAVE] if on_leave else [PersonStatus.ACTIVE]
    stmt = (select(Person.badge_code).outerjoin(Squad, Squad.id == Person.squad_id)
            .where(Person.status.in_(statuses))
            .order_by(case((Squad.id.is_(None), 2), (Squad.kind == SquadKind.STANDING, 0), else_=1),
                      Squad.code, ROLE_ORDER, Person.name, Person.badge_code))
    if squad:
        squad_id = session.scalar(select(Squad.id).where(Squad.code == squad.strip().upper()))
        if squad_id is None:
            raise InvalidInput.on("squad", N_("no squad %(code)s", code=squad.strip()))
        stmt = stmt.where(Person.squad_id == squad_id)
    return list(session.scalars(stmt))


def normalise_codes(kind: str, entries: Iterable[str]) -> list[str]:
    """Turn typed or scanned entries (bare codes or label URLs) into codes of this kind."""
    codes = []
    for entry in entries:
        if not entry or not entry.strip():
            continue
        try:
            scanned = labels.parse_payload(entry)
        except ValueError:
            raise InvalidInput.on("codes", N_("%(entry)s is not a code or a label address",
                                              entry=entry.strip()[:40]))
        if scanned.kind is not None and scanned.kind != PAYLOAD_KINDS[kind]:
            raise InvalidInput.on("codes", N_("%(code)s is a %(found)s label, not a %(kind)s label",
                                              code=scanned.code, found=_PRINT_KIND_OF[scanned.kind],
                                              kind=kind))
        # Lot numbers keep their case (manufacturers print them so); other codes are upper case.
        codes.append(scanned.code if kind == "lot" else scanned.code.upper())
    return codes


# --- label records -------------------------------------------------------------------------------

def _band(category: Category | None) -> str:
    # English category names run long (Emergency repair and salvage equipment): the band is short.
    return f"{category.code} {category.name_zh}" if category else ""


def _kit_records(session: Session, codes: Sequence[str], url: str, printed: str) -> dict:
    home = aliased(Location)
    rows = session.execute(
        select(Kit.code, KitTemplate, Category, Module, home.code.label("home"))
        .join(KitTemplate, KitTemplate.id == Kit.template_id)
        .join(Category, Category.id == KitTemplate.category_id)
        .join(Module, Module.id == Kit.module_id)
        .join(home, home.id == Kit.home_location_id)
        .where(Kit.code.in_(set(codes)))
    )
    day = printed.rsplit(" ", 1)[-1]  # the date alone: a box label's small print is short
    return {
        code: labels.LabelRecord(
            code=code, payload=labels.build_payload(url, "kit", code),
            title_zh=template.name_zh, title_en=template.name_en,
            colour=category_colour(category.code), band=_band(category),
            module=f"{module.code} {module.name_zh}",
            small_print=(module.name_en, f"{template.code} · {home_code} · {day}"),
        )
        for code, template, category, module, home_code in rows
    }


def _location_records(session: Session, codes: Sequence[str], url: str, printed: str) -> dict:
    found = list(session.scalars(select(Location).where(Location.code.in_(set(codes)),
                                                        Location.kind != LocationKind.KIT)))
    # A rack or bin takes the colour of the nearest place above it with a category (its zone).
    above_ids = {int(part) for loc in found for part in loc.path.strip("/").split("/") if part}
    above = {loc.id: loc for loc in session.scalars(select(Location).where(Location.id.in_(above_ids)))}
    records = {}
    for location in found:
        chain = [above[int(part)] for part in location.path.strip("/").split("/")
                 if part and int(part) in above]
        category = next((loc.category for loc in reversed(chain) if loc.category is not None), None)
        trail = " › ".join(loc.code for loc in chain[:-1])
        records[location.code] = labels.LabelRecord(
            code=location.code, payload=labels.build_payload(url, "location", location.code),
            title_zh=location.name, title_en=LOCATION_KIND_WORDS[location.kind],
            colour=category_colour(category.code if category else None), band=_band(category),
            small_print=tuple(text for text in (trail, printed) if text),
        )
    return records


def _item_small_print(item: Item) -> tuple[str, ...]:
    lines = []
    if item.storage_temp:
        lines.append(f"储存 Storage {item.storage_temp}")
    if item.hazard_class:
        lines.append(f"危险 Hazard {item.hazard_class}")
    if item.shelf_life_days:
        lines.append(f"保质期 Shelf life {item.shelf_life_days} d")
    return tuple(lines)


def _item_records(session: Session, codes: Sequence[str], url: str, printed: str) -> dict:
    items = session.scalars(select(Item).where(Item.sku.in_(set(codes))))
    return {
        item.sku: labels.LabelRecord(
            code=item.sku, payload=labels.build_payload(url, "item", item.sku),
            title_zh=item.name_zh, title_en=item.name_en,
            colour=category_colour(item.category.code), band=_band(item.category),
            small_print=_item_small_print(item) + (printed,),
        )
        for item in items
    }


def _lot_records(session: Session, codes: Sequence[str], url: str, printed: str) -> dict:
    wanted = {tuple(code.split("/", 1)) for code in codes if "/" in code}
    skus = {sku for sku, _ in wanted}
    rows = session.execute(select(Item, Lot).join(Lot, Lot.item_id == Item.id)
                           .where(Item.sku.in_(skus), Lot.code.in_({lot for _, lot in wanted})))
    records = {}
    for item, lot in rows:
        if (item.sku, lot.code) not in wanted:
            continue
        code = lot_label_code(item.sku, lot.code)
        number = "序列号 S/N" if item.tracking == Tracking.SERIAL else "批号 Lot"
        lines = [f"{number} {lot.code}"]
        if lot.expires_on:
            lines.append(f"有效期至 Expires {lot.expires_on.isoformat()}")
        if lot.next_inspection_on:
            lines.append(f"下次检查 Inspect by {lot.next_inspection_on.isoformat()}")
        lines.append(f"入库 Received {lot.received_on.isoformat()}")
        records[code] = labels.LabelRecord(
            code=code, payload=labels.build_payload(url, "lot", code),
            title_zh=item.name_zh, title_en=item.name_en,
            colour=category_colour(item.category.code), band=_band(item.category),
            small_print=tuple(lines),
        )
    return records


def _badge_records(session: Session, codes: Sequence[str], url: str, printed: str) -> dict:
    rows = session.execute(select(Person, Squad).outerjoin(Squad, Squad.id == Person.squad_id)
                           .where(Person.badge_code.in_(set(codes))))
    records = {}
    for person, squad in rows:
        role = ROLE_WORDS[person.squad_role]
        records[person.badge_code] = labels.LabelRecord(
            code=person.badge_code, payload=labels.build_payload(url, "person", person.badge_code),
            # The name is the largest text after the code: the badge is worn, and read, by people.
            title_zh=person.name,
            title_en=f"{squad.name_zh} · {role}" if squad else NO_SQUAD_WORDS,
            colour=FUNCTION_COLOURS[squad.function] if squad else NEUTRAL_COLOUR,
            band=FUNCTION_WORDS[squad.function] if squad else "",
            small_print=(squad.name_en, f"{squad.code} · {printed}") if squad else (printed,),
        )
    return records


RECORD_BUILDERS = {"kit": _kit_records, "location": _location_records, "item": _item_records,
                   "lot": _lot_records, "badge": _badge_records}


def label_records(session: Session, kind: str, codes: Sequence[str], *, public_url: str,
                  on: date | None = None) -> list[labels.LabelRecord]:
    """Return the label records for these codes, in order; InvalidInput lists unknown codes."""
    kind = _check_kind(kind)
    if not codes:
        raise InvalidInput.on("codes", N_("nothing to print: choose at least one label"))
    if len(codes) > MAX_LABELS:
        raise InvalidInput.on("codes", N_("at most %(max)s labels per print, not %(count)s",
                                          max=MAX_LABELS, count=len(codes)))
    printed = f"打印 Printed {(on or today()).isoformat()}"
    found = RECORD_BUILDERS[kind](session, codes, public_url, printed)
    unknown = list(dict.fromkeys(code for code in codes if code not in found))
    if unknown:
        more = " …" if len(unknown) > UNKNOWN_CODES_SHOWN else ""
        shown = ", ".join(unknown[:UNKNOWN_CODES_SHOWN]) + more
        raise InvalidInput.on("codes", N_("unknown codes (%(count)s): %(codes)s",
                                          count=len(unknown), codes=shown))
    return [found[code] for code in codes]


def plan_job(session: Session, *, kind: str, codes: Sequence[str], format: str, skip: int = 0,
             copies: int = 1, public_url: str) -> tuple[labels.LabelFormat, list[labels.LabelRecord]]:
    """Check a print job and return its format and records (copies side by side), unrendered."""
    fmt = get_format(format)
    if not 1 <= copies <= MAX_COPIES:
        raise InvalidInput.on("copies", N_("must be between 1 and %(max)s", max=MAX_COPIES))
    if skip and fmt.thermal:
        raise InvalidInput.on("skip", N_("a roll has no used positions to skip"))
    if not 0 <= skip < fmt.per_page:
        raise InvalidInput.on("skip", N_("must be between 0 and %(last)s for this format",
                                         last=fmt.per_page - 1))
    return fmt, label_records(session, kind, [code for code in codes for _ in range(copies)],
                              public_url=public_url)


def pages_needed(fmt: labels.LabelFormat, skip: int, count: int) -> int:
    """Return how many pages count labels take after skip used positions."""
    return math.ceil((skip + count) / fmt.per_page)


def print_labels(session: Session, *, kind: str, codes: Sequence[str], format: str,
                 skip: int = 0, copies: int = 1, public_url: str, outlines: bool = False
                 ) -> PrintedLabels:
    """Render labels for these codes on a label stock, shifted by the format's calibration."""
    fmt, records = plan_job(session, kind=kind, codes=codes, format=format, skip=skip,
                            copies=copies, public_url=public_url)
    offset = calibrations(session).get(fmt.code, (0.0, 0.0))
    try:
        pdf = render_pdf(records, fmt, skip=skip, offset_mm=offset, outlines=outlines,
                         title=f"{kind} labels {fmt.code}")
    except PayloadTooLong:
        # A long WAREHOUSE_PUBLIC_URL and a long lot code make dense QR codes.
        raise InvalidInput.on("format", N_("these labels' QR codes are too dense to scan on %(format)s: "
                                           "choose a larger label or a shorter public URL",
                                           format=fmt.code))
    return PrintedLabels(pdf=pdf, count=len(records), pages=pages_needed(fmt, skip, len(records)),
                         format=fmt)


# --- calibration ---------------------------------------------------------------------------------

def calibrations(session: Session) -> dict[str, tuple[float, float]]:
    """Return each calibrated format's (x, y) print offset in mm."""
    return {row.format_code: (row.offset_x_mm, row.offset_y_mm)
            for row in session.scalars(select(LabelCalibration))}


def _offset(value, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput.on(field, N_("must be a number of millimetres"))
    if not math.isfinite(number) or abs(number) > CALIBRATION_LIMIT_MM:
        raise InvalidInput.on(field, N_("must be between -%(limit)s and %(limit)s mm",
                                        limit=int(CALIBRATION_LIMIT_MM)))
    return round(number, 1)


def calibrate(session: Session, caller: Caller, *, format: str, offset_x_mm, offset_y_mm
              ) -> LabelCalibration:
    """Store how far a format's labels must shift on this depot's printer (mm, right and down)."""
    fmt = get_format(format)
    x = _offset(offset_x_mm, "offset_x_mm")
    y = _offset(offset_y_mm, "offset_y_mm")
    values = {"offset_x_mm": x, "offset_y_mm": y, "updated_at": utcnow(),
              "updated_by_id": caller.user.id if caller.user else None}
    with write_transaction(session):
        # An upsert: two officers saving the first calibration at once must not collide.
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(insert(LabelCalibration).values(format_code=fmt.code, **values)
                        .on_conflict_do_update(index_elements=["format_code"], set_=values))
        row = session.get(LabelCalibration, fmt.code, populate_existing=True)
    return row
