"""The offline HTML course (`make site`) as Chromium draws it, with the network out of reach.

The site is built once per session by the Makefile's own target into a temporary folder
(``make site SITE_DIR=...``). Every request the pages make is observed and routed: only
``file:`` (and inline ``data:``/``blob:``/``about:``) or 127.0.0.1 may load; anything else is
aborted and fails the test. Each chapter page must draw its plots (decoded, non-zero width), its
quiz from saved widget state (not the text fallback, not a blank box), and link to its
neighbours and the contents page.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from browser_support import ROOT, assert_not_blank, save_docs_screenshot, stop_process_tree
from course_lib import chapters

LOCAL_SCHEMES = {"file", "data", "blob", "about"}


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make site` into a temporary folder (the same target a contributor runs)."""
    if not (ROOT / "node_modules" / ".package-lock.json").exists() and not shutil.which("npm"):
        pytest.fail("`make site` needs npm to install the pinned widget JavaScript: `apt-get install -y nodejs npm` "
                    "(.ci/run does this).", pytrace=False)
    out = tmp_path_factory.mktemp("site-build") / "site"
    proc = subprocess.Popen(
        ["make", "-s", "site", f"SITE_DIR={out}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        log, _ = proc.communicate(timeout=900)
    finally:
        stop_process_tree(proc)  # its kernels too, if the build was interrupted or timed out
    assert proc.returncode == 0, f"make site failed:\n{log.decode(errors='replace')[-4000:]}"
    return out


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in LOCAL_SCHEMES or parsed.hostname == "127.0.0.1"


class RequestLog:
    """Every request the browser makes; anything that would leave the machine is aborted."""

    def __init__(self, context: Any) -> None:
        self.seen: list[str] = []
        self.refused: list[str] = []
        context.on("request", lambda request: self.seen.append(request.url))
        context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort("blockedbyclient")

    def remote(self) -> list[str]:
        return sorted({u for u in self.seen + self.refused if not is_local(u)})


def test_the_build_lists_every_chapter_and_ships_its_javascript(site: Path) -> None:
    manifest = json.loads((site / "manifest.json").read_text())
    built = [p["chapter"] for p in manifest["pages"]]
    assert built == [c.stem for c in chapters.available()]
    assert (site / "_static" / "html-manager" / "embed-amd.js").stat().st_size > 1_000_000
    assert (site / "_static" / "require.js").exists()
    for page in manifest["pages"]:
        text = (site / page["file"]).read_text()
        assert 'type="application/vnd.jupyter.widget-state+json"' in text, page["file"]
        stale = re.findall(r'href="(?:\./)?\d\d_\w+\.ipynb[^"]*"', text)
        assert not stale, f"{page['file']} still links to notebook files: {stale}"
        # Only what a reader sees is shipped: the self-test cell's hidden rehearsal quiz (answered,
        # so its feedback would be in its state) is pruned; a new learner's quiz has no feedback yet.
        state = text.split('type="application/vnd.jupyter.widget-state+json">', 1)[1].split("</script>", 1)[0]
        assert "aria-live" not in state, f"{page['file']} ships quiz feedback in its widget state"


def test_every_page_renders_plots_and_quiz_offline(site: Path, browser_context: Any, screenshot_dir: Path) -> None:
    manifest = json.loads((site / "manifest.json").read_text())
    pages = manifest["pages"]
    assert any(p["chapter"] == "02_lambda" and p["plots"] >= 3 and p["quizzes"] == 1 for p in pages), pages
    requests = RequestLog(browser_context)
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))

    page.goto((site / "index.html").as_uri())
    contents = page.locator("table a")
    assert contents.evaluate_all("links => links.map(a => a.getAttribute('href'))") == [p["file"] for p in pages]
    assert page.locator("#run-it-live").inner_text().count("make lab")

    for entry in pages:
        page.goto((site / entry["file"]).as_uri())
        name = entry["file"]
        # Plots: every one decoded by the browser, with a real size.
        images = page.locator(".jp-OutputArea-output img")
        assert images.count() == entry["plots"], f"{name}: {images.count()} images, expected {entry['plots']}"
        widths = images.evaluate_all("imgs => Promise.all(imgs.map(i => i.decode().then(() => i.naturalWidth, () => 0)))")
        assert all(w > 0 for w in widths), f"{name}: plots that did not decode: {widths}"
        # Quizzes: drawn from the saved widget state by the local html-manager.
        quizzes = page.locator(".course-quiz")
        if entry["quizzes"]:
            quizzes.first.wait_for(timeout=20_000)
        assert quizzes.count() == entry["quizzes"], f"{name}: {quizzes.count()} quiz widgets drawn, expected {entry['quizzes']}"
        for i in range(quizzes.count()):
            quiz = quizzes.nth(i)
            text = quiz.inner_text()
            assert "Question 1 of" in text and "Score:" in text, f"{name}: quiz {i} drew no questions: {text[:200]!r}"
            assert quiz.bounding_box()["height"] > 200, f"{name}: quiz {i} is almost empty"
            assert quiz.locator("button:not([disabled])").count() == 0, f"{name}: quiz {i} has live buttons on a static page"
            # The viewport with the quiz's start in it (a whole-element shot of a long quiz is slow).
            quiz.evaluate("el => el.scrollIntoView({block: 'start'})")
            shot = screenshot_dir / f"site-{entry['chapter']}-quiz-{i}.png"
            page.screenshot(path=str(shot))
            assert_not_blank(shot)
        assert page.get_by_text("Error displaying widget").count() == 0, name
        # Navigation: previous / contents / next, at the top and the bottom of the page.
        for where in ("top", "bottom"):
            nav = page.locator(f"nav.course-site-nav.{where}")
            assert nav.locator("a.course-contents").get_attribute("href") == "index.html"
            for rel, expected in (("prev", entry["prev"]), ("next", entry["next"])):
                links = nav.locator(f"a[rel='{rel}']")
                href = links.get_attribute("href") if links.count() else None
                assert href == expected, f"{name}: {where} {rel} link is {href}, expected {expected}"
                if expected:
                    assert (site / expected).exists()
        page.evaluate("window.scrollTo(0, 0)")
        top = screenshot_dir / f"site-{entry['chapter']}-top.png"
        page.screenshot(path=str(top))
        assert_not_blank(top)
        if entry["chapter"] == "02_lambda":
            # The picture in the README: the chapter's Quiz heading, the note, the first questions.
            page.locator("h2#Quiz").evaluate("el => el.scrollIntoView({block: 'start'})")
            docs = screenshot_dir / "site-02-quiz-view.png"
            page.screenshot(path=str(docs))
            assert_not_blank(docs)
            save_docs_screenshot(docs, "site-02-quiz.png")

    # Following a link works as on a web server: chapter 00's "next" leads to the next chapter.
    page.goto((site / pages[0]["file"]).as_uri())
    if pages[0]["next"]:
        page.locator("nav.course-site-nav.top a[rel='next']").click()
        page.wait_for_url(re.compile(re.escape(pages[0]["next"]) + "$"))

    assert not errors, f"script errors on the site: {errors}"
    assert requests.remote() == [], f"requests that would leave the machine: {requests.remote()}"
    loaded = {Path(urlparse(u).path).name for u in requests.seen}
    assert {"embed-amd.js", "require.js"} <= loaded, "the widget renderer was not loaded from the site's own files"
