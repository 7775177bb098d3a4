"""The instructor subcommands of ``course``: ``assign``, ``grade`` and ``export``.

``course_lib/cli.py`` lists them like every other subcommand; each ``add_*`` here defines its
parser and handler. Handlers import the heavy modules (widgets, matplotlib) only when run, so
``course --help`` stays instant, and they turn an :class:`InstructorError` into its report on
stderr and exit status 1: bad input never ends in a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from course_lib.instructor.common import InstructorError

SHOWN_ISSUES = 30  # the rest are in problems.csv


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except InstructorError as err:
            print(str(err), file=sys.stderr)
            return 1
        except OSError as err:  # a folder that is a file, a full disk, no permission
            where = err.filename or "a file"
            print(f"{where}: cannot be written or read ({err.strerror or err}).", file=sys.stderr)
            return 1

    return handler


# -- assign ---------------------------------------------------------------------------------------------
def _assign(args: argparse.Namespace) -> int:
    from course_lib.instructor.assign import assign

    result = assign(
        chapters=args.chapters,
        roster_path=args.roster,
        out=args.out,
        name=args.name or "",
        title=args.title or "",
        manifest_path=args.manifest,
        salt=args.salt,
        quizzes=args.quizzes,
        encoding=args.roster_encoding,
        force=args.force,
    )
    print(result.summary())
    return 0


def add_assign(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "assign",
        help="release one assignment notebook per student (own variants, no key) and a manifest",
        description="Read the roster, draw every student's variants of the chapters' quiz questions, and write "
        "one notebook per student into --out, plus NAME.manifest.json beside it for `course grade`. "
        "The roster is checked first: every problem is reported and nothing is written.",
    )
    p.add_argument("--chapters", required=True, metavar="LIST", help="chapters by number or name: 02,06 or 02_lambda")
    p.add_argument("--roster", required=True, type=Path, metavar="CSV", help="roster CSV with id and name columns (see docs/instructors.md)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for the students' notebooks (what you hand out)")
    p.add_argument("--name", metavar="NAME", help="assignment name, used in every file name (default: quiz-02-06)")
    p.add_argument("--title", metavar="TEXT", help="title shown to students (default: from the chapters)")
    p.add_argument("--manifest", type=Path, metavar="FILE", help="where to write the manifest (default: NAME.manifest.json beside --out)")
    p.add_argument("--salt", metavar="TEXT", help="fix the seeds (default: random on the first run, then kept from the manifest)")
    p.add_argument("--quizzes", type=Path, metavar="DIR", help="folder of quiz banks (default: the course's quizzes/)")
    p.add_argument("--roster-encoding", metavar="ENC", help="the roster's encoding when it is not UTF-8 (e.g. cp1252)")
    p.add_argument("--force", action="store_true", help="re-release with a new --salt although the manifest exists")
    p.set_defaults(func=_guarded(_assign))


# -- grade ----------------------------------------------------------------------------------------------
def _grade(args: argparse.Namespace) -> int:
    from course_lib.instructor.grade import grade, summary_text

    run = grade(args.submissions, args.manifest, args.out, args.quizzes, args.allow_bank_changes, args.quiet)
    print(summary_text(run, Path(args.out)))
    for issue in run.issues[:SHOWN_ISSUES]:
        print(f"  {issue}")
    if len(run.issues) > SHOWN_ISSUES:
        print(f"  ... and {len(run.issues) - SHOWN_ISSUES} more in {Path(args.out) / 'problems.csv'}")
    print(f"Wrote {Path(args.out) / 'gradebook.csv'}, items.csv, distractors.csv, problems.csv, scores.png, "
          f"item_difficulty.png, summary.md, grades.json and feedback/ (one file per student).")
    return 0


def add_grade(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "grade",
        help="grade a folder of submission files into a gradebook, item statistics, plots and feedback",
        description="Read every file under SUBMISSIONS (nothing there is modified), grade each roster student's "
        "latest submission with the quiz graders, and write the gradebook, item statistics, plots and one "
        "feedback file per student into --out. Problems with single files are reported by name; the rest is graded.",
    )
    p.add_argument("submissions", type=Path, metavar="SUBMISSIONS", help="folder of collected .submission.json files (sub-folders are searched)")
    p.add_argument("--manifest", required=True, type=Path, metavar="FILE", help="the manifest `course assign` wrote")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for the gradebook and reports")
    p.add_argument("--quizzes", type=Path, metavar="DIR", help="folder of quiz banks (default: the one the manifest names)")
    p.add_argument("--allow-bank-changes", action="store_true", help="grade even if a bank or facts.yaml changed since the release")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_guarded(_grade))


# -- export ---------------------------------------------------------------------------------------------
def _export(args: argparse.Namespace) -> int:
    from course_lib.instructor import export

    if args.target == "gift":
        from course_lib.instructor.assign import find_banks

        banks = find_banks(args.chapters, args.quizzes)
        if args.variants < 1:
            raise InstructorError("--variants must be at least 1.")
        text = export.gift(banks, variants=args.variants)
    else:
        grades = export.load_grades(args.grades)
        if args.target == "canvas":
            text = export.canvas_csv(grades, args.title or "", args.canvas_assignment_id or "", args.ungraded)
        else:
            text = export.moodle_csv(grades, args.title or "", args.moodle_id, args.ungraded)
    path = export.write(args.out, text)
    print(f"Wrote {path} ({args.target}).")
    return 0


def add_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write the gradebook for Canvas or Moodle, or quiz banks as Moodle GIFT",
        description="canvas/moodle: a CSV that the LMS's grade import reads (from the grades folder `course grade` "
        "wrote). gift: quiz banks as Moodle GIFT questions. The formats are described in docs/instructors.md.",
    )
    targets = p.add_subparsers(dest="target", metavar="FORMAT")
    targets.required = True
    for name, what in (("canvas", "Canvas gradebook import CSV"), ("moodle", "Moodle grade import CSV")):
        t = targets.add_parser(name, help=what, description=f"Write a {what} from the grades folder.")
        t.add_argument("grades", type=Path, metavar="GRADES", help="the folder `course grade` wrote (or its grades.json)")
        t.add_argument("--out", required=True, type=Path, metavar="FILE")
        t.add_argument("--title", metavar="TEXT", help="the grade column's title (default: the assignment name)")
        t.add_argument("--ungraded", choices=("blank", "zero"), default="blank",
                       help="students not graded (missing, unreadable...): empty cell (default) or 0")
        if name == "canvas":
            t.add_argument("--canvas-assignment-id", metavar="N", help="fill this existing Canvas assignment (the number in its address)")
        else:
            t.add_argument("--moodle-id", choices=("idnumber", "username", "email"), default="idnumber",
                           help="which Moodle user field the roster id (or e-mail) matches (default idnumber)")
        t.set_defaults(func=_guarded(_export))
    g = targets.add_parser("gift", help="quiz banks as Moodle GIFT", description="Write chapters' quiz banks as Moodle GIFT questions.")
    g.add_argument("--chapters", required=True, metavar="LIST", help="chapters by number or name: 00,02")
    g.add_argument("--out", required=True, type=Path, metavar="FILE")
    g.add_argument("--variants", type=int, default=5, metavar="N", help="fixed variants per parameterised question (default 5)")
    g.add_argument("--quizzes", type=Path, metavar="DIR", help="folder of quiz banks (default: the course's quizzes/)")
    g.set_defaults(func=_guarded(_export))
