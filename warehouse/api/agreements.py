"""/api/v1/agreements and /api/v1/activations: support agreements, their commitments and signed PDF,
calling them in and what arrived."""

from io import BytesIO

from flask import current_app, request, send_file
from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE
from werkzeug.exceptions import RequestEntityTooLarge

from warehouse.access import ACTIVATORS, PARTNER_KEEPERS, STOCK_HANDLERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.api.errors import handle_domain_error, handle_http_exception
from warehouse.domain.errors import N_, Forbidden, InvalidInput
from warehouse.domain.partners import AgreementStatus, PartnerKind
from warehouse.extensions import db
from warehouse.queries import partners as queries
from warehouse.schemas.agreements import (
    ActivationCreateSchema,
    ActivationDetailSchema,
    ActivationSchema,
    AgreementCreateSchema,
    AgreementDetailSchema,
    AgreementListArgsSchema,
    AgreementSchema,
    AgreementUpdateSchema,
    ArrivalInputSchema,
    ArrivalSchema,
    CommitmentInputSchema,
    CommitmentSchema,
    DocumentSchema,
    DocumentUploadSchema,
)
from warehouse.schemas.common import page_of
from warehouse.services import agreements, partners
from warehouse.timezone import today

# Two resources: /agreements... and /activations... (as /users and /me share theirs).
PREFIX = ""
PDF_RESPONSE = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
# Who records arrivals: anyone who activates or handles stock on scene (logistics staff run the
# forward supply point); into the depot only stock handlers (checked per request).
ARRIVAL_RECORDERS = tuple(dict.fromkeys(ACTIVATORS + STOCK_HANDLERS))

blp = ResourceBlueprint("api_agreements", __name__,
                        description="Support agreements (应急保障协议): commitments, the signed PDF, "
                                    "calling partners in and what arrived")


@blp.errorhandler(RequestEntityTooLarge)
def body_too_large(error):
    """Refuse an upload above MAX_CONTENT_LENGTH like any too-large document (422), other bodies 413."""
    # Werkzeug refuses such a body when the form is first read, before the access check and the
    # view: answer here, and only to those who may upload.
    if request.endpoint != f"{blp.name}.AgreementDocument" or request.method != "PUT" \
            or not current_user.is_authenticated or current_user.role not in PARTNER_KEEPERS:
        return handle_http_exception(error)
    limit = current_app.config["AGREEMENT_DOCUMENT_MAX_BYTES"]
    return handle_domain_error(InvalidInput.on("document", N_("at most %(size)s MB",
                                                              size=f"{limit / 1048576:g}")))


def detail(agreement_id: int) -> dict:
    """Return what AgreementDetailSchema dumps for an agreement, or raise NotFound."""
    agreement = agreements.get_agreement(db.session, agreement_id)
    return {"row": queries.agreement_row(db.session, agreement.id, today()),
            "commitments": queries.commitment_rows(db.session, agreement.id),
            "document": queries.document_info(db.session, agreement.id)}


def activation_detail(activation_id: int) -> dict:
    """Return what ActivationDetailSchema dumps for an activation, or raise NotFound."""
    activation = agreements.get_activation(db.session, activation_id)
    [row] = queries.activation_rows(db.session, activation_id=activation.id)
    return {"row": row, "arrivals": [arrival for arrival, _ in queries.arrivals(db.session, activation.id)]}


def filters(args: dict) -> dict:
    """Return the list filters, refusing a partner or district that names nothing (422)."""
    if args.get("partner_id") is not None:
        partners.get_partner(db.session, args["partner_id"], "partner_id")
    if args.get("district"):
        args["district"] = partners.get_district(db.session, args["district"]).code
    status, kind, in_force = args.pop("status", None), args.pop("kind", None), args.pop("in_force")
    return {**args, "on": today(), "in_force_only": in_force,
            "status": AgreementStatus(status) if status else None,
            "kind": PartnerKind(kind) if kind else None}


@blp.route("/agreements")
class Agreements(MethodView):
    @signed_in
    @blp.arguments(AgreementListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(AgreementSchema))
    def get(self, args):
        """List agreements, the earliest end first: filter by partner, status, in force, needing
        attention, partner kind and district, words."""
        return queries.agreement_page(db.session, **filters(args)).as_dict()

    @allow(*PARTNER_KEEPERS)
    @blp.arguments(AgreementCreateSchema)
    @blp.response(201, AgreementDetailSchema)
    def post(self, data):
        """Record an agreement with its term, response time and commitment lines (an end before
        the start is 422)."""
        return detail(agreements.create_agreement(db.session, current_caller(), **data).id)


@blp.route("/agreements/<id:agreement_id>")
class AgreementById(MethodView):
    @signed_in
    @blp.response(200, AgreementDetailSchema)
    def get(self, agreement_id):
        """Show an agreement with its standing, commitment lines and signed document."""
        return detail(agreement_id)

    @allow(*PARTNER_KEEPERS)
    @blp.arguments(AgreementUpdateSchema)
    @blp.response(200, AgreementDetailSchema)
    def patch(self, data, agreement_id):
        """Change an agreement; commitments, when given, replace all its lines."""
        return detail(agreements.update_agreement(db.session, current_caller(), agreement_id, **data).id)

    @allow(*PARTNER_KEEPERS)
    @blp.response(204)
    def delete(self, agreement_id):
        """Delete an agreement recorded by mistake; one already called on is 409: terminate it."""
        agreements.delete_agreement(db.session, current_caller(), agreement_id)


@blp.route("/agreements/<id:agreement_id>/commitments")
class AgreementCommitments(MethodView):
    @allow(*PARTNER_KEEPERS)
    @blp.arguments(CommitmentInputSchema)
    @blp.response(201, CommitmentSchema)
    def post(self, data, agreement_id):
        """Add a commitment line: an item, or a category or words with a unit; how much."""
        line = agreements.add_commitment(db.session, current_caller(), agreement_id, **data)
        return next(row for row in queries.commitment_rows(db.session, line.agreement_id)
                    if row[0].id == line.id)


@blp.route("/agreements/commitments/<id:commitment_id>")
class CommitmentById(MethodView):
    @allow(*PARTNER_KEEPERS)
    @blp.response(204)
    def delete(self, commitment_id):
        """Remove a commitment line (requests already made from it keep their own copy)."""
        agreements.remove_commitment(db.session, current_caller(), commitment_id)


@blp.route("/agreements/<id:agreement_id>/document")
class AgreementDocument(MethodView):
    @signed_in
    @blp.response(200, content_type="application/pdf", description="The signed agreement, as an attachment")
    @blp.doc(responses={"200": {"description": "The signed agreement as a PDF attachment",
                                "content": PDF_RESPONSE}})
    def get(self, agreement_id):
        """Download the signed agreement; always an attachment, never shown inline."""
        document = agreements.get_document(db.session, agreement_id)
        response = send_file(BytesIO(document.content), mimetype="application/pdf", as_attachment=True,
                             download_name=document.filename)
        # A PDF from outside: never sniffed as something else, sandboxed if opened anyway, and a
        # signed contract is not left in shared caches.
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "sandbox"
        response.headers["Cache-Control"] = "no-store"
        return response

    @allow(*PARTNER_KEEPERS)
    @blp.arguments(DocumentUploadSchema, location="files")
    @blp.response(200, DocumentSchema)
    def put(self, data, agreement_id):
        """Upload the signed agreement (multipart field document), replacing any earlier one: a PDF by
        its content, at most 10 MB; a refused file is 422 and nothing is kept."""
        upload = data["document"]  # a FileStorage: only files are read from this location
        return agreements.attach_document(db.session, current_caller(), agreement_id,
                                          filename=upload.filename, content=upload.read(),
                                          limit=current_app.config["AGREEMENT_DOCUMENT_MAX_BYTES"])

    @allow(*PARTNER_KEEPERS)
    @blp.response(204)
    def delete(self, agreement_id):
        """Remove the signed document uploaded by mistake."""
        agreements.remove_document(db.session, current_caller(), agreement_id)


@blp.route("/agreements/<id:agreement_id>/activations")
class AgreementActivations(MethodView):
    @signed_in
    @blp.response(200, ActivationSchema(many=True))
    def get(self, agreement_id):
        """List the times this agreement was called on, newest first, with what has arrived."""
        agreement = agreements.get_agreement(db.session, agreement_id)
        return queries.activation_rows(db.session, agreement_id=agreement.id)

    @allow(*ACTIVATORS)
    @blp.arguments(ActivationCreateSchema)
    @blp.response(201, ActivationDetailSchema)
    def post(self, data, agreement_id):
        """Call an agreement in (启动协议): what is asked for, for which deployment; 409 when the
        agreement is not in force or the deployment is closed."""
        return activation_detail(agreements.activate_agreement(
            db.session, current_caller(), agreement_id, **data).id)


@blp.route("/activations/<id:activation_id>")
class ActivationById(MethodView):
    @signed_in
    @blp.response(200, ActivationDetailSchema)
    def get(self, activation_id):
        """Show an activation: its lines with what arrived and what is outstanding, and every arrival."""
        return activation_detail(activation_id)


@blp.route("/activations/lines/<id:line_id>/arrivals")
class LineArrivals(MethodView):
    @allow(*ARRIVAL_RECORDERS)
    @blp.arguments(ArrivalInputSchema)
    @blp.response(201, ArrivalSchema)
    def post(self, data, line_id):
        """Record what arrived against a request line: with location_id a receipt into the depot
        (stock handlers only), referencing the agreement number; without, delivered on scene."""
        caller = current_caller()
        into_depot = data.get("location_id") is not None
        if into_depot and caller.user.role not in STOCK_HANDLERS:
            raise Forbidden(N_("only logistics staff and supply officers receive stock into the depot"))
        return agreements.record_arrival(db.session, caller, line_id, **data)
