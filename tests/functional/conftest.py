"""Fixtures of the HTTP tests that need more than an empty database."""

from __future__ import annotations

import shutil

import pytest

from tests.builders import Client
from warehouse import create_app
from warehouse.extensions import db


@pytest.fixture(scope="module")
def demo_app(sqlite_template, tmp_path_factory, request):
    """An app on a SQLite file holding the whole demo (`flask demo load`), once per test module."""
    path = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]) / "warehouse.db"
    shutil.copy(sqlite_template, path)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    app.test_client_class = Client
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.engine.dispose()
