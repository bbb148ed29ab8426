"""Signing in and out through the pages: CSRF, throttling, sessions, cookies, language."""

import pytest
from sqlalchemy import select

from tests.builders import PASSWORD, make_user
from warehouse import create_app
from warehouse.extensions import db
from warehouse.models import AuditEvent, User
from warehouse.models.audit import AuditAction
from warehouse.services import accounts


def audit_actions(app):
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        db.session.remove()
    return actions


def login(client, username, password, **extra):
    return client.post_form("/login", {"username": username, "password": password, **extra})


def test_the_login_page_speaks_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page and 'lang="zh-CN"' in page


def test_the_login_page_follows_an_english_browser(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Sign in" in page and 'lang="en"' in page


def test_a_chinese_browser_variant_gets_chinese(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert 'lang="zh-CN"' in page


def test_the_language_link_on_the_login_page_switches_to_english(client):
    page = client.get("/login?lang=en", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert 'lang="en"' in page


def test_signing_in_redirects_home_and_records_the_login(app, client):
    keeper = make_user(app)
    response = login(client, keeper.username, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert audit_actions(app)[-1] == AuditAction.LOGIN


def test_signing_in_follows_a_local_next_but_never_another_site(app, client):
    keeper = make_user(app)
    assert login(client, keeper.username, PASSWORD, next="/account").headers["Location"] == "/account"
    client.post_form("/logout")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert login(client, keeper.username, PASSWORD, next=target).headers["Location"] == "/"
        client.post_form("/logout")


@pytest.mark.parametrize("username", ["known", "nobody"])
def test_wrong_credentials_get_one_message_whether_or_not_the_user_exists(app, client, username):
    make_user(app, username="known")
    response = login(client, username, "wrong password!")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True) or \
        "Wrong username or password" in response.get_data(as_text=True)
    assert audit_actions(app)[-1] == AuditAction.LOGIN_FAILED
    assert client.get("/").status_code == 302


def test_a_login_without_csrf_token_is_refused_and_writes_nothing(app, client):
    keeper = make_user(app)
    before = audit_actions(app)
    response = client.post("/login", data={"username": keeper.username, "password": PASSWORD})
    assert response.status_code == 400
    assert audit_actions(app) == before
    assert client.get("/").status_code == 302


def test_repeated_failures_are_throttled_with_retry_after(app, client):
    app.config["LOGIN_FAILURES_PER_USER"] = 3
    keeper = make_user(app)
    for _ in range(3):
        assert login(client, keeper.username, "bad password 1").status_code == 401
    response = login(client, keeper.username, PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= app.config["LOGIN_WINDOW_SECONDS"] + 1
    assert client.get("/").status_code == 302


def test_signing_in_rotates_the_session(app, client):
    keeper = make_user(app)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["csrf_token"] = "fixed-by-attacker"
    login(client, keeper.username, PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != "fixed-by-attacker"


def test_signing_out_needs_post_and_ends_the_session(app, client):
    keeper = make_user(app)
    login(client, keeper.username, PASSWORD)
    assert client.get("/logout").status_code == 405
    response = client.post_form("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    assert audit_actions(app)[-1] == AuditAction.LOGOUT


def test_a_password_change_ends_other_sessions(app):
    keeper = make_user(app)
    elsewhere = app.test_client().sign_in(keeper)
    with app.app_context():
        accounts.change_password(db.session, accounts.Caller(None, None), keeper.id,
                                 new_password="a brand new secret")
        db.session.remove()
    assert elsewhere.get("/").status_code == 302


def test_disabling_a_user_ends_the_session(app):
    keeper = make_user(app)
    client = app.test_client().sign_in(keeper)
    assert client.get("/").status_code == 200
    with app.app_context():
        accounts.update_user(db.session, accounts.Caller(None, None), keeper.id, active=False)
        db.session.remove()
    assert client.get("/").status_code == 302


def test_session_cookie_is_http_only_and_same_site(app, client):
    keeper = make_user(app)
    response = login(client, keeper.username, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure(monkeypatch, database_url):
    monkeypatch.setenv("WAREHOUSE_SECRET_KEY", "p" * 48)
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", database_url)
    monkeypatch.delenv("WAREHOUSE_INSECURE_COOKIES", raising=False)
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True and not app.debug


def test_the_language_choice_is_remembered_for_the_user(app, client_as, users):
    client = client_as("commander")
    response = client.post_form("/language", {"lang": "en", "next": "/categories"})
    assert response.status_code == 302 and response.headers["Location"] == "/categories"
    with app.app_context():
        assert db.session.get(User, users["commander"].id).locale == "en"
        db.session.remove()
    # Another browser of the same user, sending a Chinese Accept-Language, still gets English.
    other = app.test_client().sign_in(users["commander"])
    assert 'lang="en"' in other.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_security_headers_are_sent(client):
    headers = client.get("/login").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"


def test_user_text_is_escaped_not_rendered(app):
    admin = make_user(app, "admin", display_name="<script>alert(1)</script>{{ 7*7 }}")
    page = app.test_client().sign_in(admin).get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "{{ 7*7 }}" in page and "49" not in page


def test_healthz_is_public_and_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"
