"""/api/v1/modules: disaster modules and how ready each is (boxes required, ready, short, out)."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.extensions import db
from warehouse.queries.kits import ModuleReadiness, module_readiness
from warehouse.schemas.kits import ModuleCreateSchema, ModuleListArgsSchema, ModuleSchema
from warehouse.services import kit_templates
from warehouse.timezone import today

PREFIX = "/modules"
blp = ResourceBlueprint("api_modules", __name__,
                        description="Disaster modules (地震, 化工, 水域...): readiness by boxes required")


def readiness_of(module_id: int) -> ModuleReadiness:
    """Return one module's readiness, whether it is active or not."""
    return module_readiness(db.session, today(), module_id=module_id, include_inactive=True)[0]


@blp.route("")
class Modules(MethodView):
    @signed_in
    @blp.arguments(ModuleListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, ModuleSchema(many=True))
    def get(self, args):
        """List modules in display order with boxes required, ready, short, deployed and in restock."""
        return module_readiness(db.session, today(), **args)

    @allow(*STOCK_MANAGERS)
    @blp.arguments(ModuleCreateSchema)
    @blp.response(201, ModuleSchema)
    def post(self, data):
        """Add a disaster module; templates' requirements say which boxes it needs."""
        return readiness_of(kit_templates.create_module(db.session, current_caller(), **data).id)


@blp.route("/<code:code>")
class ModuleByCode(MethodView):
    @signed_in
    @blp.response(200, ModuleSchema)
    def get(self, code):
        """Show a module's readiness per box template."""
        return readiness_of(kit_templates.get_module(db.session, code).id)
