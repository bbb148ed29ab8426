"""Kit pages: readiness per module, box templates, boxes, inspections and the restock workflow."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from warehouse.access import STOCK_HANDLERS, allow, current_caller, signed_in
from warehouse.domain.errors import DomainError
from warehouse.domain.kits import RESTOCKABLE, KitStatus, effective_status
from warehouse.domain.readiness import Thresholds
from warehouse.domain.stock import MAX_QUANTITY
from warehouse.extensions import db
from warehouse.i18n import translated
from warehouse.models import Item, Location, Lot
from warehouse.queries import kits as kit_queries
from warehouse.queries import readiness as readiness_queries
from warehouse.queries.pagination import paginate
from warehouse.queries.stock import movement_stmt
from warehouse.routing import MAX_ID
from warehouse.services import kit_templates, kits
from warehouse.services.kits import HOME_KINDS, MAX_RESTOCK_ENTRIES
from warehouse.timezone import today
from warehouse.views import list_args
from warehouse.views.kit_forms import (
    InspectionForm,
    KitPageArgsSchema,
    NewKitForm,
    RelocateForm,
    RestockForm,
    StatusForm,
    TemplatePageArgsSchema,
    status_targets,
)
from warehouse.views.labels import KIT_STATUS_LABELS
from warehouse.views.operation_forms import resolve_location

bp = Blueprint("kits", __name__, url_prefix="/kits")

# Lots expiring within this many days are flagged on box pages and lists.
EXPIRY_WARNING_DAYS = 30
# Ledger rows and box events a box page lists, newest first.
HISTORY_ROWS = 50
# Places offered as a box's home in the location code field's suggestions.
HOME_SUGGESTIONS = 500
# Row fields of the restock form: fills-0-item_id, removals-3-quantity, ...
ROW_FIELD = re.compile(r"^(fills|removals)-(\d{1,4})-item_id$")


def current_thresholds() -> Thresholds:
    """Return the readiness colour thresholds in force, read once per request."""
    if "readiness_thresholds" not in g:
        g.readiness_thresholds = readiness_queries.thresholds(db.session)
    return g.readiness_thresholds


def readiness_level(required: int, percent: int, levels: Thresholds | None = None) -> str:
    """Return the colour level of a readiness: good, fair, poor, or none when nothing is required."""
    return (levels or current_thresholds()).level(required, percent).value


@bp.context_processor
def kit_helpers():
    on = today()
    warning = on + timedelta(days=EXPIRY_WARNING_DAYS)

    def expiry_class(day: date | None) -> str:
        if day is None:
            return ""
        return "expired" if day < on else ("soon" if day <= warning else "")

    return {"readiness_level": readiness_level, "expiry_class": expiry_class, "today": on,
            "READY_GOOD_PERCENT": current_thresholds().good, "READY_FAIR_PERCENT": current_thresholds().fair,
            "EXPIRY_WARNING_DAYS": EXPIRY_WARNING_DAYS, "HISTORY_ROWS": HISTORY_ROWS}


def _refused(error: DomainError, form, **renames: str) -> None:
    """Put a service's field errors on the form; say the reason too when it names a state."""
    placed = False
    for name, reasons in error.fields.items():
        target = getattr(form, renames.get(name, name), None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, *(translated(r) for r in reasons)]
            placed = True
    if not placed or error.status == 409:
        flash(_("Could not save: %(reason)s", reason=translated(error.message)), "error")


# --- modules ------------------------------------------------------------------------------------

@bp.route("/")
@signed_in
def overview():
    """Show every module's readiness: boxes required, ready, short, out and in restock."""
    return render_template("kits/overview.html", modules=kit_queries.module_readiness(db.session, today()))


@bp.route("/modules/<code:code>")
@signed_in
def module(code: str):
    """Show one module: its templates' readiness and its boxes."""
    found = kit_templates.get_module(db.session, code)
    on = today()
    readiness = kit_queries.module_readiness(db.session, on, module_id=found.id, include_inactive=True)
    args = list_args(KitPageArgsSchema)
    page = kit_queries.kit_page(db.session, on, page=args["page"], per_page=args["per_page"],
                                module=found.code, sort=args["sort"])
    return render_template("kits/module.html", module=found, readiness=readiness[0], page=page,
                           args={**args, "code": found.code})


# --- boxes ------------------------------------------------------------------------------------

@bp.route("/boxes")
@signed_in
def boxes():
    """List boxes with their live status, shortfall, earliest expiry and last inspection."""
    args = list_args(KitPageArgsSchema)
    filters = {k: args[k] for k in ("module", "template", "status", "q", "sort") if k in args}
    page = kit_queries.kit_page(db.session, today(), page=args["page"], per_page=args["per_page"],
                                **filters)
    return render_template("kits/boxes.html", page=page, args=args, statuses=list(KitStatus),
                           modules=kit_queries.modules(db.session, include_inactive=True))


def _home_places() -> list:
    """Return the codes and names of the places a box may live in, for the code field's suggestions."""
    return db.session.execute(
        select(Location.code, Location.name)
        .where(Location.kind.in_(HOME_KINDS), Location.active.is_(True))
        .order_by(Location.path).limit(HOME_SUGGESTIONS)).all()


def _render_box(code: str, *, inspection: InspectionForm | None = None,
                status_form: StatusForm | None = None, relocate: RelocateForm | None = None,
                status: int = 200):
    kit = kits.get_kit(db.session, code)
    on = today()
    movements = db.session.execute(movement_stmt(location_id=kit.location_id).limit(HISTORY_ROWS)).all()
    return render_template(
        "kits/box.html", kit=kit, row=kit_queries.kit_row(db.session, kit.id, on),
        lines=kit_queries.kit_lines(db.session, kit.id, on),
        contents=kit_queries.kit_contents(db.session, kit.location_id),
        events=kit_queries.kit_events(db.session, kit.id, HISTORY_ROWS), movements=movements,
        restockable=kit.status in RESTOCKABLE, targets=status_targets(kit.status),
        inspection=inspection or InspectionForm(formdata=None),
        status_form=(status_form or StatusForm(formdata=None)).offer(kit.status),
        relocate=relocate or RelocateForm(formdata=None), places=_home_places(),
    ), status


@bp.route("/boxes/<code:code>")
@signed_in
def box(code: str):
    """Show a box: status, contents against par, lots and expiry, history, and what can be done."""
    return _render_box(code)


def _box_action(code: str, form, act, done, **renames: str):
    """Validate a box form, run one use case and go back to the box, or show the box with the reason."""
    kit = kits.get_kit(db.session, code)
    status = 400
    if form.validate_on_submit():
        try:
            result = act(kit.code)
        except DomainError as error:
            _refused(error, form, **renames)
            status = error.status
        else:
            flash(done(result), "success")
            return redirect(url_for("kits.box", code=kit.code))
    return status


@bp.route("/boxes/<code:code>/inspections", methods=["POST"])
@allow(*STOCK_HANDLERS)
def inspect(code: str):
    """Record an inspection of a box."""
    form = InspectionForm()

    def act(kit_code):
        return kits.inspect_kit(db.session, current_caller(), kit_code, outcome=form.outcome.data,
                                findings=form.findings.data)

    result = _box_action(code, form, act, lambda _event: _("Inspection recorded."))
    return result if not isinstance(result, int) else _render_box(code, inspection=form, status=result)


@bp.route("/boxes/<code:code>/status", methods=["POST"])
@allow(*STOCK_HANDLERS)
def change_status(code: str):
    """Move a box to another status the lifecycle allows."""
    form = StatusForm().offer(None)

    def act(kit_code):
        return kits.change_kit_status(db.session, current_caller(), kit_code, status=form.status.data,
                                      note=form.note.data)

    def done(kit):
        return _("Box %(code)s is now %(status)s.", code=kit.code, status=str(KIT_STATUS_LABELS[kit.status]))

    result = _box_action(code, form, act, done)
    return result if not isinstance(result, int) else _render_box(code, status_form=form, status=result)


@bp.route("/boxes/<code:code>/move", methods=["POST"])
@allow(*STOCK_HANDLERS)
def relocate(code: str):
    """Give a box a new home place, typed or scanned as a location code."""
    kit_code = kits.get_kit(db.session, code).code
    form = RelocateForm()
    status = 400
    if form.validate_on_submit():
        home_id = resolve_location(db.session, form.home)
        status = 422
        if home_id:
            try:
                kits.relocate_kit(db.session, current_caller(), kit_code, home_location_id=home_id,
                                  note=form.note.data)
            except DomainError as error:
                _refused(error, form, home_location_id="home")
                status = error.status
            else:
                flash(_("Box moved to %(code)s.", code=form.home.data.upper()), "success")
                return redirect(url_for("kits.box", code=kit_code))
    return _render_box(kit_code, relocate=form, status=status)


# --- templates --------------------------------------------------------------------------------

@bp.route("/templates")
@signed_in
def templates():
    """List box templates with their lines and boxes."""
    args = list_args(TemplatePageArgsSchema)
    stmt = kit_queries.template_stmt(module=args.get("module"), category=args.get("category"),
                                     q=args.get("q"), active=None)
    page = paginate(db.session, stmt, args["page"], args["per_page"], scalars=False)
    return render_template("kits/templates.html", page=page, args=args,
                           modules=kit_queries.modules(db.session, include_inactive=True))


def _render_template(code: str, form: NewKitForm | None = None, status: int = 200):
    template = kit_templates.get_template(db.session, code)
    on = today()
    requirements = kit_queries.template_requirements(db.session, template.id)
    counts = {t.module_id: t for m in kit_queries.module_readiness(db.session, on, include_inactive=True)
              for t in m.templates if t.template_id == template.id}
    args = list_args(KitPageArgsSchema)
    page = kit_queries.kit_page(db.session, on, page=args["page"], per_page=args["per_page"],
                                template=template.code, sort=args["sort"])
    form = form or NewKitForm(formdata=None)
    locale = str(get_locale())
    form.module.choices = [SelectChoice(r.module.code, f"{r.module.code} {r.module.name(locale)}")
                           for r in requirements]
    return render_template("kits/template.html", template=template, requirements=requirements,
                           counts=counts, lines=kit_queries.template_lines(db.session, template.id),
                           page=page, args={**args, "code": template.code}, form=form,
                           places=_home_places()), status


@bp.route("/templates/<code:code>")
@signed_in
def template(code: str):
    """Show a template: its box, contents, the modules it serves and its boxes."""
    return _render_template(code)


@bp.route("/templates/<code:code>", methods=["POST"])
@allow(*STOCK_HANDLERS)
def new_box(code: str):
    """Register a new, empty box of this template."""
    found = kit_templates.get_template(db.session, code)
    template_code = found.code
    form = NewKitForm()
    form.module.validate_choice = False  # the service says whether the template serves the module
    status = 400
    if form.validate_on_submit():
        home_id = resolve_location(db.session, form.home)
        status = 422
        if home_id:
            try:
                kit = kits.create_kit(db.session, current_caller(), template=template_code,
                                      module=form.module.data, home_location_id=home_id,
                                      code=form.code.data or None, note=form.note.data)
            except DomainError as error:
                _refused(error, form, home_location_id="home")
                status = error.status
            else:
                flash(_("Box %(code)s registered. Restock it to fill it.", code=kit.code), "success")
                return redirect(url_for("kits.box", code=kit.code))
    return _render_template(template_code, form, status)


# --- restock ----------------------------------------------------------------------------------

@dataclass
class RestockRow:
    """One row of the restock form: a removal (to a place) or a fill (from a place)."""

    kind: str  # "fills" or "removals", the service's argument and the fields' prefix
    index: int
    item_id: int | None
    lot: str
    location_id: int | None
    quantity: int | str
    include: bool = True
    item: Item | None = None
    expires_on: date | None = None
    location: Location | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.index}"


def _proposal_rows(proposal) -> list[RestockRow]:
    rows = [RestockRow("removals", i, r.item.id, r.lot.code if r.lot else "", r.to_location.id, r.quantity,
                       item=r.item, expires_on=r.lot.expires_on if r.lot else None, location=r.to_location)
            for i, r in enumerate(proposal.removals)]
    rows += [RestockRow("fills", i, f.item.id, f.lot.code if f.lot else "", f.from_location.id, f.quantity,
                        item=f.item, expires_on=f.lot.expires_on if f.lot else None,
                        location=f.from_location)
             for i, f in enumerate(proposal.fills)]
    return rows


def _row_id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 10 and 0 < int(text) <= MAX_ID else None


def _posted_rows() -> list[RestockRow]:
    """Read the restock form's rows; a row without a usable quantity is marked, not guessed."""
    rows = []
    for key in request.form:
        match = ROW_FIELD.match(key)
        if match is None:
            continue
        kind, index = match.group(1), int(match.group(2))
        posted = {name: request.form.get(f"{kind}-{index}-{name}", "").strip()
                  for name in ("item_id", "lot", "location_id", "quantity", "include")}
        row = RestockRow(kind, index, _row_id(posted["item_id"]), posted["lot"][:40],
                         _row_id(posted["location_id"]), posted["quantity"][:12],
                         include=bool(posted["include"]))
        if row.include:
            if row.quantity == "0":
                row.include = False  # zero units: the user chose to leave the row out
            elif row.quantity.isdigit() and 0 < int(row.quantity) <= MAX_QUANTITY:
                row.quantity = int(row.quantity)
            else:
                row.errors.append(_("Enter a whole number greater than zero."))
        if row.item_id is None or row.location_id is None:
            row.errors.append(_("This row is damaged: reload the page."))
        rows.append(row)
    rows.sort(key=lambda r: (r.kind != "removals", r.index))
    return rows[:2 * MAX_RESTOCK_ENTRIES]


def _describe(rows: list[RestockRow]) -> None:
    """Load the items, lots and places the posted rows name, to show them again."""
    item_ids = {r.item_id for r in rows} - {None}
    items = {i.id: i for i in db.session.scalars(select(Item).where(Item.id.in_(item_ids)))}
    places = {p.id: p for p in db.session.scalars(
        select(Location).where(Location.id.in_({r.location_id for r in rows} - {None})))}
    lots = {(lt.item_id, lt.code): lt for lt in db.session.scalars(
        select(Lot).where(Lot.item_id.in_(item_ids), Lot.code.in_({r.lot for r in rows if r.lot})))}
    for row in rows:
        row.item = items.get(row.item_id)
        row.location = places.get(row.location_id)
        lot = lots.get((row.item_id, row.lot))
        row.expires_on = lot.expires_on if lot else None


def _render_restock(proposal, rows: list[RestockRow], form: RestockForm, error: str | None = None,
                    status: int = 200):
    lines = kit_queries.kit_lines(db.session, proposal.kit.id, today())
    by_line = {line.line_id: line for line in lines}
    unfilled = [(by_line[line_id], missing) for line_id, missing in proposal.unfilled.items()
                if line_id in by_line]
    return render_template(
        "kits/restock.html", kit=proposal.kit, lines=lines, form=form, error=error, unfilled=unfilled,
        removals=[r for r in rows if r.kind == "removals"], fills=[r for r in rows if r.kind == "fills"],
        restockable=proposal.kit.status in RESTOCKABLE,
        status=effective_status(proposal.kit.status, proposal.before.complete),
    ), status


@bp.route("/boxes/<code:code>/restock")
@signed_in
def restock(code: str):
    """Propose a restock: stale units out, depot stock in first-expiry-first-out, to confirm or edit."""
    proposal = kits.propose_restock(db.session, code)
    return _render_restock(proposal, _proposal_rows(proposal), RestockForm(formdata=None))


@bp.route("/boxes/<code:code>/restock", methods=["POST"])
@allow(*STOCK_HANDLERS)
def confirm_restock(code: str):
    """Post the confirmed (or edited) restock in one transaction, or show why nothing moved."""
    kit_code = kits.get_kit(db.session, code).code
    form = RestockForm()
    rows = _posted_rows()
    error, status = None, 400
    if not form.validate_on_submit():
        error = _("Check the note.")
    elif any(row.errors for row in rows):
        error = _("Some rows need a correction; nothing was moved.")
    else:
        chosen: dict[str, list[RestockRow]] = {"fills": [], "removals": []}
        for row in rows:
            if row.include:
                chosen[row.kind].append(row)
        try:
            result = kits.restock_kit(
                db.session, current_caller(), kit_code,
                fills=[{"item_id": r.item_id, "lot": r.lot or None, "from_location_id": r.location_id,
                        "quantity": r.quantity} for r in chosen["fills"]],
                removals=[{"item_id": r.item_id, "lot": r.lot or None, "to_location_id": r.location_id,
                           "quantity": r.quantity} for r in chosen["removals"]],
                note=form.note.data)
        except DomainError as refused:
            status = refused.status
            error = _("Nothing was moved: %(reason)s", reason=translated(refused.message))
            for name, reasons in refused.fields.items():
                kind, _dot, rest = name.partition(".")
                position = rest.split(".")[0]
                if kind in chosen and position.isdigit() and int(position) < len(chosen[kind]):
                    chosen[kind][int(position)].errors += [translated(r) for r in reasons]
        else:
            flash(_("Box %(code)s restocked: %(count)d movements posted. It is now %(status)s.",
                    code=kit_code, count=len(result.movements),
                    status=str(KIT_STATUS_LABELS[result.kit.status])), "success")
            return redirect(url_for("kits.box", code=kit_code))
    _describe(rows)
    return _render_restock(kits.propose_restock(db.session, kit_code), rows, form, error, status)
