"""Time scans through gunicorn with wrk, beside a bare Flask endpoint and a SELECT + INSERT floor.

One gunicorn (2 sync workers, as production) serves, on one database, three endpoints
(benchmarks/wrk_wsgi.py): `GET /bare/ok` (Flask alone), `POST /floor/scans` (one indexed SELECT of
the box by code and one INSERT, in one write transaction, with the product's engine settings) and
the product's `POST /api/v1/scans`. wrk (`-t2 --timeout 30s --latency`, scan_wrk.lua) loads each
in turn at 8 and 32 connections after a warm-up, the three interleaved so that drift hits them
alike; the scans are check-out then check-in cycles of ready boxes to one open drill by label URL,
by logistics users' bearer tokens, with a fresh idempotency key per request. Between runs the
scanned boxes are checked in and pass inspection, outside the timed part. The table gives
requests/s, p50 and p99 per endpoint, the non-2xx answers (a correct run has none), and the
issue's ratios: scan ÷ floor throughput (target ≥ 50 %), scan p99 ÷ floor p99 (target ≤ 2x) and
scan ÷ bare.

Data: a generated SQLite file (`--database`, copied first: the file is never written), or, by
default, the boxes of scan_bench.py built once and cached under $BENCH_DATA. `--synchronous FULL
NORMAL` serves each SQLite sync level in turn (the product's default stays FULL);
`--postgresql` loads the same data into a throwaway PostgreSQL (commits synced) and serves that.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from benchmarks import generate  # noqa: E402
from benchmarks.databases import copy_sqlite, load_postgresql, postgresql, sqlite_path  # noqa: E402
from benchmarks.scan_bench import CLI, build, gunicorn  # noqa: E402
from benchmarks.timing import emit  # noqa: E402
from benchmarks.wrk_wsgi import BARE_PATH, FLOOR_LOG, FLOOR_PATH, SCAN_PATH  # noqa: E402
from warehouse import create_app  # noqa: E402
from warehouse.domain.kits import KitStatus  # noqa: E402
from warehouse.extensions import db  # noqa: E402
from warehouse.models import Kit  # noqa: E402
from warehouse.models.base import utcnow  # noqa: E402
from warehouse.queries.kits import kit_totals  # noqa: E402
from warehouse.services import accounts, deployments, kits, ledger  # noqa: E402
from warehouse.timezone import today  # noqa: E402

LUA = Path(__file__).with_name("scan_wrk.lua")
THREADS = 2  # wrk threads; the two cores are shared with the server anyway
WORKERS = 2
CONNECTIONS = (8, 32)
DURATION = 10
REPEATS = 3
WARM_UP = 3
OWN_BOXES = 600  # without --database: boxes built (once, then cached) for the scans
SMOKE_BOXES = 48
USERS = 8
MODES = ("bare", "floor", "scan")
LABELS = {"bare": f"bare Flask `GET {BARE_PATH}`",
          "floor": f"floor `POST {FLOOR_PATH}` (SELECT + INSERT)",
          "scan": f"scan `POST {SCAN_PATH}` (out + in)"}
SCAN_SHARE_TARGET = 0.5
SCAN_P99_TARGET = 2.0
BENCH_DATA = Path(os.environ.get("BENCH_DATA", "/tmp/warehouse-bench"))


@dataclass(frozen=True)
class Pool:
    """What the scans use: ready boxes, the drill they go out with, and logistics users' tokens."""

    boxes: list[str]
    deployment_id: int
    tokens: list[str]


@dataclass(frozen=True)
class Measure:
    """One wrk run of one endpoint: what it answered, how fast, and what went wrong."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    socket_errors: int
    exhausted: bool
    first_failure: str

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def own_data(boxes: int) -> Path:
    """Return a SQLite file with scan_bench.py's depot of `boxes` boxes, built once per migration set."""
    migrations = hashlib.sha256()
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        migrations.update(path.read_bytes())
    cached = BENCH_DATA / f"scan-wrk-{boxes}-{migrations.hexdigest()[:10]}.db"
    if cached.exists():
        return cached
    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    building = cached.with_suffix(f".{os.getpid()}.tmp")
    print(f"Building {boxes} boxes into {cached} (once) ...", file=sys.stderr)
    app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{building}")
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        build(boxes)
        db.session.remove()
        db.engine.dispose()
    building.rename(cached)
    return cached


def enlist(limit: int | None) -> Pool:
    """Open a drill, give logistics users tokens, and list the ready boxes the scans will use."""
    s = db.session
    stamp = uuid.uuid4().hex[:6]
    drill = deployments.create_deployment(s, CLI, name=f"扫码压力测试 {stamp}", kind="drill",
                                          expected_return_at=utcnow() + timedelta(days=2), place="基准测试")
    tokens = []
    for n in range(USERS):
        user = accounts.create_user(s, CLI, username=f"wrk-{stamp}-{n}", role="logistics",
                                    password="benchmark-password-2026", display_name=f"压测员{n}")
        tokens.append(accounts.issue_token(s, CLI, user.id, name="PDA", days=1)[1])
    # Ready by their contents today, not only by their recorded status: a box whose meals expired
    # is short, and a check-out of it is refused (409) without an override.
    totals = kit_totals(today())
    query = (select(Kit.code).join(totals, totals.c.kit_id == Kit.id)
             .where(Kit.status == KitStatus.READY, totals.c.short_lines == 0).order_by(Kit.code))
    boxes = list(s.scalars(query.limit(limit) if limit else query))
    s.rollback()
    FLOOR_LOG.create(db.engine, checkfirst=True)
    return Pool(boxes, drill.id, tokens)


def drain(host: str, port: int) -> None:
    """Wait for the requests wrk left unanswered at its deadline: gunicorn still serves them."""
    # Connections are accepted in order, so a probe answered means every one before it was taken;
    # the second probe covers what the other worker was still busy with.
    for _ in range(2):
        connection = http.client.HTTPConnection(host, port, timeout=120)
        connection.request("GET", BARE_PATH)
        connection.getresponse().read()
        connection.close()


def wait_until_idle(seconds: float = 1.0) -> None:
    """Wait until no scan has been logged for a while: requests wrk dropped may still be running."""
    last = None
    while True:
        top = db.session.scalar(text("SELECT max(id) FROM scan_events"))
        db.session.rollback()
        if top == last:
            return
        last = top
        time.sleep(seconds)


def make_ready(pool: Pool) -> int:
    """Check the pool's scanned boxes back in and pass them through inspection; return how many."""
    wait_until_idle()
    wanted = set(pool.boxes)
    rows = db.session.execute(select(Kit.code, Kit.status).where(Kit.status != KitStatus.READY)).all()
    db.session.rollback()
    used = [(code, status) for code, status in rows if code in wanted]
    for code, status in used:
        if status == KitStatus.DEPLOYED:
            deployments.check_in(db.session, CLI, code)
    for code, _ in used:
        kits.inspect_kit(db.session, CLI, code, outcome="passed")
    codes = [code for code, _ in used]
    left = db.session.scalars(select(Kit.code).where(Kit.code.in_(codes),
                                                     Kit.status != KitStatus.READY)).all()
    db.session.rollback()
    if left:
        raise RuntimeError(f"{len(left)} boxes did not come back to ready, first {left[0]}")
    return len(used)


def write_plan(path: Path, pool: Pool, base: str) -> None:
    """Write what scan_wrk.lua reads: the label URLs' base, the drill, the tokens, the boxes."""
    lines = [f"base {base}", f"deployment {pool.deployment_id}", f"idle {BARE_PATH}"]
    lines += [f"token {token}" for token in pool.tokens] + [f"box {code}" for code in pool.boxes]
    path.write_text("\n".join(lines) + "\n")


def wrk(base: str, mode: str, connections: int, seconds: int, plan: Path) -> Measure:
    """Run wrk on one endpoint and read the line scan_wrk.lua's done() prints."""
    path = {"bare": BARE_PATH, "floor": FLOOR_PATH, "scan": SCAN_PATH}[mode]
    # A box goes back in once its check-out was answered and L more boxes went out (scan_wrk.lua).
    lag = connections + 1
    command = ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency",
               "-s", str(LUA), base + path, "--", mode, str(plan), uuid.uuid4().hex[:12], str(lag),
               str(THREADS)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    found = re.search(r"^scan_wrk (.*)$", done.stdout, re.M)
    if done.returncode or not found:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout[-1500:]} {done.stderr[-1500:]}")
    fields = dict(re.findall(r"(\w+)=(\S*)", found.group(1).split(" first_failure=")[0]))
    exhausted = int(fields["exhausted"]) > 0
    duration = int(fields["span_us"] if exhausted else fields["duration_us"]) / 1e6
    return Measure(requests=int(fields["answered"]), seconds=duration,
                   p50_ms=int(fields["p50_us"]) / 1000, p99_ms=int(fields["p99_us"]) / 1000,
                   non2xx=int(fields["non2xx"]),
                   socket_errors=int(fields["socket_errors"]) + int(fields["timeouts"]),
                   exhausted=exhausted, first_failure=found.group(1).split(" first_failure=")[1].strip())


def serve_and_measure(url: str, env_extra: dict, pool: Pool, args, folder: Path, app) -> dict:
    """Serve the three endpoints with one gunicorn; warm up, then measure them interleaved."""
    env = {**os.environ, "WAREHOUSE_ENV": "production", "WAREHOUSE_DATABASE_URL": url,
           "WAREHOUSE_INSECURE_COOKIES": "1", **env_extra}
    runs: dict[tuple[int, str], list[Measure]] = {}
    plan = folder / "plan.txt"
    log = folder / "gunicorn.log"
    with gunicorn("benchmarks.wrk_wsgi:app()", env, log, WORKERS) as (host, port):
        base = f"http://{host}:{port}"
        write_plan(plan, pool, base)

        def reset() -> None:
            with app.app_context():
                make_ready(pool)
                db.session.remove()

        def measure(mode: str, connections: int, seconds: int) -> Measure:
            done = wrk(base, mode, connections, seconds, plan)
            drain(host, port)
            if mode == "scan":
                reset()
            return done

        warm = {mode: measure(mode, max(args.connections), args.warm_up) for mode in MODES}
        scan_seconds = args.duration
        if warm["scan"].rate:
            # Each box gives two scans; leave a margin for a faster run than the warm-up's.
            lasts = 2 * len(pool.boxes) / (warm["scan"].rate * 1.5)
            scan_seconds = max(1, min(args.duration, int(lasts)))
        for _ in range(args.repeats):
            for connections in args.connections:
                for mode in MODES:
                    seconds = scan_seconds if mode == "scan" else args.duration
                    runs.setdefault((connections, mode), []).append(measure(mode, connections, seconds))
    errors = [line for line in log.read_text().splitlines() if "Traceback" in line or "ERROR" in line]
    if errors:
        raise RuntimeError(f"gunicorn logged errors: {errors[:3]}")
    return runs


def main() -> None:
    """Prepare the data, serve and measure each set-up, print (and write) the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="SQLite file or sqlite:/// URL to copy and scan (never written)")
    parser.add_argument("--scale", type=int, help="scan the N-city build of benchmarks/generate.py")
    parser.add_argument("--synchronous", nargs="+", default=["FULL"], type=str.upper,
                        choices=["FULL", "NORMAL"], help="SQLite sync levels to serve in turn (default FULL)")
    parser.add_argument("--postgresql", action="store_true",
                        help="load the data into a throwaway PostgreSQL and serve that instead")
    parser.add_argument("--connections", type=int, nargs="+", default=list(CONNECTIONS))
    parser.add_argument("--duration", type=int, default=DURATION, help="seconds per wrk run")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--boxes", type=int, default=None,
                        help=f"most boxes to scan (default: every ready one; without --database, "
                             f"{OWN_BOXES} are built)")
    parser.add_argument("--smoke", action="store_true",
                        help="1 s runs, one repeat, 8 connections, a small depot: proves it works")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    args.warm_up = WARM_UP
    if args.smoke:
        args.duration, args.repeats, args.connections, args.warm_up = 1, 1, [8], 1
    os.environ.setdefault("WAREHOUSE_SECRET_KEY", secrets.token_hex(32))

    started = time.perf_counter()
    if args.database:
        source = sqlite_path(args.database)
    elif args.scale is not None:
        source = generate.sqlite_file(args.scale)
    else:
        source = own_data(args.boxes or (SMOKE_BOXES if args.smoke else OWN_BOXES))
    with tempfile.TemporaryDirectory(prefix="scan-wrk-") as folder:
        folder = Path(folder)
        work = folder / "scan.db"
        copy_sqlite(source, work)
        sqlite_url = f"sqlite:///{work}"
        results: dict[str, dict] = {}
        if args.postgresql:
            with postgresql() as url:
                app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
                with app.app_context():
                    upgrade(directory=str(ROOT / "migrations"))
                    load_postgresql(sqlite_url, url, db.metadata)
                    pool = enlist(args.boxes)
                    db.session.remove()
                prepared = time.perf_counter() - started
                results["PostgreSQL"] = serve_and_measure(url, {}, pool, args, folder, app)
                check_ledger(app)
        else:
            app = create_app("development", SQLALCHEMY_DATABASE_URI=sqlite_url)
            with app.app_context():
                pool = enlist(args.boxes)
                db.session.remove()
            prepared = time.perf_counter() - started
            for level in args.synchronous:
                results[f"SQLite {level}"] = serve_and_measure(
                    sqlite_url, {"WAREHOUSE_SQLITE_SYNCHRONOUS": level}, pool, args, folder, app)
            check_ledger(app)
    table = report(results, args, len(pool.boxes), prepared, source)
    emit("Scans through gunicorn and wrk (" + ", ".join(results) + ")", table)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(table + "\n")
    problems = [f"{name} {connections} {mode}: {m.non2xx} non-2xx ({m.first_failure}), "
                f"{m.socket_errors} socket errors"
                for name, runs in results.items() for (connections, mode), measured in runs.items()
                for m in measured if m.non2xx or m.socket_errors]
    if problems:
        sys.exit("requests failed: " + "; ".join(problems[:5]))


def check_ledger(app) -> None:
    """Refuse figures from a run that left the ledger and the balances disagreeing."""
    with app.app_context():
        assert ledger.check(db.session) == [], "the ledger and the balances disagree"
        db.session.remove()
        db.engine.dispose()


def spread(values: list[float], digits: int = 0) -> str:
    """Return the median and, over several repeats, the range: "812 (790-840)"."""
    middle = f"{statistics.median(values):,.{digits}f}"
    if len(values) < 2:
        return middle
    return f"{middle} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def ratio(part: float, whole: float) -> float:
    """Return part / whole, NaN when nothing was measured (a run that answered nothing)."""
    return part / whole if whole else float("nan")


def verdict(met: bool, smoke: bool) -> str:
    """Say whether a target is met; a smoke run has no targets."""
    return "— (smoke)" if smoke else ("met" if met else "not met")


def report(results: dict, args, boxes: int, prepared: float, source: Path) -> str:
    """Return the Markdown tables: each endpoint's figures, then the issue's ratios per repeat."""
    lines = [f"Python {platform.python_version()}, {os.cpu_count()} CPUs; gunicorn {WORKERS} sync workers; "
             f"wrk -t{THREADS} --timeout 30s, {args.duration} s per run (scans: as long as {boxes} boxes "
             f"last, at most that), warm-up {args.warm_up} s per endpoint, then {args.repeats} repeats "
             f"interleaved; data: {source.name}, ready {boxes} boxes; prepared in {prepared:.0f} s. "
             "Median over the repeats, range in brackets.", "",
             "| database | connections | endpoint | requests/s | p50 ms | p99 ms | non-2xx | s per run |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, runs in results.items():
        for connections in args.connections:
            for mode in MODES:
                measured = runs[(connections, mode)]
                note = " (boxes ran out)" if any(m.exhausted for m in measured) else ""
                lines.append(f"| {name} | {connections} | {LABELS[mode]} "
                             f"| {spread([m.rate for m in measured])} "
                             f"| {spread([m.p50_ms for m in measured], 1)} "
                             f"| {spread([m.p99_ms for m in measured], 1)} "
                             f"| {sum(m.non2xx for m in measured)} "
                             f"| {spread([m.seconds for m in measured], 1)}{note} |")
    lines += ["", "Ratios within each repeat (a scan run beside the floor and bare runs next to it):", "",
              "| database | connections | scan ÷ floor requests/s | ≥ 50 % | scan p99 ÷ floor p99 | ≤ 2x "
              "| scan ÷ bare requests/s |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, runs in results.items():
        for connections in args.connections:
            scan, floor, bare = (runs[(connections, mode)] for mode in ("scan", "floor", "bare"))
            share = [ratio(s.rate, f.rate) for s, f in zip(scan, floor, strict=True)]
            p99 = [ratio(s.p99_ms, f.p99_ms) for s, f in zip(scan, floor, strict=True)]
            of_bare = [ratio(s.rate, b.rate) for s, b in zip(scan, bare, strict=True)]
            lines.append(f"| {name} | {connections} | {spread([100 * x for x in share])} % "
                         f"| {verdict(statistics.median(share) >= SCAN_SHARE_TARGET, args.smoke)} "
                         f"| {spread(p99, 2)} "
                         f"| {verdict(statistics.median(p99) <= SCAN_P99_TARGET, args.smoke)} "
                         f"| {spread([100 * x for x in of_bare], 1)} % |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
