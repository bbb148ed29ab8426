"""Agreements with partners: their commitments and signed document, activations, request lines and
arrivals."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import validate

from warehouse.domain.partners import (
    MAX_RESPONSE_HOURS,
    AgreementStatus,
    Period,
    Standing,
)
from warehouse.queries.partners import AGREEMENT_SORTS
from warehouse.schemas.common import PageArgsSchema, StrictSchema, UTCDateTime, id_field
from warehouse.schemas.partners import (
    CATEGORY_CODE,
    DISTRICT_CODE,
    KIND_VALUES,
    Q_MAX,
    Amount,
    CategoryRefSchema,
    ItemRefSchema,
    PartnerRefSchema,
    amount_field,
    partner_ref,
)
from warehouse.schemas.stock import lot_field
from warehouse.services.agreements import AGREEMENT_TEXT_LIMITS, MAX_COMMITMENTS, MAX_REQUEST_LINES

STATUS_VALUES = [s.value for s in AgreementStatus]
PERIOD_VALUES = [p.value for p in Period]
NUMBER = validate.Length(min=3, max=40)


def _text(limit: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(allow_none=True, validate=validate.Length(max=limit), **kwargs)


# --- output -----------------------------------------------------------------------------------

class CommitmentSchema(ma.Schema):
    """What the partner commits: a catalogue item, a category or something in words."""

    id = ma.fields.Integer(required=True)
    item = ma.fields.Nested(ItemRefSchema, required=True, allow_none=True)
    category = ma.fields.Nested(CategoryRefSchema, required=True, allow_none=True)
    description = ma.fields.String(required=True, metadata={"description": "e.g. 挖掘机, 车辆抢修"})
    quantity = Amount(required=True)
    unit = ma.fields.String(required=True, metadata={"description": "The catalogue unit for an item; "
                                                                    "else as written, e.g. t, 份, 台"})
    period = ma.fields.Enum(Period, by_value=True, required=True, metadata={
        "description": "total: once in all; per_day: every day of an emergency"})
    note = ma.fields.String(required=True)

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # Rows of queries.partners.commitment_rows: (Commitment, Item|None, Category|None).
        line, item, category = row
        return {"id": line.id, "item": item, "category": category, "description": line.description,
                "quantity": line.quantity, "unit": line.unit, "period": line.period, "note": line.note}


class DocumentSchema(ma.Schema):
    """The signed agreement (a PDF): its metadata and where to download it."""

    filename = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True, metadata={"description": "Bytes"})
    sha256 = ma.fields.String(required=True)
    uploaded_at = ma.fields.DateTime(required=True)
    uploaded_by = ma.fields.String(required=True)
    url = ma.fields.String(required=True, metadata={"description": "Download (always as an attachment)"})

    @ma.pre_dump
    def flatten(self, document, **kwargs):
        # A models.AgreementDocument, its content not loaded.
        return {"filename": document.filename, "size": document.size, "sha256": document.sha256,
                "uploaded_at": document.uploaded_at, "uploaded_by": document.uploaded_by_name,
                "url": url_for("api_agreements.AgreementDocument", agreement_id=document.agreement_id)}


def agreement_fields(row) -> dict:
    """Return what AgreementSchema dumps of a queries.partners.AgreementRow."""
    agreement = row.agreement
    return {
        **{name: getattr(agreement, name) for name in (
            "id", "number", "title", "signed_on", "valid_from", "valid_to", "response_hours", "status",
            "note")},
        "partner": partner_ref(row.partner, row.district), "standing": row.standing,
        "days_left": row.days_left, "commitments_count": row.commitments, "has_document": row.document,
    }


class AgreementSchema(ma.Schema):
    """An emergency support or delivery agreement (应急保障协议) and its standing today."""

    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True, metadata={"description": "e.g. LY-XF-2026-001"})
    title = ma.fields.String(required=True)
    partner = ma.fields.Nested(PartnerRefSchema, required=True)
    signed_on = ma.fields.Date(required=True, allow_none=True)
    valid_from = ma.fields.Date(required=True)
    valid_to = ma.fields.Date(required=True)
    response_hours = ma.fields.Integer(required=True, metadata={"description": "Hours to deliver"})
    status = ma.fields.Enum(AgreementStatus, by_value=True, required=True,
                            metadata={"description": "As recorded: draft, active, expired, terminated"})
    standing = ma.fields.Enum(Standing, by_value=True, required=True, metadata={
        "description": "Today, from status and term: draft, pending (not started), in_force, expiring "
                       "(within 60 days), expired, terminated"})
    days_left = ma.fields.Integer(required=True,
                                  metadata={"description": "Until valid_to; negative once ended"})
    note = ma.fields.String(required=True)
    commitments_count = ma.fields.Integer(required=True)
    has_document = ma.fields.Boolean(required=True, metadata={"description": "The signed PDF is on file"})

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        return agreement_fields(row)


class AgreementDetailSchema(AgreementSchema):
    """An agreement with its commitment lines and the signed document's metadata."""

    commitments = ma.fields.List(ma.fields.Nested(CommitmentSchema), required=True)
    document = ma.fields.Nested(DocumentSchema, required=True, allow_none=True)

    @ma.pre_dump
    def flatten(self, detail, **kwargs):
        # {"row": AgreementRow, "commitments": [rows], "document": AgreementDocument|None}
        return agreement_fields(detail["row"]) | {"commitments": detail["commitments"],
                                                  "document": detail["document"]}


class RequestLineSchema(ma.Schema):
    """What was asked for when calling an agreement in, and how much of it has arrived."""

    id = ma.fields.Integer(required=True)
    commitment_id = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "The commitment line it draws on, if any"})
    item = ma.fields.Nested(ItemRefSchema, required=True, allow_none=True)
    description = ma.fields.String(required=True)
    quantity = Amount(required=True)
    unit = ma.fields.String(required=True)
    needed_by = ma.fields.DateTime(required=True, allow_none=True)
    arrived = Amount(required=True)
    outstanding = Amount(required=True)
    last_arrival_at = ma.fields.DateTime(required=True, allow_none=True)

    @ma.pre_dump
    def flatten(self, request_line, **kwargs):
        # A queries.partners.RequestLine.
        line = request_line.line
        return {"id": line.id, "commitment_id": line.commitment_id, "item": request_line.item,
                "description": line.description, "quantity": line.quantity, "unit": line.unit,
                "needed_by": line.needed_by, "arrived": request_line.arrived,
                "outstanding": request_line.outstanding, "last_arrival_at": request_line.last_arrival}


class AgreementRefSchema(ma.Schema):
    """The agreement called on."""

    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)


class NamedPartnerSchema(ma.Schema):
    """The partner called on."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class ActivationDeploymentSchema(ma.Schema):
    """The deployment the partner was called in for."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True, metadata={"description": "e.g. CD-2026-0007"})
    name = ma.fields.String(required=True)


def activation_fields(row) -> dict:
    """Return what ActivationSchema dumps of a queries.partners.ActivationRow."""
    activation = row.activation
    return {
        "id": activation.id, "agreement": row.agreement, "partner": row.partner,
        "deployment": row.deployment, "requested_at": activation.requested_at,
        "contact_name": activation.contact_name, "note": activation.note,
        "requested_by": activation.requested_by_name, "complete": row.complete, "lines": row.lines,
    }


class ActivationSchema(ma.Schema):
    """An agreement called on (启动协议): what was asked for, when, for which deployment."""

    id = ma.fields.Integer(required=True)
    agreement = ma.fields.Nested(AgreementRefSchema, required=True)
    partner = ma.fields.Nested(NamedPartnerSchema, required=True)
    deployment = ma.fields.Nested(ActivationDeploymentSchema, required=True, allow_none=True)
    requested_at = ma.fields.DateTime(required=True)
    contact_name = ma.fields.String(required=True, metadata={"description": "Whom we called"})
    note = ma.fields.String(required=True)
    requested_by = ma.fields.String(required=True)
    complete = ma.fields.Boolean(required=True, metadata={"description": "Every line has arrived in full"})
    lines = ma.fields.List(ma.fields.Nested(RequestLineSchema), required=True)

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        return activation_fields(row)


class ArrivalSchema(ma.Schema):
    """What a partner delivered against a request line; into the depot it is a ledger receipt."""

    id = ma.fields.Integer(required=True)
    line_id = ma.fields.Integer(required=True)
    arrived_at = ma.fields.DateTime(required=True)
    quantity = Amount(required=True)
    into_depot = ma.fields.Boolean(required=True, metadata={
        "description": "Received into the depot (a receipt in the ledger); false: delivered on scene"})
    movement_id = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "The ledger receipt, referencing the agreement number"})
    note = ma.fields.String(required=True)
    recorded_by = ma.fields.String(required=True)

    @ma.pre_dump
    def flatten(self, arrival, **kwargs):
        # A models.Arrival.
        return {"id": arrival.id, "line_id": arrival.line_id, "arrived_at": arrival.arrived_at,
                "quantity": arrival.quantity, "into_depot": arrival.movement_id is not None,
                "movement_id": arrival.movement_id, "note": arrival.note,
                "recorded_by": arrival.recorded_by_name}


class ActivationDetailSchema(ActivationSchema):
    """An activation with every arrival, oldest first."""

    arrivals = ma.fields.List(ma.fields.Nested(ArrivalSchema), required=True)

    @ma.pre_dump
    def flatten(self, detail, **kwargs):
        # {"row": ActivationRow, "arrivals": [Arrival]}
        return activation_fields(detail["row"]) | {"arrivals": detail["arrivals"]}


# --- input ------------------------------------------------------------------------------------

class AgreementListArgsSchema(PageArgsSchema):
    """Filters and sort of the agreement list."""

    partner_id = id_field()
    status = ma.fields.String(validate=validate.OneOf(STATUS_VALUES), metadata={"description": "As recorded"})
    in_force = ma.fields.Boolean(load_default=False, metadata={
        "description": "true: only agreements active today within their term"})
    attention = ma.fields.Boolean(load_default=False, metadata={
        "description": "true: active ones ending within 60 days or already past their end"})
    kind = ma.fields.String(validate=validate.OneOf(KIND_VALUES), metadata={"description": "Partner kind"})
    district = ma.fields.String(validate=DISTRICT_CODE, metadata={"description": "Partner's district code"})
    q = ma.fields.String(validate=validate.Length(max=Q_MAX),
                         metadata={"description": "Part of the number, title or partner name"})
    sort = ma.fields.String(load_default="valid_to", validate=validate.OneOf(list(AGREEMENT_SORTS)))


class CommitmentInputSchema(StrictSchema):
    """A commitment line: a catalogue item, or a category or words with a unit; and how much."""

    item_id = id_field(allow_none=True, metadata={"description": "A catalogue item (counted in its unit)"})
    category = ma.fields.String(allow_none=True, validate=CATEGORY_CODE, metadata={
        "description": "Category code, e.g. FF, for a line outside the catalogue; not with item_id"})
    description = _text(120, metadata={"description": "Required without item_id, e.g. 盒饭, 挖掘机"})
    quantity = amount_field(required=True)
    unit = _text(20, metadata={"description": "Required without item_id, e.g. t, 份, 台"})
    period = ma.fields.String(allow_none=True, validate=validate.OneOf(PERIOD_VALUES), metadata={
        "description": "total (default) or per_day"})
    note = _text(400)


class AgreementUpdateSchema(StrictSchema):
    """Changes to an agreement; commitments, when given, replace all its lines."""

    number = ma.fields.String(validate=NUMBER, metadata={
        "description": "Capital letters, digits, '-' and '/', e.g. LY-XF-2026-001; stored upper-case"})
    partner_id = id_field()
    title = _text(AGREEMENT_TEXT_LIMITS["title"])
    signed_on = ma.fields.Date(allow_none=True,
                               metadata={"description": "Not in the future nor after valid_to"})
    valid_from = ma.fields.Date()
    valid_to = ma.fields.Date(metadata={"description": "Not before valid_from"})
    response_hours = ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_RESPONSE_HOURS),
                                       metadata={"description": "Hours to deliver once called"})
    status = ma.fields.String(validate=validate.OneOf(STATUS_VALUES))
    note = _text(AGREEMENT_TEXT_LIMITS["note"])
    commitments = ma.fields.List(ma.fields.Nested(CommitmentInputSchema),
                                 validate=validate.Length(max=MAX_COMMITMENTS))


class AgreementCreateSchema(AgreementUpdateSchema):
    """A new agreement with its commitment lines."""

    number = ma.fields.String(required=True, validate=NUMBER, metadata={
        "description": "Capital letters, digits, '-' and '/', e.g. LY-XF-2026-001; stored upper-case"})
    partner_id = id_field(required=True)
    valid_from = ma.fields.Date(required=True)
    valid_to = ma.fields.Date(required=True, metadata={"description": "Not before valid_from"})
    response_hours = ma.fields.Integer(required=True, strict=True,
                                       validate=validate.Range(min=0, max=MAX_RESPONSE_HOURS),
                                       metadata={"description": "Hours to deliver once called"})
    status = ma.fields.String(validate=validate.OneOf(STATUS_VALUES),
                              metadata={"description": "Default draft"})


class DocumentUploadSchema(StrictSchema):
    """The signed agreement as a PDF (multipart/form-data)."""

    document = Upload(required=True, metadata={"description": "A PDF, checked by its content"})


class RequestLineInputSchema(StrictSchema):
    """One thing asked for: from a commitment line, a catalogue item, or words with a unit."""

    commitment_id = id_field(allow_none=True, metadata={
        "description": "A commitment line of this agreement (its item, words and unit by default)"})
    item_id = id_field(allow_none=True)
    description = _text(120)
    unit = _text(20)
    quantity = amount_field(required=True)
    needed_by = UTCDateTime(allow_none=True)


class ActivationCreateSchema(StrictSchema):
    """Calling an agreement in: what is asked for, when, for which deployment."""

    lines = ma.fields.List(ma.fields.Nested(RequestLineInputSchema), required=True,
                           validate=validate.Length(min=1, max=MAX_REQUEST_LINES))
    deployment_id = id_field(allow_none=True, metadata={"description": "An open deployment"})
    requested_at = UTCDateTime(allow_none=True, metadata={"description": "Default now"})
    contact_name = _text(80, metadata={"description": "Whom we called"})
    note = _text(2000)


class ArrivalInputSchema(StrictSchema):
    """What arrived against a request line: into the depot (a receipt) or on scene."""

    quantity = amount_field(required=True)
    arrived_at = UTCDateTime(allow_none=True, metadata={"description": "Default now"})
    location_id = id_field(allow_none=True, metadata={
        "description": "Received into this depot location: a ledger receipt (stock handlers only); "
                       "none: delivered on scene"})
    lot = lot_field()
    expires_on = ma.fields.Date(allow_none=True, metadata={"description": "For a receipt into the depot"})
    note = _text(400)
