"""Translated names of partner kinds and their groups, agreement standings, reserve sources and periods."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from warehouse.domain.partners import (
    COUNTY_KINDS,
    DELIVERY_KINDS,
    DEPARTMENT_KINDS,
    AgreementStatus,
    PartnerKind,
    Period,
    Source,
    Standing,
)

PARTNER_KIND_LABELS = {
    PartnerKind.EMERGENCY_MANAGEMENT: _l("Emergency management"),
    PartnerKind.DEVELOPMENT_REFORM: _l("Development and reform"),
    PartnerKind.EARTHQUAKE: _l("Earthquake"),
    PartnerKind.CIVIL_AFFAIRS: _l("Civil affairs"),
    PartnerKind.WATER_RESOURCES: _l("Water resources"),
    PartnerKind.SUPERMARKET: _l("Supermarket"),
    PartnerKind.AUTO_REPAIR: _l("Auto repair plant"),
    PartnerKind.OIL_DEPOT: _l("Oil depot"),
    PartnerKind.RESTAURANT: _l("Restaurant"),
    PartnerKind.MACHINERY: _l("Engineering machinery"),
    PartnerKind.RAILWAY: _l("Railway"),
    PartnerKind.LOGISTICS: _l("Logistics company"),
    PartnerKind.OTHER: _l("Other"),
}
# The plan's four groups of partners; the registry filters by a group or by one kind.
KIND_GROUPS = {
    "departments": (_l("Departments (stockpiles)"), DEPARTMENT_KINDS),
    "county": (_l("County partners"), COUNTY_KINDS),
    "delivery": (_l("Delivery partners"), DELIVERY_KINDS),
    "other": (_l("Other"), (PartnerKind.OTHER,)),
}
GROUP_LABELS = {
    "departments": _l("All departments"),
    "county": _l("All county partners"),
    "delivery": _l("All delivery partners"),
}
STANDING_LABELS = {
    Standing.DRAFT: _l("Draft"),
    Standing.PENDING: _l("Not yet in force"),
    Standing.IN_FORCE: _l("In force"),
    Standing.EXPIRING: _l("Expiring"),
    Standing.EXPIRED: _l("Expired"),
    Standing.TERMINATED: _l("Terminated"),
}
AGREEMENT_STATUS_LABELS = {
    AgreementStatus.DRAFT: _l("Draft"),
    # Not "Active": that word reads 已启用 (switched on) elsewhere in the product.
    AgreementStatus.ACTIVE: _l("In effect"),
    AgreementStatus.EXPIRED: _l("Expired"),
    AgreementStatus.TERMINATED: _l("Terminated"),
}
SOURCE_LABELS = {Source.DEPOT: _l("Our depot"), Source.STOCKPILE: _l("Department stockpile"),
                 Source.AGREEMENT: _l("Support agreement")}
PERIOD_LABELS = {Period.TOTAL: _l("in all"), Period.PER_DAY: _l("per day")}
# For templates: PARTNER_LABELS.kind[partner.kind], PARTNER_LABELS.standing[row.standing], ...
PARTNER_LABELS = {"kind": PARTNER_KIND_LABELS, "groups": KIND_GROUPS, "group": GROUP_LABELS,
                  "standing": STANDING_LABELS, "status": AGREEMENT_STATUS_LABELS,
                  "source": SOURCE_LABELS, "period": PERIOD_LABELS}


def quantity_text(value) -> str:
    """Write a quantity without trailing zeros or exponent: 20, 2.5, 1000."""
    if value is None:
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{number.normalize():f}"


def tel_uri(phone: str | None) -> str:
    """Return a tel: address for a phone as typed (spaces, brackets and dashes dropped)."""
    return "tel:" + "".join(ch for ch in phone or "" if ch.isdigit() or ch == "+")
