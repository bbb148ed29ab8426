"""Translating what the domain says, for pages."""

from flask_babel import gettext

from warehouse.domain.errors import Reason


def translated(text: str) -> str:
    """Translate a service's message for a page; text without a template stays as it is."""
    if isinstance(text, Reason):
        return gettext(text.template, **text.params)
    return text
