"""The demo's support force: about fifty people, and a compliance panel that passes three targets
and fails one, with the figures counted here straight from the tables.

The whole demo is loaded once for this module (through `flask demo load`): the tests only read.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.builders import CLI, UserRef, issue_token
from warehouse import demo
from warehouse.domain.squads import Grade, PersonStatus, SquadKind, SquadRole, SupportFunction
from warehouse.extensions import db
from warehouse.models import (
    Person,
    Qualification,
    QualificationKind,
    Squad,
    SquadModule,
    StaffingTarget,
    User,
)
from warehouse.queries.squads import staffing_report
from warehouse.services import squads
from warehouse.timezone import today

CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
AT_LEAST_INTERMEDIATE = {Grade.INTERMEDIATE, Grade.SENIOR}


@pytest.fixture(scope="module")
def session(demo_app):
    """A session on the loaded demo (read only)."""
    with demo_app.app_context():
        yield db.session
        db.session.remove()


@pytest.fixture(scope="module")
def counted(session):
    """The plan's figures, counted in Python from the raw rows (not through queries.squads)."""
    on = today()
    squads_by_id = {s.id: s for s in session.scalars(select(Squad))}
    people = session.scalars(select(Person)).all()
    staff = [p for p in people
             if p.status == PersonStatus.ACTIVE and p.squad_id and squads_by_id[p.squad_id].active]
    staff_ids = {p.id for p in staff}
    kinds = {k.id: k.code for k in session.scalars(select(QualificationKind))}
    valid = defaultdict(set)  # kind code -> ids of staff holding it today
    for q in session.scalars(select(Qualification)):
        holds = (q.issued_on is None or q.issued_on <= on) and (q.expires_on is None or q.expires_on >= on)
        graded_enough = kinds[q.kind_id] != "TECH" or q.grade in AT_LEAST_INTERMEDIATE
        if holds and q.person_id in staff_ids and graded_enough:
            valid[kinds[q.kind_id]].add(q.person_id)
    by_id = {p.id: p for p in staff}
    standing = {p.badge_code for p in staff if squads_by_id[p.squad_id].kind == SquadKind.STANDING}
    mobile = {p.badge_code for p in staff if squads_by_id[p.squad_id].kind == SquadKind.MOBILE}
    thresholds = dict(session.execute(select(StaffingTarget.code, StaffingTarget.threshold)).all())
    base = len(staff)
    actual = {
        "STANDING_HEADCOUNT": standing,
        "MOBILE_HEADCOUNT": mobile,
        "DRIVER_SHARE": {by_id[i].badge_code for i in valid["DRIVER"]},
        "TECHNICIAN_SHARE": {by_id[i].badge_code for i in valid["TECH"]},
    }
    passed = {
        "STANDING_HEADCOUNT": len(standing) >= thresholds["STANDING_HEADCOUNT"],
        "MOBILE_HEADCOUNT": len(mobile) >= thresholds["MOBILE_HEADCOUNT"],
        "DRIVER_SHARE": len(actual["DRIVER_SHARE"]) * 100 >= thresholds["DRIVER_SHARE"] * base,
        "TECHNICIAN_SHARE": len(actual["TECHNICIAN_SHARE"]) * 100 >= thresholds["TECHNICIAN_SHARE"] * base,
    }
    return {"base": base, "actual": actual, "passed": passed, "thresholds": thresholds,
            "standing": len(standing), "mobile": len(mobile)}


def test_the_force_is_about_fifty_people_with_badges_phones_and_chinese_names(session):
    people = session.scalars(select(Person)).all()
    assert 45 <= len(people) <= 60
    assert len({p.badge_code for p in people}) == len(people)
    assert all(re.fullmatch(r"BZ-\d{4}", p.badge_code) for p in people)
    assert all(re.fullmatch(r"139\d{8}", p.phone) for p in people)
    assert all(CHINESE_NAME.match(p.name) for p in people)
    assert all(p.joined_on is not None and p.joined_on <= today() for p in people)
    statuses = Counter(p.status for p in people)
    assert statuses[PersonStatus.ON_LEAVE] >= 1 and 1 <= statuses[PersonStatus.LEFT] <= 2
    assert len({p.employment for p in people}) == 4  # firefighters, contract, hired, purchased


def test_standing_and_mobile_squads_cover_all_five_functions_each_with_one_leader(session):
    squads_ = session.scalars(select(Squad)).all()
    assert {s.kind for s in squads_} == set(SquadKind)
    assert {s.function for s in squads_} == set(SupportFunction)
    leaders = Counter(session.scalars(select(Person.squad_id).where(Person.squad_role == SquadRole.LEADER)))
    modules = Counter(session.scalars(select(SquadModule.squad_id)))
    for squad in squads_:
        assert squad.active and squad.home_station, squad.code
        assert leaders[squad.id] == 1, squad.code
        assert modules[squad.id] >= 2, squad.code
    leader_statuses = session.scalars(select(Person.status).where(Person.squad_role == SquadRole.LEADER))
    assert set(leader_statuses) == {PersonStatus.ACTIVE}


def test_about_seventeen_standing_and_thirty_three_mobile_staff_count(counted):
    assert 15 <= counted["standing"] <= 20 and 30 <= counted["mobile"] <= 36
    assert counted["base"] == counted["standing"] + counted["mobile"]


def test_three_targets_pass_and_the_technician_share_fails(counted):
    assert counted["passed"] == {"STANDING_HEADCOUNT": True, "MOBILE_HEADCOUNT": True,
                                 "DRIVER_SHARE": True, "TECHNICIAN_SHARE": False}


def test_the_staffing_report_matches_the_independent_count(session, counted):
    report = staffing_report(session, today())
    assert (report.staff_total, report.standing, report.mobile) == (
        counted["base"], counted["standing"], counted["mobile"])
    assert {row.code for row, _ in report.assessments} == set(counted["actual"])
    for row, assessment in report.assessments:
        expected = counted["actual"][row.code]
        assert assessment.actual == len(expected), row.code
        assert {m.badge_code for m in assessment.counted} == expected, row.code
        assert assessment.passed is counted["passed"][row.code], row.code
    assert (report.passed, report.failed) == (3, 1)
    tech = next(a for row, a in report.assessments if row.code == "TECHNICIAN_SHARE")
    needed = -(-counted["thresholds"]["TECHNICIAN_SHARE"] * counted["base"] // 100) - tech.actual
    assert tech.needed == needed > 0


def test_lapsed_on_leave_and_junior_technicians_do_not_count(session, counted):
    on = today()
    rows = session.execute(select(Person.badge_code, Person.status, Qualification.grade,
                                  Qualification.expires_on)
                           .join(Qualification, Qualification.person_id == Person.id)
                           .join(QualificationKind, QualificationKind.id == Qualification.kind_id)
                           .where(QualificationKind.code == "TECH")).all()
    technicians = counted["actual"]["TECHNICIAN_SHARE"]
    lapsed = [b for b, status, grade, expires in rows if expires is not None and expires < on]
    away = [b for b, status, grade, expires in rows if status == PersonStatus.ON_LEAVE]
    juniors = [b for b, status, grade, expires in rows if grade == Grade.JUNIOR]
    assert lapsed and away and juniors
    assert not technicians & {*lapsed, *away, *juniors}


def test_qualifications_expiring_within_sixty_days_are_listed(session):
    on = today()
    due = set(session.execute(
        select(Person.badge_code, QualificationKind.code)
        .join(Qualification, Qualification.person_id == Person.id)
        .join(QualificationKind, QualificationKind.id == Qualification.kind_id)
        .where(Person.status == PersonStatus.ACTIVE,
               Qualification.expires_on <= on + timedelta(days=60))).all())
    expiring = staffing_report(session, on).expiring
    assert {(e.badge_code, e.kind_code) for e in expiring} == due
    upcoming = [e for e in expiring if 0 <= e.days_left <= 60]
    assert 2 <= len(upcoming) <= 3
    assert any(e.days_left < 0 for e in expiring)


def test_certificates_carry_numbers_grades_and_dates_before_today(session):
    on = today()
    for q in session.scalars(select(Qualification)):
        assert q.certificate_no and q.issued_on <= on < q.issued_on + timedelta(days=366 * 7)
        assert q.expires_on > q.issued_on
        assert (q.grade is not None) is q.kind.graded


# --- the figures on the API and the pages ------------------------------------------------------

def _user(app, username: str) -> UserRef:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        ref = UserRef(user.id, user.username, user.role, user.session_key)
        db.session.remove()
    return ref


def test_the_api_reports_the_same_figures(demo_app, counted):
    token = issue_token(demo_app, _user(demo_app, "commander"))
    # A context of its own: the module's session still reads from before the token was issued.
    with demo_app.app_context():
        body = demo_app.test_client().get("/api/v1/compliance/staffing",
                                          headers={"Authorization": f"Bearer {token}"}).get_json()
    assert (body["staff_total"], body["standing"], body["mobile"]) == (
        counted["base"], counted["standing"], counted["mobile"])
    assert (body["passed"], body["failed"]) == (3, 1)
    for target in body["targets"]:
        expected = counted["actual"][target["code"]]
        assert target["actual"] == len(expected) and target["base"] == counted["base"]
        assert target["passed"] is counted["passed"][target["code"]]
        assert {m["badge_code"] for m in target["counted"]} == expected
    assert body["expiring"]


def test_the_compliance_panel_and_home_page_show_the_same_figures(demo_app, counted):
    client = demo_app.test_client().sign_in(_user(demo_app, "commander"))
    with demo_app.app_context():
        names = dict(db.session.execute(select(Person.badge_code, Person.name)).all())
        for headers in ({}, {"Accept-Language": "en"}):
            page = client.get("/compliance/staffing", headers=headers)
            assert page.status_code == 200
            body = page.get_data(as_text=True)
            for badge in counted["actual"]["TECHNICIAN_SHARE"] | counted["actual"]["DRIVER_SHARE"]:
                assert names[badge] in body, badge
        # The demo commander reads in Chinese, whatever the browser asks for.
        home = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "编制指标：4 项中达标 3 项" in home
        db.session.remove()


# --- resetting the demo -------------------------------------------------------------------------

def _force(app) -> dict:
    with app.app_context():
        rows = db.session.execute(select(Person.badge_code, Person.name, Person.phone, Squad.code)
                                  .join(Squad, Squad.id == Person.squad_id)).all()
        numbers = set(db.session.scalars(select(Qualification.certificate_no)))
        db.session.remove()
    return {"people": set(rows), "certificates": numbers}


def test_a_reset_loads_the_same_force_again_with_the_plans_thresholds(app, monkeypatch):
    from warehouse import demo_kits
    from warehouse.demo_depot import _caller

    # The squads need only the modules of the kits' demo: the depot and boxes would take a while.
    monkeypatch.setattr(demo, "LOADERS", [
        demo.load_users, lambda s: demo_kits.build_modules(s, _caller(s, "officer")), demo.load_squads])
    runner = app.test_cli_runner()

    def cli(*args):
        # This module keeps the demo's app context open: commands must run in this app's.
        with app.app_context():
            return runner.invoke(args=list(args))

    loaded = cli("demo", "load")
    assert loaded.exit_code == 0 and "demo data loaded" in loaded.output, loaded.output
    first = _force(app)
    with app.app_context():
        kinds = db.session.scalar(select(func.count()).select_from(QualificationKind))
        squads.set_target_threshold(db.session, CLI, "TECHNICIAN_SHARE", 10)
        db.session.remove()

    result = cli("demo", "load", "--reset")
    assert result.exit_code == 0 and "demo data loaded" in result.output, result.output
    assert _force(app) == first and len(first["people"]) > 40
    with app.app_context():
        # Seeded by the migration, kept by the reset.
        assert db.session.scalar(select(func.count()).select_from(QualificationKind)) == kinds == 6
        targets = db.session.scalars(select(StaffingTarget)).all()
        assert len(targets) == 4
        assert all(t.threshold == t.plan_threshold and t.updated_at is None for t in targets)
        db.session.remove()
