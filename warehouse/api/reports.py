"""/api/v1/reports: below-minimum items, stock by category and by zone."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import signed_in
from warehouse.api import ResourceBlueprint
from warehouse.extensions import db
from warehouse.queries.stock import below_minimum_page, stock_by_category, zone_usage
from warehouse.schemas.common import page_of
from warehouse.schemas.stock import (
    BelowMinimumArgsSchema,
    BelowMinimumRowSchema,
    CategoryStockSchema,
    ZoneUsageArgsSchema,
    ZoneUsageSchema,
)

PREFIX = "/reports"
blp = ResourceBlueprint("api_reports", __name__,
                        description="Stock reports (expiring stock: GET /stock?expiring_within_days=)")


@blp.route("/below-minimum")
class BelowMinimum(MethodView):
    @signed_in
    @blp.arguments(BelowMinimumArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(BelowMinimumRowSchema))
    def get(self, args):
        """List active items whose usable quantity is under their minimum, with the shortfall."""
        return below_minimum_page(db.session, **args).as_dict()


@blp.route("/stock-by-category")
class StockByCategory(MethodView):
    @signed_in
    @blp.response(200, CategoryStockSchema(many=True))
    def get(self):
        """Per category: items, units held and usable, expired units, items below minimum."""
        return stock_by_category(db.session)


@blp.route("/stock-by-zone")
class StockByZone(MethodView):
    @signed_in
    @blp.arguments(ZoneUsageArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, ZoneUsageSchema(many=True))
    def get(self, args):
        """Per zone: area, floor space used and utilisation, units and items held."""
        return zone_usage(db.session, args.get("depot_id"))
