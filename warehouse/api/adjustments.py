"""/api/v1/adjustments: corrections of a balance."""

from flask.views import MethodView

from warehouse.access import STOCK_MANAGERS, allow, current_caller
from warehouse.api import ResourceBlueprint
from warehouse.api.movements import posted
from warehouse.extensions import db
from warehouse.schemas.stock import AdjustmentSchema, MovementSchema
from warehouse.services import stock

PREFIX = "/adjustments"
blp = ResourceBlueprint("api_adjustments", __name__,
                        description="Adjustments: corrections of a balance with a reason")


@blp.route("")
class Adjustments(MethodView):
    @allow(*STOCK_MANAGERS)
    @blp.arguments(AdjustmentSchema)
    @blp.response(201, MovementSchema)
    def post(self, data):
        """Correct a balance up or down, saying why."""
        return posted([stock.adjust_stock(db.session, current_caller(), **data)])[0]
