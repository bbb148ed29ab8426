"""The read side of kits: completeness of every box and readiness per module, as SQL aggregates.

A box's completeness (lines x balances in the box, summed per line, then per box) is stored in
`box_states` while it stays current (triggers invalidate it; stock expiring as days pass ends it)
and computed live, in the same statement, for the boxes whose stored state is not current.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, Integer, Select, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from warehouse.domain.kits import RESTING, KitStatus
from warehouse.models import (
    BoxState,
    Category,
    Item,
    Kit,
    KitEvent,
    KitLineSubstitute,
    KitTemplate,
    KitTemplateLine,
    Location,
    Lot,
    Module,
    ModuleRequirement,
    StockBalance,
)
from warehouse.queries.pagination import Page, paginate


class plus_days(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """SQL for a date plus a whole number of days (negative to go back), on SQLite and PostgreSQL alike."""

    type = Date()
    inherit_cache = True


@compiles(plus_days, "sqlite")
def _plus_days_sqlite(element, compiler, **kw):
    day, days = (compiler.process(arg, **kw) for arg in element.clauses)
    # SQLite's modifier takes a signed count: '5 days' and '-5 days' both read.
    return f"date({day}, ({days}) || ' days')"


@compiles(plus_days, "postgresql")
def _plus_days_postgresql(element, compiler, **kw):
    day, days = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST({day} AS DATE) + ({days}))"


def _line_items():
    """Each line's own item and its substitutes: the items that fill it."""
    return union_all(
        select(KitTemplateLine.id.label("line_id"), KitTemplateLine.item_id.label("item_id")),
        select(KitLineSubstitute.line_id, KitLineSubstitute.item_id),
    ).subquery("line_items")


def line_states(on: date) -> Select:
    """Per box and template line: par, units held and units usable (in date for the line).

    `last_usable` is the last day on which every lot usable today still is (None: none expires).
    """
    fills = _line_items()
    usable = or_(Lot.expires_on.is_(None),
                 Lot.expires_on >= plus_days(literal(on, Date), KitTemplateLine.min_shelf_days))
    return (
        select(Kit.id.label("kit_id"), KitTemplateLine.id.label("line_id"),
               KitTemplateLine.item_id, KitTemplateLine.par_quantity.label("par"),
               KitTemplateLine.min_shelf_days, KitTemplateLine.optional,
               KitTemplateLine.position,
               cast(func.coalesce(func.sum(StockBalance.quantity), 0), Integer).label("held"),
               cast(func.coalesce(func.sum(case((usable, StockBalance.quantity), else_=0)), 0),
                    Integer).label("usable"),
               func.min(case((and_(usable, Lot.expires_on.is_not(None)),
                              plus_days(Lot.expires_on, -KitTemplateLine.min_shelf_days))))
               .label("last_usable"))
        .join(KitTemplateLine, KitTemplateLine.template_id == Kit.template_id)
        .join(fills, fills.c.line_id == KitTemplateLine.id)
        .outerjoin(StockBalance, and_(StockBalance.location_id == Kit.location_id,
                                      StockBalance.item_id == fills.c.item_id,
                                      StockBalance.quantity > 0))
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .group_by(Kit.id, KitTemplateLine.id, KitTemplateLine.item_id,
                  KitTemplateLine.par_quantity, KitTemplateLine.min_shelf_days,
                  KitTemplateLine.optional, KitTemplateLine.position)
    )


def stale_boxes(on: date, kit_id: int | None = None) -> Select:
    """The ids of boxes (or of the one box) whose stored state is not current for the day."""
    stmt = (select(Kit.id).outerjoin(BoxState, BoxState.kit_id == Kit.id)
            .where(or_(BoxState.seen.is_(None), BoxState.seen != BoxState.version, BoxState.computed_on > on,
                       BoxState.valid_through < on)))
    return stmt if kit_id is None else stmt.where(Kit.id == kit_id)


def live_totals(on: date, boxes: Select) -> Select:
    """Compute, per box among `boxes` (a SELECT of kit ids), what box_states stores, and its version."""
    lines = line_states(on).where(Kit.id.in_(boxes)).subquery("live_lines")
    missing = case((lines.c.usable < lines.c.par, lines.c.par - lines.c.usable), else_=0)
    short = and_(lines.c.usable < lines.c.par, lines.c.optional.is_(False))
    per_box = (
        select(lines.c.kit_id, cast(func.sum(case((short, 1), else_=0)), Integer).label("short_lines"),
               cast(func.sum(case((short, missing), else_=0)), Integer).label("missing_units"),
               func.count().label("line_count"), func.min(lines.c.last_usable).label("valid_through"))
        .group_by(lines.c.kit_id).subquery("live_per_box")
    )
    expiry = (
        select(StockBalance.location_id, func.min(Lot.expires_on).label("earliest_expiry"))
        .join(Lot, Lot.id == StockBalance.lot_id)
        .join(Kit, Kit.location_id == StockBalance.location_id)
        .where(StockBalance.quantity > 0, Kit.id.in_(boxes))
        .group_by(StockBalance.location_id)
        .subquery("live_expiry")
    )
    return (
        select(Kit.id.label("kit_id"),
               cast(func.coalesce(per_box.c.short_lines, 0), Integer).label("short_lines"),
               cast(func.coalesce(per_box.c.missing_units, 0), Integer).label("missing_units"),
               cast(func.coalesce(per_box.c.line_count, 0), Integer).label("line_count"),
               expiry.c.earliest_expiry, per_box.c.valid_through, BoxState.version)
        .outerjoin(per_box, per_box.c.kit_id == Kit.id)
        .outerjoin(expiry, expiry.c.location_id == Kit.location_id)
        .outerjoin(BoxState, BoxState.kit_id == Kit.id)
        .where(Kit.id.in_(boxes))
    )


def kit_totals(on: date, kit_id: int | None = None):
    """A subquery per box (or one box): short lines (optional ones aside), missing units, lines, expiry.

    Stored states where current, live for the rest; `live` is 1 on the rows computed now.
    """
    current = and_(BoxState.seen == BoxState.version, BoxState.computed_on <= on,
                   or_(BoxState.valid_through.is_(None), BoxState.valid_through >= on))
    if kit_id is not None:
        current = and_(current, BoxState.kit_id == kit_id)
    stored = select(BoxState.kit_id, BoxState.short_lines, BoxState.missing_units, BoxState.line_count,
                    BoxState.earliest_expiry, literal(0).label("live")).where(current)
    fresh = live_totals(on, stale_boxes(on, kit_id)).subquery("fresh")
    computed = select(fresh.c.kit_id, fresh.c.short_lines, fresh.c.missing_units, fresh.c.line_count,
                      fresh.c.earliest_expiry, literal(1))
    return union_all(stored, computed).subquery("kit_totals")


def _last_inspection(kit_id: int | None = None):
    stmt = (select(KitEvent.kit_id, func.max(KitEvent.at).label("last_inspected_at"))
            .where(KitEvent.outcome.is_not(None))
            .group_by(KitEvent.kit_id))
    if kit_id is not None:
        stmt = stmt.where(KitEvent.kit_id == kit_id)
    return stmt.subquery("box_inspection")


def effective_status_expr(totals):
    """SQL for what a box is now: a resting box is ready or short by its contents today."""
    resting = Kit.status.in_([s.value for s in RESTING])
    complete = func.coalesce(totals.c.short_lines, 0) == 0
    return case(
        (and_(resting, complete), literal(KitStatus.READY.value)),
        (resting, literal(KitStatus.SHORT.value)),
        else_=Kit.status,
    )


# Each sort key orders by columns of the box list; `expiry` is the subquery with earliest_expiry.
KIT_SORTS = {
    "code": lambda expiry: (Kit.code,),
    "-code": lambda expiry: (Kit.code.desc(),),
    "expiry": lambda expiry: (expiry.c.earliest_expiry.is_(None), expiry.c.earliest_expiry, Kit.code),
    "module": lambda expiry: (Module.position, Kit.code),
}


def kit_stmt(on: date, *, module: str | None = None, template: str | None = None,
             status: str | None = None, ready: bool | None = None, q: str | None = None,
             location_id: int | None = None, sort: str = "code", kit_id: int | None = None) -> Select:
    """Boxes with template, module, places and live completeness, filtered by allowlisted keys.

    With kit_id, one box: its totals are computed for it alone, not for every box and then joined.
    """
    totals = kit_totals(on, kit_id)
    inspected = _last_inspection(kit_id)
    place = aliased(Location, name="place")
    home = aliased(Location, name="home")
    effective = effective_status_expr(totals).label("effective_status")
    stmt = (
        select(Kit.id, Kit.code, Kit.status, effective, Kit.status_changed_at,
               Kit.template_id, KitTemplate.code.label("template_code"),
               KitTemplate.name_zh.label("template_name_zh"),
               KitTemplate.name_en.label("template_name_en"),
               Category.code.label("category"),
               Kit.module_id, Module.code.label("module_code"),
               Module.name_zh.label("module_name_zh"), Module.name_en.label("module_name_en"),
               Kit.location_id, Kit.home_location_id, home.code.label("home_code"),
               place.parent_id.label("place_id"),
               func.coalesce(totals.c.short_lines, 0).label("short_lines"),
               func.coalesce(totals.c.missing_units, 0).label("missing_units"),
               func.coalesce(totals.c.line_count, 0).label("line_count"),
               totals.c.earliest_expiry, inspected.c.last_inspected_at)
        .join(KitTemplate, KitTemplate.id == Kit.template_id)
        .join(Category, Category.id == KitTemplate.category_id)
        .join(Module, Module.id == Kit.module_id)
        .join(place, place.id == Kit.location_id)
        .join(home, home.id == Kit.home_location_id)
        .outerjoin(totals, totals.c.kit_id == Kit.id)
        .outerjoin(inspected, inspected.c.kit_id == Kit.id)
    )
    if module:
        stmt = stmt.where(Module.code == module.strip().upper())
    if template:
        stmt = stmt.where(KitTemplate.code == template.strip().upper())
    if status:
        stmt = stmt.where(effective == status)
    if ready is not None:
        is_ready = effective == KitStatus.READY.value
        stmt = stmt.where(is_ready if ready else ~is_ready)
    if q:
        stmt = stmt.where(Kit.code.contains(q.strip().upper(), autoescape=True))
    if location_id is not None:
        stmt = stmt.where(Kit.home_location_id == location_id)
    return stmt.order_by(*KIT_SORTS[sort](totals))


def kit_page(session: Session, on: date, *, page: int = 1, per_page: int = 50, **filters) -> Page:
    """Return a page of boxes with their live completeness."""
    return paginate(session, kit_stmt(on, **filters), page, per_page, scalars=False)


def kit_row(session: Session, kit_id: int, on: date):
    """Return one box's summary row (as in the list)."""
    return session.execute(kit_stmt(on, kit_id=kit_id).where(Kit.id == kit_id)).one()


def kit_lines(session: Session, kit_id: int, on: date) -> list:
    """Return one box's lines against par, with each line's item, in template order."""
    lines = line_states(on).where(Kit.id == kit_id).subquery("lines")
    return session.execute(
        select(lines, Item.sku, Item.name_zh, Item.name_en, Item.unit, Item.tracking)
        .join(Item, Item.id == lines.c.item_id)
        .order_by(lines.c.position, lines.c.line_id)
    ).all()


def kit_contents(session: Session, location_id: int) -> list:
    """Return what is in a box per item and lot, with expiry, earliest first."""
    return session.execute(
        select(StockBalance.item_id, Item.sku, Item.name_zh, Item.name_en, Item.unit,
               StockBalance.lot_id, Lot.code.label("lot"), Lot.expires_on,
               Lot.next_inspection_on, StockBalance.quantity)
        .join(Item, Item.id == StockBalance.item_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.location_id == location_id, StockBalance.quantity > 0)
        .order_by(Lot.expires_on.is_(None), Lot.expires_on, Item.sku, Lot.code)
    ).all()


def kit_events(session: Session, kit_id: int, limit: int = 200) -> list[KitEvent]:
    """Return a box's status changes and inspections, newest first."""
    return list(session.scalars(select(KitEvent).where(KitEvent.kit_id == kit_id)
                                .order_by(KitEvent.at.desc(), KitEvent.id.desc()).limit(limit)))


@dataclass(frozen=True)
class TemplateReadiness:
    """One template within one module: boxes required and boxes in each state."""

    module_id: int
    template_id: int
    template_code: str
    template_name_zh: str
    template_name_en: str
    category: str
    required: int
    ready: int
    short: int
    deployed: int
    restocking: int  # returned or being restocked
    other: int  # assembling or quarantined

    @property
    def counted_ready(self) -> int:
        """Ready boxes that count towards the requirement (spares do not make up for others)."""
        return min(self.ready, self.required)

    def name(self, locale: str) -> str:
        return self.template_name_en if locale == "en" else self.template_name_zh


@dataclass(frozen=True)
class ModuleReadiness:
    """A module: its boxes required and in each state, summed over its templates."""

    module: Module
    templates: tuple[TemplateReadiness, ...]

    def _sum(self, name: str) -> int:
        return sum(getattr(t, name) for t in self.templates)

    @property
    def required(self) -> int:
        return self._sum("required")

    @property
    def ready(self) -> int:
        return self._sum("ready")

    @property
    def counted_ready(self) -> int:
        return self._sum("counted_ready")

    @property
    def short(self) -> int:
        return self._sum("short")

    @property
    def deployed(self) -> int:
        return self._sum("deployed")

    @property
    def restocking(self) -> int:
        return self._sum("restocking")

    @property
    def other(self) -> int:
        return self._sum("other")

    @property
    def percent(self) -> int:
        """Ready boxes that count, as a whole percentage of those required."""
        return round(100 * self.counted_ready / self.required) if self.required else 0


def module_readiness(session: Session, on: date, *, module_id: int | None = None,
                     include_inactive: bool = False) -> list[ModuleReadiness]:
    """Return every module with boxes required and boxes ready, short, out and in restock."""
    totals = kit_totals(on)
    effective = effective_status_expr(totals)
    boxes = (
        select(Kit.module_id, Kit.template_id, effective.label("status"))
        .outerjoin(totals, totals.c.kit_id == Kit.id)
        .where(Kit.status != KitStatus.RETIRED)
        .subquery("boxes")
    )

    def count(*states: KitStatus):
        return cast(func.coalesce(func.sum(case(
            (boxes.c.status.in_([s.value for s in states]), 1), else_=0)), 0), Integer)

    counts = (
        select(boxes.c.module_id, boxes.c.template_id,
               count(KitStatus.READY).label("ready"), count(KitStatus.SHORT).label("short"),
               count(KitStatus.DEPLOYED).label("deployed"),
               count(KitStatus.RETURNED, KitStatus.RESTOCKING).label("restocking"),
               count(KitStatus.ASSEMBLING, KitStatus.QUARANTINED).label("other"))
        .group_by(boxes.c.module_id, boxes.c.template_id)
        .subquery("counts")
    )
    stmt = (
        select(Module, ModuleRequirement.template_id, KitTemplate.code, KitTemplate.name_zh,
               KitTemplate.name_en, Category.code, ModuleRequirement.boxes_required,
               func.coalesce(counts.c.ready, 0), func.coalesce(counts.c.short, 0),
               func.coalesce(counts.c.deployed, 0), func.coalesce(counts.c.restocking, 0),
               func.coalesce(counts.c.other, 0))
        .select_from(Module)
        .outerjoin(ModuleRequirement, ModuleRequirement.module_id == Module.id)
        .outerjoin(KitTemplate, KitTemplate.id == ModuleRequirement.template_id)
        .outerjoin(Category, Category.id == KitTemplate.category_id)
        .outerjoin(counts, and_(counts.c.module_id == Module.id,
                                counts.c.template_id == ModuleRequirement.template_id))
        .order_by(Module.position, Module.code, KitTemplate.code)
    )
    if module_id is not None:
        stmt = stmt.where(Module.id == module_id)
    if not include_inactive:
        stmt = stmt.where(Module.active.is_(True))
    grouped: dict[int, tuple[Module, list[TemplateReadiness]]] = {}
    for module, template_id, *rest in session.execute(stmt):
        entry = grouped.setdefault(module.id, (module, []))
        if template_id is not None:
            entry[1].append(TemplateReadiness(module.id, template_id, *rest))
    return [ModuleReadiness(module, tuple(templates)) for module, templates in grouped.values()]


def template_stmt(*, module: str | None = None, category: str | None = None,
                  q: str | None = None, active: bool | None = True) -> Select:
    """Box templates with their line count and box count, filtered by allowlisted keys."""
    line_count = (select(func.count()).where(KitTemplateLine.template_id == KitTemplate.id)
                  .correlate(KitTemplate).scalar_subquery())
    box_count = (select(func.count()).where(Kit.template_id == KitTemplate.id,
                                            Kit.status != KitStatus.RETIRED)
                 .correlate(KitTemplate).scalar_subquery())
    stmt = (select(KitTemplate, line_count.label("line_count"), box_count.label("box_count"))
            .join(Category, Category.id == KitTemplate.category_id)
            .order_by(Category.position, KitTemplate.code))
    if module:
        stmt = stmt.where(KitTemplate.id.in_(
            select(ModuleRequirement.template_id).join(Module)
            .where(Module.code == module.strip().upper())))
    if category:
        stmt = stmt.where(Category.code == category.strip().upper())
    if q:
        text = q.strip()
        stmt = stmt.where(or_(KitTemplate.code.icontains(text, autoescape=True),
                              KitTemplate.name_zh.icontains(text, autoescape=True),
                              KitTemplate.name_en.icontains(text, autoescape=True)))
    if active is not None:
        stmt = stmt.where(KitTemplate.active.is_(active))
    return stmt


def template_lines(session: Session, template_id: int) -> list[KitTemplateLine]:
    """Return a template's lines with their items and substitutes loaded."""
    return list(session.scalars(select(KitTemplateLine)
                                .where(KitTemplateLine.template_id == template_id)
                                .order_by(KitTemplateLine.position, KitTemplateLine.id)))


def template_requirements(session: Session, template_id: int) -> list[ModuleRequirement]:
    """Return the modules a template serves and how many boxes each needs."""
    return list(session.scalars(select(ModuleRequirement).join(Module)
                                .where(ModuleRequirement.template_id == template_id)
                                .order_by(Module.position, Module.code)))


def modules(session: Session, *, include_inactive: bool = False) -> list[Module]:
    """Return the modules in display order."""
    stmt = select(Module).order_by(Module.position, Module.code)
    if not include_inactive:
        stmt = stmt.where(Module.active.is_(True))
    return list(session.scalars(stmt))
