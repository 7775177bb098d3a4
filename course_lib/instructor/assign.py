"""``course assign``: one notebook per student, each with that student's own variants and no key.

    course assign --chapters 02,06 --roster roster.csv --out release/ --name hw1

reads the roster (every problem reported at once, before anything is written), loads the
chapters' quiz banks (``02`` or ``02_lambda``; a chapter without a bank yet is an error that
lists the banks that exist), draws every student's variants from a seed, and writes:

* ``release/hw1-<id>.ipynb`` for every student: their questions as they see them (see
  :mod:`course_lib.instructor.release`), the quiz widgets, and a "Make my submission file"
  button. Nothing in it can mark an answer: there is no key to find.
* ``hw1.manifest.json`` beside the release folder (never inside it): student, seed, questions
  and the digest of each release. ``course grade`` needs it; keep it, do not hand it out.

Seeds are ``<assignment>:<salt>:<student id>``. The salt is random on the first run and kept
in the manifest, so running ``course assign`` again (say, after adding a late student to the
roster) gives everyone already released the very same notebook. ``--salt`` fixes it yourself,
for a release you can reproduce anywhere.

Build-it questions are left out (they are checked against the learner's own sandbox, which the
instructor never sees); the summary says which.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course_lib.instructor.common import (
    InstructorError,
    Issue,
    atomic_write_text,
    display_path,
    is_inside,
    sha256_file,
    sha256_text,
)
from course_lib.instructor.manifest import Manifest, StudentRelease, load_manifest
from course_lib.instructor.release import (
    build_payload,
    key_fingerprint,
    payload_digest,
    qualified,
    releasable,
    released_question,
    shown_fingerprint,
)
from course_lib.instructor.roster import Roster, read_roster
from course_lib.quiz.bank import CHAPTER_PATTERN, BankError, bank_paths, load_bank, quizzes_dir
from course_lib.quiz.model import Bank
from course_lib.quiz.variants import variant

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$")


@dataclass
class Release:
    """Everything ``course assign`` decided, before a file is written."""

    manifest: Manifest
    payloads: dict[str, dict[str, Any]]  # student id -> payload
    notebooks: dict[str, str] = field(default_factory=dict)  # student id -> notebook JSON text
    notes: list[str] = field(default_factory=list)


def find_banks(spec: str, directory: Path | None = None) -> list[Bank]:
    """``"02,06"`` or ``"02_lambda"`` -> the banks, in the order given; every problem in one report."""
    folder = directory or quizzes_dir()
    available = {p.stem: p for p in bank_paths(folder)}
    tokens = [t.strip() for t in spec.split(",") if t.strip()]
    if not tokens:
        raise InstructorError("--chapters is empty: say which chapters, e.g. --chapters 02,06")
    problems: list[Issue] = []
    found: list[Path] = []
    shown_folder = display_path(folder)
    for token in tokens:
        if CHAPTER_PATTERN.match(token):
            matches = [available[token]] if token in available else []
        elif token.isdigit() and len(token) <= 2:
            matches = [p for stem, p in available.items() if stem.startswith(f"{int(token):02d}_")]
        else:
            problems.append(Issue(shown_folder, f"{token!r} is not a chapter: write its number (02) or its name (02_lambda)"))
            continue
        if not matches:
            label = f"{int(token):02d}" if token.isdigit() else token
            problems.append(Issue(shown_folder, f"chapter {label} has no quiz bank yet (no {label}{'' if '_' in label else '_*'}.yaml)"))
        elif matches[0] in found:
            problems.append(Issue(shown_folder, f"chapter {token} is listed twice"))
        else:
            found.extend(matches[:1])
    if problems:
        have = ", ".join(sorted(available)) or "none"
        raise InstructorError(f"Cannot assign these chapters (banks available in {shown_folder}: {have}); nothing was written.", problems)
    banks: list[Bank] = []
    reports: list[str] = []
    for path in found:
        try:
            banks.append(load_bank(path))
        except BankError as err:
            reports.append(str(err))
    if reports:
        raise InstructorError("A quiz bank has problems (run `course check`); nothing was written.", reports)
    return banks


def _course_version() -> str:
    try:
        from importlib.metadata import version

        return version("serverless-course")
    except Exception:  # noqa: BLE001 - a source checkout without metadata is fine
        return ""


def plan_release(
    name: str,
    banks: list[Bank],
    roster: Roster,
    salt: str,
    title: str = "",
    quizzes: Path | None = None,
) -> Release:
    """Draw every student's variants and build their payloads and the manifest (no file written)."""
    title = title or f"{name}: " + "; ".join(b.title for b in banks)
    questions = [(b, q) for b in banks for q in b.questions if releasable(q)]
    notes = []
    skipped = {b.chapter: [q.id for q in b.questions if not releasable(q)] for b in banks}
    for chapter, ids in skipped.items():
        if ids:
            notes.append(f"{chapter}: left out {len(ids)} build-it question{'s' if len(ids) != 1 else ''} "
                         f"({', '.join(ids)}): they are checked against the learner's own sandbox")
    if not questions:
        raise InstructorError(f"{', '.join(b.chapter for b in banks)}: no question can be assigned (build-it tasks only); nothing was written.")
    bank_info = {
        b.chapter: {
            "title": b.title,
            "sha256": sha256_file(Path(b.path)) if b.path else "",
            "questions": [q.id for q in b.questions if releasable(q)],
            "skipped": skipped[b.chapter],
            "points": {qualified(b.chapter, q.id): q.points for q in b.questions if releasable(q)},
        }
        for b in banks
    }
    intro = "\n\n".join(b.intro for b in banks if b.intro and len(banks) == 1)
    releases: list[StudentRelease] = []
    payloads: dict[str, dict[str, Any]] = {}
    for student in roster.students:
        seed = f"{name}:{salt}:{student.id}"
        released: list[dict[str, Any]] = []
        shown: dict[str, str] = {}
        keys: dict[str, str] = {}
        for bank, q in questions:
            qid = qualified(bank.chapter, q.id)
            v = variant(q, seed)
            item = released_question(qid, v)
            released.append(item)
            shown[qid] = shown_fingerprint(item)
            keys[qid] = key_fingerprint(v)
        payload = build_payload(name, title, student.id, student.name, released, intro)
        payloads[student.id] = payload
        releases.append(
            StudentRelease(student, seed, tuple(i["id"] for i in released), notebook_name(name, student.id), payload_digest(payload), "", shown, keys)
        )
    manifest = Manifest(
        assignment=name,
        title=title,
        chapters=tuple(b.chapter for b in banks),
        quizzes_dir=str((quizzes or quizzes_dir()).resolve()),
        salt=salt,
        banks=bank_info,
        students=tuple(releases),
        course_version=_course_version(),
    )
    return Release(manifest, payloads, notes=notes)


def notebook_name(assignment: str, student_id: str) -> str:
    return f"{assignment}-{student_id}.ipynb"


def submission_name(assignment: str, student_id: str) -> str:
    return f"{assignment}-{student_id}.submission.json"


def _cell(kind: str, source: str, index: int, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """One nbformat-4.5 cell, with the source split into lines as Jupyter itself stores it."""
    cell: dict[str, Any] = {"cell_type": kind, "id": f"cell-{index:03d}", "metadata": metadata or {},
                            "source": source.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def build_notebook(payload: dict[str, Any], digest: str) -> str:
    """The student's notebook as JSON text (nbformat 4.5, no outputs, stable cell ids).

    Written directly rather than through ``nbformat``, whose import alone (JSON-schema
    validators) costs more than writing a whole class's notebooks; the tests validate the result
    with ``nbformat`` itself.
    """
    student = payload["student"]
    name = payload["assignment"]
    points = sum(float(q.get("points", 1)) for q in payload["questions"])
    handin = submission_name(name, student["id"])
    intro = f"\n\n{payload['intro'].strip()}" if payload.get("intro") else ""
    first = (
        f"# {payload['title']}\n\n"
        f"**For:** {student['name']} (`{student['id']}`) · **Assignment:** `{name}` · "
        f"**Questions:** {len(payload['questions'])} · **Points:** {points:g}{intro}\n\n"
        "**What to do**\n\n"
        "1. Run every cell from the top (*Run → Run All Cells*).\n"
        "2. Answer each question. There is no *Check* button: your instructor grades the assignment "
        "after the deadline and sends you feedback with explanations.\n"
        "3. Your answers are saved on this computer as you go. Close the notebook and come back "
        "whenever you like: running the cells again brings your answers back.\n"
        f"4. When you are done, press **Make my submission file**. It writes `{handin}` next to this "
        "notebook. Hand in that file, not the notebook.\n\n"
        "These questions were drawn for you: a classmate's numbers and option order are different."
    )
    data_cell = (
        "# Your questions, as generated by `course assign`. Do not edit this cell: your submission\n"
        "# carries its digest, and answers to an edited copy cannot be graded.\n"
        # A JSON string literal is also a valid Python string literal.
        f"ASSIGNMENT = {json.dumps(json.dumps(payload, ensure_ascii=False, sort_keys=True), ensure_ascii=False)}"
    )
    cells = [
        _cell("markdown", first, 0),
        # The data cell's long line is hidden; JupyterLab shows "..." and it can still be expanded.
        _cell("code", data_cell, 1, {"jupyter": {"source_hidden": True}, "tags": ["assignment-data"]}),
        _cell("code", "from course_lib.instructor.submissions import open_assignment\n\nassignment = open_assignment(ASSIGNMENT)", 2),
        _cell(
            "markdown",
            "## Hand it in\n\n"
            "Press **Make my submission file** under the questions, or run the next cell: both write "
            f"`{handin}` next to this notebook (find it in the file browser on the left). You can make it "
            "again after changing an answer; hand in the latest one.",
            3,
        ),
        _cell("code", "assignment.make_submission()", 4),
    ]
    nb = {
        "cells": cells,
        "metadata": {
            "course_assignment": {"assignment": name, "student": student["id"], "digest": digest},
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass
class AssignResult:
    manifest_path: Path
    notebooks: list[Path]
    release: Release

    def summary(self) -> str:
        m = self.release.manifest
        questions = len(m.students[0].questions) if m.students else 0
        lines = [
            f"Assignment {m.assignment}: {len(self.notebooks)} notebooks in {display_path(self.notebooks[0].parent)}/ "
            f"({questions} questions each, from {', '.join(m.chapters)}).",
            f"Manifest (keep it, do not hand it out): {display_path(self.manifest_path)}",
        ]
        lines += [f"Note: {n}" for n in self.release.notes]
        return "\n".join(lines)


def assign(
    chapters: str,
    roster_path: Path | str,
    out: Path | str,
    name: str = "",
    title: str = "",
    manifest_path: Path | str | None = None,
    salt: str | None = None,
    quizzes: Path | str | None = None,
    encoding: str | None = None,
    force: bool = False,
) -> AssignResult:
    """Check everything, then write the release and the manifest. Raises :class:`InstructorError`."""
    out = Path(out)
    quizzes_path = Path(quizzes) if quizzes else None
    banks = find_banks(chapters, quizzes_path)
    name = name or "quiz-" + "-".join(b.chapter[:2] for b in banks)
    if not NAME_PATTERN.match(name):
        raise InstructorError(f"--name {name!r}: use letters, digits, '.', '_' and '-' (it names every file); nothing was written.")
    roster = read_roster(roster_path, encoding)
    manifest_file = Path(manifest_path) if manifest_path else out.resolve().parent / f"{name}.manifest.json"
    if is_inside(manifest_file, out):
        raise InstructorError(
            f"{display_path(manifest_file)}: the manifest would be inside the release folder {display_path(out)}/, "
            "which you hand out; put it elsewhere (--manifest); nothing was written."
        )
    notes: list[str] = list(f"{roster.path}: {n}" for n in roster.notes)
    if manifest_file.exists():
        old = load_manifest(manifest_file)
        if old.assignment != name:
            raise InstructorError(f"{display_path(manifest_file)} belongs to assignment {old.assignment!r}, not {name!r}; "
                                  "choose another --manifest or --name; nothing was written.")
        if salt is not None and salt != old.salt and not force:
            raise InstructorError(
                f"{display_path(manifest_file)} already released {name} with other seeds: a new --salt would give every "
                "student different questions from the notebook they may already have. Pass --force to re-release "
                "anyway, or choose a new --name; nothing was written."
            )
        if salt is None:
            salt = old.salt
            notes.append(f"kept the seeds of the existing {display_path(manifest_file)}: students already released get the same notebook")
    salt = salt if salt is not None else secrets.token_hex(8)
    release = plan_release(name, banks, roster, salt, title, quizzes_path)
    release.notes[:0] = notes
    written: list[Path] = []
    students = []
    for r in release.manifest.students:
        text = build_notebook(release.payloads[r.student.id], r.digest)
        path = out / r.notebook
        atomic_write_text(path, text, fsync=False)
        written.append(path)
        students.append(StudentRelease(r.student, r.seed, r.questions, r.notebook, r.digest, sha256_text(text), r.shown, r.keys))
    manifest = Manifest(**{**release.manifest.__dict__, "students": tuple(students)})
    release.manifest = manifest
    manifest.save(manifest_file)  # last: a manifest exists only for a complete release
    return AssignResult(manifest_file, written, release)
