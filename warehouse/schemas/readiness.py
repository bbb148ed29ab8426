"""Readiness by module, its totals, the plan's targets, the colour thresholds and the history."""

from datetime import date

import marshmallow as ma
from flask_babel import force_locale
from marshmallow import validate

from warehouse.domain.partners import Period, Source
from warehouse.domain.readiness import MAX_PLAN_THRESHOLD, TARGET_WORDS, TREND_DAYS, Level, PlanMeasure
from warehouse.schemas.common import StrictSchema
from warehouse.schemas.partners import Amount, ItemRefSchema, PartnerRefSchema, partner_ref
from warehouse.views.squad_labels import TARGET_LABELS as STAFFING_TARGET_LABELS

LEVEL_DESCRIPTION = ("good (green: at least good_percent of the boxes ready), fair (amber: at least "
                     "fair_percent), poor (red: below), none (nothing required)")
# Query strings may write a module code in lower case; the depot stores it upper case.
MODULE_CODE = validate.Regexp(r"^[A-Za-z][A-Za-z0-9]{1,5}$", error="a module code, e.g. EQ or WR")
HISTORY_DAYS = validate.Range(min=1, max=366)
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def _count(description: str) -> ma.fields.Integer:
    return ma.fields.Integer(required=True, metadata={"description": description})


def _level(**kwargs) -> ma.fields.Enum:
    return ma.fields.Enum(Level, by_value=True, required=True, metadata={"description": LEVEL_DESCRIPTION},
                          **kwargs)


# --- readiness by module ----------------------------------------------------------------------

class ThresholdFiguresSchema(ma.Schema):
    """The colour thresholds a readiness answer was coloured with."""

    good_percent = ma.fields.Integer(required=True, metadata={"description": "Green from this percent"})
    fair_percent = ma.fields.Integer(required=True, metadata={"description": "Amber from this percent"})


class ReadinessTemplateSchema(ma.Schema):
    """One box template of a module: boxes required and boxes in each state."""

    code = ma.fields.String(required=True, metadata={"description": "Template code, e.g. EQ-BREACH"})
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    category = ma.fields.String(required=True, metadata={"description": "Category code, e.g. RE"})
    required = ma.fields.Integer(required=True, metadata={"description": "Boxes the module needs"})
    ready = ma.fields.Integer(required=True, metadata={
        "description": "Complete, in-date boxes resting in the depot (spares included)"})
    counted_ready = ma.fields.Integer(required=True, metadata={
        "description": "Ready boxes that count: at most the number required"})
    short = ma.fields.Integer(required=True, metadata={"description": "Boxes in the depot missing contents"})
    deployed = ma.fields.Integer(required=True, metadata={"description": "Boxes out at an incident or drill"})
    restocking = ma.fields.Integer(required=True, metadata={"description": "Returned or being restocked"})
    other = ma.fields.Integer(required=True, metadata={"description": "Assembling or quarantined"})

    @ma.pre_dump
    def flatten(self, template, **kwargs):
        # A queries.kits.TemplateReadiness.
        return {"code": template.template_code, "name_zh": template.template_name_zh,
                "name_en": template.template_name_en, "category": template.category,
                "required": template.required, "ready": template.ready,
                "counted_ready": template.counted_ready, "short": template.short,
                "deployed": template.deployed, "restocking": template.restocking, "other": template.other}


class LineAgreementSchema(ma.Schema):
    """The agreement a commitment is made under."""

    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)


class SourceLineSchema(ma.Schema):
    """A department's stockpile line or an agreement's commitment that could fill a shortfall."""

    source = ma.fields.Enum(Source, by_value=True, required=True, metadata={
        "description": "stockpile (a department's) or agreement (a commitment in force)"})
    partner = ma.fields.Nested(PartnerRefSchema, required=True)
    agreement = ma.fields.Nested(LineAgreementSchema, required=True, allow_none=True, metadata={
        "description": "null for a stockpile"})
    quantity = Amount(required=True)
    unit = ma.fields.String(required=True)
    period = ma.fields.Enum(Period, by_value=True, required=True, metadata={
        "description": "total: once; per_day: every day of an emergency"})
    response_hours = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Hours to deliver; null for a stockpile nobody promised a time for"})
    location = ma.fields.String(required=True, metadata={"description": "Where a stockpile is kept"})

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # A queries.partners.SourceRow of a stockpile or an agreement (always with its partner).
        return {"source": row.source, "partner": partner_ref(row.partner, row.district),
                "agreement": ({"id": row.agreement_id, "number": row.agreement_number}
                              if row.agreement_id is not None else None),
                "quantity": row.quantity, "unit": row.unit, "period": row.period,
                "response_hours": row.response_hours, "location": row.location}


class SourcesSchema(ma.Schema):
    """Where a shortfall could come from: loose depot stock, departments' stockpiles, agreements."""

    loose = ma.fields.Integer(required=True, metadata={
        "description": "Usable units on the depot's shelves and pallet spots (not in boxes): a restock"})
    stockpiles = Amount(required=True, metadata={"description": "Units in departments' stockpiles"})
    stockpile_hours = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "The fastest department's response time, if any promised one"})
    committed = Amount(required=True, metadata={"description": "Committed once by agreements in force"})
    committed_per_day = Amount(required=True, metadata={
        "description": "Committed every day by agreements in force"})
    agreement_hours = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "The fastest agreement's response time"})
    lines = ma.fields.List(ma.fields.Nested(SourceLineSchema), required=True, metadata={
        "description": "The stockpile lines and commitments behind the totals, stockpiles first, "
                       "fastest first"})

    @ma.pre_dump
    def flatten(self, sources, **kwargs):
        # A queries.readiness.Sources.
        return {"loose": sources.loose, "stockpiles": sources.stockpiles,
                "stockpile_hours": sources.stockpile_hours, "committed": sources.committed,
                "committed_per_day": sources.committed_per_day, "agreement_hours": sources.agreement_hours,
                "lines": list(sources.rows)}


class ModuleShortfallSchema(ma.Schema):
    """Units of one item a module lacks, and where they could come from."""

    item = ma.fields.Nested(ItemRefSchema, required=True)
    missing = ma.fields.Integer(required=True, metadata={"description": "in_boxes + unbuilt"})
    in_boxes = ma.fields.Integer(required=True, metadata={
        "description": "Units missing from the module's boxes resting in the depot"})
    boxes = ma.fields.Integer(required=True, metadata={"description": "How many of those boxes lack it"})
    unbuilt = ma.fields.Integer(required=True, metadata={
        "description": "Units the boxes required but never built would hold"})
    sources = ma.fields.Nested(SourcesSchema, required=True, allow_none=True)

    @ma.pre_dump
    def flatten(self, shortfall, **kwargs):
        # A queries.readiness.Shortfall.
        gap = shortfall.gap
        return {"item": shortfall.item, "missing": gap.missing, "in_boxes": gap.in_boxes, "boxes": gap.boxes,
                "unbuilt": gap.unbuilt, "sources": shortfall.sources}


class ReadinessModuleSchema(ma.Schema):
    """A module at a glance: boxes by state, percentage and colour, expiry, zones and shortfalls."""

    code = ma.fields.String(required=True, metadata={"description": "e.g. EQ"})
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    kits_required = ma.fields.Integer(required=True, metadata={"description": "Boxes the module needs"})
    kits_ready = ma.fields.Integer(required=True, metadata={
        "description": "Ready boxes that count towards the requirement (spares do not make up for others)"})
    kits_short = _count("Boxes in the depot missing contents")
    kits_deployed = _count("Boxes out at an incident or drill")
    kits_restocking = _count("Returned or being restocked")
    kits_other = _count("Assembling or quarantined")
    kits_unbuilt = _count("Boxes required but never built")
    readiness_pct = ma.fields.Integer(required=True, metadata={
        "description": "kits_ready as a whole percentage of kits_required (0 when nothing is required)"})
    level = _level()
    earliest_expiry = ma.fields.Date(required=True, allow_none=True, metadata={
        "description": "The soonest expiry among the contents of its ready boxes"})
    zones = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "Codes of the depot zones its boxes are kept in"})
    templates = ma.fields.List(ma.fields.Nested(ReadinessTemplateSchema), required=True)
    shortfalls = ma.fields.List(ma.fields.Nested(ModuleShortfallSchema), required=True, metadata={
        "description": "The largest gaps first (most units missing), at most five"})

    @ma.pre_dump
    def flatten(self, status, **kwargs):
        # A queries.readiness.ModuleStatus.
        module = status.module
        return {"code": module.code, "name_zh": module.name_zh, "name_en": module.name_en,
                "kits_required": status.required, "kits_ready": status.counted_ready,
                "kits_short": status.short, "kits_deployed": status.deployed,
                "kits_restocking": status.restocking, "kits_other": status.other,
                "kits_unbuilt": status.unbuilt, "readiness_pct": status.percent, "level": status.level,
                "earliest_expiry": status.earliest_expiry, "zones": list(status.zones),
                "templates": list(status.templates), "shortfalls": list(status.shortfalls)}


class LevelCountsSchema(ma.Schema):
    """How many modules show each colour."""

    good = ma.fields.Integer(required=True)
    fair = ma.fields.Integer(required=True)
    poor = ma.fields.Integer(required=True)
    none = ma.fields.Integer(required=True)


class ReadinessTotalsSchema(ma.Schema):
    """The modules added up."""

    kits_required = ma.fields.Integer(required=True)
    kits_ready = ma.fields.Integer(required=True, metadata={"description": "Ready boxes that count"})
    kits_short = ma.fields.Integer(required=True)
    kits_deployed = ma.fields.Integer(required=True)
    kits_restocking = ma.fields.Integer(required=True)
    kits_unbuilt = ma.fields.Integer(required=True)
    readiness_pct = ma.fields.Integer(required=True)
    level = _level()
    modules_by_level = ma.fields.Nested(LevelCountsSchema, required=True)

    @ma.pre_dump
    def flatten(self, totals, **kwargs):
        # A queries.readiness.Totals.
        return {"kits_required": totals.required, "kits_ready": totals.ready, "kits_short": totals.short,
                "kits_deployed": totals.deployed, "kits_restocking": totals.restocking,
                "kits_unbuilt": totals.unbuilt, "readiness_pct": totals.percent, "level": totals.level,
                "modules_by_level": {level.value: totals.levels.get(level, 0) for level in Level}}


class ReadinessSchema(ma.Schema):
    """Every active module's readiness today, the thresholds that coloured it, and the totals."""

    on = ma.fields.Date(required=True, metadata={"description": "The day (expiry dates are judged on it)"})
    thresholds = ma.fields.Nested(ThresholdFiguresSchema, required=True)
    modules = ma.fields.List(ma.fields.Nested(ReadinessModuleSchema), required=True, metadata={
        "description": "In display order"})
    totals = ma.fields.Nested(ReadinessTotalsSchema, required=True)

    @ma.pre_dump
    def flatten(self, answer, **kwargs):
        # A queries.readiness.Readiness.
        return {"on": answer.on, "modules": answer.modules, "totals": answer.totals,
                "thresholds": {"good_percent": answer.thresholds.good,
                               "fair_percent": answer.thresholds.fair}}


class ModuleArgsSchema(StrictSchema):
    """Which module to show."""

    module = ma.fields.String(validate=MODULE_CODE, metadata={
        "description": "A module code, e.g. EQ: only that module (the totals are its own)"})


# --- the plan's targets -----------------------------------------------------------------------

def english_name(check) -> str:
    """Return what a target asks, in English words."""
    try:
        return str(TARGET_WORDS[PlanMeasure(check.code)])
    except ValueError:
        label = STAFFING_TARGET_LABELS.get(check.code)
        if label is None:
            return check.code
        with force_locale("en"):
            return str(label)


class PlanTargetSchema(ma.Schema):
    """One of the plan's targets measured from the data: the figure, pass or fail, what is missing."""

    code = ma.fields.String(required=True, metadata={
        "description": "The plan target's measure (depot_area...) or the staffing target's code "
                       "(STANDING_HEADCOUNT...)"})
    kind = ma.fields.String(required=True, validate=validate.OneOf(["plan", "staffing"]), metadata={
        "description": "plan: edited here; staffing: kept with the squads (PUT "
                       "/api/v1/compliance/staffing/targets/{code})"})
    measure = ma.fields.String(required=True, metadata={
        "description": "What is measured: a plan measure, or headcount / share for staffing"})
    name = ma.fields.String(required=True, metadata={"description": "What the target asks, in English"})
    threshold = ma.fields.Integer(required=True, metadata={"description": "The figure in force"})
    plan_threshold = ma.fields.Integer(required=True, allow_none=True,
                                       metadata={"description": "The plan's figure"})
    actual = ma.fields.Float(required=True, metadata={"description": "The figure in the data today"})
    unit = ma.fields.String(required=True, metadata={"description": "m², % or empty for a count"})
    base = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "What a count or share is out of (modules named, district × kind pairs, staff); "
                       "null for a plain figure"})
    passed = ma.fields.Boolean(required=True)
    missing = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "What is lacking by code: categories, modules, department kinds, "
                       "district:kind pairs (LS:supermarket), delivery kinds"})
    scope = ma.fields.String(required=True, metadata={
        "description": "The modules target's priority module codes, space-separated; empty otherwise"})
    updated_at = ma.fields.DateTime(required=True, allow_none=True, metadata={
        "description": "When an admin last changed it"})
    updated_by = ma.fields.String(required=True, allow_none=True)

    @ma.pre_dump
    def flatten(self, row, **kwargs):
        # A queries.readiness.PlanRow: a PlanTarget or a StaffingTarget with its PlanCheck.
        check, target = row.check, row.target
        return {"code": check.code, "kind": "staffing" if row.staffing else "plan", "measure": check.measure,
                "name": english_name(check), "threshold": check.threshold,
                "plan_threshold": check.plan_threshold, "actual": check.actual, "unit": check.unit,
                "base": check.base, "passed": check.passed, "missing": list(check.missing),
                "scope": "" if row.staffing else target.scope, "updated_at": target.updated_at,
                "updated_by": target.updated_by_name or None}


class PlanTargetsSchema(ma.Schema):
    """Every target the plan sets, measured from today's data."""

    on = ma.fields.Date(required=True)
    passed = ma.fields.Integer(required=True, metadata={"description": "Targets met"})
    failed = ma.fields.Integer(required=True, metadata={"description": "Targets not met"})
    targets = ma.fields.List(ma.fields.Nested(PlanTargetSchema), required=True, metadata={
        "description": "The six plan targets, then the four staffing targets"})

    @ma.pre_dump
    def flatten(self, answer, **kwargs):
        # {"on": date, "rows": [queries.readiness.PlanRow]}
        rows = answer["rows"]
        met = sum(1 for row in rows if row.check.passed)
        return {"on": answer["on"], "passed": met, "failed": len(rows) - met, "targets": rows}


class PlanTargetUpdateSchema(StrictSchema):
    """A change to a plan target: its figure and, for the modules target, the priority modules."""

    threshold = ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_PLAN_THRESHOLD),
                                  metadata={"description": "m², a count, or a whole percent "
                                                           "(county_agreements: at most 100)"})
    scope = ma.fields.String(allow_none=True, validate=validate.Length(max=200), metadata={
        "description": "modules only: the priority module codes, e.g. \"HR CH EQ MT WR\""})


# --- the colour thresholds --------------------------------------------------------------------

class ThresholdsSchema(ThresholdFiguresSchema):
    """From which percentages of its boxes ready a module shows green and amber."""

    updated_at = ma.fields.DateTime(required=True, allow_none=True, metadata={
        "description": "When an admin last changed them"})
    updated_by = ma.fields.String(required=True, allow_none=True)

    @ma.pre_dump
    def flatten(self, settings, **kwargs):
        # A models.ReadinessSettings.
        return {"good_percent": settings.good_percent, "fair_percent": settings.fair_percent,
                "updated_at": settings.updated_at, "updated_by": settings.updated_by_name or None}


class ThresholdsUpdateSchema(StrictSchema):
    """New colour thresholds; amber must not start above green."""

    good_percent = ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=100),
                                     metadata={"description": "Green from this whole percent"})
    fair_percent = ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=100),
                                     metadata={"description": "Amber from this whole percent, at most good"})


# --- history ----------------------------------------------------------------------------------

class HistoryArgsSchema(ModuleArgsSchema):
    """Which days and module to show."""

    days = ma.fields.Integer(load_default=TREND_DAYS, validate=HISTORY_DAYS, metadata={
        "description": f"Days up to until (default {TREND_DAYS})"})
    until = ma.fields.Date(validate=validate.Range(min=EARLIEST_DAY, max=LATEST_DAY), metadata={
        "description": "YYYY-MM-DD, the last day; default today at the depot"})


class HistoryPointSchema(ma.Schema):
    """A module's readiness as recorded on one day."""

    day = ma.fields.Date(required=True)
    percent = ma.fields.Integer(required=True)
    ready = ma.fields.Integer(required=True, metadata={"description": "Ready boxes that counted"})
    required = ma.fields.Integer(required=True)
    short = ma.fields.Integer(required=True)
    deployed = ma.fields.Integer(required=True)
    restocking = ma.fields.Integer(required=True)


class HistoryModuleSchema(ma.Schema):
    """One module's daily snapshots, oldest first."""

    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    points = ma.fields.List(ma.fields.Nested(HistoryPointSchema), required=True, metadata={
        "description": "Days without a snapshot are left out"})

    @ma.pre_dump
    def flatten(self, pair, **kwargs):
        # {"module": models.Module, "points": [models.ReadinessSnapshot]}
        module = pair["module"]
        return {"code": module.code, "name_zh": module.name_zh, "name_en": module.name_en,
                "points": pair["points"]}


class HistorySchema(ma.Schema):
    """Daily readiness snapshots per module over a number of days."""

    until = ma.fields.Date(required=True)
    days = ma.fields.Integer(required=True)
    modules = ma.fields.List(ma.fields.Nested(HistoryModuleSchema), required=True, metadata={
        "description": "Active modules in display order, and any other module recorded in the period"})
