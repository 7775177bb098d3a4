"""The progress dashboard (a plot per chapter) and the reset."""

from __future__ import annotations

import re
from pathlib import Path

from course_lib.chapters import CHAPTERS
from course_lib.quiz import QuizSession, chapter_scores, progress_dashboard, reset_progress
from course_lib.quiz.dashboard import progress_table

QUIZZES = Path(__file__).resolve().parents[2] / "quizzes"
# The chapters that have a bank file, in course order: the dashboard must show every one of
# them (a bank that fails to load, or a chapter dropped, fails these tests).
WITH_BANKS = [c for c in CHAPTERS if (QUIZZES / f"{c.stem}.yaml").exists()]


def test_scores_per_chapter_follow_saved_progress() -> None:
    rows = {r.chapter: r for r in chapter_scores()}
    assert rows["02_lambda"].earned == 0 and rows["02_lambda"].possible == 13
    QuizSession("02_lambda").submit("max-timeout", "15 min")
    QuizSession("02_lambda").submit("init-billed", True)  # wrong, and its only attempt
    row = {r.chapter: r for r in chapter_scores()}["02_lambda"]
    assert (row.earned, row.finished) == (1, 2)
    assert round(row.percent, 1) == 7.7
    table = progress_table(chapter_scores())
    assert re.search(r"^02_lambda +1 / 13 +2 of 13$", table, re.M), table
    assert [line.split()[0] for line in table.splitlines()[1:]] == [c.stem for c in WITH_BANKS]


def test_dashboard_is_a_figure_with_one_bar_per_chapter() -> None:
    QuizSession("00_start_here").submit("progress-survives", False)
    fig = progress_dashboard()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert {"00 Start here", "02 AWS Lambda"} <= set(labels)
    assert labels == [f"{c.number:02d} {c.title}" for c in WITH_BANKS]  # named as in course_lib.chapters
    earned = [p.get_width() for p in ax.patches[len(labels):]]
    assert earned == [20.0] + [0.0] * (len(labels) - 1)  # 1 of chapter 00's 5 points
    assert repr(fig).startswith("<Figure size 700x")


def test_reset_one_chapter() -> None:
    QuizSession("00_start_here").submit("progress-survives", False)
    QuizSession("02_lambda").submit("max-timeout", "900")
    assert reset_progress("00_start_here") == "Reset chapter 00_start_here: 1 saved answer removed. Re-run the quiz cell to start again."
    rows = {r.chapter: r.earned for r in chapter_scores()}
    assert rows == {c.stem: 1 if c.stem == "02_lambda" else 0 for c in WITH_BANKS}
    assert reset_progress().startswith("Reset every chapter: 1 saved answer removed")
