"""/api/v1/squads: support squads (保障分队), their modules, leader, head counts and roster."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.domain.squads import SquadKind, SupportFunction
from warehouse.extensions import db
from warehouse.queries.squads import SquadRow, squad_roster, squad_rows
from warehouse.schemas.squads import (
    PersonSchema,
    RosterArgsSchema,
    SquadCreateSchema,
    SquadListArgsSchema,
    SquadSchema,
    SquadUpdateSchema,
)
from warehouse.services import squads

PREFIX = "/squads"
blp = ResourceBlueprint("api_squads", __name__,
                        description="Support squads: standing or mobile, one support function each")


def row_of(squad_id: int) -> SquadRow:
    """Return one squad's list row, whether it is active or not."""
    return squad_rows(db.session, squad_id=squad_id)[0]


@blp.route("")
class Squads(MethodView):
    @signed_in
    @blp.arguments(SquadListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, SquadSchema(many=True))
    def get(self, args):
        """List squads, standing first, with their leader, modules and head counts."""
        kind, function = args.get("kind"), args.get("function")
        return squad_rows(db.session, kind=SquadKind(kind) if kind else None,
                          function=SupportFunction(function) if function else None,
                          include_inactive=args["include_inactive"])

    @allow(*STOCK_MANAGERS)
    @blp.arguments(SquadCreateSchema)
    @blp.response(201, SquadSchema)
    def post(self, data):
        """Register a squad: kind, support function, home station and the modules it specialises in."""
        return row_of(squads.create_squad(db.session, current_caller(), **data).id)


@blp.route("/<code:code>")
class SquadByCode(MethodView):
    @signed_in
    @blp.response(200, SquadSchema)
    def get(self, code):
        """Show a squad with its leader, modules and head counts."""
        return row_of(squads.get_squad(db.session, code).id)

    @allow(*STOCK_MANAGERS)
    @blp.arguments(SquadUpdateSchema)
    @blp.response(200, SquadSchema)
    def patch(self, data, code):
        """Change a squad; modules, when given, replace the old ones; active=false deactivates it."""
        return row_of(squads.update_squad(db.session, current_caller(), code, **data).id)

    @allow(*STOCK_MANAGERS)
    @blp.response(204)
    def delete(self, code):
        """Delete a squad registered by mistake; one with people is 409: deactivate it instead."""
        squads.delete_squad(db.session, current_caller(), code)


@blp.route("/<code:code>/personnel")
class SquadPersonnel(MethodView):
    @signed_in
    @blp.arguments(RosterArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, PersonSchema(many=True))
    def get(self, args, code):
        """List a squad's people: leader first, then by status and name, with qualifications."""
        squad = squads.get_squad(db.session, code)
        return squad_roster(db.session, squad.id, include_left=args["include_left"])
