"""/api/v1/moves: stock put away or relocated."""

from flask.views import MethodView

from warehouse.access import STOCK_HANDLERS, allow, current_caller
from warehouse.api import ResourceBlueprint
from warehouse.api.movements import posted
from warehouse.extensions import db
from warehouse.schemas.stock import MovementSchema, MoveSchema
from warehouse.services import stock

PREFIX = "/moves"
blp = ResourceBlueprint("api_moves", __name__,
                        description="Moves: putting stock away and relocating it")


@blp.route("")
class Moves(MethodView):
    @allow(*STOCK_HANDLERS)
    @blp.arguments(MoveSchema)
    @blp.response(201, MovementSchema)
    def post(self, data):
        """Move stock between storage places or into quarantine."""
        return posted([stock.move_stock(db.session, current_caller(), **data)])[0]
