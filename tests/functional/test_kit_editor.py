"""The module and box-template editor: supply officers add and change modules and templates."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from tests.builders import field_errors, make_item, make_module, make_template
from warehouse.extensions import db
from warehouse.models import KitTemplate, KitTemplateLine, Module, ModuleRequirement
from warehouse.services import kit_templates


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def in_english(client):
    client.post_form("/language", {"lang": "en"})
    return client


def template_form(**changes) -> dict:
    """The new-template form as a browser posts it: two modules offered, two line rows filled."""
    data = {
        "code": "EQ-SHORING", "name_zh": "支撑套件箱", "name_en": "Shoring kit", "category": "ER",
        "box_type": "pallet_box", "width_m": "1.2", "depth_m": "1.0", "weight_kg": "180",
        "description": "", "active": "y",
        "requirements-0-module": "EQ", "requirements-0-boxes_required": "4",
        "requirements-1-module": "MT", "requirements-1-boxes_required": "",
        "lines-0-sku": "ER-STRUT", "lines-0-par_quantity": "8", "lines-0-min_shelf_days": "",
        "lines-0-substitutes": "ER-STRUT-B", "lines-0-note": "",
        "lines-1-sku": "ER-WEDGE", "lines-1-par_quantity": "20", "lines-1-min_shelf_days": "0",
        "lines-1-optional": "y", "lines-1-substitutes": "", "lines-1-note": "hardwood",
        "lines-2-sku": "", "lines-2-par_quantity": "", "lines-2-substitutes": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def catalogue(app):
    make_module(app, "EQ")
    make_module(app, "MT", name_zh="山岳救援模块", name_en="Mountain rescue module")
    return {sku: make_item(app, sku, category="ER", unit="piece", tracking="bulk",
                           expiry_required=False, shelf_life_days=None)
            for sku in ("ER-STRUT", "ER-STRUT-B", "ER-WEDGE")}


def saved_template(app, code: str):
    with app.app_context():
        template = db.session.scalar(select(KitTemplate).where(KitTemplate.code == code))
        if template is None:
            return None
        lines = db.session.scalars(select(KitTemplateLine).where(KitTemplateLine.template_id == template.id)
                                   .order_by(KitTemplateLine.position)).all()
        result = {
            "name_en": template.name_en, "box_type": template.box_type.value,
            "lines": [(line.item.sku, line.par_quantity, line.optional,
                       sorted(s.item.sku for s in line.substitutes), line.note) for line in lines],
            "needs": {r.module.code: r.boxes_required for r in db.session.scalars(
                select(ModuleRequirement).where(ModuleRequirement.template_id == template.id))},
        }
        db.session.remove()
    return result


def test_a_supply_officer_adds_a_template_with_lines_substitutes_and_needs(app, client_as, catalogue):
    officer = client_as("supply_officer")
    page = officer.get("/kits/templates/new")
    assert page.status_code == 200
    assert 'name="lines-4-sku"' in page.get_data(as_text=True)  # blank rows to fill
    response = officer.post_form("/kits/templates/new", template_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/kits/templates/EQ-SHORING")
    assert saved_template(app, "EQ-SHORING") == {
        "name_en": "Shoring kit", "box_type": "pallet_box",
        "lines": [("ER-STRUT", 8, False, ["ER-STRUT-B"], ""), ("ER-WEDGE", 20, True, [], "hardwood")],
        "needs": {"EQ": 4},
    }


def test_editing_shows_the_current_lines_and_replaces_them(app, client_as, catalogue):
    officer = client_as("supply_officer")
    officer.post_form("/kits/templates/new", template_form())
    page = text(officer.get("/kits/templates/EQ-SHORING/edit"))
    assert 'value="ER-STRUT-B"' in page and 'value="hardwood"' in page
    response = officer.post_form("/kits/templates/EQ-SHORING/edit", template_form(**{
        "lines-0-par_quantity": "10", "lines-1-sku": "", "requirements-1-boxes_required": "2"}))
    assert response.status_code == 302
    saved = saved_template(app, "EQ-SHORING")
    assert saved["lines"] == [("ER-STRUT", 10, False, ["ER-STRUT-B"], "")]
    assert saved["needs"] == {"EQ": 4, "MT": 2}


@pytest.mark.parametrize("changes, row_field, message", [
    ({"lines-0-sku": "NOPE-1"}, "lines-0-sku", "no item NOPE-1 in the catalogue"),
    ({"lines-0-substitutes": "ER-STRUT-B, GONE"}, "lines-0-substitutes", "no item GONE in the catalogue"),
    ({"lines-1-par_quantity": ""}, "lines-1-par_quantity", "required"),
    ({"lines-1-par_quantity": "0"}, "lines-1-par_quantity", "a whole number from 1 to 100000"),
    ({"lines-1-sku": "ER-STRUT-B"}, "lines-1-sku", "an item may fill only one line of a template"),
    ({"requirements-0-boxes_required": "5000"}, "requirements-0-boxes_required",
     "a whole number from 1 to 1000"),
])
def test_a_bad_line_is_shown_on_its_row_and_nothing_is_saved(app, client_as, catalogue, changes,
                                                             row_field, message):
    officer = in_english(client_as("supply_officer"))
    response = officer.post_form("/kits/templates/new", template_form(**changes))
    assert response.status_code == 422
    assert message in field_errors(response, row_field)
    assert saved_template(app, "EQ-SHORING") is None


def test_a_duplicate_code_is_refused_on_the_code_field(app, client_as, catalogue):
    officer = in_english(client_as("supply_officer"))
    officer.post_form("/kits/templates/new", template_form())
    response = officer.post_form("/kits/templates/new", template_form())
    assert response.status_code == 409
    assert field_errors(response, "code") == ["already taken"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(KitTemplate)) == 1
        db.session.remove()


def test_more_rows_keeps_what_was_typed_and_saves_nothing(app, client_as, catalogue):
    officer = client_as("supply_officer")
    response = officer.post_form("/kits/templates/new", template_form(more="1"))
    body = text(response)
    assert response.status_code == 200
    assert 'name="lines-7-sku"' in body and 'value="ER-WEDGE"' in body
    assert saved_template(app, "EQ-SHORING") is None


def test_a_copy_starts_from_another_templates_lines_without_its_code(app, client_as, catalogue):
    officer = client_as("supply_officer")
    officer.post_form("/kits/templates/new", template_form())
    body = text(officer.get("/kits/templates/new?copy=EQ-SHORING"))
    assert 'value="ER-STRUT-B"' in body and 'value="EQ-SHORING"' not in body
    assert officer.get("/kits/templates/new?copy=NOPE").status_code == 404


def test_user_text_in_a_template_is_escaped(app, client_as, catalogue):
    officer = client_as("supply_officer")
    officer.post_form("/kits/templates/new", template_form(name_en="<script>alert(1)</script>",
                                                           **{"lines-1-note": "<b>x</b>"}))
    body = officer.get("/kits/templates/EQ-SHORING/edit").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "<b>x</b>" not in body


def test_modules_are_added_and_changed(app, client_as):
    officer = in_english(client_as("supply_officer"))
    response = officer.post_form("/kits/modules/new", {"code": "fl", "name_zh": "洪涝救援模块",
                                                       "name_en": "Flood rescue", "description": "洪水"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/kits/modules/FL")
    again = officer.post_form("/kits/modules/new", {"code": "FL", "name_zh": "x", "name_en": "x"})
    assert again.status_code == 409 and field_errors(again, "code") == ["already taken"]
    bad = officer.post_form("/kits/modules/new", {"code": "F", "name_zh": "x", "name_en": "x"})
    assert bad.status_code == 422 and field_errors(bad, "code")
    edited = officer.post_form("/kits/modules/FL/edit", {"name_zh": "洪涝模块", "name_en": "Flood",
                                                         "description": "", "position": "3"})
    assert edited.status_code == 302
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.code == "FL"))
        assert (module.name_en, module.position, module.active) == ("Flood", 3, False)
        db.session.remove()
    assert officer.get("/kits/modules/NOPE/edit").status_code == 404


def test_logistics_staff_and_commanders_cannot_edit(app, client_as, catalogue):
    make_template(app, [{"item_id": catalogue["ER-STRUT"], "par_quantity": 2}], code="EQ-T")
    for role in ("logistics", "commander"):
        client = client_as(role)
        assert client.get("/kits/templates/new").status_code == 403
        assert client.post_form("/kits/templates/EQ-T/edit", template_form()).status_code == 403
    with app.app_context():
        assert kit_templates.get_template(db.session, "EQ-T").name_en == "Breaching kit"
        db.session.remove()
