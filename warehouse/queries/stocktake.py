"""The read side of stocktakes: a filtered list with line counts, and one count with its lines."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from warehouse.domain.stock import StocktakeStatus
from warehouse.models import Location, Stocktake, StocktakeLine, User
from warehouse.queries.pagination import Page, paginate

STOCKTAKE_SORTS = {
    "-started_at": (Stocktake.started_at.desc(), Stocktake.id.desc()),
    "started_at": (Stocktake.started_at, Stocktake.id),
}


def stocktake_stmt(*, status: str | None = None, location_id: int | None = None,
                   sort: str = "-started_at") -> Select:
    """Stocktakes with their location, who started them and how many lines are counted."""
    lines = (
        select(StocktakeLine.stocktake_id.label("stocktake_id"), func.count().label("line_count"),
               func.count(StocktakeLine.counted).label("counted_count"))
        .group_by(StocktakeLine.stocktake_id)
        .subquery("line_counts")
    )
    starter = aliased(User, name="starter")
    stmt = (
        select(Stocktake.id, Stocktake.location_id, Location.code.label("location_code"),
               Location.name.label("location_name"), Stocktake.status, Stocktake.note,
               Stocktake.started_by_id, starter.display_name.label("started_by"),
               Stocktake.started_at, Stocktake.submitted_at, Stocktake.decided_by_id,
               Stocktake.decided_at,
               func.coalesce(lines.c.line_count, 0).label("line_count"),
               func.coalesce(lines.c.counted_count, 0).label("counted_count"))
        .join(Location, Location.id == Stocktake.location_id)
        .outerjoin(starter, starter.id == Stocktake.started_by_id)
        .outerjoin(lines, lines.c.stocktake_id == Stocktake.id)
        .order_by(*STOCKTAKE_SORTS[sort])
    )
    if status:
        stmt = stmt.where(Stocktake.status == StocktakeStatus(status))
    if location_id is not None:
        stmt = stmt.where(Stocktake.location_id == location_id)
    return stmt


def stocktake_page(session: Session, *, page: int = 1, per_page: int = 50, **filters) -> Page:
    """Return a page of stocktake rows."""
    return paginate(session, stocktake_stmt(**filters), page, per_page, scalars=False)


def stocktake_detail(session: Session, stocktake_id: int) -> Stocktake | None:
    """Return a stocktake with its location and lines, each line's item and lot loaded up front."""
    return session.scalar(
        select(Stocktake).where(Stocktake.id == stocktake_id)
        .options(joinedload(Stocktake.location),
                 selectinload(Stocktake.lines).options(joinedload(StocktakeLine.item),
                                                       joinedload(StocktakeLine.lot)))
        .execution_options(populate_existing=True)
    )
