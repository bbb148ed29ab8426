"""One page of a SELECT: by number with the total counted in SQL, or from a cursor (keyset)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from warehouse.routing import MAX_ID


@dataclass(frozen=True)
class Page:
    """A page of rows and where it sits in the whole list."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def as_dict(self) -> dict:
        return {"items": self.items, "page": self.page, "per_page": self.per_page,
                "total": self.total, "pages": self.pages}


def paginate(session: Session, stmt: Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    """Run one page of the statement and count all of its rows."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(rows.scalars() if scalars else rows)
    return Page(items=items, page=page, per_page=per_page, total=total or 0)


# --- keyset pagination ---------------------------------------------------------------------------
# Deep pages of a long, ordered list (the ledger) are found from a cursor on the sort keys: the
# database seeks to it in the index instead of reading and dropping every row before it (OFFSET),
# and the total is counted only up to a cap, because counting a million rows costs seconds.

COUNT_CAP = 10_000


class BadCursor(ValueError):
    """A cursor that this list did not hand out."""


def encode_cursor(at: datetime, row_id: int) -> str:
    """Return an opaque cursor for a row keyed by (moment, id)."""
    raw = f"{at.astimezone(UTC).strftime('%Y%m%dT%H%M%S.%f')}.{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Return the (moment, id) a cursor holds, or raise BadCursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        moment, _, row_id = raw.rpartition(".")
        at = datetime.strptime(moment, "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
        number = int(row_id)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadCursor(str(error)) from None
    if not 0 < number <= MAX_ID or not row_id.isdigit():
        raise BadCursor("row id out of range")
    return at, number


@dataclass(frozen=True)
class KeysetPage:
    """Rows after (or before) a cursor, with cursors to the neighbouring pages.

    `total` is exact up to COUNT_CAP; `more` says there are more rows than that. `page` is the
    page number when the page was opened by number (?page=), else None.
    """

    items: list[Any]
    per_page: int
    total: int
    more: bool
    newer: str | None
    older: str | None
    page: int | None = None

    def as_dict(self) -> dict:
        return {"items": self.items, "per_page": self.per_page, "total": self.total, "more": self.more,
                "newer": self.newer, "older": self.older, "page": self.page}


def _after(at_column, id_column, at: datetime, row_id: int, descending: bool):
    """SQL for "comes after (at, id)" in the list's order; the first term is an index range."""
    if descending:
        return and_(at_column <= at, or_(at_column < at, id_column < row_id))
    return and_(at_column >= at, or_(at_column > at, id_column > row_id))


def keyset_page(session: Session, stmt: Select, keys: Select, *, at_column, id_column,
                descending: bool = True, per_page: int = 50, after: str | None = None,
                before: str | None = None, page: int | None = None) -> KeysetPage:
    """Run one page of `stmt` (ordered by at, id) from a cursor, or from a page number.

    `keys` is the same list's (at, id) with its filters and no joins: a narrow statement that
    the page number and the count run on, so they read the index rather than the rows.
    Raises BadCursor for a cursor this list did not hand out.
    """
    order = (at_column.desc(), id_column.desc()) if descending else (at_column, id_column)
    backwards = (at_column, id_column) if descending else (at_column.desc(), id_column.desc())
    mark, reverse = None, False
    if before:
        mark, reverse = decode_cursor(before), True
    elif after:
        mark = decode_cursor(after)
    elif page and page > 1:
        # The row just before the page, found on the narrow index: a deep page reads no rows.
        found = session.execute(keys.order_by(*order).offset((page - 1) * per_page - 1).limit(1)).first()
        if found is None:
            return KeysetPage([], per_page, *_count(session, keys), newer=None, older=None, page=page)
        mark = (found[0], found[1])
    query = stmt.order_by(None)
    if mark is not None:
        query = query.where(_after(at_column, id_column, *mark, descending=descending != reverse))
    rows = list(session.execute(query.order_by(*(backwards if reverse else order)).limit(per_page + 1)))
    beyond = len(rows) > per_page
    rows = rows[:per_page]
    if reverse:
        rows.reverse()
    older_exists = beyond if not reverse else True
    newer_exists = (beyond if reverse else mark is not None)
    total, more = _count(session, keys)
    return KeysetPage(
        rows, per_page, total, more,
        newer=encode_cursor(rows[0].at, rows[0].id) if rows and newer_exists else None,
        older=encode_cursor(rows[-1].at, rows[-1].id) if rows and older_exists else None,
        page=None if (after or before) else (page or 1))


def _count(session: Session, keys: Select) -> tuple[int, bool]:
    """Count the list's rows up to COUNT_CAP; tell whether there are more."""
    counted = session.scalar(select(func.count()).select_from(keys.order_by(None).limit(COUNT_CAP + 1)
                                                              .subquery())) or 0
    return min(counted, COUNT_CAP), counted > COUNT_CAP
