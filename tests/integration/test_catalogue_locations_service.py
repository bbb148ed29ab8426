"""Catalogue and location services on a real database."""

import pytest
from sqlalchemy import func, select

from tests.builders import CLI, in_days, make_depot, make_item, receive
from warehouse.domain.errors import Conflict, InvalidInput, NotFound
from warehouse.domain.stock import Tracking
from warehouse.models import Item, Location
from warehouse.services import catalogue, locations

SCBA = {"sku": "PE-SCBA-68", "name_zh": "正压式消防空气呼吸器", "name_en": "Positive-pressure SCBA",
        "category": "PE", "unit": "set", "tracking": "serial", "inspection_interval_days": 180,
        "min_level": 6, "storage_temp": "5–30 °C", "hazard_class": "UN1002"}


def test_an_item_is_created_with_its_category_and_rules(session):
    item = catalogue.create_item(session, CLI, **{**SCBA, "sku": "pe-scba-68"})
    assert item.sku == "PE-SCBA-68" and item.category.code == "PE"
    assert item.tracking == Tracking.SERIAL and item.inspection_interval_days == 180


@pytest.mark.parametrize("changes, field", [
    ({"sku": "bad sku"}, "sku"),
    ({"name_zh": " "}, "name_zh"),
    ({"name_en": "x" * 121}, "name_en"),
    ({"category": "ZZ"}, "category"),
    ({"unit": "bucket"}, "unit"),
    ({"tracking": "rfid"}, "tracking"),
    ({"min_level": -1}, "min_level"),
    ({"min_level": "5"}, "min_level"),
    ({"shelf_life_days": 0}, "shelf_life_days"),
    ({"tracking": "bulk", "expiry_required": True, "inspection_interval_days": None}, "expiry_required"),
    ({"tracking": "lot"}, "inspection_interval_days"),
])
def test_bad_item_fields_are_named_and_nothing_is_written(session, changes, field):
    with pytest.raises(InvalidInput) as error:
        catalogue.create_item(session, CLI, **{**SCBA, **changes})
    assert field in error.value.fields
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_skus_are_unique_and_tracking_is_fixed_once_stock_exists(app, session):
    catalogue.create_item(session, CLI, **SCBA)
    with pytest.raises(Conflict):
        catalogue.create_item(session, CLI, **{**SCBA, "name_zh": "另一个"})
    depot = make_depot(app)
    foam = make_item(app, sku="EA-AFFF")
    catalogue.update_item(session, CLI, foam, min_level=40, name_en="AFFF 3% foam concentrate")
    receive(app, foam, depot.bin_a, 2, lot="L1", expires_on=in_days(300))
    with pytest.raises(Conflict) as error:
        catalogue.update_item(session, CLI, foam, tracking="bulk", expiry_required=False)
    assert "tracking" in error.value.fields
    with pytest.raises(Conflict):
        catalogue.update_item(session, CLI, foam, sku="PE-SCBA-68")
    with pytest.raises(NotFound):
        catalogue.update_item(session, CLI, 999_999, min_level=1)
    assert session.get(Item, foam).min_level == 40


def test_locations_form_a_tree_with_materialised_paths(app, session):
    depot = make_depot(app)
    rack = session.get(Location, depot.rack)
    assert rack.path == f"/{depot.depot}/{depot.zone}/{depot.rack}/" and rack.depth == 2
    kit = locations.create_location(session, CLI, kind="kit", code="kit-eq-001", name="地震模块箱 1",
                                    parent_id=depot.bin_a)
    assert kit.code == "KIT-EQ-001" and kit.path.startswith(rack.path)


@pytest.mark.parametrize("fields, field", [
    ({"kind": "bin", "parent_id": "zone"}, "parent"),  # bins sit on racks
    ({"kind": "zone", "parent_id": None}, "parent"),
    ({"kind": "shelf"}, "kind"),
    ({"code": "T"}, "code"),  # taken by the depot
    ({"code": "with space"}, "code"),
    ({"parent_id": 999_999}, "parent_id"),
    ({"plan_x_m": 35.0}, "plan_x_m"),  # runs off the 40 m floor
    ({"plan_x_m": 5.0}, "plan_x_m"),  # overlaps zone T-A (0-12 m)
    ({"plan_width_m": None}, "plan_width_m"),  # half a rectangle
    ({"area_m2": -5}, "area_m2"),
    ({"area_m2": float("nan")}, "area_m2"),
])
def test_bad_zones_are_refused_naming_the_field(app, session, fields, field):
    depot = make_depot(app)
    data = {"kind": "zone", "parent_id": depot.depot, "code": "T-B", "name": "B区", "area_m2": 96,
            "category": "PE", "plan_x_m": 14.0, "plan_y_m": 0.0, "plan_width_m": 8.0, "plan_depth_m": 12.0,
            **fields}
    if data["parent_id"] == "zone":
        data["parent_id"] = depot.zone
    before = session.scalar(select(func.count()).select_from(Location))
    with pytest.raises((InvalidInput, Conflict)) as error:
        locations.create_location(session, CLI, **data)
    assert field in error.value.fields
    assert session.scalar(select(func.count()).select_from(Location)) == before


def test_a_zone_is_redrawn_and_recategorised_in_place(app, session):
    depot = make_depot(app)
    zone = locations.update_location(session, CLI, depot.zone, plan_x_m=20.0, plan_width_m=20.0,
                                     category="RE", name="救援器材区")
    assert (zone.plan_x_m, zone.plan_width_m, zone.category.code) == (20.0, 20.0, "RE")
    with pytest.raises(InvalidInput):
        locations.update_location(session, CLI, depot.zone, plan_width_m=30.0)
    with pytest.raises(InvalidInput):
        locations.update_location(session, CLI, depot.rack, plan_x_m=1.0, plan_y_m=1.0,
                                  plan_width_m=1.0, plan_depth_m=1.0)


def test_a_depot_floor_cannot_shrink_under_its_zones(app, session):
    depot = make_depot(app)
    with pytest.raises(InvalidInput) as error:
        locations.update_location(session, CLI, depot.depot, plan_width_m=10.0)
    assert "plan_width_m" in error.value.fields
    locations.update_location(session, CLI, depot.depot, plan_width_m=30.0, area_m2=750.0)
