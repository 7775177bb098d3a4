"""The benchmark runs and reports in the shape `make bench` expects (a small class, to stay fast)."""

from __future__ import annotations

import pytest

from course_lib.quiz import bench


def test_bench_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "LEARNERS", 20)
    rows = bench.bench()
    assert [name for name, _, _ in rows] == ["quiz: load and validate every bank", "quiz: grade 20 learners x 30 questions"]
    name, seconds, note = rows[1]
    assert 0 < seconds < 2 and "600 responses, 300 correct" in note
