"""The location tree, each location's contents, scanning a location code, and the depot floor plan."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from warehouse.access import STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.domain.errors import DomainError, NotFound
from warehouse.domain.stock import LocationKind
from warehouse.extensions import db
from warehouse.models import Location
from warehouse.queries import stock as queries
from warehouse.queries.catalogue import categories
from warehouse.services import locations as service
from warehouse.timezone import today
from warehouse.views import form_errors_from, list_args
from warehouse.views.export import csv_response, wants_csv
from warehouse.views.scans import open_scanned
from warehouse.views.stock_forms import (
    ContentsArgsSchema,
    FloorPlanArgsSchema,
    LocationEditForm,
    LocationForm,
    LocationListArgsSchema,
    category_choices,
    kind_choices,
)

bp = Blueprint("locations", __name__)

RECENT_MOVEMENTS = 20
CHILDREN_SHOWN = 200
# Zones this full (used / area) are marked on the plan.
NEARLY_FULL = 85.0


def _location_or_404(location_id: int) -> Location:
    location = db.session.get(Location, location_id)
    if location is None:
        raise NotFound("no such location")
    return location


@bp.route("/locations")
@signed_in
def index():
    """Show the location tree, filtered, a page at a time."""
    args = list_args(LocationListArgsSchema)
    filters = {k: v for k, v in args.items() if k not in ("page", "per_page")}
    page = queries.location_page(db.session, page=args["page"], per_page=args["per_page"],
                                 sort="path", **filters)
    return render_template("locations/index.html", page=page, args=args, kinds=list(LocationKind))


@bp.route("/locations/scan")
@signed_in
def scan():
    """Open the location (or any labelled thing) whose code or label address a scanner typed."""
    return open_scanned(request.args.get("code") or "", back=url_for("locations.index"),
                        missing=_("No location %(code)s."), empty=_("Scan or type a location code."))


def _stock_columns():
    """A location's contents as CSV columns: (header, getter of a stock row)."""
    return [
        (_("Location"), lambda r: r.location_code),
        (_("Location name"), lambda r: r.location_name),
        (_("SKU"), lambda r: r.sku),
        (_("Chinese name"), lambda r: r.name_zh),
        (_("English name"), lambda r: r.name_en),
        (_("Category"), lambda r: r.category),
        (_("Lot / serial"), lambda r: r.lot),
        (_("Expires"), lambda r: r.expires_on),
        (_("Next inspection"), lambda r: r.next_inspection_on),
        (_("Quantity"), lambda r: r.quantity),
        (_("Unit"), lambda r: r.unit.value),
        (_("Status"), lambda r: r.status),
    ]


@bp.route("/locations/<id:location_id>")
@signed_in
def show(location_id: int):
    """Show a location: where it sits, what is under it, what it holds, and recent movements."""
    location = _location_or_404(location_id)
    args = list_args(ContentsArgsSchema)
    if wants_csv(request.args):
        rows = db.session.execute(queries.stock_stmt(location_id=location.id, sort=args["sort"]))
        return csv_response(f"location-{location.code}", _stock_columns(), rows)
    return render_template(
        "locations/show.html", location=location, args=args,
        breadcrumb=queries.ancestors(db.session, location),
        children=queries.location_page(db.session, parent_id=location.id, sort="code",
                                       per_page=CHILDREN_SHOWN),
        contents=queries.stock_page(db.session, location_id=location.id, sort=args["sort"],
                                    page=args["page"], per_page=args["per_page"]),
        movements=queries.movement_page(db.session, location_id=location.id,
                                        per_page=RECENT_MOVEMENTS),
        child_kinds=kind_choices(location.kind) if location.active else [],
        today=today(),
    )


def _with_categories(form):
    form.category.choices = category_choices(categories(db.session), str(get_locale()),
                                             blank=_("None"))
    return form


def _parent_id(raw: str | None) -> int | str | None:
    """Return the posted parent as an id when it is one; anything else goes to the service as is."""
    raw = (raw or "").strip()
    if not raw:
        return None
    return int(raw) if raw.isdigit() and len(raw) < 11 else raw


def _place_errors(error: DomainError, form) -> None:
    # The tree rule names the parent, but on this form the kind is what the user chose.
    if "parent" in error.fields:
        error.fields.setdefault("kind", []).extend(error.fields.pop("parent"))
    form_errors_from(error, form)


@bp.route("/locations/new", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def new():
    """Add a location under ?parent_id= (a depot when there is none)."""
    if request.method == "GET":
        parent_id = _parent_id(request.args.get("parent_id"))
        if isinstance(parent_id, str):
            raise NotFound("no such location")
        form = LocationForm(parent_id=parent_id or "", kind=request.args.get("kind"))
    else:
        form = LocationForm()
        parent_id = _parent_id(form.parent_id.data)
    parent = db.session.get(Location, parent_id) if isinstance(parent_id, int) else None
    if request.method == "GET" and parent_id is not None and parent is None:
        raise NotFound("no such location")
    if parent_id is not None and parent is None:
        # Offer every kind so that the service names the missing parent rather than the kind.
        form.kind.choices = kind_choices(any_parent=True)
    else:
        form.kind.choices = kind_choices(parent.kind if parent else None)
    _with_categories(form)
    status = 200
    if form.validate_on_submit():
        try:
            location = service.create_location(db.session, current_caller(), kind=form.kind.data,
                                               parent_id=parent_id, **form.service_fields())
        except DomainError as error:
            _place_errors(error, form)
            status = error.status
        else:
            flash(_("Location %(code)s created.", code=location.code), "success")
            return redirect(url_for("locations.show", location_id=location.id))
    elif request.method == "POST":
        status = 400
    breadcrumb = queries.ancestors(db.session, parent) + [parent] if parent else []
    return render_template("locations/form.html", form=form, location=None, parent=parent,
                           breadcrumb=breadcrumb), status


@bp.route("/locations/<id:location_id>/edit", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def edit(location_id: int):
    """Change a location's code, name, category, area or floor-plan rectangle, or retire it."""
    location = _location_or_404(location_id)
    if request.method == "GET":
        form = LocationEditForm(obj=location,
                                category=location.category.code if location.category else "")
    else:
        form = LocationEditForm()
    _with_categories(form)
    status = 200
    if form.validate_on_submit():
        try:
            service.update_location(db.session, current_caller(), location_id, **form.service_fields())
        except DomainError as error:
            _place_errors(error, form)
            status = error.status
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("locations.show", location_id=location_id))
    elif request.method == "POST":
        status = 400
    return render_template("locations/form.html", form=form, location=location, parent=None,
                           breadcrumb=queries.ancestors(db.session, location)), status


# --- floor plan -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Drawing:
    """The numbers the floor plan's SVG is drawn with, all in metres."""

    width: float
    depth: float
    margin: float
    font: float
    ticks_x: list[int]
    ticks_y: list[int]
    tick_step: int
    minor_grid: bool

    @property
    def view_box(self) -> str:
        m = self.margin
        return f"{-m:g} {-m:g} {self.width + 1.5 * m:g} {self.depth + 1.5 * m:g}"


def drawing_for(width: float, depth: float) -> Drawing:
    """Choose tick spacing and type size so that a depot of any size is legible."""
    longest = max(width, depth, 1.0)
    step = next((s for s in (5, 10, 20, 50, 100, 250, 500, 1000) if longest / s <= 20), 2000)
    font = round(longest / 45, 3)
    return Drawing(width=width, depth=depth, margin=round(font * 2.5, 3), font=font,
                   ticks_x=list(range(0, math.floor(width) + 1, step)),
                   ticks_y=list(range(0, math.floor(depth) + 1, step)),
                   tick_step=step, minor_grid=longest <= 200)


def utilisation(zone) -> float | None:
    """Return a zone's used floor space as a percentage of its area (its rectangle's if unset)."""
    area = zone.area_m2
    if not area and zone.plan_width_m and zone.plan_depth_m:
        area = zone.plan_width_m * zone.plan_depth_m
    if not area:
        return None
    return 100.0 * (zone.used_m2 or 0) / area


@bp.route("/floor-plan")
@signed_in
def floor_plan():
    """Draw a depot's zones to scale, coloured by category, with each zone's utilisation."""
    args = list_args(FloorPlanArgsSchema)
    depots = queries.depots(db.session)
    depot = depots[0] if depots else None
    if "depot" in args:
        depot = next((d for d in depots if d.id == args["depot"]), None)
        if depot is None:
            raise NotFound("no such depot")
    plan = queries.floor_plan(db.session, depot) if depot else None
    return render_template(
        "locations/floor_plan.html", depots=depots, plan=plan,
        drawing=drawing_for(plan.width, plan.depth) if plan else None,
        utilisation=utilisation, nearly_full=NEARLY_FULL,
        category_names={c.code: c.name(str(get_locale())) for c in categories(db.session)},
    )
