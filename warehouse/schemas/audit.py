"""The audit log."""

import marshmallow as ma
from marshmallow import validate

from warehouse.models.audit import AuditAction
from warehouse.schemas.common import PageArgsSchema, UTCDateTime


class AuditEventSchema(ma.Schema):
    """One audit event."""

    id = ma.fields.Integer(required=True)
    at = ma.fields.DateTime(required=True)
    action = ma.fields.Enum(AuditAction, by_value=True, required=True)
    actor_id = ma.fields.Integer(allow_none=True, required=True)
    username = ma.fields.String(allow_none=True, required=True)
    target = ma.fields.String(allow_none=True, required=True)
    address = ma.fields.String(allow_none=True, required=True)
    detail = ma.fields.String(allow_none=True, required=True)


class AuditListArgsSchema(PageArgsSchema):
    """Filters of the audit log."""

    action = ma.fields.String(validate=validate.OneOf([a.value for a in AuditAction]))
    username = ma.fields.String(validate=validate.Length(max=80))
    since = UTCDateTime()
    until = UTCDateTime()
