"""The signed-in user's own account: password, language, API tokens."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from warehouse.access import current_caller, signed_in
from warehouse.domain.errors import DomainError
from warehouse.extensions import db
from warehouse.queries.accounts import token_page
from warehouse.services import accounts
from warehouse.views import form_errors_from
from warehouse.views.auth import start_session
from warehouse.views.forms import PasswordChangeForm, PostForm, TokenForm

bp = Blueprint("account", __name__, url_prefix="/account")


def _render(password_form=None, token_form=None, new_token=None, status=200):
    tokens = token_page(db.session, user_id=current_user.id, per_page=200).items
    return render_template(
        "account/account.html",
        password_form=password_form or PasswordChangeForm(),
        token_form=token_form or TokenForm(),
        revoke_form=PostForm(),
        tokens=tokens,
        new_token=new_token,
    ), status


@bp.route("")
@signed_in
def show():
    """Show the account page."""
    return _render()


@bp.route("/password", methods=["POST"])
@signed_in
def change_password():
    """Change the user's own password; other sessions end, this one is renewed."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _render(password_form=form, status=400)
    try:
        user = accounts.change_password(
            db.session, current_caller(), current_user.id,
            new_password=form.new_password.data, current_password=form.current_password.data,
        )
    except DomainError as error:
        form_errors_from(error, form)
        return _render(password_form=form, status=error.status)
    start_session(user)
    flash(_("Password changed. Other sessions have been signed out."), "success")
    return redirect(url_for("account.show"))


@bp.route("/tokens", methods=["POST"])
@signed_in
def issue_token():
    """Issue an API token for the user; its secret is shown once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _render(token_form=form, status=400)
    try:
        token, secret = accounts.issue_token(db.session, current_caller(), current_user.id,
                                             name=form.name.data, days=form.days.data)
    except DomainError as error:
        form_errors_from(error, form)
        return _render(token_form=form, status=error.status)
    return _render(new_token={"name": token.name, "secret": secret}, status=201)


@bp.route("/tokens/<id:token_id>/revoke", methods=["POST"])
@signed_in
def revoke_token(token_id: int):
    """Revoke one of the user's tokens."""
    if not PostForm().validate_on_submit():
        return _render(status=400)
    token = accounts.revoke_token(db.session, current_caller(), token_id, owner_id=current_user.id)
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("account.show"))
