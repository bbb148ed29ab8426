"""Starting a second count of a location is a named conflict on both engines, never a 500."""

import pytest

from tests.builders import CLI, make_depot
from warehouse.domain.errors import Conflict
from warehouse.extensions import db
from warehouse.models import Stocktake
from warehouse.services import stocktake


def test_a_second_open_count_of_a_location_is_a_conflict_naming_the_code(app):
    depot = make_depot(app)
    with app.app_context():
        stocktake.start_stocktake(db.session, CLI, location_id=depot.bin_a)
        db.session.remove()
    with app.app_context():
        with pytest.raises(Conflict) as raised:
            stocktake.start_stocktake(db.session, CLI, location_id=depot.bin_a)
        assert raised.value.message == f"{depot.codes['bin_a']} is already being counted"
        assert raised.value.fields == {"location_id": ["already being counted"]}
        assert db.session.query(Stocktake).count() == 1
        db.session.remove()
