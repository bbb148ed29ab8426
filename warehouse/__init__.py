"""The emergency materials reserve: create_app and the register_* helpers."""

from __future__ import annotations

from flask import Flask, abort, g, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from config import INSTANCE_DIR, PROJECT_ROOT, Config, load_config


def create_app(config: Config | str | None = None, **overrides) -> Flask:
    """Build the app from a configuration (object or name) plus keyword overrides."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(INSTANCE_DIR),
    )
    if config is None or isinstance(config, str):
        config = load_config(config)
    app.config.from_object(config)
    app.config.update(overrides)
    app.json.ensure_ascii = False  # Chinese names stay readable in API answers
    if app.config.get("PROXY_COUNT"):
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    register_extensions(app)
    register_login(app)
    register_blueprints(app)
    register_access(app)
    register_errors(app)
    register_templates(app)
    register_security_headers(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extensions to the app."""
    from warehouse import database  # noqa: F401  (installs the engine event listeners)
    from warehouse.extensions import babel, csrf, db, migrate
    from warehouse.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)


def register_login(app: Flask) -> None:
    """Load users from the session cookie, or from a bearer token on API requests."""
    from sqlalchemy import select

    from warehouse.domain.errors import AuthenticationFailed
    from warehouse.extensions import db, login
    from warehouse.models import User
    from warehouse.services.accounts import user_for_token

    login.init_app(app)
    login.login_view = "auth.login"
    login.session_protection = "basic"

    @login.user_loader
    def load_user(session_key: str):
        user = db.session.scalar(select(User).where(User.session_key == session_key))
        return user if user is not None and user.active else None

    @login.request_loader
    def load_user_from_token(req):
        header = req.headers.get("Authorization", "")
        if not req.path.startswith("/api/") or not header.startswith("Bearer "):
            return None
        try:
            user = user_for_token(db.session, header.removeprefix("Bearer ").strip())
        except AuthenticationFailed as error:
            g.auth_error = error.message
            return None
        g.authenticated_by_token = True
        return user


def register_blueprints(app: Flask) -> None:
    """Register the pages and the API."""
    from warehouse.api import register_api
    from warehouse.routing import CodeConverter, IdConverter
    from warehouse.views import (
        account,
        admin,
        agreements,
        apidocs,
        auth,
        catalogue,
        deployments,
        health,
        home,
        kit_editor,
        kits,
        locations,
        partners,
        printing,
        readiness,
        readiness_modules,
        readiness_report,
        reports,
        reserve,
        rosters,
        scans,
        squads,
        station,
        stock,
        stocktake,
    )

    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["code"] = CodeConverter
    for module in (auth, home, account, admin, catalogue, locations, stock, stocktake, kits,
                   kit_editor, printing, scans, reports, squads, rosters, deployments, station,
                   partners, agreements, reserve, readiness, readiness_modules, readiness_report, health,
                   apidocs):
        app.register_blueprint(module.bp)
    app.extensions["warehouse_api"] = register_api(app)


def register_access(app: Flask) -> None:
    """Check every request against its route's role rule; CSRF for cookie-based API calls."""
    from warehouse.access import enforce_access_rules, is_api_request
    from warehouse.extensions import csrf

    @app.before_request
    def check_access():
        # A multipart part without a name is read with the name None.
        if any("\x00" in text for key, values in request.values.lists() for text in (key or "", *values)):
            # PostgreSQL cannot store NUL in text: refuse it before any form or query reads it.
            abort(400, "NUL characters are not allowed in form fields or query parameters")
        response = enforce_access_rules()
        if response is not None:
            return response
        if is_api_request() and request.method not in ("GET", "HEAD", "OPTIONS") \
                and current_user.is_authenticated and not g.get("authenticated_by_token"):
            # A browser session calling the API must prove the call came from our pages.
            csrf.protect()
        return None


def register_errors(app: Flask) -> None:
    """Map errors to the API's JSON shape or to error pages."""
    from warehouse.api.errors import register_error_handlers

    register_error_handlers(app)


def register_templates(app: Flask) -> None:
    """Give templates the helpers they need."""
    from flask_babel import get_locale

    from warehouse.access import can
    from warehouse.views.labels import AUDIT_LABELS, KIT_LABELS, LOCALE_LABELS, ROLE_LABELS, STOCK_LABELS

    @app.context_processor
    def helpers():
        return {"can": can, "ROLE_LABELS": ROLE_LABELS, "LOCALE_LABELS": LOCALE_LABELS,
                "AUDIT_LABELS": AUDIT_LABELS, "LABELS": STOCK_LABELS, "KIT_LABELS": KIT_LABELS,
                "current_locale": str(get_locale())}


def register_security_headers(app: Flask) -> None:
    """Send headers that keep pages out of frames, caches and foreign scripts."""

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        if current_user and current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def register_cli(app: Flask) -> None:
    """Add the flask commands (users, demo)."""
    from warehouse.cli import demo_cli, labels_cli, ledger_cli, readiness_cli, users_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(ledger_cli)
    app.cli.add_command(labels_cli)
    app.cli.add_command(readiness_cli)
