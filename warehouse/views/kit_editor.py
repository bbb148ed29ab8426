"""The editor supply officers keep modules and box templates with: names, sizes, lines, needs."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from warehouse.access import STOCK_MANAGERS, allow, current_caller
from warehouse.domain.errors import DomainError
from warehouse.extensions import db
from warehouse.i18n import translated
from warehouse.models import Item
from warehouse.queries.catalogue import categories
from warehouse.queries.kits import modules, template_lines, template_requirements
from warehouse.services import kit_templates
from warehouse.views import form_errors_from
from warehouse.views.stock_forms import category_choices
from warehouse.views.template_forms import BLANK_LINES, ModuleEditForm, ModuleForm, TemplateForm

bp = Blueprint("kit_editor", __name__, url_prefix="/kits")

# Service field names of a line -> the line form's field that shows the error.
LINE_FIELDS = {"item_id": "sku", "substitutes": "substitutes", "par_quantity": "par_quantity",
               "min_shelf_days": "min_shelf_days", "note": "note", "optional": "optional"}


# --- modules ----------------------------------------------------------------------------------

@bp.route("/modules/new", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def new_module():
    """Add a disaster module."""
    form = ModuleForm()
    status = 200
    if form.validate_on_submit():
        try:
            module = kit_templates.create_module(db.session, current_caller(), code=form.code.data,
                                                 **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Module %(code)s added; give it box templates next.", code=module.code), "success")
            return redirect(url_for("kits.module", code=module.code))
    elif request.method == "POST":
        status = 400
    return render_template("kit_editor/module_form.html", form=form, module=None), status


@bp.route("/modules/<code:code>/edit", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def edit_module(code: str):
    """Change a module's names and description, or retire it."""
    module = kit_templates.get_module(db.session, code)
    form = ModuleEditForm(obj=module) if request.method == "GET" else ModuleEditForm()
    status = 200
    if form.validate_on_submit():
        try:
            kit_templates.update_module(db.session, current_caller(), module.code, **form.service_fields())
        except DomainError as error:
            form_errors_from(error, form)
            status = error.status
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("kits.module", code=module.code))
    elif request.method == "POST":
        status = 400
    return render_template("kit_editor/module_form.html", form=form, module=module), status


# --- templates --------------------------------------------------------------------------------

def _template_data(template) -> dict:
    """Return a template's current values as the form's initial data."""
    lines = template_lines(db.session, template.id)
    return {
        "code": template.code, "name_zh": template.name_zh, "name_en": template.name_en,
        "category": template.category.code, "box_type": template.box_type.value,
        "width_m": template.width_m, "depth_m": template.depth_m, "weight_kg": template.weight_kg,
        "description": template.description, "active": template.active,
        "lines": [{"sku": line.item.sku, "par_quantity": line.par_quantity,
                   "min_shelf_days": line.min_shelf_days, "optional": line.optional,
                   "substitutes": ", ".join(s.item.sku for s in line.substitutes), "note": line.note}
                  for line in lines],
    }


def _build_form(template=None, copy_of=None) -> TemplateForm:
    """Return the form: posted data, or the template's (or the copied one's) current values."""
    module_rows = modules(db.session, include_inactive=True)
    source = template or copy_of
    if request.method == "POST":
        form = TemplateForm()
    else:
        data = _template_data(source) if source is not None else {"active": True, "lines": []}
        if copy_of is not None and template is None:
            data["code"] = ""
        needs = {r.module_id: r.boxes_required
                 for r in (template_requirements(db.session, source.id) if source else [])}
        data["requirements"] = [{"module": m.code, "boxes_required": needs.get(m.id)}
                                for m in module_rows if m.active or m.id in needs]
        form = TemplateForm(data=data)
        for _blank in range(BLANK_LINES):
            form.lines.append_entry()
    form.category.choices = category_choices(categories(db.session), str(get_locale()))
    # Each requirement row shows its module's name; rows come back in the posted order.
    names = {m.code: m for m in module_rows}
    for entry in form.requirements.entries:
        entry.module_ref = names.get(entry.form.module.data)
    return form


def _resolve_lines(form: TemplateForm) -> tuple[list[dict], list[int]] | None:
    """Turn the line rows' SKUs into item ids; None (with errors on the rows) when one is unknown."""
    rows = [(index, entry.form) for index, entry in enumerate(form.lines.entries) if not entry.form.blank]
    wanted = set()
    for _index, line in rows:
        wanted.add(line.sku.data.strip().upper())
        wanted |= {s.strip().upper() for s in (line.substitutes.data or "").split(",") if s.strip()}
    items = {sku: item_id for sku, item_id in db.session.execute(
        select(Item.sku, Item.id).where(Item.sku.in_(wanted)))}
    lines, row_of, ok = [], [], True
    for index, line in rows:
        sku = line.sku.data.strip().upper()
        substitutes = [s.strip().upper() for s in (line.substitutes.data or "").split(",") if s.strip()]
        if sku not in items:
            line.sku.errors = [*line.sku.errors, _("no item %(sku)s in the catalogue", sku=sku)]
            ok = False
        unknown = [s for s in substitutes if s not in items]
        if unknown:
            line.substitutes.errors = [*line.substitutes.errors,
                                       _("no item %(sku)s in the catalogue", sku=", ".join(unknown))]
            ok = False
        if line.par_quantity.data is None:
            line.par_quantity.errors = [*line.par_quantity.errors, _("required")]
            ok = False
        if ok:
            lines.append({"item_id": items[sku], "par_quantity": line.par_quantity.data,
                          "min_shelf_days": line.min_shelf_days.data or 0,
                          "optional": line.optional.data,
                          "substitutes": [items[s] for s in substitutes], "note": line.note.data})
            row_of.append(index)
    return (lines, row_of) if ok else None


def _place_errors(error: DomainError, form: TemplateForm, line_rows: list[int],
                  requirement_rows: list[int]) -> None:
    """Show a service error on the line or requirement row it names, else on the form."""
    rest = {}
    for key, reasons in error.fields.items():
        parts = key.split(".")
        texts = [translated(r) for r in reasons]
        if parts[0] == "lines" and len(parts) >= 3 and parts[1].isdigit() and int(parts[1]) < len(line_rows):
            target = form.lines.entries[line_rows[int(parts[1])]].form[LINE_FIELDS.get(parts[2], "sku")]
        elif parts[0] == "requirements" and len(parts) >= 2 and parts[1].isdigit() \
                and int(parts[1]) < len(requirement_rows):
            target = form.requirements.entries[requirement_rows[int(parts[1])]].form.boxes_required
        else:
            rest[key] = reasons
            continue
        target.errors = [*target.errors, *texts]
    if rest or not error.fields:
        form_errors_from(type(error)(error.message, rest), form)


def _save_template(template=None, copy_of=None):
    form = _build_form(template, copy_of)
    status = 200
    if request.method == "POST" and request.form.get("more"):
        # "More rows" re-shows what was typed with blank rows added; nothing is saved.
        for _blank in range(BLANK_LINES):
            form.lines.append_entry()
    elif form.validate_on_submit():
        resolved = _resolve_lines(form)
        if resolved is None:
            status = 422
        else:
            lines, line_rows = resolved
            requirement_rows = [index for index, _req in form.requirement_rows()]
            requirements = [req for _index, req in form.requirement_rows()]
            try:
                if template is None:
                    saved = kit_templates.create_template(
                        db.session, current_caller(), lines=lines, requirements=requirements,
                        **form.header_fields())
                else:
                    saved = kit_templates.update_template(
                        db.session, current_caller(), template.code, lines=lines,
                        requirements=requirements, **form.header_fields())
            except DomainError as error:
                _place_errors(error, form, line_rows, requirement_rows)
                status = error.status
            else:
                flash(_("Template %(code)s saved.", code=saved.code), "success")
                return redirect(url_for("kits.template", code=saved.code))
    elif request.method == "POST":
        status = 400
    skus = db.session.execute(select(Item.sku, Item.name_zh, Item.name_en)
                              .where(Item.active.is_(True)).order_by(Item.sku)).all()
    return render_template("kit_editor/template_form.html", form=form, template=template,
                           copy_of=copy_of, skus=skus), status


@bp.route("/templates/new", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def new_template():
    """Add a box template, optionally starting from a copy of another (?copy=CODE)."""
    copy = request.args.get("copy", "")
    copy_of = kit_templates.get_template(db.session, copy) if copy else None
    return _save_template(None, copy_of)


@bp.route("/templates/<code:code>/edit", methods=["GET", "POST"])
@allow(*STOCK_MANAGERS)
def edit_template(code: str):
    """Change a box template: its facts, content lines and the boxes each module needs."""
    return _save_template(kit_templates.get_template(db.session, code))
