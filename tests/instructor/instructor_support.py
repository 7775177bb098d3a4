"""Helpers shared by the instructor tests (fixtures are in conftest.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

# One question of every type; sentinels (KEYFB, KEYEXPLAIN, KEYHINT) mark what a student must never
# receive, ZEBRA marks right options and steps (which students do see, as choices).
DEMO_BANK = """
chapter: 98_demo
title: Demo bank
intro: Questions of every kind.
questions:
  - id: pick-one
    type: single
    prompt: Which option is the right one?
    options:
      - text: ZEBRA-right option
        correct: true
        feedback: KEYFB-right because reasons.
      - text: Beta option
        feedback: KEYFB-beta is wrong.
      - text: Gamma option
        feedback: KEYFB-gamma is wrong.
      - text: Delta option
        feedback: KEYFB-delta is wrong.
    explanation: KEYEXPLAIN-pick-one.
    hints: [KEYHINT-pick-one]
  - id: pick-many
    type: multiple
    prompt: Tick the right ones.
    options:
      - {text: ZEBRA-one, correct: true}
      - {text: ZEBRA-two, correct: true}
      - {text: Three, feedback: KEYFB-three is not right.}
      - {text: Four, feedback: KEYFB-four is not right.}
    explanation: KEYEXPLAIN-pick-many.
  - id: tf
    type: truefalse
    prompt: The sky is green.
    answer: false
    wrong_feedback: KEYFB-tf the sky is not green.
    explanation: KEYEXPLAIN-tf.
  - id: cost
    type: numeric
    prompt: "What does a month cost for {param:requests} requests?"
    params:
      requests: {values: [1000000, 2000000, 3000000, 4000000, 5000000]}
    answer: {formula: lambda_monthly_cost, args: {duration_ms: 987, memory_mb: 1234}}
    unit: USD
    tolerance: {absolute: 0.01}
    mistakes:
      - formula: lambda_cost_requests_only
        args: {duration_ms: 987, memory_mb: 1234}
        feedback: KEYFB-cost only the request charge.
    explanation: "KEYEXPLAIN-cost: {answer}."
  - id: word
    type: text
    prompt: Name the field.
    accept: [Zyzzogeton, Zyzzogetons]
    patterns: ['zyzz+ogeton']
    wrong:
      - accept: [Handled]
        feedback: KEYFB-word close but no.
    explanation: KEYEXPLAIN-word.
  - id: steps
    type: ordering
    prompt: Order the steps.
    items:
      - text: ZEBRA first step
      - text: ZEBRA second step
        feedback: KEYFB-steps second comes after first.
      - text: ZEBRA third step
      - text: ZEBRA fourth step
    explanation: KEYEXPLAIN-steps.
  - id: build
    type: build
    prompt: "Deploy `{arg:name}`."
    check: lambda_function
    args: {name: demo-fn}
    explanation: KEYEXPLAIN-build.
"""

SMALL_BANK = """
chapter: 97_small
title: Small bank
questions:
  - id: yes-no
    type: truefalse
    prompt: Water is wet.
    answer: true
    wrong_feedback: KEYFB-water is wet.
    explanation: KEYEXPLAIN-yes-no.
  - id: pick
    type: single
    shuffle: false
    prompt: Pick the first.
    options:
      - {text: ZEBRA-first, correct: true}
      - {text: Second, feedback: KEYFB-second.}
    explanation: KEYEXPLAIN-pick.
"""


def write_banks(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "98_demo.yaml").write_text(textwrap.dedent(DEMO_BANK).lstrip(), encoding="utf-8")
    (folder / "97_small.yaml").write_text(textwrap.dedent(SMALL_BANK).lstrip(), encoding="utf-8")
    return folder


def write_roster(path: Path, n: int, extra: str = "") -> Path:
    lines = ["id,name,email" + extra] + [f"s{i:03d},Student {i},s{i:03d}@example.edu" for i in range(1, n + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def payload_of(notebook: Path) -> str:
    """The ASSIGNMENT string of a released notebook, as its cell defines it."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    namespace: dict[str, Any] = {}
    data_cell = next(c for c in nb.cells if "assignment-data" in c.metadata.get("tags", []))
    exec(data_cell.source, namespace)  # the cell is one assignment; running it is what the kernel does
    return namespace["ASSIGNMENT"]


def variants_of(release: Any, quizzes: Path | None = None) -> dict[str, Any]:
    """question -> Variant for one StudentRelease (recomputed the instructor's way)."""
    from course_lib.quiz.bank import load_bank, quizzes_dir
    from course_lib.quiz.variants import variant

    folder = quizzes or quizzes_dir()
    out = {}
    for qid in release.questions:
        chapter, local = qid.split("/")
        out[qid] = variant(load_bank(folder / f"{chapter}.yaml").question(local), release.seed)
    return out


def display_key(v: Any) -> Any:
    """The right answer as the student records it (positions as shown, typed text)."""
    from course_lib.quiz.variants import format_answer

    q = v.question
    if q.type == "single":
        return v.order.index(next(i for i, o in enumerate(q.options) if o.correct)) + 1
    if q.type == "multiple":
        return [v.order.index(i) + 1 for i, o in enumerate(q.options) if o.correct]
    if q.type == "truefalse":
        return q.answer
    if q.type == "numeric":
        return format_answer(v.answer, q.unit, q.decimals)
    if q.type == "text":
        return q.accept[0]
    if q.type == "ordering":
        return [v.order.index(i) + 1 for i in range(len(q.items))]
    raise ValueError(q.type)


def display_wrong(v: Any) -> Any:
    """A wrong answer as the student records it."""
    q = v.question
    if q.type == "single":
        return v.order.index(next(i for i, o in enumerate(q.options) if not o.correct)) + 1
    if q.type == "multiple":
        return [v.order.index(next(i for i, o in enumerate(q.options) if not o.correct)) + 1]
    if q.type == "truefalse":
        return not q.answer
    if q.type == "numeric":
        return repr(v.answer * 7 + 1)
    if q.type == "text":
        return "certainly not this"
    if q.type == "ordering":
        return list(range(1, len(q.items) + 1))  # the starting order is never the solution
    raise ValueError(q.type)
