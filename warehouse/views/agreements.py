"""Agreement pages: the list, recording and editing agreements, their commitments and signed PDF,
calling them in (activations) and recording what arrived."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import Forbidden as HTTPForbidden
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.fields.choices import SelectChoice

from warehouse.access import (
    ACTIVATORS,
    PARTNER_KEEPERS,
    STOCK_HANDLERS,
    allow,
    can,
    current_caller,
    signed_in,
)
from warehouse.api.errors import handle_domain_error, handle_http_exception
from warehouse.domain.errors import N_, DomainError, Forbidden, NotFound
from warehouse.domain.partners import AgreementStatus, PartnerKind, Standing
from warehouse.extensions import db
from warehouse.i18n import translated
from warehouse.models import ActivationLine, Agreement, Deployment, Item, Location, Partner
from warehouse.models.base import utcnow
from warehouse.queries import partners as partner_queries
from warehouse.queries.catalogue import categories
from warehouse.queries.deployments import open_choices
from warehouse.queries.stock import location_stmt, movement_rows
from warehouse.services import agreements
from warehouse.services.stock import RECEIVABLE_KINDS
from warehouse.timezone import today
from warehouse.views import form_errors_from, list_args
from warehouse.views.agreement_forms import (
    ActivationForm,
    AgreementForm,
    AgreementListArgsSchema,
    ArrivalForm,
    CommitmentForm,
    DocumentForm,
    NewAgreementForm,
    PostForm,
    request_lines,
    request_rows,
    row_id,
)
from warehouse.views.agreement_labels import AGREEMENT_LABELS, amount

bp = Blueprint("agreements", __name__)
# Who may record an arrival at all: whoever calls partners in records what came on scene; stock
# handlers receive deliveries into the depot (only they: it is a stock receipt).
ARRIVAL_RECORDERS = tuple(dict.fromkeys((*ACTIVATORS, *STOCK_HANDLERS)))
# Agreements a partner can be called on under today.
CALLABLE = (Standing.IN_FORCE, Standing.EXPIRING)
UPLOAD_ENDPOINTS = ("agreements.new", "agreements.upload_document")


def partner_url(partner_id: int) -> str:
    """Return the partner page's address."""
    return url_for("partners.show", partner_id=partner_id)


def file_size(size: int) -> str:
    """Say how large a file is (34 KB, 1.2 MB)."""
    if size < 1024:
        return _("%(count)d bytes", count=size)
    if size < 1024 * 1024:
        return _("%(size)s KB", size=f"{size / 1024:.0f}")
    return _("%(size)s MB", size=f"{size / 1048576:.1f}")


@bp.app_context_processor
def agreement_helpers():
    return {"AGREEMENT_LABELS": AGREEMENT_LABELS, "amount": amount, "partner_url": partner_url,
            "file_size": file_size, "CALLABLE": CALLABLE}


def _locale() -> str:
    return str(get_locale())


def _bad_form_status(form) -> int:
    """A form refused before any service: 400 for a missing CSRF token, else 422 for its fields."""
    token = getattr(form, "csrf_token", None)  # absent where CSRF is switched off (tests)
    return 400 if token is not None and token.errors else 422


def _document_limit() -> int:
    return current_app.config["AGREEMENT_DOCUMENT_MAX_BYTES"]


def _size_reason() -> str:
    # The domain's own words for a file over the limit (one msgid, one translation).
    return _("at most %(size)s MB", size=f"{_document_limit() / 1048576:g}")


def _uploaded(field) -> tuple[str, bytes] | None:
    """Return (filename, bytes) of a chosen file, reading at most one byte past the limit."""
    storage = field.data
    if not storage:
        return None
    return storage.filename, storage.stream.read(_document_limit() + 1)


# --- the list ---------------------------------------------------------------------------------

@bp.route("/agreements")
@signed_in
def index():
    """List agreements, those ending soonest first: partner, term, response time and standing."""
    args = list_args(AgreementListArgsSchema)
    standing = args.get("standing")
    filters = {"status": AgreementStatus(args["status"]) if args.get("status") else None,
               "in_force_only": standing == "in_force", "attention": standing == "attention",
               "kind": PartnerKind(args["kind"]) if args.get("kind") else None,
               "district": args["district"].upper() if args.get("district") else None,
               "partner_id": args.get("partner"), "q": args.get("q"), "sort": args["sort"]}
    page = partner_queries.agreement_page(db.session, on=today(), page=args["page"],
                                          per_page=args["per_page"], **filters)
    deployment = db.session.get(Deployment, args["deployment"]) if args.get("deployment") else None
    return render_template("agreements/index.html", page=page, args=args,
                           districts=partner_queries.districts(db.session),
                           deployment=deployment if deployment is not None and deployment.is_open else None)


# --- recording and editing --------------------------------------------------------------------

def _partner_groups(current_id: int | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the active partners (and the agreement's own) grouped by district, for the picker."""
    locale = _locale()
    partners = partner_queries.partner_choices(db.session)
    if current_id is not None and all(p.id != current_id for p in partners):
        current = db.session.get(Partner, current_id)
        if current is not None:
            partners.append(current)
    groups: dict[str, list[tuple[str, str]]] = {}
    for partner in partners:
        label = partner.display_name(locale) + ("" if partner.active else f" ({_('inactive')})")
        groups.setdefault(partner.district.name(locale), []).append((str(partner.id), label))
    return list(groups.items())


def _render_form(form: AgreementForm, agreement: Agreement | None = None, status: int = 200):
    if "document" in form:
        form.document.description = _("Optional: a PDF of at most %(size)s MB; it can be added later.",
                                      size=f"{_document_limit() / 1048576:g}")
    groups = _partner_groups(agreement.partner_id if agreement else None)
    return render_template("agreements/form.html", form=form, agreement=agreement,
                           partner_groups=groups), status


def _choose_again(form: NewAgreementForm) -> NewAgreementForm:
    """Say that a chosen PDF was not kept: a browser cannot keep a file across a refused form."""
    if form.document.data:
        form.document.errors = [*form.document.errors, _("Nothing was saved: choose the PDF again.")]
    return form


@bp.route("/agreements/new", methods=["GET", "POST"])
@allow(*PARTNER_KEEPERS)
def new():
    """Record a signed agreement (?partner=<id> preselects the partner), with its PDF if at hand."""
    if request.method == "GET":
        partner = row_id(request.args.get("partner"))
        form = NewAgreementForm(data={"partner_id": str(partner) if partner else "",
                                      "status": AgreementStatus.ACTIVE.value, "valid_from": today()})
        return _render_form(form)
    form = NewAgreementForm()
    if not form.validate_on_submit():
        return _render_form(_choose_again(form), status=_bad_form_status(form))
    try:
        created = agreements.create_agreement(db.session, current_caller(), **form.service_fields(),
                                              document=_uploaded(form.document),
                                              document_limit=_document_limit())
    except DomainError as error:
        form_errors_from(error, form)
        if "document" not in error.fields:
            _choose_again(form)
        return _render_form(form, status=error.status)
    flash(_("Agreement %(number)s recorded.", number=created.number), "success")
    return redirect(url_for("agreements.show", agreement_id=created.id))


@bp.route("/agreements/<id:agreement_id>/edit", methods=["GET", "POST"])
@allow(*PARTNER_KEEPERS)
def edit(agreement_id: int):
    """Change an agreement's number, partner, term, response time, status or note."""
    found = agreements.get_agreement(db.session, agreement_id)
    if request.method == "GET":
        form = AgreementForm(data={
            "number": found.number, "partner_id": str(found.partner_id), "title": found.title,
            "signed_on": found.signed_on, "valid_from": found.valid_from, "valid_to": found.valid_to,
            "response_hours": found.response_hours, "status": found.status.value, "note": found.note})
        return _render_form(form, found)
    form = AgreementForm()
    if not form.validate_on_submit():
        return _render_form(form, found, status=_bad_form_status(form))
    try:
        agreements.update_agreement(db.session, current_caller(), found.id, **form.service_fields())
    except DomainError as error:
        form_errors_from(error, form)
        return _render_form(form, agreements.get_agreement(db.session, agreement_id), status=error.status)
    flash(_("Changes saved."), "success")
    return redirect(url_for("agreements.show", agreement_id=agreement_id))


# --- the agreement page -----------------------------------------------------------------------

def _commitment_choices(form: CommitmentForm) -> CommitmentForm:
    locale = _locale()
    items = db.session.execute(select(Item.id, Item.sku, Item.name_zh, Item.name_en)
                               .where(Item.active.is_(True)).order_by(Item.sku)).all()
    form.item_id.choices = [SelectChoice("", _("None: a category or a description"))] + [
        SelectChoice(str(i.id), f"{i.sku} {i.name_en if locale == 'en' else i.name_zh}") for i in items]
    form.category.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(c.code, f"{c.code} {c.name_en if locale == 'en' else c.name_zh}")
        for c in categories(db.session)]
    return form


def _render_show(agreement_id: int, *, commitment_form: CommitmentForm | None = None,
                 document_form: DocumentForm | None = None, status: int = 200):
    agreements.get_agreement(db.session, agreement_id)
    row = partner_queries.agreement_row(db.session, agreement_id, today())
    keeper = can("agreements.add_commitment", "POST")
    if commitment_form is None and keeper:
        commitment_form = CommitmentForm(formdata=None)
    if commitment_form is not None:
        _commitment_choices(commitment_form)
    document_form = document_form or DocumentForm(formdata=None)
    document_form.document.description = _("PDF only, at most %(size)s MB; it replaces the one on file.",
                                           size=f"{_document_limit() / 1048576:g}")
    contact = partner_queries.first_contacts(db.session, [row.partner.id]).get(row.partner.id)
    return render_template(
        "agreements/show.html", row=row, agreement=row.agreement, partner=row.partner, contact=contact,
        commitments=partner_queries.commitment_rows(db.session, agreement_id),
        document=partner_queries.document_info(db.session, agreement_id),
        activations=partner_queries.activation_rows(db.session, agreement_id=agreement_id),
        commitment_form=commitment_form, document_form=document_form,
        post_form=PostForm(formdata=None)), status


@bp.route("/agreements/<id:agreement_id>")
@signed_in
def show(agreement_id: int):
    """Show an agreement: its terms and standing, commitments, signed PDF and activations."""
    return _render_show(agreement_id)


@bp.route("/agreements/<id:agreement_id>/delete", methods=["POST"])
@allow(*PARTNER_KEEPERS)
def delete(agreement_id: int):
    """Delete an agreement recorded by mistake (one already called on is terminated instead)."""
    found = agreements.get_agreement(db.session, agreement_id)
    number, partner_id = found.number, found.partner_id
    form = PostForm()
    if not form.validate_on_submit():
        return _render_show(agreement_id, status=_bad_form_status(form))
    try:
        agreements.delete_agreement(db.session, current_caller(), agreement_id)
    except DomainError as error:
        flash(_("Could not delete: %(reason)s", reason=translated(error.message)), "error")
        return _render_show(agreement_id, status=error.status)
    flash(_("Agreement %(number)s deleted.", number=number), "success")
    return redirect(partner_url(partner_id) or url_for("agreements.index"))


@bp.route("/agreements/<id:agreement_id>/commitments", methods=["POST"])
@allow(*PARTNER_KEEPERS)
def add_commitment(agreement_id: int):
    """Add a commitment line: an item, a category or a description, how much, in total or per day."""
    agreements.get_agreement(db.session, agreement_id)
    form = _commitment_choices(CommitmentForm())
    if not form.validate_on_submit():
        return _render_show(agreement_id, commitment_form=form, status=_bad_form_status(form))
    try:
        agreements.add_commitment(db.session, current_caller(), agreement_id, **form.service_fields())
    except DomainError as error:
        form_errors_from(error, form)
        return _render_show(agreement_id, commitment_form=form, status=error.status)
    flash(_("Commitment added."), "success")
    return redirect(url_for("agreements.show", agreement_id=agreement_id, _anchor="commitments"))


@bp.route("/agreements/commitments/<id:commitment_id>/delete", methods=["POST"])
@allow(*PARTNER_KEEPERS)
def remove_commitment(commitment_id: int):
    """Remove a commitment line (requests already made from it keep their own copy)."""
    agreement_id = agreements.get_commitment(db.session, commitment_id).agreement_id
    form = PostForm()
    if not form.validate_on_submit():
        return _render_show(agreement_id, status=_bad_form_status(form))
    try:
        agreements.remove_commitment(db.session, current_caller(), commitment_id)
    except DomainError as error:
        flash(_("Could not remove: %(reason)s", reason=translated(error.message)), "error")
        return _render_show(agreement_id, status=error.status)
    flash(_("Commitment removed."), "success")
    return redirect(url_for("agreements.show", agreement_id=agreement_id, _anchor="commitments"))


# --- the signed document ----------------------------------------------------------------------

@bp.route("/agreements/<id:agreement_id>/document", methods=["POST"])
@allow(*PARTNER_KEEPERS)
def upload_document(agreement_id: int):
    """Keep the signed agreement as a PDF (checked by its content), replacing any earlier one."""
    agreements.get_agreement(db.session, agreement_id)
    form = DocumentForm()
    if not form.validate_on_submit():
        return _render_show(agreement_id, document_form=form, status=_bad_form_status(form))
    filename, content = _uploaded(form.document)
    try:
        agreements.attach_document(db.session, current_caller(), agreement_id, filename=filename,
                                   content=content, limit=_document_limit())
    except DomainError as error:
        form_errors_from(error, form)
        return _render_show(agreement_id, document_form=form, status=error.status)
    flash(_("Signed agreement uploaded."), "success")
    return redirect(url_for("agreements.show", agreement_id=agreement_id, _anchor="document"))


@bp.route("/agreements/<id:agreement_id>/document")
@signed_in
def document(agreement_id: int):
    """Download the signed agreement; it is only ever served as an attachment, never shown inline."""
    found = agreements.get_document(db.session, agreement_id)
    response = send_file(BytesIO(found.content), mimetype="application/pdf", as_attachment=True,
                         download_name=found.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it anyway, it runs in a sandbox: no scripts, no same-origin access.
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


@bp.route("/agreements/<id:agreement_id>/document/delete", methods=["POST"])
@allow(*PARTNER_KEEPERS)
def remove_document(agreement_id: int):
    """Remove a signed document uploaded by mistake."""
    agreements.get_agreement(db.session, agreement_id)
    form = PostForm()
    if not form.validate_on_submit():
        return _render_show(agreement_id, status=_bad_form_status(form))
    try:
        agreements.remove_document(db.session, current_caller(), agreement_id)
    except DomainError as error:
        flash(_("Could not remove: %(reason)s", reason=translated(error.message)), "error")
        return _render_show(agreement_id, status=error.status)
    flash(_("Signed agreement removed."), "success")
    return redirect(url_for("agreements.show", agreement_id=agreement_id, _anchor="document"))


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    """Answer an upload above the request limit as a PDF over the size limit: 422 on the document.

    The body is refused before any view runs (the CSRF and NUL checks read the form), so the
    route's role rule is applied here: the error must not open the form to anyone else.
    """
    # The body stays unread: the page's other forms (language, sign out) must see none.
    request.form = request.files = ImmutableMultiDict()
    if request.endpoint not in UPLOAD_ENDPOINTS:
        return handle_http_exception(error)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if not can(request.endpoint, request.method):
        return handle_http_exception(HTTPForbidden("your role may not do this"))
    try:
        if request.endpoint == "agreements.new":
            form = NewAgreementForm(formdata=None)
            form.document.errors = [_size_reason(), _("Nothing was saved: fill in the form again.")]
            return _render_form(form, status=422)
        form = DocumentForm(formdata=None)
        form.document.errors = [_size_reason()]
        return _render_show(request.view_args["agreement_id"], document_form=form, status=422)
    except DomainError as refused:
        return handle_domain_error(refused)


# --- calling an agreement in ------------------------------------------------------------------

def _deployment_choices(form: ActivationForm) -> ActivationForm:
    form.deployment_id.choices = [SelectChoice("", _("None: called in on its own"))] + [
        SelectChoice(str(d.id), f"{d.code} {d.name}") for d in open_choices(db.session)]
    return form


def _render_activate(agreement_id: int, form: ActivationForm, rows, status: int = 200):
    row = partner_queries.agreement_row(db.session, agreement_id, today())
    contact = partner_queries.first_contacts(db.session, [row.partner.id]).get(row.partner.id)
    return render_template("agreements/activate.html", row=row, agreement=row.agreement, partner=row.partner,
                           contact=contact, form=form, rows=rows), status


@bp.route("/agreements/<id:agreement_id>/activate", methods=["GET", "POST"])
@allow(*ACTIVATORS)
def activate(agreement_id: int):
    """Call an agreement in: what is asked for and when, for which deployment (?deployment=<id>)."""
    found = agreements.get_agreement(db.session, agreement_id)
    row = partner_queries.agreement_row(db.session, agreement_id, today())
    commitments = partner_queries.commitment_rows(db.session, agreement_id)
    if request.method == "GET":
        if row.standing not in CALLABLE:
            flash(_("Agreement %(number)s is not in force (%(standing)s): it cannot be called in.",
                    number=found.number, standing=AGREEMENT_LABELS["standing"][row.standing]), "error")
            return redirect(url_for("agreements.show", agreement_id=agreement_id))
        contact = partner_queries.first_contacts(db.session, [found.partner_id]).get(found.partner_id)
        deployment = row_id(request.args.get("deployment"))
        form = _deployment_choices(ActivationForm(data={
            "deployment_id": str(deployment) if deployment else "", "requested_at": utcnow(),
            "contact_name": contact.name if contact else ""}))
        return _render_activate(agreement_id, form, request_rows(commitments))
    form = _deployment_choices(ActivationForm())
    rows = request_rows(commitments, request.form)
    valid = form.validate_on_submit()
    lines = request_lines(rows)
    if not lines and not any(r.errors for r in rows):
        flash(_("Ask for at least one thing: fill in a quantity."), "error")
    if not valid or not lines or any(r.errors for r in rows):
        return _render_activate(agreement_id, form, rows, status=_bad_form_status(form))
    deployment = form.deployment_id.data or None
    try:
        activation = agreements.activate_agreement(
            db.session, current_caller(), agreement_id, lines=lines,
            deployment_id=row_id(deployment) if row_id(deployment) is not None else deployment,
            requested_at=form.requested_at.data, contact_name=form.contact_name.data, note=form.note.data)
    except DomainError as error:
        if error.status == 409 and "deployment_id" not in error.fields:
            flash(_("Could not call in: %(reason)s", reason=translated(error.message)), "error")
        else:
            form_errors_from(error, form)
        return _render_activate(agreement_id, form, rows, status=error.status)
    flash(_("Agreement %(number)s called in: %(count)d lines requested.", number=found.number,
            count=len(lines)), "success")
    return redirect(url_for("agreements.activation", activation_id=activation.id))


# --- an activation and its arrivals -----------------------------------------------------------

def _shelves() -> list[SelectChoice]:
    """Return where a delivery may be received: the active shelves and quarantine of every depot."""
    rows = db.session.execute(location_stmt(active=True, sort="path")).all()
    return [SelectChoice(str(location.id), f"{location.code} {location.name}")
            for location, _units in rows if location.kind in RECEIVABLE_KINDS]


def _number_ids(form, line_id: int) -> None:
    """Give one line's form element ids of its own, so its labels point at its own inputs."""
    for field in form:
        field.id = f"arrival-{line_id}-{field.name}"
        field.label.field_id = field.id


def _arrival_choices(form: ArrivalForm, line: ActivationLine, shelves: list[SelectChoice]) -> ArrivalForm:
    on_scene = [SelectChoice("", _("On scene (not into the depot)"))]
    form.location_id.choices = on_scene + (shelves if line.item_id is not None else [])
    return form


def _render_activation(activation_id: int, *, failed: ArrivalForm | None = None,
                       failed_line: int | None = None, status: int = 200):
    agreements.get_activation(db.session, activation_id)
    found = partner_queries.activation_rows(db.session, activation_id=activation_id)[0]
    recorder = can("agreements.record_arrival", "POST")
    receiver = recorder and current_user.role in STOCK_HANDLERS
    shelves = _shelves() if receiver else []
    forms = {}
    if recorder:
        for request_line in found.lines:
            line = request_line.line
            form = failed if failed is not None and failed_line == line.id else ArrivalForm(
                formdata=None, data={"arrived_at": utcnow(), "quantity": amount(request_line.outstanding)
                                     if request_line.outstanding else ""})
            _arrival_choices(form, line, shelves)
            _number_ids(form, line.id)
            forms[line.id] = form
    arrived = partner_queries.arrivals(db.session, activation_id)
    receipt_ids = [arrival.movement_id for arrival, _line in arrived if arrival.movement_id]
    receipts = {m.id: m for m in movement_rows(db.session, receipt_ids)}
    contact = partner_queries.first_contacts(db.session, [found.partner.id]).get(found.partner.id)
    return render_template("agreements/activation.html", row=found, activation=found.activation,
                           agreement=found.agreement, partner=found.partner, contact=contact, forms=forms,
                           receiver=receiver, arrivals=arrived, receipts=receipts,
                           by_line={line.line.id: line for line in found.lines}), status


@bp.route("/activations/<id:activation_id>")
@signed_in
def activation(activation_id: int):
    """Show an activation: what was asked for, what has arrived and what is outstanding."""
    return _render_activation(activation_id)


@bp.route("/activations/lines/<id:line_id>/arrivals", methods=["POST"])
@allow(*ARRIVAL_RECORDERS)
def record_arrival(line_id: int):
    """Record what a partner delivered against a line: on scene, or into the depot as a receipt."""
    line = db.session.get(ActivationLine, line_id)
    if line is None:
        raise NotFound(N_("no such request line"))
    activation_id = line.activation_id
    form = ArrivalForm()
    into_depot = bool(form.location_id.data)
    if into_depot and current_user.role not in STOCK_HANDLERS:
        raise Forbidden(N_("only stock handlers receive deliveries into the depot"))
    location_id = row_id(form.location_id.data)
    shelves = _shelves() if current_user.role in STOCK_HANDLERS else []
    _arrival_choices(form, line, shelves)
    valid = form.validate_on_submit()
    if into_depot and (location_id is None or db.session.get(Location, location_id) is None):
        form.location_id.errors = [*form.location_id.errors, _("Choose a location of the depot.")]
        valid = False
    if not valid:
        return _render_activation(activation_id, failed=form, failed_line=line_id,
                                  status=_bad_form_status(form))
    try:
        arrival = agreements.record_arrival(
            db.session, current_caller(), line_id, quantity=form.quantity.data,
            arrived_at=form.arrived_at.data, location_id=location_id, lot=form.lot.data or None,
            expires_on=form.expires_on.data,
            note=form.note.data)
    except DomainError as error:
        form_errors_from(error, form)
        return _render_activation(activation_id, failed=form, failed_line=line_id, status=error.status)
    if arrival.movement_id is not None:
        flash(_("Arrival of %(quantity)s recorded and received into the depot.",
                quantity=amount(arrival.quantity)), "success")
    else:
        flash(_("Arrival of %(quantity)s recorded (on scene).", quantity=amount(arrival.quantity)), "success")
    return redirect(url_for("agreements.activation", activation_id=activation_id, _anchor=f"line-{line_id}"))
