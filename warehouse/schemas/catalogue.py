"""The material categories and the catalogue of items."""

import marshmallow as ma
from marshmallow import validate
from sqlalchemy import Row

from warehouse.domain.categories import category_colour
from warehouse.domain.stock import MAX_QUANTITY, Tracking, Unit
from warehouse.queries.stock import ITEM_SORTS
from warehouse.schemas.common import PageArgsSchema, StrictSchema
from warehouse.services.catalogue import MAX_DAYS, MAX_LEVEL, TEXT_LIMITS

UNIT_VALUES = [u.value for u in Unit]
TRACKING_VALUES = [t.value for t in Tracking]


class CategorySchema(ma.Schema):
    """One of the seven material categories."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    colour = ma.fields.Function(lambda category: category_colour(category.code),
                                metadata={"description": "Its colour (#rrggbb) on labels and pages"})


ITEM_COLUMNS = ("id", "sku", "name_zh", "name_en", "unit", "tracking", "shelf_life_days",
                "expiry_required", "min_level", "inspection_interval_days", "storage_temp",
                "hazard_class", "spec", "active", "created_at", "updated_at")


class ItemSchema(ma.Schema):
    """A catalogue item with its usable and held quantities in the depot."""

    id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    category = ma.fields.String(required=True, metadata={"description": "Category code, e.g. EA"})
    unit = ma.fields.Enum(Unit, by_value=True, required=True)
    tracking = ma.fields.Enum(Tracking, by_value=True, required=True)
    shelf_life_days = ma.fields.Integer(required=True, allow_none=True)
    expiry_required = ma.fields.Boolean(required=True)
    min_level = ma.fields.Integer(required=True)
    inspection_interval_days = ma.fields.Integer(required=True, allow_none=True)
    storage_temp = ma.fields.String(required=True)
    hazard_class = ma.fields.String(required=True)
    spec = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)
    available = ma.fields.Integer(required=True, metadata={
        "description": "Units usable now: in storage, in date, not quarantined"})
    on_hand = ma.fields.Integer(required=True, metadata={
        "description": "Units held in the depot whatever their status (not deployed)"})

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # Rows of queries.stock.item_stmt: (Item, available, on_hand).
        if isinstance(row, Row):
            item, available, on_hand = row
            return {**{name: getattr(item, name) for name in ITEM_COLUMNS},
                    "category": item.category.code, "available": available, "on_hand": on_hand}
        return row


class LotSchema(ma.Schema):
    """A manufacturer lot (or a serial number) of an item, with what the depot holds of it."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    expires_on = ma.fields.Date(required=True, allow_none=True)
    received_on = ma.fields.Date(required=True)
    next_inspection_on = ma.fields.Date(required=True, allow_none=True)
    supplier_ref = ma.fields.String(required=True)
    on_hand = ma.fields.Integer(required=True, metadata={"description": "Units at all locations"})


class ItemDetailSchema(ItemSchema):
    """A catalogue item with its lots."""

    lots = ma.fields.List(ma.fields.Nested(LotSchema), required=True)

    @ma.pre_dump
    def flatten(self, data, **kwargs):
        return {**ItemSchema.flatten(self, data["row"]), "lots": data["lots"]}


def _text(field: str, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=validate.Length(max=TEXT_LIMITS[field]), **kwargs)


def _days(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=MAX_DAYS),
                             **kwargs)


class ItemUpdateSchema(StrictSchema):
    """Changes to a catalogue item; absent fields stay as they are."""

    sku = ma.fields.String(validate=validate.Length(min=2, max=24),
                           metadata={"description": "Letters, digits and '-'; stored upper-case"})
    name_zh = _text("name_zh")
    name_en = _text("name_en")
    category = ma.fields.String(validate=validate.Length(min=1, max=2),
                                metadata={"description": "Category code, e.g. EA"})
    unit = ma.fields.String(validate=validate.OneOf(UNIT_VALUES))
    tracking = ma.fields.String(validate=validate.OneOf(TRACKING_VALUES),
                                metadata={"description": "Fixed once the item has lots or stock"})
    shelf_life_days = _days(metadata={"description": "Default expiry of a lot after receipt"})
    expiry_required = ma.fields.Boolean(metadata={"description": "Receipts must give an expiry date"})
    min_level = ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_LEVEL))
    inspection_interval_days = _days(metadata={"description": "Serial items only"})
    storage_temp = _text("storage_temp")
    hazard_class = _text("hazard_class")
    spec = _text("spec")
    active = ma.fields.Boolean()


class ItemCreateSchema(ItemUpdateSchema):
    """A new catalogue item."""

    sku = ma.fields.String(required=True, validate=validate.Length(min=2, max=24),
                           metadata={"description": "Letters, digits and '-'; stored upper-case"})
    name_zh = _text("name_zh", required=True)
    name_en = _text("name_en", required=True)
    category = ma.fields.String(required=True, validate=validate.Length(min=1, max=2),
                                metadata={"description": "Category code, e.g. EA"})
    unit = ma.fields.String(required=True, validate=validate.OneOf(UNIT_VALUES))
    tracking = ma.fields.String(required=True, validate=validate.OneOf(TRACKING_VALUES))


class ItemListArgsSchema(PageArgsSchema):
    """Filters and sort of the item list."""

    q = ma.fields.String(validate=validate.Length(max=80),
                         metadata={"description": "Part of the SKU or a name"})
    category = ma.fields.String(validate=validate.Length(min=1, max=2))
    tracking = ma.fields.String(validate=validate.OneOf(TRACKING_VALUES))
    active = ma.fields.Boolean()
    below_minimum = ma.fields.Boolean(metadata={"description": "Usable quantity under the minimum"})
    sort = ma.fields.String(load_default="sku", validate=validate.OneOf(list(ITEM_SORTS)))


class FefoArgsSchema(StrictSchema):
    """How many units the picker needs."""

    quantity = ma.fields.Integer(validate=validate.Range(min=1, max=MAX_QUANTITY),
                                 metadata={"description": "Omit to list every usable place"})


class FefoSuggestionSchema(ma.Schema):
    """A place to pick from, first expiry first out; expired and held stock is never offered."""

    location_id = ma.fields.Integer(required=True)
    location_code = ma.fields.String(required=True)
    lot = ma.fields.String(required=True, allow_none=True)
    expires_on = ma.fields.Date(required=True, allow_none=True)
    quantity = ma.fields.Integer(required=True, metadata={"description": "Units there"})
    take = ma.fields.Integer(required=True, metadata={"description": "Units to pick there"})
