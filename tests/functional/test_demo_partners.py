"""The demo's partners: five departments with stockpiles, county supporters and carriers, agreements
of every standing, the alerts, the call-in during the Xi'an fire, and the issue's "done when": the
reachable reserve on demo data equals totals computed here with plain SQL over the tables.

The whole demo is loaded once for this module (through `flask demo load`): the tests only read.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from warehouse import demo
from warehouse.demo_catalogue import ENTRIES
from warehouse.demo_deployments import HIGH_RISE_FIRE
from warehouse.domain.partners import (
    COUNTY_KINDS,
    DEPARTMENT_KINDS,
    AgreementStatus,
    PartnerKind,
    Source,
    Standing,
    check_pdf,
    standing,
)
from warehouse.domain.stock import Reason
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
    Deployment,
    District,
    Item,
    Location,
    Partner,
    PartnerContact,
    StockMovement,
    StockpileLine,
)
from warehouse.models.base import utcnow
from warehouse.queries import partners as queries
from warehouse.services import ledger
from warehouse.timezone import today

COUNTIES = {"LS", "XA", "DL", "DF"}


@pytest.fixture(scope="module")
def demo_db(demo_app):
    """A session on the loaded demo (read only)."""
    with demo_app.app_context():
        yield db.session
        db.session.remove()


def aware(moment):
    """Read a stored UTC moment as aware (SQLite gives it back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def partners_by_kind(session) -> dict[PartnerKind, list[tuple[Partner, str]]]:
    out: dict[PartnerKind, list] = {}
    for partner, code in session.execute(select(Partner, District.code).join(District)):
        out.setdefault(partner.kind, []).append((partner, code))
    return out


# --- what the demo holds ----------------------------------------------------------------------

def test_the_five_departments_sit_at_city_level_with_stockpile_lists_of_demo_items(demo_db):
    kinds = partners_by_kind(demo_db)
    skus = {entry.sku for entry in ENTRIES}
    on = today()
    for kind in DEPARTMENT_KINDS:
        [(department, district)] = kinds[kind]
        assert district == "LY" and department.name.startswith("辽源市") and department.active
        lines = demo_db.execute(
            select(Item.sku, StockpileLine.quantity, StockpileLine.as_of, StockpileLine.location)
            .join(Item).where(StockpileLine.partner_id == department.id)).all()
        assert 3 <= len({sku for sku, *_ in lines}) <= 8, department.name
        for sku, quantity, as_of, location in lines:
            assert sku in skus and quantity > 0 and location
            assert on - timedelta(days=120) <= as_of <= on  # counted within the last months
    # No other kind of partner keeps a stockpile list.
    assert demo_db.scalar(select(func.count()).select_from(StockpileLine).join(Partner)
                          .where(Partner.kind.not_in(DEPARTMENT_KINDS))) == 0


def test_four_departments_signed_a_joint_reserve_agreement_and_the_earthquake_bureau_did_not(demo_db):
    on = today()
    signed = dict(demo_db.execute(
        select(Partner.kind, func.count(Agreement.id))
        .outerjoin(Agreement, Agreement.partner_id == Partner.id)
        .where(Partner.kind.in_(DEPARTMENT_KINDS)).group_by(Partner.kind)).all())
    assert signed == {kind: 0 if kind == PartnerKind.EARTHQUAKE else 1 for kind in DEPARTMENT_KINDS}
    tents = demo_db.scalar(select(Item.id).where(Item.sku == "FF-TENT12"))
    found = queries.reachable(demo_db, on=on, item_id=tents)
    hours = {row.partner.kind: row.response_hours for row in found.sources if row.source == Source.STOCKPILE}
    assert hours[PartnerKind.EARTHQUAKE] is None  # nobody promised a time
    assert all(isinstance(hours[kind], int) for kind in hours if kind != PartnerKind.EARTHQUAKE)


def test_county_partners_of_every_kind_spread_over_the_four_districts_with_carriers(demo_db):
    kinds = partners_by_kind(demo_db)
    others = [(partner, district) for kind, found in kinds.items() if kind not in DEPARTMENT_KINDS
              for partner, district in found]
    assert len(others) >= 12
    assert {district for _partner, district in others} >= COUNTIES
    for kind in COUNTY_KINDS:
        assert len(kinds[kind]) >= 2, kind
        assert {district for _p, district in kinds[kind]} <= COUNTIES
    assert len(kinds[PartnerKind.RAILWAY]) == 1 and len(kinds[PartnerKind.LOGISTICS]) == 1
    for county in COUNTIES:
        assert sum(district == county for _p, district in others) >= 3, county


def test_every_partner_has_one_or_two_contacts_with_a_24_hour_phone_and_a_check_log(demo_db):
    contacts = Counter(demo_db.scalars(select(PartnerContact.partner_id)))
    assert set(contacts) == set(demo_db.scalars(select(Partner.id)))
    assert set(contacts.values()) == {1, 2}
    for phone in demo_db.scalars(select(PartnerContact.phone_24h)):
        digits = phone.replace("-", "").replace(" ", "")
        mobile = digits.startswith("1") and len(digits) == 11
        assert digits.isdigit() and (digits.startswith("0437") or mobile), phone
    checks = demo_db.execute(
        select(ContactCheck.checked_at, ContactCheck.reached, ContactCheck.checked_by_name)).all()
    assert len(checks) >= len(contacts) and all(aware(at) < utcnow() for at, _r, _by in checks)
    assert {by for _at, _r, by in checks} == {"物资管理员 张敏"}  # the supply officer calls them


def test_agreements_of_every_standing_with_mixed_commitments(demo_db):
    on = today()
    agreements = demo_db.scalars(select(Agreement)).all()
    standings = Counter(standing(a.status, a.valid_from, a.valid_to, on) for a in agreements)
    assert standings[Standing.EXPIRING] == 1 and standings[Standing.EXPIRED] == 1
    assert standings[Standing.TERMINATED] == 1 and standings[Standing.DRAFT] == 1
    assert standings[Standing.IN_FORCE] >= 15 and set(standings) == {
        Standing.IN_FORCE, Standing.EXPIRING, Standing.EXPIRED, Standing.TERMINATED, Standing.DRAFT}
    # Expired by date while still marked active: the alert asks someone to renew or close it.
    [expired] = [a for a in agreements
                 if standing(a.status, a.valid_from, a.valid_to, on) == Standing.EXPIRED]
    assert expired.status == AgreementStatus.ACTIVE and expired.valid_to < on
    assert all(1 <= a.response_hours <= 24 for a in agreements)
    assert all(a.signed_on is not None and a.signed_on <= a.valid_from for a in agreements
               if a.status != AgreementStatus.DRAFT)
    lines = demo_db.execute(select(Commitment.item_id, Commitment.category_id, Commitment.description,
                                   Commitment.period, Commitment.quantity)).all()
    kinds = Counter("item" if item else "category" if category else "words"
                    for item, category, _d, _p, _q in lines)
    assert min(kinds["item"], kinds["category"], kinds["words"]) >= 3
    assert {period.value for *_rest, period, _q in lines} == {"total", "per_day"}
    words = {description for _i, _c, description, _p, _q in lines}
    assert {"柴油（罐车配送）", "挖掘机（22 t级）", "厢式货车（4.2 m）", "消防车辆现场抢修"} <= words
    assert all(quantity > 0 for *_rest, quantity in lines)


def test_a_few_agreements_carry_their_signed_pdf(demo_db):
    documents = demo_db.execute(select(AgreementDocument, AgreementDocument.content, Agreement.number,
                                       Agreement.signed_on).join(Agreement)).all()
    assert 3 <= len(documents) <= 8
    for document, content, number, signed_on in documents:
        check_pdf(content)  # a real PDF, under the limit
        assert document.size == len(content) and document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.filename.endswith(".pdf") and number in document.filename
        assert aware(document.uploaded_at).date() > signed_on  # scanned after signing


def test_the_alerts_list_the_expiring_and_expired_agreements_and_the_partners_out_of_touch(demo_db):
    on, now = today(), utcnow()
    found = queries.alerts(demo_db, on=on, now=now)
    # Expected from the tables: active on paper, ending within 60 days or already past the end.
    numbers = set(demo_db.scalars(select(Agreement.number).where(
        Agreement.status == AgreementStatus.ACTIVE, Agreement.valid_to < on + timedelta(days=60))))
    assert {row.agreement.number for row in found.agreements} == numbers and len(numbers) == 2
    assert sorted(row.standing for row in found.agreements) == [Standing.EXPIRED, Standing.EXPIRING]
    # Partners whose contacts nobody reached in 180 days, read from the check log.
    reached = dict(demo_db.execute(select(PartnerContact.partner_id, func.max(ContactCheck.checked_at))
                                   .join(ContactCheck).where(ContactCheck.reached.is_(True))
                                   .group_by(PartnerContact.partner_id)).all())
    stale = {partner_id for partner_id in demo_db.scalars(select(Partner.id).where(Partner.active.is_(True)))
             if partner_id not in reached or aware(reached[partner_id]) < now - timedelta(days=180)}
    assert {row.partner.id for row in found.out_of_touch} == stale and len(stale) == 2
    # One of them is being called without answer: tried lately, not reached.
    tried = [row for row in found.out_of_touch if aware(row.checked_at) > now - timedelta(days=30)]
    assert len(tried) == 1 and aware(tried[0].reached_at) < now - timedelta(days=180)
    assert found.count == 4


# --- the reachable reserve, computed independently --------------------------------------------

DEPOT_AVAILABLE = text("""
    SELECT COALESCE(SUM(b.quantity), 0)
    FROM stock_balances b
    JOIN items i ON i.id = b.item_id
    JOIN locations l ON l.id = b.location_id
    LEFT JOIN locations up ON up.id = l.parent_id
    LEFT JOIN lots t ON t.id = b.lot_id
    WHERE i.sku = :sku
      AND l.kind IN ('zone', 'rack', 'bin', 'kit')
      AND NOT (l.kind = 'kit' AND COALESCE(up.kind, '') = 'deployed')
      AND (t.expires_on IS NULL OR t.expires_on >= :today)
""")
DEPOT_ON_HAND = text("""
    SELECT COALESCE(SUM(b.quantity), 0)
    FROM stock_balances b
    JOIN items i ON i.id = b.item_id
    JOIN locations l ON l.id = b.location_id
    LEFT JOIN locations up ON up.id = l.parent_id
    WHERE i.sku = :sku
      AND l.kind IN ('zone', 'rack', 'bin', 'kit', 'quarantine')
      AND NOT (l.kind = 'kit' AND COALESCE(up.kind, '') = 'deployed')
""")
# A department's stockpile answers as fast as its quickest agreement in force (else no time).
STOCKPILES = text("""
    SELECT s.quantity,
           (SELECT MIN(a.response_hours) FROM agreements a
            WHERE a.partner_id = p.id AND a.status = 'active'
              AND a.valid_from <= :today AND a.valid_to >= :today)
    FROM stockpile_lines s
    JOIN items i ON i.id = s.item_id
    JOIN partners p ON p.id = s.partner_id
    WHERE i.sku = :sku AND p.active = 1 AND s.quantity > 0
""")
COMMITTED = text("""
    SELECT c.quantity, c.period, a.response_hours, a.number
    FROM commitments c
    JOIN agreements a ON a.id = c.agreement_id
    JOIN partners p ON p.id = a.partner_id
    JOIN items i ON i.id = c.item_id
    WHERE i.sku = :sku AND p.active = 1 AND a.status = 'active'
      AND a.valid_from <= :today AND a.valid_to >= :today
""")
NOT_IN_FORCE = text("""
    SELECT a.number, a.status, a.valid_to, c.quantity
    FROM commitments c
    JOIN agreements a ON a.id = c.agreement_id
    JOIN items i ON i.id = c.item_id
    WHERE i.sku = :sku
      AND NOT (a.status = 'active' AND a.valid_from <= :today AND a.valid_to >= :today)
""")


def expected_reach(session, sku: str, within_hours: int | None, needed: int | None) -> dict:
    """What the depot, the stockpiles and the agreements in force hold of an item, by plain SQL."""
    args = {"sku": sku, "today": today().isoformat()}
    depot = Decimal(session.execute(DEPOT_AVAILABLE, args).scalar_one())
    stockpiles = [(Decimal(q), hours) for q, hours in session.execute(STOCKPILES, args)]
    committed = [(Decimal(str(q)), period, hours, number) for q, period, hours, number
                 in session.execute(COMMITTED, args)]
    total_lines = sum((q for q, period, _h, _n in committed if period == "total"), Decimal(0))
    per_day = sum((q for q, period, _h, _n in committed if period == "per_day"), Decimal(0))
    held = sum((q for q, _h in stockpiles), Decimal(0))
    total = depot + held + total_lines + per_day
    within = None
    if within_hours is not None:
        within = depot + sum((q for q, h in stockpiles if h is not None and h <= within_hours), Decimal(0)) \
            + sum((q for q, _p, h, _n in committed if h <= within_hours), Decimal(0))
    return {"depot": depot, "stockpiles": held, "committed": total_lines, "committed_per_day": per_day,
            "total": total, "within": within,
            "enough": None if needed is None else (total if within is None else within) >= needed,
            "numbers": {number for *_rest, number in committed},
            "on_hand": Decimal(session.execute(DEPOT_ON_HAND, args).scalar_one())}


def as_found(reach) -> dict:
    return {name: getattr(reach, name) for name in
            ("depot", "stockpiles", "committed", "committed_per_day", "total", "within", "enough")}


@pytest.mark.parametrize(("sku", "within_hours", "needed"), [
    ("FF-SELFRICE", 6, 200),  # the issue's "who can supply 200 rations within 6 hours?"
    ("FF-WATER550", 2, 1000),  # the depot, two supermarkets, grain reserves (6 h: too slow)
    ("FF-WATER550", None, None),
    ("FF-WATER5L", 3, None),  # with the bottles the Xi'an supermarket delivered into the depot
    ("FF-DIESEL0-20", 4, 300),  # two oil depots; the terminated agreement left out
    ("FF-TENT12", 4, 10000),  # three departments, the earthquake bureau's without a time
    ("FF-QUILT", 24, None),  # the civil affairs bureau holds them in two places
    ("ER-SANDBAG", 3, 50000),
    ("FF-NOODLE", 1, None),
    ("FF-ELECTRO", None, 50),
])
def test_the_reachable_reserve_of_demo_items_equals_totals_computed_from_the_tables(
        demo_db, sku, within_hours, needed):
    item_id = demo_db.scalar(select(Item.id).where(Item.sku == sku))
    found = queries.reachable(demo_db, on=today(), item_id=item_id, within_hours=within_hours,
                              needed=Decimal(needed) if needed is not None else None)
    expected = expected_reach(demo_db, sku, within_hours, needed)
    [entry] = found.items
    assert entry.item.sku == sku
    assert as_found(entry.reach) == {name: expected[name] for name in as_found(entry.reach)}
    assert expected["total"] > expected["depot"]  # partners add to every one of these
    counted = {row.agreement_number for row in found.sources
               if row.source == Source.AGREEMENT and row.counted}
    assert counted == expected["numbers"]


def test_the_issues_question_has_an_answer_on_demo_data(demo_db):
    rations = demo_db.scalar(select(Item.id).where(Item.sku == "FF-SELFRICE"))
    found = queries.reachable(demo_db, on=today(), item_id=rations, within_hours=6, needed=Decimal(200))
    [entry] = found.items
    assert entry.reach.enough is True
    quick = [row for row in found.sources
             if row.source == Source.AGREEMENT and row.counted and found.within(row)]
    assert [(row.partner.name, row.quantity, row.response_hours) for row in quick] == [
        ("辽源欧亚购物中心", 200, 2)]
    assert quick[0].contact.phone_24h  # whom to call


@pytest.mark.parametrize(("sku", "left_out"), [
    ("FF-WATER550", {Standing.EXPIRED, Standing.DRAFT}),
    ("FF-SELFRICE", {Standing.EXPIRED}),
    ("FF-NOODLE", {Standing.EXPIRED}),
    ("FF-DIESEL0-20", {Standing.TERMINATED}),
])
def test_expired_terminated_and_draft_agreements_are_not_counted(demo_db, sku, left_out):
    on = today()
    args = {"sku": sku, "today": on.isoformat()}
    excluded = demo_db.execute(NOT_IN_FORCE, args).all()
    by_standing = {}
    for number, status, valid_to, quantity in excluded:
        agreement = demo_db.scalar(select(Agreement).where(Agreement.number == number))
        key = standing(agreement.status, agreement.valid_from, agreement.valid_to, on)
        by_standing[key] = by_standing.get(key, Decimal(0)) + Decimal(str(quantity))
    # They commit the item: counting them would change the total.
    assert set(by_standing) == left_out and all(quantity > 0 for quantity in by_standing.values())
    item_id = demo_db.scalar(select(Item.id).where(Item.sku == sku))
    found = queries.reachable(demo_db, on=on, item_id=item_id)
    [entry] = found.items
    expected = expected_reach(demo_db, sku, None, None)
    assert entry.reach.total == expected["total"]
    assert entry.reach.total + sum(by_standing.values()) != expected["total"]
    listed = {row.agreement_number for row in found.sources}
    assert not listed & {number for number, *_rest in excluded}


def test_the_reachable_reserve_of_a_category_adds_up_item_by_item(demo_db):
    on = today()
    food = demo_db.scalar(select(Category).where(Category.code == "FF"))
    found = queries.reachable(demo_db, on=on, category_id=food.id, within_hours=4)
    listed = {entry.item.sku: entry.reach for entry in found.items}
    for sku, reach in listed.items():
        expected = expected_reach(demo_db, sku, 4, None)
        assert as_found(reach) == {name: expected[name] for name in as_found(reach)}, sku
    # Listed: every item of the category the depot holds or someone can supply, and no other.
    wanted = set()
    for sku in demo_db.scalars(select(Item.sku).where(Item.category_id == food.id)):
        expected = expected_reach(demo_db, sku, None, None)
        if expected["on_hand"] or expected["total"]:
            wanted.add(sku)
    assert set(listed) == wanted and {"FF-WATER550", "FF-RICE", "FF-TENT12"} <= wanted
    # Category lines (meals, ready food) are listed in their own unit and not added to any item.
    lines = demo_db.execute(text("""
        SELECT a.number, c.description FROM commitments c JOIN agreements a ON a.id = c.agreement_id
        WHERE c.category_id = :category AND c.item_id IS NULL AND a.status = 'active'
          AND a.valid_from <= :today AND a.valid_to >= :today"""),
        {"category": food.id, "today": on.isoformat()}).all()
    shown = {(row.agreement_number, row.description) for row in found.sources if row.item is None}
    assert shown == set(lines) and len(lines) >= 3
    assert not any(row.counted for row in found.sources if row.item is None)


def test_free_words_find_the_excavators_committed_in_force(demo_db):
    on = today()
    found = queries.reachable(demo_db, on=on, q="挖掘机")
    expected = demo_db.execute(text("""
        SELECT a.number, c.quantity FROM commitments c JOIN agreements a ON a.id = c.agreement_id
        WHERE c.item_id IS NULL AND c.description LIKE '%挖掘机%' AND a.status = 'active'
          AND a.valid_from <= :today AND a.valid_to >= :today"""), {"today": on.isoformat()}).all()
    assert sorted((row.agreement_number, row.quantity) for row in found.sources) == sorted(
        (number, Decimal(str(quantity))) for number, quantity in expected)
    assert len(expected) == 3 and not found.items


# --- the call-in during the Xi'an fire ---------------------------------------------------------

def test_the_xian_fire_called_in_a_supermarket_whose_water_was_received_into_the_depot(demo_db):
    fire = demo_db.scalar(select(Deployment).where(Deployment.name == HIGH_RISE_FIRE))
    assert fire.closed_at is None
    [activation] = demo_db.scalars(select(Activation)).all()
    assert activation.deployment_id == fire.id and aware(activation.requested_at) > aware(fire.opened_at)
    agreement = demo_db.get(Agreement, activation.agreement_id)
    partner = demo_db.get(Partner, agreement.partner_id)
    assert partner.kind == PartnerKind.SUPERMARKET and partner.district.code == "XA"
    [row] = queries.activation_rows(demo_db, deployment_id=fire.id)
    assert not row.complete
    # Water and ready meals arrived in full; the electrolyte drinks are still awaited.
    assert [(line.line.quantity, line.arrived, line.outstanding) for line in row.lines] == [
        (120, 120, 0), (300, 300, 0), (60, 0, 60)]
    arrivals = demo_db.execute(select(Arrival, ActivationLine.item_id).join(ActivationLine)
                               .order_by(Arrival.arrived_at)).all()
    [(into_depot, water), (on_scene, no_item)] = arrivals
    assert no_item is None and on_scene.movement_id is None  # delivered on scene: not our stock
    movement = demo_db.get(StockMovement, into_depot.movement_id)
    assert (movement.reason, movement.item_id, movement.quantity, movement.reference) == (
        Reason.RECEIVE, water, into_depot.quantity, agreement.number)
    assert aware(movement.at) == aware(into_depot.arrived_at)
    assert demo_db.get(Location, movement.to_location_id).kind.value == "bin"
    receipts = demo_db.scalar(select(func.count()).select_from(StockMovement)
                              .where(StockMovement.reference == agreement.number))
    assert receipts == 1


def test_the_ledger_reconciles_after_the_partners(demo_db):
    assert ledger.check(demo_db) == []


# --- resetting the demo ------------------------------------------------------------------------

def test_a_reset_keeps_the_districts_the_migration_seeded(app, monkeypatch):
    monkeypatch.setattr(demo, "LOADERS", [demo.load_users])
    runner = app.test_cli_runner()
    # This module keeps the demo's app context open: commands must run in this app's.
    with app.app_context():
        assert "demo data loaded" in runner.invoke(args=["demo", "load"]).output
        result = runner.invoke(args=["demo", "load", "--reset"])
        assert result.exit_code == 0 and "demo data loaded" in result.output, result.output
        codes = db.session.scalars(select(District.code).order_by(District.position)).all()
        db.session.remove()
    assert codes == ["LY", "LS", "XA", "DL", "DF"]
