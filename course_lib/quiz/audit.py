"""``course check``: proof that every bank is sound before a learner meets it.

For every bank in ``quizzes/``:

* it loads and passes the schema (every problem listed, with file, line, question and field);
* every question, for each of 100 learner seeds (``seed-000`` ... ``seed-099``):
  - its variant computes (parameters drawn, answers finite) and every text renders;
  - its key is accepted by its own grader, and for a numeric question so is the answer as the
    explanation writes it (``$3.60``), so a learner copying the worked answer is never marked wrong;
  - every distractor is rejected: each wrong option, each predictable numeric mistake, each
    known wrong short answer, the shuffled starting order of an ordering question;
* every build-it check fails on an empty account and passes once its reference solution is
  built (in a throwaway moto account, not the learner's sandbox).

Question ids are unique within a bank (the schema), and chapters are unique by file name.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course_lib.quiz import text as qtext
from course_lib.quiz.bank import Problem, bank_paths, quizzes_dir, read_bank, visible_texts
from course_lib.quiz.checks import CHECKS, isolated_account
from course_lib.quiz.grading import CORRECT, INCORRECT, grade
from course_lib.quiz.model import Bank, BuildIt, MultipleSelect, Numeric, Ordering, Question, ShortText, SingleChoice, TrueFalse
from course_lib.quiz.variants import Variant, format_answer, variant

SEEDS = 100


def seed_learners(n: int = SEEDS) -> list[str]:
    return [f"seed-{i:03d}" for i in range(n)]


def key_response(v: Variant) -> Any:
    """A response that must be marked correct (None for build-it: the key is a built resource)."""
    q = v.question
    if isinstance(q, SingleChoice):
        return next(o.id for o in q.options if o.correct)
    if isinstance(q, MultipleSelect):
        return [o.id for o in q.options if o.correct]
    if isinstance(q, TrueFalse):
        return q.answer
    if isinstance(q, Numeric):
        return repr(v.answer)
    if isinstance(q, ShortText):
        return q.accept[0]
    if isinstance(q, Ordering):
        return [item.id for item in q.items]
    return None


def distractor_responses(v: Variant) -> list[tuple[str, Any]]:
    """(what it is, response) for every wrong answer the bank anticipates."""
    q = v.question
    out: list[tuple[str, Any]] = []
    if isinstance(q, SingleChoice):
        out = [(f"option {o.id!r}", o.id) for o in q.options if not o.correct]
    elif isinstance(q, MultipleSelect):
        right = [o.id for o in q.options if o.correct]
        out = [(f"the right options plus {o.id!r}", right + [o.id]) for o in q.options if not o.correct]
        if len(right) > 1:
            out += [(f"the right options without {r!r}", [x for x in right if x != r]) for r in right]
    elif isinstance(q, TrueFalse):
        out = [("the opposite answer", not q.answer)]
    elif isinstance(q, Numeric):
        out = [(f"mistake {i + 1} ({m.answer.describe()})", repr(value)) for i, (m, (value, _)) in enumerate(zip(q.mistakes, v.mistakes))]
    elif isinstance(q, ShortText):
        out = [(f"wrong answer {a!r}", a) for w in q.wrong for a in w.accept]
    elif isinstance(q, Ordering):
        out = [("the starting order", [q.items[i].id for i in v.order])]
    return out


@dataclass
class BankSummary:
    path: str
    chapter: str = ""
    questions: int = 0
    parameterised: int = 0
    builds: int = 0
    variants: int = 0
    problems: list[Problem] = field(default_factory=list)


def _problem(bank: Bank, q: Question, message: str, field_name: str | None = None) -> Problem:
    return Problem(_display(bank.path), bank.lines.get(q.id), q.id, field_name, message)


def _display(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def _audit_variant(bank: Bank, q: Question, v: Variant, learner: str) -> list[Problem]:
    problems: list[Problem] = []
    for rel, raw, _ in visible_texts(q):
        try:
            v.render(raw)
        except (qtext.TemplateError, KeyError, ValueError) as err:
            name = ".".join(str(p) for p in rel)
            problems.append(_problem(bank, q, f"does not render for learner {learner!r}: {err}", name))
    if problems or isinstance(q, BuildIt):
        return problems  # a build-it key is a built resource: see _audit_build
    key = key_response(v)
    result = grade(v, key)
    if result.status != CORRECT:
        problems.append(_problem(bank, q, f"its own key {key!r} is marked {result.status} for learner {learner!r}: {' '.join(result.feedback)}"))
    if isinstance(q, Numeric) and v.answer is not None:
        written = format_answer(v.answer, q.unit, q.decimals)
        if not grade(v, written).correct:
            problems.append(
                _problem(bank, q, f"the answer as explanations write it ({written}) is not accepted for learner {learner!r}: widen 'tolerance' or set 'decimals'", "tolerance")
            )
    for what, response in distractor_responses(v):
        outcome = grade(v, response)
        if outcome.status != INCORRECT:
            problems.append(_problem(bank, q, f"{what} ({response!r}) should be marked wrong but is {outcome.status} for learner {learner!r}"))
    return problems


def _audit_build(bank: Bank, q: BuildIt, v: Variant) -> list[Problem]:
    check = CHECKS[q.check]
    problems: list[Problem] = []
    with isolated_account() as account:
        empty = grade(v, account)
        if empty.status != INCORRECT:
            problems.append(_problem(bank, q, f"check {q.check} does not fail on an empty account ({empty.status})", "check"))
        try:
            check.solve(account, **dict(v.args))
        except Exception as err:  # report, never crash the whole run
            problems.append(_problem(bank, q, f"the reference solution of check {q.check} failed: {type(err).__name__}: {err}", "args"))
            return problems
        built = grade(v, account)
        if not built.correct:
            problems.append(_problem(bank, q, f"check {q.check} does not pass on its reference solution: {'; '.join(built.feedback)}", "args"))
    return problems


def audit_bank(bank: Bank, seeds: int = SEEDS, builds: bool = True) -> BankSummary:
    """Every key, distractor, variant and build check of one loaded bank."""
    summary = BankSummary(path=_display(bank.path), chapter=bank.chapter, questions=len(bank.questions))
    for q in bank.questions:
        summary.parameterised += bool(q.params)
        seen_args: set[str] = set()
        for learner in seed_learners(seeds):
            try:
                v = variant(q, learner)
            except Exception as err:  # a formula that fails for one draw must be reported, not crash
                summary.problems.append(_problem(bank, q, f"variant for learner {learner!r} fails: {type(err).__name__}: {err}", "params"))
                break
            summary.variants += 1
            try:
                found = _audit_variant(bank, q, v, learner)
            except Exception as err:  # a mistake formula failing for one draw, say
                found = [_problem(bank, q, f"checking learner {learner!r} fails: {type(err).__name__}: {err}")]
            summary.problems += found
            if found:
                break  # one failing seed says enough; the next seeds would repeat it
            if isinstance(q, BuildIt) and builds:
                args_key = repr(sorted(v.args.items()))
                if args_key not in seen_args:
                    seen_args.add(args_key)
                    summary.builds += 1
                    summary.problems += _audit_build(bank, q, v)
    return summary


def audit_all(directory: Path | None = None, seeds: int = SEEDS, builds: bool = True) -> list[BankSummary]:
    """Load and audit every bank in ``directory`` (default ``quizzes/``)."""
    directory = directory or quizzes_dir()
    paths = bank_paths(directory)
    if not paths:
        return [BankSummary(path=str(directory), problems=[Problem(str(directory), None, None, None, "no quiz banks (NN_slug.yaml) found")])]
    summaries = []
    for path in paths:
        bank, problems = read_bank(path)
        if bank is None:
            summaries.append(BankSummary(path=_display(str(path)), problems=problems))
            continue
        summaries.append(audit_bank(bank, seeds=seeds, builds=builds))
    return summaries


def render_report(summaries: list[BankSummary], seconds: float | None = None) -> str:
    """The human report ``course check`` prints."""
    from course_lib.quiz.bank import report

    lines = []
    for s in summaries:
        if s.problems:
            continue
        extra = []
        if s.parameterised:
            extra.append(f"{s.parameterised} parameterised")
        if s.builds:
            extra.append(f"{s.builds} build check{'s' if s.builds != 1 else ''} run")
        lines.append(f"ok   {s.path}: {s.questions} questions, {s.variants} variants checked" + (f" ({', '.join(extra)})" if extra else ""))
    problems = [p for s in summaries for p in s.problems]
    if problems:
        lines.append(report(problems))
        lines.append(f"FAILED: {len(problems)} problem{'s' if len(problems) != 1 else ''} in {sum(1 for s in summaries if s.problems)} bank(s).")
    else:
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        lines.append(f"All {len(summaries)} quiz banks are sound{took}.")
    return "\n".join(lines)


def run(directory: Path | None = None, seeds: int = SEEDS) -> tuple[bool, str]:
    """(ok, report) for ``course check``."""
    started = time.perf_counter()
    summaries = audit_all(directory, seeds=seeds)
    ok = not any(s.problems for s in summaries)
    return ok, render_report(summaries, time.perf_counter() - started)
