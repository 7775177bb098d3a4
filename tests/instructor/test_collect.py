"""The instructor's reader: every kind of bad file is reported by name, and the rest is graded."""

from __future__ import annotations

import json
import os
from pathlib import Path

from instructor_support import display_key, display_wrong, payload_of, variants_of

from course_lib.instructor.common import digest
from course_lib.instructor.manifest import load_manifest
from course_lib.instructor.submissions import Assignment, collect
from course_lib.quiz.progress import MemoryStore


def submit(tmp_path: Path, student: str, folder: Path, right: bool = True, notebook_of: str | None = None, quizzes: Path | None = None) -> Path:
    """A student answers every question (all right or all wrong) through the learner API and hands in."""
    manifest = load_manifest(tmp_path / "hw1.manifest.json")
    owner = notebook_of or student
    a = Assignment(payload_of(tmp_path / "release" / f"hw1-{owner}.ipynb"), store=MemoryStore(), folder=folder)
    for qid, v in variants_of(manifest.by_student()[owner], quizzes).items():
        a.answer(qid, display_key(v) if right else display_wrong(v))
    return a.make_submission().path


def rewrite(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(path.read_text())
    change(doc)
    doc["checksum"] = digest({k: v for k, v in doc.items() if k != "checksum"})
    path.write_text(json.dumps(doc))


def test_every_kind_of_bad_submission(tmp_path: Path, released, quizzes: Path) -> None:  # type: ignore[no-untyped-def]
    released(7)
    inbox = tmp_path / "inbox"
    submit(tmp_path, "s001", inbox, quizzes=quizzes)

    # s002: truncated upload.
    path = submit(tmp_path, "s002", tmp_path / "tmp2", quizzes=quizzes)
    (inbox / path.name).write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    # s003: two submissions; the later one (all right) wins, wherever it sits.
    old = submit(tmp_path, "s003", tmp_path / "tmp3", right=False, quizzes=quizzes)
    rewrite(old, lambda d: d.update(made_at="2026-01-01T10:00:00Z"))
    lms = inbox / "Student Three_123_assignsubmission_file_"
    lms.mkdir(parents=True)
    (lms / "hw1-s003.submission.json").write_bytes(old.read_bytes())
    new = submit(tmp_path, "s003", tmp_path / "tmp3b", quizzes=quizzes)
    rewrite(new, lambda d: d.update(made_at="2026-01-02T10:00:00Z"))
    (inbox / "hw1-s003 (1).submission.json").write_bytes(new.read_bytes())

    # s004 worked in s005's notebook and put their own id in the file.
    borrowed = submit(tmp_path, "s004", tmp_path / "tmp4", notebook_of="s005", quizzes=quizzes)
    rewrite(borrowed, lambda d: d.update(student={"id": "s004", "name": "Student 4"}))
    (inbox / "hw1-s004.submission.json").write_bytes(borrowed.read_bytes())

    # s005: a valid file with an answer to a question they were not given, and edited by hand.
    path = submit(tmp_path, "s005", inbox, quizzes=quizzes)
    doc = json.loads(path.read_text())
    doc["answers"]["98_demo/not-a-question"] = "1"
    path.write_text(json.dumps(doc))  # checksum not updated: edited by hand

    # s006 hands in the notebook instead; s007 sends nothing.
    (inbox / "hw1-s006.ipynb").write_text((tmp_path / "release" / "hw1-s006.ipynb").read_text())

    # Strangers and debris.
    stranger = submit(tmp_path, "s001", tmp_path / "tmp5", quizzes=quizzes)
    rewrite(stranger, lambda d: d.update(student={"id": "x999", "name": "Who"}))
    (inbox / "x999.submission.json").write_bytes(stranger.read_bytes())
    other = submit(tmp_path, "s001", tmp_path / "tmp6", quizzes=quizzes)
    rewrite(other, lambda d: d.update(assignment="hw2"))
    (inbox / "hw2-s001.submission.json").write_bytes(other.read_bytes())
    (inbox / "garbage.json").write_text('{"format": "course-submission/1", "student": }\n\n\n')
    (inbox / ".DS_Store").write_bytes(b"\x00\x01binary")
    (inbox / "__MACOSX").mkdir()
    (inbox / "__MACOSX" / "._hw1-s001.submission.json").write_bytes(b"\x00junk")

    before = {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in inbox.rglob("*") if p.is_file()}
    found = collect(inbox, load_manifest(tmp_path / "hw1.manifest.json"))
    assert {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in inbox.rglob("*") if p.is_file()} == before

    assert found.files == 10  # hidden files and __MACOSX are skipped
    assert set(found.chosen) == {"s001", "s003", "s005"}
    assert found.chosen["s003"].file == "hw1-s003 (1).submission.json"
    assert found.status == {"s002": "unreadable", "s004": "wrong-variant", "s006": "unreadable"}
    by_kind = {(i.kind, i.file): i for i in found.issues}
    assert "truncated" in by_kind[("malformed", "hw1-s002.submission.json")].message
    assert by_kind[("malformed", "hw1-s002.submission.json")].student == "s002"
    dup = by_kind[("duplicate", "hw1-s003 (1).submission.json")].message
    assert "2 submissions from s003" in dup and "Student Three_123_assignsubmission_file_/hw1-s003.submission.json" in dup
    assert "made in s005's notebook" in by_kind[("wrong-variant", "hw1-s004.submission.json")].message
    assert "'98_demo/not-a-question'" in by_kind[("unknown-question", "hw1-s005.submission.json")].message
    assert "checksum" in by_kind[("edited", "hw1-s005.submission.json")].message
    assert "is a notebook, not the submission file" in by_kind[("malformed", "hw1-s006.ipynb")].message
    assert "unknown student 'x999'" in by_kind[("unknown-student", "x999.submission.json")].message
    assert "belongs to assignment 'hw2'" in by_kind[("wrong-assignment", "hw2-s001.submission.json")].message
    assert "malformed JSON (line 1, column" in by_kind[("malformed", "garbage.json")].message
    assert all(i.file for i in found.issues)
    assert "98_demo/not-a-question" not in found.chosen["s005"].answers


def test_duplicates_with_the_same_time_are_decided_by_content_not_luck(tmp_path: Path, released, quizzes: Path) -> None:  # type: ignore[no-untyped-def]
    released(1)
    inbox = tmp_path / "inbox"
    a = submit(tmp_path, "s001", tmp_path / "a", right=False, quizzes=quizzes)
    b = submit(tmp_path, "s001", tmp_path / "b", quizzes=quizzes)
    rewrite(a, lambda d: d.update(made_at="2026-05-05T10:00:00Z", revision=9))
    rewrite(b, lambda d: d.update(made_at="2026-05-05T10:00:00Z", revision=3))
    inbox.mkdir()
    (inbox / "z-first.submission.json").write_bytes(a.read_bytes())
    (inbox / "a-second.submission.json").write_bytes(b.read_bytes())
    found = collect(inbox, load_manifest(tmp_path / "hw1.manifest.json"))
    assert found.chosen["s001"].file == "z-first.submission.json"  # same time: more saves wins
