"""The one WSGI app scan_wrk.py serves with gunicorn: the product, a bare Flask app and the floor.

The three share one gunicorn (same workers, port and database file), so that a scan is compared
with the framework alone (`/bare/ok`) and with the least a scan must do (`/floor/scans`: one
indexed SELECT of the box by code and one INSERT of a log row, in one write transaction, with the
product's engine settings: SQLite WAL, its sync level, BEGIN IMMEDIATE). Nothing is added to the
product: the floor writes to a table of its own, which scan_wrk.py creates in its copy of the data.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask, abort, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.orm import sessionmaker
from werkzeug.middleware.dispatcher import DispatcherMiddleware

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scan_wsgi import bare  # noqa: E402
from config import Config  # noqa: E402
from warehouse import create_app  # noqa: E402
from warehouse.database import write_transaction  # noqa: E402
from warehouse.models import Kit  # noqa: E402
from warehouse.models.base import utcnow  # noqa: E402

BARE_PREFIX = "/bare"
FLOOR_PREFIX = "/floor"
BARE_PATH = f"{BARE_PREFIX}/ok"
FLOOR_PATH = f"{FLOOR_PREFIX}/scans"
SCAN_PATH = "/api/v1/scans"

# A scan log row without the product's columns: what one INSERT of a scan costs.
FLOOR_LOG = Table(
    "bench_floor_log", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("kit_id", Integer, nullable=False),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("station", String(120), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


def floor(database_url: str) -> Flask:
    """Return a Flask app whose one route looks a box up by code and logs a row, in one transaction."""
    app = Flask("floor")
    engine = create_engine(database_url, **Config.SQLALCHEMY_ENGINE_OPTIONS)
    sessions = sessionmaker(engine)

    @app.post("/scans")
    def scan():
        body = request.get_json()
        code = str(body["code"]).rsplit("/", 1)[-1]  # the label URL's last part, as a scan reads it
        with sessions() as session, write_transaction(session):
            kit_id = session.scalar(select(Kit.id).where(Kit.code == code))
            if kit_id is None:
                abort(404)
            session.execute(insert(FLOOR_LOG).values(kit_id=kit_id, idempotency_key=body["idempotency_key"],
                                                     station=body.get("station", ""), at=utcnow()))
        return {"kit_id": kit_id}, 201

    return app


def app():
    """Return the product (configured from the environment) with /bare and /floor mounted beside it."""
    product = create_app()
    return DispatcherMiddleware(product, {BARE_PREFIX: bare,
                                          FLOOR_PREFIX: floor(os.environ["WAREHOUSE_DATABASE_URL"])})
