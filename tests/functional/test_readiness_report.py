"""The printed readiness report: a scenario's figures read back out of the PDF, in either language."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from flask_babel import gettext
from pypdf import PdfReader
from sqlalchemy import text as text_sql

from tests.builders import (
    CLI,
    assert_redirected_to_login,
    fill_kit,
    in_days,
    make_agreement,
    make_deployment,
    make_depot,
    make_item,
    make_kit,
    make_module,
    make_partner,
    make_stockpile_line,
    make_template,
    make_user,
    receive,
)
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.services import deployments, kits, readiness, stock
from warehouse.timezone import today

ENGLISH = {"Accept-Language": "en"}
CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9"}
URL = "/readiness/report.pdf"


@dataclass(frozen=True)
class Scene:
    ready: str
    deployed: str
    short: str
    deployment: str


@pytest.fixture
def scene(app) -> Scene:
    """Module EQ needs four boxes of BOX-A (a foam drum, two ropes): one ready with foam expiring
    tomorrow, one deployed, one short of a rope, one never built; module WR needs one, unbuilt.

    Rope: 4 loose on a shelf, 20 in the emergency bureau's stockpile, 30 under an agreement in force
    (6 h) and 100 under one that expired yesterday.
    """
    depot = make_depot(app)
    foam = make_item(app, "T-FOAM")
    rope = make_item(app, "T-ROPE", name_zh="静力绳", name_en="Static rope", category="RE", tracking="bulk",
                     expiry_required=False, shelf_life_days=None, unit="piece")
    make_module(app, "EQ")
    make_module(app, "WR", name_zh="水域<b>&救援模块", name_en="Water <b>& rescue", position=2)
    lines = [{"item_id": foam, "par_quantity": 1}, {"item_id": rope, "par_quantity": 2}]
    template = make_template(app, lines, code="BOX-A", modules={"EQ": 4, "WR": 1})
    receive(app, foam, depot.bin_a, 3, lot="F-1", expires_on=in_days(1))
    receive(app, rope, depot.bin_b, 10)
    boxes = []
    for _ in range(3):
        code = make_kit(app, template, depot.zone)
        fill_kit(app, code)
        boxes.append(code)
    with app.app_context():
        # A rope found missing from the third box at its check: the box is short by one line.
        kit = kits.get_kit(db.session, boxes[2])
        stock.adjust_stock(db.session, CLI, item_id=rope, location_id=kit.location_id, change=-1,
                           note="检查发现缺少一根")
        db.session.remove()
    bureau = make_partner(app, "龙山区应急管理局", kind="emergency_management")
    make_stockpile_line(app, bureau, rope, 20)
    shop = make_partner(app, "龙山区欧亚购物中心")
    make_agreement(app, shop, "LS-CS-2026-001", response_hours=6,
                   commitments=[{"item_id": rope, "quantity": 30}])
    old = make_partner(app, "旧合作超市")
    make_agreement(app, old, "LS-CS-2020-009", valid_from=in_days(-400), valid_to=in_days(-1),
                   response_hours=1, commitments=[{"item_id": rope, "quantity": 100}])
    deployment_id = make_deployment(app, "龙山区<地震>救援演练")
    with app.app_context():
        deployments.check_out(db.session, CLI, boxes[1], deployment_id)
        code = deployments.get_deployment(db.session, deployment_id).code
        db.session.remove()
    return Scene(ready=boxes[0], deployed=boxes[1], short=boxes[2], deployment=code)


def text_of(response) -> str:
    """Return the PDF's text with all whitespace removed (cells wrap anywhere)."""
    reader = PdfReader(io.BytesIO(response.data))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def flat(text: str) -> str:
    return "".join(text.split())


def test_the_report_prints_each_modules_figures_and_the_totals(client_as, scene):
    text = text_of(client_as(Role.COMMANDER).get(URL, headers=ENGLISH))
    # By construction. EQ: 4 required; ready 1, short 1 (a rope missing), deployed 1, none in
    # restock, 1 never built; 1/4 = 25 %, red at the default 90/60. Its ready box holds foam
    # expiring tomorrow. WR: 1 required, none built. All: 5 required, 1 ready: 20 %.
    tomorrow = in_days(1).isoformat()
    assert f"EQEarthquakerescuemodule{4}{1}{1}{1}{0}{1}25%Notready{tomorrow}*" in text
    assert f"WRWater<b>&rescue{1}{0}{0}{0}{0}{1}0%Notready—" in text
    assert f"Allmodules{5}{1}{1}{1}{0}{2}20%Notready" in text
    assert "Overallreadiness20%Notready" in text
    assert flat("5 boxes required: 1 ready, 1 short, 1 deployed, 0 in restock, 2 not built") in text
    assert flat("Modules: Not ready 2") in text
    assert flat("* expires within 30 days") in text


def test_shortfalls_list_the_gap_and_where_it_could_come_from(client_as, scene):
    text = text_of(client_as(Role.COMMANDER).get(URL, headers=ENGLISH))
    shortfalls = text[text.index("Shortfallsandwheretofindthem"):text.index("Theplan'stargets")]
    eq, wr = shortfalls.split("WRWater<b>&rescue")
    # EQ lacks 3 ropes: 1 from the short box, 2 for the box never built; 1 foam drum, unbuilt.
    assert flat("T-ROPE Static rope 3 piece 1 in 1 boxes; 2 for boxes not built") in eq
    assert flat("T-FOAM AFFF foam concentrate 1 drum 1 for boxes not built") in eq
    assert eq.index("T-ROPE") < eq.index("T-FOAM")  # the largest gap first
    # Rope: 10 received, 6 put in boxes: 4 loose, enough for 3. Foam: all of it is in boxes.
    assert flat("Loose in the depot: 4 piece — enough to restock the boxes") in eq
    assert flat("Loose in the depot: 0 drum") in eq
    assert flat("No stockpile or agreement lists it.") in eq
    # The bureau's 20 and the 30 in force; the agreement that ended yesterday is not counted.
    assert flat("Department stockpiles: 20") in eq
    assert flat("Agreements: 30 in all, fastest 6 h") in eq
    assert flat("· Support agreement: 龙山区欧亚购物中心 LS-CS-2026-001 30 piece, 6 h") in eq
    assert flat("· Department stockpile: 龙山区应急管理局 20 piece") in eq
    assert "LS-CS-2020-009" not in text and "旧合作超市" not in text and "100piece" not in text
    # WR's one unbuilt box lacks its whole content.
    assert flat("T-ROPE Static rope 2 piece 2 for boxes not built") in wr
    assert flat("T-FOAM AFFF foam concentrate 1 drum 1 for boxes not built") in wr


def test_targets_staffing_expiry_and_deployments_are_printed(client_as, scene):
    text = text_of(client_as(Role.COMMANDER).get(URL, headers=ENGLISH))
    # Only the depot's 1,000 m² meets its target: no squads, categories half-kept, one department.
    assert flat("1 of 10 targets met") in text
    assert flat("Reserve depot floor area 1000 m² 1000 m² Passed") in text
    assert flat("Priority disaster modules defined with required boxes 5 2 / 5 Failed HR, CH, MT") in text
    assert flat("Delivery agreements with a railway and a logistics company 2 0 / 2 Failed Railway, "
                "Logistics company") in text
    assert flat("Support staff: 0 (standing squads 0, mobile squads 0)") in text
    assert flat("Staffing targets met: 0 of 4") in text
    # Foam lot F-1 expires tomorrow: one drum in the ready box, one in the short one (the
    # deployed box's drum is out of the depot).
    assert flat("Expired: 0 lots, 0 units. Expiring within 30 days: 1 lots, 2 units.") in text
    soonest = f"{in_days(1).isoformat()} T-FOAM AFFF foam concentrate F-1 2 drum {scene.ready} (+1)"
    assert flat(soonest) in text
    # The open drill with its box out; the name is user text, printed as typed.
    deployments_part = text[text.index("Opendeployments"):]
    assert scene.deployment in deployments_part and "龙山区<地震>救援演练" in deployments_part
    assert scene.deployed in deployments_part and scene.ready not in deployments_part
    for words in ("Compiled by", "Reviewed by", "Commander's signature", "Date"):
        assert flat(words) in text


def test_the_header_says_where_when_and_who_printed_it(app, scene):
    user = make_user(app, Role.LOGISTICS, username="duty", display_name="值班员 <i>李&</i>")
    text = text_of(app.test_client().sign_in(user).get(URL, headers=ENGLISH))
    assert text.startswith("Emergencymaterialsreadinessreport")
    assert f"Depot:T测试储备库Asof:{today().isoformat()}Printed{today().isoformat()}" in text
    assert "Printedby:值班员<i>李&</i>" in text
    assert "Page1of2" in text and "Page2of2" in text


def test_changed_thresholds_change_the_levels_printed(app, client_as, scene):
    with app.app_context():
        readiness.update_thresholds(db.session, CLI, good_percent=25, fair_percent=20)
        db.session.remove()
    text = text_of(client_as(Role.COMMANDER).get(URL, headers=ENGLISH))
    assert "EQEarthquakerescuemodule41110125%Ready" in text
    assert "WRWater<b>&rescue1000010%Notready" in text
    assert "Allmodules51110220%Partlyready" in text
    assert flat("Modules: Ready 1, Not ready 1") in text


def test_the_report_is_chinese_by_default(app, client_as, scene):
    # The words are whatever the zh catalogue says for each message: read here, not by the view.
    messages = ["Emergency materials readiness report", "Readiness by module", "Module", "Required",
                "Earliest expiry", "Not ready", "Shortfalls and where to find them", "The plan's targets",
                "Open deployments", "Compiled by", "Reviewed by", "Commander's signature"]
    with app.test_request_context(headers=CHINESE):
        expected = [gettext(message) for message in messages]
        expected.append(gettext("Page %(page)d of %(pages)d") % {"page": 1, "pages": 2})
    for headers in ({}, CHINESE):
        text = text_of(client_as(Role.COMMANDER).get(URL, headers=headers))
        for words in expected:
            assert flat(words) in text, words
        # Modules and items by their Chinese names, the markup in a name printed as typed.
        assert "EQ地震救援模块" in text and "Earthquakerescuemodule" not in text
        assert "WR水域<b>&救援模块" in text
        assert "T-ROPE静力绳" in text and "Staticrope" not in text


def test_the_report_is_an_attachment_named_for_the_day_and_not_cached(client_as, scene):
    response = client_as(Role.COMMANDER).get(URL)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="readiness-{today().isoformat()}.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role", list(Role))
def test_every_signed_in_role_downloads_the_report(client_as, scene, role):
    assert client_as(role).get(URL).status_code == 200


def test_signing_in_comes_first(client):
    assert_redirected_to_login(client.get(URL))


def test_an_empty_depot_still_prints_a_report(client_as):
    response = client_as(Role.COMMANDER).get(URL, headers=ENGLISH)
    assert response.status_code == 200
    text = text_of(response)
    assert flat("No module lacks anything.") in text and flat("No deployment is open.") in text
    assert flat("Nothing held expires soon.") in text and "Compiledby" in text


def test_the_demo_report_prints_every_demo_module_and_the_boxes_it_requires(demo_app):
    user = make_user(demo_app, Role.COMMANDER, username="reader")
    response = demo_app.test_client().sign_in(user).get(URL)
    assert response.status_code == 200
    text = text_of(response)
    with demo_app.app_context():
        session = db.session
        modules = session.execute(text_sql(
            "SELECT m.code, m.name_zh, COALESCE(SUM(r.boxes_required), 0) FROM modules m "
            "LEFT JOIN module_requirements r ON r.module_id = m.id WHERE m.active "
            "GROUP BY m.code, m.name_zh")).all()
        db.session.remove()
    assert modules
    for code, name, required in modules:
        assert f"{code}{flat(name)}{required}" in text, code
    with demo_app.test_request_context(headers=CHINESE):
        boxes = gettext("%(required)d boxes required: %(ready)d ready, %(short)d short, %(deployed)d "
                        "deployed, %(restocking)d in restock, %(unbuilt)d not built").split("%(required)d")[0]
    total = sum(required for _code, _name, required in modules)
    assert flat(f"{boxes}{total}") in text
