"""Lists of users, tokens and audit events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from warehouse.domain.accounts import Role
from warehouse.models import ApiToken, AuditEvent, User
from warehouse.models.audit import AuditAction
from warehouse.queries.pagination import Page, paginate

USER_SORTS = {
    "username": (User.username,),
    "-username": (User.username.desc(),),
    "role": (User.role, User.username),
    "created_at": (User.created_at, User.id),
    "-created_at": (User.created_at.desc(), User.id.desc()),
}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def user_page(session: Session, *, page: int = 1, per_page: int = 50, role: str | None = None,
              active: bool | None = None, q: str | None = None, sort: str = "username") -> Page:
    """Return a page of users, filtered and sorted by allowlisted keys."""
    stmt = select(User).order_by(*USER_SORTS[sort])
    if role:
        stmt = stmt.where(User.role == Role(role))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    if q:
        pattern = _like(q.strip().lower())
        stmt = stmt.where(or_(User.username.like(pattern, escape="\\"),
                              User.display_name.ilike(pattern, escape="\\")))
    return paginate(session, stmt, page, per_page)


def token_page(session: Session, *, page: int = 1, per_page: int = 50, user_id: int | None = None,
               include_revoked: bool = False) -> Page:
    """Return a page of tokens, newest first; user_id None means every user's."""
    stmt = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return paginate(session, stmt, page, per_page)


def audit_page(session: Session, *, page: int = 1, per_page: int = 50, action: str | None = None,
               username: str | None = None, since: datetime | None = None,
               until: datetime | None = None) -> Page:
    """Return a page of the audit log, newest first."""
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == AuditAction(action))
    if username:
        stmt = stmt.where(AuditEvent.username == username.strip().lower())
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    return paginate(session, stmt, page, per_page)


def active_token_count(session: Session, user_id: int) -> int:
    """Count a user's tokens that are not revoked."""
    return session.scalar(
        select(func.count()).select_from(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ) or 0


def active_users_by_role(session: Session) -> dict[Role, int]:
    """Count active users per role."""
    return dict(session.execute(
        select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)
    ).all())
