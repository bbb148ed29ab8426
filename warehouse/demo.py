"""Demo data for `flask demo load`: each feature adds its loader to LOADERS."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.domain.accounts import Role
from warehouse.domain.readiness import DEFAULT_FAIR_PERCENT, DEFAULT_GOOD_PERCENT, PLAN_TARGETS
from warehouse.models import (
    Base,
    Category,
    District,
    PlanTarget,
    QualificationKind,
    ReadinessSettings,
    StaffingTarget,
    User,
)
from warehouse.services import accounts

DEMO_PASSWORD = "reserve-demo-2026"
DEMO_USERS = [
    # username, role, display name
    ("admin", Role.ADMIN, "系统管理员 王磊"),
    ("keeper", Role.LOGISTICS, "保管员 李强"),
    ("officer", Role.SUPPLY_OFFICER, "物资管理员 张敏"),
    ("commander", Role.COMMANDER, "指挥员 赵刚"),
]
# Tables seeded by migrations, which a reset keeps.
SEEDED_TABLES = {Category.__tablename__, QualificationKind.__tablename__, StaffingTarget.__tablename__,
                 District.__tablename__, PlanTarget.__tablename__, ReadinessSettings.__tablename__}


def load_users(session: Session) -> None:
    """Create one demo user per role, all with the demo password."""
    caller = accounts.Caller(user=None, address="demo")
    for username, role, display_name in DEMO_USERS:
        accounts.create_user(session, caller, username=username, role=role,
                             password=DEMO_PASSWORD, display_name=display_name)


def load_stock(session: Session) -> None:
    """Load the depot, its catalogue and a year of stock history."""
    from warehouse.demo_depot import load_depot

    load_depot(session)


def load_kits(session: Session) -> None:
    """Load the disaster modules, their box templates and boxes packed from depot stock."""
    from warehouse import demo_kits

    demo_kits.load_kits(session)


def load_squads(session: Session) -> None:
    """Load the support squads, their people and qualifications (after the kits' modules)."""
    from warehouse import demo_squads

    demo_squads.load_squads(session)


def load_deployments(session: Session) -> None:
    """Play out the demo deployments with the boxes and squads (after both) through the scan station."""
    from warehouse import demo_deployments

    demo_deployments.load_deployments(session)


def load_partners(session: Session) -> None:
    """Load the departments, county partners and carriers with their agreements (after the deployments)."""
    from warehouse import demo_partners

    demo_partners.load_partners(session)


def load_readiness(session: Session) -> None:
    """Record the last 30 days of readiness per module (after everything else), for the trend charts."""
    from warehouse import demo_readiness

    demo_readiness.load_readiness(session)


LOADERS: list[Callable[[Session], None]] = [load_users, load_stock, load_kits, load_squads, load_deployments,
                                            load_partners, load_readiness]


def is_empty(session: Session) -> bool:
    """Tell whether the database holds no users yet (a fresh install)."""
    return not session.scalar(select(func.count()).select_from(User))


def reset(session: Session) -> None:
    """Delete every row except migration-seeded reference data, in one transaction."""
    with write_transaction(session):
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in SEEDED_TABLES:
                session.execute(delete(table))
        # The staffing targets are kept, but at the plan's thresholds, as a fresh install has them.
        session.execute(update(StaffingTarget).values(
            threshold=StaffingTarget.plan_threshold, updated_at=None, updated_by_id=None, updated_by_name=""))
        session.execute(update(PlanTarget).values(
            threshold=PlanTarget.plan_threshold, scope=_plan_scope(PlanTarget.measure), updated_at=None,
            updated_by_id=None, updated_by_name=""))
        session.execute(update(ReadinessSettings).values(
            good_percent=DEFAULT_GOOD_PERCENT, fair_percent=DEFAULT_FAIR_PERCENT, updated_at=None,
            updated_by_id=None, updated_by_name=""))


def _plan_scope(measure):
    """SQL for a plan target's scope as the migration seeds it."""
    return case(*((measure == m.value, scope) for m, _threshold, scope in PLAN_TARGETS if scope), else_="")


def load(session: Session, *, force_reset: bool = False) -> bool:
    """Load the demo data into an empty database (or after a reset); return whether it loaded."""
    if force_reset:
        reset(session)
    elif not is_empty(session):
        return False
    for loader in LOADERS:
        loader(session)
    return True
