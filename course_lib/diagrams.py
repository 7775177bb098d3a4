"""Figures that explain how things run (cost figures live in ``plots``).

Every function returns the matplotlib Figure and the data it drew, so tests check the data,
not pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from course_lib.runtime.logs import Report

INIT_COLOUR = "#e8833a"
INVOKE_COLOUR = "#3a78c2"


@dataclass(frozen=True)
class LifecycleRow:
    label: str
    init_ms: float
    duration_ms: float
    billed_ms: int
    cold: bool


def lifecycle_timeline(reports: Sequence[Report], labels: Sequence[str] | None = None) -> tuple[Figure, list[LifecycleRow]]:
    """One bar per invocation: INIT (cold starts only) then the handler's run, from REPORT lines."""
    rows = [
        LifecycleRow(
            label=(labels[i] if labels else f"request {i + 1}"),
            init_ms=r.init_ms or 0.0,
            duration_ms=r.duration_ms,
            billed_ms=r.billed_ms,
            cold=r.init_ms is not None,
        )
        for i, r in enumerate(reports)
    ]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(rows) + 1.6))
    for y, row in enumerate(rows):
        if row.cold:
            ax.barh(y, row.init_ms, color=INIT_COLOUR, label="INIT (cold start)" if y == 0 or not rows[0].cold else None)
        ax.barh(y, row.duration_ms, left=row.init_ms, color=INVOKE_COLOUR, label="INVOKE (your handler)" if y == 0 else None)
        ax.text(row.init_ms + row.duration_ms, y, f"  billed {row.billed_ms} ms ({'cold' if row.cold else 'warm'})", va="center", fontsize=9)
    ax.set_yticks(range(len(rows)), [r.label for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("time (ms), measured by the local runtime")
    ax.set_title("Cold and warm starts: what each request spent, from its REPORT line")
    longest = max((r.init_ms + r.duration_ms for r in rows), default=1.0)
    ax.set_xlim(0, longest * 1.6)
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles))
    # Below the axes: inside, it would cover the bars' labels.
    fig.legend(unique.values(), unique.keys(), loc="lower center", ncol=2, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig, rows
