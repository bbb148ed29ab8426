"""Migrations build the schema the models describe, and go down and up again."""

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from warehouse import create_app
from warehouse.extensions import db
from warehouse.models import Base, Category


@pytest.fixture
def empty_database_url(request, db_engine_name, tmp_path):
    """A database with no schema at all."""
    if db_engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"empty_{tmp_path.name[-12:].replace('-', '_').lower()}"
    cluster.execute(f"CREATE DATABASE {name}")
    yield cluster.url(name)
    cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_models_and_migrations_describe_the_same_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models differ from migrations; run 'flask db migrate': {diff}"


def test_upgrade_downgrade_upgrade_round_trip(empty_database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "api_tokens", "audit_events", "categories"} <= tables
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert len(db.session.scalars(select(Category)).all()) == 7
        db.session.remove()
        db.engine.dispose()


def test_the_seven_categories_exist_after_upgrade(session):
    rows = session.execute(select(Category.code, Category.name_zh, Category.name_en)
                           .order_by(Category.position)).all()
    assert [r.code for r in rows] == ["EA", "PE", "FE", "RE", "ER", "MS", "FF"]
    assert rows[0].name_zh == "灭火药剂" and rows[-1].name_en == "Fuel and food"
