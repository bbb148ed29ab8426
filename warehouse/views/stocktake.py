"""Stocktake pages (盘点): start a count by scanning a bin, count blind, submit, approve."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from warehouse.access import STOCK_HANDLERS, STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.domain.errors import N_, DomainError, NotFound
from warehouse.domain.stock import StocktakeStatus
from warehouse.extensions import db
from warehouse.i18n import translated
from warehouse.queries.stock import actor_names
from warehouse.queries.stocktake import stocktake_detail, stocktake_page
from warehouse.routing import MAX_ID
from warehouse.schemas.stock_pages import StocktakePageArgsSchema
from warehouse.services import stocktake as stocktakes
from warehouse.views import list_args
from warehouse.views.operation_forms import (
    CountForm,
    PostForm,
    StocktakeStartForm,
    place_errors,
    resolve_item,
    resolve_location,
)

bp = Blueprint("stocktake", __name__)


def _render_index(form: StocktakeStartForm, status: int = 200):
    args = list_args(StocktakePageArgsSchema)
    page = stocktake_page(db.session, page=args["page"], per_page=args["per_page"],
                          status=args.get("status"))
    return render_template("stocktake/index.html", page=page, args=args, form=form,
                           statuses=list(StocktakeStatus)), status


@bp.route("/stocktakes")
@signed_in
def index():
    """List stocktakes, newest first, with a form to start counting a location."""
    return _render_index(StocktakeStartForm())


@bp.route("/stocktakes", methods=["POST"])
@allow(*STOCK_HANDLERS)
def new():
    """Start counting the location whose code was scanned."""
    form = StocktakeStartForm()
    status = 400
    if form.validate_on_submit():
        location_id = resolve_location(db.session, form.location)
        status = 422
        if location_id:
            try:
                stocktake = stocktakes.start_stocktake(db.session, current_caller(),
                                                       location_id=location_id, note=form.note.data)
            except DomainError as error:
                place_errors(error, form)
                status = error.status
            else:
                flash(_("Counting %(code)s: count every line, then submit.",
                        code=form.location.data.upper()), "success")
                return redirect(url_for("stocktake.show", stocktake_id=stocktake.id))
    return _render_index(form, status)


def _render_show(stocktake_id: int, form: CountForm | None = None, status: int = 200):
    """Render a stocktake; a failed count shows its errors on its line or on the found-item form."""
    stocktake = stocktake_detail(db.session, stocktake_id)
    if stocktake is None:
        raise NotFound(N_("no such stocktake"))
    lines = sorted(stocktake.lines, key=lambda ln: (ln.item.sku, ln.lot.code if ln.lot else ""))
    names = actor_names(db.session, {stocktake.started_by_id, stocktake.decided_by_id} - {None})
    failed_line, line_errors, found_form = None, [], CountForm(formdata=None)
    if form is not None and form.item_id.data:
        failed_line = f"{form.item_id.data.strip()}:{form.lot.data or ''}"
        line_errors = [*form.counted.errors, *form.lot.errors, *form.sku.errors]
    elif form is not None:
        found_form = form
    return render_template(
        "stocktake/show.html", stocktake=stocktake, lines=lines, names=names,
        blind=stocktake.status == StocktakeStatus.COUNTING, found_form=found_form,
        failed_line=failed_line, line_errors=line_errors, action_form=PostForm(),
        counted=sum(1 for ln in lines if ln.counted is not None),
        variances=sum(1 for ln in lines if ln.counted is not None and ln.counted != ln.expected),
    ), status


@bp.route("/stocktakes/<id:stocktake_id>")
@signed_in
def show(stocktake_id: int):
    """Show a stocktake: a blind count sheet while counting, variances once submitted."""
    return _render_show(stocktake_id)


def _line_item(form: CountForm) -> int | None:
    """Return the counted item's id: an expected line's hidden id, or a found item's SKU."""
    raw = (form.item_id.data or "").strip()
    if raw:
        if raw.isdigit() and 0 < int(raw) <= MAX_ID:
            return int(raw)
        form.sku.errors = [*form.sku.errors, _("No such item.")]
        return None
    if not form.sku.data:
        form.sku.errors = [*form.sku.errors, _("Scan or type the SKU of the item found.")]
        return None
    return resolve_item(db.session, form.sku)


@bp.route("/stocktakes/<id:stocktake_id>/count", methods=["POST"])
@allow(*STOCK_HANDLERS)
def count(stocktake_id: int):
    """Record how many of one item (lot) were counted."""
    form = CountForm()
    status = 400
    if form.validate_on_submit():
        item_id = _line_item(form)
        status = 422
        if item_id:
            try:
                stocktakes.record_count(db.session, current_caller(), stocktake_id, item_id=item_id,
                                        counted=form.counted.data, lot=form.lot.data or None)
            except NotFound:
                raise
            except DomainError as error:
                place_errors(error, form)
                status = error.status
            else:
                flash(_("Count saved."), "success")
                return redirect(url_for("stocktake.show", stocktake_id=stocktake_id))
    return _render_show(stocktake_id, form, status)


def _decide(stocktake_id: int, action, done) -> object:
    """Run a button-only stocktake action; on refusal show the stocktake with the reason."""
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        result = action(db.session, current_caller(), stocktake_id)
    except NotFound:
        raise
    except DomainError as error:
        reasons = [translated(r) for rs in error.fields.values() for r in rs]
        flash(_("Could not save: %(reason)s",
                reason="; ".join(reasons) or translated(error.message)), "error")
        return _render_show(stocktake_id, status=error.status)
    flash(done(result), "success")
    return redirect(url_for("stocktake.show", stocktake_id=stocktake_id))


@bp.route("/stocktakes/<id:stocktake_id>/submit", methods=["POST"])
@allow(*STOCK_HANDLERS)
def submit(stocktake_id: int):
    """Hand the finished count to a supply officer."""
    return _decide(stocktake_id, stocktakes.submit_stocktake,
                   lambda _st: _("Count submitted for approval."))


@bp.route("/stocktakes/<id:stocktake_id>/approve", methods=["POST"])
@allow(*STOCK_MANAGERS)
def approve(stocktake_id: int):
    """Approve a submitted count: its variances are posted as count movements."""
    return _decide(stocktake_id, stocktakes.approve_stocktake,
                   lambda moved: _("Approved: %(count)d count movements posted.", count=len(moved)))


@bp.route("/stocktakes/<id:stocktake_id>/cancel", methods=["POST"])
@allow(*STOCK_MANAGERS)
def cancel(stocktake_id: int):
    """Abandon a count; nothing is posted."""
    return _decide(stocktake_id, stocktakes.cancel_stocktake,
                   lambda _st: _("Stocktake cancelled; nothing was posted."))
