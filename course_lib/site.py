"""The course as an offline static website: ``make site`` writes ``site/``.

    python -m course_lib.site --out site [--binder-repo OWNER/NAME] [--jobs 2]

Every chapter notebook in ``notebooks/`` becomes one HTML page with its executed outputs and
plots, a navigation bar (previous, contents, next) at the top and bottom, and a "run it live"
pointer; ``index.html`` is the contents page. Nothing is fetched from the network when a page is
opened: plots are embedded PNGs, MathJax and Mermaid (which nbconvert loads from CDNs) are left
out, and the quiz widgets are drawn from their saved state by ``@jupyter-widgets/html-manager``
and ``requirejs``, copied into ``site/_static/`` from the pinned ``node_modules`` that
``npm ci`` installs (``package.json``, ``package-lock.json``).

The notebooks are committed *without* widget state (it would show as dead ``VBox(...)`` text on
GitHub), so the build re-executes each one: in a temporary copy of ``notebooks/``, in a fresh
kernel, with a throwaway ``COURSE_HOME`` and the learner id ``ci-learner`` (the same settings the
committed outputs were made with), storing widget state this time. The state is then pruned to
the widgets a reader can see (the rehearsal quizzes of the self-test cells are not shown and are
dropped) and every input is disabled: the page is a read-only copy, because grading happens in
the notebook's kernel and a static page has none.

``manifest.json`` lists the pages with their number of plots and quiz widgets; the browser test
(``tests/browser/test_site.py``) checks that Chromium draws exactly those.
"""

from __future__ import annotations

import argparse
import html
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import nbformat

from course_lib.chapters import CHAPTERS, NOTEBOOKS, Chapter
from course_lib.notebook_tools import EXECUTION_ENV, NAV_TAG, clean

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
HTML_MANAGER_DIST = NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist"
REQUIRE_JS = NODE_MODULES / "requirejs" / "require.js"
STATIC = "_static"
WIDGET_RENDERER_URL = f"{STATIC}/html-manager/embed-amd.js"
REQUIRE_JS_URL = f"{STATIC}/require.js"
MARKER = ".course-site"  # a folder holding this file was written by this module and may be replaced
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
MODEL_REF = re.compile(r"^IPY_MODEL_([0-9a-f]+)$")
# Models whose `disabled` trait makes them read-only (buttons, radio buttons, text boxes, ...).
READ_ONLY_TRAIT = "disabled"
GITHUB_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

# The page template: nbconvert's JupyterLab template, without the CDN scripts (MathJax, Mermaid),
# with the site's navigation and "run it live" pointer around the notebook.
PAGE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style type="text/css">{{ resources.course_site.css }}</style>{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ resources.course_site.header }}
{%- endblock body_header -%}
{% block body_footer %}
{{ resources.course_site.footer }}
{{ super() }}
{% endblock body_footer %}
"""

SITE_CSS = """
.course-site-nav { display: flex; gap: 1em; justify-content: space-between; align-items: center;
  font-family: var(--jp-ui-font-family, sans-serif); font-size: 14px; padding: 8px 16px; margin: 0 0 8px 0;
  border-bottom: 1px solid var(--jp-border-color2, #bdbdbd); background: var(--jp-layout-color1, #fff); }
.course-site-nav.bottom { border-top: 1px solid var(--jp-border-color2, #bdbdbd); border-bottom: none; margin: 16px 0 0 0; }
.course-site-nav a { color: var(--jp-content-link-color, #1976d2); text-decoration: none; }
.course-site-nav a:hover { text-decoration: underline; }
.course-site-nav .placeholder { visibility: hidden; }
.course-site-live { font-family: var(--jp-ui-font-family, sans-serif); font-size: 14px; line-height: 1.5;
  margin: 0 16px 12px 16px; padding: 8px 12px; border-left: 4px solid var(--jp-brand-color1, #1976d2);
  background: var(--jp-layout-color2, #eeeeee); color: var(--jp-content-font-color1, #212121); }
.course-site-live code { font-family: var(--jp-code-font-family, monospace); }
/* Widgets take JupyterLab's interface font there; outside JupyterLab nothing sets it. */
.jp-OutputArea-output .jupyter-widgets { font-family: var(--jp-ui-font-family, sans-serif); font-size: var(--jp-ui-font-size1, 13px); }
.course-site-readonly { font-family: var(--jp-ui-font-family, sans-serif); font-size: 13px;
  color: var(--jp-ui-font-color2, #616161); margin: 4px 0; }
"""

INDEX_CSS = """
body { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; color: #212121;
  max-width: 60em; margin: 2em auto; padding: 0 1em; line-height: 1.5; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid #e0e0e0; }
td.soon { color: #757575; }
a { color: #1565c0; }
code, pre { font-family: "SFMono-Regular", Consolas, "Liberation Mono", monospace; background: #f5f5f5; }
pre { padding: 8px 12px; overflow-x: auto; }
.course-site-live { border-left: 4px solid #1976d2; background: #eeeeee; padding: 8px 16px; }
"""


class SiteError(RuntimeError):
    """The site cannot be built (missing JavaScript, an unsafe output folder, a CDN reference)."""


@dataclass(frozen=True)
class Page:
    """One chapter page of the built site, as recorded in ``manifest.json``."""

    chapter: str
    number: int
    title: str
    file: str
    plots: int
    quizzes: int
    prev: str | None
    next: str | None


# -- executing -------------------------------------------------------------------------------------
def execute_with_widget_state(path: Path, course_home: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Run the notebook at ``path`` top to bottom in a fresh kernel, beside its own file (so
    relative paths resolve as for a learner), and return it with outputs and widget state.

    The kernel gets the committed outputs' settings through its environment, not through this
    process's ``os.environ``, so builds can run side by side.
    """
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    clean(nb)
    env = {**os.environ, **EXECUTION_ENV, "COURSE_HOME": str(course_home)}
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    client.execute(env=env)
    return nb


def _execute_worker(path: str, course_home: str, timeout: int) -> str:
    """Process-pool entry point: returns the executed notebook as JSON text (picklable)."""
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    try:
        nb = execute_with_widget_state(Path(path), Path(course_home), timeout)
    except (CellExecutionError, CellTimeoutError) as err:
        # The traceback of the failing cell is what the author needs, not the pool's.
        raise SiteError(f"{Path(path).name} failed to run, so the site was not built:\n{err}") from None
    return nbformat.writes(nb)


def execute_all(chapters: list[Chapter], jobs: int = 2, timeout: int = 600) -> dict[str, nbformat.NotebookNode]:
    """Execute every chapter's notebook in a temporary copy of ``notebooks/``; ``jobs`` kernels at once.

    Each chapter gets its own ``COURSE_HOME``, so no chapter sees another's saved answers.
    """
    with tempfile.TemporaryDirectory(prefix="course-site-") as tmp:
        work = Path(tmp) / "notebooks"
        shutil.copytree(NOTEBOOKS, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        jobs_args = [(str(work / c.filename), str(Path(tmp) / f"home-{c.stem}"), timeout) for c in chapters]
        if jobs <= 1 or len(chapters) <= 1:
            texts = [_execute_worker(*args) for args in jobs_args]
        else:
            # "spawn": a clean interpreter per worker, never a fork of a process that may hold
            # threads or an event loop (pytest, a notebook).
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=min(jobs, len(chapters)), mp_context=context) as pool:
                texts = list(pool.map(_execute_worker, *zip(*jobs_args)))
    return {c.stem: nbformat.reads(text, as_version=4) for c, text in zip(chapters, texts)}


# -- widget state ----------------------------------------------------------------------------------
def _is_quiz(model: dict[str, Any]) -> bool:
    """The root widget of a quiz (``course_lib.quiz.widgets.QuizView`` adds this class)."""
    return "course-quiz" in model.get("state", {}).get("_dom_classes", [])


def _view_model_ids(nb: nbformat.NotebookNode) -> list[str]:
    return [
        output["data"][WIDGET_VIEW_MIME]["model_id"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if WIDGET_VIEW_MIME in output.get("data", {})
    ]


def _references(value: Any) -> Iterator[str]:
    """Model ids referenced (as ``IPY_MODEL_<id>``) anywhere inside a widget's state."""
    if isinstance(value, str):
        match = MODEL_REF.match(value)
        if match:
            yield match.group(1)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def prune_widget_state(nb: nbformat.NotebookNode) -> int:
    """Keep only the widget models a reader can see (reachable from a displayed view) and make
    every one of them read-only; returns how many models were kept.

    Dropped: widgets that were built but never displayed, such as the rehearsal quiz a chapter's
    self-test answers (its feedback would otherwise ride along in the page source).
    """
    bundle = nb.metadata.get("widgets", {}).get(WIDGET_STATE_MIME)
    if not bundle:
        return 0
    state: dict[str, Any] = bundle["state"]
    keep: set[str] = set()
    todo = [m for m in _view_model_ids(nb) if m in state]
    while todo:
        model_id = todo.pop()
        if model_id in keep:
            continue
        keep.add(model_id)
        todo.extend(ref for ref in _references(state[model_id].get("state", {})) if ref in state)
    bundle["state"] = {model_id: model for model_id, model in state.items() if model_id in keep}
    for model in bundle["state"].values():
        traits = model.get("state", {})
        if READ_ONLY_TRAIT in traits:
            traits[READ_ONLY_TRAIT] = True
    return len(keep)


def add_read_only_notes(nb: nbformat.NotebookNode) -> int:
    """Put a one-line note above every displayed quiz saying why it does nothing here; returns
    how many quizzes the page shows."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE_MIME, {}).get("state", {})
    note = {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "text/html": (
                '<p class="course-site-readonly"><strong>Read-only.</strong> A copy of the quiz, as a new learner sees it: '
                "grading runs in the notebook's Python kernel, which a web page does not have. "
                '<a href="#run-it-live">Run this chapter live</a> to answer it.</p>'
            )
        },
    }
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW_MIME)
            if view and _is_quiz(state.get(view["model_id"], {})):
                outputs.append(nbformat.from_dict(note))
                count += 1
            outputs.append(output)
        cell.outputs = outputs
    return count


def count_plots(nb: nbformat.NotebookNode) -> int:
    """Outputs that are pictures (PNG, JPEG or SVG)."""
    kinds = ("image/png", "image/jpeg", "image/svg+xml")
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if any(kind in output.get("data", {}) for kind in kinds)
    )


# -- pages -----------------------------------------------------------------------------------------
def page_name(chapter: Chapter) -> str:
    return f"{chapter.stem}.html"


def rewrite_links(text: str, chapters: Iterable[Chapter]) -> str:
    """Links between notebooks (``02_lambda.ipynb#Quiz``) point at the site's pages instead."""
    stems = "|".join(re.escape(c.stem) for c in chapters)
    if not stems:
        return text
    return re.sub(rf'href="(?:\./)?({stems})\.ipynb(#[^"]*)?"', lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', text)


def _binder_url(repo: str, notebook: str) -> str:
    return f"https://mybinder.org/v2/gh/{repo}/HEAD?labpath=notebooks/{notebook}"


def run_live_html(chapter: Chapter | None, binder_repo: str | None) -> str:
    """The "run it live" pointer: JupyterLab on your machine, or Binder (built from environment.yml)."""
    notebook = chapter.filename if chapter else "00_start_here.ipynb"
    where = f"<code>notebooks/{notebook}</code>"
    if binder_repo:
        binder = (
            f'or <a href="{html.escape(_binder_url(binder_repo, notebook))}">open it on Binder</a> '
            "(built from the course's <code>environment.yml</code>; nothing to install)."
        )
    else:
        binder = (
            "or on Binder: put the repository on GitHub and open "
            "<code>https://mybinder.org/v2/gh/OWNER/REPO/HEAD?labpath=notebooks/"
            f"{html.escape(notebook)}</code> (Binder builds the course from <code>environment.yml</code>)."
        )
    return (
        '<aside class="course-site-live" id="run-it-live"><strong>Run it live.</strong> This page is a read-only '
        "copy: the demos ran once when the site was built, and the quiz cannot grade answers here. "
        f"To run the demos yourself and answer the quiz, open {where} in JupyterLab on your own machine "
        "(clone the course, then <code>make lab</code>: it installs everything into <code>.venv</code>), "
        f"{binder}</aside>"
    )


def nav_html(chapter: Chapter, prev: Chapter | None, nxt: Chapter | None, position: str) -> str:
    """Previous | Contents | Next, as on every page of the site."""
    left = (
        f'<a rel="prev" class="course-prev" href="{page_name(prev)}">&larr; {prev.number:02d} {html.escape(prev.title)}</a>'
        if prev
        else '<span class="placeholder">&larr;</span>'
    )
    right = (
        f'<a rel="next" class="course-next" href="{page_name(nxt)}">{nxt.number:02d} {html.escape(nxt.title)} &rarr;</a>'
        if nxt
        else '<span class="placeholder">&rarr;</span>'
    )
    label = f"Chapter {chapter.number:02d} navigation ({position})"
    return (
        f'<nav class="course-site-nav {position}" aria-label="{label}">{left}'
        f'<a class="course-contents" href="index.html">Contents</a>{right}</nav>'
    )


def render_page(nb: nbformat.NotebookNode, chapter: Chapter, prev: Chapter | None, nxt: Chapter | None,
                chapters: list[Chapter], binder_repo: str | None) -> str:
    """One chapter page: nbconvert's JupyterLab HTML with the site's navigation, offline."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    # The site's own bars replace the notebook's navigation cells (which link to .ipynb files).
    nb.cells = [c for c in nb.cells if NAV_TAG not in c.get("metadata", {}).get("tags", [])]
    nb.metadata["title"] = f"{chapter.number:02d} · {chapter.title} · Serverless on AWS"
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"course_page.html.j2": PAGE_TEMPLATE})],
        template_file="course_page.html.j2",
    )
    exporter.require_js_url = REQUIRE_JS_URL
    exporter.widget_renderer_url = WIDGET_RENDERER_URL
    resources = {
        "course_site": {
            "css": SITE_CSS,
            "header": nav_html(chapter, prev, nxt, "top") + run_live_html(chapter, binder_repo),
            "footer": nav_html(chapter, prev, nxt, "bottom"),
        }
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = rewrite_links(body, chapters)
    check_offline(body, page_name(chapter))
    return body


# Anything the browser would load by itself: scripts, stylesheets, images, frames, imports.
_LOADED_URL = re.compile(
    r"""<(?:script|img|iframe|source|embed)\b[^>]*\bsrc\s*=\s*["']?(?P<src>[^"'\s>]+)"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?P<href>[^"'\s>]+)"""
    r"""|@import\s+(?:url\()?["']?(?P<imp>[^"')\s;]+)"""
    r"""|\burl\(\s*["']?(?P<css>(?:https?:)?//[^"')\s]+)"""
    r"""|\bimport\(\s*["'](?P<dyn>[^"']+)""",
    re.IGNORECASE,
)


def check_offline(text: str, name: str) -> None:
    """Fail the build if the page would load anything from the network."""
    remote = []
    for match in _LOADED_URL.finditer(text):
        url = next(v for v in match.groupdict().values() if v)
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE) and not url.lower().startswith(("data:", "file:")):
            remote.append(url)
    if remote:
        raise SiteError(f"{name} would load from the network: {sorted(set(remote))}")


def render_index(pages: list[Page], binder_repo: str | None) -> str:
    """The contents page: every chapter of the course, linked when it exists."""
    by_stem = {p.chapter: p for p in pages}
    rows = []
    for c in CHAPTERS:
        page = by_stem.get(c.stem)
        if page:
            title = f'<a href="{page.file}">{html.escape(c.title)}</a>'
            rows.append(f"<tr><td>{c.number:02d}</td><td>{title}</td><td>{html.escape(c.summary)}</td><td>{c.minutes}&nbsp;min</td></tr>")
        else:
            rows.append(
                f'<tr><td class="soon">{c.number:02d}</td><td class="soon">{html.escape(c.title)} <em>(coming soon)</em></td>'
                f'<td class="soon">{html.escape(c.summary)}</td><td class="soon">{c.minutes}&nbsp;min</td></tr>'
            )
    first = pages[0].file if pages else "#"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Contents · Serverless on AWS, hands-on and offline</title>
<style>{INDEX_CSS}</style>
</head>
<body>
<main>
<h1>Serverless on AWS, hands-on and offline</h1>
<p>A course on AWS serverless made of JupyterLab notebooks: each chapter explains a service, runs live
demos against a local AWS (no account, nothing can cost money), shows what things would cost on AWS,
and ends with a quiz that grades itself. These pages show every chapter as it runs, with its outputs
and plots. <a href="{first}">Start with chapter 00</a>.</p>
{run_live_html(None, binder_repo)}
<h2 id="contents">Contents</h2>
<table>
<thead><tr><th>#</th><th>Chapter</th><th>What you will do</th><th>Time</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<h2>Run it on your machine</h2>
<pre>git clone &lt;this course&gt; serverless-course &amp;&amp; cd serverless-course
make lab     # creates .venv, installs the course into it, opens JupyterLab on chapter 00</pre>
<p>With conda: <code>conda env create -f environment.yml &amp;&amp; conda activate serverless-course &amp;&amp; jupyter lab</code>.</p>
</main>
</body>
</html>
"""


# -- the build -------------------------------------------------------------------------------------
def _prepare_output(out: Path) -> None:
    """Empty ``out`` for a new build, refusing to delete a folder this module did not write."""
    if out.exists():
        if not out.is_dir():
            raise SiteError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise SiteError(f"{out} is not empty and was not built by `make site`; refusing to replace it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("Built by `make site` (course_lib/site.py); the whole folder is replaced on the next build.\n")


def check_javascript() -> None:
    """Fail early, with the fix, when ``npm ci`` has not installed the widget JavaScript."""
    if not (HTML_MANAGER_DIST / "embed-amd.js").exists() or not REQUIRE_JS.exists():
        raise SiteError(
            f"The widget JavaScript is not installed ({HTML_MANAGER_DIST / 'embed-amd.js'}, {REQUIRE_JS}). "
            "Run `npm ci` in the course folder (`make site` does it)."
        )


def copy_javascript(out: Path) -> None:
    """The widget renderer and require.js, from the pinned node_modules (never a CDN)."""
    check_javascript()
    target = out / STATIC / "html-manager"
    target.mkdir(parents=True)
    # The AMD bundle and the fonts and icons it refers to by relative URL; not the source maps
    # nor the non-AMD bundle.
    for item in HTML_MANAGER_DIST.iterdir():
        if item.is_file() and not item.name.endswith((".map", ".LICENSE.txt")) and item.name not in ("embed.js", "libembed-amd.js"):
            shutil.copy2(item, target / item.name)
    shutil.copy2(REQUIRE_JS, out / STATIC / "require.js")


def build(out: Path, binder_repo: str | None = None, jobs: int = 2, timeout: int = 600) -> list[Page]:
    """Build the whole site into ``out`` (replaced) and return its chapter pages."""
    if binder_repo and not GITHUB_REPO.match(binder_repo):
        raise SiteError(f"--binder-repo must look like OWNER/NAME, not {binder_repo!r}")
    chapters = [c for c in CHAPTERS if c.exists]
    if not chapters:
        raise SiteError(f"no chapter notebooks in {NOTEBOOKS}")
    out = out.resolve()
    check_javascript()  # before spending time executing notebooks
    executed = execute_all(chapters, jobs=jobs, timeout=timeout)
    _prepare_output(out)
    copy_javascript(out)
    pages: list[Page] = []
    for index, chapter in enumerate(chapters):
        prev = chapters[index - 1] if index > 0 else None
        nxt = chapters[index + 1] if index + 1 < len(chapters) else None
        nb = executed[chapter.stem]
        prune_widget_state(nb)
        quizzes = add_read_only_notes(nb)
        plots = count_plots(nb)
        (out / page_name(chapter)).write_text(render_page(nb, chapter, prev, nxt, chapters, binder_repo), encoding="utf-8")
        pages.append(Page(chapter.stem, chapter.number, chapter.title, page_name(chapter), plots, quizzes,
                          page_name(prev) if prev else None, page_name(nxt) if nxt else None))
    index_html = render_index(pages, binder_repo)
    check_offline(index_html, "index.html")
    (out / "index.html").write_text(index_html, encoding="utf-8")
    manifest = {"pages": [asdict(p) for p in pages], "binder_repo": binder_repo}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.site", description="Build the offline HTML course.")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="output folder (replaced; default: site/)")
    parser.add_argument("--binder-repo", default=os.environ.get("BINDER_REPO") or None,
                        help="GitHub OWNER/NAME for the Binder links (default: $BINDER_REPO, else instructions only)")
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 2),
                        help="notebooks executed at once (default: the CPU count, at most 4)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default: 600)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    try:
        pages = build(args.out, binder_repo=args.binder_repo, jobs=args.jobs, timeout=args.timeout)
    except SiteError as err:
        print(f"make site: {err}", file=sys.stderr)
        return 1
    for page in pages:
        print(f"  {page.file:28} {page.plots} plot(s), {page.quizzes} quiz(zes)")
    print(f"site: {len(pages)} chapter page(s) and index.html in {args.out} ({time.perf_counter() - began:.1f} s)")
    print(f"open {Path(args.out).resolve() / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
