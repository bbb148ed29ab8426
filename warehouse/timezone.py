"""The depot's calendar: expiry and inspection dates are days in the depot's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


def depot_zone() -> ZoneInfo:
    """Return the depot's time zone (config BABEL_DEFAULT_TIMEZONE)."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def today() -> date:
    """Return today's date at the depot."""
    return datetime.now(depot_zone()).date()
