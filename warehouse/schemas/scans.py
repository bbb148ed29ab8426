"""Shapes of the scan station's API: a scan, its answer with the box summary, the scan log."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from warehouse.domain.deployments import MAX_USAGE_LINES, ScanAction, ScanResult
from warehouse.schemas.common import ErrorDetailSchema, PageArgsSchema, StrictSchema, UTCDateTime, id_field


def usage_count() -> ma.fields.Integer:
    """Return a field for units used, damaged or lost: a JSON integer from 0 (never 1.5 or "1")."""
    # Strict: a count of 1.5 is a mistake to refuse, not one to round down.
    return ma.fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=1_000_000_000))


class UsageInputSchema(StrictSchema):
    """What happened to one item (lot) of a box while it was out; lines not named came back whole."""

    item_id = ma.fields.Integer(required=True)
    lot = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    consumed = usage_count()
    damaged = usage_count()
    lost = usage_count()


class ScanInputSchema(StrictSchema):
    """One scan: what the scanner typed, what to do, and for a check-out the deployment."""

    # Raw: whatever a scanner or a forged request sends reaches the service, which answers
    # 400 for garbage and logs the attempt (a schema error would go unlogged).
    code = ma.fields.Raw(required=True, allow_none=True, metadata={
        "description": "What the scanner typed: a bare code (K-EQ-0001) or a label URL", "type": "string"})
    action = ma.fields.String(required=True, validate=validate.OneOf([a.value for a in ScanAction]))
    deployment_id = id_field(load_default=None, allow_none=True, metadata={
        "description": "Required for check_out"})
    idempotency_key = ma.fields.String(load_default=None, allow_none=True, metadata={
        "description": "A client UUID, unique per user: a retry returns the first answer"})
    override_reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                                       metadata={"description": "Why a box that is not ready goes out "
                                                                "(supply officers and commanders only)"})
    usage = ma.fields.List(ma.fields.Nested(UsageInputSchema), load_default=None, allow_none=True,
                           validate=validate.Length(max=MAX_USAGE_LINES),
                           metadata={"description": "check_in: consumed, damaged and lost per item (lot)"})
    station = ma.fields.String(load_default="", validate=validate.Length(max=120), metadata={
        "description": "A name for the scanning device; the user agent otherwise"})

    @ma.pre_load(pass_collection=True)
    def refuse_nul_characters(self, data, **kwargs):
        # The code is checked (and logged) by the service; NUL elsewhere is refused as usual.
        if isinstance(data, dict) and "code" in data:
            rest = {k: v for k, v in data.items() if k != "code"}
            super().refuse_nul_characters(rest, **kwargs)
            return data
        return super().refuse_nul_characters(data, **kwargs)


class ScanNamedSchema(ma.Schema):
    code = ma.fields.String()
    name_zh = ma.fields.String()
    name_en = ma.fields.String()


class KitShortfallSchema(ma.Schema):
    sku = ma.fields.String()
    name_zh = ma.fields.String()
    name_en = ma.fields.String()
    missing = ma.fields.Integer()
    optional = ma.fields.Boolean()


class KitContentSchema(ma.Schema):
    item_id = ma.fields.Integer()
    sku = ma.fields.String()
    name_zh = ma.fields.String()
    name_en = ma.fields.String()
    unit = ma.fields.String()
    lot = ma.fields.String(allow_none=True)
    quantity = ma.fields.Integer()


class DeploymentRefSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()


class KitSummarySchema(ma.Schema):
    """A box as the scan station shows it."""

    code = ma.fields.String()
    status = ma.fields.String(metadata={"description": "Effective status: ready or short by contents today"})
    ready = ma.fields.Boolean()
    module = ma.fields.Nested(ScanNamedSchema)
    template = ma.fields.Nested(ScanNamedSchema)
    home = ma.fields.String(metadata={"description": "Home location code"})
    earliest_expiry = ma.fields.String(allow_none=True)
    shortfalls = ma.fields.List(ma.fields.Nested(KitShortfallSchema))
    contents = ma.fields.List(ma.fields.Nested(KitContentSchema))
    deployment = ma.fields.Nested(DeploymentRefSchema, allow_none=True,
                                  metadata={"description": "The deployment the box is out with"})


class ScanTargetSchema(ma.Schema):
    kind = ma.fields.String(metadata={"description": "kit, location, item, lot or person"})
    code = ma.fields.String()


class ScanAnswerSchema(ma.Schema):
    """What a scan did (or why not), with the box as it is now."""

    scan_id = ma.fields.Integer(metadata={"description": "The scan's row in the log (undo names it)"})
    action = ma.fields.String()
    result = ma.fields.String(validate=validate.OneOf([r.value for r in ScanResult]))
    ok = ma.fields.Boolean()
    code = ma.fields.String(metadata={"description": "What was scanned, made printable"})
    message = ma.fields.String()
    display_message = ma.fields.String(metadata={"description": "The message in the caller's language"})
    kit = ma.fields.Nested(KitSummarySchema, allow_none=True)
    deployment = ma.fields.Nested(DeploymentRefSchema, allow_none=True)
    target = ma.fields.Nested(ScanTargetSchema, allow_none=True)
    checkout_id = ma.fields.Integer()
    movement_ids = ma.fields.List(ma.fields.Integer())
    usage = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    undoes = ma.fields.Integer()
    error = ma.fields.Nested(ErrorDetailSchema)


class ScanRefusedSchema(ma.Schema):
    """A refused scan: the API's error shape, plus what the station shows."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)
    # Absent when the request itself was refused (no JSON object, a bad field): nothing was scanned.
    scan = ma.fields.Nested(ScanAnswerSchema, metadata={
        "description": "The scan as logged; absent when the body or a field other than the code was refused"})


class ScanEventSchema(ma.Schema):
    """One row of the scan log."""

    id = ma.fields.Integer()
    at = UTCDateTime()
    user_id = ma.fields.Integer(allow_none=True)
    actor_name = ma.fields.String()
    address = ma.fields.String()
    station = ma.fields.String()
    code = ma.fields.String()
    action = ma.fields.String()
    result = ma.fields.String()
    status = ma.fields.Integer()
    message = ma.fields.String()
    deployment_id = ma.fields.Integer(allow_none=True)
    kit_id = ma.fields.Integer(allow_none=True)
    undone_at = UTCDateTime(allow_none=True)


class ScanLogArgsSchema(PageArgsSchema):
    """Filters of the scan log."""

    deployment_id = id_field(load_default=None)
    user_id = id_field(load_default=None)
    result = ma.fields.String(load_default=None, validate=validate.OneOf([r.value for r in ScanResult]))
