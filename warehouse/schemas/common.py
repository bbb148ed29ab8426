"""Shapes shared by every resource: the error body and paginated lists."""

from __future__ import annotations

from functools import cache

import marshmallow as ma
from marshmallow import validate


class StrictSchema(ma.Schema):
    """Base of every input schema: unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class ErrorDetailSchema(ma.Schema):
    """What went wrong, in one shape for every error."""

    code = ma.fields.String(required=True, metadata={"description": "Stable machine-readable code"})
    message = ma.fields.String(required=True, metadata={"description": "Human-readable summary"})
    fields = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Per-field reasons, keyed by field name"},
    )


class ErrorSchema(ma.Schema):
    """The body of every 4xx/5xx answer of the API."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)


class PageArgsSchema(StrictSchema):
    """?page= and ?per_page= of every list."""

    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


@cache
def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """Return the schema of one page of a list of items, with totals."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(name, (ma.Schema,), {
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "page": ma.fields.Integer(required=True),
        "per_page": ma.fields.Integer(required=True),
        "total": ma.fields.Integer(required=True, metadata={"description": "Items in all pages"}),
        "pages": ma.fields.Integer(required=True),
    })
