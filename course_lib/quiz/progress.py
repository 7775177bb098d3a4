"""Saved progress: answers, attempts and scores in one JSON file that survives restarts.

Where it lives: ``$COURSE_HOME/progress.json``, with ``COURSE_HOME`` defaulting to
``~/.serverless-course``. The learner id (the seed of every variant) comes from
``COURSE_LEARNER_ID`` or, when that is unset, from ``$COURSE_HOME/learner_id``, generated once.
Tests and notebook execution point ``COURSE_HOME`` at a fresh temporary folder and set
``COURSE_LEARNER_ID=ci-learner``, so a fresh quiz renders the same way every time.

How it is kept safe:

* every save writes a temporary file in the same folder, fsyncs it and ``os.replace``s it over
  the old one, so a crash leaves either the old file or the new one, never half of each;
* saves from two kernels (chapter 00 and 02 open at once) are serialised with a lock file and
  merge question by question, so neither overwrites the other's answers;
* a file that cannot be read (hand-edited, truncated by a full disk) is moved aside to
  ``progress.json.corrupt`` with a message, and a fresh one is started; nothing crashes;
* a folder that cannot be written leaves the quiz working, with a message that answers are
  not being saved.

Layout::

    {"format": 1, "learners": {"<learner id>": {"chapters": {"02_lambda": {"<question id>": {...}}}}}}
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any, Iterator

# The course's folder is shared with its settings (course_lib.settings owns where it is).
from course_lib.settings import DEFAULT_HOME, course_home  # noqa: F401 - re-exported

try:  # POSIX; on Windows saves are still atomic, only not serialised between kernels
    import fcntl
except ImportError:  # pragma: no cover - exercised on Windows only
    fcntl = None  # type: ignore[assignment]

PROGRESS_FILE = "progress.json"
LEARNER_FILE = "learner_id"
FORMAT = 1


def learner_id(home: Path | None = None) -> str:
    """This learner's id: ``COURSE_LEARNER_ID``, else one generated once and kept in the home folder."""
    from_env = os.environ.get("COURSE_LEARNER_ID", "").strip()
    if from_env:
        return from_env
    home = home or course_home()
    path = home / LEARNER_FILE
    with contextlib.suppress(OSError, UnicodeDecodeError):
        existing = path.read_text(encoding="utf-8").strip()
        if existing:
            return existing
    new_id = f"learner-{uuid.uuid4().hex[:12]}"
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=home, prefix=".learner-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(new_id + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            # link() fails when the file exists: two kernels starting at once agree on one id.
            os.link(tmp, path)
        except FileExistsError:
            existing = path.read_text(encoding="utf-8").strip()
            if existing:
                return existing
            os.replace(tmp, path)
            return new_id
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    except OSError:
        pass  # a read-only home: the id lasts for this kernel only (the store says so when saving)
    return new_id


def atomic_write_json(path: Path, data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON, all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True, ensure_ascii=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    # The rename itself must reach the disk too.
    with contextlib.suppress(OSError, AttributeError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _empty() -> dict[str, Any]:
    return {"format": FORMAT, "learners": {}}


def _why_unreadable(doc: Any) -> str:
    if not isinstance(doc, dict):
        return "it does not hold a JSON object"
    if doc.get("format") != FORMAT:
        return f"its format is {doc.get('format')!r}, expected {FORMAT}"
    if not isinstance(doc.get("learners"), dict):
        return "it has no 'learners' table"
    return ""


class ProgressStore:
    """The progress file. Every method is safe to call from several kernels at once."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else course_home() / PROGRESS_FILE
        self.notice = ""  # a message for the learner (file set aside, saving failed)

    # -- reading ------------------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return _empty()  # nothing saved yet (or a home that cannot exist: saving will say so)
        except (OSError, UnicodeDecodeError) as err:
            return self._set_aside(f"it could not be read ({type(err).__name__})")
        try:
            doc = json.loads(raw)
        except json.JSONDecodeError as err:
            return self._set_aside(f"it is not valid JSON (line {err.lineno}: {err.msg})")
        problem = _why_unreadable(doc)
        return self._set_aside(problem) if problem else doc

    def _set_aside(self, reason: str) -> dict[str, Any]:
        aside = self.path.with_name(self.path.name + ".corrupt")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{n}")
        try:
            os.replace(self.path, aside)
            where = f"It was moved to {aside}"
        except OSError:
            where = "It could not be moved aside and will be overwritten"
        self.notice = f"Your progress file {self.path} could not be used: {reason}. {where}, and a fresh one was started."
        return _empty()

    def chapters(self, learner: str) -> dict[str, dict[str, dict[str, Any]]]:
        """Every chapter's saved questions for ``learner``."""
        with self._locked():
            entry = self._read()["learners"].get(learner) or {}
        chapters = entry.get("chapters") if isinstance(entry, dict) else None
        if not isinstance(chapters, dict):
            return {}
        return {name: qs for name, qs in chapters.items() if isinstance(qs, dict)}

    def chapter(self, learner: str, chapter: str) -> dict[str, dict[str, Any]]:
        return self.chapters(learner).get(chapter, {})

    # -- writing ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if fcntl is None:
            yield
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path.with_name(self.path.name + ".lock"), "a+")
        except OSError:
            yield  # cannot even create the lock: reading still works, saving will report
            return
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def save_question(self, learner: str, chapter: str, qid: str, entry: dict[str, Any]) -> bool:
        """Store one question's state (merged with whatever other kernels saved). False if not saved."""
        try:
            with self._locked():
                doc = self._read()
                person = doc["learners"].setdefault(learner, {})
                if not isinstance(person, dict) or not isinstance(person.get("chapters", {}), dict):
                    person = doc["learners"][learner] = {}
                person.setdefault("chapters", {}).setdefault(chapter, {})[qid] = entry
                atomic_write_json(self.path, doc)
            return True
        except OSError as err:
            self.notice = f"Your answers are graded but not saved: {self.path} cannot be written ({err.strerror or err})."
            return False

    def reset(self, learner: str, chapter: str | None = None) -> int:
        """Forget ``chapter`` (or every chapter) for ``learner``; returns how many answers were removed."""
        with self._locked():
            doc = self._read()
            person = doc["learners"].get(learner)
            if not isinstance(person, dict) or not isinstance(person.get("chapters"), dict):
                return 0
            chapters = person["chapters"]
            names = [chapter] if chapter else list(chapters)
            removed = sum(len(chapters.pop(name, None) or {}) for name in names)
            atomic_write_json(self.path, doc)
        return removed


class MemoryStore:
    """The same interface, kept in memory: rehearsals and tests that must not touch the disk."""

    def __init__(self) -> None:
        self.path = None
        self.notice = ""
        self._data: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}

    def chapters(self, learner: str) -> dict[str, dict[str, dict[str, Any]]]:
        return json.loads(json.dumps(self._data.get(learner, {})))

    def chapter(self, learner: str, chapter: str) -> dict[str, dict[str, Any]]:
        return self.chapters(learner).get(chapter, {})

    def save_question(self, learner: str, chapter: str, qid: str, entry: dict[str, Any]) -> bool:
        self._data.setdefault(learner, {}).setdefault(chapter, {})[qid] = json.loads(json.dumps(entry))
        return True

    def reset(self, learner: str, chapter: str | None = None) -> int:
        chapters = self._data.get(learner, {})
        names = [chapter] if chapter else list(chapters)
        return sum(len(chapters.pop(name, None) or {}) for name in names)
