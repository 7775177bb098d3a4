"""What every instructor tool shares: problem reports, atomic files, digests, a progress bar.

Instructor commands never print a traceback for bad input. A tool collects :class:`Issue`
objects (each names its file, and the line, row, student or question where it applies); a
problem that stops the whole command raises :class:`InstructorError`, whose ``str()`` is the
full report, and the CLI prints it and exits non-zero.

Outputs are written with :func:`atomic_write_bytes`: a temporary file in the same folder,
then ``os.replace``. A reader (or a crash) never sees half a gradebook: each file is either
the old one or the new one, complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, TextIO

FORMAT_MANIFEST = "course-manifest/1"
FORMAT_ASSIGNMENT = "course-assignment/1"
FORMAT_SUBMISSION = "course-submission/1"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates files readable by their owner only; released notebooks and reports are meant
# to be shared, so they get the permissions any new file would get.
FILE_MODE = 0o666 & ~_umask()


@dataclass(frozen=True)
class Issue:
    """One thing worth telling the instructor. ``where`` is a line, row, question or student."""

    file: str
    message: str
    where: str = ""
    student: str = ""
    kind: str = "problem"  # a short machine-readable tag: malformed, unknown-student, duplicate, ...

    def __str__(self) -> str:
        head = f"{self.file}, {self.where}" if self.where else self.file
        return f"{head}: {self.message}"


class InstructorError(Exception):
    """A problem that stops a command. ``str()`` is the whole report, ready to print."""

    def __init__(self, headline: str, issues: Iterable[Issue | str] = ()) -> None:
        self.headline = headline
        self.issues = [i for i in issues]
        lines = [headline] + [f"  {i}" for i in self.issues]
        super().__init__("\n".join(lines))


def display_path(path: Path | str, base: Path | None = None) -> str:
    """A path as the instructor typed it: relative to ``base`` (or the working folder) when possible."""
    path = Path(path)
    for root in ([base] if base is not None else []) + [Path.cwd()]:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            continue
    return str(path)


# -- digests -----------------------------------------------------------------------------------
def canonical_json(data: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8. Digests are taken over this."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digest(data: Any) -> str:
    """The SHA-256 of ``data``'s canonical JSON."""
    return sha256_text(canonical_json(data))


# -- atomic files --------------------------------------------------------------------------------
def atomic_write_bytes(path: Path, data: bytes, fsync: bool = True) -> None:
    """Replace ``path`` with ``data``, all or nothing (temporary file in the same folder, then rename).

    ``fsync=False`` keeps the all-or-nothing rename but skips forcing the bytes to disk: used for
    the hundreds of small per-student files of one grading run, where a power cut is answered by
    running the (idempotent) command again.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str, fsync: bool = True) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), fsync=fsync)


def atomic_write_json(path: Path, data: Any, fsync: bool = True) -> None:
    atomic_write_text(path, json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", fsync=fsync)


def is_inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


# -- progress ----------------------------------------------------------------------------------
class ProgressBar:
    """A plain-text progress bar on stderr for long runs.

    On a terminal it redraws one line (``grading [#######-----] 1200/2000``) at most ten times a
    second; when stderr is a file or a CI log it prints a line at every quarter instead, so logs
    stay short. ``enabled=False`` (``--quiet``) prints nothing.
    """

    # Runs shorter than this finish before a bar would help; they print nothing.
    MIN_TOTAL = 50

    def __init__(self, total: int, label: str, stream: TextIO | None = None, enabled: bool = True, width: int = 30) -> None:
        self.total, self.label, self.width = max(total, 0), label, width
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and total >= self.MIN_TOTAL
        self.done = 0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_draw = 0.0
        self._quarters = 0

    def advance(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        if not self.enabled:
            return
        if self._tty:
            now = time.monotonic()
            if now - self._last_draw >= 0.1 or self.done == self.total:
                self._last_draw = now
                filled = int(self.width * self.done / self.total)
                bar = "#" * filled + "-" * (self.width - filled)
                self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
                if self.done == self.total:
                    self.stream.write("\n")
                self.stream.flush()
        else:
            quarters = self.done * 4 // self.total
            if quarters > self._quarters:
                self._quarters = quarters
                self.stream.write(f"{self.label}: {self.done}/{self.total} ({100 * self.done // self.total}%)\n")
                self.stream.flush()

    def finish(self) -> None:
        if self.done < self.total:
            self.advance(self.total - self.done)
