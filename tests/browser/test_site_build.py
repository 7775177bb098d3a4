"""The pure parts of `make site` (course_lib/site.py), without a kernel or a browser: milliseconds."""

from __future__ import annotations

import nbformat
import pytest

from course_lib import site
from course_lib.chapters import by_stem


def _widget_notebook() -> nbformat.NotebookNode:
    """A notebook showing one quiz (root -> question box -> button) beside a hidden rehearsal quiz."""

    def model(name: str, **state: object) -> dict[str, object]:
        return {"model_name": name, "model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0", "state": state}

    state = {
        "aa01": model("VBoxModel", _dom_classes=["course-quiz"], children=["IPY_MODEL_aa02"], layout="IPY_MODEL_aa04"),
        "aa02": model("VBoxModel", _dom_classes=["course-quiz-question"], children=["IPY_MODEL_aa03"]),
        "aa03": model("ButtonModel", description="Check", disabled=False),
        "aa04": model("LayoutModel"),
        "bb01": model("VBoxModel", _dom_classes=["course-quiz"], children=["IPY_MODEL_bb02"]),
        "bb02": model("HTMLModel", value='<div role="status" aria-live="polite">Correct. Explanation.</div>'),
    }
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("quiz = show_quiz('02_lambda')")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={site.WIDGET_VIEW_MIME: {"version_major": 2, "version_minor": 0, "model_id": "aa01"}, "text/plain": "Quiz: ..."},
        )
    ]
    nb.cells = [cell, nbformat.v4.new_code_cell("rehearsal = show_quiz('02_lambda', rehearsal=True, display=False)")]
    nb.metadata["widgets"] = {site.WIDGET_STATE_MIME: {"version_major": 2, "version_minor": 0, "state": state}}
    return nb


def test_only_widgets_a_reader_sees_are_kept_and_they_are_read_only() -> None:
    nb = _widget_notebook()
    assert site.prune_widget_state(nb) == 4
    state = nb.metadata["widgets"][site.WIDGET_STATE_MIME]["state"]
    assert sorted(state) == ["aa01", "aa02", "aa03", "aa04"]  # the rehearsal quiz (bb..) is gone
    assert state["aa03"]["state"]["disabled"] is True
    assert "disabled" not in state["aa04"]["state"]  # only widgets that have the trait


def test_each_quiz_gets_a_read_only_note_and_is_counted() -> None:
    nb = _widget_notebook()
    site.prune_widget_state(nb)
    assert site.add_read_only_notes(nb) == 1
    outputs = nb.cells[0].outputs
    assert "Read-only." in outputs[0]["data"]["text/html"] and site.WIDGET_VIEW_MIME in outputs[1]["data"]


def test_links_between_notebooks_point_at_pages() -> None:
    chapters = [by_stem("00_start_here"), by_stem("02_lambda")]
    html = '<a href="02_lambda.ipynb">next</a> <a href="./00_start_here.ipynb#The-chapter-map">contents</a> <a href="https://aws.amazon.com/x.ipynb">aws</a>'
    assert site.rewrite_links(html, chapters) == (
        '<a href="02_lambda.html">next</a> <a href="00_start_here.html#The-chapter-map">contents</a> '
        '<a href="https://aws.amazon.com/x.ipynb">aws</a>'
    )


@pytest.mark.parametrize(
    "fragment",
    [
        '<script src="https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@*/dist/embed-amd.js"></script>',
        '<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Roboto">',
        "<style>@import url('https://fonts.googleapis.com/css?family=Roboto+Mono');</style>",
        '<img src="http://example.com/plot.png">',
        "<style>.x { background: url(https://example.com/bg.png) }</style>",
    ],
)
def test_a_page_that_would_load_from_the_network_fails_the_build(fragment: str) -> None:
    with pytest.raises(site.SiteError, match="would load from the network"):
        site.check_offline(fragment, "page.html")


def test_local_files_links_and_inline_images_are_fine_offline() -> None:
    site.check_offline(
        '<script src="_static/require.js"></script><img src="data:image/png;base64,AAAA">'
        '<a href="https://aws.amazon.com/lambda/pricing/">prices</a>',
        "page.html",
    )


def test_the_build_refuses_to_replace_a_folder_it_did_not_write(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(site.SiteError, match="refusing to replace"):
        site._prepare_output(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_run_it_live_points_at_make_lab_and_binder() -> None:
    chapter = by_stem("02_lambda")
    without = site.run_live_html(chapter, None)
    assert "make lab" in without and "environment.yml" in without and "notebooks/02_lambda.ipynb" in without
    with_repo = site.run_live_html(chapter, "example/serverless-course")
    assert 'href="https://mybinder.org/v2/gh/example/serverless-course/HEAD?labpath=notebooks/02_lambda.ipynb"' in with_repo
    with pytest.raises(site.SiteError, match="OWNER/NAME"):
        site.build(site.ROOT / "unused-site", binder_repo="not a repo")
