"""Location use cases: building the depot's tree and drawing its zones on the floor plan."""

from __future__ import annotations

import math

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.domain.errors import N_, Conflict, InvalidInput, NotFound
from warehouse.domain.stock import LocationKind, check_parent, check_zone_rect, validate_location_code
from warehouse.models import Location, StockBalance
from warehouse.services.accounts import Caller
from warehouse.services.catalogue import category_by_code

MAX_METRES = 10_000.0
MAX_AREA = 1_000_000.0
PLAN_FIELDS = ("plan_x_m", "plan_y_m", "plan_width_m", "plan_depth_m")
# Areas with a rectangle on the depot's floor plan.
DRAWN_KINDS = frozenset({LocationKind.ZONE, LocationKind.QUARANTINE})


def _number(value, field: str, *, limit: float, allow_zero: bool = False) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput.on(field, N_("must be a number"))
    if value < 0 or (value == 0 and not allow_zero) or value > limit:
        raise InvalidInput.on(field, N_("must be between 0 and %(max)s", max=f"{limit:g}"))
    return float(value)


def _name(value: str | None) -> str:
    name = (value or "").strip()
    if not name:
        raise InvalidInput.on("name", N_("required"))
    if len(name) > 80:
        raise InvalidInput.on("name", N_("at most %(count)d characters", count=80))
    return name


def _clean(session: Session, data: dict, kind: LocationKind) -> dict:
    clean = {
        "code": validate_location_code(data.get("code") or ""),
        "name": _name(data.get("name")),
        "area_m2": _number(data.get("area_m2"), "area_m2", limit=MAX_AREA),
        "footprint_m2": _number(data.get("footprint_m2"), "footprint_m2", limit=MAX_AREA),
        "active": bool(data.get("active", True)),
        "category_id": None,
    }
    for field in PLAN_FIELDS:
        clean[field] = _number(data.get(field), field, limit=MAX_METRES,
                               allow_zero=field in ("plan_x_m", "plan_y_m"))
    if data.get("category"):
        clean["category_id"] = category_by_code(session, data["category"]).id
    if kind == LocationKind.DEPOT:
        clean["plan_x_m"] = clean["plan_y_m"] = None
    elif kind not in DRAWN_KINDS and any(clean[f] is not None for f in PLAN_FIELDS):
        raise InvalidInput.on("plan_x_m", N_("only zones are drawn on the floor plan"))
    if kind in DRAWN_KINDS:
        given = [clean[f] is not None for f in PLAN_FIELDS]
        if any(given) and not all(given):
            missing = next(f for f in PLAN_FIELDS if clean[f] is None)
            raise InvalidInput.on(missing, N_("give all four numbers of the rectangle, or none"))
    return clean


def _check_plan(session: Session, location: Location) -> None:
    """Keep a zone's rectangle on its depot's floor and clear of the other zones."""
    rect = location.rect
    if location.kind not in DRAWN_KINDS or rect is None:
        return
    depot = session.get(Location, location.parent_id)
    if depot is None or depot.kind != LocationKind.DEPOT:
        raise InvalidInput.on("plan_x_m", N_("only areas directly on the depot floor are drawn"))
    siblings = session.scalars(
        select(Location).where(Location.parent_id == location.parent_id,
                               Location.kind.in_(DRAWN_KINDS), Location.id != location.id,
                               Location.active.is_(True))
    )
    others = [(z.code, z.rect) for z in siblings if z.rect is not None]
    check_zone_rect(rect, depot.plan_width_m, depot.plan_depth_m, others)


def _holds_stock(session: Session, location: Location) -> bool:
    return bool(session.scalar(
        select(func.count()).select_from(StockBalance).join(Location)
        .where(Location.path.startswith(location.path, autoescape=True), StockBalance.quantity > 0)
    ))


def _flush(session: Session, code: str) -> None:
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(N_("location code %(code)s is taken", code=code),
                       {"code": [N_("already taken")]}) from None


def _refuse_duplicate_code(session: Session, code: str, location_id: int | None = None) -> None:
    stmt = select(Location.id).where(Location.code == code)
    if location_id is not None:
        stmt = stmt.where(Location.id != location_id)
    if session.scalar(stmt) is not None:
        raise Conflict(N_("location code %(code)s is taken", code=code), {"code": [N_("already taken")]})


def create_location(session: Session, caller: Caller, *, kind: LocationKind | str,
                    parent_id: int | None = None, **data) -> Location:
    """Add a depot, zone, rack, bin, kit, quarantine or deployed location under its parent."""
    try:
        kind = LocationKind(kind)
    except ValueError:
        raise InvalidInput.on("kind", N_("one of %(values)s",
                                         values=", ".join(k.value for k in LocationKind))) from None
    with write_transaction(session):
        parent = None
        if parent_id is not None:
            parent = session.get(Location, parent_id) if isinstance(parent_id, int) else None
            if parent is None:
                raise InvalidInput.on("parent_id", N_("no such location"))
            if not parent.active:
                raise InvalidInput.on("parent_id", N_("location %(code)s is retired", code=parent.code))
        check_parent(kind, parent.kind if parent else None)
        clean = _clean(session, data, kind)
        _refuse_duplicate_code(session, clean["code"])
        location = Location(kind=kind, parent_id=parent.id if parent else None, **clean)
        session.add(location)
        _flush(session, clean["code"])
        location.path = f"{parent.path if parent else '/'}{location.id}/"
        _check_plan(session, location)
        session.flush()
    return location


def update_location(session: Session, caller: Caller, location_id: int, **changes) -> Location:
    """Change a location's code, name, category, area or floor-plan rectangle, or retire it."""
    with write_transaction(session):
        location = session.get(Location, location_id)
        if location is None:
            raise NotFound(N_("no such location"))
        current = {field: getattr(location, field) for field in
                   ("code", "name", "area_m2", "footprint_m2", "active", *PLAN_FIELDS)}
        current["category"] = location.category.code if location.category else None
        clean = _clean(session, {**current, **changes}, location.kind)
        if clean["code"] != location.code:
            _refuse_duplicate_code(session, clean["code"], location.id)
        if location.active and not clean["active"] and _holds_stock(session, location):
            raise Conflict(N_("%(code)s still holds stock; move it out before retiring the location",
                              code=location.code), {"active": [N_("still holds stock")]})
        for field, value in clean.items():
            setattr(location, field, value)
        _check_plan(session, location)
        if location.kind == LocationKind.DEPOT:
            _check_floor_holds_its_zones(session, location)
        _flush(session, clean["code"])
    return location


def _check_floor_holds_its_zones(session: Session, depot: Location) -> None:
    """Refuse a depot floor made too small for the zones already drawn on it."""
    if not (depot.plan_width_m and depot.plan_depth_m):
        return
    for zone in session.scalars(select(Location).where(Location.parent_id == depot.id,
                                                       Location.kind.in_(DRAWN_KINDS))):
        if zone.rect is not None and not zone.rect.inside(depot.plan_width_m, depot.plan_depth_m):
            raise InvalidInput.on("plan_width_m", N_("zone %(code)s would lie outside the floor",
                                                     code=zone.code))
