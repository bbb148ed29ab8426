"""Report pages: stock by category and zone, expired and expiring stock, items below minimum."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from warehouse.access import signed_in
from warehouse.domain.stock import EXPIRY_HORIZONS, Unit
from warehouse.extensions import db
from warehouse.queries.catalogue import categories
from warehouse.queries.stock import (
    BELOW_MINIMUM_SORTS,
    below_minimum_page,
    below_minimum_stmt,
    stock_by_category,
    stock_page,
    stock_stmt,
    zone_usage,
)
from warehouse.schemas.stock import BelowMinimumArgsSchema
from warehouse.schemas.stock_pages import ExpiringArgsSchema
from warehouse.timezone import today
from warehouse.views import list_args
from warehouse.views.export import csv_response, wants_csv

bp = Blueprint("reports", __name__)


def utilisation(zone) -> float | None:
    """Return the share of a zone's floor used by locations holding stock, in percent."""
    if not zone.area_m2:
        return None
    return round(100.0 * (zone.used_m2 or 0) / zone.area_m2, 1)


@bp.route("/reports")
@signed_in
def index():
    """Show stock by category and by zone, with links to the detailed reports."""
    zones = [(zone, utilisation(zone)) for zone in zone_usage(db.session)]
    return render_template("reports/index.html", by_category=stock_by_category(db.session),
                           zones=zones, horizons=EXPIRY_HORIZONS)


@bp.route("/reports/expiring")
@signed_in
def expiring():
    """List expired stock and stock expiring within 30, 60 or 90 days, soonest first."""
    args = list_args(ExpiringArgsSchema)
    on = today()
    filters = {"expiring_within_days": args["days"], "sort": "expires_on", "on": on}
    if wants_csv(request.args):
        columns = [
            ("SKU", lambda r: r.sku),
            (_("Chinese name"), lambda r: r.name_zh),
            (_("English name"), lambda r: r.name_en),
            (_("Category"), lambda r: r.category),
            (_("Lot"), lambda r: r.lot),
            (_("Expires"), lambda r: r.expires_on),
            (_("Days left"), lambda r: (r.expires_on - on).days),
            (_("Location"), lambda r: r.location_code),
            (_("Quantity"), lambda r: r.quantity),
            (_("Unit"), lambda r: Unit(r.unit).value),
            (_("Status"), lambda r: r.status),
        ]
        return csv_response(f"expiring-{args['days']}d", columns,
                            db.session.execute(stock_stmt(**filters)))
    page = stock_page(db.session, page=args["page"], per_page=args["per_page"], **filters)
    return render_template("reports/expiring.html", page=page, args=args, today=on,
                           until=on + timedelta(days=args["days"]), horizons=EXPIRY_HORIZONS)


@bp.route("/reports/below-minimum")
@signed_in
def below_minimum():
    """List active items whose usable stock is under their minimum, with the shortfall."""
    args = list_args(BelowMinimumArgsSchema)
    filters = {"category": args.get("category"), "sort": args["sort"]}
    if wants_csv(request.args):
        columns = [
            ("SKU", lambda r: r.sku),
            (_("Chinese name"), lambda r: r.name_zh),
            (_("English name"), lambda r: r.name_en),
            (_("Category"), lambda r: r.category),
            (_("Minimum"), lambda r: r.min_level),
            (_("Available"), lambda r: r.available),
            (_("Shortfall"), lambda r: r.shortfall),
            (_("Unit"), lambda r: Unit(r.unit).value),
        ]
        return csv_response("below-minimum", columns, db.session.execute(below_minimum_stmt(**filters)))
    page = below_minimum_page(db.session, page=args["page"], per_page=args["per_page"], **filters)
    return render_template("reports/below_minimum.html", page=page, args=args,
                           categories=categories(db.session), sorts=list(BELOW_MINIMUM_SORTS))
