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
