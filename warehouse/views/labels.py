"""Translated names of roles, languages, audit events and stock terms, shown on pages."""

from flask_babel import lazy_gettext as _l

from warehouse.domain.accounts import Role
from warehouse.domain.kits import BoxType, InspectionOutcome, KitStatus
from warehouse.domain.stock import LocationKind, Purpose, Reason, StockStatus, StocktakeStatus, Tracking, Unit
from warehouse.models.audit import AuditAction

ROLE_LABELS = {
    Role.LOGISTICS: _l("Logistics staff"),
    Role.SUPPLY_OFFICER: _l("Supply officer"),
    Role.COMMANDER: _l("Commander"),
    Role.ADMIN: _l("Administrator"),
}
LOCALE_LABELS = {"zh": "中文", "en": "English"}
AUDIT_LABELS = {
    AuditAction.LOGIN: _l("Signed in"),
    AuditAction.LOGIN_FAILED: _l("Failed sign-in"),
    AuditAction.LOGOUT: _l("Signed out"),
    AuditAction.USER_CREATED: _l("User created"),
    AuditAction.USER_UPDATED: _l("User changed"),
    AuditAction.ROLE_CHANGED: _l("Role changed"),
    AuditAction.USER_DISABLED: _l("User disabled"),
    AuditAction.USER_ENABLED: _l("User enabled"),
    AuditAction.PASSWORD_CHANGED: _l("Password changed"),
    AuditAction.TOKEN_ISSUED: _l("Token issued"),
    AuditAction.TOKEN_REVOKED: _l("Token revoked"),
}

# --- stock ------------------------------------------------------------------------------------
UNIT_LABELS = {
    Unit.PIECE: _l("piece"), Unit.SET: _l("set"), Unit.PAIR: _l("pair"), Unit.BOX: _l("box"),
    Unit.PACK: _l("pack"), Unit.BAG: _l("bag"), Unit.BOTTLE: _l("bottle"), Unit.DRUM: _l("drum"),
    Unit.JERRYCAN: _l("jerrycan"), Unit.CAN: _l("can"), Unit.ROLL: _l("roll"),
    Unit.METRE: _l("metre"), Unit.LITRE: _l("litre"), Unit.KG: _l("kg"), Unit.SHEET: _l("sheet"),
    Unit.CYLINDER: _l("cylinder"),
}
TRACKING_LABELS = {
    Tracking.BULK: _l("Bulk (counted)"),
    Tracking.LOT: _l("By lot"),
    Tracking.SERIAL: _l("By serial number"),
}
KIND_LABELS = {
    LocationKind.DEPOT: _l("Depot"), LocationKind.ZONE: _l("Zone"), LocationKind.RACK: _l("Rack"),
    LocationKind.BIN: _l("Bin"), LocationKind.KIT: _l("Kit box"),
    LocationKind.QUARANTINE: _l("Quarantine"), LocationKind.DEPLOYED: _l("Deployed"),
}
REASON_LABELS = {
    Reason.RECEIVE: _l("Receipt"), Reason.MOVE: _l("Move"), Reason.ISSUE: _l("Issue"),
    Reason.ADJUST: _l("Adjustment"), Reason.COUNT: _l("Stocktake"), Reason.INTO_KIT: _l("Into kit"),
    Reason.OUT_OF_KIT: _l("Out of kit"), Reason.CONSUME: _l("Consumed"), Reason.DISPOSE: _l("Disposal"),
}
PURPOSE_LABELS = {
    Purpose.INCIDENT: _l("Incident"), Purpose.DRILL: _l("Drill"), Purpose.TRAINING: _l("Training"),
    Purpose.MAINTENANCE: _l("Maintenance"), Purpose.TRANSFER: _l("Transfer"), Purpose.OTHER: _l("Other"),
}
STATUS_LABELS = {
    StockStatus.AVAILABLE: _l("Available"), StockStatus.QUARANTINED: _l("Quarantined"),
    StockStatus.EXPIRED: _l("Expired"), StockStatus.DEPLOYED: _l("Deployed"),
}
STOCKTAKE_LABELS = {
    StocktakeStatus.COUNTING: _l("Counting"), StocktakeStatus.SUBMITTED: _l("Awaiting approval"),
    StocktakeStatus.APPROVED: _l("Approved"), StocktakeStatus.CANCELLED: _l("Cancelled"),
}
# Every label table, for templates: LABELS.unit[item.unit], LABELS.reason[row.reason], ...
STOCK_LABELS = {"unit": UNIT_LABELS, "tracking": TRACKING_LABELS, "kind": KIND_LABELS,
                "reason": REASON_LABELS, "purpose": PURPOSE_LABELS, "status": STATUS_LABELS,
                "stocktake": STOCKTAKE_LABELS}

# --- kits -------------------------------------------------------------------------------------
BOX_TYPE_LABELS = {
    BoxType.PALLET_BOX: _l("Pallet box"), BoxType.CASE: _l("Case"), BoxType.BAG: _l("Bag"),
    BoxType.CABINET: _l("Wheeled cabinet"), BoxType.CYLINDER_RACK: _l("Cylinder rack"),
}
KIT_STATUS_LABELS = {
    KitStatus.ASSEMBLING: _l("Assembling"), KitStatus.READY: _l("Ready"), KitStatus.SHORT: _l("Short"),
    KitStatus.DEPLOYED: _l("Deployed"), KitStatus.RETURNED: _l("Returned, to inspect"),
    KitStatus.RESTOCKING: _l("Restocking"), KitStatus.QUARANTINED: _l("Quarantined"),
    KitStatus.RETIRED: _l("Retired"),
}
OUTCOME_LABELS = {
    InspectionOutcome.PASSED: _l("Passed"), InspectionOutcome.DEFECTS: _l("Defects noted"),
    InspectionOutcome.FAILED: _l("Failed"),
}
# For templates: KIT_LABELS.status[row.effective_status], KIT_LABELS.box_type[template.box_type], ...
KIT_LABELS = {"status": KIT_STATUS_LABELS, "box_type": BOX_TYPE_LABELS, "outcome": OUTCOME_LABELS}
