"""Fixtures for the quiz tests: a private course home per test, and bank files written on the fly."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest


@pytest.fixture(autouse=True)
def course_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty COURSE_HOME and the CI learner id."""
    home = tmp_path / "home"
    monkeypatch.setenv("COURSE_HOME", str(home))
    monkeypatch.setenv("COURSE_LEARNER_ID", "ci-learner")
    return home


@pytest.fixture
def write_bank(tmp_path: Path) -> Callable[[str, str], Path]:
    """write_bank("02_demo", yaml_text) -> path of quizzes/02_demo.yaml in a temp folder."""
    folder = tmp_path / "quizzes"
    folder.mkdir()

    def write(chapter: str, body: str) -> Path:
        path = folder / f"{chapter}.yaml"
        path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
        return path

    return write


# One question of every type, with sentinel strings in everything a browser must never see.
DEMO_BANK = """
chapter: 99_demo
title: Demo quiz
questions:
  - id: pick-one
    type: single
    prompt: Which one is the SENTINEL-free right option?
    options:
      - text: Alpha option
        correct: true
        feedback: KEYFEEDBACK-alpha is right.
      - text: Beta option
        feedback: KEYFEEDBACK-beta is wrong because of reasons.
      - text: Gamma option
        feedback: KEYFEEDBACK-gamma is wrong too.
    explanation: KEYEXPLAIN-pick-one.
    hints: [KEYHINT-pick-one]
  - id: pick-many
    type: multiple
    prompt: Tick the right ones.
    options:
      - {text: One, correct: true}
      - {text: Two, correct: true}
      - {text: Three, feedback: KEYFEEDBACK-three is not right.}
      - {text: Four, feedback: KEYFEEDBACK-four is not right.}
    explanation: KEYEXPLAIN-pick-many.
  - id: tf
    type: truefalse
    prompt: The sky is green.
    answer: false
    wrong_feedback: KEYFEEDBACK-tf the sky is not green.
    explanation: KEYEXPLAIN-tf.
  - id: cost
    type: numeric
    prompt: "What does it cost for {param:requests} requests?"
    params:
      requests: {values: [1000000, 2000000, 3000000, 4000000]}
    answer: {formula: lambda_monthly_cost, args: {duration_ms: 987, memory_mb: 1234}}
    unit: USD
    tolerance: {absolute: 0.01}
    mistakes:
      - formula: lambda_cost_requests_only
        args: {duration_ms: 987, memory_mb: 1234}
        feedback: KEYFEEDBACK-cost only the request charge.
    explanation: "KEYEXPLAIN-cost: {answer}."
  - id: word
    type: text
    prompt: Name the field.
    accept: [Zyzzogeton]
    patterns: ['zyzz+ogeton']
    wrong:
      - accept: [Handled]
        feedback: KEYFEEDBACK-word close but no.
    explanation: KEYEXPLAIN-word.
  - id: steps
    type: ordering
    prompt: Order the steps.
    items:
      - text: First step
      - text: Second step
        feedback: KEYFEEDBACK-steps second comes after first.
      - text: Third step
      - text: Fourth step
    explanation: KEYEXPLAIN-steps.
  - id: build
    type: build
    prompt: "Deploy `{arg:name}` with {arg:memory_mb} MB."
    check: lambda_function
    args: {name: demo-fn, memory_mb: 256, environment: {GREETING: hello}}
    explanation: KEYEXPLAIN-build.
"""


@pytest.fixture
def demo_bank(write_bank: Callable[[str, str], Path]):  # type: ignore[no-untyped-def]
    from course_lib.quiz import load_bank

    return load_bank(write_bank("99_demo", DEMO_BANK))
