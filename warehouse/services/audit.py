"""Adding audit events inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from warehouse.models import AuditEvent, User
from warehouse.models.audit import AuditAction


def record(
    session: Session,
    action: AuditAction,
    *,
    actor: User | None,
    address: str | None,
    username: str | None = None,
    target: str | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Add one audit event to the session; the calling service commits it."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        username=username if username is not None else (actor.username if actor else None),
        target=target,
        address=address,
        detail=detail,
    )
    session.add(event)
    return event
