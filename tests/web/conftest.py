"""Fixtures for the browser tests (every test under tests/web is marked ``browser``).

- ``stack`` (module): the sandbox and a real engine server on loopback (``stack.LiveStack``).
- ``browser`` (session): Debian's headless Chromium driven by Playwright, launched once.
- ``context`` / ``page`` (test): a fresh browser context and a page in it, watched by the
  loopback guard; ``new_context(**options)`` makes more (another person, a phone's width).
- ``loopback`` (test): the guard itself; it is checked after each test, and a test may call
  ``loopback.check()`` sooner.
- ``shoot(page, name)``: a screenshot (``checks.take_screenshot``).

Without Chromium the browser tests skip, saying why, except on CI (``CI=true``), where they
fail: CI installs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.web.checks import (
    CHROMIUM,
    LoopbackGuard,
    chromium_problem,
    on_ci,
    screenshots_folder,
    take_screenshot,
)
from tests.web.stack import LiveStack, live_stack

HERE = Path(__file__).parent
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000  # how long a Playwright action or wait may take before it fails

NewContext = Callable[..., BrowserContext]
Shoot = Callable[..., Path]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Kept on the item so that ``page`` can save a picture of a test that failed.
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    with live_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    problem = chromium_problem()
    if problem is not None:
        if on_ci():
            pytest.fail(f"CI=true and {problem}", pytrace=False)
        pytest.skip(problem)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
    )
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture
def loopback() -> LoopbackGuard:
    return LoopbackGuard()


@pytest.fixture
def new_context(browser: Browser, loopback: LoopbackGuard) -> Iterator[NewContext]:
    """Make a browser context (Playwright's ``new_context`` options override the defaults), its
    requests recorded by the loopback guard; all are closed after the test, then the guard is
    checked."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        settings: dict[str, Any] = {
            "viewport": VIEWPORT,
            "locale": "en-GB",
            "timezone_id": "UTC",
            "color_scheme": "light",
            "reduced_motion": "reduce",
            **options,
        }
        context = browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        loopback.watch(context)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
    loopback.check()


@pytest.fixture
def context(new_context: NewContext) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Page]:
    opened = context.new_page()
    yield opened
    if request.node.stash.get(_FAILED, False) and not opened.is_closed():
        path = take_screenshot(opened, "failed", tmp_path, full_page=True)
        print(f"screenshot of the failed test's page: {path}")


@pytest.fixture(scope="session")
def shoot(tmp_path_factory: pytest.TempPathFactory) -> Shoot:
    """``shoot(page, name, full_page=False)``: the page as ``<name>.png`` in docs/screenshots
    when LEDGERLINK_SCREENSHOTS=1, else in a temporary folder; returns the file's path."""
    folder = screenshots_folder(tmp_path_factory.mktemp("screenshots"))

    def shoot(page: Page, name: str, *, full_page: bool = False) -> Path:
        return take_screenshot(page, name, folder, full_page=full_page)

    return shoot
