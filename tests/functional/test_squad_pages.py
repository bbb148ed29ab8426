"""Squad pages: squads, personnel, qualifications, the staffing compliance panel and their forms."""

from __future__ import annotations

import html
import re
from math import ceil

import pytest
from sqlalchemy import func, select, update

from tests.builders import CLI, field_errors, in_days, make_module, make_person, make_squad
from tests.functional.stock_page_helpers import LOCALES, table_rows
from warehouse.extensions import db
from warehouse.models import Person, Qualification, QualificationKind, Squad, SquadModule, StaffingTarget
from warehouse.queries.squads import squad_modules
from warehouse.services import squads as squad_services

STANDING = "CB-WZ"
MOBILE = "JD-JS"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def english(client):
    client.post_form("/language", {"lang": "en"})
    return client


def table_counts(app) -> dict[str, int]:
    """Rows in each squad table: to prove a refused form wrote nothing."""
    with app.app_context():
        result = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                  for model in (Squad, SquadModule, Person, Qualification, QualificationKind)}
        db.session.remove()
    return result


def person_row(app, badge: str) -> dict | None:
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.badge_code == badge))
        if person is None:
            return None
        squad = db.session.get(Squad, person.squad_id) if person.squad_id else None
        held = db.session.execute(
            select(QualificationKind.code, Qualification.grade, Qualification.certificate_no,
                   Qualification.issued_on, Qualification.expires_on)
            .join(QualificationKind, QualificationKind.id == Qualification.kind_id)
            .where(Qualification.person_id == person.id).order_by(QualificationKind.code)).all()
        result = {"name": person.name, "phone": person.phone, "squad": squad.code if squad else None,
                  "role": person.squad_role.value, "employment": person.employment.value,
                  "status": person.status.value, "joined_on": person.joined_on, "note": person.note,
                  "qualifications": {code: (grade.value if grade else None, number, issued, expires)
                                     for code, grade, number, issued, expires in held}}
        db.session.remove()
    return result


def squad_row(app, code: str) -> dict | None:
    with app.app_context():
        squad = db.session.scalar(select(Squad).where(Squad.code == code))
        if squad is None:
            return None
        modules = [m.code for m in squad_modules(db.session, squad.id)]
        result = {"name_zh": squad.name_zh, "name_en": squad.name_en, "kind": squad.kind.value,
                  "function": squad.function.value, "home_station": squad.home_station,
                  "note": squad.note, "active": squad.active, "modules": modules}
        db.session.remove()
    return result


def set_issued_on(app, badge: str, kind: str, days: int) -> None:
    """Date a qualification's issue into the future (the service refuses to record one)."""
    with app.app_context():
        person_id = db.session.scalar(select(Person.id).where(Person.badge_code == badge))
        kind_id = db.session.scalar(select(QualificationKind.id).where(QualificationKind.code == kind))
        db.session.execute(update(Qualification).where(Qualification.person_id == person_id,
                                                       Qualification.kind_id == kind_id)
                           .values(issued_on=in_days(days)))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def force(app, users):
    """Two squads (standing with module EQ, mobile), five people and one without a squad."""
    make_module(app, "EQ")
    make_module(app, "WR", name_zh="水域救援模块", name_en="Water rescue module", position=2)
    make_squad(app, STANDING, modules=["EQ"], note="储备库东侧")
    make_squad(app, MOBILE, kind="mobile", function="technical", name_zh="技术保障机动分队",
               name_en="Mobile technical squad", home_station="特勤站")
    people = {
        "leader": make_person(app, STANDING, badge_code="BZ-0001", name="王建国", squad_role="leader",
                              phone="139 0437 0001",
                              qualifications=[{"kind": "DRIVER", "certificate_no": "JZ-2024-001",
                                               "issued_on": in_days(-400).isoformat(),
                                               "expires_on": in_days(400).isoformat()}]),
        "tech": make_person(app, STANDING, badge_code="BZ-0002", name="李明", employment="contract",
                            qualifications=[{"kind": "TECH", "grade": "intermediate",
                                             "expires_on": in_days(30).isoformat()},
                                            {"kind": "MEDIC", "expires_on": in_days(-5).isoformat()}]),
        "leave": make_person(app, STANDING, badge_code="BZ-0003", name="张伟", status="on_leave",
                             qualifications=[{"kind": "DRIVER"}]),
        "mobile": make_person(app, MOBILE, badge_code="BZ-0101", name="赵强", squad_role="leader",
                              employment="external_hire",
                              qualifications=[{"kind": "TECH", "grade": "junior"}]),
        "left": make_person(app, MOBILE, badge_code="BZ-0102", name="陈刚", status="left",
                            qualifications=[{"kind": "TECH", "grade": "senior"}]),
        "loose": make_person(app, None, badge_code="BZ-0900", name="孙丽", employment="purchased_service"),
    }
    return people


# --- reading ----------------------------------------------------------------------------------

PAGES = ["/squads", f"/squads/{STANDING}", f"/squads/{MOBILE.lower()}", "/personnel",
         "/personnel/BZ-0001", "/personnel/bz-0002", "/personnel/qualification-kinds",
         "/compliance/staffing"]


@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize("role", ["logistics", "supply_officer", "commander", "admin"])
def test_every_role_reads_every_squad_page_in_both_languages(client_as, force, locale, role):
    accept, marker = LOCALES[locale]
    client = client_as(role)
    for url in PAGES:
        response = client.get(url, headers={"Accept-Language": accept})
        assert response.status_code == 200, url
        body = text(response)
        assert marker in body, url
    squad_page = text(client.get(f"/squads/{STANDING}", headers={"Accept-Language": accept}))
    assert "王建国" in squad_page and "李明" in squad_page
    if locale == "zh":
        assert "物资保障常备分队" in squad_page and "特种车驾驶员" in squad_page
    else:
        assert "Standing materials squad" in squad_page and "Special-vehicle driver" in squad_page
    manager = role in ("supply_officer", "admin")
    for marker in ('data-testid="edit-squad"', 'data-testid="squad-status"', 'data-testid="add-person"'):
        assert (marker in squad_page) is manager, marker
    person_page = text(client.get("/personnel/BZ-0001"))
    assert ('data-testid="qualification-form"' in person_page) is manager
    assert ('data-testid="edit-person"' in person_page) is manager
    kinds_page = text(client.get("/personnel/qualification-kinds"))
    assert ('data-testid="kind-form"' in kinds_page) is manager
    assert ('data-testid="new-squad"' in text(client.get("/squads"))) is manager
    compliance = text(client.get("/compliance/staffing"))
    assert ('data-testid="target-form-DRIVER_SHARE"' in compliance) is (role == "admin")


def test_the_nav_links_the_squads_and_marks_them_current(client_as, force):
    client = client_as("commander")
    for url in ("/squads", "/personnel", "/compliance/staffing", "/personnel/BZ-0001"):
        body = client.get(url).get_data(as_text=True)
        assert re.search(r'<a href="/squads" aria-current="page">', body), url
    assert 'href="/squads"' in client.get("/").get_data(as_text=True)


def test_unknown_codes_are_404(client_as, force):
    client = client_as("supply_officer")
    for url in ["/squads/NOPE", "/squads/NOPE/edit", "/personnel/NOPE-1", "/personnel/NOPE-1/edit"]:
        assert client.get(url).status_code == 404, url
    for url in ["/squads/NOPE/delete", "/personnel/NOPE-1/qualifications",
                "/personnel/BZ-0001/qualifications/NOPE/delete",
                "/personnel/BZ-0001/qualifications/COOK/delete"]:
        assert client.post_form(url, {}).status_code == 404, url
    assert client_as("admin").post_form("/compliance/staffing/NOPE", {"threshold": "1"}).status_code == 404


def test_the_squad_list_shows_standing_then_mobile_with_counts_leaders_and_modules(app, client_as, force):
    make_squad(app, "AA-OLD", name_zh="旧分队", name_en="Old squad")
    with app.app_context():
        squad_services.update_squad(db.session, CLI, "AA-OLD", active=False)
        db.session.remove()
    client = english(client_as("commander"))
    rows = table_rows(client.get("/squads"), "squads")
    assert [r["attrs"]["squad"] for r in rows] == [STANDING, MOBILE]
    standing, mobile = (r["cols"] for r in rows)
    # Standing: leader and tech active, one on leave; mobile: its leader active, one who left.
    assert (standing["active"], standing["on_leave"], standing["modules"]) == ("2", "1", "EQ")
    assert standing["leader"] == "王建国 BZ-0001" and standing["kind"] == "Standing"
    assert standing["function"] == "Materials support" and standing["station"] == "龙山区消防救援站"
    assert (mobile["active"], mobile["on_leave"], mobile["modules"], mobile["leader"]) == ("1", "0", "—",
                                                                                          "赵强 BZ-0101")
    assert mobile["kind"] == "Mobile" and mobile["function"] == "Technical support"

    def listed(query):
        return [r["attrs"]["squad"] for r in table_rows(client.get(f"/squads{query}"), "squads")]

    assert listed("?kind=mobile") == [MOBILE]
    assert listed("?function=materials") == [STANDING]
    assert listed("?inactive=1") == ["AA-OLD", STANDING, MOBILE]
    assert listed("?kind=bogus") == [STANDING, MOBILE]  # an invalid filter is dropped


def test_the_squad_page_shows_members_with_roles_and_qualification_states(app, client_as, force):
    set_issued_on(app, "BZ-0101", "TECH", 10)
    client = english(client_as("commander"))
    page = client.get(f"/squads/{STANDING}")
    members = {r["attrs"]["badge"]: r for r in table_rows(page, "members")}
    assert list(members) == ["BZ-0001", "BZ-0002", "BZ-0003"]  # leader first, then active, then on leave
    leader, tech, leave = (members[b]["cols"] for b in ("BZ-0001", "BZ-0002", "BZ-0003"))
    assert (leader["role"], leader["employment"], leader["status"]) == ("Leader", "Firefighter", "On duty")
    assert leader["qualifications"] == f"Special-vehicle driver valid until {in_days(400).isoformat()}"
    assert (tech["role"], tech["employment"]) == ("Member", "Contract firefighter")
    assert tech["qualifications"] == ("Equipment technician · Intermediate expires in 30 days "
                                      f"Medic expired {in_days(-5).isoformat()}")
    assert leave["status"] == "On leave"
    assert leave["qualifications"] == "Special-vehicle driver valid, does not expire"
    body = page.get_data(as_text=True)
    assert re.search(r'data-testid="modules">\s*<li data-module="EQ">', body)
    assert "A squad with people cannot be deleted" in text(english(client_as("supply_officer"))
                                                          .get(f"/squads/{STANDING}"))
    mobile = {r["attrs"]["badge"]: r for r in table_rows(client.get(f"/squads/{MOBILE}"), "members")}
    assert list(mobile) == ["BZ-0101", "BZ-0102"]  # someone who left is still listed, last
    assert mobile["BZ-0101"]["cols"]["qualifications"] == (
        f"Equipment technician · Junior valid from {in_days(10).isoformat()}")
    assert mobile["BZ-0102"]["attrs"]["status"] == "left"


@pytest.mark.parametrize("expires_in, state, shown", [
    (None, "valid", "valid, does not expire"),
    (61, "valid", "valid until {day}"),
    (60, "expiring", "expires in 60 days"),
    (1, "expiring", "expires in 1 day"),
    (0, "expiring", "expires today"),
    (-1, "expired", "expired {day}"),
])
def test_a_qualification_is_marked_by_how_long_it_still_holds(app, client_as, force, expires_in, state,
                                                              shown):
    expires_on = in_days(expires_in).isoformat() if expires_in is not None else None
    make_person(app, STANDING, badge_code="BZ-0050", name="周杰",
                qualifications=[{"kind": "FORKLIFT", "expires_on": expires_on}])
    page = english(client_as("commander")).get("/personnel/BZ-0050")
    (row,) = table_rows(page, "qualifications")
    assert row["attrs"] == {"kind": "FORKLIFT", "state": state}
    assert row["cols"]["state"] == shown.format(day=expires_on)


def test_the_person_page_shows_the_badge_and_details(app, client_as, force):
    page = english(client_as("supply_officer")).get("/personnel/BZ-0001")
    body = text(page)
    assert re.search(r'data-testid="badge-code"><span class="sku">BZ-0001</span>', body)
    assert 'href="tel:13904370001"' in body and "139 0437 0001" in body
    assert re.search(r'data-testid="squad"><a href="/squads/CB-WZ"', body)
    assert re.search(r'data-testid="role">Leader<', body)
    (row,) = table_rows(page, "qualifications")
    assert row["cols"]["certificate"] == "JZ-2024-001" and row["cols"]["issued"] == in_days(-400).isoformat()
    assert 'href="/labels?kind=badge&amp;codes=BZ-0001"' in page.get_data(as_text=True)
    # Commanders read the page but may not print labels.
    commander_view = client_as("commander").get("/personnel/BZ-0001").get_data(as_text=True)
    assert 'data-testid="print-badge"' not in commander_view
    loose = text(english(client_as("commander")).get("/personnel/BZ-0900"))
    assert re.search(r'data-testid="squad">No squad<', loose) and 'data-testid="role"' not in loose


# --- squad forms ------------------------------------------------------------------------------

def squad_form(**changes) -> dict:
    data = {"code": "cb-yl", "name_zh": "卫勤保障常备分队", "name_en": "Standing medical squad",
            "kind": "standing", "function": "medical", "home_station": "特勤一站", "modules": ["EQ", "WR"],
            "note": "24小时值守"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_supply_officer_registers_a_squad_with_its_modules(app, client_as, force):
    officer = client_as("supply_officer")
    page = officer.get("/squads/new").get_data(as_text=True)
    assert 'name="modules" type="checkbox" value="EQ"' in page and 'value="WR"' in page
    response = officer.post_form("/squads/new", squad_form())
    assert response.status_code == 302 and response.headers["Location"] == "/squads/CB-YL"
    assert squad_row(app, "CB-YL") == {
        "name_zh": "卫勤保障常备分队", "name_en": "Standing medical squad", "kind": "standing",
        "function": "medical", "home_station": "特勤一站", "note": "24小时值守", "active": True,
        "modules": ["EQ", "WR"]}


@pytest.mark.parametrize("changes, field, message, status", [
    ({"code": STANDING}, "code", "already taken", 409),
    ({"code": "C_Y"}, "code", "capital letters, digits and '-', e.g. CB-WZ", 422),
    ({"kind": "floating"}, "kind", "Not a valid choice.", 400),
    ({"modules": ["EQ", "ZZ"]}, "modules", "no such module: ZZ", 422),
    ({"name_zh": ""}, "name_zh", "This field is required.", 400),
    ({"name_en": "x" * 81}, "name_en", "Field cannot be longer than 80 characters.", 400),
])
def test_a_bad_squad_is_refused_on_its_field_and_nothing_is_written(app, client_as, force, changes, field,
                                                                    message, status):
    before = table_counts(app)
    officer = english(client_as("supply_officer"))
    response = officer.post_form("/squads/new", squad_form(**changes))
    assert response.status_code == status
    assert message in field_errors(response, field)
    assert table_counts(app) == before


def test_editing_a_squad_shows_its_values_and_replaces_its_modules(app, client_as, force):
    officer = client_as("supply_officer")
    page = officer.get(f"/squads/{STANDING}/edit").get_data(as_text=True)
    assert 'value="储备库东侧"' not in page and "储备库东侧" in page  # the note, in its textarea
    assert re.search(r'checked id="modules-0" name="modules" type="checkbox" value="EQ"', page)
    assert 'name="code"' not in page  # the code is printed on rosters and stays
    response = officer.post_form(f"/squads/{STANDING}/edit", squad_form(
        name_en="Standing materials squad 1", kind="mobile", modules=["WR"], note="", active="y"))
    assert response.status_code == 302 and response.headers["Location"] == f"/squads/{STANDING}"
    saved = squad_row(app, STANDING)
    assert (saved["name_en"], saved["kind"], saved["function"], saved["modules"], saved["note"],
            saved["active"]) == ("Standing materials squad 1", "mobile", "medical", ["WR"], "", True)
    bad = english(officer).post_form(f"/squads/{STANDING}/edit", squad_form(modules=["NOPE"], active="y"))
    assert bad.status_code == 422 and field_errors(bad, "modules") == ["no such module: NOPE"]
    assert squad_row(app, STANDING)["modules"] == ["WR"]


def test_a_squad_is_deactivated_and_reactivated_from_its_page(app, client_as, force):
    officer = client_as("supply_officer")
    response = officer.post_form(f"/squads/{STANDING}/edit", {"set_active": "0"})
    assert response.status_code == 302 and response.headers["Location"] == f"/squads/{STANDING}"
    assert squad_row(app, STANDING)["active"] is False
    page = officer.get(f"/squads/{STANDING}").get_data(as_text=True)
    assert 'data-testid="inactive"' in page and 'data-testid="reactivate"' in page
    assert STANDING not in [r["attrs"]["squad"] for r in table_rows(officer.get("/squads"), "squads")]
    officer.post_form(f"/squads/{STANDING}/edit", {"set_active": "1"})
    assert squad_row(app, STANDING)["active"] is True
    assert officer.post_form(f"/squads/{STANDING}/edit", {"set_active": "maybe"}).status_code == 400
    assert squad_row(app, STANDING)["active"] is True


def test_an_empty_squad_is_deleted_and_one_with_people_is_refused(app, client_as, force):
    make_squad(app, "CB-XX", name_zh="误录分队", name_en="Mistake")
    officer = english(client_as("supply_officer"))
    empty_page = officer.get("/squads/CB-XX").get_data(as_text=True)
    assert 'data-testid="delete-squad"' in empty_page
    assert 'data-testid="delete-squad"' not in officer.get(f"/squads/{MOBILE}").get_data(as_text=True)
    response = officer.post_form("/squads/CB-XX/delete", {})
    assert response.status_code == 302 and response.headers["Location"] == "/squads"
    assert squad_row(app, "CB-XX") is None
    # Only someone who left is in it, yet the squad keeps its history: 409, deactivate instead.
    before = table_counts(app)
    refused = officer.post_form(f"/squads/{MOBILE}/delete", {})
    assert refused.status_code == 409
    assert "Could not delete: squad JD-JS has people: deactivate it instead" in text(refused)
    assert table_counts(app) == before


# --- personnel --------------------------------------------------------------------------------

def test_a_person_registered_by_mistake_is_deleted_with_their_qualifications(app, client_as, force):
    officer = english(client_as("supply_officer"))
    assert 'data-testid="delete-person"' in officer.get("/personnel/BZ-0002").get_data(as_text=True)
    assert 'data-testid="delete-person"' not in client_as("commander").get("/personnel/BZ-0002").get_data(
        as_text=True)
    before = table_counts(app)
    # Without the form's CSRF token nothing happens.
    assert officer.post("/personnel/BZ-0002/delete").status_code == 400
    assert table_counts(app) == before
    response = officer.post_form("/personnel/bz-0002/delete", {})
    assert response.status_code == 302 and response.headers["Location"] == f"/squads/{STANDING}"
    assert person_row(app, "BZ-0002") is None
    after = table_counts(app)
    assert (after["personnel"], after["qualifications"]) == (before["personnel"] - 1,
                                                             before["qualifications"] - 2)
    assert "李明 (BZ-0002) deleted." in text(officer.get(f"/squads/{STANDING}"))
    # Someone in no squad goes back to the personnel list; an unknown badge is a 404.
    assert officer.post_form("/personnel/BZ-0900/delete", {}).headers["Location"] == "/personnel"
    assert officer.post_form("/personnel/BZ-0900/delete", {}).status_code == 404


def test_the_personnel_list_filters_sorts_and_pages(client_as, force):
    client = english(client_as("commander"))

    def listed(query=""):
        return [r["attrs"]["badge"] for r in table_rows(client.get(f"/personnel{query}"), "personnel")]

    # By name (pinyin order is not code point order; the list sorts by the stored text).
    everyone = sorted([("王建国", "BZ-0001"), ("李明", "BZ-0002"), ("张伟", "BZ-0003"), ("赵强", "BZ-0101"),
                       ("陈刚", "BZ-0102"), ("孙丽", "BZ-0900")])
    assert listed() == [badge for _name, badge in everyone]
    assert listed("?sort=badge") == ["BZ-0001", "BZ-0002", "BZ-0003", "BZ-0101", "BZ-0102", "BZ-0900"]
    assert listed(f"?squad={MOBILE.lower()}&sort=badge") == ["BZ-0101", "BZ-0102"]
    assert listed("?squad=-") == ["BZ-0900"]
    assert listed("?status=on_leave") == ["BZ-0003"]
    assert listed("?employment=contract") == ["BZ-0002"]
    assert listed("?qualification=tech&sort=badge") == ["BZ-0002", "BZ-0101", "BZ-0102"]
    assert listed("?q=0437") == ["BZ-0001"]  # the phone
    assert listed("?q=bz-090") == ["BZ-0900"]
    assert listed("?q=李") == ["BZ-0002"]
    assert listed("?sort=badge&per_page=2&page=2") == ["BZ-0003", "BZ-0101"]
    unknown = client.get("/personnel?squad=NOPE&sort=badge")
    assert "Ignored invalid filters: squad" in text(unknown)
    assert len(table_rows(unknown, "personnel")) == 6
    assert len(listed("?sort=bogus&status=bogus")) == 6  # invalid filters are dropped
    rows = {r["attrs"]["badge"]: r["cols"] for r in table_rows(client.get("/personnel"), "personnel")}
    assert rows["BZ-0001"]["squad"] == f"{STANDING} Standing materials squad"
    assert rows["BZ-0900"]["squad"] == "—" and rows["BZ-0900"]["role"] == "—"
    assert rows["BZ-0900"]["employment"] == "Purchased service"


def person_form(**changes) -> dict:
    data = {"badge_code": "bz-0200", "name": "刘洋", "phone": "+86 139-0437-0200", "squad": MOBILE,
            "squad_role": "deputy", "employment": "firefighter", "status": "active",
            "joined_on": in_days(-30).isoformat(), "note": "驾驶员"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_supply_officer_registers_a_person(app, client_as, force):
    officer = client_as("supply_officer")
    page = officer.get(f"/personnel/new?squad={MOBILE}").get_data(as_text=True)
    assert f'<option selected value="{MOBILE}">' in page
    response = officer.post_form("/personnel/new", person_form())
    assert response.status_code == 302 and response.headers["Location"] == "/personnel/BZ-0200"
    assert person_row(app, "BZ-0200") == {
        "name": "刘洋", "phone": "+86 139-0437-0200", "squad": MOBILE, "role": "deputy",
        "employment": "firefighter", "status": "active", "joined_on": in_days(-30), "note": "驾驶员",
        "qualifications": {}}
    # Someone in no squad.
    officer.post_form("/personnel/new", person_form(badge_code="BZ-0201", squad="", squad_role="member",
                                                    joined_on=""))
    assert person_row(app, "BZ-0201")["squad"] is None and person_row(app, "BZ-0201")["joined_on"] is None


def test_a_new_leader_takes_over_from_the_previous_one(app, client_as, force):
    officer = client_as("supply_officer")
    officer.post_form("/personnel/new", person_form(squad=STANDING, squad_role="leader"))
    assert person_row(app, "BZ-0200")["role"] == "leader"
    assert person_row(app, "BZ-0001")["role"] == "member"
    rows = {r["attrs"]["squad"]: r["cols"] for r in table_rows(officer.get("/squads"), "squads")}
    assert rows[STANDING]["leader"] == "刘洋 BZ-0200"


@pytest.mark.parametrize("changes, field, message, status", [
    ({"badge_code": "BZ-0001"}, "badge_code", "already taken", 409),
    ({"badge_code": "B!"}, "badge_code", "capital letters, digits and '-', e.g. P-0001", 422),
    ({"phone": "call me"}, "phone", "digits, spaces, '+', '-' and brackets, e.g. 138 0437 0001", 422),
    ({"squad": "", "squad_role": "leader"}, "squad_role", "only a squad's members can lead it", 422),
    ({"squad": "NOPE"}, "squad", "no such squad", 422),
    ({"joined_on": "2026-02-30"}, "joined_on", "Not a valid date value.", 400),
    ({"joined_on": in_days(1).isoformat()}, "joined_on", "must not be in the future", 422),
    ({"employment": "volunteer"}, "employment", "Not a valid choice.", 400),
    ({"name": ""}, "name", "This field is required.", 400),
])
def test_a_bad_person_is_refused_on_its_field_and_nothing_is_written(app, client_as, force, changes, field,
                                                                     message, status):
    before = table_counts(app)
    officer = english(client_as("supply_officer"))
    response = officer.post_form("/personnel/new", person_form(**changes))
    assert response.status_code == status
    assert message in field_errors(response, field)
    assert table_counts(app) == before
    assert person_row(app, "BZ-0001")["role"] == "leader"


def test_editing_a_person_moves_them_and_changes_their_status(app, client_as, force):
    officer = client_as("supply_officer")
    page = officer.get("/personnel/BZ-0002/edit").get_data(as_text=True)
    assert 'value="李明"' in page and f'<option selected value="{STANDING}">' in page
    assert 'name="badge_code"' not in page  # the badge code is printed and stays
    response = officer.post_form("/personnel/BZ-0002/edit", person_form(
        badge_code=None, name="李明", squad=MOBILE, squad_role="member", status="on_leave", phone="",
        note="", joined_on=""))
    assert response.status_code == 302 and response.headers["Location"] == "/personnel/BZ-0002"
    saved = person_row(app, "BZ-0002")
    assert (saved["squad"], saved["role"], saved["status"], saved["phone"], saved["employment"]) == (
        MOBILE, "member", "on_leave", "", "firefighter")
    assert saved["qualifications"]["TECH"][0] == "intermediate"  # qualifications stay
    bad = english(officer).post_form("/personnel/BZ-0002/edit", person_form(badge_code=None, phone="x"))
    assert bad.status_code == 422 and field_errors(bad, "phone")
    assert person_row(app, "BZ-0002")["phone"] == ""


# --- qualifications ---------------------------------------------------------------------------

def qualification_form(**changes) -> dict:
    data = {"kind": "TECH", "grade": "senior", "certificate_no": "JS-2025-017",
            "issued_on": in_days(-10).isoformat(), "expires_on": in_days(1000).isoformat()}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_qualification_is_added_renewed_and_removed(app, client_as, force):
    officer = client_as("supply_officer")
    page = officer.get("/personnel/BZ-0900").get_data(as_text=True)
    assert '<option value="TECH">' in page and '<option value="ELECTRICIAN">' in page
    response = officer.post_form("/personnel/BZ-0900/qualifications", qualification_form(grade="junior"))
    assert response.status_code == 302 and response.headers["Location"] == "/personnel/BZ-0900"
    assert person_row(app, "BZ-0900")["qualifications"] == {
        "TECH": ("junior", "JS-2025-017", in_days(-10), in_days(1000))}
    # Saving the same kind again renews and regrades it: still one qualification of the kind.
    officer.post_form("/personnel/BZ-0900/qualifications", qualification_form(
        certificate_no="JS-2026-001", issued_on=in_days(0).isoformat(), expires_on=""))
    officer.post_form("/personnel/BZ-0900/qualifications", qualification_form(kind="COOK", grade="",
                                                                               certificate_no=""))
    assert person_row(app, "BZ-0900")["qualifications"] == {
        "TECH": ("senior", "JS-2026-001", in_days(0), None),
        "COOK": (None, "", in_days(-10), in_days(1000))}
    removed = officer.post_form("/personnel/BZ-0900/qualifications/TECH/delete", {})
    assert removed.status_code == 302 and removed.headers["Location"] == "/personnel/BZ-0900"
    assert list(person_row(app, "BZ-0900")["qualifications"]) == ["COOK"]
    assert 'data-testid="remove-COOK"' in officer.get("/personnel/BZ-0900").get_data(as_text=True)


@pytest.mark.parametrize("changes, field, message, status", [
    ({"expires_on": in_days(-11).isoformat()}, "expires_on", "must not be before the issue date", 422),
    ({"issued_on": in_days(1).isoformat(), "expires_on": ""}, "issued_on", "must not be in the future", 422),
    ({"grade": ""}, "grade", "required for TECH", 422),
    ({"kind": "DRIVER"}, "grade", "DRIVER has no grades", 422),
    ({"grade": "master"}, "grade", "one of junior, intermediate, senior", 422),
    ({"kind": "NOPE"}, "kind", "no such qualification", 422),
    ({"expires_on": "tomorrow"}, "expires_on", "Not a valid date value.", 400),
    ({"certificate_no": "x" * 41}, "certificate_no", "Field cannot be longer than 40 characters.", 400),
])
def test_a_bad_qualification_is_refused_on_its_field_and_nothing_is_written(app, client_as, force, changes,
                                                                            field, message, status):
    before = table_counts(app)
    officer = english(client_as("supply_officer"))
    response = officer.post_form("/personnel/BZ-0001/qualifications", qualification_form(**changes))
    assert response.status_code == status
    assert message in field_errors(response, field)
    assert table_counts(app) == before
    assert list(person_row(app, "BZ-0001")["qualifications"]) == ["DRIVER"]
    # The person page is shown again around the form, with what was typed.
    assert 'data-testid="badge-code"' in response.get_data(as_text=True)


def test_qualification_kinds_are_listed_and_added_by_supply_officers(app, client_as, force):
    officer = english(client_as("supply_officer"))
    rows = [r["attrs"]["kind"] for r in table_rows(officer.get("/personnel/qualification-kinds"), "kinds")]
    assert rows == ["DRIVER", "TECH", "MEDIC", "FORKLIFT", "COOK", "ELECTRICIAN"]
    response = officer.post_form("/personnel/qualification-kinds", {
        "code": "crane_op", "name_zh": "起重机司机", "name_en": "Crane operator", "graded": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/personnel/qualification-kinds"
    rows = {r["attrs"]["kind"]: r["cols"] for r in table_rows(officer.get("/personnel/qualification-kinds"),
                                                             "kinds")}
    assert rows["CRANE_OP"] == {"code": "CRANE_OP", "name_zh": "起重机司机", "name_en": "Crane operator",
                                "graded": "yes"}
    # A kind with '_' in its code is held and removed like any other.
    officer.post_form("/personnel/BZ-0900/qualifications", qualification_form(kind="CRANE_OP"))
    assert "CRANE_OP" in person_row(app, "BZ-0900")["qualifications"]
    assert officer.post_form("/personnel/BZ-0900/qualifications/CRANE_OP/delete", {}).status_code == 302
    assert person_row(app, "BZ-0900")["qualifications"] == {}
    before = table_counts(app)
    again = officer.post_form("/personnel/qualification-kinds", {"code": "CRANE_OP", "name_zh": "x",
                                                                 "name_en": "x"})
    assert again.status_code == 409 and field_errors(again, "code") == ["already taken"]
    bad = officer.post_form("/personnel/qualification-kinds", {"code": "1X", "name_zh": "x", "name_en": "x"})
    assert bad.status_code == 422
    assert field_errors(bad, "code") == ["capital letters, digits and '_', e.g. CRANE_OP"]
    assert table_counts(app) == before


# --- roles and escaping -----------------------------------------------------------------------

@pytest.mark.parametrize("role", ["logistics", "commander"])
def test_logistics_staff_and_commanders_read_but_cannot_edit(app, client_as, force, role):
    client = client_as(role)
    before = table_counts(app)
    for url, data in [("/squads/new", squad_form()), (f"/squads/{STANDING}/edit", {"set_active": "0"}),
                      (f"/squads/{STANDING}/edit", squad_form()), (f"/squads/{STANDING}/delete", {}),
                      ("/personnel/new", person_form()), ("/personnel/BZ-0001/edit", person_form()),
                      ("/personnel/BZ-0001/qualifications", qualification_form()),
                      ("/personnel/BZ-0001/qualifications/DRIVER/delete", {}),
                      ("/personnel/BZ-0001/delete", {}),
                      ("/personnel/qualification-kinds",
                       {"code": "DIVER", "name_zh": "潜水员", "name_en": "Diver"}),
                      ("/compliance/staffing/DRIVER_SHARE", {"threshold": "1"})]:
        assert client.post_form(url, data).status_code == 403, url
    for url in ("/squads/new", f"/squads/{STANDING}/edit", "/personnel/new", "/personnel/BZ-0001/edit"):
        assert client.get(url).status_code == 403, url
    assert table_counts(app) == before
    assert squad_row(app, STANDING)["active"] is True
    assert person_row(app, "BZ-0001")["qualifications"].keys() == {"DRIVER"}


def test_user_text_is_escaped_on_every_page(app, client_as, force):
    script = "<script>alert(1)</script>"
    make_squad(app, "CB-XSS", name_zh=script, name_en=script, home_station=script, note=script)
    make_person(app, "CB-XSS", badge_code="BZ-0666", name="<b>x</b>", phone="139 0000 0000", note=script,
                squad_role="leader", qualifications=[{"kind": "DRIVER", "certificate_no": script,
                                                      "expires_on": in_days(5).isoformat()}])
    with app.app_context():
        squad_services.create_qualification_kind(db.session, CLI, code="XSS", name_zh=script, name_en=script)
        squad_services.set_qualification(db.session, CLI, "BZ-0666", kind="XSS")
        db.session.remove()
    for role in ("supply_officer", "admin"):
        client = client_as(role)
        for url in ["/squads", "/squads/CB-XSS", "/squads/CB-XSS/edit", "/personnel", "/personnel/BZ-0666",
                    "/personnel/BZ-0666/edit", "/personnel/qualification-kinds", "/compliance/staffing",
                    "/personnel?qualification=XSS", "/"]:
            body = client.get(url).get_data(as_text=True)
            assert script not in body and "<b>x</b>" not in body, url
    body = client_as("commander").get("/compliance/staffing").get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in body  # named in the driver share and the expiring list


# --- compliance -------------------------------------------------------------------------------

# A small force: (badge, squad, status, [(kind, grade, issued in days, expires in days)]).
# Squads CB-WZ and CB-YL are standing, JD-JS mobile, JD-OFF a deactivated mobile squad.
FORCE = [
    ("S-01", "CB-WZ", "active", [("DRIVER", None, -100, 300)]),
    ("S-02", "CB-WZ", "active", [("TECH", "intermediate", -100, 400)]),
    ("S-03", "CB-WZ", "active", []),
    ("S-04", "CB-WZ", "active", [("MEDIC", None, -10, 20)]),
    ("S-05", "CB-WZ", "active", []),
    ("S-06", "CB-WZ", "on_leave", [("DRIVER", None, -100, None), ("TECH", "senior", -100, None)]),
    ("S-11", "CB-YL", "active", [("TECH", "senior", -300, 10)]),
    ("S-12", "CB-YL", "active", []),
    ("S-13", "CB-YL", "active", []),
    ("M-01", "JD-JS", "active", [("TECH", "intermediate", -50, None)]),
    ("M-02", "JD-JS", "active", [("TECH", "junior", -50, None)]),
    ("M-03", "JD-JS", "active", [("TECH", "intermediate", -500, -1)]),
    ("M-04", "JD-JS", "active", [("DRIVER", None, -800, -30)]),
    ("M-05", "JD-JS", "active", [("DRIVER", None, 10, None)]),  # issued only in ten days
    *[(f"M-{n:02d}", "JD-JS", "active", []) for n in range(6, 13)],
    ("M-20", "JD-JS", "left", [("DRIVER", None, -100, None)]),
    ("X-01", "JD-OFF", "active", [("DRIVER", None, -100, None), ("TECH", "senior", -100, 50)]),
    ("U-01", None, "active", [("DRIVER", None, -100, 40)]),
]
PLAN = {"STANDING_HEADCOUNT": ("headcount", "standing", None, None, 15),
        "MOBILE_HEADCOUNT": ("headcount", "mobile", None, None, 30),
        "DRIVER_SHARE": ("share", None, "DRIVER", None, 5),
        "TECHNICIAN_SHARE": ("share", None, "TECH", {"intermediate", "senior"}, 15)}
KINDS = {"CB-WZ": "standing", "CB-YL": "standing", "JD-JS": "mobile", "JD-OFF": "mobile"}


def expected_report(force: list, thresholds: dict | None = None) -> dict:
    """Work out each target by hand: active people in active squads, valid qualifications today."""
    staff = [p for p in force if p[2] == "active" and p[1] not in (None, "JD-OFF")]
    result = {}
    for code, (measure, kind, qualification, grades, plan) in PLAN.items():
        threshold = (thresholds or {}).get(code, plan)
        if measure == "headcount":
            counted = [p[0] for p in staff if KINDS[p[1]] == kind]
            passed, needed = len(counted) >= threshold, max(0, threshold - len(counted))
        else:
            counted = [p[0] for p in staff if any(
                k == qualification and (grades is None or g in grades) and issued <= 0
                and (expires is None or expires >= 0) for k, g, issued, expires in p[3])]
            passed = len(counted) * 100 >= threshold * len(staff)
            needed = 0 if passed else ceil(threshold * len(staff) / 100) - len(counted)
        result[code] = {"passed": passed, "actual": len(counted), "needed": needed,
                        "counted": sorted(counted), "base": len(staff)}
    return result


def expected_expiring(force: list) -> list[tuple[str, str, int]]:
    """Active people's qualifications expiring within 60 days or expired: (badge, kind, days left)."""
    rows = [(badge, k, expires) for badge, _squad, status, held in force if status == "active"
            for k, _g, _issued, expires in held if expires is not None and expires <= 60]
    return sorted(rows, key=lambda r: (r[2], r[0]))


def build(app, force: list) -> None:
    make_squad(app, "CB-WZ")
    make_squad(app, "CB-YL", function="medical", name_zh="卫勤保障常备分队", name_en="Standing medical squad")
    make_squad(app, "JD-JS", kind="mobile", function="technical", name_zh="技术保障机动分队",
               name_en="Mobile technical squad")
    make_squad(app, "JD-OFF", kind="mobile", function="living", name_zh="生活保障机动分队",
               name_en="Mobile living squad")
    future = []
    for badge, squad, status, held in force:
        qualifications = []
        for kind, grade, issued, expires in held:
            qualifications.append({
                "kind": kind, "grade": grade, "issued_on": in_days(min(issued, 0)).isoformat(),
                "expires_on": in_days(expires).isoformat() if expires is not None else None})
            if issued > 0:
                future.append((badge, kind, issued))
        make_person(app, squad, badge_code=badge, name=f"队员{badge}", status=status,
                    qualifications=qualifications)
    for badge, kind, issued in future:
        set_issued_on(app, badge, kind, issued)
    with app.app_context():
        squad_services.update_squad(db.session, CLI, "JD-OFF", active=False)
        db.session.remove()


def shown_targets(response) -> dict:
    """Each target card of the panel: pass or fail, its figures and who counts."""
    body = response.get_data(as_text=True)
    shown = {}
    for card in re.findall(r'<section class="card target-card.*?</section>', body, re.S):
        code = re.search(r'data-target="(\w+)"', card).group(1)
        counts = dict(re.findall(r'data-count="(\w+)"[^>]*>([^<]*)<', card))
        shown[code] = {"passed": re.search(r'data-passed="(\w+)"', card).group(1) == "true",
                       "counts": counts, "counted": sorted(re.findall(r'<li data-badge="([^"]+)"', card))}
    return shown


def assert_panel_matches(response, expected: dict, thresholds: dict | None = None) -> None:
    shown = shown_targets(response)
    assert list(shown) == list(PLAN)
    for code, want in expected.items():
        got = shown[code]
        measure, *_rest, plan = PLAN[code]
        threshold = (thresholds or {}).get(code, plan)
        assert got["passed"] is want["passed"], code
        assert got["counted"] == want["counted"], code
        assert got["counts"]["needed"] == str(want["needed"]), code
        if measure == "share":
            assert got["counts"]["counted"] == str(want["actual"]), code
            assert got["counts"]["base"] == str(want["base"]), code
            assert got["counts"]["actual"] == f"{100 * want['actual'] / want['base']:.1f}%", code
            assert got["counts"]["threshold"] == f"≥ {threshold}%", code
        else:
            assert got["counts"]["actual"] == str(want["actual"]), code
            assert got["counts"]["threshold"] == f"≥ {threshold}", code


@pytest.mark.parametrize("extra, verdicts", [
    # 20 support staff: 1 driver is exactly 5 %, 3 intermediate-or-higher technicians exactly 15 %.
    ([], {"STANDING_HEADCOUNT": False, "MOBILE_HEADCOUNT": False, "DRIVER_SHARE": True,
          "TECHNICIAN_SHARE": True}),
    # One more active person: 1/21 and 3/21 fall just under 5 % and 15 %.
    ([("M-13", "JD-JS", "active", [])], {"STANDING_HEADCOUNT": False, "MOBILE_HEADCOUNT": False,
                                        "DRIVER_SHARE": False, "TECHNICIAN_SHARE": False}),
])
def test_the_panel_shows_each_target_pass_or_fail_and_who_counts(app, client_as, users, extra, verdicts):
    force = FORCE + extra
    build(app, force)
    expected = expected_report(force)
    assert {code: e["passed"] for code, e in expected.items()} == verdicts  # the cases are what they claim
    for locale in ("zh", "en"):
        accept, marker = LOCALES[locale]
        response = client_as("commander").get("/compliance/staffing", headers={"Accept-Language": accept})
        assert response.status_code == 200 and marker in response.get_data(as_text=True)
        assert_panel_matches(response, expected)
    body = response.get_data(as_text=True)
    passed = sum(e["passed"] for e in expected.values())
    assert f'data-testid="met" data-passed="{passed}" data-total="4"' in body
    standing = sum(1 for p in force if p[2] == "active" and KINDS.get(p[1]) == "standing")
    in_english = text(english(client_as("commander")).get("/compliance/staffing"))
    assert f"{standing} in standing squads" in in_english
    links = re.findall(r'<li data-badge="S-01"><a href="(/personnel/S-01)">', body)
    assert links  # the names link to the person pages


def test_the_panel_lists_qualifications_expiring_within_sixty_days(app, client_as, users):
    build(app, FORCE)
    page = english(client_as("commander")).get("/compliance/staffing")
    rows = table_rows(page, "expiring")
    assert [(r["attrs"]["badge"], r["attrs"]["kind"]) for r in rows] == [
        (badge, kind) for badge, kind, _days in expected_expiring(FORCE)]
    days = {(r["attrs"]["badge"], r["attrs"]["kind"]): r["cols"]["days"] for r in rows}
    assert days[("M-04", "DRIVER")] == "expired 30 days ago"
    assert days[("M-03", "TECH")] == "expired 1 day ago"
    assert days[("S-11", "TECH")] == "10 days"
    assert days[("X-01", "TECH")] == "50 days"
    by_badge = {r["attrs"]["badge"]: r for r in rows}
    assert by_badge["M-04"]["class"] == "row-expired" and by_badge["S-11"]["class"] == "row-soon"
    assert by_badge["S-11"]["cols"]["kind"] == "Equipment technician · Senior"


def test_an_administrator_changes_a_threshold_and_the_verdict_follows(app, client_as, users):
    build(app, FORCE)
    admin = english(client_as("admin"))
    response = admin.post_form("/compliance/staffing/standing_headcount", {"threshold": "8"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/compliance/staffing#target-STANDING_HEADCOUNT"
    page = admin.get("/compliance/staffing")
    thresholds = {"STANDING_HEADCOUNT": 8}
    expected = expected_report(FORCE, thresholds)
    assert expected["STANDING_HEADCOUNT"]["passed"] is True
    assert_panel_matches(page, expected, thresholds)
    assert "The plan asks for 15; changed by" in text(page)
    with app.app_context():
        target = db.session.scalar(select(StaffingTarget).where(StaffingTarget.code == "STANDING_HEADCOUNT"))
        assert (target.threshold, target.plan_threshold, target.updated_by_name) == (8, 15, "admin")
        db.session.remove()
    # A share above 100 % and a threshold that is not a number are refused on the target's field.
    for code, value, status, message in [("DRIVER_SHARE", "101", 422, "a whole number from 0 to 100"),
                                         ("MOBILE_HEADCOUNT", "-1", 422, "a whole number from 0 to 10000"),
                                         ("DRIVER_SHARE", "five", 400, "Not a valid integer value.")]:
        refused = admin.post_form(f"/compliance/staffing/{code}", {"threshold": value})
        assert refused.status_code == status
        assert field_errors(refused, "threshold") == [message]
        assert f'data-testid="target-form-{code}">' in refused.get_data(as_text=True)
    assert_panel_matches(admin.get("/compliance/staffing"), expected, thresholds)
    assert client_as("supply_officer").post_form("/compliance/staffing/DRIVER_SHARE",
                                                 {"threshold": "1"}).status_code == 403


@pytest.mark.parametrize("role, shown", [("commander", True), ("supply_officer", True), ("logistics", False),
                                         ("admin", False)])
def test_the_home_page_sums_up_the_staffing_targets(app, client_as, users, role, shown):
    build(app, FORCE)
    body = text(english(client_as(role)).get("/"))
    passed = sum(e["passed"] for e in expected_report(FORCE).values())
    assert (f"Staffing targets: {passed} of 4 met" in body) is shown
    assert ('href="/compliance/staffing"' in body) is shown
