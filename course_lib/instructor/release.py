"""What a student receives, and how their answers map back onto the bank: the keyless payload.

A released question is the student's variant *as they see it*, and nothing else: the prompt
with their numbers filled in, the option texts in their shuffled order, the steps of an
ordering question in their starting order, the unit of a numeric answer. No ``correct`` flag,
no accepted answer, no computed number, no feedback, no explanation, no hint, no seed and no
option id (bank authors often write the right option first, so an ``a`` would give it away).

Answers are therefore recorded *by what the student saw*: option ``"2"`` is the second option
on their screen; an ordering answer is the list of the positions of the steps as they were
first shown. The instructor, who holds the seed, recomputes the same variant and maps a
position back to the bank's option (:func:`to_grader_response`); the pure graders of
``course_lib.quiz.grading`` then mark it exactly as a self-study quiz would.

The payload is plain JSON, and its SHA-256 over the canonical form (:func:`payload_digest`)
is the assignment digest a submission carries: it ties the answers to the questions they
answer.
"""

from __future__ import annotations

from typing import Any, Mapping

from course_lib.instructor.common import FORMAT_ASSIGNMENT, digest
from course_lib.quiz.audit import key_response
from course_lib.quiz.model import (
    BuildIt,
    MultipleSelect,
    Numeric,
    Option,
    Ordering,
    OrderItem,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from course_lib.quiz.variants import Variant

RELEASED_TYPES = ("single", "multiple", "truefalse", "numeric", "text", "ordering")


def qualified(chapter: str, qid: str) -> str:
    """A question's id inside an assignment: ``02_lambda/monthly-cost`` (ids are unique per bank only)."""
    return f"{chapter}/{qid}"


def releasable(question: Question) -> bool:
    """Build-it tasks are graded against the learner's live sandbox, which the instructor never sees."""
    return not isinstance(question, BuildIt)


def released_question(qid: str, v: Variant) -> dict[str, Any]:
    """The keyless form of one variant: exactly what the student's notebook shows."""
    q = v.question
    out: dict[str, Any] = {
        "id": qid,
        "type": q.type,
        "title": v.render(q.title) if q.title else "",
        "prompt": v.render(q.prompt),
        "points": q.points,
    }
    if isinstance(q, (SingleChoice, MultipleSelect)):
        order = v.order or tuple(range(len(q.options)))
        out["options"] = [v.render(q.options[i].text) for i in order]
    elif isinstance(q, Ordering):
        out["items"] = [v.render(q.items[i].text) for i in v.order]
    elif isinstance(q, Numeric):
        out["unit"] = q.unit or ""
    return out


def build_payload(assignment: str, title: str, student_id: str, student_name: str, questions: list[dict[str, Any]], intro: str = "") -> dict[str, Any]:
    return {
        "format": FORMAT_ASSIGNMENT,
        "assignment": assignment,
        "title": title,
        "intro": intro,
        "student": {"id": student_id, "name": student_name},
        "questions": questions,
    }


def payload_digest(payload: Mapping[str, Any]) -> str:
    return digest(dict(payload))


def shown_fingerprint(released: Mapping[str, Any]) -> str:
    """Identifies what the student saw of one question (12 hex digits are plenty per question)."""
    return digest(dict(released))[:16]


def key_fingerprint(v: Variant) -> str:
    """Identifies how one variant is marked. The manifest keeps it so that ``course grade`` can
    tell when a bank (or a price in facts.yaml) changed after the release."""
    q = v.question
    key: dict[str, Any] = {"type": q.type, "points": q.points, "key": key_response(v)}
    if isinstance(q, Numeric):
        key.update(answer=repr(v.answer), tolerance=[q.tolerance.absolute, q.tolerance.relative], unit=q.unit)
    elif isinstance(q, ShortText):
        key.update(accept=list(q.accept), patterns=list(q.patterns))
    elif isinstance(q, (SingleChoice, MultipleSelect)):
        key.update(order=list(v.order), correct=[o.correct for o in q.options])
    elif isinstance(q, Ordering):
        key.update(order=list(v.order), items=[i.id for i in q.items])
    return digest(key)[:16]


# -- student answers -> grader responses -------------------------------------------------------------
class NotAnOption(ValueError):
    """A recorded answer that does not fit the question it claims to answer."""


def _position(value: Any, count: int) -> int:
    """A 1-based display position ("2" or 2) as a 0-based index."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise NotAnOption(f"{value!r} is not an option number")
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= count:
        raise NotAnOption(f"{value!r} is not one of the {count} options")
    return int(text) - 1


def to_grader_response(v: Variant, answer: Any) -> Any:
    """Map a recorded answer (positions as the student saw them) to the form the graders take.

    Raises :class:`NotAnOption` when the answer cannot belong to this question (an option number
    out of range, a step listed twice): the caller marks it unreadable and says why.
    """
    q = v.question
    if answer is None:
        return None
    if isinstance(q, (SingleChoice, MultipleSelect)):
        order = v.order or tuple(range(len(q.options)))
        if isinstance(q, SingleChoice):
            if isinstance(answer, list):
                raise NotAnOption("one option was expected, got a list")
            return q.options[order[_position(answer, len(order))]].id
        if not isinstance(answer, list):
            answer = [answer]
        picked = [q.options[order[_position(a, len(order))]].id for a in answer]
        if len(set(picked)) != len(picked):
            raise NotAnOption("the same option is ticked twice")
        return picked
    if isinstance(q, Ordering):
        if not isinstance(answer, list):
            raise NotAnOption("an ordering answer must list the steps")
        positions = [_position(a, len(v.order)) for a in answer]
        if sorted(positions) != list(range(len(v.order))):
            raise NotAnOption("every step must appear exactly once")
        return [q.items[v.order[p]].id for p in positions]
    if isinstance(q, TrueFalse):
        if isinstance(answer, bool):
            return answer
        return str(answer)
    if isinstance(q, (Numeric, ShortText)):
        if isinstance(answer, (dict, list)):
            raise NotAnOption("a typed answer was expected")
        return str(answer)
    raise NotAnOption(f"questions of type {q.type!r} are not part of assignments")


def describe_answer(released: Mapping[str, Any], answer: Any) -> str:
    """What the student answered, in words (for their feedback file and the instructor's reports)."""
    if answer is None or answer == "" or answer == []:
        return "(no answer)"
    kind = released.get("type")
    try:
        if kind == "single":
            return released["options"][_position(answer, len(released["options"]))]
        if kind == "multiple":
            values = answer if isinstance(answer, list) else [answer]
            return "; ".join(released["options"][_position(a, len(released["options"]))] for a in values)
        if kind == "ordering":
            return " → ".join(released["items"][_position(a, len(released["items"]))] for a in answer)
        if kind == "truefalse":
            return "True" if answer is True or str(answer).strip().casefold() in ("true", "t", "yes") else "False"
    except (NotAnOption, TypeError, KeyError, IndexError):
        return f"{answer!r} (not one of the choices)"
    return str(answer)


# -- the learner's side: keyless quiz-model objects for the quiz widgets --------------------------------
def keyless_question(released: Mapping[str, Any], widget_id: str) -> Question:
    """A quiz-model question built from the payload alone, so ``course_lib.quiz.widgets`` can draw it.

    Options and steps get their display positions as ids (``"1"``, ``"2"``...), and every option
    is marked wrong: this object only ever feeds the widgets, never a grader.
    """
    common: dict[str, Any] = dict(
        id=widget_id,
        type=str(released["type"]),
        prompt=str(released.get("prompt", "")),
        explanation="",
        attempts=None,
        points=float(released.get("points", 1)),
        title=str(released.get("title", "")),
    )
    kind = released["type"]
    if kind in ("single", "multiple"):
        options = tuple(Option(str(i + 1), str(text), False) for i, text in enumerate(released.get("options", [])))
        cls = SingleChoice if kind == "single" else MultipleSelect
        return cls(**common, options=options, shuffle=False)
    if kind == "ordering":
        items = tuple(OrderItem(str(i + 1), str(text)) for i, text in enumerate(released.get("items", [])))
        return Ordering(**common, items=items)
    if kind == "truefalse":
        return TrueFalse(**common)
    if kind == "numeric":
        return Numeric(**common, unit=str(released.get("unit") or "") or None)
    if kind == "text":
        return ShortText(**common)
    raise ValueError(f"question {released.get('id')!r} has type {kind!r}, which assignments do not use")


def payload_problems(payload: Any) -> list[str]:
    """Why a payload cannot be used (empty when it is fine): the learner sees these, not a traceback."""
    if not isinstance(payload, dict):
        return ["it is not a JSON object"]
    problems = []
    if payload.get("format") != FORMAT_ASSIGNMENT:
        problems.append(f"its format is {payload.get('format')!r}, expected {FORMAT_ASSIGNMENT!r}")
    student = payload.get("student")
    if not isinstance(student, dict) or not isinstance(student.get("id"), str) or not student.get("id"):
        problems.append("it names no student")
    if not isinstance(payload.get("assignment"), str) or not payload.get("assignment"):
        problems.append("it names no assignment")
    questions = payload.get("questions")
    if not isinstance(questions, list) or not questions:
        problems.append("it has no questions")
        return problems
    seen: set[str] = set()
    for i, q in enumerate(questions, 1):
        if not isinstance(q, dict) or not isinstance(q.get("id"), str) or q.get("type") not in RELEASED_TYPES:
            problems.append(f"question {i} is damaged")
            continue
        if q["id"] in seen:
            problems.append(f"question {q['id']!r} appears twice")
        seen.add(q["id"])
        if q["type"] in ("single", "multiple") and (not isinstance(q.get("options"), list) or len(q["options"]) < 2):
            problems.append(f"question {q['id']!r} has no options")
        if q["type"] == "ordering" and (not isinstance(q.get("items"), list) or len(q["items"]) < 2):
            problems.append(f"question {q['id']!r} has no steps")
    return problems
