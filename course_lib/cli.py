"""The ``course`` command line: ``course check``, ``course progress``, ``course reset``, ``course capstone``.

Each subcommand is a `_add_<name>` function listed in :data:`SUBCOMMANDS`, so instructor commands
(``assign``, ``grade``) plug in the same way: define the subparser, set ``func``, list it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence


def _check(args: argparse.Namespace) -> int:
    from course_lib.quiz.audit import run

    ok, text = run(Path(args.quizzes) if args.quizzes else None, seeds=args.seeds)
    print(text)
    return 0 if ok else 1


def _add_check(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="prove every quiz bank sound",
        description="Validate every quiz bank against the schema; prove every key accepted and every "
        "distractor rejected by its own grader; compute every variant for N learner seeds; run "
        "every build-it check against an empty and a solved throwaway account.",
    )
    p.add_argument("--quizzes", metavar="DIR", help="folder of NN_slug.yaml banks (default: the course's quizzes/)")
    p.add_argument("--seeds", type=int, default=100, metavar="N", help="learner seeds per question (default 100)")
    p.set_defaults(func=_check)


def _progress(args: argparse.Namespace) -> int:
    from course_lib.quiz.dashboard import chapter_scores, progress_table
    from course_lib.quiz.progress import ProgressStore, learner_id

    store = ProgressStore()
    print(f"Learner {learner_id()}, progress file {store.path}")
    print(progress_table(chapter_scores(store=store)))
    if store.notice:
        print(store.notice, file=sys.stderr)
    return 0


def _add_progress(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help="show quiz scores per chapter")
    p.set_defaults(func=_progress)


def _reset(args: argparse.Namespace) -> int:
    from course_lib.quiz.dashboard import reset_progress

    if not args.chapter and not args.all:
        print("Say what to reset: --chapter 02_lambda, or --all for every chapter.", file=sys.stderr)
        return 2
    print(reset_progress(None if args.all else args.chapter))
    return 0


def _add_reset(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reset", help="forget saved quiz answers")
    p.add_argument("--chapter", help="one chapter, e.g. 02_lambda")
    p.add_argument("--all", action="store_true", help="every chapter")
    p.set_defaults(func=_reset)


def _add_assign(sub: argparse._SubParsersAction) -> None:
    from course_lib.instructor.cli import add_assign

    add_assign(sub)


def _add_grade(sub: argparse._SubParsersAction) -> None:
    from course_lib.instructor.cli import add_grade

    add_grade(sub)


def _add_export(sub: argparse._SubParsersAction) -> None:
    from course_lib.instructor.cli import add_export

    add_export(sub)


def _capstone(args: argparse.Namespace) -> int:
    import json

    from course_lib import capstone

    try:
        report = capstone.run_build(args.build)
    except (FileNotFoundError, AttributeError, SyntaxError) as error:
        print(f"course capstone: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # the build script itself failed: say where, keep it short
        print(f"course capstone: {args.build} failed while building: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report.to_dict(), indent=2) if args.json else report)
    return 0 if report.all_met else 1


def _add_capstone(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "capstone",
        help="build a capstone in a fresh sandbox and check it",
        description="Load BUILD (a Python file defining build(aws)), run it in a fresh local sandbox, "
        "then run chapter 14's capstone checker and print its report. Exit status 0 when every "
        "requirement is met, 1 when some are not, 2 when the build could not run.",
    )
    p.add_argument("build", help="path to the build script, e.g. solutions/capstone/build.py")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_capstone)


SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_check, _add_progress, _add_reset, _add_assign, _add_grade, _add_export, _add_capstone,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description="Tools for the offline AWS serverless course.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
