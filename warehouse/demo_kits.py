"""Demo kits: seven disaster modules, their box templates and some sixty boxes in zone LY-K.

Built through the kit services (modules, templates, create_kit, restock_kit, inspect_kit), so
every box obeys the app's rules. Stock for the boxes is first received into each item's own bin,
then picked into the boxes; afterwards each box's history is dated back over the past months,
as demo_depot dates the stock ledger. Boxes whose story is a deployment are only packed here:
demo_deployments scans them out and back in. A fixed random seed makes every load the same.
"""

from __future__ import annotations

import enum
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.demo_depot import SEED, _caller, _moment
from warehouse.domain.kits import BoxType, InspectionOutcome, KitStatus, kit_code
from warehouse.domain.stock import LocationKind, Reason, Tracking
from warehouse.models import Item, Kit, KitEvent, Location, Lot, StockBalance, StockMovement
from warehouse.services import kit_templates, kits, ledger
from warehouse.services.accounts import Caller
from warehouse.timezone import today

KIT_SEED = SEED + 4
ZONE = "LY-K"
# Pallet boxes, cylinder racks and tool cabinets stand on the zone floor; cases and bags go on racks.
FLOOR_TYPES = {BoxType.PALLET_BOX, BoxType.CYLINDER_RACK, BoxType.CABINET}
# Stock for the boxes arrives at most this long ago (perishables later, so they are in date).
RECEIVED_DAYS_AGO = 210


@dataclass(frozen=True)
class ModuleEntry:
    """One disaster module of the demo."""

    code: str
    name_zh: str
    name_en: str
    description: str


MODULES = [
    ModuleEntry("HR", "高层建筑火灾", "High-rise building fire",
                "高层建筑火灾内攻灭火与人员疏散：空气呼吸器备用气瓶、垂直铺设水带、破拆和绳索救援器材，"
                "保障攻坚组在高层连续作战。"),
    ModuleEntry("CH", "化工灾害", "Chemical disaster",
                "危险化学品泄漏、火灾和爆炸事故处置：一级、二级化学防护服，堵漏器材，空气呼吸器气瓶和冷却供水水带。"),
    ModuleEntry("EQ", "地震/地质灾害", "Earthquake and geological disaster",
                "地震及山体滑坡、泥石流等地质灾害的搜索营救：建筑倒塌支撑、液压破拆、照明供电，"
                "以及救援队72小时自我保障所需食品、油料和医疗物资。"),
    ModuleEntry("MT", "山岳救援", "Mountain rescue",
                "山岳、峡谷及高空绳索救援：绳索救援系统、伤员止血固定与转运、野外饮食和防寒保障。"),
    ModuleEntry("WR", "水域救援", "Water rescue",
                "江河、水库及城市内涝水域救援：抛投救生、水域个人防护装备及岸基绳索救援器材。"),
    ModuleEntry("FL", "洪涝", "Flood",
                "洪涝灾害抢险：防汛编织袋、吸水膨胀袋、排涝照明供电、水域救援装备以及油料和人员生活保障。"),
    ModuleEntry("IS", "冰雪", "Ice and snow",
                "寒潮、暴雪和冰冻灾害保障：防寒被装、取暖、低凝点柴油和热食保障。"),
]


@dataclass(frozen=True)
class Line:
    """A template line by SKU: par, minimum shelf life in days, optional, substitutes."""

    sku: str
    par: int
    min_shelf_days: int = 0
    optional: bool = False
    substitutes: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class TemplateEntry:
    """A box template of the demo and how many boxes each module needs of it."""

    code: str
    name_zh: str
    name_en: str
    category: str
    box_type: BoxType
    width_m: float
    depth_m: float
    weight_kg: float
    description: str
    lines: tuple[Line, ...]
    requirements: dict[str, int]


TEMPLATES = [
    TemplateEntry(
        "SCBA-CYL", "空气呼吸器备用气瓶箱", "SCBA spare cylinder rack", "PE", BoxType.CYLINDER_RACK,
        1.2, 0.8, 110.0, "4只6.8 L碳纤维气瓶立式固定，配方位灯和头灯，气瓶压力不低于27 MPa。",
        (Line("PE-CYL68", 4, substitutes=("PE-CYL9",), note="充气压力≥27 MPa"),
         Line("PE-LOCLAMP", 4),
         Line("PE-HEADLAMP", 4, optional=True),
         Line("ER-BAT-CR123", 2, min_shelf_days=90, note="方位灯、头灯备用电池")),
        {"HR": 3, "CH": 2}),
    TemplateEntry(
        "HOSE-65", "消防水带箱（DN65）", "Fire hose box, 65 mm", "FE", BoxType.PALLET_BOX,
        1.2, 1.0, 160.0, "10盘DN65水带及分水器、异径接口、水枪和水带附件，用于高层垂直铺设和冷却供水。",
        (Line("FE-HOSE65-20", 10),
         Line("FE-NOZ-QLD", 2, substitutes=("FE-NOZ-QZW",)),
         Line("FE-DIV", 1),
         Line("FE-KJ8065", 2),
         Line("FE-HOSEWRAP", 4),
         Line("FE-COUPWRENCH", 2),
         Line("FE-HOSEBRIDGE", 2, optional=True)),
        {"HR": 4, "CH": 2}),
    TemplateEntry(
        "CHEM-SUIT", "化学防护服箱", "Chemical protective suit box", "PE", BoxType.CASE,
        0.8, 0.6, 65.0, "一级、二级化学防护服及防化手套、防化靴、滤毒罐；滤毒罐和手套剩余有效期不少于90天。",
        (Line("PE-CHEM1", 2),
         Line("PE-CHEM2", 4),
         Line("PE-CHEMGLOVE", 6, min_shelf_days=90),
         Line("PE-CHEMBOOT", 4),
         Line("PE-FILTER", 4, min_shelf_days=90),
         Line("PE-FULLMASK", 2, optional=True),
         Line("PE-CHEMLITE", 10, optional=True, substitutes=("MS-COVERALL",))),
        {"CH": 3}),
    TemplateEntry(
        "LEAK-SEAL", "堵漏器材箱", "Leak-sealing kit", "ER", BoxType.CASE,
        0.8, 0.6, 75.0, "磁压、捆绑、注入、粘贴和木楔堵漏工具，配无火花工具，用于管道、罐体和阀门泄漏。",
        (Line("ER-LEAK-MAG", 1),
         Line("ER-LEAK-WRAP", 1, substitutes=("ER-LEAK-OUTER",)),
         Line("ER-LEAK-INJ", 1),
         Line("ER-LEAK-STICK", 1),
         Line("ER-LEAK-WOOD", 1),
         Line("ER-LEAK-VALVE", 1, optional=True),
         Line("ER-LEAK-SEALANT", 2, min_shelf_days=60),
         Line("ER-NOSPARK", 1)),
        {"CH": 2}),
    TemplateEntry(
        "SHORING", "建筑倒塌支撑套具箱", "Collapse shoring kit", "ER", BoxType.PALLET_BOX,
        1.2, 1.0, 240.0, "气动支撑杆套具、木楔和支撑方木，配起重气垫、手拉葫芦和搜救标识喷漆。",
        (Line("ER-SHORING", 1),
         Line("ER-WEDGE", 2),
         Line("ER-CRIB", 16),
         Line("RE-BAG10", 1, optional=True, substitutes=("RE-BAG20",)),
         Line("RE-HOIST3", 1),
         Line("ER-PICKAXE", 1),
         Line("ER-SHOVEL", 2),
         Line("RE-MARKPAINT", 2, min_shelf_days=30)),
        {"EQ": 3}),
    TemplateEntry(
        "BREACH", "液压破拆器材柜", "Hydraulic breaching tool cabinet", "RE", BoxType.CABINET,
        1.0, 0.7, 130.0, "液压剪扩器、顶杆和手动泵，配手动破拆工具组和液压油，可直接推上车。",
        (Line("RE-COMBI", 1),
         Line("RE-RAM", 1),
         Line("RE-HANDPUMP", 1, substitutes=("RE-MOTORPUMP",)),
         Line("RE-BREAKKIT", 1),
         Line("RE-HALLIGAN", 1),
         Line("RE-BOLTCUT", 1),
         Line("RE-GLASSBREAK", 2, optional=True),
         Line("FF-TOOLOIL-1", 2)),
        {"EQ": 2, "HR": 1}),
    TemplateEntry(
        "ROPE", "绳索救援器材包", "Rope rescue kit", "RE", BoxType.BAG,
        0.7, 0.4, 28.0, "两根50 m静力绳组成主副绳系统，配吊带、主锁、下降器、上升器、滑轮和护绳套。",
        (Line("RE-ROPE50", 2, substitutes=("RE-ROPE100",)),
         Line("RE-HARNESS", 2, substitutes=("RE-SEATHARN",)),
         Line("RE-CARABINER", 12),
         Line("RE-AUTOSTOP", 2),
         Line("RE-ASC-HAND", 1),
         Line("RE-PULLEY1", 2),
         Line("RE-PULLEY2", 1),
         Line("RE-ROPEPROT", 2),
         Line("RE-WEBBING", 4),
         Line("PE-RHELMET", 2, optional=True)),
        {"MT": 4, "HR": 2, "EQ": 1, "WR": 1}),
    TemplateEntry(
        "WATER", "水域救援器材箱", "Water rescue kit", "RE", BoxType.CASE,
        1.0, 0.6, 48.0,
        "抛绳包、救生衣、干式防护服和水域头盔手套，配漂浮救生绳和伸缩救生杆，供一个4人救援组。",
        (Line("RE-THROWBAG", 4),
         Line("PE-LIFEJKT", 4),
         Line("PE-DRYSUIT", 2, substitutes=("PE-WETSUIT",)),
         Line("PE-WHELMET", 4),
         Line("PE-WGLOVE", 4),
         Line("PE-WBOOT", 4, optional=True),
         Line("RE-FLOATROPE", 1),
         Line("RE-REACHPOLE", 1)),
        {"WR": 4, "FL": 3}),
    TemplateEntry(
        "TRAUMA", "创伤急救箱", "Trauma kit", "MS", BoxType.CASE,
        0.6, 0.4, 16.0,
        "止血带、止血纱布、单兵急救包、绷带、夹板、颈托和保温毯；药品敷料剩余有效期不少于30天方可计入。",
        (Line("MS-CAT", 4, substitutes=("MS-RUBTQ",)),
         Line("MS-HEMOGAUZE", 4, min_shelf_days=30),
         Line("MS-IFAK", 4, min_shelf_days=30),
         Line("MS-BANDAGE", 10, min_shelf_days=30),
         Line("MS-SAM", 2),
         Line("MS-COLLAR", 2),
         Line("MS-BLANKET", 4),
         Line("MS-GLOVES", 1, min_shelf_days=30),
         Line("MS-IODOPHOR", 1, min_shelf_days=30, optional=True)),
        {"HR": 1, "CH": 1, "EQ": 2, "MT": 2, "WR": 1, "FL": 1, "IS": 1}),
    TemplateEntry(
        "RATION", "野战食品箱", "Field ration box", "FF", BoxType.CASE,
        0.6, 0.4, 20.0, "一个班一天的自热食品、压缩饼干和饮用水；食品剩余保质期不少于30天方可计入。",
        (Line("FF-FIELDMEAL", 12, min_shelf_days=30, substitutes=("FF-SELFRICE",)),
         Line("FF-BISCUIT", 2, min_shelf_days=30),
         Line("FF-WATER550", 2, min_shelf_days=30),
         Line("FF-ELECTRO", 1, min_shelf_days=30),
         Line("FF-ENERGYBAR", 2, min_shelf_days=30),
         Line("FF-CHOCOLATE", 1, min_shelf_days=30, optional=True)),
        {"EQ": 2, "MT": 1, "FL": 2, "IS": 2}),
    TemplateEntry(
        "FUEL", "油料保障箱", "Fuel can box", "FF", BoxType.PALLET_BOX,
        1.2, 1.0, 150.0,
        "4桶柴油、2桶汽油及二冲程机油和手摇加油泵，供发电机、油锯和机动泵；油料剩余有效期不少于30天。",
        (Line("FF-DIESEL0-20", 4, min_shelf_days=30, substitutes=("FF-DIESELM10-20", "FF-DIESELM35-20"),
              note="冬季可用低凝点柴油替代"),
         Line("FF-PETROL92-20", 2, min_shelf_days=30),
         Line("FF-2TOIL-1", 2),
         Line("FF-FUELPUMP", 1),
         Line("FE-EXT-ABC4", 1),
         Line("FF-JERRYCAN", 1, optional=True)),
        {"EQ": 1, "FL": 2, "IS": 1}),
    TemplateEntry(
        "LIGHT", "照明供电箱", "Lighting and power box", "ER", BoxType.PALLET_BOX,
        1.2, 0.8, 120.0, "3 kW汽油发电机、泛光工作灯、防水电缆盘和移动配电箱，保障夜间作业现场照明。",
        (Line("ER-GEN3", 1, substitutes=("ER-GEN2-INV",)),
         Line("ER-FLOODLAMP", 4),
         Line("ER-CABLEREEL", 2),
         Line("ER-DISTBOX", 1),
         Line("PE-HANDLAMP", 2),
         Line("ER-BAT-AA", 2, optional=True)),
        {"HR": 1, "EQ": 2, "FL": 1}),
    TemplateEntry(
        "COLD", "防寒保障箱", "Cold-weather support box", "FF", BoxType.CASE,
        0.8, 0.6, 35.0, "4人份防寒服、睡袋、暖贴和卡式炉气罐；暖贴和气罐剩余有效期不少于30天。",
        (Line("PE-COLD", 4),
         Line("FF-SLEEPBAG", 4, substitutes=("FF-QUILT",)),
         Line("FF-HEATPAD", 4, min_shelf_days=30),
         Line("MS-BLANKET", 6),
         Line("FF-BUTANE", 6, min_shelf_days=30),
         Line("FF-CASSETTE", 1, optional=True)),
        {"IS": 3, "MT": 1}),
    TemplateEntry(
        "FLOOD", "防汛抢险器材箱", "Flood-fighting kit", "ER", BoxType.PALLET_BOX,
        1.2, 1.0, 180.0, "编织袋、吸水膨胀袋、篷布和铁锹，配雨衣和手动隔膜泵，用于堤坝管涌和建筑进水封堵。",
        (Line("ER-SANDBAG", 100),
         Line("ER-SWELLBAG", 20),
         Line("ER-TARP", 2, substitutes=("ER-GEOTEX",)),
         Line("ER-SHOVEL", 4),
         Line("PE-RAINSUIT", 6),
         Line("ER-PUMP-DIAPH", 1, optional=True),
         Line("ER-STROBE", 2, optional=True)),
        {"FL": 3}),
]


class Story(enum.StrEnum):
    """What happened to a demo box after it was packed."""

    READY = "ready"
    INSPECTED = "inspected"  # passed an inspection
    DEFECTS = "defects"  # inspected, minor findings, still ready
    SOON = "soon"  # one line holds a lot that still counts but expires soon
    STALE = "stale"  # one line holds a lot expiring within its minimum shelf life
    EXPIRED = "expired"  # one line holds an expired lot
    SHORT = "short"  # defective units taken out to quarantine, not yet replaced
    # Played out by demo_deployments through the scan station: packed ready here.
    DEPLOYED = "deployed"
    RETURNED = "returned"  # back from an incident with units used, awaiting inspection
    QUARANTINED = "quarantined"  # failed an inspection
    ASSEMBLING = "assembling"  # one line still waits for stock


@dataclass(frozen=True)
class Box:
    """One demo box: its template, its story, the line the story touches and a note."""

    template: str
    story: Story = Story.READY
    line: str = ""  # SKU of the line the story is about
    quantity: int = 0  # units taken out or used
    sub: str = ""  # fill the line that lists this substitute with it instead
    note: str = ""


S = Story
BOXES: dict[str, list[Box]] = {
    "HR": [
        Box("SCBA-CYL", S.INSPECTED), Box("SCBA-CYL"),
        Box("SCBA-CYL", S.DEPLOYED, note="西安区高层住宅火灾"),
        Box("HOSE-65", S.INSPECTED), Box("HOSE-65"), Box("HOSE-65", sub="FE-NOZ-QZW"),
        Box("HOSE-65", S.DEPLOYED, note="西安区高层住宅火灾"),
        Box("BREACH"),
        Box("ROPE"),
        Box("ROPE", S.SHORT, line="RE-CARABINER", quantity=4, note="4把主锁丝扣卡滞，取出送检"),
        Box("TRAUMA", S.SOON, line="MS-HEMOGAUZE"),
        Box("LIGHT"),
    ],
    "CH": [
        Box("SCBA-CYL"), Box("SCBA-CYL", S.INSPECTED),
        Box("HOSE-65"), Box("HOSE-65", S.DEFECTS, note="2个水带接口密封圈老化，已现场更换"),
        Box("CHEM-SUIT", S.INSPECTED), Box("CHEM-SUIT", S.STALE, line="PE-FILTER"),
        Box("LEAK-SEAL"),
        Box("LEAK-SEAL", S.QUARANTINED, note="箱体进水受潮，堵漏密封胶包装破损，整箱隔离待检"),
        Box("TRAUMA", S.EXPIRED, line="MS-IFAK"),
    ],
    "EQ": [
        Box("SHORING", S.INSPECTED), Box("SHORING"),
        Box("SHORING", S.ASSEMBLING, line="ER-SHORING", note="支撑保护套具已订购，待到货装箱"),
        Box("BREACH"), Box("BREACH", S.SHORT, line="RE-COMBI", quantity=1, note="液压剪扩器油管渗漏，送修"),
        Box("ROPE", sub="RE-SEATHARN"),
        Box("TRAUMA"), Box("TRAUMA", sub="MS-RUBTQ"), Box("TRAUMA"),
        Box("RATION"), Box("RATION", S.SOON, line="FF-FIELDMEAL"),
        Box("LIGHT", S.DEFECTS, note="发电机空气滤芯积尘，已清理"), Box("LIGHT", sub="ER-GEN2-INV"),
        Box("FUEL"),
    ],
    "MT": [
        Box("ROPE", S.INSPECTED), Box("ROPE"), Box("ROPE", sub="RE-ROPE100"),
        Box("ROPE", S.DEPLOYED, note="龙首山山岳救援拉动演练"),
        Box("TRAUMA"), Box("TRAUMA", S.STALE, line="MS-HEMOGAUZE"),
        Box("RATION"),
        Box("COLD"),
    ],
    "WR": [
        Box("WATER", S.INSPECTED), Box("WATER"), Box("WATER", sub="PE-WETSUIT"), Box("WATER"),
        Box("WATER", S.RETURNED, line="RE-THROWBAG", quantity=2, note="辽河水域救援"),
        Box("ROPE"),
        Box("TRAUMA"),
    ],
    "FL": [
        Box("WATER"), Box("WATER"),
        Box("FLOOD", S.INSPECTED), Box("FLOOD"),
        Box("FLOOD", S.SHORT, line="ER-SANDBAG", quantity=60, note="60条编织袋受潮霉变，取出待处理"),
        Box("RATION", S.EXPIRED, line="FF-FIELDMEAL"), Box("RATION"),
        Box("FUEL"), Box("FUEL", S.SOON, line="FF-PETROL92-20"),
        Box("LIGHT"),
    ],
    "IS": [
        Box("COLD"), Box("COLD", S.INSPECTED),
        Box("RATION"), Box("RATION", sub="FF-SELFRICE"),
        Box("FUEL", S.STALE, line="FF-DIESEL0-20", sub="FF-DIESELM35-20"),
        Box("TRAUMA"),
    ],
}
# Stories the deployments' demo plays out by scanning the boxes out and in; the note names the deployment.
DEPLOYMENT_STORIES = {Story.DEPLOYED, Story.RETURNED}
# Stories whose line holds a lot received for that box alone, with an expiry chosen for the story.
DATED_LOT_STORIES = {Story.SOON, Story.STALE, Story.EXPIRED}
# Stories whose dated lot no longer counts: the depot keeps a box's worth of fresh units to restock.
AGED_STORIES = {Story.STALE, Story.EXPIRED}
PACKING_NOTE = "装箱"
PURCHASE_NOTE = "模块化装箱专项采购"


@dataclass
class Plan:
    """A box about to be built: its home, what goes in and when it was packed."""

    module: str
    box: Box
    template: TemplateEntry
    home_id: int
    picks: list[tuple[str, int]] = field(default_factory=list)  # (sku, units) from the regular receipts
    dated: tuple[str, int] | None = None  # (sku, units) of the line that gets the dated lot
    dated_lot: str = ""
    dated_line: Line | None = None
    packed_by: date | None = None  # the dated lot had its line's shelf-life margin until then

    def line(self, sku: str) -> Line:
        return next(line for line in self.template.lines if line.sku == sku)


@dataclass
class Stock:
    """What was received for the boxes: each item's bin, lots or serial numbers, and when."""

    item_ids: dict[str, int]
    bins: dict[str, int]
    lots: dict[str, list[str]] = field(default_factory=dict)
    received: dict[str, date] = field(default_factory=dict)
    taken: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def fill(self, sku: str, units: int, lot: str | None = None) -> list[dict]:
        """Return the restock fills that pick units of an item from its bin."""
        item_id, bin_id, codes = self.item_ids[sku], self.bins[sku], self.lots.get(sku, [])
        entry = {"item_id": item_id, "from_location_id": bin_id}
        if lot or len(codes) <= 1:
            return [{**entry, "lot": lot or (codes[0] if codes else None), "quantity": units}]
        start = self.taken[sku]  # serial units, one fill each, never the same one twice
        self.taken[sku] += units
        return [{**entry, "lot": code, "quantity": 1} for code in codes[start:start + units]]


@dataclass
class Stamps:
    """The dates to give afterwards to the rows each step writes (by id range, per table)."""

    # Models with an `at` column; each step's new rows in each get the step's date.
    tables: tuple = (KitEvent, StockMovement)
    steps: list[dict] = field(default_factory=list)
    last: tuple[int, ...] | None = None  # the last id of each table when the last step ended

    def _last_ids(self, session: Session) -> tuple[int, ...]:
        return tuple(session.execute(select(*(
            select(func.coalesce(func.max(model.id), 0)).scalar_subquery() for model in self.tables))).one())

    @contextmanager
    def dated(self, session: Session, at: datetime) -> Iterator[None]:
        """Date what the body writes (service calls commit, so it is dated afterwards).

        Steps follow one another with nothing written in between, so each starts where the
        last one ended.
        """
        before = self.last or self._last_ids(session)
        yield
        self.last = self._last_ids(session)
        self.steps.append({"from": before, "to": self.last, "at": at})

    def apply(self, session: Session) -> None:
        """Date every step back, then each box's creation and last status change."""
        with write_transaction(session):
            connection = session.connection()
            for n, model in enumerate(self.tables):
                table = model.__table__
                # One executemany per table rather than a statement per step.
                connection.execute(update(table).where(
                    table.c.id > bindparam("first"), table.c.id <= bindparam("last"))
                    .values(at=bindparam("at")),
                    [{"first": step["from"][n], "last": step["to"][n], "at": step["at"]}
                     for step in self.steps])
            created = select(func.min(KitEvent.at)).where(KitEvent.kit_id == Kit.id).scalar_subquery()
            changed = (select(func.max(KitEvent.at))
                       .where(KitEvent.kit_id == Kit.id, KitEvent.to_status.is_not(None)).scalar_subquery())
            session.execute(update(Kit).values(created_at=created, status_changed_at=changed)
                            .execution_options(synchronize_session=False))


def build_modules(session: Session, caller: Caller) -> None:
    """Create the demo's disaster modules in display order."""
    for position, entry in enumerate(MODULES, start=1):
        kit_templates.create_module(session, caller, code=entry.code, name_zh=entry.name_zh,
                                    name_en=entry.name_en, description=entry.description,
                                    position=position)


def build_templates(session: Session, caller: Caller, item_ids: dict[str, int]) -> None:
    """Create every demo box template with its lines and module requirements."""
    for entry in TEMPLATES:
        kit_templates.create_template(
            session, caller, code=entry.code, name_zh=entry.name_zh, name_en=entry.name_en,
            category=entry.category, box_type=entry.box_type.value, width_m=entry.width_m,
            depth_m=entry.depth_m, weight_kg=entry.weight_kg, description=entry.description,
            lines=[{"item_id": item_ids[line.sku], "par_quantity": line.par,
                    "min_shelf_days": line.min_shelf_days, "optional": line.optional,
                    "substitutes": [item_ids[s] for s in line.substitutes], "note": line.note}
                   for line in entry.lines],
            requirements=[{"module": code, "boxes_required": count}
                          for code, count in entry.requirements.items()])


def story_boxes(stories=DEPLOYMENT_STORIES) -> list[tuple[str, Box]]:
    """Return the code and entry of each box with one of the stories (boxes number in BOXES order)."""
    return [(kit_code(module, number), box) for module, boxes in BOXES.items()
            for number, box in enumerate(boxes, start=1) if box.story in stories]


def _filled_sku(box: Box, line: Line) -> str:
    """Return the item a box's line is filled with: its own, or the substitute the box names."""
    return box.sub if box.sub in line.substitutes else line.sku


def plan_boxes(session: Session, rng: random.Random) -> list[Plan]:
    """Decide each box's home and what goes in; cases and bags take the zone's bins in turn."""
    templates = {t.code: t for t in TEMPLATES}
    zone = session.scalar(select(Location).where(Location.code == ZONE))
    bins = session.scalars(select(Location.id).where(
        Location.kind == LocationKind.BIN, Location.path.startswith(zone.path)).order_by(Location.code)).all()
    plans = []
    for module in BOXES:
        for box in BOXES[module]:
            template = templates[box.template]
            home_id = zone.id if template.box_type in FLOOR_TYPES else bins[len(plans) % len(bins)]
            plan = Plan(module, box, template, home_id)
            # A quarter of the complete boxes leave their optional lines empty.
            skip_optional = box.story == Story.READY and rng.random() < 0.25
            for line in template.lines:
                if line.optional and skip_optional:
                    continue
                if line.sku == box.line and box.story in DATED_LOT_STORIES:
                    plan.dated, plan.dated_line = (_filled_sku(box, line), line.par), line
                elif line.sku != box.line or box.story != Story.ASSEMBLING:
                    plan.picks.append((_filled_sku(box, line), line.par))
            plans.append(plan)
    return plans


def _received_on(item: Item, on: date) -> date:
    """Stock for the boxes arrived months ago; perishables later, with most of their life left."""
    days = min(RECEIVED_DAYS_AGO, item.shelf_life_days // 3) if item.shelf_life_days else RECEIVED_DAYS_AGO
    return on - timedelta(days=days)


def _dated_expiry(story: Story, min_shelf_days: int, rng: random.Random, on: date) -> date:
    """A dated lot's expiry: still counting, within the line's shelf-life margin, or past."""
    if story == Story.SOON:
        return on + timedelta(days=min_shelf_days + rng.randrange(5, 21))
    if story == Story.STALE:
        return on + timedelta(days=rng.randrange(15, max(16, min_shelf_days - 5)))
    return on - timedelta(days=rng.randrange(3, 30))


def _item_bins(session: Session, item_ids: list[int]) -> dict[int, int]:
    """Return the bin each item was first received into: where its stock is kept."""
    first = (select(StockMovement.item_id, func.min(StockMovement.id).label("first"))
             .where(StockMovement.reason == Reason.RECEIVE, StockMovement.item_id.in_(item_ids))
             .group_by(StockMovement.item_id).subquery())
    return dict(session.execute(select(StockMovement.item_id, StockMovement.to_location_id)
                                .join(first, first.c.first == StockMovement.id)).all())


def receive_for_boxes(session: Session, caller: Caller, plans: list[Plan], rng: random.Random) -> Stock:
    """Receive into each item's bin what the boxes need, and each box's dated lot, in one transaction."""
    on = today()
    demand: dict[str, int] = defaultdict(int)
    for plan in plans:
        for sku, units in plan.picks:
            demand[sku] += units
        if plan.box.story in AGED_STORIES:
            demand[plan.dated_line.sku] += plan.dated_line.par
    dated_skus = {plan.dated[0] for plan in plans if plan.dated}
    with write_transaction(session):
        wanted = select(Item).where(Item.sku.in_(set(demand) | dated_skus))
        items = {item.sku: item for item in session.scalars(wanted)}
        homes = _item_bins(session, [item.id for item in items.values()])
        stock = Stock(item_ids={sku: item.id for sku, item in items.items()},
                      bins={sku: homes[item.id] for sku, item in items.items()},
                      received={sku: _received_on(item, on) for sku, item in items.items()})
        places = {loc.id: loc for loc in session.scalars(select(Location).where(
            Location.id.in_(stock.bins.values())))}
        for sku in sorted(demand):
            stock.lots[sku] = _receive(session, caller, items[sku], places[stock.bins[sku]], demand[sku],
                                       stock.received[sku], rng)
        for n, plan in enumerate((plan for plan in plans if plan.dated), start=1):
            sku, units = plan.dated
            item = items[sku]
            expires = _dated_expiry(plan.box.story, plan.dated_line.min_shelf_days, rng, on)
            received = expires - timedelta(days=item.shelf_life_days)
            lot = Lot(item_id=item.id, code=f"{received:%Y%m}-D{n:02d}", expires_on=expires,
                      received_on=received, supplier_ref=f"CG-{received:%Y}-{rng.randrange(1000):03d}")
            session.add(lot)
            session.flush()
            ledger.post(session, caller, item=item, lot=lot, quantity=units, reason=Reason.RECEIVE,
                        to_location=places[stock.bins[sku]], reference=lot.supplier_ref,
                        at=_moment(received, rng))
            plan.dated_lot = lot.code
            plan.packed_by = expires - timedelta(days=plan.dated_line.min_shelf_days + rng.randrange(10, 30))
    return stock


def _receive(session: Session, caller: Caller, item: Item, place: Location, units: int, received: date,
             rng: random.Random) -> list[str]:
    """Receive units of an item into its bin; return the lot codes (one per serial unit)."""
    reference = f"CG-{received:%Y}-K{rng.randrange(100):02d}"
    at = _moment(received, rng)
    if item.tracking == Tracking.BULK:
        ledger.post(session, caller, item=item, lot=None, quantity=units, reason=Reason.RECEIVE,
                    to_location=place, reference=reference, note=PURCHASE_NOTE, at=at)
        return []
    if item.tracking == Tracking.LOT:
        expires = received + timedelta(days=item.shelf_life_days) if item.shelf_life_days else None
        lots = [Lot(item_id=item.id, code=f"{received:%Y%m}-K1", expires_on=expires, received_on=received,
                    supplier_ref=reference)]
        quantities = [units]
    else:
        interval = item.inspection_interval_days or 365
        prefix = item.sku.split("-", 1)[1]
        lots = [Lot(item_id=item.id, code=f"{prefix}-K{n:03d}", received_on=received, supplier_ref=reference,
                    next_inspection_on=today() + timedelta(days=rng.randrange(30, max(31, interval))))
                for n in range(1, units + 1)]
        quantities = [1] * units
    session.add_all(lots)
    session.flush()
    for lot, quantity in zip(lots, quantities, strict=True):
        ledger.post(session, caller, item=item, lot=lot, quantity=quantity, reason=Reason.RECEIVE,
                    to_location=place, reference=reference, note=PURCHASE_NOTE, at=at)
    return [lot.code for lot in lots]


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange(max(1, (last - first).days + 1)))


class Packer:
    """Builds the planned boxes one by one through the kit services, and plays out their stories."""

    def __init__(self, session: Session, stock: Stock, rng: random.Random) -> None:
        self.session, self.stock, self.rng = session, stock, rng
        self.keeper, self.officer = _caller(session, "keeper"), _caller(session, "officer")
        self.quarantine_id = session.scalar(select(Location.id).where(
            Location.kind == LocationKind.QUARANTINE))
        self.stamps = Stamps()
        self.on = today()

    def at(self, day: date) -> datetime:
        return _moment(day, self.rng)

    def build(self, plan: Plan) -> None:
        """Create the box, pack it as it was packed some months ago, then what happened since."""
        session, box = self.session, plan.box
        latest = self.on - timedelta(days=15)
        earliest = max(self.stock.received[sku] for sku, _ in plan.picks) + timedelta(days=3)
        packed = _day_between(self.rng, earliest, latest)
        if plan.packed_by:
            packed = min(max(plan.packed_by, earliest), latest)
        with self.stamps.dated(session, self.at(packed - timedelta(days=1))):
            code = kits.create_kit(session, self.keeper, template=plan.template.code, module=plan.module,
                                   home_location_id=plan.home_id,
                                   note=box.note if box.story == Story.ASSEMBLING else "").code
        with self.stamps.dated(session, self.at(packed)):
            self.pack(plan, code)
        story = box.story
        if story in (Story.INSPECTED, Story.DEFECTS):
            outcome = InspectionOutcome.PASSED if story == Story.INSPECTED else InspectionOutcome.DEFECTS
            day = _day_between(self.rng, packed + timedelta(days=7), self.on - timedelta(days=2))
            with self.stamps.dated(session, self.at(day)):
                kits.inspect_kit(session, self.keeper, code, outcome=outcome,
                                 findings=box.note or "箱内物资齐全，均在有效期内，标识清晰")
        elif story == Story.SHORT:
            day = _day_between(self.rng, packed + timedelta(days=5), self.on - timedelta(days=3))
            with self.stamps.dated(session, self.at(day)):
                self.take_out(plan, code)
        elif story == Story.QUARANTINED:
            with self.stamps.dated(session, self.at(self.on - timedelta(days=self.rng.randrange(2, 6)))):
                kits.inspect_kit(session, self.officer, code, outcome=InspectionOutcome.FAILED,
                                 findings=box.note)

    def pack(self, plan: Plan, code: str) -> None:
        """Fill every line; a stale or expired lot goes in as packed back then, when it still counted."""
        fills = [fill for sku, units in plan.picks for fill in self.stock.fill(sku, units)]
        if plan.box.story == Story.SOON:  # it still counts, so the service takes it today
            fills += self.stock.fill(*plan.dated, lot=plan.dated_lot)
        kits.restock_kit(self.session, self.keeper, code, fills=fills, note=PACKING_NOTE)
        if plan.box.story not in AGED_STORIES:
            return
        # restock_kit refuses a lot inside its line's shelf-life margin: post the packing directly.
        session, (sku, units) = self.session, plan.dated
        with write_transaction(session):
            kit = kits.get_kit(session, code, lock=True)
            item = session.get(Item, self.stock.item_ids[sku])
            lot = session.scalar(select(Lot).where(Lot.item_id == item.id, Lot.code == plan.dated_lot))
            ledger.post(session, self.keeper, item=item, lot=lot, quantity=units, reason=Reason.INTO_KIT,
                        from_location=session.get(Location, self.stock.bins[sku]),
                        to_location=session.get(Location, kit.location_id), reference=code, note=PACKING_NOTE)
            # Complete when packed; its lot has aged since, so today the box counts as short.
            kits.record_transition(session, self.keeper, kit, KitStatus.READY, note=PACKING_NOTE)

    def _lot_in_box(self, kit: Kit, item: Item) -> str | None:
        if item.tracking == Tracking.BULK:
            return None
        return self.session.scalar(select(Lot.code).join(StockBalance, StockBalance.lot_id == Lot.id).where(
            StockBalance.location_id == kit.location_id, StockBalance.item_id == item.id,
            StockBalance.quantity > 0).order_by(Lot.code).limit(1))

    def take_out(self, plan: Plan, code: str) -> None:
        """Take defective units out to quarantine: the box is short until restocked."""
        session, box = self.session, plan.box
        item = session.get(Item, self.stock.item_ids[_filled_sku(box, plan.line(box.line))])
        removal = {"item_id": item.id, "lot": self._lot_in_box(kits.get_kit(session, code), item),
                   "quantity": box.quantity, "to_location_id": self.quarantine_id}
        kits.restock_kit(session, self.keeper, code, removals=[removal], note=box.note)

def load_kits(session: Session) -> None:
    """Load the modules, box templates and boxes, packed from depot stock and dated back."""
    rng = random.Random(KIT_SEED)
    officer = _caller(session, "officer")
    item_ids = dict(session.execute(select(Item.sku, Item.id)).all())
    build_modules(session, officer)
    build_templates(session, officer, item_ids)
    plans = plan_boxes(session, rng)
    stock = receive_for_boxes(session, _caller(session, "keeper"), plans, rng)
    packer = Packer(session, stock, rng)
    # Keep the items referenced while packing: restock loads them with the template's lines, and the
    # identity map (which holds objects weakly) then answers each fill's item lookup without a query.
    packed_items = session.scalars(select(Item).where(Item.id.in_(stock.item_ids.values()))).all()
    for plan in plans:
        packer.build(plan)
    del packed_items
    packer.stamps.apply(session)
