"""The one timing loop the benchmarks share: wall-clock seconds of ``fn`` over ``runs`` runs."""

from __future__ import annotations

import statistics
import time


def run_times(fn, runs: int) -> list[float]:
    """Seconds each of ``runs`` calls of ``fn`` took."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def median_seconds(fn, runs: int) -> float:
    return statistics.median(run_times(fn, runs))


def print_table(rows: list[tuple[str, float, str]], note: str = "") -> None:
    """Rows of (measure, value, unit) as an aligned table, then ``note``."""
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>9}")
    for name, value, unit in rows:
        print(f"{name:<{width}}  {value:>9.1f} {unit}")
    if note:
        print(note)
