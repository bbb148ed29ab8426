"""Argon2id password hashing with the cost profile the configuration names."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


@cache
def _hasher(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def _current() -> PasswordHasher:
    return _hasher(current_app.config["ARGON2_PROFILE"])


def hash_password(password: str) -> str:
    """Return the Argon2id hash of a password."""
    return _current().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether the password matches; with no hash, spend the same time and say no."""
    hasher = _current()
    if password_hash is None:
        # Unknown users cost as much as known ones, so timing does not reveal names.
        password_hash = _dummy_hash(current_app.config["ARGON2_PROFILE"])
        password = password + "\0"
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash(profile: str) -> str:
    return _hasher(profile).hash("dummy password for timing")
