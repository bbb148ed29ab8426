"""Reading deployments: the list with counts, what is out and overdue, a box's scan summary."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from warehouse.models import (
    Deployment,
    DeploymentSquad,
    Item,
    Kit,
    KitCheckout,
    KitTemplate,
    Lot,
    Module,
    ScanEvent,
    Squad,
    StockBalance,
    StockMovement,
)
from warehouse.models.base import utcnow
from warehouse.queries.boxes import Box, box_by_id, box_summary, contents, holder
from warehouse.queries.pagination import Page, paginate


def _boxes(*, out: bool):
    """SQL counting a deployment's boxes still out (or back)."""
    done = KitCheckout.in_at.is_(None) if out else KitCheckout.in_at.is_not(None)
    return (select(func.count()).where(KitCheckout.deployment_id == Deployment.id, done)
            .correlate(Deployment).scalar_subquery())


def deployment_stmt(*, open: bool | None = None, module: str | None = None, squad: str | None = None,
                    kind: str | None = None, overdue: bool | None = None, q: str | None = None,
                    now: datetime | None = None):
    """Select deployments with their boxes out and back and loose units out, newest first."""
    now = now or utcnow()
    # Counted per deployment through the indexes (correlated), not by grouping every checkout
    # and every balance of the reserve for a list that shows a few deployments.
    loose = (select(func.coalesce(func.sum(StockBalance.quantity), 0))
             .where(StockBalance.location_id == Deployment.location_id)
             .correlate(Deployment).scalar_subquery())
    stmt = (
        select(Deployment, Module.code.label("module_code"), _boxes(out=True).label("kits_out"),
               _boxes(out=False).label("kits_back"), loose.label("loose_out"))
        .outerjoin(Module, Module.id == Deployment.module_id)
        .order_by(Deployment.closed_at.is_not(None), Deployment.opened_at.desc(), Deployment.id.desc())
    )
    if open is not None:
        stmt = stmt.where(Deployment.closed_at.is_(None) if open else Deployment.closed_at.is_not(None))
    if overdue is not None:
        late = and_(Deployment.closed_at.is_(None), Deployment.expected_return_at < now)
        stmt = stmt.where(late if overdue else ~late)
    if module:
        stmt = stmt.where(Module.code == module.strip().upper())
    if kind:
        stmt = stmt.where(Deployment.kind == kind)
    if squad:
        stmt = stmt.where(Deployment.id.in_(
            select(DeploymentSquad.deployment_id).join(Squad, Squad.id == DeploymentSquad.squad_id)
            .where(Squad.code == squad.strip().upper())))
    if q:
        pattern = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(func.lower(Deployment.code).like(pattern, escape="\\"),
                              func.lower(Deployment.name).like(pattern, escape="\\"),
                              func.lower(Deployment.place).like(pattern, escape="\\")))
    return stmt


@dataclass(frozen=True)
class DeploymentRow:
    """A deployment with what it has out and back, and its squads."""

    deployment: Deployment
    module_code: str | None
    kits_out: int
    kits_back: int
    loose_out: int
    squads: list[str]
    overdue: bool


def _rows(session: Session, results, now: datetime) -> list[DeploymentRow]:
    ids = [r.Deployment.id for r in results]
    squads: dict[int, list[str]] = {}
    for deployment_id, code in session.execute(
            select(DeploymentSquad.deployment_id, Squad.code)
            .join(Squad, Squad.id == DeploymentSquad.squad_id)
            .where(DeploymentSquad.deployment_id.in_(ids)).order_by(Squad.code)):
        squads.setdefault(deployment_id, []).append(code)
    return [DeploymentRow(r.Deployment, r.module_code, r.kits_out, r.kits_back, int(r.loose_out),
                          squads.get(r.Deployment.id, []),
                          r.Deployment.closed_at is None and r.Deployment.expected_return_at < now)
            for r in results]


def deployment_page(session: Session, *, page: int = 1, per_page: int = 50, **filters) -> Page:
    """Return a page of deployment rows."""
    now = utcnow()
    found = paginate(session, deployment_stmt(now=now, **filters), page=page, per_page=per_page,
                     scalars=False)
    return replace(found, items=_rows(session, found.items, now))


def deployment_rows(session: Session, **filters) -> list[DeploymentRow]:
    """Return every deployment row matching the filters (open ones are few)."""
    now = utcnow()
    return _rows(session, session.execute(deployment_stmt(now=now, **filters)).all(), now)


def deployment_row(session: Session, deployment_id: int) -> DeploymentRow | None:
    """Return one deployment's row."""
    now = utcnow()
    found = session.execute(deployment_stmt(now=now).where(Deployment.id == deployment_id)).all()
    return _rows(session, found, now)[0] if found else None


def overdue(session: Session) -> list[DeploymentRow]:
    """Return open deployments past their expected return, the longest overdue first."""
    rows = deployment_rows(session, open=True, overdue=True)
    return sorted(rows, key=lambda r: r.deployment.expected_return_at)


def open_choices(session: Session) -> list[Deployment]:
    """Return open deployments for the scan station's picker, newest first."""
    return list(session.scalars(select(Deployment).where(Deployment.closed_at.is_(None))
                                .order_by(Deployment.opened_at.desc(), Deployment.id.desc())))


def deployment_squads(session: Session, deployment_id: int) -> list[Squad]:
    """Return the squads a deployment supports."""
    return list(session.scalars(select(Squad).join(DeploymentSquad, DeploymentSquad.squad_id == Squad.id)
                                .where(DeploymentSquad.deployment_id == deployment_id).order_by(Squad.code)))


@dataclass(frozen=True)
class CheckoutRow:
    """A box out or back with a deployment."""

    checkout: KitCheckout
    kit_code: str
    template_code: str
    module_code: str
    kit_status: str


def checkouts(session: Session, deployment_id: int) -> list[CheckoutRow]:
    """Return the boxes a deployment took, those still out first."""
    rows = session.execute(
        select(KitCheckout, Kit.code, KitTemplate.code, Module.code, Kit.status)
        .join(Kit, Kit.id == KitCheckout.kit_id).join(KitTemplate, KitTemplate.id == Kit.template_id)
        .join(Module, Module.id == Kit.module_id)
        .where(KitCheckout.deployment_id == deployment_id)
        .order_by(KitCheckout.in_at.is_not(None), KitCheckout.out_at, KitCheckout.id)).all()
    return [CheckoutRow(*row) for row in rows]


@dataclass(frozen=True)
class LooseRow:
    """Loose units of an item (lot) out with a deployment."""

    item: Item
    lot: Lot | None
    quantity: int


def loose_out(session: Session, deployment: Deployment) -> list[LooseRow]:
    """Return the loose items a deployment still has out."""
    rows = session.execute(
        select(Item, Lot, StockBalance.quantity).join(Item, Item.id == StockBalance.item_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.location_id == deployment.location_id, StockBalance.quantity > 0)
        .order_by(Item.sku, Lot.code)).all()
    return [LooseRow(*row) for row in rows]


def movements(session: Session, deployment: Deployment, limit: int = 500) -> list[StockMovement]:
    """Return the ledger movements made for a deployment (its code is their reference)."""
    return list(session.scalars(select(StockMovement).where(StockMovement.reference == deployment.code)
                                .order_by(StockMovement.at.desc(), StockMovement.id.desc()).limit(limit)))


def scan_log(session: Session, *, deployment_id: int | None = None, user_id: int | None = None,
             limit: int = 50) -> list[ScanEvent]:
    """Return the latest scans, of a deployment or of a user."""
    stmt = select(ScanEvent).order_by(ScanEvent.id.desc()).limit(limit)
    if deployment_id is not None:
        stmt = stmt.where(ScanEvent.deployment_id == deployment_id)
    if user_id is not None:
        stmt = stmt.where(ScanEvent.user_id == user_id)
    return list(session.scalars(stmt))


def scan_page(session: Session, *, page: int = 1, per_page: int = 50, deployment_id: int | None = None,
              user_id: int | None = None, result: str | None = None) -> Page:
    """Return a page of the scan audit, newest first."""
    stmt = select(ScanEvent).order_by(ScanEvent.id.desc())
    if deployment_id is not None:
        stmt = stmt.where(ScanEvent.deployment_id == deployment_id)
    if user_id is not None:
        stmt = stmt.where(ScanEvent.user_id == user_id)
    if result:
        stmt = stmt.where(ScanEvent.result == result)
    return paginate(session, stmt, page=page, per_page=per_page, scalars=True)


def kit_summary(session: Session, kit: Kit | Box) -> dict:
    """Return what the scan station shows of a box: status, module, shortfalls, contents, holder."""
    box = kit if isinstance(kit, Box) else box_by_id(session, kit.id)
    inside = contents(session, box)
    return box_summary(box, box.status, inside, inside.measure(), holder(session, box.id))


def boxes_out(session: Session, deployment_ids) -> dict[int, list[str]]:
    """Return the codes of the boxes each deployment still has out, in one query."""
    found: dict[int, list[str]] = {}
    for deployment_id, code in session.execute(
            select(KitCheckout.deployment_id, Kit.code).join(Kit, Kit.id == KitCheckout.kit_id)
            .where(KitCheckout.deployment_id.in_(list(deployment_ids)), KitCheckout.in_at.is_(None))
            .order_by(Kit.code)):
        found.setdefault(deployment_id, []).append(code)
    return found
