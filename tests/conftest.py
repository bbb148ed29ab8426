"""Fixtures: app -> database (SQLite file or throwaway PostgreSQL) -> client, users per role."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import _pytest.nodes
import flask_migrate
import pytest

from tests.builders import Client, make_user
from tests.postgres import Cluster
from warehouse import create_app
from warehouse.domain.accounts import Role
from warehouse.extensions import db

# CI sets this: PostgreSQL and browser tests must run there, so a missing program fails.
REQUIRE_ALL = os.environ.get("WAREHOUSE_REQUIRE_ALL_TESTS") == "1"

# schemathesis 4.32 uses Node._nodeid, which pytest 9.2 replaced; map it onto the new field.
if not hasattr(_pytest.nodes.Node, "_nodeid"):
    from _pytest.nodeid import coerce_node_id

    _pytest.nodes.Node._nodeid = property(
        lambda self: str(self._id),
        lambda self, value: setattr(self, "_id", coerce_node_id(value)),
    )


def unavailable(reason: str) -> None:
    """Skip a test whose program is missing here, or fail it where everything must run."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (WAREHOUSE_REQUIRE_ALL_TESTS=1 requires it)")
    pytest.skip(reason)


def migrate_database(url: str) -> None:
    """Build the schema the way production does: alembic upgrade head."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        cluster = Cluster().start()
    except (FileNotFoundError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", b"") or b""
        unavailable(f"PostgreSQL unavailable: {error} {detail.decode(errors='replace')[-500:]}")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template(pg_cluster):
    pg_cluster.execute("CREATE DATABASE warehouse_template")
    migrate_database(pg_cluster.url("warehouse_template"))
    return "warehouse_template"


@pytest.fixture
def db_engine_name() -> str:
    """Which database a test runs on; integration tests parametrize it over both."""
    return "sqlite"


@pytest.fixture
def database_url(request, db_engine_name, tmp_path):
    """A fresh, migrated database for one test."""
    if db_engine_name == "sqlite":
        path = tmp_path / "warehouse.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    elif db_engine_name == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        template = request.getfixturevalue("pg_template")
        name = f"t_{uuid.uuid4().hex[:16]}"
        cluster.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        yield cluster.url(name)
        cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        raise ValueError(db_engine_name)


@pytest.fixture
def app(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    app.test_client_class = Client
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def session(app):
    """The app's database session, inside an app context (for service tests)."""
    with app.app_context():
        yield db.session
        db.session.remove()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def users(app):
    """One user per role, plus a disabled one."""
    made = {role: make_user(app, role, username=role.value.replace("_", "")) for role in Role}
    return made


@pytest.fixture
def client_as(app, users):
    """Return a client signed in as the given role."""

    def factory(role: Role | str) -> Client:
        return app.test_client().sign_in(users[Role(role)])

    return factory
