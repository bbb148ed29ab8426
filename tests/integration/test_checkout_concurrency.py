"""Fifty scanners, one box: exactly one check-out wins, the rest hear who holds it; 20 rounds."""

import pytest
from sqlalchemy import func, select

from tests.builders import CLI, make_box_depot, make_deployment, make_user
from tests.integration.test_kit_concurrency import race
from warehouse.domain.kits import KitStatus
from warehouse.extensions import db
from warehouse.models import Deployment, Kit, KitCheckout, KitEvent, ScanEvent, StockMovement, User
from warehouse.services import deployments, kits, ledger, scans
from warehouse.services.accounts import Caller

SCANNERS = 50
ROUNDS = 20


def scan_out(app, user_id: int, code: str, deployment_id: int, key: str):
    def action():
        caller = Caller(db.session.get(User, user_id), "10.0.0.1")
        return scans.scan(db.session, caller, code=code, action="check_out", deployment_id=deployment_id,
                          idempotency_key=key)
    return action


@pytest.mark.slow
def test_fifty_concurrent_check_outs_of_one_box_give_one_success_per_round(app, session):
    boxes = make_box_depot(app, 1)
    code = boxes.boxes[0]
    user = make_user(app, "logistics")
    targets = [make_deployment(app, f"演练 {n}") for n in range(SCANNERS)]
    codes = dict(session.execute(select(Deployment.id, Deployment.code)).all())
    movements = session.scalar(select(func.count()).select_from(StockMovement))
    for round_ in range(ROUNDS):
        answers = race(app, *(scan_out(app, user.id, code, target, f"round-{round_:02d}-scan-{n:02d}")
                              for n, target in enumerate(targets)))
        assert all(not isinstance(a, Exception) for a in answers), answers
        won = [a for a in answers if a.status == 201]
        lost = [a for a in answers if a.status != 201]
        assert len(won) == 1, [a.status for a in answers]
        assert {a.status for a in lost} == {409}
        holder = codes[won[0].body["deployment"]["id"]]
        assert all(holder in a.body["error"]["message"] for a in lost)
        session.rollback()
        assert session.scalar(select(func.count()).select_from(KitCheckout).where(
            KitCheckout.in_at.is_(None))) == 1
        assert session.scalar(select(Kit.status).where(Kit.code == code)) == KitStatus.DEPLOYED
        # Check it back in and pass inspection so the next round starts from a ready box.
        deployments.check_in(session, CLI, code)
        kits.inspect_kit(session, CLI, code, outcome="passed")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(KitCheckout)) == ROUNDS
    assert session.scalar(select(func.count()).select_from(KitEvent).where(
        KitEvent.to_status == KitStatus.DEPLOYED)) == ROUNDS
    assert session.scalar(select(func.count()).select_from(ScanEvent)) == ROUNDS * SCANNERS
    # A box's contents travel with it: check-out and an untouched check-in post nothing.
    assert session.scalar(select(func.count()).select_from(StockMovement)) == movements
    assert ledger.check(session) == []


def test_the_database_refuses_a_second_open_check_out_of_a_box(app, session):
    """The partial unique index holds even when the service's checks are bypassed."""
    from sqlalchemy.exc import IntegrityError

    boxes = make_box_depot(app, 1)
    first, second = make_deployment(app), make_deployment(app, "二")
    kit_id = session.scalar(select(Kit.id))
    session.add(KitCheckout(deployment_id=first, kit_id=kit_id, from_status=KitStatus.READY))
    session.commit()
    session.add(KitCheckout(deployment_id=second, kit_id=kit_id, from_status=KitStatus.READY))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert boxes


def test_concurrent_check_in_of_one_box_posts_its_usage_once(app, session):
    boxes = make_box_depot(app, 1)
    code = boxes.boxes[0]
    deployment = make_deployment(app)
    deployments.check_out(session, CLI, code, deployment)
    usage = [{"item_id": boxes.rope, "consumed": 1}]

    def check_in():
        return deployments.check_in(db.session, CLI, code, usage=usage).checkout.id

    results = race(app, *([check_in] * 8))
    assert sum(1 for r in results if isinstance(r, int)) == 1
    assert all(getattr(r, "status", None) == 409 for r in results if not isinstance(r, int))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(StockMovement).where(
        StockMovement.reference == session.get(Deployment, deployment).code)) == 1
    assert ledger.check(session) == []


def test_closing_while_boxes_go_out_never_leaves_a_box_with_a_closed_deployment(app, session):
    boxes = make_box_depot(app, 4)
    for _ in range(3):
        deployment = make_deployment(app)

        def close(deployment=deployment):
            return deployments.close_deployment(db.session, CLI, deployment).id

        def out(code):
            return lambda: deployments.check_out(db.session, CLI, code, deployment).checkout.id

        race(app, close, *(out(code) for code in boxes.boxes))
        session.rollback()
        closed = session.get(Deployment, deployment).closed_at is not None
        still_out = session.scalar(select(func.count()).select_from(KitCheckout).where(
            KitCheckout.deployment_id == deployment, KitCheckout.in_at.is_(None)))
        assert not (closed and still_out)
        for code in boxes.boxes:
            if session.scalar(select(Kit.status).where(Kit.code == code)) == KitStatus.DEPLOYED:
                deployments.check_in(session, CLI, code)
                kits.inspect_kit(session, CLI, code, outcome="passed")
