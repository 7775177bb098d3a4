"""Attempt rules and restoring where a learner left off, without widgets."""

from __future__ import annotations

from dataclasses import replace

from course_lib.quiz import MemoryStore, ProgressStore, QuizSession
from course_lib.quiz.session import QuestionState


def test_invalid_answers_use_no_attempt(demo_bank) -> None:  # type: ignore[no-untyped-def]
    s = QuizSession(demo_bank, store=MemoryStore())
    state = s.submit("cost", "")
    assert state.status == "invalid" and state.attempts == 0
    state = s.submit("cost", "not a number")
    assert state.attempts == 0


def test_attempts_run_out_and_reveal(demo_bank) -> None:  # type: ignore[no-untyped-def]
    s = QuizSession(demo_bank, store=MemoryStore())
    assert s.question("pick-one").attempts == 2  # the type's default
    first = s.submit("pick-one", "b")
    assert (first.attempts, first.done, first.score) == (1, False, 0.0)
    second = s.submit("pick-one", "c")
    assert second.done and second.status == "incorrect"
    after = s.submit("pick-one", "a")
    assert after == second  # a finished question is not graded again


def test_correct_scores_points_and_finishes(demo_bank) -> None:  # type: ignore[no-untyped-def]
    s = QuizSession(demo_bank, store=MemoryStore())
    state = s.submit("tf", False)
    assert state.done and state.score == 1.0
    assert s.score() == (1.0, 7.0)


def test_hints_are_revealed_one_by_one(demo_bank) -> None:  # type: ignore[no-untyped-def]
    s = QuizSession(demo_bank, store=MemoryStore())
    assert s.hint("pick-one") == "KEYHINT-pick-one"
    assert s.hint("pick-one") is None
    assert s.state("pick-one").hints_shown == 1


def test_progress_survives_a_new_session(demo_bank) -> None:  # type: ignore[no-untyped-def]
    QuizSession(demo_bank).submit("word", "handled")
    again = QuizSession(demo_bank)
    state = again.state("word")
    assert state.answer == "handled" and state.attempts == 1
    assert state.feedback == ("KEYFEEDBACK-word close but no.",)


def test_answer_for_another_variant_is_not_restored(demo_bank) -> None:  # type: ignore[no-untyped-def]
    store = ProgressStore()
    s = QuizSession(demo_bank, store=store)
    s.submit("cost", "1")
    saved = s.state("cost").to_json()
    store.save_question("ci-learner", "99_demo", "cost", dict(saved, variant="someone-else"))
    assert QuizSession(demo_bank, store=store).state("cost") == QuestionState(variant=s.variants["cost"].digest)


def test_malformed_saved_state_starts_fresh(demo_bank) -> None:  # type: ignore[no-untyped-def]
    store = ProgressStore()
    store.save_question("ci-learner", "99_demo", "tf", {"variant": "fixed", "attempts": "many"})
    store.save_question("ci-learner", "99_demo", "word", ["not", "a", "dict"])  # type: ignore[arg-type]
    s = QuizSession(demo_bank, store=store)
    assert s.state("tf") == QuestionState(variant="fixed")
    assert s.state("word") == QuestionState(variant="fixed")


def test_reset_forgets_only_this_chapter(demo_bank) -> None:  # type: ignore[no-untyped-def]
    store = ProgressStore()
    store.save_question("ci-learner", "00_start_here", "x", {})
    s = QuizSession(demo_bank, store=store)
    s.submit("tf", True)
    s.reset()
    assert s.state("tf").attempts == 0
    assert QuizSession(demo_bank, store=store).state("tf").attempts == 0
    assert store.chapter("ci-learner", "00_start_here") == {"x": {}}


def test_state_json_round_trip() -> None:
    state = QuestionState(answer=["a"], attempts=2, status="incorrect", feedback=("x",), variant="v")
    assert QuestionState.from_json(state.to_json(), "v") == state
    assert QuestionState.from_json(replace(state, done=True).to_json(), "v").done
