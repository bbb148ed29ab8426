"""Deployment pages: the list, opening and editing a deployment, its boxes and loose items, closing it."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta, get_locale
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from warehouse.access import DEPLOYERS, STOCK_HANDLERS, allow, can, current_caller, signed_in
from warehouse.domain.deployments import DeploymentKind
from warehouse.domain.errors import DomainError
from warehouse.extensions import db
from warehouse.i18n import translated
from warehouse.models import Deployment, Location, Module, ScanEvent
from warehouse.models.base import utcnow
from warehouse.queries import deployments as deployment_queries
from warehouse.queries import partners as partner_queries
from warehouse.queries.kits import modules as kit_modules
from warehouse.queries.squads import squad_choices
from warehouse.queries.stock import location_stmt, movement_rows
from warehouse.services import deployments
from warehouse.services.scans import reason_from_json
from warehouse.services.stock import RECEIVABLE_KINDS
from warehouse.timezone import depot_zone
from warehouse.views import form_errors_from, list_args
from warehouse.views.deployment_forms import (
    CloseForm,
    DeploymentEditForm,
    DeploymentForm,
    DeploymentListArgsSchema,
    IssueLooseForm,
    ReturnLooseForm,
)
from warehouse.views.deployment_labels import DEPLOYMENT_LABELS
from warehouse.views.operation_forms import place_errors, resolve_item, resolve_location

bp = Blueprint("deployments", __name__)
# A new deployment is expected back a day later unless the officer says otherwise.
DEFAULT_DURATION = timedelta(hours=24)
SCAN_LOG_LENGTH = 50
# The list's state filter as the query's filters.
STATES = {"open": {"open": True}, "closed": {"open": False}, "overdue": {"open": True, "overdue": True}}


def overdue_for(deployment: Deployment, now: datetime | None = None) -> str:
    """Say how long an open deployment is past its expected return ('5 hours'), in the UI language."""
    late = (now or utcnow()) - deployment.expected_return_at
    # Below two days count hours: "36 hours" says more to a duty officer than "2 days".
    return format_timedelta(max(late, timedelta(0)), granularity="minute", threshold=2)


def station_url(deployment_id: int | None = None) -> str | None:
    """Return the scan station's address for a deployment, if the user may scan."""
    if not can("station.index"):
        return None
    return url_for("station.index", deployment=deployment_id) if deployment_id else url_for("station.index")


def scan_message(event: ScanEvent) -> str:
    """Return what a scan answered, in the UI language."""
    stored = (event.outcome or {}).get("message_i18n")
    return translated(reason_from_json(stored)) if stored else event.message


@bp.context_processor
def deployment_helpers():
    now = utcnow()
    return {"DEPLOYMENT_LABELS": DEPLOYMENT_LABELS, "overdue_for": lambda d: overdue_for(d, now),
            "station_url": station_url, "scan_message": scan_message}


def _locale() -> str:
    return str(get_locale())


def _bad_form_status(form) -> int:
    """A form refused before any service: 400 for a missing CSRF token, else 422 for its fields."""
    token = getattr(form, "csrf_token", None)  # absent where CSRF is switched off (tests)
    return 400 if token is not None and token.errors else 422


# --- the list ---------------------------------------------------------------------------------

@bp.route("/deployments")
@signed_in
def index():
    """List deployments, open ones first: what each has out and back, and which are overdue."""
    args = list_args(DeploymentListArgsSchema)
    filters = {**STATES.get(args.get("state"), {}), "kind": args.get("kind"),
               "module": args.get("module"), "squad": args.get("squad"), "q": args.get("q")}
    page = deployment_queries.deployment_page(db.session, page=args["page"], per_page=args["per_page"],
                                              **filters)
    return render_template("deployments/index.html", page=page, args=args,
                           modules=kit_modules(db.session, include_inactive=True),
                           squads=squad_choices(db.session, include_inactive=True))


# --- opening and editing ----------------------------------------------------------------------

def _with_choices(form: DeploymentEditForm, deployment: Deployment | None = None) -> DeploymentEditForm:
    """Fill the module and squad choices: active ones, plus the squads a deployment already has."""
    locale = _locale()
    current = deployment_queries.deployment_squads(db.session, deployment.id) if deployment else []
    squads = {s.code: s for s in squad_choices(db.session)}
    squads.update({s.code: s for s in current})
    form.squads.choices = [SelectChoice(s.code, f"{s.code} {s.name(locale)}") for s in squads.values()]
    if "module" in form:
        form.module.choices = [SelectChoice("", _("None"))] + [
            SelectChoice(m.code, f"{m.code} {m.name(locale)}") for m in kit_modules(db.session)]
    return form


def _next_full_hour(after: timedelta) -> datetime:
    moment = datetime.now(depot_zone()) + after
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


@bp.route("/deployments/new", methods=["GET", "POST"])
@allow(*DEPLOYERS)
def new():
    """Open a deployment (incident, drill, exercise or loan) that boxes can be checked out to."""
    if request.method == "GET":
        form = DeploymentForm(data={"kind": DeploymentKind.INCIDENT.value,
                                    "expected_return_at": _next_full_hour(DEFAULT_DURATION)})
    else:
        form = DeploymentForm()
    _with_choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            created = deployments.create_deployment(db.session, current_caller(), **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Deployment %(code)s opened: scan its boxes out at the scan station.", code=created.code),
                  "success")
            return redirect(url_for("deployments.show", deployment_id=created.id))
    elif request.method == "POST":
        status = _bad_form_status(form)
    return render_template("deployments/form.html", form=form, deployment=None), status


@bp.route("/deployments/<id:deployment_id>/edit", methods=["GET", "POST"])
@allow(*DEPLOYERS)
def edit(deployment_id: int):
    """Change an open deployment's name, place, commander, squads, expected return or note."""
    found = deployments.get_deployment(db.session, deployment_id)
    if not found.is_open:
        flash(_("Deployment %(code)s is closed and can no longer be changed.", code=found.code), "error")
        if request.method == "GET":
            return redirect(url_for("deployments.show", deployment_id=found.id))
        return _render_show(found.id, status=409)
    if request.method == "GET":
        form = DeploymentEditForm(data={
            "name": found.name, "place": found.place, "commander": found.commander, "note": found.note,
            "expected_return_at": found.expected_return_at,
            "squads": [s.code for s in deployment_queries.deployment_squads(db.session, found.id)]})
    else:
        form = DeploymentEditForm()
    _with_choices(form, found)
    status = 200
    if form.validate_on_submit():
        try:
            deployments.update_deployment(db.session, current_caller(), found.id, **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("deployments.show", deployment_id=deployment_id))
    elif request.method == "POST":
        status = _bad_form_status(form)
    return render_template("deployments/form.html", form=form, deployment=found), status


# --- the deployment page ----------------------------------------------------------------------

def _shelves(deployment: Deployment) -> list[SelectChoice]:
    """Return where returned loose units may go: the depot's active zones, racks, bins, quarantine."""
    depot_id = db.session.get(Location, deployment.location_id).parent_id
    rows = db.session.execute(location_stmt(within=depot_id, active=True, sort="path")).all()
    return [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(location.id), f"{location.code} {location.name}")
        for location, _units in rows if location.kind in RECEIVABLE_KINDS]


def _row_id(text) -> int | None:
    """Return a row id posted by a form, or None for anything else."""
    return int(text) if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) < 10 \
        and int(text) > 0 else None


def _number_ids(form, number: int) -> None:
    """Give one row's form element ids of its own, so its labels point at its own inputs."""
    for field in form:
        field.id = f"return-{number}-{field.name}"
        field.label.field_id = field.id


def _loose_key(item_id, lot) -> str:
    return f"{item_id}:{lot or ''}"


def _render_show(deployment_id: int, *, issue_form: IssueLooseForm | None = None,
                 failed_return: ReturnLooseForm | None = None, close_form: CloseForm | None = None,
                 status: int = 200):
    deployment = deployments.get_deployment(db.session, deployment_id)
    loose = deployment_queries.loose_out(db.session, deployment)
    shelves = _shelves(deployment) if deployment.is_open and can("deployments.return_items", "POST") else []
    return_forms = {}
    for row in loose:
        form = ReturnLooseForm(formdata=None, data={"item_id": str(row.item.id),
                                                    "lot": row.lot.code if row.lot else ""})
        form.to_location.choices = shelves
        return_forms[_loose_key(row.item.id, row.lot.code if row.lot else None)] = form
    if failed_return is not None:
        key = _loose_key(failed_return.item_id.data, failed_return.lot.data)
        failed_return.to_location.choices = shelves
        if key in return_forms:
            return_forms[key] = failed_return
        else:
            # The line is no longer out (someone else accounted for it): say so above the table.
            for errors in (f.errors for f in failed_return if f.errors):
                for error in errors:
                    flash(_("Could not return: %(reason)s", reason=error), "error")
    for number, form in enumerate(return_forms.values(), start=1):
        _number_ids(form, number)
    ledger_ids = [m.id for m in deployment_queries.movements(db.session, deployment)]
    module = db.session.get(Module, deployment.module_id) if deployment.module_id else None
    return render_template(
        "deployments/show.html", deployment=deployment, module=module,
        row=deployment_queries.deployment_row(db.session, deployment.id),
        squads=deployment_queries.deployment_squads(db.session, deployment.id),
        boxes=deployment_queries.checkouts(db.session, deployment.id),
        loose=loose, return_forms=return_forms, loose_key=_loose_key,
        movements=list(reversed(movement_rows(db.session, ledger_ids))),
        scans=deployment_queries.scan_log(db.session, deployment_id=deployment.id, limit=SCAN_LOG_LENGTH),
        issue_form=issue_form or IssueLooseForm(formdata=None),
        close_form=close_form or CloseForm(formdata=None),
        # Partners (issue 8): the agreements called in for this deployment.
        partner_support=partner_queries.activation_rows(db.session, deployment_id=deployment.id)), status


@bp.route("/deployments/<id:deployment_id>")
@signed_in
def show(deployment_id: int):
    """Show a deployment: its details, squads, boxes out and back, loose items, ledger and scans."""
    return _render_show(deployment_id)


@bp.route("/deployments/<id:deployment_id>/close", methods=["POST"])
@allow(*DEPLOYERS)
def close(deployment_id: int):
    """Close a deployment once every box and loose item is back or accounted for."""
    found = deployments.get_deployment(db.session, deployment_id)
    code = found.code
    form = CloseForm()
    if not form.validate_on_submit():
        return _render_show(deployment_id, close_form=form, status=_bad_form_status(form))
    try:
        deployments.close_deployment(db.session, current_caller(), deployment_id, note=form.note.data)
    except DomainError as error:
        flash(_("Could not close: %(reason)s", reason=translated(error.message)), "error")
        return _render_show(deployment_id, close_form=form, status=error.status)
    flash(_("Deployment %(code)s closed.", code=code), "success")
    return redirect(url_for("deployments.show", deployment_id=deployment_id))


@bp.route("/deployments/<id:deployment_id>/issue", methods=["POST"])
@allow(*STOCK_HANDLERS)
def issue(deployment_id: int):
    """Issue loose items to a deployment from the depot's shelves."""
    deployments.get_deployment(db.session, deployment_id)
    form = IssueLooseForm()
    if not form.validate_on_submit():
        return _render_show(deployment_id, issue_form=form, status=_bad_form_status(form))
    item_id = resolve_item(db.session, form.sku)
    from_id = resolve_location(db.session, form.from_location) if form.from_location.data else None
    if item_id is None or (form.from_location.data and from_id is None):
        return _render_show(deployment_id, issue_form=form, status=422)
    try:
        posted = deployments.issue_loose(db.session, current_caller(), deployment_id, item_id=item_id,
                                         quantity=form.quantity.data, lot=form.lot.data or None,
                                         from_location_id=from_id, note=form.note.data)
    except DomainError as error:
        place_errors(error, form)
        return _render_show(deployment_id, issue_form=form, status=error.status)
    flash(_("Issued %(quantity)d of %(sku)s to the deployment.", quantity=sum(m.quantity for m in posted),
            sku=form.sku.data.upper()), "success")
    return redirect(url_for("deployments.show", deployment_id=deployment_id, _anchor="loose"))


@bp.route("/deployments/<id:deployment_id>/return", methods=["POST"])
@allow(*STOCK_HANDLERS)
def return_items(deployment_id: int):
    """Account for loose items out with a deployment: back to a shelf, consumed, damaged or lost."""
    deployments.get_deployment(db.session, deployment_id)
    form = ReturnLooseForm()
    valid = form.validate_on_submit()
    # Both are ids as the page rendered them; anything else was not sent by the page.
    item_id = _row_id(form.item_id.data)
    if item_id is None:
        form.item_id.errors = [*form.item_id.errors, _("Choose a line of the loose items out.")]
    to_location_id = _row_id(form.to_location.data)
    if form.to_location.data and to_location_id is None:
        form.to_location.errors = [*form.to_location.errors, _("Choose a location of the depot.")]
    if not valid or item_id is None or form.to_location.errors:
        return _render_show(deployment_id, failed_return=form, status=_bad_form_status(form))
    try:
        deployments.return_loose(db.session, current_caller(), deployment_id, item_id=item_id,
                                 lot=form.lot.data or None, to_location_id=to_location_id,
                                 note=form.note.data, **form.counts())
    except DomainError as error:
        place_errors(error, form)
        return _render_show(deployment_id, failed_return=form, status=error.status)
    counts = form.counts()
    flash(_("Accounted for %(total)d units: %(returned)d returned, %(consumed)d consumed, "
            "%(damaged)d damaged, %(lost)d lost.", total=sum(counts.values()), **counts), "success")
    return redirect(url_for("deployments.show", deployment_id=deployment_id, _anchor="loose"))
