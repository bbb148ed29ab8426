"""Roles, password rules, login throttling and API token rules."""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from warehouse.domain.errors import N_, InvalidInput, Throttled

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$")
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
TOKEN_PREFIX = "whr_"


class Role(enum.StrEnum):
    """What a user does in the depot; each page and endpoint names the roles it admits."""

    LOGISTICS = "logistics"  # 保管员: scans boxes, receives and counts stock
    SUPPLY_OFFICER = "supply_officer"  # 物资管理员: catalogue, templates, labels, partners
    COMMANDER = "commander"  # 指挥员: readiness by module
    ADMIN = "admin"  # 系统管理员: accounts and audit


ALL_ROLES = frozenset(Role)


def validate_username(name: str) -> str:
    """Return the username normalised, or raise InvalidInput."""
    name = (name or "").strip()
    if not USERNAME_PATTERN.match(name):
        raise InvalidInput.on(
            "username",
            N_("2-40 characters: letters, digits, '.', '_' or '-', starting with a letter or digit"),
        )
    return name.lower()


def validate_password(password: str, *, username: str = "", field: str = "password") -> str:
    """Return the password if it is acceptable, or raise InvalidInput naming the field."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidInput.on(field, N_("at least %(count)d characters", count=PASSWORD_MIN_LENGTH))
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidInput.on(field, N_("at most %(count)d characters", count=PASSWORD_MAX_LENGTH))
    if username and password.lower() == username.lower():
        raise InvalidInput.on(field, N_("must differ from the username"))
    if len(set(password)) < 4:
        raise InvalidInput.on(field, N_("too simple: use at least 4 different characters"))
    return password


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failed logins a name or an address may make within a window."""

    per_user: int
    per_address: int
    window: timedelta

    def check(
        self, user_failures: Sequence[datetime], address_failures: Sequence[datetime], now: datetime
    ) -> None:
        """Raise Throttled while either count of recent failures has reached its limit."""
        since = now - self.window
        for failures, limit in ((user_failures, self.per_user), (address_failures, self.per_address)):
            recent = sorted(t for t in failures if t > since)
            if len(recent) >= limit:
                # The lock lifts when enough of the oldest failures leave the window.
                unlock_at = recent[len(recent) - limit] + self.window
                raise Throttled(
                    N_("too many failed logins; try again later"),
                    retry_after=int((unlock_at - now).total_seconds()) + 1,
                )


def new_token_secret() -> str:
    """Return a fresh bearer token; only its hash is stored."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    """Return the stored form of a bearer token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_is_usable(
    *, expires_at: datetime | None, revoked_at: datetime | None, user_active: bool, now: datetime
) -> bool:
    """Tell whether a token may authenticate a request now."""
    if revoked_at is not None or not user_active:
        return False
    return expires_at is None or now < expires_at
