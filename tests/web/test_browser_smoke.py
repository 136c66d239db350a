"""The first browser test: Chromium opens the engine's API docs (Swagger UI, whose script and
styles come from the fastapi-offline package on this server, no CDN) without a request
leaving loopback.

No axe check here: the page's markup is Swagger UI's, not ours.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.checks import LoopbackGuard
from tests.web.conftest import Shoot
from tests.web.stack import LiveStack


def test_the_api_docs_page_loads_from_this_server_alone(
    stack: LiveStack, page: Page, loopback: LoopbackGuard, shoot: Shoot
) -> None:
    with page.expect_response(f"{stack.url}/openapi.json") as spec:
        page.goto(f"{stack.url}/api/v1/docs")

    assert spec.value.ok
    expect(page).to_have_title("ledgerlink API")
    expect(page.locator("#swagger-ui .swagger-ui")).to_be_attached()  # Swagger UI started
    assets = [u for u in loopback.requested if "/api/v1/docs/assets/" in u]
    assert any(u.endswith("/swagger-ui-bundle.js") for u in assets), loopback.requested
    assert any(u.endswith("/swagger-ui.css") for u in assets), loopback.requested
    loopback.check()
    shoot(page, "api-docs")


def test_the_api_docs_page_lists_the_operations(stack: LiveStack, page: Page) -> None:
    page.goto(f"{stack.url}/api/v1/docs")
    refused = page.get_by_text("Unable to render this definition")
    operation = page.locator(".opblock").first
    expect(refused.or_(operation)).to_be_visible()  # whichever Swagger UI shows

    assert not refused.is_visible(), page.locator(".swagger-ui").inner_text()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ledgerlink")
