"""/api/v1/issues: stock issued to a purpose (出库)."""

from flask.views import MethodView

from warehouse.access import STOCK_HANDLERS, allow, current_caller
from warehouse.api import ResourceBlueprint
from warehouse.api.movements import posted
from warehouse.extensions import db
from warehouse.schemas.stock import IssueSchema, MovementSchema
from warehouse.services import stock

PREFIX = "/issues"
blp = ResourceBlueprint("api_issues", __name__,
                        description="Issues: stock leaving for an incident, drill or other purpose (出库)")


@blp.route("")
class Issues(MethodView):
    @allow(*STOCK_HANDLERS)
    @blp.arguments(IssueSchema)
    @blp.response(201, MovementSchema(many=True))
    def post(self, data):
        """Issue stock first expiry first out; one movement per lot and place picked."""
        return posted(stock.issue_stock(db.session, current_caller(), **data))
