"""Prose reads facts; figures return the data they drew; the %%function magic deploys."""

from __future__ import annotations

import pytest

from course_lib import facts, magics, text
from course_lib.diagrams import lifecycle_timeline
from course_lib.runtime import invoke
from course_lib.runtime.logs import Report


def test_say_substitutes_fact_text_and_values():
    rendered = text.render("At most {lambda.limits.timeout_max_s}; that is {lambda.limits.timeout_max_s|value} s.")
    assert rendered == f"At most {facts.text('lambda.limits.timeout_max_s')}; that is 900 s."
    assert text.render("{lambda.limits.memory_max_mb|value}") == "10,240"


def test_say_refuses_an_unknown_fact():
    with pytest.raises(facts.FactError):
        text.render("{lambda.limits.no_such_limit}")


def test_facts_table_cites_source_and_date():
    table = text.facts_table(["lambda.limits.timeout_max_s"]).data
    fact = facts.fact("lambda.limits.timeout_max_s")
    assert fact.source in table and fact.as_of.isoformat() in table


def test_lifecycle_timeline_draws_init_only_for_cold_starts():
    reports = [
        Report("a", duration_ms=2.0, billed_ms=7, memory_mb=128, max_memory_mb=40, init_ms=4.5),
        Report("b", duration_ms=1.0, billed_ms=1, memory_mb=128, max_memory_mb=40),
    ]
    fig, rows = lifecycle_timeline(reports)
    assert [(r.cold, r.init_ms, r.billed_ms) for r in rows] == [(True, 4.5, 7), (False, 0.0, 1)]
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("time (ms)")
    assert len(ax.patches) == 3  # INIT + INVOKE for the cold start, INVOKE only for the warm one


def test_function_magic_deploys_the_cell_and_rejects_bad_options(aws):
    info = magics.function("magic-fn --memory 256 --env A=1 --env B=two", "import os\ndef handler(e, c):\n    return os.environ['B']\n")
    assert info.memory_mb == 256 and info.created
    assert invoke("magic-fn").payload == "two"
    with pytest.raises(ValueError, match="NAME=value"):
        magics.function("magic-fn --env BROKEN", "def handler(e, c):\n    return 1\n")
    with pytest.raises(ValueError, match="Usage"):
        magics.function("magic-fn --memory lots", "def handler(e, c):\n    return 1\n")
