"""`flask demo load --scale N`: the demo grown into N cities, with a ledger that reconciles.

The generator's city sizes are shrunk here (the real ones take minutes): the demo is loaded once
for the module, grown into two small cities, and the tests read what was written.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from warehouse import demo_scale
from warehouse.extensions import db
from warehouse.models import Deployment, Item, Kit, KitCheckout, Module, StockMovement
from warehouse.queries.kits import kit_totals
from warehouse.services import ledger
from warehouse.timezone import today

SIZES = {"TEMPLATES_PER_CITY": 2, "LINES_PER_TEMPLATE": 5, "BOXES_PER_CITY": 80, "MOVEMENTS_PER_CITY": 3_000,
         "DEPLOYMENTS_PER_CITY": 6}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture(scope="module")
def scaled(demo_app):
    """The demo, counted, then grown into two small cities; yields (before, added, after) counts."""
    models = (Item, Kit, StockMovement, Deployment, KitCheckout, Module)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SIZES.items():
            patch.setattr(demo_scale, name, value)
        with demo_app.app_context():
            before = {m.__name__: count(m) for m in models}
            added = demo_scale.scale_up(db.session, 2)
            after = {m.__name__: count(m) for m in models}
            db.session.remove()
    return before, added, after


def test_each_city_gets_its_boxes_deployments_and_movements(demo_app, scaled):
    before, added, after = scaled
    # City 1 tops the demo's boxes up to the city size; city 2 builds a full city's worth.
    per_template_1 = (SIZES["BOXES_PER_CITY"] - before["Kit"]) // SIZES["TEMPLATES_PER_CITY"]
    per_template_2 = SIZES["BOXES_PER_CITY"] // SIZES["TEMPLATES_PER_CITY"]
    assert after["Kit"] - before["Kit"] == SIZES["TEMPLATES_PER_CITY"] * (per_template_1 + per_template_2)
    assert after["Deployment"] - before["Deployment"] == 2 * SIZES["DEPLOYMENTS_PER_CITY"]
    movements = after["StockMovement"] - before["StockMovement"]
    assert 2 * (SIZES["MOVEMENTS_PER_CITY"] - 1) <= movements <= 2 * SIZES["MOVEMENTS_PER_CITY"]
    assert added["stock_movements"] == movements
    assert after["KitCheckout"] > before["KitCheckout"]


def test_the_modules_stay_the_seven_disaster_types(demo_app, scaled):
    before, _added, after = scaled
    assert after["Module"] == before["Module"] == 7


def test_city_two_copies_the_demo_catalogue_under_suffixed_codes(demo_app, scaled):
    before, _added, after = scaled
    assert after["Item"] == 2 * before["Item"]
    with demo_app.app_context():
        copied = db.session.scalar(select(func.count()).select_from(Item).where(Item.sku.like("%-02")))
        depot = db.session.scalar(text("SELECT COUNT(*) FROM locations "
                                       "WHERE kind = 'depot' AND code = 'C02'"))
        db.session.remove()
    assert copied == before["Item"]
    assert depot == 1


def test_the_ledger_reconciles_after_scaling(demo_app, scaled):
    with demo_app.app_context():
        assert ledger.check(db.session) == []
        db.session.remove()


def test_every_box_state_is_stored_and_current_after_scaling(demo_app, scaled):
    with demo_app.app_context():
        totals = kit_totals(today())
        rows = db.session.execute(select(func.count(), func.sum(totals.c.live))).one()
        boxes = count(Kit)
        db.session.remove()
    assert rows == (boxes, 0)


def test_the_scale_must_be_a_whole_number_of_cities(app):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--scale", "0"])
    assert result.exit_code == 2
    assert "--scale" in result.output
    with pytest.raises(ValueError), app.app_context():
        demo_scale.scale_up(db.session, 0)
