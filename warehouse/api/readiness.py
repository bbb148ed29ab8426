"""/api/v1/readiness: readiness by module, the plan's targets, the colour thresholds, the history."""

from flask.views import MethodView
from marshmallow import RAISE
from sqlalchemy import or_, select

from warehouse.access import allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.domain.accounts import Role
from warehouse.domain.errors import N_, NotFound
from warehouse.domain.readiness import PlanMeasure
from warehouse.extensions import db
from warehouse.models import Module, ReadinessSettings, StaffingTarget
from warehouse.queries.readiness import history, plan_checks
from warehouse.schemas.readiness import (
    HistoryArgsSchema,
    HistorySchema,
    ModuleArgsSchema,
    PlanTargetSchema,
    PlanTargetsSchema,
    PlanTargetUpdateSchema,
    ReadinessSchema,
    ThresholdsSchema,
    ThresholdsUpdateSchema,
)
from warehouse.services import kit_templates
from warehouse.services import readiness as service
from warehouse.timezone import today

PREFIX = "/readiness"
blp = ResourceBlueprint(
    "api_readiness", __name__,
    description="Readiness by module for commanders: boxes required, ready, short, deployed and in restock, "
                "the colour level, the earliest expiry, the top shortfalls and where they could come from; "
                "the plan's targets; the colour thresholds; the daily history")

# Examples for the document: the shapes as the demo depot answers them (abridged).
SOURCES_EXAMPLE = {
    "loose": 4, "stockpiles": 200, "stockpile_hours": 6, "committed": 0, "committed_per_day": 0,
    "agreement_hours": None,
    "lines": [{"source": "stockpile", "partner": {"id": 3, "name": "辽源市应急管理局",
                                                  "kind": "emergency_management",
                                                  "district": {"code": "LY", "name_zh": "辽源市",
                                                               "name_en": "Liaoyuan city"}},
               "agreement": None, "quantity": 200, "unit": "piece", "period": "total", "response_hours": 6,
               "location": "应急物资仓库"}]}
READINESS_EXAMPLE = {
    "on": "2026-03-02", "thresholds": {"good_percent": 90, "fair_percent": 60},
    "modules": [{
        "code": "EQ", "name_zh": "地震救援模块", "name_en": "Earthquake rescue module",
        "kits_required": 6, "kits_ready": 4, "kits_short": 1, "kits_deployed": 1, "kits_restocking": 0,
        "kits_other": 0, "kits_unbuilt": 0, "readiness_pct": 67, "level": "fair",
        "earliest_expiry": "2026-09-30", "zones": ["A-RE"],
        "templates": [{"code": "EQ-BREACH", "name_zh": "破拆箱", "name_en": "Breaching kit", "category": "RE",
                       "required": 6, "ready": 4, "counted_ready": 4, "short": 1, "deployed": 1,
                       "restocking": 0, "other": 0}],
        "shortfalls": [{"item": {"id": 12, "sku": "RE-GLOVE-01", "name_zh": "救援手套",
                                 "name_en": "Rescue gloves", "unit": "pair"},
                        "missing": 2, "in_boxes": 2, "boxes": 1, "unbuilt": 0, "sources": SOURCES_EXAMPLE}],
    }],
    "totals": {"kits_required": 6, "kits_ready": 4, "kits_short": 1, "kits_deployed": 1, "kits_restocking": 0,
               "kits_unbuilt": 0, "readiness_pct": 67, "level": "fair",
               "modules_by_level": {"good": 0, "fair": 1, "poor": 0, "none": 0}},
}
TARGET_EXAMPLE = {
    "code": "county_agreements", "kind": "plan", "measure": "county_agreements",
    "name": "Each county/district: agreements with every kind of county partner", "threshold": 100,
    "plan_threshold": 100, "actual": 95.0, "unit": "%", "base": 20, "passed": False,
    "missing": ["DF:machinery"], "scope": "", "updated_at": None, "updated_by": None}
PLAN_TARGETS_EXAMPLE = {"on": "2026-03-02", "passed": 8, "failed": 2, "targets": [TARGET_EXAMPLE, {
    "code": "DRIVER_SHARE", "kind": "staffing", "measure": "share",
    "name": "Special-vehicle drivers among all support staff", "threshold": 5, "plan_threshold": 5,
    "actual": 6.7, "unit": "%", "base": 45, "passed": True, "missing": [], "scope": "",
    "updated_at": None, "updated_by": None}]}
THRESHOLDS_EXAMPLE = {"good_percent": 90, "fair_percent": 60, "updated_at": "2026-03-01T08:30:00+00:00",
                      "updated_by": "admin"}
HISTORY_EXAMPLE = {"until": "2026-03-02", "days": 2, "modules": [{
    "code": "EQ", "name_zh": "地震救援模块", "name_en": "Earthquake rescue module", "points": [
        {"day": "2026-03-01", "percent": 83, "ready": 5, "required": 6, "short": 1, "deployed": 0,
         "restocking": 0},
        {"day": "2026-03-02", "percent": 67, "ready": 4, "required": 6, "short": 1, "deployed": 1,
         "restocking": 0}]}]}


def module_of(code: str | None) -> Module | None:
    """Return the module a query names (404 if none has the code), or None when none is named."""
    return kit_templates.get_module(db.session, code) if code else None


@blp.route("")
class Readiness(MethodView):
    @signed_in
    @blp.arguments(ModuleArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, ReadinessSchema, example=READINESS_EXAMPLE)
    def get(self, args):
        """Show every active module's readiness today (or one module's), with totals and shortfalls.

        A module is green, amber or red by the share of its required boxes that are ready
        (complete, in date, in the depot), against the thresholds below. Each shortfall names the
        item, the units missing from boxes and from boxes never built, and where they could come
        from: loose depot stock, departments' stockpiles and agreements in force.
        """
        module = module_of(args.get("module"))
        on = today()
        answer = service.current_readiness(db.session, on, module_id=module.id if module else None)
        if module is not None and not answer.modules:
            raise NotFound(N_("module %(code)s is not active", code=module.code))
        return answer


def plan_rows():
    return {"on": today(), "rows": plan_checks(db.session, today())}


@blp.route("/plan-targets")
class PlanTargets(MethodView):
    @signed_in
    @blp.response(200, PlanTargetsSchema, example=PLAN_TARGETS_EXAMPLE)
    def get(self):
        """Measure every target the plan sets against today's data: target, actual, pass or fail.

        The six plan targets (depot area, categories, priority modules, departments' stockpiles,
        county agreements, delivery agreements) come first, then the four staffing targets kept
        with the squads.
        """
        return plan_rows()


@blp.route("/plan-targets/<code:measure>")
class PlanTargetByMeasure(MethodView):
    @allow(Role.ADMIN)
    @blp.arguments(PlanTargetUpdateSchema, example={"threshold": 4, "scope": "HR CH EQ WR"})
    @blp.response(200, PlanTargetSchema, example=TARGET_EXAMPLE)
    def patch(self, data, measure):
        """Change a plan target's figure, or the modules target's priority modules (admins).

        Staffing targets (STANDING_HEADCOUNT, ...) are kept with the squads: change them with
        PUT /api/v1/compliance/staffing/targets/{code}.
        """
        staffing = db.session.scalar(select(StaffingTarget.code).where(
            StaffingTarget.code == measure.strip().upper()))
        if staffing is not None:
            raise NotFound(N_("%(code)s is a staffing target: change it with PUT "
                              "/api/v1/compliance/staffing/targets/%(code)s", code=staffing))
        target = service.update_plan_target(db.session, current_caller(), measure, **data)
        return next(row for row in plan_checks(db.session, today())
                    if not row.staffing and row.code == PlanMeasure(target.measure).value)


@blp.route("/thresholds")
class Thresholds(MethodView):
    @signed_in
    @blp.response(200, ThresholdsSchema, example=THRESHOLDS_EXAMPLE)
    def get(self):
        """Show from which percentages of its boxes ready a module is green and amber."""
        settings = db.session.get(ReadinessSettings, 1)
        if settings is None:
            raise NotFound(N_("the readiness settings are missing; run the migrations"))
        return settings

    @allow(Role.ADMIN)
    @blp.arguments(ThresholdsUpdateSchema, example={"good_percent": 95, "fair_percent": 70})
    @blp.response(200, ThresholdsSchema, example=THRESHOLDS_EXAMPLE)
    def patch(self, data):
        """Change the colour thresholds (admins); amber may not start above green."""
        return service.update_thresholds(db.session, current_caller(), **data)


@blp.route("/history")
class History(MethodView):
    @signed_in
    @blp.arguments(HistoryArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, HistorySchema, example=HISTORY_EXAMPLE)
    def get(self, args):
        """List each module's daily readiness snapshots over the last days, oldest first."""
        module = module_of(args.get("module"))
        until, days = args.get("until") or today(), args["days"]
        found = history(db.session, until, days=days, module_id=module.id if module else None)
        if module is not None:
            modules = [module]
        else:
            modules = db.session.scalars(
                select(Module).where(or_(Module.active.is_(True), Module.id.in_(sorted(found))))
                .order_by(Module.position, Module.code)).all()
        return {"until": until, "days": days,
                "modules": [{"module": m, "points": found.get(m.id, [])} for m in modules]}
