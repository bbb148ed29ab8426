"""The reachable-reserve search: who can supply an item, a category or a service, how much and how fast."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from warehouse.access import signed_in
from warehouse.domain.errors import InvalidInput
from warehouse.domain.partners import validate_quantity
from warehouse.extensions import db
from warehouse.i18n import translated
from warehouse.models import Category, Item
from warehouse.queries import partners as partner_queries
from warehouse.queries.catalogue import categories
from warehouse.timezone import today
from warehouse.views.partner_forms import ReachableForm
from warehouse.views.partners import partner_helpers

bp = Blueprint("reserve", __name__)
bp.context_processor(partner_helpers)


def _add_error(field, message: str) -> None:
    field.errors = [*field.errors, message]


@bp.route("/reserve/reachable")
@signed_in
def reachable():
    """Answer "who can supply 200 rations within 6 hours": the depot, department stockpiles and
    agreements in force, each with its response time."""
    form = ReachableForm(formdata=request.args)
    category_list = categories(db.session)
    locale = str(get_locale())
    form.category.choices = [SelectChoice("", _("Any"))] + [
        SelectChoice(c.code, f"{c.code} {c.name(locale)}") for c in category_list]
    answer, item, category, status = None, None, None, 200
    if any(value.strip() for value in request.args.values()):
        form.validate()
        if form.item.data:
            item = db.session.scalar(select(Item).where(Item.sku == form.item.data.upper()))
            if item is None:
                _add_error(form.item, _("No item has the SKU %(sku)s.", sku=form.item.data.upper()))
        if form.category.data:
            category = db.session.scalar(select(Category).where(Category.code == form.category.data.upper()))
            if category is None:
                _add_error(form.category, _("No such category."))
            elif form.item.data:
                _add_error(form.category, _("Give an item or a category, not both."))
        needed = None
        if form.quantity.data and not form.quantity.errors:
            try:
                needed = validate_quantity(form.quantity.data)
            except InvalidInput as error:
                for reason in error.fields["quantity"]:
                    _add_error(form.quantity, translated(reason))
        if not (form.item.data or form.category.data or form.q.data):
            _add_error(form.item, _("Give an item, a category or words to search for."))
        if any(field.errors for field in form):
            status = 422
        else:
            answer = partner_queries.reachable(
                db.session, on=today(), item_id=item.id if item else None,
                category_id=category.id if category else None, q=form.q.data or None,
                within_hours=form.within_hours.data, needed=needed)
    skus = db.session.execute(select(Item.sku, Item.name_zh, Item.name_en)
                              .where(Item.active.is_(True)).order_by(Item.sku)).all()
    return render_template("reserve/reachable.html", form=form, answer=answer, item=item,
                           category=category, skus=skus), status
