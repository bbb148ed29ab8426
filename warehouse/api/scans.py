"""/api/v1/scans: the scan station: check boxes out and in, look them up, undo, and the scan log."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, jsonify, request
from flask.views import MethodView
from flask_babel import get_locale
from marshmallow import RAISE
from webargs.flaskparser import abort, is_json_request

from warehouse.access import DEPLOYERS, allow, current_caller, signed_in
from warehouse.api import BodyRequiredParser, ResourceBlueprint
from warehouse.extensions import db
from warehouse.i18n import translated
from warehouse.queries.deployments import scan_page
from warehouse.schemas.common import ErrorSchema, page_of
from warehouse.schemas.scans import (
    ScanAnswerSchema,
    ScanEventSchema,
    ScanInputSchema,
    ScanLogArgsSchema,
    ScanRefusedSchema,
)
from warehouse.services import scans

PREFIX = "/scans"
NOT_A_SCAN = "send the scan as a JSON object with Content-Type: application/json"


class ScanBodyParser(BodyRequiredParser):
    """Answer 400 to a body that is no JSON object at all: scanner garbage, not a field's mistake."""

    def load_json(self, req, schema):
        if not is_json_request(req) or not req.get_data(cache=True).strip():
            abort(400, messages={"json": [NOT_A_SCAN]})
        data = super().load_json(req, schema)
        if not isinstance(data, dict):
            abort(400, messages={"json": [NOT_A_SCAN]})
        return data


class ScanBlueprint(ResourceBlueprint):
    """The resource blueprint, reading scan bodies with ScanBodyParser."""

    ARGUMENTS_PARSER = ScanBodyParser()


blp = ScanBlueprint("api_scans", __name__,
                    description="The scan station: every scan is logged, refused ones too")


def known_hosts() -> frozenset[str]:
    """Return the hosts our label URLs carry: the configured public URL's and this request's."""
    hosts = {urlsplit(current_app.config["PUBLIC_URL"]).hostname or "", request.host.rsplit(":", 1)[0]}
    hosts |= set(current_app.config.get("LABEL_HOSTS", ()))
    return frozenset(h.lower().strip("[]") for h in hosts if h)


def where(station: str = "") -> scans.Station:
    """Return where a request comes from: its address and the device's name or user agent."""
    return scans.Station(request.remote_addr or "", station or request.user_agent.string or "")


# One instance each, made on first use: building a schema with its nested ones costs more than
# dumping an answer with it (marshmallow copies every declared field per instance).
_DUMPERS: dict[type, object] = {}


def _dump(schema: type, data: dict) -> dict:
    dumper = _DUMPERS.get(schema)
    if dumper is None:
        dumper = _DUMPERS[schema] = schema()
    return dumper.dump(data)


def answer(result: scans.ScanAnswer):
    """Return a scan's answer: the body on success, the API error shape with the scan on refusal."""
    body = dict(result.body)
    body["display_message"] = translated(scans.reason_from_json(body.get("message_i18n", body["message"])))
    body.pop("message_i18n", None)
    body.pop("error_i18n", None)
    if result.ok:
        response = jsonify(_dump(ScanAnswerSchema, body))
    else:
        error = body.pop("error")
        response = jsonify(_dump(ScanRefusedSchema, {"error": error, "scan": body}))
    response.status_code = result.status
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@blp.route("")
class Scans(MethodView):
    @allow(*DEPLOYERS)
    @blp.arguments(ScanInputSchema)
    @blp.response(201, ScanAnswerSchema, description="Checked out")
    @blp.alt_response(200, schema=ScanAnswerSchema, description="Checked in or looked up")
    @blp.alt_response(400, schema=ScanRefusedSchema,
                      description="No JSON object; a code of garbage, too long or with control characters")
    @blp.alt_response(403, schema=ScanRefusedSchema, description="A box that is not ready needs a confirmer")
    @blp.alt_response(404, schema=ScanRefusedSchema, description="Unknown code or another system's label")
    @blp.alt_response(409, schema=ScanRefusedSchema,
                      description="Out with another deployment, not out, not ready, closed deployment")
    @blp.alt_response(422, schema=ScanRefusedSchema,
                      description="A location or item where a box was expected, or a bad field")
    def post(self, data):
        """Scan a box: check it out to a deployment, check it in with usage, or look it up.

        A retry with the same `idempotency_key` returns the first answer (header
        `Idempotent-Replayed: true`); the same key with a different body is 422.
        """
        station = data.pop("station")
        # Choose the answer's language now, from the signed-in user's row as loaded: the scan's
        # commit expires that row, and reading it afterwards would cost two more statements.
        get_locale()
        return answer(scans.scan(db.session, current_caller(), where=where(station),
                                 known_hosts=known_hosts(), **data))

    @signed_in
    @blp.arguments(ScanLogArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(ScanEventSchema))
    def get(self, args):
        """List the scan log, newest first: who scanned what, from where, and the answer."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return scan_page(db.session, page=page, per_page=per_page, **args)


@blp.route("/<id:scan_id>/undo")
class UndoScan(MethodView):
    @allow(*DEPLOYERS)
    @blp.response(200, ScanAnswerSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such scan of yours")
    @blp.alt_response(409, schema=ErrorSchema, description="Not your last scan, or the box moved on")
    def post(self, scan_id):
        """Undo your last check-out or check-in while its deployment is open."""
        get_locale()
        return answer(scans.undo(db.session, current_caller(), scan_id, where=where()))
