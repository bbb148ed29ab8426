"""/api/v1/stock: what is where, with lot, expiry and status."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import signed_in
from warehouse.api import ResourceBlueprint
from warehouse.extensions import db
from warehouse.queries.stock import stock_page
from warehouse.schemas.common import page_of
from warehouse.schemas.stock import StockListArgsSchema, StockRowSchema

PREFIX = "/stock"
blp = ResourceBlueprint("api_stock", __name__, description="Stock balances by item, lot and location")


@blp.route("")
class Stock(MethodView):
    @signed_in
    @blp.arguments(StockListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(StockRowSchema))
    def get(self, args):
        """List stock: filter by item, location (with everything below it), category, lot, expiry."""
        return stock_page(db.session, **args).as_dict()
