"""The labels page: choose what to label, preview the first sheet, download the PDF; calibrate."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, ValidationError
from wtforms import DecimalField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

import labels
from labels.preview import preview_png
from warehouse.access import STOCK_MANAGERS, allow, current_caller
from warehouse.domain.errors import N_, DomainError, InvalidInput
from warehouse.domain.kits import KitStatus
from warehouse.extensions import db
from warehouse.i18n import translated
from warehouse.queries.catalogue import categories
from warehouse.queries.kits import modules
from warehouse.queries.squads import squad_choices
from warehouse.queries.stock import areas
from warehouse.schemas.labels import LabelPageArgsSchema, split_codes
from warehouse.services import labels as service
from warehouse.views import form_errors_from
from warehouse.views.export import labels_pdf_response
from warehouse.views.forms import PostForm

bp = Blueprint("printing", __name__, url_prefix="/labels")

PREVIEW_WIDTH_PX = 900
CODES_SHOWN = 12  # the summary names the first few labels of a job
QUERY_KEYS = ("kind", "module", "template", "status", "zone", "category", "receipt", "item", "squad",
              "on_leave", "codes", "format", "skip", "copies", "outlines")


class CalibrationForm(PostForm):
    """Shift one format's labels on this depot's printer."""

    format = SelectField(_l("Label stock"), validators=[InputRequired()])
    offset_x_mm = DecimalField(_l("Shift right (mm)"), places=1,
                               validators=[InputRequired(), NumberRange(-20, 20)],
                               description=_l("Negative shifts left"))
    offset_y_mm = DecimalField(_l("Shift down (mm)"), places=1,
                               validators=[InputRequired(), NumberRange(-20, 20)],
                               description=_l("Negative shifts up"))


def format_choices() -> list[SelectChoice]:
    """Return the label stocks as choices named in the UI language."""
    locale = str(get_locale())
    return [SelectChoice(f.code, f.name(locale)) for f in labels.FORMATS.values()]


def _page_args() -> tuple[dict, dict[str, list[str]]]:
    """Parse the page's query; invalid values are dropped and reported per field."""
    raw = {k: v for k, v in request.args.items() if k in QUERY_KEYS and v.strip()}
    schema = LabelPageArgsSchema(unknown=EXCLUDE)
    try:
        return schema.load(raw), {}
    except ValidationError as error:
        errors = {name: [str(m) for m in messages] for name, messages in error.messages.items()}
        return schema.load({k: v for k, v in raw.items() if k not in errors}), errors


def _codes(args: dict) -> list[str]:
    """Return the codes the page's query chooses: typed codes, else the kind's filters."""
    kind = args["kind"]
    if args.get("codes"):
        return service.normalise_codes(kind, split_codes(args["codes"]))
    filters = {k: args.get(k) for k in ("module", "template", "status", "zone", "category",
                                        "receipt", "item", "squad", "on_leave")}
    codes = service.select_codes(db.session, kind, **filters)
    if not codes:
        raise InvalidInput.on("codes", N_("no labels match this selection"))
    return codes


def _job(args: dict) -> service.PrintedLabels:
    return service.print_labels(
        db.session, kind=args["kind"], codes=_codes(args), format=args["format"], skip=args["skip"],
        copies=args["copies"], public_url=current_app.config["PUBLIC_URL"], outlines=args["outlines"])


def _query(args: dict) -> dict:
    """Return the page's query as URL parameters (for the preview and download links)."""
    return {k: v for k, v in args.items() if k in QUERY_KEYS and v not in (None, "", False)}


@bp.route("")
@allow(*STOCK_MANAGERS)
def index():
    """Choose labels to print: a selection, the label stock and used positions; show a summary."""
    args, errors = _page_args()
    summary = None
    if "kind" in args and not errors:
        try:
            fmt, records = service.plan_job(
                db.session, kind=args["kind"], codes=_codes(args), format=args["format"],
                skip=args["skip"], copies=args["copies"], public_url=current_app.config["PUBLIC_URL"])
            summary = {"count": len(records), "pages": service.pages_needed(fmt, args["skip"], len(records)),
                       "format": fmt, "codes": [r.code for r in records[:CODES_SHOWN]],
                       "query": _query(args)}
        except DomainError as error:
            errors = {name: [translated(r) for r in reasons] for name, reasons in error.fields.items()}
            if not errors:
                errors = {"codes": [translated(error.message)]}
    calibration = CalibrationForm(format=args.get("format"))
    calibration.format.choices = format_choices()
    return render_template(
        "printing/index.html", args=args, errors=errors, summary=summary,
        formats=list(labels.FORMATS.values()),
        calibrations=service.calibrations(db.session), calibration=calibration,
        modules=modules(db.session), zones=areas(db.session), categories=categories(db.session),
        statuses=list(KitStatus), squads=squad_choices(db.session),
        public_url=current_app.config["PUBLIC_URL"],
    ), 422 if errors else 200


@bp.route("/labels.pdf")
@allow(*STOCK_MANAGERS)
def pdf():
    """Download the chosen labels as a PDF to print at 100 % (no "fit to page")."""
    args, errors = _page_args()
    if errors or "kind" not in args:
        return redirect(url_for("printing.index", **_query(args)))
    try:
        job = _job(args)
    except DomainError:
        # Back to the page, which shows why with the same choices filled in.
        return redirect(url_for("printing.index", **_query(args)))
    return labels_pdf_response(job, args["kind"])


@bp.route("/preview.png")
@allow(*STOCK_MANAGERS)
def preview():
    """Return the first sheet of the chosen labels as an image."""
    args, errors = _page_args()
    if errors or "kind" not in args:
        return Response(status=422)
    try:
        fmt = service.get_format(args["format"])
        # Only the first page is shown: render just the labels that land on it.
        codes = _codes(args)[: max(-(-(fmt.per_page - args["skip"]) // args["copies"]), 1)]
        args = {**args, "codes": "\n".join(codes)} if codes else args
        job = _job(args)
    except DomainError:
        return Response(status=422)
    response = Response(preview_png(job.pdf, 0, width_px=PREVIEW_WIDTH_PX), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/calibration", methods=["POST"])
@allow(*STOCK_MANAGERS)
def calibrate():
    """Save how far one format's labels shift on this depot's printer."""
    form = CalibrationForm()
    form.format.choices = format_choices()
    if form.validate_on_submit():
        try:
            service.calibrate(db.session, current_caller(), format=form.format.data,
                              offset_x_mm=form.offset_x_mm.data, offset_y_mm=form.offset_y_mm.data)
        except DomainError as error:
            form_errors_from(error, form)
        else:
            flash(_("Calibration saved: labels on %(format)s now shift %(x)s mm right and %(y)s mm down.",
                    format=form.format.data, x=form.offset_x_mm.data, y=form.offset_y_mm.data), "success")
            return redirect(url_for("printing.index", format=form.format.data) + "#calibration")
    for field in (form.format, form.offset_x_mm, form.offset_y_mm):
        for message in field.errors:
            flash(f"{field.label.text}: {message}", "error")
    return redirect(url_for("printing.index", format=request.form.get("format")) + "#calibration")
