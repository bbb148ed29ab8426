"""/api/v1/movements: the append-only stock ledger."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import signed_in
from warehouse.api import ResourceBlueprint
from warehouse.extensions import db
from warehouse.queries.stock import movement_page, movement_rows
from warehouse.schemas.stock import MovementListArgsSchema, MovementPageSchema

PREFIX = "/movements"
blp = ResourceBlueprint("api_movements", __name__, description="The stock ledger: every change of quantity")


def posted(movements) -> list:
    """Return the ledger rows of movements a service just posted, for MovementSchema."""
    return movement_rows(db.session, [movement.id for movement in movements])


@blp.route("")
class Movements(MethodView):
    @signed_in
    @blp.arguments(MovementListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, MovementPageSchema)
    def get(self, args):
        """List ledger rows, newest first: filter by item, location, reason, lot and time. Follow the
        `older` / `newer` cursors (?after= / ?before=) to page through; they stay fast at any depth."""
        page = movement_page(db.session, **args)
        pages = None if page.more else max(1, -(-page.total // page.per_page))
        return page.as_dict() | {"pages": pages}
