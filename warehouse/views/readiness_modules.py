"""Readiness beyond the dashboard: one module drilled down to its boxes' lines, the module table as
CSV, and the plan's targets with the colour thresholds (edited by administrators)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from warehouse.access import allow, current_caller, signed_in
from warehouse.domain.accounts import Role
from warehouse.domain.errors import N_, DomainError, NotFound
from warehouse.domain.kits import KitStatus
from warehouse.domain.partners import COUNTY_KINDS
from warehouse.domain.readiness import TREND_DAYS, Level, PlanMeasure, Thresholds, trend
from warehouse.extensions import db
from warehouse.models import Category, Kit, Module, ReadinessSettings
from warehouse.queries import kits as kit_queries
from warehouse.queries import readiness as queries
from warehouse.queries.partners import districts
from warehouse.services import kit_templates
from warehouse.services import readiness as service
from warehouse.timezone import today
from warehouse.views import form_errors_from
from warehouse.views.export import csv_response
from warehouse.views.kits import kit_helpers
from warehouse.views.partner_labels import PARTNER_KIND_LABELS, PARTNER_LABELS, quantity_text
from warehouse.views.readiness_forms import PlanTargetForm, ThresholdsForm
from warehouse.views.readiness_labels import LEVEL_LABELS, readiness_labels

bp = Blueprint("readiness_modules", __name__, url_prefix="/readiness")

# The drill-down's trend chart: the plot box and the margins its axis labels sit in.
CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_TOP, CHART_BOTTOM = 600, 150, 40, 8, 22


@bp.context_processor
def readiness_helpers() -> dict:
    return {**kit_helpers(), **readiness_labels(), "PARTNER_LABELS": PARTNER_LABELS,
            "quantity_text": quantity_text}


def _locale() -> str:
    return str(get_locale())


# --- drill-down -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chart:
    """A module's readiness history placed in an SVG chart with its axes."""

    points: str
    dots: tuple
    width: int
    height: int
    left: int
    top: int
    grid: tuple[tuple[float, int], ...]  # (y, percent) of the horizontal lines
    thresholds: tuple[tuple[float, str, int], ...]  # (y, level, percent) of the colour thresholds
    days: tuple[tuple[float, date], ...]  # (x, day) of the labelled days
    first: date
    last: date


def _chart(history: list, on: date, levels: Thresholds) -> Chart:
    pad = 4
    drawn = trend([(s.day, s.percent) for s in history], on, days=TREND_DAYS,
                  width=CHART_WIDTH, height=CHART_HEIGHT, pad=pad)
    inner_h, inner_w = CHART_HEIGHT - 2 * pad, CHART_WIDTH - 2 * pad

    def y(percent: int) -> float:
        return round(pad + inner_h * (100 - percent) / 100, 2)

    first = on - timedelta(days=TREND_DAYS - 1)
    labelled = (0, (TREND_DAYS - 1) // 2, TREND_DAYS - 1)
    return Chart(drawn.points, drawn.dots, CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_TOP,
                 tuple((y(p), p) for p in (0, 25, 50, 75, 100)),
                 ((y(levels.good), Level.GOOD.value, levels.good),
                  (y(levels.fair), Level.FAIR.value, levels.fair)),
                 tuple((round(pad + inner_w * d / max(TREND_DAYS - 1, 1), 2), first + timedelta(days=d))
                       for d in labelled),
                 first, on)


@bp.route("/modules/<code:code>")
@signed_in
def module(code: str):
    """Show one module's readiness down to its boxes' short lines, its shortfalls and its trend."""
    found = kit_templates.get_module(db.session, code)
    on = today()
    state = queries.readiness(db.session, on, module_id=found.id)
    if not state.modules:  # a retired module has no readiness to drill into
        raise NotFound(N_("no module %(code)s", code=found.code))
    status = state.modules[0]
    boxes = db.session.execute(kit_queries.kit_stmt(on, module=found.code)
                               .where(Kit.status != KitStatus.RETIRED)).all()
    by_template: dict[int, list] = defaultdict(list)
    for row in boxes:
        by_template[row.template_id].append(row)
    required = {t.template_id for t in status.templates}
    others = [row for template_id, rows in by_template.items() if template_id not in required for row in rows]
    lines: dict[int, list] = defaultdict(list)
    for line in queries.short_lines(db.session, on, found.id):
        lines[line.kit_id].append(line)
    history = queries.history(db.session, on, module_id=found.id).get(found.id, [])
    return render_template("readiness/module.html", status=status, readiness=state, boxes=by_template,
                           others=others, lines=lines, history=history,
                           chart=_chart(history, on, state.thresholds), on=on)


# --- CSV --------------------------------------------------------------------------------------

@bp.route("/modules.csv")
@signed_in
def csv():
    """Download the module table (boxes by state, percentage, level, earliest expiry) as CSV."""
    locale = _locale()
    state = queries.readiness(db.session, today(), shortfalls=0, with_sources=False)
    columns = [
        (_("Code"), lambda m: m.module.code),
        (_("Module"), lambda m: m.module.name(locale)),
        (_("Required"), lambda m: m.required),
        (_("Ready"), lambda m: m.counted_ready),
        (_("Short"), lambda m: m.short),
        (_("Deployed"), lambda m: m.deployed),
        (_("In restock"), lambda m: m.restocking),
        (_("Not built"), lambda m: m.unbuilt),
        (_("Readiness (%)"), lambda m: m.percent),
        (_("Level"), lambda m: str(LEVEL_LABELS[m.level])),
        (_("Earliest expiry"), lambda m: m.earliest_expiry),
    ]
    return csv_response("readiness-modules", columns, state.modules)


# --- the plan's targets -----------------------------------------------------------------------

def _render_targets(failed: tuple[str, PlanTargetForm] | None = None,
                    thresholds_form: ThresholdsForm | None = None, status: int = 200):
    on = today()
    rows = queries.plan_checks(db.session, on)
    levels = queries.thresholds(db.session)
    settings = db.session.get(ReadinessSettings, 1)
    forms = {row.code: PlanTargetForm(formdata=None, data={"threshold": row.target.threshold,
                                                             "scope": row.target.scope})
             for row in rows if not row.staffing}
    if failed is not None:
        forms[failed[0]] = failed[1]
    if thresholds_form is None:
        thresholds_form = ThresholdsForm(formdata=None, data={"good_percent": levels.good,
                                                              "fair_percent": levels.fair})
    county = [d for d in districts(db.session) if not d.city_level]
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    module_names = {m.code: m for m in db.session.scalars(select(Module))}
    return render_template(
        "readiness/targets.html", rows=rows, on=on, levels=levels, settings=settings, forms=forms,
        thresholds_form=thresholds_form, county=county, county_kinds=COUNTY_KINDS,
        kind_labels=PARTNER_KIND_LABELS, categories=categories, module_names=module_names,
        PlanMeasure=PlanMeasure, passed=sum(1 for row in rows if row.check.passed)), status


def _bad_form_status(form) -> int:
    """A form refused before any service: 400 for a missing CSRF token, else 422 for its fields."""
    token = getattr(form, "csrf_token", None)  # absent where CSRF is switched off (tests)
    return 400 if token is not None and token.errors else 422


@bp.route("/targets")
@signed_in
def targets():
    """Show every target of the plan against today's data, what is missing, and the colour thresholds."""
    return _render_targets()


@bp.route("/targets/<measure>", methods=["POST"])
@allow(Role.ADMIN)
def edit_target(measure: str):
    """Change a plan target's figure, and for the modules target which modules are the priority."""
    target = service.get_plan_target(db.session, measure)
    code = target.measure.value
    form = PlanTargetForm()
    if not form.validate_on_submit():
        return _render_targets((code, form), status=_bad_form_status(form))
    changes = {"threshold": form.threshold.data}
    if target.measure is PlanMeasure.MODULES:
        changes["scope"] = form.scope.data or ""
    try:
        service.update_plan_target(db.session, current_caller(), code, **changes)
    except DomainError as error:
        form_errors_from(error, form)
        return _render_targets((code, form), status=error.status)
    flash(_("Target changed."), "success")
    return redirect(url_for("readiness_modules.targets", _anchor=f"target-{code}"))


@bp.route("/thresholds", methods=["POST"])
@allow(Role.ADMIN)
def edit_thresholds():
    """Change from which percentages of boxes ready a module shows green and amber."""
    form = ThresholdsForm()
    if not form.validate_on_submit():
        return _render_targets(thresholds_form=form, status=_bad_form_status(form))
    try:
        service.update_thresholds(db.session, current_caller(), good_percent=form.good_percent.data,
                                  fair_percent=form.fair_percent.data)
    except DomainError as error:
        form_errors_from(error, form)
        return _render_targets(thresholds_form=form, status=error.status)
    flash(_("Colour thresholds changed."), "success")
    return redirect(url_for("readiness_modules.targets", _anchor="thresholds"))
