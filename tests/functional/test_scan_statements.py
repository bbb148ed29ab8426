"""A scan's SQL statements, counted: check-out and check-in stay a handful (no timings here)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event

from tests.api_client import Api
from tests.builders import make_box_depot, make_deployment
from warehouse.domain.accounts import Role
from warehouse.extensions import db

# The whole request (token, replay look-up, the scan, its log) and the part inside SQLite's
# write lock (BEGIN IMMEDIATE to COMMIT), which every other writer waits for.
MOST = {"check_out": 13, "check_in": 13}
MOST_LOCKED = {"check_out": 9, "check_in": 9}


@pytest.fixture
def api(app, users) -> Api:
    return Api(app, users, writer=Role.LOGISTICS)


def counted(app, send) -> list[str]:
    """Return the SQL statements a request ran."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda _conn, _cursor, statement, *_args: seen.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = send()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code < 300, response.get_data(as_text=True)
    return seen


def test_a_check_out_and_a_check_in_run_a_handful_of_statements(app, api):
    depot = make_box_depot(app, 2)
    drill = make_deployment(app)
    headers = {"Authorization": f"Bearer {api.tokens[Role.LOGISTICS]}"}

    def scan(code: str, action: str, **extra):
        body = {"code": f"http://localhost/k/{code}", "action": action, "idempotency_key": str(uuid.uuid4()),
                **extra}
        return lambda: app.test_client().post("/api/v1/scans", json=body, headers=headers)

    # The token's first use records when it was used (a write of its own, every few minutes).
    counted(app, scan(depot.boxes[1], "lookup"))
    for action, extra in (("check_out", {"deployment_id": drill}), ("check_in", {})):
        statements = counted(app, scan(depot.boxes[0], action, **extra))
        locked = statements[statements.index("BEGIN IMMEDIATE") + 1:]
        assert len(statements) <= MOST[action], statements
        assert len(locked) <= MOST_LOCKED[action], locked
