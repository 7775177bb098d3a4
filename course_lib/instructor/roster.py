"""The class list: a roster CSV read, checked, and turned into students.

    from course_lib.instructor.roster import read_roster
    roster = read_roster("roster.csv")          # raises RosterError listing every problem
    [s.id for s in roster.students]

The file is what a registrar's export or a spreadsheet gives: a header row, then one student a
row. Columns (case, spaces and underscores in the header do not matter; order is free):

=================  ===========================================================================
``id``             required. Also accepted: ``student_id``, ``username``, ``user_id``. It names
                   the student's files, so it may hold letters, digits and ``. _ - @ +`` only.
``name``           required, or ``first_name`` and ``last_name`` together.
``email``          optional (``email_address``).
``section``        optional: copied into the Canvas export.
``sis_user_id``,   optional: how Canvas finds the student (see ``docs/instructors.md``); when
``sis_login_id``,  absent, the Canvas export puts ``id`` in "SIS User ID".
``canvas_id``
=================  ===========================================================================

Everything that can go wrong is collected and reported at once, before anything is written:
duplicate ids (case-insensitive: ``S001`` and ``s001`` would overwrite each other's files on
macOS and Windows), empty ids and names, ids that cannot be part of a file name, rows with too
many fields (an unquoted comma in a name), a missing header column, duplicate e-mail addresses.

Encodings: UTF-8 (with or without the byte-order mark Excel adds) and UTF-16 with a byte-order
mark (Excel's "Unicode text") are read as they are. Any other encoding is refused with a report
that names the first bad byte, because guessing would write wrong names into every notebook and
gradebook: save the file as "CSV UTF-8", or say the encoding (``--roster-encoding cp1252``).
Comma, semicolon (Excel in many European locales) and tab separators are recognised.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from course_lib.instructor.common import InstructorError, Issue, display_path

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+\-]{0,63}$")

# Header spellings people actually use, normalised (lower case, no spaces/underscores/dashes).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "studentid", "username", "userid", "studentnumber", "matriculationnumber"),
    "name": ("name", "fullname", "studentname", "displayname", "student"),  # "Student": Canvas exports
    "first_name": ("firstname", "givenname", "forename"),
    "last_name": ("lastname", "surname", "familyname"),
    "email": ("email", "emailaddress", "mail"),
    "section": ("section", "group"),
    "sis_user_id": ("sisuserid",),
    "sis_login_id": ("sisloginid", "loginid"),
    "canvas_id": ("canvasid", "canvasuserid"),
}


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    email: str = ""
    section: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    canvas_id: str = ""

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items()}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> "Student":
        return cls(**{k: str(data.get(k, "") or "") for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Roster:
    path: str
    students: tuple[Student, ...]
    notes: tuple[str, ...] = field(default=())  # harmless things worth saying (encoding, ignored columns)

    def by_id(self) -> dict[str, Student]:
        return {s.id: s for s in self.students}


class RosterError(InstructorError):
    """A roster that cannot be used; ``str()`` lists every problem."""


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", header.strip().lstrip("\ufeff").casefold())


def _clean(value: str) -> str:
    """Names and ids as people meant them: NFC, no stray spaces, no line breaks."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def _decode(raw: bytes, shown: str, encoding: str | None) -> tuple[str, list[Issue], list[str]]:
    """The text of the file, the problems with its encoding, and notes."""
    problems: list[Issue] = []
    notes: list[str] = []
    if encoding:
        try:
            return raw.decode(encoding), problems, [f"read as {encoding}, as asked"]
        except (UnicodeDecodeError, LookupError) as err:
            problems.append(Issue(shown, f"cannot be read as {encoding}: {err}", kind="encoding"))
            return raw.decode("utf-8", errors="replace"), problems, notes
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), problems, ["read as UTF-16 (the file starts with a UTF-16 byte-order mark)"]
        except UnicodeDecodeError as err:
            problems.append(Issue(shown, f"starts with a UTF-16 byte-order mark but is not valid UTF-16 ({err.reason})", kind="encoding"))
            return raw.decode("utf-16", errors="replace"), problems, notes
    if raw.startswith(codecs.BOM_UTF8):
        notes.append("read as UTF-8 (the byte-order mark Excel adds was dropped)")
        raw = raw[len(codecs.BOM_UTF8) :]
    if b"\x00" in raw[:4096]:
        problems.append(
            Issue(shown, "contains NUL bytes: it looks like UTF-16 without a byte-order mark. "
                  "Save it as \"CSV UTF-8\" from your spreadsheet.", kind="encoding")
        )
        return raw.replace(b"\x00", b"").decode("utf-8", errors="replace"), problems, notes
    try:
        return raw.decode("utf-8"), problems, notes
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        start = raw.rfind(b"\n", 0, err.start) + 1
        end = raw.find(b"\n", err.start)
        context = raw[start : end if end != -1 else len(raw)].decode("cp1252", errors="replace").strip()
        problems.append(
            Issue(
                shown,
                f"is not UTF-8: byte 0x{raw[err.start]:02x} in {context!r} looks like Latin-1/Windows-1252 "
                "(Excel's plain \"CSV\" on Windows). Save it as \"CSV UTF-8\", or pass "
                "--roster-encoding cp1252 if that is what it is.",
                where=f"line {line}",
                kind="encoding",
            )
        )
        # Keep going with the likely reading so the same report lists every other problem too.
        return raw.decode("cp1252", errors="replace"), problems, notes


def _dialect(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def parse_roster(raw: bytes, shown: str, encoding: str | None = None) -> Roster:
    """Check the bytes of a roster file; raise :class:`RosterError` listing every problem."""
    text, problems, notes = _decode(raw, shown, encoding)
    if not text.strip():
        raise RosterError(f"{shown}: the roster is empty; nothing was written.", [Issue(shown, "no header row and no students")])
    sep = _dialect(text)
    if sep != ",":
        notes.append(f"columns separated by {'semicolons' if sep == ';' else 'tabs'}")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(reader)
    except csv.Error as err:
        raise RosterError(f"{shown}: not a readable CSV file ({err}); nothing was written.") from None
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        key = _key(name)
        role = next((r for r, spellings in ALIASES.items() if key in spellings), None)
        if role is None:
            if name.strip():
                ignored.append(name.strip())
            continue
        if role in columns:
            problems.append(Issue(shown, f"two columns mean {role!r}: {header[columns[role]]!r} and {name!r}", where="line 1 (header)"))
        columns.setdefault(role, index)
    if ignored:
        notes.append(f"ignored columns: {', '.join(ignored)}")
    has_name = "name" in columns or ("first_name" in columns and "last_name" in columns)
    if "id" not in columns or not has_name:
        missing = [c for c, ok in (("id", "id" in columns), ("name", has_name)) if not ok]
        found = ", ".join(repr(h) for h in header) or "nothing"
        problems.append(
            Issue(shown, f"the header has no {' and no '.join(missing)} column (found {found}); "
                  "a roster needs 'id' and 'name' (or 'first_name' and 'last_name')", where="line 1 (header)", kind="header")
        )
        raise RosterError(f"{shown}: {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing was written.", problems)

    students: list[Student] = []
    first_seen: dict[str, int] = {}
    emails: dict[str, int] = {}
    width = len(header)
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue  # blank lines and comments

            def cell(role: str) -> str:
                index = columns.get(role)
                return _clean(row[index]) if index is not None and index < len(row) else ""

            where = f"line {line}"
            if len(row) > width and any(c.strip() for c in row[width:]):
                problems.append(Issue(shown, f"has {len(row)} fields but the header has {width} (an unquoted comma in a name? quote it: \"Lovelace, Ada\")", where=where))
                continue
            sid = cell("id")
            name = cell("name") or " ".join(p for p in (cell("first_name"), cell("last_name")) if p)
            if not sid:
                problems.append(Issue(shown, f"empty id (name {name!r})" if name else "empty id and empty name", where=where))
                continue
            if not ID_PATTERN.match(sid):
                problems.append(
                    Issue(shown, f"id {sid!r} cannot be part of a file name: use letters, digits and . _ - @ + (at most 64)", where=where)
                )
            folded = sid.casefold()
            if folded in first_seen:
                problems.append(Issue(shown, f"duplicate id {sid!r} (first on line {first_seen[folded]})", where=where, kind="duplicate"))
                continue
            first_seen[folded] = line
            if not name:
                problems.append(Issue(shown, f"empty name for id {sid!r}", where=where))
            email = cell("email")
            if email:
                if email.casefold() in emails:
                    problems.append(Issue(shown, f"e-mail {email!r} is also on line {emails[email.casefold()]}", where=where))
                emails.setdefault(email.casefold(), line)
            students.append(
                Student(sid, name, email, cell("section"), cell("sis_user_id"), cell("sis_login_id"), cell("canvas_id"))
            )
    except csv.Error as err:
        problems.append(Issue(shown, f"CSV syntax: {err}", where=f"line {reader.line_num}"))
    if not students and not problems:
        problems.append(Issue(shown, "has a header but no students"))
    if problems:
        raise RosterError(f"{shown}: {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing was written.", problems)
    return Roster(shown, tuple(students), tuple(notes))


def read_roster(path: Path | str, encoding: str | None = None) -> Roster:
    """Read and check ``path``; raise :class:`RosterError` listing every problem."""
    path = Path(path)
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RosterError(f"{shown}: roster not found; nothing was written.") from None
    except OSError as err:
        raise RosterError(f"{shown}: roster cannot be read ({err.strerror or err}); nothing was written.") from None
    return parse_roster(raw, shown, encoding)
