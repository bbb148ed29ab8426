"""The catalogue: the material categories and the items the reserve keeps."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from warehouse.access import STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.domain.errors import DomainError, NotFound
from warehouse.extensions import db
from warehouse.models import Item
from warehouse.queries.catalogue import categories
from warehouse.queries.stock import fefo_suggestions, item_page, item_stmt, movement_page, stock_page
from warehouse.schemas.catalogue import ItemListArgsSchema
from warehouse.services import catalogue
from warehouse.timezone import today
from warehouse.views import form_errors_from, list_args
from warehouse.views.export import csv_response, wants_csv
from warehouse.views.stock_forms import ItemEditForm, ItemForm, category_choices

bp = Blueprint("catalogue", __name__)

# Serial equipment due for inspection within this many days is highlighted.
INSPECTION_WARNING_DAYS = 30
DETAIL_ROWS = 200
SUGGESTIONS_SHOWN = 10
RECENT_MOVEMENTS = 20


@bp.route("/categories")
@signed_in
def category_list():
    """List the seven material categories."""
    return render_template("catalogue/categories.html", categories=categories(db.session))


def _item_columns():
    """The item list's CSV columns: (header, getter of an (item, available, on_hand) row)."""
    return [
        (_("SKU"), lambda r: r.Item.sku),
        (_("Chinese name"), lambda r: r.Item.name_zh),
        (_("English name"), lambda r: r.Item.name_en),
        (_("Category"), lambda r: r.Item.category.code),
        (_("Unit"), lambda r: r.Item.unit.value),
        (_("Tracking"), lambda r: r.Item.tracking.value),
        (_("Available"), lambda r: r.available),
        (_("On hand"), lambda r: r.on_hand),
        (_("Minimum level"), lambda r: r.Item.min_level),
        (_("Shelf life (days)"), lambda r: r.Item.shelf_life_days),
        (_("Expiry required"), lambda r: _("yes") if r.Item.expiry_required else _("no")),
        (_("Inspection interval (days)"), lambda r: r.Item.inspection_interval_days),
        (_("Storage temperature"), lambda r: r.Item.storage_temp),
        (_("Hazard class"), lambda r: r.Item.hazard_class),
        (_("In use"), lambda r: _("yes") if r.Item.active else _("no")),
    ]


@bp.route("/items")
@signed_in
def items():
    """List catalogue items with filters and sort, or download every matching one as CSV."""
    args = list_args(ItemListArgsSchema)
    filters = {k: v for k, v in args.items() if k not in ("page", "per_page")}
    if wants_csv(request.args):
        return csv_response("items", _item_columns(), db.session.execute(item_stmt(**filters)))
    page = item_page(db.session, page=args["page"], per_page=args["per_page"], **filters)
    return render_template("catalogue/items.html", page=page, args=args, filters=filters,
                           categories=categories(db.session))


def _item_row(item_id: int):
    """Return (item, available, on_hand) or raise NotFound."""
    row = db.session.execute(item_stmt().where(Item.id == item_id)).one_or_none()
    if row is None:
        raise NotFound("no such item")
    return row


@bp.route("/items/<id:item_id>")
@signed_in
def item(item_id: int):
    """Show an item: its facts, stock by location and lot, picking order and recent movements."""
    row = _item_row(item_id)
    on = today()
    return render_template(
        "catalogue/item.html", item=row.Item, available=row.available, on_hand=row.on_hand,
        stock=stock_page(db.session, item_id=item_id, sort="expires_on", per_page=DETAIL_ROWS),
        suggestions=fefo_suggestions(db.session, row.Item)[:SUGGESTIONS_SHOWN],
        movements=movement_page(db.session, item_id=item_id, per_page=RECENT_MOVEMENTS),
        today=on, inspection_warning=on + timedelta(days=INSPECTION_WARNING_DAYS),
    )


def _with_categories(form):
    form.category.choices = category_choices(categories(db.session), str(get_locale()))
    return form


@bp.route("/items/new", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def new_item():
    """Add an item to the catalogue."""
    form = _with_categories(ItemForm())
    status = 200
    if form.validate_on_submit():
        try:
            item = catalogue.create_item(db.session, current_caller(), **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Item %(sku)s added to the catalogue.", sku=item.sku), "success")
            return redirect(url_for("catalogue.item", item_id=item.id))
    elif request.method == "POST":
        status = 400
    return render_template("catalogue/item_form.html", form=form, item=None), status


@bp.route("/items/<id:item_id>/edit", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def edit_item(item_id: int):
    """Change a catalogue item or retire it."""
    item = _item_row(item_id).Item
    if request.method == "GET":
        form = ItemEditForm(obj=item, category=item.category.code, unit=item.unit.value,
                            tracking=item.tracking.value)
    else:
        form = ItemEditForm()
    _with_categories(form)
    status = 200
    if form.validate_on_submit():
        try:
            catalogue.update_item(db.session, current_caller(), item_id, **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("catalogue.item", item_id=item_id))
    elif request.method == "POST":
        status = 400
    return render_template("catalogue/item_form.html", form=form, item=item), status
