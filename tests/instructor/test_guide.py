"""The instructor guide's worked example, run exactly as written, on a class of 200 students.

The commands are read from ``docs/instructors.md`` (the ``bash`` blocks of "Worked example") and
run in order in a fresh folder. Between ``course assign`` and ``course grade`` the class works:
each student opens their own released notebook's assignment through the learner API the
notebook uses (``open_assignment``, ``answer``, ``make_submission``), answering right or wrong
according to a seeded ability, and hands in. The inbox then gets every kind of bad submission the
guide lists; the test checks each is reported by file name, every other student is graded, and
every score equals the one the test knows each student earned.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
from instructor_support import display_key, display_wrong, payload_of, variants_of

from course_lib.cli import main
from course_lib.instructor.common import digest
from course_lib.instructor.manifest import load_manifest
from course_lib.instructor.submissions import open_assignment
from course_lib.quiz.progress import MemoryStore

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "instructors.md"
CLASS = 200
NAMES = ["Ada", "José", "Zoë", "Łukasz", "Nguyễn", "Søren", "Aiyana", "Chidi", "Mei", "Ravi"]
SURNAMES = ["Lovelace", "Núñez", "O'Brien", "Kowalski", "Müller", "Okafor", "Tanaka", "Smith, Jr.", "Ivanova", "Haddad"]


def guide_commands() -> list[str]:
    section = GUIDE.read_text(encoding="utf-8").split("## Worked example", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    commands = [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith("course ")]
    first = [line.strip() for line in blocks[0].splitlines() if line.strip()]
    # The first block is the whole example; the steps below it repeat its commands, never others.
    assert set(commands) == set(first) and len(first) >= 4
    return first


def run(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    argv = shlex.split(command)
    assert argv[0] == "course"
    code = main(argv[1:])
    out, err = capsys.readouterr()
    assert code == 0, (command, out, err)
    assert "Traceback" not in err
    return out


def test_worked_example_on_a_class_of_200(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    commands = guide_commands()
    assert commands[0].startswith("course assign") and commands[1].startswith("course grade")
    rng = random.Random(2026)

    # The roster: names with accents, apostrophes and commas, as real ones have.
    with open("roster.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "email", "section"])
        for i in range(1, CLASS + 1):
            writer.writerow([f"s{i:03d}", f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}", f"s{i:03d}@example.edu", rng.choice(["Mon", "Tue"])])

    out = run(commands[0], capsys)
    assert f"{CLASS} notebooks in release/" in out and "hw1.manifest.json" in out
    manifest = load_manifest("hw1.manifest.json")

    # The class works. ability: the chance of answering a question right.
    ids = [r.student.id for r in manifest.students]
    missing = set(rng.sample(ids, 10))
    rest = [s for s in ids if s not in missing]
    truncated, notebook_instead, borrowed, twice, extra_question, other_assignment, edited = (
        set(rest[0:2]), rest[2], set(rest[3:5]), set(rest[5:8]), rest[8], rest[9], rest[10])
    expected: dict[str, float] = {}
    inbox = Path("submissions")
    work = tmp_path / "students"

    def hand_in(sid: str, payload: str | dict[str, Any], final: bool = True) -> Path:
        """One student's session in their notebook; returns the submission file made."""
        a = open_assignment(payload, display=False, store=MemoryStore(), folder=work / sid)
        ability = rng.uniform(0.15, 0.95)
        score = 0.0
        variants = variants_of(manifest.by_student()[sid])
        order = list(variants)
        rng.shuffle(order)
        for n, qid in enumerate(order):
            v = variants[qid]
            roll = rng.random()
            if roll < 0.06:
                continue  # left blank
            if roll < ability:
                a.answer(qid, display_key(v))
                score += v.question.points
            else:
                a.answer(qid, display_wrong(v))
            if n == len(order) // 2 and sid in twice:
                a.make_submission()  # an early hand-in, superseded below
                shutil.copy(a.submission_path(), work / f"{sid}-early.json")
        made = a.make_submission().path
        if final:
            expected[sid] = score
        return made

    for sid in rest:
        payload = payload_of(Path("release") / manifest.by_student()[sid].notebook)
        made = hand_in(sid, payload)
        target = inbox / f"{manifest.by_student()[sid].student.name.split()[0]}_{sid}_assignsubmission_file_" / made.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(made, target)
        if sid in twice:
            shutil.copy(work / f"{sid}-early.json", inbox / f"attempt-1-{made.name}")

    # Every kind of bad submission the guide lists.
    for sid in truncated:
        path = next(inbox.rglob(f"hw1-{sid}.submission.json"))
        path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
        expected.pop(sid)
    path = next(inbox.rglob(f"hw1-{notebook_instead}.submission.json"))
    path.unlink()
    shutil.copy(Path("release") / f"hw1-{notebook_instead}.ipynb", inbox / f"hw1-{notebook_instead}.ipynb")
    expected.pop(notebook_instead)
    pair = sorted(borrowed)
    for sid, owner in ((pair[0], pair[1]), (pair[1], pair[0])):
        # The student worked in a classmate's notebook, then put their own id in the file.
        made = hand_in(owner, payload_of(Path("release") / f"hw1-{owner}.ipynb"), final=False)
        doc = json.loads(made.read_text())
        doc["student"] = {"id": sid, "name": "me"}
        next(inbox.rglob(f"hw1-{sid}.submission.json")).write_text(json.dumps(doc))
        expected.pop(sid)
    path = next(inbox.rglob(f"hw1-{extra_question}.submission.json"))
    doc = json.loads(path.read_text())
    doc["answers"]["02_lambda/not-in-this-assignment"] = "2"
    doc["checksum"] = digest({k: v for k, v in doc.items() if k != "checksum"})
    path.write_text(json.dumps(doc))
    path = next(inbox.rglob(f"hw1-{other_assignment}.submission.json"))
    doc = json.loads(path.read_text())
    doc["assignment"] = "hw0"
    path.write_text(json.dumps(doc))
    expected.pop(other_assignment)
    path = next(inbox.rglob(f"hw1-{edited}.submission.json"))
    doc = json.loads(path.read_text())
    doc["note"] = "opened in an editor and saved"  # checksum left as it was: graded, and reported
    path.write_text(json.dumps(doc, indent=2))
    stranger = json.loads(payload_of(Path("release") / "hw1-s001.ipynb"))
    stranger["student"] = {"id": "x999", "name": "Not Enrolled"}
    shutil.copy(open_assignment(stranger, display=False, store=MemoryStore(), folder=work / "x999").make_submission().path, inbox / "x999.submission.json")
    (inbox / "garbage.json").write_text('{"format": "course-submission/1", "answers": [1, 2,, 3]}')

    before = {str(p): (p.read_bytes(), os.stat(p).st_mtime_ns) for p in inbox.rglob("*") if p.is_file()}
    out = run(commands[1], capsys)
    assert {str(p): (p.read_bytes(), os.stat(p).st_mtime_ns) for p in inbox.rglob("*") if p.is_file()} == before

    graded = CLASS - 10 - 2 - 1 - 2 - 1
    assert out.startswith(f"hw1: {graded} of {CLASS} students graded, 10 missing, 3 unreadable, 2 wrong-variant, 1 wrong-assignment.")
    book = list(csv.DictReader(open("grades/gradebook.csv", encoding="utf-8")))
    assert [r["student_id"] for r in book] == ids  # every roster student, roster order
    status = {r["student_id"]: r["status"] for r in book}
    assert {s for s, st in status.items() if st == "missing"} == missing
    assert {s for s, st in status.items() if st == "unreadable"} == truncated | {notebook_instead}
    assert {s for s, st in status.items() if st == "wrong-variant"} == borrowed
    assert status[other_assignment] == "wrong-assignment"
    scores = {r["student_id"]: float(r["score"]) for r in book if r["status"] == "graded"}
    assert scores == expected  # every graded score is exactly what the student earned
    assert all("graded the latest" in r["notes"] for r in book if r["student_id"] in twice)

    problems = list(csv.DictReader(open("grades/problems.csv", encoding="utf-8")))
    named = {(p["kind"], p["file"]) for p in problems}
    for sid in truncated:
        assert ("malformed", next(str(p.relative_to(inbox)) for p in inbox.rglob(f"hw1-{sid}.submission.json"))) in named
    assert ("malformed", f"hw1-{notebook_instead}.ipynb") in named
    assert ("malformed", "garbage.json") in named and ("unknown-student", "x999.submission.json") in named
    assert sum(1 for kind, _ in named if kind == "wrong-variant") == 2
    assert sum(1 for kind, _ in named if kind == "duplicate") == len(twice)
    assert any(p["kind"] == "unknown-question" and p["student"] == extra_question for p in problems)
    assert any(p["kind"] == "wrong-assignment" and p["student"] == other_assignment for p in problems)
    assert any(p["kind"] == "edited" and p["student"] == edited for p in problems) and status[edited] == "graded"

    assert len(list(Path("grades/feedback").glob("*.md"))) == CLASS
    items = list(csv.DictReader(open("grades/items.csv", encoding="utf-8")))
    assert len(items) == 17 and all(0 < float(i["difficulty"]) < 1 for i in items)
    # Students answer by ability, so good students get more right: discrimination is positive.
    assert sum(float(i["discrimination"]) for i in items) / len(items) > 0.15
    assert Path("grades/scores.png").read_bytes().startswith(b"\x89PNG")

    for command in commands[2:]:
        run(command, capsys)
    canvas = list(csv.reader(open("hw1-canvas.csv", encoding="utf-8")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "hw1"]
    assert canvas[1][0] == "Points Possible" and len(canvas) == CLASS + 2
    assert {row[2]: row[5] for row in canvas[2:]}[next(iter(missing))] == ""
    moodle = list(csv.reader(open("hw1-moodle.csv", encoding="utf-8")))
    assert moodle[0][0] == "ID number" and len(moodle) == CLASS + 1 and all(row[0] for row in moodle[1:])
    assert "$CATEGORY: $course$/top/Serverless course/02_lambda" in Path("lambda-gift.txt").read_text(encoding="utf-8")
