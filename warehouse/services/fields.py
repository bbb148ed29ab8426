"""Checks of single input values shared by the services: free text, enum choices, dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from warehouse.domain.errors import N_, InvalidInput
from warehouse.timezone import depot_zone

# Moments outside this century are typing mistakes (and overflow some drivers' date types).
MIN_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)
MAX_MOMENT = datetime(2099, 12, 31, tzinfo=UTC)


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


def moment(value, field: str, *, required: bool = False) -> datetime | None:
    """Return an aware datetime from a datetime or ISO text; a time without zone is the depot's."""
    if value in (None, ""):
        if required:
            raise InvalidInput.on(field, N_("required"))
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise InvalidInput.on(field, N_("a date and time such as 2026-12-31T18:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=depot_zone())
    if not MIN_MOMENT <= value.astimezone(UTC) <= MAX_MOMENT:
        raise InvalidInput.on(field, N_("a date and time between 2000 and 2099"))
    return value.astimezone(UTC)
