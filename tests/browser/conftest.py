"""Fixtures of the real-browser tests: Debian's Chromium driven by the `playwright` package
(the helpers, and why the system Chromium, are in browser_support.py).

Screenshots go to a temporary folder, or to ``COURSE_SCREENSHOTS`` when set (CI can keep them
as artifacts).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from browser_support import CHROMIUM_ARGS, VIEWPORT, chromium_path


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """One Playwright driver process for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - it is in the `test` extra
        pytest.fail("The `playwright` package is missing: run `make install` (it is in the test extra).", pytrace=False)
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture
def browser_context(playwright_driver: Any, tmp_path: Path) -> Iterator[Any]:
    """A fresh Chromium profile (its own user-data folder) for one test, closed afterwards."""
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),
        executable_path=chromium_path(),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=VIEWPORT,
    )
    context.set_default_timeout(30_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("COURSE_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
