"""The two figures of a grading run, as PNG files (matplotlib's Agg backend: no display needed).

* ``scores.png``: how many students got each score, with the mean marked;
* ``item_difficulty.png``: each question's difficulty (share of full marks), one bar each, in
  the order of the assignment, with its discrimination written beside it and questions worth
  a second look (very easy, very hard, weak or negative discrimination) in a warning colour.

The PNGs are written without a timestamp or version chunk, so re-running a grading gives
byte-identical files.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence

from course_lib.instructor.common import atomic_write_bytes
from course_lib.instructor.stats import ItemStats

OK = "#1976d2"
FLAG = "#e65100"


def _figure_bytes(fig: object) -> bytes:
    buffer = io.BytesIO()
    # No "Software" chunk: identical inputs give identical bytes, whatever matplotlib's version.
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})  # type: ignore[attr-defined]
    return buffer.getvalue()


def score_histogram(scores: Sequence[float], max_score: float, title: str, path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.8), layout="constrained")
    ax = fig.subplots()
    if scores:
        whole = max_score <= 40 and all(float(s).is_integer() for s in scores)
        if whole:
            edges = [x - 0.5 for x in range(int(max_score) + 2)]
        else:
            step = max_score / 20 if max_score else 1
            edges = [i * step for i in range(21)]
        ax.hist(scores, bins=edges, color=OK, edgecolor="white")
        mean = sum(scores) / len(scores)
        ax.axvline(mean, color=FLAG, linestyle="--", linewidth=1.5, label=f"mean {mean:.1f}")
        ax.legend(loc="upper left", frameon=False)
    else:
        ax.text(0.5, 0.5, "no graded submissions", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlim(-0.5, max_score + 0.5)
    ax.set_xlabel(f"score (points out of {max_score:g})")
    ax.set_ylabel("students")
    ax.set_title(title, fontsize=11)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    atomic_write_bytes(path, _figure_bytes(fig))


def item_difficulty(items: Sequence[ItemStats], title: str, path: Path) -> None:
    from matplotlib.figure import Figure

    height = max(2.6, 0.38 * len(items) + 1.2)
    fig = Figure(figsize=(8, height), layout="constrained")
    ax = fig.subplots()
    # "02 monthly-cost": question ids are unique per chapter only.
    labels = [f"{i.qid[:2]} {i.qid.split('/', 1)[-1]}" if "/" in i.qid else i.qid for i in items]
    values = [i.difficulty or 0.0 for i in items]
    colours = [FLAG if i.note and "too few" not in i.note else OK for i in items]
    positions = list(range(len(items)))[::-1]  # first question at the top
    ax.barh(positions, values, color=colours)
    for y, item in zip(positions, items):
        d = "n/a" if item.discrimination is None else f"{item.discrimination:+.2f}"
        label = f"p={item.difficulty or 0:.2f}  disc={d}"
        p = item.difficulty or 0.0
        if p > 0.6:  # long bars carry their label inside, so it never runs off the axes
            ax.text(p - 0.01, y, label, va="center", ha="right", fontsize=8, color="white")
        else:
            ax.text(p + 0.01, y, label, va="center", ha="left", fontsize=8)
    ax.set_yticks(positions, labels, fontsize=8)
    ax.set_xlim(0, 1.0)
    ax.set_xlabel("difficulty: share of full marks (1 = everyone right)")
    flagged = any(c == FLAG for c in colours)
    ax.set_title(title + (" (orange: worth a second look, see items.csv)" if flagged else ""), fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    atomic_write_bytes(path, _figure_bytes(fig))
