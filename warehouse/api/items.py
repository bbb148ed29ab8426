"""/api/v1/items: the catalogue, with quantities and FEFO picking suggestions."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.domain.errors import N_, NotFound
from warehouse.extensions import db
from warehouse.models import Item
from warehouse.queries.stock import fefo_suggestions, item_lots, item_page, item_row
from warehouse.schemas.catalogue import (
    FefoArgsSchema,
    FefoSuggestionSchema,
    ItemCreateSchema,
    ItemDetailSchema,
    ItemListArgsSchema,
    ItemSchema,
    ItemUpdateSchema,
)
from warehouse.schemas.common import page_of
from warehouse.services import catalogue

PREFIX = "/items"
blp = ResourceBlueprint("api_items", __name__,
                        description="Catalogue items: what the reserve keeps and how much is usable")


def detail(item_id: int) -> dict:
    """Return what ItemDetailSchema dumps for an item, or raise NotFound."""
    row = item_row(db.session, item_id)
    if row is None:
        raise NotFound(N_("no such item"))
    return {"row": row, "lots": item_lots(db.session, item_id)}


@blp.route("")
class Items(MethodView):
    @signed_in
    @blp.arguments(ItemListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(ItemSchema))
    def get(self, args):
        """List catalogue items with their available and on-hand quantities."""
        return item_page(db.session, **args).as_dict()

    @allow(*STOCK_MANAGERS)
    @blp.arguments(ItemCreateSchema)
    @blp.response(201, ItemDetailSchema)
    def post(self, data):
        """Add an item to the catalogue."""
        item = catalogue.create_item(db.session, current_caller(), **data)
        return detail(item.id)


@blp.route("/<id:item_id>")
class ItemById(MethodView):
    @signed_in
    @blp.response(200, ItemDetailSchema)
    def get(self, item_id):
        """Show an item with its quantities and lots."""
        return detail(item_id)

    @allow(*STOCK_MANAGERS)
    @blp.arguments(ItemUpdateSchema)
    @blp.response(200, ItemDetailSchema)
    def patch(self, data, item_id):
        """Change an item (its tracking is fixed once it has lots or stock)."""
        item = catalogue.update_item(db.session, current_caller(), item_id, **data)
        return detail(item.id)


@blp.route("/<id:item_id>/fefo")
class ItemFefo(MethodView):
    @signed_in
    @blp.arguments(FefoArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, FefoSuggestionSchema(many=True))
    def get(self, args, item_id):
        """Suggest where to pick an item from, first expiry first out (never expired stock)."""
        item = db.session.get(Item, item_id)
        if item is None:
            raise NotFound(N_("no such item"))
        return fefo_suggestions(db.session, item, args.get("quantity"))
