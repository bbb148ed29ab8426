"""Signing in and out, and choosing the UI language."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from warehouse.access import current_caller, public, signed_in
from warehouse.domain.accounts import ThrottlePolicy
from warehouse.domain.errors import AuthenticationFailed, Throttled
from warehouse.extensions import db
from warehouse.services import accounts
from warehouse.views import safe_next
from warehouse.views.forms import LanguageForm, LoginForm, PostForm

bp = Blueprint("auth", __name__)


def throttle_policy(config) -> ThrottlePolicy:
    """Return the failed-login limits the configuration sets."""
    return ThrottlePolicy(
        per_user=config["LOGIN_FAILURES_PER_USER"],
        per_address=config["LOGIN_FAILURES_PER_ADDRESS"],
        window=timedelta(seconds=config["LOGIN_WINDOW_SECONDS"]),
    )


def start_session(user) -> None:
    """Sign the user in on a fresh session (no state carried over from before)."""
    lang = session.get("lang")
    session.clear()  # rotate: drop everything, including the old CSRF secret
    if lang:
        session["lang"] = lang
    session.permanent = True
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form and sign in."""
    if request.args.get("lang") in current_app.config["LANGUAGES"]:
        session["lang"] = request.args["lang"]
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("home.index")))
    form = LoginForm(next=request.args.get("next", ""))
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                db.session, username=form.username.data, password=form.password.data,
                address=request.remote_addr, policy=throttle_policy(current_app.config),
            )
        except Throttled as error:
            status, headers = 429, {"Retry-After": str(error.retry_after)}
            minutes = max(1, -(-error.retry_after // 60))
            form.password.errors = [
                _("Too many failed sign-ins. Try again in %(minutes)d minutes.", minutes=minutes)
            ]
        except AuthenticationFailed:
            status = 401
            form.password.errors = [_("Wrong username or password.")]
        else:
            start_session(user)
            return redirect(safe_next(url_for("home.index")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status, headers


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    """Sign out and forget the session."""
    accounts.record_logout(db.session, current_caller())
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@signed_in
def language():
    """Switch the UI language and remember it for the user."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        accounts.set_locale(db.session, current_user, form.lang.data)
    else:
        flash(_("Unknown language."), "error")
    return redirect(safe_next(url_for("home.index")))


@bp.app_context_processor
def auth_forms():
    """Give every page the logout and language forms of the header."""
    return {"logout_form": PostForm(), "language_form": LanguageForm()}
