"""Demo stock: the 1,000 m² Liaoyuan depot, its catalogue and a year of receipts and issues.

Built through the services (catalogue, locations) and the ledger (history with past dates), so
the demo obeys every rule the app enforces. A fixed random seed makes every load the same.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.demo_catalogue import ENTRIES, CatalogueEntry
from warehouse.domain.stock import Purpose, Reason, Tracking
from warehouse.models import Item, Location, Lot, User
from warehouse.services import catalogue, ledger, locations, stocktake
from warehouse.services.accounts import Caller
from warehouse.timezone import today

SEED = 2026
DEPOT = {"code": "LY", "name": "辽源市消防救援支队应急物资储备库", "area_m2": 1000.0,
         "plan_width_m": 40.0, "plan_depth_m": 25.0}
# Zone code, name, category (None: no category), rectangle x, y, width, depth in metres.
# A 5 m aisle runs across the middle (y 10-15) for forklifts; the dock is on the right.
ZONES = [
    ("LY-A", "A区 灭火药剂", "EA", 0, 0, 10, 10),
    ("LY-B", "B区 防护装备", "PE", 10, 0, 10, 10),
    ("LY-C", "C区 灭火器材", "FE", 20, 0, 10, 10),
    ("LY-D", "D区 救援器材", "RE", 30, 0, 10, 10),
    ("LY-E", "E区 抢险装备", "ER", 0, 15, 12, 10),
    ("LY-F", "F区 医疗物资（恒温）", "MS", 12, 15, 8, 10),
    ("LY-G", "G区 油料饮食", "FF", 20, 15, 8, 10),
    ("LY-K", "K区 模块化装箱区", None, 28, 15, 8, 10),
    ("LY-S", "S区 发运装车区", None, 36, 20, 4, 5),
]
QUARANTINE = ("LY-Q", "Q区 待检隔离区", 36, 15, 4, 5)
BINS_PER_RACK = 6
RACK_FOOTPRINT_M2 = 4.0  # a 2 m x 1 m double-sided rack with its half of the aisle
ISSUE_PURPOSES = [Purpose.DRILL, Purpose.TRAINING, Purpose.INCIDENT, Purpose.INCIDENT,
                  Purpose.MAINTENANCE, Purpose.TRANSFER]
INCIDENTS = ["龙山区化工厂泄漏", "西安区高层住宅火灾", "东辽县山体滑坡", "东丰县洪涝", "辽河水域救援",
             "仁和街仓库火灾", "G303 交通事故", "寒潮冰雪保障"]


def _caller(session: Session, username: str) -> Caller:
    return Caller(user=session.scalar(select(User).where(User.username == username)), address="demo")


def _moment(day: date, rng: random.Random) -> datetime:
    """A working-hours instant on the day (08:00-18:00 Beijing time), in UTC."""
    local = datetime.combine(day, time(8)) + timedelta(minutes=rng.randrange(600))
    return (local - timedelta(hours=8)).replace(tzinfo=UTC)


def build_locations(session: Session, caller: Caller) -> dict[str, list[Location]]:
    """Create the depot, its zones with racks and bins; return each category's bins."""
    depot = locations.create_location(session, caller, kind="depot", **DEPOT)
    per_category = defaultdict(int)
    for entry in ENTRIES:
        per_category[entry.category] += 1
    bins: dict[str, list[Location]] = {}
    for code, name, category, x, y, width, depth in ZONES:
        zone = locations.create_location(
            session, caller, kind="zone", parent_id=depot.id, code=code, name=name,
            category=category, area_m2=float(width * depth), plan_x_m=float(x), plan_y_m=float(y),
            plan_width_m=float(width), plan_depth_m=float(depth))
        racks = math.ceil(per_category[category] / BINS_PER_RACK) if category else 2
        zone_bins = []
        for r in range(1, racks + 1):
            rack = locations.create_location(session, caller, kind="rack", parent_id=zone.id,
                                             code=f"{code}-R{r:02d}", name=f"{r:02d}号货架",
                                             footprint_m2=RACK_FOOTPRINT_M2)
            for b in range(1, BINS_PER_RACK + 1):
                zone_bins.append(locations.create_location(
                    session, caller, kind="bin", parent_id=rack.id, code=f"{code}-R{r:02d}-{b:02d}",
                    name=f"{r:02d}架{b:02d}位"))
        bins[category or code] = zone_bins
    code, name, x, y, width, depth = QUARANTINE
    bins["quarantine"] = [locations.create_location(
        session, caller, kind="quarantine", parent_id=depot.id, code=code, name=name,
        area_m2=float(width * depth), plan_x_m=float(x), plan_y_m=float(y),
        plan_width_m=float(width), plan_depth_m=float(depth))]
    return bins


def build_catalogue(session: Session, caller: Caller) -> dict[str, Item]:
    """Create every demo catalogue item through the catalogue service."""
    items = {}
    for entry in ENTRIES:
        items[entry.sku] = catalogue.create_item(
            session, caller, sku=entry.sku, category=entry.category, name_zh=entry.name_zh,
            name_en=entry.name_en, unit=entry.unit, tracking=entry.tracking,
            min_level=entry.min_level, shelf_life_days=entry.shelf_life_days,
            expiry_required=entry.expiry_required,
            inspection_interval_days=entry.inspection_interval_days,
            storage_temp=entry.storage_temp, hazard_class=entry.hazard_class, spec=entry.spec)
    return items


def _expiry_profile(entry: CatalogueEntry, rng: random.Random, on: date) -> tuple[date, date | None]:
    """Pick a lot's receipt date and expiry: a few expired or about to, most comfortably in date."""
    if not entry.shelf_life_days:
        return on - timedelta(days=rng.randrange(20, 365)), None
    roll = rng.random()
    if roll < 0.08:
        expires = on - timedelta(days=rng.randrange(1, 90))  # expired, awaiting disposal
    elif roll < 0.16:
        expires = on + timedelta(days=rng.randrange(0, 30))  # expiring within 30 days
    elif roll < 0.26:
        expires = on + timedelta(days=rng.randrange(30, 90))
    else:
        received = on - timedelta(days=rng.randrange(20, min(365, entry.shelf_life_days)))
        return received, received + timedelta(days=entry.shelf_life_days)
    return expires - timedelta(days=entry.shelf_life_days), expires


def _issues(rng: random.Random, received: date, on: date, quantity: int) -> list[tuple[date, int]]:
    """Spread a number of issued units over a few days between receipt and today."""
    if quantity <= 0 or (on - received).days < 2:
        return []
    parts = min(quantity, rng.randrange(1, 4))
    days = sorted(received + timedelta(days=rng.randrange(1, (on - received).days)) for _ in range(parts))
    sizes = [quantity // parts] * parts
    sizes[-1] += quantity - sum(sizes)
    return list(zip(days, sizes, strict=True))


def build_history(session: Session, items: dict[str, Item], bins: dict[str, list[Location]]) -> None:
    """Receive each item's lots on past dates, issue some of them, in one transaction."""
    rng = random.Random(SEED)
    on = today()
    keeper, officer = _caller(session, "keeper"), _caller(session, "officer")
    slots = defaultdict(int)
    with write_transaction(session):
        # Refresh every item and location in two queries rather than one per object.
        session.scalars(select(Item)).all()
        session.scalars(select(Location)).all()
        for entry in ENTRIES:
            item = items[entry.sku]
            zone_bins = bins[entry.category]
            place = zone_bins[slots[entry.category] % len(zone_bins)]
            slots[entry.category] += 1
            if entry.tracking == Tracking.SERIAL:
                _serial_units(session, keeper, item, entry, place, rng, on)
                continue
            lots = 1 if entry.tracking == Tracking.BULK else rng.randrange(1, 4)
            shares = [entry.stock // lots] * lots
            shares[0] += entry.stock - sum(shares)
            for n, share in enumerate(shares, start=1):
                if share <= 0:
                    continue
                received, expires = _expiry_profile(entry, rng, on)
                lot = None
                if entry.tracking == Tracking.LOT:
                    supplier_ref = f"CG-{received:%Y}-{rng.randrange(1000):03d}"
                    lot = Lot(item_id=item.id, code=f"{received:%Y%m}-{n:02d}", expires_on=expires,
                              received_on=received, supplier_ref=supplier_ref)
                    session.add(lot)
                    session.flush()
                issued = share // 3 if rng.random() < 0.7 else 0
                ledger.post(session, keeper, item=item, lot=lot, quantity=share + issued,
                            reason=Reason.RECEIVE, to_location=place,
                            reference=lot.supplier_ref if lot else f"CG-{received:%Y}-{n:03d}",
                            at=_moment(received, rng))
                for day, size in _issues(rng, received, on, issued):
                    purpose = rng.choice(ISSUE_PURPOSES)
                    ledger.post(session, keeper, item=item, lot=lot, quantity=size,
                                reason=Reason.ISSUE, from_location=place, purpose=purpose,
                                reference=rng.choice(INCIDENTS) if purpose == Purpose.INCIDENT else "",
                                at=_moment(day, rng))
            if entry.tracking == Tracking.LOT and rng.random() < 0.05:
                _quarantine_some(session, officer, item, place, bins["quarantine"][0])


def _serial_units(session: Session, caller: Caller, item: Item, entry: CatalogueEntry,
                  place: Location, rng: random.Random, on: date) -> None:
    """Receive numbered units; some are due or overdue for inspection."""
    for n in range(1, entry.stock + 1):
        received = on - timedelta(days=rng.randrange(30, 700))
        interval = entry.inspection_interval_days or 365
        due = on + timedelta(days=rng.randrange(-20, interval))
        lot = Lot(item_id=item.id, code=f"{entry.sku.split('-', 1)[1]}-{received:%y}{n:03d}",
                  received_on=received, next_inspection_on=due,
                  supplier_ref=f"CG-{received:%Y}-{rng.randrange(1000):03d}")
        session.add(lot)
        session.flush()
        ledger.post(session, caller, item=item, lot=lot, quantity=1, reason=Reason.RECEIVE,
                    to_location=place, reference=lot.supplier_ref, at=_moment(received, rng))


def _quarantine_some(session: Session, caller: Caller, item: Item, place: Location,
                     quarantine: Location) -> None:
    """Move a few units of the item's first lot into quarantine (damaged packaging)."""
    lot = session.scalar(select(Lot).where(Lot.item_id == item.id).order_by(Lot.id))
    held = ledger.balance_of(session, item, lot, place)
    if held >= 2:
        ledger.post(session, caller, item=item, lot=lot, quantity=max(1, held // 10),
                    reason=Reason.MOVE, from_location=place, to_location=quarantine,
                    note="外包装破损，待检")


def count_one_bin(session: Session, bins: dict[str, list[Location]]) -> None:
    """Count the first medical bin and approve it: one stocktake in the history."""
    keeper, officer = _caller(session, "keeper"), _caller(session, "officer")
    place = bins["MS"][0]
    count = stocktake.start_stocktake(session, keeper, location_id=place.id, note="月度盘点")
    for n, line in enumerate(list(count.lines)):
        lot_code = session.get(Lot, line.lot_id).code if line.lot_id else None
        counted = line.expected - 1 if n == 0 and line.expected > 1 else line.expected
        stocktake.record_count(session, keeper, count.id, item_id=line.item_id, lot=lot_code,
                               counted=counted)
    stocktake.submit_stocktake(session, keeper, count.id)
    stocktake.approve_stocktake(session, officer, count.id)


def load_depot(session: Session) -> None:
    """Load the depot, the catalogue and a year of stock history."""
    officer = _caller(session, "officer")
    bins = build_locations(session, officer)
    items = build_catalogue(session, officer)
    build_history(session, items, bins)
    count_one_bin(session, bins)
