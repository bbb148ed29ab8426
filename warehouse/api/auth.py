"""/api/v1/auth: exchange a username and password for a bearer token."""

from flask import current_app, request
from flask.views import MethodView

from warehouse.access import public
from warehouse.api import ResourceBlueprint
from warehouse.api.tokens import issued
from warehouse.extensions import db
from warehouse.schemas.accounts import IssuedTokenSchema, LoginSchema
from warehouse.services import accounts
from warehouse.views.auth import throttle_policy

PREFIX = "/auth"
blp = ResourceBlueprint("api_auth", __name__, description="Sign in for a token (throttled)")


@blp.route("/token")
class TokenLogin(MethodView):
    @public
    @blp.arguments(LoginSchema)
    @blp.response(201, IssuedTokenSchema)
    @blp.doc(security=[])
    def post(self, data):
        """Sign in with a username and password and get a bearer token."""
        token, secret = accounts.sign_in_for_token(
            db.session, username=data["username"], password=data["password"],
            address=request.remote_addr, policy=throttle_policy(current_app.config),
            token_name=data["token_name"], days=data["days"],
        )
        return issued(token, secret)
