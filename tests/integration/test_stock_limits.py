"""Stock limits the database enforces too: each refused with a named error on both engines."""

import pytest

from tests.builders import CLI, make_depot, make_item, receive, stock_counts
from warehouse.domain.errors import Conflict
from warehouse.services import stock, stocktake


def test_a_balance_past_the_integer_column_is_a_conflict_and_writes_nothing(app, session):
    depot = make_depot(app)
    gloves = make_item(app, "PE-GLOVE", category="PE", unit="pair", tracking="bulk",
                       expiry_required=False, shelf_life_days=None)
    receive(app, gloves, depot.bin_a, 1_000_000_000)
    receive(app, gloves, depot.bin_a, 1_000_000_000)
    before = stock_counts(app)
    with pytest.raises(Conflict) as refused:
        stock.receive_stock(session, CLI, item_id=gloves, location_id=depot.bin_a,
                            quantity=1_000_000_000)
    assert "quantity" in refused.value.fields
    assert stock_counts(app) == before


def test_a_second_open_count_of_a_location_is_a_conflict(app, session):
    depot = make_depot(app)
    stocktake.start_stocktake(session, CLI, location_id=depot.bin_a)
    with pytest.raises(Conflict) as refused:
        stocktake.start_stocktake(session, CLI, location_id=depot.bin_a)
    assert refused.value.fields == {"location_id": ["already being counted"]}
    assert depot.codes["bin_a"] in refused.value.message
