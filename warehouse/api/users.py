"""/api/v1/users and /api/v1/me: accounts."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from warehouse.access import allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.domain.accounts import Role
from warehouse.domain.errors import NotFound
from warehouse.extensions import db
from warehouse.models import User
from warehouse.queries.accounts import user_page
from warehouse.schemas.accounts import (
    PasswordChangeSchema,
    PasswordResetSchema,
    UserCreateSchema,
    UserListArgsSchema,
    UserSchema,
    UserUpdateSchema,
)
from warehouse.schemas.common import page_of
from warehouse.services import accounts

PREFIX = ""
blp = ResourceBlueprint("api_users", __name__, description="Accounts and roles (admins manage them)")


@blp.route("/users")
class Users(MethodView):
    @allow(Role.ADMIN)
    @blp.arguments(UserListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(UserSchema))
    def get(self, args):
        """List users."""
        return user_page(db.session, **args).as_dict()

    @allow(Role.ADMIN)
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user."""
        return accounts.create_user(db.session, current_caller(), **data)


@blp.route("/users/<id:user_id>")
class UserById(MethodView):
    @allow(Role.ADMIN)
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """Show a user."""
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFound("no such user")
        return user

    @allow(Role.ADMIN)
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Change a user's name, role, language or whether it may sign in."""
        return accounts.update_user(db.session, current_caller(), user_id, **data)


@blp.route("/users/<id:user_id>/password")
class UserPassword(MethodView):
    @allow(Role.ADMIN)
    @blp.arguments(PasswordResetSchema)
    @blp.response(204)
    def post(self, data, user_id):
        """Set a user's password (signs the user out everywhere)."""
        accounts.change_password(db.session, current_caller(), user_id, **data)


@blp.route("/me")
class Me(MethodView):
    @signed_in
    @blp.response(200, UserSchema)
    def get(self):
        """Show the signed-in user."""
        return current_user


@blp.route("/me/password")
class MyPassword(MethodView):
    @signed_in
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    def post(self, data):
        """Change your own password (other sessions end; tokens stay)."""
        accounts.change_password(db.session, current_caller(), current_user.id, **data)
