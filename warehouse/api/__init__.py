"""The JSON API under /api/v1: flask-smorest blueprints, one module per resource."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api, Blueprint
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser, is_json_request

from warehouse.routing import CodeConverter, IdConverter, code_parameter_schema, id_parameter_schema
from warehouse.schemas.common import ErrorSchema


class BodyRequiredParser(FlaskParser):
    """webargs' Flask parser, but a JSON body the document requires must be sent."""

    def load_json(self, req, schema):
        if not is_json_request(req):
            raise ValidationError("send a JSON object with Content-Type: application/json")
        return super().load_json(req, schema)


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
        audit,
        auth,
        categories,
        compliance,
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
        personnel,
        qualification_kinds,
        receipts,
        reports,
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
                   scans):
        api.register_blueprint(module.blp, url_prefix="/api/v1" + module.PREFIX)
        # Bearer calls need no CSRF token; cookie-based calls are checked in register_access.
        csrf.exempt(module.blp)
    return api
