"""/api/v1/deployments: incidents, drills, exercises and loans, the boxes and loose items they take."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import DEPLOYERS, STOCK_HANDLERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.api.movements import posted
from warehouse.domain.errors import N_, InvalidInput, NotFound
from warehouse.extensions import db
from warehouse.queries.deployments import (
    boxes_out,
    checkouts,
    deployment_page,
    deployment_row,
    loose_out,
    overdue,
)
from warehouse.schemas.common import page_of
from warehouse.schemas.deployments import (
    CloseInputSchema,
    DeploymentCreateSchema,
    DeploymentDetailSchema,
    DeploymentListArgsSchema,
    DeploymentSchema,
    DeploymentUpdateSchema,
    LooseIssueSchema,
    LooseReturnSchema,
    OverdueDeploymentSchema,
)
from warehouse.schemas.stock import MovementSchema
from warehouse.services import deployments
from warehouse.services.kit_templates import get_module
from warehouse.services.squads import get_squad

PREFIX = "/deployments"
blp = ResourceBlueprint("api_deployments", __name__,
                        description="Deployments (出动): incidents and drills that take boxes out")


def detail(deployment_id: int) -> dict:
    """Return what DeploymentDetailSchema dumps for a deployment, or raise NotFound."""
    deployment = deployments.get_deployment(db.session, deployment_id)
    return {"row": deployment_row(db.session, deployment.id),
            "checkouts": checkouts(db.session, deployment.id), "loose": loose_out(db.session, deployment)}


def known(args: dict) -> dict:
    """Return the list filters, refusing a module or squad code that names nothing (422)."""
    for name, find, reason in (("module", get_module, N_("no such module")),
                               ("squad", get_squad, N_("no such squad"))):
        if args.get(name):
            try:
                find(db.session, args[name])
            except NotFound:
                raise InvalidInput.on(name, reason) from None
    return args


@blp.route("")
class Deployments(MethodView):
    @signed_in
    @blp.arguments(DeploymentListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(DeploymentSchema))
    def get(self, args):
        """List deployments, open ones first, newest first: filter by open, module, squad, kind, overdue."""
        return deployment_page(db.session, **known(args)).as_dict()

    @allow(*DEPLOYERS)
    @blp.arguments(DeploymentCreateSchema)
    @blp.response(201, DeploymentDetailSchema)
    def post(self, data):
        """Open a deployment (numbered CD-<year>-<nnnn>) that boxes can be checked out to."""
        return detail(deployments.create_deployment(db.session, current_caller(), **data).id)


@blp.route("/overdue")
class OverdueDeployments(MethodView):
    @signed_in
    @blp.response(200, OverdueDeploymentSchema(many=True))
    def get(self):
        """List open deployments past their expected return, the longest overdue first, with boxes out."""
        rows = overdue(db.session)
        boxes = boxes_out(db.session, [row.deployment.id for row in rows])
        return [{"row": row, "boxes": boxes.get(row.deployment.id, [])} for row in rows]


@blp.route("/<id:deployment_id>")
class DeploymentById(MethodView):
    @signed_in
    @blp.response(200, DeploymentDetailSchema)
    def get(self, deployment_id):
        """Show a deployment: its boxes out and back (who scanned them) and its loose items out."""
        return detail(deployment_id)

    @allow(*DEPLOYERS)
    @blp.arguments(DeploymentUpdateSchema)
    @blp.response(200, DeploymentDetailSchema)
    def patch(self, data, deployment_id):
        """Change an open deployment; squads, when given, replace the old ones."""
        return detail(deployments.update_deployment(db.session, current_caller(), deployment_id, **data).id)


@blp.route("/<id:deployment_id>/close")
class CloseDeployment(MethodView):
    @allow(*DEPLOYERS)
    @blp.arguments(CloseInputSchema)
    @blp.response(200, DeploymentDetailSchema)
    def post(self, data, deployment_id):
        """Close a deployment; 409 while boxes (listed) or loose units are still out."""
        return detail(deployments.close_deployment(db.session, current_caller(), deployment_id, **data).id)


@blp.route("/<id:deployment_id>/issues")
class DeploymentIssues(MethodView):
    @allow(*STOCK_HANDLERS)
    @blp.arguments(LooseIssueSchema)
    @blp.response(201, MovementSchema(many=True))
    def post(self, data, deployment_id):
        """Issue loose items to an open deployment, first expiry first out unless a lot is named."""
        return posted(deployments.issue_loose(db.session, current_caller(), deployment_id, **data))


@blp.route("/<id:deployment_id>/returns")
class DeploymentReturns(MethodView):
    @allow(*STOCK_HANDLERS)
    @blp.arguments(LooseReturnSchema)
    @blp.response(201, MovementSchema(many=True))
    def post(self, data, deployment_id):
        """Account for loose items out: returned to a shelf, consumed, damaged (quarantine) or lost."""
        return posted(deployments.return_loose(db.session, current_caller(), deployment_id, **data))
