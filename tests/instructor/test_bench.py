"""``make bench``'s instructor rows: the benchmark really grades the class it makes."""

from __future__ import annotations

from course_lib.instructor.bench import bench
from course_lib.quiz.bank import load_bank


def test_bench_grades_every_submission_it_made() -> None:
    setup, graded = bench(students=12)
    assert setup[0].startswith("instructor: make a class of 12")
    name, seconds, note = graded
    per_student = sum(1 for chapter in ("00_start_here", "02_lambda") for q in load_bank(chapter).questions if q.type != "build")
    assert name == "instructor: course grade, 12 submissions" and seconds > 0
    assert f"12 graded, {12 * per_student:,} answers" in note and "target <= 5 s" in note
