"""Per-learner variants: numbers drawn from a seed, answers computed, options shuffled.

The seed is the learner id plus the question id, hashed with SHA-256. Nothing depends on
Python's ``random`` module or hash randomisation, so the same learner gets the same variant on
every machine, in every Python version, forever (an instructor can reproduce any student's
question from the roster alone)::

    from course_lib.quiz import load_bank, variant
    q = load_bank("02_lambda").question("monthly-cost")
    v = variant(q, "ada")
    v.params          # {'requests': 3000000, 'duration_ms': 120, 'memory_mb': 512}
    v.answer          # computed by course_lib.pricing.lambda_cost
    v.render(q.prompt)  # the prompt with this learner's numbers

Answers are computed here, in the kernel; a variant is never sent to the browser.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Mapping

from course_lib.quiz import text as qtext
from course_lib.quiz.formulas import FORMULAS, accepted_args
from course_lib.quiz.model import AnswerSpec, BuildIt, CHOICE_TYPES, Numeric, Ordering, Question


def _hash_int(*parts: str) -> int:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def draw(seed: str, name: str, n: int) -> int:
    """A deterministic index in ``range(n)`` for ``name`` under ``seed``."""
    return _hash_int(seed, name) % n


def permutation(seed: str, n: int, salt: str = "order") -> tuple[int, ...]:
    """A deterministic shuffle of ``range(n)`` (Fisher-Yates driven by SHA-256)."""
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = _hash_int(seed, salt, str(i)) % (i + 1)
        order[i], order[j] = order[j], order[i]
    return tuple(order)


def seed_for(learner: str, qid: str) -> str:
    return f"{learner}\x1f{qid}"


def draw_params(question: Question, learner: str) -> dict[str, Any]:
    seed = seed_for(learner, question.id)
    return {p.name: p.values[draw(seed, p.name, len(p.values))] for p in question.params}


def compute(spec: AnswerSpec, params: Mapping[str, Any]) -> float:
    """The number an answer spec stands for under these parameters."""
    if spec.fact:
        from course_lib import facts

        return float(facts.value(spec.fact))
    if spec.formula:
        fn = FORMULAS[spec.formula]
        accepted = set(_formula_args(spec.formula))
        kwargs = {k: v for k, v in params.items() if k in accepted}
        kwargs.update(spec.args)
        return float(fn(**kwargs))
    if spec.literal is None:
        raise ValueError("an answer spec with no value")
    return float(spec.literal)


@lru_cache(maxsize=None)
def _formula_args(name: str) -> tuple[str, ...]:
    return tuple(accepted_args(name))


def format_answer(value: float, unit: str | None, decimals: int | None = None) -> str:
    """How the quiz writes a computed answer in an explanation."""
    if unit == "USD":
        if decimals is not None:
            return f"${value:,.{decimals}f}"
        return qtext.format_usd(value)
    number = f"{value:,.{decimals}f}" if decimals is not None else qtext.format_value(_tidy(value))
    return f"{number} {unit}" if unit else number


def _tidy(value: float) -> float | int:
    """Drop float noise (3.6000000000000005) before writing a number for people."""
    if value.is_integer():
        return int(value)
    return float(f"{value:.10g}")


@lru_cache(maxsize=4096)
def _render_static(text: str) -> str:
    """Texts with only fact placeholders are the same for everyone: fill them once."""
    return qtext.fill(text, _static_resolver)


def _static_resolver(kind: str, name: str | None, spec: str | None) -> str:
    if kind != "fact" or not name:
        raise qtext.TemplateError(f"{{{kind}}} needs a variant")
    return qtext.fact_text(name, spec)


def _lookup(mapping: Mapping[str, Any], dotted: str) -> Any:
    node: Any = mapping
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise qtext.TemplateError(f"no argument {dotted!r}")
        node = node[part]
    return node


@dataclass(frozen=True)
class Variant:
    """One learner's version of one question: everything a grader needs, nothing for a browser."""

    question: Question
    learner: str
    params: Mapping[str, Any] = field(default_factory=dict)
    answer: float | None = None  # numeric questions
    order: tuple[int, ...] = ()  # display order of options or ordering items
    args: Mapping[str, Any] = field(default_factory=dict)  # build-it

    @cached_property
    def mistakes(self) -> tuple[tuple[float, str], ...]:
        """Numeric: (value, feedback) per predictable mistake, computed only when a grade needs them."""
        q = self.question
        if not isinstance(q, Numeric):
            return ()
        return tuple((compute(m.answer, self.params), m.feedback) for m in q.mistakes)

    @property
    def seed(self) -> str:
        return seed_for(self.learner, self.question.id)

    @property
    def digest(self) -> str:
        """Identifies the drawn numbers: a saved answer only applies to the same variant."""
        if not self.params:
            return "fixed"
        blob = json.dumps(self.params, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]

    def render(self, raw: str) -> str:
        """``raw`` with every placeholder filled for this learner."""
        if "{" not in raw:
            return raw
        if not any(m.group(1) != "fact" for m in qtext.placeholders(raw)):
            return _render_static(raw)
        return qtext.fill(raw, self._resolve)

    def html(self, raw: str, inline: bool = False) -> str:
        return qtext.to_html(self.render(raw), inline=inline)

    def _resolve(self, kind: str, name: str | None, spec: str | None) -> str:
        if kind == "fact" and name:
            return qtext.fact_text(name, spec)
        if kind == "param" and name:
            if name not in self.params:
                raise qtext.TemplateError(f"no parameter {name!r}")
            return qtext.format_value(self.params[name], spec)
        if kind == "arg" and name:
            return qtext.format_value(_lookup(self.args, name), spec)
        if kind == "formula" and name in FORMULAS:
            return qtext.format_value(_tidy(compute(AnswerSpec(formula=name), self.params)), spec)
        if kind == "answer" and self.answer is not None:
            if spec:
                return qtext.format_value(self.answer, spec)
            q = self.question
            return format_answer(self.answer, getattr(q, "unit", None), getattr(q, "decimals", None))
        raise qtext.TemplateError(f"{{{kind}{':' + name if name else ''}}} does not apply to this question")


def _resolve_args(value: Any, params: Mapping[str, Any]) -> Any:
    """Build-it arguments: ``$name`` is a parameter; strings may hold fact placeholders."""
    if isinstance(value, Mapping):
        return {k: _resolve_args(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_args(v, params) for v in value]
    if isinstance(value, str):
        if value.startswith("$") and value[1:] in params:
            return params[value[1:]]

        def resolve(kind: str, name: str | None, spec: str | None) -> str:
            if kind == "param" and name in params:
                return qtext.format_value(params[name], spec)
            return _static_resolver(kind, name, spec)

        return qtext.fill(value, resolve)
    return value


def variant(question: Question, learner: str) -> Variant:
    """The version of ``question`` that ``learner`` sees. Same inputs, same variant."""
    seed = seed_for(learner, question.id)
    params = draw_params(question, learner)
    answer: float | None = None
    order: tuple[int, ...] = ()
    args: Mapping[str, Any] = {}
    if isinstance(question, Numeric):
        answer = compute(question.answer, params)
        if not math.isfinite(answer):
            raise ValueError(f"question {question.id}: the answer for {params} is not a finite number")
    elif isinstance(question, CHOICE_TYPES):
        n = len(question.options)
        order = permutation(seed, n) if question.shuffle else tuple(range(n))
    elif isinstance(question, Ordering):
        n = len(question.items)
        order = permutation(seed, n)
        if order == tuple(range(n)) and n > 1:
            # Never start a learner at the solution: rotate by one.
            order = order[1:] + order[:1]
    elif isinstance(question, BuildIt):
        args = _resolve_args(dict(question.args), params)
    return Variant(question, learner, params, answer, order, args)
