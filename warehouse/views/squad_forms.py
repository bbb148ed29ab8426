"""Forms and list filters of the squad, personnel and compliance pages (each form carries a CSRF token).

Field names follow the squad services' arguments (code, name_zh, kind, squad, squad_role,
expires_on, threshold...), so the services' field errors land on the right field.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from warehouse.domain.squads import MAX_HEADCOUNT_TARGET
from warehouse.queries.squads import PERSON_SORTS
from warehouse.schemas.common import PageArgsSchema
from warehouse.views.forms import PostForm
from warehouse.views.operation_forms import strip
from warehouse.views.squad_labels import (
    EMPLOYMENT_LABELS,
    FUNCTION_LABELS,
    GRADE_LABELS,
    PERSON_STATUS_LABELS,
    SQUAD_KIND_LABELS,
    SQUAD_ROLE_LABELS,
)

# The squad filter's value for people in no squad: not a squad code, which starts with a letter or digit.
NO_SQUAD = "-"
CODE_ATTRS = {"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}
SQUAD_FILTER = validate.Regexp(r"^(-|[A-Za-z0-9][A-Za-z0-9-]{0,23})$")
KIND_CODE = validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]{0,23}$")


def choices_of(labels: dict, blank=None) -> list[SelectChoice]:
    """Return select choices for an enum's labels, optionally after a blank choice."""
    return ([SelectChoice("", blank)] if blank is not None else []) + [
        SelectChoice(member.value, label) for member, label in labels.items()]


def code_field(label, description=None) -> StringField:
    return StringField(label, filters=[strip], description=description,
                       validators=[DataRequired(), Length(max=24)], render_kw=CODE_ATTRS)


def note_field() -> TextAreaField:
    return TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=4000)],
                         render_kw={"rows": 2})


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SquadForm(PostForm):
    """A support squad: its code, names, kind, function, station and modules."""

    code = code_field(_l("Squad code"), _l("2-24 capital letters, digits and '-', e.g. CB-WZ"))
    name_zh = StringField(_l("Chinese name"), filters=[strip], validators=[DataRequired(), Length(max=40)])
    name_en = StringField(_l("English name"), filters=[strip], validators=[DataRequired(), Length(max=80)])
    kind = SelectField(_l("Kind"), choices=choices_of(SQUAD_KIND_LABELS), validators=[InputRequired()])
    function = SelectField(_l("Support function"), choices=choices_of(FUNCTION_LABELS),
                           validators=[InputRequired()])
    home_station = StringField(_l("Home station"), filters=[strip], validators=[Optional(), Length(max=80)])
    # The service names an unknown module; the choices only draw the boxes.
    modules = MultiCheckboxField(_l("Modules it specialises in"), validate_choice=False)
    note = note_field()

    def service_fields(self) -> dict:
        """Return the fields as the squad services take them."""
        return {"name_zh": self.name_zh.data, "name_en": self.name_en.data, "kind": self.kind.data,
                "function": self.function.data, "home_station": self.home_station.data,
                "modules": list(self.modules.data or []), "note": self.note.data}


class SquadEditForm(SquadForm):
    """Changes to a squad (its code is printed on rosters and badges and stays)."""

    code = None
    active = BooleanField(_l("In service (untick to deactivate the squad)"))

    def service_fields(self) -> dict:
        return {**super().service_fields(), "active": self.active.data}


class SquadActiveForm(PostForm):
    """The squad page's deactivate / reactivate button."""

    set_active = HiddenField()


class PersonForm(PostForm):
    """A person in the support force: badge, contact, squad and role, employment and status."""

    badge_code = code_field(_l("Badge code"),
                            _l("3-24 capital letters, digits and '-', printed on the badge"))
    name = StringField(_l("Full name"), filters=[strip], validators=[DataRequired(), Length(max=40)])
    phone = StringField(_l("Phone"), filters=[strip], validators=[Optional(), Length(max=40)],
                        render_kw={"inputmode": "tel", "autocomplete": "off"})
    # Choices are the squads, set by the view; the service names an unknown one.
    squad = SelectField(_l("Squad"), validate_choice=False)
    squad_role = SelectField(
        _l("Role in the squad"), choices=choices_of(SQUAD_ROLE_LABELS), validators=[InputRequired()],
        description=_l("A new leader replaces the squad's previous one, who becomes a member"))
    employment = SelectField(_l("Employment"), choices=choices_of(EMPLOYMENT_LABELS),
                             validators=[InputRequired()])
    status = SelectField(_l("Status"), choices=choices_of(PERSON_STATUS_LABELS), validators=[InputRequired()],
                         description=_l("Only people on duty count towards the staffing targets"))
    joined_on = DateField(_l("Joined on"), validators=[Optional()])
    note = note_field()

    def service_fields(self) -> dict:
        """Return the fields as the personnel services take them."""
        return {"name": self.name.data, "phone": self.phone.data, "squad": self.squad.data or None,
                "squad_role": self.squad_role.data, "employment": self.employment.data,
                "status": self.status.data, "joined_on": self.joined_on.data, "note": self.note.data}


class PersonEditForm(PersonForm):
    """Changes to a person (the badge code is printed and stays)."""

    badge_code = None


class QualificationForm(PostForm):
    """Record or renew one of a person's qualifications."""

    # Choices are the kinds, set by the view; the service names an unknown one.
    kind = SelectField(_l("Qualification"), validate_choice=False, validators=[InputRequired()])
    grade = SelectField(_l("Grade"), choices=choices_of(GRADE_LABELS, blank=_l("None")),
                        validate_choice=False, description=_l("Only for graded qualifications"))
    certificate_no = StringField(_l("Certificate number"), filters=[strip],
                                 validators=[Optional(), Length(max=40)], render_kw={"spellcheck": "false"})
    issued_on = DateField(_l("Issued on"), validators=[Optional()])
    expires_on = DateField(_l("Expires on"), validators=[Optional()],
                           description=_l("Leave empty when it does not expire"))

    def service_fields(self) -> dict:
        """Return the fields as set_qualification takes them."""
        return {"kind": self.kind.data, "grade": self.grade.data or None,
                "certificate_no": self.certificate_no.data, "issued_on": self.issued_on.data,
                "expires_on": self.expires_on.data}


class QualificationKindForm(PostForm):
    """A kind of qualification people can hold."""

    code = StringField(_l("Code"), filters=[strip], validators=[DataRequired(), Length(max=24)],
                       render_kw=CODE_ATTRS,
                       description=_l("Capital letters, digits and '_', e.g. CRANE"))
    name_zh = StringField(_l("Chinese name"), filters=[strip], validators=[DataRequired(), Length(max=40)])
    name_en = StringField(_l("English name"), filters=[strip], validators=[DataRequired(), Length(max=80)])
    graded = BooleanField(_l("Graded (junior / intermediate / senior)"))


class TargetForm(PostForm):
    """An administrator's threshold for one staffing target."""

    threshold = IntegerField(_l("Threshold"), validators=[InputRequired()],
                             render_kw={"min": 0, "max": MAX_HEADCOUNT_TARGET, "inputmode": "numeric"})


class SquadListArgsSchema(ma.Schema):
    """Filters of the squad list (allowlist)."""

    kind = ma.fields.String(validate=validate.OneOf([k.value for k in SQUAD_KIND_LABELS]))
    function = ma.fields.String(validate=validate.OneOf([f.value for f in FUNCTION_LABELS]))
    inactive = ma.fields.Boolean(load_default=False)


class PersonnelArgsSchema(PageArgsSchema):
    """Filters of the personnel list (allowlist)."""

    squad = ma.fields.String(validate=SQUAD_FILTER)
    status = ma.fields.String(validate=validate.OneOf([s.value for s in PERSON_STATUS_LABELS]))
    employment = ma.fields.String(validate=validate.OneOf([e.value for e in EMPLOYMENT_LABELS]))
    qualification = ma.fields.String(validate=KIND_CODE)
    q = ma.fields.String(validate=validate.Length(max=80))
    sort = ma.fields.String(load_default="name", validate=validate.OneOf(list(PERSON_SORTS)))
