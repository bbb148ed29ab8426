"""/api/v1/categories: the seven material categories."""

from flask.views import MethodView

from warehouse.access import signed_in
from warehouse.api import ResourceBlueprint
from warehouse.extensions import db
from warehouse.queries.catalogue import categories
from warehouse.schemas.catalogue import CategorySchema

PREFIX = "/categories"
blp = ResourceBlueprint("api_categories", __name__, description="The seven material categories")


@blp.route("")
class Categories(MethodView):
    @signed_in
    @blp.response(200, CategorySchema(many=True))
    def get(self):
        """List the material categories in the plan's order."""
        return categories(db.session)
