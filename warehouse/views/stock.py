"""Stock pages: the stock list, receiving, moving, issuing, adjusting, disposing, the ledger."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from warehouse.access import STOCK_HANDLERS, STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.domain.errors import DomainError
from warehouse.domain.stock import MAX_QUANTITY, Purpose, Reason, StockStatus, Unit
from warehouse.extensions import db
from warehouse.models import Item, StockMovement
from warehouse.queries.catalogue import categories
from warehouse.queries.pagination import KeysetPage, Page
from warehouse.queries.stock import (
    fefo_suggestions,
    item_id_by_sku,
    location_by_code,
    movement_page,
    movement_stmt,
    stock_page,
    stock_stmt,
)
from warehouse.routing import MAX_ID
from warehouse.schemas.stock_pages import MovementPageArgsSchema, StockPageArgsSchema
from warehouse.services import stock
from warehouse.timezone import depot_zone
from warehouse.views import list_args
from warehouse.views.export import csv_response, wants_csv
from warehouse.views.operation_forms import (
    AdjustForm,
    DisposeForm,
    IssueForm,
    MoveForm,
    ReceiveForm,
    place_errors,
    resolve_item,
    resolve_location,
)

bp = Blueprint("stock", __name__)

# Movements a confirmation page lists at most (an issue splits over a few lots at most).
SHOWN_MOVEMENTS = 50
# Rows of expired and of quarantined stock listed on the disposal page.
DISPOSAL_ROWS = 100


# --- helpers shared with the stocktake and report pages ----------------------------------------

def empty_page(args: dict) -> Page:
    """Return a page with no rows (a filter named something that does not exist)."""
    return Page(items=[], page=1, per_page=args.get("per_page", 50), total=0)


def _prefill(form, *names: str) -> None:
    """Fill text fields from the query string (links from lists and item pages)."""
    for name in names:
        value = request.args.get(name, "").strip()
        if value:
            getattr(form, name).data = value[:80]


def _prefill_quantity(form, name: str = "quantity") -> None:
    value = request.args.get(name, "").strip()
    if value.isdigit() and 0 < len(value) <= 10 and int(value) <= MAX_QUANTITY:
        getattr(form, name).data = int(value)


def _shown_movements(name: str) -> list:
    """Return the ledger rows named in the query string (a just-finished operation)."""
    ids = [i for i in request.args.getlist(name, type=int) if 0 < i <= MAX_ID][:SHOWN_MOVEMENTS]
    if not ids:
        return []
    return db.session.execute(movement_stmt(sort="at").where(StockMovement.id.in_(ids))).all()


def _text(value: str | None) -> str | None:
    return value or None


# --- stock list --------------------------------------------------------------------------------

def stock_columns() -> list:
    """Columns of the stock CSV: codes stay codes so other depots' files compare."""
    return [
        ("SKU", lambda r: r.sku),
        (_("Chinese name"), lambda r: r.name_zh),
        (_("English name"), lambda r: r.name_en),
        (_("Category"), lambda r: r.category),
        (_("Lot"), lambda r: r.lot),
        (_("Expires"), lambda r: r.expires_on),
        (_("Location"), lambda r: r.location_code),
        (_("Quantity"), lambda r: r.quantity),
        (_("Unit"), lambda r: Unit(r.unit).value),
        (_("Status"), lambda r: r.status),
    ]


def _stock_filters(args: dict) -> tuple[dict, tuple[str, str] | None]:
    """Return the stock query's filters, and (field, message) when a location or SKU names nothing."""
    filters = {k: args[k] for k in ("q", "category", "lot", "status", "expiring_within_days", "sort")
               if k in args}
    if args.get("item"):
        item_id = item_id_by_sku(db.session, args["item"])
        if item_id is None:
            return filters, ("item", _("No item has the SKU %(sku)s.", sku=args["item"].strip().upper()))
        filters["item_id"] = item_id
    if args.get("location"):
        location = location_by_code(db.session, args["location"])
        if location is None:
            code = args["location"].upper()
            return filters, ("location", _("No location has the code %(code)s.", code=code))
        filters["location_id"] = location.id
    return filters, None


@bp.route("/stock")
@signed_in
def index():
    """List stock by item, lot and location, filtered and sorted; or download it all as CSV."""
    args = list_args(StockPageArgsSchema)
    filters, filter_error = _stock_filters(args)
    if wants_csv(request.args):
        rows = [] if filter_error else db.session.execute(stock_stmt(**filters))
        return csv_response("stock", stock_columns(), rows)
    page = empty_page(args) if filter_error else stock_page(
        db.session, page=args["page"], per_page=args["per_page"], **filters)
    return render_template("stock/index.html", page=page, args=args, filter_error=filter_error,
                           categories=categories(db.session), statuses=list(StockStatus))


# --- receive, move, issue ------------------------------------------------------------------------

def _scanned_operation(form, locations: dict, act, **renames: str):
    """Validate a scanned form, resolve its SKU and location codes and run one use case.

    locations maps the service's id arguments to the form fields holding codes; an empty
    optional field passes None. Returns act's response, or the status to render the form with.
    """
    if not form.validate_on_submit():
        return 400
    item_id = resolve_item(db.session, form.sku)
    ids = {name: resolve_location(db.session, field) if field.data else None
           for name, field in locations.items()}
    if not item_id or any(ids[name] is None and field.data for name, field in locations.items()):
        return 422
    try:
        return act(item_id, ids)
    except DomainError as error:
        place_errors(error, form, **renames)
        return error.status


def _done(endpoint: str, message: str, movements: list | None = None, key: str = "last"):
    """Flash what was done and show the form again, empty, with the movements made."""
    flash(message, "success")
    return redirect(url_for(endpoint, **{key: [m.id for m in movements]}))


@bp.route("/stock/receive", methods=["GET", "POST"])
@allow(*STOCK_HANDLERS)
def receive():
    """Receive stock (入库) into a location: a scanner-friendly form."""
    form = ReceiveForm()
    if request.method == "GET":
        _prefill(form, "sku", "location", "lot")
        return render_template("stock/receive.html", form=form, last=_shown_movements("last"))

    def act(item_id, ids):
        movement = stock.receive_stock(
            db.session, current_caller(), item_id=item_id, location_id=ids["location_id"],
            quantity=form.quantity.data, lot=_text(form.lot.data), expires_on=form.expires_on.data,
            received_on=form.received_on.data, supplier_ref=form.supplier_ref.data,
            reference=form.reference.data, note=form.note.data)
        return _done("stock.receive", _("Received %(quantity)d of %(sku)s into %(location)s.",
                                        quantity=movement.quantity, sku=form.sku.data.upper(),
                                        location=form.location.data.upper()), [movement])

    result = _scanned_operation(form, {"location_id": form.location}, act)
    if not isinstance(result, int):
        return result
    return render_template("stock/receive.html", form=form, last=[]), result


@bp.route("/stock/move", methods=["GET", "POST"])
@allow(*STOCK_HANDLERS)
def move():
    """Put away or relocate stock from one location to another."""
    form = MoveForm()
    if request.method == "GET":
        _prefill(form, "sku", "lot", "from_location", "to_location")
        _prefill_quantity(form)
        return render_template("stock/move.html", form=form, last=_shown_movements("last"))

    def act(item_id, ids):
        movement = stock.move_stock(
            db.session, current_caller(), item_id=item_id, from_location_id=ids["from_location_id"],
            to_location_id=ids["to_location_id"], quantity=form.quantity.data,
            lot=_text(form.lot.data), note=form.note.data)
        return _done("stock.move", _("Moved %(quantity)d of %(sku)s from %(origin)s to %(destination)s.",
                                     quantity=movement.quantity, sku=form.sku.data.upper(),
                                     origin=form.from_location.data.upper(),
                                     destination=form.to_location.data.upper()), [movement])

    result = _scanned_operation(form, {"from_location_id": form.from_location,
                                       "to_location_id": form.to_location}, act)
    if not isinstance(result, int):
        return result
    return render_template("stock/move.html", form=form, last=[]), result


def _issue_lookup() -> dict:
    """Read ?sku=&quantity= and return the FEFO picking suggestions for the issue page."""
    sku = request.args.get("sku", "").strip().upper()[:40]
    raw_quantity = request.args.get("quantity", "").strip()
    lookup = {"sku": sku, "quantity": raw_quantity[:12], "item": None, "suggestions": [],
              "error": None, "quantity_error": None, "short": None}
    if not sku:
        return lookup
    quantity = None
    if raw_quantity:
        if raw_quantity.isdigit() and len(raw_quantity) <= 10 and 0 < int(raw_quantity) <= MAX_QUANTITY:
            quantity = int(raw_quantity)
        else:
            lookup["quantity_error"] = _("Enter a whole number greater than zero.")
    item = db.session.scalar(select(Item).where(Item.sku == sku))
    if item is None:
        lookup["error"] = _("No item has the SKU %(sku)s.", sku=sku)
        return lookup
    lookup["item"] = item
    lookup["suggestions"] = fefo_suggestions(db.session, item, quantity)
    picked = sum(s.take for s in lookup["suggestions"])
    if quantity is not None and picked < quantity:
        lookup["short"] = picked
    return lookup


@bp.route("/stock/issue", methods=["GET", "POST"])
@allow(*STOCK_HANDLERS)
def issue():
    """Issue stock (出库) to a purpose; first show where to pick, first expiry first out."""
    form = IssueForm()
    if request.method == "GET":
        lookup = _issue_lookup()
        if lookup["item"] is not None:
            form.sku.data = lookup["item"].sku
            _prefill_quantity(form)
        status = 422 if lookup["error"] or lookup["quantity_error"] else 200
        return render_template("stock/issue.html", form=form, lookup=lookup,
                               issued=_shown_movements("issued")), status

    def act(item_id, ids):
        movements = stock.issue_stock(
            db.session, current_caller(), item_id=item_id, quantity=form.quantity.data,
            purpose=form.purpose.data, location_id=ids["location_id"], lot=_text(form.lot.data),
            reference=form.reference.data, note=form.note.data)
        return _done("stock.issue", _("Issued %(quantity)d of %(sku)s.", quantity=form.quantity.data,
                                      sku=form.sku.data.upper()), movements, key="issued")

    result = _scanned_operation(form, {"location_id": form.location}, act)
    if not isinstance(result, int):
        return result
    lookup = {"sku": "", "quantity": "", "item": None, "suggestions": [], "error": None,
              "quantity_error": None, "short": None}
    return render_template("stock/issue.html", form=form, lookup=lookup, issued=[]), result


# --- adjust, dispose ---------------------------------------------------------------------------

@bp.route("/stock/adjust", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def adjust():
    """Correct a balance up or down, saying why."""
    form = AdjustForm()
    if request.method == "GET":
        _prefill(form, "sku", "lot", "location")
        return render_template("stock/adjust.html", form=form, last=_shown_movements("last"))

    def act(item_id, ids):
        movement = stock.adjust_stock(
            db.session, current_caller(), item_id=item_id, location_id=ids["location_id"],
            change=form.change.data, note=form.note.data, lot=_text(form.lot.data))
        return _done("stock.adjust", _("Adjusted %(sku)s at %(location)s by %(change)s.",
                                       sku=form.sku.data.upper(), location=form.location.data.upper(),
                                       change=f"{form.change.data:+d}"), [movement])

    # Taking away more than is there is refused on the ledger's "quantity": show it on "change".
    result = _scanned_operation(form, {"location_id": form.location}, act, quantity="change")
    if not isinstance(result, int):
        return result
    return render_template("stock/adjust.html", form=form, last=[]), result


def _disposable() -> dict:
    """Return the expired and the quarantined stock the disposal page lists."""
    return {status: stock_page(db.session, per_page=DISPOSAL_ROWS, status=status.value,
                               sort="expires_on")
            for status in (StockStatus.EXPIRED, StockStatus.QUARANTINED)}


@bp.route("/stock/dispose", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def dispose():
    """Write off expired or quarantined stock; lists what there is to dispose of."""
    form = DisposeForm()
    if request.method == "GET":
        _prefill(form, "sku", "lot", "location")
        _prefill_quantity(form)
        return render_template("stock/dispose.html", form=form, last=_shown_movements("last"),
                               disposable=_disposable())

    def act(item_id, ids):
        movement = stock.dispose_stock(
            db.session, current_caller(), item_id=item_id, location_id=ids["location_id"],
            quantity=form.quantity.data, lot=_text(form.lot.data), note=form.note.data)
        return _done("stock.dispose", _("Disposed of %(quantity)d of %(sku)s from %(location)s.",
                                        quantity=movement.quantity, sku=form.sku.data.upper(),
                                        location=form.location.data.upper()), [movement])

    result = _scanned_operation(form, {"location_id": form.location}, act)
    if not isinstance(result, int):
        return result
    return render_template("stock/dispose.html", form=form, last=[],
                           disposable=_disposable()), result


# --- the ledger --------------------------------------------------------------------------------

def movement_columns() -> list:
    """Columns of the ledger CSV, times in the depot's zone with their offset."""
    return [
        (_("When"), lambda r: r.at.astimezone(depot_zone()).isoformat(timespec="seconds")),
        (_("Reason"), lambda r: Reason(r.reason).value),
        ("SKU", lambda r: r.sku),
        (_("Chinese name"), lambda r: r.name_zh),
        (_("English name"), lambda r: r.name_en),
        (_("Lot"), lambda r: r.lot),
        (_("Quantity"), lambda r: r.quantity),
        (_("Unit"), lambda r: Unit(r.unit).value),
        (_("From"), lambda r: r.from_location),
        (_("To"), lambda r: r.to_location),
        (_("Purpose"), lambda r: Purpose(r.purpose).value if r.purpose else ""),
        (_("Reference"), lambda r: r.reference),
        (_("Note"), lambda r: r.note),
        (_("By"), lambda r: r.actor_name),
    ]


def _day_start(day) -> datetime:
    """Return the moment a depot calendar day begins."""
    return datetime.combine(day, time.min, tzinfo=depot_zone())


def _movement_filters(args: dict) -> tuple[dict, str | None]:
    filters = {k: args[k] for k in ("reason", "lot") if k in args}
    if args.get("since"):
        filters["since"] = _day_start(args["since"])
    if args.get("until"):
        # The "until" day is included: stop at the start of the next day.
        filters["until"] = _day_start(args["until"] + timedelta(days=1))
    if args.get("item"):
        item_id = item_id_by_sku(db.session, args["item"])
        if item_id is None:
            return filters, _("No item has the SKU %(sku)s.", sku=args["item"].strip().upper())
        filters["item_id"] = item_id
    if args.get("location"):
        location = location_by_code(db.session, args["location"])
        if location is None:
            return filters, _("No location has the code %(code)s.", code=args["location"].strip().upper())
        filters["location_id"] = location.id
    return filters, None


@bp.route("/movements")
@signed_in
def movements():
    """Show the stock ledger, newest first, filtered; or download it as CSV."""
    args = list_args(MovementPageArgsSchema)
    filters, error = _movement_filters(args)
    if wants_csv(request.args):
        rows = [] if error else db.session.execute(movement_stmt(**filters))
        return csv_response("movements", movement_columns(), rows)
    # Deep pages open from the cursor of the page before (older / newer links); ?page= still works.
    page = KeysetPage([], args["per_page"], 0, False, None, None, 1) if error else movement_page(
        db.session, page=args["page"], per_page=args["per_page"], after=args.get("after"),
        before=args.get("before"), **filters)
    return render_template("stock/movements.html", page=page, args=args, filter_error=error,
                           reasons=list(Reason))

