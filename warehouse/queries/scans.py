"""What a scanned label names: a box, a location, a catalogue item, a lot or a person's badge."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import labels
from warehouse.domain.stock import LocationKind
from warehouse.models import Item, Kit, Location, Lot, Person
from warehouse.queries.boxes import Box, box_by_code


@dataclass(frozen=True)
class ScanTarget:
    """The thing a scan found: its kind, printed code and row id (a lot also its item's)."""

    kind: str
    code: str
    id: int
    item_sku: str | None = None
    lot_code: str | None = None


def _kit(session: Session, code: str) -> ScanTarget | None:
    row = session.execute(select(Kit.id, Kit.code).where(Kit.code == code.upper())).first()
    return ScanTarget("kit", row.code, row.id) if row else None


def _location(session: Session, code: str) -> ScanTarget | None:
    row = session.execute(select(Location.id, Location.code, Location.kind)
                          .where(Location.code == code.upper())).first()
    if row is None:
        return None
    # A box is a location too, but its page is the box page.
    if row.kind == LocationKind.KIT:
        return _kit(session, row.code)
    return ScanTarget("location", row.code, row.id)


def _item(session: Session, code: str) -> ScanTarget | None:
    row = session.execute(select(Item.id, Item.sku).where(Item.sku == code.upper())).first()
    return ScanTarget("item", row.sku, row.id) if row else None


def _lot(session: Session, code: str) -> ScanTarget | None:
    sku, _, lot = code.partition("/")
    if not lot:
        return None
    row = session.execute(select(Lot.id, Item.sku, Lot.code).join(Item, Item.id == Lot.item_id)
                          .where(Item.sku == sku.upper(), Lot.code == lot)).first()
    if row is None:
        return None
    return ScanTarget("lot", labels.payload.lot_label_code(row.sku, row.code), row.id,
                      item_sku=row.sku, lot_code=row.code)


def _person(session: Session, code: str) -> ScanTarget | None:
    row = session.execute(select(Person.id, Person.badge_code)
                          .where(Person.badge_code == code.upper())).first()
    return ScanTarget("person", row.badge_code, row.id) if row else None


FINDERS = {"kit": _kit, "location": _location, "item": _item, "lot": _lot, "person": _person}


def resolve_scan(session: Session, text: str, kind: str | None = None) -> ScanTarget | None:
    """Find what a scanned label URL or typed code names; None when nothing (or garbage).

    A bare code is tried as a box, a location, an item, then a badge (a "/" makes it a lot).
    """
    try:
        scanned = labels.parse_payload(text)
    except ValueError:
        return None
    kind = kind or scanned.kind
    bare_order = ("lot",) if "/" in scanned.code else ("kit", "location", "item", "person")
    order = (kind,) if kind is not None else bare_order
    for candidate in order:
        found = FINDERS[candidate](session, scanned.code)
        if found is not None:
            return found
    return None


def scanned_box(session: Session, text: str) -> Box | None:
    """Return the box a scanned box label or bare code names, in one query; None otherwise.

    A bare code is tried as a box first (see resolve_scan), so finding a box here answers the
    same as resolve_scan would; anything else is left to it.
    """
    try:
        scanned = labels.parse_payload(text)
    except ValueError:
        return None
    if scanned.kind not in (None, "kit") or "/" in scanned.code:
        return None
    return box_by_code(session, scanned.code)
