"""Shared fixtures: a clean sandbox per test, and matplotlib without a display."""

from __future__ import annotations

import os

import matplotlib
import pytest

matplotlib.use("Agg")
# Tests never write into the learner's own course folder.
os.environ.setdefault("COURSE_HOME", os.path.join(os.environ.get("TMPDIR", "/tmp"), "course-tests-home"))
os.environ.setdefault("COURSE_LEARNER_ID", "ci-learner")


@pytest.fixture
def aws():
    """A running, empty sandbox (reset after the test so state never leaks)."""
    from course_lib.sandbox import start

    box = start()
    box.reset()
    yield box
    box.reset()
