"""Catalogue use cases: adding and changing the items the reserve keeps."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.domain.errors import N_, Conflict, InvalidInput, NotFound
from warehouse.domain.stock import Tracking, Unit, validate_sku
from warehouse.models import Category, Item, Lot, StockBalance
from warehouse.services.accounts import Caller
from warehouse.services.fields import choice as _choice

TEXT_LIMITS = {"name_zh": 80, "name_en": 120, "storage_temp": 40, "hazard_class": 80, "spec": 4000}
MAX_DAYS = 36_500
MAX_LEVEL = 1_000_000_000


def _text(data: dict, field: str, *, required: bool = False) -> str:
    value = (data.get(field) or "").strip()
    if required and not value:
        raise InvalidInput.on(field, N_("required"))
    if len(value) > TEXT_LIMITS[field]:
        raise InvalidInput.on(field, N_("at most %(count)d characters", count=TEXT_LIMITS[field]))
    return value


def _days(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_DAYS:
        raise InvalidInput.on(field, N_("a number of days from 1 to %(max)d", max=MAX_DAYS))
    return value


def category_by_code(session: Session, code: str, field: str = "category") -> Category:
    """Return the category with this code or raise InvalidInput naming the field."""
    category = session.scalar(select(Category).where(Category.code == (code or "").strip().upper()))
    if category is None:
        raise InvalidInput.on(field, N_("no such category"))
    return category


def _clean(session: Session, data: dict) -> dict:
    """Validate a complete set of item fields and return them ready for the row."""
    tracking = _choice(Tracking, data.get("tracking"), "tracking")
    clean = {
        "sku": validate_sku(data.get("sku") or ""),
        "name_zh": _text(data, "name_zh", required=True),
        "name_en": _text(data, "name_en", required=True),
        "category_id": category_by_code(session, data.get("category")).id,
        "unit": _choice(Unit, data.get("unit"), "unit"),
        "tracking": tracking,
        "shelf_life_days": _days(data.get("shelf_life_days"), "shelf_life_days"),
        "expiry_required": bool(data.get("expiry_required")),
        "inspection_interval_days": _days(data.get("inspection_interval_days"),
                                          "inspection_interval_days"),
        "storage_temp": _text(data, "storage_temp"),
        "hazard_class": _text(data, "hazard_class"),
        "spec": _text(data, "spec"),
        "active": bool(data.get("active", True)),
    }
    min_level = data.get("min_level", 0)
    if isinstance(min_level, bool) or not isinstance(min_level, int) or not 0 <= min_level <= MAX_LEVEL:
        raise InvalidInput.on("min_level", N_("a whole number from 0 to %(max)d", max=MAX_LEVEL))
    clean["min_level"] = min_level
    if clean["expiry_required"] and tracking == Tracking.BULK:
        raise InvalidInput.on("expiry_required", N_("expiry is kept per lot: track the item by lot"))
    if clean["inspection_interval_days"] and tracking != Tracking.SERIAL:
        raise InvalidInput.on("inspection_interval_days",
                              N_("only serial-numbered equipment has inspections"))
    return clean


def _refuse_duplicate_sku(session: Session, sku: str, item_id: int | None = None) -> None:
    stmt = select(Item.id).where(Item.sku == sku)
    if item_id is not None:
        stmt = stmt.where(Item.id != item_id)
    if session.scalar(stmt) is not None:
        raise Conflict(N_("SKU %(sku)s is taken", sku=sku), {"sku": [N_("already taken")]})


def _flush(session: Session, sku: str) -> None:
    try:
        session.flush()
    except IntegrityError:
        # Another writer took the SKU between our check and our insert (PostgreSQL).
        raise Conflict(N_("SKU %(sku)s is taken", sku=sku), {"sku": [N_("already taken")]}) from None


def create_item(session: Session, caller: Caller, **data) -> Item:
    """Add an item to the catalogue."""
    with write_transaction(session):
        clean = _clean(session, data)
        _refuse_duplicate_sku(session, clean["sku"])
        item = Item(**clean)
        session.add(item)
        _flush(session, clean["sku"])
    return item


def update_item(session: Session, caller: Caller, item_id: int, **changes) -> Item:
    """Change an item; how it is tracked is fixed once it has lots or stock."""
    with write_transaction(session):
        item = session.get(Item, item_id)
        if item is None:
            raise NotFound(N_("no such item"))
        current = {
            "sku": item.sku, "name_zh": item.name_zh, "name_en": item.name_en,
            "category": item.category.code, "unit": item.unit.value,
            "tracking": item.tracking.value, "shelf_life_days": item.shelf_life_days,
            "expiry_required": item.expiry_required, "min_level": item.min_level,
            "inspection_interval_days": item.inspection_interval_days,
            "storage_temp": item.storage_temp, "hazard_class": item.hazard_class,
            "spec": item.spec, "active": item.active,
        }
        clean = _clean(session, {**current, **changes})
        if clean["tracking"] != item.tracking and _has_stock_records(session, item):
            raise Conflict(N_("%(sku)s already has lots or stock; its tracking cannot change",
                              sku=item.sku), {"tracking": [N_("fixed once stock is recorded")]})
        if clean["sku"] != item.sku:
            _refuse_duplicate_sku(session, clean["sku"], item.id)
        for field, value in clean.items():
            setattr(item, field, value)
        _flush(session, clean["sku"])
    return item


def _has_stock_records(session: Session, item: Item) -> bool:
    return bool(session.scalar(select(
        exists().where(Lot.item_id == item.id) | exists().where(StockBalance.item_id == item.id))))
