"""Item statistics: which questions worked, which did not, and which wrong answers were popular.

Classical test theory, over the students whose submission was graded:

* **difficulty** (the *p*-value): the mean share of the question's points earned, from 0 (nobody
  got it) to 1 (everybody did). Below about 0.2 or above about 0.9 a question tells you little
  about who learned what.
* **discrimination**: the point-biserial correlation between the question's score and the score
  on the *rest* of the assignment (the "corrected" item-total correlation, so a question does
  not correlate with itself). Students who did well overall should get it right more often:
  0.2 or more is fine, near 0 says the question measures something else, and a negative value
  usually means a wrong key or a misleading wording. ``point_biserial_total`` is the uncorrected
  correlation with the whole score, for comparison with other tools.
* **distractor frequencies**: how often each option was chosen (each box ticked, for multiple
  select); for numeric and short-text questions, how often each anticipated mistake from the
  bank was made; for ordering questions, how often each step was put in the wrong place.

With fewer than two graded students, or when every student has the same score on a question
(all right or all wrong), a correlation is undefined and left empty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None when undefined (fewer than two pairs, or a constant variable)."""
    n = len(xs)
    if n < 2 or n != len(ys):
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    return sxy / math.sqrt(sxx * syy)


@dataclass
class ItemStats:
    qid: str
    type: str
    points: float
    students: int = 0  # graded students who received the question
    answered: int = 0
    correct: int = 0
    difficulty: float | None = None
    discrimination: float | None = None  # item vs rest of the assignment
    point_biserial_total: float | None = None  # item vs whole score
    choices: dict[str, int] = field(default_factory=dict)  # choice key -> count

    @property
    def note(self) -> str:
        notes = []
        if self.students < 5:
            notes.append("too few students for reliable statistics")
        if self.difficulty is not None and self.difficulty >= 0.9:
            notes.append("very easy")
        if self.difficulty is not None and self.difficulty <= 0.2:
            notes.append("very hard")
        if self.discrimination is not None and self.discrimination < 0:
            notes.append("negative discrimination: check the key and the wording")
        elif self.discrimination is not None and self.discrimination < 0.2:
            notes.append("weak discrimination")
        return "; ".join(notes)


def item_statistics(
    qids: Sequence[str],
    types: dict[str, str],
    points: dict[str, float],
    scores: Iterable[dict[str, tuple[float, bool, list[str]]]],
) -> dict[str, ItemStats]:
    """``scores``: one dict per graded student, question -> (earned, answered, choice keys).

    A student's total is the sum of what they earned on the questions they received.
    """
    stats = {q: ItemStats(q, types[q], points[q]) for q in qids}
    rows = list(scores)
    totals = [sum(earned for earned, _, _ in row.values()) for row in rows]
    for q in qids:
        item, rest, total = [], [], []
        s = stats[q]
        for row, t in zip(rows, totals):
            if q not in row:
                continue
            earned, answered, choices = row[q]
            share = earned / s.points if s.points else 0.0
            s.students += 1
            s.answered += answered
            s.correct += share >= 1 - 1e-9
            for key in choices:
                s.choices[key] = s.choices.get(key, 0) + 1
            item.append(share)
            rest.append(t - earned)
            total.append(t)
        if s.students:
            s.difficulty = sum(item) / s.students
            s.discrimination = pearson(item, rest)
            s.point_biserial_total = pearson(item, total)
    return stats


def fmt(value: float | None, digits: int = 3) -> str:
    """A statistic for a CSV cell: fixed decimals, empty when undefined."""
    return "" if value is None else f"{value:.{digits}f}"
