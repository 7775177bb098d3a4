"""Fixtures for the instructor tests: a private course home, demo banks, rosters, releases.

Helpers (payloads, keys as a student records them) live in ``instructor_support.py``.

The demo banks hold one question of every type with sentinel strings (``ZEBRA``, ``KEYFB``,
``KEYEXPLAIN``) in everything a student must never receive, so leak tests can look for them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import pytest

# The helpers module sits beside this file; say so rather than rely on pytest's rootdir rules.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from instructor_support import write_banks, write_roster  # noqa: E402


@pytest.fixture(autouse=True)
def course_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("COURSE_HOME", str(home))
    monkeypatch.setenv("COURSE_LEARNER_ID", "ci-learner")
    return home


@pytest.fixture
def quizzes(tmp_path: Path) -> Path:
    return write_banks(tmp_path / "quizzes")


@pytest.fixture
def roster(tmp_path: Path) -> Callable[[int], Path]:
    return lambda n=5: write_roster(tmp_path / "roster.csv", n)


@pytest.fixture
def released(tmp_path: Path, quizzes: Path, roster: Callable[[int], Path]) -> Callable[..., Any]:
    """released(n=5, chapters="98") -> AssignResult (notebooks in tmp/release, manifest beside)."""
    from course_lib.instructor.assign import assign

    def make(n: int = 5, chapters: str = "98", name: str = "hw1", salt: str = "test-salt") -> Any:
        return assign(chapters, roster(n), tmp_path / "release", name=name, salt=salt, quizzes=quizzes)

    return make
