"""Timings of the cost model for ``make bench``: rows of (name with unit, value, target note).

The quiz engine calls ``pricing.lambda_cost`` for every seeded variant and the plots call it
hundreds of times per figure, so its per-call time is the number worth watching.
"""

from __future__ import annotations

import time
from typing import Callable


def _per_call_us(func: Callable[[], object], repeat: int) -> float:
    func()  # warm the facts cache
    start = time.perf_counter()
    for _ in range(repeat):
        func()
    return (time.perf_counter() - start) / repeat * 1e6


def bench() -> list[tuple[str, float, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib import plots, pricing

    arch = plots.typical_patterns(1_000_000)["API + Lambda + DynamoDB"]
    one = _per_call_us(lambda: pricing.lambda_cost(3_000_000, 120, 1536, free_tier=True), 2000)
    rows = [
        ("pricing.lambda_cost (us per call)", one, "target < 100" + ("" if one < 100 else "  MISSED")),
        ("pricing.monthly_estimate, 4 components (us per call)",
         _per_call_us(lambda: pricing.monthly_estimate(arch, free_tier=True), 200), ""),
    ]
    start = time.perf_counter()
    fig, _ = plots.lambda_vs_servers()
    rows.append(("plots.lambda_vs_servers, data + figure (ms)", (time.perf_counter() - start) * 1e3, ""))
    plt.close(fig)
    return rows


if __name__ == "__main__":
    for name, value, note in bench():
        print(f"{name:55s} {value:10.1f}  {note}")
