"""Flask-WTF forms of the stock operation and stocktake pages.

Fields carry the services' names where the service takes the value as typed (quantity, lot,
expires_on, ...). Items and locations are typed or scanned as a SKU or a code: `resolve_item` and
`resolve_location` turn them into ids, and `place_errors` moves the services' errors about
`item_id` / `location_id` onto those fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from warehouse.domain.errors import DomainError
from warehouse.models import Item, Location
from warehouse.queries.stock import location_by_code
from warehouse.views import form_errors_from
from warehouse.views.forms import PostForm
from warehouse.views.labels import PURPOSE_LABELS

__all__ = ["AdjustForm", "CountForm", "DisposeForm", "IssueForm", "MoveForm", "PostForm",
           "ReceiveForm", "StocktakeStartForm", "place_errors", "resolve_item", "resolve_location"]

# A scanned value may carry a stray space or newline: Length is checked on the trimmed text.
CODE_LENGTH = Length(max=40)
QUANTITY_ATTRS = {"min": 1, "inputmode": "numeric"}
# Service field name -> form field name, for values the form takes as a SKU or code.
FIELD_RENAMES = {"item_id": "sku", "location_id": "location", "from_location_id": "from_location",
                 "to_location_id": "to_location"}


def strip(value):
    return value.strip() if isinstance(value, str) else value


def purpose_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose…"))] + [SelectChoice(p.value, label)
                                                  for p, label in PURPOSE_LABELS.items()]


def sku_field(label=None, required: bool = True) -> StringField:
    return StringField(label or _l("Item (SKU)"), filters=[strip],
                       validators=[DataRequired() if required else Optional(), CODE_LENGTH],
                       render_kw={"autocapitalize": "characters", "spellcheck": "false"})


def code_field(label, required: bool = True, description=None) -> StringField:
    return StringField(label, filters=[strip], description=description,
                       validators=[DataRequired() if required else Optional(), CODE_LENGTH],
                       render_kw={"autocapitalize": "characters", "spellcheck": "false"})


def lot_field(description=None) -> StringField:
    return StringField(_l("Lot or serial number"), filters=[strip], description=description,
                       validators=[Optional(), Length(max=40)], render_kw={"spellcheck": "false"})


def note_field(required: bool = False, description=None) -> TextAreaField:
    return TextAreaField(_l("Note"), filters=[strip], description=description,
                         validators=[DataRequired() if required else Optional(), Length(max=2000)],
                         render_kw={"rows": 2})


def reference_field(label=None, description=None) -> StringField:
    return StringField(label or _l("Reference"), filters=[strip], description=description,
                       validators=[Optional(), Length(max=80)])


def quantity_field(label=None) -> IntegerField:
    return IntegerField(label or _l("Quantity"), validators=[InputRequired()],
                        render_kw=QUANTITY_ATTRS)


class ReceiveForm(PostForm):
    """入库: what arrived, where it goes, its lot and expiry."""

    sku = sku_field()
    location = code_field(_l("Location code"), description=_l("Scan the bin label"))
    quantity = quantity_field()
    lot = lot_field(description=_l("Required for items tracked by lot or serial number"))
    expires_on = DateField(_l("Expiry date"), validators=[Optional()])
    received_on = DateField(_l("Received on"), validators=[Optional()],
                            description=_l("Leave empty for today"))
    supplier_ref = reference_field(_l("Supplier reference"), description=_l("Delivery note or invoice"))
    reference = reference_field()
    note = note_field()


class MoveForm(PostForm):
    """Put away or relocate: so many of an item (lot) from one location to another."""

    sku = sku_field()
    lot = lot_field()
    from_location = code_field(_l("From location"))
    to_location = code_field(_l("To location"))
    quantity = quantity_field()
    note = note_field()


class IssueForm(PostForm):
    """出库 to a purpose; picking is first-expiry-first-out unless a lot or place is named."""

    sku = sku_field()
    quantity = quantity_field()
    purpose = SelectField(_l("Purpose"), choices=purpose_choices(), validators=[DataRequired()])
    lot = lot_field(description=_l("Leave empty to pick first expiry first out"))
    location = code_field(_l("Take from location"), required=False,
                          description=_l("Optional: only pick from this location and what lies in it"))
    reference = reference_field(description=_l("Incident or drill number, receiving squad"))
    note = note_field()


class AdjustForm(PostForm):
    """A signed correction of one balance, with the reason in the note."""

    sku = sku_field()
    lot = lot_field()
    location = code_field(_l("Location code"))
    change = IntegerField(_l("Change"), validators=[InputRequired()],
                          description=_l("Positive adds units, negative removes them"),
                          render_kw={"inputmode": "numeric"})
    note = note_field(required=True, description=_l("Say why the quantity is corrected"))


class DisposeForm(PostForm):
    """Write off expired or quarantined stock."""

    sku = sku_field()
    lot = lot_field()
    location = code_field(_l("Location code"))
    quantity = quantity_field()
    note = note_field(description=_l("How it was destroyed or where it was returned"))


class StocktakeStartForm(PostForm):
    """Start counting one location: the keeper scans its code."""

    location = code_field(_l("Location code"), description=_l("Scan the label of the bin to count"))
    note = note_field()


class CountForm(PostForm):
    """One line's count: an expected line (item_id + lot) or an item found there (SKU + lot)."""

    item_id = HiddenField()
    sku = sku_field(required=False)
    lot = lot_field()
    counted = IntegerField(_l("Counted"), validators=[InputRequired()],
                           render_kw={"min": 0, "inputmode": "numeric"})


def resolve_item(session: Session, field) -> int | None:
    """Return the id of the item whose SKU the field holds, or add an error to the field."""
    sku = (field.data or "").strip().upper()
    if not sku:
        return None
    item_id = session.scalar(select(Item.id).where(Item.sku == sku))
    if item_id is None:
        field.errors = [*field.errors, _l("No item has the SKU %(sku)s.", sku=sku)]
    return item_id


def resolve_location(session: Session, field) -> int | None:
    """Return the id of the location whose code the field holds, or add an error to the field."""
    code = (field.data or "").strip().upper()
    if not code:
        return None
    location: Location | None = location_by_code(session, code)
    if location is None:
        field.errors = [*field.errors, _l("No location has the code %(code)s.", code=code)]
        return None
    return location.id


def place_errors(error: DomainError, form, **renames: str) -> None:
    """Put a service's field errors on the form, renaming id fields to the SKU/code fields."""
    renamed: dict[str, list] = {}
    for name, reasons in error.fields.items():
        target = renames.get(name) or FIELD_RENAMES.get(name, name)
        renamed.setdefault(target if target in form else name, []).extend(reasons)
    error.fields = renamed
    form_errors_from(error, form)
