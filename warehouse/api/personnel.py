"""/api/v1/personnel: people of the support force, their squad and qualifications."""

from flask.views import MethodView
from marshmallow import RAISE
from sqlalchemy import select

from warehouse.access import STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.domain.errors import N_, InvalidInput
from warehouse.domain.squads import Employment, PersonStatus
from warehouse.extensions import db
from warehouse.models import Person, Squad
from warehouse.queries.squads import person_with_qualifications, personnel_page
from warehouse.schemas.common import page_of
from warehouse.schemas.squads import (
    PersonCreateSchema,
    PersonListArgsSchema,
    PersonSchema,
    PersonUpdateSchema,
    QualificationInputSchema,
)
from warehouse.services import squads

PREFIX = "/personnel"
blp = ResourceBlueprint("api_personnel", __name__,
                        description="Personnel: badge codes, squads, employment, status, qualifications")


def detail(person: Person) -> Person:
    """Return the person again with their squad and qualifications loaded."""
    return person_with_qualifications(db.session, person.id)


def squad_id(code: str) -> int:
    """Return the id of the squad a filter names, or raise InvalidInput on the squad field."""
    found = db.session.scalar(select(Squad.id).where(Squad.code == code.strip().upper()))
    if found is None:
        raise InvalidInput.on("squad", N_("no such squad"))
    return found


@blp.route("")
class Personnel(MethodView):
    @signed_in
    @blp.arguments(PersonListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(PersonSchema))
    def get(self, args):
        """List people: filter by squad, status, employment, qualification held or text; sort."""
        code, kind = args.pop("squad", None), args.pop("qualification", None)
        if code:
            args["squad_id"] = squad_id(code)
        if kind:
            args["qualification"] = squads.get_qualification_kind(db.session, kind, "qualification").code
        for name, enum_class in (("status", PersonStatus), ("employment", Employment)):
            if name in args:
                args[name] = enum_class(args[name])
        return personnel_page(db.session, **args).as_dict()

    @allow(*STOCK_MANAGERS)
    @blp.arguments(PersonCreateSchema)
    @blp.response(201, PersonSchema)
    def post(self, data):
        """Register a person with their qualifications; a new leader makes the old one a member."""
        return detail(squads.create_person(db.session, current_caller(), **data))


@blp.route("/<code:badge>")
class PersonByBadge(MethodView):
    @signed_in
    @blp.response(200, PersonSchema)
    def get(self, badge):
        """Show a person with their squad and qualifications."""
        return detail(squads.get_person(db.session, badge))

    @allow(*STOCK_MANAGERS)
    @blp.arguments(PersonUpdateSchema)
    @blp.response(200, PersonSchema)
    def patch(self, data, badge):
        """Change a person; qualifications, when given, replace all of theirs."""
        return detail(squads.update_person(db.session, current_caller(), badge, **data))

    @allow(*STOCK_MANAGERS)
    @blp.response(204)
    def delete(self, badge):
        """Delete a person registered by mistake (someone who leaves is marked left instead)."""
        squads.delete_person(db.session, current_caller(), badge)


@blp.route("/<code:badge>/qualifications/<code:kind>")
class PersonQualification(MethodView):
    @allow(*STOCK_MANAGERS)
    @blp.arguments(QualificationInputSchema)
    @blp.response(200, PersonSchema)
    def put(self, data, badge, kind):
        """Record, renew or regrade the person's qualification of this kind."""
        code = squads.get_qualification_kind(db.session, kind).code
        qualification = squads.set_qualification(db.session, current_caller(), badge, kind=code, **data)
        return person_with_qualifications(db.session, qualification.person_id)

    @allow(*STOCK_MANAGERS)
    @blp.response(204)
    def delete(self, badge, kind):
        """Remove a qualification recorded by mistake."""
        squads.remove_qualification(db.session, current_caller(), badge, kind)
