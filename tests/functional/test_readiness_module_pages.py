"""Readiness pages beyond the dashboard: a module drilled down to its boxes' short lines, the module
table as CSV, and the plan's targets with the admin's edit forms."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import text

from tests.builders import field_errors, in_days, make_module
from tests.functional.stock_page_helpers import LOCALES
from tests.readiness_scenario import FOAM, ROPE, build
from warehouse.extensions import db

ENGLISH = {"Accept-Language": LOCALES["en"][0]}
NOT_ADMINS = ("logistics", "supply_officer", "commander")


@pytest.fixture
def scenario(app, users):
    return build(app)


def _sql(app, statement: str, **params):
    with app.app_context():
        rows = db.session.execute(text(statement), params).all()
        db.session.remove()
    return rows


def _block(body: str, marker: str, end: str = "</tr>") -> str:
    start = body.index(marker)
    return body[start:body.index(end, start)]


# --- drill-down -------------------------------------------------------------------------------

def test_the_drill_down_shows_the_modules_figures(client_as, scenario):
    body = client_as("commander").get("/readiness/modules/EQ").get_data(as_text=True)
    head = body[body.index('data-testid="module-EQ"'):body.index('data-testid="trend"')]
    figures = dict(re.findall(r'data-count="([\w-]+)"[^>]*>([^<]*)<', head))
    keys = ("required", "ready", "short", "deployed", "restocking", "unbuilt", "percent")
    shown = [figures[k] for k in keys]
    assert shown == ["5", "1", "1", "1", "0", "2", "20%"]
    assert 'data-level="poor"' in head
    assert f'datetime="{in_days(1).isoformat()}"' in head  # the lot expiring tomorrow, in the ready box


def test_the_drill_down_lists_each_template_with_its_boxes_linking_to_the_box_page(client_as, scenario):
    body = client_as("commander").get("/readiness/modules/EQ").get_data(as_text=True)
    for code, status in ((scenario.ready, "ready"), (scenario.short, "short"), (scenario.out, "deployed")):
        row = _block(body, f'data-kit="{code}"')
        assert f'data-status="{status}"' in row and f'href="/kits/boxes/{code}"' in row
    template_b = body[body.index('data-template="RD-B"'):]
    assert re.search(r'data-count="required">1<', template_b)
    assert re.search(r'data-count="unbuilt"[^>]*>1<', template_b)


def test_a_short_box_shows_its_short_line_inline(client_as, scenario):
    body = client_as("commander").get("/readiness/modules/EQ").get_data(as_text=True)
    row = _block(body, f'data-kit="{scenario.short}"')
    assert re.search(r'data-col="short-lines">1<', row) and re.search(r'data-col="missing">2<', row)
    lines = body[body.index(f'data-lines-for="{scenario.short}"'):]
    lines = lines[:lines.index("</table>")]
    # The foam line: par 2, the two units held expired three days ago, so none usable, 2 missing.
    assert re.findall(r'data-line="([\w-]+)"', lines) == [FOAM]
    assert re.search(r'data-col="par">2<', lines) and re.search(r'data-col="usable">0\b', lines)
    assert re.search(r'data-col="missing">2\b', lines)
    for code in (scenario.ready, scenario.out):  # no inline lines for complete or deployed boxes
        assert f'data-lines-for="{code}"' not in body


def test_the_drill_down_lists_shortfalls_with_their_sources(client_as, scenario):
    body = client_as("commander").get("/readiness/modules/EQ").get_data(as_text=True)
    foam = _block(body, f'data-item="{FOAM}"')
    assert re.search(r'data-col="missing">5\b', foam) and re.search(r'data-col="loose">8\b', foam)
    rope = _block(body, f'data-item="{ROPE}"')
    assert re.search(r'data-col="missing">3\b', rope) and re.search(r'data-col="stockpiles">20\b', rope)
    assert re.search(r'data-col="agreements">50 · 4\b', rope)
    assert f'href="/reserve/reachable?item={ROPE}"' in rope
    sources = body[body.index(f'data-sources-for="{ROPE}"'):]
    sources = sources[:sources.index("</tr>")]
    assert "RD-IN-FORCE" in sources and "RD-EXPIRED" not in sources


def test_the_trend_chart_plots_recorded_days(app, client_as, scenario):
    module_id = _sql(app, "SELECT id FROM modules WHERE code = 'EQ'")[0][0]
    with app.app_context():
        for days_ago, percent in ((2, 40), (1, 20)):
            db.session.execute(text(
                "INSERT INTO readiness_snapshots (day, module_id, required, ready, short, deployed,"
                " restocking, percent, taken_at) VALUES (:day, :m, 5, 1, 1, 1, 0, :p, CURRENT_TIMESTAMP)"),
                {"day": in_days(-days_ago), "m": module_id, "p": percent})
        db.session.commit()
        db.session.remove()
    body = client_as("commander").get("/readiness/modules/EQ").get_data(as_text=True)
    chart = body[body.index('data-testid="trend"'):body.index('data-testid="shortfalls"')]
    assert "<svg" in chart and "<title" in chart and "<polyline" in chart
    assert re.findall(r'data-day="([\d-]+)" data-percent="(\d+)"', chart) == [
        (in_days(-2).isoformat(), "40"), (in_days(-1).isoformat(), "20")]
    assert "style=" not in chart  # the CSP forbids inline styles


def test_the_drill_down_of_an_unknown_module_is_404(client_as, scenario):
    assert client_as("commander").get("/readiness/modules/XX").status_code == 404


def test_the_drill_down_is_in_chinese_by_default_and_english_on_request(client_as, scenario):
    client = client_as("commander")
    chinese = client.get("/readiness/modules/EQ").get_data(as_text=True)
    assert 'lang="zh-CN"' in chinese and "地震救援模块" in chinese
    english = client.get("/readiness/modules/EQ", headers=ENGLISH).get_data(as_text=True)
    assert 'lang="en"' in english and "Earthquake rescue module" in english and "Not ready" in english


# --- CSV --------------------------------------------------------------------------------------

def test_the_csv_holds_the_module_table(client_as, scenario):
    response = client_as("commander").get("/readiness/modules.csv", headers=ENGLISH)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data(as_text=True)
    assert data.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(data[1:])))
    assert rows[0] == ["Code", "Module", "Required", "Ready", "Short", "Deployed", "In restock", "Not built",
                       "Readiness (%)", "Level", "Earliest expiry"]
    assert rows[1:] == [["EQ", "Earthquake rescue module", "5", "1", "1", "1", "0", "2", "20", "Not ready",
                         in_days(1).isoformat()]]


def test_the_csv_neutralises_cells_a_spreadsheet_would_run(app, client_as, scenario):
    make_module(app, "HR", name_zh="=HYPERLINK(\"http://x\")", name_en="+1+2", position=9)
    data = client_as("commander").get("/readiness/modules.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(data[1:])))
    assert rows[2][:9] == ["HR", "'=HYPERLINK(\"http://x\")", "0", "0", "0", "0", "0", "0", "0"]
    english = client_as("commander").get("/readiness/modules.csv", headers=ENGLISH).get_data(as_text=True)
    assert list(csv.reader(io.StringIO(english[1:])))[2][1] == "'+1+2"


# --- the plan's targets -----------------------------------------------------------------------

def _target_row(body: str, code: str) -> str:
    table = body[body.index('data-testid="targets"'):]
    return _block(table, f'data-target="{code}"')


def test_the_targets_page_measures_each_target_against_the_records(app, client_as, scenario):
    body = client_as("commander").get("/readiness/targets").get_data(as_text=True)
    area = _sql(app, "SELECT SUM(area_m2) FROM locations WHERE kind = 'depot' AND active")[0][0]
    depot = _target_row(body, "depot_area")
    assert re.search(rf'data-col="actual">{area:.0f} m²', depot) and 'data-passed="true"' in depot
    modules = _target_row(body, "modules")
    assert re.search(r'data-col="actual">1 / 5<', modules) and 'data-passed="false"' in modules
    stockpiles = _target_row(body, "stockpiles")  # only emergency management lists a stockpile
    assert re.search(r'data-col="actual">1 / 5<', stockpiles)
    counties = _sql(app, "SELECT code FROM districts WHERE NOT city_level")
    county = _target_row(body, "county_agreements")
    share = 100 / (len(counties) * 5)  # one covered pair: the Longshan supermarket's agreement
    assert re.search(rf'data-col="actual">{share:.1f}%'.replace(".0%", "%"), county)
    staffing = _target_row(body, "STANDING_HEADCOUNT")
    assert 'href="/compliance/staffing"' in staffing
    passed = body.count('data-passed="true"') // 2  # each target has a row and a card
    assert f'data-passed="{passed}" data-total="10"' in body


def test_the_county_matrix_ticks_only_pairs_with_an_agreement_in_force(app, client_as, scenario):
    body = client_as("commander").get("/readiness/targets").get_data(as_text=True)
    matrix = body[body.index('data-testid="county-matrix"'):]
    matrix = matrix[:matrix.index("</table>")]
    counties = [code for (code,) in _sql(app, "SELECT code FROM districts WHERE NOT city_level")]
    assert sorted(re.findall(r'data-district="(\w+)"', matrix)) == sorted(counties)
    covered = re.findall(r'data-kind="(\w+)" data-covered="true"', matrix)
    assert covered == ["supermarket"]  # the hardware shop's agreement expired yesterday
    assert matrix.count('data-covered="false"') == len(counties) * 5 - 1
    assert "龙山区" in matrix and "大型超市" in matrix


def test_only_an_admin_sees_the_edit_forms(client_as, scenario):
    admin = client_as("admin").get("/readiness/targets").get_data(as_text=True)
    assert 'data-testid="target-form-depot_area"' in admin and 'data-testid="thresholds-form"' in admin
    assert 'data-testid="target-form-STANDING_HEADCOUNT"' not in admin
    for role in NOT_ADMINS:
        page = client_as(role).get("/readiness/targets").get_data(as_text=True)
        assert "target-form" not in page and "thresholds-form" not in page, role


def test_an_admin_changes_a_target_and_the_check_follows(app, client_as, scenario):
    client = client_as("admin")
    response = client.post_form("/readiness/targets/modules", {"threshold": "1", "scope": "eq hr"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/readiness/targets#target-modules")
    assert _sql(app, "SELECT threshold, scope FROM plan_targets WHERE measure = 'modules'")[0] == (1, "EQ HR")
    body = client.get("/readiness/targets").get_data(as_text=True)
    assert 'data-passed="true"' in _target_row(body, "modules")
    response = client.post_form("/readiness/targets/depot_area", {"threshold": "1200"})
    assert response.status_code == 302
    assert _sql(app, "SELECT threshold FROM plan_targets WHERE measure = 'depot_area'")[0][0] == 1200
    body = client.get("/readiness/targets").get_data(as_text=True)
    assert 'data-passed="false"' in _target_row(body, "depot_area")


@pytest.mark.parametrize(("measure", "data", "field"), [
    ("depot_area", {"threshold": "-1"}, "threshold"),
    ("depot_area", {"threshold": "many"}, "threshold"),
    ("depot_area", {"threshold": ""}, "threshold"),
    ("county_agreements", {"threshold": "101"}, "threshold"),
    ("modules", {"threshold": "5", "scope": "EQ; not-a-code!"}, "scope"),
    ("modules", {"threshold": "5", "scope": ""}, "scope"),
])
def test_bad_target_input_is_422_with_the_field_and_nothing_written(app, client_as, scenario, measure, data,
                                                                    field):
    targets = "SELECT measure, threshold, scope, updated_at FROM plan_targets ORDER BY measure"
    before = _sql(app, targets)
    response = client_as("admin").post_form(f"/readiness/targets/{measure}", data)
    assert response.status_code == 422
    assert field_errors(response, field)
    assert _sql(app, targets) == before


def test_an_unknown_or_staffing_target_is_404(client_as, scenario):
    client = client_as("admin")
    for measure in ("nope", "STANDING_HEADCOUNT"):
        assert client.post_form(f"/readiness/targets/{measure}", {"threshold": "3"}).status_code == 404


def test_an_admin_changes_the_thresholds_and_the_colour_follows(app, client_as, scenario):
    client = client_as("admin")
    response = client.post_form("/readiness/thresholds", {"good_percent": "20", "fair_percent": "10"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#thresholds")
    assert _sql(app, "SELECT good_percent, fair_percent FROM readiness_settings")[0] == (20, 10)
    head = client.get("/readiness/modules/EQ").get_data(as_text=True)
    assert 'data-testid="module-EQ" data-level="good"' in head


@pytest.mark.parametrize(("data", "field"), [
    ({"good_percent": "50", "fair_percent": "70"}, "fair_percent"),
    ({"good_percent": "101", "fair_percent": "10"}, "good_percent"),
    ({"good_percent": "", "fair_percent": "10"}, "good_percent"),
    ({"good_percent": "90", "fair_percent": "x"}, "fair_percent"),
])
def test_bad_thresholds_are_422_and_nothing_written(app, client_as, scenario, data, field):
    before = _sql(app, "SELECT good_percent, fair_percent, updated_at FROM readiness_settings")
    response = client_as("admin").post_form("/readiness/thresholds", data)
    assert response.status_code == 422 and field_errors(response, field)
    assert _sql(app, "SELECT good_percent, fair_percent, updated_at FROM readiness_settings") == before


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_other_roles_may_not_edit_and_nothing_is_written(app, client_as, scenario, role):
    before = (_sql(app, "SELECT threshold FROM plan_targets ORDER BY measure"),
              _sql(app, "SELECT good_percent, fair_percent FROM readiness_settings"))
    client = client_as(role)
    assert client.post_form("/readiness/targets/depot_area", {"threshold": "1"}).status_code == 403
    response = client.post_form("/readiness/thresholds", {"good_percent": "20", "fair_percent": "10"})
    assert response.status_code == 403
    assert (_sql(app, "SELECT threshold FROM plan_targets ORDER BY measure"),
            _sql(app, "SELECT good_percent, fair_percent FROM readiness_settings")) == before


def test_the_targets_page_reads_in_english_on_request(client_as, scenario):
    body = client_as("commander").get("/readiness/targets", headers=ENGLISH).get_data(as_text=True)
    assert 'lang="en"' in body and "Reserve depot floor area" in body and "Longshan District" in body
    assert "Supermarket" in body


def test_every_role_reads_the_pages_and_anonymous_is_sent_to_sign_in(app, client_as, scenario):
    for role in ("logistics", "supply_officer", "commander", "admin"):
        client = client_as(role)
        for url in ("/readiness/modules/EQ", "/readiness/modules.csv", "/readiness/targets"):
            assert client.get(url).status_code == 200, (role, url)
    anonymous = app.test_client().get("/readiness/targets")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
