"""The printed readiness report (战备状态报告): a PDF of the day's figures for a meeting."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from warehouse.access import signed_in
from warehouse.documents.readiness import (
    DeploymentLine,
    ExpiryLine,
    ModuleLine,
    ModuleShortfalls,
    ReadinessReport,
    ReportHeadings,
    ShortfallLine,
    TargetLine,
    readiness_pdf,
)
from warehouse.domain.partners import PartnerKind, Period
from warehouse.domain.readiness import Level
from warehouse.extensions import db
from warehouse.models.base import utcnow
from warehouse.queries import readiness as queries
from warehouse.queries.deployments import boxes_out, deployment_rows
from warehouse.queries.squads import staffing_report
from warehouse.queries.stock import depots
from warehouse.timezone import depot_zone
from warehouse.views.deployment_labels import DEPLOYMENT_KIND_LABELS
from warehouse.views.kits import EXPIRY_WARNING_DAYS
from warehouse.views.labels import UNIT_LABELS
from warehouse.views.partner_labels import PARTNER_KIND_LABELS, PERIOD_LABELS, SOURCE_LABELS, quantity_text
from warehouse.views.readiness_labels import LEVEL_LABELS, figure, target_label

bp = Blueprint("readiness_report", __name__)

# Source lines printed under a shortfall; the totals above them count every line.
SOURCE_LINES_SHOWN = 4


def _headings() -> ReportHeadings:
    """Return the report's words in the UI language (Chinese unless the user chose English)."""
    return ReportHeadings(
        title=_("Emergency materials readiness report"),
        depot=_("Depot"),
        as_of=_("As of"),
        printed=_("Printed"),
        printed_by=_("Printed by"),
        overall=_("Overall readiness"),
        modules=_("Readiness by module"),
        module_columns=(_("Code"), _("Module"), _("Required"), _("Ready"), _("Short"), _("Deployed"),
                        _("In restock"), _("Not built"), "%", _("Level"), _("Earliest expiry")),
        total=_("All modules"),
        soon_note=_("* expires within %(days)d days") % {"days": EXPIRY_WARNING_DAYS},
        shortfalls=_("Shortfalls and where to find them"),
        shortfall_columns=(_("Item"), _("Missing"), _("Where it is missing"), _("Where it could come from")),
        no_shortfalls=_("No module lacks anything."),
        targets=_("The plan's targets"),
        target_columns=(_("Target"), _("Required"), _("Actual"), _("Result"), _("Missing")),
        passed=_("Passed"),
        failed=_("Failed"),
        staffing=_("Staffing"),
        expiry=_("Expired and expiring materials"),
        expiry_columns=(_("Expires"), _("Item"), _("Lot"), _("Units"), _("Place")),
        expired=_("expired"),
        no_expiry=_("Nothing held expires soon."),
        deployments=_("Open deployments"),
        deployment_columns=(_("Code"), _("Name"), _("Kind"), _("Module"), _("Opened"), _("Due back"),
                            _("Boxes out"), _("Loose")),
        overdue=_("Overdue"),
        no_deployments=_("No deployment is open."),
        signatures=(_("Compiled by"), _("Reviewed by"), _("Commander's signature")),
        date=_("Date"),
        page=_("Page %(page)d of %(pages)d"),
    )


def _unit(item) -> str:
    return str(UNIT_LABELS.get(item.unit, item.unit))


def _hours(hours: int) -> str:
    return _("%(hours)d h") % {"hours": hours}


def _fastest(hours: int | None) -> str:
    return "" if hours is None else ", " + _("fastest %(hours)s") % {"hours": _hours(hours)}


def _sources(shortfall, locale: str) -> tuple[str, ...]:
    """Write out where a shortfall could come from: loose stock, stockpiles, agreements, their lines."""
    sources = shortfall.sources
    if sources is None:
        return ()
    unit = _unit(shortfall.item)
    lines = [_("Loose in the depot: %(units)d %(unit)s") % {"units": sources.loose, "unit": unit}]
    if shortfall.covered_by_loose:
        lines[0] += " — " + _("enough to restock the boxes")
    if sources.stockpiles:
        held = _("Department stockpiles: %(quantity)s") % {"quantity": quantity_text(sources.stockpiles)}
        lines.append(held + _fastest(sources.stockpile_hours))
    amounts = []
    if sources.committed:
        amounts.append(_("%(quantity)s in all") % {"quantity": quantity_text(sources.committed)})
    if sources.committed_per_day:
        amounts.append(_("%(quantity)s per day") % {"quantity": quantity_text(sources.committed_per_day)})
    if amounts:
        lines.append(_("Agreements: %(amounts)s") % {"amounts": ", ".join(amounts)}
                     + _fastest(sources.agreement_hours))
    if not sources.outside:
        lines.append(_("No stockpile or agreement lists it."))
    ranked = sorted(sources.rows, key=lambda r: (r.response_hours is None, r.response_hours or 0))
    for row in ranked[:SOURCE_LINES_SHOWN]:
        partner = row.partner.display_name(locale) if row.partner else ""
        number = f" {row.agreement_number}" if row.agreement_number else ""
        period = f" {PERIOD_LABELS[Period(row.period)]}" if row.period == Period.PER_DAY else ""
        hours = "" if row.response_hours is None else f", {_hours(row.response_hours)}"
        lines.append(f"· {SOURCE_LABELS[row.source]}: {partner}{number} {quantity_text(row.quantity)} {unit}"
                     f"{period}{hours}")
    if len(ranked) > SOURCE_LINES_SHOWN:
        lines.append(_("and %(count)d more") % {"count": len(ranked) - SOURCE_LINES_SHOWN})
    return tuple(lines)


def _where(gap) -> str:
    parts = []
    if gap.in_boxes:
        parts.append(_("%(units)d in %(boxes)d boxes") % {"units": gap.in_boxes, "boxes": gap.boxes})
    if gap.unbuilt:
        parts.append(_("%(units)d for boxes not built") % {"units": gap.unbuilt})
    return "; ".join(parts)


def _module_line(status, on, locale: str) -> ModuleLine:
    expiry = status.earliest_expiry
    return ModuleLine(
        code=status.module.code, name=status.module.name(locale), required=status.required,
        ready=status.counted_ready, short=status.short, deployed=status.deployed,
        restocking=status.restocking, unbuilt=status.unbuilt,
        percent=status.percent if status.level is not Level.NONE else None,
        level=status.level.value, level_word=str(LEVEL_LABELS[status.level]), earliest_expiry=expiry,
        expiry_soon=expiry is not None and (expiry - on).days <= EXPIRY_WARNING_DAYS)


def _shortfalls(state, locale: str) -> tuple[ModuleShortfalls, ...]:
    return tuple(
        ModuleShortfalls(f"{status.module.code} {status.module.name(locale)}", tuple(
            ShortfallLine(item=f"{s.item.sku} {s.item.name(locale)}", missing=f"{s.missing} {_unit(s.item)}",
                          where=_where(s.gap), sources=_sources(s, locale))
            for s in status.shortfalls))
        for status in state.modules)


def _totals(totals, headings: ReportHeadings) -> ModuleLine:
    return ModuleLine(
        code="", name=headings.total, required=totals.required, ready=totals.ready, short=totals.short,
        deployed=totals.deployed, restocking=totals.restocking, unbuilt=totals.unbuilt,
        percent=totals.percent if totals.level is not Level.NONE else None, level=totals.level.value,
        level_word=str(LEVEL_LABELS[totals.level]))


def _overall_counts(totals) -> tuple[str, str]:
    by_level = ", ".join(f"{LEVEL_LABELS[level]} {totals.levels[level]}"
                         for level in (Level.GOOD, Level.FAIR, Level.POOR, Level.NONE)
                         if totals.levels.get(level))
    return (
        _("%(required)d boxes required: %(ready)d ready, %(short)d short, %(deployed)d deployed, "
          "%(restocking)d in restock, %(unbuilt)d not built") % {
            "required": totals.required, "ready": totals.ready, "short": totals.short,
            "deployed": totals.deployed, "restocking": totals.restocking, "unbuilt": totals.unbuilt},
        _("Modules: %(levels)s") % {"levels": by_level or "—"})


def _target(check) -> TargetLine:
    # A count of named things reads "4 / 5": how many of how many the target looks at.
    of = f" / {check.base}" if check.base is not None and check.unit != "%" else ""
    return TargetLine(name=str(target_label(check)), threshold=figure(check.threshold, check.unit),
                      actual=figure(check.actual, check.unit) + of, passed=check.passed,
                      missing=", ".join(_missing(code) for code in check.missing))


def _missing(code: str) -> str:
    """Name a missing partner kind in words ("LS:oil_depot" -> "LS: Oil depot"); other codes as they are."""
    place, _sep, kind = code.rpartition(":")
    try:
        words = str(PARTNER_KIND_LABELS[PartnerKind(kind)])
    except ValueError:
        return code
    return f"{place}: {words}" if place else words


def _staffing(staffing) -> tuple[str, ...]:
    return (
        _("Support staff: %(total)d (standing squads %(standing)d, mobile squads %(mobile)d)") % {
            "total": staffing.staff_total, "standing": staffing.standing, "mobile": staffing.mobile},
        _("Staffing targets met: %(passed)d of %(total)d") % {
            "passed": staffing.passed, "total": len(staffing.assessments)},
        _("Qualifications to renew soon: %(count)d") % {"count": len(staffing.expiring)})


def _expiry(session, on, locale: str) -> tuple[str, tuple[ExpiryLine, ...]]:
    expiry = queries.expiry_summary(session, on, days=EXPIRY_WARNING_DAYS)
    summary = _("Expired: %(expired_lots)d lots, %(expired_units)d units. Expiring within %(days)d days: "
                "%(expiring_lots)d lots, %(expiring_units)d units.") % {
        "expired_lots": expiry.expired_lots, "expired_units": expiry.expired_units, "days": expiry.days,
        "expiring_lots": expiry.expiring_lots, "expiring_units": expiry.expiring_units}
    lines = tuple(
        ExpiryLine(expires_on=row.expires_on,
                   item=f"{row.sku} {row.name_en if locale == 'en' else row.name_zh}",
                   lot=row.lot or "", units=f"{row.units} {UNIT_LABELS.get(row.unit, row.unit)}",
                   place=row.place + (f" (+{row.places - 1})" if row.places > 1 else ""),
                   expired=row.expires_on < on)
        for row in expiry.soonest)
    return summary, lines


def _deployments(session) -> tuple[DeploymentLine, ...]:
    rows = deployment_rows(session, open=True)
    out = boxes_out(session, [row.deployment.id for row in rows])
    zone = depot_zone()
    return tuple(
        DeploymentLine(code=d.code, name=d.name, kind=str(DEPLOYMENT_KIND_LABELS[d.kind]),
                       module=row.module_code or "", opened=d.opened_at.astimezone(zone),
                       due=d.expected_return_at.astimezone(zone), overdue=row.overdue,
                       boxes=tuple(out.get(d.id, ())), loose=row.loose_out)
        for row in rows for d in (row.deployment,))


def _report(locale: str) -> ReadinessReport:
    """Gather the day's readiness, targets, staffing, expiry and deployments into a report."""
    session = db.session
    printed_at = utcnow().astimezone(depot_zone())
    on = printed_at.date()
    state = queries.readiness(session, on)
    totals = state.totals
    headings = _headings()
    staffing = staffing_report(session, on)
    checks = queries.plan_checks(session, on, staffing=staffing)
    expiry_summary, expiring = _expiry(session, on, locale)
    return ReadinessReport(
        headings=headings,
        depot="; ".join(f"{depot.code} {depot.name}" for depot in depots(session)) or "—",
        on=on, printed_at=printed_at,
        printed_by=current_user.display_name or current_user.username,
        overall=(f"{totals.percent}%  {LEVEL_LABELS[totals.level]}" if totals.level is not Level.NONE
                 else str(LEVEL_LABELS[Level.NONE])),
        overall_level=totals.level.value,
        overall_counts=_overall_counts(totals),
        modules=tuple(_module_line(status, on, locale) for status in state.modules),
        totals=_totals(totals, headings) if state.modules else None,
        shortfalls=_shortfalls(state, locale),
        targets=tuple(_target(row.check) for row in checks),
        targets_summary=_("%(met)d of %(total)d targets met") % {
            "met": sum(1 for row in checks if row.check.passed), "total": len(checks)},
        staffing=_staffing(staffing),
        expiry_summary=expiry_summary,
        expiring=expiring,
        deployments=_deployments(session),
    )


@bp.route("/readiness/report.pdf")
@signed_in
def pdf():
    """Download the day's readiness report as an A4 PDF, in the UI language."""
    locale = str(get_locale())
    report = _report(locale)
    return Response(readiness_pdf(report, locale), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="readiness-{report.on.isoformat()}.pdf"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    })
