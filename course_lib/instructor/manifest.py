"""The manifest: what the instructor keeps from ``course assign`` and gives to ``course grade``.

One JSON file per assignment (``hw1.manifest.json`` by default, beside the release folder,
never inside it). It holds, for every student of the roster: their roster details, the seed
their variants were drawn from, the questions they received, the digest of their release (the
digest their submission must carry) and, per question, a fingerprint of what they saw and of
how it is marked. It holds no answer key in clear: grading recomputes each variant from the
bank and the seed, and the fingerprints prove the bank still gives the variants that were
released (a price edited in ``facts.yaml`` would silently change numeric answers otherwise).

Keep it with your course files, not with the students: the seeds are what make one student's
variant different from another's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course_lib.instructor.common import FORMAT_MANIFEST, InstructorError, Issue, atomic_write_json, display_path
from course_lib.instructor.roster import Student


@dataclass(frozen=True)
class StudentRelease:
    student: Student
    seed: str
    questions: tuple[str, ...]
    notebook: str
    digest: str  # of the released payload: what a submission must carry
    notebook_sha256: str
    shown: dict[str, str] = field(default_factory=dict)  # question -> fingerprint of what they saw
    keys: dict[str, str] = field(default_factory=dict)  # question -> fingerprint of its key

    def to_json(self) -> dict[str, Any]:
        return {
            "student": self.student.to_json(),
            "seed": self.seed,
            "questions": list(self.questions),
            "notebook": self.notebook,
            "digest": self.digest,
            "notebook_sha256": self.notebook_sha256,
            "shown": dict(self.shown),
            "keys": dict(self.keys),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "StudentRelease":
        return cls(
            student=Student.from_json(data["student"]),
            seed=str(data["seed"]),
            questions=tuple(str(q) for q in data["questions"]),
            notebook=str(data.get("notebook", "")),
            digest=str(data["digest"]),
            notebook_sha256=str(data.get("notebook_sha256", "")),
            shown={str(k): str(v) for k, v in (data.get("shown") or {}).items()},
            keys={str(k): str(v) for k, v in (data.get("keys") or {}).items()},
        )


@dataclass(frozen=True)
class Manifest:
    assignment: str
    title: str
    chapters: tuple[str, ...]
    quizzes_dir: str
    salt: str
    banks: dict[str, dict[str, Any]]  # chapter -> {"sha256", "questions", "skipped"}
    students: tuple[StudentRelease, ...]
    course_version: str = ""

    def by_student(self) -> dict[str, StudentRelease]:
        return {r.student.id: r for r in self.students}

    def by_digest(self) -> dict[str, StudentRelease]:
        return {r.digest: r for r in self.students}

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_MANIFEST,
            "note": "Keep this file: course grade needs it. Do not hand it out: it holds every student's seed.",
            "assignment": self.assignment,
            "title": self.title,
            "chapters": list(self.chapters),
            "quizzes_dir": self.quizzes_dir,
            "salt": self.salt,
            "banks": self.banks,
            "course_version": self.course_version,
            "students": [s.to_json() for s in self.students],
        }

    def save(self, path: Path) -> None:
        atomic_write_json(path, self.to_json())


def load_manifest(path: Path | str) -> Manifest:
    """Read a manifest; a missing, damaged or foreign file raises :class:`InstructorError` saying so."""
    path = Path(path)
    shown = display_path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstructorError(f"{shown}: manifest not found. `course assign` writes it (NAME.manifest.json beside the release folder).") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InstructorError(f"{shown}: the manifest cannot be read ({err}).") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        raise InstructorError(f"{shown}: the manifest is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}). "
                              "Restore it from your backup or version control.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_MANIFEST:
        raise InstructorError(f"{shown}: not a course manifest (expected \"format\": \"{FORMAT_MANIFEST}\").")
    try:
        students = tuple(StudentRelease.from_json(s) for s in data["students"])
        return Manifest(
            assignment=str(data["assignment"]),
            title=str(data.get("title", data["assignment"])),
            chapters=tuple(str(c) for c in data["chapters"]),
            quizzes_dir=str(data.get("quizzes_dir", "")),
            salt=str(data["salt"]),
            banks=dict(data.get("banks") or {}),
            students=students,
            course_version=str(data.get("course_version", "")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InstructorError(f"{shown}: the manifest is damaged (field {err} is missing or wrong).",
                              [Issue(shown, "restore it from your backup or version control")]) from None
