"""``course export``: the gradebook for Canvas and Moodle, and the quiz bank as Moodle GIFT.

    course export canvas grades/ --out hw1-canvas.csv
    course export moodle grades/ --out hw1-moodle.csv
    course export gift --chapters 02 --out lambda.gift.txt

Both gradebook files are UTF-8 CSV (no byte-order mark), comma-separated, one row per roster
student in roster order, scores in points with a ``.`` decimal point. A student who was not
graded (missing, unreadable, wrong variant) gets an empty cell, which both LMSs read as "no
grade", so a missing file never silently becomes a zero; ``--ungraded zero`` writes 0 instead.

**Canvas** (Grades > Import): the columns of Canvas's own gradebook export, which its importer
recognises by name::

    Student,ID,SIS User ID,SIS Login ID,Section,hw1
    Points Possible,,,,,12
    Ada Lovelace,,s001,,Mon 10:00,9

Canvas finds each student by ``ID`` (its internal user id), then ``SIS User ID``, then ``SIS
Login ID``, then the name. ``ID`` is the roster's ``canvas_id`` column (usually absent, so
empty); ``SIS User ID`` is the roster's ``sis_user_id``, or its ``id`` when there is no such
column (the common case: the roster *is* the SIS list); ``SIS Login ID`` is ``sis_login_id``.
The assignment column is the assignment's title: Canvas creates a new assignment with that
name and the "Points Possible" row as its points, or fills an existing assignment of the same
name; ``--canvas-assignment-id 1234`` writes ``hw1 (1234)`` to target one exactly. Titles Canvas
would misread (containing "Final Score", "Current Grade"... or ending in ``(number)``) are
refused.

**Moodle** (Grades > Import > CSV file): Moodle maps columns on its import page, so the file is
plain::

    ID number,Full name,Email address,hw1,Feedback
    s001,Ada Lovelace,ada@example.edu,9,"9 of 12 points (75%). Missed: questions 3, 7."

Map "ID number" to *useridnumber* (``--moodle-id username`` writes "Username" for *username*,
``--moodle-id email`` puts "Email address" first for *useremail*), the title column to a new or
existing grade item, and "Feedback" to that item's feedback, or ignore it. Every row must
carry the identifier: Moodle stops the whole import at a row whose user it cannot find, so a
student without one is an error here rather than there.

**GIFT** (Question bank > Import > GIFT): one category per chapter; single and multiple choice
(with per-option feedback; Moodle gives partial credit for multiple select where the course
marks all or nothing), true/false, numeric (the tolerance as an absolute margin; the unit is
written in the question, since GIFT numbers have none; each anticipated mistake as a 0% answer
with its feedback), short answer (accepted answers; regular-expression patterns cannot be
expressed and are listed in a comment), ordering as a matching question (step -> position).
Parameterised questions become ``--variants`` fixed variants each, in a sub-category of their
own, ready for Moodle's "random question from category". Build-it tasks are left out. Texts
are written as HTML (the course's own renderer) and escaped as Moodle's own GIFT exporter does.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from course_lib.instructor.common import InstructorError, atomic_write_text, display_path
from course_lib.quiz import text as qtext
from course_lib.quiz.model import Bank, BuildIt, MultipleSelect, Numeric, Ordering, Question, ShortText, SingleChoice, TrueFalse
from course_lib.quiz.parsing import unit as lookup_unit
from course_lib.quiz.variants import Variant, variant

CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# Canvas drops any column whose header contains one of these (GradebookImporter).
CANVAS_READ_ONLY = ("Current Score", "Current Points", "Current Grade", "Final Score", "Final Points", "Final Grade",
                    "Override Score", "Override Grade", "Override Status")
MOODLE_IDS = {"idnumber": "ID number", "username": "Username", "email": "Email address"}


def load_grades(folder: Path | str) -> dict[str, Any]:
    """``grades/grades.json`` as ``course grade`` wrote it."""
    path = Path(folder)
    path = path / "grades.json" if path.is_dir() else path
    shown = display_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstructorError(f"{shown}: not found. Run `course grade` first; export reads the grades folder it writes.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InstructorError(f"{shown}: cannot be read ({err}). Run `course grade` again to rewrite it.") from None
    if not isinstance(data, dict) or data.get("format") != "course-grades/1" or not isinstance(data.get("students"), list):
        raise InstructorError(f"{shown}: not a grades file written by `course grade`.")
    return data


def _score(student: dict[str, Any], ungraded: str) -> str:
    score = student.get("score")
    if student.get("status") != "graded" or score is None:
        return "0" if ungraded == "zero" else ""
    return f"{float(score):.2f}".rstrip("0").rstrip(".")


def _max(grades: dict[str, Any]) -> str:
    best = max((float(s.get("max_score") or 0) for s in grades["students"]), default=0.0)
    return f"{best:.2f}".rstrip("0").rstrip(".")


def _rows_to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def canvas_csv(grades: dict[str, Any], title: str = "", assignment_id: str = "", ungraded: str = "blank") -> str:
    title = " ".join((title or grades["assignment"]).split())
    problems = [f"contains {bad!r}, so Canvas would treat the column as read-only" for bad in CANVAS_READ_ONLY if bad.casefold() in title.casefold()]
    if not assignment_id and re.search(r"\(\d+\)\s*$", title):
        problems.append("ends in '(number)', which Canvas reads as an assignment id; add --canvas-assignment-id or change the title")
    if assignment_id and not assignment_id.isdigit():
        problems.append(f"--canvas-assignment-id {assignment_id!r} must be the number in the assignment's Canvas address")
    if problems:
        raise InstructorError(f"Canvas title {title!r} cannot be used:", problems)
    column = f"{title} ({assignment_id})" if assignment_id else title
    rows = [CANVAS_HEADER + [column], ["Points Possible", "", "", "", "", _max(grades)]]
    for s in grades["students"]:
        rows.append([s.get("name", ""), s.get("canvas_id", ""), s.get("sis_user_id") or s["id"], s.get("sis_login_id", ""),
                     s.get("section", ""), _score(s, ungraded)])
    return _rows_to_csv(rows)


def _moodle_feedback(s: dict[str, Any]) -> str:
    if s.get("status") != "graded":
        return {"missing": "Not graded: no submission received.", "unreadable": "Not graded: the file handed in could not be read.",
                "wrong-variant": "Not graded: the answers were not made in your own notebook.",
                "wrong-assignment": "Not graded: the file handed in belongs to another assignment."}.get(str(s.get("status")), "Not graded.")
    score, top = float(s.get("score") or 0), float(s.get("max_score") or 0)
    percent = f" ({100 * score / top:.0f}%)" if top else ""
    missed = s.get("missed") or []
    tail = f" Missed: question{'s' if len(missed) > 1 else ''} {', '.join(map(str, missed))}." if missed else " Everything right."
    return f"{score:g} of {top:g} points{percent}.{tail}"


def moodle_csv(grades: dict[str, Any], title: str = "", identifier: str = "idnumber", ungraded: str = "blank") -> str:
    if identifier not in MOODLE_IDS:
        raise InstructorError(f"--moodle-id {identifier!r}: choose one of {', '.join(MOODLE_IDS)}.")
    title = " ".join((title or grades["assignment"]).split())
    key = "email" if identifier == "email" else "id"
    lacking = [f"{s['id']} ({s.get('name', '')})" for s in grades["students"] if not str(s.get(key) or "").strip()]
    if lacking:
        raise InstructorError(
            f"Cannot write the Moodle file: {len(lacking)} student{'s have' if len(lacking) != 1 else ' has'} no {MOODLE_IDS[identifier].lower()}, "
            "and Moodle stops the whole import at such a row. Add it to the roster (and assign again), or choose another --moodle-id.",
            lacking,
        )
    if identifier == "email":
        header = ["Email address", "ID number", "Full name", title, "Feedback"]
        rows = [[s["email"], s["id"], s.get("name", ""), _score(s, ungraded), _moodle_feedback(s)] for s in grades["students"]]
    else:
        header = [MOODLE_IDS[identifier], "Full name", "Email address", title, "Feedback"]
        rows = [[s["id"], s.get("name", ""), s.get("email", ""), _score(s, ungraded), _moodle_feedback(s)] for s in grades["students"]]
    return _rows_to_csv([header] + rows)


# -- GIFT -----------------------------------------------------------------------------------------------
def gift_escape(text: str) -> str:
    """Escape as Moodle's own GIFT exporter does (``qformat_gift::repchar``)."""
    for reserved, escaped in (("\\", "\\\\"), ("#", "\\#"), ("=", "\\="), ("~", "\\~"), ("{", "\\{"), ("}", "\\}"), (":", "\\:")):
        text = text.replace(reserved, escaped)
    return text.replace("\r", "").replace("\n", "\\n")


def _html(v: Variant, markdown: str, inline: bool = False) -> str:
    return gift_escape(qtext.to_html(v.render(markdown), inline=inline))


def _weight(share: float) -> str:
    return f"{share:.5f}".rstrip("0").rstrip(".")


def _number(value: float) -> str:
    return f"{value:.12g}"


def gift_question(q: Question, v: Variant, name: str) -> tuple[str, list[str]]:
    """One question in GIFT, and comments about what could not be carried over."""
    comments: list[str] = []
    prompt = v.render(q.prompt)
    if isinstance(q, Numeric) and q.unit:
        unit = lookup_unit(q.unit)
        prompt += f"\n\n(Answer in {unit.name if unit else q.unit}: a number only.)"
    if isinstance(q, Ordering):
        prompt += "\n\nMatch each step to its place in the sequence (1 is first)."
    head = f"::{gift_escape(name)}::[html]{gift_escape(qtext.to_html(prompt))}"
    general = f"\t####{_html(v, q.explanation)}\n" if q.explanation.strip() else ""
    lines: list[str] = []
    if isinstance(q, SingleChoice):
        for o in q.options:
            mark = "=" if o.correct else "~"
            fb = f"#{_html(v, o.feedback, inline=True)}" if o.feedback else ""
            lines.append(f"\t{mark}{_html(v, o.text, inline=True)}{fb}")
    elif isinstance(q, MultipleSelect):
        right = [o for o in q.options if o.correct]
        wrong = [o for o in q.options if not o.correct]
        for o in q.options:
            weight = _weight(100 / len(right)) if o.correct else "-" + _weight(100 / len(wrong))
            fb = f"#{_html(v, o.feedback, inline=True)}" if o.feedback else ""
            lines.append(f"\t~%{weight}%{_html(v, o.text, inline=True)}{fb}")
    elif isinstance(q, TrueFalse):
        wrong_fb = f"#{_html(v, q.wrong_feedback, inline=True)}" if q.wrong_feedback else ""
        body = "TRUE" if q.answer else "FALSE"
        return f"{head}{{{body}{wrong_fb}{general.strip()}}}\n", comments
    elif isinstance(q, Numeric):
        assert v.answer is not None
        margin = max(q.tolerance.absolute, q.tolerance.relative * abs(v.answer))
        margin = 0.0 if margin < 1e-6 else margin
        lines.append(f"\t=%100%{_number(v.answer)}:{_number(margin)}#")
        for value, feedback in v.mistakes:
            lines.append(f"\t=%0%{_number(value)}:{_number(margin)}#{gift_escape(qtext.to_html(v.render(feedback), inline=True))}")
        # The answer block of a numerical question starts with '#'.
        return head + "{#\n" + "\n".join(lines) + "\n" + general + "}\n", comments
    elif isinstance(q, ShortText):
        for a in q.accept:
            lines.append(f"\t=%100%{gift_escape(a.replace('*', chr(92) + '*'))}#")
        for w in q.wrong:
            for a in w.accept:
                lines.append(f"\t=%0%{gift_escape(a.replace('*', chr(92) + '*'))}#{_html(v, w.feedback, inline=True)}")
            if w.patterns:
                comments.append(f"{name}: wrong-answer patterns not exported: {', '.join(w.patterns)}")
        if q.patterns:
            comments.append(f"{name}: accepted patterns not exported (GIFT has no regular expressions): {', '.join(q.patterns)}")
    elif isinstance(q, Ordering):
        for position, item in enumerate(q.items, 1):
            lines.append(f"\t={_html(v, item.text, inline=True)} -> {position}")
    else:
        raise ValueError(f"{q.type} questions have no GIFT form")
    return head + "{\n" + "\n".join(lines) + "\n" + general + "}\n", comments


def gift(banks: list[Bank], variants: int = 5, root: str = "Serverless course") -> str:
    """The banks as one GIFT file."""
    out = [
        "// Exported by `course export gift` from the course's quiz banks: " + ", ".join(b.chapter for b in banks) + ".",
        "// Import in Moodle: Question bank > Import > GIFT format.",
        "// Build-it questions are left out (they check the learner's own sandbox). Parameterised questions",
        f"// come as {variants} fixed variants each, in a sub-category: add them with 'random question'.",
        "",
    ]
    notes: list[str] = []
    for bank in banks:
        category = f"$course$/top/{root}/{bank.chapter}"
        out += [f"$CATEGORY: {category}", ""]
        for q in bank.questions:
            name = f"{bank.chapter}/{q.id}"
            if isinstance(q, BuildIt):
                notes.append(f"{name}: a build-it task, left out")
                continue
            if q.params:
                out += [f"$CATEGORY: {category}/{q.id}", ""]
                seen: set[str] = set()
                for i in range(1, variants * 4 + 1):
                    v = variant(q, f"gift-variant-{i}")
                    if v.digest in seen:
                        continue
                    seen.add(v.digest)
                    text, comments = gift_question(q, v, f"{name} (variant {len(seen)})")
                    out += [text]
                    notes += comments
                    if len(seen) == variants:
                        break
                out += [f"$CATEGORY: {category}", ""]
            else:
                text, comments = gift_question(q, variant(q, "gift"), name)
                out.append(text)
                notes += comments
    if notes:
        out = out[:4] + [f"// Note: {n}" for n in dict.fromkeys(notes)] + out[4:]
    return "\n".join(out).rstrip("\n") + "\n"


def write(path: Path | str, text: str) -> Path:
    path = Path(path)
    atomic_write_text(path, text)
    return path
