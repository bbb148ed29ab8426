"""Kit services on a real database: templates, boxes, restock through the ledger, lifecycle, readiness."""

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from tests.builders import (
    CLI,
    DepotRef,
    expire_lot,
    fill_kit,
    in_days,
    make_depot,
    make_item,
    make_kit,
    make_module,
    make_template,
    make_user,
    receive,
    stock_counts,
)
from warehouse.database import write_transaction
from warehouse.domain.accounts import Role
from warehouse.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from warehouse.domain.kits import InspectionOutcome, KitStatus
from warehouse.domain.stock import Reason
from warehouse.models import (
    Item,
    Kit,
    KitEvent,
    KitLineSubstitute,
    KitTemplate,
    KitTemplateLine,
    Location,
    Lot,
    Module,
    StockBalance,
    User,
)
from warehouse.queries import kits as kit_queries
from warehouse.queries.stock import movement_stmt
from warehouse.services import kit_templates, kits, ledger
from warehouse.services.accounts import Caller
from warehouse.timezone import today


@dataclass(frozen=True)
class Scene:
    """A depot with stock for one template: axes, dressings (30 days' shelf life), rope, a lamp."""

    depot: DepotRef
    axe: int
    dressing: int
    rope: int
    lamp: int  # optional line, never in stock
    template: str


@pytest.fixture
def scene(app) -> Scene:
    depot = make_depot(app)
    make_module(app, "EQ")
    make_module(app, "CH", name_zh="危化品救援模块", name_en="Chemical module")
    axe = make_item(app, "T-AXE", name_en="Axe")
    dressing = make_item(app, "T-DRESS", name_en="Dressing", category="EA")
    rope = make_item(app, "T-ROPE", name_en="Rope", tracking="bulk", expiry_required=False,
                     shelf_life_days=None)
    lamp = make_item(app, "T-LAMP", name_en="Lamp", tracking="bulk", expiry_required=False,
                     shelf_life_days=None)
    template = make_template(app, [
        {"item_id": axe, "par_quantity": 2},
        {"item_id": dressing, "par_quantity": 4, "min_shelf_days": 30},
        {"item_id": rope, "par_quantity": 3},
        {"item_id": lamp, "par_quantity": 1, "optional": True},
    ], code="EQ-BREACH", modules={"EQ": 2})
    receive(app, axe, depot.bin_a, 5, lot="AX1", expires_on=in_days(400))
    receive(app, dressing, depot.bin_a, 10, lot="DR1", expires_on=in_days(200))
    receive(app, rope, depot.bin_b, 10)
    return Scene(depot, axe, dressing, rope, lamp, template)


def count(session, model) -> int:
    session.rollback()  # drop the read snapshot: builders write from other sessions
    return session.scalar(select(func.count()).select_from(model))


def kit_state(session, code: str) -> tuple[KitStatus, dict]:
    """The box's stored status and contents {(item id, lot code or None): quantity}."""
    session.rollback()
    kit = session.scalar(select(Kit).where(Kit.code == code))
    rows = session.execute(select(StockBalance.item_id, Lot.code, StockBalance.quantity)
                           .outerjoin(Lot, Lot.id == StockBalance.lot_id)
                           .where(StockBalance.location_id == kit.location_id,
                                  StockBalance.quantity > 0)).all()
    return kit.status, {(item, lot): quantity for item, lot, quantity in rows}


def set_status(session, code: str, status: KitStatus) -> None:
    """Move a box along the lifecycle the way check-out and check-in will (internal transition)."""
    with write_transaction(session):
        kit = kits.get_kit(session, code, lock=True)
        kits.record_transition(session, CLI, kit, status)


def set_expiry(app, lot: str, days: int) -> None:
    """Let time pass for a lot: it now expires in so many days (negative: expired)."""
    expire_lot(app, lot, -days)


def full_fills(scene: Scene, axe=2, dressing=4, rope=3) -> list[dict]:
    d = scene.depot
    return [{"item_id": scene.axe, "lot": "AX1", "from_location_id": d.bin_a, "quantity": axe},
            {"item_id": scene.dressing, "lot": "DR1", "from_location_id": d.bin_a, "quantity": dressing},
            {"item_id": scene.rope, "lot": None, "from_location_id": d.bin_b, "quantity": rope}]


def ready_kit(app, scene: Scene, **fields) -> str:
    code = make_kit(app, scene.template, scene.depot.zone, **fields)
    fill_kit(app, code)
    return code


def logistics_caller(app, session) -> Caller:
    ref = make_user(app, Role.LOGISTICS)
    session.rollback()
    return Caller(user=session.get(User, ref.id), address="test")


# --- modules and templates ---------------------------------------------------------------------

def test_create_module_numbers_positions_and_refuses_a_taken_code(session):
    first = kit_templates.create_module(session, CLI, code="eq", name_zh="地震", name_en="Earthquake")
    second = kit_templates.create_module(session, CLI, code="WR", name_zh="水域", name_en="Water")
    assert first.code == "EQ" and second.position == first.position + 1
    with pytest.raises(Conflict) as error:
        kit_templates.create_module(session, CLI, code="Eq", name_zh="x", name_en="x")
    assert error.value.status == 409 and "code" in error.value.fields
    assert count(session, Module) == 2


@pytest.mark.parametrize("changes, field", [
    ({"code": "E"}, "code"),
    ({"code": "E Q"}, "code"),
    ({"name_zh": " "}, "name_zh"),
    ({"name_en": None}, "name_en"),
    ({"name_en": "x" * 81}, "name_en"),
    ({"name_zh": 5}, "name_zh"),
    ({"position": -1}, "position"),
    ({"position": "1"}, "position"),
])
def test_bad_modules_name_the_field_and_write_nothing(session, changes, field):
    data = {"code": "EQ", "name_zh": "地震", "name_en": "Earthquake", **changes}
    with pytest.raises(InvalidInput) as error:
        kit_templates.create_module(session, CLI, **data)
    assert error.value.status == 422 and field in error.value.fields
    assert count(session, Module) == 0


def template_data(scene: Scene, **changes) -> dict:
    return {"code": "EQ-SHORE", "name_zh": "支撑箱", "name_en": "Shoring kit", "category": "ER",
            "box_type": "pallet_box", "width_m": 1.2, "depth_m": 1.0, "weight_kg": 80,
            "lines": [{"item_id": scene.axe, "par_quantity": 1, "substitutes": [scene.lamp]},
                      {"item_id": scene.rope, "par_quantity": 2, "note": "20 m"}],
            "requirements": [{"module": "EQ", "boxes_required": 3}], **changes}


def test_create_template_stores_lines_substitutes_and_requirements(session, scene):
    template = kit_templates.create_template(session, CLI, **template_data(scene))
    session.rollback()
    lines = kit_queries.template_lines(session, template.id)
    assert [(ln.item_id, ln.par_quantity, ln.position, ln.note) for ln in lines] == [
        (scene.axe, 1, 0, ""), (scene.rope, 2, 1, "20 m")]
    assert [s.item_id for s in lines[0].substitutes] == [scene.lamp]
    (requirement,) = kit_queries.template_requirements(session, template.id)
    assert (requirement.module.code, requirement.boxes_required) == ("EQ", 3)
    assert session.get(KitTemplate, template.id).footprint_m2 == pytest.approx(1.2)


def test_a_taken_template_code_is_a_conflict(session, scene):
    with pytest.raises(Conflict) as error:
        kit_templates.create_template(session, CLI, **template_data(scene, code="eq-breach"))
    assert "code" in error.value.fields


@pytest.mark.parametrize("changes, field", [
    ({"code": "X"}, "code"),
    ({"name_zh": ""}, "name_zh"),
    ({"name_en": "x" * 121}, "name_en"),
    ({"category": "ZZ"}, "category"),
    ({"box_type": "crate"}, "box_type"),
    ({"width_m": 0}, "width_m"),
    ({"depth_m": "1"}, "depth_m"),
    ({"weight_kg": 5001}, "weight_kg"),
    ({"lines": []}, "lines"),
    ({"lines": "axe"}, "lines"),
    ({"lines": ["axe"]}, "lines.0"),
    ({"lines": [{"item_id": 999_999, "par_quantity": 1}]}, "lines.0.item_id"),
    ({"lines": [{"item_id": "1", "par_quantity": 1}]}, "lines.0.item_id"),
    ({"lines": [{"item_id": "AXE", "par_quantity": 0}]}, "lines.0.par_quantity"),
    ({"lines": [{"item_id": "AXE", "par_quantity": 1.5}]}, "lines.0.par_quantity"),
    ({"lines": [{"item_id": "AXE"}]}, "lines.0.par_quantity"),
    ({"lines": [{"item_id": "AXE", "par_quantity": 1, "min_shelf_days": -1}]}, "lines.0.min_shelf_days"),
    ({"lines": [{"item_id": "AXE", "par_quantity": 1, "min_shelf_days": "30"}]}, "lines.0.min_shelf_days"),
    ({"lines": [{"item_id": "AXE", "par_quantity": 1, "substitutes": [999_999]}]}, "lines.0.substitutes"),
    ({"lines": [{"item_id": "AXE", "par_quantity": 1}, {"item_id": "AXE", "par_quantity": 2}]},
     "lines.1.item_id"),
    ({"lines": [{"item_id": "AXE", "par_quantity": 1, "substitutes": ["ROPE"]},
                {"item_id": "ROPE", "par_quantity": 2}]}, "lines.1.item_id"),
    ({"lines": [{"item_id": "AXE", "par_quantity": 1, "note": "x" * 201}]}, "lines.0.note"),
    ({"requirements": [{"module": "ZZ", "boxes_required": 1}]}, "requirements.0.module"),
    ({"requirements": [{"module": "EQ", "boxes_required": 0}]}, "requirements.0.boxes_required"),
    ({"requirements": [{"module": "EQ", "boxes_required": 1}, {"module": "eq", "boxes_required": 2}]},
     "requirements.1.module"),
    ({"requirements": "EQ"}, "requirements"),
])
def test_bad_templates_name_the_field_and_write_nothing(session, scene, changes, field):
    names = {"AXE": scene.axe, "ROPE": scene.rope}
    for line in changes.get("lines", []) if isinstance(changes.get("lines"), list) else []:
        if isinstance(line, dict):
            line["item_id"] = names.get(line["item_id"], line["item_id"])
            line["substitutes"] = [names.get(s, s) for s in line.get("substitutes", [])]
    before = (count(session, KitTemplate), count(session, KitTemplateLine), count(session, KitLineSubstitute))
    with pytest.raises(InvalidInput) as error:
        kit_templates.create_template(session, CLI, **template_data(scene, **changes))
    assert error.value.status == 422 and field in error.value.fields, error.value.fields
    after = (count(session, KitTemplate), count(session, KitTemplateLine), count(session, KitLineSubstitute))
    assert after == before


def test_update_template_replaces_lines_and_keeps_requirements(session, scene):
    template = kit_templates.update_template(
        session, CLI, "eq-breach", name_en="Breaching kit II",
        lines=[{"item_id": scene.rope, "par_quantity": 5, "substitutes": [scene.lamp]}])
    session.rollback()
    assert session.get(KitTemplate, template.id).name_en == "Breaching kit II"
    (line,) = kit_queries.template_lines(session, template.id)
    assert (line.item_id, line.par_quantity, [s.item_id for s in line.substitutes]) == (
        scene.rope, 5, [scene.lamp])
    (requirement,) = kit_queries.template_requirements(session, template.id)
    assert (requirement.module.code, requirement.boxes_required) == ("EQ", 2)
    assert count(session, KitTemplateLine) == 1 and count(session, KitLineSubstitute) == 1


def test_update_template_requirements_only_keeps_the_lines(session, scene):
    template = kit_templates.update_template(session, CLI, "EQ-BREACH",
                                             requirements=[{"module": "CH", "boxes_required": 1},
                                                           {"module": "EQ", "boxes_required": 5}])
    session.rollback()
    lines = kit_queries.template_lines(session, template.id)
    assert [(ln.item_id, ln.par_quantity, ln.min_shelf_days, ln.optional) for ln in lines] == [
        (scene.axe, 2, 0, False), (scene.dressing, 4, 30, False), (scene.rope, 3, 0, False),
        (scene.lamp, 1, 0, True)]
    assert {(r.module.code, r.boxes_required) for r in kit_queries.template_requirements(
        session, template.id)} == {("CH", 1), ("EQ", 5)}


def test_a_bad_update_changes_nothing(session, scene):
    with pytest.raises(InvalidInput) as error:
        kit_templates.update_template(session, CLI, "EQ-BREACH", name_en="Changed",
                                      lines=[{"item_id": scene.axe, "par_quantity": 0}])
    assert "lines.0.par_quantity" in error.value.fields
    session.rollback()
    template = session.scalar(select(KitTemplate))
    assert template.name_en == "Breaching kit" and count(session, KitTemplateLine) == 4


def test_a_module_that_still_has_boxes_cannot_be_dropped_from_a_template(app, session, scene):
    make_kit(app, scene.template, scene.depot.zone)
    with pytest.raises(Conflict) as error:
        kit_templates.update_template(session, CLI, scene.template,
                                      requirements=[{"module": "CH", "boxes_required": 1}])
    assert "requirements" in error.value.fields and "EQ" in error.value.message
    with pytest.raises(Conflict):
        kit_templates.update_template(session, CLI, scene.template, requirements=[])
    session.rollback()
    (requirement,) = kit_queries.template_requirements(session, session.scalar(select(KitTemplate.id)))
    assert requirement.module.code == "EQ"


def test_unknown_module_and_template_are_not_found(session):
    with pytest.raises(NotFound):
        kit_templates.get_module(session, "ZZ")
    with pytest.raises(NotFound):
        kit_templates.get_template(session, "NOPE")
    with pytest.raises(NotFound):
        kit_templates.update_template(session, CLI, "NOPE", name_en="x")


# --- boxes ----------------------------------------------------------------------------------

def test_boxes_are_numbered_per_module_and_are_kit_locations_under_their_home(session, scene):
    first = kits.create_kit(session, CLI, template=scene.template, module="eq",
                            home_location_id=scene.depot.zone)
    second = kits.create_kit(session, CLI, template=scene.template, module="EQ",
                             home_location_id=scene.depot.bin_a, note="spare")
    assert (first.code, second.code) == ("K-EQ-0001", "K-EQ-0002")
    session.rollback()
    box = session.get(Location, second.location_id)
    home = session.get(Location, scene.depot.bin_a)
    assert (box.code, box.kind.value, box.parent_id, box.path) == (
        "K-EQ-0002", "kit", home.id, f"{home.path}{box.id}/")
    assert box.footprint_m2 == pytest.approx(0.24)
    kit = session.get(Kit, second.id)
    assert (kit.status, kit.home_location_id, kit.note) == (KitStatus.ASSEMBLING, home.id, "spare")
    (event,) = session.scalars(select(KitEvent).where(KitEvent.kit_id == kit.id)).all()
    assert (event.from_status, event.to_status, event.actor_name) == (None, KitStatus.ASSEMBLING, "test")


def test_an_explicit_code_is_kept_and_numbering_continues_after_it(session, scene):
    made = kits.create_kit(session, CLI, template=scene.template, module="EQ",
                           home_location_id=scene.depot.zone, code=" k-eq-0010 ")
    nxt = kits.create_kit(session, CLI, template=scene.template, module="EQ",
                          home_location_id=scene.depot.zone)
    other = kits.create_kit(session, CLI, template=scene.template, module="EQ",
                            home_location_id=scene.depot.zone, code="BOX-7")
    assert (made.code, nxt.code, other.code) == ("K-EQ-0010", "K-EQ-0011", "BOX-7")


@pytest.mark.parametrize("code", ["K-EQ-0001", "T-A-R01"])  # another box's, a shelf's
def test_a_taken_code_is_a_conflict_and_writes_nothing(app, session, scene, code):
    make_kit(app, scene.template, scene.depot.zone)
    before = (count(session, Kit), count(session, Location), count(session, KitEvent))
    with pytest.raises(Conflict) as error:
        kits.create_kit(session, CLI, template=scene.template, module="EQ",
                        home_location_id=scene.depot.zone, code=code)
    assert error.value.fields == {"code": ["already taken"]}
    assert (count(session, Kit), count(session, Location), count(session, KitEvent)) == before


@pytest.mark.parametrize("changes, field", [
    ({"module": "CH"}, "module"),  # the template does not serve it
    ({"home_location_id": "quarantine"}, "home_location_id"),
    ({"home_location_id": "depot"}, "home_location_id"),
    ({"home_location_id": 999_999}, "home_location_id"),
    ({"home_location_id": "7"}, "home_location_id"),
    ({"code": "K EQ"}, "code"),
    ({"note": "x" * 2001}, "note"),
])
def test_bad_boxes_name_the_field_and_write_nothing(session, scene, changes, field):
    data = {"template": scene.template, "module": "EQ", "home_location_id": scene.depot.zone, **changes}
    if data["home_location_id"] in ("quarantine", "depot"):
        data["home_location_id"] = getattr(scene.depot, data["home_location_id"])
    before = (count(session, Kit), count(session, Location))
    with pytest.raises(InvalidInput) as error:
        kits.create_kit(session, CLI, **data)
    assert error.value.status == 422 and field in error.value.fields
    assert (count(session, Kit), count(session, Location)) == before


@pytest.mark.parametrize("changes", [{"template": "NOPE"}, {"module": "ZZ"}])
def test_unknown_template_or_module_is_not_found(session, scene, changes):
    data = {"template": scene.template, "module": "EQ", "home_location_id": scene.depot.zone, **changes}
    with pytest.raises(NotFound):
        kits.create_kit(session, CLI, **data)
    assert count(session, Kit) == 0


def test_a_retired_template_gets_no_new_boxes(session, scene):
    kit_templates.update_template(session, CLI, scene.template, active=False)
    with pytest.raises(InvalidInput) as error:
        kits.create_kit(session, CLI, template=scene.template, module="EQ", home_location_id=scene.depot.zone)
    assert "template" in error.value.fields


def test_unknown_box_is_not_found(session):
    with pytest.raises(NotFound):
        kits.get_kit(session, "K-EQ-9999")
    with pytest.raises(NotFound):
        kits.propose_restock(session, "K-EQ-9999")


# --- restock ----------------------------------------------------------------------------------

def test_proposal_and_restock_bring_an_empty_box_to_ready_through_the_ledger(app, session, scene):
    code = make_kit(app, scene.template, scene.depot.zone)
    proposal = kits.propose_restock(session, code)
    assert proposal.removals == []
    fills = {(f.item.sku, f.lot.code if f.lot else None, f.from_location.code): f.quantity
             for f in proposal.fills}
    assert fills == {("T-AXE", "AX1", "T-A-R01-B01"): 2, ("T-DRESS", "DR1", "T-A-R01-B01"): 4,
                     ("T-ROPE", None, "T-A-R01-B02"): 3}
    lamp_line = [s.line.line_id for s in proposal.before.lines if s.line.item_id == scene.lamp]
    assert proposal.unfilled == {lamp_line[0]: 1}  # nobody stocks lamps: the optional line stays empty
    assert not proposal.before.complete

    result = kits.restock_kit(session, CLI, code, fills=full_fills(scene), note="first fill")
    assert result.after.complete and result.kit.status == KitStatus.READY
    assert {m.reason for m in result.movements} == {Reason.INTO_KIT}
    assert all(m.reference == code for m in result.movements)
    status, contents = kit_state(session, code)
    assert status == KitStatus.READY
    assert contents == {(scene.axe, "AX1"): 2, (scene.dressing, "DR1"): 4, (scene.rope, None): 3}
    kit = session.scalar(select(Kit).where(Kit.code == code))
    moves = session.execute(movement_stmt(location_id=kit.location_id)).all()
    assert sorted((m.sku, m.reason, m.reference, m.to_location) for m in moves) == [
        ("T-AXE", Reason.INTO_KIT, code, code), ("T-DRESS", Reason.INTO_KIT, code, code),
        ("T-ROPE", Reason.INTO_KIT, code, code)]
    events = session.scalars(select(KitEvent).where(KitEvent.kit_id == kit.id).order_by(KitEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, KitStatus.ASSEMBLING), (KitStatus.ASSEMBLING, KitStatus.READY)]
    assert ledger.check(session) == []


def test_a_partial_fill_keeps_an_assembling_box_assembling(app, session, scene):
    code = make_kit(app, scene.template, scene.depot.zone)
    result = kits.restock_kit(session, CLI, code, fills=full_fills(scene)[:1])
    assert not result.after.complete
    assert kit_state(session, code)[0] == KitStatus.ASSEMBLING


def test_expired_units_are_swapped_out_to_quarantine(app, session, scene):
    code = ready_kit(app, scene)
    receive(app, scene.axe, scene.depot.bin_b, 3, lot="AX2", expires_on=in_days(600))
    set_expiry(app, "AX1", -1)
    assert kit_queries.kit_row(session, session.scalar(select(Kit.id)), today()).effective_status == "short"

    proposal = kits.propose_restock(session, code)
    (removal,) = proposal.removals
    assert (removal.item.sku, removal.lot.code, removal.quantity, removal.to_location.code) == (
        "T-AXE", "AX1", 2, "T-Q")
    (fill,) = proposal.fills  # the expired AX1 left in bin A is never proposed
    assert (fill.lot.code, fill.from_location.code, fill.quantity) == ("AX2", "T-A-R01-B02", 2)

    result = kits.restock_kit(
        session, CLI, code,
        removals=[{"item_id": scene.axe, "lot": "AX1", "quantity": 2,
                   "to_location_id": removal.to_location.id}],
        fills=[{"item_id": scene.axe, "lot": "AX2", "from_location_id": scene.depot.bin_b, "quantity": 2}])
    assert result.after.complete
    out = [m for m in result.movements if m.reason == Reason.OUT_OF_KIT]
    assert len(out) == 1 and out[0].to_location_id == scene.depot.quarantine and out[0].reference == code
    status, contents = kit_state(session, code)
    assert status == KitStatus.READY and contents[(scene.axe, "AX2")] == 2
    assert (scene.axe, "AX1") not in contents
    assert ledger.check(session) == []


def test_soon_expiring_units_go_back_beside_the_box(app, session, scene):
    code = ready_kit(app, scene)
    receive(app, scene.dressing, scene.depot.bin_b, 4, lot="DR2", expires_on=in_days(300))
    set_expiry(app, "DR1", 10)  # still in date, but the line wants 30 days left

    proposal = kits.propose_restock(session, code)
    (removal,) = proposal.removals
    assert (removal.lot.code, removal.quantity, removal.to_location.id) == ("DR1", 4, scene.depot.zone)
    # DR1 left in bin A expires within the shelf life too: only DR2 is proposed.
    assert [(f.lot.code, f.quantity) for f in proposal.fills] == [("DR2", 4)]

    kits.restock_kit(session, CLI, code,
                     removals=[{"item_id": scene.dressing, "lot": "DR1", "quantity": 4,
                                "to_location_id": scene.depot.zone}],
                     fills=[{"item_id": scene.dressing, "lot": "DR2", "from_location_id": scene.depot.bin_b,
                             "quantity": 4}])
    status, contents = kit_state(session, code)
    assert status == KitStatus.READY and contents[(scene.dressing, "DR2")] == 4
    assert session.scalar(select(StockBalance.quantity).join(Lot).where(
        Lot.code == "DR1", StockBalance.location_id == scene.depot.zone)) == 4
    assert ledger.check(session) == []


def test_a_lot_inside_the_minimum_shelf_life_is_refused_as_a_fill(app, session, scene):
    code = make_kit(app, scene.template, scene.depot.zone)
    receive(app, scene.dressing, scene.depot.bin_b, 4, lot="DR9", expires_on=in_days(29))
    with pytest.raises(InvalidInput) as error:
        kits.restock_kit(session, CLI, code, fills=[{"item_id": scene.dressing, "lot": "DR9",
                                                     "from_location_id": scene.depot.bin_b, "quantity": 1}])
    assert "fills.0.lot" in error.value.fields


def test_asking_more_than_the_depot_holds_names_sku_and_available_and_writes_nothing(app, session, scene):
    code = make_kit(app, scene.template, scene.depot.zone)
    before = stock_counts(app)
    events = count(session, KitEvent)
    fills = full_fills(scene, axe=2, dressing=12)  # bin A holds 10 of DR1
    with pytest.raises(Conflict) as error:
        kits.restock_kit(session, CLI, code, fills=fills)
    assert error.value.status == 409
    assert "T-DRESS DR1" in error.value.message and "only 10" in error.value.message
    assert "12 requested" in error.value.message and "T-A-R01-B01" in error.value.message
    assert error.value.fields == {"fills.1.quantity": ["only 10 available"]}
    assert stock_counts(app) == before  # the axe fill before it was rolled back too
    assert count(session, KitEvent) == events
    assert kit_state(session, code) == (KitStatus.ASSEMBLING, {})


def test_filling_above_par_is_refused_and_writes_nothing(app, session, scene):
    code = ready_kit(app, scene)
    before = stock_counts(app)
    with pytest.raises(Conflict) as error:
        kits.restock_kit(session, CLI, code, fills=full_fills(scene, axe=1)[:1])
    assert "T-AXE would hold 3" in error.value.message and "par is 2" in error.value.message
    assert "fills" in error.value.fields
    assert stock_counts(app) == before


@pytest.mark.parametrize("entries, field", [
    ({}, "fills"),
    ({"fills": "all"}, "fills"),
    ({"fills": [1]}, "fills.0"),
    ({"fills": [{"item_id": 999_999, "lot": "AX1", "from_location_id": 1, "quantity": 1}]},
     "fills.0.item_id"),
    ({"fills": [{"item_id": "AXE", "lot": "AX1", "from_location_id": "BIN_A", "quantity": 0}]},
     "fills.0.quantity"),
    ({"fills": [{"item_id": "AXE", "lot": "NOPE", "from_location_id": "BIN_A", "quantity": 1}]},
     "fills.0.lot"),
    ({"fills": [{"item_id": "AXE", "lot": "AX1", "from_location_id": "Q", "quantity": 1}]},
     "fills.0.from_location_id"),
    ({"fills": [{"item_id": "OTHER", "lot": "OT1", "from_location_id": "BIN_A", "quantity": 1}]},
     "fills.0.item_id"),
    ({"removals": [{"item_id": "AXE", "lot": "AX1", "quantity": 1, "to_location_id": 999_999}]},
     "removals.0.to_location_id"),
])
def test_bad_restock_entries_name_the_field_and_write_nothing(app, session, scene, entries, field):
    other = make_item(app, "T-OTHER")
    receive(app, other, scene.depot.bin_a, 1, lot="OT1", expires_on=in_days(100))
    code = make_kit(app, scene.template, scene.depot.zone)
    names = {"AXE": scene.axe, "OTHER": other, "BIN_A": scene.depot.bin_a, "Q": scene.depot.quarantine}
    for key in ("fills", "removals"):
        for entry in entries.get(key, []) if isinstance(entries.get(key), list) else []:
            if isinstance(entry, dict):
                for name in ("item_id", "from_location_id", "to_location_id"):
                    if name in entry:
                        entry[name] = names.get(entry[name], entry[name])
    before = stock_counts(app)
    with pytest.raises(InvalidInput) as error:
        kits.restock_kit(session, CLI, code, **entries)
    assert field in error.value.fields, error.value.fields
    assert stock_counts(app) == before


def test_taking_out_more_than_the_box_holds_is_refused(app, session, scene):
    code = ready_kit(app, scene)
    before = stock_counts(app)
    with pytest.raises(Conflict) as error:
        kits.restock_kit(session, CLI, code, removals=[{"item_id": scene.axe, "lot": "AX1", "quantity": 3,
                                                        "to_location_id": scene.depot.bin_a}])
    assert "only 2" in error.value.message
    assert stock_counts(app) == before


def test_taking_units_out_of_a_ready_box_makes_it_short(app, session, scene):
    code = ready_kit(app, scene)
    result = kits.restock_kit(session, CLI, code, removals=[
        {"item_id": scene.rope, "lot": None, "quantity": 1, "to_location_id": scene.depot.bin_b}])
    assert [m.reason for m in result.movements] == [Reason.OUT_OF_KIT]
    assert kit_state(session, code)[0] == KitStatus.SHORT
    assert ledger.check(session) == []


@pytest.mark.parametrize("status", [KitStatus.DEPLOYED, KitStatus.QUARANTINED])
def test_a_deployed_or_quarantined_box_cannot_be_restocked(app, session, scene, status):
    code = ready_kit(app, scene)
    if status == KitStatus.DEPLOYED:
        set_status(session, code, status)
    else:
        kits.change_kit_status(session, CLI, code, status=status, note="smells of smoke")
    before = stock_counts(app)
    with pytest.raises(Conflict) as error:
        kits.restock_kit(session, CLI, code, removals=[{"item_id": scene.rope, "lot": None, "quantity": 1,
                                                        "to_location_id": scene.depot.bin_b}])
    assert error.value.status == 409 and f"is {status.value}" in error.value.message
    assert stock_counts(app) == before


# --- inspections and status -----------------------------------------------------------------

def returned_kit(app, session, scene) -> str:
    code = ready_kit(app, scene)
    set_status(session, code, KitStatus.DEPLOYED)
    set_status(session, code, KitStatus.RETURNED)
    return code


def test_a_returned_complete_box_passes_inspection_to_ready(app, session, scene):
    code = returned_kit(app, session, scene)
    event = kits.inspect_kit(session, CLI, code, outcome="passed")
    assert event.outcome == InspectionOutcome.PASSED and event.to_status is None
    assert kit_state(session, code)[0] == KitStatus.READY
    row = kit_queries.kit_row(session, session.scalar(select(Kit.id)), today())
    assert row.last_inspected_at is not None


def test_a_returned_box_missing_units_goes_to_restocking(app, session, scene):
    code = returned_kit(app, session, scene)
    with write_transaction(session):  # a dressing was used on the incident
        kit = kits.get_kit(session, code)
        ledger.post(session, CLI, item=session.get(Item, scene.dressing),
                    lot=session.scalar(select(Lot).where(Lot.code == "DR1")), quantity=1,
                    reason=Reason.CONSUME, from_location=session.get(Location, kit.location_id))
    kits.inspect_kit(session, CLI, code, outcome="defects", findings="one dressing used")
    assert kit_state(session, code)[0] == KitStatus.RESTOCKING
    assert ledger.check(session) == []


@pytest.mark.parametrize("start", [KitStatus.READY, KitStatus.RETURNED])
def test_a_failed_inspection_quarantines_the_box(app, session, scene, start):
    code = returned_kit(app, session, scene) if start == KitStatus.RETURNED else ready_kit(app, scene)
    kits.inspect_kit(session, CLI, code, outcome=InspectionOutcome.FAILED, findings="seal broken")
    session.rollback()
    kit = session.scalar(select(Kit).where(Kit.code == code))
    assert kit.status == KitStatus.QUARANTINED
    last = session.scalars(select(KitEvent).where(KitEvent.kit_id == kit.id).order_by(KitEvent.id.desc())
                           .limit(2)).all()
    assert (last[0].from_status, last[0].to_status, last[0].note) == (
        start, KitStatus.QUARANTINED, "seal broken")
    assert last[1].outcome == InspectionOutcome.FAILED


@pytest.mark.parametrize("outcome, findings, field", [
    ("defects", "", "findings"),
    ("failed", "  ", "findings"),
    ("fine", "x", "outcome"),
    ("passed", "x" * 2001, "findings"),
])
def test_bad_inspections_name_the_field_and_write_nothing(app, session, scene, outcome, findings, field):
    code = ready_kit(app, scene)
    before = count(session, KitEvent)
    with pytest.raises(InvalidInput) as error:
        kits.inspect_kit(session, CLI, code, outcome=outcome, findings=findings)
    assert field in error.value.fields
    assert count(session, KitEvent) == before


def test_a_passed_inspection_of_a_resting_box_only_logs_it(app, session, scene):
    code = ready_kit(app, scene)
    kits.inspect_kit(session, CLI, code, outcome="passed")
    assert kit_state(session, code)[0] == KitStatus.READY


def test_a_deployed_box_cannot_be_inspected(app, session, scene):
    code = ready_kit(app, scene)
    set_status(session, code, KitStatus.DEPLOYED)
    with pytest.raises(Conflict) as error:
        kits.inspect_kit(session, CLI, code, outcome="passed")
    assert "is deployed" in error.value.message


def test_status_changes_follow_the_lifecycle_and_are_logged(app, session, scene):
    code = ready_kit(app, scene)
    kits.change_kit_status(session, CLI, code, status="restocking")
    kits.change_kit_status(session, CLI, code, status="ready", note="checked")
    session.rollback()
    kit = session.scalar(select(Kit).where(Kit.code == code))
    events = session.scalars(select(KitEvent).where(KitEvent.kit_id == kit.id).order_by(KitEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events][-2:] == [
        (KitStatus.READY, KitStatus.RESTOCKING), (KitStatus.RESTOCKING, KitStatus.READY)]
    assert kit.status == KitStatus.READY


def test_an_illegal_status_change_names_the_current_state(app, session, scene):
    code = make_kit(app, scene.template, scene.depot.zone)
    with pytest.raises(Conflict) as error:
        kits.change_kit_status(session, CLI, code, status="quarantined", note="x")
    assert "is assembling" in error.value.message
    assert error.value.fields == {"status": ["currently assembling"]}
    set_status(session, code, KitStatus.RESTOCKING)
    with pytest.raises(Conflict) as error:
        kits.change_kit_status(session, CLI, code, status="retired", note="x")
    assert "is restocking" in error.value.message


def test_ready_is_refused_for_a_short_box_naming_what_is_missing(app, session, scene):
    code = make_kit(app, scene.template, scene.depot.zone)
    kits.restock_kit(session, CLI, code, fills=full_fills(scene, axe=1, dressing=1))
    kits.change_kit_status(session, CLI, code, status="restocking")
    with pytest.raises(Conflict) as error:
        kits.change_kit_status(session, CLI, code, status="ready")
    assert "T-AXE −1" in error.value.message and "T-DRESS −3" in error.value.message
    assert "T-ROPE" not in error.value.message and "T-LAMP" not in error.value.message  # full; optional
    kits.change_kit_status(session, CLI, code, status="short")
    assert kit_state(session, code)[0] == KitStatus.SHORT


def test_short_is_refused_for_a_complete_box(app, session, scene):
    code = ready_kit(app, scene)
    kits.change_kit_status(session, CLI, code, status="restocking")
    with pytest.raises(Conflict) as error:
        kits.change_kit_status(session, CLI, code, status="short")
    assert "complete" in error.value.message


@pytest.mark.parametrize("status, note, field", [
    ("deployed", "", "status"),
    ("returned", "", "status"),
    ("lost", "", "status"),
    ("quarantined", "", "note"),
    ("retired", " ", "note"),
])
def test_bad_status_changes_name_the_field(app, session, scene, status, note, field):
    code = ready_kit(app, scene)
    with pytest.raises(InvalidInput) as error:
        kits.change_kit_status(session, CLI, code, status=status, note=note)
    assert field in error.value.fields
    assert kit_state(session, code)[0] == KitStatus.READY


def test_a_box_with_stock_inside_cannot_be_retired(app, session, scene):
    code = ready_kit(app, scene)
    with pytest.raises(Conflict) as error:
        kits.change_kit_status(session, CLI, code, status="retired", note="cracked")
    assert "still holds 9 units" in error.value.message
    assert kit_state(session, code)[0] == KitStatus.READY


def test_logistics_staff_cannot_retire_a_box(app, session, scene):
    code = make_kit(app, scene.template, scene.depot.zone)
    caller = logistics_caller(app, session)
    with pytest.raises(Forbidden) as error:
        kits.change_kit_status(session, caller, code, status="retired", note="cracked")
    assert error.value.status == 403
    assert kit_state(session, code)[0] == KitStatus.ASSEMBLING
    # ... but they may do everything else the lifecycle allows.
    kits.change_kit_status(session, caller, code, status="restocking")
    session.rollback()
    event = session.scalars(select(KitEvent).order_by(KitEvent.id.desc())).first()
    assert event.actor_name == caller.user.username


def test_a_supply_officer_retires_an_empty_box_and_its_place_is_retired(app, session, scene):
    code = make_kit(app, scene.template, scene.depot.zone)
    officer = make_user(app, Role.SUPPLY_OFFICER)
    session.rollback()
    caller = Caller(user=session.get(User, officer.id), address="test")
    kits.change_kit_status(session, caller, code, status="retired", note="crushed by forklift")
    session.rollback()
    kit = session.scalar(select(Kit).where(Kit.code == code))
    assert kit.status == KitStatus.RETIRED
    assert session.get(Location, kit.location_id).active is False
    with pytest.raises(Conflict):
        kits.relocate_kit(session, CLI, code, home_location_id=scene.depot.bin_a)
    # A retired box no longer counts towards its module.
    (eq,) = [m for m in kit_queries.module_readiness(session, today()) if m.module.code == "EQ"]
    assert (eq.ready, eq.short, eq.other) == (0, 0, 0)


def test_relocating_a_box_moves_its_location_under_the_new_home(app, session, scene):
    code = ready_kit(app, scene)
    kits.relocate_kit(session, CLI, code, home_location_id=scene.depot.bin_b, note="rack R01")
    session.rollback()
    kit = session.scalar(select(Kit).where(Kit.code == code))
    box = session.get(Location, kit.location_id)
    new_home = session.get(Location, scene.depot.bin_b)
    assert kit.home_location_id == new_home.id
    assert (box.parent_id, box.path) == (new_home.id, f"{new_home.path}{box.id}/")
    assert kit_state(session, code)[1][(scene.rope, None)] == 3  # the contents moved with it, unledgered
    assert ledger.check(session) == []
    with pytest.raises(InvalidInput) as error:
        kits.relocate_kit(session, CLI, code, home_location_id=scene.depot.bin_b)
    assert "home_location_id" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        kits.relocate_kit(session, CLI, code, home_location_id=scene.depot.quarantine)
    assert "home_location_id" in error.value.fields


def test_relocating_a_deployed_box_changes_only_its_home(app, session, scene):
    from warehouse.services import locations

    code = ready_kit(app, scene)
    field_place = locations.create_location(session, CLI, kind="deployed", code="T-OUT", name="现场",
                                            parent_id=scene.depot.depot)
    with write_transaction(session):
        kit = kits.get_kit(session, code, lock=True)
        kits.record_transition(session, CLI, kit, KitStatus.DEPLOYED)
        kits.place(session, kit, session.get(Location, field_place.id))
    kits.relocate_kit(session, CLI, code, home_location_id=scene.depot.bin_b)
    session.rollback()
    kit = session.scalar(select(Kit).where(Kit.code == code))
    assert kit.home_location_id == scene.depot.bin_b
    assert session.get(Location, kit.location_id).parent_id == field_place.id


# --- read side --------------------------------------------------------------------------------

@pytest.fixture
def readiness_scene(app, session, scene):
    """EQ needs 2 breaching boxes and 1 medical box; CH needs 1 breaching box.

    EQ: four breaching boxes, three ready and one deployed; the medical box holds gauze that
    now expires within its line's 30 days. CH: one empty box (assembling), one in restock.
    """
    gauze = make_item(app, "T-GAUZE", name_en="Gauze")
    receive(app, gauze, scene.depot.bin_b, 5, lot="GZ1", expires_on=in_days(90))
    receive(app, scene.axe, scene.depot.bin_b, 20, lot="AX3", expires_on=in_days(500))
    receive(app, scene.dressing, scene.depot.bin_b, 20, lot="DR3", expires_on=in_days(500))
    receive(app, scene.rope, scene.depot.bin_a, 20)
    medical = make_template(app, [{"item_id": gauze, "par_quantity": 5, "min_shelf_days": 30}],
                            code="EQ-MED", modules={"EQ": 1}, name_en="Trauma kit", category="EA")
    kit_templates.update_template(session, CLI, scene.template,
                                  requirements=[{"module": "EQ", "boxes_required": 2},
                                                {"module": "CH", "boxes_required": 1}])
    codes = {}
    for name in ("b1", "b2", "b3", "b4"):
        codes[name] = ready_kit(app, scene)
    set_status(session, codes["b4"], KitStatus.DEPLOYED)
    codes["med"] = make_kit(app, medical, scene.depot.zone)
    fill_kit(app, codes["med"])
    set_expiry(app, "GZ1", 20)  # time passed: 20 days left, the line wants 30
    codes["ch1"] = make_kit(app, scene.template, scene.depot.zone, module="CH")
    codes["ch2"] = make_kit(app, scene.template, scene.depot.zone, module="CH")
    fill_kit(app, codes["ch2"])
    kits.change_kit_status(session, CLI, codes["ch2"], status="restocking")
    session.rollback()
    return codes


def test_module_readiness_counts_boxes_by_their_live_state(session, readiness_scene):
    found = {m.module.code: m for m in kit_queries.module_readiness(session, today())}
    eq, ch = found["EQ"], found["CH"]
    rows = {t.template_code: t for t in eq.templates}
    breach, med = rows["EQ-BREACH"], rows["EQ-MED"]
    assert (breach.required, breach.ready, breach.short, breach.deployed, breach.restocking,
            breach.other) == (2, 3, 0, 1, 0, 0)
    assert breach.counted_ready == 2  # a spare does not make up for the short medical box
    assert (med.required, med.ready, med.short, med.counted_ready) == (1, 0, 1, 0)
    assert (eq.required, eq.ready, eq.counted_ready, eq.short, eq.deployed) == (3, 3, 2, 1, 1)
    assert eq.percent == 67
    (ch_breach,) = ch.templates
    assert (ch_breach.required, ch_breach.ready, ch_breach.restocking, ch_breach.other) == (1, 0, 1, 1)
    assert (ch.counted_ready, ch.percent) == (0, 0)
    (only,) = kit_queries.module_readiness(session, today(), module_id=ch.module.id)
    assert only.module.code == "CH"


def test_the_medical_box_is_stored_ready_but_reads_short(session, readiness_scene):
    code = readiness_scene["med"]
    kit = session.scalar(select(Kit).where(Kit.code == code))
    assert kit.status == KitStatus.READY
    row = kit_queries.kit_row(session, kit.id, today())
    assert (row.effective_status, row.short_lines, row.missing_units, row.line_count) == ("short", 1, 5, 1)
    assert row.earliest_expiry == in_days(20)
    (line,) = kit_queries.kit_lines(session, kit.id, today())
    assert (line.sku, line.par, line.held, line.usable) == ("T-GAUZE", 5, 5, 0)
    # Ten days earlier the same gauze still counted.
    assert kit_queries.kit_row(session, kit.id, in_days(-10)).effective_status == "ready"
    assert kits.measure(session, kit).complete is False


def test_kit_page_filters_and_numbers(session, readiness_scene):
    codes = readiness_scene
    on = today()
    eq = kit_queries.kit_page(session, on, module="eq")
    assert eq.total == 5
    assert [r.code for r in kit_queries.kit_page(session, on, module="EQ", ready=True).items] == sorted(
        [codes["b1"], codes["b2"], codes["b3"]])
    assert [r.code for r in kit_queries.kit_page(session, on, status="short").items] == [codes["med"]]
    assert {r.code for r in kit_queries.kit_page(session, on, ready=False).items} == {
        codes["b4"], codes["med"], codes["ch1"], codes["ch2"]}
    assert [r.code for r in kit_queries.kit_page(session, on, template="eq-med").items] == [codes["med"]]
    assert [r.code for r in kit_queries.kit_page(session, on, status="deployed").items] == [codes["b4"]]
    assert kit_queries.kit_page(session, on, q="CH-").total == 2
    first = kit_queries.kit_page(session, on, sort="expiry").items[0]
    assert first.code == codes["med"]
    ready = {r.code: r for r in eq.items}[codes["b1"]]
    # Ready although the optional lamp line is empty: it is not a short line.
    assert (ready.effective_status, ready.short_lines, ready.missing_units, ready.line_count) == (
        "ready", 0, 0, 4)
    assert ready.earliest_expiry == in_days(200)  # DR1 fills first (FEFO), before AX1 (400)
    empty = {r.code: r for r in kit_queries.kit_page(session, on, module="CH").items}[codes["ch1"]]
    assert (empty.effective_status, empty.short_lines, empty.missing_units, empty.earliest_expiry) == (
        "assembling", 3, 9, None)


def test_kit_lines_show_par_held_and_usable_per_line(session, readiness_scene):
    kit = session.scalar(select(Kit).where(Kit.code == readiness_scene["b1"]))
    lines = kit_queries.kit_lines(session, kit.id, today())
    assert [(ln.sku, ln.par, ln.held, ln.usable, ln.optional) for ln in lines] == [
        ("T-AXE", 2, 2, 2, False), ("T-DRESS", 4, 4, 4, False), ("T-ROPE", 3, 3, 3, False),
        ("T-LAMP", 1, 0, 0, True)]


def test_queries_agree_with_the_domain_measure(session, readiness_scene):
    on = today()
    for row in kit_queries.kit_page(session, on, per_page=100).items:
        kit = session.get(Kit, row.id)
        state = kits.measure(session, kit, on)
        assert row.short_lines == sum(1 for s in state.lines if s.short)
        assert row.missing_units == sum(s.missing for s in state.lines if s.short)
        assert row.earliest_expiry == state.earliest_expiry
