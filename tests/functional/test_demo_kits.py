"""The demo's kits: the modules and boxes the issue asks for, and the overview right about them.

The whole demo is loaded once for this module (through `flask demo load`): the tests only read.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import select

from warehouse.demo_catalogue import ENTRIES
from warehouse.domain.kits import (
    Held,
    InspectionOutcome,
    KitStatus,
    LineSpec,
    completeness,
    effective_status,
    is_usable,
)
from warehouse.domain.stock import LocationKind
from warehouse.extensions import db
from warehouse.models import (
    Item,
    Kit,
    KitEvent,
    KitTemplate,
    KitTemplateLine,
    Location,
    Lot,
    Module,
    ModuleRequirement,
    StockBalance,
)
from warehouse.models.base import utcnow
from warehouse.queries.kits import module_readiness
from warehouse.services import kits, ledger
from warehouse.timezone import today

PRIORITY = {"HR": "高层建筑火灾", "CH": "化工灾害", "EQ": "地震/地质灾害", "MT": "山岳救援", "WR": "水域救援"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def demo(demo_app):
    """A session on the loaded demo (read only)."""
    with demo_app.app_context():
        yield db.session
        db.session.remove()


def template_specs(session) -> dict[int, list[LineSpec]]:
    """Read every template's lines as domain specs, straight from the tables."""
    specs = defaultdict(list)
    for line in session.scalars(select(KitTemplateLine)):
        specs[line.template_id].append(LineSpec(
            line.id, line.item_id, line.par_quantity, line.min_shelf_days, line.optional,
            frozenset(s.item_id for s in line.substitutes)))
    return specs


def holdings(session) -> dict[int, list[Held]]:
    """Read what every location holds, per item and lot with its expiry."""
    held = defaultdict(list)
    rows = session.execute(select(StockBalance, Lot).outerjoin(Lot, Lot.id == StockBalance.lot_id))
    for balance, lot in rows:
        held[balance.location_id].append(Held(balance.item_id, balance.lot_id,
                                              lot.expires_on if lot else None, balance.quantity))
    return held


def box_states(session) -> dict[tuple[int, int], Counter]:
    """Count each module's boxes per template and live status, walking the boxes in Python."""
    on, specs, held = today(), template_specs(session), holdings(session)
    states: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for kit in session.scalars(select(Kit).where(Kit.status != KitStatus.RETIRED)):
        complete = completeness(specs[kit.template_id], held[kit.location_id], on).complete
        states[kit.module_id, kit.template_id][effective_status(kit.status, complete)] += 1
    return states


def test_the_demo_has_the_five_priority_modules_and_more(demo):
    modules = {m.code: m for m in demo.scalars(select(Module))}
    assert len(modules) >= 6
    assert {code: modules[code].name_zh for code in PRIORITY} == PRIORITY
    assert set(modules) & {"FL", "IS"}
    assert all(CHINESE.search(m.description) and m.active for m in modules.values())


def test_every_module_needs_boxes_of_templates_with_real_contents(demo):
    requirements = demo.scalars(select(ModuleRequirement)).all()
    required = defaultdict(int)
    served = defaultdict(set)
    for requirement in requirements:
        required[requirement.module.code] += requirement.boxes_required
        served[requirement.template_id].add(requirement.module.code)
    modules = demo.scalars(select(Module.code)).all()
    assert all(required[code] > 0 for code in modules)
    assert any(len(codes) >= 2 for codes in served.values())

    catalogue = {entry.sku for entry in ENTRIES}
    templates = demo.scalars(select(KitTemplate)).all()
    assert len(templates) >= 10
    lines = defaultdict(list)
    for line in demo.scalars(select(KitTemplateLine)):
        lines[line.template_id].append(line)
    for template in templates:
        mine = lines[template.id]
        assert template.id in served, template.code
        assert template.box_type and template.width_m > 0 and template.depth_m > 0 and template.weight_kg > 0
        assert 3 <= len(mine) <= 12, template.code
        assert any(line.substitutes for line in mine), template.code
        assert {line.item.sku for line in mine} <= catalogue
        # Medicine and food only count with a month to spare.
        for line in mine:
            if line.item.category.code in ("MS", "FF") and line.item.expiry_required:
                assert line.min_shelf_days >= 30, (template.code, line.item.sku)
    assert sum(any(line.optional for line in lines[t.id]) for t in templates) >= len(templates) // 2


def test_the_modules_overview_counts_what_the_boxes_hold(demo):
    states = box_states(demo)
    boxes_required = {(r.module_id, r.template_id): r.boxes_required
                      for r in demo.scalars(select(ModuleRequirement))}
    assert set(states) <= set(boxes_required)  # every box serves a module that needs its template

    overview = module_readiness(demo, today())
    assert {m.module.id for m in overview} == {module_id for module_id, _ in boxes_required}
    for module in overview:
        for row in module.templates:
            counted = states[module.module.id, row.template_id]
            assert (row.required, row.ready, row.short, row.deployed, row.restocking, row.other) == (
                boxes_required[module.module.id, row.template_id],
                counted[KitStatus.READY], counted[KitStatus.SHORT], counted[KitStatus.DEPLOYED],
                counted[KitStatus.RETURNED] + counted[KitStatus.RESTOCKING],
                counted[KitStatus.ASSEMBLING] + counted[KitStatus.QUARANTINED],
            ), (module.module.code, row.template_code)
        expected_ready = sum(min(states[module.module.id, t][KitStatus.READY], n)
                             for (m, t), n in boxes_required.items() if m == module.module.id)
        assert module.counted_ready == expected_ready
        assert module.percent == round(100 * expected_ready / module.required)

    totals = sum(states.values(), Counter())
    assert totals[KitStatus.READY] > totals[KitStatus.SHORT] > 0  # most ready, some short
    assert 2 <= totals[KitStatus.DEPLOYED] <= 3
    assert totals[KitStatus.RETURNED] == 1 and totals[KitStatus.QUARANTINED] == 1
    assert any(m.percent == 100 for m in overview) and any(m.percent < 100 for m in overview)
    boxes = Counter(module_id for (module_id, _), counted in states.items() for _ in counted.elements())
    assert any(boxes[m.module.id] < m.required for m in overview)  # some modules lack boxes
    assert any(boxes[m.module.id] >= m.required for m in overview)


def test_some_boxes_hold_expired_or_soon_expiring_lots(demo):
    on = today()
    rows = demo.execute(
        select(Kit.code, Kit.template_id, Lot.item_id, Lot.expires_on)
        .join(StockBalance, StockBalance.location_id == Kit.location_id)
        .join(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.quantity > 0, Lot.expires_on.is_not(None))).all()
    assert any(expires < on for *_, expires in rows)
    assert any(on <= expires <= on + timedelta(days=60) for *_, expires in rows)

    shelf = {(line.template_id, line.item_id): line.min_shelf_days
             for line in demo.scalars(select(KitTemplateLine))}
    stale = {code for code, template_id, item_id, expires in rows
             if expires >= on and not is_usable(expires, on, shelf.get((template_id, item_id), 0))}
    assert stale  # in date, but inside the line's minimum shelf life: the box counts as short


def test_every_short_box_can_be_restocked_from_depot_stock(demo):
    on, specs, held = today(), template_specs(demo), holdings(demo)
    resting = demo.scalars(select(Kit).where(Kit.status.in_([KitStatus.READY, KitStatus.SHORT]))).all()
    short = [kit for kit in resting
             if not completeness(specs[kit.template_id], held[kit.location_id], on).complete]
    assert short
    for kit in short:
        proposal = kits.propose_restock(demo, kit.code)
        assert proposal.fills and proposal.unfilled == {}, kit.code


def test_boxes_live_in_the_kit_zone_with_a_dated_history(demo):
    zone = demo.scalar(select(Location).where(Location.code == "LY-K"))
    modules = {m.id: m.code for m in demo.scalars(select(Module))}
    for kit in demo.scalars(select(Kit)):
        assert re.fullmatch(rf"K-{modules[kit.module_id]}-\d{{4}}", kit.code)
        home = demo.get(Location, kit.home_location_id)
        assert home.path.startswith(zone.path)
        place = demo.get(Location, kit.location_id)
        assert place.kind == LocationKind.KIT
        # A box out hangs under its deployment's place (the demo's deployments check them out).
        parent = demo.get(Location, place.parent_id)
        if kit.status == KitStatus.DEPLOYED:
            assert parent.kind == LocationKind.DEPLOYED, kit.code
        else:
            assert parent.id == home.id, kit.code

    now = utcnow()
    events = demo.scalars(select(KitEvent)).all()
    assert all(event.at < now for event in events)
    assert min(event.at for event in events) < now - timedelta(days=60)  # packed months ago
    outcomes = Counter(event.outcome for event in events if event.outcome)
    assert outcomes[InspectionOutcome.PASSED] >= 3
    assert outcomes[InspectionOutcome.DEFECTS] and outcomes[InspectionOutcome.FAILED]
    assert demo.scalar(select(Item.id).join(StockBalance).join(Location)
                       .where(Location.kind == LocationKind.KIT).limit(1)) is not None


def test_the_ledger_reconciles_after_the_demo_load(demo_app, demo):
    assert ledger.check(demo) == []
    result = demo_app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 0 and "ledger OK" in result.output
