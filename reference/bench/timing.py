"""Timing helpers for ``medshare bench``: medians of repeated runs, measured in one process."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_time(fn: Callable[[], Any], *, reps: int = 5, warmup: int = 1,
                clock: Callable[[], float] = time.perf_counter) -> float:
    """Median time of ``fn()`` over ``reps`` runs, after ``warmup`` unmeasured runs; wall time unless ``clock``
    says otherwise (``time.process_time`` is robust to other processes sharing the cores)."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(max(1, reps)):
        t0 = clock()
        fn()
        samples.append(clock() - t0)
    return statistics.median(samples)


def result(name: str, backend: str, median_s: float, **ratios: float) -> dict[str, Any]:
    """One entry of the ``results`` list of docs/design.md §5."""
    return {"name": name, "backend": backend, "median_s": median_s,
            "ratios": {k: round(v, 3) for k, v in ratios.items()}}
