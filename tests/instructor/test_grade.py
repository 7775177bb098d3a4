"""``course grade``: right marks, item statistics, feedback; deterministic, atomic, read-only inputs."""

from __future__ import annotations

import csv
import io
import os
import statistics
from pathlib import Path

import pytest
from instructor_support import display_key, display_wrong, payload_of, variants_of

from course_lib.cli import main
from course_lib.instructor.common import InstructorError, ProgressBar
from course_lib.instructor.grade import grade
from course_lib.instructor.manifest import load_manifest
from course_lib.instructor.stats import item_statistics, pearson
from course_lib.instructor.submissions import Assignment
from course_lib.quiz.progress import MemoryStore


def hand_in(tmp_path: Path, quizzes: Path, answers: dict[str, str]) -> Path:
    """answers: student -> 'right' | 'wrong' | 'blank-some' | 'typed-wrong'; returns the inbox."""
    manifest = load_manifest(tmp_path / "hw1.manifest.json")
    inbox = tmp_path / "inbox"
    for sid, how in answers.items():
        a = Assignment(payload_of(tmp_path / "release" / f"hw1-{sid}.ipynb"), store=MemoryStore(), folder=inbox)
        for i, (qid, v) in enumerate(variants_of(manifest.by_student()[sid], quizzes).items()):
            if how == "blank-some" and i % 2:
                continue
            if how == "typed-wrong" and v.question.type == "numeric":
                a.answer(qid, "about three dollars")
                continue
            a.answer(qid, display_wrong(v) if how in ("wrong", "typed-wrong") else display_key(v))
        a.make_submission()
    return inbox


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def test_marks_feedback_and_statuses(tmp_path: Path, released, quizzes: Path) -> None:  # type: ignore[no-untyped-def]
    released(5)
    inbox = hand_in(tmp_path, quizzes, {"s001": "right", "s002": "wrong", "s003": "blank-some", "s004": "typed-wrong"})
    run = grade(inbox, tmp_path / "hw1.manifest.json", tmp_path / "grades", quiet=True)
    book = {r["student_id"]: r for r in read_csv(tmp_path / "grades" / "gradebook.csv")}
    assert list(book) == ["s001", "s002", "s003", "s004", "s005"]  # every roster student, roster order
    assert (book["s001"]["status"], book["s001"]["score"], book["s001"]["max_score"], book["s001"]["percent"]) == ("graded", "6", "6", "100.0")
    assert (book["s002"]["score"], book["s002"]["answered"]) == ("0", "6")
    assert (book["s003"]["score"], book["s003"]["answered"]) == ("3", "3")
    assert book["s004"]["score"] == "0"
    assert (book["s005"]["status"], book["s005"]["score"], book["s005"]["percent"]) == ("missing", "", "")
    assert book["s001"]["98_demo/cost"] == "1" and book["s002"]["98_demo/cost"] == "0"

    results = {r.student.id: r for r in run.results}
    assert [q.status for q in results["s003"].questions] == ["correct", "unanswered"] * 3
    typed = next(q for q in results["s004"].questions if q.qid == "98_demo/cost")
    assert typed.status == "unreadable" and typed.earned == 0

    wrong = (tmp_path / "grades" / "feedback" / "s002.md").read_text()
    assert "**Score: 0 of 6 points (0%).**" in wrong
    assert "**Your answer:** Beta option" in wrong or "**Your answer:** Gamma option" in wrong or "**Your answer:** Delta option" in wrong
    assert "KEYFB-" in wrong and "KEYEXPLAIN-pick-one." in wrong and "KEYEXPLAIN-steps." in wrong
    assert "Everything is right" in (tmp_path / "grades" / "feedback" / "s001.md").read_text()
    assert "no submission file" in (tmp_path / "grades" / "feedback" / "s005.md").read_text()
    blanks = (tmp_path / "grades" / "feedback" / "s003.md").read_text()
    assert "(no answer, 0 of 1 point)" in blanks and "You did not answer this question." in blanks


def test_item_statistics_match_a_hand_computation() -> None:
    qids = ["a", "b", "c"]
    rows = [
        {"a": (1.0, True, ["x"]), "b": (0.0, True, ["y"]), "c": (2.0, True, [])},
        {"a": (1.0, True, ["x"]), "b": (1.0, True, ["x"]), "c": (0.0, True, [])},
        {"a": (0.0, True, ["y"]), "b": (0.0, False, ["(no answer)"]), "c": (2.0, True, [])},
        {"a": (1.0, True, ["x"]), "b": (1.0, True, ["x"]), "c": (2.0, True, [])},
    ]
    stats = item_statistics(qids, {q: "single" for q in qids}, {"a": 1, "b": 1, "c": 2}, rows)
    totals = [3.0, 2.0, 2.0, 4.0]
    a_scores = [1.0, 1.0, 0.0, 1.0]
    assert stats["a"].difficulty == pytest.approx(0.75)
    assert stats["c"].difficulty == pytest.approx(0.75)  # shares of its 2 points
    assert stats["a"].point_biserial_total == pytest.approx(statistics.correlation(a_scores, totals))
    assert stats["a"].discrimination == pytest.approx(statistics.correlation(a_scores, [t - a for t, a in zip(totals, a_scores)]))
    assert stats["b"].answered == 3 and stats["b"].choices == {"y": 1, "x": 2, "(no answer)": 1}
    assert pearson([1, 1, 1], [1, 2, 3]) is None and pearson([1], [2]) is None  # undefined, not a crash
    c_shares = [1.0, 0.0, 1.0, 1.0]
    assert stats["c"].discrimination == pytest.approx(statistics.correlation(c_shares, [1.0, 2.0, 0.0, 2.0]))
    assert stats["c"].discrimination < 0 and "negative discrimination" in stats["c"].note


def test_distractor_table_counts_choices(tmp_path: Path, released, quizzes: Path) -> None:  # type: ignore[no-untyped-def]
    released(4)
    inbox = hand_in(tmp_path, quizzes, {"s001": "right", "s002": "wrong", "s003": "wrong", "s004": "right"})
    grade(inbox, tmp_path / "hw1.manifest.json", tmp_path / "grades", quiet=True)
    rows = [r for r in read_csv(tmp_path / "grades" / "distractors.csv") if r["question"] == "98_demo/pick-one"]
    counts = {r["choice"]: int(r["count"]) for r in rows}
    assert counts["a"] == 2  # the right option ("a": first in the bank)
    assert counts["b"] == 2  # display_wrong picks the first wrong option of the bank
    assert {r["choice"]: r["correct"] for r in rows}["a"] == "yes"
    items = {r["question"]: r for r in read_csv(tmp_path / "grades" / "items.csv")}
    assert items["98_demo/pick-one"]["difficulty"] == "0.500"
    assert float(items["98_demo/pick-one"]["discrimination"]) == pytest.approx(1.0)
    tf = {r["choice"]: int(r["count"]) for r in read_csv(tmp_path / "grades" / "distractors.csv") if r["question"] == "98_demo/tf"}
    assert tf == {"true": 2, "false": 2, "(no answer)": 0, "(unreadable)": 0}


def tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), os.stat(p).st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_rerun_identical_inputs_untouched_outputs_atomic(tmp_path: Path, released, quizzes: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    released(6)
    inbox = hand_in(tmp_path, quizzes, {"s001": "right", "s002": "wrong", "s003": "blank-some", "s004": "right"})
    before = tree(inbox)
    grade(inbox, tmp_path / "hw1.manifest.json", tmp_path / "one", quiet=True)
    grade(inbox, tmp_path / "hw1.manifest.json", tmp_path / "two", quiet=True)
    assert tree(inbox) == before  # nothing under submissions/ modified
    one = {k: v[0] for k, v in tree(tmp_path / "one").items()}
    assert one == {k: v[0] for k, v in tree(tmp_path / "two").items()}  # byte-identical, PNGs included
    assert {"gradebook.csv", "items.csv", "distractors.csv", "problems.csv", "scores.png", "item_difficulty.png",
            "grades.json", "summary.md", "feedback/s006.md"} <= set(one)
    assert one["scores.png"].startswith(b"\x89PNG")

    # A run that fails half-way leaves the previous gradebook whole, and no temporary files.
    from course_lib.instructor import plots

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(plots, "item_difficulty", broken)
    (inbox / "hw1-s002.submission.json").unlink()
    with pytest.raises(RuntimeError):
        grade(inbox, tmp_path / "hw1.manifest.json", tmp_path / "one", quiet=True)
    assert (tmp_path / "one" / "gradebook.csv").read_bytes() == one["gradebook.csv"]
    assert not [p for p in (tmp_path / "one").rglob("*") if p.name.endswith(".tmp")]


def test_fatal_problems_are_reported_not_raised(tmp_path: Path, released, quizzes: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    released(2)
    inbox = hand_in(tmp_path, quizzes, {"s001": "right"})
    manifest = str(tmp_path / "hw1.manifest.json")
    assert main(["grade", str(inbox), "--manifest", manifest, "--out", str(inbox / "grades")]) == 1
    assert "inside the submissions folder" in capsys.readouterr().err
    assert main(["grade", str(tmp_path / "nowhere"), "--manifest", manifest, "--out", str(tmp_path / "g")]) == 1
    assert "no such folder" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "course-manifest/1", "assignment"')
    assert main(["grade", str(inbox), "--manifest", str(broken), "--out", str(tmp_path / "g")]) == 1
    err = capsys.readouterr().err
    assert "broken.json" in err and "not valid JSON" in err and "Traceback" not in err
    assert main(["grade", str(inbox), "--manifest", manifest, "--out", str(tmp_path / "g"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "hw1: 1 of 2 students graded, 1 missing." in out and "gradebook.csv" in out


def test_a_bank_changed_since_the_release_stops_grading(tmp_path: Path, released, quizzes: Path) -> None:  # type: ignore[no-untyped-def]
    released(3)
    inbox = hand_in(tmp_path, quizzes, {"s001": "right", "s002": "right"})
    bank = quizzes / "98_demo.yaml"
    bank.write_text(bank.read_text().replace("duration_ms: 987", "duration_ms: 988"))  # every cost answer moves
    with pytest.raises(InstructorError) as err:
        grade(inbox, tmp_path / "hw1.manifest.json", tmp_path / "grades", quiet=True)
    assert "98_demo/cost is marked differently for 2 students" in str(err.value)
    assert not (tmp_path / "grades").exists()
    run = grade(inbox, tmp_path / "hw1.manifest.json", tmp_path / "grades", allow_bank_changes=True, quiet=True)
    assert any("graded with today's keys" in n for n in run.notes)
    assert any("98_demo.yaml changed since hw1 was released" in n for n in run.notes)


def test_progress_bar_plain_and_terminal() -> None:
    log = io.StringIO()
    bar = ProgressBar(200, "grading", stream=log)
    for _ in range(200):
        bar.advance()
    assert log.getvalue().splitlines() == [f"grading: {n}/200 ({n // 2}%)" for n in (50, 100, 150, 200)]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = ProgressBar(60, "grading", stream=screen)
    for _ in range(60):
        bar.advance()
    assert screen.getvalue().endswith("\rgrading [##############################] 60/60\n")
    quiet = io.StringIO()
    ProgressBar(500, "grading", stream=quiet, enabled=False).finish()
    ProgressBar(10, "grading", stream=quiet).finish()  # short runs print nothing
    assert quiet.getvalue() == ""
