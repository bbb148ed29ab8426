"""Roster PDFs for registration (登记备案): one squad, or the whole support force."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, Response
from flask_babel import get_locale
from flask_babel import gettext as _

from warehouse.access import signed_in
from warehouse.documents.roster import (
    Roster,
    RosterHeadings,
    RosterPerson,
    RosterQualification,
    RosterSquad,
    render_roster,
)
from warehouse.domain.squads import (
    is_valid_on,
)
from warehouse.extensions import db
from warehouse.models import Person
from warehouse.models.base import utcnow
from warehouse.queries import squads as queries
from warehouse.queries.kits import modules
from warehouse.services.squads import get_squad
from warehouse.timezone import depot_zone
from warehouse.views.squad_labels import (
    EMPLOYMENT_LABELS,
    FUNCTION_LABELS,
    GRADE_LABELS,
    PERSON_STATUS_LABELS,
    SQUAD_KIND_LABELS,
    SQUAD_ROLE_LABELS,
)

bp = Blueprint("rosters", __name__)



def _headings(title: str, *, summary: str = "") -> RosterHeadings:
    """Return the roster's words in the UI language (Chinese unless the user chose English)."""
    return RosterHeadings(
        title=title,
        printed=_("Printed"),
        kind=_("Squad type"),
        function=_("Support function"),
        station=_("Home station"),
        leader=_("Squad leader"),
        modules=_("Specialised modules"),
        strength=_("Strength"),
        counts=_("%(active)d on duty, %(on_leave)d on leave, %(total)d in all"),
        columns=(_("Serial no."), _("Full name"), _("Badge code"), _("Squad role"), _("Employment"),
                 _("Status"), _("Phone"), _("Qualifications (grade, valid until)")),
        valid_until=_("valid until"),
        lapsed=_("not valid"),
        no_members=_("No members registered in this squad."),
        no_squads=_("No active squads are registered."),
        signatures=(_("Prepared by"), _("Reviewed by"), _("Signature of the person in charge")),
        date=_("Date"),
        page=_("Page %(page)d of %(pages)d"),
        summary=summary,
    )


def _person(person: Person, on, locale: str) -> RosterPerson:
    qualifications = tuple(
        RosterQualification(
            kind=q.kind.name(locale), grade=str(GRADE_LABELS[q.grade]) if q.grade else "",
            certificate_no=q.certificate_no, expires_on=q.expires_on,
            lapsed=not is_valid_on(q.issued_on, q.expires_on, on))
        for q in sorted(person.qualifications, key=lambda q: (q.kind.position, q.kind.code)))
    return RosterPerson(name=person.name, badge_code=person.badge_code,
                        role=str(SQUAD_ROLE_LABELS[person.squad_role]),
                        employment=str(EMPLOYMENT_LABELS[person.employment]),
                        status=str(PERSON_STATUS_LABELS[person.status]), phone=person.phone,
                        qualifications=qualifications)


def _roster(rows: list[queries.SquadRow], people: list[Person], headings: RosterHeadings) -> Roster:
    """Assemble the roster of these squads and their people, printed now at the depot."""
    locale = str(get_locale())
    printed_at = utcnow().astimezone(depot_zone())
    module_names = {m.code: m.name_en if locale == "en" else m.name_zh
                    for m in modules(db.session, include_inactive=True)}
    by_squad: dict[int, list[RosterPerson]] = defaultdict(list)
    for person in people:
        by_squad[person.squad_id].append(_person(person, printed_at.date(), locale))
    squads = tuple(
        RosterSquad(
            code=row.squad.code, name=row.squad.name(locale), kind=str(SQUAD_KIND_LABELS[row.squad.kind]),
            function=str(FUNCTION_LABELS[row.squad.function]), station=row.squad.home_station,
            leader_name=row.leader_name or "", leader_badge=row.leader_badge or "",
            modules=tuple(f"{code} {module_names.get(code, '')}".strip() for code in row.module_codes),
            active=row.active, on_leave=row.on_leave, total=row.total,
            people=tuple(by_squad[row.squad.id]))
        for row in rows)
    return Roster(headings=headings, squads=squads, printed_at=printed_at)


def _pdf(roster: Roster, name: str) -> Response:
    """Return the roster as a PDF attachment named for what it holds and the day printed."""
    filename = f"roster-{name}-{roster.printed_at:%Y-%m-%d}.pdf"
    return Response(render_roster(roster), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@bp.route("/squads/roster.pdf")
@signed_in
def force_roster():
    """Download the whole support force's roster: active squads, everyone who has not left."""
    rows = queries.squad_rows(db.session)
    people = queries.squad_roster(db.session)
    summary = _("%(squads)d squads, %(people)d people")
    roster = _roster(rows, people, _headings(_("Modular support squads: personnel registration roster"),
                                              summary=summary))
    return _pdf(roster, "all")


@bp.route("/squads/<code:code>/roster.pdf")
@signed_in
def squad_roster(code: str):
    """Download one squad's roster (also of a deactivated squad): everyone who has not left."""
    squad = get_squad(db.session, code)
    rows = queries.squad_rows(db.session, squad_id=squad.id)
    people = queries.squad_roster(db.session, squad.id)
    return _pdf(_roster(rows, people, _headings(_("Support squad personnel roster"))), squad.code)
