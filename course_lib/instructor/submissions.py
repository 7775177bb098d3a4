"""Answers and submissions: the student's side in the notebook, and the instructor's reader.

**The student** opens their released notebook, which calls::

    assignment = open_assignment(ASSIGNMENT)     # shows the questions (the quiz widgets)
    assignment.answer("02_lambda/max-timeout", "15 min")   # what the widgets do on every change
    assignment.make_submission()                 # the button: writes hw1-s001.submission.json

Every answer is saved the moment it changes, atomically (temporary file, fsync, rename, under a
lock; the quiz engine's :class:`~course_lib.quiz.progress.ProgressStore`), in
``$COURSE_HOME/assignments/<assignment>-<student>.answers.json``, and restored when the notebook
is opened again. Answers belong to one release: if the instructor re-releases the assignment
with other questions, answers to the old ones are not shown against the new ones.

The submission file carries the student id and name, the assignment and its digest, when it
was made, a revision counter, the answers (as positions and typed text, see
:mod:`course_lib.instructor.release`) and a checksum that shows damage or hand edits. Nothing
secret: no seed, no key.

**The instructor** runs :func:`collect` over a folder of whatever came back (an LMS download,
an e-mail folder, a shared drive; sub-folders are searched, nothing is modified). Every file is
judged on its own and every problem is reported with the file's name, while the rest are graded:

* not a submission at all (a notebook, a PDF, a zip): named, with what to ask the student for;
* malformed or truncated JSON: named with the line and column; the student it seems to belong
  to (from the file name) is marked ``unreadable`` instead of ``missing``;
* a student id that is not in the manifest;
* answers made against another student's variant (the digest belongs to someone else's
  notebook) or against no release at all (an edited notebook, a previous release);
* a submission for another assignment;
* duplicates: the latest (by the time it was made, then its revision) is graded, the others are
  listed;
* answers to question ids the student was not given: ignored, and listed.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from course_lib.instructor.common import (
    FORMAT_SUBMISSION,
    Issue,
    atomic_write_json,
    digest,
    display_path,
)
from course_lib.instructor.release import payload_digest, payload_problems
from course_lib.quiz.progress import ProgressStore, course_home

MAX_SUBMISSION_BYTES = 2_000_000
MAX_ANSWER_CHARS = 10_000


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _label(text: str) -> str:
    """Option text as a learner would type it: no Markdown markers, single spaces, any case."""
    return " ".join(re.sub(r"`|\*\*|\*", "", text).split()).casefold()


class AssignmentError(ValueError):
    """The assignment cell of a notebook cannot be used (edited or damaged)."""


# -- the student's side ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SubmissionFile:
    """What ``make_submission()`` wrote; shows as one sentence in the notebook."""

    path: Path
    answered: int
    total: int

    @property
    def message(self) -> str:
        missing = self.total - self.answered
        gap = f" {missing} question{'s have' if missing != 1 else ' has'} no answer; you can still hand it in." if missing else ""
        return f"Wrote {self.path.name} ({self.answered} of {self.total} questions answered) in {self.path.parent}. Hand in this file.{gap}"

    def __repr__(self) -> str:
        return self.message


class Assignment:
    """One student's assignment: the released questions, their saved answers, the submission.

    ``payload`` is the notebook's ``ASSIGNMENT`` (a JSON string or the parsed dict);
    ``answers_path`` overrides where answers are saved (``store`` replaces the file altogether,
    e.g. with the quiz engine's ``MemoryStore`` to simulate a class); ``folder`` is where the
    submission file goes (default: the notebook's folder, the kernel's working directory).
    """

    def __init__(
        self,
        payload: str | Mapping[str, Any],
        answers_path: Path | str | None = None,
        folder: Path | str | None = None,
        store: Any = None,
    ) -> None:
        if isinstance(payload, str):
            try:
                payload = json.loads(payload)
            except json.JSONDecodeError as err:
                raise AssignmentError(f"The assignment cell of this notebook is damaged (line {err.lineno}: {err.msg}). "
                                      "Download your notebook again; your saved answers are kept.") from None
        problems = payload_problems(payload)
        if problems:
            raise AssignmentError("The assignment cell of this notebook cannot be used: " + "; ".join(problems)
                                  + ". Download your notebook again; your saved answers are kept.")
        self.payload: dict[str, Any] = dict(payload)
        self.digest = payload_digest(self.payload)
        self.name: str = self.payload["assignment"]
        self.student: str = self.payload["student"]["id"]
        self.student_name: str = str(self.payload["student"].get("name", ""))
        self.title: str = str(self.payload.get("title", self.name))
        self.questions: list[dict[str, Any]] = list(self.payload["questions"])
        self.by_id = {q["id"]: q for q in self.questions}
        self.folder = Path(folder) if folder is not None else Path.cwd()
        if store is None:
            path = Path(answers_path) if answers_path is not None else course_home() / "assignments" / f"{self.name}-{self.student}.answers.json"
            store = ProgressStore(path)
        # Any store with the quiz engine's interface; a MemoryStore for simulations of a whole class.
        self.store = store
        self._answers: dict[str, Any] = {}
        self._seq = 0
        for qid, entry in self.store.chapter(self.student, self.name).items():
            # Answers saved against another release of this assignment do not apply to these questions.
            if isinstance(entry, dict) and entry.get("digest") == self.digest and qid in self.by_id:
                self._answers[qid] = entry.get("answer")
                self._seq = max(self._seq, int(entry.get("seq", 0) or 0))
        self.view: Any = None

    # -- answers ----------------------------------------------------------------------------------
    @property
    def notice(self) -> str:
        return self.store.notice

    @property
    def answers(self) -> dict[str, Any]:
        """Every question answered so far: question id -> recorded answer."""
        return {qid: a for qid, a in self._answers.items() if not is_blank(a)}

    def question(self, qid: str) -> dict[str, Any]:
        if qid not in self.by_id:
            known = ", ".join(self.by_id)
            raise KeyError(f"This assignment has no question {qid!r}. Its questions: {known}")
        return self.by_id[qid]

    def answer(self, qid: str, value: Any) -> Any:
        """Record an answer as the widgets would, and save it at once.

        Choices take the option's number as shown (``2``) or its text; several for a
        multiple-select question. True/false takes ``True``/``False``. Numbers and short
        answers take what you would type. An ordering takes the steps, by text or by their
        number in the starting order, first step first. ``None`` clears the answer.
        """
        stored = self.normalise(qid, value)
        self.save(qid, stored)
        if self.view is not None:
            self.view.refresh(qid)
        return stored

    def normalise(self, qid: str, value: Any) -> Any:
        """``value`` in the recorded form (positions, typed text); ValueError when it cannot fit."""
        q = self.question(qid)
        kind = q["type"]
        if value is None:
            return None
        if kind in ("single", "multiple"):
            options = q["options"]
            values = list(value) if isinstance(value, (list, tuple, set)) else [value]
            if kind == "single" and len(values) != 1:
                raise ValueError(f"{qid} takes one option")
            positions = [self._position(qid, v, options, "option") for v in values]
            return str(positions[0]) if kind == "single" else [str(p) for p in sorted(set(positions))]
        if kind == "ordering":
            items = q["items"]
            positions = [self._position(qid, v, items, "step") for v in value]
            if sorted(positions) != list(range(1, len(items) + 1)):
                raise ValueError(f"{qid}: give every step exactly once, first step first")
            return [str(p) for p in positions]
        if kind == "truefalse":
            if isinstance(value, bool):
                return value
            word = str(value).strip().casefold()
            if word in ("true", "t", "yes"):
                return True
            if word in ("false", "f", "no"):
                return False
            raise ValueError(f"{qid} takes True or False")
        text = str(value)
        return text[:MAX_ANSWER_CHARS]

    @staticmethod
    def _position(qid: str, value: Any, choices: list[str], what: str) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= len(choices):
            return value
        text = str(value).strip()
        if text.isdigit() and 1 <= int(text) <= len(choices):
            return int(text)
        wanted = _label(text)
        for i, choice in enumerate(choices, 1):
            if _label(choice) == wanted:
                return i
        raise ValueError(f"{value!r} is not one of the {what}s of {qid}: give its number (1 to {len(choices)}) or its text")

    def save(self, qid: str, stored: Any) -> bool:
        """Save an answer already in the recorded form (the widgets call this on every change)."""
        self.question(qid)
        self._seq += 1
        self._answers[qid] = stored
        entry = {"answer": stored, "digest": self.digest, "saved_at": _now(), "seq": self._seq}
        return self.store.save_question(self.student, self.name, qid, entry)

    # -- hand-in ----------------------------------------------------------------------------------
    def submission(self) -> dict[str, Any]:
        """The submission document (what the file holds)."""
        answers = self.answers
        doc: dict[str, Any] = {
            "format": FORMAT_SUBMISSION,
            "assignment": self.name,
            "student": {"id": self.student, "name": self.student_name},
            "assignment_digest": self.digest,
            "made_at": _now(),
            "revision": self._seq,
            "answered": len(answers),
            "questions": len(self.questions),
            "answers": answers,
        }
        doc["checksum"] = digest(doc)
        return doc

    def submission_path(self, folder: Path | str | None = None) -> Path:
        return Path(folder if folder is not None else self.folder) / f"{self.name}-{self.student}.submission.json"

    def make_submission(self, folder: Path | str | None = None) -> SubmissionFile:
        """Write the one file to hand in (again, after a change: hand in the latest)."""
        doc = self.submission()
        path = self.submission_path(folder)
        atomic_write_json(path, doc)
        result = SubmissionFile(path.resolve(), doc["answered"], doc["questions"])
        if self.view is not None:
            self.view.submitted(result)
        return result

    # -- display ----------------------------------------------------------------------------------
    def widget(self) -> Any:
        """The questions as ipywidgets (built once)."""
        if self.view is None:
            from course_lib.instructor.widgets import AssignmentView

            self.view = AssignmentView(self)
        return self.view

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget().box)

    def __repr__(self) -> str:
        return f"Assignment {self.name} for {self.student}: {len(self.answers)} of {len(self.questions)} questions answered"


def is_blank(answer: Any) -> bool:
    """No answer: nothing chosen, nothing typed."""
    return answer is None or answer == "" or answer == [] or (isinstance(answer, str) and not answer.strip())


class BrokenAssignment:
    """What ``open_assignment`` returns for a damaged assignment cell: the message, not a traceback."""

    def __init__(self, error: AssignmentError) -> None:
        self.error = error

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise self.error

    def _repr_html_(self) -> str:
        return f'<div style="color:var(--jp-error-color1, #c62828)"><strong>&#9888; {html.escape(str(self.error))}</strong></div>'

    def __repr__(self) -> str:
        return str(self.error)


def open_assignment(
    payload: str | Mapping[str, Any],
    *,
    answers_path: Path | str | None = None,
    folder: Path | str | None = None,
    store: Any = None,
    display: bool = True,
) -> Assignment | BrokenAssignment:
    """Open (and by default show) a released assignment; what the student's notebook calls."""
    try:
        assignment = Assignment(payload, answers_path=answers_path, folder=folder, store=store)
    except AssignmentError as err:
        broken = BrokenAssignment(err)
        if display:
            from IPython.display import HTML
            from IPython.display import display as show

            show(HTML(broken._repr_html_()))
        return broken
    if display:
        from IPython.display import display as show

        show(assignment.widget().box)
    return assignment


# -- the instructor's side ---------------------------------------------------------------------------
@dataclass
class Submission:
    """One readable submission file."""

    file: str  # as shown in reports (relative to the submissions folder)
    student: str
    digest: str
    made_at: str
    revision: int
    answers: dict[str, Any]
    edited: bool = False  # the checksum does not match: changed by hand after it was made


@dataclass
class Collected:
    """What :func:`collect` found: the submission graded per student, and every issue."""

    chosen: dict[str, Submission] = field(default_factory=dict)  # student id -> the one to grade
    status: dict[str, str] = field(default_factory=dict)  # student id -> unreadable | wrong-variant | wrong-assignment
    notes: dict[str, list[str]] = field(default_factory=dict)  # student id -> notes for the gradebook
    issues: list[Issue] = field(default_factory=list)
    files: int = 0

    def note(self, student: str, text: str) -> None:
        self.notes.setdefault(student, []).append(text)


_NAME_IN_FILE = re.compile(r"(?P<assignment>[A-Za-z0-9._-]+?)-(?P<student>[A-Za-z0-9._@+\-]+)\.submission\.json$")
_STUDENT_IN_TEXT = re.compile(r'"student"\s*:\s*\{[^{}]*?"id"\s*:\s*"(?P<id>[^"\\]{1,64})"')


def _guess_student(name: str, text: str, assignment: str, known: set[str]) -> str:
    """Whose damaged (or wrong) file is this? The JSON text, then the file name; '' when unsure."""
    found = _STUDENT_IN_TEXT.search(text)
    if found and found.group("id") in known:
        return found.group("id")
    # A notebook handed in instead says whose it is in its metadata.
    found = re.search(r'"course_assignment"\s*:\s*\{[^{}]*?"student"\s*:\s*"(?P<id>[^"\\]{1,64})"', text)
    if found and found.group("id") in known:
        return found.group("id")
    # LMS downloads prepend their own text ("Ada Lovelace_123_assignsubmission_file_hw1-s001...").
    prefix = f"{assignment}-"
    index = name.rfind(prefix)
    for suffix in (".submission.json", ".ipynb", ".json"):
        if index != -1 and name.endswith(suffix):
            candidate = name[index + len(prefix) : -len(suffix)]
            if candidate in known:
                return candidate
    return ""


def _files(folder: Path) -> list[Path]:
    """Every file under ``folder``, sorted, skipping hidden files and macOS zip debris."""
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") or part == "__MACOSX" for part in rel.parts):
            continue
        if path.is_file():
            out.append(path)
    return out


def read_submission(path: Path, shown: str) -> tuple[dict[str, Any] | None, str, str]:
    """(document, raw text, problem). ``problem`` is '' for a well-formed submission document."""
    try:
        size = path.stat().st_size
        if size > MAX_SUBMISSION_BYTES:
            return None, "", f"is {size:,} bytes, far too large for a submission file (is it a data file or an archive?)"
        raw = path.read_bytes()
    except OSError as err:
        return None, "", f"cannot be read ({err.strerror or err})"
    if path.suffix.lower() in (".zip", ".pdf", ".png", ".jpg", ".docx"):
        return None, "", f"is a {path.suffix.lower()[1:].upper()} file, not a submission file: ask the student for the .submission.json their notebook made"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "", "is not a text file, so not a submission file: ask the student for the .submission.json their notebook made"
    if not text.strip():
        return None, text, "is empty (an interrupted upload?): ask the student to hand it in again"
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        # A submission file is one JSON object: one that never closes was cut off on the way.
        if text.lstrip().startswith("{") and not text.rstrip().endswith("}"):
            return None, text, f"is truncated: the JSON stops at line {err.lineno}, column {err.colno} (an interrupted upload or copy?)"
        return None, text, f"is malformed JSON (line {err.lineno}, column {err.colno}: {err.msg})"
    if isinstance(doc, dict) and "cells" in doc and "nbformat" in doc:
        return None, text, ("is a notebook, not the submission file: ask the student to press \"Make my submission file\" "
                            "and hand in the .submission.json it writes")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_SUBMISSION:
        return None, text, f"is not a submission file (no \"format\": \"{FORMAT_SUBMISSION}\")"
    student = doc.get("student")
    checks = [
        (isinstance(student, dict) and isinstance(student.get("id"), str) and student["id"], "student.id"),
        (isinstance(doc.get("assignment"), str), "assignment"),
        (isinstance(doc.get("assignment_digest"), str), "assignment_digest"),
        (isinstance(doc.get("answers"), dict), "answers"),
    ]
    missing = [name for ok, name in checks if not ok]
    if missing:
        return None, text, f"is damaged: field {', '.join(missing)} is missing or has the wrong type"
    return doc, text, ""


def collect(folder: Path | str, manifest: Any) -> Collected:
    """Read every file under ``folder`` against ``manifest`` (a :class:`Manifest`); modify nothing."""
    folder = Path(folder)
    result = Collected()
    releases = manifest.by_student()
    by_digest = manifest.by_digest()
    known = set(releases)
    candidates: dict[str, list[Submission]] = {}
    for path in _files(folder):
        result.files += 1
        shown = display_path(path, folder)
        doc, text, problem = read_submission(path, shown)
        if doc is None:
            owner = _guess_student(path.name, text, manifest.assignment, known)
            kind = "malformed" if text else "not-a-submission"
            result.issues.append(Issue(shown, problem, student=owner, kind=kind))
            if owner:
                result.status.setdefault(owner, "unreadable")
                result.note(owner, f"{shown} {problem.split(':')[0]}")
            continue
        sid = doc["student"]["id"]
        if doc["assignment"] != manifest.assignment:
            result.issues.append(Issue(shown, f"belongs to assignment {doc['assignment']!r}, not {manifest.assignment!r}: not graded", student=sid if sid in known else "", kind="wrong-assignment"))
            if sid in known:
                result.status.setdefault(sid, "wrong-assignment")
                result.note(sid, f"{shown} is for assignment {doc['assignment']}")
            continue
        if sid not in known:
            result.issues.append(Issue(shown, f"unknown student {sid!r}: not in the manifest's roster, not graded", kind="unknown-student"))
            continue
        release = releases[sid]
        claimed = doc["assignment_digest"]
        if claimed != release.digest:
            other = by_digest.get(claimed)
            if other is not None:
                message = (f"answers were made in {other.student.id}'s notebook (another student's variant), "
                           f"not {sid}'s own: not graded")
            else:
                message = ("answers were made against questions that are not in this release (an edited notebook, "
                           "or a notebook from an earlier release of this assignment): not graded")
            result.issues.append(Issue(shown, message, student=sid, kind="wrong-variant"))
            result.status.setdefault(sid, "wrong-variant")
            result.note(sid, f"{shown}: {message}")
            continue
        body = {k: v for k, v in doc.items() if k != "checksum"}
        edited = doc.get("checksum") != digest(body)
        if edited:
            result.issues.append(Issue(shown, "was changed after it was made (its checksum does not match); graded as it is", student=sid, kind="edited"))
        answers = {}
        for qid, answer in doc["answers"].items():
            if qid not in release.questions:
                result.issues.append(Issue(shown, f"answers unknown question {qid!r} (not in {sid}'s assignment): ignored", where=f"question {qid}", student=sid, kind="unknown-question"))
                continue
            answers[qid] = answer
        try:
            revision = int(doc.get("revision", 0))
        except (TypeError, ValueError):
            revision = 0
        made_at = str(doc.get("made_at", ""))
        candidates.setdefault(sid, []).append(Submission(shown, sid, claimed, made_at, revision, answers, edited))
    for sid, subs in candidates.items():
        # Latest wins: by when it was made, then by how many saves it includes; the file name
        # breaks exact ties so that every run picks the same one.
        ordered = sorted(subs, key=lambda s: (s.made_at, s.revision, s.file))
        chosen = ordered[-1]
        result.chosen[sid] = chosen
        result.status.pop(sid, None)
        if len(ordered) > 1:
            others = ", ".join(f"{s.file} (made {s.made_at or 'at an unknown time'})" for s in ordered[:-1])
            message = f"{len(ordered)} submissions from {sid}: graded the latest, {chosen.file} (made {chosen.made_at}); not graded: {others}"
            result.issues.append(Issue(chosen.file, message, student=sid, kind="duplicate"))
            result.note(sid, f"{len(ordered)} submissions; graded the latest")
        if chosen.edited:
            result.note(sid, "submission edited by hand after it was made")
    result.issues.sort(key=lambda i: (i.file, i.kind, i.where, i.message))
    return result


__all__ = [
    "Assignment",
    "AssignmentError",
    "BrokenAssignment",
    "Collected",
    "Submission",
    "SubmissionFile",
    "collect",
    "is_blank",
    "open_assignment",
    "read_submission",
]
