"""Paging through the ledger from cursors: every row once, in order, filters kept, on both engines."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.builders import make_depot, make_item
from warehouse.domain.stock import Reason
from warehouse.models import StockMovement
from warehouse.queries.pagination import BadCursor, decode_cursor, encode_cursor
from warehouse.queries.stock import movement_page

START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def ledger(app, session):
    """23 movements, several sharing a moment (ties broken by id), alternating two reasons."""
    depot = make_depot(app)
    item = make_item(app, "FOAM-1", tracking="bulk", expiry_required=False)
    for n in range(23):
        session.add(StockMovement(at=START + timedelta(minutes=n // 3), actor_name="test", item_id=item,
                                  quantity=1, to_location_id=depot.bin_a,
                                  reason=Reason.RECEIVE if n % 2 else Reason.ADJUST, reference="", note=""))
    session.commit()
    return item


def walk(session, direction: str = "after", **filters) -> list[list[int]]:
    """Follow the older (or, from the end, newer) links from the first page; return each page's ids."""
    page = movement_page(session, per_page=4, **filters)
    pages = [[row.id for row in page.items]]
    while page.older:
        page = movement_page(session, per_page=4, after=page.older, **filters)
        pages.append([row.id for row in page.items])
    if direction == "before":
        pages = [pages[-1]]
        while page.newer:
            page = movement_page(session, per_page=4, before=page.newer, **filters)
            pages.insert(0, [row.id for row in page.items])
    return pages


def ordered_ids(session, descending=True, reason=None) -> list[int]:
    rows = [m for m in session.query(StockMovement) if reason is None or m.reason == reason]
    return [m.id for m in sorted(rows, key=lambda m: (m.at, m.id), reverse=descending)]


def test_older_links_visit_every_row_once_newest_first_ties_by_id(session, ledger):
    pages = walk(session)
    assert [row for page in pages for row in page] == ordered_ids(session)
    assert [len(page) for page in pages] == [4, 4, 4, 4, 4, 3]


def test_newer_links_walk_back_over_the_same_pages(session, ledger):
    assert walk(session, "before") == walk(session)


def test_oldest_first_pages_too(session, ledger):
    pages = walk(session, sort="at")
    assert [row for page in pages for row in page] == ordered_ids(session, descending=False)


def test_filters_hold_across_pages(session, ledger):
    pages = walk(session, reason="receive")
    assert [row for page in pages for row in page] == ordered_ids(session, reason=Reason.RECEIVE)


def test_a_page_by_number_is_the_offset_page_and_links_on(session, ledger):
    everything = ordered_ids(session)
    third = movement_page(session, page=3, per_page=4)
    assert [row.id for row in third.items] == everything[8:12]
    assert third.page == 3 and third.newer and third.older
    after = movement_page(session, per_page=4, after=third.older)
    assert [row.id for row in after.items] == everything[12:16]
    assert movement_page(session, page=99, per_page=4).items == []


def test_first_and_last_pages_have_no_link_beyond_them(session, ledger):
    first = movement_page(session, per_page=4)
    assert first.newer is None and first.older and first.total == 23 and not first.more
    everything = walk(session)
    before_last = session.get(StockMovement, everything[-2][-1])
    last = movement_page(session, per_page=4, after=encode_cursor(before_last.at, before_last.id))
    assert last.older is None and [row.id for row in last.items] == everything[-1]


def test_the_count_stops_at_the_cap(session, ledger, monkeypatch):
    from warehouse.queries import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    page = movement_page(session, per_page=4)
    assert (page.total, page.more) == (10, True)


@pytest.mark.parametrize("cursor", ["", "abc", "!!!", encode_cursor(START, 1)[:-3] + "zzz",
                                    "MjAyNTAzMDFUMDgwMDAwLjAwMDAwMC4w",  # row id 0
                                    "bm90IGEgY3Vyc29y"])
def test_a_cursor_not_handed_out_is_refused(cursor):
    with pytest.raises(BadCursor):
        decode_cursor(cursor)


def test_a_cursor_keeps_the_moment_to_the_microsecond():
    moment = datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)
    assert decode_cursor(encode_cursor(moment, 42)) == (moment, 42)
