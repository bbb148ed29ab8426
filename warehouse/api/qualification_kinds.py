"""/api/v1/qualification-kinds: the kinds of certificate people hold, as data."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.extensions import db
from warehouse.queries.squads import qualification_kinds
from warehouse.schemas.squads import (
    QualificationKindCreateSchema,
    QualificationKindListArgsSchema,
    QualificationKindSchema,
)
from warehouse.services import squads

PREFIX = "/qualification-kinds"
blp = ResourceBlueprint("api_qualification_kinds", __name__,
                        description="Kinds of qualification: special-vehicle driver, equipment technician...")


@blp.route("")
class QualificationKinds(MethodView):
    @signed_in
    @blp.arguments(QualificationKindListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, QualificationKindSchema(many=True))
    def get(self, args):
        """List the kinds of qualification in display order."""
        return qualification_kinds(db.session, **args)

    @allow(*STOCK_MANAGERS)
    @blp.arguments(QualificationKindCreateSchema)
    @blp.response(201, QualificationKindSchema)
    def post(self, data):
        """Add a kind of qualification (crane operator, diver...) people can then hold."""
        return squads.create_qualification_kind(db.session, current_caller(), **data)
