"""Time the scan station: check-out and check-in cycles through POST /api/v1/scans on gunicorn.

One run builds a fresh SQLite file with generated boxes (8 content lines each, as the demo's),
starts gunicorn with 2 sync workers (as production) on it, and a second gunicorn serving a bare
Flask app; then, at 8 and 32 concurrent clients (Python threads, one HTTP connection each; sync
workers close it after every answer, so each request connects anew, as a scanner's would),
measures in turn: the bare endpoint, the product's token-checked "ok" route, and scans (each
client checks its own boxes out to one drill by label URL, then back in). Warm-up first, then 3
repeats, interleaved so drift hits every line alike; boxes pass inspection between repeats
(outside the timed part). Last, the in-process time of one scan through the Flask test client,
with its SQL statements. `--profile` adds the top costs of an in-process scan (cProfile);
`--workers N` serves with N workers instead (SQLite queues writers: see BENCHMARKS.md);
`--in-process-only` skips the servers and times only the in-process scans.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import os
import platform
import pstats
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from benchmarks.scan_wsgi import APP_OK_PATH, OK_PATH, bare, with_ok_route  # noqa: E402
from benchmarks.timing import emit  # noqa: E402
from warehouse import create_app  # noqa: E402
from warehouse.domain.kits import KitStatus  # noqa: E402
from warehouse.extensions import db  # noqa: E402
from warehouse.models import Kit  # noqa: E402
from warehouse.models.base import utcnow  # noqa: E402
from warehouse.services import (  # noqa: E402
    accounts,
    catalogue,
    deployments,
    kit_templates,
    kits,
    ledger,
    locations,
    stock,
)
from warehouse.timezone import today  # noqa: E402

WORKERS = 2
CLIENTS = (8, 32)
REPEATS = 3
BOXES = 128  # 256 scans per measurement: 16 or 4 boxes out and in per client
OK_REQUESTS = 1600
IN_PROCESS_CYCLES = 32  # check-out + check-in, after 4 to warm up
USERS = 8  # logistics staff; clients share their tokens round-robin
CLI = accounts.Caller(None, "bench")

# sku, name, category, unit, lot-tracked, par per box: a rope rescue box, as in the demo.
ITEMS = [
    ("B-ROPE50", "静力绳 50 m", "RE", "piece", False, 2),
    ("B-HARNESS", "全身式安全吊带", "RE", "piece", False, 2),
    ("B-CARAB", "主锁", "RE", "piece", False, 12),
    ("B-DESC", "自动制停下降器", "RE", "piece", False, 2),
    ("B-PULLEY", "单滑轮", "RE", "piece", False, 2),
    ("B-BAT", "CR123 电池", "ER", "piece", True, 4),
    ("B-GAUZE", "止血纱布", "MS", "pack", True, 4),
    ("B-GLOVE", "防割手套", "PE", "pair", True, 4),
]


@dataclass(frozen=True)
class Depot:
    """What the benchmark scans: the boxes' codes, the drill they go out with, the tokens."""

    boxes: list[str]
    deployment_id: int
    tokens: list[str]


def build(boxes: int) -> Depot:
    """Create a depot, 8 items with stock, one template, `boxes` filled boxes, a drill and users."""
    s = db.session
    depot = locations.create_location(s, CLI, kind="depot", code="B", name="基准储备库",
                                      area_m2=1000, plan_width_m=40, plan_depth_m=25)
    zone = locations.create_location(s, CLI, kind="zone", code="B-A", name="A区", parent_id=depot.id,
                                     category="RE", area_m2=200, plan_x_m=0, plan_y_m=0,
                                     plan_width_m=20, plan_depth_m=10)
    rack = locations.create_location(s, CLI, kind="rack", code="B-A-R01", name="R01", parent_id=zone.id,
                                     footprint_m2=6)
    shelf = locations.create_location(s, CLI, kind="bin", code="B-A-R01-B01", name="B01", parent_id=rack.id)
    locations.create_location(s, CLI, kind="quarantine", code="B-Q", name="待检区", parent_id=depot.id)
    kit_templates.create_module(s, CLI, code="MT", name_zh="山岳救援模块", name_en="Mountain rescue module")
    lines = []
    for sku, name, category, unit, lots, par in ITEMS:
        item = catalogue.create_item(s, CLI, sku=sku, name_zh=name, name_en=sku, category=category, unit=unit,
                                     tracking="lot" if lots else "bulk", expiry_required=lots,
                                     shelf_life_days=1095 if lots else None, min_level=0)
        for n in range(2 if lots else 1):
            stock.receive_stock(s, CLI, item_id=item.id, location_id=shelf.id, quantity=par * boxes,
                                lot=f"{sku[2:]}-{n + 1}" if lots else None,
                                expires_on=today() + timedelta(days=400 + 200 * n) if lots else None)
        lines.append({"item_id": item.id, "par_quantity": par})
    template = kit_templates.create_template(
        s, CLI, code="ROPE", name_zh="绳索救援器材包", name_en="Rope rescue kit", category="RE",
        box_type="bag", width_m=0.7, depth_m=0.4, weight_kg=28, lines=lines,
        requirements=[{"module": "MT", "boxes_required": boxes}])
    codes = []
    for _ in range(boxes):
        kit = kits.create_kit(s, CLI, template=template.code, module="MT", home_location_id=zone.id)
        proposal = kits.propose_restock(s, kit.code)
        kits.restock_kit(s, CLI, kit.code, fills=[
            {"item_id": f.item.id, "lot": f.lot.code if f.lot else None,
             "from_location_id": f.from_location.id, "quantity": f.quantity} for f in proposal.fills])
        codes.append(kit.code)
    drill = deployments.create_deployment(s, CLI, name="龙首山山岳救援拉动演练", kind="drill",
                                          expected_return_at=utcnow() + timedelta(days=2), place="龙首山")
    tokens = []
    for n in range(USERS):
        user = accounts.create_user(s, CLI, username=f"scanner{n}", role="logistics",
                                    password="benchmark-password-2026", display_name=f"保障员{n}")
        tokens.append(accounts.issue_token(s, CLI, user.id, name="PDA", days=1)[1])
    assert s.scalar(select(Kit.status).where(Kit.code == codes[-1])) == KitStatus.READY
    return Depot(codes, drill.id, tokens)


def make_ready() -> int:
    """Pass every returned box through inspection so it can go out again; return how many."""
    codes = db.session.scalars(select(Kit.code).where(Kit.status == KitStatus.RETURNED)).all()
    db.session.rollback()
    for code in codes:
        kits.inspect_kit(db.session, CLI, code, outcome="passed")
    return len(codes)


@contextmanager
def gunicorn(target: str, env: dict, log: Path, workers: int = WORKERS):
    """Serve a WSGI app with sync workers on a free port; yield its (host, port)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
             "--backlog", "512", "--log-level", "warning", "--pythonpath", str(ROOT), target],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    tail = log.read_text()[-2000:]
                    raise RuntimeError(f"gunicorn {target} did not start: {tail}") from None
                time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass(frozen=True)
class Run:
    """One measurement: requests answered, wall time, and each request's latency in ms."""

    requests: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def drive(address: tuple[str, int], plans: list[list[tuple]]) -> Run:
    """Let one thread per plan send its requests (method, path, body, headers, status) at once."""
    barrier = threading.Barrier(len(plans) + 1)
    latencies: list[list[float]] = [[] for _ in plans]
    failures: list[str] = []

    def client(n: int) -> None:
        connection = http.client.HTTPConnection(*address, timeout=120)
        barrier.wait()
        for method, path, body, headers, expected in plans[n]:
            start = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            latencies[n].append((time.perf_counter() - start) * 1000)
            if response.status != expected:
                failures.append(f"{method} {path} {response.status}: {answer[:300]!r}")
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(plans))]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, first: {failures[0]}")
    flat = [ms for per_client in latencies for ms in per_client]
    return Run(len(flat), seconds, flat)


def ok_plans(clients: int, path: str, total: int, tokens: list[str]) -> list[list[tuple]]:
    """Each client asks for the ok page total/clients times (with a bearer token)."""
    return [[("GET", path, None, {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}, 200)]
            * (total // clients) for n in range(clients)]


def scan_plans(clients: int, depot: Depot, boxes: list[str], base: str) -> list[list[tuple]]:
    """Each client checks its share of the boxes out to the drill and back in, one box at a time."""
    plans = []
    for n in range(clients):
        headers = {"Authorization": f"Bearer {depot.tokens[n % len(depot.tokens)]}",
                   "Content-Type": "application/json"}
        plan = []
        for code in boxes[n::clients]:
            for action, expected in (("check_out", 201), ("check_in", 200)):
                body = {"code": f"{base}/k/{code}", "action": action, "deployment_id": depot.deployment_id,
                        "idempotency_key": str(uuid.uuid4()), "station": f"PDA-{n:02d}"}
                if action == "check_in":
                    del body["deployment_id"]
                plan.append(("POST", "/api/v1/scans", json.dumps(body), headers, expected))
        plans.append(plan)
    return plans


def in_process(app, depot: Depot, boxes: list[str], profile: bool, profile_out: str | None = None) -> dict:
    """Time check-out and check-in through the Flask test client; count their SQL statements.

    Each cycle also times a bare Flask request and the app's token-checked "ok" route, so the
    scan can be compared with the framework and the app's own per-request work in the same run.
    """
    client, bare_client = app.test_client(), bare.test_client()
    with app.app_context():
        engine = db.engine
        floor = sqlite_floor(engine.url.database)
    headers = {"Authorization": f"Bearer {depot.tokens[0]}"}
    statements = []
    lines = ("bare", "floor", "app", "check_out", "check_in")
    times: dict[str, list[float]] = {line: [] for line in lines}
    # CPU time of this thread: on a machine shared with other work, wall time also counts the
    # waits for a core; CPU time does not (nor the fsync of the commit).
    cpu: dict[str, list[float]] = {line: [] for line in lines}
    counts: dict[str, list[int]] = {line: [] for line in lines}

    def measure(line: str, send, expected: int) -> None:
        before = len(statements)
        start, start_cpu = time.perf_counter(), time.thread_time()
        response = send()
        times[line].append((time.perf_counter() - start) * 1000)
        cpu[line].append((time.thread_time() - start_cpu) * 1000)
        counts[line].append(len(statements) - before)
        assert response.status_code == expected, response.get_data(as_text=True)

    def count(*_args):
        statements.append(1)

    def cycle(code: str) -> None:
        measure("bare", lambda: bare_client.get(OK_PATH), 200)
        measure("floor", lambda: floor(code), 200)
        measure("app", lambda: client.get(APP_OK_PATH, headers=headers), 200)
        for action, expected in (("check_out", 201), ("check_in", 200)):
            body = {"code": f"http://localhost/k/{code}", "action": action,
                    "idempotency_key": str(uuid.uuid4())}
            if action == "check_out":
                body["deployment_id"] = depot.deployment_id
            measure(action, lambda body=body: client.post("/api/v1/scans", json=body, headers=headers),
                    expected)

    warm, timed = boxes[:4], boxes[4:]
    for code in warm:
        cycle(code)
    for key in times:
        times[key].clear()
        cpu[key].clear()
        counts[key].clear()
    event.listen(engine, "before_cursor_execute", count)
    # CPU time, so that waits for a core on a shared machine do not land on whatever ran then.
    profiler = cProfile.Profile(time.thread_time) if profile else None
    try:
        if profiler:
            profiler.enable()
        for code in timed:
            cycle(code)
    finally:
        if profiler:
            profiler.disable()
        event.remove(engine, "before_cursor_execute", count)
    if profiler:
        if profile_out:
            profiler.dump_stats(profile_out)
        stats = pstats.Stats(profiler, stream=sys.stderr)
        print("\nWhere an in-process scan's time goes (cProfile): the app's functions, cumulative",
              file=sys.stderr)
        stats.sort_stats("cumulative").print_stats(r"/(warehouse|labels)/", 30)
        print("\nOwn time, everything (top 20):", file=sys.stderr)
        stats.sort_stats("tottime").print_stats(20)
    return {action: (statistics.mean(times[action]), statistics.median(times[action]),
                     percentile(times[action], 0.95), statistics.mean(cpu[action]),
                     statistics.mean(counts[action])) for action in times}


@dataclass(frozen=True)
class Done:
    """What the floor's call answers, shaped like a test client's response."""

    status_code: int = 200

    def get_data(self, as_text: bool = False) -> str:
        return ""


def sqlite_floor(path: str):
    """Return a call doing a durable scan's least: one indexed SELECT and one INSERT, committed.

    Plain sqlite3 on the benchmark's file with the app's settings (WAL, synchronous=FULL,
    BEGIN IMMEDIATE), no framework: what no scan can go below on this disk.
    """
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=15000"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, kit_id INTEGER, "
                       "at TEXT)")

    def call(code: str) -> Done:
        connection.execute("BEGIN IMMEDIATE")
        kit_id = connection.execute("SELECT id FROM kits WHERE code = ?", (code,)).fetchone()[0]
        connection.execute("INSERT INTO bench_floor (kit_id, at) VALUES (?, datetime('now'))", (kit_id,))
        connection.execute("COMMIT")
        return Done()

    return call


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def served_runs(app, depot: Depot, served: list[str], env: dict, log: Path, args) -> dict:
    """Serve the bare app and the product on gunicorn; measure each line at each client count."""
    runs: dict[tuple[str, int], list[Run]] = {}
    with gunicorn("benchmarks.scan_wsgi:bare", env, log, args.workers) as bare, \
            gunicorn("benchmarks.scan_wsgi:product()", env, log, args.workers) as product:
        base = f"http://{product[0]}:{product[1]}"

        def measure(clients: int, ok_requests: int, boxes: list[str]) -> dict[str, Run]:
            done = {"bare": drive(bare, ok_plans(clients, OK_PATH, ok_requests, depot.tokens)),
                    "app": drive(product, ok_plans(clients, APP_OK_PATH, ok_requests, depot.tokens)),
                    "scan": drive(product, scan_plans(clients, depot, boxes, base))}
            with app.app_context():
                assert make_ready() == len(boxes)
                db.session.remove()
            return done

        measure(min(args.clients), args.ok_requests // 4, served[: max(16, args.boxes // 4)])  # warm-up
        for _ in range(args.repeats):
            for clients in args.clients:
                for name, run in measure(clients, args.ok_requests, served).items():
                    runs.setdefault((name, clients), []).append(run)
    return runs


def main() -> None:
    """Build, serve, measure; print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--boxes", type=int, default=BOXES, help="boxes per measurement (2 scans each)")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--clients", type=int, nargs="+", default=list(CLIENTS))
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn sync workers")
    parser.add_argument("--profile", action="store_true",
                        help="print cProfile's top costs of a scan to stderr")
    parser.add_argument("--profile-out", metavar="FILE", help="also save the profile (pstats) to FILE")
    parser.add_argument("--cycles", type=int, default=IN_PROCESS_CYCLES,
                        help="in-process check-out and check-in cycles timed")
    parser.add_argument("--in-process-only", action="store_true",
                        help="skip gunicorn: time only the in-process scans")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, one repeat: checks that the script works (no figures to keep)")
    args = parser.parse_args()
    args.ok_requests = OK_REQUESTS
    if args.smoke:
        args.boxes, args.repeats, args.clients, args.cycles, args.ok_requests = 16, 1, [2], 4, 64
    if args.in_process_only:
        args.boxes = 0
    with tempfile.TemporaryDirectory(prefix="scan-bench-") as folder:
        url = f"sqlite:///{folder}/scan.db"
        app = with_ok_route(create_app("development", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ECHO=False))
        built = time.perf_counter()
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            depot = build(args.boxes + args.cycles + 4)
            db.session.remove()
        built = time.perf_counter() - built
        served, spare = depot.boxes[:args.boxes], depot.boxes[args.boxes:]
        env = {**os.environ, "WAREHOUSE_ENV": "production", "WAREHOUSE_SECRET_KEY": secrets.token_hex(32),
               "WAREHOUSE_DATABASE_URL": url, "WAREHOUSE_INSECURE_COOKIES": "1"}
        log = Path(folder) / "gunicorn.log"
        runs: dict[tuple[str, int], list[Run]] = {}
        if not args.in_process_only:
            runs = served_runs(app, depot, served, env, log, args)
        # Outside an app context: each request then gets its own, with its own session and `g`,
        # as under gunicorn (an outer context would keep the signed-in user cached between requests).
        scan_ms = in_process(app, depot, spare, args.profile or bool(args.profile_out), args.profile_out)
        with app.app_context():
            assert ledger.check(db.session) == [], "the ledger and the balances disagree"
            db.session.remove()
            db.engine.dispose()
        errors = [line for line in log.read_text().splitlines() if "Traceback" in line or "ERROR" in line] \
            if log.exists() else []
    printed = io.StringIO()
    with redirect_stdout(printed):
        report(runs, scan_ms, args, built)
    emit("Scans in process" if args.in_process_only else "Scans (thread clients and in process)",
         printed.getvalue().strip())
    if errors:
        sys.exit(f"gunicorn logged errors: {errors[:3]}")


IN_PROCESS_LABELS = {"bare": "bare Flask `GET /ok`",
                     "floor": "floor: SELECT by code + INSERT, committed (sqlite3, no framework)",
                     "app": "app stack `GET /api/v1/bench-ok` (token)",
                     "check_out": "scan: check_out", "check_in": "scan: check_in"}
LABELS = {"bare": "bare Flask `GET /ok`", "app": "app stack `GET /api/v1/bench-ok` (token, no work)",
          "scan": "scan `POST /api/v1/scans` (out + in)"}


def report(runs: dict, scan_ms: dict, args, built: float) -> None:
    """Print the Markdown tables: over HTTP (median of the repeats, and best), then in process."""
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, SQLite file (WAL, synchronous=FULL); "
          f"data built in {built:.0f} s")
    print()
    if runs:
        print(f"gunicorn {args.workers} sync workers; {args.boxes * 2} scans and {args.ok_requests} ok "
              f"requests per measurement, warm-up then {args.repeats} repeats (median, best):")
        print()
        print("| endpoint | clients | requests/s (median; best) | p50 ms (median; best) "
              "| p99 ms (median; best) | bare ÷ this (requests/s) |")
        print("| --- | --- | --- | --- | --- | --- |")
    for clients in args.clients if runs else ():
        bare_rate = statistics.median(r.rate for r in runs[("bare", clients)])
        for name in ("bare", "app", "scan"):
            measured = runs[(name, clients)]
            rates = [r.rate for r in measured]
            p50 = [r.percentile(0.50) for r in measured]
            p99 = [r.percentile(0.99) for r in measured]
            ratio = bare_rate / statistics.median(rates)
            print(f"| {LABELS[name]} | {clients} | {statistics.median(rates):,.0f}; {max(rates):,.0f} "
                  f"| {statistics.median(p50):.1f}; {min(p50):.1f} "
                  f"| {statistics.median(p99):.1f}; {min(p99):.1f} | {ratio:.1f} |")
    if runs:
        print()
    print(f"In process (Flask test client, one scan at a time, {args.cycles} cycles after 4 "
          "to warm up):")
    print()
    print("| request | mean ms | median ms | p95 ms | CPU ms (mean) | SQL statements | mean ÷ app stack "
          "| target: scan mean ≤ 3 ms |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    stack = scan_ms["app"][0]
    for line, (mean, median, p95, cpu, statements) in scan_ms.items():
        target = ("met" if mean <= 3 else "not met") if line in ("check_out", "check_in") else ""
        print(f"| {IN_PROCESS_LABELS[line]} | {mean:.2f} | {median:.2f} | {p95:.2f} | {cpu:.2f} "
              f"| {statements:.1f} | {mean / stack:.1f} | {target} |")


if __name__ == "__main__":
    main()
