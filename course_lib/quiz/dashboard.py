"""The learner's progress across chapters: a table, a plot, and a reset.

    from course_lib.quiz import progress_dashboard, reset_progress
    progress_dashboard()              # per-chapter scores as a bar chart
    reset_progress("02_lambda")       # forget one chapter's answers (or every chapter: no argument)

Scores are read from the progress file through the same sessions the quiz uses, so an answer
saved against an older variant of a question does not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course_lib.quiz.bank import bank_paths, read_bank
from course_lib.quiz.progress import ProgressStore, learner_id
from course_lib.quiz.session import QuizSession


@dataclass(frozen=True)
class ChapterScore:
    chapter: str
    title: str
    earned: float
    possible: float
    finished: int
    questions: int

    @property
    def percent(self) -> float:
        return 100.0 * self.earned / self.possible if self.possible else 0.0


def chapter_scores(learner: str | None = None, store: Any = None, directory: Path | None = None) -> list[ChapterScore]:
    """One row per chapter bank, in chapter order (banks with problems are left out)."""
    learner = learner or learner_id()
    store = store if store is not None else ProgressStore()
    rows = []
    for path in bank_paths(directory):
        bank, _ = read_bank(path)
        if bank is None:
            continue
        session = QuizSession(bank, learner=learner, store=store)
        earned, possible = session.score()
        finished = sum(1 for s in session.states.values() if s.done)
        rows.append(ChapterScore(bank.chapter, bank.title, earned, possible, finished, len(bank.questions)))
    return rows


def progress_table(rows: list[ChapterScore]) -> str:
    """A plain-text table (for ``course progress`` and for readers without plots)."""
    if not rows:
        return "No quiz banks found."
    width = max(len(r.chapter) for r in rows)
    lines = [f"{'chapter'.ljust(width)}  score         finished"]
    for r in rows:
        lines.append(f"{r.chapter.ljust(width)}  {r.earned:>4g} / {r.possible:<4g}  {r.finished:>3} of {r.questions}")
    return "\n".join(lines)


def progress_dashboard(learner: str | None = None, store: Any = None, directory: Path | None = None) -> Any:
    """Per-chapter scores as a horizontal bar chart (a matplotlib ``Figure``)."""
    import matplotlib.pyplot as plt

    rows = chapter_scores(learner, store, directory)
    # Made through pyplot, which sets up the notebook's PNG formatter for figures, then handed
    # back to the caller only (closed in pyplot), so it is drawn once: as the cell's value.
    fig, ax = plt.subplots(figsize=(7.0, 0.55 * max(len(rows), 1) + 1.4), layout="constrained")
    plt.close(fig)
    labels = [_chapter_label(r) for r in rows]
    ax.barh(labels, [100.0] * len(rows), color="#e0e0e0", label="points available")
    ax.barh(labels, [r.percent for r in rows], color="#2e7d32", label="points earned")
    for y, r in enumerate(rows):
        ax.text(101, y, f"{r.earned:g}/{r.possible:g} pts, {r.finished}/{r.questions} done", va="center", fontsize=9)
    ax.set_xlim(0, 150)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("score (% of the chapter's points)")
    ax.invert_yaxis()  # chapter 00 on top, like the table of contents
    ax.set_title("Your quiz progress")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def _chapter_label(row: ChapterScore) -> str:
    """The chapter as the course names it everywhere (``course_lib.chapters``), else the bank's title."""
    from course_lib import chapters

    try:
        chapter = chapters.by_stem(row.chapter)
    except KeyError:
        return f"{row.chapter[:2]} {row.title}"
    return f"{chapter.number:02d} {chapter.title}"


def reset_progress(chapter: str | None = None, *, learner: str | None = None, store: Any = None) -> str:
    """Forget a chapter's answers (all chapters when ``chapter`` is None). Returns what was done.

    Variants do not change: they depend on the learner id only. Re-run the quiz cell afterwards.
    """
    learner = learner or learner_id()
    store = store if store is not None else ProgressStore()
    removed = store.reset(learner, chapter)
    where = f"chapter {chapter}" if chapter else "every chapter"
    return f"Reset {where}: {removed} saved answer{'s' if removed != 1 else ''} removed. Re-run the quiz cell to start again."
