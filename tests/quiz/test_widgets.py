"""The widgets in plain pytest (no kernel): set a value, click, read the feedback back."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from course_lib.quiz import show_quiz
from course_lib.quiz.widgets import Quiz


def quiz(bank, **kwargs) -> Quiz:  # type: ignore[no-untyped-def]
    q = show_quiz(bank, display=False, **kwargs)
    assert isinstance(q, Quiz)
    return q


def test_set_value_click_read_feedback(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = quiz(demo_bank)
    view = q.question("pick-one")
    # Drive the real widgets, as a learner's browser would.
    view.input.index = view.input.options.index("Beta option")
    view.check_button.click()
    text = q.feedback("pick-one")
    assert text.startswith("✘ Not quite.")
    assert "KEYFEEDBACK-beta is wrong because of reasons." in text
    assert "1 attempt left." in text
    assert "KEYEXPLAIN" not in text
    view.input.index = view.input.options.index("Alpha option")
    view.check_button.click()
    text = q.feedback("pick-one")
    assert text.startswith("✔ Correct.") and "KEYEXPLAIN-pick-one." in text
    assert view.check_button.disabled and view.input.disabled
    assert "Score: 1 of 7 points" in q.score_html.value


def test_api_for_notebook_test_cells(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = quiz(demo_bank)
    q.answer("pick-many", ["One", "Three"])
    assert "KEYFEEDBACK-three is not right." in q.check("pick-many")
    q.answer("pick-many", ["a", "b"])
    assert q.check("pick-many").startswith("✔ Correct.")
    q.answer("tf", False)
    assert "Correct" in q.check("tf")
    q.answer("word", "Handled")
    assert "close but no" in q.check("word")
    q.answer("steps", ["First step", "Second step", "Third step", "Fourth step"])
    assert "Correct" in q.check("steps")
    with pytest.raises(ValueError, match="not an option"):
        q.answer("pick-one", "Delta option")
    with pytest.raises(KeyError, match="No question 'nope'"):
        q.answer("nope", 1)


@pytest.mark.parametrize("typed", ["", "abc", "1e999", "∞", "💸" * 3000, "12 MB"])
def test_bad_numeric_input_gets_friendly_feedback_and_keeps_attempts(demo_bank, typed: str) -> None:  # type: ignore[no-untyped-def]
    q = quiz(demo_bank)
    q.answer("cost", typed)
    text = q.check("cost")
    assert text.startswith("⚠ Not graded yet.")
    assert q.state("cost").attempts == 0
    assert not q.question("cost").check_button.disabled


def test_numeric_answer_in_the_widget(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = quiz(demo_bank)
    answer = q.session.variants["cost"].answer
    q.question("cost").input.value = f"${answer:,.2f}"
    q.question("cost").check_button.click()
    text = q.feedback("cost")
    assert text.startswith("✔ Correct.")
    assert f"KEYEXPLAIN-cost: ${answer:,.2f}." in text


def test_ordering_moves_with_buttons(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = quiz(demo_bank)
    view = q.question("steps")
    start = list(view.order_list.options)
    view.order_list.index = 0
    view.down_button.click()
    assert list(view.order_list.options) == [start[1], start[0], *start[2:]]
    assert view.order_list.index == 1
    view.up_button.click()
    assert list(view.order_list.options) == start
    view.order_list.index = 0
    view.up_button.click()  # already at the top: nothing moves
    assert list(view.order_list.options) == start


def test_hint_button(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = quiz(demo_bank)
    assert "KEYHINT" not in q.feedback("pick-one")
    assert "Hint 1. KEYHINT-pick-one" in " ".join(q.hint("pick-one").split("\n"))
    assert q.question("pick-one").hint_button.disabled
    assert q.question("tf").hint_button is None


def test_rerun_restores_answers_and_feedback(demo_bank) -> None:  # type: ignore[no-untyped-def]
    first = quiz(demo_bank)
    first.answer("cost", "123")
    first.check("cost")
    first.answer("pick-many", ["a", "c"])
    first.check("pick-many")
    first.answer("tf", False)
    first.check("tf")
    again = quiz(demo_bank)
    assert again.question("cost").input.value == "123"
    assert again.feedback("cost") == first.feedback("cost")
    assert [box.value for box in again.question("pick-many").input.children] == [box.value for box in first.question("pick-many").input.children]
    assert again.question("tf").input.index == 1 and again.question("tf").input.disabled
    assert again.score_html.value == first.score_html.value


def test_build_it_reports_a_stopped_sandbox(demo_bank) -> None:  # type: ignore[no-untyped-def]
    class Stopped:
        running = False

    q = quiz(demo_bank, sandbox=Stopped())
    assert q.question("build").check_button.description == "Check my sandbox"
    assert "The sandbox is not running" in q.check("build")
    with pytest.raises(ValueError, match="build-it"):
        q.answer("build", "x")


def test_rehearsal_leaves_progress_alone(demo_bank, course_home) -> None:  # type: ignore[no-untyped-def]
    q = quiz(demo_bank, rehearsal=True)
    q.answer("tf", True)
    q.check("tf")
    assert not (course_home / "progress.json").exists()
    assert q.key("tf") is False
    with pytest.raises(PermissionError):
        quiz(demo_bank).key("tf")


def test_repr_is_short_and_stable(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = quiz(demo_bank)
    text = q.view._repr_mimebundle_()["text/plain"]
    assert text == "Quiz: Demo quiz (7 questions; run the notebook to answer them)"
    q.answer("tf", True)
    q.check("tf")
    assert q.view._repr_mimebundle_()["text/plain"] == text


def test_keyboard_usable_and_theme_aware(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = quiz(demo_bank)
    for view in q.views.values():
        assert isinstance(view.check_button, widgets.Button) and view.check_button.description
        assert view.check_button.tabbable is not False
    assert q.question("cost").input.description == "Your answer:"
    q.answer("tf", True)
    q.check("tf")
    html = " ".join(w.value for w in _all(q.view) if isinstance(w, widgets.HTML))
    assert "var(--jp-" in html and 'aria-live="polite"' in html
    # No hard-coded page colours: backgrounds come from the theme, text colours are theme variables.
    squashed = html.replace(" ", "").lower()
    assert "background" not in squashed
    assert all(f"color:{c}" not in squashed for c in ("#fff", "#ffffff", "white", "#000", "black"))


def _all(widget):  # type: ignore[no-untyped-def]
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _all(child)


def test_broken_bank_shows_the_report_not_a_traceback(write_bank) -> None:  # type: ignore[no-untyped-def]
    path = write_bank("98_bad", "chapter: 98_bad\ntitle: x\nquestions: []\n")
    broken = show_quiz(path, display=False)
    assert "at least one question" in broken.view.value
    with pytest.raises(ValueError, match="at least one question"):
        broken.answer("x", 1)
