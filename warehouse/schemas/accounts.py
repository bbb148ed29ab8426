"""Users, tokens and sign-in."""

import marshmallow as ma
from marshmallow import validate

from warehouse.domain.accounts import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN, Role
from warehouse.schemas.common import PageArgsSchema, StrictSchema, id_field

ROLE_VALUES = [r.value for r in Role]
NEW_PASSWORD_LENGTH = validate.Length(min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH)
LOCALE_VALUES = ["zh", "en"]


class UserSchema(ma.Schema):
    """A user as the API shows it (never the password hash)."""

    id = ma.fields.Integer(required=True)
    username = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    role = ma.fields.Enum(Role, by_value=True, required=True)
    active = ma.fields.Boolean(required=True)
    locale = ma.fields.String(allow_none=True, required=True)
    created_at = ma.fields.DateTime(required=True)
    password_changed_at = ma.fields.DateTime(required=True)


class UserCreateSchema(StrictSchema):
    """A new user."""

    username = ma.fields.String(required=True, validate=[
        validate.Length(min=2, max=40), validate.Regexp(USERNAME_PATTERN)])
    display_name = ma.fields.String(validate=validate.Length(max=80))
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLE_VALUES))
    password = ma.fields.String(required=True, load_only=True, validate=NEW_PASSWORD_LENGTH,
                                metadata={"description": "At least 4 different characters, "
                                                         "not the username"})
    locale = ma.fields.String(allow_none=True, validate=validate.OneOf(LOCALE_VALUES))


class UserUpdateSchema(StrictSchema):
    """Changes to a user; absent fields stay as they are."""

    display_name = ma.fields.String(validate=validate.Length(max=80))
    role = ma.fields.String(validate=validate.OneOf(ROLE_VALUES))
    active = ma.fields.Boolean()
    locale = ma.fields.String(allow_none=True, validate=validate.OneOf(LOCALE_VALUES))


class UserListArgsSchema(PageArgsSchema):
    """Filters of the user list."""

    role = ma.fields.String(validate=validate.OneOf(ROLE_VALUES))
    active = ma.fields.Boolean()
    q = ma.fields.String(validate=validate.Length(max=40),
                         metadata={"description": "Part of the username or display name"})
    sort = ma.fields.String(load_default="username",
                            validate=validate.OneOf(["username", "-username", "role", "created_at",
                                                     "-created_at"]))


class PasswordResetSchema(StrictSchema):
    """A new password set by an administrator."""

    new_password = ma.fields.String(required=True, load_only=True, validate=NEW_PASSWORD_LENGTH)


class PasswordChangeSchema(PasswordResetSchema):
    """A user's own password change, proven by the current one."""

    current_password = ma.fields.String(required=True, load_only=True,
                                        validate=validate.Length(max=PASSWORD_MAX_LENGTH))


class TokenSchema(ma.Schema):
    """An API token as listed (the secret is never shown again)."""

    id = ma.fields.Integer(required=True)
    user_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    hint = ma.fields.String(required=True, metadata={"description": "First characters"})
    created_at = ma.fields.DateTime(required=True)
    expires_at = ma.fields.DateTime(allow_none=True, required=True)
    revoked_at = ma.fields.DateTime(allow_none=True, required=True)
    last_used_at = ma.fields.DateTime(allow_none=True, required=True)


class IssuedTokenSchema(TokenSchema):
    """A token just issued, with its secret: store it now, it is not shown again."""

    token = ma.fields.String(required=True)


class TokenCreateSchema(StrictSchema):
    """A token to issue; admins may issue for another user."""

    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))
    days = ma.fields.Integer(allow_none=True, validate=validate.Range(min=1, max=3650),
                             metadata={"description": "Days until expiry; null: never"})
    user_id = id_field(metadata={"description": "Admins only; default yourself"})


class TokenListArgsSchema(PageArgsSchema):
    """Filters of the token list."""

    user_id = id_field()
    include_revoked = ma.fields.Boolean(load_default=False)


class LoginSchema(StrictSchema):
    """Credentials exchanged for a bearer token."""

    username = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = ma.fields.String(required=True, load_only=True,
                                validate=validate.Length(min=1, max=PASSWORD_MAX_LENGTH))
    token_name = ma.fields.String(load_default="api login", validate=validate.Length(min=1, max=80))
    days = ma.fields.Integer(load_default=30, validate=validate.Range(min=1, max=365))
