"""/api/v1/tokens: bearer tokens for scanners and integrations."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE

from warehouse.access import current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.domain.accounts import Role
from warehouse.domain.errors import NotFound
from warehouse.extensions import db
from warehouse.queries.accounts import token_page
from warehouse.schemas.accounts import (
    IssuedTokenSchema,
    TokenCreateSchema,
    TokenListArgsSchema,
    TokenSchema,
)
from warehouse.schemas.common import page_of
from warehouse.services import accounts

PREFIX = "/tokens"
blp = ResourceBlueprint("api_tokens", __name__, description="API tokens: yours, or anyone's for admins")


def issued(token, secret: str) -> dict:
    """Return a just-issued token with its secret, for IssuedTokenSchema to dump."""
    return {**{name: getattr(token, name) for name in TokenSchema().fields}, "token": secret}


def _owner(user_id: int | None) -> int:
    """Return whose tokens the caller means; only admins may name someone else."""
    if user_id is None or user_id == current_user.id:
        return current_user.id
    if current_user.role != Role.ADMIN:
        raise NotFound("no such user")
    return user_id


@blp.route("")
class Tokens(MethodView):
    @signed_in
    @blp.arguments(TokenListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(TokenSchema))
    def get(self, args):
        """List API tokens (yours; admins may pass user_id)."""
        args["user_id"] = _owner(args.get("user_id"))
        return token_page(db.session, **args).as_dict()

    @signed_in
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, IssuedTokenSchema)
    def post(self, data):
        """Issue a token; the secret is in this answer only."""
        token, secret = accounts.issue_token(
            db.session, current_caller(), _owner(data.get("user_id")),
            name=data["name"], days=data.get("days"),
        )
        return issued(token, secret)


@blp.route("/<id:token_id>")
class TokenById(MethodView):
    @signed_in
    @blp.response(200, TokenSchema)
    def delete(self, token_id):
        """Revoke a token at once."""
        return accounts.revoke_token(db.session, current_caller(), token_id)
