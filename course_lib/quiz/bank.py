"""The quiz bank: ``quizzes/NN_slug.yaml`` read, checked against the schema, turned into questions.

    from course_lib.quiz import load_bank
    bank = load_bank("02_lambda")          # or a path to any .yaml file
    bank.question("monthly-cost").prompt

A file that breaks the rules raises :class:`BankError` listing *every* problem at once, each
with file, line, question id and field, so an author fixes them in one pass::

    quizzes/02_lambda.yaml: 2 problems
      line 41, question 'cold-start', field 'options[2].feedback': missing: a wrong option needs
        feedback that says why it is wrong
      line 77, question 'max-timeout', field 'prompt': hand-typed number '900': take it from
        facts.yaml with a {fact:KEY} placeholder (numbers in `code` are fine)

Never a traceback: YAML syntax errors, duplicate keys, wrong types, unknown fields (with a
"did you mean"), unknown facts/formulas/checks and bad regular expressions are all reported the
same way. The schema itself is described for authors in ``quizzes/SCHEMA.md``.
"""

from __future__ import annotations

import difflib
import inspect
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from course_lib.quiz import text as qtext
from course_lib.quiz.checks import CHECKS
from course_lib.quiz.formulas import FORMULAS, accepted_args, required_args
from course_lib.quiz.model import (
    DEFAULT_ATTEMPTS,
    QUESTION_TYPES,
    AnswerSpec,
    Bank,
    BuildIt,
    Mistake,
    MultipleSelect,
    Numeric,
    Option,
    Ordering,
    OrderItem,
    ParamSpec,
    Question,
    ShortText,
    SingleChoice,
    Tolerance,
    TrueFalse,
    WrongText,
)
from course_lib.quiz.parsing import normalise_text, unit as lookup_unit

CHAPTER_PATTERN = re.compile(r"^\d{2}_[a-z0-9_]+$")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

TOP_FIELDS = {"chapter", "title", "intro", "defaults", "questions"}
DEFAULT_FIELDS = {"attempts", "shuffle"}
COMMON_FIELDS = {"id", "type", "title", "prompt", "explanation", "hints", "attempts", "points", "params"}
TYPE_FIELDS = {
    "single": {"options", "shuffle"},
    "multiple": {"options", "shuffle"},
    "truefalse": {"answer", "wrong_feedback"},
    "numeric": {"answer", "unit", "tolerance", "mistakes", "decimals"},
    "text": {"accept", "patterns", "wrong"},
    "ordering": {"items"},
    "build": {"check", "args"},
}
OPTION_FIELDS = {"id", "text", "correct", "feedback"}
SPEC_FIELDS = {"value", "fact", "formula", "args"}
ITEM_FIELDS = {"id", "text", "feedback"}
WRONG_FIELDS = {"accept", "patterns", "feedback"}


def quizzes_dir() -> Path:
    """Where the banks live: ``COURSE_QUIZZES``, else ``quizzes/`` next to ``course_lib``."""
    override = os.environ.get("COURSE_QUIZZES")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "quizzes"


def bank_paths(directory: Path | None = None) -> list[Path]:
    return sorted(p for p in (directory or quizzes_dir()).glob("*.yaml") if CHAPTER_PATTERN.match(p.stem))


# -- problems -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    question: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [f"line {self.line}" if self.line else "", f"question {self.question!r}" if self.question else ""]
        if self.field:
            where.append(f"field {self.field!r}")
        head = ", ".join(w for w in where if w)
        return f"{head}: {self.message}" if head else self.message


def report(problems: Iterable[Problem]) -> str:
    """Problems grouped by file, one per line, in file order."""
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    lines = []
    for file, found in by_file.items():
        lines.append(f"{file}: {len(found)} problem{'s' if len(found) != 1 else ''}")
        lines += [f"  {p}" for p in sorted(found, key=lambda p: (p.line or 0))]
    return "\n".join(lines)


class BankError(ValueError):
    """A bank that breaks the schema; ``str()`` is the full report."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(report(problems))
        self.problems = problems


# -- YAML with line numbers -----------------------------------------------------------------------
def _node_lines(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int], dups: list[tuple[tuple[Any, ...], int]]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = path + (key,)
            if key in seen:
                dups.append((child, key_node.start_mark.line + 1))
            seen.add(key)
            _node_lines(value_node, child, lines, dups)
            lines[child] = key_node.start_mark.line + 1  # a field is where its key is written
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _node_lines(item, path + (index,), lines, dups)


def _field_name(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Reader:
    """Collects problems while turning plain YAML data into model objects."""

    def __init__(self, file: str, lines: dict[tuple[Any, ...], int]) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []
        self.qid: str | None = None
        self.qpath: tuple[Any, ...] = ()

    def line(self, path: tuple[Any, ...]) -> int | None:
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)

    def add(self, path: tuple[Any, ...], message: str) -> None:
        relative = path[len(self.qpath) :] if self.qid is not None and path[: len(self.qpath)] == self.qpath else path
        self.problems.append(Problem(self.file, self.line(path), self.qid, _field_name(relative) or None, message))

    def unknown_fields(self, data: dict[str, Any], allowed: set[str], path: tuple[Any, ...], what: str) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f" ({what} fields: {', '.join(sorted(allowed))})"
                self.add(path + (key,), f"unknown field{hint}")

    def text(self, data: dict[str, Any], key: str, path: tuple[Any, ...], required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.add(path + (key,), "missing")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.add(path + (key,), f"must be text, got {_kind(value)}")
            return ""
        if isinstance(value, (int, float)):
            return str(value)
        if required and not value.strip():
            self.add(path + (key,), "is empty")
        return value

    def mapping(self, value: Any, path: tuple[Any, ...]) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.add(path, f"must be a mapping (key: value lines), got {_kind(value)}")
        return None

    def seq(self, data: dict[str, Any], key: str, path: tuple[Any, ...], required: bool = True) -> list[Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.add(path + (key,), "missing")
            return []
        if not isinstance(value, list):
            self.add(path + (key,), f"must be a list, got {_kind(value)}")
            return []
        return value

    def text_list(self, data: dict[str, Any], key: str, path: tuple[Any, ...], required: bool = False) -> tuple[str, ...]:
        value = data.get(key)
        if isinstance(value, str):
            value = [value]
            data[key] = value
        out = []
        for i, item in enumerate(self.seq(data, key, path, required)):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
                self.add(path + (key, i), f"must be non-empty text, got {_kind(item)}")
            else:
                out.append(str(item))
        return tuple(out)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", bool: "true/false", str: "text", int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# -- the schema ------------------------------------------------------------------------------------
def _attempts(r: _Reader, value: Any, path: tuple[Any, ...], fallback: int | None) -> int | None:
    if value is None:
        return fallback
    if value == "unlimited":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        r.add(path, f"must be a whole number of at least 1, or 'unlimited'; got {value!r}")
        return fallback
    return value


def _answer_spec(r: _Reader, data: Any, path: tuple[Any, ...], params: dict[str, ParamSpec]) -> AnswerSpec | None:
    """A number, ``{fact: KEY}``, ``{value: N}`` or ``{formula: NAME, args: {...}}``."""
    if _number(data):
        return AnswerSpec(literal=float(data))
    spec = r.mapping(data, path)
    if spec is None:
        return None
    given = [k for k in ("value", "fact", "formula") if k in spec]
    if len(given) != 1:
        r.add(path, "give exactly one of 'value', 'fact' or 'formula'")
        return None
    kind = given[0]
    if kind == "value":
        if not _number(spec["value"]):
            r.add(path + ("value",), f"must be a number, got {_kind(spec['value'])}")
            return None
        return AnswerSpec(literal=float(spec["value"]))
    if kind == "fact":
        from course_lib import facts

        key = str(spec["fact"])
        try:
            found = facts.value(key)
        except KeyError as err:
            r.add(path + ("fact",), str(err))
            return None
        if not _number(found):
            r.add(path + ("fact",), f"fact {key!r} is not a number ({found!r})")
            return None
        return AnswerSpec(fact=key)
    name = str(spec["formula"])
    if name not in FORMULAS:
        close = difflib.get_close_matches(name, sorted(FORMULAS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(sorted(FORMULAS))})"
        r.add(path + ("formula",), f"unknown formula {name!r}{hint}")
        return None
    args = spec.get("args") or {}
    if r.mapping(args, path + ("args",)) is None:
        return None
    accepted = set(accepted_args(name))
    for key in args:
        if key not in accepted:
            r.add(path + ("args", key), f"formula {name} takes no argument {key!r} (it takes {', '.join(sorted(accepted))})")
    missing = [a for a in required_args(name) if a not in args and a not in params]
    if missing:
        r.add(path + ("formula",), f"formula {name} needs {', '.join(missing)}: add them to 'params' or 'args'")
    return AnswerSpec(formula=name, args=dict(args))


def _params(r: _Reader, data: dict[str, Any], path: tuple[Any, ...]) -> dict[str, ParamSpec]:
    raw = data.get("params")
    if raw is None:
        return {}
    if r.mapping(raw, path + ("params",)) is None:
        return {}
    params = {}
    for name, spec in raw.items():
        here = path + ("params", name)
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", str(name)):
            r.add(here, "a parameter name must be lower_snake_case")
            continue
        body = r.mapping(spec, here)
        if body is None:
            continue
        r.unknown_fields(body, {"values"}, here, "parameter")
        values = body.get("values")
        if not isinstance(values, list) or not values:
            r.add(here + ("values",), "must be a non-empty list of the values to draw from")
            continue
        params[str(name)] = ParamSpec(str(name), tuple(values))
    return params


def _options(r: _Reader, data: dict[str, Any], path: tuple[Any, ...], qtype: str) -> tuple[Option, ...]:
    raw = r.seq(data, "options", path)
    if raw and len(raw) < 2:
        r.add(path + ("options",), "needs at least two options")
    options: list[Option] = []
    for i, item in enumerate(raw):
        here = path + ("options", i)
        body = r.mapping(item, here)
        if body is None:
            continue
        r.unknown_fields(body, OPTION_FIELDS, here, "option")
        correct = body.get("correct", False)
        if not isinstance(correct, bool):
            r.add(here + ("correct",), f"must be true or false, got {correct!r}")
            correct = False
        feedback = r.text(body, "feedback", here, required=False)
        if not correct and not feedback.strip():
            r.add(here + ("feedback",), "missing: a wrong option needs feedback that says why it is wrong")
        oid = str(body.get("id", chr(ord("a") + i)))
        options.append(Option(oid, r.text(body, "text", here), correct, feedback))
    ids = [o.id for o in options]
    for i, oid in enumerate(ids):
        if oid in ids[:i]:
            r.add(path + ("options", i, "id"), f"duplicate option id {oid!r}")
    right = sum(o.correct for o in options)
    if options and qtype == "single" and right != 1:
        r.add(path + ("options",), f"a single-choice question needs exactly one correct option, found {right}")
    if options and qtype == "multiple":
        if right == 0:
            r.add(path + ("options",), "a multiple-select question needs at least one correct option")
        if right == len(options):
            r.add(path + ("options",), "every option is correct: add at least one wrong option")
    return tuple(options)


def _compiles(r: _Reader, patterns: tuple[str, ...], path: tuple[Any, ...]) -> None:
    for i, pattern in enumerate(patterns):
        try:
            re.compile(pattern)
        except re.error as err:
            r.add(path + (i,), f"not a valid regular expression: {err}")


def _question(r: _Reader, data: dict[str, Any], path: tuple[Any, ...], defaults: dict[str, Any]) -> Question | None:
    qid = data.get("id")
    r.qid, r.qpath = (str(qid) if qid is not None else f"#{path[-1] + 1}"), path
    if qid is None:
        r.add(path + ("id",), "missing")
    elif not isinstance(qid, str) or not ID_PATTERN.match(qid):
        r.add(path + ("id",), "must be lower-case letters, digits and dashes, like 'cold-start'")
    qtype = data.get("type")
    if qtype not in QUESTION_TYPES:
        close = difflib.get_close_matches(str(qtype), QUESTION_TYPES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        r.add(path + ("type",), f"{'missing' if qtype is None else f'unknown type {qtype!r}'}{hint}: one of {', '.join(QUESTION_TYPES)}")
        return None
    r.unknown_fields(data, COMMON_FIELDS | TYPE_FIELDS[qtype], path, f"a {qtype} question's")
    params = _params(r, data, path)
    fallback = defaults.get("attempts", DEFAULT_ATTEMPTS[qtype]) if qtype != "build" else DEFAULT_ATTEMPTS["build"]
    points = data.get("points", 1)
    if not _number(points) or points <= 0:
        r.add(path + ("points",), f"must be a positive number, got {points!r}")
        points = 1
    common = dict(
        id=str(qid),
        type=qtype,
        title=r.text(data, "title", path, required=False),
        prompt=r.text(data, "prompt", path),
        explanation=r.text(data, "explanation", path),
        hints=r.text_list(data, "hints", path),
        attempts=_attempts(r, data.get("attempts"), path + ("attempts",), fallback),
        points=float(points),
        params=tuple(params.values()),
    )
    shuffle = data.get("shuffle", defaults.get("shuffle", True))
    if not isinstance(shuffle, bool):
        r.add(path + ("shuffle",), f"must be true or false, got {shuffle!r}")
        shuffle = True
    if qtype in ("single", "multiple"):
        cls = SingleChoice if qtype == "single" else MultipleSelect
        return cls(**common, options=_options(r, data, path, qtype), shuffle=shuffle)
    if qtype == "truefalse":
        answer = data.get("answer")
        if not isinstance(answer, bool):
            r.add(path + ("answer",), f"must be true or false, got {_kind(answer)}")
        return TrueFalse(**common, answer=bool(answer), wrong_feedback=r.text(data, "wrong_feedback", path))
    if qtype == "numeric":
        return _numeric(r, data, path, common, params)
    if qtype == "text":
        accept = r.text_list(data, "accept", path, required=True)
        if "accept" in data and not accept:
            r.add(path + ("accept",), "needs at least one accepted answer")
        for i, a in enumerate(accept):
            if not normalise_text(a):
                r.add(path + ("accept", i), "normalises to nothing (only punctuation)")
        patterns = r.text_list(data, "patterns", path)
        _compiles(r, patterns, path + ("patterns",))
        wrong = []
        for i, item in enumerate(r.seq(data, "wrong", path, required=False)):
            here = path + ("wrong", i)
            body = r.mapping(item, here)
            if body is None:
                continue
            r.unknown_fields(body, WRONG_FIELDS, here, "wrong-answer")
            w_accept, w_patterns = r.text_list(body, "accept", here), r.text_list(body, "patterns", here)
            _compiles(r, w_patterns, here + ("patterns",))
            if not w_accept and not w_patterns:
                r.add(here, "needs 'accept' or 'patterns' (the wrong answers this feedback is for)")
            wrong.append(WrongText(w_accept, w_patterns, r.text(body, "feedback", here)))
        return ShortText(**common, accept=accept, patterns=patterns, wrong=tuple(wrong))
    if qtype == "ordering":
        items = []
        raw = r.seq(data, "items", path)
        if raw and len(raw) < 2:
            r.add(path + ("items",), "needs at least two steps to put in order")
        for i, item in enumerate(raw):
            here = path + ("items", i)
            if isinstance(item, str):
                item = {"text": item}
            body = r.mapping(item, here)
            if body is None:
                continue
            r.unknown_fields(body, ITEM_FIELDS, here, "step")
            items.append(OrderItem(str(body.get("id", chr(ord("a") + i))), r.text(body, "text", here), r.text(body, "feedback", here, required=False)))
        for i, item in enumerate(items):
            if item.id in [x.id for x in items[:i]]:
                r.add(path + ("items", i, "id"), f"duplicate step id {item.id!r}")
            if item.text in [x.text for x in items[:i]]:
                r.add(path + ("items", i, "text"), "two steps have the same text: a learner could not tell them apart")
        return Ordering(**common, items=tuple(items))
    # build
    check = r.text(data, "check", path)
    args = data.get("args") or {}
    if r.mapping(args, path + ("args",)) is None:
        args = {}
    if check and check not in CHECKS:
        close = difflib.get_close_matches(check, sorted(CHECKS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(sorted(CHECKS))})"
        r.add(path + ("check",), f"no build check named {check!r}{hint}")
    elif check:
        sig = inspect.signature(CHECKS[check].inspect)
        takes = list(sig.parameters)[1:]  # the first parameter is the sandbox
        for key in args:
            if key not in takes:
                r.add(path + ("args", key), f"check {check} takes no argument {key!r} (it takes {', '.join(takes)})")
        for p in list(sig.parameters.values())[1:]:
            if p.default is inspect.Parameter.empty and p.name not in args:
                r.add(path + ("args",), f"check {check} needs the argument {p.name!r}")
    return BuildIt(**common, check=check, args=dict(args))


def _numeric(r: _Reader, data: dict[str, Any], path: tuple[Any, ...], common: dict[str, Any], params: dict[str, ParamSpec]) -> Numeric:
    answer = None
    if "answer" not in data:
        r.add(path + ("answer",), "missing")
    else:
        answer = _answer_spec(r, data["answer"], path + ("answer",), params)
    unit = data.get("unit")
    if unit is not None:
        found = lookup_unit(str(unit))
        if found is None:
            r.add(path + ("unit",), f"unknown unit {unit!r}")
            unit = None
        else:
            unit = found.symbol
    tolerance = Tolerance()
    raw_tol = data.get("tolerance")
    if raw_tol is not None:
        body = r.mapping(raw_tol, path + ("tolerance",))
        if body is not None:
            r.unknown_fields(body, {"absolute", "relative"}, path + ("tolerance",), "tolerance")
            for key in ("absolute", "relative"):
                if key in body and (not _number(body[key]) or body[key] < 0):
                    r.add(path + ("tolerance", key), f"must be a number of at least 0, got {body[key]!r}")
            tolerance = Tolerance(
                absolute=float(body["absolute"]) if _number(body.get("absolute")) else 0.0,
                relative=float(body["relative"]) if _number(body.get("relative")) else 1e-9,
            )
    mistakes = []
    for i, item in enumerate(r.seq(data, "mistakes", path, required=False)):
        here = path + ("mistakes", i)
        body = r.mapping(item, here)
        if body is None:
            continue
        r.unknown_fields(body, SPEC_FIELDS | {"feedback"}, here, "mistake")
        spec = _answer_spec(r, {k: v for k, v in body.items() if k != "feedback"}, here, params)
        feedback = r.text(body, "feedback", here)
        if spec is not None:
            mistakes.append(Mistake(spec, feedback))
    decimals = data.get("decimals")
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 10):
        r.add(path + ("decimals",), f"must be a whole number from 0 to 10, got {decimals!r}")
        decimals = None
    return Numeric(
        **common,
        answer=answer or AnswerSpec(literal=0.0),
        unit=unit,
        tolerance=tolerance,
        mistakes=tuple(mistakes),
        decimals=decimals,
    )


# -- text rules: placeholders resolve, no hand-typed numbers -----------------------------------------
def visible_texts(q: Question) -> list[tuple[tuple[Any, ...], str, bool]]:
    """(field path, raw text, numbers-must-come-from-facts) for every text a learner can see."""
    out: list[tuple[tuple[Any, ...], str, bool]] = [(("prompt",), q.prompt, True), (("explanation",), q.explanation, True)]
    out += [(("title",), q.title, True)] if q.title else []
    out += [(("hints", i), h, True) for i, h in enumerate(q.hints)]
    if isinstance(q, (SingleChoice, MultipleSelect)):
        for i, o in enumerate(q.options):
            # A wrong option's number is made up on purpose (a distractor); a right one's is a fact.
            out += [(("options", i, "text"), o.text, o.correct), (("options", i, "feedback"), o.feedback, True)]
    elif isinstance(q, TrueFalse):
        out.append((("wrong_feedback",), q.wrong_feedback, True))
    elif isinstance(q, Numeric):
        out += [(("mistakes", i, "feedback"), m.feedback, True) for i, m in enumerate(q.mistakes)]
    elif isinstance(q, ShortText):
        out += [(("wrong", i, "feedback"), w.feedback, True) for i, w in enumerate(q.wrong)]
    elif isinstance(q, Ordering):
        for i, item in enumerate(q.items):
            out += [(("items", i, "text"), item.text, True), (("items", i, "feedback"), item.feedback, True)]
    return out


def _check_texts(r: _Reader, q: Question, path: tuple[Any, ...]) -> None:
    params = {p.name for p in q.params}
    for rel, raw, strict in visible_texts(q):
        here = path + rel
        for m in qtext.placeholders(raw):
            kind, name, spec = m.groups()
            if kind == "fact":
                try:
                    qtext.fact_text(name or "", spec)
                except qtext.TemplateError as err:
                    r.add(here, f"{m.group(0)}: {err}")
            elif kind == "param":
                if name not in params:
                    r.add(here, f"{m.group(0)}: no parameter {name!r} (declared: {', '.join(sorted(params)) or 'none'})")
            elif kind == "arg":
                if not isinstance(q, BuildIt):
                    r.add(here, f"{m.group(0)}: {{arg:...}} only works in build questions")
                else:
                    node: Any = q.args
                    for part in (name or "").split("."):
                        node = node.get(part) if isinstance(node, dict) else None
                    if node is None:
                        r.add(here, f"{m.group(0)}: the check has no argument {name!r}")
            elif kind == "formula":
                if name not in FORMULAS:
                    r.add(here, f"{m.group(0)}: unknown formula (known: {', '.join(sorted(FORMULAS))})")
                elif missing := [a for a in required_args(name) if a not in params]:
                    r.add(here, f"{m.group(0)}: formula {name} needs the parameters {', '.join(missing)}")
            elif kind == "answer" and not isinstance(q, Numeric):
                r.add(here, "{answer} only works in numeric questions")
        if strict:
            for number in qtext.hand_typed_numbers(raw):
                r.add(here, f"hand-typed number {number!r}: take it from facts.yaml with a {{fact:KEY}} placeholder (numbers in `code` are fine)")


# -- entry points --------------------------------------------------------------------------------------
def read_bank(path: Path | str) -> tuple[Bank | None, list[Problem]]:
    """Load and validate one file. Returns the bank (None when unusable) and every problem found."""
    path = Path(path)
    shown = _display_path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(shown, None, None, None, "file not found")]
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem(shown, None, None, None, f"cannot be read: {err}")]
    try:
        loader = yaml.SafeLoader(source)
    except yaml.YAMLError as err:  # a control character: the reader refuses it before parsing
        return None, [Problem(shown, None, None, None, f"YAML: {err}")]
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        message = f"YAML syntax: {err.problem or err.context}"
        return None, [Problem(shown, mark.line + 1 if mark else None, None, None, message)]
    except yaml.YAMLError as err:
        return None, [Problem(shown, None, None, None, f"YAML: {err}")]
    finally:
        loader.dispose()
    lines: dict[tuple[Any, ...], int] = {}
    dups: list[tuple[tuple[Any, ...], int]] = []
    if node is not None:
        _node_lines(node, (), lines, dups)
    r = _Reader(shown, lines)
    for dup_path, line in dups:
        r.problems.append(Problem(shown, line, None, _field_name(dup_path), "duplicate key: YAML keeps only the last one"))
    top = r.mapping(data, ())
    if top is None:
        return None, r.problems
    r.unknown_fields(top, TOP_FIELDS, (), "top-level")
    chapter = r.text(top, "chapter", ())
    if chapter and chapter != path.stem:
        r.add(("chapter",), f"is {chapter!r} but the file is {path.name}: they must match")
    title = r.text(top, "title", ())
    intro = r.text(top, "intro", (), required=False)
    defaults = top.get("defaults") or {}
    if r.mapping(defaults, ("defaults",)) is None:
        defaults = {}
    r.unknown_fields(defaults, DEFAULT_FIELDS, ("defaults",), "defaults")
    if "attempts" in defaults:
        defaults = dict(defaults, attempts=_attempts(r, defaults["attempts"], ("defaults", "attempts"), None))
    raw_questions = r.seq(top, "questions", ())
    if "questions" in top and not raw_questions:
        r.add(("questions",), "a quiz needs at least one question")
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_questions):
        path_q = ("questions", i)
        r.qid, r.qpath = None, ()
        body = r.mapping(raw, path_q)
        if body is None:
            continue
        q = _question(r, body, path_q, defaults)
        if q is None:
            continue
        if q.id in seen:
            r.add(path_q + ("id",), f"duplicate id: question {seen[q.id] + 1} already uses it")
        seen.setdefault(q.id, i)
        _check_texts(r, q, path_q)
        questions.append(q)
    r.qid = None
    if r.problems:
        return None, r.problems
    qlines = {q.id: lines.get(("questions", seen[q.id]), 0) for q in questions}
    return Bank(chapter=chapter, title=title, questions=tuple(questions), intro=intro, path=str(path), lines=qlines), []


def _display_path(path: Path) -> str:
    """Paths in reports are relative to the working folder when possible (clickable in editors)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


_LOADED: dict[Path, tuple[tuple[int, int], Bank]] = {}


def load_bank(chapter: str | Path, directory: Path | None = None) -> Bank:
    """A chapter's bank (``"02_lambda"``) or any bank file; raises :class:`BankError` listing every problem.

    A bank is parsed again only when its file changes, so re-running a quiz cell is instant
    and an edited bank is picked up without restarting the kernel.
    """
    path = Path(chapter)
    if path.suffix != ".yaml":
        path = (directory or quizzes_dir()) / f"{chapter}.yaml"
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (-1, -1)
    cached = _LOADED.get(path.resolve())
    if cached and cached[0] == stamp and stamp != (-1, -1):
        return cached[1]
    bank, problems = read_bank(path)
    if bank is None:
        raise BankError(problems)
    _LOADED[path.resolve()] = (stamp, bank)
    return bank
