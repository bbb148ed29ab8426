"""The JSON API under /api/v1: flask-smorest blueprints, one module per resource."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from warehouse.schemas.common import ErrorSchema


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
    from warehouse.api import audit, auth, categories, tokens, users
    from warehouse.extensions import csrf

    api = WarehouseApi(app, spec_kwargs={"info": SPEC_INFO, "security": [{"bearerAuth": []}]})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "API token"}
    )
    for module in (auth, users, tokens, categories, audit):
        api.register_blueprint(module.blp, url_prefix="/api/v1" + module.PREFIX)
        # Bearer calls need no CSRF token; cookie-based calls are checked in register_access.
        csrf.exempt(module.blp)
    return api
