"""A box as the scan station reads it: the row with its module, template and home, and its contents.

The scan path runs these on every scan, so they are prebuilt Core statements on the tables
(built once per process, each execution binds values only) selecting plain columns: building an
ORM statement and loading ORM objects cost more than SQLite's work for the whole scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from warehouse.domain.kits import Completeness, Held, KitStatus, LineSpec, completeness, effective_status
from warehouse.domain.stock import LocationKind
from warehouse.models import (
    Deployment,
    Item,
    Kit,
    KitCheckout,
    KitLineSubstitute,
    KitTemplate,
    KitTemplateLine,
    Location,
    Lot,
    Module,
    StockBalance,
)
from warehouse.timezone import today

_kits, _modules, _templates = Kit.__table__, Module.__table__, KitTemplate.__table__
_home = Location.__table__.alias("home")
_lines, _substitutes, _items = KitTemplateLine.__table__, KitLineSubstitute.__table__, Item.__table__
_balances, _lots = StockBalance.__table__, Lot.__table__
_checkouts, _deployments = KitCheckout.__table__, Deployment.__table__

_BOX = (
    select(_kits.c.id, _kits.c.code, _kits.c.status, _kits.c.template_id, _kits.c.location_id,
           _kits.c.home_location_id, _modules.c.code, _modules.c.name_zh, _modules.c.name_en,
           _templates.c.code, _templates.c.name_zh, _templates.c.name_en, _home.c.code, _home.c.kind,
           _home.c.path)
    .select_from(_kits.join(_modules, _modules.c.id == _kits.c.module_id)
                 .join(_templates, _templates.c.id == _kits.c.template_id)
                 .join(_home, _home.c.id == _kits.c.home_location_id))
)
BOX_BY_CODE = _BOX.where(_kits.c.code == bindparam("code"))
# PostgreSQL: a second check-out or check-in of the same box waits here (SQLite ignores it:
# its write transactions begin IMMEDIATE, one at a time).
BOX_BY_CODE_LOCKED = BOX_BY_CODE.with_for_update(of=_kits)
BOX_BY_ID = _BOX.where(_kits.c.id == bindparam("kit_id"))

LINES = (
    select(_lines.c.id, _lines.c.item_id, _lines.c.par_quantity, _lines.c.min_shelf_days, _lines.c.optional,
           _substitutes.c.item_id, _items.c.sku, _items.c.name_zh, _items.c.name_en)
    .select_from(_lines.join(_items, _items.c.id == _lines.c.item_id)
                 .outerjoin(_substitutes, _substitutes.c.line_id == _lines.c.id))
    .where(_lines.c.template_id == bindparam("template_id"))
    .order_by(_lines.c.position, _lines.c.id)
)
HELD = (
    select(_balances.c.item_id, _balances.c.lot_id, _lots.c.expires_on, _balances.c.quantity,
           _items.c.sku, _items.c.name_zh, _items.c.name_en, _items.c.unit, _lots.c.code)
    .select_from(_balances.join(_items, _items.c.id == _balances.c.item_id)
                 .outerjoin(_lots, _lots.c.id == _balances.c.lot_id))
    .where(_balances.c.location_id == bindparam("location_id"), _balances.c.quantity > 0)
)
HOLDER = (
    select(_deployments.c.id, _deployments.c.code, _deployments.c.name)
    .select_from(_deployments.join(_checkouts, _checkouts.c.deployment_id == _deployments.c.id))
    .where(_checkouts.c.kit_id == bindparam("kit_id"), _checkouts.c.in_at.is_(None))
)


@dataclass(frozen=True)
class Box:
    """A box's row with the names the station shows and its home place (to put it back there)."""

    id: int
    code: str
    status: KitStatus
    template_id: int
    location_id: int
    home_location_id: int
    module_code: str
    module_name_zh: str
    module_name_en: str
    template_code: str
    template_name_zh: str
    template_name_en: str
    home_code: str
    home_kind: LocationKind
    home_path: str


@dataclass(frozen=True)
class Named:
    """An item as the station names it."""

    sku: str
    name_zh: str
    name_en: str
    unit: str = ""


@dataclass(frozen=True)
class Contents:
    """What a box should hold and what it holds, with item names and lot codes."""

    lines: list[LineSpec]
    held: list[Held]
    items: dict[int, Named]
    lots: dict[int, str]

    def measure(self, on: date | None = None) -> Completeness:
        """Measure the contents against the template's lines."""
        return completeness(self.lines, self.held, on or today())


def box_by_code(session: Session, code: str, *, lock: bool = False) -> Box | None:
    """Return the box with this printed code (any case), locked for update if asked."""
    row = session.execute(BOX_BY_CODE_LOCKED if lock else BOX_BY_CODE,
                          {"code": (code or "").strip().upper()}).first()
    return Box(*row) if row is not None else None


def box_by_id(session: Session, kit_id: int) -> Box | None:
    """Return the box with this id."""
    row = session.execute(BOX_BY_ID, {"kit_id": kit_id}).first()
    return Box(*row) if row is not None else None


def _lines(session: Session, template_id: int) -> tuple[list[LineSpec], dict[int, Named]]:
    specs: dict[int, tuple] = {}
    substitutes: dict[int, set[int]] = {}
    names: dict[int, Named] = {}
    for line_id, item_id, par, shelf, optional, substitute, sku, name_zh, name_en in session.execute(
            LINES, {"template_id": template_id}):
        specs.setdefault(line_id, (item_id, par, shelf, optional))
        names.setdefault(item_id, Named(sku, name_zh, name_en))
        if substitute is not None:
            substitutes.setdefault(line_id, set()).add(substitute)
    return [LineSpec(line_id, item_id, par, shelf, optional, frozenset(substitutes.get(line_id, ())))
            for line_id, (item_id, par, shelf, optional) in specs.items()], names


def held(session: Session, box: Box) -> tuple[list[Held], dict[int, Named], dict[int, str]]:
    """Return what is in the box, per item and lot, with the items' names and the lots' codes."""
    found, items, lots = [], {}, {}
    for item_id, lot_id, expires_on, quantity, sku, name_zh, name_en, unit, lot_code in session.execute(
            HELD, {"location_id": box.location_id}):
        found.append(Held(item_id, lot_id, expires_on, quantity))
        items[item_id] = Named(sku, name_zh, name_en, unit.value if unit is not None else "")
        if lot_id is not None:
            lots[lot_id] = lot_code
    return found, items, lots


def contents(session: Session, box: Box) -> Contents:
    """Return the box's template lines and holdings with their names, in two statements."""
    lines, line_items = _lines(session, box.template_id)
    found, held_items, lots = held(session, box)
    # Held items carry their unit; a line's item not in the box only needs its names.
    return Contents(lines, found, {**line_items, **held_items}, lots)


def refilled(session: Session, box: Box, before: Contents) -> Contents:
    """Return the contents re-read after units left the box (the lines stay as they were)."""
    found, held_items, lots = held(session, box)
    return Contents(before.lines, found, {**before.items, **held_items}, lots)


def holder(session: Session, kit_id: int) -> dict | None:
    """Return the deployment a box is out with, as the station shows it."""
    row = session.execute(HOLDER, {"kit_id": kit_id}).first()
    return {"id": row.id, "code": row.code, "name": row.name} if row is not None else None


def box_summary(box: Box, status: KitStatus, inside: Contents, state: Completeness,
                deployment: dict | None) -> dict:
    """Return what the scan station shows of a box: status, module, shortfalls, contents, holder."""
    items, lots = inside.items, inside.lots
    held = sorted(inside.held, key=lambda h: (items[h.item_id].sku, lots.get(h.lot_id) or ""))
    return {
        "code": box.code,
        "status": effective_status(status, state.complete).value,
        "ready": state.complete,
        "module": {"code": box.module_code, "name_zh": box.module_name_zh, "name_en": box.module_name_en},
        "template": {"code": box.template_code, "name_zh": box.template_name_zh,
                     "name_en": box.template_name_en},
        "home": box.home_code,
        "earliest_expiry": state.earliest_expiry.isoformat() if state.earliest_expiry else None,
        "shortfalls": [{"sku": items[s.line.item_id].sku, "name_zh": items[s.line.item_id].name_zh,
                        "name_en": items[s.line.item_id].name_en, "missing": s.missing,
                        "optional": s.line.optional} for s in state.shortfalls],
        "contents": [{"item_id": h.item_id, "sku": items[h.item_id].sku, "name_zh": items[h.item_id].name_zh,
                      "name_en": items[h.item_id].name_en, "unit": items[h.item_id].unit,
                      "lot": lots.get(h.lot_id), "quantity": h.quantity}
                     for h in held],
        "deployment": deployment,
    }
