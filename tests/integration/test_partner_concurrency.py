"""Two officers at once on partners and agreements: one agreement per number, every delivery received
once, and never an agreement left pointing at a deleted partner."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.builders import CLI, in_days, make_agreement, make_depot, make_item, make_partner
from tests.integration.test_kit_concurrency import race
from warehouse.domain.errors import Conflict, InvalidInput, NotFound
from warehouse.extensions import db
from warehouse.models import (
    Activation,
    ActivationLine,
    Agreement,
    Arrival,
    Commitment,
    Lot,
    Partner,
    PartnerContact,
    StockBalance,
    StockMovement,
)
from warehouse.services import agreements, ledger, partners

ROUNDS = 4


def fresh(session) -> None:
    session.rollback()  # the threads wrote from their own sessions


def test_two_officers_recording_the_same_agreement_number_get_one_agreement_and_one_409(app, session):
    shop = make_partner(app, "欧亚购物中心")
    also = make_partner(app, "华联超市", district="XA")
    for round_ in range(ROUNDS):
        number = f"LYXF-BZ-2026-{round_ + 1:03d}"

        def record(partner_id: int, meals: int):
            return agreements.create_agreement(
                db.session, CLI, number=number, partner_id=partner_id, valid_from=in_days(-10),
                valid_to=in_days(1000), response_hours=2, status="active",
                commitments=[{"description": "盒饭", "unit": "份", "quantity": meals, "period": "per_day"},
                             {"description": "瓶装水", "unit": "箱", "quantity": 50}])

        results = race(app, lambda: record(shop, 1000), lambda: record(also, 2000))

        refused = [r for r in results if isinstance(r, Exception)]
        assert len(refused) == 1 and isinstance(refused[0], Conflict), results
        assert refused[0].fields == {"number": ["already taken"]}
        fresh(session)
        [agreement] = session.scalars(select(Agreement).where(Agreement.number == number)).all()
        winner = shop if results[1] is refused[0] else also
        assert agreement.partner_id == winner
        # The winner's lines only: the refused officer's lines were not written beside them.
        meals = session.scalars(select(Commitment.quantity).where(
            Commitment.agreement_id == agreement.id, Commitment.description == "盒饭")).all()
        assert meals == [1000 if winner == shop else 2000]
    assert session.scalar(select(func.count()).select_from(Agreement)) == ROUNDS
    assert session.scalar(select(func.count()).select_from(Commitment)) == 2 * ROUNDS


@pytest.mark.parametrize("same_lot", [True, False], ids=["one-lot", "a-lot-each"])
def test_concurrent_arrivals_into_the_depot_post_every_receipt_once(app, session, same_lot):
    depot = make_depot(app)
    water = make_item(app, "T-WATER", name_zh="瓶装饮用水", name_en="Bottled water", category="FF",
                      unit="box", shelf_life_days=365)
    shop = make_partner(app, "华联超市", district="XA")
    agreement_id = make_agreement(app, shop, "LYXF-BZ-2026-001",
                                  commitments=[{"item_id": water, "quantity": 500}])
    activation = agreements.activate_agreement(
        session, CLI, agreement_id, contact_name="王经理",
        lines=[{"item_id": water, "quantity": 200}, {"item_id": water, "quantity": 150}])
    lines = session.scalars(select(ActivationLine.id).where(ActivationLine.activation_id == activation.id)
                            .order_by(ActivationLine.id)).all()
    # Eight keepers unload at once: into two bins, against both lines, 10 to 45 boxes each.
    deliveries = [(lines[n % 2], (depot.bin_a, depot.bin_b)[n // 4], 10 + 5 * n,
                   "20261101A" if same_lot else f"2026110{n}A") for n in range(8)]

    results = race(app, *[
        (lambda line=line, place=place, quantity=quantity, lot=lot: agreements.record_arrival(
            db.session, CLI, line, quantity=quantity, location_id=place, lot=lot, expires_on=in_days(330)))
        for line, place, quantity, lot in deliveries])

    assert not [r for r in results if isinstance(r, Exception)], results
    fresh(session)
    arrivals = session.execute(select(Arrival.line_id, Arrival.quantity, Arrival.movement_id)).all()
    assert len(arrivals) == 8 and len({movement for *_rest, movement in arrivals}) == 8
    receipts = session.execute(select(StockMovement.quantity, StockMovement.to_location_id, Lot.code)
                               .join(Lot).where(StockMovement.reference == "LYXF-BZ-2026-001")).all()
    assert sorted(receipts) == sorted((quantity, place, lot) for _line, place, quantity, lot in deliveries)
    expected = Counter()
    for _line, place, quantity, lot in deliveries:
        expected[place, lot] += quantity
    held = session.execute(select(StockBalance.location_id, Lot.code, StockBalance.quantity).join(Lot)).all()
    assert {(place, lot): quantity for place, lot, quantity in held} == dict(expected)
    assert session.scalar(select(func.count()).select_from(Lot)) == (1 if same_lot else 8)
    by_line = Counter()
    for line, quantity, _movement in arrivals:
        by_line[line] += quantity
    assert dict(by_line) == {lines[0]: 10 + 20 + 30 + 40, lines[1]: 15 + 25 + 35 + 45}
    assert ledger.check(session) == []


def test_deleting_a_partner_while_an_agreement_is_recorded_for_it_never_leaves_an_orphan(app, session):
    outcomes = Counter()
    for round_ in range(ROUNDS * 2):
        partner_id = make_partner(app, f"东辽县鑫园饭店{round_}", kind="restaurant", district="DL")
        fresh(session)
        contact = session.scalar(select(PartnerContact.id).where(PartnerContact.partner_id == partner_id))
        partners.record_contact_check(session, CLI, contact, reached=True)
        number = f"LYXF-BZ-2026-{round_ + 1:03d}"

        deleted, recorded = race(
            app,
            lambda partner_id=partner_id: partners.delete_partner(db.session, CLI, partner_id),
            lambda partner_id=partner_id, number=number: agreements.create_agreement(
                db.session, CLI, number=number, partner_id=partner_id, valid_from=in_days(-1),
                valid_to=in_days(365), response_hours=3, status="active",
                commitments=[{"description": "盒饭", "unit": "份", "quantity": 800, "period": "per_day"}]))

        fresh(session)
        partner_left = session.get(Partner, partner_id) is not None
        agreement_ids = session.scalars(select(Agreement.id).where(Agreement.number == number)).all()
        if isinstance(deleted, Exception):
            # The agreement came first: the partner stays, deactivation is the way.
            assert isinstance(deleted, Conflict) and "partner" in deleted.fields, deleted
            assert not isinstance(recorded, Exception) and partner_left and len(agreement_ids) == 1
            outcomes["agreement first"] += 1
        else:
            # The partner went first: the agreement is refused on its partner, nothing written.
            assert isinstance(recorded, InvalidInput | NotFound), recorded
            assert isinstance(recorded, NotFound) or "partner_id" in recorded.fields, recorded.fields
            assert not partner_left and agreement_ids == []
            outcomes["partner deleted first"] += 1
        orphans = session.scalar(select(func.count()).select_from(Agreement).outerjoin(
            Partner, Partner.id == Agreement.partner_id).where(Partner.id.is_(None)))
        assert orphans == 0
    assert sum(outcomes.values()) == ROUNDS * 2
    assert session.scalar(select(func.count()).select_from(Commitment)) == outcomes["agreement first"]
    assert session.scalar(select(func.count()).select_from(Activation)) == 0
