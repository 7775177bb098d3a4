"""Helpers of the real-browser tests (fixtures are in conftest.py): where Chromium is, how a
screenshot is judged non-blank, and how a server started in its own process group is stopped.

Playwright's own browser download is never used (it fails on the course's machines): the
tests launch the system Chromium, ``/usr/bin/chromium`` (``apt-get install -y chromium``;
``.ci/run`` installs it), or the one named by ``COURSE_CHROMIUM``. When it is missing the
tests fail with that instruction; they are never skipped, so a green run always means a
browser really drew the course.

``COURSE_DOCS_SCREENSHOTS=1`` also refreshes the two pictures the README shows,
``docs/jupyterlab-02-quiz.png`` and ``docs/site-02-quiz.png``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
# From the measured recipe (../shared/notes/notebooks.md): no sandbox (root in containers),
# no GPU, and none of Chromium's own background traffic (updates, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}


def chromium_path() -> str:
    """The system Chromium, or a failure that says how to install it (never a skip)."""
    found = shutil.which(CHROMIUM) if not os.path.isabs(CHROMIUM) else (CHROMIUM if os.access(CHROMIUM, os.X_OK) else None)
    if not found:
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. The browser tests drive Debian's chromium: install it with "
            "`sudo apt-get update && sudo apt-get install -y chromium` (.ci/run does this), or point "
            "COURSE_CHROMIUM at a Chromium binary.",
            pytrace=False,
        )
    return found


def assert_not_blank(png: Path, min_stddev: float = 8.0, min_colours: int = 16) -> None:
    """A screenshot shows something: its grey levels vary and it has more than a few colours
    (a blank, all-white or single-colour page fails both)."""
    from PIL import Image, ImageStat

    with Image.open(png) as image:
        image.load()
        rgb = image.convert("RGB")
    stddev = ImageStat.Stat(rgb.convert("L")).stddev[0]
    colours = rgb.getcolors(maxcolors=1 << 16)
    count = len(colours) if colours is not None else 1 << 16
    assert rgb.width > 200 and rgb.height > 200, f"{png.name} is only {rgb.width}x{rgb.height}"
    assert stddev >= min_stddev, f"{png.name} looks blank: grey-level deviation {stddev:.1f}"
    assert count >= min_colours, f"{png.name} looks blank: {count} colour(s)"


def save_docs_screenshot(source: Path, name: str) -> None:
    """With COURSE_DOCS_SCREENSHOTS=1, refresh docs/NAME as a small palette PNG (for the README)."""
    if os.environ.get("COURSE_DOCS_SCREENSHOTS") != "1":
        return
    from PIL import Image

    DOCS.mkdir(exist_ok=True)
    with Image.open(source) as image:
        small = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
        small.save(DOCS / name, optimize=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    """Poll ``url`` until it answers 200; fail early (with the server's log) if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"no answer from {url} after {timeout:.0f} s")


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a reused id owned by someone else: not ours
        return False
    return True


def _start_time(pid: int) -> str | None:
    """The process's start time (field 22 of /proc/PID/stat), which tells a process from a reused
    pid; None when it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] == "Z" else fields[19]  # a zombie has already stopped


def descendants(pid: int) -> list[tuple[int, str]]:
    """Every process below ``pid``, as (pid, start time), from Linux's /proc. Kernels are in here
    although they leave the server's process group (jupyter_client starts each in its own session)."""
    found: list[tuple[int, str]] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            for child in children:
                started = _start_time(child)
                if started is not None:
                    found.append((child, started))
                    todo.append(child)
    return found


def stop_process_tree(proc: subprocess.Popen[bytes], grace: float = 20) -> None:
    """Stop a server started with ``start_new_session=True``: TERM to its process group (its pid)
    first, so JupyterLab shuts its kernels down cleanly; then KILL, by process id, whatever of
    the group or of the processes it started (kernels, notebook workers) is still running."""
    tree = descendants(proc.pid)
    pgid = proc.pid
    if _group_alive(pgid):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and (proc.poll() is None or _group_alive(pgid) or _any_alive(tree)):
        time.sleep(0.2)
    if _group_alive(pgid):
        os.killpg(pgid, signal.SIGKILL)
    for pid, started in tree:
        if _start_time(pid) == started:
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _any_alive(tree: list[tuple[int, str]]) -> bool:
    return any(_start_time(pid) == started for pid, started in tree)
