"""Shapes shared by every resource: the error body and paginated lists."""

from __future__ import annotations

from datetime import UTC
from functools import cache

import marshmallow as ma
from marshmallow import validate

from warehouse.routing import MAX_ID


def _unstorable(text: str) -> str | None:
    """Return why a database cannot store the text (NUL, a lone surrogate), or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # JSON's "\ud800" escape decodes to a lone surrogate, which no driver can encode.
        return "must be valid Unicode (no lone surrogates)"
    return None


def _nul_fields(data, path: str = "") -> dict[str, str]:
    """Return the paths of the string values (and keys) in data that cannot be stored, with why."""
    if isinstance(data, str):
        reason = _unstorable(data)
        return {path or "_schema": reason} if reason else {}
    if isinstance(data, dict):
        found = {}
        for key, value in data.items():
            # The error names the key: escape what the response could not encode.
            shown = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
            key_path = f"{path}.{shown}" if path else shown
            reason = _unstorable(str(key))
            found |= {key_path: reason} if reason else _nul_fields(value, key_path)
        return found
    if isinstance(data, list):
        found = {}
        for index, item in enumerate(data):
            found |= _nul_fields(item, f"{path}.{index}")
        return found
    return {}


class StrictSchema(ma.Schema):
    """Base of every input schema: unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load(pass_collection=True)
    def refuse_nul_characters(self, data, **kwargs):
        # PostgreSQL cannot store NUL in text, nor either engine a lone surrogate; refuse them
        # here rather than fail at the database.
        fields = _nul_fields(data)
        if fields:
            raise ma.ValidationError({name: [reason] for name, reason in fields.items()})
        return data


def id_field(**kwargs) -> ma.fields.Integer:
    """Return a field for a row id: a positive integer within the id columns' range."""
    return ma.fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class UTCDateTime(ma.fields.AwareDateTime):
    """An ISO 8601 timestamp with a time zone, normalised to UTC."""

    def __init__(self, **kwargs) -> None:
        super().__init__(default_timezone=None, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            # e.g. 9999-12-31T23:59-14:00 lies beyond the last representable UTC instant
            raise ma.ValidationError("out of the representable range") from None


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
