"""Translated labels of the agreement pages; the shared ones come from the partner pages."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from warehouse.views.partner_labels import (
    AGREEMENT_STATUS_LABELS,
    KIND_GROUPS,
    PARTNER_KIND_LABELS,
    PERIOD_LABELS,
    STANDING_LABELS,
    quantity_text,
)

# The list's standing filter: agreements callable today, or those a supply officer must renew.
STANDING_FILTER_LABELS = {"in_force": _l("In force today"),
                          "attention": _l("Needs attention (expiring or expired)")}
# Partner kinds grouped as the plan groups them, for the kind filter.
PARTNER_KIND_GROUPS = list(KIND_GROUPS.values())
# For templates: AGREEMENT_LABELS.standing[row.standing], AGREEMENT_LABELS.period[line.period], ...
AGREEMENT_LABELS = {"status": AGREEMENT_STATUS_LABELS, "standing": STANDING_LABELS,
                    "standing_filter": STANDING_FILTER_LABELS, "period": PERIOD_LABELS,
                    "kind": PARTNER_KIND_LABELS, "kind_groups": PARTNER_KIND_GROUPS}


def amount(value: Decimal | None) -> str:
    """Show a quantity without trailing zeros: 20, 2.5, 0.125 (a dash for none)."""
    return "—" if value is None else quantity_text(value)
