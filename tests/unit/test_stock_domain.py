"""Stock rules with plain values: quantities, codes, status, FEFO, variances, floor-plan geometry."""

from datetime import date, timedelta

import pytest

from warehouse.domain.errors import Conflict, InvalidInput
from warehouse.domain.stock import (
    Candidate,
    LocationKind,
    Rect,
    StockStatus,
    check_parent,
    check_zone_rect,
    default_expiry,
    fefo_order,
    fefo_picks,
    neutralise_cell,
    stock_status,
    validate_location_code,
    validate_lot_code,
    validate_quantity,
    validate_sku,
    variance,
)

TODAY = date(2026, 11, 28)


def candidate(balance_id, quantity, expires_in=None, kind=LocationKind.BIN, received_ago=100, lot=1):
    expires = None if expires_in is None else TODAY + timedelta(days=expires_in)
    return Candidate(balance_id, location_id=balance_id * 10, location_kind=kind, lot_id=lot,
                     expires_on=expires, received_on=TODAY - timedelta(days=received_ago),
                     quantity=quantity)


@pytest.mark.parametrize("value", [1, 7, 1_000_000_000])
def test_a_positive_whole_quantity_is_accepted(value):
    assert validate_quantity(value) == value


@pytest.mark.parametrize("value", [0, -1, 1.5, "3", True, None, 1_000_000_001])
def test_zero_negative_fractional_text_and_huge_quantities_are_refused(value):
    with pytest.raises(InvalidInput) as error:
        validate_quantity(value)
    assert "quantity" in error.value.fields


def test_sku_and_location_codes_are_upper_cased_and_checked():
    assert validate_sku(" ea-afff3 ") == "EA-AFFF3"
    assert validate_location_code("ly-a-r01") == "LY-A-R01"
    for bad in ("", "A", "EA AFFF", "EA/1", "-EA", "X" * 25):
        with pytest.raises(InvalidInput):
            validate_sku(bad)
    with pytest.raises(InvalidInput):
        validate_location_code("LY A")


def test_lot_codes_allow_manufacturer_punctuation():
    assert validate_lot_code("2026.03/A-1_b") == "2026.03/A-1_b"
    with pytest.raises(InvalidInput):
        validate_lot_code("lot 1")


@pytest.mark.parametrize("kind,parent,ok", [
    (LocationKind.DEPOT, None, True),
    (LocationKind.ZONE, LocationKind.DEPOT, True),
    (LocationKind.RACK, LocationKind.ZONE, True),
    (LocationKind.BIN, LocationKind.RACK, True),
    (LocationKind.KIT, LocationKind.BIN, True),
    (LocationKind.BIN, LocationKind.ZONE, False),
    (LocationKind.ZONE, None, False),
    (LocationKind.DEPOT, LocationKind.DEPOT, False),
])
def test_the_tree_only_nests_kinds_where_they_belong(kind, parent, ok):
    if ok:
        check_parent(kind, parent)
    else:
        with pytest.raises(InvalidInput):
            check_parent(kind, parent)


def test_default_expiry_follows_the_shelf_life():
    assert default_expiry(TODAY, 30) == TODAY + timedelta(days=30)
    assert default_expiry(TODAY, None) is None


def test_expired_wins_over_quarantine_and_today_is_still_usable():
    assert stock_status(TODAY - timedelta(days=1), LocationKind.QUARANTINE, TODAY) == StockStatus.EXPIRED
    assert stock_status(TODAY, LocationKind.BIN, TODAY) == StockStatus.AVAILABLE
    assert stock_status(None, LocationKind.QUARANTINE, TODAY) == StockStatus.QUARANTINED
    assert stock_status(None, LocationKind.DEPLOYED, TODAY) == StockStatus.DEPLOYED


def test_fefo_takes_the_first_expiry_first_and_no_expiry_last():
    order = fefo_order([candidate(1, 5, None), candidate(2, 5, 90), candidate(3, 5, 10)], TODAY)
    assert [c.balance_id for c in order] == [3, 2, 1]


def test_fefo_breaks_ties_by_oldest_receipt():
    order = fefo_order([candidate(1, 5, 30, received_ago=5), candidate(2, 5, 30, received_ago=50)], TODAY)
    assert [c.balance_id for c in order] == [2, 1]


def test_fefo_never_offers_expired_quarantined_deployed_or_kit_stock():
    candidates = [candidate(1, 5, -1), candidate(2, 5, 10, kind=LocationKind.QUARANTINE),
                  candidate(3, 5, 10, kind=LocationKind.DEPLOYED), candidate(4, 5, 10, kind=LocationKind.KIT),
                  candidate(5, 5, 100)]
    assert [c.balance_id for c in fefo_order(candidates, TODAY)] == [5]


def test_fefo_picks_split_across_balances_in_expiry_order():
    picks = fefo_picks([candidate(1, 4, 50), candidate(2, 3, 20)], 5, TODAY)
    assert [(p.candidate.balance_id, p.quantity) for p in picks] == [(2, 3), (1, 2)]


def test_fefo_refuses_more_than_is_usable_and_says_how_much_is():
    with pytest.raises(Conflict) as error:
        fefo_picks([candidate(1, 4, 50), candidate(2, 9, -3)], 5, TODAY)
    assert "only 4 available" in error.value.message
    assert error.value.fields == {"quantity": ["only 4 available"]}


def test_variance_is_counted_minus_expected_and_counts_are_whole_and_not_negative():
    assert variance(7, 10) == -3
    assert variance(12, 10) == 2
    for bad in (-1, 1.5, None, True):
        with pytest.raises(InvalidInput):
            variance(bad, 0)


def test_rectangles_overlap_only_when_they_share_area():
    a = Rect(0, 0, 10, 10)
    assert a.overlaps(Rect(5, 5, 10, 10))
    assert not a.overlaps(Rect(10, 0, 5, 5))  # touching edges
    assert a.inside(40, 25) and not Rect(35, 0, 10, 5).inside(40, 25)
    assert a.area == 100


def test_a_zone_must_fit_the_floor_and_clear_the_other_zones():
    check_zone_rect(Rect(0, 0, 10, 10), 40, 25, [("B", Rect(10, 0, 10, 10))])
    with pytest.raises(InvalidInput) as off_floor:
        check_zone_rect(Rect(35, 0, 10, 10), 40, 25, [])
    assert "outside" in off_floor.value.message
    with pytest.raises(InvalidInput) as overlapping:
        check_zone_rect(Rect(5, 5, 10, 10), 40, 25, [("LY-B", Rect(0, 0, 10, 10))])
    assert "LY-B" in overlapping.value.message
    with pytest.raises(InvalidInput):
        check_zone_rect(Rect(0, 0, 0, 10), 40, 25, [])


@pytest.mark.parametrize("value,expected", [
    ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    ("泡沫", "泡沫"), (5, 5), (-5, -5), ("", ""),
])
def test_csv_cells_that_look_like_formulas_are_neutralised(value, expected):
    assert neutralise_cell(value) == expected
