"""HTML blueprints, one per feature, thin: parse a form, call one service, render."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, request
from flask_babel import gettext
from marshmallow import ValidationError

from warehouse.domain.errors import DomainError
from warehouse.i18n import translated


def safe_next(default: str) -> str:
    """Return the ?next= target if it stays on this site, else the default."""
    target = request.values.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme \
            and not parts.netloc and "\\" not in target:
        return target
    return default


def form_errors_from(error: DomainError, form) -> None:
    """Put a service's field errors on the form's fields, or flash them when no field fits."""
    placed = False
    for name, reasons in error.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [translated(r) for r in reasons]
            placed = True
    if not placed:
        flash(gettext("Could not save: %(reason)s", reason=translated(error.message)), "error")


def list_args(schema_class) -> dict:
    """Parse a list page's query string through its allowlist schema, dropping invalid filters."""
    raw = {k: v for k, v in request.args.items() if v.strip() != "" and k != "format"}
    try:
        return schema_class(unknown="exclude").load(raw)
    except ValidationError as error:
        flash(gettext("Ignored invalid filters: %(fields)s", fields=", ".join(sorted(error.messages))),
              "error")
        valid = {k: v for k, v in raw.items() if k not in error.messages}
    try:
        return schema_class(unknown="exclude").load(valid)
    except ValidationError:
        return schema_class(unknown="exclude").load({})
