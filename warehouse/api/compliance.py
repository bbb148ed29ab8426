"""/api/v1/compliance: the plan's staffing targets against the support force, live."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.queries.squads import staffing_report
from warehouse.schemas.squads import (
    StaffingArgsSchema,
    StaffingReportSchema,
    TargetSchema,
    TargetUpdateSchema,
    target_pair,
)
from warehouse.services import squads
from warehouse.timezone import today

PREFIX = "/compliance"
blp = ResourceBlueprint("api_compliance", __name__,
                        description="Compliance with the plan: staffing targets, pass or fail, who counts")


@blp.route("/staffing")
class Staffing(MethodView):
    @signed_in
    @blp.arguments(StaffingArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, StaffingReportSchema)
    def get(self, args):
        """Assess each staffing target on a day (default today) and list qualifications to renew."""
        return staffing_report(db.session, args.get("on") or today())


@blp.route("/staffing/targets/<code:code>")
class StaffingTargetByCode(MethodView):
    @allow(Role.ADMIN)
    @blp.arguments(TargetUpdateSchema)
    @blp.response(200, TargetSchema)
    def put(self, data, code):
        """Change a target's threshold (admins); the answer assesses it today with the new figure."""
        target = squads.set_target_threshold(db.session, current_caller(), code, data["threshold"])
        report = staffing_report(db.session, today())
        return next(target_pair(row, assessment) for row, assessment in report.assessments
                    if row.id == target.id)
