"""Named errors the domain and services raise; the API and pages map them to responses."""

from __future__ import annotations


class Reason(str):
    """An English message that pages can still translate: the text, its template and values."""

    template: str
    params: dict

    # Positional-only: a message may itself name a %(template)s value.
    def __new__(cls, template: str, /, **params) -> Reason:
        text = super().__new__(cls, template % params if params else template)
        text.template = template
        text.params = params
        return text


def N_(template: str, /, **params) -> Reason:
    """Mark a message for translation (extracted by pybabel) without translating it here."""
    return Reason(template, **params)


class DomainError(Exception):
    """Base of every expected, user-facing failure."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class BadRequest(DomainError):
    """The request cannot be read at all: garbage, too long, control characters."""

    code = "bad_request"
    status = 400


class InvalidInput(DomainError):
    """The request is well-formed but a field's value is not acceptable."""

    code = "invalid_input"
    status = 422

    @classmethod
    def on(cls, field: str, reason: str) -> InvalidInput:
        """Return the error for one field."""
        return cls(f"{field}: {reason}", {field: [reason]})


class NotFound(DomainError):
    """The object does not exist, or the caller may not see it."""

    code = "not_found"
    status = 404


class Conflict(DomainError):
    """The change clashes with the current state (a duplicate, a stale state)."""

    code = "conflict"
    status = 409


class Forbidden(DomainError):
    """The caller may see the object but not do this to it."""

    code = "forbidden"
    status = 403


class AuthenticationFailed(DomainError):
    """Credentials are missing, wrong, expired or revoked."""

    code = "unauthenticated"
    status = 401


class Throttled(DomainError):
    """Too many failed attempts; try again after retry_after seconds."""

    code = "throttled"
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))
