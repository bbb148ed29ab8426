"""Translated names of roles, languages and audit events, shown on pages."""

from flask_babel import lazy_gettext as _l

from warehouse.domain.accounts import Role
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
