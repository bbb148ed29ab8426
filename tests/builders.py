"""Helpers that build test data through the real services."""

from __future__ import annotations

import html
import itertools
import re
import secrets
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import ApiToken, AuditEvent, User
from warehouse.services import accounts

PASSWORD = "correct horse battery"
CLI = accounts.Caller(user=None, address="test")
_serial = itertools.count(1)


@dataclass(frozen=True)
class UserRef:
    """A user as the tests know it, detached from any session."""

    id: int
    username: str
    role: Role
    session_key: str
    password: str = PASSWORD


def make_user(app: Flask, role: Role | str = Role.LOGISTICS, *, username: str | None = None,
              password: str = PASSWORD, **fields) -> UserRef:
    """Create a user through the service and return a detached reference."""
    role = Role(role)
    username = username or f"{role.value.replace('_', '')}{next(_serial)}"
    with app.app_context():
        user = accounts.create_user(db.session, CLI, username=username, role=role,
                                    password=password, **fields)
        ref = UserRef(user.id, user.username, user.role, user.session_key, password)
        db.session.remove()
    return ref


def field_errors(response, field: str) -> list[str]:
    """The error paragraphs rendered inside the given field's wrapper."""
    body = response.get_data(as_text=True)
    match = re.search(
        rf'<div class="field has-error">(?:(?!<div class="field).)*?name="{field}"'
        rf'(?:(?!<div class="field).)*?</div>', body, re.S)
    if match is None:
        return []
    return [html.unescape(e) for e in re.findall(r'<p class="error" role="alert">([^<]*)</p>',
                                                 match.group(0))]


def counts(app) -> tuple[int, int, int]:
    """(users, audit events, tokens) in the database."""
    with app.app_context():
        result = tuple(db.session.scalar(select(func.count()).select_from(model))
                       for model in (User, AuditEvent, ApiToken))
        db.session.remove()
    return result


def assert_redirected_to_login(response) -> None:
    """Assert the page sent the browser to the sign-in form."""
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def issue_token(app: Flask, ref: UserRef, *, days: int | None = 30, name: str = "test") -> str:
    """Issue an API token for the user and return its secret."""
    with app.app_context():
        _token, secret = accounts.issue_token(db.session, CLI, ref.id, name=name, days=days)
        db.session.remove()
    return secret


class Client(FlaskClient):
    """The Flask test client plus sign-in and CSRF helpers."""

    def sign_in(self, ref: UserRef) -> Client:
        """Become the user without the login form (the form has tests of its own)."""
        with self.session_transaction() as session:
            session["_user_id"] = ref.session_key
            session["_fresh"] = True
        return self

    def csrf_token(self) -> str:
        """Return a valid CSRF token for this client's session."""
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        app = self.application
        key = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        return URLSafeTimedSerializer(key, salt="wtf-csrf-token").dumps(raw)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with a valid CSRF token."""
        return self.post(url, data={**(data or {}), "csrf_token": self.csrf_token()}, **kwargs)
