"""Keep the committed notebooks in their clean, executed form.

    python -m course_lib.notebook_tools execute notebooks/02_lambda.ipynb   # or: make execute NB=...
    python -m course_lib.notebook_tools nav                                 # refresh navigation cells
    python -m course_lib.notebook_tools check                               # fail if nav is stale
    python -m course_lib.notebook_tools from-percent draft.py notebooks/NN_slug.ipynb

Notebooks are committed executed top to bottom in a fresh kernel, with the same settings the
tests use (a throwaway ``COURSE_HOME``, learner id ``ci-learner``), and without saved widget
state (it only shows as dead ``VBox(...)`` text). Navigation cells (tagged ``course-nav``) are
generated from :mod:`course_lib.chapters`, never written by hand.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat

from course_lib.chapters import CHAPTERS, NOTEBOOKS, Chapter

NAV_TAG = "course-nav"
EXECUTION_ENV = {
    "COURSE_LEARNER_ID": "ci-learner",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    # Committed outputs are the in-process sandbox's, whatever endpoint the author's shell names
    # (blank means unset; a real-AWS AWS_ENDPOINT_URL would be ignored anyway, a local one would not).
    "COURSE_ENDPOINT_URL": "",
    "AWS_ENDPOINT_URL": "",
}


def _chapter_of(path: Path) -> Chapter | None:
    for chapter in CHAPTERS:
        if chapter.filename == path.name:
            return chapter
    return None


def nav_markdown(chapter: Chapter) -> str:
    existing = [c for c in CHAPTERS if c.exists or c is chapter]
    index = existing.index(chapter)
    parts = []
    if index > 0:
        prev = existing[index - 1]
        parts.append(f"[< {prev.number:02d} {prev.title}]({prev.filename})")
    parts.append("[Contents](00_start_here.ipynb#The-chapter-map)")
    if index + 1 < len(existing):
        nxt = existing[index + 1]
        parts.append(f"[{nxt.number:02d} {nxt.title} >]({nxt.filename})")
    return " | ".join(parts)


def _nav_cell(text: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = [NAV_TAG]
    return cell


def refresh_nav(nb: nbformat.NotebookNode, chapter: Chapter) -> bool:
    """Put a navigation cell second and last; True when anything changed."""
    text = nav_markdown(chapter)
    cells = [c for c in nb.cells if NAV_TAG not in c.get("metadata", {}).get("tags", [])]
    new_cells = cells[:1] + [_nav_cell(text)] + cells[1:] + [_nav_cell(text)]
    before = [(c.cell_type, c.source) for c in nb.cells]
    after = [(c.cell_type, c.source) for c in new_cells]
    for index, cell in enumerate(new_cells):
        cell["id"] = f"cell-{index:03d}"
    nb.cells = new_cells
    return before != after


def clean(nb: nbformat.NotebookNode) -> None:
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:03d}"  # stable ids keep diffs small
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def execute(path: Path, timeout: int = 300) -> None:
    nb = nbformat.read(path, as_version=4)
    chapter = _chapter_of(path)
    if chapter:
        refresh_nav(nb, chapter)
    clean(nb)
    _run(nb, path.parent, timeout)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


def execute_copy(path: Path, timeout: int = 300) -> float:
    """Execute a copy of the notebook in a fresh kernel; returns wall-clock seconds (bench)."""
    import shutil
    import time

    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        # Run beside the original so relative paths (functions/, data/) resolve as for a learner.
        nb = nbformat.read(copy, as_version=4)
        began = time.perf_counter()
        _run(nb, path.parent, timeout)
        return time.perf_counter() - began


def _run(nb: nbformat.NotebookNode, cwd: Path, timeout: int) -> None:
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix="course-home-") as home:
        saved = dict(os.environ)
        os.environ.update(EXECUTION_ENV)
        os.environ["COURSE_HOME"] = home
        try:
            NotebookClient(
                nb,
                timeout=timeout,
                kernel_name="python3",
                resources={"metadata": {"path": str(cwd)}},
                store_widget_state=False,
            ).execute()
        finally:
            os.environ.clear()
            os.environ.update(saved)


def from_percent(source: Path, target: Path) -> None:
    """Build a notebook from a ``# %%`` / ``# %% [markdown]`` script (a drafting aid)."""
    cells = []
    kind, lines = None, []

    def flush() -> None:
        if kind is None:
            return
        text = "\n".join(lines).strip("\n")
        if kind == "markdown":
            text = "\n".join(l[2:] if l.startswith("# ") else l.lstrip("#") for l in text.split("\n"))
            cells.append(nbformat.v4.new_markdown_cell(text))
        else:
            cells.append(nbformat.v4.new_code_cell(text))

    for line in source.read_text(encoding="utf-8").split("\n"):
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        else:
            lines.append(line)
    flush()
    nb = nbformat.v4.new_notebook(cells=cells)
    clean(nb)
    nbformat.write(nb, target)


README = NOTEBOOKS.parent / "README.md"
MAP_START = "<!-- chapter-map: generated from course_lib/chapters.py (a test keeps it in step) -->"
MAP_END = "<!-- /chapter-map -->"


def readme_with_map(text: str) -> str:
    """README text with the chapter map between its markers regenerated (links from the root)."""
    import re

    from course_lib.chapters import map_markdown

    table = re.sub(r"\]\((\d\d_[a-z0-9_]+\.ipynb)\)", r"](notebooks/\1)", map_markdown())
    start, end = text.index(MAP_START) + len(MAP_START), text.index(MAP_END)
    return text[:start] + "\n" + table + "\n" + text[end:]


def stale_nav() -> list[str]:
    problems = []
    for chapter in CHAPTERS:
        path = NOTEBOOKS / chapter.filename
        if not path.exists():
            continue
        nb = nbformat.read(path, as_version=4)
        if refresh_nav(nb, chapter):
            problems.append(f"{path.name}: navigation cells are stale (run `python -m course_lib.notebook_tools nav`)")
    readme = README.read_text(encoding="utf-8")
    if readme_with_map(readme) != readme:
        problems.append("README.md: the chapter map is stale (run `python -m course_lib.notebook_tools nav`)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.notebook_tools")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="re-execute notebooks in a fresh kernel and store outputs")
    run.add_argument("notebooks", nargs="+", type=Path)
    sub.add_parser("nav", help="refresh navigation cells in every notebook")
    sub.add_parser("check", help="fail when navigation cells are stale")
    pct = sub.add_parser("from-percent", help="build a notebook from a percent-format script")
    pct.add_argument("source", type=Path)
    pct.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    if args.command == "execute":
        for path in args.notebooks:
            print(f"executing {path} ...", flush=True)
            execute(path)
        return 0
    if args.command == "nav":
        readme = README.read_text(encoding="utf-8")
        if readme_with_map(readme) != readme:
            README.write_text(readme_with_map(readme), encoding="utf-8")
            print(f"updated {README.name}")
        for chapter in CHAPTERS:
            path = NOTEBOOKS / chapter.filename
            if path.exists():
                nb = nbformat.read(path, as_version=4)
                if refresh_nav(nb, chapter):
                    nbformat.write(nb, path)
                    print(f"updated {path}")
        return 0
    if args.command == "check":
        problems = stale_nav()
        print("\n".join(problems) or "navigation cells are current")
        return 1 if problems else 0
    from_percent(args.source, args.target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
