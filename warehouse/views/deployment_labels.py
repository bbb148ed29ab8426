"""Translated names of deployment kinds, list states, scan actions and scan results."""

from flask_babel import lazy_gettext as _l

from warehouse.domain.deployments import DeploymentKind, ScanAction, ScanResult

DEPLOYMENT_KIND_LABELS = {
    DeploymentKind.INCIDENT: _l("Incident"),
    DeploymentKind.DRILL: _l("Drill"),
    DeploymentKind.EXERCISE: _l("Readiness exercise"),
    DeploymentKind.LEND: _l("Loan to another unit"),
}
# The list's state filter: open ones ("under way": "Open" already names a button), closed ones, or
# open ones past their expected return.
STATE_LABELS = {"open": _l("Under way"), "overdue": _l("Overdue"), "closed": _l("Closed")}
SCAN_ACTION_LABELS = {ScanAction.CHECK_OUT: _l("Check out"), ScanAction.CHECK_IN: _l("Check in"),
                      ScanAction.LOOKUP: _l("Look up")}
SCAN_RESULT_LABELS = {
    ScanResult.CHECKED_OUT: _l("Checked out"),
    ScanResult.CHECKED_IN: _l("Checked in"),
    ScanResult.FOUND: _l("Found"),
    ScanResult.UNDONE: _l("Undone"),
    ScanResult.INVALID: _l("Unreadable"),
    ScanResult.NOT_FOUND: _l("Unknown code"),
    ScanResult.WRONG_KIND: _l("Not a box"),
    ScanResult.CONFLICT: _l("Refused"),
    ScanResult.FORBIDDEN: _l("Not allowed"),
}
# For templates: DEPLOYMENT_LABELS.kind[deployment.kind], DEPLOYMENT_LABELS.result[event.result], ...
DEPLOYMENT_LABELS = {"kind": DEPLOYMENT_KIND_LABELS, "state": STATE_LABELS, "action": SCAN_ACTION_LABELS,
                     "result": SCAN_RESULT_LABELS}
