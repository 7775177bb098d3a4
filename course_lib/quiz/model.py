"""The question model: one frozen dataclass per question type, as the bank describes them.

A question here is the bank's text, placeholders and all. ``variants.variant(question, learner)``
turns it into what one learner sees (numbers drawn, answers computed, options shuffled), and
``grading.grade(variant, response)`` marks a response. Nothing in this module touches widgets,
files or the sandbox, so instructor tools can reuse it headlessly.

Types (the ``type:`` field in YAML):

=============  ==================================================================
``single``     single choice: one correct option among several
``multiple``   multiple select: tick every correct option, none of the others
``truefalse``  a statement that is true or false
``numeric``    a number, with a unit and a tolerance; may be parameterised
``text``       a short text answer: several accepted spellings or regex patterns
``ordering``   put the steps in order
``build``      a task done in the sandbox, inspected by a registered check
=============  ==================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

QUESTION_TYPES = ("single", "multiple", "truefalse", "numeric", "text", "ordering", "build")

# How many tries a learner gets when the bank does not say. A true/false question gets one:
# a second try would be a sure thing. None means unlimited (a build-it task is worked on).
DEFAULT_ATTEMPTS: dict[str, int | None] = {
    "single": 2,
    "multiple": 3,
    "truefalse": 1,
    "numeric": 3,
    "text": 3,
    "ordering": 3,
    "build": None,
}


@dataclass(frozen=True)
class Option:
    """A choice. ``feedback`` says why a wrong option is wrong (and may say why a right one is right)."""

    id: str
    text: str
    correct: bool
    feedback: str = ""


@dataclass(frozen=True)
class ParamSpec:
    """A parameter drawn per learner from a fixed list of values."""

    name: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class AnswerSpec:
    """Where a numeric answer comes from: a literal, a fact, or a formula over the parameters."""

    literal: float | None = None
    fact: str | None = None
    formula: str | None = None
    args: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        if self.fact:
            return f"fact {self.fact}"
        if self.formula:
            return f"formula {self.formula}"
        return f"literal {self.literal}"


@dataclass(frozen=True)
class Mistake:
    """A predictable wrong number (forgot the request charge...) and what to tell the learner."""

    answer: AnswerSpec
    feedback: str


@dataclass(frozen=True)
class Tolerance:
    """A number is right when it is within ``absolute`` OR within ``relative`` of the answer."""

    absolute: float = 0.0
    relative: float = 1e-9

    def accepts(self, given: float, expected: float) -> bool:
        gap = abs(given - expected)
        return gap <= self.absolute or gap <= self.relative * abs(expected)


@dataclass(frozen=True)
class WrongText:
    """A predictable wrong short answer and what to tell the learner about it."""

    accept: tuple[str, ...]
    patterns: tuple[str, ...]
    feedback: str


@dataclass(frozen=True)
class OrderItem:
    id: str
    text: str
    feedback: str = ""  # shown when this step is out of place


@dataclass(frozen=True)
class Question:
    """What every question has. ``attempts=None`` means unlimited."""

    id: str
    type: str
    prompt: str
    explanation: str
    hints: tuple[str, ...] = ()
    attempts: int | None = 3
    points: float = 1.0
    params: tuple[ParamSpec, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class SingleChoice(Question):
    options: tuple[Option, ...] = ()
    shuffle: bool = True


@dataclass(frozen=True)
class MultipleSelect(Question):
    options: tuple[Option, ...] = ()
    shuffle: bool = True


@dataclass(frozen=True)
class TrueFalse(Question):
    answer: bool = True
    wrong_feedback: str = ""  # why the other answer is wrong


@dataclass(frozen=True)
class Numeric(Question):
    answer: AnswerSpec = field(default_factory=AnswerSpec)
    unit: str | None = None
    tolerance: Tolerance = field(default_factory=Tolerance)
    mistakes: tuple[Mistake, ...] = ()
    decimals: int | None = None  # how {answer} is written; default depends on the unit


@dataclass(frozen=True)
class ShortText(Question):
    accept: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    wrong: tuple[WrongText, ...] = ()


@dataclass(frozen=True)
class Ordering(Question):
    items: tuple[OrderItem, ...] = ()  # in the correct order


@dataclass(frozen=True)
class BuildIt(Question):
    check: str = ""
    args: Mapping[str, Any] = field(default_factory=dict)


CHOICE_TYPES = (SingleChoice, MultipleSelect)


@dataclass(frozen=True)
class Bank:
    """One chapter's quiz, as loaded from ``quizzes/NN_slug.yaml``."""

    chapter: str
    title: str
    questions: tuple[Question, ...]
    intro: str = ""
    path: str = ""
    lines: Mapping[str, int] = field(default_factory=dict)  # question id -> line in the file

    def question(self, qid: str) -> Question:
        for question in self.questions:
            if question.id == qid:
                return question
        known = ", ".join(q.id for q in self.questions)
        raise KeyError(f"No question {qid!r} in quiz {self.chapter}. Its questions: {known}")

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.questions]

    @property
    def points(self) -> float:
        return sum(q.points for q in self.questions)
