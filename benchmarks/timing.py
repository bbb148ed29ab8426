"""Timing shared by the in-process benchmarks: repeated calls after a warm-up, with SQL counted."""

from __future__ import annotations

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
    return times[max(0, int(len(times) * 0.95) - 1)]
