"""Deployments (出动): the list and detail shapes, opening, changing and closing, loose items."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from warehouse.domain.deployments import COMMANDER_MAX, MAX_SQUADS, NAME_MAX, PLACE_MAX, DeploymentKind
from warehouse.domain.kits import KitStatus
from warehouse.domain.stock import MAX_QUANTITY, Unit
from warehouse.schemas.common import PageArgsSchema, StrictSchema, UTCDateTime, id_field
from warehouse.schemas.stock import lot_field, note_field, quantity_field

KIND_VALUES = [k.value for k in DeploymentKind]
MODULE_CODE = validate.Length(min=2, max=6)
SQUAD_CODE = validate.Length(min=2, max=24)
Q_MAX = 80


def _text(limit: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(allow_none=True, validate=validate.Length(max=limit), **kwargs)


def _count(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_QUANTITY),
                             **kwargs)


# --- output -----------------------------------------------------------------------------------

def deployment_fields(row) -> dict:
    """Return what DeploymentSchema dumps of a queries.deployments.DeploymentRow."""
    deployment = row.deployment
    return {
        **{name: getattr(deployment, name) for name in (
            "id", "code", "name", "kind", "place", "commander", "note", "opened_at", "expected_return_at",
            "closed_at")},
        "module": row.module_code, "squads": list(row.squads), "open": deployment.is_open,
        "overdue": row.overdue, "opened_by": deployment.opened_by_name,
        "closed_by": deployment.closed_by_name or None,
        "kits_out": row.kits_out, "kits_back": row.kits_back, "loose_out": row.loose_out,
    }


class DeploymentSchema(ma.Schema):
    """A deployment with what it has out and back."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True, metadata={"description": "CD-<year>-<nnnn>, e.g. CD-2026-0007"})
    name = ma.fields.String(required=True)
    kind = ma.fields.Enum(DeploymentKind, by_value=True, required=True,
                          metadata={"description": "incident (灾害事故), drill (演练), exercise (拉动训练), "
                                                   "lend (借调)"})
    module = ma.fields.String(required=True, allow_none=True, metadata={"description": "Module code"})
    place = ma.fields.String(required=True)
    commander = ma.fields.String(required=True, metadata={"description": "The commanding officer"})
    note = ma.fields.String(required=True)
    squads = ma.fields.List(ma.fields.String(), required=True,
                            metadata={"description": "Codes of the squads it supports"})
    opened_at = ma.fields.DateTime(required=True)
    expected_return_at = ma.fields.DateTime(required=True)
    closed_at = ma.fields.DateTime(required=True, allow_none=True)
    open = ma.fields.Boolean(required=True)
    overdue = ma.fields.Boolean(required=True, metadata={"description": "Open and past its expected return"})
    opened_by = ma.fields.String(required=True)
    closed_by = ma.fields.String(required=True, allow_none=True)
    kits_out = ma.fields.Integer(required=True, metadata={"description": "Boxes still out"})
    kits_back = ma.fields.Integer(required=True, metadata={"description": "Boxes checked back in"})
    loose_out = ma.fields.Integer(required=True, metadata={"description": "Loose units still out"})

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        return deployment_fields(row)


class OverdueDeploymentSchema(DeploymentSchema):
    """An open deployment past its expected return, with the boxes it still has out."""

    boxes_out = ma.fields.List(ma.fields.String(), required=True, metadata={"description": "Box codes"})

    @ma.pre_dump
    def flatten(self, pair, **kwargs):
        # {"row": DeploymentRow, "boxes": [codes]}
        return deployment_fields(pair["row"]) | {"boxes_out": pair["boxes"]}


class CheckoutSchema(ma.Schema):
    """A box out or back with a deployment: who scanned it, any override, what was used."""

    kit = ma.fields.String(required=True, metadata={"description": "Box code"})
    template = ma.fields.String(required=True, metadata={"description": "Template code"})
    module = ma.fields.String(required=True, metadata={"description": "Module code"})
    kit_status = ma.fields.Enum(KitStatus, by_value=True, required=True,
                                metadata={"description": "The box's status now"})
    out_at = ma.fields.DateTime(required=True)
    out_by = ma.fields.String(required=True)
    override_reason = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "Why a box that was not ready went out anyway"})
    in_at = ma.fields.DateTime(required=True, allow_none=True)
    in_by = ma.fields.String(required=True, allow_none=True)
    consumed = ma.fields.Integer(required=True)
    damaged = ma.fields.Integer(required=True)
    lost = ma.fields.Integer(required=True)

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # A queries.deployments.CheckoutRow.
        checkout = row.checkout
        return {"kit": row.kit_code, "template": row.template_code, "module": row.module_code,
                "kit_status": row.kit_status, "out_at": checkout.out_at, "out_by": checkout.out_by_name,
                "override_reason": checkout.override_reason or None, "in_at": checkout.in_at,
                "in_by": checkout.in_by_name if checkout.in_at is not None else None,
                "consumed": checkout.consumed, "damaged": checkout.damaged, "lost": checkout.lost}


class LooseSchema(ma.Schema):
    """Loose units of an item (lot) out with a deployment."""

    item_id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    unit = ma.fields.Enum(Unit, by_value=True, required=True)
    lot = ma.fields.String(required=True, allow_none=True)
    quantity = ma.fields.Integer(required=True)

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # A queries.deployments.LooseRow.
        return {"item_id": row.item.id, "sku": row.item.sku, "name_zh": row.item.name_zh,
                "name_en": row.item.name_en, "unit": row.item.unit,
                "lot": row.lot.code if row.lot is not None else None, "quantity": row.quantity}


class DeploymentDetailSchema(DeploymentSchema):
    """A deployment with every box it took and the loose items it still has out."""

    checkouts = ma.fields.List(ma.fields.Nested(CheckoutSchema), required=True,
                               metadata={"description": "Boxes still out first, then those back"})
    loose = ma.fields.List(ma.fields.Nested(LooseSchema), required=True)

    @ma.pre_dump
    def flatten(self, detail, **kwargs):
        # {"row": DeploymentRow, "checkouts": [CheckoutRow], "loose": [LooseRow]}
        return deployment_fields(detail["row"]) | {"checkouts": detail["checkouts"], "loose": detail["loose"]}


# --- input ------------------------------------------------------------------------------------

class DeploymentListArgsSchema(PageArgsSchema):
    """Filters of the deployment list (open ones first, newest first)."""

    open = ma.fields.Boolean(metadata={"description": "true: open ones; false: closed ones"})
    module = ma.fields.String(validate=MODULE_CODE, metadata={"description": "Module code"})
    squad = ma.fields.String(validate=SQUAD_CODE, metadata={"description": "A squad it supports"})
    kind = ma.fields.String(validate=validate.OneOf(KIND_VALUES))
    overdue = ma.fields.Boolean(metadata={"description": "true: open and past the expected return"})
    q = ma.fields.String(validate=validate.Length(max=Q_MAX),
                         metadata={"description": "Part of the code, name or place"})


class DeploymentUpdateSchema(StrictSchema):
    """Changes to an open deployment; squads, when given, replace the old ones."""

    name = ma.fields.String(validate=validate.Length(min=1, max=NAME_MAX))
    place = _text(PLACE_MAX)
    commander = _text(COMMANDER_MAX)
    expected_return_at = UTCDateTime(metadata={"description": "After the opening; ISO 8601 with a zone"})
    note = note_field()
    squads = ma.fields.List(ma.fields.String(validate=SQUAD_CODE), validate=validate.Length(max=MAX_SQUADS),
                            metadata={"description": "Squad codes, e.g. [\"CB-WZ\"]; given, they replace "
                                                     "the old ones"})


class DeploymentCreateSchema(DeploymentUpdateSchema):
    """A new deployment boxes can be checked out to."""

    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=NAME_MAX),
                            metadata={"description": "e.g. 西安区高层住宅火灾"})
    kind = ma.fields.String(required=True, validate=validate.OneOf(KIND_VALUES))
    expected_return_at = UTCDateTime(required=True, metadata={
        "description": "After the opening, within a year; ISO 8601 with a zone"})
    module = ma.fields.String(allow_none=True, validate=MODULE_CODE, metadata={"description": "Module code"})
    opened_at = UTCDateTime(allow_none=True, metadata={
        "description": "Default now; at most 30 days ago, for one opened after the fact"})


class CloseInputSchema(StrictSchema):
    """Closing a deployment: every box and loose unit must be back or accounted for."""

    note = note_field(metadata={"description": "Added to the deployment's note"})


class LooseIssueSchema(StrictSchema):
    """Loose items (not in a box) issued to a deployment from the depot, first expiry first out."""

    item_id = id_field(required=True)
    quantity = quantity_field(required=True)
    lot = lot_field()
    from_location_id = id_field(allow_none=True, metadata={
        "description": "Pick only within this location; default the deployment's depot"})
    note = note_field()


class LooseReturnSchema(StrictSchema):
    """Loose items of a deployment accounted for: back to a shelf, used up, damaged or lost."""

    item_id = id_field(required=True)
    lot = lot_field()
    returned = _count(metadata={"description": "Back fit for use, to to_location_id"})
    consumed = _count(metadata={"description": "Used up: leaves stock (consume)"})
    damaged = _count(metadata={"description": "Damaged: goes to the depot's quarantine"})
    lost = _count(metadata={"description": "Lost: leaves stock (dispose)"})
    to_location_id = id_field(allow_none=True, metadata={
        "description": "Where returned units go: a location in the deployment's depot"})
    note = note_field()
