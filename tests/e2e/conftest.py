"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One headless browser per test session (per xdist worker), a fresh context (cookies,
storage) per test. Without Chromium the tests are skipped, except on CI (``CI=true``),
where a missing browser is a failure: the suite must not pass by skipping its browser tests.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would then refuse
# ORM calls from that thread ("async-unsafe"). The test thread only prepares data and
# never runs concurrently with the loop's callbacks, so the check is turned off.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("TERGEU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Milliseconds a single Playwright action or expectation may wait.
TIMEOUT_MS = 15_000

HERE = Path(__file__).resolve().parent


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests of this folder ``e2e`` and run them last.

    While the session's browser is open its event loop is the running loop of the main
    thread; running the browser tests after the others keeps that away from them.
    """
    e2e, others = [], []
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            e2e.append(item)
        else:
            others.append(item)
    items[:] = others + e2e


def _missing_browser(reason: str) -> None:
    if _on_ci():
        pytest.fail(f"{reason}; CI=true requires the browser tests to run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _catalogues() -> None:
    """Compile the .po catalogues before the server renders a page.

    xdist workers compile at the same time; a lock keeps one from reading a half-written
    .mo file of the other.
    """
    from tergeu.web.translations import compile_catalogues

    lock = Path(tempfile.gettempdir()) / "tergeu-compile-catalogues.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            compile_catalogues()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def browser(_catalogues: None) -> Iterator[Any]:
    """Headless Debian Chromium for the whole session (one per xdist worker)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing_browser(
            f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set TERGEU_CHROMIUM)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        _missing_browser("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, speaking English by default."""
    ctx = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": 1280, "height": 900},
        timezone_id="Asia/Almaty",
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Any, str], None]:
    """``shot(page, name)`` keeps a full-page screenshot when TERGEU_E2E_SCREENSHOTS names a
    directory (for looking at the UI; nothing is written otherwise)."""
    folder = os.environ.get("TERGEU_E2E_SCREENSHOTS", "")

    def take(page: Any, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    """A page of the test's context; Playwright's expectations wait up to TIMEOUT_MS."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    pg = context.new_page()
    yield pg
    pg.close()
