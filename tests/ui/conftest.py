"""Browser fixtures: Debian's chromium driven by Playwright, against a real running server.

No `playwright install`: the browser is the system's (`make install` adds it as root).
Without one the tests skip, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.servers import IN_CI, RunningServer, ThreadServer, make_settings

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("WAYPOST_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        message = "no chromium found (apt-get install chromium; `make install` does it as root)"
        if IN_CI:
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("CI=true: playwright is not installed (pip install -e '.[dev]')")
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)  # a loaded 2-core machine: live updates may lag
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=path,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A real server (HTTP + SMTP) on SQLite for the browser tests of one module."""
    srv = ThreadServer(make_settings(tmp_path_factory.mktemp("ui-data"))).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def shot(tmp_path: Path) -> Callable[[object, str], Path]:
    """Saves a screenshot: into docs/screenshots/ with WAYPOST_SCREENSHOTS=1, else tmp_path."""

    def take(page: object, name: str) -> Path:
        folder = SCREENSHOTS if os.environ.get("WAYPOST_SCREENSHOTS") == "1" else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{name}.png"
        page.screenshot(path=str(target), full_page=False)  # type: ignore[attr-defined]
        return target

    return take
