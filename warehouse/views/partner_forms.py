"""Forms and list filters of the partner pages and the reachable-reserve search (CSRF on every POST form).

Field names follow the partner services' arguments (name, kind, district, phone_24h, quantity,
location, as_of...), so the services' field errors land on the right field; a stockpile line's
item is typed as a SKU and resolved by the view.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import validate
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from warehouse.domain.partners import MAX_RESPONSE_HOURS, PartnerKind
from warehouse.queries.partners import PARTNER_SORTS
from warehouse.schemas.common import PageArgsSchema
from warehouse.services.partners import CONTACT_TEXT_LIMITS, PARTNER_TEXT_LIMITS
from warehouse.views.forms import PostForm
from warehouse.views.operation_forms import strip
from warehouse.views.partner_labels import KIND_GROUPS, PARTNER_KIND_LABELS

PHONE_ATTRS = {"inputmode": "tel", "autocomplete": "off"}
DISTRICT_FILTER = validate.Regexp(r"^[A-Za-z]{1,8}$")
# The registry's "active" filter: active partners (the default), inactive ones, or all.
ACTIVE_FILTERS = ("1", "0", "all")


def kind_choices(blank=None) -> list[SelectChoice]:
    """Return the partner kinds as choices grouped like the plan: departments, county, delivery, other."""
    choices = [SelectChoice("", blank)] if blank is not None else []
    for label, kinds in KIND_GROUPS.values():
        choices += [SelectChoice(kind.value, PARTNER_KIND_LABELS[kind], optgroup=label) for kind in kinds]
    return choices


def text_field(label, limit: int, required: bool = False, **kwargs) -> StringField:
    return StringField(label, filters=[strip], validators=[DataRequired() if required else Optional(),
                                                           Length(max=limit)], **kwargs)


def note_field(limit: int, rows: int = 2) -> TextAreaField:
    return TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=limit)],
                         render_kw={"rows": rows})


class PartnerForm(PostForm):
    """A partner: its names, kind, county or district, address and note."""

    name = text_field(_l("Name"), PARTNER_TEXT_LIMITS["name"], required=True,
                      description=_l("The registered name, e.g. 辽源市应急管理局"))
    name_en = text_field(_l("English name"), PARTNER_TEXT_LIMITS["name_en"])
    kind = SelectField(_l("Kind"), choices=kind_choices(), validators=[InputRequired()],
                       description=_l("The five departments keep stockpile lists included in the reserve"))
    # Choices are the districts, set by the view; the service names an unknown one.
    district = SelectField(_l("County or district"), validate_choice=False, validators=[InputRequired()])
    address = text_field(_l("Address"), PARTNER_TEXT_LIMITS["address"])
    note = note_field(PARTNER_TEXT_LIMITS["note"])

    def service_fields(self) -> dict:
        """Return the fields as create_partner / update_partner take them."""
        return {"name": self.name.data, "name_en": self.name_en.data, "kind": self.kind.data,
                "district": self.district.data, "address": self.address.data, "note": self.note.data}


class PartnerEditForm(PartnerForm):
    """Changes to a partner, including whether it is still one to call on."""

    active = BooleanField(_l("Active (untick when the partner no longer supports us)"))

    def service_fields(self) -> dict:
        return {**super().service_fields(), "active": self.active.data}


class PartnerActiveForm(PostForm):
    """The partner page's deactivate / reactivate button."""

    set_active = HiddenField()


class ContactForm(PostForm):
    """Someone to call at a partner, with the number answered day and night."""

    name = text_field(_l("Name"), CONTACT_TEXT_LIMITS["name"], required=True)
    title = text_field(_l("Position"), CONTACT_TEXT_LIMITS["title"])
    phone_24h = text_field(_l("24-hour phone"), 40, required=True, render_kw=PHONE_ATTRS,
                           description=_l("Answered day and night, e.g. 0437 321 0001 or 138 0437 0001"))
    phone_office = text_field(_l("Office phone"), 40, render_kw=PHONE_ATTRS)
    note = note_field(CONTACT_TEXT_LIMITS["note"], rows=1)

    def service_fields(self) -> dict:
        """Return the fields as add_contact / update_contact take them."""
        return {"name": self.name.data, "title": self.title.data, "phone_24h": self.phone_24h.data,
                "phone_office": self.phone_office.data, "note": self.note.data}


class ContactEditForm(ContactForm):
    """Changes to a contact, or marking them as no longer there."""

    active = BooleanField(_l("Still to be called (untick when they have left)"))

    def service_fields(self) -> dict:
        return {**super().service_fields(), "active": self.active.data}


class CheckForm(PostForm):
    """A call made to a contact: the button pressed says whether they answered."""

    # Sent by the "reached" / "not reached" buttons, not rendered as an input.
    reached = HiddenField()
    note = text_field(_l("Note"), 400, render_kw={"placeholder": _l("Optional note on the call")})


class StockpileForm(PostForm):
    """An item a department holds for the reserve: how much, where, as of which day."""

    sku = StringField(_l("Item (SKU)"), filters=[strip], validators=[DataRequired(), Length(max=40)],
                      render_kw={"list": "item-skus", "autocapitalize": "characters", "spellcheck": "false",
                                 "autocomplete": "off"})
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired()],
                            render_kw={"min": 0, "inputmode": "numeric", "class": "quantity-input"})
    location = text_field(_l("Where it is kept"), 120)
    as_of = DateField(_l("As of"), validators=[Optional()], description=_l("Leave empty for today"))
    note = text_field(_l("Note"), 400)

    def service_fields(self) -> dict:
        """Return the fields as add_stockpile_line / update_stockpile_line take them (item apart)."""
        return {"quantity": self.quantity.data, "location": self.location.data, "as_of": self.as_of.data,
                "note": self.note.data}


class ReachableForm(FlaskForm):
    """The reachable-reserve search: an item, a category or words; optionally a time and a quantity.

    A GET form read from the query string: nothing is written, so no CSRF token.
    """

    class Meta:
        csrf = False

    item = StringField(_l("Catalogue item (SKU)"), filters=[strip], validators=[Optional(), Length(max=24)],
                       render_kw={"list": "reserve-items", "autocapitalize": "characters",
                                  "spellcheck": "false", "autocomplete": "off"})
    # Choices are the categories, set by the view; the view names an unknown one.
    category = SelectField(_l("Or a category"), validate_choice=False)
    q = text_field(_l("Or words"), 80, render_kw={"placeholder": _l("e.g. 挖掘机, 柴油, 盒饭")},
                   description=_l("Finds commitments outside the catalogue (machinery, fuel, meals)"))
    within_hours = IntegerField(_l("Within (hours)"),
                                validators=[Optional(), NumberRange(0, MAX_RESPONSE_HOURS)],
                                render_kw={"min": 0, "max": MAX_RESPONSE_HOURS, "inputmode": "numeric",
                                           "class": "quantity-input"})
    quantity = StringField(_l("Quantity needed"), filters=[strip], validators=[Optional(), Length(max=20)],
                           render_kw={"inputmode": "decimal", "class": "quantity-input"})


class PartnerListArgsSchema(PageArgsSchema):
    """Filters of the partner registry (allowlist): a kind or a group of kinds, district, words, state."""

    kind = ma.fields.String(validate=validate.OneOf([k.value for k in PartnerKind] + list(KIND_GROUPS)))
    district = ma.fields.String(validate=DISTRICT_FILTER)
    q = ma.fields.String(validate=validate.Length(max=80))
    active = ma.fields.String(load_default="1", validate=validate.OneOf(ACTIVE_FILTERS))
    out_of_touch = ma.fields.Boolean(load_default=False)
    sort = ma.fields.String(load_default="district", validate=validate.OneOf(list(PARTNER_SORTS)))
