"""Locations, stock, the ledger, stock use cases, stocktakes and stock reports."""

import marshmallow as ma
from marshmallow import validate
from sqlalchemy import Row

from warehouse.domain.stock import (
    MAX_HORIZON_DAYS,
    MAX_QUANTITY,
    LocationKind,
    Purpose,
    Reason,
    StockStatus,
    StocktakeStatus,
    Unit,
)
from warehouse.models import Stocktake, StocktakeLine
from warehouse.queries.pagination import COUNT_CAP, BadCursor, decode_cursor
from warehouse.queries.stock import BELOW_MINIMUM_SORTS, LOCATION_SORTS, MOVEMENT_SORTS, STOCK_SORTS
from warehouse.queries.stocktake import STOCKTAKE_SORTS
from warehouse.schemas.common import PageArgsSchema, StrictSchema, UTCDateTime, id_field
from warehouse.services.locations import MAX_AREA, MAX_METRES
from warehouse.services.stock import NOTE_MAX, REFERENCE_MAX

KIND_VALUES = [k.value for k in LocationKind]
PURPOSE_VALUES = [p.value for p in Purpose]
REASON_VALUES = [r.value for r in Reason]
STATUS_VALUES = [s.value for s in StockStatus]
STOCKTAKE_STATUS_VALUES = [s.value for s in StocktakeStatus]
LOT_MAX = 40
CATEGORY_CODE = validate.Length(min=1, max=2)


def quantity_field(**kwargs) -> ma.fields.Integer:
    """Return a field for a number of units: a JSON integer from 1 up (never "5", 5.0 or true)."""
    return ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY), **kwargs)


def lot_field(**kwargs) -> ma.fields.String:
    """Return a field naming a lot or serial number by its code."""
    kwargs.setdefault("metadata", {"description": "Lot or serial number (lot-tracked and serial "
                                                  "items only)"})
    return ma.fields.String(allow_none=True, validate=validate.Length(max=LOT_MAX), **kwargs)


def note_field(**kwargs) -> ma.fields.String:
    return ma.fields.String(allow_none=True, validate=validate.Length(max=NOTE_MAX), **kwargs)


def reference_field(**kwargs) -> ma.fields.String:
    return ma.fields.String(allow_none=True, validate=validate.Length(max=REFERENCE_MAX), **kwargs)


# --- locations --------------------------------------------------------------------------------

LOCATION_COLUMNS = ("id", "code", "name", "kind", "parent_id", "area_m2", "plan_x_m", "plan_y_m",
                    "plan_width_m", "plan_depth_m", "footprint_m2", "active")


class LocationSchema(ma.Schema):
    """A place stock can be, with the units held directly in it."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.Enum(LocationKind, by_value=True, required=True)
    parent_id = ma.fields.Integer(required=True, allow_none=True)
    category = ma.fields.String(required=True, allow_none=True,
                                metadata={"description": "Code of the category kept here"})
    area_m2 = ma.fields.Float(required=True, allow_none=True)
    plan_x_m = ma.fields.Float(required=True, allow_none=True)
    plan_y_m = ma.fields.Float(required=True, allow_none=True)
    plan_width_m = ma.fields.Float(required=True, allow_none=True)
    plan_depth_m = ma.fields.Float(required=True, allow_none=True)
    footprint_m2 = ma.fields.Float(required=True, allow_none=True)
    active = ma.fields.Boolean(required=True)
    units = ma.fields.Integer(required=True, metadata={"description": "Units held directly here"})

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # Rows of queries.stock.location_stmt: (Location, units).
        if isinstance(row, Row):
            location, units = row
            return {**{name: getattr(location, name) for name in LOCATION_COLUMNS},
                    "category": location.category.code if location.category else None,
                    "units": units}
        return row


def _metres(*, positive: bool, **kwargs) -> ma.fields.Float:
    return ma.fields.Float(allow_none=True, validate=validate.Range(
        min=0, max=MAX_METRES, min_inclusive=not positive), **kwargs)


def _area(**kwargs) -> ma.fields.Float:
    return ma.fields.Float(allow_none=True, validate=validate.Range(
        min=0, max=MAX_AREA, min_inclusive=False), **kwargs)


class LocationUpdateSchema(StrictSchema):
    """Changes to a location; absent fields stay as they are."""

    code = ma.fields.String(validate=validate.Length(min=1, max=24),
                            metadata={"description": "Printable code: letters, digits and '-'"})
    name = ma.fields.String(validate=validate.Length(min=1, max=80))
    category = ma.fields.String(allow_none=True, validate=CATEGORY_CODE,
                                metadata={"description": "Code of the category kept here"})
    area_m2 = _area(metadata={"description": "Floor area of a depot or zone"})
    footprint_m2 = _area(metadata={"description": "Floor space a rack, pallet spot or box takes"})
    plan_x_m = _metres(positive=False, metadata={"description": "Zones: left edge on the floor plan"})
    plan_y_m = _metres(positive=False, metadata={"description": "Zones: top edge on the floor plan"})
    plan_width_m = _metres(positive=True, metadata={"description": "Zones (and a depot's floor)"})
    plan_depth_m = _metres(positive=True, metadata={"description": "Zones (and a depot's floor)"})
    active = ma.fields.Boolean(metadata={"description": "false retires it (it must hold no stock)"})


class LocationCreateSchema(LocationUpdateSchema):
    """A new location under its parent."""

    kind = ma.fields.String(required=True, validate=validate.OneOf(KIND_VALUES))
    parent_id = id_field(allow_none=True, metadata={"description": "None for a depot"})
    code = ma.fields.String(required=True, validate=validate.Length(min=1, max=24),
                            metadata={"description": "Printable code: letters, digits and '-'"})
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))


class LocationListArgsSchema(PageArgsSchema):
    """Filters and sort of the location list."""

    kind = ma.fields.String(validate=validate.OneOf(KIND_VALUES))
    parent_id = id_field(metadata={"description": "Direct children of this location"})
    within = id_field(metadata={"description": "This location and everything below it"})
    q = ma.fields.String(validate=validate.Length(max=80),
                         metadata={"description": "Part of the code or name"})
    active = ma.fields.Boolean()
    sort = ma.fields.String(load_default="code", validate=validate.OneOf(list(LOCATION_SORTS)))


# --- stock and the ledger ---------------------------------------------------------------------

class StockRowSchema(ma.Schema):
    """What is where: a balance of an item (lot) at a location, with its status."""

    id = ma.fields.Integer(required=True)
    quantity = ma.fields.Integer(required=True)
    updated_at = ma.fields.DateTime(required=True)
    item_id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    unit = ma.fields.Enum(Unit, by_value=True, required=True)
    category = ma.fields.String(required=True)
    lot_id = ma.fields.Integer(required=True, allow_none=True)
    lot = ma.fields.String(required=True, allow_none=True)
    expires_on = ma.fields.Date(required=True, allow_none=True)
    next_inspection_on = ma.fields.Date(required=True, allow_none=True)
    location_id = ma.fields.Integer(required=True)
    location_code = ma.fields.String(required=True)
    location_name = ma.fields.String(required=True)
    location_kind = ma.fields.Enum(LocationKind, by_value=True, required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(STATUS_VALUES))


class StockListArgsSchema(PageArgsSchema):
    """Filters and sort of the stock list."""

    item_id = id_field()
    location_id = id_field(metadata={"description": "This location and everything below it"})
    category = ma.fields.String(validate=CATEGORY_CODE)
    lot = ma.fields.String(validate=validate.Length(min=1, max=LOT_MAX))
    expiring_within_days = ma.fields.Integer(
        validate=validate.Range(min=0, max=MAX_HORIZON_DAYS),
        metadata={"description": "Expired, or expiring within this many days (held stock)"})
    below_minimum = ma.fields.Boolean(metadata={"description": "Items whose usable quantity is "
                                                              "under their minimum"})
    status = ma.fields.String(validate=validate.OneOf(STATUS_VALUES))
    q = ma.fields.String(validate=validate.Length(max=80),
                         metadata={"description": "Part of the SKU, a name or the lot"})
    sort = ma.fields.String(load_default="location", validate=validate.OneOf(list(STOCK_SORTS)))


class MovementSchema(ma.Schema):
    """One ledger row: so many units of an item (lot) from one place to another, and why."""

    id = ma.fields.Integer(required=True)
    at = ma.fields.DateTime(required=True)
    quantity = ma.fields.Integer(required=True)
    reason = ma.fields.Enum(Reason, by_value=True, required=True)
    purpose = ma.fields.Enum(Purpose, by_value=True, required=True, allow_none=True)
    reference = ma.fields.String(required=True)
    note = ma.fields.String(required=True)
    actor_name = ma.fields.String(required=True)
    item_id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    unit = ma.fields.Enum(Unit, by_value=True, required=True)
    lot_id = ma.fields.Integer(required=True, allow_none=True)
    lot = ma.fields.String(required=True, allow_none=True)
    from_location_id = ma.fields.Integer(required=True, allow_none=True)
    from_location = ma.fields.String(required=True, allow_none=True,
                                     metadata={"description": "Code of the origin"})
    to_location_id = ma.fields.Integer(required=True, allow_none=True)
    to_location = ma.fields.String(required=True, allow_none=True,
                                   metadata={"description": "Code of the destination"})


def valid_cursor(value: str) -> None:
    """Refuse a cursor that no page of the list handed out."""
    try:
        decode_cursor(value)
    except BadCursor:
        raise ma.ValidationError("not a cursor of this list") from None


class MovementListArgsSchema(PageArgsSchema):
    """Filters and sort of the ledger."""

    item_id = id_field()
    location_id = id_field(metadata={"description": "Movements from or to this location"})
    reason = ma.fields.String(validate=validate.OneOf(REASON_VALUES))
    lot = ma.fields.String(validate=validate.Length(min=1, max=LOT_MAX))
    since = UTCDateTime(metadata={"description": "From this moment (inclusive)"})
    until = UTCDateTime(metadata={"description": "Up to this moment (exclusive)"})
    sort = ma.fields.String(load_default="-at", validate=validate.OneOf(list(MOVEMENT_SORTS)))
    after = ma.fields.String(validate=[validate.Length(max=80), valid_cursor], metadata={
        "description": "The `older` cursor of a page: the rows after it in this order (page is ignored)"})
    before = ma.fields.String(validate=[validate.Length(max=80), valid_cursor], metadata={
        "description": "The `newer` cursor of a page: the rows before it in this order"})


class MovementPageSchema(ma.Schema):
    """One page of the ledger, with cursors to the pages on either side."""

    items = ma.fields.List(ma.fields.Nested(MovementSchema), required=True)
    per_page = ma.fields.Integer(required=True)
    page = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "The page number when opened by ?page=, null when opened from a cursor"})
    total = ma.fields.Integer(required=True, metadata={
        "description": f"Rows in all pages, counted up to {COUNT_CAP:,} (see more)"})
    more = ma.fields.Boolean(required=True, metadata={"description": f"More than {COUNT_CAP:,} rows"})
    pages = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Pages in all, null when more is true"})
    newer = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "Cursor for ?before=: the page of newer rows (earlier in this order)"})
    older = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "Cursor for ?after=: the page of older rows (later in this order)"})


# --- use cases --------------------------------------------------------------------------------

class ReceiptSchema(StrictSchema):
    """Stock arriving (入库) into a storage or quarantine location."""

    item_id = id_field(required=True)
    location_id = id_field(required=True)
    quantity = quantity_field(required=True)
    lot = lot_field()
    expires_on = ma.fields.Date(allow_none=True, metadata={
        "description": "Required for items that require expiry, unless the lot is known"})
    received_on = ma.fields.Date(allow_none=True, metadata={"description": "Default today"})
    supplier_ref = reference_field()
    reference = reference_field()
    note = note_field()


class MoveSchema(StrictSchema):
    """Stock put away or relocated."""

    item_id = id_field(required=True)
    from_location_id = id_field(required=True)
    to_location_id = id_field(required=True)
    quantity = quantity_field(required=True)
    lot = lot_field()
    note = note_field()


class IssueSchema(StrictSchema):
    """Stock issued (出库) to a purpose, first expiry first out unless a lot is named."""

    item_id = id_field(required=True)
    quantity = quantity_field(required=True)
    purpose = ma.fields.String(required=True, validate=validate.OneOf(PURPOSE_VALUES))
    location_id = id_field(allow_none=True, metadata={"description": "Pick only within this location"})
    lot = lot_field()
    reference = reference_field()
    note = note_field()


class AdjustmentSchema(StrictSchema):
    """A correction of a balance by a signed amount, with the reason in the note."""

    item_id = id_field(required=True)
    location_id = id_field(required=True)
    change = ma.fields.Integer(strict=True, required=True, validate=[
        validate.Range(min=-MAX_QUANTITY, max=MAX_QUANTITY),
        validate.NoneOf([0], error="must not be zero"),
    ], metadata={"description": "Units added (positive) or removed (negative)"})
    note = ma.fields.String(required=True, validate=validate.Length(min=1, max=NOTE_MAX))
    lot = lot_field()


class DisposalSchema(StrictSchema):
    """Expired or quarantined stock written off."""

    item_id = id_field(required=True)
    location_id = id_field(required=True)
    quantity = quantity_field(required=True)
    lot = lot_field()
    note = note_field()


# --- stocktakes -------------------------------------------------------------------------------

STOCKTAKE_COLUMNS = ("id", "location_id", "status", "note", "started_by_id", "started_at",
                     "submitted_at", "decided_by_id", "decided_at")


class StocktakeSummarySchema(ma.Schema):
    """A count of one location, without its lines."""

    id = ma.fields.Integer(required=True)
    location_id = ma.fields.Integer(required=True)
    location_code = ma.fields.String(required=True)
    status = ma.fields.Enum(StocktakeStatus, by_value=True, required=True)
    note = ma.fields.String(required=True)
    started_by_id = ma.fields.Integer(required=True, allow_none=True)
    started_at = ma.fields.DateTime(required=True)
    submitted_at = ma.fields.DateTime(required=True, allow_none=True)
    decided_by_id = ma.fields.Integer(required=True, allow_none=True)
    decided_at = ma.fields.DateTime(required=True, allow_none=True)
    line_count = ma.fields.Integer(required=True)
    counted_count = ma.fields.Integer(required=True, metadata={"description": "Lines counted so far"})


class StocktakeLineSchema(ma.Schema):
    """One item (lot) of a count: what the ledger expected and what was counted."""

    id = ma.fields.Integer(required=True)
    item_id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    lot_id = ma.fields.Integer(required=True, allow_none=True)
    lot = ma.fields.String(required=True, allow_none=True)
    expected = ma.fields.Integer(required=True)
    counted = ma.fields.Integer(required=True, allow_none=True)
    variance = ma.fields.Integer(required=True, allow_none=True,
                                 metadata={"description": "counted - expected; null until counted"})
    counted_at = ma.fields.DateTime(required=True, allow_none=True)
    counted_by_id = ma.fields.Integer(required=True, allow_none=True)

    @ma.pre_dump
    def flatten(self, line, **kwargs):
        if isinstance(line, StocktakeLine):
            return {
                "id": line.id, "item_id": line.item_id, "sku": line.item.sku,
                "name_zh": line.item.name_zh, "name_en": line.item.name_en, "lot_id": line.lot_id,
                "lot": line.lot.code if line.lot else None, "expected": line.expected,
                "counted": line.counted,
                "variance": None if line.counted is None else line.counted - line.expected,
                "counted_at": line.counted_at, "counted_by_id": line.counted_by_id,
            }
        return line


def _stocktake_dict(stocktake: Stocktake) -> dict:
    lines = stocktake.lines
    return {**{name: getattr(stocktake, name) for name in STOCKTAKE_COLUMNS},
            "location_code": stocktake.location.code, "line_count": len(lines),
            "counted_count": sum(1 for line in lines if line.counted is not None), "lines": lines}


class StocktakeSchema(StocktakeSummarySchema):
    """A count of one location with its lines."""

    lines = ma.fields.List(ma.fields.Nested(StocktakeLineSchema), required=True)

    @ma.pre_dump
    def flatten(self, stocktake, **kwargs):
        # Loaded by queries.stocktake.stocktake_detail (lines, items, lots and location).
        return _stocktake_dict(stocktake) if isinstance(stocktake, Stocktake) else stocktake


class ApprovedStocktakeSchema(StocktakeSchema):
    """An approved count with the count movements that posted its variances."""

    movements = ma.fields.List(ma.fields.Nested(MovementSchema), required=True)

    @ma.pre_dump
    def flatten(self, data, **kwargs):
        return {**_stocktake_dict(data["stocktake"]), "movements": data["movements"]}


class StocktakeStartSchema(StrictSchema):
    """A count to open at a location (it is frozen until approved or cancelled)."""

    location_id = id_field(required=True)
    note = note_field()


class CountSchema(StrictSchema):
    """How many of an item (lot) were counted."""

    item_id = id_field(required=True)
    lot = lot_field()
    counted = ma.fields.Integer(strict=True, required=True,
                                validate=validate.Range(min=0, max=MAX_QUANTITY))


class StocktakeListArgsSchema(PageArgsSchema):
    """Filters and sort of the stocktake list."""

    status = ma.fields.String(validate=validate.OneOf(STOCKTAKE_STATUS_VALUES))
    location_id = id_field()
    sort = ma.fields.String(load_default="-started_at",
                            validate=validate.OneOf(list(STOCKTAKE_SORTS)))


# --- reports ----------------------------------------------------------------------------------

class BelowMinimumRowSchema(ma.Schema):
    """An active item whose usable quantity is under its minimum."""

    item_id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    unit = ma.fields.Enum(Unit, by_value=True, required=True)
    category = ma.fields.String(required=True)
    min_level = ma.fields.Integer(required=True)
    available = ma.fields.Integer(required=True)
    shortfall = ma.fields.Integer(required=True, metadata={"description": "min_level - available"})


class BelowMinimumArgsSchema(PageArgsSchema):
    """Filters and sort of the below-minimum report."""

    category = ma.fields.String(validate=CATEGORY_CODE)
    sort = ma.fields.String(load_default="shortfall",
                            validate=validate.OneOf(list(BELOW_MINIMUM_SORTS)))


class CategoryStockSchema(ma.Schema):
    """Stock of one category."""

    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    items = ma.fields.Integer(required=True, metadata={"description": "Active catalogue items"})
    held = ma.fields.Integer(required=True, metadata={"description": "Units held in the depot"})
    available = ma.fields.Integer(required=True, metadata={"description": "Units usable now"})
    expired = ma.fields.Integer(required=True, metadata={"description": "Expired units still held"})
    below_minimum = ma.fields.Integer(required=True, metadata={"description": "Items under minimum"})


class ZoneUsageSchema(ma.Schema):
    """A zone of a depot: its area, the floor space in use and what it holds."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.Enum(LocationKind, by_value=True, required=True)
    parent_id = ma.fields.Integer(required=True, allow_none=True)
    category = ma.fields.String(required=True, allow_none=True)
    area_m2 = ma.fields.Float(required=True, allow_none=True)
    plan_x_m = ma.fields.Float(required=True, allow_none=True)
    plan_y_m = ma.fields.Float(required=True, allow_none=True)
    plan_width_m = ma.fields.Float(required=True, allow_none=True)
    plan_depth_m = ma.fields.Float(required=True, allow_none=True)
    used_m2 = ma.fields.Float(required=True, metadata={
        "description": "Footprint of the racks, pallet spots and boxes holding stock"})
    utilisation = ma.fields.Method("_utilisation", required=True, allow_none=True, metadata={
        "type": "number", "description": "used_m2 / area_m2; null without an area"})
    units = ma.fields.Integer(required=True)
    items = ma.fields.Integer(required=True, metadata={"description": "Distinct items held"})

    def _utilisation(self, zone) -> float | None:
        return zone.used_m2 / zone.area_m2 if zone.area_m2 else None


class ZoneUsageArgsSchema(StrictSchema):
    """Which depot's zones to report."""

    depot_id = id_field(metadata={"description": "Only this depot's zones; default all"})
