"""/api/v1/disposals: expired or quarantined stock written off."""

from flask.views import MethodView

from warehouse.access import STOCK_MANAGERS, allow, current_caller
from warehouse.api import ResourceBlueprint
from warehouse.api.movements import posted
from warehouse.extensions import db
from warehouse.schemas.stock import DisposalSchema, MovementSchema
from warehouse.services import stock

PREFIX = "/disposals"
blp = ResourceBlueprint("api_disposals", __name__,
                        description="Disposals: expired or quarantined stock written off")


@blp.route("")
class Disposals(MethodView):
    @allow(*STOCK_MANAGERS)
    @blp.arguments(DisposalSchema)
    @blp.response(201, MovementSchema)
    def post(self, data):
        """Write off expired or quarantined stock."""
        return posted([stock.dispose_stock(db.session, current_caller(), **data)])[0]
