"""The home page, one per role, showing only what the system already holds."""

from flask import Blueprint, render_template
from flask_login import current_user

from warehouse.access import PARTNER_KEEPERS, signed_in
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models.base import utcnow
from warehouse.queries.accounts import active_token_count, active_users_by_role
from warehouse.queries.catalogue import categories
from warehouse.queries.deployments import boxes_out, deployment_rows
from warehouse.queries.kits import module_readiness
from warehouse.queries.partners import alerts as partner_alerts
from warehouse.queries.squads import staffing_report
from warehouse.timezone import today
from warehouse.views.deployments import overdue_for
from warehouse.views.kits import current_thresholds, readiness_level
from warehouse.views.partners import partner_helpers

bp = Blueprint("home", __name__)
# Who sees the staffing summary: those who answer for the squads being staffed to the plan.
STAFFING_ROLES = (Role.COMMANDER, Role.SUPPLY_OFFICER)
# Who sees the partner alerts: in full those who keep partners, as a count the commanders.
PARTNER_ALERT_ROLES = (*PARTNER_KEEPERS, Role.COMMANDER)
# Longer lists end with a link to the whole list.
ALERTS_SHOWN = 10


@bp.route("/")
@signed_in
def index():
    """Show the signed-in user's home page."""
    figures = {
        "categories": categories(db.session),
        "my_tokens": active_token_count(db.session, current_user.id),
        "users_by_role": active_users_by_role(db.session)
        if current_user.role == Role.ADMIN else None,
        "modules": module_readiness(db.session, today()),
        "readiness_level": readiness_level,
        "READY_GOOD_PERCENT": current_thresholds().good, "READY_FAIR_PERCENT": current_thresholds().fair,
        "staffing": staffing_report(db.session, today()) if current_user.role in STAFFING_ROLES else None,
        **_deployments(),
        **_partners(),
    }
    return render_template("home/index.html", **figures)


def _deployments() -> dict:
    """Return what every role sees of deployments: how many are open, and the overdue ones."""
    open_rows = deployment_rows(db.session, open=True)
    # The overdue ones are among the open rows; their boxes out come in one query.
    late = sorted((r for r in open_rows if r.overdue), key=lambda r: r.deployment.expected_return_at)
    boxes = boxes_out(db.session, [r.deployment.id for r in late]) if late else {}
    return {"open_deployments": len(open_rows), "boxes_out": sum(r.kits_out for r in open_rows),
            "overdue": [(row, boxes.get(row.deployment.id, [])) for row in late],
            "overdue_for": overdue_for}


def _partners() -> dict:
    """Return the partner alerts (agreements ending or ended, partners out of touch) in one call."""
    if current_user.role not in PARTNER_ALERT_ROLES:
        return {"partner_alerts": None}
    return {"partner_alerts": partner_alerts(db.session, on=today(), now=utcnow()),
            "partner_alert_details": current_user.role in PARTNER_KEEPERS, "ALERTS_SHOWN": ALERTS_SHOWN,
            **partner_helpers()}
