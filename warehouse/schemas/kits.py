"""Disaster modules, box templates, boxes, their restock, inspections and status changes."""

import marshmallow as ma
from marshmallow import validate

from warehouse.domain.kits import (
    MAX_BOXES_REQUIRED,
    MAX_PAR,
    MAX_SHELF_DAYS,
    BoxType,
    InspectionOutcome,
    KitStatus,
)
from warehouse.domain.stock import Unit
from warehouse.queries.kits import KIT_SORTS
from warehouse.schemas.common import PageArgsSchema, StrictSchema, id_field
from warehouse.schemas.stock import CATEGORY_CODE, MovementSchema, lot_field, note_field, quantity_field
from warehouse.services.kit_templates import (
    DESCRIPTION_MAX,
    LINE_NOTE_MAX,
    MAX_LINES,
    MAX_SIZE_M,
    MAX_WEIGHT_KG,
    NAME_LIMITS,
)
from warehouse.services.kits import MAX_RESTOCK_ENTRIES

KIT_STATUS_VALUES = [s.value for s in KitStatus]
BOX_TYPE_VALUES = [b.value for b in BoxType]
OUTCOME_VALUES = [o.value for o in InspectionOutcome]
MODULE_CODE = validate.Length(min=2, max=6)
TEMPLATE_CODE = validate.Length(min=2, max=24)
KIT_CODE = validate.Length(min=3, max=24)


# --- modules ----------------------------------------------------------------------------------

class TemplateReadinessSchema(ma.Schema):
    """One template within a module: boxes required and boxes in each state."""

    template_code = ma.fields.String(required=True)
    template_name_zh = ma.fields.String(required=True)
    template_name_en = ma.fields.String(required=True)
    category = ma.fields.String(required=True, metadata={"description": "Category code, e.g. RE"})
    required = ma.fields.Integer(required=True, metadata={"description": "Boxes the module needs"})
    ready = ma.fields.Integer(required=True, metadata={"description": "Complete boxes resting in the depot"})
    counted_ready = ma.fields.Integer(required=True, metadata={
        "description": "Ready boxes that count: at most the number required"})
    short = ma.fields.Integer(required=True, metadata={"description": "Boxes in the depot missing contents"})
    deployed = ma.fields.Integer(required=True, metadata={"description": "Boxes out at an incident or drill"})
    restocking = ma.fields.Integer(required=True, metadata={"description": "Returned or being restocked"})
    other = ma.fields.Integer(required=True, metadata={"description": "Assembling or quarantined"})


class ModuleSchema(ma.Schema):
    """A disaster module with its readiness: boxes required, ready, short, out and in restock."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    position = ma.fields.Integer(required=True)
    active = ma.fields.Boolean(required=True)
    required = ma.fields.Integer(required=True)
    ready = ma.fields.Integer(required=True)
    counted_ready = ma.fields.Integer(required=True)
    short = ma.fields.Integer(required=True)
    deployed = ma.fields.Integer(required=True)
    restocking = ma.fields.Integer(required=True)
    other = ma.fields.Integer(required=True)
    percent = ma.fields.Integer(required=True, metadata={
        "description": "counted_ready as a whole percentage of required (0 when nothing is required)"})
    templates = ma.fields.List(ma.fields.Nested(TemplateReadinessSchema), required=True)

    @ma.pre_dump
    def flatten(self, readiness, **kwargs):
        # A queries.kits.ModuleReadiness: the module row plus per-template counts.
        module = readiness.module
        return {
            "id": module.id, "code": module.code, "name_zh": module.name_zh, "name_en": module.name_en,
            "description": module.description, "position": module.position, "active": module.active,
            **{name: getattr(readiness, name) for name in (
                "required", "ready", "counted_ready", "short", "deployed", "restocking", "other",
                "percent")},
            "templates": list(readiness.templates),
        }


class ModuleListArgsSchema(StrictSchema):
    """Which modules to list."""

    include_inactive = ma.fields.Boolean(load_default=False)


class ModuleCreateSchema(StrictSchema):
    """A new disaster module; its boxes come from templates' requirements."""

    code = ma.fields.String(required=True, validate=MODULE_CODE,
                            metadata={"description": "2-6 capital letters and digits, e.g. EQ"})
    name_zh = ma.fields.String(required=True, validate=validate.Length(max=40))
    name_en = ma.fields.String(required=True, validate=validate.Length(max=80))
    description = ma.fields.String(allow_none=True, validate=validate.Length(max=DESCRIPTION_MAX))
    position = ma.fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=10_000),
                                 metadata={"description": "Display order; default after the last"})


# --- templates --------------------------------------------------------------------------------

TEMPLATE_COLUMNS = ("id", "code", "name_zh", "name_en", "box_type", "width_m", "depth_m", "weight_kg",
                    "footprint_m2", "description", "active", "created_at")


def _template_dict(template) -> dict:
    return {**{name: getattr(template, name) for name in TEMPLATE_COLUMNS},
            "category": template.category.code}


class TemplateSchema(ma.Schema):
    """A kind of box: what it is packed in, with how many lines it has and boxes exist."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    category = ma.fields.String(required=True, metadata={"description": "Main category code, e.g. RE"})
    box_type = ma.fields.Enum(BoxType, by_value=True, required=True)
    width_m = ma.fields.Float(required=True, allow_none=True)
    depth_m = ma.fields.Float(required=True, allow_none=True)
    weight_kg = ma.fields.Float(required=True, allow_none=True)
    footprint_m2 = ma.fields.Float(required=True, allow_none=True)
    description = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime(required=True)
    line_count = ma.fields.Integer(required=True)
    box_count = ma.fields.Integer(required=True, metadata={"description": "Boxes of it not retired"})

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # Rows of queries.kits.template_stmt: (KitTemplate, line_count, box_count).
        template, line_count, box_count = row
        return {**_template_dict(template), "line_count": line_count, "box_count": box_count}


class SubstituteSchema(ma.Schema):
    """An item that may stand in for a line's item."""

    id = ma.fields.Integer(required=True, metadata={"description": "Item id"})
    sku = ma.fields.String(required=True)


class TemplateLineSchema(ma.Schema):
    """A content line: an item, its par quantity and the shelf life a unit needs to count."""

    id = ma.fields.Integer(required=True)
    item_id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    unit = ma.fields.Enum(Unit, by_value=True, required=True)
    par_quantity = ma.fields.Integer(required=True)
    min_shelf_days = ma.fields.Integer(required=True)
    optional = ma.fields.Boolean(required=True)
    substitutes = ma.fields.List(ma.fields.Nested(SubstituteSchema), required=True)
    note = ma.fields.String(required=True)

    @ma.pre_dump
    def flatten(self, line, **kwargs):
        # A KitTemplateLine with its item and substitutes loaded (queries.kits.template_lines).
        return {
            "id": line.id, "item_id": line.item_id, "sku": line.item.sku,
            "name_zh": line.item.name_zh, "name_en": line.item.name_en, "unit": line.item.unit,
            "par_quantity": line.par_quantity, "min_shelf_days": line.min_shelf_days,
            "optional": line.optional, "note": line.note,
            "substitutes": [{"id": s.item_id, "sku": s.item.sku} for s in line.substitutes],
        }


class RequirementSchema(ma.Schema):
    """How many boxes of the template a module needs."""

    module = ma.fields.String(required=True, metadata={"description": "Module code"})
    boxes_required = ma.fields.Integer(required=True)


class TemplateDetailSchema(TemplateSchema):
    """A box template with its content lines and the modules it serves."""

    lines = ma.fields.List(ma.fields.Nested(TemplateLineSchema), required=True)
    requirements = ma.fields.List(ma.fields.Nested(RequirementSchema), required=True)

    @ma.pre_dump
    def flatten(self, data, **kwargs):
        # {"template", "lines", "requirements"} built by api.kit_templates.detail.
        lines = data["lines"]
        return {
            **_template_dict(data["template"]), "line_count": len(lines), "box_count": data["box_count"],
            "lines": lines,
            "requirements": [{"module": r.module.code, "boxes_required": r.boxes_required}
                             for r in data["requirements"]],
        }


class TemplateListArgsSchema(PageArgsSchema):
    """Filters of the template list."""

    module = ma.fields.String(validate=MODULE_CODE, metadata={"description": "Templates a module needs"})
    category = ma.fields.String(validate=CATEGORY_CODE)
    q = ma.fields.String(validate=validate.Length(max=80),
                         metadata={"description": "Part of the code or a name"})
    active = ma.fields.Boolean(load_default=True, metadata={"description": "Default: active only"})


class TemplateLineInputSchema(StrictSchema):
    """A content line of a template."""

    item_id = id_field(required=True)
    par_quantity = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_PAR))
    min_shelf_days = ma.fields.Integer(strict=True, load_default=0,
                                       validate=validate.Range(min=0, max=MAX_SHELF_DAYS), metadata={
                                           "description": "Units count only with this many days left"})
    optional = ma.fields.Boolean(load_default=False,
                                 metadata={"description": "A short optional line keeps the box ready"})
    substitutes = ma.fields.List(id_field(), load_default=list, validate=validate.Length(max=20),
                                 metadata={"description": "Item ids that may stand in for the item"})
    note = ma.fields.String(allow_none=True, validate=validate.Length(max=LINE_NOTE_MAX))


class RequirementInputSchema(StrictSchema):
    """Boxes of this template a module needs to count as ready."""

    module = ma.fields.String(required=True, validate=MODULE_CODE, metadata={"description": "Module code"})
    boxes_required = ma.fields.Integer(strict=True, required=True,
                                       validate=validate.Range(min=1, max=MAX_BOXES_REQUIRED))


def _measure(limit: float, **kwargs) -> ma.fields.Float:
    return ma.fields.Float(allow_none=True, validate=validate.Range(min=0, max=limit, min_inclusive=False),
                           **kwargs)


class TemplateUpdateSchema(StrictSchema):
    """Changes to a template; given lines or requirements replace the old ones entirely."""

    code = ma.fields.String(validate=TEMPLATE_CODE,
                            metadata={"description": "Letters, digits and '-'; stored upper-case"})
    name_zh = ma.fields.String(validate=validate.Length(min=1, max=NAME_LIMITS["name_zh"]))
    name_en = ma.fields.String(validate=validate.Length(min=1, max=NAME_LIMITS["name_en"]))
    category = ma.fields.String(validate=CATEGORY_CODE, metadata={"description": "Main category code"})
    box_type = ma.fields.String(validate=validate.OneOf(BOX_TYPE_VALUES))
    width_m = _measure(MAX_SIZE_M)
    depth_m = _measure(MAX_SIZE_M)
    weight_kg = _measure(MAX_WEIGHT_KG)
    description = ma.fields.String(allow_none=True, validate=validate.Length(max=DESCRIPTION_MAX))
    active = ma.fields.Boolean()
    lines = ma.fields.List(ma.fields.Nested(TemplateLineInputSchema), validate=validate.Length(
        min=1, max=MAX_LINES))
    requirements = ma.fields.List(ma.fields.Nested(RequirementInputSchema),
                                  validate=validate.Length(max=100))


class TemplateCreateSchema(TemplateUpdateSchema):
    """A new box template with its content lines and the modules that need it."""

    code = ma.fields.String(required=True, validate=TEMPLATE_CODE,
                            metadata={"description": "Letters, digits and '-'; stored upper-case"})
    name_zh = ma.fields.String(required=True, validate=validate.Length(min=1, max=NAME_LIMITS["name_zh"]))
    name_en = ma.fields.String(required=True, validate=validate.Length(min=1, max=NAME_LIMITS["name_en"]))
    category = ma.fields.String(required=True, validate=CATEGORY_CODE,
                                metadata={"description": "Main category code"})
    box_type = ma.fields.String(required=True, validate=validate.OneOf(BOX_TYPE_VALUES))
    lines = ma.fields.List(ma.fields.Nested(TemplateLineInputSchema), required=True,
                           validate=validate.Length(min=1, max=MAX_LINES))


# --- boxes ------------------------------------------------------------------------------------

class TemplateRefSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    category = ma.fields.String(required=True)


class ModuleRefSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)


class PlaceRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)


class KitSchema(ma.Schema):
    """A box with its live completeness: what it is, where it lives and whether it is ready."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True, metadata={"description": "Printed on the label, e.g. K-EQ-0007"})
    status = ma.fields.Enum(KitStatus, by_value=True, required=True, metadata={"description": "As stored"})
    effective_status = ma.fields.Enum(KitStatus, by_value=True, required=True, metadata={
        "description": "What the box is now: a resting box is ready or short by its contents today"})
    status_changed_at = ma.fields.DateTime(required=True)
    template = ma.fields.Nested(TemplateRefSchema, required=True)
    module = ma.fields.Nested(ModuleRefSchema, required=True)
    location_id = ma.fields.Integer(required=True, metadata={
        "description": "The box's own stock location (its contents; movements filter by it)"})
    home_location = ma.fields.Nested(PlaceRefSchema, required=True,
                                     metadata={"description": "Where the box is kept in the depot"})
    place_id = ma.fields.Integer(required=True, allow_none=True,
                                 metadata={"description": "Where the box is now"})
    complete = ma.fields.Boolean(required=True, metadata={"description": "No required line is short"})
    short_lines = ma.fields.Integer(required=True, metadata={"description": "Required lines under par"})
    missing_units = ma.fields.Integer(required=True, metadata={"description": "Units missing on them"})
    line_count = ma.fields.Integer(required=True)
    earliest_expiry = ma.fields.Date(required=True, allow_none=True)
    last_inspected_at = ma.fields.DateTime(required=True, allow_none=True)

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # Rows of queries.kits.kit_stmt.
        return _kit_dict(row)


def _kit_dict(row) -> dict:
    return {
        "id": row.id, "code": row.code, "status": row.status,
        "effective_status": KitStatus(row.effective_status), "status_changed_at": row.status_changed_at,
        "template": {"code": row.template_code, "name_zh": row.template_name_zh,
                     "name_en": row.template_name_en, "category": row.category},
        "module": {"code": row.module_code, "name_zh": row.module_name_zh,
                   "name_en": row.module_name_en},
        "location_id": row.location_id,
        "home_location": {"id": row.home_location_id, "code": row.home_code},
        "place_id": row.place_id, "complete": row.short_lines == 0, "short_lines": row.short_lines,
        "missing_units": row.missing_units, "line_count": row.line_count,
        "earliest_expiry": row.earliest_expiry, "last_inspected_at": row.last_inspected_at,
    }


class KitListArgsSchema(PageArgsSchema):
    """Filters and sort of the box list."""

    module = ma.fields.String(validate=MODULE_CODE, metadata={"description": "Module code"})
    template = ma.fields.String(validate=TEMPLATE_CODE, metadata={"description": "Template code"})
    status = ma.fields.String(validate=validate.OneOf(KIT_STATUS_VALUES),
                              metadata={"description": "Effective status (ready/short live)"})
    ready = ma.fields.Boolean(metadata={"description": "true: ready boxes; false: all others"})
    q = ma.fields.String(validate=validate.Length(max=24), metadata={"description": "Part of the box code"})
    sort = ma.fields.String(load_default="code", validate=validate.OneOf(list(KIT_SORTS)))


class KitLineStateSchema(ma.Schema):
    """One content line of a box against par."""

    line_id = ma.fields.Integer(required=True)
    item_id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    unit = ma.fields.Enum(Unit, by_value=True, required=True)
    par = ma.fields.Integer(required=True)
    min_shelf_days = ma.fields.Integer(required=True)
    optional = ma.fields.Boolean(required=True)
    held = ma.fields.Integer(required=True, metadata={"description": "Units of the line's items in the box"})
    usable = ma.fields.Integer(required=True, metadata={
        "description": "Those in date for the line's minimum shelf life"})
    missing = ma.fields.Integer(required=True, metadata={"description": "par - usable, at least 0"})


class ShortfallSchema(ma.Schema):
    """A line under par (optional lines included, marked)."""

    line_id = ma.fields.Integer(required=True)
    item_id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    missing = ma.fields.Integer(required=True)
    optional = ma.fields.Boolean(required=True)


class KitLotSchema(ma.Schema):
    """Units of an item (lot) in the box."""

    item_id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    lot = ma.fields.String(required=True, allow_none=True)
    expires_on = ma.fields.Date(required=True, allow_none=True)
    quantity = ma.fields.Integer(required=True)


class KitEventSchema(ma.Schema):
    """A status change or an inspection of a box."""

    id = ma.fields.Integer(required=True)
    at = ma.fields.DateTime(required=True)
    actor_name = ma.fields.String(required=True)
    from_status = ma.fields.Enum(KitStatus, by_value=True, required=True, allow_none=True)
    to_status = ma.fields.Enum(KitStatus, by_value=True, required=True, allow_none=True)
    outcome = ma.fields.Enum(InspectionOutcome, by_value=True, required=True, allow_none=True,
                             metadata={"description": "Set for inspections"})
    note = ma.fields.String(required=True, metadata={"description": "Why, or an inspection's findings"})


class KitDetailSchema(KitSchema):
    """A box: status, places, contents against par, shortfalls, lots and recent history."""

    note = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    place = ma.fields.Nested(PlaceRefSchema, required=True, allow_none=True,
                             metadata={"description": "Where the box is now"})
    lines = ma.fields.List(ma.fields.Nested(KitLineStateSchema), required=True)
    shortfalls = ma.fields.List(ma.fields.Nested(ShortfallSchema), required=True)
    lots = ma.fields.List(ma.fields.Nested(KitLotSchema), required=True)
    events = ma.fields.List(ma.fields.Nested(KitEventSchema), required=True,
                            metadata={"description": "Newest first"})

    @ma.pre_dump
    def flatten(self, data, **kwargs):
        # {"kit", "row", "place", "lines", "lots", "events"} built by api.kits.detail.
        kit = data["kit"]
        lines = [{
            "line_id": line.line_id, "item_id": line.item_id, "sku": line.sku, "name_zh": line.name_zh,
            "name_en": line.name_en, "unit": line.unit, "par": line.par,
            "min_shelf_days": line.min_shelf_days, "optional": line.optional, "held": line.held,
            "usable": line.usable, "missing": max(0, line.par - line.usable),
        } for line in data["lines"]]
        return {
            **_kit_dict(data["row"]), "note": kit.note, "created_at": kit.created_at,
            "place": data["place"], "lines": lines,
            "shortfalls": [{key: line[key] for key in ("line_id", "item_id", "sku", "missing", "optional")}
                           for line in lines if line["missing"] > 0],
            "lots": data["lots"], "events": data["events"],
        }


class KitCreateSchema(StrictSchema):
    """A new, empty box of a template for a module."""

    template = ma.fields.String(required=True, validate=TEMPLATE_CODE,
                                metadata={"description": "Template code"})
    module = ma.fields.String(required=True, validate=MODULE_CODE, metadata={"description": "Module code"})
    home_location_id = id_field(required=True, metadata={"description": "A zone, rack or bin"})
    code = ma.fields.String(allow_none=True, validate=KIT_CODE,
                            metadata={"description": "Default: the module's next K-<module>-NNNN"})
    note = note_field()


# --- restock ----------------------------------------------------------------------------------

class ProposedRemovalSchema(ma.Schema):
    """Take stale units out of the box to a depot place."""

    line_id = ma.fields.Integer(required=True)
    item_id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    lot = ma.fields.String(required=True, allow_none=True)
    expires_on = ma.fields.Date(required=True, allow_none=True)
    quantity = ma.fields.Integer(required=True)
    to_location_id = ma.fields.Integer(required=True)
    to_location = ma.fields.String(required=True, metadata={"description": "Code of the destination"})


class ProposedFillSchema(ma.Schema):
    """Pick units from a depot place into the box."""

    line_id = ma.fields.Integer(required=True)
    item_id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    lot = ma.fields.String(required=True, allow_none=True)
    expires_on = ma.fields.Date(required=True, allow_none=True)
    from_location_id = ma.fields.Integer(required=True)
    from_location = ma.fields.String(required=True, metadata={"description": "Code of the origin"})
    quantity = ma.fields.Integer(required=True)


class UnfilledSchema(ma.Schema):
    """A line the depot cannot bring to par."""

    line_id = ma.fields.Integer(required=True)
    item_id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    missing = ma.fields.Integer(required=True,
                                metadata={"description": "Units still missing after the fills"})


class RestockProposalSchema(ma.Schema):
    """What a restock would do: swap-outs first, then first-expiry-first-out picks."""

    code = ma.fields.String(required=True)
    status = ma.fields.Enum(KitStatus, by_value=True, required=True)
    complete = ma.fields.Boolean(required=True, metadata={"description": "Before the restock"})
    removals = ma.fields.List(ma.fields.Nested(ProposedRemovalSchema), required=True)
    fills = ma.fields.List(ma.fields.Nested(ProposedFillSchema), required=True)
    unfilled = ma.fields.List(ma.fields.Nested(UnfilledSchema), required=True)


class FillInputSchema(StrictSchema):
    """Put units from a depot place into the box."""

    item_id = id_field(required=True)
    lot = lot_field()
    from_location_id = id_field(required=True)
    quantity = quantity_field(required=True)


class RemovalInputSchema(StrictSchema):
    """Take units out of the box to a depot place."""

    item_id = id_field(required=True)
    lot = lot_field()
    to_location_id = id_field(required=True)
    quantity = quantity_field(required=True)


class RestockSchema(StrictSchema):
    """A restock to post in one transaction: all entries or none."""

    fills = ma.fields.List(ma.fields.Nested(FillInputSchema),
                           validate=validate.Length(max=MAX_RESTOCK_ENTRIES))
    removals = ma.fields.List(ma.fields.Nested(RemovalInputSchema),
                              validate=validate.Length(max=MAX_RESTOCK_ENTRIES))
    note = note_field()
    use_proposal = ma.fields.Boolean(load_default=False, metadata={
        "description": "Post the current proposal (GET .../restock) as it is; no fills or removals then"})

    @ma.validates_schema
    def proposal_or_entries(self, data, **kwargs):
        if data.get("use_proposal") and (data.get("fills") or data.get("removals")):
            raise ma.ValidationError("send fills and removals, or use_proposal, not both", "use_proposal")


class RestockResultSchema(ma.Schema):
    """The box after a restock and the movements that filled and emptied it."""

    kit = ma.fields.Nested(KitDetailSchema, required=True)
    movements = ma.fields.List(ma.fields.Nested(MovementSchema), required=True)


# --- inspections, status and moves -------------------------------------------------------------

class InspectionInputSchema(StrictSchema):
    """What an inspection of a box found."""

    outcome = ma.fields.String(required=True, validate=validate.OneOf(OUTCOME_VALUES), metadata={
        "description": "failed sends the box to quarantine; a returned box moves on"})
    findings = note_field(metadata={"description": "Required unless the outcome is passed"})


class InspectionSchema(ma.Schema):
    """An inspection recorded, with the box's status after it."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True, metadata={"description": "The box"})
    at = ma.fields.DateTime(required=True)
    actor_name = ma.fields.String(required=True)
    outcome = ma.fields.Enum(InspectionOutcome, by_value=True, required=True)
    findings = ma.fields.String(required=True)
    status = ma.fields.Enum(KitStatus, by_value=True, required=True, metadata={
        "description": "The box's status after the inspection"})


class StatusInputSchema(StrictSchema):
    """A status for a box (deployed and returned are set by scanning boxes out and in)."""

    status = ma.fields.String(required=True, validate=validate.OneOf(KIT_STATUS_VALUES))
    note = note_field(metadata={"description": "Required for quarantined and retired"})


class MoveInputSchema(StrictSchema):
    """A new home place for a box."""

    home_location_id = id_field(required=True, metadata={"description": "A zone, rack or bin"})
    note = note_field()
