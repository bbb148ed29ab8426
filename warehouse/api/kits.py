"""/api/v1/kits: boxes, their contents against par, restock from the depot, inspections, status."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import STOCK_HANDLERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.api.movements import posted
from warehouse.extensions import db
from warehouse.models import Item, Location
from warehouse.queries.kits import kit_contents, kit_events, kit_lines, kit_page, kit_row
from warehouse.schemas.common import page_of
from warehouse.schemas.kits import (
    InspectionInputSchema,
    InspectionSchema,
    KitCreateSchema,
    KitDetailSchema,
    KitListArgsSchema,
    KitSchema,
    MoveInputSchema,
    RestockProposalSchema,
    RestockResultSchema,
    RestockSchema,
    StatusInputSchema,
)
from warehouse.services import kits
from warehouse.services.kits import RestockProposal
from warehouse.timezone import today

PREFIX = "/kits"
blp = ResourceBlueprint("api_kits", __name__,
                        description="Boxes (kits): labelled boxes of a template, each a stock location")
RECENT_EVENTS = 50


def detail(code: str) -> dict:
    """Return what KitDetailSchema dumps for a box, or raise NotFound."""
    kit = kits.get_kit(db.session, code)
    on = today()
    row = kit_row(db.session, kit.id, on)
    place = db.session.get(Location, row.place_id) if row.place_id is not None else None
    return {"kit": kit, "row": row, "place": {"id": place.id, "code": place.code} if place else None,
            "lines": kit_lines(db.session, kit.id, on), "lots": kit_contents(db.session, kit.location_id),
            "events": kit_events(db.session, kit.id, limit=RECENT_EVENTS)}


def proposal_dict(proposal: RestockProposal) -> dict:
    """Return what RestockProposalSchema dumps for a proposal."""
    line_items = {state.line.line_id: state.line.item_id for state in proposal.before.lines}
    # propose_restock loaded every line's item, so these come from the identity map.
    items = {item_id: db.session.get(Item, item_id) for item_id in set(line_items.values())}
    return {
        "code": proposal.kit.code, "status": proposal.kit.status,
        "complete": proposal.before.complete,
        "removals": [{"line_id": r.line_id, "item_id": r.item.id, "sku": r.item.sku,
                      "lot": r.lot.code if r.lot else None,
                      "expires_on": r.lot.expires_on if r.lot else None, "quantity": r.quantity,
                      "to_location_id": r.to_location.id, "to_location": r.to_location.code}
                     for r in proposal.removals],
        "fills": [{"line_id": f.line_id, "item_id": f.item.id, "sku": f.item.sku,
                   "lot": f.lot.code if f.lot else None,
                   "expires_on": f.lot.expires_on if f.lot else None,
                   "from_location_id": f.from_location.id, "from_location": f.from_location.code,
                   "quantity": f.quantity}
                  for f in proposal.fills],
        "unfilled": [{"line_id": line_id, "item_id": line_items[line_id],
                      "sku": items[line_items[line_id]].sku, "missing": missing}
                     for line_id, missing in proposal.unfilled.items()],
    }


def proposal_entries(code: str) -> dict:
    """Return the current proposal of a box as restock_kit's fills and removals."""
    proposal = proposal_dict(kits.propose_restock(db.session, code))
    return {
        "fills": [{key: f[key] for key in ("item_id", "lot", "from_location_id", "quantity")}
                  for f in proposal["fills"]],
        "removals": [{key: r[key] for key in ("item_id", "lot", "to_location_id", "quantity")}
                     for r in proposal["removals"]],
    }


@blp.route("")
class Kits(MethodView):
    @signed_in
    @blp.arguments(KitListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(KitSchema))
    def get(self, args):
        """List boxes with their live completeness: filter by module, template, status and ready."""
        return kit_page(db.session, today(), **args).as_dict()

    @allow(*STOCK_HANDLERS)
    @blp.arguments(KitCreateSchema)
    @blp.response(201, KitDetailSchema)
    def post(self, data):
        """Register a new, empty box of a template for a module (code K-<module>-NNNN by default)."""
        return detail(kits.create_kit(db.session, current_caller(), **data).code)


@blp.route("/<code:code>")
class KitByCode(MethodView):
    @signed_in
    @blp.response(200, KitDetailSchema)
    def get(self, code):
        """Show a box: status, places, contents against par, shortfalls, lots and recent history."""
        return detail(code)


@blp.route("/<code:code>/restock")
class KitRestock(MethodView):
    @signed_in
    @blp.response(200, RestockProposalSchema)
    def get(self, code):
        """Propose what would bring every line to par: stale units out, depot stock in (FEFO)."""
        return proposal_dict(kits.propose_restock(db.session, code))

    @allow(*STOCK_HANDLERS)
    @blp.arguments(RestockSchema)
    @blp.response(200, RestockResultSchema)
    def post(self, data, code):
        """Post fills and removals in one transaction (all or none); the box is ready or short after."""
        if data.pop("use_proposal"):
            # A convenience: the proposal is read, then posted through the same checks as any restock.
            data.update(proposal_entries(code))
        result = kits.restock_kit(db.session, current_caller(), code, **data)
        return {"kit": detail(result.kit.code), "movements": posted(result.movements)}


@blp.route("/<code:code>/inspections")
class KitInspections(MethodView):
    @allow(*STOCK_HANDLERS)
    @blp.arguments(InspectionInputSchema)
    @blp.response(201, InspectionSchema)
    def post(self, data, code):
        """Record an inspection: a returned box moves on, a failed one goes to quarantine."""
        event = kits.inspect_kit(db.session, current_caller(), code, **data)
        kit = kits.get_kit(db.session, code)
        return {"id": event.id, "code": kit.code, "at": event.at, "actor_name": event.actor_name,
                "outcome": event.outcome, "findings": event.note, "status": kit.status}


@blp.route("/<code:code>/status")
class KitStatusChange(MethodView):
    @allow(*STOCK_HANDLERS)
    @blp.arguments(StatusInputSchema)
    @blp.response(200, KitDetailSchema)
    def post(self, data, code):
        """Put a box into restock or quarantine, back into service, or retire it (supply officers)."""
        return detail(kits.change_kit_status(db.session, current_caller(), code, **data).code)


@blp.route("/<code:code>/move")
class KitMove(MethodView):
    @allow(*STOCK_HANDLERS)
    @blp.arguments(MoveInputSchema)
    @blp.response(200, KitDetailSchema)
    def post(self, data, code):
        """Give a box a new home place in the depot; a box in the depot moves there with it."""
        return detail(kits.relocate_kit(db.session, current_caller(), code, **data).code)
