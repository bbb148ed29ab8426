"""The flask commands: users and demo data."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from tests.builders import counts, make_user
from warehouse.demo import DEMO_PASSWORD, DEMO_USERS
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import ApiToken, AuditEvent, Category, User
from warehouse.models.audit import AuditAction
from warehouse.passwords import verify_password

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(args=list(args), input=input)

    return invoke


def user_named(app, username: str) -> dict | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        row = None if user is None else {
            "role": user.role, "active": user.active, "display_name": user.display_name,
            "password_ok": verify_password(user.password_hash, NEW_PASSWORD),
        }
        db.session.remove()
    return row


def all_users(app) -> dict[str, Role]:
    with app.app_context():
        result = {u.username: u.role for u in db.session.scalars(select(User))}
        db.session.remove()
    return result


def me(app, secret: str):
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})


# --- users create ----------------------------------------------------------------------------

def test_users_create_reads_the_password_from_stdin(cli, app):
    result = cli("users", "create", "Alice", "--role", "commander", "--display-name", "Alice W",
                 "--password-stdin", input=f"{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "created alice (commander)" in result.output
    assert user_named(app, "alice") == {"role": Role.COMMANDER, "active": True,
                                        "display_name": "Alice W", "password_ok": True}
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == AuditAction.USER_CREATED))
        assert (event.username, event.address, event.actor_id) == ("alice", "cli", None)


def test_users_create_user_can_sign_in_with_that_password(cli, app):
    cli("users", "create", "alice", "--role", "logistics", "--password-stdin",
        input=f"{NEW_PASSWORD}\n")
    response = app.test_client().post_form("/login",
                                           {"username": "alice", "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_users_create_with_unknown_role_fails_and_writes_nothing(cli, app):
    before = counts(app)
    result = cli("users", "create", "alice", "--role", "emperor", "--password-stdin",
                 input=f"{NEW_PASSWORD}\n")
    assert result.exit_code != 0
    assert "Invalid value for '--role'" in result.output
    assert "emperor" in result.output
    assert counts(app) == before


def test_users_create_with_short_password_fails_and_writes_nothing(cli, app):
    before = counts(app)
    result = cli("users", "create", "alice", "--role", "logistics", "--password-stdin",
                 input="short\n")
    assert result.exit_code != 0
    assert "Error: password: at least 10 characters" in result.output
    assert counts(app) == before
    assert user_named(app, "alice") is None


def test_users_create_with_taken_username_fails_and_writes_nothing(cli, app, users):
    before = counts(app)
    result = cli("users", "create", "Commander", "--role", "admin", "--password-stdin",
                 input=f"{NEW_PASSWORD}\n")
    assert result.exit_code != 0
    assert "Error: username: already taken" in result.output
    assert counts(app) == before
    assert all_users(app)["commander"] == Role.COMMANDER


def test_users_create_with_invalid_username_fails_and_writes_nothing(cli, app):
    before = counts(app)
    result = cli("users", "create", "no spaces", "--role", "logistics", "--password-stdin",
                 input=f"{NEW_PASSWORD}\n")
    assert result.exit_code != 0
    assert "username:" in result.output
    assert counts(app) == before


# --- users list / token / disable ------------------------------------------------------------

def test_users_list_prints_each_user_with_role_and_state(cli, app, users):
    result = cli("users", "list")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:3] for line in result.output.splitlines() if line}
    assert lines == {ref.username: [role.value, "active"] for role, ref in users.items()}


def test_users_list_marks_disabled_users(cli, app, users):
    cli("users", "disable", "commander")
    lines = {line.split()[0]: line.split()[2] for line in cli("users", "list").output.splitlines()}
    assert lines["commander"] == "disabled"
    assert lines["logistics"] == "active"


def test_users_token_prints_a_token_that_works_as_bearer(cli, app, users):
    result = cli("users", "token", "logistics", "--name", "scanner 3")
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("whr_") and "\n" not in secret
    response = me(app, secret)
    assert response.status_code == 200
    assert response.json["username"] == "logistics"
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.name == "scanner 3" and token.expires_at is not None


def test_users_token_with_zero_days_never_expires(cli, app, users):
    result = cli("users", "token", "logistics", "--days", "0")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(ApiToken.expires_at)) is None


def test_users_token_for_unknown_user_fails_and_writes_nothing(cli, app, users):
    before = counts(app)
    result = cli("users", "token", "ghost")
    assert result.exit_code != 0
    assert "no user named 'ghost'" in result.output
    assert counts(app) == before


def test_users_disable_signs_the_user_out_and_revokes_tokens(cli, app, users):
    secret = cli("users", "token", "logistics").output.strip()
    browser = app.test_client().sign_in(users[Role.LOGISTICS])
    assert browser.get("/account").status_code == 200

    result = cli("users", "disable", "logistics")
    assert result.exit_code == 0, result.output
    assert "disabled logistics" in result.output
    assert all_users(app)["logistics"] == Role.LOGISTICS
    with app.app_context():
        assert db.session.scalar(select(User.active).where(User.username == "logistics")) is False
        assert db.session.scalar(select(ApiToken.revoked_at)) is not None
    assert me(app, secret).status_code == 401
    response = browser.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_users_disable_refuses_the_last_active_admin(cli, app, users):
    result = cli("users", "disable", "admin")
    assert result.exit_code != 0
    assert "keep at least one active administrator" in result.output
    with app.app_context():
        assert db.session.scalar(select(User.active).where(User.username == "admin")) is True


def test_users_disable_unknown_user_fails(cli, app, users):
    result = cli("users", "disable", "ghost")
    assert result.exit_code != 0
    assert "no user named 'ghost'" in result.output


# --- demo ------------------------------------------------------------------------------------

DEMO = {username: role for username, role, _name in DEMO_USERS}


def demo_passwords_work(app) -> bool:
    with app.app_context():
        hashes = dict(db.session.execute(select(User.username, User.password_hash)).all())
        ok = all(verify_password(hashes[name], DEMO_PASSWORD) for name in DEMO)
        db.session.remove()
    return ok


def category_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Category))


def test_demo_load_creates_the_four_demo_users_on_an_empty_database(cli, app):
    assert all_users(app) == {}
    result = cli("demo", "load")
    assert result.exit_code == 0, result.output
    assert "demo data loaded" in result.output
    assert all_users(app) == DEMO
    assert demo_passwords_work(app)


@pytest.fixture
def users_only_demo(monkeypatch):
    """Load just the demo users: the loading mechanics do not need the whole depot."""
    from warehouse import demo

    monkeypatch.setattr(demo, "LOADERS", [demo.load_users])


def test_demo_load_twice_changes_nothing_the_second_time(cli, app, users_only_demo):
    cli("demo", "load")
    before = counts(app)
    result = cli("demo", "load")
    assert result.exit_code == 0, result.output
    assert "not loaded" in result.output
    assert counts(app) == before
    assert all_users(app) == DEMO


def test_demo_load_does_not_touch_a_database_with_users(cli, app, users):
    before = counts(app)
    result = cli("demo", "load")
    assert "not loaded" in result.output
    assert counts(app) == before
    assert "keeper" not in all_users(app)


def test_demo_load_reset_restores_exactly_the_demo_users(cli, app):
    cli("demo", "load")
    categories = category_count(app)
    with app.app_context():
        db.session.execute(delete(User).where(User.username == "keeper"))
        db.session.commit()
        db.session.remove()
    make_user(app, Role.ADMIN, username="intruder")
    with app.app_context():
        db.session.execute(db.update(User).where(User.username == "officer")
                           .values(role=Role.COMMANDER))
        db.session.commit()
        db.session.remove()

    result = cli("demo", "load", "--reset")
    assert result.exit_code == 0, result.output
    assert "demo data loaded" in result.output
    assert all_users(app) == DEMO
    assert demo_passwords_work(app)
    assert category_count(app) == categories > 0  # seeded reference data survives the reset


def test_demo_logins_prints_each_demo_username(cli, app):
    result = cli("demo", "logins")
    assert result.exit_code == 0, result.output
    printed = [line.split()[0] for line in result.output.splitlines() if line.strip()]
    assert printed == [username for username, _role, _name in DEMO_USERS]
    assert all(DEMO_PASSWORD in line for line in result.output.splitlines() if line.strip())
