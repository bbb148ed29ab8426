"""Roster PDFs for registration: the whole force and one squad, in the reader's language."""

from __future__ import annotations

import io

import pytest
from flask_babel import gettext
from pypdf import PdfReader

from tests.builders import CLI, assert_redirected_to_login, in_days, make_module, make_person, make_squad
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.services import squads
from warehouse.timezone import today

ENGLISH = {"Accept-Language": "en"}
CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def force(app):
    """Two active squads with people, an empty one, and a deactivated one."""
    make_module(app, "EQ")
    make_squad(app, "CB-WZ", modules=["EQ"])
    make_squad(app, "JD-WQ", kind="mobile", function="medical", name_zh="卫勤保障机动分队",
               name_en="Mobile medical squad", home_station="东辽县消防救援大队")
    make_squad(app, "JD-LQ", kind="mobile", function="social_joint", name_zh="社会联勤保障机动分队",
               name_en="Mobile social joint squad")
    make_squad(app, "OLD-1", name_zh="已撤编分队", name_en="Disbanded squad")
    make_person(app, "CB-WZ", badge_code="BZ-0001", name="刘振华", squad_role="leader",
                qualifications=[
                    {"kind": "DRIVER", "expires_on": in_days(400).isoformat()},
                    {"kind": "TECH", "grade": "intermediate", "certificate_no": "S2024220400001"}])
    make_person(app, "CB-WZ", badge_code="BZ-0002", name="欧阳晓燕", status="on_leave", employment="contract",
                qualifications=[{"kind": "TECH", "grade": "junior", "issued_on": "2019-01-01",
                                 "expires_on": "2020-12-31"}])
    make_person(app, "CB-WZ", badge_code="BZ-0003", name="郑浩", status="left")
    make_person(app, "JD-WQ", badge_code="BZ-0004", name="秦岚", squad_role="leader",
                qualifications=[{"kind": "MEDIC"}])
    make_person(app, "OLD-1", badge_code="BZ-0005", name="撤编队员")
    with app.app_context():
        squads.update_squad(db.session, CLI, "OLD-1", active=False)
        db.session.remove()


def text_of(response) -> str:
    """Return the PDF's text with all whitespace removed (cells wrap anywhere)."""
    reader = PdfReader(io.BytesIO(response.data))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def flat(text: str) -> str:
    return "".join(text.split())


def test_the_whole_force_roster_lists_active_squads_and_everyone_who_has_not_left(client_as, force):
    response = client_as(Role.COMMANDER).get("/squads/roster.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="roster-all-{today().isoformat()}.pdf"'
    text = text_of(response)
    for expected in ("CB-WZ", "物资保障常备分队", "JD-WQ", "卫勤保障机动分队", "JD-LQ", "刘振华", "BZ-0001",
                     "欧阳晓燕", "秦岚", "东辽县消防救援大队", "S2024220400001"):
        assert expected in text, expected
    for absent in ("郑浩", "BZ-0003", "OLD-1", "已撤编分队", "撤编队员"):
        assert absent not in text, absent
    # Standing squads first, then mobile ones by code.
    assert text.index("CB-WZ") < text.index("JD-LQ") < text.index("JD-WQ")


def test_a_squads_roster_lists_only_its_people_who_have_not_left(client_as, force):
    response = client_as(Role.LOGISTICS).get("/squads/CB-WZ/roster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="roster-CB-WZ-{today().isoformat()}.pdf"'
    text = text_of(response)
    assert "CB-WZ" in text and "刘振华" in text and "欧阳晓燕" in text
    for absent in ("郑浩", "秦岚", "JD-WQ", "JD-LQ"):
        assert absent not in text, absent


def test_a_squad_code_in_lower_case_names_the_same_roster(client_as, force):
    response = client_as(Role.COMMANDER).get("/squads/cb-wz/roster.pdf")
    assert response.status_code == 200
    assert "roster-CB-WZ-" in response.headers["Content-Disposition"]


def test_a_deactivated_squad_still_prints_its_roster(client_as, force):
    text = text_of(client_as(Role.COMMANDER).get("/squads/OLD-1/roster.pdf"))
    assert "已撤编分队" in text and "撤编队员" in text


def test_an_empty_squad_says_it_has_no_members(client_as, force):
    text = text_of(client_as(Role.COMMANDER).get("/squads/JD-LQ/roster.pdf", headers=ENGLISH))
    assert flat("No members registered in this squad.") in text


@pytest.mark.parametrize("path", ["/squads/NOPE/roster.pdf", "/squads/CB-XX-1/roster.pdf"])
def test_an_unknown_squad_is_404(client_as, force, path):
    assert client_as(Role.COMMANDER).get(path).status_code == 404


def test_english_headings_when_the_ui_speaks_english(client_as, force):
    text = text_of(client_as(Role.SUPPLY_OFFICER).get("/squads/roster.pdf", headers=ENGLISH))
    for expected in ("Modular support squads: personnel registration roster", "3 squads, 3 people",
                     "Serial no.", "Full name", "Badge code", "Squad role", "Employment",
                     "Qualifications (grade, valid until)", "Prepared by", "Reviewed by",
                     "Signature of the person in charge", "Date", "Page 1 of 1",
                     "Standing", "Mobile", "Materials support", "Medical support", "Squad leader",
                     "Firefighter", "Contract firefighter", "On duty", "On leave",
                     "1 on duty, 1 on leave, 2 in all", "Mobile medical squad",
                     "EQ Earthquake rescue module", "Equipment technician Intermediate · S2024220400001",
                     "Equipment technician Junior · valid until 2020-12-31 (not valid)", "Medic"):
        assert flat(expected) in text, expected
    single = text_of(client_as(Role.SUPPLY_OFFICER).get("/squads/CB-WZ/roster.pdf", headers=ENGLISH))
    assert flat("Support squad personnel roster") in single and "squads," not in single


def test_headings_follow_the_chinese_catalogue_by_default(app, client_as, force):
    # The words are whatever the zh catalogue says for each message: read here, not by the view.
    messages = ["Modular support squads: personnel registration roster", "Full name", "Prepared by",
                "Signature of the person in charge", "Squad leader", "On duty", "On leave", "Intermediate"]
    with app.test_request_context(headers=CHINESE):
        expected = [gettext(message) for message in messages]
        expected.append(gettext("Page %(page)d of %(pages)d") % {"page": 1, "pages": 1})
    for headers in ({}, CHINESE):
        text = text_of(client_as(Role.COMMANDER).get("/squads/roster.pdf", headers=headers))
        for words in expected:
            assert flat(words) in text, words
        # Squads and modules by their Chinese names.
        assert "卫勤保障机动分队" in text and "Mobile medical squad" not in text
        assert "EQ地震救援模块" in text


@pytest.mark.parametrize("role", list(Role))
def test_every_signed_in_role_downloads_the_rosters(client_as, force, role):
    client = client_as(role)
    assert client.get("/squads/roster.pdf").status_code == 200
    assert client.get("/squads/JD-WQ/roster.pdf").status_code == 200


def test_signing_in_comes_first(client, force):
    assert_redirected_to_login(client.get("/squads/roster.pdf"))
    assert_redirected_to_login(client.get("/squads/CB-WZ/roster.pdf"))


def test_an_empty_force_still_prints_a_roster(client_as):
    response = client_as(Role.COMMANDER).get("/squads/roster.pdf", headers=ENGLISH)
    assert response.status_code == 200
    text = text_of(response)
    assert flat("No active squads are registered.") in text and "Preparedby" in text
