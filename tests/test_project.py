"""The project's own promises: pins agree, navigation and the chapter map never drift."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from course_lib import chapters, notebook_tools

ROOT = Path(__file__).resolve().parent.parent


def _pyproject_pins() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        pins |= set(extra)
    return pins


def test_every_dependency_is_pinned_exactly_and_moto_is_5_2_5():
    pins = _pyproject_pins()
    assert all("==" in p for p in pins), [p for p in pins if "==" not in p]
    assert "moto[all,server]==5.2.5" in pins


def test_environment_yml_mirrors_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert {p for p in pip if p != "-e ."} == _pyproject_pins()


def test_notebooks_are_named_for_chapters_and_navigation_is_current():
    names = {p.name for p in chapters.NOTEBOOKS.glob("*.ipynb")}
    assert names <= {c.filename for c in chapters.CHAPTERS}, names
    assert notebook_tools.stale_nav() == []


def test_notebooks_are_committed_executed_without_widget_state():
    import nbformat

    for path in sorted(chapters.NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert "widgets" not in nb.metadata, f"{path.name} stores widget state"
        code = [c for c in nb.cells if c.cell_type == "code"]
        counts = [c.execution_count for c in code]
        assert counts == list(range(1, len(code) + 1)), f"{path.name} is not executed top to bottom in one run"


def test_first_cell_says_what_you_will_learn_and_last_what_you_learned():
    import nbformat

    for path in sorted(chapters.NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        first, last = nb.cells[0].source, [c for c in nb.cells if "course-nav" not in c.metadata.get("tags", [])][-1].source
        assert "What you will learn" in first and "Time to complete" in first, path.name
        assert re.search(r"What you learned|Key takeaways", last), path.name


def test_readme_chapter_map_is_generated_from_the_chapter_list():
    readme = (ROOT / "README.md").read_text()
    for chapter in chapters.CHAPTERS:
        assert f"| {chapter.number:02d} | " in readme and chapter.title in readme
