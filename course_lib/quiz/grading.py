"""Pure graders: a learner's response to one variant in, a :class:`Grade` out.

No widgets, files or global state: the same functions mark a notebook quiz, ``course check``
and (later) an instructor's whole class. A grade's feedback is Markdown written for the
learner; its ``status`` is one of

* ``correct``
* ``incorrect`` (counts as an attempt)
* ``invalid`` (empty, unreadable or out-of-range input: a friendly message, no attempt used)

Responses, per question type (the same forms the progress file stores):

=============  ====================================================================
``single``     an option id (``"b"``)
``multiple``   a list of option ids (``["a", "c"]``)
``truefalse``  ``True``/``False`` (or the strings ``"true"``/``"false"``)
``numeric``    what the learner typed (``"$0.20"``, ``"0,2"``, ``"15 min"``) or a number
``text``       what the learner typed
``ordering``   the item ids in the learner's order
``build``      the sandbox to inspect (anything with ``.client(service)``)
=============  ====================================================================
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from course_lib.quiz import checks
from course_lib.quiz import parsing as unit_module
from course_lib.quiz.model import BuildIt, MultipleSelect, Numeric, Ordering, ShortText, SingleChoice, TrueFalse
from course_lib.quiz.parsing import normalise_text, parse_number, text_problem
from course_lib.quiz.variants import Variant, format_answer

CORRECT, INCORRECT, INVALID = "correct", "incorrect", "invalid"


@dataclass(frozen=True)
class Grade:
    status: str
    feedback: tuple[str, ...] = ()
    items: tuple[checks.CheckItem, ...] = ()  # build-it: everything the check looked at

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    @property
    def invalid(self) -> bool:
        return self.status == INVALID


def _invalid(message: str) -> Grade:
    return Grade(INVALID, (message,))


def grade_single(v: Variant, response: Any) -> Grade:
    q = v.question
    assert isinstance(q, SingleChoice)
    if response is None or response == "":
        return _invalid("Choose an option first.")
    option = next((o for o in q.options if o.id == response), None)
    if option is None:
        return _invalid("That is not one of the options. Choose one of them.")
    feedback = (v.render(option.feedback),) if option.feedback else ()
    return Grade(CORRECT if option.correct else INCORRECT, feedback)


def grade_multiple(v: Variant, response: Any) -> Grade:
    q = v.question
    assert isinstance(q, MultipleSelect)
    chosen = [response] if isinstance(response, str) else list(response or [])
    if not chosen:
        return _invalid("Tick at least one option.")
    by_id = {o.id: o for o in q.options}
    if any(c not in by_id for c in chosen):
        return _invalid("That selection contains something that is not an option.")
    picked = set(chosen)
    right = {o.id for o in q.options if o.correct}
    if picked == right:
        return Grade(CORRECT)
    # Per-option feedback for every wrong tick, in the order the learner sees them.
    ordered = [q.options[i] for i in v.order] if v.order else list(q.options)
    feedback = [v.render(o.feedback) for o in ordered if o.id in picked and not o.correct and o.feedback]
    missed = len(right - picked)
    if missed:
        feedback.append(f"You left out {missed} correct option{'s' if missed > 1 else ''}.")
    return Grade(INCORRECT, tuple(feedback))


_TRUE = {"true", "t", "yes", "y", "vrai", "wahr", "1"}
_FALSE = {"false", "f", "no", "n", "faux", "falsch", "0"}


def grade_truefalse(v: Variant, response: Any) -> Grade:
    q = v.question
    assert isinstance(q, TrueFalse)
    if isinstance(response, bool):
        value = response
    else:
        word = normalise_text(response)
        if word in _TRUE:
            value = True
        elif word in _FALSE:
            value = False
        else:
            return _invalid("Choose True or False.")
    if value == q.answer:
        return Grade(CORRECT)
    return Grade(INCORRECT, (v.render(q.wrong_feedback),) if q.wrong_feedback else ())


def _power_of_ten_gap(given: float, expected: float) -> int:
    """k when ``given`` is about 10**k times ``expected`` (|k| >= 2), else 0."""
    if given == 0 or expected == 0 or (given > 0) != (expected > 0):
        return 0
    exponent = math.log10(given / expected)
    k = round(exponent)
    return k if abs(k) >= 2 and abs(exponent - k) < 0.05 else 0


def grade_numeric(v: Variant, response: Any) -> Grade:
    q = v.question
    assert isinstance(q, Numeric) and v.answer is not None
    parsed = parse_number(response, q.unit)
    if not parsed.ok:
        return _invalid(parsed.message)
    if any(q.tolerance.accepts(value, v.answer) for value in parsed.values):
        return Grade(CORRECT)
    for value, feedback in v.mistakes:
        if any(q.tolerance.accepts(given, value) for given in parsed.values):
            return Grade(INCORRECT, (v.render(feedback),))
    given = parsed.values[0]
    if q.unit and parsed.unit is None:
        # "15" for a question in seconds: right in minutes. Say so instead of spending an attempt.
        for other in unit_module.same_dimension(q.unit):
            want = unit_module.unit(q.unit)
            if want and q.tolerance.accepts(given * other.factor / want.factor, v.answer):
                typed = str(response).strip()
                return _invalid(
                    f"{typed} is right if you mean {other.name}, but this question asks for {want.name}. "
                    f"Add the unit (`{typed} {other.symbol}`) or convert."
                )
    feedback = []
    if parsed.unit and q.unit and parsed.unit != q.unit:
        feedback.append(f"I read your answer as {format_answer(given, q.unit)}.")
    gap = _power_of_ten_gap(given, v.answer)
    if gap:
        factor = f"{10 ** abs(gap):,}"
        size = "large" if gap > 0 else "small"
        feedback.append(f"Your answer is about {factor} times too {size}: check the units and conversions.")
    return Grade(INCORRECT, tuple(feedback))


def _matches(answer: str, accept: tuple[str, ...], patterns: tuple[str, ...]) -> bool:
    if any(answer == normalise_text(a) for a in accept):
        return True
    return any(re.fullmatch(p, answer, re.IGNORECASE) for p in patterns)


def grade_text(v: Variant, response: Any) -> Grade:
    q = v.question
    assert isinstance(q, ShortText)
    problem = text_problem(response)
    if problem:
        return _invalid(problem)
    answer = normalise_text(response)
    if _matches(answer, q.accept, q.patterns):
        return Grade(CORRECT)
    for wrong in q.wrong:
        if _matches(answer, wrong.accept, wrong.patterns):
            return Grade(INCORRECT, (v.render(wrong.feedback),))
    return Grade(INCORRECT)


def grade_ordering(v: Variant, response: Any) -> Grade:
    q = v.question
    assert isinstance(q, Ordering)
    key = [item.id for item in q.items]
    given = list(response or [])
    if sorted(map(str, given)) != sorted(key):
        return _invalid("Arrange all the steps, each exactly once, then check.")
    if given == key:
        return Grade(CORRECT)
    in_place = sum(1 for a, b in zip(given, key) if a == b)
    feedback = [f"{in_place} of {len(key)} steps are in the right place."]
    by_id = {item.id: item for item in q.items}
    misplaced = next((by_id[g] for g, k in zip(given, key) if g != k and by_id[g].feedback), None)
    if misplaced is not None:
        feedback.append(v.render(misplaced.feedback))
    return Grade(INCORRECT, tuple(feedback))


def grade_build(v: Variant, sandbox: Any) -> Grade:
    q = v.question
    assert isinstance(q, BuildIt)
    if sandbox is None or not getattr(sandbox, "running", True):
        return _invalid("The sandbox is not running. Run `aws = start()` (and build the task) first, then check.")
    items = tuple(checks.run_check(q.check, sandbox, v.args))
    status = CORRECT if items and all(i.ok for i in items) else INCORRECT
    return Grade(status, tuple(i.line() for i in items), items)


_GRADERS = {
    "single": grade_single,
    "multiple": grade_multiple,
    "truefalse": grade_truefalse,
    "numeric": grade_numeric,
    "text": grade_text,
    "ordering": grade_ordering,
    "build": grade_build,
}


def grade(v: Variant, response: Any) -> Grade:
    """Mark ``response`` against ``v``. Never raises on learner input."""
    try:
        return _GRADERS[v.question.type](v, response)
    except (TypeError, ValueError, OverflowError) as err:
        # A response of the wrong shape (a dict for a number, say) is the learner's input, not a bug.
        return _invalid(f"That answer could not be read ({type(err).__name__}). Try again in the answer box.")
