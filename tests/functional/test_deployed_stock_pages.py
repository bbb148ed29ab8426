"""The stock pages and API count a box checked out to a deployment as out of the depot."""

from __future__ import annotations

import re

import pytest

from tests.api_client import Api
from tests.builders import CLI, make_box_depot, make_deployment
from tests.functional.stock_page_helpers import table_rows
from warehouse.domain.accounts import Role
from warehouse.extensions import db
from warehouse.services import deployments


@pytest.fixture
def api(app, users) -> Api:
    return Api(app, users)


def check_out(app, code: str, deployment: int) -> None:
    with app.app_context():
        deployments.check_out(db.session, CLI, code, deployment)
        db.session.remove()


def test_the_stock_pages_and_api_show_a_box_out_as_deployed_and_not_available(app, api, client_as):
    boxes = make_box_depot(app, 2)
    deployment = make_deployment(app, "西安区高层住宅火灾", kind="incident")
    out, home = boxes.boxes
    check_out(app, out, deployment)
    # 50 spare ropes in a bin and two in each box: the two out are no longer on hand.
    item = api.get(f"/api/v1/items/{boxes.rope}")
    assert (item["available"], item["on_hand"]) == (52, 52)
    listed = api.get("/api/v1/stock?status=deployed")
    assert {(r["location_code"], r["sku"], r["quantity"], r["status"]) for r in listed["items"]} == {
        (out, "T-ROPE", 2, "deployed"), (out, "T-FOAM", 1, "deployed")}
    by_category = {r["code"]: r for r in api.get("/api/v1/reports/stock-by-category")}
    assert (by_category["RE"]["held"], by_category["RE"]["available"]) == (52, 52)

    keeper = client_as(Role.LOGISTICS)
    page = keeper.get("/stock?status=deployed", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    rows = table_rows(page, "stock")
    assert {(r["attrs"]["location"], r["attrs"]["sku"]) for r in rows} == {(out, "T-ROPE"), (out, "T-FOAM")}
    assert {r["class"] for r in rows} == {"row-deployed"}
    item_page = keeper.get(f"/items/{boxes.rope}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<strong data-testid="available">52</strong>' in item_page
    # The item's stock table: each row's location code, then its status badge.
    statuses = dict(re.findall(r'<code>([^<]+)</code></a>.*?class="badge status-([a-z]+)"', item_page, re.S))
    assert statuses == {out: "deployed", home: "available", boxes.depot.codes["bin_b"]: "available"}
