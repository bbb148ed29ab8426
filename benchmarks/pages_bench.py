"""Time the list pages at scale: the box page, stock by expiry, the ledger (page 1 and page 500), the reserve.

The data is `benchmarks/generate.py`'s build of N cities (`--scale`, default 10), or a SQLite file
or database URL given with `--database`; SQLite files are copied to a temporary file first, so the
original stays as it was. Each page and its API twin is fetched through the Flask test client,
signed in as a commander: 30 runs after a warm-up, min / p50 / p95 and SQL statements per request,
and "met" against the issue's target (p95 under 100 ms at N=10). `--smoke` is the CI version: the
plain demo, two runs, no verdicts.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from timing import emit, markdown, p50, p95, timed, verdict  # noqa: E402

TARGET_MS = 100
RUNS = 30
DEEP_PAGE = 500
PER_PAGE = 50
EXPIRY_DAYS = 90
COUNTED = ("items", "stock_balances", "kits", "stock_movements", "partners", "agreements")

def working_copy(database: str, folder: Path) -> str:
    """Return a URL to run against: a SQLite file is copied first (signing in writes)."""
    url = make_url(database if "://" in database else f"sqlite:///{Path(database).resolve()}")
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return url.render_as_string(hide_password=False)
    copy = folder / "pages.db"
    shutil.copy(url.database, copy)
    for suffix in ("-wal", "-shm"):
        if Path(url.database + suffix).exists():
            shutil.copy(url.database + suffix, str(copy) + suffix)
    return f"sqlite:///{copy}"


def pick(session) -> dict:
    """Choose the rows the pages show: a box of median size, a SKU partners supply, a category."""
    box = session.execute(text(
        """SELECT k.code FROM kits k JOIN stock_balances b ON b.location_id = k.location_id
           GROUP BY k.id ORDER BY count(*), k.code""")).scalars().all()
    sku = session.scalar(text(
        """SELECT i.sku FROM items i JOIN commitments c ON c.item_id = i.id
           GROUP BY i.id ORDER BY count(*) DESC, i.sku LIMIT 1""")) or session.scalar(
        text("SELECT sku FROM items ORDER BY id LIMIT 1"))
    category = session.scalar(text(
        """SELECT cat.code FROM categories cat JOIN items i ON i.category_id = cat.id
           GROUP BY cat.id ORDER BY count(*) DESC LIMIT 1"""))
    return {"box": box[len(box) // 2] if box else None, "sku": sku, "category": category}


def deep_cursor(session, page: int) -> str | None:
    """Return the ?after= cursor that opens the ledger's page `page`, if this tree has cursors."""
    try:
        from warehouse.queries.pagination import encode_cursor
    except ImportError:
        return None
    from sqlalchemy import select

    from warehouse.models import StockMovement

    last = session.execute(select(StockMovement.at, StockMovement.id)
                           .order_by(StockMovement.at.desc(), StockMovement.id.desc())
                           .offset((page - 1) * PER_PAGE - 1).limit(1)).first()
    return encode_cursor(last.at, last.id) if last else None


def pages(found: dict, cursor: str | None) -> list[tuple[str, str, str]]:
    """Return (name, URL, kind) of each timed request."""
    box, sku, category = found["box"], found["sku"], found["category"]
    listed = [
        ("box page", f"/kits/boxes/{box}", "page"),
        ("box API", f"/api/v1/kits/{box}", "api"),
        (f"stock expiring within {EXPIRY_DAYS} days",
         f"/stock?expiring_within_days={EXPIRY_DAYS}&sort=expires_on", "page"),
        ("stock API, same filter",
         f"/api/v1/stock?expiring_within_days={EXPIRY_DAYS}&sort=expires_on", "api"),
        ("movements page 1", "/movements", "page"),
        (f"movements ?page={DEEP_PAGE}", f"/movements?page={DEEP_PAGE}", "page"),
        ("movements API page 1", "/api/v1/movements", "api"),
        (f"movements API ?page={DEEP_PAGE}", f"/api/v1/movements?page={DEEP_PAGE}", "api"),
    ]
    if cursor:
        listed += [
            (f"movements page {DEEP_PAGE} by cursor", f"/movements?after={cursor}", "page"),
            (f"movements API page {DEEP_PAGE} by cursor", f"/api/v1/movements?after={cursor}", "api"),
        ]
    listed += [
        ("movements of one item", f"/movements?item={sku}", "page"),
        ("movements, reason=receive", "/movements?reason=receive", "page"),
        ("reachable reserve, item", f"/reserve/reachable?item={sku}&quantity=200&within_hours=6", "page"),
        ("reachable reserve, category", f"/reserve/reachable?category={category}", "page"),
        ("reachable reserve API, item", f"/api/v1/reserve/reachable?item={sku}&quantity=200&within_hours=6",
         "api"),
    ]
    return [row for row in listed if "None" not in row[1]]


def statement_times(engine, call) -> list[tuple[float, str]]:
    """Return each statement of one call with its time in ms, slowest first."""
    import time

    from sqlalchemy import event

    spans, started = [], {}

    def before(_conn, cursor, *_args):
        started[id(cursor)] = time.perf_counter()

    def after(_conn, cursor, statement, *_args):
        spans.append(((time.perf_counter() - started.pop(id(cursor))) * 1000, " ".join(statement.split())))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return sorted(spans, reverse=True)


def measure(url: str, runs: int, profile: bool = False) -> tuple[list[tuple], dict[str, int]]:
    """Time every page on the database at `url`."""
    from flask_migrate import upgrade
    from readiness_bench import signed_in

    from warehouse import create_app
    from warehouse.extensions import db

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ECHO=False)
    rows = []
    with app.app_context():
        # Indexes a newer tree adds (this tree's migrations) apply to the copy.
        upgrade(directory=str(ROOT / "migrations"))
        sizes = {name: db.session.scalar(text(f"SELECT count(*) FROM {name}")) for name in COUNTED}
        found = pick(db.session)
        cursor = deep_cursor(db.session, DEEP_PAGE)
        db.session.commit()
        client, headers = signed_in(app)
        for name, path, kind in pages(found, cursor):

            def call(path=path, kind=kind):
                response = client.get(path, headers=headers if kind == "api" else None)
                assert response.status_code == 200, (path, response.status_code)

            times, statements = timed(db.engine, call, runs)
            if profile:
                for ms, statement in statement_times(db.engine, call)[:3]:
                    print(f"    {ms:7.1f} ms  {statement[:300]}", file=sys.stderr)
            rows.append((name, path, times[0], p50(times), p95(times), statements))
            print(f"{name}: p50 {p50(times):.1f} ms, p95 {p95(times):.1f} ms", file=sys.stderr)
        db.session.remove()
        db.engine.dispose()
    return rows, sizes


def main() -> None:
    """Build or copy the data, time the pages, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="SQLite file or database URL to read (SQLite files are copied)")
    parser.add_argument("--scale", type=int, default=10, help="N times the city, built without --database")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--smoke", action="store_true", help="the demo at N=1, two runs, no verdicts (CI)")
    parser.add_argument("--profile", action="store_true", help="print each page's slowest statements")
    args = parser.parse_args()
    scale, runs = (0, 2) if args.smoke else (args.scale, args.runs)
    with tempfile.TemporaryDirectory() as folder:
        url = working_copy(args.database or str(generate.sqlite_file(scale)), Path(folder))
        rows, sizes = measure(url, runs, args.profile)
    table = [[f"{name} (`{path[:60]}`)", f"{low:.1f}", f"{median:.1f}", f"{high:.1f}", statements,
              "—" if args.smoke else verdict(high < TARGET_MS)]
             for name, path, low, median, high, statements in rows]
    data = args.database or f"N={scale}"
    emit("Lists and pages", f"Python {platform.python_version()}, {make_url(url).get_backend_name()}, "
         f"{data}, one client in process, {runs} runs after a warm-up; "
         + ", ".join(f"{count:,} {name}" for name, count in sizes.items()) + ".\n\n"
         + markdown(["page", "min ms", "p50 ms", "p95 ms", "SQL statements",
                     f"target (p95 < {TARGET_MS} ms)"], table))


if __name__ == "__main__":
    main()
