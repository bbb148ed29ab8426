"""Forms and list filters of the kit pages (each form carries a CSRF token).

Field names follow the kit services' arguments (module, code, outcome, findings, status, note), so
their field errors land on the right field; home places are typed or scanned as a location code.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from warehouse.domain.kits import TRANSITIONS, KitStatus
from warehouse.queries.kits import KIT_SORTS
from warehouse.schemas.common import PageArgsSchema
from warehouse.views.forms import PostForm
from warehouse.views.labels import KIT_STATUS_LABELS, OUTCOME_LABELS
from warehouse.views.operation_forms import CODE_LENGTH, code_field, note_field, strip

# What a keeper may set by hand; deployed and returned come from scanning boxes out and in.
MANUAL_TARGETS = (KitStatus.READY, KitStatus.SHORT, KitStatus.RESTOCKING, KitStatus.QUARANTINED,
                  KitStatus.RETIRED)
CODE = validate.Length(max=40)


def status_targets(current: KitStatus) -> list[KitStatus]:
    """Return the statuses a keeper may move a box to from its current one."""
    return [s for s in MANUAL_TARGETS if s in TRANSITIONS[current] and s != current]


def home_field(label, description=None) -> StringField:
    """Return a location code field that suggests the zones, racks and bins (datalist home-places)."""
    return StringField(label, filters=[strip], description=description,
                       validators=[DataRequired(), CODE_LENGTH],
                       render_kw={"autocapitalize": "characters", "spellcheck": "false",
                                  "list": "home-places"})


class NewKitForm(PostForm):
    """Register a new, empty box of a template for one of its modules."""

    module = SelectField(_l("Module"), validators=[InputRequired()])
    home = home_field(_l("Home location code"), _l("The zone, rack or bin where the box is kept"))
    code = code_field(_l("Box code"), required=False,
                      description=_l("Leave empty to number it K-<module>-0001, -0002, ..."))
    note = note_field()


class InspectionForm(PostForm):
    """An inspection of a box: what was found."""

    outcome = SelectField(_l("Outcome"), validators=[InputRequired()],
                          choices=[SelectChoice(o.value, label) for o, label in OUTCOME_LABELS.items()])
    findings = TextAreaField(_l("Findings"), filters=[strip],
                             validators=[Optional(), Length(max=2000)], render_kw={"rows": 2},
                             description=_l("Required unless the box passed"))


class StatusForm(PostForm):
    """Put a box into restock or quarantine, back into service, or retire it."""

    status = SelectField(_l("New status"), validators=[InputRequired()])
    note = note_field(description=_l("Required for quarantine and retirement"))

    def offer(self, current: KitStatus | None) -> StatusForm:
        """Offer the targets allowed from the current status, or all manual ones to validate a post."""
        targets = MANUAL_TARGETS if current is None else status_targets(current)
        self.status.choices = [SelectChoice(s.value, KIT_STATUS_LABELS[s]) for s in targets]
        return self


class RelocateForm(PostForm):
    """Give a box a new home place."""

    home = home_field(_l("New home location code"))
    note = note_field()


class RestockForm(PostForm):
    """The restock confirmation: its rows are read from the request by the view."""

    note = TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=2000)],
                         render_kw={"rows": 2})


class KitPageArgsSchema(PageArgsSchema):
    """Filters of the box list (allowlist)."""

    module = ma.fields.String(validate=validate.Regexp(r"^[A-Za-z][A-Za-z0-9]{1,5}$"))
    template = ma.fields.String(validate=CODE)
    status = ma.fields.String(validate=validate.OneOf([s.value for s in KitStatus]))
    q = ma.fields.String(validate=CODE)
    sort = ma.fields.String(load_default="code", validate=validate.OneOf(list(KIT_SORTS)))


class TemplatePageArgsSchema(PageArgsSchema):
    """Filters of the template list (allowlist)."""

    module = ma.fields.String(validate=validate.Regexp(r"^[A-Za-z][A-Za-z0-9]{1,5}$"))
    category = ma.fields.String(validate=validate.Regexp(r"^[A-Za-z]{2}$"))
    q = ma.fields.String(validate=validate.Length(max=80))

