"""`course check`: passes on the real banks, fails with a clear report on broken ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_lib.cli import main
from course_lib.quiz import checks, load_bank
from course_lib.quiz.audit import SEEDS

QUIZZES = Path(__file__).resolve().parents[2] / "quizzes"


def real_banks() -> dict[str, int]:
    """Every bank file in quizzes/ and its number of questions (chapters are still being added)."""
    return {p.stem: len(load_bank(p).questions) for p in sorted(QUIZZES.glob("*.yaml"))}


def parameterised(stem: str) -> int:
    return sum(1 for q in load_bank(stem).questions if q.params)


def test_course_check_passes_on_the_real_banks(capsys: pytest.CaptureFixture[str]) -> None:
    banks = real_banks()
    assert {"00_start_here", "02_lambda"} <= set(banks)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    # One "ok" line per bank file, each with every question checked for every seed.
    for stem, questions in banks.items():
        line = re.search(rf"^ok   \S*{stem}\.yaml: (\d+) questions, (\d+) variants checked", out, re.M)
        assert line, f"{stem} missing from the report:\n{out}"
        assert int(line[1]) == questions and int(line[2]) == questions * SEEDS
        if parameterised(stem):
            assert f"variants checked ({parameterised(stem)} parameterised" in out.split(f"{stem}.yaml: ")[1].splitlines()[0]
    assert re.search(r"02_lambda\.yaml: .*\d+ build checks? run\)", out), out  # build checks really run
    assert out.rstrip().splitlines()[-1].startswith(f"All {len(banks)} quiz banks are sound")


HEADER = "chapter: {chapter}\ntitle: Broken\nquestions:\n"


def run_check(write_bank, chapter: str, questions: str, capsys: pytest.CaptureFixture[str]) -> str:  # type: ignore[no-untyped-def]
    path = write_bank(chapter, HEADER.format(chapter=chapter) + questions)
    code = main(["check", "--quizzes", str(path.parent), "--seeds", "5"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "FAILED" in out
    return out


def test_a_mistake_equal_to_the_answer_is_caught(write_bank, capsys) -> None:  # type: ignore[no-untyped-def]
    out = run_check(
        write_bank,
        "10_same",
        """
  - id: cost
    type: numeric
    prompt: "Cost of {param:requests} requests?"
    params: {requests: {values: [1000000, 2000000]}}
    answer: {formula: lambda_monthly_cost, args: {duration_ms: 100, memory_mb: 128}}
    unit: USD
    tolerance: {absolute: 0.01}
    mistakes:
      - formula: lambda_monthly_cost
        args: {duration_ms: 100, memory_mb: 128}
        feedback: Not this.
    explanation: "It is {answer}."
""",
        capsys,
    )
    assert "line 5, question 'cost': mistake 1 (formula lambda_monthly_cost)" in out
    assert "should be marked wrong but is correct" in out


def test_a_known_wrong_answer_that_the_key_accepts_is_caught(write_bank, capsys) -> None:  # type: ignore[no-untyped-def]
    out = run_check(
        write_bank,
        "11_text",
        """
  - id: word
    type: text
    prompt: Which word?
    accept: [Unhandled]
    patterns: ['.*handled']
    wrong:
      - accept: [Handled]
        feedback: Close.
    explanation: Unhandled.
""",
        capsys,
    )
    assert "wrong answer 'Handled'" in out and "is correct" in out


def test_an_answer_as_written_that_is_not_accepted_is_caught(write_bank, capsys) -> None:  # type: ignore[no-untyped-def]
    out = run_check(
        write_bank,
        "12_written",
        """
  - id: price
    type: numeric
    prompt: Price?
    answer: {fact: lambda.prices.request_per_million}
    unit: USD
    decimals: 0
    explanation: "{answer}"
""",
        capsys,
    )
    assert "the answer as explanations write it ($0) is not accepted" in out


def test_a_formula_failing_for_some_draw_is_caught(write_bank, capsys) -> None:  # type: ignore[no-untyped-def]
    out = run_check(
        write_bank,
        "13_draw",
        """
  - id: cost
    type: numeric
    prompt: "Memory {param:memory_mb} MB?"
    params: {memory_mb: {values: [99999999]}}
    answer: {formula: lambda_monthly_cost, args: {requests: 1, duration_ms: 1}}
    explanation: Yes.
""",
        capsys,
    )
    assert "variant for learner 'seed-000' fails: PricingInputError" in out


def test_a_build_check_that_never_passes_is_caught(write_bank, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def inspect(sandbox, name: str):  # type: ignore[no-untyped-def]
        return [checks.CheckItem(False, f"{name} is never there")]

    monkeypatch.setitem(checks.CHECKS, "never", checks.BuildCheck("never", inspect, lambda sandbox, name: None))
    out = run_check(
        write_bank,
        "14_build",
        """
  - id: build
    type: build
    prompt: Build it.
    check: never
    args: {name: thing}
    explanation: Yes.
""",
        capsys,
    )
    assert "check never does not pass on its reference solution: thing is never there" in out


def test_schema_problems_fail_the_check(write_bank, capsys) -> None:  # type: ignore[no-untyped-def]
    out = run_check(write_bank, "15_schema", "  - id: Bad Id\n    type: single\n", capsys)
    assert "15_schema.yaml: " in out and "lower-case letters" in out and "field 'prompt': missing" in out


def test_empty_folder_fails(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["check", "--quizzes", str(tmp_path)]) == 1
    assert "no quiz banks" in capsys.readouterr().out


def test_cli_needs_a_subcommand(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_:
        main([])
    assert exit_.value.code == 2


def test_progress_and_reset_commands(capsys) -> None:  # type: ignore[no-untyped-def]
    from course_lib.quiz import QuizSession

    QuizSession("00_start_here").submit("progress-survives", False)
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    assert "Learner ci-learner" in out and re.search(r"^00_start_here +1 / 5 ", out, re.M), out
    assert all(re.search(rf"^{stem} ", out, re.M) for stem in real_banks()), out  # no chapter dropped
    assert main(["reset"]) == 2
    assert main(["reset", "--chapter", "00_start_here"]) == 0
    assert "1 saved answer removed" in capsys.readouterr().out
