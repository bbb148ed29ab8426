"""Stock services on a real database: every change is one ledger row, errors write nothing."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tests.builders import CLI, in_days, make_depot, make_item, receive, stock_counts
from warehouse.domain.errors import Conflict, InvalidInput
from warehouse.domain.stock import Reason
from warehouse.models import Location, Lot, StockBalance, StockMovement
from warehouse.services import ledger, locations, stock


@pytest.fixture
def depot(app):
    return make_depot(app)


def balances(session) -> dict:
    """{(sku-less item id, lot code or None, location code): quantity} for non-zero balances."""
    rows = session.execute(
        select(StockBalance.item_id, Lot.code, Location.code, StockBalance.quantity)
        .join(Location).outerjoin(Lot).where(StockBalance.quantity > 0)
    ).all()
    return {(item, lot, code): quantity for item, lot, code, quantity in rows}


def test_a_receipt_creates_the_lot_the_balance_and_one_movement(app, session, depot):
    item = make_item(app, shelf_life_days=1800)
    movement = stock.receive_stock(session, CLI, item_id=item, location_id=depot.bin_a, quantity=12,
                                   lot="L2026-01", expires_on=in_days(400), supplier_ref="PO-7")
    assert movement.reason == Reason.RECEIVE and movement.from_location_id is None
    assert movement.reference == "PO-7" and movement.actor_name == "test"
    assert balances(session) == {(item, "L2026-01", depot.codes["bin_a"]): 12}
    again = stock.receive_stock(session, CLI, item_id=item, location_id=depot.bin_a, quantity=3,
                                lot="L2026-01")
    assert again.lot_id == movement.lot_id
    assert balances(session) == {(item, "L2026-01", depot.codes["bin_a"]): 15}
    assert ledger.check(session) == []


def test_expiry_defaults_from_shelf_life_when_not_required(app, session, depot):
    item = make_item(app, expiry_required=False, shelf_life_days=30)
    stock.receive_stock(session, CLI, item_id=item, location_id=depot.bin_a, quantity=1, lot="A")
    assert session.scalar(select(Lot.expires_on)) == in_days(30)


@pytest.mark.parametrize("fields, field", [
    ({"item_id": 999_999}, "item_id"),
    ({"location_id": 999_999}, "location_id"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": -3}, "quantity"),
    ({"quantity": "5"}, "quantity"),
    ({"quantity": 2.5}, "quantity"),
    ({"expires_on": None}, "expires_on"),  # the item requires an expiry
    ({"expires_on": "past"}, "expires_on"),
    ({"lot": None}, "lot"),
    ({"lot": "has space"}, "lot"),
    ({"location_id": "depot"}, "location_id"),  # a depot holds stock only through its zones
    ({"reference": "x" * 81}, "reference"),
])
def test_bad_receipts_name_the_field_and_write_nothing(app, session, depot, fields, field):
    item = make_item(app)
    data = {"item_id": item, "location_id": depot.bin_a, "quantity": 5, "lot": "L1",
            "expires_on": in_days(100), **fields}
    if data["expires_on"] == "past":
        data["expires_on"] = in_days(-1)
    if data["location_id"] == "depot":
        data["location_id"] = depot.depot
    before = stock_counts(app)
    with pytest.raises(InvalidInput) as error:
        stock.receive_stock(session, CLI, **data)
    assert field in error.value.fields
    assert stock_counts(app) == before


def test_an_existing_lot_keeps_its_expiry(app, session, depot):
    item = make_item(app)
    receive(app, item, depot.bin_a, 1, lot="L1", expires_on=in_days(100))
    with pytest.raises(InvalidInput) as error:
        stock.receive_stock(session, CLI, item_id=item, location_id=depot.bin_a, quantity=1,
                            lot="L1", expires_on=in_days(200))
    assert "expires_on" in error.value.fields


def test_bulk_items_take_no_lot_and_serial_units_arrive_one_by_one(app, session, depot):
    bulk = make_item(app, tracking="bulk", expiry_required=False, shelf_life_days=None)
    with pytest.raises(InvalidInput):
        stock.receive_stock(session, CLI, item_id=bulk, location_id=depot.bin_a, quantity=1, lot="L")
    stock.receive_stock(session, CLI, item_id=bulk, location_id=depot.bin_a, quantity=40)
    scba = make_item(app, tracking="serial", expiry_required=False, shelf_life_days=None,
                     inspection_interval_days=180, unit="set", category="PE")
    with pytest.raises(InvalidInput):
        stock.receive_stock(session, CLI, item_id=scba, location_id=depot.bin_a, quantity=2, lot="SN1")
    stock.receive_stock(session, CLI, item_id=scba, location_id=depot.bin_a, quantity=1, lot="SN1")
    assert session.scalar(select(Lot.next_inspection_on).where(Lot.code == "SN1")) == in_days(180)
    with pytest.raises(Conflict):
        stock.receive_stock(session, CLI, item_id=scba, location_id=depot.bin_b, quantity=1, lot="SN1")
    assert ledger.check(session) == []


def test_moving_stock_conserves_it_and_refuses_more_than_is_there(app, session, depot):
    item = make_item(app)
    receive(app, item, depot.bin_a, 10, lot="L1", expires_on=in_days(100))
    stock.move_stock(session, CLI, item_id=item, from_location_id=depot.bin_a,
                     to_location_id=depot.bin_b, quantity=4, lot="L1")
    assert balances(session) == {(item, "L1", depot.codes["bin_a"]): 6, (item, "L1", depot.codes["bin_b"]): 4}
    before = stock_counts(app)
    with pytest.raises(Conflict) as error:
        stock.move_stock(session, CLI, item_id=item, from_location_id=depot.bin_a,
                         to_location_id=depot.bin_b, quantity=7, lot="L1")
    assert "only 6" in error.value.message
    with pytest.raises(InvalidInput):
        stock.move_stock(session, CLI, item_id=item, from_location_id=depot.bin_a,
                         to_location_id=depot.bin_a, quantity=1, lot="L1")
    assert stock_counts(app) == before


def test_issue_picks_first_expiry_first_and_splits_across_lots(app, session, depot):
    item = make_item(app)
    receive(app, item, depot.bin_a, 5, lot="LATE", expires_on=in_days(300))
    receive(app, item, depot.bin_b, 3, lot="SOON", expires_on=in_days(20))
    movements = stock.issue_stock(session, CLI, item_id=item, quantity=4, purpose="incident",
                                  reference="火警 2026-118")
    taken = [(session.get(Lot, m.lot_id).code, m.quantity) for m in movements]
    assert taken == [("SOON", 3), ("LATE", 1)]
    assert all(m.reason == Reason.ISSUE and m.to_location_id is None for m in movements)
    assert ledger.check(session) == []


def test_issue_never_takes_expired_or_quarantined_stock(app, session, depot):
    item = make_item(app)
    receive(app, item, depot.bin_a, 5, lot="GOOD", expires_on=in_days(300))
    receive(app, item, depot.quarantine, 5, lot="HELD", expires_on=in_days(10))
    receive(app, item, depot.bin_b, 5, lot="OLD", expires_on=in_days(2))
    # Let OLD expire: its date passes while it sits in the bin.
    session.execute(text("UPDATE lots SET expires_on = :d WHERE code = 'OLD'"), {"d": in_days(-1)})
    session.commit()
    before = stock_counts(app)
    with pytest.raises(Conflict) as error:
        stock.issue_stock(session, CLI, item_id=item, quantity=6, purpose="drill")
    assert "only 5 available, 6 requested" in error.value.message
    assert stock_counts(app) == before
    with pytest.raises(Conflict):
        stock.issue_stock(session, CLI, item_id=item, quantity=1, purpose="drill", lot="OLD")
    [movement] = stock.issue_stock(session, CLI, item_id=item, quantity=5, purpose="drill")
    assert session.get(Lot, movement.lot_id).code == "GOOD"


def test_issue_within_a_location_and_with_an_unknown_purpose(app, session, depot):
    item = make_item(app, tracking="bulk", expiry_required=False, shelf_life_days=None)
    receive(app, item, depot.bin_a, 5)
    receive(app, item, depot.bin_b, 5)
    [movement] = stock.issue_stock(session, CLI, item_id=item, quantity=2, purpose="training",
                                   location_id=depot.bin_b)
    assert movement.from_location_id == depot.bin_b
    with pytest.raises(InvalidInput) as error:
        stock.issue_stock(session, CLI, item_id=item, quantity=1, purpose="party")
    assert "purpose" in error.value.fields


def test_adjustments_need_a_note_and_never_go_below_zero(app, session, depot):
    item = make_item(app)
    receive(app, item, depot.bin_a, 5, lot="L1", expires_on=in_days(100))
    with pytest.raises(InvalidInput) as error:
        stock.adjust_stock(session, CLI, item_id=item, location_id=depot.bin_a, change=-1, lot="L1",
                           note=" ")
    assert "note" in error.value.fields
    with pytest.raises(InvalidInput):
        stock.adjust_stock(session, CLI, item_id=item, location_id=depot.bin_a, change=0, lot="L1",
                           note="x")
    with pytest.raises(Conflict):
        stock.adjust_stock(session, CLI, item_id=item, location_id=depot.bin_a, change=-6, lot="L1",
                           note="damaged")
    stock.adjust_stock(session, CLI, item_id=item, location_id=depot.bin_a, change=-2, lot="L1",
                       note="two drums punctured")
    stock.adjust_stock(session, CLI, item_id=item, location_id=depot.bin_b, change=1, lot="L1",
                       note="found behind the rack")
    assert balances(session) == {(item, "L1", depot.codes["bin_a"]): 3, (item, "L1", depot.codes["bin_b"]): 1}
    assert ledger.check(session) == []


def test_only_expired_or_quarantined_stock_is_disposed_of(app, session, depot):
    item = make_item(app)
    receive(app, item, depot.bin_a, 5, lot="FRESH", expires_on=in_days(100))
    receive(app, item, depot.quarantine, 2, lot="DAMAGED", expires_on=in_days(100))
    with pytest.raises(Conflict):
        stock.dispose_stock(session, CLI, item_id=item, location_id=depot.bin_a, quantity=1, lot="FRESH")
    movement = stock.dispose_stock(session, CLI, item_id=item, location_id=depot.quarantine,
                                   quantity=2, lot="DAMAGED", note="crushed")
    assert movement.reason == Reason.DISPOSE and movement.to_location_id is None
    session.execute(text("UPDATE lots SET expires_on = :d WHERE code = 'FRESH'"), {"d": in_days(-3)})
    session.commit()
    stock.dispose_stock(session, CLI, item_id=item, location_id=depot.bin_a, quantity=5, lot="FRESH")
    assert balances(session) == {}
    assert ledger.check(session) == []


def test_the_database_forbids_a_negative_balance_even_past_the_service(app, session, depot):
    item = make_item(app)
    receive(app, item, depot.bin_a, 1, lot="L1", expires_on=in_days(100))
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE stock_balances SET quantity = -1"))
        session.flush()
    session.rollback()


def test_ledger_check_names_a_balance_that_no_longer_matches_its_movements(app, session, depot):
    item = make_item(app)
    receive(app, item, depot.bin_a, 4, lot="L1", expires_on=in_days(100))
    assert ledger.check(session) == []
    session.execute(text("UPDATE stock_balances SET quantity = 9"))
    session.execute(text("DELETE FROM stock_movements WHERE 1 = 0"))
    session.commit()
    [difference] = ledger.check(session)
    assert (difference.item_id, difference.location_id, difference.ledger, difference.cached) == \
        (item, depot.bin_a, 4, 9)
    # A movement whose balance row vanished is found too.
    session.execute(text("DELETE FROM stock_balances"))
    session.commit()
    [missing] = ledger.check(session)
    assert (missing.ledger, missing.cached) == (4, 0)


def test_movements_are_only_ever_added(app, session, depot):
    item = make_item(app)
    receive(app, item, depot.bin_a, 4, lot="L1", expires_on=in_days(100))
    stock.issue_stock(session, CLI, item_id=item, quantity=1, purpose="drill")
    rows = session.execute(select(StockMovement.id, StockMovement.quantity).order_by(StockMovement.id)).all()
    stock.move_stock(session, CLI, item_id=item, from_location_id=depot.bin_a,
                     to_location_id=depot.bin_b, quantity=3, lot="L1")
    after = session.execute(select(StockMovement.id, StockMovement.quantity).order_by(StockMovement.id)).all()
    assert after[:len(rows)] == rows and len(after) == len(rows) + 1


def test_a_location_holding_stock_cannot_be_retired(app, session, depot):
    item = make_item(app)
    receive(app, item, depot.bin_a, 1, lot="L1", expires_on=in_days(100))
    with pytest.raises(Conflict):
        locations.update_location(session, CLI, depot.rack, active=False)
    locations.update_location(session, CLI, depot.bin_b, active=False)
    with pytest.raises(InvalidInput) as error:
        stock.receive_stock(session, CLI, item_id=item, location_id=depot.bin_b, quantity=1, lot="L1")
    assert "location_id" in error.value.fields


def test_a_late_recorded_lot_past_its_shelf_life_is_refused(app, session, depot):
    item = make_item(app, expiry_required=False, shelf_life_days=30)
    before = stock_counts(app)
    with pytest.raises(InvalidInput) as error:
        stock.receive_stock(session, CLI, item_id=item, location_id=depot.bin_a, quantity=1,
                            lot="OLD", received_on=in_days(-40))
    assert "received_on" in error.value.fields
    assert stock_counts(app) == before
