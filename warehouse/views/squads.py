"""Squad pages: support squads, their people and qualifications, and the staffing compliance panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from warehouse.access import STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.domain.accounts import Role
from warehouse.domain.errors import N_, DomainError, NotFound
from warehouse.domain.squads import (
    EXPIRY_WARNING_DAYS,
    Employment,
    Measure,
    PersonStatus,
    SquadKind,
    SupportFunction,
)
from warehouse.extensions import db
from warehouse.i18n import translated
from warehouse.models import Qualification, Squad
from warehouse.queries import squads as squad_queries
from warehouse.queries.kits import modules as kit_modules
from warehouse.services import squads
from warehouse.timezone import today
from warehouse.views import form_errors_from, list_args
from warehouse.views.forms import PostForm
from warehouse.views.squad_forms import (
    NO_SQUAD,
    PersonEditForm,
    PersonForm,
    PersonnelArgsSchema,
    QualificationForm,
    QualificationKindForm,
    SquadActiveForm,
    SquadEditForm,
    SquadForm,
    SquadListArgsSchema,
    TargetForm,
)
from warehouse.views.squad_labels import SQUAD_LABELS

bp = Blueprint("squads", __name__)


@dataclass(frozen=True)
class QualificationState:
    """Where a qualification stands on a day: valid, expiring (within the warning), expired or pending."""

    level: str
    days: int | None  # days left (negative once expired), or days until it starts to hold


def qualification_state(qualification: Qualification, on: date) -> QualificationState:
    """Tell whether a qualification holds on a day, and for how long."""
    if qualification.issued_on is not None and qualification.issued_on > on:
        return QualificationState("pending", (qualification.issued_on - on).days)
    if qualification.expires_on is None:
        return QualificationState("valid", None)
    days = (qualification.expires_on - on).days
    if days < 0:
        return QualificationState("expired", days)
    return QualificationState("expiring" if days <= EXPIRY_WARNING_DAYS else "valid", days)


@bp.context_processor
def squad_helpers():
    on = today()
    return {"SQUAD_LABELS": SQUAD_LABELS, "today": on, "NO_SQUAD": NO_SQUAD,
            "EXPIRY_WARNING_DAYS": EXPIRY_WARNING_DAYS,
            "qualification_state": lambda q: qualification_state(q, on)}


def _locale() -> str:
    return str(get_locale())


# --- squads -----------------------------------------------------------------------------------

@bp.route("/squads")
@signed_in
def index():
    """List the squads, standing first: kind, function, station, leader, head counts and modules."""
    args = list_args(SquadListArgsSchema)
    rows = squad_queries.squad_rows(
        db.session, kind=SquadKind(args["kind"]) if args.get("kind") else None,
        function=SupportFunction(args["function"]) if args.get("function") else None,
        include_inactive=args["inactive"])
    return render_template("squads/index.html", rows=rows, args=args)


def _render_squad(code: str, status: int = 200):
    squad = squads.get_squad(db.session, code)
    return render_template(
        "squads/squad.html", squad=squad, row=squad_queries.squad_rows(db.session, squad_id=squad.id)[0],
        modules=squad_queries.squad_modules(db.session, squad.id),
        members=squad_queries.squad_roster(db.session, squad.id, include_left=True),
        active_form=SquadActiveForm(formdata=None), delete_form=PostForm(formdata=None)), status


@bp.route("/squads/<code:code>")
@signed_in
def squad(code: str):
    """Show a squad: its details, modules and members with their qualifications."""
    return _render_squad(code)


def _with_modules(form: SquadForm) -> SquadForm:
    locale = _locale()
    form.modules.choices = [SelectChoice(m.code, f"{m.code} {m.name(locale)}")
                            for m in kit_modules(db.session, include_inactive=True)]
    return form


@bp.route("/squads/new", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def new_squad():
    """Register a support squad."""
    form = _with_modules(SquadForm())
    status = 200
    if form.validate_on_submit():
        try:
            created = squads.create_squad(db.session, current_caller(), code=form.code.data,
                                          **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Squad %(code)s registered; add its people next.", code=created.code), "success")
            return redirect(url_for("squads.squad", code=created.code))
    elif request.method == "POST":
        status = 400
    return render_template("squads/squad_form.html", form=form, squad=None), status


def _set_active(code: str):
    """Deactivate or reactivate a squad from its page's button."""
    form = SquadActiveForm()
    if not form.validate_on_submit() or form.set_active.data not in ("0", "1"):
        return _render_squad(code, 400)
    active = form.set_active.data == "1"
    squads.update_squad(db.session, current_caller(), code, active=active)
    flash(_("Squad %(code)s is back in service.", code=code) if active
          else _("Squad %(code)s deactivated: its people no longer count towards the targets.", code=code),
          "success")
    return redirect(url_for("squads.squad", code=code))


@bp.route("/squads/<code:code>/edit", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def edit_squad(code: str):
    """Change a squad's names, kind, function, station, modules or note, or (de)activate it."""
    found = squads.get_squad(db.session, code)
    squad_code = found.code
    if request.method == "POST" and "set_active" in request.form:
        return _set_active(squad_code)
    if request.method == "GET":
        form = SquadEditForm(data={
            "name_zh": found.name_zh, "name_en": found.name_en, "kind": found.kind.value,
            "function": found.function.value, "home_station": found.home_station, "note": found.note,
            "active": found.active,
            "modules": [m.code for m in squad_queries.squad_modules(db.session, found.id)]})
    else:
        form = SquadEditForm()
    _with_modules(form)
    status = 200
    if form.validate_on_submit():
        try:
            squads.update_squad(db.session, current_caller(), squad_code, **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("squads.squad", code=squad_code))
    elif request.method == "POST":
        status = 400
    return render_template("squads/squad_form.html", form=form, squad=found), status


@bp.route("/squads/<code:code>/delete", methods=["POST"])
@allow(*STOCK_MANAGERS)
def delete_squad(code: str):
    """Delete a squad registered by mistake; one with people is refused (deactivate it instead)."""
    squad_code = squads.get_squad(db.session, code).code
    if not PostForm().validate_on_submit():
        return _render_squad(squad_code, 400)
    try:
        squads.delete_squad(db.session, current_caller(), squad_code)
    except DomainError as error:
        flash(_("Could not delete: %(reason)s", reason=translated(error.message)), "error")
        return _render_squad(squad_code, error.status)
    flash(_("Squad %(code)s deleted.", code=squad_code), "success")
    return redirect(url_for("squads.index"))


# --- personnel --------------------------------------------------------------------------------

@bp.route("/personnel")
@signed_in
def personnel():
    """List people with their squad and qualifications: filtered, sorted and paginated."""
    args = list_args(PersonnelArgsSchema)
    filters = {"status": PersonStatus(args["status"]) if args.get("status") else None,
               "employment": Employment(args["employment"]) if args.get("employment") else None,
               "qualification": (args.get("qualification") or "").upper() or None,
               "q": args.get("q"), "sort": args["sort"]}
    if args.get("squad") == NO_SQUAD:
        filters["unassigned"] = True
    elif args.get("squad"):
        squad_id = db.session.scalar(select(Squad.id).where(Squad.code == args["squad"].upper()))
        if squad_id is None:
            flash(_("Ignored invalid filters: %(fields)s", fields="squad"), "error")
            args.pop("squad")
        filters["squad_id"] = squad_id
    page = squad_queries.personnel_page(db.session, page=args["page"], per_page=args["per_page"], **filters)
    return render_template("squads/personnel.html", page=page, args=args,
                           squads=squad_queries.squad_choices(db.session, include_inactive=True),
                           kinds=squad_queries.qualification_kinds(db.session, include_inactive=True))


def _with_kinds(form: QualificationForm) -> QualificationForm:
    locale = _locale()
    form.kind.choices = [SelectChoice(k.code, k.name(locale)) for k in
                         squad_queries.qualification_kinds(db.session)]
    return form


def _render_person(badge: str, qualification_form: QualificationForm | None = None, status: int = 200):
    found = squads.get_person(db.session, badge)
    person = squad_queries.person_with_qualifications(db.session, found.id)
    return render_template(
        "squads/person.html", person=person,
        qualifications=sorted(person.qualifications, key=lambda q: (q.kind.position, q.kind.code)),
        qualification_form=qualification_form or _with_kinds(QualificationForm(formdata=None)),
        remove_form=PostForm(formdata=None), delete_form=PostForm(formdata=None)), status


@bp.route("/personnel/<code:badge>")
@signed_in
def person(badge: str):
    """Show a person: badge, squad, role, employment, status and qualifications."""
    return _render_person(badge)


@bp.route("/personnel/<code:badge>/delete", methods=["POST"])
@allow(*STOCK_MANAGERS)
def delete_person(badge: str):
    """Delete a person registered by mistake (someone who leaves is marked as left instead)."""
    found = squads.get_person(db.session, badge)
    badge_code, name, squad_id = found.badge_code, found.name, found.squad_id
    if not PostForm().validate_on_submit():
        return _render_person(badge_code, status=400)
    squad = db.session.get(Squad, squad_id) if squad_id else None
    back = url_for("squads.squad", code=squad.code) if squad else url_for("squads.personnel")
    try:
        squads.delete_person(db.session, current_caller(), badge_code)
    except DomainError as error:
        flash(_("Could not delete: %(reason)s", reason=translated(error.message)), "error")
        return _render_person(badge_code, status=error.status)
    flash(_("%(name)s (%(code)s) deleted.", name=name, code=badge_code), "success")
    return redirect(back)


def _with_squads(form: PersonForm) -> PersonForm:
    locale = _locale()
    form.squad.choices = [SelectChoice("", _("No squad"))] + [
        SelectChoice(s.code, f"{s.code} {s.name(locale)}" + ("" if s.active else f" ({_('inactive')})"))
        for s in squad_queries.squad_choices(db.session, include_inactive=True)]
    return form


@bp.route("/personnel/new", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def new_person():
    """Register a person in the support force (?squad=CODE preselects the squad)."""
    if request.method == "GET":
        form = PersonForm(data={"squad": (request.args.get("squad") or "").upper()[:24],
                                "squad_role": "member", "status": "active"})
    else:
        form = PersonForm()
    _with_squads(form)
    status = 200
    if form.validate_on_submit():
        try:
            created = squads.create_person(db.session, current_caller(), badge_code=form.badge_code.data,
                                           **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("%(name)s registered with badge %(code)s.", name=created.name, code=created.badge_code),
                  "success")
            return redirect(url_for("squads.person", badge=created.badge_code))
    elif request.method == "POST":
        status = 400
    return render_template("squads/person_form.html", form=form, person=None), status


@bp.route("/personnel/<code:badge>/edit", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def edit_person(badge: str):
    """Change a person's details, squad, role, employment or status."""
    found = squads.get_person(db.session, badge)
    badge_code = found.badge_code
    if request.method == "GET":
        squad_row = db.session.get(Squad, found.squad_id) if found.squad_id else None
        form = PersonEditForm(data={
            "name": found.name, "phone": found.phone, "squad": squad_row.code if squad_row else "",
            "squad_role": found.squad_role.value, "employment": found.employment.value,
            "status": found.status.value, "joined_on": found.joined_on, "note": found.note})
    else:
        form = PersonEditForm()
    _with_squads(form)
    status = 200
    if form.validate_on_submit():
        try:
            squads.update_person(db.session, current_caller(), badge_code, **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("squads.person", badge=badge_code))
    elif request.method == "POST":
        status = 400
    return render_template("squads/person_form.html", form=form, person=found), status


@bp.route("/personnel/<code:badge>/qualifications", methods=["POST"])
@allow(*STOCK_MANAGERS)
def set_qualification(badge: str):
    """Record, renew or regrade one of a person's qualifications."""
    badge_code = squads.get_person(db.session, badge).badge_code
    form = _with_kinds(QualificationForm())
    status = 400
    if form.validate_on_submit():
        try:
            squads.set_qualification(db.session, current_caller(), badge_code, **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Qualification recorded."), "success")
            return redirect(url_for("squads.person", badge=badge_code))
    return _render_person(badge_code, form, status)


@bp.route("/personnel/<code:badge>/qualifications/<code:kind>/delete", methods=["POST"])
@allow(*STOCK_MANAGERS)
def remove_qualification(badge: str, kind: str):
    """Remove a qualification recorded by mistake."""
    badge_code = squads.get_person(db.session, badge).badge_code
    if not PostForm().validate_on_submit():
        return _render_person(badge_code, status=400)
    squads.remove_qualification(db.session, current_caller(), badge_code, kind)
    flash(_("Qualification removed."), "success")
    return redirect(url_for("squads.person", badge=badge_code))


class QualificationKinds(MethodView):
    """The kinds of qualification people can hold: everyone reads them, supply officers add."""

    def _render(self, form: QualificationKindForm, status: int = 200):
        kinds = squad_queries.qualification_kinds(db.session, include_inactive=True)
        return render_template("squads/qualification_kinds.html", form=form, kinds=kinds), status

    @signed_in
    def get(self):
        """List the kinds of qualification."""
        return self._render(QualificationKindForm(formdata=None))

    @allow(*STOCK_MANAGERS)
    def post(self):
        """Add a kind of qualification."""
        form = QualificationKindForm()
        status = 400
        if form.validate_on_submit():
            try:
                kind = squads.create_qualification_kind(db.session, current_caller(), code=form.code.data,
                                                        name_zh=form.name_zh.data, name_en=form.name_en.data,
                                                        graded=form.graded.data)
            except DomainError as error:
                form_errors_from(error, form)
                status = error.status
            else:
                flash(_("Qualification %(code)s added.", code=kind.code), "success")
                return redirect(url_for("squads.qualification_kinds"))
        return self._render(form, status)


bp.add_url_rule("/personnel/qualification-kinds", view_func=QualificationKinds.as_view("qualification_kinds"))


# --- compliance -------------------------------------------------------------------------------

def _render_compliance(failed: tuple[str, TargetForm] | None = None, status: int = 200):
    report = squad_queries.staffing_report(db.session, today())
    forms = {row.code: TargetForm(formdata=None, data={"threshold": row.threshold})
             for row, _assessment in report.assessments}
    if failed is not None:
        forms[failed[0]] = failed[1]
    kinds = {k.code: k for k in squad_queries.qualification_kinds(db.session, include_inactive=True)}
    return render_template("squads/compliance.html", report=report, forms=forms, kinds=kinds,
                           Measure=Measure), status


@bp.route("/compliance/staffing")
@signed_in
def compliance():
    """Show each staffing target against the force today, who counts, and what expires soon."""
    return _render_compliance()


@bp.route("/compliance/staffing/<code:code>", methods=["POST"])
@allow(Role.ADMIN)
def set_target(code: str):
    """Change a staffing target's threshold (administrators only)."""
    target = next((row for row in squad_queries.staffing_targets(db.session)
                   if row.code == code.upper()), None)
    if target is None:
        raise NotFound(N_("no staffing target %(code)s", code=code))
    target_code = target.code
    form = TargetForm()
    status = 400
    if form.validate_on_submit():
        try:
            squads.set_target_threshold(db.session, current_caller(), target_code, form.threshold.data)
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Target %(code)s changed.", code=target_code), "success")
            return redirect(url_for("squads.compliance", _anchor=f"target-{target_code}"))
    return _render_compliance((target_code, form), status)
