"""/api/v1/partners and /api/v1/districts: departments, county partners and carriers, their contacts,
check calls and stockpile lists, and what needs attention."""

from datetime import timedelta

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import PARTNER_KEEPERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.domain.partners import CONTACT_STALE_DAYS, PartnerKind
from warehouse.extensions import db
from warehouse.models.base import utcnow
from warehouse.queries import partners as queries
from warehouse.schemas.common import page_of
from warehouse.schemas.partners import (
    GROUPS,
    AlertsSchema,
    ContactCheckInputSchema,
    ContactCheckSchema,
    ContactCreateSchema,
    ContactSchema,
    ContactUpdateSchema,
    DistrictEntrySchema,
    PartnerCreateSchema,
    PartnerDetailSchema,
    PartnerListArgsSchema,
    PartnerSchema,
    PartnerUpdateSchema,
    StockpileLineCreateSchema,
    StockpileLineSchema,
    StockpileLineUpdateSchema,
)
from warehouse.services import partners
from warehouse.timezone import today

# Two resources: /partners... and /districts (as /users and /me share theirs).
PREFIX = ""
blp = ResourceBlueprint("api_partners", __name__,
                        description="Partners (多元化战勤保障): departments' stockpiles, county partners "
                                    "and carriers, their contacts and check calls")
CHECKS_SHOWN = 20


def detail(partner_id: int) -> dict:
    """Return what PartnerDetailSchema dumps for a partner, or raise NotFound."""
    partner = partners.get_partner(db.session, partner_id)
    on = today()
    return {"row": queries.partner_row(db.session, partner.id, on),
            "contacts": queries.contact_rows(db.session, partner.id),
            "checks": queries.contact_checks(db.session, partner.id, CHECKS_SHOWN),
            "stockpile": queries.stockpile_rows(db.session, partner.id),
            "agreements": queries.agreement_rows(db.session, on=on, partner_id=partner.id)}


def contact_row(contact) -> queries.ContactRow:
    """Return a contact's row with its last check."""
    return next(row for row in queries.contact_rows(db.session, contact.partner_id)
                if row.contact.id == contact.id)


def stockpile_row(line):
    """Return a stockpile line's row with its item and category."""
    return next(row for row in queries.stockpile_rows(db.session, line.partner_id) if row[0].id == line.id)


def filters(args: dict) -> dict:
    """Return the registry filters, refusing a district code that names nothing (422)."""
    if args.get("district"):
        args["district"] = partners.get_district(db.session, args["district"]).code
    kind, group = args.pop("kind", None), args.pop("group", None)
    out_of_touch = args.pop("out_of_touch")
    return {**args, "on": today(), "kind": PartnerKind(kind) if kind else None,
            "kinds": GROUPS[group] if group else None,
            "out_of_touch_since": utcnow() - timedelta(days=CONTACT_STALE_DAYS) if out_of_touch else None}


@blp.route("/partners")
class Partners(MethodView):
    @signed_in
    @blp.arguments(PartnerListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(PartnerSchema))
    def get(self, args):
        """List partners by district then name: filter by kind or group, district, words, active,
        out of touch."""
        return queries.partner_page(db.session, **filters(args)).as_dict()

    @allow(*PARTNER_KEEPERS)
    @blp.arguments(PartnerCreateSchema)
    @blp.response(201, PartnerDetailSchema)
    def post(self, data):
        """Register a partner: a department, a county supporter or a carrier (names are unique)."""
        return detail(partners.create_partner(db.session, current_caller(), **data).id)


@blp.route("/partners/<id:partner_id>")
class PartnerById(MethodView):
    @signed_in
    @blp.response(200, PartnerDetailSchema)
    def get(self, partner_id):
        """Show a partner with its contacts, latest check calls, stockpile list and agreements."""
        return detail(partner_id)

    @allow(*PARTNER_KEEPERS)
    @blp.arguments(PartnerUpdateSchema)
    @blp.response(200, PartnerDetailSchema)
    def patch(self, data, partner_id):
        """Change a partner; active=false deactivates it."""
        return detail(partners.update_partner(db.session, current_caller(), partner_id, **data).id)

    @allow(*PARTNER_KEEPERS)
    @blp.response(204)
    def delete(self, partner_id):
        """Delete a partner registered by mistake; one with agreements is 409: deactivate it instead."""
        partners.delete_partner(db.session, current_caller(), partner_id)


@blp.route("/partners/<id:partner_id>/contacts")
class PartnerContacts(MethodView):
    @allow(*PARTNER_KEEPERS)
    @blp.arguments(ContactCreateSchema)
    @blp.response(201, ContactSchema)
    def post(self, data, partner_id):
        """Add someone to call at a partner, with a number answered day and night."""
        return contact_row(partners.add_contact(db.session, current_caller(), partner_id, **data))


@blp.route("/partners/contacts/<id:contact_id>")
class ContactById(MethodView):
    @allow(*PARTNER_KEEPERS)
    @blp.arguments(ContactUpdateSchema)
    @blp.response(200, ContactSchema)
    def patch(self, data, contact_id):
        """Change a contact; active=false marks them as no longer there."""
        return contact_row(partners.update_contact(db.session, current_caller(), contact_id, **data))

    @allow(*PARTNER_KEEPERS)
    @blp.response(204)
    def delete(self, contact_id):
        """Delete a contact entered by mistake, with their check calls."""
        partners.remove_contact(db.session, current_caller(), contact_id)


@blp.route("/partners/contacts/<id:contact_id>/checks")
class ContactChecks(MethodView):
    @allow(*PARTNER_KEEPERS)
    @blp.arguments(ContactCheckInputSchema)
    @blp.response(201, ContactCheckSchema)
    def post(self, data, contact_id):
        """Log a check call to a contact: whether they answered (the 180-day alert reads these)."""
        check = partners.record_contact_check(db.session, current_caller(), contact_id, **data)
        return {"check": check, "contact_name": partners.get_contact(db.session, check.contact_id).name}


@blp.route("/partners/<id:partner_id>/stockpile")
class PartnerStockpile(MethodView):
    @signed_in
    @blp.response(200, StockpileLineSchema(many=True))
    def get(self, partner_id):
        """List a department's stockpile: items it holds for the reserve, by category then SKU."""
        return queries.stockpile_rows(db.session, partners.get_partner(db.session, partner_id).id)

    @allow(*PARTNER_KEEPERS)
    @blp.arguments(StockpileLineCreateSchema)
    @blp.response(201, StockpileLineSchema)
    def post(self, data, partner_id):
        """List an item a department holds (departments only: 422 on partner for the others)."""
        return stockpile_row(partners.add_stockpile_line(db.session, current_caller(), partner_id, **data))


@blp.route("/partners/stockpile/<id:line_id>")
class StockpileLineById(MethodView):
    @allow(*PARTNER_KEEPERS)
    @blp.arguments(StockpileLineUpdateSchema)
    @blp.response(200, StockpileLineSchema)
    def patch(self, data, line_id):
        """Change a stockpile line: a new count, place or date."""
        return stockpile_row(partners.update_stockpile_line(db.session, current_caller(), line_id, **data))

    @allow(*PARTNER_KEEPERS)
    @blp.response(204)
    def delete(self, line_id):
        """Remove an item from a department's stockpile list."""
        partners.remove_stockpile_line(db.session, current_caller(), line_id)


@blp.route("/partners/alerts")
class PartnerAlerts(MethodView):
    @signed_in
    @blp.response(200, AlertsSchema)
    def get(self):
        """List agreements ending within 60 days or ended while still active, and active partners
        nobody reached within 180 days."""
        return queries.alerts(db.session, on=today(), now=utcnow())


@blp.route("/districts")
class Districts(MethodView):
    @signed_in
    @blp.response(200, DistrictEntrySchema(many=True))
    def get(self):
        """List the city level and its counties and districts, in order."""
        return queries.districts(db.session)
