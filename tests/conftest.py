"""Shared fixtures: a clean sandbox per test, and matplotlib without a display."""

from __future__ import annotations

import os

import matplotlib
import pytest

matplotlib.use("Agg")
# Tests never write into the learner's own course folder.
os.environ.setdefault("COURSE_HOME", os.path.join(os.environ.get("TMPDIR", "/tmp"), "course-tests-home"))
os.environ.setdefault("COURSE_LEARNER_ID", "ci-learner")
# Tests run the in-process sandbox unless they choose an endpoint themselves: a developer's own
# endpoint setting (or a leftover local AWS_ENDPOINT_URL) must not send the suite elsewhere.
for _name in ("COURSE_ENDPOINT_URL", "AWS_ENDPOINT_URL", "COURSE_REAL_AWS"):
    os.environ.pop(_name, None)


@pytest.fixture
def aws():
    """A running, empty sandbox (reset after the test so state never leaks)."""
    from course_lib.sandbox import start

    box = start()
    box.reset()
    yield box
    box.reset()


@pytest.fixture
def frozen_clock(aws):
    """The course clock stopped between advances, for tests that assert exact course times.

    On a loaded machine seconds of wall time can pass between two lines of a test; with the
    clock flowing, "advance 59 s" would then also fire a retry due 60 s after the failure, and
    "50 s later" would read 51. Frozen, course time moves only when the test advances it.
    The ``aws`` fixture resets the clock (back to wall time) after the test.
    """
    from course_lib import clock

    clock.reset()  # nothing a previous test left (timers, real-time mode, an offset)
    clock.freeze()
    yield clock
    clock.reset()
