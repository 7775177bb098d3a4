"""Chapter 14's capstone: a written spec, and a checker that reports item by item what meets it.

    from course_lib import capstone
    capstone.spec.markdown()          # the spec the learner builds to
    report = capstone.check(aws)      # inspect the sandbox, exercise the app, report each item
    report.all_met

Modules: :mod:`~course_lib.capstone.spec` (the requirements and the names they fix) and
:mod:`~course_lib.capstone.checker` (the checks). A reference solution lives outside the
learner's path, in ``solutions/capstone/``; ``course capstone BUILD.py`` runs a build script in a
fresh sandbox and checks it (how the tests prove the checker on the reference and on wrong builds).
"""

from __future__ import annotations

from course_lib.capstone import spec
from course_lib.capstone.checker import MET, NOT_CHECKED, NOT_MET, ItemResult, Report, check

__all__ = ["MET", "NOT_CHECKED", "NOT_MET", "ItemResult", "Report", "check", "spec", "run_build"]


def run_build(path: str, aws: object = None) -> Report:
    """Load ``path`` (a Python file defining ``build(aws)``), build into a fresh sandbox, check it."""
    import importlib.util
    from pathlib import Path

    from course_lib.sandbox import start

    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"No build file at {file}; it should define build(aws).")
    module_spec = importlib.util.spec_from_file_location(f"capstone_build_{file.stem}", file)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    if not callable(getattr(module, "build", None)):
        raise AttributeError(f"{file} defines no build(aws) function.")
    sandbox = aws or start()
    sandbox.reset()
    module.build(sandbox)
    return check(sandbox)
