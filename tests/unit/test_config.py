"""Configuration from the environment."""

import pytest

import config
from config import ConfigError, load_config


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    monkeypatch.delenv("WAREHOUSE_SECRET_KEY", raising=False)
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", "postgresql+psycopg://db/warehouse")
    with pytest.raises(ConfigError, match="WAREHOUSE_SECRET_KEY"):
        load_config("production")


def test_production_refuses_a_short_secret(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_SECRET_KEY", "too-short")
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", "postgresql+psycopg://db/warehouse")
    with pytest.raises(ConfigError):
        load_config("production")


def test_production_reads_secret_and_database_and_sends_cookies_over_https_only(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", "postgresql+psycopg://db/warehouse")
    monkeypatch.delenv("WAREHOUSE_INSECURE_COOKIES", raising=False)
    cfg = load_config("production")
    assert cfg.SECRET_KEY == "s" * 40
    assert cfg.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://db/warehouse"
    assert cfg.SESSION_COOKIE_SECURE is True and cfg.SESSION_COOKIE_HTTPONLY is True


def test_development_generates_a_secret_once_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.delenv("WAREHOUSE_SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    first = load_config("development").SECRET_KEY
    assert len(first) == 64
    assert first == load_config("development").SECRET_KEY
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_development_defaults_to_a_sqlite_file_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("WAREHOUSE_DATABASE_URL", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    assert f"sqlite:///{tmp_path / 'warehouse.db'}" == load_config("development").SQLALCHEMY_DATABASE_URI


def test_unknown_environment_name_is_an_error():
    with pytest.raises(ConfigError, match="unknown WAREHOUSE_ENV"):
        load_config("staging")


def test_sqlite_sync_level_is_full_unless_the_environment_says_otherwise(monkeypatch):
    monkeypatch.delenv("WAREHOUSE_SQLITE_SYNCHRONOUS", raising=False)
    assert load_config("development").SQLITE_SYNCHRONOUS == "FULL"
    monkeypatch.setenv("WAREHOUSE_SQLITE_SYNCHRONOUS", "normal")
    assert load_config("development").SQLITE_SYNCHRONOUS == "NORMAL"


def test_an_unknown_sqlite_sync_level_stops_the_app_at_start(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_SQLITE_SYNCHRONOUS", "OFF")
    with pytest.raises(ConfigError, match="WAREHOUSE_SQLITE_SYNCHRONOUS"):
        load_config("development")
