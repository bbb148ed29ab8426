"""Forms and list filters of the agreement pages (each form carries a CSRF token).

Field names follow the agreement services' arguments (number, partner_id, valid_to, item_id,
category, quantity, deployment_id, location_id, ...), so the services' field errors land on the
right field. Request lines of an activation are read by the view (one row per commitment line).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import marshmallow as ma
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from marshmallow import validate
from wtforms import DateField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from warehouse.domain.errors import InvalidInput
from warehouse.domain.partners import MAX_RESPONSE_HOURS, AgreementStatus, PartnerKind, validate_quantity
from warehouse.i18n import translated
from warehouse.models import Category, Commitment, Item
from warehouse.schemas.common import PageArgsSchema
from warehouse.timezone import depot_zone
from warehouse.views.agreement_labels import AGREEMENT_STATUS_LABELS, PERIOD_LABELS, STANDING_FILTER_LABELS
from warehouse.views.deployment_forms import LOCAL_FORMATS
from warehouse.views.forms import PostForm
from warehouse.views.operation_forms import lot_field, strip
from warehouse.views.squad_forms import choices_of

NUMBER_ATTRS = {"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}
DECIMAL_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "class": "quantity-input"}
DISTRICT_FILTER = validate.Regexp(r"^[A-Za-z0-9]{1,8}$")


def row_id(value) -> int | None:
    """Return a row id as a form sent it, or None for anything else."""
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 10 and int(text) > 0 else None


def text_field(label, limit: int, required: bool = False, **kwargs) -> StringField:
    return StringField(label, filters=[strip], validators=[DataRequired() if required else Optional(),
                                                           Length(max=limit)], **kwargs)


def quantity_text(label=None, required: bool = True) -> StringField:
    """A quantity as typed (20, 2.5): the domain reads it, so its reasons reach the page."""
    return StringField(label or _l("Quantity"), filters=[strip],
                       validators=[InputRequired() if required else Optional(), Length(max=20)],
                       render_kw=DECIMAL_ATTRS)


def local_moment(label, description=None) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=LOCAL_FORMATS, tz=depot_zone, validators=[InputRequired()],
                              description=description)


class AgreementForm(PostForm):
    """An agreement's number, partner, term, response time, status and note."""

    number = StringField(_l("Agreement number"), filters=[strip], validators=[DataRequired(), Length(max=40)],
                         description=_l("As printed on the agreement, e.g. LY-XF-2026-001"),
                         render_kw=NUMBER_ATTRS)
    # Choices are the active partners by district, set and drawn by the view; the service names
    # an unknown one.
    partner_id = SelectField(_l("Partner"), validate_choice=False, validators=[DataRequired()])
    title = text_field(_l("Title"), 120, description=_l("e.g. 应急物资保障协议"))
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    valid_from = DateField(_l("Valid from"), validators=[InputRequired()])
    valid_to = DateField(_l("Valid to"), validators=[InputRequired()])
    response_hours = IntegerField(_l("Response time (hours)"),
                                  validators=[InputRequired(), NumberRange(min=0, max=MAX_RESPONSE_HOURS)],
                                  description=_l("Hours from the call to delivery"),
                                  render_kw={"min": 0, "max": MAX_RESPONSE_HOURS, "inputmode": "numeric"})
    status = SelectField(_l("Status"), choices=choices_of(AGREEMENT_STATUS_LABELS),
                         validators=[InputRequired()],
                         description=_l("Only active agreements count while their term runs"))
    note = TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=4000)],
                         render_kw={"rows": 3})

    def service_fields(self) -> dict:
        """Return the fields as create_agreement and update_agreement take them."""
        partner = row_id(self.partner_id.data)
        return {"number": self.number.data,
                "partner_id": partner if partner is not None else self.partner_id.data,
                "title": self.title.data, "signed_on": self.signed_on.data,
                "valid_from": self.valid_from.data, "valid_to": self.valid_to.data,
                "response_hours": self.response_hours.data,
                "status": self.status.data, "note": self.note.data}


class NewAgreementForm(AgreementForm):
    """A new agreement, with its signed PDF if it is at hand."""

    # The description names the configured size limit; the view sets it.
    document = FileField(_l("Signed agreement (PDF)"))


class CommitmentForm(PostForm):
    """One commitment line: a catalogue item, or a category or a description with its unit."""

    # Choices are the catalogue's items and categories, set by the view; the service names an
    # unknown one.
    item_id = SelectField(_l("Catalogue item"), validate_choice=False)
    category = SelectField(_l("or a category"), validate_choice=False)
    description = text_field(_l("Description"), 120,
                             description=_l("Required without an item, e.g. 挖掘机, 车辆抢修, 柴油"))
    quantity = quantity_text()
    unit = text_field(_l("Unit"), 20, description=_l("Without an item, e.g. 台, 吨, 份"))
    period = SelectField(_l("Total or per day"), choices=choices_of(PERIOD_LABELS),
                         validators=[InputRequired()])
    note = text_field(_l("Note"), 400)

    def service_fields(self) -> dict:
        """Return the line as add_commitment takes it."""
        item = row_id(self.item_id.data)
        return {"item_id": item if item is not None else (self.item_id.data or None),
                "category": self.category.data or None, "description": self.description.data,
                "quantity": self.quantity.data, "unit": self.unit.data, "period": self.period.data,
                "note": self.note.data}


class DocumentForm(PostForm):
    """Upload (or replace) the signed agreement."""

    document = FileField(_l("Signed agreement (PDF)"),
                         validators=[FileRequired(_l("Choose the signed agreement as a PDF file."))])


class ActivationForm(PostForm):
    """Calling an agreement in: for which deployment, when, whom; the lines are read by the view."""

    # Choices are the open deployments, set by the view; the service refuses a closed one.
    deployment_id = SelectField(_l("Deployment"), validate_choice=False,
                                description=_l("Optional: the incident or drill the partner supports"))
    requested_at = local_moment(_l("Requested at"), _l("Depot time of the call"))
    contact_name = text_field(_l("Contact called"), 80)
    note = TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=2000)],
                         render_kw={"rows": 2})


class ArrivalForm(PostForm):
    """What arrived against one request line: on scene, or into a depot location as a receipt."""

    quantity = quantity_text(_l("Arrived"))
    arrived_at = local_moment(_l("Arrived at"))
    # Choices: on scene, then the depot's shelves (for catalogue items and stock handlers only),
    # set by the view; the service refuses a location stock cannot be put in.
    location_id = SelectField(_l("Delivered to"), validate_choice=False)
    lot = lot_field()
    expires_on = DateField(_l("Expiry date"), validators=[Optional()])
    note = text_field(_l("Note"), 400)


class AgreementListArgsSchema(PageArgsSchema):
    """Filters of the agreement list (allowlist)."""

    status = ma.fields.String(validate=validate.OneOf([s.value for s in AgreementStatus]))
    standing = ma.fields.String(validate=validate.OneOf(list(STANDING_FILTER_LABELS)))
    kind = ma.fields.String(validate=validate.OneOf([k.value for k in PartnerKind]))
    district = ma.fields.String(validate=DISTRICT_FILTER)
    partner = ma.fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    # Carried from a deployment's page so "call in" preselects it.
    deployment = ma.fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    q = ma.fields.String(validate=validate.Length(max=80))
    sort = ma.fields.String(load_default="valid_to",
                            validate=validate.OneOf(["valid_to", "number", "partner", "-signed"]))


# --- the request lines of an activation -------------------------------------------------------

FREE_ROWS = 2
REQUEST_TEXT_LIMITS = {"description": 120, "unit": 20}


@dataclass
class RequestRow:
    """One row of the activation form: a commitment line, or a free line (description + unit)."""

    key: str  # the prefix of its inputs' names
    commitment: Commitment | None = None
    item: Item | None = None
    category: Category | None = None
    description: str = ""
    unit: str = ""
    quantity: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def free(self) -> bool:
        return self.commitment is None

    def refuse(self, name: str, reason: str) -> None:
        self.errors.setdefault(name, []).append(reason)


def request_rows(commitments, formdata=None) -> list[RequestRow]:
    """Return a row per commitment line (item, category) plus the free rows, as typed if posted."""
    data = formdata or {}

    def typed(name: str, limit: int = 200) -> str:
        value = data.get(name, "")
        return value.strip()[:limit] if isinstance(value, str) else ""

    rows = [RequestRow(f"c{line.id}", line, item, category, line.description, line.unit,
                       typed(f"c{line.id}-quantity"))
            for line, item, category in commitments]
    rows += [RequestRow(f"free{n}", description=typed(f"free{n}-description"), unit=typed(f"free{n}-unit"),
                        quantity=typed(f"free{n}-quantity"))
             for n in range(1, FREE_ROWS + 1)]
    return rows


def request_lines(rows: list[RequestRow]) -> list[dict]:
    """Return the lines asked for as activate_agreement takes them; note each row's errors.

    A blank quantity means "not asked for". Rows are checked here, with the domain's rules, so a
    refusal names its row (the service would name only the field).
    """
    lines = []
    for row in rows:
        if row.free and not (row.description or row.unit or row.quantity):
            continue
        if not row.free and not row.quantity:
            continue
        try:
            validate_quantity(row.quantity, whole=row.item is not None)
        except InvalidInput as error:
            for reason in error.fields["quantity"]:
                row.refuse("quantity", translated(reason))
        if row.free:
            for name, limit in REQUEST_TEXT_LIMITS.items():
                value = getattr(row, name)
                if not value:
                    row.refuse(name, gettext("Required for a line of your own."))
                elif len(value) > limit:
                    row.refuse(name, gettext("At most %(count)d characters.", count=limit))
            lines.append({"description": row.description, "unit": row.unit, "quantity": row.quantity})
        else:
            lines.append({"commitment_id": row.commitment.id, "quantity": row.quantity})
    return lines
