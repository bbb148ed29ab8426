"""The admin pages: users, their roles, passwords and tokens, and the audit log."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from tests.builders import (
    CLI,
    PASSWORD,
    assert_redirected_to_login,
    counts,
    field_errors,
    issue_token,
    make_user,
)
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import ApiToken, AuditEvent, User
from warehouse.models.audit import AuditAction
from warehouse.passwords import verify_password
from warehouse.services import accounts

NEW_PASSWORD = "a brand new passphrase"
USER_LINK = re.compile(r'<a href="/admin/users/\d+">([^<]+)</a>')
SECRET = re.compile(r'<code class="secret">([^<]+)</code>')
AUDIT_ROW = re.compile(r"<td><span title=\"([a-z_]+)\">[^<]*</span></td>\s*<td>([^<]*)</td>")


# --- helpers ---------------------------------------------------------------------------------

def listed_usernames(response) -> list[str]:
    return USER_LINK.findall(response.get_data(as_text=True))


def audit_rows(response) -> list[tuple[str, str]]:
    return [(action, html.unescape(name)) for action, name
            in AUDIT_ROW.findall(response.get_data(as_text=True))]


def user_row(app, user_id: int) -> dict:
    with app.app_context():
        user = db.session.get(User, user_id)
        row = {"username": user.username, "display_name": user.display_name, "role": user.role,
               "active": user.active, "session_key": user.session_key,
               "password_hash": user.password_hash, "locale": user.locale}
        db.session.remove()
    return row


def audit_events(app, action: AuditAction) -> list[AuditEvent]:
    with app.app_context():
        events = list(db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
        db.session.expunge_all()
        db.session.remove()
    return events


def edit_data(row: dict, **changes) -> dict:
    """The user edit form as the page would post it (the checkbox is absent when unticked)."""
    data = {"display_name": row["display_name"], "role": row["role"].value,
            "locale": row["locale"] or "", "active": "y" if row["active"] else None}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def me(client, secret: str):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})


# --- user list -------------------------------------------------------------------------------

def test_user_list_shows_every_user(client_as, users):
    response = client_as("admin").get("/admin/users")
    assert response.status_code == 200
    assert sorted(listed_usernames(response)) == sorted(u.username for u in users.values())


def test_user_list_filters_by_role(client_as, users, app):
    make_user(app, Role.COMMANDER, username="commander2")
    response = client_as("admin").get("/admin/users?role=commander")
    assert response.status_code == 200
    assert listed_usernames(response) == ["commander", "commander2"]


def test_user_list_filters_by_active_state(client_as, users, app):
    with app.app_context():
        accounts.update_user(db.session, CLI, users[Role.COMMANDER].id, active=False)
        db.session.remove()
    admin = client_as("admin")
    disabled = admin.get("/admin/users?active=false")
    assert listed_usernames(disabled) == ["commander"]
    active = admin.get("/admin/users?active=true")
    assert sorted(listed_usernames(active)) == ["admin", "logistics", "supplyofficer"]


def test_user_list_search_matches_username_and_display_name(client_as, users, app):
    make_user(app, Role.LOGISTICS, username="wang", display_name="Zhang Wei")
    admin = client_as("admin")
    assert listed_usernames(admin.get("/admin/users?q=zhang")) == ["wang"]
    assert listed_usernames(admin.get("/admin/users?q=SUPPLY")) == ["supplyofficer"]
    assert listed_usernames(admin.get("/admin/users?q=nobody-like-this")) == []


def test_user_list_ignores_an_invalid_filter_and_says_so(client_as, users):
    response = client_as("admin").get("/admin/users?role=emperor")
    assert response.status_code == 200
    assert "flash-error" in response.get_data(as_text=True)
    assert len(listed_usernames(response)) == len(users)


def test_user_list_paginates_fifty_per_page_keeping_the_filters(client_as, users, app):
    for n in range(1, 56):
        make_user(app, Role.LOGISTICS, username=f"bulk{n:02d}")
    admin = client_as("admin")
    first = admin.get("/admin/users?role=logistics")
    assert listed_usernames(first) == [f"bulk{n:02d}" for n in range(1, 51)]
    next_links = re.findall(r'<a href="(/admin/users\?[^"]*)">[^<]*›</a>',
                            first.get_data(as_text=True))
    assert len(next_links) == 1
    next_url = html.unescape(next_links[0])
    assert "page=2" in next_url and "role=logistics" in next_url
    second = admin.get(next_url)
    assert listed_usernames(second) == [f"bulk{n:02d}" for n in range(51, 56)] + ["logistics"]


# --- creating a user -------------------------------------------------------------------------

def test_create_user_redirects_to_the_user_and_records_user_created(client_as, users, app):
    admin = client_as("admin")
    response = admin.post_form("/admin/users/new", {
        "username": "Newkeeper", "display_name": "New Keeper", "role": "logistics",
        "password": NEW_PASSWORD, "locale": "en",
    })
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "newkeeper"))
        assert user is not None
        assert (user.display_name, user.role, user.locale, user.active) == \
            ("New Keeper", Role.LOGISTICS, "en", True)
        assert verify_password(user.password_hash, NEW_PASSWORD)
        user_id = user.id
        db.session.remove()
    assert response.headers["Location"] == f"/admin/users/{user_id}"
    created = [e for e in audit_events(app, AuditAction.USER_CREATED) if e.username == "newkeeper"]
    assert len(created) == 1
    assert created[0].actor_id == users[Role.ADMIN].id
    assert created[0].target == f"user:{user_id}"
    assert created[0].detail == "role=logistics"
    page = admin.get(response.headers["Location"])
    assert page.status_code == 200
    assert "New Keeper" in page.get_data(as_text=True)


def test_duplicate_username_shows_form_error_and_writes_nothing(client_as, users, app):
    admin = client_as("admin")
    before = counts(app)
    response = admin.post_form("/admin/users/new", {
        "username": "Logistics", "role": "commander", "password": NEW_PASSWORD,
    })
    assert response.status_code == 409
    assert field_errors(response, "username") == ["已被占用"]
    assert counts(app) == before
    assert user_row(app, users[Role.LOGISTICS].id)["role"] == Role.LOGISTICS


def test_too_short_password_shows_field_error_and_writes_nothing(client_as, users, app):
    admin = client_as("admin")
    before = counts(app)
    response = admin.post_form("/admin/users/new", {
        "username": "shorty", "role": "logistics", "password": "abc123",
    })
    assert response.status_code == 422
    assert field_errors(response, "password") == ["至少 10 个字符"]
    assert counts(app) == before
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "shorty")) is None


def test_create_user_form_without_csrf_token_is_refused_and_writes_nothing(client_as, users, app):
    admin = client_as("admin")
    before = counts(app)
    response = admin.post("/admin/users/new", data={
        "username": "forged", "role": "admin", "password": NEW_PASSWORD,
    })
    assert response.status_code == 400
    assert counts(app) == before
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "forged")) is None


def test_edit_form_without_csrf_token_is_refused_and_changes_nothing(client_as, users, app):
    target = users[Role.LOGISTICS]
    before = user_row(app, target.id)
    response = client_as("admin").post(f"/admin/users/{target.id}",
                                       data=edit_data(before, role="admin", active=None))
    assert response.status_code == 400
    assert user_row(app, target.id) == before


# --- editing a user --------------------------------------------------------------------------

def test_edit_role_and_display_name_saves_and_records_role_changed(client_as, users, app):
    target = users[Role.LOGISTICS]
    row = user_row(app, target.id)
    response = client_as("admin").post_form(
        f"/admin/users/{target.id}",
        edit_data(row, role="supply_officer", display_name="Li Qiang"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{target.id}"
    after = user_row(app, target.id)
    assert (after["role"], after["display_name"], after["active"]) == \
        (Role.SUPPLY_OFFICER, "Li Qiang", True)
    changed = audit_events(app, AuditAction.ROLE_CHANGED)
    assert [(e.username, e.detail, e.actor_id) for e in changed] == \
        [("logistics", "logistics -> supply_officer", users[Role.ADMIN].id)]
    assert not audit_events(app, AuditAction.USER_DISABLED)


def test_disabling_a_user_ends_their_session_and_revokes_their_tokens(client_as, users, app):
    target = users[Role.LOGISTICS]
    secret = issue_token(app, target)
    victim = client_as("logistics")
    assert victim.get("/account").status_code == 200
    assert me(app.test_client(), secret).status_code == 200

    response = client_as("admin").post_form(f"/admin/users/{target.id}",
                                             edit_data(user_row(app, target.id), active=None))
    assert response.status_code == 302

    assert user_row(app, target.id)["active"] is False
    assert [e.username for e in audit_events(app, AuditAction.USER_DISABLED)] == ["logistics"]
    assert_redirected_to_login(victim.get("/account"))
    assert me(app.test_client(), secret).status_code == 401
    with app.app_context():
        assert db.session.scalar(select(ApiToken.revoked_at)
                                 .where(ApiToken.user_id == target.id)) is not None


def test_disabled_user_cannot_sign_in_with_the_login_form(client_as, users, app):
    target = users[Role.COMMANDER]
    client_as("admin").post_form(f"/admin/users/{target.id}",
                                 edit_data(user_row(app, target.id), active=None))
    client = app.test_client()
    response = client.post_form("/login", {"username": "commander", "password": PASSWORD})
    assert response.status_code == 401


def test_admin_cannot_disable_self(client_as, users, app):
    admin_ref = users[Role.ADMIN]
    make_user(app, Role.ADMIN, username="admin2")  # not the last admin: the self rule applies
    admin = client_as("admin")
    before = user_row(app, admin_ref.id)
    response = admin.post_form(f"/admin/users/{admin_ref.id}",
                               edit_data(before, active=None, display_name="Renamed"))
    assert response.status_code == 409
    assert field_errors(response, "active") == ["不能停用自己的账户"]
    assert user_row(app, admin_ref.id) == before
    assert not audit_events(app, AuditAction.USER_DISABLED)
    assert admin.get("/admin/users").status_code == 200


def test_last_active_admin_cannot_be_demoted(client_as, users, app):
    admin_ref = users[Role.ADMIN]
    other = make_user(app, Role.ADMIN, username="admin2")
    with app.app_context():
        accounts.update_user(db.session, CLI, other.id, active=False)  # an admin, but disabled
        db.session.remove()
    admin = client_as("admin")
    before = user_row(app, admin_ref.id)
    response = admin.post_form(f"/admin/users/{admin_ref.id}", edit_data(before, role="commander"))
    assert response.status_code == 409
    assert field_errors(response, "role") == ["须至少保留一名启用的系统管理员"]
    assert user_row(app, admin_ref.id) == before
    assert not audit_events(app, AuditAction.ROLE_CHANGED)


def test_an_admin_may_be_demoted_while_another_admin_stays_active(client_as, users, app):
    other = make_user(app, Role.ADMIN, username="admin2")
    response = client_as("admin").post_form(
        f"/admin/users/{other.id}", edit_data(user_row(app, other.id), role="commander"))
    assert response.status_code == 302
    assert user_row(app, other.id)["role"] == Role.COMMANDER


# --- passwords -------------------------------------------------------------------------------

def test_reset_password_signs_the_user_out_and_the_new_password_works(client_as, users, app):
    target = users[Role.SUPPLY_OFFICER]
    victim = client_as("supply_officer")
    assert victim.get("/account").status_code == 200

    response = client_as("admin").post_form(f"/admin/users/{target.id}/password",
                                            {"new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert [e.username for e in audit_events(app, AuditAction.PASSWORD_CHANGED)] == \
        ["supplyofficer"]

    assert_redirected_to_login(victim.get("/account"))
    old = app.test_client().post_form("/login", {"username": "supplyofficer", "password": PASSWORD})
    assert old.status_code == 401
    fresh = app.test_client()
    signed_in = fresh.post_form("/login", {"username": "supplyofficer", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert fresh.get("/account").status_code == 200


def test_reset_password_too_short_shows_field_error_and_changes_nothing(client_as, users, app):
    target = users[Role.SUPPLY_OFFICER]
    before = user_row(app, target.id)
    response = client_as("admin").post_form(f"/admin/users/{target.id}/password",
                                            {"new_password": "short"})
    assert response.status_code == 422
    assert field_errors(response, "new_password") == ["至少 10 个字符"]
    assert user_row(app, target.id) == before


# --- tokens ----------------------------------------------------------------------------------

def test_issued_token_is_shown_once_and_works_as_bearer(client_as, users, app):
    target = users[Role.LOGISTICS]
    admin = client_as("admin")
    response = admin.post_form(f"/admin/users/{target.id}/tokens",
                               {"name": "scanner 7", "days": "30"})
    assert response.status_code == 201
    secrets_shown = SECRET.findall(response.get_data(as_text=True))
    assert len(secrets_shown) == 1
    secret = secrets_shown[0]

    api = me(app.test_client(), secret)
    assert api.status_code == 200
    assert api.json["username"] == "logistics"

    reload = admin.get(f"/admin/users/{target.id}")
    body = reload.get_data(as_text=True)
    assert "scanner 7" in body  # still listed...
    assert secret not in body and not SECRET.findall(body)  # ...but the secret is gone
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == target.id))
        assert token.name == "scanner 7" and token.digest != secret
    issued = audit_events(app, AuditAction.TOKEN_ISSUED)
    assert [(e.username, e.detail) for e in issued] == [("logistics", "scanner 7")]


def test_revoked_token_no_longer_authenticates(client_as, users, app):
    target = users[Role.LOGISTICS]
    admin = client_as("admin")
    page = admin.post_form(f"/admin/users/{target.id}/tokens", {"name": "scanner", "days": ""})
    secret = SECRET.findall(page.get_data(as_text=True))[0]
    token_id = int(re.findall(rf'action="/admin/users/{target.id}/tokens/(\d+)/revoke"',
                              page.get_data(as_text=True))[0])
    assert me(app.test_client(), secret).status_code == 200

    response = admin.post_form(f"/admin/users/{target.id}/tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert me(app.test_client(), secret).status_code == 401
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is not None
    assert [e.target for e in audit_events(app, AuditAction.TOKEN_REVOKED)] == [f"token:{token_id}"]


def test_revoking_a_token_under_another_user_is_404_and_keeps_it(client_as, users, app):
    owner = users[Role.LOGISTICS]
    other = users[Role.COMMANDER]
    secret = issue_token(app, owner)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))
    response = client_as("admin").post_form(f"/admin/users/{other.id}/tokens/{token_id}/revoke")
    assert response.status_code == 404
    assert me(app.test_client(), secret).status_code == 200


# --- audit log -------------------------------------------------------------------------------

def test_audit_page_lists_events_newest_first(client_as, users, app):
    issue_token(app, users[Role.LOGISTICS], name="scanner")
    response = client_as("admin").get("/admin/audit")
    assert response.status_code == 200
    rows = audit_rows(response)
    assert rows[0] == ("token_issued", "logistics")
    assert sorted(rows[1:]) == sorted(("user_created", u.username) for u in users.values())


def test_audit_page_filters_by_action(client_as, users, app):
    issue_token(app, users[Role.LOGISTICS], name="scanner")
    issue_token(app, users[Role.COMMANDER], name="tablet")
    rows = audit_rows(client_as("admin").get("/admin/audit?action=token_issued"))
    assert sorted(rows) == [("token_issued", "commander"), ("token_issued", "logistics")]


def test_audit_page_filters_by_username(client_as, users, app):
    issue_token(app, users[Role.LOGISTICS], name="scanner")
    issue_token(app, users[Role.COMMANDER], name="tablet")
    rows = audit_rows(client_as("admin").get("/admin/audit?username=Commander"))
    assert sorted(rows) == [("token_issued", "commander"), ("user_created", "commander")]


def test_audit_page_combines_action_and_username_filters(client_as, users, app):
    issue_token(app, users[Role.LOGISTICS], name="scanner")
    rows = audit_rows(client_as("admin").get("/admin/audit?action=user_created&username=logistics"))
    assert rows == [("user_created", "logistics")]


# --- other roles -----------------------------------------------------------------------------

NON_ADMIN_ROLES = [Role.LOGISTICS, Role.SUPPLY_OFFICER, Role.COMMANDER]
ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/users/{target}", "/admin/audit"]


@pytest.mark.parametrize("role", NON_ADMIN_ROLES, ids=str)
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_non_admin_roles_get_403_on_admin_pages(client_as, users, role, page):
    url = page.format(target=users[Role.ADMIN].id)
    assert client_as(role).get(url).status_code == 403


@pytest.mark.parametrize("role", NON_ADMIN_ROLES, ids=str)
def test_non_admin_roles_get_403_creating_a_user_and_nothing_is_written(client_as, users, app,
                                                                        role):
    before = counts(app)
    response = client_as(role).post_form("/admin/users/new", {
        "username": "intruder", "role": "admin", "password": NEW_PASSWORD,
    })
    assert response.status_code == 403
    assert counts(app) == before


@pytest.mark.parametrize("role", NON_ADMIN_ROLES, ids=str)
def test_non_admin_roles_get_403_promoting_themselves(client_as, users, app, role):
    ref = users[role]
    before = user_row(app, ref.id)
    response = client_as(role).post_form(f"/admin/users/{ref.id}", edit_data(before, role="admin"))
    assert response.status_code == 403
    assert user_row(app, ref.id) == before


@pytest.mark.parametrize("role", NON_ADMIN_ROLES, ids=str)
def test_non_admin_roles_get_403_resetting_a_password_or_issuing_a_token(client_as, users, app,
                                                                         role):
    target = users[Role.ADMIN]
    before = user_row(app, target.id), counts(app)
    client = client_as(role)
    reset = client.post_form(f"/admin/users/{target.id}/password", {"new_password": NEW_PASSWORD})
    token = client.post_form(f"/admin/users/{target.id}/tokens", {"name": "x", "days": "1"})
    assert (reset.status_code, token.status_code) == (403, 403)
    assert (user_row(app, target.id), counts(app)) == before


def test_service_errors_are_shown_in_the_users_language(app, client_as):
    make_user(app, username="taken")
    client = client_as("admin")
    client.post_form("/language", {"lang": "en"})
    response = client.post_form("/admin/users/new", {
        "username": "taken", "role": "logistics", "password": PASSWORD})
    assert response.status_code == 409
    assert field_errors(response, "username") == ["already taken"]
