"""The commander's readiness dashboard: every module at a glance, and the reserve around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from warehouse.access import signed_in
from warehouse.domain.readiness import trend
from warehouse.extensions import db
from warehouse.models import Location
from warehouse.queries import readiness as queries
from warehouse.queries.deployments import deployment_rows
from warehouse.queries.squads import staffing_report
from warehouse.queries.stock import depots, floor_plan, stock_by_category
from warehouse.services.readiness import current_readiness, take_snapshot
from warehouse.timezone import depot_zone, today
from warehouse.views.locations import drawing_for
from warehouse.views.readiness_labels import readiness_labels

bp = Blueprint("readiness", __name__)

# Ready boxes whose earliest lot expires within these days are flagged (as the expiry panel counts).
EXPIRY_DAYS = 30
# Open deployments listed by name; the count covers them all.
DEPLOYMENTS_SHOWN = 5
# Box states in the stacked bar, left to right, with the ModuleStatus attribute behind each.
BAR_PARTS = ("ready", "short", "deployed", "restocking", "other", "unbuilt")
BAR_LABELS = {"ready": _l("Ready"), "short": _l("Short"), "deployed": _l("Deployed"),
              "restocking": _l("In restock"), "other": _l("Assembling or quarantined"),
              "unbuilt": _l("Not built")}


@dataclass(frozen=True)
class BarPart:
    """One segment of a module's stacked bar, in percent of the bar's width."""

    part: str
    boxes: int
    x: float
    width: float


def stacked_bar(status) -> list[BarPart]:
    """Split a module's boxes (built ones by state, then the unbuilt) along a 100-wide bar."""
    counts = [(part, getattr(status, part)) for part in BAR_PARTS]
    total = max(sum(n for _p, n in counts), status.required, 1)
    parts, x = [], 0.0
    for part, boxes in counts:
        if boxes:
            width = round(100 * boxes / total, 2)
            parts.append(BarPart(part, boxes, round(x, 2), width))
            x += width
    return parts


def amount(value) -> str:
    """Return a quantity without trailing zeros (12, 2.5), as the panels print it."""
    return f"{Decimal(value).normalize():f}" if value is not None else "—"


@bp.context_processor
def dashboard_helpers():
    return {**readiness_labels(), "BAR_LABELS": BAR_LABELS, "amount": amount}


@bp.route("/readiness/")
@signed_in
def dashboard():
    """Show every module's readiness, trend and shortfalls, and the state of the reserve around them."""
    on = today()
    if not queries.has_snapshot(db.session, on):
        # The day's first view records it, so the trend shows today even without the daily job.
        take_snapshot(db.session, on)
    state = current_readiness(db.session, on)
    past = queries.history(db.session, on)
    trends = {m.module.id: trend([(s.day, s.percent) for s in past.get(m.module.id, [])], on)
              for m in state.modules}
    # One depot's floor at a time (a province holds several): the one asked for, else the one
    # keeping most boxes.
    all_depots = depots(db.session)
    depot = next((d for d in all_depots if d.code == request.args.get("depot", "").upper()), None)
    if depot is None and state.zones:
        busiest = max(state.zones.values(), key=lambda zone: zone.boxes).zone_id
        # Read once, not once per depot tried (that grew the statements with the depots).
        home = db.session.get(Location, busiest).parent_id
        depot = next((d for d in all_depots if d.id == home), None)
    depot = depot or (all_depots[0] if all_depots else None)
    plans = []
    if depot is not None:
        plan = floor_plan(db.session, depot)
        if plan.zones:
            plans.append((plan, drawing_for(plan.width, plan.depth)))
    categories, staffing = stock_by_category(db.session, on), staffing_report(db.session, on)
    checks = queries.plan_checks(db.session, on, categories=categories, staffing=staffing)
    open_rows = deployment_rows(db.session, open=True)
    return render_template(
        "readiness/dashboard.html", state=state, on=on, now=datetime.now(depot_zone()),
        trends=trends, bars={m.module.id: stacked_bar(m) for m in state.modules},
        expiry_flag=on + timedelta(days=EXPIRY_DAYS), expiry_days=EXPIRY_DAYS,
        categories=categories,
        expiry=queries.expiry_summary(db.session, on, days=EXPIRY_DAYS),
        staffing=staffing,
        agreements=queries.agreement_counts(db.session, on),
        deployments=open_rows[:DEPLOYMENTS_SHOWN], open_deployments=len(open_rows),
        boxes_out=sum(r.kits_out for r in open_rows), overdue=sum(1 for r in open_rows if r.overdue),
        plans=plans, depots=all_depots if len(all_depots) > 1 else [],
        checks=checks, checks_passed=sum(1 for row in checks if row.check.passed),
        locale=str(get_locale()),
    )
