"""Service tests run on both engines: a SQLite file and a throwaway PostgreSQL."""

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine_name(request) -> str:
    return request.param
