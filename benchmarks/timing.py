"""Timing shared by the in-process benchmarks: repeated calls after a warm-up, with SQL counted."""

from __future__ import annotations

import math
import os
import time

from sqlalchemy import event


def timed(engine, call, runs: int) -> tuple[list[float], float]:
    """Return the times in ms of `runs` calls after one warm-up, sorted, and the SQL statements per call."""
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    call()
    event.listen(engine, "before_cursor_execute", count)
    try:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sorted(times), round(len(statements) / runs, 1)


def p50(times: list[float]) -> float:
    """Return the median of sorted times."""
    return times[len(times) // 2]


def p95(times: list[float]) -> float:
    """Return the 95th percentile of sorted times (nearest rank)."""
    return times[max(0, math.ceil(len(times) * 0.95) - 1)]


def markdown(headers: list[str], rows: list[list]) -> str:
    """Return a Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(met: bool) -> str:
    """Say whether a target is met, in the words BENCHMARKS.md uses."""
    return "met" if met else "**not met**"


def emit(title: str, text: str) -> None:
    """Print a result section, and append it to $BENCH_OUT when `make bench` collects them."""
    section = f"\n## {title}\n\n{text}\n"
    print(section)
    out = os.environ.get("BENCH_OUT")
    if out:
        with open(out, "a", encoding="utf-8") as file:
            file.write(section)
