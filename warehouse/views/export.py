"""CSV downloads of list pages: every matching row, with formula-looking cells neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from flask import Response

from warehouse.domain.stock import neutralise_cell
from warehouse.models.base import utcnow
from warehouse.timezone import depot_zone

# A spreadsheet opens UTF-8 CSV with Chinese text correctly only with a byte-order mark.
BOM = "\ufeff"
MAX_ROWS = 100_000


def wants_csv(args) -> bool:
    """Tell whether the request asks for the CSV download (?format=csv)."""
    return args.get("format") == "csv"


def csv_response(name: str, columns: Sequence[tuple[str, Callable[[object], object]]],
                 rows: Iterable) -> Response:
    """Return rows as a CSV attachment: columns are (header, getter) pairs."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow([neutralise_cell(str(header)) for header, _ in columns])
    for count, row in enumerate(rows):
        if count >= MAX_ROWS:
            break
        writer.writerow([neutralise_cell(_cell(get(row))) for _, get in columns])
    stamp = utcnow().astimezone(depot_zone()).strftime("%Y%m%d-%H%M")
    return Response(buffer.getvalue(), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"',
        "Cache-Control": "no-store",
    })


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if hasattr(value, "value") else value


def labels_pdf_response(job, kind: str) -> Response:
    """Return a print job's PDF as an attachment named for what it holds and the day."""
    name = f"labels-{kind}-{job.format.code}-{utcnow().astimezone(depot_zone()):%Y%m%d}.pdf"
    return Response(job.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
        "X-Label-Count": str(job.count),
        "X-Page-Count": str(job.pages),
    })
