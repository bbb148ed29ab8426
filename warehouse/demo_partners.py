"""Demo partners: Liaoyuan's five departments with their stockpiles, county supporters and carriers.

Built through the partner and agreement services, so every row obeys the app's rules. Dates are
relative to the day of loading, so the registry tells the same story whenever the demo is loaded:
four departments have signed joint-reserve agreements (their stockpiles answer within hours), the
earthquake bureau has not; most county agreements are in force, one ends within the warning
window, one ended and is still marked active (both alert), one was terminated when it was re-signed
and one is a draft. Two partners have not been reached for over 180 days (one of them is being
called without answer). During the Xi'an high-rise fire the supply officer called in a
supermarket: its water was received into the depot, its ready meals went straight to the scene and
its electrolyte drinks are still awaited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from labels.fonts import register_font
from warehouse.database import write_transaction
from warehouse.demo_deployments import HIGH_RISE_FIRE, moment
from warehouse.demo_depot import _caller
from warehouse.domain.partners import AgreementStatus, PartnerKind, Period
from warehouse.models import (
    ActivationLine,
    AgreementDocument,
    Commitment,
    Deployment,
    Item,
    Location,
)
from warehouse.services import agreements, partners
from warehouse.timezone import depot_zone, today

FIRE_SERVICE = "辽源市消防救援支队"
K, A = PartnerKind, AgreementStatus
# Agreement numbers: the detachment's prefix, then joint reserve (联储), support (保障) or delivery (配送).
JOINT_RESERVE, SUPPORT, DELIVERY = "LC", "BZ", "PS"
TITLES = {JOINT_RESERVE: "应急物资联储联动协议", SUPPORT: "应急保障协议", DELIVERY: "应急物资配送合作协议"}
TERM_DAYS = 3 * 365 + 1  # agreements run three years
# Catalogue units as an agreement's text counts them.
UNIT_WORDS = {"box": "箱", "bottle": "瓶", "jerrycan": "桶", "set": "套", "piece": "件", "bag": "袋"}


@dataclass(frozen=True)
class Check:
    """A call to check a contact's 24-hour number: so many days ago, at a depot time, answered or not."""

    days_ago: int
    clock: str = "09:30"
    reached: bool = True
    note: str = ""


QUARTERLY = "季度联络核查，电话畅通"
ROUTINE = (Check(97, "10:10", note=QUARTERLY), Check(11, "09:40", note=QUARTERLY))


@dataclass(frozen=True)
class Contact:
    """Someone to call at a partner, and the checks of their number (oldest first)."""

    name: str
    title: str
    phone_24h: str
    phone_office: str = ""
    checks: tuple[Check, ...] = ROUTINE


@dataclass(frozen=True)
class Held:
    """One line of a department's stockpile list."""

    sku: str
    quantity: int
    location: str
    as_of_days: int  # counted so many days ago
    note: str = ""


@dataclass(frozen=True)
class Line:
    """A commitment line: a catalogue item (SKU), or a category and words, or words alone."""

    quantity: int | str
    sku: str | None = None
    category: str | None = None
    description: str = ""
    unit: str = ""
    per_day: bool = False
    note: str = ""


@dataclass(frozen=True)
class Deal:
    """An agreement: its kind of number, its term (started so many days ago, or pinned to end on a
    day relative to today), response time, status and commitments."""

    series: str
    response_hours: int
    started_days_ago: int = 365
    ends_in_days: int | None = None  # pinned: ends this many days from today (negative: ended)
    status: AgreementStatus = A.ACTIVE
    lines: tuple[Line, ...] = ()
    title: str = ""
    note: str = ""
    document: bool = False
    signed: bool = True  # a draft is not signed yet


@dataclass(frozen=True)
class PartnerEntry:
    """One demo partner with its contacts, stockpile list and agreements."""

    name: str
    name_en: str
    kind: PartnerKind
    district: str
    address: str
    contacts: tuple[Contact, ...]
    held: tuple[Held, ...] = ()
    deals: tuple[Deal, ...] = ()
    note: str = ""


# --- the five departments (city level) --------------------------------------------------------

CITY_DEPOT = "市级应急物资储备库（龙山区工农乡）"
GRAIN_DEPOT = "市粮食和物资储备中心库（西安区仙城大路）"
QUAKE_DEPOT = "市地震应急救援装备库（龙山区北寿街）"
RELIEF_DEPOT = "市救灾物资储备库（龙山区寿山街道）"
RELIEF_POINT = "东丰县救灾物资储备点（东丰镇）"
FLOOD_DEPOT = "市防汛物资仓库（东辽河大桥北）"

DEPARTMENTS = [
    PartnerEntry(
        "辽源市应急管理局", "Liaoyuan Emergency Management Bureau", K.EMERGENCY_MANAGEMENT, "LY",
        "辽源市龙山区人民大街2099号",
        (Contact("孙立军", "应急物资保障科科长", "0437-3228110", "0437-3228116"),
         Contact("值班室", "市应急指挥中心24小时值班", "0437-3228000")),
        held=(Held("FF-TENT12", 200, CITY_DEPOT, 25), Held("FF-QUILT", 1500, CITY_DEPOT, 25),
              Held("FF-COT", 600, CITY_DEPOT, 25), Held("FF-SLEEPBAG", 400, CITY_DEPOT, 25),
              Held("FF-WATER5L", 1200, CITY_DEPOT, 25, "每季度轮换"),
              Held("ER-GEN5", 12, CITY_DEPOT, 25), Held("ER-LIGHTSET", 8, CITY_DEPOT, 25)),
        deals=(Deal(JOINT_RESERVE, 2, started_days_ago=420, document=True,
                    note="储备清单内物资凭市应急指挥部调令2小时内出库，消防救援支队自行装运。"),),
        note="市级应急物资储备库由市应急管理局管理，纳入消防救援支队储备清单。"),
    PartnerEntry(
        "辽源市发展和改革委员会", "Liaoyuan Development and Reform Commission (grain and material reserves)",
        K.DEVELOPMENT_REFORM, "LY", "辽源市龙山区人民大街2099号",
        (Contact("刘洪波", "粮食和物资储备科科长", "139 4372 6610", "0437-3226215"),),
        held=(Held("FF-RICE", 4000, GRAIN_DEPOT, 40, "市级储备粮，轮换出库"),
              Held("FF-FLOUR", 1600, GRAIN_DEPOT, 40), Held("FF-COOKOIL", 2400, GRAIN_DEPOT, 40),
              Held("FF-WATER550", 1500, GRAIN_DEPOT, 40), Held("FF-NOODLE", 1000, GRAIN_DEPOT, 40),
              Held("FF-BISCUIT", 600, GRAIN_DEPOT, 40)),
        deals=(Deal(JOINT_RESERVE, 6, started_days_ago=300,
                    note="市级救灾粮油和生活物资经市发改委（粮食和物资储备局）批准后动用，6小时内交付。"),),
        note="加挂市粮食和物资储备局牌子，管理市级救灾粮油储备。"),
    PartnerEntry(
        "辽源市地震局", "Liaoyuan Earthquake Administration", K.EARTHQUAKE, "LY", "辽源市龙山区北寿街508号",
        (Contact("高志远", "震害防御科科长", "138 4376 2015", "0437-3152230"),),
        held=(Held("FF-TENT12", 60, QUAKE_DEPOT, 70), Held("FF-TENTINF", 8, QUAKE_DEPOT, 70),
              Held("RE-LD-VIDEO", 2, QUAKE_DEPOT, 70), Held("RE-LD-AUDIO", 2, QUAKE_DEPOT, 70),
              Held("ER-GEN3", 6, QUAKE_DEPOT, 70), Held("ER-LIGHTTOWER", 1, QUAKE_DEPOT, 70)),
        note="尚未签订联储协议：储备物资须经市抗震救灾指挥部协调调用，无承诺响应时间。"),
    PartnerEntry(
        "辽源市民政局", "Liaoyuan Civil Affairs Bureau", K.CIVIL_AFFAIRS, "LY", "辽源市龙山区站前街105号",
        (Contact("王淑华", "社会救助科科长", "0437-3512345", "0437-3512301"),
         Contact("李春雨", "救灾物资储备库保管员", "135 0437 8826", checks=(Check(40, "14:20"),))),
        held=(Held("FF-TENT12", 300, RELIEF_DEPOT, 15), Held("FF-TENT12", 80, RELIEF_POINT, 50),
              Held("FF-QUILT", 3000, RELIEF_DEPOT, 15), Held("FF-QUILT", 800, RELIEF_POINT, 50),
              Held("FF-COT", 800, RELIEF_DEPOT, 15), Held("FF-TENTHEATER", 120, RELIEF_DEPOT, 15),
              Held("ER-TARP", 400, RELIEF_DEPOT, 15), Held("MS-BLANKET", 2000, RELIEF_DEPOT, 15)),
        deals=(Deal(JOINT_RESERVE, 4, started_days_ago=600, document=True,
                    note="救灾帐篷、棉被等生活类物资4小时内调拨到指定地点。"),)),
    PartnerEntry(
        "辽源市水利局", "Liaoyuan Water Resources Bureau", K.WATER_RESOURCES, "LY",
        "辽源市龙山区东吉大路366号",
        (Contact("赵国栋", "防汛抗旱科科长", "0437-3161119", "0437-3161102"),),
        held=(Held("ER-SANDBAG", 60000, FLOOD_DEPOT, 30, "汛前清点"),
              Held("ER-SWELLBAG", 3000, FLOOD_DEPOT, 30), Held("ER-GEOTEX", 300, FLOOD_DEPOT, 30),
              Held("ER-PUMP-SUB", 24, FLOOD_DEPOT, 30),
              Held("ER-PUMP-FLOAT", 6, FLOOD_DEPOT, 30), Held("PE-LIFEJKT", 500, FLOOD_DEPOT, 30),
              Held("RE-ASSAULTBOAT", 6, FLOOD_DEPOT, 30), Held("ER-GEN10", 4, FLOOD_DEPOT, 30)),
        deals=(Deal(JOINT_RESERVE, 3, started_days_ago=200,
                    lines=(Line(30, description="防汛机动抢险队抢险人员", unit="人"),),
                    note="汛期（6月1日至9月30日）防汛物资实行联储联调，3小时内运抵。"),)),
]

# --- county partners, carriers and others -----------------------------------------------------

MEALS = "盒饭（两荤两素）"
RATIONS = "面包、火腿肠等即食食品"
REPAIR = "消防车辆现场抢修"

COUNTY = [
    # 龙山区 Longshan district
    PartnerEntry(
        "辽源欧亚购物中心", "Liaoyuan Eurasia Shopping Centre", K.SUPERMARKET, "LS",
        "辽源市龙山区人民大街1688号",
        (Contact("张伟", "值班经理", "0437-3300520", "0437-3300500"),
         Contact("陈晓东", "物流部经理", "139 4375 1208")),
        deals=(Deal(SUPPORT, 2, started_days_ago=510, document=True,
                    lines=(Line(500, "FF-WATER550"), Line(300, "FF-NOODLE"), Line(200, "FF-SELFRICE"),
                           Line(1000, category="FF", description=RATIONS, unit="份", per_day=True))),)),
    PartnerEntry(
        "辽源市龙山区通达汽车修理厂", "Tongda Auto Repair Plant, Longshan", K.AUTO_REPAIR, "LS",
        "辽源市龙山区福镇大路3199号",
        (Contact("李国华", "厂长", "138 4370 3366", "0437-3256688"),),
        deals=(Deal(SUPPORT, 1, started_days_ago=380,
                    lines=(Line(6, description=REPAIR, unit="人", note="抢修车1辆随行"),
                           Line(2, description="清障拖车", unit="辆"))),)),
    PartnerEntry(
        "中国石油辽源销售分公司龙山油库", "PetroChina Liaoyuan Longshan oil depot", K.OIL_DEPOT, "LS",
        "辽源市龙山区工农乡油库路1号",
        (Contact("周建新", "油库主任", "0437-3119606", "0437-3119600"),
         Contact("油库调度室", "24小时调度", "0437-3119609")),
        deals=(
            # The first agreement was terminated when the depot's new owner signed a larger one.
            Deal(SUPPORT, 4, started_days_ago=800, status=A.TERMINATED,
                 lines=(Line(300, "FF-DIESEL0-20"), Line(10, description="0号柴油（罐车配送）", unit="t")),
                 note="油库划转后于新协议签订时终止。"),
            Deal(SUPPORT, 2, started_days_ago=240, document=True,
                 lines=(Line(200, "FF-DIESEL0-20"), Line(100, "FF-PETROL92-20"),
                        Line(20, description="0号柴油（罐车配送）", unit="t"),
                        Line(10, description="92号汽油（罐车配送）", unit="t")))),
        note="冬季（11月至次年3月）柴油为-35号。"),
    PartnerEntry(
        "辽源市鸿福大酒店", "Hongfu Hotel, Liaoyuan", K.RESTAURANT, "LS", "辽源市龙山区向阳街56号",
        (Contact("吴春梅", "餐饮部经理", "135 0437 2211", "0437-3289888"),),
        deals=(Deal(SUPPORT, 2, started_days_ago=150,
                    lines=(Line(2000, category="FF", description=MEALS, unit="份", per_day=True),
                           Line(1000, description="姜糖水、热汤", unit="份", per_day=True))),)),
    PartnerEntry(
        "辽源市鑫达工程机械租赁有限公司", "Xinda Construction Machinery Leasing Co., Liaoyuan", K.MACHINERY,
        "LS", "辽源市龙山区龙山大路2766号",
        (Contact("马振东", "总经理", "139 4378 5501"), Contact("何军", "调度员", "0437-3272256")),
        deals=(Deal(SUPPORT, 4, started_days_ago=330,
                    lines=(Line(3, category="ER", description="挖掘机（22 t级）", unit="台"),
                           Line(2, category="ER", description="装载机（5 t级）", unit="台"),
                           Line(1, description="汽车起重机（25 t）", unit="台"),
                           Line(6, description="机械操作手", unit="人"))),)),
    PartnerEntry(
        "国网辽源供电公司", "State Grid Liaoyuan Power Supply Company", K.OTHER, "LS",
        "辽源市龙山区西宁大路1966号",
        (Contact("孟庆林", "应急抢修班班长", "0437-3295598", "0437-3295500"),),
        deals=(Deal(SUPPORT, 1, started_days_ago=455,
                    lines=(Line(2, description="应急发电车（400 kW）", unit="台"),
                           Line(20, description="电力应急抢修人员", unit="人"))),)),
    PartnerEntry(
        "中国铁路沈阳局集团有限公司辽源车务段", "Liaoyuan station section, China Railway Shenyang Group",
        K.RAILWAY, "LS", "辽源市龙山区站前街1号（辽源站）",
        (Contact("郭长海", "货运调度", "0437-3362114", "0437-3362100"),),
        deals=(Deal(DELIVERY, 12, started_days_ago=270,
                    lines=(Line(10, description="铁路棚车（60 t）", unit="辆", per_day=True),
                           Line(1, description="辽源站货场专用装卸线", unit="条")),
                    note="省外调拨物资经铁路运抵辽源站，货场优先装卸。"),)),
    # 西安区 Xi'an district
    PartnerEntry(
        "辽源市西安区东山华联超市", "Dongshan Hualian Supermarket, Xi'an district", K.SUPERMARKET, "XA",
        "辽源市西安区东山街道仙城大路712号",
        (Contact("杨丽娟", "店长", "138 4379 0627", "0437-3614567"),
         Contact("刘波", "夜班值班主管", "130 4437 9812")),
        deals=(Deal(SUPPORT, 1, started_days_ago=190, document=True,
                    lines=(Line(300, "FF-WATER550"), Line(200, "FF-WATER5L"), Line(100, "FF-ELECTRO"),
                           Line(100, "FF-BISCUIT"),
                           Line(500, category="FF", description=RATIONS, unit="份"))),)),
    PartnerEntry(
        "辽源市西安区顺通汽车维修有限公司", "Shuntong Auto Repair Co., Xi'an district", K.AUTO_REPAIR, "XA",
        "辽源市西安区安家街88号",
        (Contact("韩立新", "经理", "139 4371 7720", "0437-3631189"),),
        deals=(Deal(SUPPORT, 2, started_days_ago=610,
                    lines=(Line(4, description=REPAIR, unit="人"),
                           Line(1, description="轮胎抢修车", unit="辆"))),)),
    PartnerEntry(
        "辽源市福源餐饮有限公司", "Fuyuan Catering Co., Liaoyuan", K.RESTAURANT, "XA",
        "辽源市西安区西宁大路203号",
        (Contact("赵红", "总经理", "136 2437 4500", "0437-3625577"),),
        deals=(Deal(SUPPORT, 3, started_days_ago=420,
                    lines=(Line(1500, description=MEALS, unit="份", per_day=True),)),)),
    PartnerEntry(
        "辽源市西安区矿建工程机械有限公司", "Kuangjian Engineering Machinery Co., Xi'an district",
        K.MACHINERY, "XA", "辽源市西安区灯塔街道矿区路15号",
        # Last reached over eight months ago; the number has not answered since.
        (Contact("于海", "调度主任", "0437-3640123",
                 checks=(Check(262, "10:00", note="协议年度核对，电话畅通"),
                         Check(9, "15:10", reached=False, note="无人接听"),
                         Check(2, "09:05", reached=False, note="仍无人接听，需上门核实"))),),
        deals=(Deal(SUPPORT, 6, started_days_ago=700,
                    lines=(Line(2, category="ER", description="挖掘机（30 t级）", unit="台"),
                           Line(1, description="推土机", unit="台"),
                           Line(5, description="自卸车", unit="辆", per_day=True))),)),
    PartnerEntry(
        "辽源市顺达物流有限公司", "Shunda Logistics Co., Liaoyuan", K.LOGISTICS, "XA",
        "辽源市西安区仙城大路1280号",
        (Contact("白建华", "运营总监", "139 4370 8899", "0437-3607788"),
         Contact("调度中心", "24小时调度", "0437-3607700")),
        deals=(Deal(DELIVERY, 4, started_days_ago=160, document=True,
                    lines=(Line(10, description="厢式货车（4.2 m）", unit="辆", per_day=True),
                           Line(2, description="叉车（3 t）", unit="台"),
                           Line(2000, description="应急配送中心仓储场地", unit="m²")),
                    note="共建应急配送中心：协议期内派驻人员随社会联勤保障机动分队出动。"),)),
    # 东辽县 Dongliao county
    PartnerEntry(
        "东辽县万家福超市", "Wanjiafu Supermarket, Dongliao", K.SUPERMARKET, "DL",
        "东辽县白泉镇辽河大街218号",
        (Contact("孙艳", "店长", "138 4373 2290", "0437-6821133"),),
        deals=(Deal(SUPPORT, 3, started_days_ago=480,
                    lines=(Line(200, "FF-WATER5L"), Line(200, "FF-NOODLE"))),)),
    PartnerEntry(
        "中国石化辽源石油分公司东辽油库", "Sinopec Liaoyuan Dongliao oil depot", K.OIL_DEPOT, "DL",
        "东辽县安石镇油库路9号",
        (Contact("邢志刚", "油库主任", "0437-6950112", "0437-6950100"),),
        deals=(Deal(SUPPORT, 3, started_days_ago=560,
                    lines=(Line(100, "FF-DIESELM35-20"),
                           Line(20, description="柴油（罐车配送）", unit="t"))),)),
    PartnerEntry(
        "东辽县宏远工程机械有限公司", "Hongyuan Engineering Machinery Co., Dongliao", K.MACHINERY, "DL",
        "东辽县辽河源镇工业园区6号",
        (Contact("曲宏远", "总经理", "139 4374 6688", "0437-6862299"),),
        deals=(Deal(SUPPORT, 6, ends_in_days=38,
                    lines=(Line(3, category="ER", description="挖掘机（20 t级）", unit="台"),
                           Line(2, description="装载机", unit="台")),
                    note="协议即将到期，续签洽谈中。"),)),
    PartnerEntry(
        "东辽县鑫园饭店", "Xinyuan Restaurant, Dongliao", K.RESTAURANT, "DL", "东辽县白泉镇东辽大街66号",
        (Contact("曹玉梅", "经理", "135 0437 6620"),),
        deals=(Deal(SUPPORT, 3, started_days_ago=10, status=A.DRAFT, signed=False,
                    lines=(Line(800, category="FF", description=MEALS, unit="份", per_day=True),
                           Line(100, "FF-WATER550")),
                    note="协议文本已送对方审核，尚未签字。"),)),
    # 东丰县 Dongfeng county
    PartnerEntry(
        "东丰县百货大楼超市", "Dongfeng Department Store Supermarket", K.SUPERMARKET, "DF",
        "东丰县东丰镇中心大街99号",
        (Contact("马丽", "经理", "0437-6212345", "0437-6212300"),),
        # Ended a fortnight ago; still marked active until the renewal is signed.
        deals=(Deal(SUPPORT, 4, ends_in_days=-16,
                    lines=(Line(400, "FF-WATER550"), Line(150, "FF-NOODLE"), Line(100, "FF-SELFRICE")),
                    note="到期未续签，已发续签函。"),)),
    PartnerEntry(
        "中国石油东丰油库", "PetroChina Dongfeng oil depot", K.OIL_DEPOT, "DF", "东丰县大阳镇油库街3号",
        (Contact("吕长顺", "油库主任", "0437-6290119", "0437-6290100"),),
        deals=(Deal(SUPPORT, 4, started_days_ago=90,
                    lines=(Line(100, "FF-DIESEL0-20"),
                           Line(15, description="0号柴油（罐车配送）", unit="t"))),)),
    PartnerEntry(
        "东丰县鑫源汽车维修中心", "Xinyuan Auto Repair Centre, Dongfeng", K.AUTO_REPAIR, "DF",
        "东丰县东丰镇东环路188号",
        # Nobody has called for seven months.
        (Contact("姜大海", "厂长", "138 4372 0918", checks=(Check(214, "16:00", note="电话畅通"),)),),
        deals=(Deal(SUPPORT, 3, started_days_ago=720,
                    lines=(Line(4, description=REPAIR, unit="人"),)),)),
    PartnerEntry(
        "东丰县梅花鹿大酒店", "Sika Deer Hotel, Dongfeng", K.RESTAURANT, "DF", "东丰县东丰镇鹿乡大街36号",
        (Contact("宋春燕", "餐饮总监", "139 4376 3399", "0437-6236666"),),
        deals=(Deal(SUPPORT, 4, started_days_ago=260,
                    lines=(Line(1000, description=MEALS, unit="份", per_day=True),
                           Line(300, description="热水、姜汤", unit="份", per_day=True))),)),
]

PARTNERS = DEPARTMENTS + COUNTY

# The activation during the Xi'an fire: the Xi'an supermarket's water into the depot, its ready
# meals to the scene, its electrolyte drinks still awaited.
CALLED_IN = "辽源市西安区东山华联超市"
RECEIVING_BIN = "LY-G-R01-01"  # the food and fuel zone's first bin


def _depot_moment(day: date, clock: str) -> datetime:
    """Return the moment at a depot time of day (for the uploads, dated from the signing day)."""
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=depot_zone())


def _term(deal: Deal, on: date) -> tuple[date | None, date, date]:
    """Return (signed on, valid from, valid to) of a deal, relative to the day of loading."""
    if deal.ends_in_days is not None:
        valid_to = on + timedelta(days=deal.ends_in_days)
        valid_from = valid_to - timedelta(days=TERM_DAYS - 1)
    else:
        valid_from = on - timedelta(days=deal.started_days_ago)
        valid_to = valid_from + timedelta(days=TERM_DAYS - 1)
    signed_on = valid_from - timedelta(days=5) if deal.signed else None
    return signed_on, valid_from, valid_to


def agreement_pdf(number: str, title: str, partner: str, signed_on: date | None, valid_from: date,
                  valid_to: date, response_hours: int, lines: list[str]) -> bytes:
    """Render a one-page specimen of the signed agreement (the demo's scanned PDF)."""
    font = register_font()
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    page.setTitle(f"{title} {number}")
    width, height = A4
    page.setFont(font, 18)
    page.drawCentredString(width / 2, height - 80, title)
    page.setFont(font, 11)
    y = height - 120
    rows = [f"协议编号：{number}", f"甲方：{FIRE_SERVICE}", f"乙方：{partner}",
            f"有效期：{valid_from:%Y年%m月%d日} 至 {valid_to:%Y年%m月%d日}",
            f"响应时间：接到调用通知后 {response_hours} 小时内到位", "保障内容："]
    rows += [f"  {n}. {line}" for n, line in enumerate(lines, start=1)] or ["  按联储清单执行"]
    rows += ["", f"签订日期：{signed_on:%Y年%m月%d日}" if signed_on else "", "（演示数据，非真实协议）"]
    for row in rows:
        page.drawString(72, y, row)
        y -= 22
    page.showPage()
    page.save()
    return buffer.getvalue()


class PartnerLoader:
    """Registers the demo partners through the services, as the supply officer would."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.officer = _caller(session, "officer")
        self.on = today()
        catalogue = session.execute(select(Item.sku, Item.id, Item.name_zh, Item.unit)).all()
        self.items = {sku: item_id for sku, item_id, _name, _unit in catalogue}
        self.wording = {sku: (name, UNIT_WORDS.get(unit.value, unit.value))
                        for sku, _id, name, unit in catalogue}
        self.serials: dict[tuple[str, int], int] = {}
        self.in_force: dict[str, int] = {}  # each partner's active agreement
        self.uploads: dict[int, datetime] = {}

    def number(self, series: str, valid_from: date) -> str:
        """Number agreements per series and year, in the order they are recorded."""
        key = (series, valid_from.year)
        self.serials[key] = self.serials.get(key, 0) + 1
        return f"LYXF-{series}-{valid_from.year}-{self.serials[key]:03d}"

    def register(self, entry: PartnerEntry) -> None:
        """Register the partner, its contacts and their checks, its stockpile and its agreements."""
        session, officer = self.session, self.officer
        partner = partners.create_partner(session, officer, name=entry.name, name_en=entry.name_en,
                                          kind=entry.kind.value, district=entry.district,
                                          address=entry.address, note=entry.note)
        partner_id = partner.id
        for person in entry.contacts:
            contact = partners.add_contact(session, officer, partner_id, name=person.name, title=person.title,
                                           phone_24h=person.phone_24h, phone_office=person.phone_office)
            contact_id = contact.id
            for check in person.checks:
                partners.record_contact_check(session, officer, contact_id, reached=check.reached,
                                              checked_at=moment(check.days_ago, check.clock), note=check.note)
        for held in entry.held:
            partners.add_stockpile_line(session, officer, partner_id, item_id=self.items[held.sku],
                                        quantity=held.quantity, location=held.location,
                                        as_of=self.on - timedelta(days=held.as_of_days), note=held.note)
        for deal in entry.deals:
            self.sign(entry, partner_id, deal)

    def sign(self, entry: PartnerEntry, partner_id: int, deal: Deal) -> None:
        """Record one agreement with its commitments, and its signed PDF when the deal has one."""
        signed_on, valid_from, valid_to = _term(deal, self.on)
        number = self.number(deal.series, valid_from)
        title = deal.title or TITLES[deal.series]
        commitments = [{"item_id": self.items.get(line.sku) if line.sku else None, "category": line.category,
                        "description": line.description, "quantity": line.quantity, "unit": line.unit,
                        "period": (Period.PER_DAY if line.per_day else Period.TOTAL).value, "note": line.note}
                       for line in deal.lines]
        agreement = agreements.create_agreement(
            self.session, self.officer, number=number, partner_id=partner_id, title=title,
            signed_on=signed_on, valid_from=valid_from, valid_to=valid_to,
            response_hours=deal.response_hours, status=deal.status.value, note=deal.note,
            commitments=commitments)
        if deal.status == A.ACTIVE:
            self.in_force[entry.name] = agreement.id
        if deal.document:
            content = agreement_pdf(number, title, entry.name, signed_on, valid_from, valid_to,
                                    deal.response_hours, [self.describe(line) for line in deal.lines])
            agreements.attach_document(self.session, self.officer, agreement.id,
                                       filename=f"{title}（{entry.name}）{number}.pdf", content=content)
            # Scanned and uploaded the week after signing.
            self.uploads[agreement.id] = _depot_moment(signed_on + timedelta(days=7), "15:20")

    def describe(self, line: Line) -> str:
        """A commitment as the agreement's text states it."""
        what, unit = self.wording[line.sku] if line.sku else (line.description, line.unit)
        return f"{what} {line.quantity} {unit}{'/天' if line.per_day else ''}"

    def call_in(self) -> None:
        """Call in the Xi'an supermarket during the high-rise fire and record what arrived."""
        session = self.session
        fire = session.scalar(select(Deployment).where(Deployment.name == HIGH_RISE_FIRE,
                                                       Deployment.closed_at.is_(None)))
        if fire is None:
            raise RuntimeError(f"the demo deployment {HIGH_RISE_FIRE} is not open")
        agreement_id = self.in_force[CALLED_IN]
        lines = {item_id or description: line_id for line_id, item_id, description in session.execute(
            select(Commitment.id, Commitment.item_id, Commitment.description)
            .where(Commitment.agreement_id == agreement_id))}
        keeper, commander = _caller(session, "keeper"), _caller(session, "commander")
        activation = agreements.activate_agreement(
            session, self.officer, agreement_id, deployment_id=fire.id, requested_at=moment(2, "22:25"),
            contact_name="刘波",
            note="高层住宅火灾持续作战，补给饮用水、即食食品和电解质饮料；饮用水送储备库前送补给点。",
            lines=[{"commitment_id": lines[self.items["FF-WATER5L"]], "quantity": 120,
                    "needed_by": moment(2, "23:59")},
                   {"commitment_id": lines[RATIONS], "quantity": 300, "needed_by": moment(1, "06:00")},
                   {"commitment_id": lines[self.items["FF-ELECTRO"]], "quantity": 60,
                    "needed_by": moment(-1, "08:00")}])
        water, ready_meals, _drinks = session.scalars(select(ActivationLine.id).where(
            ActivationLine.activation_id == activation.id).order_by(ActivationLine.id)).all()
        received_on = self.on - timedelta(days=2)
        bin_id = session.scalar(select(Location.id).where(Location.code == RECEIVING_BIN))
        arrived = moment(2, "23:40")
        agreements.record_arrival(
            session, keeper, water, quantity=120, arrived_at=arrived, location_id=bin_id,
            lot=f"{received_on - timedelta(days=41):%Y%m%d}B",
            expires_on=received_on - timedelta(days=41) + timedelta(days=365),
            note="华联超市送达储备库，前送补给点使用")
        agreements.record_arrival(session, commander, ready_meals, quantity=300,
                                  arrived_at=moment(1, "05:50"), note="直送富国小区火场前沿补给点")

    def date_uploads(self) -> None:
        """Date the signed documents to their upload the week after signing."""
        with write_transaction(self.session):
            for agreement_id, at in self.uploads.items():
                self.session.execute(
                    update(AgreementDocument).where(AgreementDocument.agreement_id == agreement_id)
                    .values(uploaded_at=at).execution_options(synchronize_session=False))


def load_partners(session: Session) -> None:
    """Register the departments, county partners and carriers, their agreements, and the call-in
    during the Xi'an fire (after the deployments)."""
    loader = PartnerLoader(session)
    for entry in PARTNERS:
        loader.register(entry)
    loader.date_uploads()
    loader.call_in()

