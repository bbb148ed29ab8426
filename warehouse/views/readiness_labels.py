"""Translated names of readiness levels and the plan's targets, and how a target's figure reads."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from warehouse.domain.readiness import Level, PlanCheck, PlanMeasure
from warehouse.views.squad_labels import TARGET_LABELS as STAFFING_TARGET_LABELS

LEVEL_LABELS = {
    Level.GOOD: _l("Ready"),
    Level.FAIR: _l("Partly ready"),
    Level.POOR: _l("Not ready"),
    Level.NONE: _l("Nothing required"),
}
# A mark beside each level's colour and words, so the level never rests on colour alone.
LEVEL_ICONS = {Level.GOOD: "✔", Level.FAIR: "▲", Level.POOR: "✖", Level.NONE: "–"}
PLAN_TARGET_LABELS = {
    PlanMeasure.DEPOT_AREA: _l("Reserve depot floor area"),
    PlanMeasure.CATEGORIES: _l("Material categories stocked, with minimum levels"),
    PlanMeasure.MODULES: _l("Priority disaster modules defined with required boxes"),
    PlanMeasure.STOCKPILES: _l("Government departments' stockpiles in the reserve list"),
    PlanMeasure.COUNTY_AGREEMENTS: _l("Each county/district: agreements with every kind of county partner"),
    PlanMeasure.DELIVERY_AGREEMENTS: _l("Delivery agreements with a railway and a logistics company"),
}
# Where the records behind each target are kept (endpoint, arguments).
PLAN_TARGET_LINKS = {
    PlanMeasure.DEPOT_AREA: ("locations.floor_plan", {}),
    PlanMeasure.CATEGORIES: ("reports.index", {}),
    PlanMeasure.MODULES: ("kits.overview", {}),
    PlanMeasure.STOCKPILES: ("partners.index", {"kind": "departments"}),
    PlanMeasure.COUNTY_AGREEMENTS: ("partners.index", {"kind": "county"}),
    PlanMeasure.DELIVERY_AGREEMENTS: ("partners.index", {"kind": "delivery"}),
}
STAFFING_LINK = ("squads.compliance", {})


def target_label(check: PlanCheck):
    """Return what a target asks, in the UI language (staffing targets keep the squads' names)."""
    try:
        return PLAN_TARGET_LABELS[PlanMeasure(check.code)]
    except ValueError:
        return STAFFING_TARGET_LABELS.get(check.code, check.code)


def target_link(check: PlanCheck) -> str:
    """Return the page that lists the records behind a target."""
    try:
        endpoint, args = PLAN_TARGET_LINKS[PlanMeasure(check.code)]
    except ValueError:
        endpoint, args = STAFFING_LINK
    return url_for(endpoint, **args)


def figure(value: float, unit: str) -> str:
    """Return a target's figure as printed: whole numbers without decimals, then the unit."""
    number = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{number}{'' if not unit else (' ' + unit if unit != '%' else unit)}"


def readiness_labels() -> dict:
    """Return the helpers readiness templates use."""
    return {"LEVEL_LABELS": LEVEL_LABELS, "LEVEL_ICONS": LEVEL_ICONS, "target_label": target_label,
            "target_link": target_link, "figure": figure}
