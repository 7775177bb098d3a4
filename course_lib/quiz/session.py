"""A learner working through one chapter's quiz, without any widgets.

The session holds the bank, the learner's variants and their saved states, applies the
attempt rules and saves after every check. The widgets are a thin view over it, and tests or
instructor tools can drive it directly::

    from course_lib.quiz.session import QuizSession
    s = QuizSession("02_lambda", learner="ada", store=MemoryStore())
    s.submit("max-timeout", "15 min")      # -> QuestionState(status='correct', ...)
    s.score()                              # (1.0, 13.0)

Attempt rules: an ``invalid`` response (empty, unreadable) uses no attempt; a question is done
when answered correctly or when its attempts run out; the explanation is revealed when it is
done; a finished question is not graded again (reset the chapter to start over).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from course_lib.quiz.bank import load_bank
from course_lib.quiz.grading import CORRECT, INVALID, Grade, grade
from course_lib.quiz.model import Bank, BuildIt, Question
from course_lib.quiz.progress import MemoryStore, ProgressStore, learner_id
from course_lib.quiz.variants import Variant, variant

UNANSWERED = "unanswered"


@dataclass(frozen=True)
class QuestionState:
    """Where a learner is on one question (this is what the progress file stores)."""

    answer: Any = None
    attempts: int = 0
    status: str = UNANSWERED  # unanswered | correct | incorrect | invalid (the last check)
    score: float = 0.0
    done: bool = False
    hints_shown: int = 0
    feedback: tuple[str, ...] = ()  # the last check's feedback, Markdown
    variant: str = ""  # the variant digest the answer belongs to

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["feedback"] = list(self.feedback)
        return data

    @classmethod
    def from_json(cls, data: Any, digest: str) -> "QuestionState":
        """A saved state, or a fresh one when it is malformed or belongs to another variant."""
        if not isinstance(data, dict) or data.get("variant") != digest:
            return cls(variant=digest)
        try:
            return cls(
                answer=data.get("answer"),
                attempts=max(0, int(data.get("attempts", 0))),
                status=str(data.get("status", UNANSWERED)),
                score=float(data.get("score", 0.0)),
                done=bool(data.get("done", False)),
                hints_shown=max(0, int(data.get("hints_shown", 0))),
                feedback=tuple(str(f) for f in data.get("feedback", ())),
                variant=digest,
            )
        except (TypeError, ValueError):
            return cls(variant=digest)

    def remaining(self, question: Question) -> int | None:
        return None if question.attempts is None else max(0, question.attempts - self.attempts)


def submit(v: Variant, state: QuestionState, response: Any, stored_answer: Any) -> tuple[QuestionState, Grade]:
    """Apply one check to a state: the attempt rules, as a pure function."""
    q = v.question
    if state.done:
        return state, Grade(INVALID, ("This question is finished. Reset the chapter's progress to try it again.",))
    result = grade(v, response)
    if result.invalid:
        return replace(state, answer=stored_answer, status=INVALID, feedback=result.feedback), result
    attempts = state.attempts + 1
    out_of_attempts = q.attempts is not None and attempts >= q.attempts
    new = replace(
        state,
        answer=stored_answer,
        attempts=attempts,
        status=result.status,
        score=q.points if result.correct else 0.0,
        done=result.correct or out_of_attempts,
        feedback=result.feedback,
    )
    return new, result


class QuizSession:
    """One learner, one chapter: variants, states, attempt rules and saving.

    ``store`` is a :class:`ProgressStore` (default: the learner's progress file) or a
    :class:`MemoryStore`; ``sandbox`` is what build-it checks inspect (default: the course's).
    """

    def __init__(self, bank: Bank | str, learner: str | None = None, store: Any = None, sandbox: Any = None) -> None:
        self.bank = bank if isinstance(bank, Bank) else load_bank(bank)
        self.learner = learner or learner_id()
        self.store = store if store is not None else ProgressStore()
        self.sandbox = sandbox
        self.variants = {q.id: variant(q, self.learner) for q in self.bank.questions}
        saved = self.store.chapter(self.learner, self.bank.chapter)
        self.states = {qid: QuestionState.from_json(saved.get(qid), v.digest) for qid, v in self.variants.items()}

    @property
    def notice(self) -> str:
        return self.store.notice

    def question(self, qid: str) -> Question:
        return self.bank.question(qid)

    def state(self, qid: str) -> QuestionState:
        self.bank.question(qid)  # a clear KeyError for an unknown id
        return self.states[qid]

    def _sandbox(self) -> Any:
        if self.sandbox is not None:
            return self.sandbox
        from course_lib.sandbox import current

        return current()

    def submit(self, qid: str, response: Any) -> QuestionState:
        """Grade ``response`` (see ``grading`` for its form per type), save, return the new state."""
        v = self.variants[self.bank.question(qid).id]
        stored = None if isinstance(v.question, BuildIt) else response
        if isinstance(v.question, BuildIt):
            response = self._sandbox()
        new, _ = submit(v, self.states[qid], response, stored)
        self._save(qid, new)
        return new

    def hint(self, qid: str) -> str | None:
        """Reveal the next hint (Markdown), or None when there are no more."""
        q, state = self.bank.question(qid), self.states[qid]
        if state.hints_shown >= len(q.hints):
            return None
        self._save(qid, replace(state, hints_shown=state.hints_shown + 1))
        return self.variants[qid].render(q.hints[state.hints_shown])

    def _save(self, qid: str, state: QuestionState) -> None:
        self.states[qid] = state
        self.store.save_question(self.learner, self.bank.chapter, qid, state.to_json())

    def score(self) -> tuple[float, float]:
        """(points earned, points possible)."""
        return sum(s.score for s in self.states.values()), self.bank.points

    def reset(self) -> None:
        """Forget this chapter's answers (the variants stay: they depend on the learner only)."""
        self.store.reset(self.learner, self.bank.chapter)
        self.states = {qid: QuestionState(variant=v.digest) for qid, v in self.variants.items()}


def rehearsal(bank: Bank | str, learner: str | None = None, sandbox: Any = None) -> QuizSession:
    """A session whose progress stays in memory: for tests and notebook self-checks."""
    return QuizSession(bank, learner=learner, store=MemoryStore(), sandbox=sandbox)


__all__ = ["QuestionState", "QuizSession", "UNANSWERED", "CORRECT", "rehearsal", "submit"]
