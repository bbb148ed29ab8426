"""Readiness use cases: the colour thresholds, the plan's targets, and the daily snapshot."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.domain.errors import N_, InvalidInput, NotFound
from warehouse.domain.readiness import PlanMeasure, check_plan_threshold, check_scope, check_thresholds
from warehouse.models import PlanTarget, ReadinessSettings, ReadinessSnapshot
from warehouse.models.base import utcnow
from warehouse.queries.kits import module_readiness
from warehouse.queries.readiness import Readiness, readiness
from warehouse.services import box_states
from warehouse.services.accounts import Caller
from warehouse.services.partners import actor_name

_UNSET = object()


def _stamp(row, caller: Caller) -> None:
    row.updated_at = utcnow()
    row.updated_by_id = caller.user.id if caller.user else None
    row.updated_by_name = actor_name(caller)


def update_thresholds(session: Session, caller: Caller, *, good_percent=_UNSET,
                      fair_percent=_UNSET) -> ReadinessSettings:
    """Change from which percentages a module shows green and amber."""
    with write_transaction(session):
        settings = session.get(ReadinessSettings, 1)
        if settings is None:  # a database seeded before the migration cannot lack it, but be clear
            raise NotFound(N_("the readiness settings are missing; run the migrations"))
        if good_percent is _UNSET and fair_percent is _UNSET:
            raise InvalidInput.on("good_percent", N_("nothing to change"))
        good = settings.good_percent if good_percent is _UNSET else good_percent
        fair = settings.fair_percent if fair_percent is _UNSET else fair_percent
        checked = check_thresholds(good, fair)
        settings.good_percent, settings.fair_percent = checked.good, checked.fair
        _stamp(settings, caller)
        session.flush()
    return settings


def get_plan_target(session: Session, measure: str) -> PlanTarget:
    """Return one plan target by its measure code, or raise NotFound."""
    try:
        key = PlanMeasure((measure or "").strip().lower())
    except ValueError:
        raise NotFound(N_("no plan target %(code)s", code=str(measure)[:40])) from None
    target = session.scalar(select(PlanTarget).where(PlanTarget.measure == key))
    if target is None:
        raise NotFound(N_("no plan target %(code)s", code=key.value))
    return target


def update_plan_target(session: Session, caller: Caller, measure: str, *, threshold=_UNSET,
                       scope=_UNSET) -> PlanTarget:
    """Change a plan target's figure (and, for the modules target, which modules are the priority)."""
    with write_transaction(session):
        target = get_plan_target(session, measure)
        if threshold is _UNSET and scope is _UNSET:
            raise InvalidInput.on("threshold", N_("nothing to change"))
        if threshold is not _UNSET:
            target.threshold = check_plan_threshold(target.measure, threshold)
        if scope is not _UNSET:
            target.scope = check_scope(target.measure, scope)
        _stamp(target, caller)
        session.flush()
    return target


def refresh_box_states(session: Session, on: date) -> int:
    """Store the boxes' states where the stored ones are not current, in one transaction; return how many."""
    with write_transaction(session):
        return box_states.refresh(session, on)


def current_readiness(session: Session, on: date, **options) -> Readiness:
    """Return the modules' readiness on a day, storing the box states it had to compute live.

    Boxes that changed since their state was stored are computed in the read itself; storing them
    then (a short transaction of its own) lets the next view read them instead.
    """
    state = readiness(session, on, **options)
    if state.live_boxes:
        refresh_box_states(session, on)
    return state


def take_snapshot(session: Session, on: date, *, replace: bool = False, now: datetime | None = None) -> int:
    """Record each active module's readiness on a day; return how many rows were written.

    The first snapshot of a day stands (a second one writes nothing) unless `replace` is given,
    so two workers serving the day's first dashboard view at once cannot record it twice.
    """
    with write_transaction(session):
        box_states.refresh(session, on)
        taken = set(session.scalars(select(ReadinessSnapshot.module_id).where(ReadinessSnapshot.day == on)))
        if replace and taken:
            session.execute(delete(ReadinessSnapshot).where(ReadinessSnapshot.day == on))
            taken = set()
        rows = [
            ReadinessSnapshot(day=on, module_id=m.module.id, required=m.required, ready=m.counted_ready,
                              short=m.short, deployed=m.deployed, restocking=m.restocking, percent=m.percent,
                              taken_at=now or utcnow())
            for m in module_readiness(session, on) if m.module.id not in taken
        ]
        if not rows:
            return 0
        try:
            with session.begin_nested():
                session.add_all(rows)
                session.flush()
        except IntegrityError:
            # Another worker recorded the day between our read and our write: theirs stands.
            return 0
    return len(rows)
