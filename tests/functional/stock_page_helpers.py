"""Helpers of the stock, stocktake and report page tests: read tables, balances, the ledger."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

from sqlalchemy import select

from warehouse.extensions import db
from warehouse.models import Item, Location, Lot, StockBalance, StockMovement
from warehouse.services import ledger

LOCALES = {"zh": ("zh-CN,zh;q=0.9", 'lang="zh-CN"'), "en": ("en-GB,en;q=0.9", 'lang="en"')}


class _TableReader(HTMLParser):
    """Collect the body rows of the table with a given data-testid."""

    def __init__(self, testid: str) -> None:
        super().__init__(convert_charrefs=True)
        self.testid = testid
        self.depth = 0  # nesting of <table> inside the wanted table
        self.in_body = False
        self.rows: list[dict] = []
        self.row: dict | None = None
        self.cell: list[str] | None = None
        self.cell_name: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (self.depth or attrs.get("data-testid") == self.testid):
            self.depth += 1
        if not self.depth:
            return
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            data = {k.removeprefix("data-"): v for k, v in attrs.items() if k.startswith("data-")}
            self.row = {"attrs": data, "cells": [], "cols": {}, "class": attrs.get("class") or ""}
        elif tag == "td" and self.row is not None:
            self.cell = []
            self.cell_name = attrs.get("data-col")

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "td" and self.row is not None and self.cell is not None:
            text = " ".join("".join(self.cell).split())
            self.row["cells"].append(text)
            if self.cell_name:
                self.row["cols"][self.cell_name] = text
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.depth -= 1

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(response, testid: str) -> list[dict]:
    """Rows of a page's table: {"attrs": data-* of the row, "cells": texts, "cols": by data-col}.

    Placeholder rows ("nothing matches") have no data attributes and are left out.
    """
    reader = _TableReader(testid)
    reader.feed(response.get_data(as_text=True))
    return [row for row in reader.rows if row["attrs"]]


def has_table(response, testid: str) -> bool:
    return f'data-testid="{testid}"' in response.get_data(as_text=True)


def balance(app, sku: str, code: str, lot: str | None = None) -> int:
    """The cached quantity of an item (lot) at a location."""
    with app.app_context():
        stmt = (select(StockBalance.quantity).join(Item, Item.id == StockBalance.item_id)
                .join(Location, Location.id == StockBalance.location_id)
                .where(Item.sku == sku, Location.code == code))
        if lot is None:
            stmt = stmt.where(StockBalance.lot_id.is_(None))
        else:
            stmt = stmt.join(Lot, Lot.id == StockBalance.lot_id).where(Lot.code == lot)
        quantity = db.session.scalar(stmt) or 0
        db.session.remove()
    return quantity


def ledger_problems(app) -> list:
    """What `flask ledger check` would report."""
    with app.app_context():
        problems = ledger.check(db.session)
        db.session.remove()
    return problems


def movements(app) -> list[dict]:
    """Every ledger row, oldest first, as plain values."""
    with app.app_context():
        rows = db.session.execute(
            select(StockMovement.reason, Item.sku, Lot.code, StockMovement.quantity,
                   StockMovement.from_location_id, StockMovement.to_location_id,
                   StockMovement.reference, StockMovement.purpose)
            .join(Item, Item.id == StockMovement.item_id)
            .outerjoin(Lot, Lot.id == StockMovement.lot_id)
            .order_by(StockMovement.id)).all()
        db.session.remove()
    return [{"reason": r[0].value, "sku": r[1], "lot": r[2], "quantity": r[3], "from": r[4],
             "to": r[5], "reference": r[6], "purpose": r[7].value if r[7] else None} for r in rows]


def read_csv(response) -> list[list[str]]:
    """The rows of a CSV download (after the byte-order mark)."""
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def assert_csv_attachment(response, prefix: str) -> list[list[str]]:
    """Assert the response is a CSV attachment named after the list; return its rows."""
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{prefix}-') and disposition.endswith('.csv"')
    return read_csv(response)
