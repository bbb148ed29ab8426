"""Choosing the UI language, and translating what the domain says for pages."""

from flask import current_app, request, session
from flask_babel import gettext
from flask_login import current_user

from warehouse.domain.errors import Reason


def translated(text: str) -> str:
    """Translate a service's message for a page; text without a template stays as it is."""
    if isinstance(text, Reason):
        # Values may be words of their own (a status name): translate those too.
        return gettext(text.template, **{k: translated(v) for k, v in text.params.items()})
    return text


def select_locale() -> str:
    """Pick the UI language: the user's choice, the session's, then the browser's, else zh."""
    languages = current_app.config["LANGUAGES"]
    user = current_user if current_user and current_user.is_authenticated else None
    if user is not None and user.locale in languages:
        return user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
