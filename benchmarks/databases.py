"""Databases for benchmarks: a private copy of a SQLite file, and a throwaway PostgreSQL loaded from one."""

from __future__ import annotations

import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.postgres import Cluster  # noqa: E402

BATCH = 5_000


def sqlite_path(path_or_url: str) -> Path:
    """Return the file a SQLite URL or path names; refuse other databases."""
    if "://" not in path_or_url:
        return Path(path_or_url)
    url = make_url(path_or_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise SystemExit(f"--database takes a SQLite file or sqlite:/// URL, not {path_or_url}")
    return Path(url.database)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database (with what its WAL holds) so the source is never written."""
    if not source.exists():
        raise SystemExit(f"no such database file: {source}")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


class DurableCluster(Cluster):
    """A throwaway PostgreSQL server that, unlike the test suite's, syncs its commits (as production)."""

    def start(self) -> DurableCluster:
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=200"
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-l",
                  str(self.dir / "server.log"), "-w", "-t", "60", "start")
        return self


@contextmanager
def postgresql(database: str = "bench"):
    """Start a durable throwaway PostgreSQL with an empty database; yield its URL; remove it after."""
    cluster = DurableCluster().start()
    try:
        cluster.execute(f"CREATE DATABASE {database}")
        yield cluster.url(database)
    finally:
        cluster.stop()


def analyze(engine) -> None:
    """Give PostgreSQL's planner statistics for freshly loaded tables, as autovacuum would soon.

    Measured without them, a bulk-loaded database plans as if every table were tiny: readiness's
    shortfall query took 148 ms instead of 21 ms at N=1.
    """
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def load_postgresql(source_url: str, target_url: str, metadata) -> dict[str, int]:
    """Copy every row of the metadata's tables from one database into the same schema, replacing its rows."""
    source, target = create_engine(source_url), create_engine(target_url)
    counts = {}
    try:
        present = set(inspect(source).get_table_names())
        with source.connect() as reading, target.begin() as writing:
            # Rows arrive as they are, box states included: triggers (which would invent box
            # states and raise their versions) stay off for this copy, as in a replica.
            writing.execute(text("SET LOCAL session_replication_role = replica"))
            # The migrations seed some tables (categories, thresholds): the copy replaces them.
            names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
            writing.execute(text(f"TRUNCATE {names} CASCADE"))
            for table in metadata.sorted_tables:
                if table.name not in present:
                    continue
                rows = reading.execute(select(table).order_by(*table.primary_key.columns)).mappings()
                counts[table.name] = 0
                while batch := rows.fetchmany(BATCH):
                    writing.execute(table.insert(), [dict(row) for row in batch])
                    counts[table.name] += len(batch)
                # Rows came with their ids: move each serial past them so new rows do not collide.
                key = table.c.get("id")
                if key is not None and key.autoincrement and counts[table.name]:
                    top = writing.scalar(select(func.max(key)))
                    writing.execute(text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :top)"),
                                    {"table": table.name, "top": top})
        analyze(target)
    finally:
        source.dispose()
        target.dispose()
    return counts
