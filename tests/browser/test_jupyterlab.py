"""Chapter 02 as a learner meets it: `make lab`, Chromium, Run All, the quiz, a restart.

JupyterLab is started by the Makefile's own `lab` target, run in a course folder whose
``notebooks/`` is a copy without outputs (its ``.venv`` and ``pyproject.toml`` link to this
checkout's, so the install stamp is current); only ``PORT`` and ``LAB_ARGS`` (no browser, a
known token) are added, as a learner may. (``--notebook-dir`` in ``LAB_ARGS`` cannot move it:
the recipe already passes one, and JupyterLab refuses two.) Its settings, workspaces, runtime
and config folders and the learner's ``COURSE_HOME`` are temporary folders.

The test runs every cell, answers a quiz question wrong and then right in the page, reads the
feedback the kernel wrote back, restarts the kernel, opens the notebook again in a new tab,
re-runs the quiz cell in the fresh kernel and finds the saved progress. The recipe and its
pitfalls are measured in ../shared/notes/notebooks.md.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any, Iterator

import nbformat
import pytest

from course_lib.notebook_tools import clean

from browser_support import ROOT, assert_not_blank, free_port, save_docs_screenshot, stop_process_tree, wait_for_http

CHAPTER = "02_lambda"
QUESTION = "max-timeout"  # numeric, in seconds: typed, so it also proves the text box syncs
WRONG, RIGHT = "5 min", "900"
TOKEN = "course-browser-test"


class Lab:
    """A JupyterLab server started by `make lab`, and where its files are."""

    def __init__(self, url: str, root: Path, course_home: Path) -> None:
        self.url, self.root, self.course_home = url, root, course_home

    def notebook_url(self, name: str) -> str:
        # `reset` drops any saved workspace layout, so exactly one notebook opens.
        return f"{self.url}/lab/tree/notebooks/{name}?token={TOKEN}&reset"


def _settings(folder: Path) -> None:
    """JupyterLab settings for a headless run: start the kernel without asking (the
    "Select Kernel" dialog otherwise races with Run All), and never fetch news or updates."""
    files = {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"autoStartDefaultKernel": True},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    }
    for name, value in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    """`make lab` on a free port, in a course folder whose notebooks/ is stripped of outputs."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    for shared in (".venv", "pyproject.toml"):
        (root / shared).symlink_to(ROOT / shared)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        clean(nb)  # no outputs, no widget state: the learner runs everything themselves
        nbformat.write(nb, root / "notebooks" / path.name)
    for folder in ("settings", "workspaces", "runtime", "config", "course-home"):
        (tmp_path / folder).mkdir()
    _settings(tmp_path / "settings")
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "COURSE_HOME": str(tmp_path / "course-home"),
    }
    # A learner has no learner id in the environment: the quiz makes one and keeps it in COURSE_HOME.
    env.pop("COURSE_LEARNER_ID", None)
    port = free_port()
    lab_args = f"--no-browser --IdentityProvider.token={TOKEN} --LabApp.news_url="
    log = (tmp_path / "lab.log").open("wb")
    proc = subprocess.Popen(
        ["make", "-s", "-f", str(ROOT / "Makefile"), "lab", f"PORT={port}", f"LAB_ARGS={lab_args}"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        try:
            wait_for_http(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", proc)
        except AssertionError as err:
            raise AssertionError(f"{err}\n--- make lab log ---\n{(tmp_path / 'lab.log').read_text(errors='replace')[-3000:]}")
        yield Lab(f"http://127.0.0.1:{port}", root, tmp_path / "course-home")
    finally:
        stop_process_tree(proc)
        log.close()


# -- driving JupyterLab ------------------------------------------------------------------------------
def open_notebook(page: Any, lab: Lab, name: str) -> None:
    """Open a notebook and wait until its kernel is idle, accepting a kernel dialog if one shows."""
    page.goto(lab.notebook_url(name))
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", state="attached", timeout=60_000)
    status = page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle"))
    for _ in range(120):
        dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
        if dialog.count():
            dialog.locator(".jp-mod-accept").click()
        if status.count():
            return
        page.wait_for_timeout(250)
    raise AssertionError("the kernel never became idle: " + page.locator(".jp-StatusBar-Widget").inner_text())


def menu(page: Any, title: str, command: str) -> None:
    """Click a main-menu entry by its command id (labels change between versions; ids do not)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{title}$")).click()
    page.locator(f".lm-Menu-item[data-command='{command}']").click()


def prompts(page: Any) -> list[str]:
    return page.locator(".jp-CodeCell .jp-InputPrompt").evaluate_all("els => els.map(e => e.textContent.trim())")


def wait_all_ran(page: Any, code_cells: int, timeout_s: float = 120) -> None:
    """Every code cell shows a finished prompt `[n]:`; an error stops Run All, so this also says none failed."""
    for _ in range(int(timeout_s * 4)):
        shown = prompts(page)
        if len(shown) == code_cells and all(re.fullmatch(r"\[\d+\]:", p) for p in shown):
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"cells did not all run: {prompts(page)}")


def question(page: Any) -> Any:
    """The quiz question's box in the newest quiz output (scoped: each question has its own Check)."""
    box = page.locator(f".course-quiz .course-quiz-q-{QUESTION}").last
    box.wait_for(state="attached")
    box.scroll_into_view_if_needed()  # JupyterLab renders off-screen cells lazily
    return box


def answer(box: Any, value: str, press_enter: bool) -> str:
    """Type an answer, press Check, and return the feedback the kernel wrote back.

    The box sends its value on Enter or when it loses focus (``continuous_update=False``):
    learners do both, so the test does both (clicking Check is what takes the focus away).
    """
    field = box.locator("input[type='text']")
    before = box.locator("[role='status']").all_inner_texts()
    field.fill(value)
    if press_enter:
        field.press("Enter")
    box.get_by_role("button", name="Check").click()
    feedback = box.locator("[role='status']")
    for _ in range(80):
        if feedback.count() and feedback.all_inner_texts() != before:
            return feedback.inner_text()
        box.page.wait_for_timeout(125)
    raise AssertionError(f"no new feedback after checking {value!r}")


def shoot(page: Any, folder: Path, name: str) -> Path:
    path = folder / name
    page.screenshot(path=str(path))  # the viewport: the notebook scrolls inside its own panel
    assert_not_blank(path)
    return path


def test_chapter_02_runs_and_its_quiz_grades_and_remembers(lab: Lab, browser_context: Any, screenshot_dir: Path) -> None:
    notebook = nbformat.read(lab.root / "notebooks" / f"{CHAPTER}.ipynb", as_version=4)
    code_cells = sum(1 for c in notebook.cells if c.cell_type == "code")
    page = browser_context.new_page()
    open_notebook(page, lab, f"{CHAPTER}.ipynb")
    shoot(page, screenshot_dir, "lab-02-opened.png")

    menu(page, "Run", "runmenu:run-all")
    wait_all_ran(page, code_cells)
    # The plots were drawn, and really decoded by the browser.
    images = page.locator(".jp-OutputArea-output img")
    assert images.count() >= 3, f"expected the chapter's 3 plots, found {images.count()}"
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
        width = images.nth(i).evaluate("img => img.decode().then(() => img.naturalWidth)")
        assert width > 0, f"plot {i} did not decode"

    box = question(page)
    wrong = answer(box, WRONG, press_enter=False)
    assert "Not quite" in wrong and "attempts left" in wrong, wrong
    shoot(page, screenshot_dir, "lab-02-quiz-wrong.png")
    right = answer(box, RIGHT, press_enter=True)
    assert "Correct" in right and "Explanation" in right, right
    assert box.get_by_role("button", name="Check").is_disabled()
    quiz = page.locator(".course-quiz").last
    assert re.search(r"Score: 1 of \d+ points", quiz.inner_text())
    box.scroll_into_view_if_needed()
    done = shoot(page, screenshot_dir, "lab-02-quiz-right.png")
    save_docs_screenshot(done, "jupyterlab-02-quiz.png")

    # The answer is on disk, under the learner id the quiz generated for this (new) learner.
    progress = json.loads((lab.course_home / "progress.json").read_text())
    (learner,) = progress["learners"]
    assert (lab.course_home / "learner_id").read_text().strip() == learner
    saved = progress["learners"][learner]["chapters"][CHAPTER][QUESTION]
    assert json.dumps(saved).count(RIGHT), saved

    # Restart the kernel: everything in memory is gone.
    menu(page, "Kernel", "kernelmenu:restart")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle")).wait_for()
    page.close()

    # Open the chapter again in a new tab and run only the quiz cell, in the fresh kernel.
    page = browser_context.new_page()
    open_notebook(page, lab, f"{CHAPTER}.ipynb")
    cell = page.locator(".jp-CodeCell", has_text='quiz = show_quiz("02_lambda")').first
    cell.wait_for(state="attached")
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputPrompt").click()  # selects the cell in command mode
    page.keyboard.press("Shift+Enter")
    box = question(page)
    restored = box.locator("[role='status']")
    restored.wait_for()
    assert "Correct" in restored.inner_text(), restored.inner_text()
    assert box.locator("input[type='text']").input_value() == RIGHT
    assert box.get_by_role("button", name="Check").is_disabled()
    assert re.search(r"Score: 1 of \d+ points", page.locator(".course-quiz").last.inner_text())
    shoot(page, screenshot_dir, "lab-02-quiz-after-restart.png")
