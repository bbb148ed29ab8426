"""Squads and personnel on a real database: registration rules, one leader, whole-transaction errors."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.builders import CLI, make_module, make_person, make_squad
from tests.integration.test_kit_concurrency import race, split
from warehouse.domain.errors import Conflict, InvalidInput, NotFound
from warehouse.domain.squads import PersonStatus, SquadRole
from warehouse.models import Person, Qualification, QualificationKind, Squad, SquadModule, StaffingTarget
from warehouse.queries import squads as queries
from warehouse.services import squads
from warehouse.timezone import today


def rows(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def roles(session, squad: str) -> dict[str, SquadRole]:
    session.rollback()
    return dict(session.execute(select(Person.badge_code, Person.squad_role).join(Squad)
                                .where(Squad.code == squad)).all())


def test_the_migration_seeds_the_plans_targets_and_qualification_kinds(session):
    targets = {t.code: (t.measure.value, t.squad_kind and t.squad_kind.value, t.qualification_code,
                        t.min_grade and t.min_grade.value, t.threshold, t.plan_threshold)
               for t in session.scalars(select(StaffingTarget))}
    assert targets == {
        "STANDING_HEADCOUNT": ("headcount", "standing", None, None, 15, 15),
        "MOBILE_HEADCOUNT": ("headcount", "mobile", None, None, 30, 30),
        "DRIVER_SHARE": ("share", None, "DRIVER", None, 5, 5),
        "TECHNICIAN_SHARE": ("share", None, "TECH", "intermediate", 15, 15),
    }
    kinds = {k.code: k.graded for k in session.scalars(select(QualificationKind))}
    assert kinds["DRIVER"] is False and kinds["TECH"] is True
    assert {"MEDIC", "FORKLIFT"} <= set(kinds)


def test_a_squad_is_registered_with_its_modules(app, session):
    make_module(app, "EQ")
    make_module(app, "WR", name_zh="水域救援模块", name_en="Water rescue")
    squad = squads.create_squad(session, CLI, code="jd-ws", name_zh="卫勤机动分队", name_en="Mobile medical",
                                kind="mobile", function="medical", home_station=" 西安区消防救援站 ",
                                modules=["wr", "EQ", "WR"])
    assert (squad.code, squad.home_station, squad.active) == ("JD-WS", "西安区消防救援站", True)
    assert [m.code for m in queries.squad_modules(session, squad.id)] == ["EQ", "WR"]
    squads.update_squad(session, CLI, "JD-WS", modules=["WR"], name_en="Mobile medical squad")
    assert [m.code for m in queries.squad_modules(session, squad.id)] == ["WR"]
    assert rows(session, SquadModule) == 1


@pytest.mark.parametrize(("field", "value"), [
    ("code", "x"), ("kind", "reserve"), ("function", "catering"), ("name_zh", ""), ("name_zh", "长" * 41),
    ("modules", ["NOPE"]), ("modules", "EQ"),
])
def test_bad_squad_input_names_the_field_and_writes_nothing(session, field, value):
    data = {"code": "CB-WZ", "name_zh": "物资保障常备分队", "name_en": "Materials", "kind": "standing",
            "function": "materials", field: value}
    with pytest.raises(InvalidInput) as raised:
        squads.create_squad(session, CLI, **data)
    assert field in raised.value.fields
    assert rows(session, Squad) == 0


def test_a_taken_squad_code_is_a_conflict(app, session):
    make_squad(app, "CB-WZ")
    with pytest.raises(Conflict) as raised:
        squads.create_squad(session, CLI, code="cb-wz", name_zh="x", name_en="x", kind="mobile",
                            function="living")
    assert "code" in raised.value.fields
    assert rows(session, Squad) == 1


def test_a_squad_with_people_cannot_be_deleted_but_can_be_deactivated(app, session):
    make_squad(app, "CB-WZ")
    make_person(app, "CB-WZ", badge_code="P-0001", status="left")
    with pytest.raises(Conflict):
        squads.delete_squad(session, CLI, "CB-WZ")
    assert rows(session, Squad) == 1
    squads.update_squad(session, CLI, "CB-WZ", active=False)
    assert session.scalar(select(Squad.active)) is False


def test_an_empty_squad_is_deleted_with_its_modules(app, session):
    make_module(app, "EQ")
    make_squad(app, "CB-WZ", modules=["EQ"])
    squads.delete_squad(session, CLI, "cb-wz")
    assert (rows(session, Squad), rows(session, SquadModule)) == (0, 0)
    with pytest.raises(NotFound):
        squads.get_squad(session, "CB-WZ")


def test_a_person_is_registered_with_qualifications(app, session):
    make_squad(app, "CB-WZ")
    person = squads.create_person(
        session, CLI, badge_code=" bz-0001 ", name=" 李明 ", phone="139 0437 0001", squad="cb-wz",
        employment="contract", joined_on="2024-03-01",
        qualifications=[{"kind": "driver", "certificate_no": "A2-220401", "issued_on": "2022-04-01",
                         "expires_on": "2028-04-01"},
                        {"kind": "TECH", "grade": "intermediate"}])
    held = queries.person_with_qualifications(session, person.id)
    assert (held.badge_code, held.name, held.squad.code, held.status) == ("BZ-0001", "李明", "CB-WZ",
                                                                          PersonStatus.ACTIVE)
    assert sorted((q.kind.code, q.grade and q.grade.value) for q in held.qualifications) == [
        ("DRIVER", None), ("TECH", "intermediate")]


@pytest.mark.parametrize(("qualification", "field"), [
    ({"kind": "TECH"}, "qualifications.0.grade"),  # graded kinds need a grade
    ({"kind": "DRIVER", "grade": "senior"}, "qualifications.0.grade"),
    ({"kind": "PILOT"}, "qualifications.0.kind"),
    ({"kind": "DRIVER", "issued_on": "2025-06-02", "expires_on": "2025-06-01"},
     "qualifications.0.expires_on"),
    ({"kind": "DRIVER", "issued_on": "next week"}, "qualifications.0.issued_on"),
    ({"kind": "DRIVER", "certificate_no": "x" * 41}, "qualifications.0.certificate_no"),
])
def test_a_bad_qualification_refuses_the_whole_registration(app, session, qualification, field):
    make_squad(app, "CB-WZ")
    with pytest.raises(InvalidInput) as raised:
        squads.create_person(session, CLI, badge_code="BZ-0001", name="李明", squad="CB-WZ",
                             employment="firefighter", qualifications=[qualification])
    assert field in raised.value.fields
    assert (rows(session, Person), rows(session, Qualification)) == (0, 0)


def test_a_qualification_issued_in_the_future_is_refused(app, session):
    badge = make_person(app, None)
    with pytest.raises(InvalidInput) as raised:
        squads.set_qualification(session, CLI, badge, kind="DRIVER", issued_on=today() + timedelta(days=1))
    assert "issued_on" in raised.value.fields


def test_a_duplicate_badge_code_is_a_conflict_and_writes_nothing(app, session):
    make_squad(app)
    make_person(app, badge_code="BZ-0001")
    with pytest.raises(Conflict) as raised:
        squads.create_person(session, CLI, badge_code="bz-0001", name="张三", employment="contract",
                             qualifications=[{"kind": "MEDIC"}])
    assert "badge_code" in raised.value.fields
    assert (rows(session, Person), rows(session, Qualification)) == (1, 0)


def test_a_new_leader_takes_over_and_the_old_one_becomes_a_member(app, session):
    make_squad(app, "CB-WZ")
    first = make_person(app, squad_role="leader")
    second = make_person(app)
    squads.update_person(session, CLI, second, squad_role="leader")
    assert roles(session, "CB-WZ") == {first: SquadRole.MEMBER, second: SquadRole.LEADER}
    third = make_person(app, squad_role="leader", name="赵六")
    assert roles(session, "CB-WZ")[third] is SquadRole.LEADER
    assert list(roles(session, "CB-WZ").values()).count(SquadRole.LEADER) == 1


def test_moving_to_another_squad_makes_a_leader_a_member_there(app, session):
    make_squad(app, "CB-WZ")
    make_squad(app, "JD-1", kind="mobile")
    leader = make_person(app, "JD-1", squad_role="leader")
    mover = make_person(app, "CB-WZ", squad_role="leader")
    squads.update_person(session, CLI, mover, squad="JD-1")
    assert roles(session, "JD-1") == {leader: SquadRole.LEADER, mover: SquadRole.MEMBER}


def test_naming_a_leaders_own_squad_in_lower_case_is_no_move(app, session):
    make_squad(app, "CB-WZ")
    leader = make_person(app, "CB-WZ", squad_role="leader")
    squads.update_person(session, CLI, leader, squad=" cb-wz ", phone="139 0437 0009")
    assert roles(session, "CB-WZ") == {leader: SquadRole.LEADER}


def test_someone_outside_any_squad_cannot_lead(session):
    with pytest.raises(InvalidInput) as raised:
        squads.create_person(session, CLI, badge_code="BZ-0001", name="x", employment="contract",
                             squad_role="leader")
    assert "squad_role" in raised.value.fields


def test_a_qualification_is_renewed_in_place_and_can_be_removed(app, session):
    badge = make_person(app, None, qualifications=[{"kind": "TECH", "grade": "junior",
                                                    "expires_on": today() + timedelta(days=3)}])
    squads.set_qualification(session, CLI, badge, kind="tech", grade="senior", certificate_no="JS-3",
                             issued_on=today(), expires_on=today() + timedelta(days=1000))
    session.rollback()
    held = session.execute(select(Qualification.grade, Qualification.certificate_no)).all()
    assert [(g.value, c) for g, c in held] == [("senior", "JS-3")]
    squads.remove_qualification(session, CLI, badge, "TECH")
    assert rows(session, Qualification) == 0
    with pytest.raises(NotFound):
        squads.remove_qualification(session, CLI, badge, "TECH")


def test_replacing_a_persons_qualifications_keeps_only_the_new_ones(app, session):
    badge = make_person(app, None, qualifications=[{"kind": "DRIVER"}, {"kind": "MEDIC"}])
    squads.update_person(session, CLI, badge, qualifications=[{"kind": "FORKLIFT"}])
    session.rollback()
    assert session.scalars(select(QualificationKind.code).join(Qualification)).all() == ["FORKLIFT"]


def test_deleting_a_person_removes_their_qualifications(app, session):
    badge = make_person(app, None, qualifications=[{"kind": "DRIVER"}])
    squads.delete_person(session, CLI, badge)
    assert (rows(session, Person), rows(session, Qualification)) == (0, 0)


def test_a_new_qualification_kind_is_data_people_can_then_hold(app, session):
    squads.create_qualification_kind(session, CLI, code="crane", name_zh="起重机操作员",
                                     name_en="Crane operator")
    badge = make_person(app, None, qualifications=[{"kind": "CRANE"}])
    session.rollback()
    held = session.scalars(select(QualificationKind.code).join(Qualification).join(Person)
                           .where(Person.badge_code == badge)).all()
    assert held == ["CRANE"]
    with pytest.raises(Conflict):
        squads.create_qualification_kind(session, CLI, code="CRANE", name_zh="x", name_en="x")


def test_an_admin_changes_a_threshold_and_the_change_is_signed(app, session, users):
    from warehouse.domain.accounts import Role
    from warehouse.models import User
    from warehouse.services.accounts import Caller

    admin = session.get(User, users[Role.ADMIN].id)
    target = squads.set_target_threshold(session, Caller(admin, "test"), "driver_share", 8)
    assert (target.threshold, target.plan_threshold, target.updated_by_id) == (8, 5, admin.id)
    with pytest.raises(InvalidInput):
        squads.set_target_threshold(session, CLI, "DRIVER_SHARE", 101)
    with pytest.raises(NotFound):
        squads.set_target_threshold(session, CLI, "NOPE", 1)
    session.rollback()
    assert session.scalar(select(StaffingTarget.threshold).where(StaffingTarget.code == "DRIVER_SHARE")) == 8


# --- compliance on the database ---------------------------------------------------------------

def test_compliance_counts_only_active_people_in_active_squads_with_valid_qualifications(app, session):
    on = today()
    make_squad(app, "CB-WZ")
    make_squad(app, "JD-1", kind="mobile", function="technical")
    make_squad(app, "OLD", kind="mobile", function="living")
    for _ in range(15):
        make_person(app, "CB-WZ")
    make_person(app, "JD-1", qualifications=[{"kind": "DRIVER", "expires_on": on}])  # last valid day
    make_person(app, "JD-1", qualifications=[{"kind": "DRIVER", "expires_on": on - timedelta(days=1)}])
    make_person(app, "JD-1", qualifications=[{"kind": "TECH", "grade": "intermediate"}])
    make_person(app, "JD-1", qualifications=[{"kind": "TECH", "grade": "junior"}])
    make_person(app, "JD-1", status="on_leave", qualifications=[{"kind": "DRIVER"}])
    make_person(app, "JD-1", status="left", qualifications=[{"kind": "DRIVER"}])
    make_person(app, None, qualifications=[{"kind": "DRIVER"}])  # in no squad
    make_person(app, "OLD", qualifications=[{"kind": "DRIVER"}])
    squads.update_squad(session, CLI, "OLD", active=False)
    report = queries.staffing_report(session, on)
    figures = {row.code: (a.actual, a.base, a.passed) for row, a in report.assessments}
    # 15 standing + 4 active mobile = 19; one valid driver (1/19 = 5.3%), one intermediate tech.
    assert figures == {"STANDING_HEADCOUNT": (15, 19, True), "MOBILE_HEADCOUNT": (4, 19, False),
                       "DRIVER_SHARE": (1, 19, True), "TECHNICIAN_SHARE": (1, 19, False)}
    assert (report.staff_total, report.standing, report.mobile, report.passed) == (19, 15, 4, 2)


def test_the_expiring_list_shows_active_peoples_qualifications_within_sixty_days(app, session):
    on = today()
    make_squad(app, "CB-WZ")
    soon = make_person(app, qualifications=[{"kind": "DRIVER", "expires_on": on + timedelta(days=60)}])
    gone = make_person(app, qualifications=[{"kind": "MEDIC", "expires_on": on - timedelta(days=2)}])
    make_person(app, qualifications=[{"kind": "MEDIC", "expires_on": on + timedelta(days=61)}])
    make_person(app, status="left", qualifications=[{"kind": "MEDIC", "expires_on": on}])
    expiring = queries.expiring_qualifications(session, on)
    assert [(e.badge_code, e.kind_code, e.days_left) for e in expiring] == [(gone, "MEDIC", -2),
                                                                            (soon, "DRIVER", 60)]


# --- two officers at once ---------------------------------------------------------------------

def test_two_officers_registering_one_badge_at_once_make_one_person(app, session):
    make_squad(app, "CB-WZ")
    for round_no in range(3):
        badge = f"BZ-{round_no:04d}"

        def register(name, badge=badge):
            return lambda: squads.create_person(db_session(), CLI, badge_code=badge, name=name,
                                                squad="CB-WZ", employment="firefighter").id
        made, refused = split(race(app, register("甲"), register("乙")))
        assert len(made) == 1 and len(refused) == 1
        assert "badge_code" in refused[0].fields
    assert rows(session, Person) == 3


def test_two_officers_naming_different_leaders_at_once_leave_one_leader(app, session):
    make_squad(app, "CB-WZ")
    for _round in range(3):
        people = [make_person(app) for _ in range(4)]

        def lead(badge):
            return lambda: squads.update_person(db_session(), CLI, badge, squad_role="leader").badge_code
        results = race(app, *(lead(badge) for badge in people))
        made, refused = split(results)
        assert made, "at least one officer's change is saved"
        leaders = [b for b, role in roles(session, "CB-WZ").items() if role is SquadRole.LEADER]
        assert len(leaders) == 1 and leaders[0] in made


def db_session():
    from warehouse.extensions import db

    return db.session
