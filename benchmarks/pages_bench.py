"""Time the list pages at scale: the box page, stock by expiry, the ledger (page 1 and page 500), the reserve.

The data is a SQLite file (copied to a temporary file first, so the original stays as it was) or a
database URL given with `--database`; without one, `benchmarks/generate.py` builds N times the
demo city (`--scale`, default 10) when it is there, else the demo is loaded and padded by plain SQL
(`pad`: the catalogue, lots and balances copied N times, net-zero move pairs up to about 100,000 N
ledger rows over five years). Each page and its API twin is fetched through the Flask test client,
signed in as a commander: 30 runs after a warm-up, min / p50 / p95 and SQL statements per request,
and "met" against the issue's target (p95 under 100 ms at N=10). `--smoke` is the CI version: the
demo at N=1, two runs, no verdicts.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from timing import p50, p95, timed  # noqa: E402

TARGET_MS = 100
RUNS = 30
DEEP_PAGE = 500
PER_PAGE = 50
EXPIRY_DAYS = 90
COUNTED = ("items", "stock_balances", "kits", "stock_movements", "partners", "agreements")

# Padding, until benchmarks/generate.py builds the data: copy n of the catalogue with its lots and
# its stock in storage, each balance also spread over seven more bins, and a receipt for each.
PAD_ITEMS = [
    """INSERT INTO items (sku, name_zh, name_en, category_id, unit, tracking, shelf_life_days,
                          expiry_required, min_level, inspection_interval_days, storage_temp, hazard_class,
                          spec, active, created_at, updated_at)
       SELECT sku || '.' || :n, name_zh || :n, name_en || ' ' || :n, category_id, unit, tracking,
              shelf_life_days, expiry_required, min_level, inspection_interval_days, storage_temp,
              hazard_class, spec, active, created_at, updated_at
       FROM items WHERE sku NOT GLOB '*.*'""",
    # Later copies expire a little later, so the expiry list is not n identical runs.
    """INSERT INTO lots (item_id, code, expires_on, received_on, next_inspection_on, supplier_ref, created_at)
       SELECT c.id, l.code, date(l.expires_on, '+' || (:n * 11) || ' days'), l.received_on,
              l.next_inspection_on, l.supplier_ref, l.created_at
       FROM lots l JOIN items i ON i.id = l.item_id JOIN items c ON c.sku = i.sku || '.' || :n""",
]
PAD_STOCK = """
    WITH bins AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM locations WHERE kind = 'bin'),
         spread(s) AS (VALUES (0), (1), (2), (3), (4), (5), (6), (7))
    INSERT OR IGNORE INTO stock_balances (item_id, lot_id, location_id, quantity, updated_at)
    SELECT c.id, cl.id, bins.id, b.quantity, b.updated_at
    FROM stock_balances b
    JOIN locations place ON place.id = b.location_id AND place.kind IN ('bin', 'rack', 'zone')
    JOIN items i ON i.id = b.item_id JOIN items c ON c.sku = i.sku || '.' || :n
    LEFT JOIN lots l ON l.id = b.lot_id LEFT JOIN lots cl ON cl.item_id = c.id AND cl.code = l.code
    JOIN spread
    JOIN bins ON bins.k = (b.id * 13 + spread.s * 47 + :n) % (SELECT count(*) FROM bins)
    WHERE b.quantity > 0 AND (b.lot_id IS NULL OR cl.id IS NOT NULL)
"""
PAD_RECEIPTS = """
    INSERT INTO stock_movements (at, actor_name, item_id, lot_id, quantity, to_location_id, reason, reference,
                                 note)
    SELECT b.updated_at, 'bench', b.item_id, b.lot_id, b.quantity, b.location_id, 'receive', '', ''
    FROM stock_balances b JOIN items i ON i.id = b.item_id
    WHERE i.sku GLOB '*.*' AND b.quantity > 0 ORDER BY b.updated_at
"""
# Pairs out to another bin and back an hour later: each leaves every balance as it was.
PAD_LEDGER = """
    WITH RECURSIVE
      source AS (SELECT row_number() OVER (ORDER BY b.id) - 1 AS k, b.item_id, b.lot_id, b.location_id,
                        min(b.quantity, 5) AS quantity
                 FROM stock_balances b JOIN locations l ON l.id = b.location_id
                 WHERE l.kind = 'bin' AND b.quantity > 0),
      bins AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM locations WHERE kind = 'bin'),
      counter(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM counter WHERE n + 1 < :pairs),
      pair AS (SELECT counter.n, source.item_id, source.lot_id, source.location_id AS home, bins.id AS away,
                      source.quantity,
                      datetime('now', '-5 years', '+' || CAST(counter.n * (157680000 / :pairs) AS INTEGER)
                               || ' seconds') AS at
               FROM counter
               JOIN source ON source.k = counter.n % (SELECT count(*) FROM source)
               JOIN bins ON bins.k = (counter.n * 7 + 3) % (SELECT count(*) FROM bins))
    INSERT INTO stock_movements (at, actor_name, item_id, lot_id, quantity, from_location_id, to_location_id,
                                 reason, reference, note)
    SELECT at, actor_name, item_id, lot_id, quantity, from_id, to_id, 'move', '', '' FROM (
      SELECT at || '.000000' AS at, 'bench' AS actor_name, item_id, lot_id, quantity, home AS from_id,
             away AS to_id FROM pair WHERE home <> away
      UNION ALL
      SELECT datetime(at, '+1 hour') || '.000000', 'bench', item_id, lot_id, quantity, away, home
      FROM pair WHERE home <> away)
    ORDER BY at
"""


def pad(url: str, scale: int) -> None:
    """Grow a demo database towards `scale` times the city by plain SQL (SQLite only)."""
    from readiness_bench import REPLICATE
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        for n in range(1, scale):
            for statement in REPLICATE:  # modules, templates, boxes with contents, partners
                conn.execute(text(statement), {"n": n})
            for statement in PAD_ITEMS:
                conn.execute(text(statement), {"n": n})
            conn.execute(text(PAD_STOCK), {"n": n})
        conn.execute(text(PAD_RECEIPTS))
        have = conn.scalar(text("SELECT count(*) FROM stock_movements"))
        pairs = max(0, (100_000 * scale - have) // 2)
        if pairs:
            conn.execute(text(PAD_LEDGER), {"pairs": pairs})
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def build(scale: int, folder: Path) -> str:
    """Return a database URL holding `scale` times the city: generate.py's, else the padded demo."""
    try:
        import generate
    except ImportError:
        generate = None
    if generate is not None:
        return generate.build(os.environ.get("BENCH_DATA") or str(folder / "generated.db"), scale)
    from readiness_bench import build_demo

    path = folder / "demo.db"
    build_demo(path)
    url = f"sqlite:///{path}"
    pad(url, scale)
    return url


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
    scale, runs = (1, 2) if args.smoke else (args.scale, args.runs)
    with tempfile.TemporaryDirectory() as folder:
        url = working_copy(args.database or build(scale, Path(folder)), Path(folder))
        rows, sizes = measure(url, runs, args.profile)
    print(f"\nPython {platform.python_version()}, {make_url(url).get_backend_name()}, "
          f"{runs} runs after a warm-up; " + ", ".join(f"{count:,} {name}" for name, count in sizes.items()))
    print("| page | min ms | p50 ms | p95 ms | SQL statements | p95 < 100 ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, path, low, median, high, statements in rows:
        verdict = "—" if args.smoke else ("met" if high < TARGET_MS else "not met")
        print(f"| {name} (`{path[:60]}`) | {low:.1f} | {median:.1f} | {high:.1f} | {statements} "
              f"| {verdict} |")


if __name__ == "__main__":
    main()
