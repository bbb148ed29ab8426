"""The demo depot on both engines: realistic, reconciled, and the reports right about it."""

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from warehouse import demo
from warehouse.demo_catalogue import ENTRIES
from warehouse.domain.stock import LocationKind, Tracking
from warehouse.models import Category, Item, Location, Lot, StockBalance, StockMovement
from warehouse.models.base import utcnow
from warehouse.queries import stock as queries
from warehouse.services import ledger
from warehouse.timezone import today


def test_the_demo_depot_is_realistic_reconciled_and_reported_correctly(session):
    assert demo.load(session)
    on = today()

    depot = session.scalar(select(Location).where(Location.kind == LocationKind.DEPOT))
    assert depot.area_m2 == 1000 and depot.plan_width_m * depot.plan_depth_m == 1000
    plan = queries.floor_plan(session, depot)
    assert {z.category for z in plan.zones} >= {c.code for c in session.scalars(select(Category))}
    assert not plan.unplaced

    per_category = dict(session.execute(
        select(Category.code, func.count(Item.id)).join(Item).group_by(Category.code)).all())
    assert sum(per_category.values()) >= 250 and min(per_category.values()) >= 30
    assert ledger.check(session) == []

    first = session.scalar(select(func.min(StockMovement.at)))
    assert utcnow() - first > timedelta(days=300)  # a year of history
    assert session.scalar(select(func.count()).where(Lot.expires_on < on)) > 0
    assert session.scalar(select(func.count()).where(Lot.expires_on.between(on, on + timedelta(30)))) > 0
    assert session.scalar(select(func.count()).select_from(Lot).join(Item)
                          .where(Item.tracking == Tracking.SERIAL, Lot.next_inspection_on < on)) > 0

    # Recompute "usable" per item from the raw balances and compare with the report; a box out
    # with a deployment (under a deployed location) counts as deployed, like loose units out.
    parent = aliased(Location)
    out = case((and_(Location.kind == LocationKind.KIT, parent.kind == LocationKind.DEPLOYED),
                LocationKind.DEPLOYED.value), else_=Location.kind)
    rows = session.execute(
        select(Item.sku, Item.min_level, StockBalance.id, StockBalance.quantity, out, Lot.expires_on)
        .join(StockBalance, StockBalance.item_id == Item.id)
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(parent, parent.id == Location.parent_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id).where(StockBalance.quantity > 0)
    ).all()
    assert any(kind == LocationKind.DEPLOYED for *_, kind, _expires in rows)  # the demo has stock out
    usable = defaultdict(int)
    for sku, _min, _id, quantity, kind, expires in rows:
        held = kind not in (LocationKind.QUARANTINE, LocationKind.DEPLOYED)
        if held and (expires is None or expires >= on):
            usable[sku] += quantity
    minimums = dict(session.execute(select(Item.sku, Item.min_level)).all())
    expected_short = {sku: level - usable[sku] for sku, level in minimums.items() if usable[sku] < level}
    report = queries.below_minimum_page(session, per_page=200)
    assert {r.sku: r.shortfall for r in report.items} == expected_short
    assert {e.sku for e in ENTRIES if e.min_level > e.stock} <= set(expected_short)

    for days in (30, 60, 90):
        expected = {balance_id for _s, _m, balance_id, _q, kind, expires in rows
                    if expires is not None and expires <= on + timedelta(days)
                    and kind != LocationKind.DEPLOYED}
        listed = queries.stock_page(session, expiring_within_days=days, per_page=200)
        assert listed.total == len(expected) and {r.id for r in listed.items} == expected
        assert expected
