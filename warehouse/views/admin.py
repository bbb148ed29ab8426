"""Administration: users, their roles, passwords and tokens, and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from warehouse.access import allow, current_caller
from warehouse.domain.accounts import Role
from warehouse.domain.errors import DomainError, NotFound
from warehouse.extensions import db
from warehouse.models import User
from warehouse.models.audit import AuditAction
from warehouse.queries.accounts import audit_page, token_page, user_page
from warehouse.schemas.accounts import UserListArgsSchema
from warehouse.schemas.audit import AuditListArgsSchema
from warehouse.services import accounts
from warehouse.views import form_errors_from, list_args
from warehouse.views.forms import (
    PasswordResetForm,
    PostForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@allow(Role.ADMIN)
def users():
    """List users with filters."""
    args = list_args(UserListArgsSchema)
    return render_template("admin/users.html", page=user_page(db.session, **args), args=args,
                           roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_user():
    """Create a user."""
    form = UserCreateForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                db.session, current_caller(), username=form.username.data, role=form.role.data,
                password=form.password.data, display_name=form.display_name.data,
                locale=form.locale.data or None,
            )
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    elif request.method == "POST":
        status = 400
    return render_template("admin/user_new.html", form=form), status


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


def _render_user(user: User, *, edit_form=None, password_form=None, token_form=None,
                 new_token=None, status=200):
    if edit_form is None:
        edit_form = UserEditForm(obj=user, role=user.role.value, locale=user.locale or "")
    return render_template(
        "admin/user.html", user=user, edit_form=edit_form,
        password_form=password_form or PasswordResetForm(),
        token_form=token_form or TokenForm(), revoke_form=PostForm(),
        tokens=token_page(db.session, user_id=user.id, per_page=200).items,
        new_token=new_token,
    ), status


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user(user_id: int):
    """Show and change a user."""
    user = _user_or_404(user_id)
    if request.method == "GET":
        return _render_user(user)
    form = UserEditForm()
    if not form.validate_on_submit():
        return _render_user(user, edit_form=form, status=400)
    try:
        accounts.update_user(
            db.session, current_caller(), user_id, display_name=form.display_name.data,
            role=form.role.data, active=form.active.data, locale=form.locale.data or "",
        )
    except DomainError as error:
        form_errors_from(error, form)
        return _render_user(_user_or_404(user_id), edit_form=form, status=error.status)
    flash(_("Changes saved."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<id:user_id>/password", methods=["POST"])
@allow(Role.ADMIN)
def reset_password(user_id: int):
    """Set a user's password; the user is signed out everywhere."""
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _render_user(user, password_form=form, status=400)
    try:
        accounts.change_password(db.session, current_caller(), user_id,
                                 new_password=form.new_password.data)
    except DomainError as error:
        form_errors_from(error, form)
        return _render_user(_user_or_404(user_id), password_form=form, status=error.status)
    flash(_("Password set. The user has been signed out everywhere."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<id:user_id>/tokens", methods=["POST"])
@allow(Role.ADMIN)
def issue_token(user_id: int):
    """Issue a token for a user (a scanner or an integration)."""
    user = _user_or_404(user_id)
    form = TokenForm()
    if not form.validate_on_submit():
        return _render_user(user, token_form=form, status=400)
    try:
        token, secret = accounts.issue_token(db.session, current_caller(), user_id,
                                             name=form.name.data, days=form.days.data)
    except DomainError as error:
        form_errors_from(error, form)
        return _render_user(_user_or_404(user_id), token_form=form, status=error.status)
    return _render_user(_user_or_404(user_id),
                        new_token={"name": token.name, "secret": secret}, status=201)


@bp.route("/users/<id:user_id>/tokens/<id:token_id>/revoke", methods=["POST"])
@allow(Role.ADMIN)
def revoke_token(user_id: int, token_id: int):
    """Revoke a user's token."""
    if not PostForm().validate_on_submit():
        abort(400)
    token = accounts.revoke_token(db.session, current_caller(), token_id, owner_id=user_id)
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/audit")
@allow(Role.ADMIN)
def audit():
    """Show the audit log, newest first."""
    args = list_args(AuditListArgsSchema)
    return render_template("admin/audit.html", page=audit_page(db.session, **args), args=args,
                           actions=list(AuditAction))
