"""The bank loader: the real banks load, and a broken file gives one report naming every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_lib.quiz import BankError, load_bank
from course_lib.quiz.bank import bank_paths, read_bank
from course_lib.quiz.model import BuildIt, MultipleSelect, Numeric, Ordering, ShortText, SingleChoice, TrueFalse

QUIZZES = Path(__file__).resolve().parents[2] / "quizzes"


def test_real_banks_load() -> None:
    # Expected banks come from the files themselves (chapters are still being added), so this
    # fails when a bank file is skipped, is not named after a chapter, or does not load.
    from course_lib.chapters import CHAPTERS

    on_disk = sorted(p.stem for p in QUIZZES.glob("*.yaml"))
    assert {"00_start_here", "02_lambda"} <= set(on_disk)
    chapter_stems = [c.stem for c in CHAPTERS]
    assert [s for s in on_disk if s not in chapter_stems] == [], "every bank is named after a chapter"
    assert [p.stem for p in bank_paths()] == [s for s in chapter_stems if s in on_disk]  # chapter order
    for stem in on_disk:
        bank = load_bank(stem)  # raises BankError naming every problem
        assert bank.chapter == stem and len(bank.questions) >= 1, stem
    start = load_bank("00_start_here")
    assert 3 <= len(start.questions) <= 5
    lam = load_bank("02_lambda")
    assert len(lam.questions) >= 8
    kinds = {type(q) for q in lam.questions}
    assert {SingleChoice, MultipleSelect, TrueFalse, Numeric, ShortText, Ordering, BuildIt} <= kinds
    assert any(q.params for q in lam.questions)


def problems_of(path: Path) -> list[str]:
    bank, problems = read_bank(path)
    assert bank is None
    return [str(p) for p in problems]


def test_every_problem_in_one_report_with_line_question_and_field(write_bank) -> None:  # type: ignore[no-untyped-def]
    path = write_bank(
        "03_broken",
        """
        chapter: 03_broken
        title: Broken
        questions:
          - id: first
            type: single
            prompt: Pick.
            options:
              - text: Right
                correct: true
              - text: Wrong without feedback
            explanation: Because.
          - id: second
            type: numeric
            prompt: It is 900 seconds.
            answer: {fact: lambda.limits.no_such_fact}
            explaination: typo
          - id: first
            type: text
            prompt: Type it.
            accept: [x]
            patterns: ['(unclosed']
            explanation: Yes.
          - id: fourth
            type: singel
            prompt: Which?
            explanation: That.
        """,
    )
    with pytest.raises(BankError) as caught:
        load_bank(path)
    report = str(caught.value)
    problems = caught.value.problems
    assert report.splitlines()[0].endswith("03_broken.yaml: 8 problems")
    by_field = {(p.question, p.field): p for p in problems}
    assert by_field[("first", "options[1].feedback")].line == 10
    assert "why it is wrong" in by_field[("first", "options[1].feedback")].message
    assert by_field[("second", "answer.fact")].line == 15
    assert "No fact named 'lambda.limits.no_such_fact'" in by_field[("second", "answer.fact")].message
    assert "did you mean 'explanation'" in by_field[("second", "explaination")].message
    assert ("second", "explanation") in by_field  # the real field is still missing
    assert "hand-typed number '900'" in by_field[("second", "prompt")].message
    assert "duplicate id" in by_field[("first", "id")].message and by_field[("first", "id")].line == 17
    assert "not a valid regular expression" in by_field[("first", "patterns[0]")].message
    assert "did you mean 'single'" in by_field[("fourth", "type")].message
    # Every line of the report names a line number: nothing is a bare traceback.
    assert all(line.strip().startswith("line ") for line in report.splitlines()[1:])


def test_yaml_syntax_error_is_reported_with_its_line(write_bank) -> None:  # type: ignore[no-untyped-def]
    path = write_bank("04_syntax", "chapter: 04_syntax\ntitle: x\nquestions:\n  - id: a\n    prompt: a: b: c\n")
    (problem,) = problems_of(path)
    assert problem.startswith("line 5: YAML syntax")


def test_duplicate_keys_are_reported(write_bank) -> None:  # type: ignore[no-untyped-def]
    path = write_bank(
        "05_dup",
        """
        chapter: 05_dup
        title: x
        questions:
          - id: a
            type: truefalse
            prompt: One.
            prompt: Two.
            answer: true
            wrong_feedback: No.
            explanation: Yes.
        """,
    )
    assert problems_of(path) == ["line 7, field 'questions[0].prompt': duplicate key: YAML keeps only the last one"]


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("type: single\n    options:\n      - {text: A, correct: true}\n      - {text: B, correct: true, feedback: x}", "exactly one correct option, found 2"),
        ("type: multiple\n    options:\n      - {text: A, correct: true}\n      - {text: B, correct: true}", "every option is correct"),
        ("type: truefalse\n    answer: maybe\n    wrong_feedback: x", "must be true or false"),
        ("type: numeric\n    answer: {formula: no_such_formula}", "unknown formula 'no_such_formula'"),
        ("type: numeric\n    answer: {formula: lambda_monthly_cost}", "needs requests, duration_ms, memory_mb"),
        ("type: numeric\n    answer: 3\n    unit: furlongs", "unknown unit 'furlongs'"),
        ("type: numeric\n    answer: 3\n    tolerance: {absolute: -1}", "at least 0"),
        ("type: ordering\n    items: [only one]", "at least two steps"),
        ("type: ordering\n    items: [same, same]", "same text"),
        ("type: build\n    check: lambda_functon\n    args: {name: x}", "did you mean 'lambda_function'"),
        ("type: build\n    check: lambda_function\n    args: {memory: 3}", "takes no argument 'memory'"),
        ("type: build\n    check: lambda_function\n    args: {memory: 3}", "needs the argument 'name'"),
        ("type: single\n    attempts: 0\n    options:\n      - {text: A, correct: true}\n      - {text: B, feedback: x}", "at least 1"),
        ("type: text\n    accept: [x]\n    hints: ['{param:nope}']", "no parameter 'nope'"),
        ("type: text\n    accept: [x]\n    hints: ['{answer}']", "only works in numeric questions"),
    ],
)
def test_schema_rules(write_bank, snippet: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = write_bank("06_rules", f"chapter: 06_rules\ntitle: x\nquestions:\n  - id: q\n    prompt: P.\n    explanation: E.\n    {snippet}\n")
    found = problems_of(path)
    assert any(expected in p for p in found), found


def test_chapter_must_match_file_and_top_level_is_checked(write_bank) -> None:  # type: ignore[no-untyped-def]
    path = write_bank("07_name", "chapter: 08_other\ntitel: x\nquestions: []\n")
    found = problems_of(path)
    assert any("must match" in p for p in found)
    assert any("did you mean 'title'" in p for p in found)
    assert any("at least one question" in p for p in found)


def test_unreadable_files(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "09_missing.yaml") == ["file not found"]
    (tmp_path / "10_list.yaml").write_text("- just\n- a list\n")
    assert "must be a mapping" in problems_of(tmp_path / "10_list.yaml")[0]
    (tmp_path / "11_binary.yaml").write_bytes(b"\xff\xfe\x00")
    assert "cannot be read" in problems_of(tmp_path / "11_binary.yaml")[0]
