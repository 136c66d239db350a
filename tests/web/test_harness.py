"""The browser-test harness checks itself: the loopback guard records and blocks a request
(and a WebSocket) off this machine; the accessibility check fails on a page with violations,
passes a clean one, also under a strict Content-Security-Policy, and turns a rule off only
with a reason.

These tests use pages made in the browser (``set_content``) or answered by a route: no server.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, Route

from tests.web.checks import LoopbackGuard, check_accessibility, is_loopback

CLEAN = """<!DOCTYPE html><html lang="en"><head><title>Clean</title></head>
<body><main><h1>Clean</h1><p>Nothing wrong here.</p></main></body></html>"""
NO_ALT = """<!DOCTYPE html><html lang="en"><head><title>Faulty</title></head>
<body><main><h1>Faulty</h1><img id="logo" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
</main></body></html>"""


@pytest.mark.parametrize(
    ("url", "stays"),
    [
        ("http://127.0.0.1:8000/", True),
        ("https://localhost/x", True),
        ("ws://[::1]:9000/live", True),
        ("data:image/png;base64,AAAA", True),
        ("blob:http://127.0.0.1:8000/6f1c", True),
        ("about:blank", True),
        ("http://example.com/", False),
        ("https://127.0.0.1.example.com/", False),
        ("http://localhost@example.com/", False),
        ("http://10.0.0.1/", False),
        ("file:///etc/passwd", False),
        ("chrome://version", False),
    ],
)
def test_what_counts_as_loopback(url: str, stays: bool) -> None:
    assert is_loopback(url) is stays


def test_the_guard_blocks_and_reports_a_request_off_this_machine(browser: Browser) -> None:
    guard = LoopbackGuard()
    context = browser.new_context()
    try:
        guard.watch(context)
        page = context.new_page()
        page.set_content('<img src="http://ledgerlink.invalid/pixel.png" alt="">')
        socket = page.evaluate(
            """() => new Promise(done => {
                const ws = new WebSocket("ws://ledgerlink.invalid/live");
                ws.onclose = event => done(event.code);
            })"""
        )
    finally:
        context.close()

    assert guard.blocked == ["http://ledgerlink.invalid/pixel.png", "ws://ledgerlink.invalid/live"]
    assert guard.offenders() == guard.blocked
    assert socket == 1008
    with pytest.raises(pytest.fail.Exception, match="ledgerlink.invalid/pixel.png"):
        guard.check()


def test_the_accessibility_check_names_each_violation(page: Page) -> None:
    page.set_content(NO_ALT)

    with pytest.raises(pytest.fail.Exception) as failed:
        check_accessibility(page)

    report = str(failed.value)
    assert "image-alt (critical): Images must have alternative text" in report
    assert "#logo" in report


def test_a_clean_page_passes_also_under_a_strict_csp(page: Page) -> None:
    def answer(route: Route) -> None:
        csp = "default-src 'self'; script-src 'self'; style-src 'self'"
        route.fulfill(
            body=CLEAN, content_type="text/html", headers={"Content-Security-Policy": csp}
        )

    page.route("http://127.0.0.1:9/clean", answer)
    page.goto("http://127.0.0.1:9/clean")

    check_accessibility(page)


def test_a_rule_is_turned_off_only_with_a_reason(page: Page) -> None:
    page.set_content(NO_ALT)

    with pytest.raises(ValueError, match="without a reason"):
        check_accessibility(page, disable={"image-alt": " "})
    check_accessibility(page, disable={"image-alt": "the harness's own faulty page"})


def test_the_check_can_be_limited_to_part_of_a_page(page: Page) -> None:
    page.set_content(NO_ALT.replace("<main>", "<main><section id='ok'><p>fine</p></section>"))

    check_accessibility(page, include="#ok")
