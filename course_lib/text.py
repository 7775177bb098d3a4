"""Prose with facts in it: Markdown whose numbers come from the facts file, never typed by hand.

    say("A function may run for at most {lambda.limits.timeout_max_s}.")

``{key}`` becomes the fact's ``text``; ``{key|value}`` its bare value (numbers with thousands
separators). ``facts_table([...])`` renders facts with their source and as-of date.
"""

from __future__ import annotations

import re
from typing import Iterable

from IPython.display import Markdown

from course_lib import facts

_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+(?:\.[a-z0-9_.]+)+)(\|value)?\}")


def _format_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.10f}".rstrip("0").rstrip(".")
    return str(value)


def render(template: str) -> str:
    """The template with every ``{fact.key}`` replaced (unknown keys raise FactError)."""

    def replace(match: re.Match[str]) -> str:
        key, as_value = match.group(1), match.group(2)
        return _format_value(facts.value(key)) if as_value else facts.text(key)

    return _PLACEHOLDER.sub(replace, template)


def say(template: str) -> Markdown:
    """Display Markdown prose whose facts are read from the facts file."""
    return Markdown(render(template.strip("\n")))


def facts_table(keys: Iterable[str], title: str = "What") -> Markdown:
    rows = [f"| {title} | Value | Source |", "|---|---|---|"]
    for key in keys:
        fact = facts.fact(key)
        label = key.rsplit(".", 1)[-1].replace("_", " ")
        rows.append(f"| {label} | {fact.text} | [{_host(fact.source)}]({fact.source}), as of {fact.as_of.isoformat()} |")
    return Markdown("\n".join(rows))


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]
