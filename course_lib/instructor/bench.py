"""Timings for ``make bench``: how fast ``course grade`` handles a large class.

``bench()`` returns ``(name, seconds, note)`` rows; ``course_lib/bench.py`` prints them. The
headline row is the whole ``course grade`` run over 1,000 submission files (target: at most
5 s): reading and checking every file, proving each student's questions unchanged since the
release, grading every answer with the quiz graders, item statistics, both plots, 1,000
feedback files and the gradebook, all written atomically.

The class is made the way a real one is: a roster of 1,000 students, their variants planned by
``course assign`` (without writing 1,000 notebooks, which is not what is timed), and every
student answering through the learner API of the notebook (a mix of right, wrong, blank and
unreadable answers), each making a submission file.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

STUDENTS = 1000
TARGET_S = 5.0


def make_class(folder: Path, students: int = STUDENTS, chapters: str = "00,02", seed: int = 7) -> Path:
    """A released class with one submission per student; returns the manifest's path."""
    from course_lib.instructor.assign import find_banks, plan_release
    from course_lib.instructor.roster import Roster, Student
    from course_lib.instructor.submissions import Assignment
    from course_lib.quiz.progress import MemoryStore

    banks = find_banks(chapters)
    roster = Roster("bench", tuple(Student(f"b{i:04d}", f"Student {i}", f"b{i:04d}@example.edu") for i in range(students)))
    release = plan_release("bench", banks, roster, salt="bench")
    manifest_path = folder / "bench.manifest.json"
    release.manifest.save(manifest_path)
    rng = random.Random(seed)
    inbox = folder / "submissions"
    for sid, payload in release.payloads.items():
        # Answers kept in memory: a real class saves each on its own machine, which is not what is timed.
        a = Assignment(payload, store=MemoryStore(), folder=inbox)
        for q in a.questions:
            roll = rng.random()
            if roll < 0.05:
                continue  # left blank
            kind = q["type"]
            if kind in ("single", "multiple"):
                n = len(q["options"])
                value: object = rng.randint(1, n) if kind == "single" else rng.sample(range(1, n + 1), rng.randint(1, n))
            elif kind == "ordering":
                value = rng.sample(range(1, len(q["items"]) + 1), len(q["items"]))
            elif kind == "truefalse":
                value = rng.random() < 0.5
            elif kind == "numeric":
                value = rng.choice(["900", "15 min", "$3.10", "abc", "0.2"])
            else:
                value = rng.choice(["aws.reset()", "Unhandled", "os.getenv('TABLE_NAME')", "no idea"])
            a.save(q["id"], a.normalise(q["id"], value))
        a.make_submission()
    return manifest_path


def bench(students: int = STUDENTS) -> list[tuple[str, float, str]]:
    from course_lib.instructor.grade import grade

    with tempfile.TemporaryDirectory(prefix="course-grade-bench-") as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        manifest = make_class(folder, students)
        setup = time.perf_counter() - began
        began, cpu = time.perf_counter(), time.process_time()
        run = grade(folder / "submissions", manifest, folder / "grades", quiet=True)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    graded = run.counts()["graded"]
    answers = sum(len(r.questions) for r in run.results)
    verdict = "ok" if seconds <= TARGET_S else "SLOW"
    return [
        (f"instructor: make a class of {students:,} (plan variants, answer, submit)", setup, "setup, not a target"),
        (
            f"instructor: course grade, {students:,} submissions",
            seconds,
            # CPU time too: on a busy machine wall-clock time says more about the neighbours.
            f"target <= {TARGET_S:g} s: {verdict}; cpu {cpu:.2f} s; {graded:,} graded, {answers:,} answers, "
            f"stats, plots, {students:,} feedback files",
        ),
    ]


if __name__ == "__main__":  # pragma: no cover
    for name, seconds, note in bench():
        print(f"{name:<60} {seconds:8.3f} s  {note}")
