"""The read side of stock: lists, reports and the floor plan, as SQL aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased, contains_eager

from warehouse.domain.stock import (
    LocationKind,
    Reason,
    StockStatus,
    Tracking,
    fefo_order,
)
from warehouse.models import Category, Item, Location, Lot, StockBalance, StockMovement, User
from warehouse.queries.pagination import KeysetPage, Page, keyset_page, paginate
from warehouse.queries.tree import lies_under, zone_id_of
from warehouse.services.stock import pick_candidates
from warehouse.timezone import today

# Stock that counts as held by the depot (kits inside it too); deployed stock is out, and so is
# a box checked out to a deployment (see counted_kind).
HELD_KINDS = (LocationKind.ZONE, LocationKind.RACK, LocationKind.BIN, LocationKind.KIT,
              LocationKind.QUARANTINE)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def counted_kind(location=Location):
    """SQL for the kind a balance counts as: a box checked out counts as deployed, like its deployment.

    The box keeps its own location (kind kit) and hangs under the deployment's; its parent is
    tested against the set of deployed locations, an uncorrelated subquery the database runs
    once per statement rather than once per row.
    """
    out = aliased(Location, name="out_place")
    in_deployed_box = and_(location.kind == LocationKind.KIT,
                           location.parent_id.in_(select(out.id).where(out.kind == LocationKind.DEPLOYED)))
    return case((in_deployed_box, literal(LocationKind.DEPLOYED.value)), else_=location.kind)


def held_expr(kind=None):
    """SQL for a balance's units the depot holds (in storage, boxes or quarantine, not out)."""
    kind = counted_kind() if kind is None else kind
    return case((kind.in_(HELD_KINDS), StockBalance.quantity), else_=0)


def status_expr(on: date, kind=None):
    """SQL for a balance's status, from its lot's expiry and the kind it counts as."""
    kind = counted_kind() if kind is None else kind
    return case(
        (and_(Lot.expires_on.is_not(None), Lot.expires_on < on), literal(StockStatus.EXPIRED.value)),
        (kind == LocationKind.QUARANTINE, literal(StockStatus.QUARANTINED.value)),
        (kind == LocationKind.DEPLOYED, literal(StockStatus.DEPLOYED.value)),
        else_=literal(StockStatus.AVAILABLE.value),
    )


def available_expr(on: date, kind=None):
    """SQL for the part of a balance that can be used: held, in date, not quarantined."""
    kind = counted_kind() if kind is None else kind
    usable = and_(kind.in_(HELD_KINDS), kind != LocationKind.QUARANTINE,
                  or_(Lot.expires_on.is_(None), Lot.expires_on >= on))
    return case((usable, StockBalance.quantity), else_=0)


def available_by_item(on: date, items: Select | None = None):
    """A subquery: each item's usable quantity in the depot (only of `items`, a SELECT of ids, if given)."""
    kind = counted_kind()
    stmt = (
        select(StockBalance.item_id.label("item_id"),
               func.sum(available_expr(on, kind)).label("available"),
               func.sum(held_expr(kind)).label("on_hand"))
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .group_by(StockBalance.item_id)
    )
    if items is not None:
        # Summing only the items asked for, not every balance of the reserve and then picking.
        stmt = stmt.where(StockBalance.item_id.in_(items))
    return stmt.subquery("stock_totals")


# --- items ------------------------------------------------------------------------------------

ITEM_SORTS = {
    "sku": lambda t: (Item.sku,),
    "-sku": lambda t: (Item.sku.desc(),),
    "name": lambda t: (Item.name_zh, Item.sku),
    "category": lambda t: (Category.position, Item.sku),
    "available": lambda t: (func.coalesce(t.c.available, 0), Item.sku),
    "-available": lambda t: (func.coalesce(t.c.available, 0).desc(), Item.sku),
}


def item_stmt(*, q: str | None = None, category: str | None = None, tracking: str | None = None,
              active: bool | None = None, below_minimum: bool | None = None,
              sort: str = "sku", on: date | None = None) -> Select:
    """Items with their available and on-hand quantities, filtered and sorted by allowlisted keys."""
    totals = available_by_item(on or today())
    available = func.coalesce(totals.c.available, 0)
    stmt = (
        select(Item, available.label("available"),
               func.coalesce(totals.c.on_hand, 0).label("on_hand"))
        .join(Category, Category.id == Item.category_id)
        .outerjoin(totals, totals.c.item_id == Item.id)
        # The category join above also fills item.category: no second join for the eager load.
        .options(contains_eager(Item.category))
        .order_by(*ITEM_SORTS[sort](totals))
    )
    if q:
        pattern = _like(q.strip().lower())
        stmt = stmt.where(or_(func.lower(Item.sku).like(pattern, escape="\\"),
                              Item.name_zh.like(pattern, escape="\\"),
                              func.lower(Item.name_en).like(pattern, escape="\\")))
    if category:
        stmt = stmt.where(Category.code == category.upper())
    if tracking:
        stmt = stmt.where(Item.tracking == Tracking(tracking))
    if active is not None:
        stmt = stmt.where(Item.active.is_(active))
    if below_minimum is not None:
        short = available < Item.min_level
        stmt = stmt.where(short if below_minimum else ~short)
    return stmt


def item_page(session: Session, *, page: int = 1, per_page: int = 50, **filters) -> Page:
    """Return a page of item rows (item, available, on_hand)."""
    return paginate(session, item_stmt(**filters), page, per_page, scalars=False)


def item_row(session: Session, item_id: int):
    """Return one item's row (item, available, on_hand), or None."""
    return session.execute(item_stmt().where(Item.id == item_id)).first()


def item_lots(session: Session, item_id: int) -> list:
    """Return an item's lots, first expiry first, with the units the depot holds of each."""
    held = func.coalesce(func.sum(held_expr()), 0)
    return session.execute(
        select(Lot.id, Lot.code, Lot.expires_on, Lot.received_on, Lot.next_inspection_on,
               Lot.supplier_ref, held.label("on_hand"))
        .outerjoin(StockBalance, StockBalance.lot_id == Lot.id)
        .outerjoin(Location, Location.id == StockBalance.location_id)
        .where(Lot.item_id == item_id)
        .group_by(Lot.id)
        .order_by(Lot.expires_on.is_(None), Lot.expires_on, Lot.code)
    ).all()


# --- stock ------------------------------------------------------------------------------------

STOCK_SORTS = {
    "location": (Location.code, Item.sku, Lot.code),
    "item": (Item.sku, Lot.expires_on, Location.code),
    "expires_on": (Lot.expires_on.is_(None), Lot.expires_on, Item.sku, Location.code),
    "-quantity": (StockBalance.quantity.desc(), Item.sku),
    "quantity": (StockBalance.quantity, Item.sku),
}


def stock_stmt(*, item_id: int | None = None, location_id: int | None = None,
               category: str | None = None, lot: str | None = None,
               expiring_within_days: int | None = None, below_minimum: bool | None = None,
               status: str | None = None, q: str | None = None, sort: str = "location",
               on: date | None = None, session: Session | None = None) -> Select:
    """Balances above zero with their item, lot, location and status."""
    on = on or today()
    kind = counted_kind()
    status_value = status_expr(on, kind)
    stmt = (
        select(StockBalance.id, StockBalance.quantity, StockBalance.updated_at,
               Item.id.label("item_id"), Item.sku, Item.name_zh, Item.name_en, Item.unit,
               Category.code.label("category"),
               Lot.id.label("lot_id"), Lot.code.label("lot"), Lot.expires_on,
               Lot.next_inspection_on,
               Location.id.label("location_id"), Location.code.label("location_code"),
               Location.name.label("location_name"), Location.kind.label("location_kind"),
               status_value.label("status"))
        .join(Item, Item.id == StockBalance.item_id)
        .join(Category, Category.id == Item.category_id)
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.quantity > 0)
        .order_by(*STOCK_SORTS[sort], StockBalance.id)
    )
    if item_id is not None:
        stmt = stmt.where(StockBalance.item_id == item_id)
    if location_id is not None:
        # A location's stock includes everything below it (racks, bins, boxes).
        subtree = select(Location.path).where(Location.id == location_id).scalar_subquery()
        stmt = stmt.where(Location.path.startswith(subtree))
    if category:
        stmt = stmt.where(Category.code == category.upper())
    if lot:
        stmt = stmt.where(Lot.code == lot.strip())
    if expiring_within_days is not None:
        # Asked as "among the lots expiring by then" so that the lots are found through their
        # expiry index and their balances through the lot index, not by reading every balance.
        until = on + timedelta(days=expiring_within_days)
        stmt = stmt.where(StockBalance.lot_id.in_(select(Lot.id).where(Lot.expires_on <= until)),
                          Lot.expires_on.is_not(None), Lot.expires_on <= until,
                          kind != LocationKind.DEPLOYED)
    if below_minimum is not None:
        totals = available_by_item(on)
        short = func.coalesce(
            select(totals.c.available).where(totals.c.item_id == Item.id).scalar_subquery(), 0
        ) < Item.min_level
        stmt = stmt.where(short if below_minimum else ~short)
    if status:
        stmt = stmt.where(status_value == StockStatus(status).value)
    if q:
        pattern = _like(q.strip().lower())
        stmt = stmt.where(or_(func.lower(Item.sku).like(pattern, escape="\\"),
                              Item.name_zh.like(pattern, escape="\\"),
                              func.lower(Item.name_en).like(pattern, escape="\\"),
                              func.lower(Lot.code).like(pattern, escape="\\")))
    return stmt


def stock_page(session: Session, *, page: int = 1, per_page: int = 50, **filters) -> Page:
    """Return a page of stock rows."""
    return paginate(session, stock_stmt(**filters), page, per_page, scalars=False)


# --- reports ----------------------------------------------------------------------------------

BELOW_MINIMUM_SORTS = {
    "shortfall": lambda short: (short.desc(), Item.sku),
    "sku": lambda short: (Item.sku,),
    "category": lambda short: (Category.position, short.desc(), Item.sku),
}


def below_minimum_stmt(*, category: str | None = None, sort: str = "shortfall",
                       on: date | None = None) -> Select:
    """Active items whose usable quantity is under their minimum, with the shortfall."""
    totals = available_by_item(on or today())
    available = func.coalesce(totals.c.available, 0)
    shortfall = (Item.min_level - available)
    stmt = (
        select(Item.id.label("item_id"), Item.sku, Item.name_zh, Item.name_en, Item.unit,
               Category.code.label("category"), Item.min_level, available.label("available"),
               shortfall.label("shortfall"))
        .join(Category, Category.id == Item.category_id)
        .outerjoin(totals, totals.c.item_id == Item.id)
        .where(Item.active.is_(True), available < Item.min_level)
        .order_by(*BELOW_MINIMUM_SORTS[sort](shortfall))
    )
    if category:
        stmt = stmt.where(Category.code == category.upper())
    return stmt


def below_minimum_page(session: Session, *, page: int = 1, per_page: int = 50, **filters) -> Page:
    """Return a page of the below-minimum report."""
    return paginate(session, below_minimum_stmt(**filters), page, per_page, scalars=False)


def stock_by_category(session: Session, on: date | None = None) -> list:
    """Per category: active items, those given a minimum level, units held, usable and expired, and
    active items below their minimum; one pass over the balances, summed per item, then per category."""
    on = on or today()
    kind = counted_kind()
    expired = case((and_(Lot.expires_on.is_not(None), Lot.expires_on < on,
                         kind.in_(HELD_KINDS)), StockBalance.quantity), else_=0)
    per_item = (
        select(StockBalance.item_id.label("item_id"), func.sum(held_expr(kind)).label("held"),
               func.sum(available_expr(on, kind)).label("available"), func.sum(expired).label("expired"))
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .group_by(StockBalance.item_id).subquery("per_item")
    )
    active = Item.active.is_(True)

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    def total(column):
        return func.coalesce(func.sum(column), 0)

    return session.execute(
        select(Category.code, Category.name_zh, Category.name_en,
               count(active).label("items"),
               count(and_(active, Item.min_level > 0)).label("with_minimum"),
               total(per_item.c.held).label("held"),
               total(per_item.c.available).label("available"),
               total(per_item.c.expired).label("expired"),
               count(and_(active, func.coalesce(per_item.c.available, 0) < Item.min_level))
               .label("below_minimum"))
        .select_from(Category)
        .outerjoin(Item, Item.category_id == Category.id)
        .outerjoin(per_item, per_item.c.item_id == Item.id)
        .group_by(Category.id, Category.code, Category.name_zh, Category.name_en, Category.position)
        .order_by(Category.position)
    ).all()


def zone_usage(session: Session, depot_id: int | None = None) -> list:
    """Per zone: area, floor space used by locations holding stock, units, items and rectangle.

    Two statements whatever the depot's size. A place's zone is read from its path (a depot's
    child, see queries/tree.py); only quarantine areas inside a zone, if any, are matched by path
    prefix. With a depot, only places under it are read, through the path index. The places with
    stock at or beneath them are found by climbing parent links from the stocked places (a
    recursive CTE), instead of testing every place against every stocked place.
    """
    zone = aliased(Location, name="zone")
    shown = [zone.kind.in_((LocationKind.ZONE, LocationKind.QUARANTINE)), zone.active.is_(True)]
    depot_path = None
    if depot_id is not None:
        shown.append(zone.parent_id == depot_id)
        depot_path = session.scalar(select(Location.path).where(Location.id == depot_id))
    # Areas inside a zone (a quarantine corner): their places count in the zone and in the area.
    nested = (select(zone.id, zone.path).where(*shown, zone.id != zone_id_of(zone.path))
              .cte("nested_areas"))

    def in_depot(place_id) -> list:
        # Asked as "among the depot's places" so that SQLite reads those through the path index
        # and their stock through the location index, not every balance of the province.
        if depot_path is None:
            return []
        return [place_id.in_(select(Location.id).where(lies_under(Location.path, depot_path)))]

    def per_zone(stmt: Select, place) -> Select:
        """The statement's rows with the zone their place lies in, and again for a nested area."""
        return union_all(stmt.add_columns(zone_id_of(place.path).label("zone_id")),
                         stmt.add_columns(nested.c.id).join(nested, place.path.startswith(nested.c.path)))

    stocked = (select(StockBalance.location_id.label("id"))
               .where(StockBalance.quantity > 0, *in_depot(StockBalance.location_id))
               .cte("stocked", recursive=True))
    up = aliased(Location, name="up")
    stocked = stocked.union(select(up.parent_id).join(stocked, up.id == stocked.c.id)
                            .where(up.parent_id.is_not(None)))
    # Floor space is used by a rack, pallet spot or box with stock anywhere inside it.
    inner = aliased(Location, name="inner")
    used = per_zone(select(inner.footprint_m2).where(inner.footprint_m2.is_not(None), inner.active.is_(True),
                                                     inner.id.in_(select(stocked.c.id))), inner).subquery()
    used = (select(used.c.zone_id, func.sum(used.c.footprint_m2).label("used_m2"))
            .group_by(used.c.zone_id).subquery("used"))
    holder = aliased(Location, name="holder")
    held = per_zone(select(StockBalance.item_id, StockBalance.quantity)
                    .join(holder, holder.id == StockBalance.location_id)
                    .where(StockBalance.quantity > 0, *in_depot(StockBalance.location_id)), holder).subquery()
    held = (select(held.c.zone_id, func.sum(held.c.quantity).label("units"),
                   func.count(func.distinct(held.c.item_id)).label("items"))
            .group_by(held.c.zone_id).subquery("held"))
    stmt = (
        select(zone.id, zone.code, zone.name, zone.kind, zone.area_m2, zone.plan_x_m, zone.plan_y_m,
               zone.plan_width_m, zone.plan_depth_m, zone.parent_id,
               Category.code.label("category"), func.coalesce(used.c.used_m2, 0.0).label("used_m2"),
               func.coalesce(held.c.units, 0).label("units"),
               func.coalesce(held.c["items"], 0).label("items"))
        .outerjoin(Category, Category.id == zone.category_id)
        .outerjoin(used, used.c.zone_id == zone.id)
        .outerjoin(held, held.c.zone_id == zone.id)
        .where(*shown)
        .order_by(zone.code)
    )
    return session.execute(stmt).all()


@dataclass(frozen=True)
class FloorPlan:
    """A depot's floor and its zones, ready to draw."""

    depot: Location
    zones: list
    unplaced: list

    @property
    def width(self) -> float:
        return self.depot.plan_width_m or max((z.plan_x_m + z.plan_width_m for z in self.zones),
                                              default=10.0)

    @property
    def depth(self) -> float:
        return self.depot.plan_depth_m or max((z.plan_y_m + z.plan_depth_m for z in self.zones),
                                              default=10.0)


def depots(session: Session) -> list[Location]:
    """Return the active depots."""
    return list(session.scalars(select(Location).where(Location.kind == LocationKind.DEPOT,
                                                       Location.active.is_(True))
                                .order_by(Location.code)))


def floor_plan(session: Session, depot: Location) -> FloorPlan:
    """Return the depot's zones split into those with a rectangle and those without."""
    zones = zone_usage(session, depot.id)
    placed = [z for z in zones if z.plan_width_m is not None]
    return FloorPlan(depot, placed, [z for z in zones if z.plan_width_m is None])


# --- movements --------------------------------------------------------------------------------

MOVEMENT_SORTS = {
    "-at": lambda: (StockMovement.at.desc(), StockMovement.id.desc()),
    "at": lambda: (StockMovement.at, StockMovement.id),
}


def movement_filters(*, item_id: int | None = None, location_id: int | None = None,
                     reason: str | None = None, lot: str | None = None,
                     since: datetime | None = None, until: datetime | None = None) -> list:
    """Conditions on the ledger table alone (a lot by its code too), for the rows and their keys."""
    where = []
    if item_id is not None:
        where.append(StockMovement.item_id == item_id)
    if location_id is not None:
        where.append(or_(StockMovement.from_location_id == location_id,
                         StockMovement.to_location_id == location_id))
    if reason:
        where.append(StockMovement.reason == Reason(reason))
    if lot:
        where.append(StockMovement.lot_id.in_(select(Lot.id).where(Lot.code == lot.strip())))
    if since is not None:
        where.append(StockMovement.at >= since)
    if until is not None:
        where.append(StockMovement.at < until)
    return where


def movement_stmt(*, sort: str = "-at", **filters) -> Select:
    """Ledger rows with item, lot, locations and actor, filtered by allowlisted keys."""
    origin = aliased(Location, name="origin")
    destination = aliased(Location, name="destination")
    return (
        select(StockMovement.id, StockMovement.at, StockMovement.quantity, StockMovement.reason,
               StockMovement.purpose, StockMovement.reference, StockMovement.note,
               StockMovement.actor_name, StockMovement.item_id, Item.sku, Item.name_zh,
               Item.name_en, Item.unit, StockMovement.lot_id, Lot.code.label("lot"),
               StockMovement.from_location_id, origin.code.label("from_location"),
               StockMovement.to_location_id, destination.code.label("to_location"))
        .join(Item, Item.id == StockMovement.item_id)
        .outerjoin(Lot, Lot.id == StockMovement.lot_id)
        .outerjoin(origin, origin.id == StockMovement.from_location_id)
        .outerjoin(destination, destination.id == StockMovement.to_location_id)
        .where(*movement_filters(**filters))
        .order_by(*MOVEMENT_SORTS[sort]())
    )


def movement_page(session: Session, *, page: int | None = None, per_page: int = 50,
                  after: str | None = None, before: str | None = None, sort: str = "-at",
                  **filters) -> KeysetPage:
    """Return a page of the ledger: the first, one by number, or the one after or before a cursor.

    Raises BadCursor for a cursor the ledger did not hand out.
    """
    keys = select(StockMovement.at, StockMovement.id).where(*movement_filters(**filters))
    return keyset_page(session, movement_stmt(sort=sort, **filters), keys, at_column=StockMovement.at,
                       id_column=StockMovement.id, descending=sort == "-at", per_page=per_page,
                       after=after, before=before, page=page)


def movement_rows(session: Session, ids) -> list:
    """Return the ledger rows of these movements, in the order they were posted."""
    ids = list(ids)
    if not ids:
        return []
    return session.execute(movement_stmt().where(StockMovement.id.in_(ids))
                           .order_by(None).order_by(StockMovement.id)).all()


# --- locations --------------------------------------------------------------------------------

LOCATION_SORTS = {
    "path": (Location.path,),
    "code": (Location.code,),
}


def location_stmt(*, kind: str | None = None, parent_id: int | None = None,
                  within: int | None = None, q: str | None = None, active: bool | None = None,
                  sort: str = "code") -> Select:
    """Locations with the units held directly in each, filtered by allowlisted keys."""
    units = (select(func.coalesce(func.sum(StockBalance.quantity), 0))
             .where(StockBalance.location_id == Location.id).scalar_subquery())
    stmt = select(Location, units.label("units")).order_by(*LOCATION_SORTS[sort], Location.id)
    if kind:
        stmt = stmt.where(Location.kind == LocationKind(kind))
    if parent_id is not None:
        stmt = stmt.where(Location.parent_id == parent_id)
    if within is not None:
        subtree = select(Location.path).where(Location.id == within).scalar_subquery()
        stmt = stmt.where(Location.path.startswith(subtree))
    if active is not None:
        stmt = stmt.where(Location.active.is_(active))
    if q:
        pattern = _like(q.strip().lower())
        stmt = stmt.where(or_(func.lower(Location.code).like(pattern, escape="\\"),
                              func.lower(Location.name).like(pattern, escape="\\")))
    return stmt


def location_page(session: Session, *, page: int = 1, per_page: int = 50, **filters) -> Page:
    """Return a page of location rows (location, units)."""
    return paginate(session, location_stmt(**filters), page, per_page, scalars=False)


def location_row(session: Session, location_id: int):
    """Return one location's row (location, units), or None."""
    return session.execute(location_stmt().where(Location.id == location_id)).first()


def location_by_code(session: Session, code: str) -> Location | None:
    """Return the location a scanned code names, if any."""
    return session.scalar(select(Location).where(Location.code == (code or "").strip().upper()))


def item_id_by_sku(session: Session, sku: str) -> int | None:
    """Return the id of the item a typed or scanned SKU names, if any."""
    return session.scalar(select(Item.id).where(Item.sku == (sku or "").strip().upper()))


def areas(session: Session) -> list[Location]:
    """Return the active depots, zones and quarantine areas, in tree order."""
    return list(session.scalars(select(Location).where(
        Location.kind.in_((LocationKind.DEPOT, LocationKind.ZONE, LocationKind.QUARANTINE)),
        Location.active.is_(True)).order_by(Location.path)))


def ancestors(session: Session, location: Location) -> list[Location]:
    """Return the location's ancestors from the top of the tree down."""
    ids = [int(part) for part in location.path.strip("/").split("/")[:-1] if part]
    if not ids:
        return []
    found = {loc.id: loc for loc in session.scalars(select(Location).where(Location.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


# --- picking ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    """A place to pick from, in FEFO order."""

    location_id: int
    location_code: str
    lot: str | None
    expires_on: date | None
    quantity: int
    take: int


def fefo_suggestions(session: Session, item: Item, quantity: int | None = None,
                     on: date | None = None) -> list[Suggestion]:
    """Return where to pick the item from, first expiry first, never expired or held stock."""
    on = on or today()
    ordered = fefo_order(pick_candidates(session, item), on)
    codes = dict(session.execute(select(Location.id, Location.code).where(
        Location.id.in_({c.location_id for c in ordered}))).all())
    lots = dict(session.execute(select(Lot.id, Lot.code).where(
        Lot.id.in_({c.lot_id for c in ordered} - {None}))).all())
    remaining = quantity
    suggestions = []
    for candidate in ordered:
        take = candidate.quantity if remaining is None else min(candidate.quantity, remaining)
        suggestions.append(Suggestion(candidate.location_id, codes[candidate.location_id],
                                      lots.get(candidate.lot_id), candidate.expires_on,
                                      candidate.quantity, take))
        if remaining is not None:
            remaining -= take
            if remaining <= 0:
                break
    return suggestions


def actor_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Return display names of users by id (for stocktake pages)."""
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
