"""Two people at one box at once: restocks and status changes never overfill, overdraw or double-log."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.builders import CLI, in_days, make_depot, make_item, make_kit, make_module, make_template, receive
from warehouse.domain.errors import Conflict, DomainError
from warehouse.domain.kits import KitStatus
from warehouse.extensions import db
from warehouse.models import Kit, KitEvent, Location, Lot, StockBalance
from warehouse.services import kits, ledger

ROUNDS = 3


def race(app, *actions) -> list:
    """Run each action in its own thread and app context, all released at once; return results or errors."""
    barrier = threading.Barrier(len(actions))

    def attempt(action):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                return action()
            except DomainError as error:
                return error
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(attempt, actions))


def split(results) -> tuple[list, list]:
    """(successes, refusals); anything else than a Conflict is a failure of the test."""
    refused = [r for r in results if isinstance(r, DomainError)]
    assert all(isinstance(r, Conflict) for r in refused), [r.message for r in refused]
    return [r for r in results if not isinstance(r, DomainError)], refused


def box_contents(session, code: str) -> dict:
    session.rollback()  # the threads wrote from their own sessions
    location_id = session.scalar(select(Kit.location_id).where(Kit.code == code))
    rows = session.execute(select(Lot.code, StockBalance.quantity).outerjoin(Lot)
                           .where(StockBalance.location_id == location_id, StockBalance.quantity > 0)).all()
    return dict(rows)


def transitions(session, code: str) -> list[tuple]:
    session.rollback()
    return session.execute(select(KitEvent.from_status, KitEvent.to_status).join(Kit)
                           .where(Kit.code == code, KitEvent.from_status.is_not(None))
                           .order_by(KitEvent.id)).all()


def fill(item: int, lot: str, place: int, quantity: int) -> dict:
    return {"item_id": item, "lot": lot, "from_location_id": place, "quantity": quantity}


@pytest.fixture
def setup(app):
    depot = make_depot(app)
    make_module(app, "EQ")
    axe = make_item(app, "T-AXE")
    template = make_template(app, [{"item_id": axe, "par_quantity": 3}], code="EQ-AXE", modules={"EQ": 10})
    return depot, axe, template


def test_two_restocks_of_one_short_box_fill_it_once(app, session, setup):
    depot, axe, template = setup
    receive(app, axe, depot.bin_a, 100, lot="A1", expires_on=in_days(300))
    receive(app, axe, depot.bin_b, 100, lot="A2", expires_on=in_days(400))
    for _ in range(ROUNDS):
        code = make_kit(app, template, depot.zone)
        kits.restock_kit(session, CLI, code, fills=[fill(axe, "A1", depot.bin_a, 3)])
        kits.restock_kit(session, CLI, code, removals=[{"item_id": axe, "lot": "A1", "quantity": 2,
                                                        "to_location_id": depot.bin_a}])
        assert session.scalar(select(Kit.status).where(Kit.code == code)) == KitStatus.SHORT

        results = race(
            app,
            lambda: kits.restock_kit(db.session, CLI, code, fills=[fill(axe, "A1", depot.bin_a, 2)]),
            lambda: kits.restock_kit(db.session, CLI, code, fills=[fill(axe, "A2", depot.bin_b, 2)]),
        )

        done, refused = split(results)
        assert len(done) == 1 and len(refused) == 1
        assert "would hold 5" in refused[0].message and "par is 3" in refused[0].message
        contents = box_contents(session, code)
        assert sum(contents.values()) == 3
        assert session.scalar(select(Kit.status).where(Kit.code == code)) == KitStatus.READY
        assert transitions(session, code)[-1] == (KitStatus.SHORT, KitStatus.READY)
    assert session.scalar(select(func.min(StockBalance.quantity))) >= 0
    # Every unit is either in a box or still on a shelf: 200 received.
    assert session.scalar(select(func.sum(StockBalance.quantity))) == 200
    assert ledger.check(session) == []


def test_two_boxes_competing_for_one_lot_get_it_once(app, session, setup):
    depot, axe, template = setup
    for round_ in range(ROUNDS):
        lot = f"R{round_}"
        receive(app, axe, depot.bin_a, 4, lot=lot, expires_on=in_days(300))
        first = make_kit(app, template, depot.zone)
        second = make_kit(app, template, depot.zone)

        results = race(
            app,
            lambda: kits.restock_kit(db.session, CLI, first, fills=[fill(axe, lot, depot.bin_a, 3)]),
            lambda: kits.restock_kit(db.session, CLI, second, fills=[fill(axe, lot, depot.bin_a, 3)]),
        )

        done, refused = split(results)
        assert len(done) == 1 and len(refused) == 1
        error = refused[0]
        assert error.status == 409
        assert f"T-AXE {lot}: only 1 at T-A-R01-B01, 3 requested" == error.message
        assert error.fields == {"fills.0.quantity": ["only 1 available"]}
        winner, loser = (first, second) if results[0] is done[0] else (second, first)
        assert box_contents(session, winner) == {lot: 3}
        assert box_contents(session, loser) == {}
        statuses = dict(session.execute(select(Kit.code, Kit.status)
                                        .where(Kit.code.in_([first, second]))).all())
        assert statuses == {winner: KitStatus.READY, loser: KitStatus.ASSEMBLING}
        shelf = session.scalar(select(StockBalance.quantity).join(Lot).where(
            Lot.code == lot, StockBalance.location_id == depot.bin_a))
        assert shelf == 1
    assert session.scalar(select(func.min(StockBalance.quantity))) >= 0
    assert ledger.check(session) == []


@pytest.mark.parametrize("targets, filled", [
    (("restocking", "retired"), False),  # from assembling: either one rules the other out
    (("quarantined", "quarantined"), True),  # the same change twice: the second finds it done
    (("retired", "restocking"), False),
])
def test_two_status_changes_of_one_box_log_exactly_one_transition(app, session, setup, targets, filled):
    depot, axe, template = setup
    receive(app, axe, depot.bin_a, 3 * ROUNDS, lot="A1", expires_on=in_days(300))
    for _ in range(ROUNDS):
        code = make_kit(app, template, depot.zone)
        if filled:
            kits.restock_kit(session, CLI, code, fills=[fill(axe, "A1", depot.bin_a, 3)])
        before = transitions(session, code)

        results = race(app, *[
            (lambda target=target: kits.change_kit_status(db.session, CLI, code, status=target,
                                                          note="race"))
            for target in targets])

        done, refused = split(results)
        assert len(done) == 1 and len(refused) == 1
        winner = targets[results.index(done[0])]
        logged = transitions(session, code)[len(before):]
        assert len(logged) == 1 and logged[0][1] == KitStatus(winner)
        # Refused by the row lock ("is X") or, failing that, by the conditional update ("is now X").
        assert f"is {winner}" in refused[0].message or f"is now {winner}" in refused[0].message
        session.rollback()
        kit = session.scalar(select(Kit).where(Kit.code == code))
        assert kit.status == KitStatus(winner)
        assert session.get(Location, kit.location_id).active is (winner != "retired")
