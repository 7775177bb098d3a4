"""Nothing the browser receives contains a key: not widget state, not the DOM, not outputs.

Every widget's full state (what ipywidgets sends to the browser and what a saved notebook
stores) is collected after rendering a quiz, and after a wrong answer, and searched for every
key, every explanation and every feedback the learner has not earned yet.
"""

from __future__ import annotations

import json

import ipywidgets as widgets
import pytest

from course_lib.quiz import show_quiz
from course_lib.quiz import text as qtext
from course_lib.quiz.model import MultipleSelect, Numeric, Ordering, ShortText, SingleChoice
from course_lib.quiz.variants import format_answer


def browser_state() -> str:
    """Everything every live widget would send to a front-end, as one JSON string."""
    instances = getattr(widgets.widget, "_instances", None)
    if instances is None:  # pragma: no cover - older ipywidgets
        instances = widgets.Widget.widgets
    states = [w.get_state() for w in list(instances.values())]
    return json.dumps(states, default=str, ensure_ascii=False)


@pytest.fixture
def fresh_widgets():  # type: ignore[no-untyped-def]
    widgets.Widget.close_all()
    yield
    widgets.Widget.close_all()


def plain(variant, raw: str) -> str:  # type: ignore[no-untyped-def]
    return qtext.to_plain(variant.html(raw))


def secrets_of(quiz, answered: set[str] = frozenset()) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """(what, text) for everything that must not reach the browser yet."""
    found: dict[str, str] = {}
    for qid, v in quiz.session.variants.items():
        q = v.question
        if qid not in answered:
            found[f"{qid} explanation"] = plain(v, q.explanation)[:60]
        for i, hint in enumerate(q.hints):
            found[f"{qid} hint {i}"] = plain(v, hint)[:60]
        if isinstance(q, (SingleChoice, MultipleSelect)):
            for o in q.options:
                if o.feedback and qid not in answered:
                    found[f"{qid} feedback {o.id}"] = plain(v, o.feedback)[:60]
        if isinstance(q, ShortText):
            for a in q.accept:
                found[f"{qid} accepted {a}"] = a
            for p in q.patterns:
                found[f"{qid} pattern"] = json.dumps(p)[1:-1]
        if isinstance(q, Numeric) and q.params:
            found[f"{qid} answer"] = format_answer(v.answer, q.unit, q.decimals)
            found[f"{qid} answer digits"] = f"{v.answer:.2f}"
            found[f"{qid} answer repr"] = repr(v.answer)
        if isinstance(q, Ordering):
            labels = [qtext.to_plain(v.html(item.text, inline=True)) for item in q.items]
            found[f"{qid} solved order"] = json.dumps(labels, ensure_ascii=False)[1:-1]
    return {k: s for k, s in found.items() if s.strip()}


def assert_hidden(state: str, secrets: dict[str, str]) -> None:
    leaked = [what for what, secret in secrets.items() if secret in state]
    assert not leaked, f"in the browser's widget state: {leaked}"
    assert '"correct"' not in state


def test_demo_quiz_fresh_and_after_wrong_answers(fresh_widgets, demo_bank) -> None:  # type: ignore[no-untyped-def]
    quiz = show_quiz(demo_bank, display=False)
    state = browser_state()
    assert "Alpha option" in state  # the collection really sees the widgets
    assert_hidden(state, secrets_of(quiz))
    for sentinel in ("KEYFEEDBACK", "KEYEXPLAIN", "KEYHINT", "Zyzzogeton", "zyzz"):
        assert sentinel.lower() not in state.lower()

    # A wrong answer reveals that option's feedback, and nothing else.
    quiz.answer("pick-one", "b").check("pick-one")
    quiz.answer("cost", "1").check("cost")
    quiz.answer("word", "Handled").check("word")
    state = browser_state()
    assert "KEYFEEDBACK-beta" in state
    rest = {k: s for k, s in secrets_of(quiz).items() if k != "pick-one feedback b"}
    assert_hidden(state, rest)


def test_real_chapter_banks(fresh_widgets) -> None:  # type: ignore[no-untyped-def]
    for chapter in ("00_start_here", "02_lambda"):
        quiz = show_quiz(chapter, display=False, rehearsal=True)
        assert_hidden(browser_state(), secrets_of(quiz))
        widgets.Widget.close_all()


def test_outputs_carry_no_key(demo_bank) -> None:  # type: ignore[no-untyped-def]
    """The text/plain output nbval stores is a summary; no HTML output is produced at all."""
    quiz = show_quiz(demo_bank, display=False)
    bundle = quiz.view._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "application/vnd.jupyter.widget-view+json"}
    assert_hidden(json.dumps(bundle), secrets_of(quiz))
