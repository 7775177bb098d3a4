"""A released notebook, run top to bottom in a real Jupyter kernel, as a student's JupyterLab runs it."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from instructor_support import payload_of

from course_lib.instructor.submissions import Assignment


def test_released_notebook_runs_in_a_kernel_and_hands_in_the_saved_answers(tmp_path: Path, released) -> None:  # type: ignore[no-untyped-def]
    from nbclient import NotebookClient

    released(1)
    path = tmp_path / "release" / "hw1-s001.ipynb"
    # Answers the student saved in an earlier session (same COURSE_HOME as the kernel below).
    earlier = Assignment(payload_of(path))
    earlier.answer("98_demo/tf", False)
    earlier.answer("98_demo/word", "Zyzzogeton")

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    shown = nb.cells[2].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in shown)  # the questions
    last = nb.cells[4].outputs[0]["data"]["text/plain"]
    assert "Wrote hw1-s001.submission.json (2 of 6 questions answered)" in last
    doc = json.loads((path.parent / "hw1-s001.submission.json").read_text())
    assert doc["answers"] == {"98_demo/tf": False, "98_demo/word": "Zyzzogeton"}
    assert doc["assignment_digest"] == earlier.digest
