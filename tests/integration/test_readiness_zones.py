"""Which floor zone each module's boxes are kept in: the zone whose ancestry their home place lies under."""

from __future__ import annotations

from tests.builders import make_depot, make_item, make_kit, make_module, make_template
from warehouse.extensions import db
from warehouse.queries.readiness import readiness
from warehouse.timezone import today


def test_boxes_count_in_the_zone_above_their_home_place_only(app):
    first, second = make_depot(app, "T"), make_depot(app, "U")
    make_module(app, "EQ")
    make_module(app, "CH", name_zh="危化品救援模块", name_en="Chemical module")
    axe = make_item(app, "T-AXE", name_en="Axe")
    template = make_template(app, [{"item_id": axe, "par_quantity": 1}], code="BREACH",
                             modules={"EQ": 2, "CH": 1})
    make_kit(app, template, first.bin_a, module="EQ")  # bin -> rack -> zone T-A
    make_kit(app, template, first.zone, module="EQ")  # on the zone's floor
    make_kit(app, template, second.bin_b, module="CH")  # zone U-A of the other depot

    with app.app_context():
        found = readiness(db.session, today())
        db.session.remove()

    assert {zone_id: (z.boxes, z.ready, z.modules) for zone_id, z in found.zones.items()} == {
        first.zone: (2, 0, ("EQ",)), second.zone: (1, 0, ("CH",))}
    assert {status.module.code: status.zones for status in found.modules} == {"EQ": ("T-A",), "CH": ("U-A",)}
