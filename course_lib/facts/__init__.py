"""Every price and limit the course states, with its source and as-of date.

The data lives once, in ``facts.yaml`` beside this file. Prose, plots and quizzes read it
from here, so a price change is a one-line edit that every chapter follows::

    from course_lib import facts
    facts.value("lambda.limits.timeout_max_s")      # 900
    facts.text("lambda.prices.request_per_million") # '$0.20 per million requests'
    facts.fact("lambda.limits.timeout_max_s").source

A fact is a mapping with ``value``, ``unit``, ``source``, ``as_of`` and ``text``. Keys are
dotted paths through the YAML tree.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import yaml

FACTS_FILE = Path(__file__).with_name("facts.yaml")
# libyaml's loader parses the facts file several times faster than the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
REQUIRED_FIELDS = ("value", "unit", "source", "as_of", "text")


class FactError(KeyError):
    """A fact that does not exist or is malformed."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Fact:
    key: str
    value: Any
    unit: str
    source: str
    as_of: _dt.date
    text: str

    def age_days(self, today: _dt.date | None = None) -> int:
        return ((today or _dt.date.today()) - self.as_of).days

    def _repr_markdown_(self) -> str:
        return f"{self.text} ([source]({self.source}), as of {self.as_of.isoformat()})"


def _is_fact(node: Any) -> bool:
    return isinstance(node, dict) and "value" in node


def _walk(node: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    for name, child in node.items():
        key = f"{prefix}{name}"
        if _is_fact(child):
            yield key, child
        elif isinstance(child, dict):
            yield from _walk(child, key + ".")


def _as_date(raw: Any) -> _dt.date | None:
    if isinstance(raw, _dt.datetime):
        return raw.date()
    if isinstance(raw, _dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return _dt.date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def problems(path: Path = FACTS_FILE) -> list[str]:
    """Every way the facts file breaks the rules (empty list when it is sound)."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    found = []
    for key, node in _walk(raw):
        for name in REQUIRED_FIELDS:
            if node.get(name) in (None, ""):
                found.append(f"{path.name}: fact {key!r} has no {name!r}")
        if node.get("as_of") is not None and _as_date(node["as_of"]) is None:
            found.append(f"{path.name}: fact {key!r} has an as_of that is not a date: {node['as_of']!r}")
        source = str(node.get("source") or "")
        if source and not source.startswith("https://"):
            found.append(f"{path.name}: fact {key!r} has a source that is not an https URL: {source!r}")
    return found


@lru_cache(maxsize=1)
def _load(path: Path = FACTS_FILE) -> dict[str, Fact]:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    facts: dict[str, Fact] = {}
    for key, node in _walk(raw):
        value = node["value"]
        if isinstance(value, (_dt.date, _dt.datetime)):
            value = _as_date(value)
        facts[key] = Fact(
            key=key,
            value=value,
            unit=str(node.get("unit", "")),
            source=str(node.get("source", "")),
            as_of=_as_date(node.get("as_of")) or _dt.date.min,
            text=str(node.get("text", "")),
        )
    return facts


def all_facts() -> dict[str, Fact]:
    """Every fact, by key."""
    return dict(_load())


def fact(key: str) -> Fact:
    facts = _load()
    try:
        return facts[key]
    except KeyError:
        close = [k for k in facts if k.split(".")[-1] == key.split(".")[-1] or k.startswith(key)]
        hint = f" Did you mean {', '.join(sorted(close)[:3])}?" if close else ""
        raise FactError(f"No fact named {key!r} in {FACTS_FILE.name}.{hint}") from None


def value(key: str) -> Any:
    """The fact's value (a number, a date, a string, or a list of price tiers)."""
    return fact(key).value


def text(key: str) -> str:
    """How the course says the fact in prose."""
    return fact(key).text


def cite(key: str) -> str:
    """The fact's text with its source and as-of date, as Markdown."""
    return fact(key)._repr_markdown_()


def stale(max_age_days: int = 365, today: _dt.date | None = None) -> list[Fact]:
    """Facts whose as-of date is older than ``max_age_days``: what to re-check."""
    return [f for f in _load().values() if f.age_days(today) > max_age_days]
