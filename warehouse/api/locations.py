"""/api/v1/locations: the depot's tree of zones, racks, bins, kits and special areas."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.domain.errors import N_, NotFound
from warehouse.extensions import db
from warehouse.queries.stock import location_page, location_row
from warehouse.schemas.common import page_of
from warehouse.schemas.stock import (
    LocationCreateSchema,
    LocationListArgsSchema,
    LocationSchema,
    LocationUpdateSchema,
)
from warehouse.services import locations

PREFIX = "/locations"
blp = ResourceBlueprint("api_locations", __name__,
                        description="Locations: depot -> zones -> racks -> bins, kits, quarantine")


def row(location_id: int):
    """Return a location's row for LocationSchema, or raise NotFound."""
    found = location_row(db.session, location_id)
    if found is None:
        raise NotFound(N_("no such location"))
    return found


@blp.route("")
class Locations(MethodView):
    @signed_in
    @blp.arguments(LocationListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(LocationSchema))
    def get(self, args):
        """List locations with the units held directly in each."""
        return location_page(db.session, **args).as_dict()

    @allow(*STOCK_MANAGERS)
    @blp.arguments(LocationCreateSchema)
    @blp.response(201, LocationSchema)
    def post(self, data):
        """Add a location under its parent (a zone may be drawn on the floor plan)."""
        location = locations.create_location(db.session, current_caller(), **data)
        return row(location.id)


@blp.route("/<id:location_id>")
class LocationById(MethodView):
    @signed_in
    @blp.response(200, LocationSchema)
    def get(self, location_id):
        """Show a location."""
        return row(location_id)

    @allow(*STOCK_MANAGERS)
    @blp.arguments(LocationUpdateSchema)
    @blp.response(200, LocationSchema)
    def patch(self, data, location_id):
        """Change a location's code, name, category, area or rectangle, or retire it."""
        location = locations.update_location(db.session, current_caller(), location_id, **data)
        return row(location.id)
