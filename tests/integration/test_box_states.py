"""Stored box states: current ones are read, any change to what they derive from makes them stale.

Each test stores the states (refresh), changes something the way a writer would (a service, or
plain SQL: the triggers must catch every writer), and compares `kit_totals` (stored where
current, live for the rest) with a live computation over every box, done from scratch.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, update

from tests.builders import CLI, expire_lot, fill_kit, in_days, make_box_depot, make_item, make_kit
from warehouse.database import write_transaction
from warehouse.domain.stock import Reason
from warehouse.extensions import db
from warehouse.models import (
    BoxState,
    Item,
    Kit,
    KitLineSubstitute,
    KitTemplateLine,
    Location,
    Lot,
    StockBalance,
)
from warehouse.queries.kits import kit_totals, live_totals
from warehouse.queries.readiness import readiness
from warehouse.services import box_states, ledger
from warehouse.services import readiness as readiness_service
from warehouse.timezone import today


def take_out(app, code: str, item_id: int, to_location_id: int, lot: str | None = None) -> None:
    """Take one unit out of a box through the ledger, as a restock's removal does."""
    with app.app_context():
        s = db.session
        with write_transaction(s):
            item = s.get(Item, item_id)
            box = s.get(Location, s.scalar(select(Kit.location_id).where(Kit.code == code)))
            found = s.scalar(select(Lot).where(Lot.item_id == item_id, Lot.code == lot)) if lot else None
            ledger.post(s, CLI, item=item, lot=found, quantity=1, reason=Reason.OUT_OF_KIT,
                        from_location=box, to_location=s.get(Location, to_location_id))
        s.remove()


def refresh(app, on=None) -> int:
    with app.app_context():
        with db.session.begin():
            stored = box_states.refresh(db.session, on or today())
        db.session.remove()
    return stored


def totals(app, on=None) -> dict[str, tuple]:
    """{box code: (short lines, missing units, lines, earliest expiry, computed live?)} as lists read them."""
    on = on or today()
    with app.app_context():
        t = kit_totals(on)
        rows = db.session.execute(select(Kit.code, t).join(t, t.c.kit_id == Kit.id)).all()
        db.session.remove()
    return {r.code: (r.short_lines, r.missing_units, r.line_count, r.earliest_expiry, bool(r.live))
            for r in rows}


def from_scratch(app, on=None) -> dict[str, tuple]:
    """The same figures computed live for every box, ignoring stored states."""
    on = on or today()
    with app.app_context():
        fresh = live_totals(on, select(Kit.id)).subquery()
        rows = db.session.execute(select(Kit.code, fresh).join(fresh, fresh.c.kit_id == Kit.id)).all()
        db.session.remove()
    return {r.code: (r.short_lines, r.missing_units, r.line_count, r.earliest_expiry) for r in rows}


def assert_agrees(app, on=None) -> dict[str, bool]:
    """Assert stored-or-live figures equal a computation from scratch; return which were live."""
    got = totals(app, on)
    assert {code: row[:4] for code, row in got.items()} == from_scratch(app, on)
    return {code: row[4] for code, row in got.items()}


@pytest.fixture
def boxes(app):
    depot = make_box_depot(app, boxes=3)
    assert refresh(app) == 3
    return depot


def test_refresh_stores_every_box_and_they_are_then_read_not_computed(app, boxes):
    assert assert_agrees(app) == dict.fromkeys(boxes.boxes, False)
    assert refresh(app) == 0
    code = boxes.boxes[0]
    assert totals(app)[code][:3] == (0, 0, 2)


def test_a_new_box_gets_a_state_row_and_is_computed_live_until_refreshed(app, boxes):
    code = make_kit(app, boxes.template, boxes.depot.zone)
    live = assert_agrees(app)
    assert live[code] is True and sum(live.values()) == 1
    assert totals(app)[code][:2] == (2, 3)  # empty: one drum and two ropes missing
    assert refresh(app) == 1
    assert assert_agrees(app)[code] is False


def test_stock_taken_out_of_a_box_shows_at_once(app, boxes):
    code = boxes.boxes[1]
    take_out(app, code, boxes.rope, boxes.depot.bin_b)
    live = assert_agrees(app)
    assert live == {c: c == code for c in boxes.boxes}
    assert totals(app)[code][:2] == (1, 1)
    fill_kit(app, code)
    assert totals(app)[code][:2] == (0, 0)


def test_a_lot_expiry_edited_by_plain_sql_makes_the_boxes_holding_it_stale(app, boxes):
    expire_lot(app, "F-1", days_ago=1)
    live = assert_agrees(app)
    assert all(live.values())
    assert {row[0] for row in totals(app).values()} == {1}


def test_a_template_line_changed_by_plain_sql_makes_its_boxes_stale(app, boxes):
    with app.app_context():
        db.session.execute(update(KitTemplateLine).where(KitTemplateLine.item_id == boxes.rope)
                           .values(par_quantity=3))
        db.session.commit()
        db.session.remove()
    assert all(assert_agrees(app).values())
    assert {row[:2] for row in totals(app).values()} == {(1, 1)}


def test_a_substitute_added_makes_its_template_s_boxes_stale(app, boxes):
    other = make_item(app, "T-ROPE-2", tracking="bulk", expiry_required=False, shelf_life_days=None,
                      unit="piece", category="RE")
    with app.app_context():
        line = db.session.scalar(select(KitTemplateLine.id).where(KitTemplateLine.item_id == boxes.rope))
        db.session.execute(insert(KitLineSubstitute).values(line_id=line, item_id=other))
        db.session.commit()
        db.session.remove()
    assert all(assert_agrees(app).values())


def test_a_state_ends_when_a_lot_in_use_passes_its_margin(app, boxes):
    # The foam lot expires in 700 days: the stored state holds through that day, not after.
    assert not any(assert_agrees(app, in_days(700)).values())
    late = assert_agrees(app, in_days(701))
    assert all(late.values())
    assert {row[0] for row in totals(app, in_days(701)).values()} == {1}


def test_a_day_before_the_state_was_computed_is_computed_live(app, boxes):
    assert all(assert_agrees(app, in_days(-1)).values())


def test_a_balance_changed_by_plain_sql_raises_the_version_past_the_one_seen(app, boxes):
    with app.app_context():
        db.session.execute(update(StockBalance).where(StockBalance.item_id == boxes.rope,
                                                      StockBalance.location_id.in_(select(Kit.location_id)))
                           .values(quantity=StockBalance.quantity + 1))
        db.session.commit()
        states = db.session.execute(select(BoxState.version, BoxState.seen)).all()
        db.session.remove()
    assert len(states) == 3 and all(version > seen for version, seen in states)
    assert all(assert_agrees(app).values())


def test_readiness_is_the_same_read_from_stored_states_and_computed_live(app, boxes):
    take_out(app, boxes.boxes[2], boxes.foam, boxes.depot.bin_a, lot="F-1")
    with app.app_context():
        live = readiness(db.session, today())
        db.session.remove()
    refresh(app)
    with app.app_context():
        stored = readiness(db.session, today())
        db.session.remove()
    assert live.live_boxes == 1 and stored.live_boxes == 0
    figures = [(m.module.code, m.required, m.counted_ready, m.short,
                [(s.item.id, s.missing) for s in m.shortfalls]) for m in live.modules]
    assert figures == [(m.module.code, m.required, m.counted_ready, m.short,
                        [(s.item.id, s.missing) for s in m.shortfalls]) for m in stored.modules]
    assert figures[0][2:4] == (2, 1)


def test_current_readiness_stores_the_states_it_computed_live(app, boxes):
    take_out(app, boxes.boxes[0], boxes.rope, boxes.depot.bin_b)
    with app.app_context():
        first = readiness_service.current_readiness(db.session, today())
        second = readiness_service.current_readiness(db.session, today())
        db.session.remove()
    assert (first.live_boxes, second.live_boxes) == (1, 0)
    assert [m.short for m in first.modules] == [m.short for m in second.modules]
    assert not any(assert_agrees(app).values())
