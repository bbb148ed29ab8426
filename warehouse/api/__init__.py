"""The JSON API under /api/v1: flask-smorest blueprints, one module per resource."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api, Blueprint
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser, abort, is_json_request

from warehouse.routing import CodeConverter, IdConverter, code_parameter_schema, id_parameter_schema
from warehouse.schemas.common import ErrorSchema

# No body of ours nests deeper than a few levels; far deeper ones would overflow the recursive
# checks after parsing (a 500), and even deeper ones the JSON decoder itself.
MAX_JSON_DEPTH = 32


def nests_deeper_than(data, limit: int) -> bool:
    """Tell whether JSON data nests lists and objects deeper than the limit (without recursion)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        if children and depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class BodyRequiredParser(FlaskParser):
    """webargs' Flask parser, but a JSON body the document requires must be sent."""

    def load_json(self, req, schema):
        if not is_json_request(req):
            raise ValidationError("send a JSON object with Content-Type: application/json")
        try:
            data = super().load_json(req, schema)
        except RecursionError:
            abort(400, messages={"json": [f"nested more than {MAX_JSON_DEPTH} levels deep"]})
        if nests_deeper_than(data, MAX_JSON_DEPTH):
            abort(400, messages={"json": [f"nested more than {MAX_JSON_DEPTH} levels deep"]})
        return data


class ResourceBlueprint(Blueprint):
    """A flask-smorest blueprint whose JSON bodies are required, as the document says."""

    ARGUMENTS_PARSER = BodyRequiredParser()


class WarehouseApi(Api):
    """flask-smorest's Api with our error shape documented and our handlers in charge."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        # warehouse.api.errors registers the app's handlers, for pages and API alike.
        pass


SPEC_INFO = {
    "description": "Emergency materials reserve of a fire-rescue logistics support detachment. "
                   "Authenticate with `Authorization: Bearer <token>` (issue one on the account "
                   "page or with `flask users token NAME`). Errors share one shape: "
                   "`{\"error\": {\"code\", \"message\", \"fields\"}}`.",
}


def register_api(app: Flask) -> WarehouseApi:
    """Bind an API to the app, declare bearer authentication and register every resource."""
    from warehouse.api import (
        adjustments,
        agreements,
        audit,
        auth,
        categories,
        compliance,
        deployments,
        disposals,
        issues,
        items,
        kit_templates,
        kits,
        labels,
        locations,
        modules,
        movements,
        moves,
        partners,
        personnel,
        qualification_kinds,
        readiness,
        receipts,
        reports,
        reserve,
        scans,
        squads,
        stock,
        stocktakes,
        tokens,
        users,
    )
    from warehouse.extensions import csrf

    api = WarehouseApi(app, spec_kwargs={"info": SPEC_INFO, "security": [{"bearerAuth": []}]})
    api.register_converter(IdConverter, id_parameter_schema)
    # <code:...> for module, template and box codes; setdefault in case pages registered it first.
    app.url_map.converters.setdefault("code", CodeConverter)
    api.register_converter(CodeConverter, code_parameter_schema)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "API token"}
    )
    for module in (auth, users, tokens, categories, audit, items, locations, stock, movements,
                   receipts, moves, issues, adjustments, disposals, stocktakes, reports, modules,
                   kit_templates, kits, labels,
                   # Squads (issue 6): api
                   squads, personnel, compliance, qualification_kinds,
                   # Deployments (issue 7): the scan station
                   scans,
                   # Deployments (issue 7): api
                   deployments,
                   # Partners (issue 8): api
                   partners, agreements, reserve,
                   # Readiness (issue 9): api
                   readiness):
        api.register_blueprint(module.blp, url_prefix="/api/v1" + module.PREFIX)
        # Bearer calls need no CSRF token; cookie-based calls are checked in register_access.
        csrf.exempt(module.blp)
    return api
