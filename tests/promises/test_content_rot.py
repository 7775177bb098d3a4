"""The content cannot rot unnoticed: runtimes, facts and their dates are checked on every run."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

from course_lib import facts

ROOT = Path(__file__).resolve().parents[2]
# Lambda runtime identifiers as AWS spells them.
RUNTIME = re.compile(r"\b(python3\.\d{1,2}|nodejs\d{2}\.x|java\d{1,2}|dotnet\d{1,2}|ruby3\.\d|provided\.al20\d\d)\b")
SCANNED = ("notebooks/*.ipynb", "quizzes/*.yaml", "course_lib/**/*.py", "course_lib/**/*.yaml", "README.md")


def runtimes_named() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for pattern in SCANNED:
        for path in ROOT.glob(pattern):
            for name in set(RUNTIME.findall(path.read_text(encoding="utf-8", errors="replace"))):
                found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_runtime_named_in_the_course_is_supported_today():
    today = dt.date.today()
    problems = []
    for name, where in sorted(runtimes_named().items()):
        key = f"lambda.runtimes.{name}_deprecation"
        try:
            deprecation = facts.value(key)
        except facts.FactError:
            problems.append(f"{name} (in {', '.join(sorted(where))}) has no deprecation date in the facts file ({key})")
            continue
        if deprecation <= today:
            problems.append(f"{name} (in {', '.join(sorted(where))}) was deprecated by AWS on {deprecation}")
    assert problems == [], "\n".join(problems)


def test_the_course_runtime_itself_is_checked():
    assert facts.value("lambda.runtimes.course_runtime") in runtimes_named()


def test_every_fact_is_sourced_and_dated():
    assert facts.problems() == []


def test_facts_older_than_a_year_are_listed_for_re_checking():
    stale = facts.stale(max_age_days=365)
    if stale:
        # A warning, not a failure: the numbers may still be right; a person must look.
        warnings.warn(
            "Facts to re-check (as-of date over a year old): "
            + ", ".join(f"{f.key} (as of {f.as_of})" for f in stale),
            stacklevel=1,
        )
    assert all(f.age_days() > 365 for f in stale)
