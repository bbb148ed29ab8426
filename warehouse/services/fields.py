"""Checks of single input values shared by the services: free text, enum choices, dates."""

from __future__ import annotations

from datetime import date

from warehouse.domain.errors import N_, InvalidInput


def text(value, field: str, limit: int, *, required: bool = False) -> str:
    """Return trimmed text or raise InvalidInput when it is not text, missing or too long."""
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        raise InvalidInput.on(field, N_("must be text"))
    if required and not value:
        raise InvalidInput.on(field, N_("required"))
    if len(value) > limit:
        raise InvalidInput.on(field, N_("at most %(count)d characters", count=limit))
    return value


def choice(enum_class, value, field: str):
    """Return the enum member with this value or raise InvalidInput listing the values."""
    try:
        return enum_class(value)
    except ValueError:
        raise InvalidInput.on(field, N_("one of %(values)s",
                                        values=", ".join(m.value for m in enum_class))) from None


def optional_date(value, field: str) -> date | None:
    """Return a date (or None for nothing) or raise InvalidInput."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, date):
        return value
    raise InvalidInput.on(field, N_("a date such as 2026-12-31"))
