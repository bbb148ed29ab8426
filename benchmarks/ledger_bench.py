"""Time the ledger check (`flask ledger check`) over the movements of N cities: target 1,000,000 under 15 s.

The check recomputes every balance from the whole ledger and compares it with the cached
balances. It runs on a copy of `benchmarks/generate.py`'s build (N=10: about a million
movements), once to warm the page cache and then `--runs` times, in process, and once more as
the command itself (`flask ledger check`, a fresh process, as an operator runs it).
`--smoke`: the plain demo, one run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import generate  # noqa: E402
from sqlalchemy import text  # noqa: E402
from timing import emit, markdown, verdict  # noqa: E402

from warehouse.extensions import db  # noqa: E402
from warehouse.services import ledger  # noqa: E402

SCALE = 10
RUNS = 3
TARGET_S = 15.0


def main() -> None:
    """Time ledger.check() in process and `flask ledger check` as a command; print the table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=SCALE)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--smoke", action="store_true", help="the plain demo, one run (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.scale, args.runs = 0, 1
    with tempfile.TemporaryDirectory() as folder:
        path = generate.sqlite_copy(args.scale, Path(folder))
        url = f"sqlite:///{path}"
        app = generate.make_app(url)
        with app.app_context():
            movements = db.session.scalar(text("SELECT COUNT(*) FROM stock_movements"))
            balances = db.session.scalar(text("SELECT COUNT(*) FROM stock_balances"))
            ledger.check(db.session)
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                differences = ledger.check(db.session)
                times.append(time.perf_counter() - started)
                assert not differences, differences[:5]
            db.session.remove()
            db.engine.dispose()
        started = time.perf_counter()
        command = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "ledger", "check"], cwd=ROOT,
            capture_output=True, text=True, env={**os.environ, "WAREHOUSE_DATABASE_URL": url}, check=False)
        took = time.perf_counter() - started
        assert command.returncode == 0, command.stdout + command.stderr
    times.sort()
    median = times[len(times) // 2]
    rows = [["ledger.check() in process", f"{movements:,}", f"{balances:,}", f"{times[0]:.2f}",
             f"{median:.2f}", f"{times[-1]:.2f}", verdict(times[-1] < TARGET_S)],
            ["`flask ledger check` (new process)", f"{movements:,}", f"{balances:,}", "", f"{took:.2f}", "",
             verdict(took < TARGET_S)]]
    emit("Ledger check", f"SQLite file, N={args.scale}; {args.runs} runs after a warm-up, "
         "then the command once.\n\n"
         + markdown(["check", "movements", "balances", "min s", "median s", "max s",
                     f"target (< {TARGET_S:.0f} s)"], rows))


if __name__ == "__main__":
    main()
