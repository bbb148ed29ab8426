"""A readiness scenario built through the services, with its expected figures worked out by hand.

Module EQ needs four boxes of RD-A (2 foam + 3 rope) and one of RD-B (1 foam). Built: one ready
box holding a foam lot that expires tomorrow, one box short by one line (its foam lot expired three
days ago), one box sent out with a deployment; one RD-A and the RD-B were never built. Foam lacks
2 units in the short box + 3 for the unbuilt boxes, and 8 units lie loose; rope lacks 3 (unbuilt),
none loose, and has a department stockpile (20), an agreement in force (50, 4 h) and one that
expired yesterday (1000, 1 h), which must not count.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.builders import (
    CLI,
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
    receive,
)
from warehouse.extensions import db

FOAM, ROPE = "RD-FOAM", "RD-ROPE"


@dataclass(frozen=True)
class Scenario:
    depot: object
    foam: int
    rope: int
    ready: str
    short: str
    out: str


def build(app, *, partners: bool = True) -> Scenario:
    """Build the scenario; `partners` adds the rope's stockpile and agreements."""
    from warehouse.services import deployments

    depot = make_depot(app)
    foam = make_item(app, FOAM)
    rope = make_item(app, ROPE, name_zh="静力绳", name_en="Static rope", category="RE", tracking="bulk",
                     expiry_required=False, shelf_life_days=None, unit="piece")
    make_module(app, "EQ")
    box_a = make_template(app, [{"item_id": foam, "par_quantity": 2}, {"item_id": rope, "par_quantity": 3}],
                          code="RD-A", name_zh="破拆箱", name_en="Breaching box", modules={"EQ": 4})
    make_template(app, [{"item_id": foam, "par_quantity": 1}], code="RD-B", name_zh="泡沫箱",
                  name_en="Foam box", category="EA", modules={"EQ": 1})
    receive(app, foam, depot.bin_a, 2, lot="L-SOON", expires_on=in_days(1))
    receive(app, rope, depot.bin_b, 9)
    ready = make_kit(app, box_a, depot.zone)
    fill_kit(app, ready)  # first expiry first: the foam lot expiring tomorrow, and three ropes
    receive(app, foam, depot.bin_a, 2, lot="L-MID", expires_on=in_days(200))
    short = make_kit(app, box_a, depot.zone)
    fill_kit(app, short)
    expire_lot(app, "L-MID", 3)  # its foam line is now short by both units
    receive(app, foam, depot.bin_a, 10, lot="L-LATE", expires_on=in_days(400))
    out = make_kit(app, box_a, depot.zone)
    fill_kit(app, out)
    deployment = make_deployment(app)
    with app.app_context():
        deployments.check_out(db.session, CLI, out, deployment)
        db.session.remove()
    if partners:
        department = make_partner(app, "辽源市应急管理局", kind="emergency_management", district="LY")
        make_stockpile_line(app, department, rope, 20)
        shop = make_partner(app, "龙山区欧亚购物中心")
        make_agreement(app, shop, "RD-IN-FORCE", response_hours=4,
                       commitments=[{"item_id": rope, "quantity": 50}])
        late = make_partner(app, "龙山区五金店")
        make_agreement(app, late, "RD-EXPIRED", response_hours=1, valid_from=in_days(-365),
                       valid_to=in_days(-1), commitments=[{"item_id": rope, "quantity": 1000}])
    return Scenario(depot, foam, rope, ready, short, out)
