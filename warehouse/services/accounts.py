"""Accounts: creating and changing users, signing in, API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.domain.accounts import (
    Role,
    ThrottlePolicy,
    new_token_secret,
    token_digest,
    token_is_usable,
    validate_password,
    validate_username,
)
from warehouse.domain.errors import (
    N_,
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
)
from warehouse.models import ApiToken, AuditEvent, User
from warehouse.models.accounts import new_session_key
from warehouse.models.audit import AuditAction
from warehouse.models.base import utcnow
from warehouse.passwords import hash_password, verify_password
from warehouse.services import audit

LOCALES = ("zh", "en")
# A token's last use is written at most this often, so API reads rarely need a write.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)
# Built once: every API request runs it, and building it cost as much as running it.
TOKEN_USER = (select(ApiToken, User).join(User, User.id == ApiToken.user_id)
              .where(ApiToken.digest == bindparam("digest")))


@dataclass(frozen=True)
class Caller:
    """Who is acting and from which network address (for the audit log)."""

    user: User | None
    address: str | None


def _get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("no such user"))
    return user


def _display_name(value: str | None, fallback: str) -> str:
    value = (value or "").strip() or fallback
    if len(value) > 80:
        raise InvalidInput.on("display_name", N_("at most %(count)d characters", count=80))
    return value


def _locale(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if value not in LOCALES:
        raise InvalidInput.on("locale", f"one of {', '.join(LOCALES)}")
    return value


def create_user(
    session: Session,
    caller: Caller,
    *,
    username: str,
    role: Role | str,
    password: str,
    display_name: str | None = None,
    locale: str | None = None,
) -> User:
    """Register a new user with a role and an initial password."""
    name = validate_username(username)
    role = _role(role)
    validate_password(password, username=name)
    with write_transaction(session):
        if session.scalar(select(User.id).where(User.username == name)) is not None:
            raise Conflict(N_("username %(name)s is taken", name=name),
                           {"username": [N_("already taken")]})
        user = User(
            username=name,
            display_name=_display_name(display_name, name),
            role=role,
            password_hash=hash_password(password),
            locale=_locale(locale),
        )
        session.add(user)
        try:
            session.flush()
        except IntegrityError:
            # Another worker registered the same name between our check and our insert.
            raise Conflict(N_("username %(name)s is taken", name=name),
                           {"username": [N_("already taken")]}) from None
        audit.record(session, AuditAction.USER_CREATED, actor=caller.user, address=caller.address,
                     username=name, target=f"user:{user.id}", detail=f"role={role.value}")
    return user


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput.on("role", f"one of {', '.join(r.value for r in Role)}") from None


def _guard_last_admin(session: Session, user: User) -> None:
    """Refuse a change that would leave no active administrator."""
    # Lock the admin rows (PostgreSQL) so two admins cannot demote each other at once.
    admins = session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).with_for_update()
    ).all()
    if admins == [user.id]:
        raise Conflict(N_("this is the last active administrator"),
                       {"role": [N_("keep at least one active administrator")]})


def update_user(
    session: Session,
    caller: Caller,
    user_id: int,
    *,
    display_name: str | None = None,
    role: Role | str | None = None,
    active: bool | None = None,
    locale: str | None = None,
) -> User:
    """Change a user's name, role, language or whether the account may sign in."""
    with write_transaction(session):
        user = _get_user(session, user_id)
        changed = []
        if display_name is not None and _display_name(display_name, user.username) != user.display_name:
            user.display_name = _display_name(display_name, user.username)
            changed.append("display_name")
        if locale is not None and _locale(locale) != user.locale:
            user.locale = _locale(locale)
            changed.append("locale")
        if role is not None and _role(role) != user.role:
            new_role = _role(role)
            if user.role == Role.ADMIN:
                _guard_last_admin(session, user)
            audit.record(session, AuditAction.ROLE_CHANGED, actor=caller.user,
                         address=caller.address, username=user.username,
                         target=f"user:{user.id}", detail=f"{user.role.value} -> {new_role.value}")
            user.role = new_role
        if active is not None and active != user.active:
            if not active:
                if caller.user is not None and caller.user.id == user.id:
                    raise Conflict(N_("you cannot disable your own account"),
                                   {"active": [N_("cannot disable yourself")]})
                if user.role == Role.ADMIN:
                    _guard_last_admin(session, user)
                user.session_key = new_session_key()  # signs the user out everywhere
                _revoke_all_tokens(session, user)
            user.active = active
            audit.record(session, AuditAction.USER_ENABLED if active else AuditAction.USER_DISABLED,
                         actor=caller.user, address=caller.address, username=user.username,
                         target=f"user:{user.id}")
        if changed:
            audit.record(session, AuditAction.USER_UPDATED, actor=caller.user,
                         address=caller.address, username=user.username, target=f"user:{user.id}",
                         detail=", ".join(changed))
    return user


def set_locale(session: Session, user: User, locale: str) -> None:
    """Remember the user's UI language."""
    with write_transaction(session):
        session.get(User, user.id).locale = _locale(locale)


def _revoke_all_tokens(session: Session, user: User) -> None:
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def change_password(
    session: Session,
    caller: Caller,
    user_id: int,
    *,
    new_password: str,
    current_password: str | None = None,
) -> User:
    """Set a new password; users changing their own must give the current one."""
    with write_transaction(session):
        user = _get_user(session, user_id)
        own = caller.user is not None and caller.user.id == user.id
        if own and not verify_password(user.password_hash, current_password or ""):
            raise InvalidInput.on("current_password", N_("is not correct"))
        validate_password(new_password, username=user.username, field="new_password")
        user.password_hash = hash_password(new_password)
        user.password_changed_at = utcnow()
        # Every session signed in with the old password ends; the caller's own is renewed.
        user.session_key = new_session_key()
        audit.record(session, AuditAction.PASSWORD_CHANGED, actor=caller.user,
                     address=caller.address, username=user.username, target=f"user:{user.id}")
    return user


def _failure_times(session: Session, column, value: str, since: datetime) -> list[datetime]:
    return list(session.scalars(
        select(AuditEvent.at).where(
            AuditEvent.action == AuditAction.LOGIN_FAILED, column == value, AuditEvent.at > since
        )
    ))


def _check_sign_in(session: Session, name: str, password: str, address: str | None,
                   policy: ThrottlePolicy, now: datetime) -> User | None:
    """Inside a write transaction: throttle, verify and record one attempt; None if it failed."""
    user = session.scalar(select(User).where(User.username == name)) if name else None
    since = now - policy.window
    if user is not None:
        last_login = session.scalar(
            select(func.max(AuditEvent.at)).where(
                AuditEvent.action == AuditAction.LOGIN, AuditEvent.actor_id == user.id
            )
        )
        if last_login is not None and last_login > since:
            since = last_login  # a successful sign-in clears the name's failures
    # Raises Throttled before the password is even checked.
    policy.check(
        _failure_times(session, AuditEvent.username, name, since),
        _failure_times(session, AuditEvent.address, address, now - policy.window) if address else [],
        now,
    )
    ok = verify_password(user.password_hash if user else None, password or "")
    if ok and user is not None and user.active:
        audit.record(session, AuditAction.LOGIN, actor=user, address=address)
        return user
    reason = "disabled" if ok else "wrong password" if user else "unknown user"
    audit.record(session, AuditAction.LOGIN_FAILED, actor=None, address=address, username=name,
                 detail=reason)
    return None


def _username_typed(username: str | None) -> str:
    return (username or "").strip().lower()[:80]


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    address: str | None,
    policy: ThrottlePolicy,
    now: datetime | None = None,
) -> User:
    """Check a sign-in attempt, record it, and return the user or raise (throttled, failed)."""
    with write_transaction(session):
        user = _check_sign_in(session, _username_typed(username), password, address, policy,
                              now or utcnow())
    # A failed attempt is committed (it counts towards throttling) before the refusal.
    if user is None:
        raise AuthenticationFailed(N_("wrong username or password"))
    return user


def sign_in_for_token(
    session: Session,
    *,
    username: str,
    password: str,
    address: str | None,
    policy: ThrottlePolicy,
    token_name: str,
    days: int | None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Check a sign-in attempt and, in the same transaction, issue a token for the user."""
    _validate_token_request(token_name, days)
    issued = None
    with write_transaction(session):
        user = _check_sign_in(session, _username_typed(username), password, address, policy,
                              now or utcnow())
        if user is not None:
            issued = _new_token(session, Caller(user, address), user, token_name, days)
    if issued is None:
        raise AuthenticationFailed(N_("wrong username or password"))
    return issued


def record_logout(session: Session, caller: Caller) -> None:
    """Note a sign-out in the audit log."""
    with write_transaction(session):
        audit.record(session, AuditAction.LOGOUT, actor=caller.user, address=caller.address)


def _validate_token_request(name: str, days: int | None) -> None:
    if not (name or "").strip() or len(name.strip()) > 80:
        raise InvalidInput.on("name", N_("1-80 characters, e.g. the scanner's label"))
    if days is not None and not 1 <= days <= 3650:
        raise InvalidInput.on("days", N_("between 1 and 3650"))


def _new_token(session: Session, caller: Caller, user: User, name: str,
               days: int | None) -> tuple[ApiToken, str]:
    """Inside a write transaction: create a token for the user and audit it."""
    secret = new_token_secret()
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        digest=token_digest(secret),
        hint=secret[:10],
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    session.add(token)
    session.flush()
    audit.record(session, AuditAction.TOKEN_ISSUED, actor=caller.user, address=caller.address,
                 username=user.username, target=f"token:{token.id}", detail=token.name)
    return token, secret


def issue_token(
    session: Session,
    caller: Caller,
    user_id: int,
    *,
    name: str,
    days: int | None,
) -> tuple[ApiToken, str]:
    """Create a bearer token for a user and return it with its secret (shown only once)."""
    _validate_token_request(name, days)
    with write_transaction(session):
        user = _get_user(session, user_id)
        _require_self_or_admin(caller, user)
        if not user.active:
            raise Conflict(N_("the account is disabled"), {"user": [N_("account is disabled")]})
        issued = _new_token(session, caller, user, name, days)
    return issued


def _require_self_or_admin(caller: Caller, user: User) -> None:
    if caller.user is None:
        return  # the command line acts with the machine owner's authority
    if caller.user.id != user.id and caller.user.role != Role.ADMIN:
        # Looks like "not found" so others' accounts are not revealed.
        raise NotFound(N_("no such user"))


def revoke_token(
    session: Session, caller: Caller, token_id: int, *, owner_id: int | None = None
) -> ApiToken:
    """Revoke a token at once (only if owner_id, when given, owns it); twice is harmless."""
    with write_transaction(session):
        token = session.get(ApiToken, token_id)
        if token is None or (owner_id is not None and token.user_id != owner_id):
            raise NotFound(N_("no such token"))
        owner = session.get(User, token.user_id)
        try:
            _require_self_or_admin(caller, owner)
        except NotFound:
            raise NotFound(N_("no such token")) from None
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            audit.record(session, AuditAction.TOKEN_REVOKED, actor=caller.user,
                         address=caller.address, username=owner.username,
                         target=f"token:{token.id}", detail=token.name)
    return token


def user_for_token(session: Session, secret: str, now: datetime | None = None) -> User:
    """Return the active user a bearer token belongs to, or raise AuthenticationFailed."""
    now = now or utcnow()
    row = session.execute(TOKEN_USER, {"digest": token_digest(secret)}).first()
    if row is None:
        raise AuthenticationFailed("unknown bearer token")
    token, user = row
    if not token_is_usable(expires_at=token.expires_at, revoked_at=token.revoked_at,
                           user_active=user.active, now=now):
        raise AuthenticationFailed("bearer token expired or revoked")
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        token_id, user_id = token.id, user.id
        with write_transaction(session):
            session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        user = session.get(User, user_id)
    return user
