"""Quizzes that teach: a YAML bank, per-learner variants, pure graders, widgets, saved progress.

The path through the package (each module's docstring says more)::

    quizzes/NN_slug.yaml -> bank (schema, one clear report) -> model (question types)
      -> variants (seeded numbers, answers from course_lib.pricing/facts) -> grading (pure)
      -> session (attempt rules) -> widgets (feedback the kernel reads back) -> progress (atomic JSON)

In a notebook::

    from course_lib.quiz import show_quiz, progress_dashboard, reset_progress
    quiz = show_quiz("02_lambda")

Headless (tests, instructor tools)::

    from course_lib.quiz import load_bank, variant, grade
    bank = load_bank("02_lambda")
    v = variant(bank.question("max-timeout"), "ada")
    grade(v, "15 min").status        # 'correct'

``course check`` (``audit``) proves every bank sound; ``quizzes/SCHEMA.md`` describes the YAML.
"""

from course_lib.quiz.bank import BankError, Problem, load_bank, quizzes_dir, read_bank
from course_lib.quiz.dashboard import chapter_scores, progress_dashboard, reset_progress
from course_lib.quiz.grading import Grade, grade
from course_lib.quiz.model import Bank, Question
from course_lib.quiz.progress import MemoryStore, ProgressStore, course_home, learner_id
from course_lib.quiz.session import QuestionState, QuizSession, rehearsal
from course_lib.quiz.variants import Variant, variant
from course_lib.quiz.widgets import Quiz, show_quiz

__all__ = [
    "Bank",
    "BankError",
    "Grade",
    "MemoryStore",
    "Problem",
    "ProgressStore",
    "QuestionState",
    "Question",
    "Quiz",
    "QuizSession",
    "Variant",
    "chapter_scores",
    "course_home",
    "grade",
    "learner_id",
    "load_bank",
    "progress_dashboard",
    "quizzes_dir",
    "read_bank",
    "rehearsal",
    "reset_progress",
    "show_quiz",
    "variant",
]
