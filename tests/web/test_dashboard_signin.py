"""A person's first minutes in the dashboard, in Chromium against a real ``ledgerlink serve``
stack and the sandbox: sign in, be refused connecting without two-factor, turn it on by reading
the key beside the QR code and typing the app's code, connect the organisation through Xero's
consent page (Allow access) and land on its settings; each page passes axe."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
from playwright.sync_api import Page, expect

from ledgerlink.store import accounts
from ledgerlink.store.db import transaction
from tests.web.checks import LoopbackGuard, check_accessibility
from tests.web.conftest import NewContext, Shoot
from tests.web.stack import LiveStack, Workspace

PASSWORD = "a long and memorable passphrase"
EDIT_AFTER_CONNECT = re.compile(r"/connections/([0-9a-f-]+)/edit\?said=connected$")


def owner(stack: LiveStack, email: str, role: str = "owner") -> Workspace:
    """A workspace with a person in it (as ``ledgerlink admin create-user`` makes them); the
    workspace, with its first API key for the REST API."""
    workspace = stack.workspace(f"Workspace of {email}")
    with transaction(stack.engine.factory) as session:
        user = accounts.create_user(session, email, PASSWORD, "Test person")
        accounts.add_member(session, workspace.id, user.id, role)
    return workspace


def sign_in(page: Page, stack: LiveStack, email: str) -> None:
    page.goto(stack.url + "/")
    expect(page).to_have_url(stack.url + "/signin?next=%2F")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def turn_on_two_factor(page: Page, stack: LiveStack, shoot: Shoot | None = None) -> str:
    """Through the account page; the secret read off the page, as a person types it into an
    authenticator app; the secret. With ``shoot``, the QR code's page is photographed."""
    page.goto(stack.url + "/account")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    qr = page.get_by_role("img", name="QR code")
    expect(qr).to_be_visible()
    expect(qr).not_to_have_js_property("naturalWidth", 0)  # drawn, not its alt text
    if shoot is not None:
        check_accessibility(page)
        shoot(page, "two-factor")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    return secret


def connect_through_consent(page: Page, stack: LiveStack) -> str:
    """Connect on the home page, Allow access on Xero's consent page (the sandbox's), land on
    the new connection's settings; its id."""
    page.goto(stack.url + "/")
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_role("button", name="Allow access")).to_be_visible()
    page.get_by_role("button", name="Allow access").click()
    expect(page).to_have_url(EDIT_AFTER_CONNECT)
    expect(page.get_by_text("Connected to Xero")).to_be_visible()
    found = EDIT_AFTER_CONNECT.search(page.url)
    assert found is not None
    return found.group(1)


def test_sign_in_two_factor_and_connect_through_xero_consent(
    stack: LiveStack, page: Page, loopback: LoopbackGuard, shoot: Shoot
) -> None:
    owner(stack, "ana@example.com")
    sign_in(page, stack, "ana@example.com")
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()
    check_accessibility(page)
    shoot(page, "connections-empty")

    # No two-factor yet: the page says so, and Connect is refused with the way out.
    expect(page.get_by_text("Connecting needs two-factor sign-in")).to_be_visible()
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_text("TWO_FACTOR_REQUIRED")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Turn on two-factor sign-in").click()

    turn_on_two_factor(page, stack)
    check_accessibility(page)
    # Xero's consent page (the sandbox's): Allow access, then straight to the settings.
    connect_through_consent(page, stack)
    page.goto(stack.url + "/")
    tile = page.get_by_role("article").filter(has_text="Edit connection")
    expect(tile).to_have_count(1)
    expect(tile.get_by_text("Connected", exact=True)).to_be_visible()
    check_accessibility(page)
    shoot(page, "connections", full_page=True)
    loopback.check()


def test_signing_in_again_asks_for_a_new_code_and_refuses_a_used_one(
    stack: LiveStack, new_context: NewContext
) -> None:
    owner(stack, "bo@example.com")
    first = new_context().new_page()
    sign_in(first, stack, "bo@example.com")
    secret = turn_on_two_factor(first, stack)

    later = new_context().new_page()
    sign_in(later, stack, "bo@example.com")
    expect(later.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    used = pyotp.TOTP(secret).now()  # the one that turned it on, a moment ago
    later.get_by_label("Code").fill(used)
    later.get_by_role("button", name="Continue").click()
    expect(later.get_by_text("TOTP_INVALID")).to_be_visible()
    check_accessibility(later)
    fresh = pyotp.TOTP(secret).at(datetime.now(UTC), counter_offset=1)
    later.get_by_label("Code").fill(fresh)
    later.get_by_role("button", name="Continue").click()
    expect(later.get_by_role("heading", name="Integrations")).to_be_visible()


def test_pages_fit_a_phone(stack: LiveStack, new_context: NewContext, shoot: Shoot) -> None:
    """Every page at a phone's width: nothing makes the page scroll sideways (a wide table
    scrolls inside its own box), and each passes axe."""
    workspace = owner(stack, "cy@example.com")
    connection = stack.connect(workspace)
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, stack, "cy@example.com")
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()
    shoot(page, "connections-phone")
    for path in (
        "/",
        f"/connections/{connection}/edit",
        f"/mappings?connection={connection}",
        "/queue",
        "/jobs",
        "/documents",
        "/developers",
        "/people",
        "/account",
    ):
        page.goto(stack.url + path)
        wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not wide, f"{path} scrolls sideways at phone width"
        check_accessibility(page)


def test_signing_in_by_keyboard_alone(stack: LiveStack, page: Page) -> None:
    owner(stack, "dee@example.com")
    page.goto(stack.url + "/signin")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(3):
        if page.evaluate("document.activeElement.id") == "email":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type("dee@example.com")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()
