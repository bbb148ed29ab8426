"""The zone a place lies in, read from its path, and each zone's use of the floor, on both engines."""

from __future__ import annotations

from sqlalchemy import select

from tests.builders import (
    CLI,
    fill_kit,
    in_days,
    make_depot,
    make_item,
    make_kit,
    make_module,
    make_template,
    receive,
)
from warehouse.extensions import db
from warehouse.models import Location
from warehouse.queries.stock import zone_usage
from warehouse.queries.tree import lies_under, prefix_end, zone_id_of
from warehouse.services import locations


def nested_quarantine(app, depot) -> int:
    """Add a quarantine corner inside the depot's zone; return its id."""
    with app.app_context():
        code = f"{depot.codes['zone']}-Q"
        corner = locations.create_location(db.session, CLI, kind="quarantine", code=code, name="区内待检",
                                           parent_id=depot.zone).id
        db.session.remove()
    return corner


def test_every_place_reads_the_zone_it_lies_in(app):
    depot = make_depot(app, "T")
    corner = nested_quarantine(app, depot)
    with app.app_context():
        found = dict(db.session.execute(select(Location.id, zone_id_of(Location.path))).all())
        db.session.remove()
    assert found == {depot.depot: 0 if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else None,
                     depot.zone: depot.zone, depot.rack: depot.zone, depot.bin_a: depot.zone,
                     depot.bin_b: depot.zone, corner: depot.zone, depot.quarantine: depot.quarantine}


def test_places_under_a_path_are_those_whose_path_starts_with_it(app):
    first, second = make_depot(app, "T"), make_depot(app, "U")
    with app.app_context():
        paths = dict(db.session.execute(select(Location.id, Location.path)).all())
        rack_path = paths[first.rack]
        under = set(db.session.scalars(select(Location.id).where(lies_under(Location.path, rack_path))))
        db.session.remove()
    assert prefix_end("/1/5/") == "/1/50"
    assert under == {i for i, path in paths.items() if path.startswith(rack_path)} == {
        first.rack, first.bin_a, first.bin_b}
    assert second.rack not in under


def test_zone_usage_counts_each_depot_s_zones_and_areas_inside_zones(app):
    first, second = make_depot(app, "T"), make_depot(app, "U")
    corner = nested_quarantine(app, first)
    foam = make_item(app, "T-FOAM")
    rope = make_item(app, "T-ROPE", name_zh="静力绳", name_en="Static rope", category="RE", tracking="bulk",
                     expiry_required=False, shelf_life_days=None, unit="piece")
    receive(app, foam, first.bin_a, 5, lot="F-1", expires_on=in_days(700))
    receive(app, rope, first.bin_b, 4)
    receive(app, rope, corner, 2)
    receive(app, rope, second.bin_a, 7)
    make_module(app, "EQ")
    template = make_template(app, [{"item_id": rope, "par_quantity": 1}], code="BOX", modules={"EQ": 1})
    fill_kit(app, make_kit(app, template, first.zone, module="EQ"))  # a box on the zone's floor

    with app.app_context():
        one = {z.code: (z.used_m2, z.units, z._mapping["items"]) for z in zone_usage(db.session, first.depot)}
        every = {z.code: (z.used_m2, z.units, z._mapping["items"]) for z in zone_usage(db.session)}
        box_m2 = db.session.scalar(select(Location.footprint_m2).where(Location.kind == "kit")) or 0
        db.session.remove()

    # The zone: the rack's 6 m² and the box's footprint; the bins', the corner's and the box's units
    # (the box was filled with a rope from a bin).
    assert one == {"T-A": (6.0 + box_m2, 5 + 4 + 2, 2), "T-Q": (0.0, 0, 0)}
    assert every == {**one, "T-A-Q": (0.0, 2, 1), "U-A": (6.0, 7, 1), "U-Q": (0.0, 0, 0)}
