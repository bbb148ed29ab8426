"""The scan station: one page where a handheld scanner or a phone camera sends boxes out and back."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from warehouse.access import DEPLOYERS, allow
from warehouse.domain.deployments import ScanAction
from warehouse.extensions import db
from warehouse.queries.deployments import open_choices
from warehouse.routing import MAX_ID
from warehouse.services.deployments import CONFIRMERS
from warehouse.views.deployment_labels import DEPLOYMENT_KIND_LABELS, SCAN_RESULT_LABELS
from warehouse.views.labels import KIT_STATUS_LABELS

bp = Blueprint("station", __name__)

MODES = tuple(action.value for action in ScanAction)


def _address(endpoint: str, argument: str) -> str:
    """Return a route's address with {id} where the script puts a row id."""
    return url_for(endpoint, **{argument: MAX_ID}).replace(str(MAX_ID), "{id}")


def _chosen(choices, wanted: int | None) -> int | None:
    """Return the requested deployment if it is open (a closed or unknown one is not preselected)."""
    return wanted if any(d.id == wanted for d in choices) else None


@bp.route("/station")
@allow(*DEPLOYERS)
def index():
    """Show the scan station: choose a deployment and a mode, then scan boxes out, in, or look them up."""
    choices = open_choices(db.session)
    wanted = request.args.get("deployment", type=int)
    selected = _chosen(choices, wanted)
    mode = request.args.get("mode")
    if mode not in MODES:
        mode = ScanAction.CHECK_OUT.value
    deployment_url = _address("deployments.show", "deployment_id")
    return render_template(
        "station/index.html", choices=choices, selected=selected, mode=mode,
        unknown_deployment=wanted is not None and selected is None,
        can_override=current_user.role in CONFIRMERS,
        scan_url=url_for("api_scans.Scans"),
        undo_url=_address("api_scans.UndoScan", "scan_id"), deployment_url=deployment_url,
        kind_labels=DEPLOYMENT_KIND_LABELS, result_labels=SCAN_RESULT_LABELS, status_labels=KIT_STATUS_LABELS)
