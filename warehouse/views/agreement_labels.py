"""Translated names of agreement statuses and standings, commitment periods and partner kinds."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from warehouse.domain.partners import (
    COUNTY_KINDS,
    DELIVERY_KINDS,
    DEPARTMENT_KINDS,
    AgreementStatus,
    PartnerKind,
    Period,
    Standing,
)

AGREEMENT_STATUS_LABELS = {
    AgreementStatus.DRAFT: _l("Draft"),
    AgreementStatus.ACTIVE: _l("Active"),
    AgreementStatus.EXPIRED: _l("Expired"),
    AgreementStatus.TERMINATED: _l("Terminated"),
}
STANDING_LABELS = {
    Standing.DRAFT: _l("Draft"),
    Standing.PENDING: _l("Not yet in force"),
    Standing.IN_FORCE: _l("In force"),
    Standing.EXPIRING: _l("Expiring"),
    Standing.EXPIRED: _l("Expired"),
    Standing.TERMINATED: _l("Terminated"),
}
# The list's standing filter: agreements callable today, or those a supply officer must renew.
STANDING_FILTER_LABELS = {"in_force": _l("In force today"),
                          "attention": _l("Needs attention (expiring or expired)")}
PERIOD_LABELS = {Period.TOTAL: _l("in total"), Period.PER_DAY: _l("per day")}
PARTNER_KIND_LABELS = {
    PartnerKind.EMERGENCY_MANAGEMENT: _l("Emergency management bureau"),
    PartnerKind.DEVELOPMENT_REFORM: _l("Development and reform commission"),
    PartnerKind.EARTHQUAKE: _l("Earthquake bureau"),
    PartnerKind.CIVIL_AFFAIRS: _l("Civil affairs bureau"),
    PartnerKind.WATER_RESOURCES: _l("Water resources bureau"),
    PartnerKind.SUPERMARKET: _l("Supermarket"),
    PartnerKind.AUTO_REPAIR: _l("Auto repair plant"),
    PartnerKind.OIL_DEPOT: _l("Oil depot"),
    PartnerKind.RESTAURANT: _l("Restaurant"),
    PartnerKind.MACHINERY: _l("Engineering machinery company"),
    PartnerKind.RAILWAY: _l("Railway"),
    PartnerKind.LOGISTICS: _l("Logistics company"),
    PartnerKind.OTHER: _l("Other"),
}
# Partner kinds grouped as the plan groups them, for the kind filter.
PARTNER_KIND_GROUPS = [
    (_l("Departments"), DEPARTMENT_KINDS),
    (_l("County partners"), COUNTY_KINDS),
    (_l("Delivery"), DELIVERY_KINDS),
    (_l("Other"), (PartnerKind.OTHER,)),
]
# For templates: AGREEMENT_LABELS.standing[row.standing], AGREEMENT_LABELS.period[line.period], ...
AGREEMENT_LABELS = {"status": AGREEMENT_STATUS_LABELS, "standing": STANDING_LABELS,
                    "standing_filter": STANDING_FILTER_LABELS, "period": PERIOD_LABELS,
                    "kind": PARTNER_KIND_LABELS, "kind_groups": PARTNER_KIND_GROUPS}


def amount(value) -> str:
    """Show a quantity without trailing zeros: 20, 2.5, 0.125."""
    if value is None:
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")
