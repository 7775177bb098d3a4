"""Timings for ``make bench``: how fast the quiz engine grades a class.

``bench()`` returns ``(name, seconds, note)`` rows. The headline row grades 1,000 learners x 30
questions (target: at most 2 s): each learner gets their own variant of every question (drawn
numbers, computed answers, shuffled options) and one response per question, half right and half
wrong, the way an instructor's grading run would see them. Build-it questions are left out:
they inspect a live sandbox, which is timed by the sandbox's own benchmarks.
"""

from __future__ import annotations

import time
from itertools import cycle, islice

from course_lib.quiz.audit import distractor_responses, key_response
from course_lib.quiz.bank import bank_paths, read_bank
from course_lib.quiz.grading import grade
from course_lib.quiz.model import BuildIt, Question
from course_lib.quiz.variants import variant

LEARNERS = 1000
QUESTIONS = 30
TARGET_S = 2.0


def _questions() -> list[Question]:
    pool: list[Question] = []
    for path in bank_paths():
        bank, _ = read_bank(path)
        if bank is not None:
            pool += [q for q in bank.questions if not isinstance(q, BuildIt)]
    # Parameterised questions are the expensive ones: put them first so the 30 include them.
    pool.sort(key=lambda q: not q.params)
    return list(islice(cycle(pool), QUESTIONS))


def bench() -> list[tuple[str, float, str]]:
    rows: list[tuple[str, float, str]] = []
    started = time.perf_counter()
    paths = bank_paths()
    for path in paths:
        read_bank(path)
    rows.append(("quiz: load and validate every bank", time.perf_counter() - started, f"{len(paths)} banks"))

    questions = _questions()
    # The learners' responses are made first, untimed: inventing answers is the test's work,
    # not grading. Grading is what is timed: each learner's variant (numbers and key computed
    # from their seed) and the verdict on their response.
    responses = []
    for n in range(LEARNERS):
        learner = f"learner-{n:04d}"
        for i, q in enumerate(questions):
            v = variant(q, learner)
            wrong = distractor_responses(v)
            responses.append((q, learner, key_response(v) if (n + i) % 2 == 0 or not wrong else wrong[0][1]))
    started = time.perf_counter()
    graded = correct = 0
    for q, learner, response in responses:
        correct += grade(variant(q, learner), response).correct
        graded += 1
    seconds = time.perf_counter() - started
    verdict = "ok" if seconds <= TARGET_S else "SLOW"
    rows.append(
        (
            f"quiz: grade {LEARNERS:,} learners x {len(questions)} questions",
            seconds,
            f"target <= {TARGET_S:g} s: {verdict}; {graded:,} responses, {correct:,} correct, variants included",
        )
    )
    return rows


if __name__ == "__main__":  # pragma: no cover
    for name, seconds, note in bench():
        print(f"{name:<50} {seconds:8.3f} s  {note}")
