"""Build (or reuse) a benchmark database of N cities: migrate, `flask demo load`, then scale up.

    .venv/bin/python benchmarks/generate.py --scale 10          # prints the SQLite file's path
    .venv/bin/python benchmarks/generate.py --scale 1 --url postgresql+psycopg://...

SQLite files are cached under $BENCH_DATA (default /tmp/warehouse-bench), keyed by the scale and
a hash of the code that writes them (migrations, demo loaders, the generator), so the benchmarks
share one build per size; they copy the file before writing to it. Building N=10 takes minutes.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from databases import analyze  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from warehouse import create_app, demo  # noqa: E402
from warehouse.demo_scale import scale_up  # noqa: E402
from warehouse.extensions import db  # noqa: E402
from warehouse.services import ledger  # noqa: E402

CACHE = Path(os.environ.get("BENCH_DATA", "/tmp/warehouse-bench"))
SOURCES = ["migrations/versions/*.py", "warehouse/demo*.py", "warehouse/models/*.py"]
COUNTED = ("items", "stock_balances", "kits", "stock_movements", "personnel", "partners", "agreements",
           "deployments", "modules")


def fingerprint() -> str:
    """Hash the files whose changes make a cached build stale."""
    digest = hashlib.sha256()
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def make_app(url: str):
    # Development settings (no HTTPS-only cookie); SQL logging off.
    return create_app("development", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ECHO=False)


def populate(url: str, scale: int, check: bool = True) -> dict[str, int]:
    """Migrate an empty database at url, load the demo, grow it to `scale` cities; return row counts."""
    app = make_app(url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        demo.load(db.session)
        if scale:
            scale_up(db.session, scale)
        if check:
            differences = ledger.check(db.session)
            if differences:
                raise SystemExit(f"the generated ledger does not reconcile: {differences[:5]}")
        counts = {name: db.session.scalar(text(f"SELECT COUNT(*) FROM {name}")) for name in COUNTED}  # noqa: S608
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            analyze(db.engine)
        db.engine.dispose()
    return counts


def sqlite_file(scale: int, quiet: bool = False) -> Path:
    """Return the cached SQLite file of `scale` cities (scale 0: the plain demo), building it if needed."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"scale-{scale}-{fingerprint()}.db"
    if path.exists():
        return path
    partial = path.with_suffix(".building")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    counts = populate(f"sqlite:///{partial}", scale)
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)
    if not quiet:
        print(f"built {path.name} in {time.perf_counter() - started:.0f} s: "
              + ", ".join(f"{count:,} {name}" for name, count in counts.items()), file=sys.stderr)
    return path


def sqlite_copy(scale: int, folder: Path) -> Path:
    """Copy the cached build into folder (benchmarks write to their copy, never to the cache)."""
    copy = folder / f"scale-{scale}.db"
    shutil.copy(sqlite_file(scale), copy)
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10, help="cities (0: the plain demo)")
    parser.add_argument("--url", help="build into this empty database instead of the SQLite cache")
    args = parser.parse_args()
    if args.url:
        started = time.perf_counter()
        counts = populate(args.url, args.scale)
        print(f"built in {time.perf_counter() - started:.0f} s: "
              + ", ".join(f"{count:,} {name}" for name, count in counts.items()))
    else:
        print(sqlite_file(args.scale))


if __name__ == "__main__":
    main()
