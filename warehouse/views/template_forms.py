"""Forms of the module and box-template editor (supply officers); each carries a CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from warehouse.domain.kits import MAX_BOXES_REQUIRED, MAX_PAR, MAX_SHELF_DAYS
from warehouse.views.labels import BOX_TYPE_LABELS

# Blank line rows offered below a template's lines; "more rows" adds this many again.
BLANK_LINES = 5
MAX_FORM_LINES = 200


class ModuleForm(FlaskForm):
    """A disaster module."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=6)],
                       description=_l("2-6 capital letters and digits, printed in box codes (K-EQ-0001)"))
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=40)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=80)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    position = IntegerField(_l("Display position"), validators=[Optional()], render_kw={"min": 0})

    def service_fields(self) -> dict:
        """Return the fields as the module service takes them."""
        return {"name_zh": self.name_zh.data, "name_en": self.name_en.data,
                "description": self.description.data, "position": self.position.data}


class ModuleEditForm(ModuleForm):
    """Changes to a module (its code is printed on boxes and stays), including retiring it."""

    code = None
    active = BooleanField(_l("In use (untick to retire the module)"))

    def service_fields(self) -> dict:
        fields = {**super().service_fields(), "active": self.active.data}
        if fields["position"] is None:
            fields.pop("position")
        return fields


class LineForm(Form):
    """One content line; a row without an item is ignored."""

    sku = StringField(_l("Item SKU"), validators=[Optional(), Length(max=24)],
                      render_kw={"list": "item-skus", "autocomplete": "off"})
    par_quantity = IntegerField(_l("Par"), validators=[Optional()],
                                render_kw={"min": 1, "max": MAX_PAR})
    min_shelf_days = IntegerField(_l("Min. shelf life (days)"), validators=[Optional()],
                                  render_kw={"min": 0, "max": MAX_SHELF_DAYS})
    optional = BooleanField(_l("Optional"))
    substitutes = StringField(_l("Substitutes (SKUs, comma-separated)"),
                              validators=[Optional(), Length(max=400)],
                              render_kw={"autocomplete": "off"})
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])

    @property
    def blank(self) -> bool:
        return not (self.sku.data or "").strip()


class RequirementForm(Form):
    """How many boxes of the template one module needs (blank: the module does not use it)."""

    module = HiddenField()
    boxes_required = IntegerField(validators=[Optional()], render_kw={"min": 0, "max": MAX_BOXES_REQUIRED})


def box_type_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, label) for kind, label in BOX_TYPE_LABELS.items()]


class TemplateForm(FlaskForm):
    """A box template with its content lines and the modules it serves."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=24)],
                       description=_l("2-24 characters: letters, digits and '-'"))
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=80)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=120)])
    category = SelectField(_l("Main category"), validators=[InputRequired()])
    box_type = SelectField(_l("Box type"), choices=box_type_choices(), validators=[InputRequired()])
    width_m = FloatField(_l("Width (m)"), validators=[Optional()],
                         render_kw={"min": 0, "step": "any", "inputmode": "decimal"})
    depth_m = FloatField(_l("Depth (m)"), validators=[Optional()],
                         render_kw={"min": 0, "step": "any", "inputmode": "decimal"})
    weight_kg = FloatField(_l("Weight when packed (kg)"), validators=[Optional()],
                           render_kw={"min": 0, "step": "any", "inputmode": "decimal"})
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    active = BooleanField(_l("In use (untick to retire the template)"), default=True)
    requirements = FieldList(FormField(RequirementForm))
    lines = FieldList(FormField(LineForm), max_entries=MAX_FORM_LINES)

    def header_fields(self) -> dict:
        """Return the template's own fields as the service takes them."""
        return {name: getattr(self, name).data for name in
                ("code", "name_zh", "name_en", "category", "box_type", "width_m", "depth_m",
                 "weight_kg", "description", "active")}

    def requirement_rows(self) -> list[tuple[int, dict]]:
        """Return (row index, requirement) for each module given a number of boxes."""
        return [(index, {"module": entry.form.module.data,
                         "boxes_required": entry.form.boxes_required.data})
                for index, entry in enumerate(self.requirements.entries)
                if entry.form.boxes_required.data not in (None, 0)]
