"""Partner pages: the registry, a partner with its contacts, call log, stockpile list and agreements."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from warehouse.access import PARTNER_KEEPERS, allow, can, current_caller, signed_in
from warehouse.domain.errors import DomainError
from warehouse.domain.partners import CONTACT_STALE_DAYS, PartnerKind, holds_stockpile
from warehouse.extensions import db
from warehouse.i18n import translated
from warehouse.models import Item
from warehouse.models.base import utcnow
from warehouse.queries import partners as partner_queries
from warehouse.services import partners
from warehouse.timezone import today
from warehouse.views import form_errors_from, list_args
from warehouse.views.forms import PostForm
from warehouse.views.operation_forms import place_errors, resolve_item
from warehouse.views.partner_forms import (
    CheckForm,
    ContactEditForm,
    ContactForm,
    PartnerActiveForm,
    PartnerEditForm,
    PartnerForm,
    PartnerListArgsSchema,
    StockpileForm,
)
from warehouse.views.partner_labels import KIND_GROUPS, PARTNER_LABELS, quantity_text, tel_uri

bp = Blueprint("partners", __name__)
CHECK_LOG_LENGTH = 20
ACTIVE_FILTER = {"1": True, "0": False, "all": None}


def agreement_url(agreement_id: int) -> str:
    """Return an agreement's page."""
    return url_for("agreements.show", agreement_id=agreement_id)


def new_agreement_url(partner_id: int | None = None) -> str | None:
    """Return the new-agreement form (for this partner) when the user may use it."""
    if not can("agreements.new", "POST"):
        return None
    return url_for("agreements.new", partner=partner_id) if partner_id else url_for("agreements.new")


def partner_helpers() -> dict:
    """Return what partner templates use: labels, quantity and phone writers, optional links."""
    now = utcnow()
    return {"PARTNER_LABELS": PARTNER_LABELS, "quantity_text": quantity_text, "tel_uri": tel_uri,
            "agreement_url": agreement_url, "new_agreement_url": new_agreement_url,
            "out_of_touch": lambda row: row.out_of_touch(now), "holds_stockpile": holds_stockpile,
            "CONTACT_STALE_DAYS": CONTACT_STALE_DAYS}


bp.context_processor(partner_helpers)


def _bad_form_status(form) -> int:
    """A form refused before any service: 400 for a missing CSRF token, else 422 for its fields."""
    token = getattr(form, "csrf_token", None)  # absent where CSRF is switched off (tests)
    return 400 if token is not None and token.errors else 422


def _with_districts(form: PartnerForm) -> PartnerForm:
    locale = str(get_locale())
    form.district.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(d.code, d.name(locale)) for d in partner_queries.districts(db.session)]
    return form


def _item_skus() -> list:
    """Return the active catalogue items for the SKU picker."""
    return db.session.execute(select(Item.sku, Item.name_zh, Item.name_en)
                              .where(Item.active.is_(True)).order_by(Item.sku)).all()


# --- the registry -----------------------------------------------------------------------------

@bp.route("/partners")
@signed_in
def index():
    """List partners by district: kind, the number to call, agreements, stockpile and last contact."""
    args = list_args(PartnerListArgsSchema)
    district_list = partner_queries.districts(db.session)
    district = (args.get("district") or "").upper() or None
    if district and district not in {d.code for d in district_list}:
        flash(_("Ignored invalid filters: %(fields)s", fields="district"), "error")
        args.pop("district")
        district = None
    now = utcnow()
    filters = {"on": today(), "district": district, "q": args.get("q"),
               "active": ACTIVE_FILTER[args["active"]], "sort": args["sort"]}
    kind = args.get("kind")
    if kind in KIND_GROUPS:
        filters["kinds"] = KIND_GROUPS[kind][1]
    elif kind:
        filters["kind"] = PartnerKind(kind)
    if args["out_of_touch"]:
        filters["out_of_touch_since"] = now - timedelta(days=CONTACT_STALE_DAYS)
    page = partner_queries.partner_page(db.session, page=args["page"], per_page=args["per_page"], **filters)
    return render_template("partners/index.html", page=page, args=args, districts=district_list)


# --- a partner --------------------------------------------------------------------------------

def _number_ids(form, prefix: str) -> None:
    """Give a repeated form's elements ids of their own, so each label points at its own input."""
    for field in form:
        field.id = f"{prefix}-{field.name}"
        field.label.field_id = field.id


def _render_show(partner_id: int, *, contact_form: ContactForm | None = None,
                 stockpile_form: StockpileForm | None = None,
                 failed_check: tuple[int, CheckForm] | None = None, status: int = 200):
    partner = partners.get_partner(db.session, partner_id)
    on = today()
    keeper = can("partners.add_contact", "POST")
    contacts = partner_queries.contact_rows(db.session, partner.id)
    check_forms = {}
    if keeper:
        for row in contacts:
            if row.contact.active:
                form = CheckForm(formdata=None)
                if failed_check is not None and failed_check[0] == row.contact.id:
                    form = failed_check[1]
                _number_ids(form, f"check-{row.contact.id}")
                check_forms[row.contact.id] = form
    contact_form = contact_form or ContactForm(formdata=None)
    stockpile_form = stockpile_form or StockpileForm(formdata=None)
    _number_ids(contact_form, "contact")
    _number_ids(stockpile_form, "stockpile")
    row = partner_queries.partner_row(db.session, partner.id, on)
    keeps_stockpile = holds_stockpile(partner.kind) or row.stockpile_lines > 0
    return render_template(
        "partners/show.html", partner=partner, row=row, contacts=contacts, check_forms=check_forms,
        checks=partner_queries.contact_checks(db.session, partner.id, CHECK_LOG_LENGTH),
        keeps_stockpile=keeps_stockpile,
        stockpile=partner_queries.stockpile_rows(db.session, partner.id) if keeps_stockpile else [],
        agreements=partner_queries.agreement_rows(db.session, on=on, partner_id=partner.id),
        contact_form=contact_form, stockpile_form=stockpile_form,
        skus=_item_skus() if keeper and holds_stockpile(partner.kind) else [],
        remove_form=PostForm(formdata=None), active_form=PartnerActiveForm(formdata=None),
        delete_form=PostForm(formdata=None)), status


@bp.route("/partners/<id:partner_id>")
@signed_in
def show(partner_id: int):
    """Show a partner: details, contacts and the call log, stockpile list and agreements."""
    return _render_show(partner_id)


@bp.route("/partners/new", methods=["GET", "POST"])
@allow(*PARTNER_KEEPERS)
def new():
    """Register a partner: a department, a county supporter or a carrier."""
    form = _with_districts(PartnerForm())
    status = 200
    if form.validate_on_submit():
        try:
            created = partners.create_partner(db.session, current_caller(), **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("%(name)s registered: add the contact with a 24-hour phone next.", name=created.name),
                  "success")
            return redirect(url_for("partners.show", partner_id=created.id, _anchor="contacts"))
    elif request.method == "POST":
        status = _bad_form_status(form)
    return render_template("partners/form.html", form=form, partner=None), status


def _set_active(partner_id: int):
    """Deactivate or reactivate a partner from its page's button."""
    form = PartnerActiveForm()
    if not form.validate_on_submit() or form.set_active.data not in ("0", "1"):
        return _render_show(partner_id, status=400)
    active = form.set_active.data == "1"
    found = partners.update_partner(db.session, current_caller(), partner_id, active=active)
    flash(_("%(name)s is active again.", name=found.name) if active
          else _("%(name)s deactivated: it no longer counts as reachable reserve.", name=found.name),
          "success")
    return redirect(url_for("partners.show", partner_id=partner_id))


@bp.route("/partners/<id:partner_id>/edit", methods=["GET", "POST"])
@allow(*PARTNER_KEEPERS)
def edit(partner_id: int):
    """Change a partner's names, kind, district, address or note, or (de)activate it."""
    found = partners.get_partner(db.session, partner_id)
    if request.method == "POST" and "set_active" in request.form:
        return _set_active(found.id)
    if request.method == "GET":
        form = PartnerEditForm(data={"name": found.name, "name_en": found.name_en, "kind": found.kind.value,
                                     "district": found.district.code, "address": found.address,
                                     "note": found.note, "active": found.active})
    else:
        form = PartnerEditForm()
    _with_districts(form)
    status = 200
    if form.validate_on_submit():
        try:
            partners.update_partner(db.session, current_caller(), found.id, **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("partners.show", partner_id=partner_id))
    elif request.method == "POST":
        status = _bad_form_status(form)
    return render_template("partners/form.html", form=form, partner=found), status


@bp.route("/partners/<id:partner_id>/delete", methods=["POST"])
@allow(*PARTNER_KEEPERS)
def delete(partner_id: int):
    """Delete a partner registered by mistake; one with agreements is refused (deactivate it instead)."""
    name = partners.get_partner(db.session, partner_id).name
    if not PostForm().validate_on_submit():
        return _render_show(partner_id, status=400)
    try:
        partners.delete_partner(db.session, current_caller(), partner_id)
    except DomainError as error:
        flash(_("Could not delete: %(reason)s", reason=translated(error.message)), "error")
        return _render_show(partner_id, status=error.status)
    flash(_("%(name)s deleted.", name=name), "success")
    return redirect(url_for("partners.index"))


# --- contacts and the call log ----------------------------------------------------------------

@bp.route("/partners/<id:partner_id>/contacts", methods=["POST"])
@allow(*PARTNER_KEEPERS)
def add_contact(partner_id: int):
    """Add someone to call at the partner, with a number answered day and night."""
    partners.get_partner(db.session, partner_id)
    form = ContactForm()
    if not form.validate_on_submit():
        return _render_show(partner_id, contact_form=form, status=_bad_form_status(form))
    try:
        contact = partners.add_contact(db.session, current_caller(), partner_id, **form.service_fields())
    except DomainError as error:
        form_errors_from(error, form)
        return _render_show(partner_id, contact_form=form, status=error.status)
    flash(_("%(name)s added as a contact.", name=contact.name), "success")
    return redirect(url_for("partners.show", partner_id=partner_id, _anchor="contacts"))


@bp.route("/partners/contacts/<id:contact_id>/edit", methods=["GET", "POST"])
@allow(*PARTNER_KEEPERS)
def edit_contact(contact_id: int):
    """Change a contact's name, position, phones or note, or mark them as gone."""
    contact = partners.get_contact(db.session, contact_id)
    partner = partners.get_partner(db.session, contact.partner_id)
    if request.method == "GET":
        form = ContactEditForm(data={"name": contact.name, "title": contact.title, "note": contact.note,
                                     "phone_24h": contact.phone_24h, "phone_office": contact.phone_office,
                                     "active": contact.active})
    else:
        form = ContactEditForm()
    status = 200
    if form.validate_on_submit():
        try:
            partners.update_contact(db.session, current_caller(), contact.id, **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("partners.show", partner_id=partner.id, _anchor="contacts"))
    elif request.method == "POST":
        status = _bad_form_status(form)
    return render_template("partners/contact_form.html", form=form, contact=contact, partner=partner), status


@bp.route("/partners/contacts/<id:contact_id>/delete", methods=["POST"])
@allow(*PARTNER_KEEPERS)
def remove_contact(contact_id: int):
    """Delete a contact entered by mistake, with their call log (someone who left is unticked instead)."""
    contact = partners.get_contact(db.session, contact_id)
    partner_id, name = contact.partner_id, contact.name
    if not PostForm().validate_on_submit():
        return _render_show(partner_id, status=400)
    partners.remove_contact(db.session, current_caller(), contact_id)
    flash(_("%(name)s removed from the contacts.", name=name), "success")
    return redirect(url_for("partners.show", partner_id=partner_id, _anchor="contacts"))


@bp.route("/partners/contacts/<id:contact_id>/checks", methods=["POST"])
@allow(*PARTNER_KEEPERS)
def check_contact(contact_id: int):
    """Log a call to a contact: reached or not (the 180-day alert reads this log)."""
    contact = partners.get_contact(db.session, contact_id)
    partner_id, name = contact.partner_id, contact.name
    form = CheckForm()
    valid = form.validate_on_submit()
    if form.reached.data not in ("0", "1"):
        form.note.errors = [*form.note.errors, _("Press “reached” or “not reached”.")]
    if not valid or form.reached.data not in ("0", "1"):
        return _render_show(partner_id, failed_check=(contact_id, form), status=_bad_form_status(form))
    reached = form.reached.data == "1"
    try:
        partners.record_contact_check(db.session, current_caller(), contact_id, reached=reached,
                                      note=form.note.data)
    except DomainError as error:
        form_errors_from(error, form)
        return _render_show(partner_id, failed_check=(contact_id, form), status=error.status)
    flash(_("Call to %(name)s logged: reached.", name=name) if reached
          else _("Call to %(name)s logged: not reached.", name=name), "success")
    return redirect(url_for("partners.show", partner_id=partner_id, _anchor="contacts"))


# --- a department's stockpile list ------------------------------------------------------------

@bp.route("/partners/<id:partner_id>/stockpile", methods=["POST"])
@allow(*PARTNER_KEEPERS)
def add_stockpile_line(partner_id: int):
    """List an item a department holds for the reserve."""
    partners.get_partner(db.session, partner_id)
    form = StockpileForm()
    valid = form.validate_on_submit()
    item_id = resolve_item(db.session, form.sku)
    if not valid or item_id is None:
        return _render_show(partner_id, stockpile_form=form, status=_bad_form_status(form))
    try:
        partners.add_stockpile_line(db.session, current_caller(), partner_id, item_id=item_id,
                                    **form.service_fields())
    except DomainError as error:
        place_errors(error, form)
        return _render_show(partner_id, stockpile_form=form, status=error.status)
    flash(_("%(sku)s added to the stockpile list.", sku=form.sku.data.upper()), "success")
    return redirect(url_for("partners.show", partner_id=partner_id, _anchor="stockpile"))


@bp.route("/partners/stockpile/<id:line_id>/edit", methods=["GET", "POST"])
@allow(*PARTNER_KEEPERS)
def edit_stockpile_line(line_id: int):
    """Change a stockpile line: a new count, place or date."""
    line = partners.get_stockpile_line(db.session, line_id)
    partner = partners.get_partner(db.session, line.partner_id)
    item = db.session.get(Item, line.item_id)
    if request.method == "GET":
        form = StockpileForm(data={"sku": item.sku, "quantity": line.quantity, "location": line.location,
                                   "as_of": line.as_of, "note": line.note})
    else:
        form = StockpileForm()
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        item_id = resolve_item(db.session, form.sku)
        status = _bad_form_status(form)
        if valid and item_id is not None:
            try:
                partners.update_stockpile_line(db.session, current_caller(), line.id, item_id=item_id,
                                               **form.service_fields())
            except DomainError as error:
                place_errors(error, form)
                status = error.status
            else:
                flash(_("Changes saved."), "success")
                return redirect(url_for("partners.show", partner_id=partner.id, _anchor="stockpile"))
    return render_template("partners/stockpile_form.html", form=form, line=line, partner=partner,
                           skus=_item_skus()), status


@bp.route("/partners/stockpile/<id:line_id>/delete", methods=["POST"])
@allow(*PARTNER_KEEPERS)
def remove_stockpile_line(line_id: int):
    """Remove an item from a department's stockpile list."""
    line = partners.get_stockpile_line(db.session, line_id)
    partner_id = line.partner_id
    if not PostForm().validate_on_submit():
        return _render_show(partner_id, status=400)
    partners.remove_stockpile_line(db.session, current_caller(), line_id)
    flash(_("Line removed from the stockpile list."), "success")
    return redirect(url_for("partners.show", partner_id=partner_id, _anchor="stockpile"))
