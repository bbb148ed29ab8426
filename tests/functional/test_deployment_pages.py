"""Deployment pages: the list and its filters, opening, editing and closing, loose items, the home card."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.builders import CLI, make_box_depot, make_deployment, make_module, make_squad, stock_counts
from tests.functional.stock_page_helpers import LOCALES, balance, ledger_problems, movements, table_rows
from warehouse.extensions import db
from warehouse.models import Deployment, DeploymentSquad, Location, Squad, User
from warehouse.models.base import utcnow
from warehouse.services import deployments
from warehouse.services.accounts import Caller
from warehouse.services.scans import scan
from warehouse.timezone import depot_zone

ROLES = ["logistics", "supply_officer", "commander", "admin"]
HANDLERS = ["logistics", "supply_officer", "admin"]


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def english(client):
    client.post_form("/language", {"lang": "en"})
    return client


def flashes(response) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<div class="flash flash-\w+" role="status">([^<]*)</div>',
                                                 response.get_data(as_text=True))]


def errors_of(response, field: str) -> list[str]:
    """The error paragraphs of the form field named `field` (the first form holding one)."""
    body = response.get_data(as_text=True)
    match = re.search(rf'<div class="field has-error">(?:(?!<div class="field).)*?name="{field}"'
                      rf'(?:(?!<div class="field).)*?</div>', body, re.S)
    if match is None:
        return []
    return [html.unescape(e) for e in re.findall(r'<p class="error" role="alert">([^<]*)</p>',
                                                 match.group(0))]


def deployment_count(app) -> tuple[int, int, int]:
    """(deployments, their squads, locations): to prove a refused form wrote nothing."""
    with app.app_context():
        result = tuple(db.session.scalar(select(func.count()).select_from(model))
                       for model in (Deployment, DeploymentSquad, Location))
        db.session.remove()
    return result


def stored(app, deployment_id: int) -> dict:
    with app.app_context():
        d = db.session.get(Deployment, deployment_id)
        squads = db.session.scalars(
            select(Squad.code).join(DeploymentSquad, DeploymentSquad.squad_id == Squad.id)
            .where(DeploymentSquad.deployment_id == d.id).order_by(Squad.code)).all()
        result = {"code": d.code, "name": d.name, "kind": d.kind.value, "module_id": d.module_id,
                  "place": d.place, "commander": d.commander, "note": d.note, "squads": list(squads),
                  "expected_return_at": d.expected_return_at, "closed_at": d.closed_at,
                  "opened_by_name": d.opened_by_name, "closed_by_name": d.closed_by_name,
                  "location": d.location_id}
        db.session.remove()
    return result


def code_of(app, deployment_id: int) -> str:
    return stored(app, deployment_id)["code"]


def check_out(app, code: str, deployment_id: int) -> None:
    with app.app_context():
        deployments.check_out(db.session, CLI, code, deployment_id)
        db.session.remove()


def check_in(app, code: str, usage=None) -> None:
    with app.app_context():
        deployments.check_in(db.session, CLI, code, usage=usage)
        db.session.remove()


def issue(app, deployment_id: int, item_id: int, quantity: int) -> None:
    with app.app_context():
        deployments.issue_loose(db.session, CLI, deployment_id, item_id=item_id, quantity=quantity)
        db.session.remove()


def local_text(moment: datetime) -> str:
    """What a datetime-local input shows for a moment: depot time to the minute."""
    return moment.astimezone(depot_zone()).strftime("%Y-%m-%dT%H:%M")


def backdated(app, name: str, *, kind: str = "incident", opened_hours_ago: int, back_hours: int,
              **fields) -> int:
    """Open a deployment after the fact; back_hours may be negative (it is overdue)."""
    now = utcnow()
    return make_deployment(app, name, kind=kind, opened_at=now - timedelta(hours=opened_hours_ago),
                           expected_return_at=now + timedelta(hours=back_hours), **fields)


@pytest.fixture
def depot(app, users):
    """Three ready boxes (module EQ), squads CB-WZ and JD-JS, and a drill with two boxes out, one back."""
    boxes = make_box_depot(app, 3)
    make_squad(app, "CB-WZ")
    make_squad(app, "JD-JS", kind="mobile", function="technical", name_zh="技术保障机动分队",
               name_en="Mobile technical squad")
    drill = make_deployment(app, "龙山区地震救援演练", squads=["CB-WZ", "JD-JS"], module="EQ",
                            place="龙山区体育场", commander="李队长")
    check_out(app, boxes.boxes[0], drill)
    check_out(app, boxes.boxes[1], drill)
    check_in(app, boxes.boxes[1])
    issue(app, drill, boxes.rope, 7)
    return {"boxes": boxes, "drill": drill}


# --- reading ----------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_list_the_deployment_and_its_forms_in_both_languages(client_as, depot, locale,
                                                                                  role):
    accept, marker = LOCALES[locale]
    client = client_as(role)
    drill = depot["drill"]
    for url in ["/deployments", f"/deployments/{drill}", "/deployments/new", f"/deployments/{drill}/edit"]:
        response = client.get(url, headers={"Accept-Language": accept})
        assert response.status_code == 200, url
        assert marker in response.get_data(as_text=True), url
    page = client.get(f"/deployments/{drill}", headers={"Accept-Language": accept})
    body = text(page)
    assert "龙山区地震救援演练" in body and "龙山区体育场" in body and "李队长" in body
    assert ("地震救援模块" if locale == "zh" else "Earthquake rescue module") in body
    assert [s.split()[0] for s in re.findall(r'data-squad="([^"]+)"', body)] == ["CB-WZ", "JD-JS"]
    handler = role in HANDLERS
    assert ('data-testid="issue-form"' in body) is handler
    assert ('data-testid="return-form"' in body) is handler
    assert 'data-testid="close-form"' in body and 'data-testid="edit-deployment"' in body


def test_the_list_shows_each_deployment_with_its_boxes_and_loose_units(client_as, depot):
    response = client_as("logistics").get("/deployments")
    rows = table_rows(response, "deployments")
    assert len(rows) == 1
    row = rows[0]
    app_code = row["attrs"]["deployment"]
    assert re.fullmatch(rf"CD-{utcnow().astimezone(depot_zone()).year}-0001", app_code)
    assert row["attrs"]["state"] == "open"
    assert row["cols"]["code"] == app_code
    assert row["cols"]["name"].startswith("龙山区地震救援演练")
    assert row["cols"]["module"] == "EQ"
    assert row["cols"]["squads"] == "CB-WZ JD-JS"
    assert row["cols"]["place"] == "龙山区体育场" and row["cols"]["commander"] == "李队长"
    # Two boxes went out and one came back; seven ropes were issued loose.
    assert row["cols"]["boxes"] == "1 / 1"
    assert row["cols"]["loose"] == "7"
    body = response.get_data(as_text=True)
    assert 'data-testid="new-deployment"' in body


@pytest.fixture
def many(app, depot):
    """Besides the drill: an overdue incident (module WR, squad JD-JS), a closed exercise, a loan."""
    make_module(app, "WR", name_zh="水域救援模块", name_en="Water rescue module", position=2)
    flood = backdated(app, "辽河洪水救援", opened_hours_ago=30, back_hours=-5, module="WR", squads=["JD-JS"],
                      place="辽河大桥")
    exercise = backdated(app, "拉动训练", kind="exercise", opened_hours_ago=3, back_hours=1)
    with app.app_context():
        deployments.close_deployment(db.session, CLI, exercise)
        db.session.remove()
    loan = make_deployment(app, "借调市应急局", kind="lend", hours=72)
    return {"drill": code_of(app, depot["drill"]), "flood": code_of(app, flood),
            "exercise": code_of(app, exercise), "loan": code_of(app, loan)}


# Open first, then the newest opened first: the loan and the drill now, the flood 30 hours ago.
ORDER = ["loan", "drill", "flood", "exercise"]


@pytest.mark.parametrize("query, expected", [
    ("", {"flood", "drill", "loan", "exercise"}),
    ("state=open", {"flood", "drill", "loan"}),
    ("state=closed", {"exercise"}),
    ("state=overdue", {"flood"}),
    ("kind=lend", {"loan"}),
    ("kind=incident", {"flood"}),
    ("module=EQ", {"drill"}),
    ("module=wr", {"flood"}),
    ("squad=JD-JS", {"flood", "drill"}),
    ("squad=cb-wz", {"drill"}),
    ("q=辽河", {"flood"}),
    ("q=体育场", {"drill"}),
    ("q=cd-", {"flood", "drill", "loan", "exercise"}),
    ("q=100%25", set()),
    ("state=open&squad=JD-JS&module=WR", {"flood"}),
])
def test_the_list_filters_by_state_kind_module_squad_and_text(client_as, many, query, expected):
    response = client_as("commander").get(f"/deployments?{query}")
    assert response.status_code == 200
    codes = [row["attrs"]["deployment"] for row in table_rows(response, "deployments")]
    assert codes == [many[name] for name in ORDER if name in expected]


def test_the_list_puts_open_deployments_before_closed_ones_and_the_newest_first(client_as, many):
    codes = [row["attrs"]["deployment"] for row in table_rows(client_as("admin").get("/deployments"),
                                                              "deployments")]
    assert codes == [many[name] for name in ORDER]


def test_an_overdue_deployment_is_marked_red_with_how_long_it_is_overdue(client_as, many):
    client = english(client_as("logistics"))
    response = client.get("/deployments")
    rows = {row["attrs"]["deployment"]: row for row in table_rows(response, "deployments")}
    flood = rows[many["flood"]]
    assert flood["attrs"]["state"] == "overdue" and "overdue" in flood["class"].split()
    assert "Overdue by 5 hours" in flood["cols"]["name"]
    assert rows[many["drill"]]["attrs"]["state"] == "open" and "overdue" not in rows[many["drill"]]["class"]
    assert rows[many["exercise"]]["attrs"]["state"] == "closed"


@pytest.mark.parametrize("query, ignored", [
    ("state=lost", "state"), ("kind=party", "kind"), ("module=<script>", "module"),
    ("squad=%20%20-bad", "squad"), ("page=0", "page"), ("per_page=1000", "per_page"), ("q=" + "x" * 81, "q"),
])
def test_invalid_filters_are_named_and_ignored(client_as, many, query, ignored):
    response = client_as("logistics").get(f"/deployments?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert f"Ignored invalid filters: {ignored}" in flashes(response)
    assert len(table_rows(response, "deployments")) == 4


def test_the_list_pages_through_deployments(client_as, many):
    client = english(client_as("logistics"))
    first = client.get("/deployments?per_page=3")
    second = client.get("/deployments?per_page=3&page=2")
    codes = [r["attrs"]["deployment"] for r in table_rows(first, "deployments")]
    codes += [r["attrs"]["deployment"] for r in table_rows(second, "deployments")]
    assert codes == [many[name] for name in ORDER]
    assert "Page 1 of 2" in text(first)
    assert 'href="/deployments?page=2&amp;per_page=3"' in first.get_data(as_text=True)


def test_the_deployment_page_lists_boxes_out_and_back_loose_items_ledger_and_scans(app, client_as, depot,
                                                                                   users):
    boxes = depot["boxes"]
    drill = depot["drill"]
    code = code_of(app, drill)
    with app.app_context():
        caller = Caller(db.session.get(User, users["logistics"].id), "10.0.0.7")
        scan(db.session, caller, code="K-NOPE-9999", action="check_out", deployment_id=drill)
        scan(db.session, caller, code=boxes.boxes[2], action="check_out", deployment_id=drill)
        db.session.remove()
    response = english(client_as("logistics")).get(f"/deployments/{drill}")
    body = text(response)
    out = {row["attrs"]["kit"]: row for row in table_rows(response, "boxes")}
    assert set(out) == set(boxes.boxes)
    assert out[boxes.boxes[0]]["attrs"]["out"] == "true" and "still out" in out[boxes.boxes[0]]["cols"]["in"]
    assert out[boxes.boxes[1]]["attrs"]["out"] == "false"
    assert [out[boxes.boxes[1]]["cols"][k] for k in ("consumed", "damaged", "lost")] == ["0", "0", "0"]
    first = out[boxes.boxes[0]]["cols"]
    assert (first["template"], first["module"]) == ("BOX-EQ", "EQ")
    assert f'href="/kits/boxes/{boxes.boxes[0]}"' in body
    assert out[boxes.boxes[2]]["cols"]["out"].endswith(users["logistics"].username)
    loose = table_rows(response, "loose")
    assert [(r["attrs"]["sku"], r["attrs"]["lot"], r["cols"]["quantity"].split()[0]) for r in loose] == \
        [("T-ROPE", "", "7")]
    ledger = table_rows(response, "ledger")
    assert [(r["attrs"]["reason"], r["cells"][4].split()[0]) for r in ledger] == [("issue", "7")]
    assert code in ledger[0]["cells"][7]
    scans = table_rows(response, "scans")
    assert [r["attrs"]["result"] for r in scans] == ["checked_out", "not_found"]
    assert scans[1]["cols"]["code"] == "K-NOPE-9999"
    assert "K-NOPE-9999" in scans[1]["cols"]["message"]
    assert f"box {boxes.boxes[2]} out with {code}" == scans[0]["cols"]["message"]
    assert 'data-kits-out="2" data-loose-out="7">2 boxes · 7 loose units<' in response.get_data(as_text=True)


def test_the_scan_station_link_appears_once_the_station_is_there(app, client_as, depot):
    body = client_as("logistics").get(f"/deployments/{depot['drill']}").get_data(as_text=True)
    listing = client_as("logistics").get("/deployments").get_data(as_text=True)
    present = "station.index" in app.view_functions
    assert ('data-testid="open-station"' in body) is present
    assert ('data-testid="scan-station"' in listing) is present
    if present:
        assert f'href="/station?deployment={depot["drill"]}"' in body


def test_an_unknown_deployment_is_a_404(client_as, depot):
    client = client_as("logistics")
    for url in ["/deployments/999999", "/deployments/999999/edit", "/deployments/99999999999"]:
        assert client.get(url).status_code == 404, url
    assert client.post_form("/deployments/999999/close").status_code == 404
    refused = client.post_form("/deployments/999999/issue", {"sku": "T-ROPE", "quantity": "1"})
    assert refused.status_code == 404


# --- opening ----------------------------------------------------------------------------------

def form_data(**changes) -> dict:
    expected = datetime.now(depot_zone()).replace(second=0, microsecond=0) + timedelta(days=2)
    data = {"name": "辽河水域救援", "kind": "incident", "module": "EQ", "place": "辽河大桥",
            "commander": "王支队长", "squads": ["CB-WZ", "JD-JS"],
            "expected_return_at": expected.strftime("%Y-%m-%dT%H:%M"), "note": "先期出动"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_opens_a_deployment_through_the_form(app, client_as, depot, users, role):
    data = form_data()
    before = deployment_count(app)
    client = english(client_as(role))
    response = client.post_form("/deployments/new", data)
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    row = stored(app, new_id)
    assert row["name"] == "辽河水域救援" and row["kind"] == "incident" and row["module_id"] is not None
    assert row["place"] == "辽河大桥" and row["commander"] == "王支队长" and row["note"] == "先期出动"
    assert row["squads"] == ["CB-WZ", "JD-JS"]
    assert row["opened_by_name"] == users[role].username and row["closed_at"] is None
    # The form's time is the depot's wall clock.
    typed = datetime.strptime(data["expected_return_at"], "%Y-%m-%dT%H:%M").replace(tzinfo=depot_zone())
    assert row["expected_return_at"] == typed.astimezone(UTC)
    assert deployment_count(app) == (before[0] + 1, before[1] + 2, before[2] + 1)
    page = client.get(f"/deployments/{new_id}")
    assert f"Deployment {row['code']} opened: scan its boxes out at the scan station." in flashes(page)
    assert local_text(row["expected_return_at"]) == data["expected_return_at"]


def test_the_new_form_offers_active_modules_and_squads_and_a_return_a_day_ahead(app, client_as, depot):
    from warehouse.services import kit_templates, squads

    make_module(app, "WR", name_zh="水域救援模块", name_en="Water rescue module", position=2)
    make_module(app, "OLD", name_zh="旧模块", name_en="Old module", position=3)
    with app.app_context():
        squads.update_squad(db.session, CLI, "JD-JS", active=False)
        kit_templates.update_module(db.session, CLI, "OLD", active=False)
        db.session.remove()
    body = client_as("logistics").get("/deployments/new").get_data(as_text=True)
    assert re.findall(r'name="squads" type="checkbox" value="([^"]+)"', body) == ["CB-WZ"]
    modules = re.search(r'<select id="module" name="module">(.*?)</select>', body, re.S).group(1)
    assert re.findall(r'<option[^>]*value="([^"]*)"', modules) == ["", "EQ", "WR"]
    field = re.search(r'<input[^>]*name="expected_return_at"[^>]*>', body).group(0)
    shown = re.search(r'value="([^"]+)"', field).group(1)
    due = datetime.strptime(shown, "%Y-%m-%dT%H:%M").replace(tzinfo=depot_zone())
    ahead = due - datetime.now(depot_zone())
    assert timedelta(hours=24) <= ahead <= timedelta(hours=25)


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "This field is required."),
    ({"name": "x" * 121}, "name", "Field cannot be longer than 120 characters."),
    ({"kind": "party"}, "kind", "Not a valid choice."),
    ({"module": "NOPE"}, "module", "no such module"),
    ({"squads": ["CB-WZ", "NOPE"]}, "squads", "no squad NOPE"),
    ({"expected_return_at": ""}, "expected_return_at", "This field is required."),
    ({"expected_return_at": "tomorrow"}, "expected_return_at", "Not a valid datetime value."),
    ({"expected_return_at": "2001-01-01T08:00"}, "expected_return_at", "must be after the opening"),
    ({"expected_return_at": "2099-01-01T08:00"}, "expected_return_at", "at most 365 days after the opening"),
    ({"place": "x" * 201}, "place", "Field cannot be longer than 200 characters."),
    ({"commander": "x" * 81}, "commander", "Field cannot be longer than 80 characters."),
])
def test_a_refused_new_deployment_names_the_field_and_writes_nothing(app, client_as, depot, changes, field,
                                                                      message):
    before = deployment_count(app)
    client = english(client_as("logistics"))
    response = client.post_form("/deployments/new", form_data(**changes))
    assert response.status_code == 422
    assert message in errors_of(response, field)
    assert deployment_count(app) == before
    # What was typed stays in the form.
    assert 'value="辽河大桥"' in response.get_data(as_text=True) or field == "place"


def test_a_new_deployment_without_the_csrf_token_is_refused(app, client_as, depot):
    before = deployment_count(app)
    response = client_as("logistics").post("/deployments/new", data=form_data())
    assert response.status_code == 400
    assert deployment_count(app) == before


# --- editing ----------------------------------------------------------------------------------

def test_the_edit_form_shows_the_deployment_in_depot_time(app, client_as, depot):
    row = stored(app, depot["drill"])
    body = client_as("commander").get(f"/deployments/{depot['drill']}/edit").get_data(as_text=True)
    assert f'value="{local_text(row["expected_return_at"])}"' in body
    checked = re.findall(r'<input checked id="squads-\d+" name="squads" type="checkbox" value="([^"]+)"',
                         body)
    assert checked == ["CB-WZ", "JD-JS"]
    assert 'value="龙山区地震救援演练"' in body and 'name="kind"' not in body and 'name="module"' not in body


def test_editing_changes_the_name_place_commander_squads_and_return(app, client_as, depot):
    drill = depot["drill"]
    expected = (datetime.now(depot_zone()) + timedelta(hours=50)).replace(second=0, microsecond=0)
    response = client_as("logistics").post_form(f"/deployments/{drill}/edit", {
        "name": "龙山区地震救援实兵演练", "place": "龙山区训练基地", "commander": "", "squads": ["JD-JS"],
        "expected_return_at": expected.strftime("%Y-%m-%dT%H:%M"), "note": "延长一天"})
    assert response.status_code == 302 and response.headers["Location"] == f"/deployments/{drill}"
    row = stored(app, drill)
    assert (row["name"], row["place"], row["commander"], row["note"], row["squads"]) == \
        ("龙山区地震救援实兵演练", "龙山区训练基地", "", "延长一天", ["JD-JS"])
    assert row["expected_return_at"] == expected.astimezone(UTC)
    with app.app_context():
        assert db.session.get(Location, row["location"]).name == "龙山区地震救援实兵演练"
        db.session.remove()


@pytest.mark.parametrize("changes, field, message", [
    ({"name": "  "}, "name", "This field is required."),
    ({"expected_return_at": "2001-01-01T08:00"}, "expected_return_at", "must be after the opening"),
    ({"squads": ["NOPE"]}, "squads", "no squad NOPE"),
])
def test_a_refused_edit_names_the_field_and_changes_nothing(app, client_as, depot, changes, field, message):
    drill = depot["drill"]
    before = stored(app, drill)
    data = {"name": "新名称", "place": "新地点", "commander": "新指挥", "squads": ["CB-WZ"],
            "expected_return_at": local_text(before["expected_return_at"]), "note": "", **changes}
    response = english(client_as("logistics")).post_form(f"/deployments/{drill}/edit", data)
    assert response.status_code == 422
    assert message in errors_of(response, field)
    assert stored(app, drill) == before


def test_a_closed_deployment_cannot_be_edited(app, client_as, many):
    with app.app_context():
        exercise = db.session.scalar(select(Deployment.id).where(Deployment.code == many["exercise"]))
        db.session.remove()
    before = stored(app, exercise)
    client = english(client_as("logistics"))
    response = client.get(f"/deployments/{exercise}/edit")
    assert response.status_code == 302 and response.headers["Location"] == f"/deployments/{exercise}"
    refused = client.post_form(f"/deployments/{exercise}/edit", {
        "name": "改名", "expected_return_at": local_text(before["expected_return_at"] + timedelta(days=1))})
    assert refused.status_code == 409
    assert f"Deployment {many['exercise']} is closed and can no longer be changed." in flashes(refused)
    assert stored(app, exercise) == before
    page = client.get(f"/deployments/{exercise}").get_data(as_text=True)
    for testid in ("edit-deployment", "close-form", "issue-form", "open-station"):
        assert f'data-testid="{testid}"' not in page


# --- closing ----------------------------------------------------------------------------------

def test_closing_with_boxes_out_is_refused_naming_them(app, client_as, depot):
    drill = depot["drill"]
    out = depot["boxes"].boxes[0]
    response = english(client_as("commander")).post_form(f"/deployments/{drill}/close", {"note": "结束"})
    assert response.status_code == 409
    assert f"Could not close: boxes still out (1): {out}" in flashes(response)
    assert stored(app, drill)["closed_at"] is None
    assert 'data-testid="close-form"' in response.get_data(as_text=True)


def test_closing_with_loose_units_out_is_refused(app, client_as, depot):
    drill = depot["drill"]
    check_in(app, depot["boxes"].boxes[0])
    response = english(client_as("logistics")).post_form(f"/deployments/{drill}/close")
    assert response.status_code == 409
    assert ("Could not close: 7 loose units are still out; return or write them off first"
            in flashes(response))
    assert stored(app, drill)["closed_at"] is None


def test_a_deployment_closes_once_everything_is_back(app, client_as, depot, users):
    boxes = depot["boxes"]
    drill = depot["drill"]
    check_in(app, boxes.boxes[0])
    client = english(client_as("logistics"))
    returned = client.post_form(f"/deployments/{drill}/return", {
        "item_id": str(boxes.rope), "lot": "", "returned": "7", "to_location": str(boxes.depot.bin_b)})
    assert returned.status_code == 302
    response = client.post_form(f"/deployments/{drill}/close", {"note": "演练结束，全部归还"})
    assert response.status_code == 302
    row = stored(app, drill)
    assert row["closed_at"] is not None and row["closed_by_name"] == users["logistics"].username
    assert row["note"].endswith("演练结束，全部归还")
    page = client.get(f"/deployments/{drill}")
    assert f"Deployment {row['code']} closed." in flashes(page)
    assert 'data-state="closed"' in page.get_data(as_text=True)
    again = client.post_form(f"/deployments/{drill}/close")
    assert again.status_code == 409
    assert f"Could not close: deployment {row['code']} was closed" in flashes(again)


def test_closing_without_the_csrf_token_is_refused(app, client_as, many):
    with app.app_context():
        loan = db.session.scalar(select(Deployment.id).where(Deployment.code == many["loan"]))
        db.session.remove()
    response = client_as("logistics").post(f"/deployments/{loan}/close")
    assert response.status_code == 400
    assert stored(app, loan)["closed_at"] is None


# --- loose items ------------------------------------------------------------------------------

@pytest.mark.parametrize("role", HANDLERS)
def test_stock_handlers_issue_loose_items_first_expiry_first_out(app, client_as, depot, role):
    boxes = depot["boxes"]
    drill = depot["drill"]
    code = code_of(app, drill)
    foam_before = balance(app, "T-FOAM", "T-A-R01-B01", "F-1")
    ledger_before = len(movements(app))
    response = client_as(role).post_form(f"/deployments/{drill}/issue",
                                         {"sku": "t-foam", "quantity": "4", "note": "补给前方"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/deployments/{drill}#loose")
    assert balance(app, "T-FOAM", "T-A-R01-B01", "F-1") == foam_before - 4
    assert balance(app, "T-FOAM", code, "F-1") == 4
    posted = movements(app)[ledger_before:]
    assert posted == [{"reason": "issue", "sku": "T-FOAM", "lot": "F-1", "quantity": 4,
                       "from": boxes.depot.bin_a, "to": stored(app, drill)["location"], "reference": code,
                       "purpose": "drill"}]
    assert ledger_problems(app) == []
    page = client_as(role).get(f"/deployments/{drill}")
    loose = {(r["attrs"]["sku"], r["attrs"]["lot"]): r["cols"]["quantity"].split()[0]
             for r in table_rows(page, "loose")}
    assert loose == {("T-FOAM", "F-1"): "4", ("T-ROPE", ""): "7"}


def test_the_commander_may_not_issue_or_return_loose_items(app, client_as, depot):
    drill = depot["drill"]
    before = stock_counts(app)
    client = client_as("commander")
    issued = client.post_form(f"/deployments/{drill}/issue", {"sku": "T-FOAM", "quantity": "1"})
    assert issued.status_code == 403
    assert client.post_form(f"/deployments/{drill}/return", {
        "item_id": str(depot["boxes"].rope), "consumed": "1"}).status_code == 403
    assert stock_counts(app) == before


@pytest.mark.parametrize("data, status, field, message", [
    ({"sku": "NOPE", "quantity": "1"}, 422, "sku", "No item has the SKU NOPE."),
    ({"sku": "", "quantity": "1"}, 422, "sku", "This field is required."),
    ({"sku": "T-ROPE", "quantity": "0"}, 422, "quantity", "must be greater than zero"),
    ({"sku": "T-ROPE", "quantity": "-3"}, 422, "quantity", "must be greater than zero"),
    ({"sku": "T-ROPE", "quantity": "two"}, 422, "quantity", "Not a valid integer value."),
    # 50 spare ropes on the shelf, 7 of them already issued to the drill.
    ({"sku": "T-ROPE", "quantity": "10000"}, 409, "quantity", "only 43 available"),
    ({"sku": "T-FOAM", "quantity": "1", "lot": "F-9"}, 422, "lot", "no lot F-9 of T-FOAM"),
    ({"sku": "T-ROPE", "quantity": "1", "from_location": "NOWHERE"}, 422, "from_location",
     "No location has the code NOWHERE."),
    ({"sku": "T-ROPE", "quantity": "1", "from_location": "T"}, 422, "from_location", None),
])
def test_a_refused_issue_names_the_field_and_writes_nothing(app, client_as, depot, data, status, field,
                                                           message):
    before = stock_counts(app)
    response = english(client_as("logistics")).post_form(f"/deployments/{depot['drill']}/issue", data)
    assert response.status_code == status
    found = errors_of(response, field)
    assert found if message is None else message in found, found
    assert stock_counts(app) == before
    assert 'data-testid="issue-form"' in response.get_data(as_text=True)


def test_issuing_to_a_closed_deployment_is_refused(app, client_as, many):
    with app.app_context():
        exercise = db.session.scalar(select(Deployment.id).where(Deployment.code == many["exercise"]))
        db.session.remove()
    before = stock_counts(app)
    response = english(client_as("logistics")).post_form(f"/deployments/{exercise}/issue",
                                                         {"sku": "T-ROPE", "quantity": "1"})
    assert response.status_code == 409
    assert f"Could not save: deployment {many['exercise']} was closed" in flashes(response)
    assert stock_counts(app) == before


def test_loose_items_come_back_used_damaged_and_lost_through_the_ledger(app, client_as, depot):
    boxes = depot["boxes"]
    drill = depot["drill"]
    code = code_of(app, drill)
    location = stored(app, drill)["location"]
    shelf_before = balance(app, "T-ROPE", "T-A-R01-B02")
    ledger_before = len(movements(app))
    client = english(client_as("supply_officer"))
    response = client.post_form(f"/deployments/{drill}/return", {
        "item_id": str(boxes.rope), "lot": "", "returned": "2", "to_location": str(boxes.depot.bin_b),
        "consumed": "3", "damaged": "1", "lost": "1", "note": "现场消耗"})
    assert response.status_code == 302
    assert balance(app, "T-ROPE", code) == 0
    assert balance(app, "T-ROPE", "T-A-R01-B02") == shelf_before + 2
    assert balance(app, "T-ROPE", "T-Q") == 1
    posted = [(m["reason"], m["quantity"], m["from"], m["to"], m["reference"])
              for m in movements(app)[ledger_before:]]
    assert posted == [("move", 2, location, boxes.depot.bin_b, code),
                      ("consume", 3, location, None, code),
                      ("move", 1, location, boxes.depot.quarantine, code),
                      ("dispose", 1, location, None, code)]
    assert ledger_problems(app) == []
    page = client.get(f"/deployments/{drill}")
    assert "Accounted for 7 units: 2 returned, 3 consumed, 1 damaged, 1 lost." in flashes(page)
    assert table_rows(page, "loose") == []


def test_part_of_a_loose_line_can_be_accounted_for_and_empty_counts_are_zero(app, client_as, depot):
    boxes = depot["boxes"]
    drill = depot["drill"]
    code = code_of(app, drill)
    response = client_as("logistics").post_form(f"/deployments/{drill}/return", {
        "item_id": str(boxes.rope), "lot": "", "returned": "", "consumed": "2", "damaged": "", "lost": ""})
    assert response.status_code == 302
    assert balance(app, "T-ROPE", code) == 5
    assert ledger_problems(app) == []


@pytest.mark.parametrize("data, status, field, message", [
    ({"returned": "8", "to_location": "bin_b"}, 422, "returned", "8 accounted for; 7 are out with {code}"),
    ({"returned": "4", "consumed": "4", "to_location": "bin_b"}, 422, "returned",
     "8 accounted for; 7 are out with {code}"),
    ({"returned": "2"}, 422, "to_location", "say where the returned units go"),
    ({"returned": "0", "consumed": "0"}, 422, "returned", "nothing to account for"),
    ({"consumed": "-1"}, 422, "consumed", "a whole number, 0 or more"),
    ({"lost": "1.5"}, 422, "lost", "Not a valid integer value."),
    ({"returned": "1", "to_location": "depot"}, 422, "to_location",
     "stock cannot be put in or taken from T here"),
    ({"returned": "1", "to_location": "x1"}, 422, "to_location", "Choose a location of the depot."),
])
def test_a_refused_return_names_the_field_and_writes_nothing(app, client_as, depot, data, status, field,
                                                            message):
    boxes = depot["boxes"]
    drill = depot["drill"]
    code = code_of(app, drill)
    places = {"bin_b": str(boxes.depot.bin_b), "depot": str(boxes.depot.depot)}
    sent = {"item_id": str(boxes.rope), "lot": "", **data}
    sent["to_location"] = places.get(sent.get("to_location"), sent.get("to_location", ""))
    before = stock_counts(app)
    response = english(client_as("logistics")).post_form(f"/deployments/{drill}/return", sent)
    assert response.status_code == status
    found = errors_of(response, field)
    wanted = message.format(code=code)
    assert any(wanted in e for e in found), found
    assert stock_counts(app) == before


@pytest.mark.parametrize("item_id", ["", "abc", "-1", "99999999999", "0"])
def test_a_return_for_no_line_on_the_page_is_refused(app, client_as, depot, item_id):
    before = stock_counts(app)
    response = english(client_as("logistics")).post_form(f"/deployments/{depot['drill']}/return",
                                                         {"item_id": item_id, "consumed": "1"})
    assert response.status_code == 422
    assert "Could not return: Choose a line of the loose items out." in flashes(response)
    assert stock_counts(app) == before


def test_a_return_for_an_item_not_out_is_refused_above_the_table(app, client_as, depot):
    before = stock_counts(app)
    response = english(client_as("logistics")).post_form(f"/deployments/{depot['drill']}/return",
                                                         {"item_id": str(depot["boxes"].foam), "lot": "F-1",
                                                          "consumed": "1"})
    assert response.status_code == 422
    assert any(m.startswith("Could not return: 1 accounted for; 0 are out with") for m in flashes(response))
    assert stock_counts(app) == before


# --- safety -----------------------------------------------------------------------------------

def test_a_script_in_a_deployment_name_is_shown_as_text(app, client_as, depot):
    evil = '<script>alert("x")</script>'
    deployment = backdated(app, evil, opened_hours_ago=10, back_hours=-1, place="<b>桥</b>",
                           commander="<img src=x onerror=alert(1)>")
    check_out(app, depot["boxes"].boxes[2], deployment)
    client = client_as("logistics")
    for url in ["/deployments", f"/deployments/{deployment}", f"/deployments/{deployment}/edit", "/"]:
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body and "<b>桥" not in body, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body, url


def test_pages_carry_no_inline_script_or_style(client_as, depot):
    client = client_as("admin")
    for url in ["/deployments", f"/deployments/{depot['drill']}", "/deployments/new", "/"]:
        body = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=)", body), url
        assert " style=" not in body, url


# --- home and navigation ----------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_overdue_deployments_on_the_home_page(app, client_as, depot, role):
    late = backdated(app, "辽河洪水救援", opened_hours_ago=30, back_hours=-3)
    check_out(app, depot["boxes"].boxes[2], late)
    code = code_of(app, late)
    response = english(client_as(role)).get("/")
    body = response.get_data(as_text=True)
    assert 'data-testid="home-overdue"' in body
    card = re.search(r'data-testid="home-overdue">(.*?)</section>', body, re.S).group(1)
    items = re.findall(r'<li data-deployment="([^"]+)">(.*?)</li>', card, re.S)
    assert [c for c, _ in items] == [code]
    item = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", items[0][1])))
    assert "辽河洪水救援" in item and "overdue by 3 hours" in item
    assert f"1 box still out: {depot['boxes'].boxes[2]}" in item
    assert f'href="/deployments/{late}"' in card
    # The drill (1 box out) and the flood (1 box out) are open.
    assert "Open deployments: 2 (boxes out: 2)" in text(response)


def test_the_home_page_has_no_overdue_card_when_nothing_is_late(client_as, depot):
    response = english(client_as("logistics")).get("/")
    assert 'data-testid="home-overdue"' not in response.get_data(as_text=True)
    assert "Open deployments: 1 (boxes out: 1)" in text(response)


def test_the_overdue_card_lists_the_longest_overdue_first_and_counts_loose_units(app, client_as, depot):
    later = backdated(app, "晚归", opened_hours_ago=10, back_hours=-2)
    earlier = backdated(app, "早该归", opened_hours_ago=40, back_hours=-30)
    issue(app, later, depot["boxes"].rope, 3)
    body = english(client_as("commander")).get("/").get_data(as_text=True)
    card = re.search(r'data-testid="home-overdue">(.*?)</section>', body, re.S).group(1)
    assert re.findall(r'data-deployment="([^"]+)"', card) == [code_of(app, earlier), code_of(app, later)]
    assert "overdue by 30 hours" in card and "no box out" in card and "3 loose units out" in card


def test_the_menu_has_one_deployments_entry_current_on_deployment_pages(client_as, depot):
    client = english(client_as("admin"))
    for url in ["/deployments", f"/deployments/{depot['drill']}", "/deployments/new"]:
        body = client.get(url).get_data(as_text=True)
        nav = re.search(r'<nav class="nav".*?</nav>', body, re.S).group(0)
        assert nav.count('href="/deployments"') == 1
        assert re.search(r'href="/deployments" aria-current="page"', nav), url
    home = re.search(r'<nav class="nav".*?</nav>', client.get("/").get_data(as_text=True), re.S).group(0)
    assert 'href="/deployments" aria-current' not in home
