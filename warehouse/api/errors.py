"""One JSON error shape for the API, built by one helper; errors map to HTTP here only."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException, InternalServerError

from warehouse.access import is_api_request
from warehouse.domain.errors import DomainError, Throttled
from warehouse.i18n import translated

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "throttled",
}


def error_response(status: int, code: str, message: str, fields: dict | None = None,
                   headers: dict | None = None):
    """Return the API's error body {"error": {code, message, fields}} with a status."""
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="warehouse"')
    return response


def _dotted(errors: dict, prefix: str = "") -> dict:
    """Flatten nested {field: {0: {name: [reasons]}}} into {"field.0.name": [reasons]}."""
    fields: dict = {}
    for key, value in errors.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            fields.update(_dotted(value, path))
        else:
            fields[path] = value
    return fields


def _validation_fields(messages: dict) -> dict:
    """Flatten webargs' {location: {field: [reasons]}} into {field: [reasons]}.

    Nested fields are named by dotted paths ("fills.0.quantity"), as services name them.
    """
    fields: dict = {}
    for location, errors in messages.items():
        if isinstance(errors, dict):
            fields.update(_dotted(errors))
        else:
            fields[location] = errors
    return fields


def _page(status: int, message: str, headers: dict | None = None):
    return render_template("errors/error.html", status=status, message=message), status, headers or {}


def handle_http_exception(error: HTTPException):
    """Answer Werkzeug's HTTP errors (and webargs' validation errors) in the right shape."""
    status = error.code or 500
    if status == 413:
        # The body stays unread: the error page's own forms (language, sign out) must not try
        # to read it again, which would raise a second 413 inside the handler (a 500).
        request.form = request.files = ImmutableMultiDict()
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if error.response is not None and status == 405:
        headers["Allow"] = error.response.headers.get("Allow", "")
    if not is_api_request():
        return _page(status, error.description or error.name, headers)
    fields = _validation_fields(data.get("messages", {})) if "messages" in data else {}
    if fields:
        message = "invalid input: " + ", ".join(sorted(map(str, fields)))
    else:
        message = data.get("message") or error.description or error.name
    if status == 405:
        headers["Allow"] = ", ".join(sorted(getattr(error, "valid_methods", None) or [])) or \
            headers.get("Allow", "")
    return error_response(status, HTTP_CODES.get(status, "error"), message, fields, headers)


def handle_domain_error(error: DomainError):
    """Answer a service's named error."""
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, Throttled) else {}
    if not is_api_request():
        return _page(error.status, translated(error.message), headers)
    return error_response(error.status, error.code, error.message, error.fields, headers)


def handle_csrf_error(error: CSRFError):
    """Refuse a form or cookie-authenticated API call without a valid CSRF token."""
    if not is_api_request():
        return _page(400, "the form has expired or was not sent from this site; reload and retry")
    return error_response(400, "csrf_failed", error.description,
                          {"csrf_token": [error.description]})


def handle_server_error(error: InternalServerError):
    """Answer an unexpected failure without revealing internals."""
    current_app.logger.error("unhandled error on %s %s", request.method, request.path,
                             exc_info=error.original_exception or error)
    if not is_api_request():
        return _page(500, "internal error; it has been logged")
    return error_response(500, "server_error", "internal error; it has been logged")


def register_error_handlers(app: Flask) -> None:
    """Route every error type to its handler."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(InternalServerError, handle_server_error)
