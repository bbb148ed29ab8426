"""Engine settings: SQLite pragmas and write transactions that take the lock up front."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

from config import sqlite_synchronous

# Execution option a write transaction carries so that SQLite begins it IMMEDIATE.
WRITE = "warehouse_write"
SQLITE_BUSY_TIMEOUT_MS = 15_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Set WAL, full sync (unless configured otherwise), foreign keys and a busy timeout on SQLite."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself instead of pysqlite's implicit one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # Durability first (FULL unless configured): a power cut must not lose a recorded check-out.
    cursor.execute(f"PRAGMA synchronous={sqlite_synchronous()}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """Begin SQLite transactions; writes take the write lock first so writers queue."""
    if conn.dialect.name != "sqlite":
        return
    if conn.get_execution_options().get(WRITE):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run the body as one write transaction: commit once at the end, roll back on any error."""
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        # End the read snapshot the request may hold: upgrading it to a writer in SQLite's
        # WAL mode fails with SQLITE_BUSY instead of waiting, while IMMEDIATE waits its turn.
        session.rollback()
    session.connection(execution_options={WRITE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
