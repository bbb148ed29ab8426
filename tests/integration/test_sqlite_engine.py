"""SQLite runs with WAL, full sync, foreign keys, and writers that queue instead of failing."""

import threading
import time

import pytest
from sqlalchemy import text

from tests.builders import CLI, PASSWORD
from warehouse.database import write_transaction
from warehouse.extensions import db
from warehouse.services import accounts


@pytest.fixture
def db_engine_name():
    return "sqlite"


def test_sqlite_connections_use_wal_full_sync_and_foreign_keys(session):
    pragma = lambda name: session.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") >= 5000


def test_the_sync_level_can_be_lowered_to_normal_by_the_environment(app, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_SQLITE_SYNCHRONOUS", "NORMAL")
    with app.app_context():
        db.engine.dispose()  # new connections read the setting
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        db.session.remove()
        db.engine.dispose()


def test_a_second_writer_waits_for_the_first_instead_of_failing(app):
    holding = threading.Event()
    order = []

    def slow_writer():
        with app.app_context():
            with write_transaction(db.session):
                db.session.execute(text("UPDATE categories SET position = position"))
                holding.set()
                time.sleep(0.5)
                order.append("first committed")
            db.session.remove()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    holding.wait(5)
    with app.app_context():
        # Reads a snapshot first, as a request does, then writes: must queue, not raise "locked".
        db.session.execute(text("SELECT count(*) FROM users")).scalar()
        accounts.create_user(db.session, CLI, username="second", role="logistics", password=PASSWORD)
        order.append("second committed")
        db.session.remove()
    thread.join()
    assert order == ["first committed", "second committed"]
