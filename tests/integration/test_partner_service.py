"""Partners and agreements on a real database: registration rules, documents, reachable reserve,
activation and arrivals, and nothing written on refusal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.builders import (
    CLI,
    in_days,
    make_agreement,
    make_deployment,
    make_depot,
    make_item,
    make_partner,
    make_stockpile_line,
    receive,
    stock_counts,
    tiny_pdf,
)
from warehouse.domain.errors import Conflict, InvalidInput, NotFound
from warehouse.domain.partners import Source, Standing
from warehouse.extensions import db
from warehouse.models import (
    Activation,
    ActivationLine,
    Agreement,
    AgreementDocument,
    Arrival,
    Category,
    Commitment,
    ContactCheck,
    Partner,
    PartnerContact,
    StockMovement,
    StockpileLine,
)
from warehouse.models.base import utcnow
from warehouse.queries import partners as queries
from warehouse.services import agreements, ledger, partners
from warehouse.timezone import today


def rows(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def snapshot(session) -> tuple:
    return tuple(rows(session, model) for model in (Partner, PartnerContact, ContactCheck, Agreement,
                                                     Commitment, AgreementDocument, StockpileLine,
                                                     Activation, Arrival))


def test_a_partner_is_registered_with_a_24_hour_contact(app, session):
    partner = partners.create_partner(session, CLI, name=" 东丰县中石油油库 ", kind="oil_depot",
                                      district="df", address="东丰县东丰镇")
    assert (partner.name, partner.district.code, partner.active) == ("东丰县中石油油库", "DF", True)
    contact = partners.add_contact(session, CLI, partner.id, name="赵站长", phone_24h="0437-6221234")
    partners.record_contact_check(session, CLI, contact.id, reached=True, note="值班电话接通")
    row = queries.partner_row(session, partner.id, today())
    assert (row.contacts, row.agreements, row.contact.phone_24h) == (1, 0, "0437-6221234")
    assert row.reached_at is not None and not row.out_of_touch(utcnow())


@pytest.mark.parametrize(("data", "field"), [
    ({"name": ""}, "name"), ({"kind": "bank"}, "kind"), ({"district": "XX"}, "district"),
    ({"district": None}, "district"), ({"name": "长" * 121}, "name"), ({"address": 7}, "address"),
])
def test_bad_partner_input_is_refused_and_nothing_is_written(session, data, field):
    before = snapshot(session)
    with pytest.raises(InvalidInput) as caught:
        partners.create_partner(session, CLI, **{"name": "欧亚超市", "kind": "supermarket",
                                                 "district": "LS", **data})
    assert field in caught.value.fields
    assert snapshot(session) == before


def test_partner_names_are_unique(app, session):
    make_partner(app, "欧亚超市")
    with pytest.raises(Conflict) as caught:
        partners.create_partner(session, CLI, name="欧亚超市", kind="supermarket", district="XA")
    assert caught.value.fields == {"name": ["already taken"]}


@pytest.mark.parametrize("phone", ["", "call me", "12"])
def test_a_contact_needs_a_24_hour_phone(app, session, phone):
    partner_id = make_partner(app, contact=False)
    with pytest.raises(InvalidInput) as caught:
        partners.add_contact(session, CLI, partner_id, name="王经理", phone_24h=phone)
    assert "phone_24h" in caught.value.fields
    assert rows(session, PartnerContact) == 0


def test_deleting_a_partner_with_agreements_is_refused_and_nothing_is_deleted(app, session):
    partner_id = make_partner(app)
    make_agreement(app, partner_id)
    before = snapshot(session)
    with pytest.raises(Conflict) as caught:
        partners.delete_partner(session, CLI, partner_id)
    assert caught.value.status == 409
    assert snapshot(session) == before


def test_a_partner_without_agreements_is_deleted_with_its_contacts_and_checks(app, session):
    partner_id = make_partner(app)
    contact_id = session.scalar(select(PartnerContact.id))
    partners.record_contact_check(session, CLI, contact_id, reached=False)
    partners.delete_partner(session, CLI, partner_id)
    assert snapshot(session) == (0,) * 9
    with pytest.raises(NotFound):
        partners.delete_partner(session, CLI, partner_id)


def test_only_departments_keep_stockpile_lists_and_quantities_are_not_negative(app, session):
    item = make_item(app)
    department = make_partner(app, "辽源市应急管理局", kind="emergency_management", district="LY")
    shop = make_partner(app)
    with pytest.raises(InvalidInput) as caught:
        partners.add_stockpile_line(session, CLI, shop, item_id=item, quantity=5)
    assert "partner" in caught.value.fields
    for quantity in (-1, "x", 2.5, None):
        with pytest.raises(InvalidInput) as caught:
            partners.add_stockpile_line(session, CLI, department, item_id=item, quantity=quantity)
        assert "quantity" in caught.value.fields
    with pytest.raises(InvalidInput):
        partners.add_stockpile_line(session, CLI, department, item_id=item, quantity=5, as_of=in_days(1))
    line = partners.add_stockpile_line(session, CLI, department, item_id=item, quantity=40,
                                       location="应急仓库")
    assert (line.quantity, line.as_of) == (40, today())
    with pytest.raises(Conflict):
        partners.add_stockpile_line(session, CLI, department, item_id=item, quantity=1, location="应急仓库")
    assert rows(session, StockpileLine) == 1
    with pytest.raises(Conflict):
        partners.update_partner(session, CLI, department, kind="supermarket")


def test_an_agreement_is_recorded_with_its_commitments(app, session):
    partner_id = make_partner(app)
    rations = make_item(app, "T-RATION", name_zh="单兵自热食品", name_en="Self-heating ration", category="FF",
                        unit="box", tracking="bulk", expiry_required=False, shelf_life_days=None)
    agreement = agreements.create_agreement(
        session, CLI, number="ly-cs-2026-01", partner_id=partner_id, title="应急生活物资保障协议",
        signed_on=in_days(-31), valid_from=in_days(-30), valid_to=in_days(335), response_hours=6,
        status="active", commitments=[
            {"item_id": rations, "quantity": 200, "note": "自热食品"},
            {"category": "ff", "description": "盒饭", "quantity": "2000", "unit": "份", "period": "per_day"},
            {"description": "饮用水运输车", "quantity": 2, "unit": "辆"},
        ])
    assert agreement.number == "LY-CS-2026-01"
    lines = queries.commitment_rows(session, agreement.id)
    assert [(c.quantity, c.unit, c.period.value, item and item.sku, category and category.code)
            for c, item, category in lines] == [
        (Decimal(200), "box", "total", "T-RATION", None), (Decimal(2000), "份", "per_day", None, "FF"),
        (Decimal(2), "辆", "total", None, None)]
    row = queries.agreement_row(session, agreement.id, today())
    assert (row.standing, row.commitments, row.document) == (Standing.IN_FORCE, 3, False)
    agreements.update_agreement(session, CLI, agreement.id, commitments=[{"description": "挖掘机",
                                                                           "quantity": 3,
                                                                           "unit": "台"}])
    assert rows(session, Commitment) == 1


@pytest.mark.parametrize(("data", "field"), [
    ({"valid_from": in_days(10), "valid_to": in_days(9)}, "valid_to"),
    ({"valid_to": None}, "valid_to"),
    ({"response_hours": -1}, "response_hours"),
    ({"status": "signed"}, "status"),
    ({"number": "x"}, "number"),
    ({"partner_id": 999}, "partner_id"),
    ({"commitments": [{"description": "柴油", "quantity": -20, "unit": "t"}]}, "quantity"),
    ({"commitments": [{"description": "柴油", "quantity": 0, "unit": "t"}]}, "quantity"),
    ({"commitments": [{"description": "柴油", "quantity": 20}]}, "unit"),
    ({"commitments": [{"quantity": 20, "unit": "t"}]}, "description"),
    ({"commitments": [{"item_id": 999, "quantity": 1}]}, "item_id"),
    ({"commitments": [{"category": "ZZ", "description": "x", "quantity": 1, "unit": "t"}]}, "category"),
    ({"commitments": [{"description": "柴油", "quantity": 1, "unit": "t", "period": "weekly"}]}, "period"),
    ({"commitments": "diesel"}, "commitments"),
])
def test_bad_agreement_input_is_refused_and_nothing_is_written(app, session, data, field):
    partner_id = make_partner(app)
    before = snapshot(session)
    values = {"number": "LY-1", "partner_id": partner_id, "valid_from": in_days(-1), "valid_to": in_days(30),
              "response_hours": 4, "status": "active", **data}
    with pytest.raises(InvalidInput) as caught:
        agreements.create_agreement(session, CLI, **values)
    assert caught.value.status == 422 and field in caught.value.fields
    assert snapshot(session) == before


def test_an_update_that_ends_before_the_start_changes_nothing(app, session):
    agreement_id = make_agreement(app, make_partner(app))
    valid_to = session.get(Agreement, agreement_id).valid_to
    with pytest.raises(InvalidInput):
        agreements.update_agreement(session, CLI, agreement_id, valid_to=in_days(-60), title="改")
    session.rollback()
    found = session.get(Agreement, agreement_id)
    assert (found.valid_to, found.title) == (valid_to, "")


def test_agreement_numbers_are_unique(app, session):
    partner_id = make_partner(app)
    make_agreement(app, partner_id, "LY-1")
    with pytest.raises(Conflict):
        make_agreement(app, partner_id, "ly-1")
    other = make_agreement(app, partner_id, "LY-2")
    with pytest.raises(Conflict):
        agreements.update_agreement(session, CLI, other, number="LY-1")


def test_the_signed_pdf_is_kept_and_a_bad_upload_stores_nothing(app, session):
    agreement_id = make_agreement(app, make_partner(app))
    content = tiny_pdf()
    document = agreements.attach_document(session, CLI, agreement_id, filename="../签字版.pdf",
                                          content=content)
    assert (document.filename, document.size) == ("签字版.pdf", len(content))
    for bad in (b"<script>alert(1)</script>", b"GIF89a...", b"", content[:-10]):
        with pytest.raises(InvalidInput) as caught:
            agreements.attach_document(session, CLI, agreement_id, filename="x.pdf", content=bad)
        assert "document" in caught.value.fields
    with pytest.raises(InvalidInput):
        agreements.attach_document(session, CLI, agreement_id, filename="x.pdf", content=content,
                                   limit=len(content) - 1)
    session.rollback()
    assert agreements.get_document(session, agreement_id).content == content
    assert rows(session, AgreementDocument) == 1
    agreements.remove_document(session, CLI, agreement_id)
    with pytest.raises(NotFound):
        agreements.get_document(session, agreement_id)


def test_an_agreement_that_was_called_on_cannot_be_deleted(app, session):
    agreement_id = make_agreement(app, make_partner(app))
    agreements.activate_agreement(session, CLI, agreement_id, lines=[{"description": "盒饭", "quantity": 100,
                                                                       "unit": "份"}])
    with pytest.raises(Conflict):
        agreements.delete_agreement(session, CLI, agreement_id)
    spare = make_agreement(app, make_partner(app, "另一家"))
    agreements.attach_document(session, CLI, spare, filename="a.pdf", content=tiny_pdf())
    agreements.delete_agreement(session, CLI, spare)
    assert rows(session, Agreement) == 1 and rows(session, AgreementDocument) == 0


@pytest.fixture
def reserve(app):
    """Rations in the depot, in two departments' stockpiles and committed by agreements of every standing."""
    depot = make_depot(app)
    rations = make_item(app, "T-RATION", name_zh="单兵自热食品", name_en="Self-heating ration",
                        category="FF", unit="box", tracking="bulk", expiry_required=False,
                        shelf_life_days=None)
    water = make_item(app, "T-WATER", name_zh="瓶装水", name_en="Bottled water", category="FF",
                      unit="box", tracking="bulk", expiry_required=False, shelf_life_days=None)
    receive(app, rations, depot.bin_a, 120)
    receive(app, rations, depot.quarantine, 30)  # held but not usable
    civil = make_partner(app, "辽源市民政局", kind="civil_affairs", district="LY")
    emergency = make_partner(app, "辽源市应急管理局", kind="emergency_management", district="LY")
    make_stockpile_line(app, civil, rations, 500, location="救灾物资储备库")
    make_stockpile_line(app, emergency, rations, 80)
    make_stockpile_line(app, emergency, water, 1000)
    make_agreement(app, civil, "MZ-1", response_hours=12)  # gives the stockpile a response time
    shop = make_partner(app, "欧亚超市")
    make_agreement(app, shop, "CS-1", response_hours=4, commitments=[
        {"item_id": rations, "quantity": 300},
        {"category": "FF", "description": "盒饭", "quantity": 2000, "unit": "份", "period": "per_day"}])
    make_agreement(app, make_partner(app, "万达超市", district="XA"), "CS-2", response_hours=2,
                   commitments=[{"item_id": rations, "quantity": 100, "period": "per_day"}])
    # None of these count: expired by date, marked expired, terminated, draft, not yet started.
    for number, fields in [("X-1", {"valid_from": in_days(-400), "valid_to": in_days(-1)}),
                           ("X-2", {"status": "expired"}), ("X-3", {"status": "terminated"}),
                           ("X-4", {"status": "draft"}),
                           ("X-5", {"valid_from": in_days(1), "valid_to": in_days(300)})]:
        make_agreement(app, make_partner(app, f"{number} 超市"), number, response_hours=1,
                       commitments=[{"item_id": rations, "quantity": 10000}], **fields)
    return {"rations": rations, "water": water, "depot": depot}


def test_reachable_reserve_adds_depot_stockpiles_and_agreements_in_force(app, session, reserve):
    found = queries.reachable(session, on=today(), item_id=reserve["rations"])
    [entry] = found.items
    assert (entry.reach.depot, entry.reach.stockpiles, entry.reach.committed) == (120, 580, 300)
    assert entry.reach.committed_per_day == 100
    assert entry.reach.total == 120 + 580 + 300 + 100
    agreements_listed = {row.agreement_number for row in found.sources if row.source == Source.AGREEMENT}
    assert agreements_listed == {"CS-1", "CS-2"}  # expired, terminated, draft, pending left out
    category_lines = [row for row in found.sources if not row.counted]
    assert [(row.description, row.unit) for row in category_lines] == [("盒饭", "份")]
    depot_row = found.sources[0]
    assert (depot_row.source, depot_row.quantity, depot_row.on_hand) == (Source.DEPOT, 120, 150)
    stockpile_hours = {row.partner.name: row.response_hours for row in found.sources
                       if row.source == Source.STOCKPILE}
    assert stockpile_hours == {"辽源市民政局": 12, "辽源市应急管理局": None}


def test_who_can_supply_200_rations_within_6_hours(app, session, reserve):
    found = queries.reachable(session, on=today(), item_id=reserve["rations"], within_hours=6,
                              needed=Decimal(200))
    [entry] = found.items
    assert entry.reach.within == 120 + 300 + 100 and entry.reach.enough is True
    within = [row for row in found.sources if found.within(row)]
    assert {row.source for row in within} == {Source.DEPOT, Source.AGREEMENT}
    tight = queries.reachable(session, on=today(), item_id=reserve["rations"], within_hours=1,
                              needed=Decimal(200))
    assert tight.items[0].reach.within == 120 and tight.items[0].reach.enough is False


def test_a_category_search_totals_each_item_on_its_own(app, session, reserve):
    found = queries.reachable(session, on=today(), category_id=_category_id(session, "FF"))
    totals = {entry.item.sku: entry.reach.total for entry in found.items}
    assert totals == {"T-RATION": Decimal(1100), "T-WATER": Decimal(1000)}


def line_ids_of(session, activation_id: int) -> list[int]:
    return list(session.scalars(select(ActivationLine.id).where(ActivationLine.activation_id == activation_id)
                                .order_by(ActivationLine.id)))


def _category_id(session, code: str) -> int:
    return session.scalar(select(Category.id).where(Category.code == code))


def test_free_text_finds_commitments_outside_the_catalogue(app, session):
    make_agreement(app, make_partner(app, "东辽县工程机械公司", kind="machinery", district="DL"), "JX-1",
                   response_hours=3, commitments=[{"description": "挖掘机", "quantity": 3, "unit": "台"}])
    found = queries.reachable(session, on=today(), q="挖掘")
    assert [(row.partner.name, row.quantity, row.response_hours) for row in found.sources] == [
        ("东辽县工程机械公司", Decimal(3), 3)]


def test_alerts_list_agreements_ending_soon_or_past_and_partners_out_of_touch(app, session):
    soon = make_partner(app, "快到期")
    make_agreement(app, soon, "SOON", valid_to=in_days(20))
    make_agreement(app, make_partner(app, "已过期"), "PAST", valid_from=in_days(-400), valid_to=in_days(-3))
    make_agreement(app, make_partner(app, "很久"), "LONG", valid_to=in_days(200))
    make_agreement(app, make_partner(app, "终止"), "GONE", status="terminated", valid_to=in_days(5))
    contact = session.scalar(select(PartnerContact).where(PartnerContact.partner_id == soon))
    partners.record_contact_check(session, CLI, contact.id, reached=True)
    found = queries.alerts(session, on=today(), now=utcnow())
    assert [(row.agreement.number, row.standing) for row in found.agreements] == [
        ("PAST", Standing.EXPIRED), ("SOON", Standing.EXPIRING)]
    assert {row.partner.name for row in found.out_of_touch} == {"已过期", "很久", "终止"}
    partners.record_contact_check(session, CLI, contact.id, reached=True,
                                  checked_at=utcnow() - timedelta(days=200))
    assert "快到期" not in {row.partner.name for row in queries.alerts(session, on=today(),
                                                                     now=utcnow()).out_of_touch}


def test_an_agreement_not_in_force_cannot_be_called_on(app, session):
    expired = make_agreement(app, make_partner(app), valid_from=in_days(-400), valid_to=in_days(-1))
    with pytest.raises(Conflict):
        agreements.activate_agreement(session, CLI, expired, lines=[{"description": "盒饭", "quantity": 1,
                                                                      "unit": "份"}])
    assert rows(session, Activation) == 0


def test_an_activation_during_a_deployment_and_its_arrival_into_the_depot(app, session, reserve):
    deployment = make_deployment(app)
    agreement_id = session.scalar(select(Agreement.id).where(Agreement.number == "CS-1"))
    commitment = session.scalar(select(Commitment).where(Commitment.agreement_id == agreement_id,
                                                         Commitment.item_id.is_not(None)))
    activation = agreements.activate_agreement(
        session, CLI, agreement_id, deployment_id=deployment, contact_name="王经理",
        lines=[{"commitment_id": commitment.id, "quantity": 200},
               {"description": "盒饭", "quantity": 300, "unit": "份",
                "needed_by": utcnow() + timedelta(hours=3)}])
    line_ids = line_ids_of(session, activation.id)
    before = stock_counts(app)
    arrival = agreements.record_arrival(session, CLI, line_ids[0], quantity=150,
                                        location_id=reserve["depot"].bin_b)
    movement = session.get(StockMovement, arrival.movement_id)
    assert (movement.reason.value, movement.quantity, movement.reference) == ("receive", 150, "CS-1")
    agreements.record_arrival(session, CLI, line_ids[1], quantity=300)  # on scene: not our stock
    assert stock_counts(app)[0] == before[0] + 1
    assert ledger.check(db.session) == []
    [row] = queries.activation_rows(session, deployment_id=deployment)
    assert [(line.arrived, line.outstanding) for line in row.lines] == [(150, 50), (300, 0)]
    assert not row.complete


@pytest.mark.parametrize(("data", "field"), [
    ({"quantity": -5}, "quantity"), ({"quantity": 2.5}, "quantity"),
    ({"quantity": 5, "location_id": 99999}, "location_id"),
    ({"quantity": 5, "arrived_at": "2001-01-01T00:00"}, "arrived_at"),
    ({"quantity": 5, "location_id": 1, "expires_on": in_days(-1)}, "expires_on"),
])
def test_a_bad_arrival_writes_nothing(app, session, reserve, data, field):
    agreement_id = session.scalar(select(Agreement.id).where(Agreement.number == "CS-1"))
    activation = agreements.activate_agreement(session, CLI, agreement_id,
                                               lines=[{"item_id": reserve["rations"], "quantity": 10}])
    [line_id] = line_ids_of(session, activation.id)
    before = stock_counts(app), rows(session, Arrival)
    with pytest.raises(InvalidInput) as caught:
        agreements.record_arrival(session, CLI, line_id, **data)
    assert field in caught.value.fields
    assert (stock_counts(app), rows(session, Arrival)) == before


def test_an_activation_for_a_closed_deployment_is_refused(app, session, reserve):
    from warehouse.services import deployments

    deployment = make_deployment(app)
    deployments.close_deployment(session, CLI, deployment)
    agreement_id = session.scalar(select(Agreement.id).where(Agreement.number == "CS-1"))
    with pytest.raises(Conflict):
        agreements.activate_agreement(session, CLI, agreement_id, deployment_id=deployment,
                                      lines=[{"item_id": reserve["rations"], "quantity": 10}])
    assert rows(session, Activation) == 0


def test_a_depot_arrival_is_a_receipt_dated_when_it_arrived(app, session, reserve):
    agreement_id = session.scalar(select(Agreement.id).where(Agreement.number == "CS-1"))
    requested = utcnow() - timedelta(hours=5)
    activation = agreements.activate_agreement(session, CLI, agreement_id, requested_at=requested,
                                               lines=[{"item_id": reserve["rations"], "quantity": 10}])
    [line_id] = line_ids_of(session, activation.id)
    arrived = requested + timedelta(hours=3)
    arrival = agreements.record_arrival(session, CLI, line_id, quantity=10, arrived_at=arrived,
                                        location_id=reserve["depot"].bin_a)
    movement = session.get(StockMovement, arrival.movement_id)
    assert abs(movement.at - arrived) < timedelta(seconds=1)
    assert abs(session.get(Arrival, arrival.id).arrived_at - arrived) < timedelta(seconds=1)
