"""Query-string filters of the stock, ledger, stocktake and report pages (allowlists)."""

from datetime import date

import marshmallow as ma
from marshmallow import validate

from warehouse.domain.stock import (
    EXPIRY_HORIZONS,
    MAX_HORIZON_DAYS,
    Reason,
    StockStatus,
    StocktakeStatus,
)
from warehouse.queries.stock import STOCK_SORTS
from warehouse.schemas.common import PageArgsSchema
from warehouse.schemas.stock import valid_cursor

CATEGORY = validate.Regexp(r"^[A-Za-z]{2}$")
CODE = validate.Length(max=40)
# Days far outside the ledger's life would overflow when turned into UTC moments.
LEDGER_DAYS = validate.Range(min=date(1970, 1, 1), max=date(2999, 12, 31))


class StockPageArgsSchema(PageArgsSchema):
    """Filters of the stock list; location is a scanned code."""

    q = ma.fields.String(validate=validate.Length(max=80))
    category = ma.fields.String(validate=CATEGORY)
    location = ma.fields.String(validate=CODE)
    item = ma.fields.String(validate=CODE)  # a SKU: one item's stock (a lot label opens it)
    lot = ma.fields.String(validate=CODE)
    status = ma.fields.String(validate=validate.OneOf([s.value for s in StockStatus]))
    expiring_within_days = ma.fields.Integer(validate=validate.Range(min=0, max=MAX_HORIZON_DAYS))
    sort = ma.fields.String(load_default="location", validate=validate.OneOf(list(STOCK_SORTS)))


class MovementPageArgsSchema(PageArgsSchema):
    """Filters of the ledger: item SKU, location code, reason, lot and a date range (depot days);
    after= / before= are the cursors of the older / newer links."""

    after = ma.fields.String(validate=[validate.Length(max=80), valid_cursor])
    before = ma.fields.String(validate=[validate.Length(max=80), valid_cursor])

    item = ma.fields.String(validate=CODE)
    location = ma.fields.String(validate=CODE)
    reason = ma.fields.String(validate=validate.OneOf([r.value for r in Reason]))
    lot = ma.fields.String(validate=CODE)
    since = ma.fields.Date(validate=LEDGER_DAYS)
    until = ma.fields.Date(validate=LEDGER_DAYS)


class StocktakePageArgsSchema(PageArgsSchema):
    """Filters of the stocktake list."""

    status = ma.fields.String(validate=validate.OneOf([s.value for s in StocktakeStatus]))


class ExpiringArgsSchema(PageArgsSchema):
    """The expiry report's horizon: one of the offered tabs."""

    days = ma.fields.Integer(load_default=EXPIRY_HORIZONS[0], validate=validate.OneOf(EXPIRY_HORIZONS))
