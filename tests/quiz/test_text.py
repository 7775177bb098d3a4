"""Placeholders filled from facts, the Markdown subset, and the hand-typed-number rule."""

from __future__ import annotations

import datetime as dt

import pytest

from course_lib import facts
from course_lib.quiz import text as qtext


def fact_only(raw: str) -> str:
    return qtext.fill(raw, lambda kind, name, spec: qtext.fact_text(name or "", spec))


def test_fact_placeholders() -> None:
    assert fact_only("max {fact:lambda.limits.timeout_max_s} s") == f"max {facts.value('lambda.limits.timeout_max_s'):,} s"
    assert fact_only("{fact:lambda.limits.timeout_max_s|text}") == facts.text("lambda.limits.timeout_max_s")
    assert fact_only("{fact:lambda.prices.request_per_million|usd}") == "$0.20"
    assert fact_only("{fact:lambda.free_tier.requests|,}") == "1,000,000"


def test_unknown_fact_is_a_template_error() -> None:
    with pytest.raises(qtext.TemplateError, match="No fact named"):
        fact_only("{fact:lambda.limits.nope}")


def test_other_braces_are_left_alone() -> None:
    assert fact_only('return {"key": 1}') == 'return {"key": 1}'


@pytest.mark.parametrize(
    ("value", "spec", "written"),
    [
        (1000000, None, "1,000,000"),
        (0.0000166667, None, "0.0000166667"),
        (-0.5, None, "-0.5"),
        (3.0, None, "3"),
        (dt.date(2025, 8, 1), None, "1 August 2025"),
        (0.2, "usd", "$0.20"),
        (0.0000166667, "usd", "$0.0000166667"),
        (1234.5, ",.1f", "1,234.5"),
        (True, None, "true"),
        ("python3.13", None, "python3.13"),
    ],
)
def test_format_value(value, spec, written) -> None:  # type: ignore[no-untyped-def]
    assert qtext.format_value(value, spec) == written


def test_format_value_refuses_lists_and_bad_specs() -> None:
    with pytest.raises(qtext.TemplateError):
        qtext.format_value([1, 2])
    with pytest.raises(qtext.TemplateError):
        qtext.format_value("x", ".2f")


@pytest.mark.parametrize(
    ("raw", "found"),
    [
        ("The limit is 900 seconds.", ["900"]),
        ("It costs $0.20 per million.", ["$0.20"]),
        ("Since 2025-08-01.", ["2025", "08", "01"]),
        ("S3, EC2, x86_64 and arm64 and the 1st try", []),
        ("Use `memory_mb=256` here", []),
        ("```\nREPORT Duration: 12 ms\n```", []),
        ("{fact:lambda.limits.timeout_max_s} seconds", []),
        ("a 15-minute job", ["15"]),
    ],
)
def test_hand_typed_numbers(raw: str, found: list[str]) -> None:
    assert qtext.hand_typed_numbers(raw) == found


def test_markdown_subset_and_escaping() -> None:
    out = qtext.to_html("Hello **bold** and `co<de>` and *it*.\n\n- one\n- two\n  continued\n\n```\nx < 1\n```")
    assert out == (
        "<p>Hello <strong>bold</strong> and <code>co&lt;de&gt;</code> and <em>it</em>.</p>"
        "<ul><li>one</li><li>two continued</li></ul><pre><code>x &lt; 1</code></pre>"
    )
    assert "<script>" not in qtext.to_html("<script>alert(1)</script>")


def test_to_plain_reads_what_a_reader_sees() -> None:
    assert qtext.to_plain("<p>A &amp; B</p><ul><li>one</li></ul>") == "A & B\none"
