"""Demo deployments: two still out (a high-rise fire, an overdue mountain drill), two closed.

Played out through the deployment services and the scan station's `scan`, as the keeper would
at the dispatch bay, so the boxes, the ledger and the scan log obey every rule; afterwards each
step is dated back as demo_kits dates its boxes. The boxes are those demo_kits packed for a
deployment story: the box's note names the deployment that takes it out.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.demo_depot import SEED, _caller
from warehouse.demo_kits import Box, Stamps, story_boxes
from warehouse.domain.deployments import DeploymentKind, ScanAction, ScanResult
from warehouse.domain.kits import InspectionOutcome
from warehouse.models import (
    Deployment,
    Item,
    Kit,
    KitCheckout,
    KitEvent,
    Lot,
    ScanEvent,
    StockBalance,
    StockMovement,
)
from warehouse.services import deployments, kits
from warehouse.services.scans import Station, scan
from warehouse.timezone import depot_zone, today

DEPLOYMENT_SEED = SEED + 7
STATION = Station(address="192.168.10.21", station="储备库发运区扫码台（手持扫码枪）")


@dataclass(frozen=True)
class Loose:
    """Loose units issued to a deployment, and what became of them if it is back."""

    sku: str
    quantity: int
    consumed: int = 0
    damaged: int = 0
    lost: int = 0
    returned: int = 0


@dataclass(frozen=True)
class Outing:
    """One demo deployment; moments are (days before today, "HH:MM" depot time)."""

    name: str
    kind: DeploymentKind
    module: str
    squads: tuple[str, ...]
    place: str
    commander: str
    note: str
    opened: tuple[int, str]
    expected: tuple[int, str]  # a negative day is still ahead
    boxes: str  # the deployment whose story boxes go out (their note in demo_kits)
    loose: tuple[Loose, ...] = ()
    back: tuple[int, str] | None = None  # boxes and loose units back, then closed
    inspected: tuple[int, str] | None = None  # the boxes inspected after their return
    rescan: bool = False  # the first box scanned out twice in the rush (the station refuses)


HIGH_RISE_FIRE = "西安区高层住宅火灾"
OUTINGS = [
    Outing("仁和街高层建筑灭火救援实战演练", DeploymentKind.DRILL, "HR", ("CB-JS", "JD-JS"),
           "龙山区仁和街远大商务中心（32层）", "支队训练科科长 马骏",
           "高层建筑内攻灭火和垂直供水实战演练，检验空气呼吸器气瓶和水带箱的快速前送。",
           opened=(12, "08:30"), expected=(12, "17:30"), boxes=HIGH_RISE_FIRE,
           loose=(Loose("EA-CLASSA-25", 4, consumed=2, returned=2),
                  Loose("PE-FGLOVE", 10, damaged=1, returned=9)),
           back=(12, "16:50"), inspected=(11, "09:40")),
    Outing("辽河水域救援", DeploymentKind.INCIDENT, "WR", ("JD-WQ", "JD-WZ"),
           "东辽河辽源市区段福民桥下游1.5 km", "支队副支队长 陈光明",
           "两名群众被困河心沙洲，水域救援组抛投救生、横渡救援，两人均安全救出。",
           opened=(8, "14:10"), expected=(6, "20:00"), boxes="辽河水域救援", back=(6, "16:30")),
    Outing("龙首山山岳救援拉动演练", DeploymentKind.DRILL, "MT", ("JD-WQ", "CB-WQ"),
           "龙山区龙首山风景区北坡", "东辽县消防救援大队大队长 韩旭",
           "跨区域山岳救援拉动演练：模拟登山者坠崖被困，架设绳索救援系统并转运伤员。",
           opened=(3, "07:30"), expected=(1, "18:00"), boxes="龙首山山岳救援拉动演练"),
    Outing(HIGH_RISE_FIRE, DeploymentKind.INCIDENT, "HR", ("JD-JS", "CB-JS", "CB-WZ"),
           "西安区东山街道富国小区7号楼（26层）", "支队长 张建国",
           "18层住户厨房起火向上蔓延，内攻灭火并疏散被困群众；保障空气呼吸器气瓶和垂直铺设水带。",
           opened=(2, "21:40"), expected=(-1, "18:00"), boxes=HIGH_RISE_FIRE,
           loose=(Loose("EA-AFFF3-25", 12), Loose("PE-FGLOVE", 20), Loose("MS-BLANKET", 30)), rescan=True),
]


def moment(days_ago: int, clock: str, minutes: int = 0) -> datetime:
    """Return the depot-time moment so many days before today (plus minutes), in UTC."""
    hour, minute = (int(part) for part in clock.split(":"))
    local = datetime.combine(today() - timedelta(days=days_ago), time(hour, minute), tzinfo=depot_zone())
    return (local + timedelta(minutes=minutes)).astimezone(UTC)


class Dispatcher:
    """Opens the deployments and scans their boxes out and in at the dispatch bay, dating each step."""

    def __init__(self, session: Session, rng: random.Random) -> None:
        self.session, self.rng = session, rng
        self.keeper, self.officer = _caller(session, "keeper"), _caller(session, "officer")
        self.stamps = Stamps(tables=(KitEvent, StockMovement, ScanEvent))
        self.closed: dict[int, datetime] = {}
        self.items = dict(session.execute(select(Item.sku, Item.id)).all())

    def scan(self, at: datetime, code: str, action: ScanAction, deployment_id: int, usage=None,
             expect: int | None = None) -> dict:
        """Scan a box at the dispatch bay as the keeper; a refusal not expected stops the load."""
        key = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))  # as the station's randomUUID()
        with self.stamps.dated(self.session, at):
            answer = scan(self.session, self.keeper, code=code, action=action.value,
                          deployment_id=deployment_id, idempotency_key=key, usage=usage, where=STATION)
        if (expect or (201 if action == ScanAction.CHECK_OUT else 200)) != answer.status:
            raise RuntimeError(f"demo scan of {code} answered {answer.status}: {answer.body.get('message')}")
        return answer.body

    def play(self, outing: Outing, boxes: list[tuple[str, Box]]) -> None:
        """Open the deployment, send its boxes and loose units out, and bring them back if it is over."""
        session, keeper = self.session, self.keeper
        opened = moment(*outing.opened)
        deployment = deployments.create_deployment(
            session, self.officer, name=outing.name, kind=outing.kind.value, module=outing.module,
            place=outing.place, commander=outing.commander, squads=list(outing.squads), note=outing.note,
            opened_at=opened, expected_return_at=moment(*outing.expected))
        deployment_id = deployment.id
        for n, (code, _box) in enumerate(boxes, start=1):
            self.scan(opened + timedelta(minutes=10 + 2 * n), code, ScanAction.CHECK_OUT, deployment_id)
        if outing.rescan:
            # The station refuses, naming the deployment that holds the box: the log keeps it.
            self.scan(opened + timedelta(minutes=15), boxes[0][0], ScanAction.CHECK_OUT, deployment_id,
                      expect=409)
        issued = []
        for n, loose in enumerate(outing.loose, start=1):
            with self.stamps.dated(session, opened + timedelta(minutes=20 + n)):
                posted = deployments.issue_loose(session, keeper, deployment_id,
                                                 item_id=self.items[loose.sku], quantity=loose.quantity)
            issued.append((loose, [(m.item_id, m.lot_id, m.quantity, m.from_location_id) for m in posted]))
        if outing.back is None:
            return
        back = moment(*outing.back)
        for n, (code, box) in enumerate(boxes, start=1):
            self.scan(back + timedelta(minutes=2 * n), code, ScanAction.CHECK_IN, deployment_id,
                      usage=self.usage(code, box))
        for n, (loose, picks) in enumerate(issued, start=1):
            with self.stamps.dated(session, back + timedelta(minutes=10 + n)):
                self.account(deployment_id, loose, picks)
        closed = back + timedelta(minutes=30)
        deployments.close_deployment(session, self.officer, deployment_id)
        self.closed[deployment_id] = closed
        if outing.inspected:
            for n, (code, _box) in enumerate(boxes):
                with self.stamps.dated(session, moment(*outing.inspected, minutes=15 * n)):
                    kits.inspect_kit(session, self.officer, code, outcome=InspectionOutcome.PASSED,
                                     findings="演练归队检查：箱内器材齐全完好，气瓶压力正常")

    def usage(self, code: str, box: Box) -> list[dict]:
        """What the box's story used up: its line's units, from the lot the box holds."""
        if not box.line:
            return []
        session = self.session
        kit = session.scalar(select(Kit).where(Kit.code == code))
        item_id = self.items[box.line]
        lot = session.scalar(select(Lot.code).join(StockBalance, StockBalance.lot_id == Lot.id).where(
            StockBalance.location_id == kit.location_id, StockBalance.item_id == item_id,
            StockBalance.quantity > 0).order_by(Lot.code).limit(1))
        return [{"item_id": item_id, "lot": lot, "consumed": box.quantity}]

    def account(self, deployment_id: int, loose: Loose, picks: list[tuple]) -> None:
        """Account for loose units lot by lot as issued: used up, damaged, lost, then back on the shelf."""
        left = {"consumed": loose.consumed, "damaged": loose.damaged, "lost": loose.lost,
                "returned": loose.returned}
        for item_id, lot_id, quantity, shelf_id in picks:
            take = {}
            for name in left:
                take[name] = min(quantity, left[name])
                left[name] -= take[name]
                quantity -= take[name]
            if any(take.values()):
                lot = self.session.get(Lot, lot_id).code if lot_id else None
                deployments.return_loose(self.session, self.keeper, deployment_id, item_id=item_id, lot=lot,
                                         to_location_id=shelf_id, **take)

    def date(self) -> None:
        """Date every step back; check-outs take their scans' times, closed deployments their own."""
        session = self.session
        self.stamps.apply(session)
        scanned = {ScanResult.CHECKED_OUT: KitCheckout.out_at, ScanResult.CHECKED_IN: KitCheckout.in_at}
        with write_transaction(session):
            session.execute(update(KitCheckout).values({
                column: select(func.max(ScanEvent.at))
                .where(ScanEvent.checkout_id == KitCheckout.id, ScanEvent.result == result).scalar_subquery()
                for result, column in scanned.items()}).execution_options(synchronize_session=False))
            for deployment_id, closed in self.closed.items():
                session.execute(update(Deployment).where(Deployment.id == deployment_id)
                                .values(closed_at=closed).execution_options(synchronize_session=False))


def load_deployments(session: Session) -> None:
    """Open the demo deployments in the order they happened and play them out through the scan station."""
    dispatcher = Dispatcher(session, random.Random(DEPLOYMENT_SEED))
    stories = story_boxes()
    for outing in OUTINGS:
        boxes = [(code, box) for code, box in stories if box.note == outing.boxes]
        if not boxes:
            raise RuntimeError(f"no demo box is packed for {outing.boxes}")
        dispatcher.play(outing, boxes)
    dispatcher.date()
