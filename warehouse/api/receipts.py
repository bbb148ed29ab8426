"""/api/v1/receipts: stock arriving (入库)."""

from flask.views import MethodView

from warehouse.access import STOCK_HANDLERS, allow, current_caller
from warehouse.api import ResourceBlueprint
from warehouse.api.movements import posted
from warehouse.extensions import db
from warehouse.schemas.stock import MovementSchema, ReceiptSchema
from warehouse.services import stock

PREFIX = "/receipts"
blp = ResourceBlueprint("api_receipts", __name__,
                        description="Receipts: stock arriving into the depot (入库)")


@blp.route("")
class Receipts(MethodView):
    @allow(*STOCK_HANDLERS)
    @blp.arguments(ReceiptSchema)
    @blp.response(201, MovementSchema)
    def post(self, data):
        """Receive stock into a location, creating its lot on first receipt."""
        return posted([stock.receive_stock(db.session, current_caller(), **data)])[0]
