"""Flask-WTF forms of the account and admin pages (each carries a CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from warehouse.domain.accounts import PASSWORD_MAX_LENGTH
from warehouse.views.labels import LOCALE_LABELS, ROLE_LABELS


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


def locale_choices(blank: bool = True) -> list[SelectChoice]:
    choices = [SelectChoice(code, label) for code, label in LOCALE_LABELS.items()]
    return ([SelectChoice("", _l("Browser default"))] if blank else []) + choices


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)])
    next = HiddenField()


class PostForm(FlaskForm):
    """A button-only form: just the CSRF token (logout, revoke)."""


class LanguageForm(FlaskForm):
    lang = SelectField(_l("Language"), choices=locale_choices(blank=False))
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"),
                                 validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)])


class PasswordResetForm(FlaskForm):
    new_password = PasswordField(_l("New password"),
                                 validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)])


class UserCreateForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=40)])
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=80)])
    role = SelectField(_l("Role"), choices=role_choices(), validators=[InputRequired()])
    password = PasswordField(_l("Initial password"),
                             validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)])
    locale = SelectField(_l("Language"), choices=locale_choices(), validators=[Optional()])


class UserEditForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=80)])
    role = SelectField(_l("Role"), choices=role_choices(), validators=[InputRequired()])
    locale = SelectField(_l("Language"), choices=locale_choices(), validators=[Optional()])
    active = BooleanField(_l("May sign in"))


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("e.g. the scanner's label"))
    days = IntegerField(_l("Valid for (days)"), default=180,
                        validators=[Optional(), NumberRange(min=1, max=3650)],
                        description=_l("Leave empty for a token that does not expire"))
