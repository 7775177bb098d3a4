"""Question text: placeholders filled from the facts file, and a small Markdown subset as HTML.

Every number a question states comes from ``course_lib.facts`` or from the learner's variant,
never typed by hand, so a price change in ``facts.yaml`` flows into every quiz. The
placeholders are::

    {fact:lambda.limits.timeout_max_s}          900            (the value, formatted)
    {fact:lambda.limits.timeout_max_s|text}     900 seconds (15 minutes)   (the fact's prose)
    {fact:lambda.prices.request_per_million|usd}  $0.20
    {fact:lambda.free_tier.requests|,}          1,000,000      (any Python format spec)
    {param:requests}                            this learner's drawn value
    {arg:memory_mb}                             a build-it task's argument
    {formula:lambda_gb_seconds}                 a formula over this learner's parameters
    {answer}                                    a numeric question's computed answer

Anything else in braces (``{"key": 1}`` in a code sample) is left alone.

The Markdown subset is what quiz text needs and nothing more: paragraphs, ``- `` bullet lists,
fenced code blocks, inline ``code``, ``**bold**`` and ``*italic*``. Everything else is escaped,
so a bank can never inject HTML into the notebook.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import re
from decimal import Decimal
from typing import Any, Callable, Iterator

PLACEHOLDER = re.compile(r"\{(fact|param|arg|formula|answer)(?::([A-Za-z0-9_.\-]+))?(?:\|([^{}]*))?\}")
KINDS = ("fact", "param", "arg", "formula", "answer")

# A number typed by hand in prose: digits not glued to a word ("S3", "x86_64", "1st" are fine).
_HAND_NUMBER = re.compile(r"(?<![\w.])[$€£]?\d[\d,.]*(?!\w)")
_CODE_SPAN = re.compile(r"```.*?```|`[^`\n]*`", re.S)


class TemplateError(ValueError):
    """A placeholder that cannot be filled (unknown fact, parameter or format)."""


def placeholders(text: str) -> Iterator[re.Match[str]]:
    return PLACEHOLDER.finditer(text)


def format_value(value: Any, spec: str | None = None) -> str:
    """How the course writes a number, date or string in prose.

    ``spec`` is ``usd`` (``$0.20``), a Python format spec (``,.2f``) or None (a readable
    default: thousands separators, no scientific notation, dates as ``1 August 2025``).
    """
    if spec == "text":
        raise TemplateError("'|text' only works on facts")
    if spec == "usd":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise TemplateError(f"'|usd' needs a number, got {value!r}")
        return format_usd(float(value))
    if spec:
        try:
            return format(value, spec)
        except (ValueError, TypeError) as err:
            raise TemplateError(f"format {spec!r} does not apply to {value!r}: {err}") from None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        # Decimal(repr()) keeps the digits as written and never switches to 1e-05 notation.
        if not math.isfinite(value):
            return str(value)
        whole, _, frac = format(Decimal(repr(abs(value))), "f").partition(".")
        return ("-" if value < 0 else "") + f"{int(whole):,}" + (f".{frac}" if frac else "")
    if isinstance(value, _dt.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, (list, dict)):
        raise TemplateError(f"a {type(value).__name__} cannot be written in prose; use '|text'")
    return str(value)


def format_usd(amount: float) -> str:
    """Dollars as people write them: cents for everyday amounts, more digits for tiny prices."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == 0 or amount >= 0.01:
        return f"{sign}${amount:,.2f}"
    return f"{sign}${format(Decimal(repr(amount)).normalize(), 'f')}"


def fill(text: str, resolve: Callable[[str, str | None, str | None], str]) -> str:
    """Replace every placeholder with ``resolve(kind, name, spec)``."""
    if "{" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: resolve(m.group(1), m.group(2), m.group(3)), text)


def fact_text(key: str, spec: str | None) -> str:
    from course_lib import facts

    try:
        found = facts.fact(key)
    except KeyError as err:
        raise TemplateError(str(err)) from None
    if spec == "text":
        return found.text
    return format_value(found.value, spec)


def hand_typed_numbers(text: str) -> list[str]:
    """Numbers written in prose instead of coming from a placeholder (code spans are exempt)."""
    stripped = _CODE_SPAN.sub(" ", PLACEHOLDER.sub(" ", text))
    return [m.group(0).rstrip(".,") for m in _HAND_NUMBER.finditer(stripped)]


# -- Markdown subset -> HTML ------------------------------------------------------------------
_INLINE = re.compile(r"`([^`\n]+)`|\*\*(.+?)\*\*|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def _inline(text: str) -> str:
    out, pos = [], 0
    for m in _INLINE.finditer(text):
        out.append(html.escape(text[pos : m.start()]))
        code, bold, em = m.groups()
        if code is not None:
            out.append(f"<code>{html.escape(code)}</code>")
        elif bold is not None:
            out.append(f"<strong>{_inline(bold)}</strong>")
        else:
            out.append(f"<em>{_inline(em)}</em>")
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def to_html(markdown: str, inline: bool = False) -> str:
    """The Markdown subset as HTML; ``inline=True`` for a label (no paragraph tags)."""
    if inline:
        return _inline(" ".join(markdown.split()))
    blocks: list[str] = []
    lines = markdown.strip("\n").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("```"):
            code: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            i += 1  # the closing fence
            blocks.append(f"<pre><code>{html.escape(chr(10).join(code))}</code></pre>")
        elif line.lstrip().startswith(("- ", "* ")):
            items: list[str] = []
            while i < len(lines) and lines[i].lstrip().startswith(("- ", "* ")):
                item = [lines[i].lstrip()[2:]]
                i += 1
                # Continuation lines of the same bullet are indented.
                while i < len(lines) and lines[i].startswith("  ") and not lines[i].lstrip().startswith(("- ", "* ")):
                    item.append(lines[i].strip())
                    i += 1
                items.append(f"<li>{_inline(' '.join(item))}</li>")
            blocks.append("<ul>" + "".join(items) + "</ul>")
        elif not line.strip():
            i += 1
        else:
            para: list[str] = []
            while (
                i < len(lines)
                and lines[i].strip()
                and not lines[i].strip().startswith("```")
                and not lines[i].lstrip().startswith(("- ", "* "))
            ):
                para.append(lines[i].strip())
                i += 1
            blocks.append(f"<p>{_inline(' '.join(para))}</p>")
    return "".join(blocks)


def to_plain(fragment: str) -> str:
    """Visible text of an HTML fragment (what a reader sees), for assertions and reports."""
    from html.parser import HTMLParser

    parts: list[str] = []

    class _Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag in ("p", "li", "div", "br", "pre", "ul"):
                parts.append("\n")

        def handle_data(self, data: str) -> None:
            parts.append(data)

    collector = _Collector(convert_charrefs=True)
    collector.feed(fragment)
    collector.close()
    text = "".join(parts)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
