"""No hand-typed number contradicts the facts file.

Notebooks say prices and limits through ``course_lib.text.say("{fact.key}")`` and quiz banks
through ``{fact:KEY}`` placeholders, so a number with an AWS unit typed straight into prose is
either a copy of a fact (it will rot when the fact changes) or a number nobody checked. This
test reads every notebook's Markdown cells and every quiz bank's visible text, finds each
number written with a unit (MB, GB, KB, MiB, ms, seconds, minutes, hours, days, or a ``$``
amount), and fails unless that quantity is the value of some fact in
``course_lib/facts/facts.yaml`` or appears in some fact's ``text`` (unit conversions count:
"15 minutes" matches a fact of 900 s). The failure lists file, cell (or question) and number.

What is *not* checked, on purpose (the allow-list, kept tiny and explicit):

* numbers without a unit ("400 orders", "3 retries"): not AWS quantities;
* numbers inside `code` and fenced code blocks: example arguments, not claims;
* ``ALLOWED_CONTEXTS`` below: the course's own reading-time estimates ("Time to complete:
  45 minutes"), which come from ``course_lib/chapters.py``, not from AWS;
* numbers declared, file by file and each with its reason, in ``prose_examples.yaml`` beside
  this test: example workloads ("120 ms at 1,536 MB"), demo inputs, deliberately wrong quiz
  options. A declaration no longer used fails too, so the list cannot silently grow stale.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

from course_lib import facts

ROOT = Path(__file__).resolve().parents[2]

# Unit words as prose writes them -> (dimension, size in the dimension's base unit).
# Data sizes are binary, as AWS's own limits pages mean them (10,240 MB is "10 GB").
UNITS: dict[str, tuple[str, float]] = {
    "ms": ("time", 0.001), "millisecond": ("time", 0.001), "milliseconds": ("time", 0.001),
    "s": ("time", 1.0), "sec": ("time", 1.0), "secs": ("time", 1.0), "second": ("time", 1.0), "seconds": ("time", 1.0),
    "min": ("time", 60.0), "mins": ("time", 60.0), "minute": ("time", 60.0), "minutes": ("time", 60.0),
    "h": ("time", 3600.0), "hr": ("time", 3600.0), "hrs": ("time", 3600.0), "hour": ("time", 3600.0), "hours": ("time", 3600.0),
    "day": ("time", 86400.0), "days": ("time", 86400.0),
    "bytes": ("data", 1 / 1024**2), "kb": ("data", 1 / 1024), "kib": ("data", 1 / 1024),
    "mb": ("data", 1.0), "mib": ("data", 1.0), "gb": ("data", 1024.0), "gib": ("data", 1024.0),
    "tb": ("data", 1024.0**2), "tib": ("data", 1024.0**2),
}
_UNIT_WORDS = sorted(UNITS, key=len, reverse=True)
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# "15 minutes", "10,240 MB", "128-MB", "900 s"; the unit must end the word ("5 s3 buckets" is not seconds).
WITH_UNIT = re.compile(rf"(?<![\w.,$])({NUMBER})(?:\s|\u00a0|-)?({'|'.join(_UNIT_WORDS)})(?![\w])", re.IGNORECASE)
MONEY = re.compile(rf"\\?\$\s?({NUMBER})(?![\w])")
CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.DOTALL)
PLACEHOLDER = re.compile(r"\{[^{}\n]*\}")  # {fact:KEY}, {param:x}, {answer}: filled from facts
# The allow-list: text that states the course's own numbers, not AWS's. Matched per line.
ALLOWED_CONTEXTS = (re.compile(r"time to complete", re.IGNORECASE),)


@dataclass(frozen=True)
class Quantity:
    dimension: str  # time, data, money
    base: float  # in seconds, MB or USD
    written: str  # as the prose wrote it

    def same(self, other: "Quantity") -> bool:
        return self.dimension == other.dimension and math.isclose(self.base, other.base, rel_tol=1e-9, abs_tol=1e-12)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def quantities(text: str) -> list[Quantity]:
    """Every number-with-a-unit and every $ amount in ``text`` (code and placeholders removed)."""
    text = PLACEHOLDER.sub(" ", CODE.sub(" ", text))
    found = []
    for line in text.splitlines():
        if any(p.search(line) for p in ALLOWED_CONTEXTS):
            continue
        for m in WITH_UNIT.finditer(line):
            dimension, size = UNITS[m.group(2).lower()]
            found.append(Quantity(dimension, _number(m.group(1)) * size, m.group(0)))
        for m in MONEY.finditer(line):
            found.append(Quantity("money", _number(m.group(1)), m.group(0).lstrip("\\")))
    return found


def _numbers_in(value: Any) -> Iterator[float]:
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _numbers_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers_in(v)


def _fact_dimension(unit: str) -> tuple[str, float] | None:
    """The dimension of a fact's unit ("USD per GB-month" is money, "MB per second" is data)."""
    first = str(unit).split()[0] if str(unit).split() else ""
    if first == "USD":
        return ("money", 1.0)
    return UNITS.get(first.lower())


def known_quantities() -> list[Quantity]:
    """Every quantity the facts file states: values in their units, and what their text says."""
    known: list[Quantity] = []
    for fact in facts.all_facts().values():
        dimension = _fact_dimension(fact.unit)
        if dimension is not None:
            known += [Quantity(dimension[0], n * dimension[1], fact.key) for n in _numbers_in(fact.value)]
        known += quantities(str(fact.text or ""))
    return known


# -- what is scanned ------------------------------------------------------------------------------
def notebook_texts() -> Iterator[tuple[str, str, str]]:
    """(file, where, text) for every Markdown cell of every notebook."""
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb.get("cells", [])):
            if cell.get("cell_type") == "markdown":
                source = cell.get("source", "")
                yield f"notebooks/{path.name}", f"cell {index}", "".join(source) if isinstance(source, list) else source


def bank_texts() -> Iterator[tuple[str, str, str]]:
    """(file, where, text) for every string a learner can read in every quiz bank."""

    def strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, str):
            yield where, node
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in ("id", "type", "check", "formula", "fact", "patterns", "unit"):
                    yield from strings(value, f"{where}.{key}" if where else str(key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from strings(value, f"{where}[{i}]")

    for path in sorted((ROOT / "quizzes").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for i, question in enumerate(doc.get("questions") or []):
            qid = question.get("id", i) if isinstance(question, dict) else i
            for where, text in strings(question, ""):
                yield f"quizzes/{path.name}", f"question {qid!r} {where}", text
        for key in ("title", "intro"):
            if isinstance(doc.get(key), str):
                yield f"quizzes/{path.name}", key, doc[key]


EXAMPLES_FILE = Path(__file__).with_name("prose_examples.yaml")


def declared_examples() -> dict[str, dict[str, str]]:
    """file -> {number as written: why it is not an AWS fact}."""
    raw = yaml.safe_load(EXAMPLES_FILE.read_text(encoding="utf-8")) or {}
    return {file: {entry["written"]: entry["why"] for entry in entries} for file, entries in raw.items()}


def unbacked(
    texts: Iterator[tuple[str, str, str]], known: list[Quantity], examples: dict[str, dict[str, str]] | None = None
) -> list[str]:
    examples = examples or {}
    out = []
    for file, where, text in texts:
        for q in quantities(text):
            if not any(q.same(k) for k in known) and q.written not in examples.get(file, {}):
                out.append(f"{file} {where}: {q.written!r}")
    return out


# -- the tests -----------------------------------------------------------------------------------------
def test_the_scanner_finds_units_and_matches_facts_by_value_text_and_conversion() -> None:
    """The matcher itself: it must be able to fail, and must not flag a true fact."""
    found = quantities("Up to 15 minutes, 10,240\u00a0MB or $0.20; `memory=256 MB` and 400 orders; {fact:x} 7 GB.")
    assert [(q.dimension, q.base) for q in found] == [("time", 900.0), ("data", 10240.0), ("data", 7168.0), ("money", 0.2)]
    known = known_quantities()
    backed = quantities("a 900 s timeout, 15 minutes, 10 GB, 128 MB, $0.20 per million requests")
    assert all(any(q.same(k) for k in known) for q in backed), [q.written for q in backed if not any(q.same(k) for k in known)]
    assert unbacked(iter([("x.md", "cell 0", "A timeout of 17 minutes costs $123.45.")]), known) == [
        "x.md cell 0: '17 minutes'",
        "x.md cell 0: '$123.45'",
    ]
    assert quantities("**Time to complete:** 45 minutes") == []  # the allow-list
    assert quantities("5 s3 buckets and 3 retries") == []


def test_the_scan_covers_every_notebook_and_bank() -> None:
    files = {f for f, _, _ in notebook_texts()} | {f for f, _, _ in bank_texts()}
    assert {f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")} <= files
    assert {f"quizzes/{p.name}" for p in (ROOT / "quizzes").glob("*.yaml")} <= files


def test_every_declared_example_is_explained_and_still_used() -> None:
    used = {(file, q.written) for texts in (notebook_texts(), bank_texts()) for file, _, text in texts for q in quantities(text)}
    problems = []
    for file, entries in declared_examples().items():
        for written, why in entries.items():
            if not str(why).strip():
                problems.append(f"{file}: {written!r} has no reason")
            if (file, written) not in used:
                problems.append(f"{file}: {written!r} is declared but no longer written there: remove it")
    assert problems == [], "\n".join(problems)


def test_no_number_in_notebook_prose_contradicts_the_facts_file() -> None:
    offending = unbacked(notebook_texts(), known_quantities(), declared_examples())
    assert offending == [], (
        f"{len(offending)} number(s) typed into notebook Markdown are not values of any fact in "
        "course_lib/facts/facts.yaml: say them with course_lib.text.say('{fact.key}'), or add the "
        "fact (with its source and as_of date), or declare it with its reason in "
        "tests/promises/prose_examples.yaml if it is an example, not an AWS fact:\n  " + "\n  ".join(offending)
    )


def test_no_number_in_a_quiz_bank_contradicts_the_facts_file() -> None:
    offending = unbacked(bank_texts(), known_quantities(), declared_examples())
    assert offending == [], (
        f"{len(offending)} number(s) typed into quiz banks are not values of any fact: use a "
        "{fact:KEY} placeholder:\n  " + "\n  ".join(offending)
    )
