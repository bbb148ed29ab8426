"""The read side of readiness: modules, shortfalls and their sources, the plan's targets, history.

Everything here is a fixed number of aggregate statements, whatever the number of boxes: box
states are grouped in SQL per module, template, zone and state, and shortfalls per module and item.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from warehouse.domain.kits import RESTING, KitStatus
from warehouse.domain.partners import (
    COUNTY_KINDS,
    DELIVERY_KINDS,
    DEPARTMENT_KINDS,
    EXPIRY_WARNING_DAYS,
    AgreementStatus,
    Source,
)
from warehouse.domain.readiness import (
    SHORTFALLS_SHOWN,
    TREND_DAYS,
    Gap,
    Level,
    PlanCheck,
    PlanMeasure,
    Thresholds,
    at_least,
    coverage,
    merge_gaps,
    named_present,
    rank_gaps,
)
from warehouse.domain.squads import Measure
from warehouse.domain.stock import LocationKind
from warehouse.models import (
    Agreement,
    BoxState,
    Category,
    District,
    Item,
    Kit,
    KitTemplate,
    KitTemplateLine,
    Location,
    Lot,
    Module,
    ModuleRequirement,
    Partner,
    PlanTarget,
    ReadinessSettings,
    ReadinessSnapshot,
    StaffingTarget,
    StockBalance,
    StockpileLine,
)
from warehouse.queries.kits import (
    ModuleReadiness,
    TemplateReadiness,
    effective_status_expr,
    kit_totals,
    line_states,
    stale_boxes,
)
from warehouse.queries.partners import SourceRow, in_force, reachable
from warehouse.queries.squads import staffing_report
from warehouse.queries.stock import counted_kind, stock_by_category
from warehouse.queries.tree import zone_id_of

# Which effective box states each readiness figure counts (as module_readiness counts them).
STATE_FIGURES = {
    "ready": (KitStatus.READY,),
    "short": (KitStatus.SHORT,),
    "deployed": (KitStatus.DEPLOYED,),
    "restocking": (KitStatus.RETURNED, KitStatus.RESTOCKING),
    "other": (KitStatus.ASSEMBLING, KitStatus.QUARANTINED),
}
FIGURE_OF = {status.value: name for name, states in STATE_FIGURES.items() for status in states}
# Loose stock: on a shelf or pallet spot, free to fill a box (not in a box, quarantined or out).
LOOSE_KINDS = (LocationKind.ZONE, LocationKind.RACK, LocationKind.BIN)


def thresholds(session: Session) -> Thresholds:
    """Return the colour thresholds in force (the plan's defaults if the row is missing)."""
    row = session.get(ReadinessSettings, 1)
    return Thresholds(row.good_percent, row.fair_percent) if row else Thresholds()


# --- modules ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sources:
    """Where a shortfall could come from: loose depot stock, departments' stockpiles, agreements."""

    loose: int
    stockpiles: Decimal
    stockpile_hours: int | None  # the fastest department's response time, if any has one
    committed: Decimal
    committed_per_day: Decimal
    agreement_hours: int | None  # the fastest agreement's response time
    rows: tuple[SourceRow, ...] = ()  # the stockpile and agreement lines behind the totals

    @property
    def outside(self) -> Decimal:
        """Units reachable outside the depot (a daily commitment counted once)."""
        return self.stockpiles + self.committed + self.committed_per_day


@dataclass(frozen=True)
class Shortfall:
    """Units of one item a module lacks, and where they could come from."""

    item: Item
    gap: Gap
    sources: Sources | None

    @property
    def missing(self) -> int:
        return self.gap.missing

    @property
    def covered_by_loose(self) -> bool:
        """Tell whether loose depot stock alone could fill the gap (restock, no call-in needed)."""
        return self.sources is not None and self.sources.loose >= self.gap.missing


@dataclass(frozen=True)
class ModuleStatus:
    """One module at a glance: boxes by state, percentage and colour, expiry and shortfalls."""

    readiness: ModuleReadiness
    level: Level
    earliest_expiry: date | None  # among its ready boxes
    unbuilt: int  # boxes required but not built at all
    shortfalls: tuple[Shortfall, ...]
    zones: tuple[str, ...] = ()  # codes of the zones its boxes are kept in

    @property
    def module(self) -> Module:
        return self.readiness.module

    @property
    def templates(self) -> tuple[TemplateReadiness, ...]:
        return self.readiness.templates

    @property
    def required(self) -> int:
        return self.readiness.required

    @property
    def ready(self) -> int:
        return self.readiness.ready

    @property
    def counted_ready(self) -> int:
        return self.readiness.counted_ready

    @property
    def short(self) -> int:
        return self.readiness.short

    @property
    def deployed(self) -> int:
        return self.readiness.deployed

    @property
    def restocking(self) -> int:
        return self.readiness.restocking

    @property
    def other(self) -> int:
        return self.readiness.other

    @property
    def percent(self) -> int:
        return self.readiness.percent


@dataclass
class Totals:
    """The reserve's modules added up."""

    required: int = 0
    ready: int = 0  # ready boxes that count towards a requirement
    short: int = 0
    deployed: int = 0
    restocking: int = 0
    unbuilt: int = 0
    percent: int = 0
    level: Level = Level.NONE
    levels: dict[Level, int] = field(default_factory=dict)  # modules per colour


@dataclass(frozen=True)
class Readiness:
    """Every active module's readiness on a day, with the thresholds that coloured it."""

    on: date
    thresholds: Thresholds
    modules: list[ModuleStatus]
    totals: Totals
    zones: dict[int, ZoneReadiness]
    live_boxes: int = 0  # boxes whose stored state was not current: worth a refresh



@dataclass(frozen=True)
class ZoneReadiness:
    """A zone of the floor: the boxes kept there, how many are ready, and its weakest module."""

    zone_id: int
    boxes: int
    ready: int
    modules: tuple[str, ...]
    level: Level  # the colour of the least ready module kept there


def _box_groups(session: Session, on: date) -> list:
    """Boxes grouped by module, template, zone and effective state, with the earliest expiry."""
    totals = kit_totals(on)
    home = aliased(Location, name="home")
    zone = aliased(Location, name="zone")
    boxes = (
        select(Kit.module_id, Kit.template_id, zone.id.label("zone_id"),
               effective_status_expr(totals).label("status"), totals.c.earliest_expiry, totals.c.live)
        .join(home, home.id == Kit.home_location_id)
        # A box's zone is the zone (or quarantine area) its home place lies in.
        .outerjoin(zone, and_(zone.id == zone_id_of(home.path),
                              zone.kind.in_((LocationKind.ZONE, LocationKind.QUARANTINE))))
        .outerjoin(totals, totals.c.kit_id == Kit.id)
        .where(Kit.status != KitStatus.RETIRED)
        .subquery("boxes")
    )
    return session.execute(
        select(boxes.c.module_id, boxes.c.template_id, boxes.c.zone_id, boxes.c.status,
               func.count().label("boxes"), func.min(boxes.c.earliest_expiry).label("earliest_expiry"),
               func.sum(boxes.c.live).label("live"))
        .group_by(boxes.c.module_id, boxes.c.template_id, boxes.c.zone_id, boxes.c.status)
    ).all()


def _requirements(session: Session, module_id: int | None) -> list:
    stmt = (
        select(Module, ModuleRequirement.template_id, KitTemplate.code, KitTemplate.name_zh,
               KitTemplate.name_en, Category.code, ModuleRequirement.boxes_required)
        .select_from(Module)
        .outerjoin(ModuleRequirement, ModuleRequirement.module_id == Module.id)
        .outerjoin(KitTemplate, KitTemplate.id == ModuleRequirement.template_id)
        .outerjoin(Category, Category.id == KitTemplate.category_id)
        .where(Module.active.is_(True))
        .order_by(Module.position, Module.code, KitTemplate.code)
    )
    if module_id is not None:
        stmt = stmt.where(Module.id == module_id)
    return session.execute(stmt).all()


def _gaps_in_boxes(session: Session, on: date, module_id: int | None) -> list:
    """(module, item, units missing, boxes lacking) over boxes resting in the depot."""
    # Only boxes stored as short, or whose stored state is not current, can lack anything.
    candidates = stale_boxes(on).union(select(BoxState.kit_id).where(BoxState.short_lines > 0))
    stmt = line_states(on).add_columns(Kit.module_id.label("module_id")).group_by(Kit.module_id).where(
        Kit.status.in_([s.value for s in RESTING]), Kit.id.in_(candidates))
    if module_id is not None:
        stmt = stmt.where(Kit.module_id == module_id)
    lines = stmt.subquery("lines")
    short = and_(lines.c.usable < lines.c.par, lines.c.optional.is_(False))
    return session.execute(
        select(lines.c.module_id, lines.c.item_id,
               cast(func.sum(lines.c.par - lines.c.usable), Integer), func.count())
        .where(short).group_by(lines.c.module_id, lines.c.item_id)
    ).all()


def _gaps_unbuilt(session: Session, module_id: int | None) -> list:
    """(module, item, units) of the boxes a module requires but has not built."""
    built = (select(Kit.module_id, Kit.template_id, func.count().label("n"))
             .where(Kit.status != KitStatus.RETIRED)
             .group_by(Kit.module_id, Kit.template_id).subquery("built"))
    unbuilt = ModuleRequirement.boxes_required - func.coalesce(built.c.n, 0)
    stmt = (
        select(ModuleRequirement.module_id, KitTemplateLine.item_id,
               cast(func.sum(KitTemplateLine.par_quantity * unbuilt), Integer))
        .join(KitTemplateLine, KitTemplateLine.template_id == ModuleRequirement.template_id)
        .outerjoin(built, and_(built.c.module_id == ModuleRequirement.module_id,
                               built.c.template_id == ModuleRequirement.template_id))
        .where(unbuilt > 0, KitTemplateLine.optional.is_(False))
        .group_by(ModuleRequirement.module_id, KitTemplateLine.item_id)
    )
    if module_id is not None:
        stmt = stmt.where(ModuleRequirement.module_id == module_id)
    return session.execute(stmt).all()


def loose_stock(session: Session, on: date, item_ids) -> dict[int, int]:
    """Return each item's usable units on shelves and pallet spots (not in boxes): what can fill a box."""
    if not item_ids:
        return {}
    kind = counted_kind()
    rows = session.execute(
        select(StockBalance.item_id, func.sum(StockBalance.quantity))
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.item_id.in_(sorted(item_ids)), StockBalance.quantity > 0,
               kind.in_([k.value for k in LOOSE_KINDS]), or_(Lot.expires_on.is_(None), Lot.expires_on >= on))
        .group_by(StockBalance.item_id))
    return {item_id: int(units) for item_id, units in rows}


def _sources(session: Session, on: date, item_ids: set[int]) -> tuple[dict[int, Item], dict[int, Sources]]:
    """Return the items and, per item, where it could come from: six statements for all of them."""
    if not item_ids:
        return {}, {}
    found = reachable(session, on=on, item_ids=item_ids)
    loose = loose_stock(session, on, item_ids)
    items = {entry.item.id: entry.item for entry in found.items}
    by_item: dict[int, list[SourceRow]] = defaultdict(list)
    for row in found.sources:
        if row.source != Source.DEPOT and row.item is not None and row.counted:
            by_item[row.item.id].append(row)

    def fastest(rows, source):
        hours = [r.response_hours for r in rows if r.source == source and r.response_hours is not None]
        return min(hours) if hours else None

    sources = {}
    for entry in found.items:
        rows = by_item[entry.item.id]
        sources[entry.item.id] = Sources(
            loose=loose.get(entry.item.id, 0), stockpiles=entry.reach.stockpiles,
            stockpile_hours=fastest(rows, Source.STOCKPILE), committed=entry.reach.committed,
            committed_per_day=entry.reach.committed_per_day, agreement_hours=fastest(rows, Source.AGREEMENT),
            rows=tuple(rows))
    return items, sources


def readiness(session: Session, on: date, *, module_id: int | None = None,
              shortfalls: int = SHORTFALLS_SHOWN, with_sources: bool = True) -> Readiness:
    """Return every active module's readiness (or one module's), with its top shortfalls."""
    levels = thresholds(session)
    groups = _box_groups(session, on)
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATE_FIGURES, 0))
    expiry: dict[int, date] = {}
    zone_boxes: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    live_boxes = 0
    for group in groups:
        live_boxes += group.live or 0
        counts[group.module_id, group.template_id][FIGURE_OF[group.status]] += group.boxes
        ready = group.status == KitStatus.READY.value
        if ready and group.earliest_expiry is not None:
            current = expiry.get(group.module_id)
            expiry[group.module_id] = (min(current, group.earliest_expiry) if current
                                       else group.earliest_expiry)
        if group.zone_id is not None:
            entry = zone_boxes[group.zone_id][group.module_id]
            entry[0] += group.boxes
            entry[1] += group.boxes if ready else 0

    grouped: dict[int, tuple[Module, list[TemplateReadiness]]] = {}
    for module, template_id, code, name_zh, name_en, category, required in _requirements(session, module_id):
        entry = grouped.setdefault(module.id, (module, []))
        if template_id is not None:
            figures = counts.get((module.id, template_id), dict.fromkeys(STATE_FIGURES, 0))
            entry[1].append(TemplateReadiness(module.id, template_id, code, name_zh, name_en, category,
                                              required, **figures))

    gaps: dict[int, list[Gap]] = defaultdict(list)
    if shortfalls:
        in_boxes = defaultdict(list)
        for mod, item_id, units, boxes in _gaps_in_boxes(session, on, module_id):
            in_boxes[mod].append((item_id, units, boxes))
        unbuilt = defaultdict(list)
        for mod, item_id, units in _gaps_unbuilt(session, module_id):
            unbuilt[mod].append((item_id, units))
        for mod in grouped:
            gaps[mod] = rank_gaps(merge_gaps(in_boxes[mod], unbuilt[mod]), shortfalls)
    wanted = {gap.item_id for top in gaps.values() for gap in top}
    if with_sources:
        items, sources = _sources(session, on, wanted)
    else:
        items = {item.id: item for item in session.scalars(select(Item).where(Item.id.in_(sorted(wanted))))} \
            if wanted else {}
        sources = {}

    zone_codes = {zone_id: code for zone_id, code in session.execute(
        select(Location.id, Location.code).where(Location.id.in_(sorted(zone_boxes))))} if zone_boxes else {}
    modules = []
    for module, templates in grouped.values():
        state = ModuleReadiness(module, tuple(templates))
        missing_boxes = sum(max(0, t.required - (t.ready + t.short + t.deployed + t.restocking + t.other))
                            for t in templates)
        modules.append(ModuleStatus(
            readiness=state, level=levels.level(state.required, state.percent),
            earliest_expiry=expiry.get(module.id), unbuilt=missing_boxes,
            shortfalls=tuple(Shortfall(items[g.item_id], g, sources.get(g.item_id)) for g in gaps[module.id]
                             if g.item_id in items),
            zones=tuple(sorted(zone_codes[z] for z, per_module in zone_boxes.items()
                               if module.id in per_module))))

    totals = Totals()
    for status in modules:
        totals.required += status.required
        totals.ready += status.counted_ready
        totals.short += status.short
        totals.deployed += status.deployed
        totals.restocking += status.restocking
        totals.unbuilt += status.unbuilt
        totals.levels[status.level] = totals.levels.get(status.level, 0) + 1
    totals.percent = round(100 * totals.ready / totals.required) if totals.required else 0
    totals.level = levels.level(totals.required, totals.percent)

    by_module = {status.module.id: status for status in modules}
    order = {Level.POOR: 0, Level.FAIR: 1, Level.GOOD: 2, Level.NONE: 3}
    zones = {}
    for zone_id, per_module in zone_boxes.items():
        kept = [by_module[m] for m in per_module if m in by_module]
        worst = min((s.level for s in kept), key=order.__getitem__, default=Level.NONE)
        zones[zone_id] = ZoneReadiness(zone_id, sum(v[0] for v in per_module.values()),
                                       sum(v[1] for v in per_module.values()),
                                       tuple(sorted(s.module.code for s in kept)), worst)
    return Readiness(on, levels, modules, totals, zones, live_boxes)


# --- across the reserve -----------------------------------------------------------------------

@dataclass(frozen=True)
class AgreementCounts:
    """Agreements by standing on a day, and the county/district coverage they give."""

    in_force: int
    expiring: int  # in force, ending within the warning days
    expired: int  # marked expired, or still marked active past their end
    pending: int  # active, not started
    draft: int
    terminated: int


def agreement_counts(session: Session, on: date) -> AgreementCounts:
    """Count agreements by standing in one statement (active partners' and others' alike)."""
    active = Agreement.status == AgreementStatus.ACTIVE
    warning = on + timedelta(days=EXPIRY_WARNING_DAYS)

    def count(condition):
        return cast(func.coalesce(func.sum(case((condition, 1), else_=0)), 0), Integer)

    row = session.execute(select(
        count(in_force(on)),
        count(and_(in_force(on), Agreement.valid_to <= warning)),
        count(or_(Agreement.status == AgreementStatus.EXPIRED, and_(active, Agreement.valid_to < on))),
        count(and_(active, Agreement.valid_from > on)),
        count(Agreement.status == AgreementStatus.DRAFT),
        count(Agreement.status == AgreementStatus.TERMINATED),
    )).one()
    return AgreementCounts(*row)


@dataclass(frozen=True)
class ExpirySummary:
    """Materials held in the depot past or near their expiry."""

    expired_lots: int
    expired_units: int
    expiring_lots: int
    expiring_units: int
    days: int
    soonest: list  # rows: item, lot, expiry, units held, place


def expiry_summary(session: Session, on: date, *, days: int = 30, limit: int = 8) -> ExpirySummary:
    """Count expired and soon-expiring held stock, and list the soonest lots: two statements."""
    kind = counted_kind()
    held = kind.in_([k.value for k in (*LOOSE_KINDS, LocationKind.KIT, LocationKind.QUARANTINE)])
    until = on + timedelta(days=days)
    base = (select(StockBalance.item_id, StockBalance.lot_id, StockBalance.location_id, StockBalance.quantity,
                   Lot.expires_on)
            .join(Lot, Lot.id == StockBalance.lot_id)
            .join(Location, Location.id == StockBalance.location_id)
            .where(StockBalance.quantity > 0, Lot.expires_on.is_not(None), Lot.expires_on <= until, held)
            .subquery("near"))
    expired = base.c.expires_on < on

    def total(condition, value):
        return cast(func.coalesce(func.sum(case((condition, value), else_=0)), 0), Integer)

    figures = session.execute(select(
        func.count(func.distinct(case((expired, base.c.lot_id)))), total(expired, base.c.quantity),
        func.count(func.distinct(case((~expired, base.c.lot_id)))), total(~expired, base.c.quantity),
    )).one()
    soonest = session.execute(
        select(Item.id.label("item_id"), Item.sku, Item.name_zh, Item.name_en, Item.unit,
               Lot.code.label("lot"), base.c.expires_on,
               cast(func.sum(base.c.quantity), Integer).label("units"),
               func.min(Location.code).label("place"), func.count().label("places"))
        .select_from(base)
        .join(Item, Item.id == base.c.item_id)
        .join(Lot, Lot.id == base.c.lot_id)
        .join(Location, Location.id == base.c.location_id)
        .group_by(Item.id, Item.sku, Item.name_zh, Item.name_en, Item.unit, Lot.code, base.c.expires_on)
        .order_by(base.c.expires_on, Item.sku, Lot.code)
        .limit(limit)
    ).all()
    return ExpirySummary(*figures, days=days, soonest=soonest)


# --- the plan's targets -----------------------------------------------------------------------

@dataclass(frozen=True)
class PlanRow:
    """A target of the plan with its check against today's data; staffing ones come from squads."""

    target: PlanTarget | StaffingTarget
    check: PlanCheck

    @property
    def staffing(self) -> bool:
        return isinstance(self.target, StaffingTarget)

    @property
    def code(self) -> str:
        return self.check.code


def _depot_area(session: Session) -> float:
    area = session.scalar(select(func.coalesce(func.sum(Location.area_m2), 0.0))
                          .where(Location.kind == LocationKind.DEPOT, Location.active.is_(True)))
    return round(float(area or 0), 1)


def _categories_stocked(categories: list) -> tuple[list[str], list[str]]:
    """All category codes, and those holding usable stock with some item given a minimum level."""
    return ([row.code for row in categories],
            [row.code for row in categories if row.with_minimum and row.available > 0])


def _modules_defined(session: Session) -> set[str]:
    return set(session.scalars(select(Module.code).where(
        Module.active.is_(True), Module.id.in_(select(ModuleRequirement.module_id)))))


def _kinds_with_stockpiles(session: Session) -> set[str]:
    return {kind.value for kind in session.scalars(
        select(Partner.kind).distinct().join(StockpileLine, StockpileLine.partner_id == Partner.id)
        .where(Partner.active.is_(True), StockpileLine.quantity > 0))}


def _agreements_in_force(session: Session, on: date) -> list:
    """(district code, city level, partner kind) of every in-force agreement of an active partner."""
    return session.execute(
        select(District.code, District.city_level, Partner.kind).distinct()
        .join(Partner, Partner.district_id == District.id)
        .join(Agreement, Agreement.partner_id == Partner.id)
        .where(in_force(on), Partner.active.is_(True))).all()


def plan_checks(session: Session, on: date, *, categories: list | None = None,
                staffing=None) -> list[PlanRow]:
    """Measure every plan target against the data on a day: nine statements in all, fewer when
    the caller passes what it has read already (the day's `stock_by_category` rows and
    `staffing_report`)."""
    targets = {t.measure: t for t in session.scalars(select(PlanTarget).order_by(PlanTarget.position))}
    signed = _agreements_in_force(session, on)
    rows: list[PlanRow] = []
    for measure, target in targets.items():
        plan = target.plan_threshold
        if measure is PlanMeasure.DEPOT_AREA:
            check = at_least(measure.value, measure, target.threshold, _depot_area(session),
                             plan_threshold=plan)
        elif measure is PlanMeasure.CATEGORIES:
            every, stocked = _categories_stocked(categories if categories is not None
                                                 else stock_by_category(session, on))
            check = named_present(measure.value, measure, target.threshold, every, stocked, plan)
        elif measure is PlanMeasure.MODULES:
            check = named_present(measure.value, measure, target.threshold, target.scope.split(),
                                  _modules_defined(session), plan)
        elif measure is PlanMeasure.STOCKPILES:
            check = named_present(measure.value, measure, target.threshold,
                                  [k.value for k in DEPARTMENT_KINDS],
                                  _kinds_with_stockpiles(session), plan)
        elif measure is PlanMeasure.COUNTY_AGREEMENTS:
            places = list(session.scalars(select(District.code).where(District.city_level.is_(False))
                                          .order_by(District.position, District.code)))
            check = coverage(measure.value, target.threshold, places, [k.value for k in COUNTY_KINDS],
                             [(code, kind.value) for code, city, kind in signed if not city], plan)
        else:
            check = named_present(measure.value, measure, target.threshold, [k.value for k in DELIVERY_KINDS],
                                  {kind.value for _code, _city, kind in signed}, plan)
        rows.append(PlanRow(target, check))
    report = staffing if staffing is not None else staffing_report(session, on)
    for target, assessment in report.assessments:
        share = target.measure is Measure.SHARE
        actual = (round(assessment.percent, 1) if share and assessment.percent is not None
                  else assessment.actual)
        rows.append(PlanRow(target, PlanCheck(
            target.code, target.measure.value, target.threshold, actual, assessment.passed,
            "%" if share else "", assessment.base if share else None, target.plan_threshold)))
    return rows


# --- history ----------------------------------------------------------------------------------

def has_snapshot(session: Session, on: date) -> bool:
    """Tell whether the day's readiness has been recorded."""
    return session.scalar(select(literal(1)).where(ReadinessSnapshot.day == on).limit(1)) is not None


def history(session: Session, until: date, *, days: int = TREND_DAYS,
            module_id: int | None = None) -> dict[int, list]:
    """Return each module's snapshots over the `days` up to `until`, oldest first, as plain rows
    (day, required, ready, short, deployed, restocking, percent)."""
    snap = ReadinessSnapshot
    stmt = (select(snap.module_id, snap.day, snap.required, snap.ready, snap.short, snap.deployed,
                   snap.restocking, snap.percent)
            .where(snap.day > until - timedelta(days=days), snap.day <= until)
            .order_by(snap.module_id, snap.day))
    if module_id is not None:
        stmt = stmt.where(snap.module_id == module_id)
    found: dict[int, list] = defaultdict(list)
    for row in session.execute(stmt):
        found[row.module_id].append(row)
    return found


# --- drill-down -------------------------------------------------------------------------------

def short_lines(session: Session, on: date, module_id: int) -> list:
    """Return every short line of a module's boxes resting in the depot, in one statement.

    Rows: kit_id, kit_code, line_id, item_id, sku, name_zh, name_en, unit, par, held, usable,
    missing; by box code, then template order. Optional lines do not make a box short and are left out.
    """
    lines = (line_states(on).where(Kit.module_id == module_id, Kit.status.in_([s.value for s in RESTING]))
             .subquery("lines"))
    return session.execute(
        select(lines.c.kit_id, Kit.code.label("kit_code"), lines.c.line_id, lines.c.item_id,
               Item.sku, Item.name_zh, Item.name_en, Item.unit, lines.c.par, lines.c.held,
               lines.c.usable, (lines.c.par - lines.c.usable).label("missing"))
        .join(Kit, Kit.id == lines.c.kit_id)
        .join(Item, Item.id == lines.c.item_id)
        .where(lines.c.usable < lines.c.par, lines.c.optional.is_(False))
        .order_by(Kit.code, lines.c.position, lines.c.line_id)
    ).all()
