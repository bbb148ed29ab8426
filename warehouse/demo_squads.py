"""Demo support force: eight squads of the Liaoyuan detachment, 54 people and their certificates.

Built through the squad services, so every person obeys the app's rules. Dates are relative to the
day of loading, so the compliance panel tells the same story whenever the demo is loaded: 17
standing and 33 mobile support staff on duty (both headcounts met), seven special-vehicle
drivers (14 %, target 5 % met) but only five equipment technicians of intermediate grade or
higher (10 %, target 15 % failed: one certificate has lapsed and one technician is seconded
away), and three certificates due for renewal within 60 days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from warehouse.demo_depot import SEED, _caller
from warehouse.domain.squads import Employment, PersonStatus, SquadKind, SquadRole, SupportFunction
from warehouse.services import squads
from warehouse.timezone import today

SQUAD_SEED = SEED + 6
BADGE_PREFIX = "BZ"
PHONE_PREFIX = "1390437"  # 139 mobiles, 0437 the Liaoyuan area code, as local numbers often read
DETACHMENT = "辽源市消防救援支队"
# Years a certificate of each kind stays valid before it must be renewed or re-examined.
VALID_YEARS = {"DRIVER": 6, "TECH": 5, "MEDIC": 3, "FORKLIFT": 4, "COOK": 3, "ELECTRICIAN": 6}

K, F = SquadKind, SupportFunction
E, R, S = Employment, SquadRole, PersonStatus


@dataclass(frozen=True)
class SquadEntry:
    """One squad of the demo force."""

    code: str
    name_zh: str
    name_en: str
    kind: SquadKind
    function: SupportFunction
    home_station: str
    modules: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Cert:
    """A certificate someone holds: issued so many years ago, or expiring on a day set from today."""

    kind: str
    grade: str | None = None
    issued_years_ago: float = 1.5
    expires_in_days: int | None = None  # pinned: due for renewal soon, or already lapsed


@dataclass(frozen=True)
class Member:
    """One person of a squad."""

    name: str
    employment: Employment
    joined_years_ago: float
    certs: tuple[Cert, ...] = ()
    role: SquadRole = SquadRole.MEMBER
    status: PersonStatus = PersonStatus.ACTIVE
    note: str = ""


SQUADS = [
    SquadEntry("CB-WZ", "物资保障常备分队", "Standing materials support squad", K.STANDING, F.MATERIALS,
               f"{DETACHMENT}战勤保障大队（应急物资储备库）", ("EQ", "FL", "IS"),
               "负责储备库物资收发、模块化装箱和前送补给，24小时值守，接警后30分钟内装车出动。"),
    SquadEntry("CB-JS", "技术保障常备分队", "Standing technical support squad", K.STANDING, F.TECHNICAL,
               f"{DETACHMENT}战勤保障大队（装备维修车间）", ("HR", "CH", "EQ"),
               "承担消防车辆、液压破拆和空气呼吸器等装备的现场抢修与检测。"),
    SquadEntry("CB-WQ", "卫勤保障常备分队", "Standing medical support squad", K.STANDING, F.MEDICAL,
               f"{DETACHMENT}战勤保障大队（卫勤室）", ("EQ", "MT"),
               "负责作战人员现场救护、伤员转运和卫生防疫。"),
    SquadEntry("JD-WZ", "物资保障机动分队", "Mobile materials support squad", K.MOBILE, F.MATERIALS,
               "龙山区特勤消防救援站", ("FL", "EQ", "WR"),
               "重大灾害时前出设立物资前进补给点，就近接收社会捐赠和调拨物资。"),
    SquadEntry("JD-JS", "技术保障机动分队", "Mobile technical support squad", K.MOBILE, F.TECHNICAL,
               "西安区消防救援站", ("CH", "HR"),
               "化工和高层建筑火灾现场的装备维修、器材充气和供液保障。"),
    SquadEntry("JD-SH", "生活保障机动分队", "Mobile living support squad", K.MOBILE, F.LIVING,
               "东丰县消防救援大队", ("EQ", "FL", "IS"),
               "携带炊事车、宿营帐篷和净水设备，保障长时间作战人员饮食、宿营和饮水。"),
    SquadEntry("JD-WQ", "卫勤保障机动分队", "Mobile medical support squad", K.MOBILE, F.MEDICAL,
               "东辽县消防救援大队", ("EQ", "WR", "MT"),
               "地震、水域和山岳救援现场的伤员急救，与地方120急救中心协同转运。"),
    SquadEntry("JD-LQ", "社会联勤保障机动分队", "Mobile social joint support squad", K.MOBILE, F.SOCIAL_JOINT,
               "龙山区特勤消防救援站", ("EQ", "FL"),
               "依托联勤协议单位的车辆、工程机械和仓储力量，购买服务人员随队保障。"),
]

PEOPLE: dict[str, list[Member]] = {
    "CB-WZ": [
        Member("刘振华", E.FIREFIGHTER, 12, (Cert("DRIVER", issued_years_ago=2.5), Cert("FORKLIFT")),
               role=R.LEADER),
        Member("陈立新", E.FIREFIGHTER, 9, (Cert("FORKLIFT", issued_years_ago=0.8),), role=R.DEPUTY),
        Member("孙海涛", E.CONTRACT, 5, (Cert("DRIVER", issued_years_ago=3.2),)),
        Member("杨帆", E.CONTRACT, 3, (Cert("FORKLIFT", issued_years_ago=2),)),
        Member("周建军", E.FIREFIGHTER, 7, (Cert("TECH", "junior", issued_years_ago=1),)),
        Member("吴磊", E.EXTERNAL_HIRE, 2, note="库房保管，持仓储管理员证"),
        Member("郑浩", E.CONTRACT, 4, (Cert("DRIVER", issued_years_ago=2),), status=S.LEFT,
               note="合同期满离队"),
    ],
    "CB-JS": [
        Member("王志强", E.FIREFIGHTER, 15, (Cert("TECH", "senior", issued_years_ago=2),
                                             Cert("ELECTRICIAN", issued_years_ago=4)), role=R.LEADER),
        Member("李国庆", E.FIREFIGHTER, 11, (Cert("TECH", "intermediate", issued_years_ago=3),),
               role=R.DEPUTY),
        Member("赵明", E.FIREFIGHTER, 8, (Cert("TECH", "intermediate", expires_in_days=41),),
               note="装备技师证书即将到期，已报名复审"),
        Member("黄伟", E.CONTRACT, 4, (Cert("TECH", "junior", issued_years_ago=1.2),)),
        Member("许文博", E.CONTRACT, 3, (Cert("ELECTRICIAN", issued_years_ago=1),)),
        Member("马超", E.EXTERNAL_HIRE, 2, note="车辆修理工，外聘"),
        Member("何永刚", E.FIREFIGHTER, 10, (Cert("TECH", "intermediate", issued_years_ago=1),),
               status=S.ON_LEAVE, note="借调省消防救援总队装备处，至年底"),
    ],
    "CB-WQ": [
        Member("张丽", E.FIREFIGHTER, 10, (Cert("MEDIC", issued_years_ago=1),), role=R.LEADER),
        Member("刘芳", E.CONTRACT, 6, (Cert("MEDIC", issued_years_ago=2),), role=R.DEPUTY),
        Member("高静", E.EXTERNAL_HIRE, 3, (Cert("MEDIC", expires_in_days=54),), note="外聘护士"),
        Member("林涛", E.CONTRACT, 4, (Cert("MEDIC", issued_years_ago=0.5),)),
        Member("罗小军", E.FIREFIGHTER, 2),
    ],
    "JD-WZ": [
        Member("宋建平", E.FIREFIGHTER, 13, (Cert("DRIVER", issued_years_ago=4),), role=R.LEADER),
        Member("谢东", E.CONTRACT, 6, (Cert("DRIVER", expires_in_days=26),
                                       Cert("FORKLIFT", issued_years_ago=1)),
               role=R.DEPUTY, note="驾驶证即将到期，需到车管所换证"),
        Member("韩冰", E.CONTRACT, 4, (Cert("FORKLIFT", issued_years_ago=1.5),)),
        Member("唐亮", E.CONTRACT, 3),
        Member("冯宇", E.EXTERNAL_HIRE, 2),
        Member("董力", E.PURCHASED_SERVICE, 1, note="劳务派遣装卸工"),
        Member("梁晨", E.CONTRACT, 2),
        Member("萧红", E.CONTRACT, 5, status=S.LEFT, note="调往白山市消防救援支队"),
    ],
    "JD-JS": [
        Member("曹刚", E.FIREFIGHTER, 12, (Cert("TECH", "intermediate", issued_years_ago=2),
                                           Cert("DRIVER", issued_years_ago=1)), role=R.LEADER),
        Member("彭涛", E.FIREFIGHTER, 8, (Cert("TECH", "intermediate", issued_years_ago=0.6),),
               role=R.DEPUTY),
        Member("邓军", E.CONTRACT, 6, (Cert("TECH", "intermediate", expires_in_days=-23),),
               note="装备技师（中级）证书已过期，复审考核排期中"),
        Member("蒋华", E.CONTRACT, 3, (Cert("TECH", "junior", issued_years_ago=1),)),
        Member("袁野", E.CONTRACT, 2, (Cert("TECH", "junior", issued_years_ago=0.4),
                                       Cert("ELECTRICIAN", issued_years_ago=1))),
        Member("潘登", E.EXTERNAL_HIRE, 2, (Cert("ELECTRICIAN", issued_years_ago=2),)),
        Member("田晓东", E.PURCHASED_SERVICE, 1, note="空气呼吸器厂家驻队维保技术员"),
    ],
    "JD-SH": [
        Member("钱勇", E.FIREFIGHTER, 10, role=R.LEADER),
        Member("鲁大伟", E.CONTRACT, 5, (Cert("COOK", issued_years_ago=1),), role=R.DEPUTY),
        Member("姜红梅", E.EXTERNAL_HIRE, 4, (Cert("COOK", issued_years_ago=2),)),
        Member("范小燕", E.EXTERNAL_HIRE, 3, (Cert("COOK", issued_years_ago=0.5),)),
        Member("崔健", E.CONTRACT, 2, (Cert("ELECTRICIAN", issued_years_ago=1.5),)),
        Member("程亮", E.PURCHASED_SERVICE, 1, (Cert("COOK", issued_years_ago=1),), note="餐饮公司派驻厨师"),
        Member("苏宁", E.CONTRACT, 3),
        Member("魏海", E.CONTRACT, 4, (Cert("DRIVER", issued_years_ago=2),), status=S.ON_LEAVE,
               note="病假"),
    ],
    "JD-WQ": [
        Member("秦岚", E.FIREFIGHTER, 9, (Cert("MEDIC", issued_years_ago=1.5),), role=R.LEADER),
        Member("尤佳", E.CONTRACT, 5, (Cert("MEDIC", issued_years_ago=1),), role=R.DEPUTY),
        Member("金鑫", E.EXTERNAL_HIRE, 3, (Cert("MEDIC", issued_years_ago=2),)),
        Member("石磊", E.CONTRACT, 2, (Cert("MEDIC", issued_years_ago=0.7),)),
        Member("方圆", E.CONTRACT, 2),
        Member("夏雨", E.EXTERNAL_HIRE, 1),
    ],
    "JD-LQ": [
        Member("陆明", E.FIREFIGHTER, 14, (Cert("DRIVER", issued_years_ago=3),), role=R.LEADER),
        Member("白杨", E.PURCHASED_SERVICE, 4, (Cert("FORKLIFT", issued_years_ago=1),), role=R.DEPUTY,
               note="辽源市顺达物流有限公司派驻"),
        Member("武强", E.PURCHASED_SERVICE, 3, (Cert("DRIVER", issued_years_ago=2),),
               note="辽源市顺达物流有限公司派驻，重型半挂车驾驶"),
        Member("顾晓峰", E.PURCHASED_SERVICE, 2, (Cert("FORKLIFT", issued_years_ago=0.5),)),
        Member("孟凡", E.PURCHASED_SERVICE, 2, (Cert("ELECTRICIAN", issued_years_ago=1),),
               note="市供电公司应急抢修班"),
        Member("邹平", E.EXTERNAL_HIRE, 1),
    ],
}


def _years(years: float) -> timedelta:
    return timedelta(days=round(365.25 * years))


def certificate_number(kind: str, issued_on: date, serial: int) -> str:
    """Return a number printed like the real certificate of the kind."""
    year = issued_on.year
    if kind == "DRIVER":
        return f"2204{serial:08d}"  # driving licence file number (档案编号) of Liaoyuan
    if kind in ("TECH", "COOK"):
        return f"S{year}2204{serial:06d}"  # vocational skill level certificate (职业技能等级证书)
    if kind == "MEDIC":
        return f"JLHSH{year}{serial:05d}"  # Red Cross first-aider certificate (救护员证), Jilin
    if kind == "FORKLIFT":
        return f"TS-N1-2204{year}{serial:04d}"  # special equipment operator (特种设备作业人员证)
    return f"T2204{year}{serial:06d}"  # special operations certificate (特种作业操作证)


def _qualification(cert: Cert, on: date, rng: random.Random) -> dict:
    validity = _years(VALID_YEARS[cert.kind])
    if cert.expires_in_days is not None:
        expires_on = on + timedelta(days=cert.expires_in_days)
        issued_on = expires_on - validity + timedelta(days=1)
    else:
        # A few weeks either way, so the certificates were not all issued on one day.
        issued_on = on - _years(cert.issued_years_ago) - timedelta(days=rng.randrange(30))
        expires_on = issued_on + validity - timedelta(days=1)
    return {"kind": cert.kind, "grade": cert.grade, "issued_on": issued_on, "expires_on": expires_on,
            "certificate_no": certificate_number(cert.kind, issued_on, rng.randrange(10_000, 99_999_999))}


def load_squads(session: Session) -> None:
    """Register the squads, their people with badge codes, and everyone's certificates."""
    caller = _caller(session, "officer")
    rng = random.Random(SQUAD_SEED)
    on = today()
    phones = rng.sample(range(10_000), sum(len(members) for members in PEOPLE.values()))
    number = 0
    for entry in SQUADS:
        squads.create_squad(session, caller, code=entry.code, name_zh=entry.name_zh, name_en=entry.name_en,
                            kind=entry.kind.value, function=entry.function.value,
                            home_station=entry.home_station, note=entry.note, modules=list(entry.modules))
        for member in PEOPLE[entry.code]:
            number += 1
            joined_on = on - _years(member.joined_years_ago) - timedelta(days=rng.randrange(60))
            squads.create_person(
                session, caller, badge_code=f"{BADGE_PREFIX}-{number:04d}", name=member.name,
                phone=f"{PHONE_PREFIX}{phones[number - 1]:04d}", squad=entry.code,
                squad_role=member.role.value, employment=member.employment.value,
                status=member.status.value, joined_on=joined_on, note=member.note,
                qualifications=[_qualification(cert, on, rng) for cert in member.certs])
