"""Several scanners at once: stock never goes negative and the ledger always reconciles."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from tests.builders import CLI, in_days, make_depot, make_item, receive
from warehouse.domain.errors import Conflict
from warehouse.extensions import db
from warehouse.models import StockBalance, StockMovement
from warehouse.services import ledger, stock, stocktake


def run_concurrently(app, count: int, action) -> list:
    """Run action(i) in count threads, each in its own app context; return results or errors."""

    def attempt(i):
        with app.app_context():
            try:
                return action(i)
            except Conflict as error:
                return error
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


def test_fifty_concurrent_issues_of_one_unit_against_ten_leave_exactly_zero(app, session):
    depot = make_depot(app)
    item = make_item(app)
    receive(app, item, depot.bin_a, 10, lot="L1", expires_on=in_days(100))

    results = run_concurrently(app, 50, lambda i: stock.issue_stock(
        db.session, CLI, item_id=item, quantity=1, purpose="incident", reference=f"scan-{i}"))

    succeeded = [r for r in results if not isinstance(r, Conflict)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(succeeded) == 10 and len(refused) == 40
    assert all("0 available" in r.message or "only" in r.message for r in refused)
    assert session.scalar(select(StockBalance.quantity)) == 0
    assert session.scalar(select(func.count()).select_from(StockMovement)) == 11
    assert ledger.check(session) == []


def test_concurrent_receipts_into_a_new_bin_add_up_in_one_balance(app, session):
    depot = make_depot(app)
    item = make_item(app, tracking="bulk", expiry_required=False, shelf_life_days=None)

    results = run_concurrently(app, 20, lambda i: stock.receive_stock(
        db.session, CLI, item_id=item, location_id=depot.bin_b, quantity=i + 1))

    assert not [r for r in results if isinstance(r, Conflict)]
    assert session.execute(select(func.count(), func.sum(StockBalance.quantity))).one() == (1, 210)
    assert ledger.check(session) == []


def test_concurrent_moves_and_issues_from_one_bin_never_overdraw_it(app, session):
    depot = make_depot(app)
    item = make_item(app)
    receive(app, item, depot.bin_a, 15, lot="L1", expires_on=in_days(100))

    def move_or_issue(i):
        if i % 2:
            return stock.move_stock(db.session, CLI, item_id=item, from_location_id=depot.bin_a,
                                    to_location_id=depot.bin_b, quantity=2, lot="L1")
        return stock.issue_stock(db.session, CLI, item_id=item, quantity=2, purpose="drill",
                                 location_id=depot.bin_a)

    results = run_concurrently(app, 16, move_or_issue)
    done = len([r for r in results if not isinstance(r, Conflict)])
    assert done == 7  # 15 units, 2 at a time
    held = dict(session.execute(select(StockBalance.location_id, StockBalance.quantity)).all())
    issued = session.scalar(select(func.coalesce(func.sum(StockMovement.quantity), 0))
                            .where(StockMovement.to_location_id.is_(None)))
    assert held[depot.bin_a] == 1 and held.get(depot.bin_b, 0) + issued == 14
    assert ledger.check(session) == []


def test_two_officers_approving_one_stocktake_post_its_variance_once(app, session):
    depot = make_depot(app)
    item = make_item(app)
    receive(app, item, depot.bin_a, 10, lot="L1", expires_on=in_days(100))
    count = stocktake.start_stocktake(session, CLI, location_id=depot.bin_a)
    stocktake.record_count(session, CLI, count.id, item_id=item, lot="L1", counted=8)
    stocktake.submit_stocktake(session, CLI, count.id)
    count_id = count.id

    results = run_concurrently(app, 2, lambda i: stocktake.approve_stocktake(db.session, CLI, count_id))

    assert sum(isinstance(r, Conflict) for r in results) == 1
    session.rollback()  # end the snapshot taken when count_id was read
    assert session.scalar(select(StockBalance.quantity)) == 8
    assert ledger.check(session) == []
