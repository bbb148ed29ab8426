"""Time readiness by module as the reserve grows: one city (N=1) and ten (N=10).

Each size is built once by `benchmarks/generate.py` (the demo grown by `flask demo load --scale`,
cached) and copied. Then `queries.readiness.readiness()` and the other dashboard reads are timed,
and with `--http` GET /api/v1/readiness and GET /readiness/ through the Flask test client, signed
in as a commander. 30 runs after a warm-up: min, p50, p95 and SQL statements per call; the last
column is the p50 ratio to the smallest size (target: at most 3x from N=1 to N=10, p95 under
150 ms at N=10, statements the same at every size). `--profile` prints each statement's time in
one readiness() call at the largest size, slowest first. `--smoke`: the plain demo, 2 runs.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import generate  # noqa: E402
from sqlalchemy import event, select, text  # noqa: E402
from timing import emit, markdown, p50, p95, timed, verdict  # noqa: E402

from tests.postgres import Cluster  # noqa: E402
from warehouse import create_app  # noqa: E402
from warehouse.extensions import db  # noqa: E402
from warehouse.models import User  # noqa: E402
from warehouse.queries.readiness import agreement_counts, expiry_summary, history, plan_checks, readiness  # noqa: E402
from warehouse.services import accounts  # noqa: E402
from warehouse.timezone import today  # noqa: E402

SCALES = (1, 10)
RUNS = 30
P95_TARGET_MS = 150
GROWTH_TARGET = 3
TARGETED = ("GET /api/v1/readiness", "GET /readiness/")
ROUTES = (("GET /api/v1/readiness", "/api/v1/readiness", "api"),
          ("GET /readiness/", "/readiness/", "page"))

COUNTED = ("modules", "kits", "kit_template_lines", "stock_balances", "stock_movements", "agreements")


@contextmanager
def throwaway_postgresql():
    """Start a private PostgreSQL server for the run (as the tests do) and remove it after."""
    cluster = Cluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


def make_app(url: str):
    # Development settings (no HTTPS-only cookie) on a database of its own; SQL logging stays off.
    return create_app("development", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ECHO=False)


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


def measure(scale: int, url: str, http: bool, show_profile: bool,
            runs: int) -> tuple[list[tuple], dict[str, int]]:
    """Time the readiness reads (and the routes with `http`) on one size's database."""
    app = make_app(url)
    rows = []
    with app.app_context():
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
            times, statements = timed(db.engine, call, runs)
            rows.append((name, scale, times[0], p50(times), p95(times), statements))
        if show_profile:
            profile()
        db.session.remove()
        db.engine.dispose()
    return rows, sizes


def main() -> None:
    """Measure each size on a copy of its build and print a Markdown table with the targets."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=list(SCALES))
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--http", action="store_true", help="also time GET /api/v1/readiness and /readiness/")
    parser.add_argument("--profile", action="store_true", help="print statement times at the largest size")
    parser.add_argument("--smoke", action="store_true", help="the plain demo only, 2 runs (CI)")
    parser.add_argument("--postgresql", action="store_true",
                        help="build each size in a throwaway PostgreSQL instead of SQLite files")
    args = parser.parse_args()
    if args.smoke:
        args.scales, args.runs = [0], 2
    rows, sizes = [], {}
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        cluster = stack.enter_context(throwaway_postgresql()) if args.postgresql else None
        for scale in args.scales:
            if cluster:
                cluster.execute(f"CREATE DATABASE readiness_{scale}")
                url = cluster.url(f"readiness_{scale}")
                generate.populate(url, scale)
            else:
                url = f"sqlite:///{generate.sqlite_copy(scale, Path(folder))}"
            found, sizes[scale] = measure(scale, url, args.http, args.profile and scale == max(args.scales),
                                          args.runs)
            rows.extend(found)
    smallest, largest = min(args.scales), max(args.scales)
    base = {name: (median, statements) for name, scale, _lo, median, _high, statements in rows
            if scale == smallest}
    table = []
    for name, scale, low, median, high, statements in rows:
        ratio = median / base[name][0] if base[name][0] else 0
        target = ""
        if scale == largest and scale != smallest and name in TARGETED:
            target = verdict(high < P95_TARGET_MS and ratio <= GROWTH_TARGET and statements == base[name][1])
        table.append([name, f"N={scale}", f"{low:.1f}", f"{median:.1f}", f"{high:.1f}", statements,
                      f"{ratio:.2f}", target])
    sizes_text = "\n".join(
        f"- N={scale}: " + ", ".join(f"{count:,} {name}" for name, count in sizes[scale].items())
        for scale in args.scales)
    engine = "PostgreSQL" if args.postgresql else "SQLite file"
    emit(f"Readiness ({engine})", f"Python {platform.python_version()}, {engine}, {args.runs} runs after "
                      f"a warm-up, one client in process.\n\n{sizes_text}\n\n"
                      + markdown(["call", "size", "min ms", "p50 ms", "p95 ms", "SQL statements",
                                  f"p50 vs N={smallest}", f"target (p95 < {P95_TARGET_MS} ms, "
                                  f"growth ≤ {GROWTH_TARGET}x, same statements)"], table))


if __name__ == "__main__":
    main()
