"""The signed-in user's own account page: password, API tokens, language."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from tests.builders import PASSWORD, assert_redirected_to_login, field_errors, issue_token
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import ApiToken, AuditEvent, User
from warehouse.models.audit import AuditAction
from warehouse.passwords import verify_password

NEW_PASSWORD = "a brand new passphrase"
SECRET = re.compile(r'<code class="secret">([^<]+)</code>')
REVOKE = re.compile(r'action="/account/tokens/(\d+)/revoke"')


@pytest.fixture
def keeper(users):
    """The logistics user whose account page these tests use."""
    return users[Role.LOGISTICS]


def stored_user(app, user_id: int) -> dict:
    with app.app_context():
        user = db.session.get(User, user_id)
        row = {"password_hash": user.password_hash, "session_key": user.session_key,
               "password_changed_at": user.password_changed_at, "locale": user.locale}
        db.session.remove()
    return row


def audit_count(app, action: AuditAction) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == action))


def me(app, secret: str):
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})


# --- password --------------------------------------------------------------------------------

def test_account_page_shows_the_signed_in_user(client_as, keeper):
    response = client_as("logistics").get("/account")
    assert response.status_code == 200
    assert f"<dd>{keeper.username}</dd>" in response.get_data(as_text=True)


def test_change_password_with_wrong_current_password_shows_error_and_changes_nothing(
        client_as, keeper, app):
    client = client_as("logistics")
    before = stored_user(app, keeper.id)
    response = client.post_form("/account/password", {
        "current_password": "not my password", "new_password": NEW_PASSWORD,
    })
    assert response.status_code == 422
    assert field_errors(response, "current_password") == ["不正确"]
    assert stored_user(app, keeper.id) == before
    assert audit_count(app, AuditAction.PASSWORD_CHANGED) == 0
    assert client.get("/account").status_code == 200


def test_change_password_with_too_short_new_password_shows_error_and_changes_nothing(
        client_as, keeper, app):
    before = stored_user(app, keeper.id)
    response = client_as("logistics").post_form("/account/password", {
        "current_password": PASSWORD, "new_password": "short",
    })
    assert response.status_code == 422
    assert field_errors(response, "new_password") == ["至少 10 个字符"]
    assert stored_user(app, keeper.id) == before


def test_change_password_keeps_this_client_signed_in_and_signs_out_the_others(
        client_as, keeper, app):
    this = client_as("logistics")
    other = client_as("logistics")
    assert other.get("/account").status_code == 200
    before = stored_user(app, keeper.id)

    response = this.post_form("/account/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"

    after = stored_user(app, keeper.id)
    with app.app_context():
        assert verify_password(after["password_hash"], NEW_PASSWORD)
    assert after["session_key"] != before["session_key"]
    assert audit_count(app, AuditAction.PASSWORD_CHANGED) == 1
    assert this.get("/account").status_code == 200
    assert_redirected_to_login(other.get("/account"))

    wrong = app.test_client().post_form("/login", {"username": "logistics", "password": PASSWORD})
    assert wrong.status_code == 401
    right = app.test_client().post_form("/login",
                                        {"username": "logistics", "password": NEW_PASSWORD})
    assert right.status_code == 302


def test_change_password_without_csrf_token_is_refused(client_as, keeper, app):
    before = stored_user(app, keeper.id)
    response = client_as("logistics").post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
    })
    assert response.status_code == 400
    assert stored_user(app, keeper.id) == before


# --- tokens ----------------------------------------------------------------------------------

def test_issued_token_is_shown_once_and_works_as_bearer(client_as, keeper, app):
    client = client_as("logistics")
    response = client.post_form("/account/tokens", {"name": "handheld", "days": "90"})
    assert response.status_code == 201
    shown = SECRET.findall(response.get_data(as_text=True))
    assert len(shown) == 1
    secret = shown[0]
    api = me(app, secret)
    assert api.status_code == 200
    assert api.json["username"] == keeper.username

    body = client.get("/account").get_data(as_text=True)
    assert "handheld" in body
    assert secret not in body and not SECRET.findall(body)


def test_revoking_own_token_stops_it_working(client_as, keeper, app):
    client = client_as("logistics")
    page = client.post_form("/account/tokens", {"name": "handheld", "days": ""})
    secret = SECRET.findall(page.get_data(as_text=True))[0]
    (token_id,) = map(int, REVOKE.findall(page.get_data(as_text=True)))

    response = client.post_form(f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert me(app, secret).status_code == 401
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is not None
    assert REVOKE.findall(client.get("/account").get_data(as_text=True)) == []


def test_cannot_revoke_someone_elses_token(client_as, users, app):
    owner = users[Role.COMMANDER]
    secret = issue_token(app, owner, name="commander tablet")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))
    response = client_as("logistics").post_form(f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None
    assert audit_count(app, AuditAction.TOKEN_REVOKED) == 0
    assert me(app, secret).status_code == 200


def test_account_page_lists_only_own_tokens(client_as, users, app):
    issue_token(app, users[Role.COMMANDER], name="commander tablet")
    issue_token(app, users[Role.LOGISTICS], name="keeper scanner")
    body = client_as("logistics").get("/account").get_data(as_text=True)
    assert "keeper scanner" in body
    assert "commander tablet" not in body


# --- language --------------------------------------------------------------------------------

def zh_text(app, msgid: str) -> str:
    """What the compiled zh catalog makes of a message."""
    with app.test_request_context(), force_locale("zh"):
        return gettext(msgid)


def test_language_switch_stores_the_users_locale_and_renders_in_it(client_as, keeper, app):
    client = client_as("logistics")
    zh_page = client.get("/account").get_data(as_text=True)
    assert '<html lang="zh-CN">' in zh_page
    assert zh_text(app, "Sign out") in zh_page

    response = client.post_form("/language?next=/account", {"lang": "en"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert stored_user(app, keeper.id)["locale"] == "en"
    en_page = client.get("/account").get_data(as_text=True)
    assert '<html lang="en">' in en_page
    assert "Sign out" in en_page
    assert "My account" in en_page
    # Stored on the user, not only in this browser's session: a new sign-in gets English too.
    elsewhere = client_as("logistics").get("/account").get_data(as_text=True)
    assert '<html lang="en">' in elsewhere

    back = client.post_form("/language?next=/account", {"lang": "zh"})
    assert back.status_code == 302
    assert stored_user(app, keeper.id)["locale"] == "zh"
    zh_again = client.get("/account").get_data(as_text=True)
    assert '<html lang="zh-CN">' in zh_again
    assert zh_text(app, "Sign out") in zh_again
    if zh_text(app, "Sign out") != "Sign out":
        assert "Sign out" not in zh_again


def test_unknown_language_is_refused_and_the_locale_kept(client_as, keeper, app):
    client = client_as("logistics")
    response = client.post_form("/language?next=/account", {"lang": "fr"})
    assert response.status_code == 302
    assert stored_user(app, keeper.id)["locale"] is None
    assert '<html lang="zh-CN">' in client.get("/account").get_data(as_text=True)
