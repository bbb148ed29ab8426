"""Time readiness by module as the reserve grows: the demo (1x) and ten times its boxes (10x).

The demo is loaded once (`flask demo load`) into a SQLite file and copied; the 10x copy gets nine
more sets of the demo's modules, box templates (with their lines and substitutes), boxes (with
their places and contents), partners (with agreements, commitments and stockpiles) and snapshot
history, by INSERT ... SELECT under new codes. Then `queries.readiness.readiness()` and the other
dashboard reads are timed, and with `--http` GET /api/v1/readiness and GET /readiness/ through
the Flask test client (routes this tree does not serve are reported and skipped). 30 runs after
a warm-up: min, p50, p95 and SQL statements per call; the last column is the 10x/1x p50 ratio.
`--profile` prints each statement's time in one 10x readiness() call, slowest first.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select, text  # noqa: E402
from timing import p50, p95, timed  # noqa: E402

from warehouse import create_app, demo  # noqa: E402
from warehouse.extensions import db  # noqa: E402
from warehouse.models import User  # noqa: E402
from warehouse.queries.readiness import agreement_counts, expiry_summary, history, plan_checks, readiness  # noqa: E402
from warehouse.services import accounts  # noqa: E402
from warehouse.timezone import today  # noqa: E402

SCALES = (1, 10)
RUNS = 30
ROUTES = (("GET /api/v1/readiness", "/api/v1/readiness", "api"),
          ("GET /readiness/", "/readiness/", "page"))

# One copy n of the demo's reserve: each statement maps old rows to new by their suffixed codes.
REPLICATE = [
    """INSERT INTO modules (code, name_zh, name_en, description, position, active)
       SELECT code || :n, name_zh || :n, name_en || ' ' || :n, description, position + 100 * :n, active
       FROM modules WHERE code NOT GLOB '*[0-9]'""",
    """INSERT INTO kit_templates (code, name_zh, name_en, category_id, box_type, width_m, depth_m, weight_kg,
                                  description, active, created_at)
       SELECT code || '-' || :n, name_zh || :n, name_en || ' ' || :n, category_id, box_type, width_m, depth_m,
              weight_kg, description, active, created_at
       FROM kit_templates WHERE code NOT LIKE '%-_'""",
    """INSERT INTO kit_template_lines (template_id, item_id, par_quantity, min_shelf_days, optional, position,
                                        note)
       SELECT c.id, l.item_id, l.par_quantity, l.min_shelf_days, l.optional, l.position, l.note
       FROM kit_template_lines l JOIN kit_templates t ON t.id = l.template_id
       JOIN kit_templates c ON c.code = t.code || '-' || :n""",
    """INSERT INTO kit_line_substitutes (line_id, item_id)
       SELECT cl.id, s.item_id FROM kit_line_substitutes s
       JOIN kit_template_lines l ON l.id = s.line_id JOIN kit_templates t ON t.id = l.template_id
       JOIN kit_templates c ON c.code = t.code || '-' || :n
       JOIN kit_template_lines cl ON cl.template_id = c.id AND cl.item_id = l.item_id""",
    """INSERT INTO module_requirements (module_id, template_id, boxes_required)
       SELECT cm.id, ct.id, r.boxes_required FROM module_requirements r
       JOIN modules m ON m.id = r.module_id JOIN modules cm ON cm.code = m.code || :n
       JOIN kit_templates t ON t.id = r.template_id JOIN kit_templates ct ON ct.code = t.code || '-' || :n""",
    # Each box is a place of its own (its contents' location), under where the original stands.
    """INSERT INTO locations (code, name, kind, parent_id, path, category_id, footprint_m2, active)
       SELECT l.code || '-' || :n, l.name, l.kind, l.parent_id, '', l.category_id, l.footprint_m2, l.active
       FROM kits k JOIN locations l ON l.id = k.location_id WHERE k.code NOT LIKE '%-_'""",
    """UPDATE locations SET path = (SELECT p.path FROM locations p WHERE p.id = locations.parent_id)
                                   || locations.id || '/' WHERE path = ''""",
    """INSERT INTO kits (code, template_id, module_id, location_id, home_location_id, status,
                         status_changed_at, note, created_at)
       SELECT k.code || '-' || :n, ct.id, cm.id, cl.id, k.home_location_id, k.status, k.status_changed_at,
              k.note, k.created_at
       FROM kits k JOIN kit_templates t ON t.id = k.template_id
       JOIN kit_templates ct ON ct.code = t.code || '-' || :n
       JOIN modules m ON m.id = k.module_id JOIN modules cm ON cm.code = m.code || :n
       JOIN locations l ON l.id = k.location_id JOIN locations cl ON cl.code = l.code || '-' || :n
       WHERE k.code NOT LIKE '%-_'""",
    """INSERT INTO stock_balances (item_id, lot_id, location_id, quantity, updated_at)
       SELECT b.item_id, b.lot_id, cl.id, b.quantity, b.updated_at FROM stock_balances b
       JOIN kits k ON k.location_id = b.location_id JOIN locations l ON l.id = k.location_id
       JOIN locations cl ON cl.code = l.code || '-' || :n WHERE k.code NOT LIKE '%-_'""",
    """INSERT INTO readiness_snapshots (day, module_id, required, ready, short, deployed, restocking, percent,
                                        taken_at)
       SELECT s.day, cm.id, s.required, s.ready, s.short, s.deployed, s.restocking, s.percent, s.taken_at
       FROM readiness_snapshots s JOIN modules m ON m.id = s.module_id
       JOIN modules cm ON cm.code = m.code || :n""",
    """INSERT INTO partners (name, name_en, kind, district_id, address, note, active, created_at, updated_at)
       SELECT name || ' ' || :n, name_en || ' ' || :n, kind, district_id, address, note, active, created_at,
              updated_at
       FROM partners WHERE name NOT GLOB '* [0-9]'""",
    """INSERT INTO agreements (number, partner_id, title, signed_on, valid_from, valid_to, response_hours,
                               status, note, created_at, updated_at)
       SELECT a.number || '-' || :n, cp.id, a.title, a.signed_on, a.valid_from, a.valid_to, a.response_hours,
              a.status, a.note, a.created_at, a.updated_at
       FROM agreements a JOIN partners p ON p.id = a.partner_id
       JOIN partners cp ON cp.name = p.name || ' ' || :n""",
    """INSERT INTO commitments (agreement_id, item_id, category_id, description, quantity, unit, period, note,
                                position)
       SELECT ca.id, c.item_id, c.category_id, c.description, c.quantity, c.unit, c.period, c.note, c.position
       FROM commitments c JOIN agreements a ON a.id = c.agreement_id
       JOIN agreements ca ON ca.number = a.number || '-' || :n""",
    """INSERT INTO stockpile_lines (partner_id, item_id, quantity, location, as_of, note)
       SELECT cp.id, s.item_id, s.quantity, s.location, s.as_of, s.note FROM stockpile_lines s
       JOIN partners p ON p.id = s.partner_id JOIN partners cp ON cp.name = p.name || ' ' || :n""",
]
COUNTED = ("modules", "kits", "kit_template_lines", "stock_balances", "agreements")


def make_app(path: Path):
    # Development settings (no HTTPS-only cookie) on a file of its own; SQL logging stays off.
    return create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", SQLALCHEMY_ECHO=False)


def build_demo(path: Path) -> None:
    """Migrate a fresh SQLite file and load the demo into it."""
    app = make_app(path)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        demo.load(db.session)
        db.session.remove()
        db.engine.dispose()


def replicate(scale: int) -> None:
    """Add scale - 1 copies of the demo's modules, boxes and partners under new codes."""
    for n in range(1, scale):
        for statement in REPLICATE:
            db.session.execute(text(statement), {"n": n})
    db.session.commit()


def profile() -> None:
    """Print each statement of one readiness() call with its time, slowest first."""
    spans, started = [], {}

    def before(_conn, cursor, statement, *_args):
        started[id(cursor)] = time.perf_counter()

    def after(_conn, cursor, statement, *_args):
        spans.append(((time.perf_counter() - started.pop(id(cursor))) * 1000, statement))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        readiness(db.session, today())
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    total = sum(ms for ms, _ in spans)
    print(f"\nreadiness() statements at this size, slowest first ({total:.1f} ms in SQL):")
    for ms, statement in sorted(spans, key=lambda span: -span[0]):
        print(f"  {ms:7.1f} ms  {' '.join(statement.split())[:160]}")


def signed_in(app):
    """A test client with a commander's session cookie, and bearer headers for the API."""
    caller = accounts.Caller(None, "bench")
    user = accounts.create_user(db.session, caller, username="bench-commander", role="commander",
                                password="benchmark-password-2026", display_name="Commander")
    _token, secret = accounts.issue_token(db.session, caller, user.id, name="bench", days=1)
    session_key = db.session.scalar(select(User.session_key).where(User.id == user.id))
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = session_key, True
    return client, {"Authorization": f"Bearer {secret}"}


def measure(scale: int, path: Path, http: bool, show_profile: bool) -> tuple[list[tuple], dict[str, int]]:
    """Build one size and time the readiness reads (and the routes with `http`)."""
    app = make_app(path)
    rows = []
    with app.app_context():
        replicate(scale)
        sizes = {name: db.session.scalar(text(f"SELECT COUNT(*) FROM {name}")) for name in COUNTED}
        on = today()
        calls = [
            ("readiness()", lambda: readiness(db.session, on)),
            ("readiness() without sources", lambda: readiness(db.session, on, with_sources=False)),
            ("plan_checks()", lambda: plan_checks(db.session, on)),
            ("agreement_counts() + expiry_summary() + history()",
             lambda: (agreement_counts(db.session, on), expiry_summary(db.session, on),
                      history(db.session, on))),
        ]
        if http:
            client, headers = signed_in(app)
            served = {rule.rule for rule in app.url_map.iter_rules()}
            for name, url, kind in ROUTES:
                if url not in served:
                    print(f"{name}: not served in this tree, skipped", file=sys.stderr)
                    continue

                def call(url=url, kind=kind):
                    response = client.get(url, headers=headers if kind == "api" else None)
                    assert response.status_code == 200, (url, response.status_code)

                calls.append((name, call))
        for name, call in calls:
            times, statements = timed(db.engine, call, RUNS)
            rows.append((name, scale, times[0], p50(times), p95(times), statements))
        if show_profile and scale == max(SCALES):
            profile()
        db.session.remove()
        db.engine.dispose()
    return rows, sizes


def main() -> None:
    """Build the demo once, measure each size on a copy, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=list(SCALES))
    parser.add_argument("--http", action="store_true", help="also time GET /api/v1/readiness and /readiness/")
    parser.add_argument("--profile", action="store_true", help="print statement times of one 10x readiness()")
    args = parser.parse_args()
    rows, sizes = [], {}
    with tempfile.TemporaryDirectory() as folder:
        demo_file = Path(folder) / "demo.db"
        build_demo(demo_file)
        for scale in args.scales:
            copy = Path(folder) / f"readiness-{scale}.db"
            shutil.copy(demo_file, copy)
            found, sizes[scale] = measure(scale, copy, args.http, args.profile)
            rows.extend(found)
    print(f"\nPython {platform.python_version()}, SQLite file, {RUNS} runs after a warm-up")
    for scale in args.scales:
        print(f"{scale}x: " + ", ".join(f"{count:,} {name}" for name, count in sizes[scale].items()))
    base = {name: median for name, scale, _lo, median, _high, _q in rows if scale == min(args.scales)}
    print("| call | size | min ms | p50 ms | p95 ms | SQL statements | p50 vs 1x |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, scale, low, median, high, statements in rows:
        ratio = median / base[name] if base.get(name) else 0
        print(f"| {name} | {scale}x | {low:.1f} | {median:.1f} | {high:.1f} | {statements} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
