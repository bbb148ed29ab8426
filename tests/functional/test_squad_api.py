"""The squads API: squads, personnel, qualifications, their kinds and staffing compliance, over HTTP."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, select, update

from tests.api_client import Api, assert_error
from tests.builders import CLI, in_days, make_module, make_person, make_squad
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.models import Person, Qualification, QualificationKind, Squad, SquadModule, StaffingTarget
from warehouse.services import squads
from warehouse.timezone import today


def rows(app) -> dict:
    """Count squads, their modules, people, qualifications and kinds, and list the thresholds."""
    with app.app_context():
        found = {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                 for model in (Squad, SquadModule, Person, Qualification, QualificationKind)}
        found["thresholds"] = tuple(db.session.scalars(
            select(StaffingTarget.threshold).order_by(StaffingTarget.code)))
        db.session.remove()
    return found


def stamp(value: str) -> str:
    """Assert a timestamp is ISO 8601 with a time zone and return it."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)", value), value
    return value


@pytest.fixture
def api(app, users) -> Api:
    return Api(app, users)


@pytest.fixture
def modules(app) -> None:
    make_module(app, "EQ")
    make_module(app, "WR", name_zh="水域救援模块", name_en="Water rescue module")


SQUAD_BODY = {"code": "cb-wz", "name_zh": "物资保障常备分队", "name_en": "Standing materials squad",
              "kind": "standing", "function": "materials", "home_station": "龙山区消防救援站",
              "note": "24小时值守", "modules": ["wr", "EQ"]}


# --- squads -----------------------------------------------------------------------------------

def test_a_squad_is_registered_shown_changed_deactivated_and_deleted(app, api, modules):
    created = api.send("POST", "/api/v1/squads", SQUAD_BODY, status=201)
    expected = {"id": created["id"], "code": "CB-WZ", "name_zh": "物资保障常备分队",
                "name_en": "Standing materials squad", "kind": "standing", "function": "materials",
                "home_station": "龙山区消防救援站", "note": "24小时值守", "active": True,
                "modules": ["EQ", "WR"],  # in the modules' display order
                "active_count": 0, "on_leave_count": 0, "total_count": 0, "leader": None}
    assert created == expected
    assert api.get("/api/v1/squads/cb-wz") == expected
    assert api.get("/api/v1/squads", Role.LOGISTICS) == [expected]

    changed = api.send("PATCH", "/api/v1/squads/CB-WZ", {
        "name_en": "Materials squad", "kind": "mobile", "home_station": None, "modules": ["EQ"]})
    expected |= {"name_en": "Materials squad", "kind": "mobile", "home_station": "", "modules": ["EQ"]}
    assert changed == expected
    assert api.send("PATCH", "/api/v1/squads/CB-WZ", {}) == expected  # nothing given: nothing changes

    deactivated = api.send("PATCH", "/api/v1/squads/CB-WZ", {"active": False})
    assert deactivated == expected | {"active": False}
    assert api.get("/api/v1/squads") == []
    assert api.get("/api/v1/squads?include_inactive=true") == [expected | {"active": False}]
    assert api.get("/api/v1/squads/CB-WZ")["active"] is False

    assert api.send("DELETE", "/api/v1/squads/cb-wz", status=204) is None
    assert_error(api("GET", "/api/v1/squads/CB-WZ"), 404, "not_found")
    assert rows(app)["SquadModule"] == 0


def test_squads_are_listed_standing_first_with_counts_and_leader_and_filtered(app, api):
    make_squad(app, "JD-WZ", kind="mobile", function="materials", name_zh="物资机动分队",
               name_en="Mobile materials squad")
    make_squad(app, "CB-WS", kind="standing", function="medical", name_zh="卫勤常备分队",
               name_en="Standing medical squad")
    make_squad(app, "CB-JS", kind="standing", function="technical", name_zh="技术常备分队",
               name_en="Standing technical squad")
    leader = make_person(app, "CB-JS", badge_code="BZ-0001", name="李强", squad_role="leader")
    make_person(app, "CB-JS", badge_code="BZ-0002", name="赵敏")
    make_person(app, "CB-JS", badge_code="BZ-0003", name="孙丽", status="on_leave")
    make_person(app, "CB-JS", badge_code="BZ-0004", name="周涛", status="left")

    listed = api.get("/api/v1/squads")
    assert [s["code"] for s in listed] == ["CB-JS", "CB-WS", "JD-WZ"]
    technical = listed[0]
    assert (technical["active_count"], technical["on_leave_count"], technical["total_count"]) == (2, 1, 3)
    assert technical["leader"] == {"badge_code": leader, "name": "李强"}
    assert [s["code"] for s in api.get("/api/v1/squads?kind=mobile")] == ["JD-WZ"]
    assert [s["code"] for s in api.get("/api/v1/squads?function=medical")] == ["CB-WS"]
    assert api.get("/api/v1/squads?kind=mobile&function=medical") == []


def test_a_squad_with_people_cannot_be_deleted_but_can_be_deactivated(app, api):
    make_squad(app)
    make_person(app, "CB-WZ", badge_code="BZ-0001", status="left")
    before = rows(app)
    error = assert_error(api("DELETE", "/api/v1/squads/CB-WZ"), 409, "conflict", "code")
    assert "deactivate" in error["message"]
    assert rows(app) == before
    assert api.send("PATCH", "/api/v1/squads/CB-WZ", {"active": False})["active"] is False


def test_a_squad_code_is_unique(app, api, modules):
    api.send("POST", "/api/v1/squads", SQUAD_BODY, status=201)
    before = rows(app)
    assert_error(api("POST", "/api/v1/squads", json=SQUAD_BODY | {"code": "CB-WZ"}), 409, "conflict", "code")
    assert rows(app) == before


# --- personnel --------------------------------------------------------------------------------

def person_body(**changes) -> dict:
    return {"badge_code": "bz-0001", "name": "王建国", "phone": "139 0437 0001", "squad": "cb-wz",
            "squad_role": "leader", "employment": "contract", "joined_on": "2021-03-01",
            "note": "A2驾照",
            "qualifications": [
                {"kind": "tech", "grade": "intermediate", "certificate_no": "JS-2024-0815",
                 "issued_on": "2024-06-01", "expires_on": in_days(400).isoformat()},
                {"kind": "DRIVER", "certificate_no": "TZ-2019-0033", "issued_on": "2019-05-20",
                 "expires_on": in_days(-1).isoformat()},
            ]} | changes


def test_a_person_is_registered_shown_changed_and_deleted(app, api):
    make_squad(app)
    make_squad(app, "JD-JS", kind="mobile", function="technical", name_zh="技术机动分队",
               name_en="Mobile technical squad")
    created = api.send("POST", "/api/v1/personnel", person_body(), status=201)
    expected = {
        "id": created["id"], "badge_code": "BZ-0001", "name": "王建国", "phone": "139 0437 0001",
        "squad": "CB-WZ", "squad_role": "leader", "employment": "contract", "status": "active",
        "joined_on": "2021-03-01", "note": "A2驾照",
        # In the kinds' display order (DRIVER before TECH), whatever order they were sent in.
        "qualifications": [
            {"kind": "DRIVER", "kind_name_zh": "特种车驾驶员", "kind_name_en": "Special-vehicle driver",
             "grade": None, "certificate_no": "TZ-2019-0033", "issued_on": "2019-05-20",
             "expires_on": in_days(-1).isoformat(), "valid": False},
            {"kind": "TECH", "kind_name_zh": "装备技师", "kind_name_en": "Equipment technician",
             "grade": "intermediate", "certificate_no": "JS-2024-0815", "issued_on": "2024-06-01",
             "expires_on": in_days(400).isoformat(), "valid": True},
        ],
        "created_at": stamp(created["created_at"]), "updated_at": stamp(created["updated_at"]),
    }
    assert created == expected
    assert api.get("/api/v1/personnel/bz-0001", Role.LOGISTICS) == expected
    assert api.get("/api/v1/squads/CB-WZ/personnel") == [expected]
    assert api.get("/api/v1/squads/CB-WZ")["leader"] == {"badge_code": "BZ-0001", "name": "王建国"}

    moved = api.send("PATCH", "/api/v1/personnel/BZ-0001", {
        "squad": "jd-js", "status": "on_leave", "phone": None,
        "qualifications": [{"kind": "MEDIC", "certificate_no": "WS-7"}]})
    assert moved == expected | {
        "squad": "JD-JS", "squad_role": "member",  # a move starts as a member
        "status": "on_leave", "phone": "", "updated_at": stamp(moved["updated_at"]),
        "qualifications": [{"kind": "MEDIC", "kind_name_zh": "卫生员", "kind_name_en": "Medic",
                            "grade": None, "certificate_no": "WS-7", "issued_on": None,
                            "expires_on": None, "valid": True}]}
    assert api.get("/api/v1/squads/CB-WZ")["leader"] is None
    assert api.get("/api/v1/squads/JD-JS/personnel") == [moved]
    unassigned = api.send("PATCH", "/api/v1/personnel/BZ-0001", {"squad": None})
    assert (unassigned["squad"], unassigned["squad_role"]) == (None, "member")

    assert api.send("DELETE", "/api/v1/personnel/BZ-0001", status=204) is None
    assert_error(api("GET", "/api/v1/personnel/BZ-0001"), 404, "not_found")
    assert (rows(app)["Person"], rows(app)["Qualification"]) == (0, 0)


def test_a_new_leader_makes_the_previous_one_a_member(app, api):
    make_squad(app)
    first = make_person(app, badge_code="BZ-0001", name="李强", squad_role="leader")
    api.send("POST", "/api/v1/personnel", {"badge_code": "BZ-0002", "name": "赵敏", "squad": "CB-WZ",
                                           "squad_role": "leader", "employment": "firefighter"},
             status=201)
    assert api.get(f"/api/v1/personnel/{first}")["squad_role"] == "member"
    assert api.get("/api/v1/squads/CB-WZ")["leader"] == {"badge_code": "BZ-0002", "name": "赵敏"}
    api.send("PATCH", f"/api/v1/personnel/{first}", {"squad_role": "leader"})
    assert api.get("/api/v1/personnel/BZ-0002")["squad_role"] == "member"
    # Naming one's own squad in any case is no move: the leader stays the leader.
    assert api.send("PATCH", f"/api/v1/personnel/{first}", {"squad": "cb-wz"})["squad_role"] == "leader"


def test_the_roster_lists_a_squads_people_leader_first_and_those_who_left_on_request(app, api):
    make_squad(app)
    make_squad(app, "JD-JS", kind="mobile", function="technical")
    make_person(app, badge_code="BZ-0003", name="孙丽", status="left")
    make_person(app, badge_code="BZ-0002", name="赵敏")
    make_person(app, badge_code="BZ-0001", name="周涛", squad_role="leader")
    make_person(app, "JD-JS", badge_code="BZ-0009", name="吴刚")
    assert [p["badge_code"] for p in api.get("/api/v1/squads/CB-WZ/personnel")] == ["BZ-0001", "BZ-0002"]
    assert [p["badge_code"] for p in api.get("/api/v1/squads/cb-wz/personnel?include_left=true")] == \
        ["BZ-0001", "BZ-0002", "BZ-0003"]
    assert api.get("/api/v1/squads/JD-JS/personnel")[0]["squad"] == "JD-JS"
    assert_error(api("GET", "/api/v1/squads/NOPE/personnel"), 404, "not_found")


def test_the_personnel_list_filters_sorts_and_pages(app, api):
    make_squad(app)
    make_squad(app, "JD-JS", kind="mobile", function="technical")
    make_person(app, badge_code="BZ-0003", name="Chen Li", phone="139 0000 0003",
                qualifications=[{"kind": "DRIVER"}])
    make_person(app, badge_code="BZ-0001", name="Zhao Min", employment="contract", status="on_leave")
    make_person(app, "JD-JS", badge_code="BZ-0002", name="An Qi", employment="external_hire",
                qualifications=[{"kind": "TECH", "grade": "junior"}])
    make_person(app, None, badge_code="BZ-0004", name="Bai Yu", employment="purchased_service")

    def badges(query: str = "") -> list[str]:
        return [p["badge_code"] for p in api.get(f"/api/v1/personnel{query}")["items"]]

    assert badges() == ["BZ-0002", "BZ-0004", "BZ-0003", "BZ-0001"]  # by name
    assert badges("?sort=badge") == ["BZ-0001", "BZ-0002", "BZ-0003", "BZ-0004"]
    assert badges("?squad=cb-wz&sort=badge") == ["BZ-0001", "BZ-0003"]
    assert badges("?unassigned=true") == ["BZ-0004"]
    assert badges("?status=on_leave") == ["BZ-0001"]
    assert badges("?employment=external_hire") == ["BZ-0002"]
    assert badges("?qualification=driver") == ["BZ-0003"]
    assert badges("?qualification=TECH") == ["BZ-0002"]
    assert badges("?q=0000%200003") == ["BZ-0003"]
    assert badges("?q=bz-000") == ["BZ-0002", "BZ-0004", "BZ-0003", "BZ-0001"]
    page = api.get("/api/v1/personnel?per_page=3&page=2&sort=badge")
    assert ([p["badge_code"] for p in page["items"]], page["page"], page["per_page"], page["total"],
            page["pages"]) == (["BZ-0004"], 2, 3, 4, 2)
    assert_error(api("GET", "/api/v1/personnel?squad=CB-WZ&unassigned=true"), 422, "invalid_input",
                 "unassigned")


def test_a_duplicate_badge_is_409_and_writes_nothing(app, api):
    make_squad(app)
    make_person(app, badge_code="BZ-0001", name="李强", squad_role="leader")
    before = rows(app)
    assert_error(api("POST", "/api/v1/personnel", json=person_body(badge_code="bz-0001", name="赵敏")),
                 409, "conflict", "badge_code")
    assert rows(app) == before
    # The leader is still the leader: the refused newcomer demoted nobody.
    assert api.get("/api/v1/personnel/BZ-0001")["squad_role"] == "leader"


# --- qualifications ---------------------------------------------------------------------------

def test_a_qualification_is_recorded_renewed_and_removed(app, api):
    make_squad(app)
    badge = make_person(app, badge_code="BZ-0001")
    recorded = api.send("PUT", "/api/v1/personnel/bz-0001/qualifications/tech", {
        "grade": "junior", "certificate_no": "JS-1", "issued_on": "2023-01-01",
        "expires_on": in_days(10).isoformat()})
    assert recorded["badge_code"] == badge
    assert recorded["qualifications"] == [{
        "kind": "TECH", "kind_name_zh": "装备技师", "kind_name_en": "Equipment technician",
        "grade": "junior", "certificate_no": "JS-1", "issued_on": "2023-01-01",
        "expires_on": in_days(10).isoformat(), "valid": True}]

    renewed = api.send("PUT", "/api/v1/personnel/BZ-0001/qualifications/TECH", {
        "grade": "senior", "certificate_no": "JS-2", "issued_on": today().isoformat(),
        "expires_on": None})
    assert renewed["qualifications"] == [{
        "kind": "TECH", "kind_name_zh": "装备技师", "kind_name_en": "Equipment technician",
        "grade": "senior", "certificate_no": "JS-2", "issued_on": today().isoformat(),
        "expires_on": None, "valid": True}]
    assert rows(app)["Qualification"] == 1

    assert api.send("DELETE", "/api/v1/personnel/BZ-0001/qualifications/tech", status=204) is None
    assert api.get("/api/v1/personnel/BZ-0001")["qualifications"] == []
    assert_error(api("DELETE", "/api/v1/personnel/BZ-0001/qualifications/TECH"), 404, "not_found")
    assert_error(api("PUT", "/api/v1/personnel/BZ-0001/qualifications/NOPE", json={}), 404, "not_found")
    assert_error(api("PUT", "/api/v1/personnel/NOPE/qualifications/DRIVER", json={}), 404, "not_found")
    assert_error(api("DELETE", "/api/v1/personnel/NOPE/qualifications/DRIVER"), 404, "not_found")


@pytest.mark.parametrize("method, url, body, field", [
    ("PUT", "/api/v1/personnel/BZ-0001/qualifications/DRIVER",
     {"issued_on": "2024-05-02", "expires_on": "2024-05-01"}, "expires_on"),
    ("POST", "/api/v1/personnel",
     person_body(badge_code="BZ-0002", squad_role="member", qualifications=[
         {"kind": "DRIVER", "issued_on": "2024-05-02", "expires_on": "2024-05-01"}]),
     "qualifications.0.expires_on"),
    ("PATCH", "/api/v1/personnel/BZ-0001",
     {"qualifications": [{"kind": "MEDIC"}, {"kind": "DRIVER", "issued_on": "2024-05-02",
                                              "expires_on": "2024-05-01"}]},
     "qualifications.1.expires_on"),
])
def test_an_expiry_before_the_issue_date_is_422_naming_expires_on_and_writes_nothing(
        app, api, method, url, body, field):
    make_squad(app)
    make_person(app, badge_code="BZ-0001", qualifications=[{"kind": "COOK"}])
    before = rows(app)
    error = assert_error(api(method, url, json=body), 422, "invalid_input", field)
    assert error["fields"][field] == ["must not be before the issue date"]
    assert rows(app) == before
    assert [q["kind"] for q in api.get("/api/v1/personnel/BZ-0001")["qualifications"]] == ["COOK"]


@pytest.mark.parametrize("body, field", [
    ({"grade": None}, "grade"),  # TECH is graded
    ({"grade": "master"}, "grade"),
    ({"grade": "junior", "issued_on": "2024-02-30"}, "issued_on"),
    ({"grade": "junior", "issued_on": "tomorrow"}, "issued_on"),
    ({"grade": "junior", "certificate_no": "x" * 41}, "certificate_no"),
    ({"grade": "junior", "kind": "TECH"}, "kind"),  # the kind is in the URL
])
def test_a_bad_qualification_is_422_on_its_field(app, api, body, field):
    make_squad(app)
    make_person(app, badge_code="BZ-0001")
    before = rows(app)
    assert_error(api("PUT", "/api/v1/personnel/BZ-0001/qualifications/TECH", json=body), 422,
                 "invalid_input", field)
    assert rows(app) == before


def test_an_issue_date_in_the_future_is_422(app, api):
    make_squad(app)
    make_person(app, badge_code="BZ-0001")
    assert_error(api("PUT", "/api/v1/personnel/BZ-0001/qualifications/DRIVER",
                     json={"issued_on": in_days(1).isoformat()}), 422, "invalid_input", "issued_on")


def test_qualification_kinds_are_listed_and_added_by_supply_officers(app, api):
    seeded = api.get("/api/v1/qualification-kinds", Role.LOGISTICS)
    assert [(k["code"], k["graded"], k["position"]) for k in seeded] == [
        ("DRIVER", False, 1), ("TECH", True, 2), ("MEDIC", False, 3), ("FORKLIFT", False, 4),
        ("COOK", False, 5), ("ELECTRICIAN", False, 6)]
    assert seeded[1] == {"id": seeded[1]["id"], "code": "TECH", "name_zh": "装备技师",
                         "name_en": "Equipment technician", "graded": True, "position": 2, "active": True}
    created = api.send("POST", "/api/v1/qualification-kinds",
                       {"code": "crane_op", "name_zh": "起重机司机", "name_en": "Crane operator"}, status=201)
    assert created == {"id": created["id"], "code": "CRANE_OP", "name_zh": "起重机司机",
                       "name_en": "Crane operator", "graded": False, "position": 7, "active": True}
    assert api.get("/api/v1/qualification-kinds")[-1] == created
    before = rows(app)
    assert_error(api("POST", "/api/v1/qualification-kinds",
                     json={"code": "CRANE_OP", "name_zh": "重复", "name_en": "Dup"}), 409, "conflict", "code")
    assert_error(api("POST", "/api/v1/qualification-kinds",
                     json={"code": "1X", "name_zh": "x", "name_en": "x"}), 422, "invalid_input", "code")
    assert_error(api("POST", "/api/v1/qualification-kinds", role=Role.COMMANDER,
                     json={"code": "DIVER", "name_zh": "潜水员", "name_en": "Diver"}), 403, "forbidden")
    assert rows(app) == before

    # A kind whose code has an underscore is reachable in URLs too.
    make_squad(app)
    make_person(app, badge_code="BZ-0001")
    held = api.send("PUT", "/api/v1/personnel/BZ-0001/qualifications/CRANE_OP", {"certificate_no": "QZ-1"})
    assert [q["kind"] for q in held["qualifications"]] == ["CRANE_OP"]
    assert [p["badge_code"] for p in api.get("/api/v1/personnel?qualification=crane_op")["items"]] == \
        ["BZ-0001"]


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("method, url, body", [
    ("POST", "/api/v1/squads", SQUAD_BODY | {"colour": "red"}),
    ("PATCH", "/api/v1/squads/CB-WZ", {"colour": "red"}),
    ("PATCH", "/api/v1/squads/CB-WZ", {"code": "CB-XX"}),  # codes are not renamed
    ("POST", "/api/v1/personnel", {"badge_code": "BZ-0009", "name": "x", "employment": "contract",
                                   "colour": "red"}),
    ("POST", "/api/v1/personnel", {"badge_code": "BZ-0009", "name": "x", "employment": "contract",
                                   "qualifications": [{"kind": "DRIVER", "colour": "red"}]}),
    ("PATCH", "/api/v1/personnel/BZ-0001", {"badge_code": "BZ-0002"}),
    ("PUT", "/api/v1/personnel/BZ-0001/qualifications/DRIVER", {"colour": "red"}),
    ("POST", "/api/v1/qualification-kinds", {"code": "DIVER", "name_zh": "潜水员", "name_en": "Diver",
                                             "colour": "red"}),
    ("PUT", "/api/v1/compliance/staffing/targets/DRIVER_SHARE", {"threshold": 5, "colour": "red"}),
])
def test_unknown_fields_are_refused_by_name(app, api, modules, method, url, body):
    make_squad(app)
    make_person(app, badge_code="BZ-0001")
    before = rows(app)
    error = assert_error(api(method, url, Role.ADMIN, json=body), 422, "invalid_input")
    unknown = next(iter(set(error["fields"])))
    assert unknown.split(".")[-1] in {"colour", "code", "badge_code"}, error
    assert rows(app) == before


@pytest.mark.parametrize("url", [
    "/api/v1/squads?colour=red", "/api/v1/personnel?colour=red", "/api/v1/compliance/staffing?colour=red",
    "/api/v1/qualification-kinds?colour=red", "/api/v1/squads/CB-WZ/personnel?colour=red",
])
def test_unknown_query_parameters_are_refused_by_name(app, api, url):
    make_squad(app)
    assert_error(api("GET", url), 422, "invalid_input", "colour")


@pytest.mark.parametrize("method, url, body, field", [
    ("POST", "/api/v1/squads", SQUAD_BODY | {"kind": "reserve"}, "kind"),
    ("POST", "/api/v1/squads", SQUAD_BODY | {"function": "catering"}, "function"),
    ("PATCH", "/api/v1/squads/CB-WZ", {"kind": "STANDING"}, "kind"),
    ("PATCH", "/api/v1/squads/CB-WZ", {"active": "maybe"}, "active"),
    ("POST", "/api/v1/personnel", person_body(badge_code="BZ-0002", squad_role="chief"), "squad_role"),
    ("POST", "/api/v1/personnel", person_body(badge_code="BZ-0002", employment="volunteer"), "employment"),
    ("POST", "/api/v1/personnel", person_body(badge_code="BZ-0002", status="retired"), "status"),
    ("PATCH", "/api/v1/personnel/BZ-0001", {"status": 1}, "status"),
    ("PATCH", "/api/v1/personnel/BZ-0001", {"qualifications": [{"kind": "TECH", "grade": "expert"}]},
     "qualifications.0.grade"),
    ("GET", "/api/v1/squads?kind=reserve", None, "kind"),
    ("GET", "/api/v1/squads?function=catering", None, "function"),
    ("GET", "/api/v1/personnel?status=retired", None, "status"),
    ("GET", "/api/v1/personnel?employment=volunteer", None, "employment"),
    ("GET", "/api/v1/personnel?sort=phone", None, "sort"),
    ("GET", "/api/v1/personnel?per_page=201", None, "per_page"),
])
def test_bad_enum_values_are_422_naming_the_field(app, api, method, url, body, field):
    make_squad(app)
    make_person(app, badge_code="BZ-0001")
    before = rows(app)
    assert_error(api(method, url, json=body), 422, "invalid_input", field)
    assert rows(app) == before


@pytest.mark.parametrize("method, url, body, field", [
    ("POST", "/api/v1/personnel", person_body(badge_code="BZ-0002", squad="NOPE"), "squad"),
    ("PATCH", "/api/v1/personnel/BZ-0001", {"squad": "NOPE"}, "squad"),
    ("POST", "/api/v1/personnel", person_body(badge_code="BZ-0002", qualifications=[{"kind": "DIVER"}]),
     "qualifications.0.kind"),
    ("PATCH", "/api/v1/personnel/BZ-0001", {"qualifications": [{"kind": "MEDIC"}, {"kind": "DIVER"}]},
     "qualifications.1.kind"),
    ("POST", "/api/v1/squads", SQUAD_BODY | {"code": "JD-WZ", "modules": ["EQ", "ZZ"]}, "modules"),
    ("PATCH", "/api/v1/squads/CB-WZ", {"modules": ["ZZ"]}, "modules"),
    ("GET", "/api/v1/personnel?squad=NOPE", None, "squad"),
    ("GET", "/api/v1/personnel?qualification=DIVER", None, "qualification"),
])
def test_an_unknown_squad_module_or_kind_is_422_on_its_field(app, api, modules, method, url, body, field):
    make_squad(app, modules=["EQ"])
    make_person(app, badge_code="BZ-0001", squad_role="leader", qualifications=[{"kind": "COOK"}])
    before = rows(app)
    assert_error(api(method, url, json=body), 422, "invalid_input", field)
    assert rows(app) == before
    assert api.get("/api/v1/squads/CB-WZ")["modules"] == ["EQ"]


@pytest.mark.parametrize("body, field", [
    ({"badge_code": "坏码", "name": "x", "employment": "contract"}, "badge_code"),
    ({"badge_code": "BZ", "name": "x", "employment": "contract"}, "badge_code"),
    ({"badge_code": "BZ-0002", "name": "", "employment": "contract"}, "name"),
    ({"badge_code": "BZ-0002", "name": "   ", "employment": "contract"}, "name"),
    ({"badge_code": "BZ-0002", "name": "x" * 41, "employment": "contract"}, "name"),
    ({"badge_code": "BZ-0002", "name": "x"}, "employment"),
    ({"badge_code": "BZ-0002", "name": "x", "employment": "contract", "phone": "call me"}, "phone"),
    ({"badge_code": "BZ-0002", "name": "x", "employment": "contract", "squad_role": "leader"},
     "squad_role"),  # a leader needs a squad
    ({"badge_code": "BZ-0002", "name": "x", "employment": "contract",
      "joined_on": (today() + timedelta(days=1)).isoformat()}, "joined_on"),
    ({"badge_code": "BZ-0002", "name": "x", "employment": "contract", "qualifications": [
        {"kind": "DRIVER"}, {"kind": "driver"}]}, "qualifications.1.kind"),
    ({"badge_code": "BZ-0002", "name": "x", "employment": "contract", "qualifications": [
        {"kind": "DRIVER", "grade": "senior"}]}, "qualifications.0.grade"),
    ({"badge_code": "BZ-0002", "name": "x", "employment": "contract", "qualifications": {}},
     "qualifications"),
    ({"badge_code": "BZ-0002", "name": "x\x00y", "employment": "contract"}, "name"),
])
def test_a_bad_person_is_422_on_its_field_and_writes_nothing(app, api, body, field):
    make_squad(app)
    make_person(app, badge_code="BZ-0001")
    before = rows(app)
    assert_error(api("POST", "/api/v1/personnel", json=body), 422, "invalid_input", field)
    assert rows(app) == before


@pytest.mark.parametrize("method, url", [
    ("GET", "/api/v1/squads/NOPE"), ("PATCH", "/api/v1/squads/NOPE"), ("DELETE", "/api/v1/squads/NOPE"),
    ("GET", "/api/v1/squads/NOPE/personnel"),
    ("GET", "/api/v1/personnel/NOPE"), ("PATCH", "/api/v1/personnel/NOPE"),
    ("DELETE", "/api/v1/personnel/NOPE"),
    ("PUT", "/api/v1/compliance/staffing/targets/NOPE"),
    ("GET", "/api/v1/squads/a%00b"),
])
def test_unknown_objects_are_404(app, api, method, url):
    body = {"threshold": 1} if method == "PUT" else ({} if method == "PATCH" else None)
    assert_error(api(method, url, Role.ADMIN, json=body), 404, "not_found")


# --- roles ------------------------------------------------------------------------------------

READS = ["/api/v1/squads", "/api/v1/squads/CB-WZ", "/api/v1/squads/CB-WZ/personnel", "/api/v1/personnel",
         "/api/v1/personnel/BZ-0001", "/api/v1/compliance/staffing", "/api/v1/qualification-kinds"]
# (method, url, body, what a supply officer gets), in an order each step can follow the last.
WRITES = [
    ("POST", "/api/v1/squads", SQUAD_BODY | {"code": "JD-WZ", "modules": []}, 201),
    ("PATCH", "/api/v1/squads/CB-WZ", {"note": "x"}, 200),
    ("DELETE", "/api/v1/squads/CB-WZ", None, 409),  # it has people
    ("DELETE", "/api/v1/squads/JD-WZ", None, 204),
    ("POST", "/api/v1/personnel", {"badge_code": "BZ-0002", "name": "x", "employment": "contract"}, 201),
    ("PATCH", "/api/v1/personnel/BZ-0001", {"note": "x"}, 200),
    ("PUT", "/api/v1/personnel/BZ-0001/qualifications/DRIVER", {}, 200),
    ("DELETE", "/api/v1/personnel/BZ-0001/qualifications/COOK", None, 204),
    ("DELETE", "/api/v1/personnel/BZ-0002", None, 204),
    ("POST", "/api/v1/qualification-kinds", {"code": "DIVER", "name_zh": "潜水员", "name_en": "Diver"}, 201),
    ("PUT", "/api/v1/compliance/staffing/targets/DRIVER_SHARE", {"threshold": 10}, 403),
]


@pytest.mark.parametrize("role", [Role.COMMANDER, Role.LOGISTICS])
def test_commanders_and_logistics_read_everything_and_write_nothing(app, api, role):
    make_squad(app)
    make_person(app, badge_code="BZ-0001", qualifications=[{"kind": "COOK"}])
    for url in READS:
        assert api("GET", url, role).status_code == 200, url
    before = rows(app)
    for method, url, body, _status in WRITES:
        assert_error(api(method, url, role, json=body), 403, "forbidden")
    assert rows(app) == before


def test_supply_officers_write_squads_and_people_but_only_admins_set_thresholds(app, api):
    make_squad(app)
    make_person(app, badge_code="BZ-0001", qualifications=[{"kind": "COOK"}])
    for method, url, body, status in WRITES:
        response = api(method, url, Role.SUPPLY_OFFICER, json=body)
        assert response.status_code == status, (method, url, response.get_data(as_text=True))
    method, url, body, _status = WRITES[-1]
    assert api.send(method, url, body, role=Role.ADMIN)["threshold"] == 10


# --- compliance -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Force:
    """A small support force whose true figures the test states by hand."""

    standing: list[str]  # badges of the active people in active standing squads
    mobile: list[str]
    drivers: list[str]  # of them, those holding a valid special-vehicle driver's licence today
    technicians: list[str]  # of them, intermediate or senior equipment technicians valid today
    names: dict[str, str]
    squads: dict[str, str]


def far() -> str:
    return in_days(365).isoformat()


@pytest.fixture
def force(app) -> Force:
    """20 counted people: 1 valid driver (exactly 5%) and 3 intermediate+ technicians (exactly 15%)."""
    make_squad(app, "CB-WZ", kind="standing", function="materials")
    make_squad(app, "JD-JS", kind="mobile", function="technical", name_zh="技术保障机动分队",
               name_en="Mobile technical squad")
    make_squad(app, "JD-OLD", kind="mobile", function="medical", name_zh="旧卫勤分队",
               name_en="Old medical squad")
    names, squad_of = {}, {}

    def person(squad, badge, qualifications=(), **fields):
        names[badge] = f"队员{badge[-3:]}"
        squad_of[badge] = squad
        make_person(app, squad, badge_code=badge, name=names[badge], qualifications=list(qualifications),
                    **fields)
        return badge

    standing = [person("CB-WZ", f"S-{n:03d}") for n in range(6, 9)]
    driver = person("CB-WZ", "S-001", [{"kind": "DRIVER", "issued_on": in_days(-100).isoformat(),
                                        "expires_on": far()}], squad_role="leader")
    expired = person("CB-WZ", "S-002", [{"kind": "DRIVER", "issued_on": "2020-01-01",
                                         "expires_on": in_days(-1).isoformat()}])
    not_yet = person("CB-WZ", "S-003", [{"kind": "DRIVER", "issued_on": today().isoformat(),
                                         "expires_on": far()}])
    medic = person("CB-WZ", "S-004", [{"kind": "MEDIC", "expires_on": in_days(60).isoformat()}])
    cook = person("CB-WZ", "S-005", [{"kind": "COOK", "expires_on": in_days(61).isoformat()}])
    standing += [driver, expired, not_yet, medic, cook]

    mobile = [person("JD-JS", f"M-{n:03d}") for n in range(7, 13)]
    technicians = [
        # Expiring today: it still holds today.
        person("JD-JS", "M-001", [{"kind": "TECH", "grade": "intermediate",
                                   "expires_on": today().isoformat()}]),
        person("JD-JS", "M-002", [{"kind": "TECH", "grade": "senior"}]),
        person("JD-JS", "M-003", [{"kind": "TECH", "grade": "intermediate", "issued_on": "2024-01-01",
                                   "expires_on": in_days(30).isoformat()}]),
    ]
    juniors = [person("JD-JS", f"M-00{n}", [{"kind": "TECH", "grade": "junior", "expires_on": far()}])
               for n in (4, 5)]
    lapsed = person("JD-JS", "M-006", [{"kind": "TECH", "grade": "intermediate",
                                        "expires_on": in_days(-10).isoformat()}])
    mobile += technicians + juniors + [lapsed]

    # Qualified, but none of them counts.
    everything = [{"kind": "DRIVER"}, {"kind": "TECH", "grade": "senior"}]
    person("CB-WZ", "X-LEAVE", everything + [{"kind": "MEDIC", "expires_on": in_days(10).isoformat()}],
           status="on_leave")
    person("JD-JS", "X-LEFT", everything + [{"kind": "MEDIC", "expires_on": in_days(10).isoformat()}],
           status="left")
    person("JD-OLD", "X-OLD", everything, squad_role="leader")
    person(None, "X-NONE", everything)
    with app.app_context():
        squads.update_squad(db.session, CLI, "JD-OLD", active=False)
        # Issued in five days: the service refuses a future issue date, a data import may not.
        db.session.execute(update(Qualification).where(
            Qualification.person_id == select(Person.id).where(Person.badge_code == not_yet)
            .scalar_subquery()).values(issued_on=in_days(5)))
        db.session.commit()
        db.session.remove()
    return Force(standing, mobile, [driver], technicians, names, squad_of)


def expected_target(force: Force, code: str, threshold: int, plan: int, *, staff: list[str],
                    counted: list[str], measure: str, squad_kind=None, qualification=None,
                    min_grade=None) -> dict:
    """The target as the plan defines it, computed here without the app's arithmetic."""
    base = len(staff)
    if measure == "headcount":
        passed = len(counted) >= threshold
        needed = max(0, threshold - len(counted))
        percent = None
    else:
        passed = Fraction(len(counted), base) >= Fraction(threshold, 100)
        needed = 0 if passed else math.ceil(Fraction(threshold * base, 100)) - len(counted)
        percent = pytest.approx(100 * len(counted) / base)
    return {"code": code, "measure": measure, "squad_kind": squad_kind, "qualification": qualification,
            "min_grade": min_grade, "threshold": threshold, "plan_threshold": plan,
            "actual": len(counted), "base": base, "percent": percent, "passed": passed, "needed": needed,
            "counted": sorted(({"badge_code": b, "name": force.names[b], "squad": force.squads[b]}
                               for b in counted), key=lambda c: c["badge_code"]),
            "updated_at": None, "updated_by": None}


def by_badge(report: dict) -> dict:
    for target in report["targets"]:
        target["counted"].sort(key=lambda c: c["badge_code"])
    return report


@pytest.mark.parametrize("extra, drivers_pass, technicians_pass", [
    (0, True, True),  # 1 of 20 is exactly 5%, 3 of 20 exactly 15%: both met
    (1, False, False),  # 1 of 21 is 4.76%, 3 of 21 is 14.29%: just under, both missed
])
def test_the_staffing_report_counts_only_active_people_with_valid_qualifications(
        app, api, force, extra, drivers_pass, technicians_pass):
    newcomers = []
    for n in range(extra):
        badge = f"S-1{n:02d}"
        force.names[badge], force.squads[badge] = f"新人{n}", "CB-WZ"
        newcomers.append(make_person(app, "CB-WZ", badge_code=badge, name=force.names[badge]))
    standing = force.standing + newcomers
    staff = standing + force.mobile
    assert (len(staff), len(force.drivers), len(force.technicians)) == (20 + extra, 1, 3)

    report = by_badge(api.get("/api/v1/compliance/staffing"))
    targets = [
        expected_target(force, "STANDING_HEADCOUNT", 15, 15, staff=staff, counted=standing,
                        measure="headcount", squad_kind="standing"),
        expected_target(force, "MOBILE_HEADCOUNT", 30, 30, staff=staff, counted=force.mobile,
                        measure="headcount", squad_kind="mobile"),
        expected_target(force, "DRIVER_SHARE", 5, 5, staff=staff, counted=force.drivers, measure="share",
                        qualification="DRIVER"),
        expected_target(force, "TECHNICIAN_SHARE", 15, 15, staff=staff, counted=force.technicians,
                        measure="share", qualification="TECH", min_grade="intermediate"),
    ]
    assert [t["passed"] for t in targets] == [False, False, drivers_pass, technicians_pass]
    assert [t["needed"] for t in targets] == [15 - len(standing), 18, 0 if drivers_pass else 1,
                                              0 if technicians_pass else 1]
    met = sum(t["passed"] for t in targets)
    assert report == {
        "on": today().isoformat(), "staff_total": len(staff), "standing": len(standing),
        "mobile": len(force.mobile), "passed": met, "failed": 4 - met, "targets": targets,
        "expiring": [
            # Active people's qualifications expired or expiring within 60 days, soonest first;
            # on leave (X-LEAVE) or left (X-LEFT) is not listed, nor 61 days away (S-005).
            {"badge_code": "M-006", "name": force.names["M-006"], "squad": "JD-JS", "kind": "TECH",
             "kind_name_zh": "装备技师", "kind_name_en": "Equipment technician", "grade": "intermediate",
             "expires_on": in_days(-10).isoformat(), "days_left": -10},
            {"badge_code": "S-002", "name": force.names["S-002"], "squad": "CB-WZ", "kind": "DRIVER",
             "kind_name_zh": "特种车驾驶员", "kind_name_en": "Special-vehicle driver", "grade": None,
             "expires_on": in_days(-1).isoformat(), "days_left": -1},
            {"badge_code": "M-001", "name": force.names["M-001"], "squad": "JD-JS", "kind": "TECH",
             "kind_name_zh": "装备技师", "kind_name_en": "Equipment technician", "grade": "intermediate",
             "expires_on": today().isoformat(), "days_left": 0},
            {"badge_code": "M-003", "name": force.names["M-003"], "squad": "JD-JS", "kind": "TECH",
             "kind_name_zh": "装备技师", "kind_name_en": "Equipment technician", "grade": "intermediate",
             "expires_on": in_days(30).isoformat(), "days_left": 30},
            {"badge_code": "S-004", "name": force.names["S-004"], "squad": "CB-WZ", "kind": "MEDIC",
             "kind_name_zh": "卫生员", "kind_name_en": "Medic", "grade": None,
             "expires_on": in_days(60).isoformat(), "days_left": 60},
        ],
    }


def test_the_report_assesses_the_day_asked_for(app, api, force):
    staff = force.standing + force.mobile
    # Three days ago S-002's licence still held and M-001's expiring today did too.
    report = by_badge(api.get(f"/api/v1/compliance/staffing?on={in_days(-3).isoformat()}"))
    assert report["on"] == in_days(-3).isoformat()
    drivers = next(t for t in report["targets"] if t["code"] == "DRIVER_SHARE")
    assert [c["badge_code"] for c in drivers["counted"]] == ["S-001", "S-002"]
    assert drivers["percent"] == pytest.approx(100 * 2 / len(staff))
    # The window moves with the day: S-004's medic certificate is 63 days away from it.
    assert [(e["badge_code"], e["days_left"]) for e in report["expiring"]] == \
        [("M-006", -7), ("S-002", 2), ("M-001", 3), ("M-003", 33)]
    # In six days S-003's licence is issued, S-001's still holds; M-001's has expired.
    later = by_badge(api.get(f"/api/v1/compliance/staffing?on={in_days(6).isoformat()}"))
    drivers = next(t for t in later["targets"] if t["code"] == "DRIVER_SHARE")
    technicians = next(t for t in later["targets"] if t["code"] == "TECHNICIAN_SHARE")
    assert [c["badge_code"] for c in drivers["counted"]] == ["S-001", "S-003"]
    assert [c["badge_code"] for c in technicians["counted"]] == ["M-002", "M-003"]
    assert technicians["passed"] is False and technicians["needed"] == 1


@pytest.mark.parametrize("query", ["on=2026-02-30", "on=today", "on=9999-12-31", "on=1066-10-14"])
def test_a_bad_day_is_422_naming_on(api, query):
    assert_error(api("GET", f"/api/v1/compliance/staffing?{query}"), 422, "invalid_input", "on")


def test_an_admin_changing_a_threshold_changes_pass_or_fail(app, api, force, users):
    def target(code: str) -> dict:
        report = api.get("/api/v1/compliance/staffing")
        return next(t for t in report["targets"] if t["code"] == code)

    assert target("STANDING_HEADCOUNT")["passed"] is False
    changed = api.send("PUT", "/api/v1/compliance/staffing/targets/standing_headcount",
                       {"threshold": len(force.standing)}, role=Role.ADMIN)
    assert (changed["code"], changed["threshold"], changed["plan_threshold"], changed["actual"],
            changed["passed"], changed["needed"]) == ("STANDING_HEADCOUNT", 8, 15, 8, True, 0)
    assert changed["updated_by"] == users[Role.ADMIN].username
    stamp(changed["updated_at"])
    assert target("STANDING_HEADCOUNT") == changed
    assert api.get("/api/v1/compliance/staffing")["passed"] == 3

    # One driver of 20 people is 5%: a 6% target fails and needs one more (2 of 20 = 10%).
    assert target("DRIVER_SHARE")["passed"] is True
    stricter = api.send("PUT", "/api/v1/compliance/staffing/targets/DRIVER_SHARE", {"threshold": 6},
                        role=Role.ADMIN)
    assert (stricter["passed"], stricter["needed"], stricter["plan_threshold"]) == (False, 1, 5)
    assert api.send("PUT", "/api/v1/compliance/staffing/targets/DRIVER_SHARE", {"threshold": 0},
                    role=Role.ADMIN)["passed"] is True

    before = rows(app)
    assert_error(api("PUT", "/api/v1/compliance/staffing/targets/DRIVER_SHARE", Role.ADMIN,
                     json={"threshold": 101}), 422, "invalid_input", "threshold")
    for bad in (-1, 10_001, "5", 5.5, True, None):
        assert_error(api("PUT", "/api/v1/compliance/staffing/targets/MOBILE_HEADCOUNT", Role.ADMIN,
                         json={"threshold": bad}), 422, "invalid_input", "threshold")
    assert_error(api("PUT", "/api/v1/compliance/staffing/targets/MOBILE_HEADCOUNT", Role.ADMIN,
                     json={}), 422, "invalid_input", "threshold")
    assert_error(api("PUT", "/api/v1/compliance/staffing/targets/MOBILE_HEADCOUNT", Role.SUPPLY_OFFICER,
                     json={"threshold": 12}), 403, "forbidden")
    assert rows(app) == before


def test_with_no_staff_only_headcounts_of_zero_and_shares_of_zero_pass(api):
    report = api.get("/api/v1/compliance/staffing")
    assert (report["staff_total"], report["passed"], report["failed"], report["expiring"]) == (0, 0, 4, [])
    assert [(t["actual"], t["base"], t["percent"], t["counted"]) for t in report["targets"]] == \
        [(0, 0, None, [])] * 4


# --- the document -----------------------------------------------------------------------------

def test_every_squads_endpoint_is_in_the_openapi_document(api):
    paths = api.get("/api/v1/openapi.json")["paths"]
    expected = {
        "/api/v1/squads": {"get", "post"},
        "/api/v1/squads/{code}": {"get", "patch", "delete"},
        "/api/v1/squads/{code}/personnel": {"get"},
        "/api/v1/personnel": {"get", "post"},
        "/api/v1/personnel/{badge}": {"get", "patch", "delete"},
        "/api/v1/personnel/{badge}/qualifications/{kind}": {"put", "delete"},
        "/api/v1/compliance/staffing": {"get"},
        "/api/v1/compliance/staffing/targets/{code}": {"put"},
        "/api/v1/qualification-kinds": {"get", "post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
        for method in methods:
            operation = paths[path][method]
            assert operation["summary"], (method, path)
            assert "default" in operation["responses"], (method, path)
    assert set(paths["/api/v1/squads"]["post"]["responses"]) >= {"201", "default"}
    assert set(paths["/api/v1/squads/{code}"]["delete"]["responses"]) >= {"204", "default"}
    assert set(paths["/api/v1/personnel/{badge}/qualifications/{kind}"]["put"]["responses"]) >= {"200"}
