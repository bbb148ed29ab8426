"""Forms and list filters of the deployment pages (each form carries a CSRF token).

Field names follow the deployment services' arguments (name, kind, module, squads,
expected_return_at, quantity, returned...), so the services' field errors land on the right
field; items and locations typed as a SKU or code are resolved by the view.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate
from wtforms import DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from warehouse.domain.deployments import COMMANDER_MAX, NAME_MAX, PLACE_MAX, DeploymentKind
from warehouse.schemas.common import PageArgsSchema
from warehouse.services.stock import NOTE_MAX
from warehouse.timezone import depot_zone
from warehouse.views.deployment_labels import DEPLOYMENT_KIND_LABELS, STATE_LABELS
from warehouse.views.forms import PostForm
from warehouse.views.operation_forms import code_field, lot_field, quantity_field, sku_field, strip
from warehouse.views.squad_forms import MultiCheckboxField, choices_of

# What a datetime-local input sends (minutes; seconds when the browser adds them); the first renders.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
CODE_FILTER = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,23}$")
COUNT_ATTRS = {"min": 0, "inputmode": "numeric", "class": "quantity-input"}


def text_field(label, limit: int, required: bool = False, **kwargs) -> StringField:
    return StringField(label, filters=[strip], validators=[DataRequired() if required else Optional(),
                                                           Length(max=limit)], **kwargs)


def note_field(rows: int = 2) -> TextAreaField:
    return TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=NOTE_MAX)],
                         render_kw={"rows": rows})


def count_field(label) -> IntegerField:
    return IntegerField(label, validators=[Optional()], default=0, render_kw=COUNT_ATTRS)


class DeploymentEditForm(PostForm):
    """What may change while a deployment is open: names, place, commander, squads, return, note."""

    name = text_field(_l("Name"), NAME_MAX, required=True,
                      description=_l("e.g. the incident's address or the drill's title"))
    place = text_field(_l("Place"), PLACE_MAX)
    commander = text_field(_l("Commanding officer"), COMMANDER_MAX)
    # Choices are the active squads, set by the view; the service names an unknown one.
    squads = MultiCheckboxField(_l("Support squads"), validate_choice=False)
    expected_return_at = DateTimeLocalField(
        _l("Expected return"), format=LOCAL_FORMATS, tz=depot_zone, validators=[InputRequired()],
        description=_l("Depot time; after it the deployment shows as overdue"))
    note = note_field()

    def service_fields(self) -> dict:
        """Return the fields as update_deployment takes them."""
        return {"name": self.name.data, "place": self.place.data, "commander": self.commander.data,
                "squads": list(self.squads.data or []), "expected_return_at": self.expected_return_at.data,
                "note": self.note.data}


class DeploymentForm(DeploymentEditForm):
    """A new deployment: its kind and module too (they stay once boxes may have gone out)."""

    kind = SelectField(_l("Kind"), choices=choices_of(DEPLOYMENT_KIND_LABELS), validators=[InputRequired()])
    # Choices are the active modules, set by the view; the service names an unknown one.
    module = SelectField(_l("Module"), validate_choice=False,
                         description=_l("Optional: the disaster module the deployment calls on"))

    def service_fields(self) -> dict:
        """Return the fields as create_deployment takes them."""
        return {**super().service_fields(), "kind": self.kind.data, "module": self.module.data or None}


class CloseForm(PostForm):
    """Close a deployment once everything is back, with an optional closing note."""

    note = note_field(rows=1)


class IssueLooseForm(PostForm):
    """Issue loose items (not in a box) to the deployment, first expiry first out unless a lot is named."""

    sku = sku_field()
    quantity = quantity_field()
    lot = lot_field(description=_l("Leave empty to pick first expiry first out"))
    from_location = code_field(_l("Take from location"), required=False,
                               description=_l("Optional: only pick from this location and what lies in it"))
    note = note_field(rows=1)


class ReturnLooseForm(PostForm):
    """Account for one loose item (lot) out with the deployment: back on a shelf, used, damaged, lost."""

    item_id = HiddenField()
    lot = HiddenField()
    returned = count_field(_l("Returned"))
    # Choices are the depot's shelves, set by the view; the service refuses one elsewhere.
    to_location = SelectField(_l("Back to"), validate_choice=False)
    consumed = count_field(_l("Consumed"))
    damaged = count_field(_l("Damaged"))
    lost = count_field(_l("Lost"))
    note = note_field(rows=1)

    def counts(self) -> dict:
        """Return the four counts, an empty box meaning 0."""
        return {name: getattr(self, name).data or 0 for name in ("returned", "consumed", "damaged", "lost")}


class DeploymentListArgsSchema(PageArgsSchema):
    """Filters of the deployment list (allowlist)."""

    state = ma.fields.String(validate=validate.OneOf(list(STATE_LABELS)))
    kind = ma.fields.String(validate=validate.OneOf([k.value for k in DeploymentKind]))
    module = ma.fields.String(validate=CODE_FILTER)
    squad = ma.fields.String(validate=CODE_FILTER)
    q = ma.fields.String(validate=validate.Length(max=80))
