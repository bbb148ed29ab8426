"""/api/v1/stocktakes: count a location (盘点), submit, approve to post the variances."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import STOCK_HANDLERS, STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.api.movements import posted
from warehouse.domain.errors import N_, NotFound
from warehouse.extensions import db
from warehouse.queries.stocktake import stocktake_detail, stocktake_page
from warehouse.schemas.common import page_of
from warehouse.schemas.stock import (
    ApprovedStocktakeSchema,
    CountSchema,
    StocktakeListArgsSchema,
    StocktakeSchema,
    StocktakeStartSchema,
    StocktakeSummarySchema,
)
from warehouse.services import stocktake as stocktakes

PREFIX = "/stocktakes"
blp = ResourceBlueprint("api_stocktakes", __name__,
                        description="Stocktakes: the location is frozen while it is counted")


def detail(stocktake_id: int):
    """Return a stocktake with its lines loaded, or raise NotFound."""
    stocktake = stocktake_detail(db.session, stocktake_id)
    if stocktake is None:
        raise NotFound(N_("no such stocktake"))
    return stocktake


@blp.route("")
class Stocktakes(MethodView):
    @signed_in
    @blp.arguments(StocktakeListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(StocktakeSummarySchema))
    def get(self, args):
        """List stocktakes, newest first."""
        return stocktake_page(db.session, **args).as_dict()

    @allow(*STOCK_HANDLERS)
    @blp.arguments(StocktakeStartSchema)
    @blp.response(201, StocktakeSchema)
    def post(self, data):
        """Open a count of a location, listing what the ledger says is there."""
        return detail(stocktakes.start_stocktake(db.session, current_caller(), **data).id)


@blp.route("/<id:stocktake_id>")
class StocktakeById(MethodView):
    @signed_in
    @blp.response(200, StocktakeSchema)
    def get(self, stocktake_id):
        """Show a stocktake with its lines and variances."""
        return detail(stocktake_id)


@blp.route("/<id:stocktake_id>/counts")
class StocktakeCounts(MethodView):
    @allow(*STOCK_HANDLERS)
    @blp.arguments(CountSchema)
    @blp.response(200, StocktakeSchema)
    def post(self, data, stocktake_id):
        """Record how many of an item (lot) were counted; a count again replaces it."""
        stocktakes.record_count(db.session, current_caller(), stocktake_id, **data)
        return detail(stocktake_id)


@blp.route("/<id:stocktake_id>/submit")
class StocktakeSubmit(MethodView):
    @allow(*STOCK_HANDLERS)
    @blp.response(200, StocktakeSchema)
    def post(self, stocktake_id):
        """Hand a finished count to a supply officer (every line must be counted)."""
        stocktakes.submit_stocktake(db.session, current_caller(), stocktake_id)
        return detail(stocktake_id)


@blp.route("/<id:stocktake_id>/approve")
class StocktakeApprove(MethodView):
    @allow(*STOCK_MANAGERS)
    @blp.response(200, ApprovedStocktakeSchema)
    def post(self, stocktake_id):
        """Approve a submitted count: each variance is posted as a count movement."""
        movements = stocktakes.approve_stocktake(db.session, current_caller(), stocktake_id)
        return {"stocktake": detail(stocktake_id), "movements": posted(movements)}


@blp.route("/<id:stocktake_id>/cancel")
class StocktakeCancel(MethodView):
    @allow(*STOCK_MANAGERS)
    @blp.response(200, StocktakeSchema)
    def post(self, stocktake_id):
        """Abandon a count; nothing is posted and the location is free again."""
        stocktakes.cancel_stocktake(db.session, current_caller(), stocktake_id)
        return detail(stocktake_id)
