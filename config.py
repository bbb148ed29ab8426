"""Configuration classes, read from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("WAREHOUSE_INSTANCE_DIR", PROJECT_ROOT / "instance"))


class ConfigError(RuntimeError):
    """Raised when the environment does not give what a configuration needs."""


SQLITE_SYNCHRONOUS_LEVELS = ("FULL", "EXTRA", "NORMAL")


def sqlite_synchronous() -> str:
    """Return SQLite's sync level from WAREHOUSE_SQLITE_SYNCHRONOUS (FULL unless it says otherwise)."""
    # FULL by default: a power cut in a disaster must not lose a recorded check-out. NORMAL
    # (WAL stays consistent, the last commits may be lost) exists so benchmarks can show the cost.
    level = os.environ.get("WAREHOUSE_SQLITE_SYNCHRONOUS", "FULL").strip().upper()
    if level not in SQLITE_SYNCHRONOUS_LEVELS:
        levels = ", ".join(SQLITE_SYNCHRONOUS_LEVELS)
        raise ConfigError(f"WAREHOUSE_SQLITE_SYNCHRONOUS must be one of {levels}, not {level!r}")
    return level


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'warehouse.db'}"


def _development_secret() -> str:
    """Return the development secret kept in instance/, creating it once."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        # Written under a temporary name, then linked: concurrent workers all read one secret.
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # 0600: no forged sessions
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 12 * 3600  # one shift
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("WAREHOUSE_TIMEZONE", "Asia/Shanghai")
    LANGUAGES = ("zh", "en")

    # Argon2id cost; tests lower it, production keeps the library's recommended profile.
    ARGON2_PROFILE = "RFC_9106_LOW_MEMORY"
    # Failed-login throttling: this many failures within the window locks the name out.
    LOGIN_FAILURES_PER_USER = 5
    LOGIN_FAILURES_PER_ADDRESS = 20
    LOGIN_WINDOW_SECONDS = 15 * 60
    API_TOKEN_DEFAULT_DAYS = 180

    API_TITLE = "Emergency materials reserve API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_PAGE_MAX = 200

    # Uploads: a signed agreement scan up to 10 MB; any request body above 16 MB is refused (413).
    AGREEMENT_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    SECRET_KEY: str | None = None

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = (
            os.environ.get("WAREHOUSE_DATABASE_URL") or _default_database_url()
        )
        self.PUBLIC_URL = os.environ.get("WAREHOUSE_PUBLIC_URL", "http://127.0.0.1:5000")
        # How many reverse proxies sit in front of the app (for client addresses in the audit log).
        self.PROXY_COUNT = int(os.environ.get("WAREHOUSE_PROXY_COUNT", "0"))
        # Read here so that a wrong value stops the app at start, not at its first connection.
        self.SQLITE_SYNCHRONOUS = sqlite_synchronous()


class DevelopmentConfig(Config):
    """Local development: a generated secret kept in instance/."""

    ENV_NAME = "development"

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = os.environ.get("WAREHOUSE_SECRET_KEY") or _development_secret()


class TestingConfig(Config):
    """The test suite: cheap password hashing, a throwaway database given by the fixture."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-not-for-production"
    ARGON2_PROFILE = "CHEAPEST"

    def __init__(self) -> None:
        super().__init__()
        # The fixtures pass the throwaway database; never fall back to the developer's file.
        self.SQLALCHEMY_DATABASE_URI = "sqlite://"


class ProductionConfig(Config):
    """Production: refuses to start without a secret, cookies only over HTTPS."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = os.environ.get("WAREHOUSE_INSECURE_COOKIES") != "1"

    def __init__(self) -> None:
        super().__init__()
        secret = os.environ.get("WAREHOUSE_SECRET_KEY")
        if not secret or len(secret) < 32:
            raise ConfigError(
                "WAREHOUSE_SECRET_KEY must be set to a random string of at least 32 characters "
                "in production (for example: python3 -c 'import secrets; print(secrets.token_hex(32))')"
            )
        if not os.environ.get("WAREHOUSE_DATABASE_URL"):
            raise ConfigError("WAREHOUSE_DATABASE_URL must be set in production")
        self.SECRET_KEY = secret


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> Config:
    """Return the configuration named, or the one WAREHOUSE_ENV names (development by default)."""
    name = name or os.environ.get("WAREHOUSE_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise ConfigError(f"unknown WAREHOUSE_ENV {name!r}; use one of {sorted(CONFIGS)}") from None
