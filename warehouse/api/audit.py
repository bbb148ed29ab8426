"""/api/v1/audit-events: the audit log (admins)."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import allow
from warehouse.api import ResourceBlueprint
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.queries.accounts import audit_page
from warehouse.schemas.audit import AuditEventSchema, AuditListArgsSchema
from warehouse.schemas.common import page_of

PREFIX = "/audit-events"
blp = ResourceBlueprint("api_audit", __name__, description="Who signed in, changed users or tokens")


@blp.route("")
class AuditEvents(MethodView):
    @allow(Role.ADMIN)
    @blp.arguments(AuditListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(AuditEventSchema))
    def get(self, args):
        """List audit events, newest first."""
        return audit_page(db.session, **args).as_dict()
