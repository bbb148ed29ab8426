"""Describe the machine and the code a benchmark run measured: the header of `make bench`'s table."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import emit  # noqa: E402


def first_line(*command: str) -> str:
    """Return the first line a program prints, or "not installed"."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=10)
    except FileNotFoundError:
        return "not installed"
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else ""


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def main() -> None:
    """Print (and collect) the machine, versions, load and commit."""
    postgres = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    lines = [
        f"- When: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit "
        f"{first_line('git', '-C', str(ROOT), 'rev-parse', '--short', 'HEAD')}",
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores; memory {memory_gib():.0f} GiB; "
        f"load average at start {os.getloadavg()[0]:.2f}",
        f"- {platform.platform()}; Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
        f"PostgreSQL {first_line(str(postgres[-1]), '--version') if postgres else 'not installed'}; "
        f"wrk: {first_line('wrk', '--version')}",
    ]
    emit("Machine", "\n".join(lines))


if __name__ == "__main__":
    main()
