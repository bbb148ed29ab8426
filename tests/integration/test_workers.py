"""Several gunicorn worker processes on one database: writers queue, duplicates conflict."""

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.builders import PASSWORD, issue_token, make_user
from tests.gunicorn import serve
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import AuditEvent, User
from warehouse.models.audit import AuditAction


@pytest.fixture
def gunicorn(database_url, app):
    """Serve the app on the test database with three worker processes."""
    with serve(database_url, 3) as base:
        yield base


def _post(url: str, token: str, body: dict) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_concurrent_writes_through_several_workers_never_fail_or_duplicate(app, gunicorn):
    token = issue_token(app, make_user(app, Role.ADMIN, username="chief"))
    same = [{"username": "pda", "role": "logistics", "password": f"{PASSWORD} {i}"} for i in range(12)]
    distinct = [{"username": f"pda{i:02d}", "role": "logistics", "password": PASSWORD}
                for i in range(12)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda body: _post(f"{gunicorn}/api/v1/users", token, body),
                                 same + distinct))
    assert sorted(statuses[:12]) == [201] + [409] * 11, statuses
    assert statuses[12:] == [201] * 12, statuses
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1 + 1 + 12
        created = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                    .where(AuditEvent.action == AuditAction.USER_CREATED))
        assert created == 1 + 1 + 12
        db.session.remove()


@pytest.mark.slow
def test_two_scanners_through_several_workers_never_overdraw_a_bin(app, gunicorn):
    from tests.builders import in_days, make_depot, make_item, receive
    from warehouse.models import StockBalance
    from warehouse.services import ledger

    token = issue_token(app, make_user(app, Role.LOGISTICS, username="scanner"))
    depot = make_depot(app)
    item = make_item(app)
    receive(app, item, depot.bin_a, 10, lot="L1", expires_on=in_days(100))
    body = {"item_id": item, "quantity": 1, "purpose": "incident", "reference": "火警"}
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda _: _post(f"{gunicorn}/api/v1/issues", token, body), range(30)))
    assert sorted(statuses) == [201] * 10 + [409] * 20, statuses
    with app.app_context():
        assert db.session.scalar(select(StockBalance.quantity)) == 0
        assert ledger.check(db.session) == []
        db.session.remove()
