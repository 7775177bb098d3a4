"""The facts file: every fact sourced and dated, and the loader's errors readable."""

from __future__ import annotations

import datetime as dt

import pytest

from course_lib import facts


def test_every_fact_has_value_unit_text_source_and_as_of():
    assert facts.problems() == []


def test_known_values_load_with_their_types():
    assert facts.value("lambda.limits.timeout_max_s") == 900
    assert facts.value("lambda.limits.memory_max_mb") == 10240
    assert isinstance(facts.value("lambda.limits.init_billed_since"), dt.date)
    tiers = facts.value("lambda.prices.duration_x86_64")
    assert [t["up_to"] for t in tiers][-1] is None
    assert [t["price"] for t in tiers] == sorted((t["price"] for t in tiers), reverse=True)


def test_an_unknown_fact_names_itself_and_suggests():
    with pytest.raises(facts.FactError, match="No fact named 'lambda.limits.timeout_max'.*timeout_max_s"):
        facts.value("lambda.limits.timeout_max")


def test_a_broken_facts_file_is_reported(tmp_path):
    bad = tmp_path / "facts.yaml"
    bad.write_text("svc:\n  limit:\n    value: 3\n    unit: s\n    source: http://example.com\n    as_of: someday\n")
    found = facts.problems(bad)
    assert any("'svc.limit' has no 'text'" in p for p in found)
    assert any("not a date" in p for p in found)
    assert any("not an https URL" in p for p in found)


def test_stale_lists_facts_older_than_a_year():
    checked = min(f.as_of for f in facts.all_facts().values())
    assert facts.stale(today=checked + dt.timedelta(days=366))
    assert facts.stale(today=checked) == []
