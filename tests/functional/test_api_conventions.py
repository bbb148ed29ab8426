"""API conventions: bearer auth, one error shape, strict input, pagination and filters."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.builders import PASSWORD, issue_token, make_user
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import ApiToken, AuditEvent, User
from warehouse.models.base import utcnow


@pytest.fixture
def admin_token(app, users):
    return issue_token(app, users[Role.ADMIN])


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def count(app, model):
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
    return n


def assert_error(response, status, code, *fields):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    for field in fields:
        assert field in body["error"]["fields"], body


def test_no_credentials_is_401_with_the_error_shape(client):
    response = client.get("/api/v1/me")
    assert_error(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_bearer_token_authenticates(app, client, users):
    token = issue_token(app, users[Role.COMMANDER])
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200 and response.json["role"] == "commander"
    assert "password_hash" not in response.json and "session_key" not in response.json


@pytest.mark.parametrize("header", ["Bearer whr_forged", "Bearer ", "Basic YWRtaW46YWRtaW4="])
def test_bad_credentials_are_401(client, header):
    assert_error(client.get("/api/v1/me", headers={"Authorization": header}), 401, "unauthenticated")


def test_revoked_and_expired_tokens_are_401(app, client, users, admin_token):
    keeper = users[Role.LOGISTICS]
    token = issue_token(app, keeper)
    token_id = client.get("/api/v1/tokens", headers=bearer(token)).json["items"][0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(token)).status_code == 200
    response = client.get("/api/v1/me", headers=bearer(token))
    assert_error(response, 401, "unauthenticated")
    assert "revoked" in response.json["error"]["message"]

    expiring = issue_token(app, keeper, days=1)
    with app.app_context():
        token = db.session.scalars(select(ApiToken).where(
            ApiToken.revoked_at.is_(None), ApiToken.user_id == keeper.id)).one()
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    assert_error(client.get("/api/v1/me", headers=bearer(expiring)), 401, "unauthenticated")


def test_a_role_without_permission_gets_403(app, client, users):
    token = issue_token(app, users[Role.COMMANDER])
    assert_error(client.get("/api/v1/users", headers=bearer(token)), 403, "forbidden")


def test_malformed_json_is_400_and_writes_nothing(app, client, admin_token):
    before = count(app, User)
    response = client.post("/api/v1/users", data="{not json", headers={
        **bearer(admin_token), "Content-Type": "application/json"})
    assert_error(response, 400, "bad_request")
    assert count(app, User) == before


def test_unknown_fields_are_refused_by_name(app, client, admin_token):
    before = count(app, User)
    response = client.post("/api/v1/users", headers=bearer(admin_token), json={
        "username": "newbie", "role": "logistics", "password": PASSWORD, "is_admin": True})
    assert_error(response, 422, "invalid_input", "is_admin")
    assert count(app, User) == before


@pytest.mark.parametrize("body, field", [
    ({"username": 12, "role": "logistics", "password": PASSWORD}, "username"),
    ({"username": "newbie", "role": "chef", "password": PASSWORD}, "role"),
    ({"username": "newbie", "role": "logistics"}, "password"),
    ({"username": "newbie", "role": "logistics", "password": "short"}, "password"),
    ({"username": "new bie", "role": "logistics", "password": PASSWORD}, "username"),
    ([], "_schema"),
])
def test_wrong_types_and_values_are_422_naming_the_field(app, client, admin_token, body, field):
    before = (count(app, User), count(app, AuditEvent))
    response = client.post("/api/v1/users", headers=bearer(admin_token), json=body)
    assert_error(response, 422, "invalid_input", field)
    assert (count(app, User), count(app, AuditEvent)) == before


def test_creating_a_user_returns_201_and_a_duplicate_409(app, client, admin_token):
    body = {"username": "newbie", "role": "logistics", "password": PASSWORD}
    created = client.post("/api/v1/users", headers=bearer(admin_token), json=body)
    assert created.status_code == 201 and created.json["username"] == "newbie"
    assert_error(client.post("/api/v1/users", headers=bearer(admin_token), json=body),
                 409, "conflict", "username")


def test_unknown_objects_are_404_with_the_error_shape(client, admin_token):
    assert_error(client.get("/api/v1/users/999999", headers=bearer(admin_token)), 404, "not_found")
    assert_error(client.get("/api/v1/nothing-here", headers=bearer(admin_token)), 404, "not_found")


def test_wrong_method_is_405_with_allow_header(client, admin_token):
    response = client.put("/api/v1/me", headers=bearer(admin_token))
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_lists_are_paginated_with_totals(app, client, admin_token):
    for i in range(7):
        make_user(app, Role.LOGISTICS, username=f"scan{i:02d}")
    page = client.get("/api/v1/users?role=logistics&per_page=3&page=3",
                      headers=bearer(admin_token)).json
    # users fixture made one logistics user too: 8 in all, so page 3 holds 2.
    assert page["total"] == 8 and page["pages"] == 3 and page["page"] == 3
    assert len(page["items"]) == 2


@pytest.mark.parametrize("query, field", [
    ("per_page=0", "per_page"), ("per_page=1000", "per_page"), ("page=-1", "page"),
    ("role=chef", "role"), ("sort=password_hash", "sort"), ("password_hash=x", "password_hash"),
    ("active=maybe", "active"),
])
def test_filters_and_sorts_come_from_an_allowlist(client, admin_token, query, field):
    response = client.get(f"/api/v1/users?{query}", headers=bearer(admin_token))
    assert_error(response, 422, "invalid_input", field)


def test_filters_narrow_the_list(app, client, admin_token):
    make_user(app, Role.COMMANDER, username="zhao.gang", display_name="赵刚")
    found = client.get("/api/v1/users?q=zhao", headers=bearer(admin_token)).json
    assert [u["username"] for u in found["items"]] == ["zhao.gang"]
    found = client.get("/api/v1/users?q=%25", headers=bearer(admin_token)).json
    assert found["total"] == 0  # % is a literal, not a wildcard


def test_a_browser_session_calling_the_api_needs_the_csrf_header(app, client_as):
    client = client_as("admin")
    body = {"username": "viasession", "role": "logistics", "password": PASSWORD}
    assert_error(client.post("/api/v1/users", json=body), 400, "csrf_failed")
    assert count(app, User) == 4
    response = client.post("/api/v1/users", json=body, headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 201


def test_token_login_issues_a_token_and_is_throttled(app, client):
    app.config["LOGIN_FAILURES_PER_USER"] = 2
    keeper = make_user(app)
    response = client.post("/api/v1/auth/token", json={"username": keeper.username,
                                                       "password": PASSWORD, "token_name": "pda-3"})
    assert response.status_code == 201 and response.json["token"].startswith("whr_")
    assert client.get("/api/v1/me", headers=bearer(response.json["token"])).status_code == 200
    for _ in range(2):
        assert_error(client.post("/api/v1/auth/token", json={"username": keeper.username,
                                                             "password": "wrong!"}),
                     401, "unauthenticated")
    throttled = client.post("/api/v1/auth/token", json={"username": keeper.username,
                                                        "password": PASSWORD})
    assert_error(throttled, 429, "throttled")
    assert int(throttled.headers["Retry-After"]) > 0


def test_the_audit_log_filters_by_action(app, client, admin_token):
    client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x"})
    events = client.get("/api/v1/audit-events?action=login_failed", headers=bearer(admin_token)).json
    assert events["total"] == 1 and events["items"][0]["username"] == "nobody"
    naive = client.get("/api/v1/audit-events?since=2026-01-01T00:00:00", headers=bearer(admin_token))
    assert_error(naive, 422, "invalid_input", "since")
    beyond = client.get("/api/v1/audit-events?since=9999-12-31T23:59:59-14:00",
                        headers=bearer(admin_token))
    assert_error(beyond, 422, "invalid_input", "since")
    shanghai = client.get("/api/v1/audit-events?until=2000-01-01T08:00:00%2B08:00",
                          headers=bearer(admin_token))
    assert shanghai.status_code == 200 and shanghai.json["total"] == 0


def test_categories_are_listed_for_every_role(app, client, users):
    token = issue_token(app, users[Role.LOGISTICS])
    codes = [c["code"] for c in client.get("/api/v1/categories", headers=bearer(token)).json]
    assert codes == ["EA", "PE", "FE", "RE", "ER", "MS", "FF"]


def test_nul_characters_are_refused_before_reaching_the_database(app, client, admin_token):
    body = {"username": "nul", "role": "logistics", "password": PASSWORD, "display_name": "a\x00b"}
    assert_error(client.post("/api/v1/users", headers=bearer(admin_token), json=body),
                 422, "invalid_input", "display_name")
    assert_error(client.get("/api/v1/users?q=a%00b", headers=bearer(admin_token)), 400, "bad_request")
    assert client.post("/login", data={"username": "a\x00", "password": "x"}).status_code == 400
    assert count(app, User) == 4
