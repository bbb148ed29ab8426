"""Stocktakes on a real database: the location is frozen, variances post once approved."""

import pytest
from sqlalchemy import select

from tests.builders import CLI, in_days, make_depot, make_item, receive, stock_counts
from warehouse.domain.errors import Conflict, InvalidInput, NotFound
from warehouse.domain.stock import Reason, StocktakeStatus
from warehouse.models import StockBalance, StockMovement
from warehouse.services import ledger, stock, stocktake


@pytest.fixture
def counted_bin(app):
    """A bin holding 10 of lot L1 and 4 of a bulk item."""
    depot = make_depot(app)
    foam = make_item(app)
    gloves = make_item(app, tracking="bulk", expiry_required=False, shelf_life_days=None, unit="pair")
    receive(app, foam, depot.bin_a, 10, lot="L1", expires_on=in_days(100))
    receive(app, gloves, depot.bin_a, 4)
    return depot, foam, gloves


def test_a_count_lists_what_the_ledger_expects_at_the_location(session, counted_bin):
    depot, foam, gloves = counted_bin
    count = stocktake.start_stocktake(session, CLI, location_id=depot.bin_a, note="月度盘点")
    lines = sorted((line.item_id, line.expected, line.counted) for line in count.lines)
    assert lines == sorted([(foam, 10, None), (gloves, 4, None)])
    assert count.status == StocktakeStatus.COUNTING


def test_approval_posts_each_variance_as_a_count_movement(app, session, counted_bin):
    depot, foam, gloves = counted_bin
    count = stocktake.start_stocktake(session, CLI, location_id=depot.bin_a)
    stocktake.record_count(session, CLI, count.id, item_id=foam, lot="L1", counted=7)
    stocktake.record_count(session, CLI, count.id, item_id=gloves, counted=4)
    # Found on the shelf though the ledger knew nothing of it: a new line.
    receive(app, foam, depot.bin_b, 1, lot="L2", expires_on=in_days(50))
    stocktake.record_count(session, CLI, count.id, item_id=foam, lot="L2", counted=2)
    stocktake.submit_stocktake(session, CLI, count.id)
    movements = stocktake.approve_stocktake(session, CLI, count.id)
    assert sorted((m.quantity, m.from_location_id, m.to_location_id) for m in movements) == \
        sorted([(3, depot.bin_a, None), (2, None, depot.bin_a)])
    assert all(m.reason == Reason.COUNT and m.reference == f"ST-{count.id}" for m in movements)
    held = dict(session.execute(select(StockBalance.lot_id, StockBalance.quantity)
                                .where(StockBalance.location_id == depot.bin_a)).all())
    assert sorted(held.values()) == [2, 4, 7]
    assert ledger.check(session) == []


def test_a_location_being_counted_is_frozen_until_the_count_ends(app, session, counted_bin):
    depot, foam, _ = counted_bin
    count = stocktake.start_stocktake(session, CLI, location_id=depot.bin_a)
    before = stock_counts(app)
    with pytest.raises(Conflict) as error:
        stock.issue_stock(session, CLI, item_id=foam, quantity=1, purpose="drill")
    assert "being counted" in error.value.message
    with pytest.raises(Conflict):
        stock.receive_stock(session, CLI, item_id=foam, location_id=depot.bin_a, quantity=1, lot="L1")
    with pytest.raises(Conflict):
        stocktake.start_stocktake(session, CLI, location_id=depot.bin_a)
    assert stock_counts(app) == before
    stocktake.cancel_stocktake(session, CLI, count.id)
    stock.issue_stock(session, CLI, item_id=foam, quantity=1, purpose="drill")


def test_submitting_needs_every_line_counted_and_counting_stops_after(session, counted_bin):
    depot, foam, gloves = counted_bin
    count = stocktake.start_stocktake(session, CLI, location_id=depot.bin_a)
    stocktake.record_count(session, CLI, count.id, item_id=foam, lot="L1", counted=10)
    with pytest.raises(InvalidInput) as error:
        stocktake.submit_stocktake(session, CLI, count.id)
    assert "1 lines are not counted" in error.value.message
    stocktake.record_count(session, CLI, count.id, item_id=gloves, counted=4)
    stocktake.submit_stocktake(session, CLI, count.id)
    with pytest.raises(Conflict):
        stocktake.record_count(session, CLI, count.id, item_id=gloves, counted=3)
    assert stocktake.approve_stocktake(session, CLI, count.id) == []
    with pytest.raises(Conflict):
        stocktake.approve_stocktake(session, CLI, count.id)
    with pytest.raises(Conflict):
        stocktake.cancel_stocktake(session, CLI, count.id)


@pytest.mark.parametrize("fields, field", [
    ({"counted": -1}, "counted"),
    ({"counted": 1.5}, "counted"),
    ({"item_id": 999_999}, "item_id"),
    ({"lot": "NOPE"}, "lot"),
])
def test_bad_counts_name_the_field(session, counted_bin, fields, field):
    depot, foam, _ = counted_bin
    count = stocktake.start_stocktake(session, CLI, location_id=depot.bin_a)
    with pytest.raises(InvalidInput) as error:
        stocktake.record_count(session, CLI, count.id,
                               **{"item_id": foam, "lot": "L1", "counted": 1, **fields})
    assert field in error.value.fields


def test_only_storage_places_are_counted_and_unknown_counts_are_not_found(session, counted_bin):
    depot, _, _ = counted_bin
    with pytest.raises(InvalidInput):
        stocktake.start_stocktake(session, CLI, location_id=depot.depot)
    with pytest.raises(NotFound):
        stocktake.submit_stocktake(session, CLI, 999_999)
    assert session.scalar(select(StockMovement.id).where(StockMovement.reason == Reason.COUNT)) is None
