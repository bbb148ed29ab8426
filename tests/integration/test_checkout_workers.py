"""Fifty scanners, one box, real gunicorn workers: one check-out wins per round; 20 rounds.

The in-process race (test_checkout_concurrency.py) shares one Python process; here every
request goes over HTTP to separate worker processes, so only the database can keep the box
from going out twice.
"""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.builders import CLI, issue_token, make_box_depot, make_deployment, make_user
from tests.gunicorn import serve
from warehouse.domain.kits import KitStatus
from warehouse.models import Deployment, Kit, KitCheckout, KitEvent, ScanEvent, StockMovement
from warehouse.services import deployments, kits, ledger

WORKERS = 4
SCANNERS = 50
ROUNDS = 20
USERS = 10  # scanners share the logistics staff's tokens, five scanners per person


@pytest.fixture
def gunicorn(database_url, app):
    """Serve the app on the test database with several sync worker processes, as production."""
    with serve(database_url, WORKERS, "--backlog", "256") as base:
        yield base


def _scan(base: str, token: str, body: dict) -> tuple[int, dict, str | None]:
    """POST one scan; return the status, the JSON body and the Idempotent-Replayed header."""
    request = urllib.request.Request(f"{base}/api/v1/scans", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read()), response.headers.get("Idempotent-Replayed")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers.get("Idempotent-Replayed")


def _all_at_once(pool: ThreadPoolExecutor, calls: list) -> list:
    """Run the calls on the pool's threads, released together by a barrier; return the results."""
    barrier = threading.Barrier(len(calls))

    def released(call):
        barrier.wait(timeout=30)
        return call()

    return [future.result() for future in [pool.submit(released, call) for call in calls]]


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.slow
def test_fifty_scanners_on_several_workers_check_one_box_out_once_per_round(app, session, gunicorn):
    code = make_box_depot(app, 1).boxes[0]
    tokens = [issue_token(app, make_user(app, "logistics", username=f"scanner{n:02d}")) for n in range(USERS)]
    targets = [make_deployment(app, f"拉动演练 {n}") for n in range(SCANNERS)]
    holders = dict(session.execute(select(Deployment.id, Deployment.code)).all())
    movements = _count(session, StockMovement)
    session.rollback()
    with ThreadPoolExecutor(max_workers=SCANNERS) as pool:
        for round_ in range(ROUNDS):
            calls = [lambda n=n, target=target: _scan(gunicorn, tokens[n % USERS], {
                "code": code, "action": "check_out", "deployment_id": target,
                "idempotency_key": f"round-{round_:02d}-scanner-{n:02d}", "station": f"PDA {n:02d}"})
                for n, target in enumerate(targets)]
            answers = _all_at_once(pool, calls)
            statuses = sorted(status for status, _body, _replayed in answers)
            assert statuses == [201] + [409] * (SCANNERS - 1), (round_, statuses)
            won = next(body for status, body, _replayed in answers if status == 201)
            holder = holders[won["deployment"]["id"]]
            assert won["deployment"]["id"] in targets and won["kit"]["status"] == "deployed"
            for status, body, _replayed in answers:
                if status == 409:
                    assert holder in body["error"]["message"], (round_, body["error"])
                    assert body["scan"]["deployment"]["code"] == holder

            assert _count(session, KitCheckout, KitCheckout.in_at.is_(None)) == 1
            assert session.scalar(select(KitCheckout.deployment_id).where(KitCheckout.in_at.is_(None))) \
                == won["deployment"]["id"]
            assert _count(session, KitEvent, KitEvent.to_status == KitStatus.DEPLOYED) == round_ + 1
            assert _count(session, ScanEvent) == SCANNERS * (round_ + 1)
            assert _count(session, ScanEvent, ScanEvent.status == 409) == (SCANNERS - 1) * (round_ + 1)
            assert _count(session, StockMovement) == movements
            # Back in untouched and through inspection, so the next round races for a ready box.
            deployments.check_in(session, CLI, code)
            kits.inspect_kit(session, CLI, code, outcome="passed")
            assert session.scalar(select(Kit.status).where(Kit.code == code)) == KitStatus.READY
            session.rollback()
    assert _count(session, KitCheckout) == ROUNDS
    assert _count(session, KitCheckout, KitCheckout.in_at.is_(None)) == 0
    assert _count(session, StockMovement) == movements
    assert ledger.check(session) == []


@pytest.mark.slow
def test_one_idempotency_key_sent_by_ten_clients_at_once_acts_once_with_one_answer(app, session, gunicorn):
    code = make_box_depot(app, 1).boxes[0]
    token = issue_token(app, make_user(app, "logistics", username="scanner"))
    deployment = make_deployment(app)
    body = {"code": code, "action": "check_out", "deployment_id": deployment,
            "idempotency_key": "3f2c9a1e-5b7d-4c2a-9e8f-0a1b2c3d4e5f"}
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = _all_at_once(pool, [lambda: _scan(gunicorn, token, body)] * 10)
    assert [status for status, _body, _replayed in answers] == [201] * 10
    first = answers[0][1]
    assert all(answer == first for _status, answer, _replayed in answers)
    assert first["result"] == "checked_out" and first["deployment"]["id"] == deployment
    assert sorted(replayed or "" for _status, _body, replayed in answers) == [""] + ["true"] * 9
    assert _count(session, KitCheckout) == 1
    assert _count(session, KitEvent, KitEvent.to_status == KitStatus.DEPLOYED) == 1
    assert _count(session, ScanEvent) == 1
    assert session.scalar(select(ScanEvent.id)) == first["scan_id"]
