"""Forms and list filters of the catalogue and location pages (forms carry a CSRF token).

Form fields are named like the services' fields (sku, category, plan_x_m, parent_id, ...) so that a
service's field errors land on the right field through form_errors_from.
"""

from __future__ import annotations

from collections.abc import Iterable

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import validate
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from warehouse.domain.stock import ALLOWED_PARENTS, LocationKind, Tracking
from warehouse.schemas.common import PageArgsSchema, id_field
from warehouse.views.labels import KIND_LABELS, TRACKING_LABELS, UNIT_LABELS

# Ranges are the services' to check (one message per rule); these only guide the browser's inputs.
MAX_DAYS = 36_500
MAX_METRES = 10_000


def category_choices(categories: Iterable, locale: str, blank=None) -> list[SelectChoice]:
    """Return the categories as choices labelled in the UI language, optionally after a blank one."""
    choices = [SelectChoice(c.code, f"{c.code} {c.name(locale)}") for c in categories]
    return ([SelectChoice("", blank)] if blank is not None else []) + choices


def unit_choices() -> list[SelectChoice]:
    return [SelectChoice(unit.value, label) for unit, label in UNIT_LABELS.items()]


def tracking_choices() -> list[SelectChoice]:
    return [SelectChoice(mode.value, label) for mode, label in TRACKING_LABELS.items()]


def kind_choices(parent_kind: LocationKind | None = None, *, any_parent: bool = False) -> list[SelectChoice]:
    """Return the kinds of location that may be placed under a parent of this kind (None: top)."""
    return [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()
            if any_parent or parent_kind in ALLOWED_PARENTS[kind]]


def _days(label, description=None) -> IntegerField:
    return IntegerField(label, validators=[Optional()],
                        description=description, render_kw={"min": 1, "max": MAX_DAYS})


def _metres(label, description=None, minimum: float = 0) -> FloatField:
    return FloatField(label, validators=[Optional()],
                      description=description,
                      render_kw={"min": minimum, "max": MAX_METRES, "step": "any", "inputmode": "decimal"})


# --- catalogue items --------------------------------------------------------------------------

class ItemForm(FlaskForm):
    """A new catalogue item."""

    sku = StringField(_l("SKU"), validators=[DataRequired(), Length(max=24)],
                      description=_l("2-24 characters: letters, digits and '-'"))
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=80)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=120)])
    category = SelectField(_l("Category"), validators=[InputRequired()])
    unit = SelectField(_l("Unit"), choices=unit_choices(), validators=[InputRequired()])
    tracking = SelectField(_l("Tracking"), choices=tracking_choices(), default=Tracking.BULK.value,
                           validators=[InputRequired()],
                           description=_l("Fixed once stock of the item is recorded"))
    expiry_required = BooleanField(_l("Expiry date required on receipt (lot-tracked items only)"))
    shelf_life_days = _days(_l("Shelf life (days)"),
                            _l("Sets the expiry of a receipt that gives none"))
    min_level = IntegerField(_l("Minimum level"), default=0,
                             validators=[Optional()],
                             description=_l("Usable quantity the depot should always hold"),
                             render_kw={"min": 0})
    inspection_interval_days = _days(_l("Inspection interval (days)"),
                                     _l("Serial-numbered equipment only"))
    storage_temp = StringField(_l("Storage temperature"), validators=[Optional(), Length(max=40)],
                               description=_l("e.g. 5-30 °C"))
    hazard_class = StringField(_l("Hazard class"), validators=[Optional(), Length(max=80)])
    spec = TextAreaField(_l("Specification"), validators=[Optional(), Length(max=4000)])

    def service_fields(self) -> dict:
        """Return the fields as the catalogue service takes them."""
        return {
            "sku": self.sku.data, "name_zh": self.name_zh.data, "name_en": self.name_en.data,
            "category": self.category.data, "unit": self.unit.data, "tracking": self.tracking.data,
            "expiry_required": self.expiry_required.data, "shelf_life_days": self.shelf_life_days.data,
            "min_level": self.min_level.data or 0,
            "inspection_interval_days": self.inspection_interval_days.data,
            "storage_temp": self.storage_temp.data, "hazard_class": self.hazard_class.data,
            "spec": self.spec.data,
        }


class ItemEditForm(ItemForm):
    """Changes to a catalogue item, including retiring it."""

    active = BooleanField(_l("In use (untick to retire the item from the catalogue)"))

    def service_fields(self) -> dict:
        return {**super().service_fields(), "active": self.active.data}


# --- locations --------------------------------------------------------------------------------

class LocationForm(FlaskForm):
    """A new location under a parent (none for a depot)."""

    parent_id = HiddenField()
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=24)],
                       description=_l("Printed on the label: 1-24 letters, digits and '-'"))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    category = SelectField(_l("Category"), validators=[Optional()])
    area_m2 = FloatField(_l("Floor area (m²)"), validators=[Optional()],
                         description=_l("Depots and zones"),
                         render_kw={"min": 0, "step": "any", "inputmode": "decimal"})
    plan_x_m = _metres(_l("Left edge x (m)"), _l("Zones: metres from the depot's left wall"))
    plan_y_m = _metres(_l("Top edge y (m)"), _l("Zones: metres from the depot's top wall"))
    plan_width_m = _metres(_l("Width (m)"), _l("Depots: the floor's width; zones: the rectangle's"))
    plan_depth_m = _metres(_l("Depth (m)"), _l("Depots: the floor's depth; zones: the rectangle's"))
    footprint_m2 = FloatField(_l("Footprint (m²)"), validators=[Optional()],
                              description=_l("Floor space a rack, pallet spot or box takes in its zone"),
                              render_kw={"min": 0, "step": "any", "inputmode": "decimal"})

    def service_fields(self) -> dict:
        """Return the fields as the location service takes them."""
        return {name: getattr(self, name).data for name in
                ("code", "name", "category", "area_m2", "plan_x_m", "plan_y_m", "plan_width_m",
                 "plan_depth_m", "footprint_m2")}


class LocationEditForm(LocationForm):
    """Changes to a location (its kind and place in the tree are fixed), including retiring it."""

    active = BooleanField(_l("In use (untick to retire the location)"))
    # Editing does not change the kind or the place in the tree.
    kind = None
    parent_id = None

    def service_fields(self) -> dict:
        return {**super().service_fields(), "active": self.active.data}


# --- list filters (query strings) -------------------------------------------------------------

class LocationListArgsSchema(PageArgsSchema):
    """Filters of the location tree."""

    q = ma.fields.String(validate=validate.Length(max=80))
    kind = ma.fields.String(validate=validate.OneOf([k.value for k in LocationKind]))
    active = ma.fields.Boolean()


class ContentsArgsSchema(PageArgsSchema):
    """Page and sort of a location's contents."""

    sort = ma.fields.String(load_default="location",
                            validate=validate.OneOf(["location", "item", "expires_on", "-quantity"]))


class FloorPlanArgsSchema(ma.Schema):
    """Which depot's floor plan to draw."""

    depot = id_field()
