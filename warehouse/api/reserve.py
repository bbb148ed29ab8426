"""/api/v1/reserve: the reachable reserve, the depot's stock plus what partners hold and commit."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import signed_in
from warehouse.api import ResourceBlueprint
from warehouse.domain.errors import N_, InvalidInput
from warehouse.extensions import db
from warehouse.models import Item
from warehouse.queries import partners as queries
from warehouse.queries.stock import item_id_by_sku
from warehouse.schemas.partners import ReachableArgsSchema, ReachableSchema
from warehouse.services.catalogue import category_by_code
from warehouse.timezone import today

PREFIX = "/reserve"
blp = ResourceBlueprint("api_reserve", __name__,
                        description="Reachable reserve: the depot, departments' stockpiles and "
                                    "agreements in force")


@blp.route("/reachable")
class Reachable(MethodView):
    @signed_in
    @blp.arguments(ReachableArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, ReachableSchema)
    def get(self, args):
        """Who can supply an item (item=SKU) or a category's items (category=code), or what words
        name (q=挖掘机): how much, how fast; within_hours and quantity answer "who can supply 200
        rations within 6 hours?"."""
        item = category = None
        if args.get("item"):
            item_id = item_id_by_sku(db.session, args["item"])
            if item_id is None:
                raise InvalidInput.on("item", N_("no such item"))
            item = db.session.get(Item, item_id)
        if args.get("category"):
            category = category_by_code(db.session, args["category"])
        q = (args.get("q") or "").strip() or None
        found = queries.reachable(db.session, on=today(), item_id=item.id if item else None,
                                  category_id=category.id if category else None, q=q,
                                  within_hours=args.get("within_hours"), needed=args.get("quantity"))
        return {"found": found, "item": item, "category": category, "q": q}
