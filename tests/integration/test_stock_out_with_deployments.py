"""Stock out with a deployment counts as out: boxes checked out leave on-hand and available.

A checked-out box keeps its own location (kind kit) and hangs under the deployment's location;
every stock figure must see through that to the deployment. Expected figures are counted here
in Python by walking the raw balances and their locations' parents.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import event, select

from tests.builders import CLI, BoxDepot, make_box_depot, make_deployment
from warehouse.database import write_transaction
from warehouse.domain.stock import LocationKind, StockStatus
from warehouse.models import Category, Deployment, Item, Kit, Location, Lot, StockBalance
from warehouse.queries import stock as queries
from warehouse.services import catalogue, deployments, ledger
from warehouse.timezone import today

HELD = {LocationKind.ZONE, LocationKind.RACK, LocationKind.BIN, LocationKind.KIT, LocationKind.QUARANTINE}


@pytest.fixture
def boxes(app) -> BoxDepot:
    """Two ready boxes (1 foam drum of lot F-1 + 2 ropes each) and 50 spare of each in bins."""
    return make_box_depot(app, 2)


def counted(session) -> dict[int, dict[str, int]]:
    """Per item: units on hand and available, walking every balance and its location's parent."""
    session.rollback()
    on = today()
    places = {loc.id: loc for loc in session.scalars(select(Location))}
    figures: dict[int, dict[str, int]] = defaultdict(lambda: {"on_hand": 0, "available": 0})
    balances = select(StockBalance, Lot).outerjoin(Lot, Lot.id == StockBalance.lot_id)
    for balance, lot in session.execute(balances):
        place = places[balance.location_id]
        parent = places.get(place.parent_id)
        out = place.kind == LocationKind.KIT and parent is not None and parent.kind == LocationKind.DEPLOYED
        if place.kind not in HELD or out:
            continue
        figures[balance.item_id]["on_hand"] += balance.quantity
        fresh = lot is None or lot.expires_on is None or lot.expires_on >= on
        if place.kind != LocationKind.QUARANTINE and fresh:
            figures[balance.item_id]["available"] += balance.quantity
    return figures


def item_figures(session, item_id: int) -> dict[str, int]:
    row = queries.item_row(session, item_id)
    return {"on_hand": row.on_hand, "available": row.available}


def box_location(session, code: str) -> int:
    return session.scalar(select(Kit.location_id).where(Kit.code == code))


def test_a_box_checked_out_leaves_on_hand_and_available_and_comes_back_on_check_in(app, session, boxes):
    foam, rope = boxes.foam, boxes.rope
    # 52 drums and 54 ropes received: 50 spare of each in bins, the rest in the two boxes.
    assert item_figures(session, foam) == {"on_hand": 52, "available": 52} == counted(session)[foam]
    assert item_figures(session, rope) == {"on_hand": 54, "available": 54} == counted(session)[rope]

    deployment = make_deployment(app)
    deployments.check_out(session, CLI, boxes.boxes[0], deployment)
    assert item_figures(session, foam) == {"on_hand": 51, "available": 51} == counted(session)[foam]
    assert item_figures(session, rope) == {"on_hand": 52, "available": 52} == counted(session)[rope]

    deployments.check_in(session, CLI, boxes.boxes[0], usage=[{"item_id": rope, "consumed": 1}])
    assert item_figures(session, foam) == {"on_hand": 52, "available": 52} == counted(session)[foam]
    assert item_figures(session, rope) == {"on_hand": 53, "available": 53} == counted(session)[rope]
    assert ledger.check(session) == []


def test_an_undone_check_out_counts_the_box_as_held_again(app, session, boxes):
    deployment = make_deployment(app)
    done = deployments.check_out(session, CLI, boxes.boxes[1], deployment)
    assert item_figures(session, boxes.rope)["available"] == 52
    with write_transaction(session):
        deployments.undo_check_out(session, CLI, done.checkout.id)
    rope = boxes.rope
    assert item_figures(session, rope) == {"on_hand": 54, "available": 54} == counted(session)[rope]


def test_the_rows_of_a_box_out_show_as_deployed_and_the_status_filter_finds_them(app, session, boxes):
    code = boxes.boxes[0]
    box = box_location(session, code)
    in_box = set(session.scalars(select(StockBalance.id).where(StockBalance.location_id == box)))
    assert len(in_box) == 2  # the foam lot and the ropes
    assert not queries.stock_page(session, status="deployed").items

    deployment = make_deployment(app)
    deployments.check_out(session, CLI, code, deployment)
    rows = queries.stock_page(session, location_id=box).items
    assert {r.id for r in rows} == in_box and {r.status for r in rows} == {StockStatus.DEPLOYED.value}
    assert {r.location_kind for r in rows} == {LocationKind.KIT}  # the box is still a box
    assert {r.id for r in queries.stock_page(session, status="deployed").items} == in_box
    assert not in_box & {r.id for r in queries.stock_page(session, status="available", per_page=200).items}
    # The deployment's place lists what is out with it, the box included.
    out_place = session.scalar(select(Location.parent_id).where(Location.id == box))
    assert {r.id for r in queries.stock_page(session, location_id=out_place).items} == in_box

    deployments.check_in(session, CLI, code)
    assert not queries.stock_page(session, status="deployed").items
    rows = queries.stock_page(session, location_id=box).items
    assert {r.status for r in rows} == {StockStatus.AVAILABLE.value}


def test_the_expiring_report_leaves_out_a_box_that_is_out(app, session, boxes):
    code = boxes.boxes[0]
    box = box_location(session, code)
    foam_in_box = session.scalar(select(StockBalance.id).where(StockBalance.location_id == box,
                                                               StockBalance.item_id == boxes.foam))
    # Lot F-1 expires in 700 days: a horizon of 800 days lists every balance of it.
    horizon = 800

    def listed() -> set[int]:
        session.rollback()
        return {r.id for r in queries.stock_page(session, expiring_within_days=horizon, per_page=200).items}

    assert foam_in_box in listed() and len(listed()) == 3  # the bin and both boxes
    deployments.check_out(session, CLI, code, make_deployment(app))
    assert foam_in_box not in listed() and len(listed()) == 2
    deployments.check_in(session, CLI, code)
    assert foam_in_box in listed()


def test_reports_by_category_below_minimum_and_lots_drop_by_the_box_contents(app, session, boxes):
    foam, rope = boxes.foam, boxes.rope
    catalogue.update_item(session, CLI, foam, min_level=52)
    catalogue.update_item(session, CLI, rope, min_level=53)

    def figures() -> dict:
        session.rollback()
        by_category = {r.code: (r.held, r.available, r.below_minimum)
                       for r in queries.stock_by_category(session)}
        short = {r.item_id: r.shortfall for r in queries.below_minimum_page(session).items}
        lots = {lot.code: lot.on_hand for lot in queries.item_lots(session, foam)}
        return {"EA": by_category["EA"], "RE": by_category["RE"], "short": short, "lots": lots}

    assert figures() == {"EA": (52, 52, 0), "RE": (54, 54, 0), "short": {}, "lots": {"F-1": 52}}
    deployments.check_out(session, CLI, boxes.boxes[0], make_deployment(app))
    assert figures() == {"EA": (51, 51, 1), "RE": (52, 52, 1), "short": {foam: 1, rope: 1},
                         "lots": {"F-1": 51}}
    assert {i.Item.id for i in queries.item_page(session, below_minimum=True).items} == {foam, rope}
    deployments.check_in(session, CLI, boxes.boxes[0])
    assert figures() == {"EA": (52, 52, 0), "RE": (54, 54, 0), "short": {}, "lots": {"F-1": 52}}


def test_loose_units_issued_to_a_deployment_are_out_too(app, session, boxes):
    deployment = make_deployment(app)
    deployments.issue_loose(session, CLI, deployment, item_id=boxes.rope, quantity=5)
    deployments.check_out(session, CLI, boxes.boxes[0], deployment)
    rope = boxes.rope
    assert item_figures(session, rope) == {"on_hand": 47, "available": 47} == counted(session)[rope]
    places = {r.location_code: r.status for r in queries.stock_page(session, item_id=boxes.rope).items}
    code = session.get(Deployment, deployment).code
    assert places == {code: "deployed", boxes.boxes[0]: "deployed", boxes.boxes[1]: "available",
                      boxes.depot.codes["bin_b"]: "available"}


def statements_of(session, work) -> int:
    """Count the SQL statements a piece of work sends."""
    seen = []
    engine = session.get_bind()

    def count(*args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_figures_take_the_same_statements_whatever_is_out(app, session):
    boxes = make_box_depot(app, 4)
    on = today()

    def read():
        session.rollback()
        queries.item_page(session, on=on)
        queries.stock_page(session, status="deployed")
        queries.stock_by_category(session, on=on)

    deployment = make_deployment(app)
    deployments.check_out(session, CLI, boxes.boxes[0], deployment)
    one_out = statements_of(session, read)
    for code in boxes.boxes[1:]:
        deployments.check_out(session, CLI, code, deployment)
    assert statements_of(session, read) == one_out
    session.rollback()
    rows = queries.stock_page(session, status="deployed", per_page=200).items
    assert len(rows) == 8 and {r.status for r in rows} == {"deployed"}  # four boxes, two lines each


def test_the_figures_sum_the_same_way_on_every_item(app, session, boxes):
    """The SQL figures match the Python walk for every item and category, box out or home."""
    deployments.check_out(session, CLI, boxes.boxes[0], make_deployment(app))
    walk = counted(session)
    rows = queries.item_page(session, per_page=200).items
    assert {r.Item.id: {"on_hand": r.on_hand, "available": r.available} for r in rows} == {
        r.Item.id: walk.get(r.Item.id, {"on_hand": 0, "available": 0}) for r in rows}
    per_category = defaultdict(int)
    for item_id, figures in walk.items():
        per_category[session.get(Item, item_id).category_id] += figures["on_hand"]
    held = {r.code: r.held for r in queries.stock_by_category(session)}
    codes = dict(session.execute(select(Category.id, Category.code)).all())
    assert {codes[c]: n for c, n in per_category.items()} == {code: n for code, n in held.items() if n}
