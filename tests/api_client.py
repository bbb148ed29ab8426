"""Calling the JSON API in tests: a role's bearer token on every request, one error check."""

from __future__ import annotations

from flask import Flask

from tests.builders import issue_token
from warehouse.domain.accounts import Role


class Api:
    """Call the API with a role's bearer token."""

    def __init__(self, app: Flask, users, *, writer: Role = Role.SUPPLY_OFFICER) -> None:
        self.app = app
        self.tokens = {role: issue_token(app, users[role]) for role in Role}
        self.writer = writer  # who posts when a test names no role

    def __call__(self, method: str, url: str, role: Role | str = Role.SUPPLY_OFFICER,
                 json=None, **kwargs):
        headers = {"Authorization": f"Bearer {self.tokens[Role(role)]}"}
        return self.app.test_client().open(url, method=method, headers=headers, json=json, **kwargs)

    def get(self, url: str, role: Role | str = Role.COMMANDER, **kwargs):
        """GET and expect 200; return the JSON body."""
        response = self("GET", url, role, **kwargs)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    def post(self, url: str, json, role: Role | str | None = None, status: int = 201):
        """POST and expect the status; return the JSON body."""
        return self.send("POST", url, json, role=role or self.writer, status=status)

    def send(self, method: str, url: str, json=None, role: Role | str = Role.SUPPLY_OFFICER,
             status: int = 200):
        """Send and expect the status; return the JSON body (None for a 204)."""
        response = self(method, url, role, json=json)
        assert response.status_code == status, response.get_data(as_text=True)
        if status == 204:
            assert response.data == b""
            return None
        return response.json


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    """Check an error answer's status, its one shape and code (and the field named); return it."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    if field is not None:
        assert field in body["error"]["fields"], body
    return body["error"]
