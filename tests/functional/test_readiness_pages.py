"""The readiness dashboard: module figures, shortfalls and sources, reserve panels, snapshots, roles."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import event, select, text, update

from tests.builders import (
    CLI,
    assert_redirected_to_login,
    expire_lot,
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
from warehouse.models import Lot, ReadinessSettings, ReadinessSnapshot

FOAM, ROPE = "T-FOAM", "T-ROPE"


class _Attrs(HTMLParser):
    """Collect the attributes of every element carrying a data-testid (or a data-sku row)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(page: str, **wanted) -> list[dict]:
    reader = _Attrs()
    reader.feed(page)
    return [a for _t, a in reader.found if all(a.get(k.replace("_", "-")) == v for k, v in wanted.items())]


def one(page: str, **wanted) -> dict:
    found = elements(page, **wanted)
    assert len(found) == 1, (wanted, found)
    return found[0]


@pytest.fixture
def scene(app):
    """Module EQ needs 5 boxes (a foam drum and 2 ropes each): 2 ready (one with a lot expiring
    tomorrow), 1 short by its foam line (lot expired), 1 deployed, 1 never built; 3 loose drums and
    3 loose ropes on shelves, a department's stockpile of 10 ropes, an agreement in force for 20
    ropes and one that expired yesterday for 100."""
    depot = make_depot(app)
    foam = make_item(app, FOAM, name_zh="泡沫灭火剂", name_en="Foam concentrate")
    rope = make_item(app, ROPE, name_zh="静力绳", name_en="Static rope", category="RE", tracking="bulk",
                     expiry_required=False, shelf_life_days=None, unit="piece")
    make_module(app, "EQ")
    box = make_template(app, [{"item_id": foam, "par_quantity": 1}, {"item_id": rope, "par_quantity": 2}],
                        code="BOX-EQ", modules={"EQ": 5})
    receive(app, rope, depot.bin_b, 8)
    # Boxes are filled first-expiry-first: one lot each for the first two, the later lot for the rest.
    receive(app, foam, depot.bin_a, 1, lot="F-SOON", expires_on=in_days(400))
    soon = make_kit(app, box, depot.zone)
    fill_kit(app, soon)
    receive(app, foam, depot.bin_a, 1, lot="F-OLD", expires_on=in_days(450))
    short = make_kit(app, box, depot.zone)
    fill_kit(app, short)
    receive(app, foam, depot.bin_a, 5, lot="F-LATE", expires_on=in_days(500))
    late, out = make_kit(app, box, depot.zone), make_kit(app, box, depot.zone)
    fill_kit(app, late)
    fill_kit(app, out)
    receive(app, rope, depot.bin_b, 3)
    with app.app_context():
        db.session.execute(update(Lot).where(Lot.code == "F-SOON").values(expires_on=in_days(1)))
        db.session.commit()
        db.session.remove()
    expire_lot(app, "F-OLD", 3)  # the short box's foam line is now short by its one drum
    drill = make_deployment(app)
    with app.app_context():
        from warehouse.services import deployments
        deployments.check_out(db.session, CLI, out, drill)
        db.session.remove()
    civil = make_partner(app, "辽源市民政局", kind="civil_affairs", district="LY")
    make_stockpile_line(app, civil, rope, 10)
    make_agreement(app, civil, "MZ-1", response_hours=6)
    shop = make_partner(app)
    make_agreement(app, shop, "CS-1", response_hours=4, commitments=[{"item_id": rope, "quantity": 20}])
    make_agreement(app, shop, "CS-0", response_hours=1, valid_from=in_days(-400), valid_to=in_days(-1),
                   commitments=[{"item_id": rope, "quantity": 100}])
    return {"boxes": {"soon": soon, "late": late, "out": out, "short": short}}


def test_a_module_card_shows_its_boxes_by_state_percent_and_colour(client_as, scene):
    page = client_as("commander").get("/readiness/").get_data(as_text=True)
    card = one(page, data_testid="module", data_module="EQ")
    # 2 of 5 ready is 40 %: red under the default 60 % amber threshold.
    assert (card["data-required"], card["data-ready"], card["data-short"], card["data-deployed"],
            card["data-restocking"], card["data-unbuilt"]) == ("5", "2", "1", "1", "0", "1")
    assert (card["data-percent"], card["data-level"]) == ("40", "poor")
    assert card["data-earliest-expiry"] == in_days(1).isoformat()
    assert 'data-expiry="soon"' in page
    totals = one(page, data_testid="totals")
    assert (totals["data-percent"], totals["data-required"], totals["data-ready"]) == ("40", "5", "2")
    assert one(page, data_level_count="poor")["data-count"] == "1"
    bar = {a["data-part"]: a["data-boxes"] for a in elements(page) if "data-part" in a}
    assert bar == {"ready": "2", "short": "1", "deployed": "1", "unbuilt": "1"}


def test_shortfalls_list_loose_stock_stockpiles_and_only_agreements_in_force(client_as, scene):
    page = client_as("commander").get("/readiness/").get_data(as_text=True)
    rope = one(page, data_sku=ROPE)
    # 2 ropes for the box never built; the expired agreement's 100 and its 1-hour response do not count.
    assert (rope["data-missing"], rope["data-in-boxes"], rope["data-unbuilt"]) == ("2", "0", "2")
    assert (rope["data-loose"], rope["data-stockpiles"], rope["data-stockpile-hours"]) == ("3", "10", "6")
    assert (rope["data-committed"], rope["data-agreement-hours"]) == ("20", "4")
    foam = one(page, data_sku=FOAM)
    # One drum to replace in the short box, one for the box never built.
    assert (foam["data-missing"], foam["data-in-boxes"], foam["data-unbuilt"], foam["data-loose"]) == \
        ("2", "1", "1", "3")
    assert (foam["data-stockpiles"], foam["data-committed"]) == ("0", "0")
    assert f'/reserve/reachable?item={ROPE}&amp;quantity=2' in page


def test_reserve_panels_count_expiry_agreements_and_deployments(client_as, scene):
    page = client_as("commander").get("/readiness/").get_data(as_text=True)
    expiry = one(page, data_testid="expiry")
    assert (expiry["data-expiring-lots"], expiry["data-expiring-units"], expiry["data-expired-units"]) == \
        ("1", "1", "1")
    agreements = one(page, data_testid="agreements")
    assert (agreements["data-in-force"], agreements["data-expired"]) == ("2", "1")
    deployments = one(page, data_testid="deployments")
    assert (deployments["data-open"], deployments["data-boxes-out"]) == ("1", "1")
    targets = one(page, data_testid="plan-targets")
    rows = [a for a in elements(page) if "data-target" in a]
    assert targets["data-total"] == str(len(rows)) == "10"
    assert targets["data-passed"] == str(sum(a["data-passed"] == "yes" for a in rows))
    # The test depot is 1,000 m²: the floor-area target is met.
    assert one(page, data_target="depot_area")["data-passed"] == "yes"


def test_the_floor_plan_colours_the_zone_holding_boxes_by_its_module(client_as, scene):
    page = client_as("commander").get("/readiness/").get_data(as_text=True)
    plan = re.search(r'data-testid="readiness-floor-plan".*?</svg>', page, re.S).group(0)
    assert 'data-code="T-A" data-level="poor"' in plan
    assert 'data-code="T-Q" data-level="empty"' not in plan  # the quarantine has no rectangle


def test_colours_follow_the_thresholds_in_the_database(app, client_as, scene):
    client = client_as("commander")
    for good, fair, level in ((90, 40, "fair"), (40, 10, "good"), (90, 60, "poor")):
        with app.app_context():
            db.session.execute(update(ReadinessSettings).values(good_percent=good, fair_percent=fair))
            db.session.commit()
        page = client.get("/readiness/").get_data(as_text=True)
        assert one(page, data_testid="module", data_module="EQ")["data-level"] == level


def _snapshots(app):
    with app.app_context():
        rows = db.session.execute(select(ReadinessSnapshot.day, ReadinessSnapshot.percent,
                                         ReadinessSnapshot.taken_at)).all()
        db.session.remove()
    return rows


def test_the_first_view_of_the_day_records_a_snapshot_and_later_views_write_nothing(app, client_as, scene):
    assert _snapshots(app) == []
    client = client_as("commander")
    page = client.get("/readiness/").get_data(as_text=True)
    first = _snapshots(app)
    assert [(day, percent) for day, percent, _at in first] == [(in_days(0), 40)]
    assert one(page, data_testid="trend")["data-points"] == "1"  # today is in the trend
    client.get("/readiness/")
    client_as("admin").get("/readiness/")
    assert _snapshots(app) == first


def test_the_page_is_chinese_by_default_and_english_on_request(client_as, scene):
    client = client_as("commander")
    page = client.get("/readiness/").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "<h1>战备状态</h1>" in page
    client.post_form("/language", {"lang": "en"})
    page = client.get("/readiness/").get_data(as_text=True)
    assert 'lang="en"' in page and "<h1>Readiness</h1>" in page and "Not ready" in page


def test_the_page_links_to_the_report_the_csv_the_targets_and_each_module(client_as, scene):
    page = client_as("logistics").get("/readiness/").get_data(as_text=True)
    assert one(page, data_testid="report-pdf")["href"] == "/readiness/report.pdf"
    assert one(page, data_testid="modules-csv")["href"] == "/readiness/modules.csv"
    assert one(page, data_testid="plan-targets-link")["href"] == "/readiness/targets"
    assert one(page, data_testid="module-link")["href"] == "/readiness/modules/EQ"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_the_dashboard_and_the_menu_entry(client_as, role):
    response = client_as(role).get("/readiness/")
    assert response.status_code == 200
    assert 'href="/readiness/" aria-current="page"' in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert_redirected_to_login(client.get("/readiness/"))


def test_the_home_page_links_to_the_dashboard(client_as, scene):
    page = client_as("commander").get("/").get_data(as_text=True)
    assert one(page, data_testid="readiness-link")["href"] == "/readiness/"


def _statements(app, client) -> int:
    seen = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/readiness/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_number_of_statements_does_not_grow_with_the_boxes(app, client_as, scene):
    client = client_as("commander")
    client.get("/readiness/")  # the day's snapshot, out of the way
    few = _statements(app, client)
    with app.app_context():
        depot_zone = db.session.scalar(text("SELECT id FROM locations WHERE code = 'T-A'"))
        foam_id = db.session.scalar(text("SELECT id FROM items WHERE sku = :sku"), {"sku": FOAM})
        rope_id = db.session.scalar(text("SELECT id FROM items WHERE sku = :sku"), {"sku": ROPE})
        db.session.remove()
    receive(app, foam_id, depot_zone, 6, lot="F-MORE", expires_on=in_days(300))
    receive(app, rope_id, depot_zone, 12)
    for _ in range(6):
        fill_kit(app, make_kit(app, "BOX-EQ", depot_zone))
    client.get("/readiness/")  # stores the new boxes' states (a write, once, after they changed)
    assert _statements(app, client) <= few


def test_the_demo_dashboard_shows_the_demo_figures(demo_app):
    commander = make_user(demo_app, Role.COMMANDER, username="demo-commander")
    page = demo_app.test_client().sign_in(commander).get("/readiness/").get_data(as_text=True)
    with demo_app.app_context():
        modules = db.session.execute(text(
            "SELECT m.code, COALESCE(SUM(r.boxes_required), 0) FROM modules m "
            "LEFT JOIN module_requirements r ON r.module_id = m.id WHERE m.active GROUP BY m.code")).all()
        deployed = db.session.scalar(text("SELECT count(*) FROM kits WHERE status = 'deployed'"))
        db.session.remove()
    cards = elements(page, data_testid="module")
    assert {c["data-module"]: int(c["data-required"]) for c in cards} == dict(modules)
    assert sum(int(c["data-deployed"]) for c in cards) == deployed > 0
    assert int(one(page, data_testid="totals")["data-required"]) == sum(n for _c, n in modules)
    assert elements(page, data_testid="shortfalls") and 'data-testid="readiness-floor-plan"' in page
