"""Edit connection's tabs in Chromium against a real stack: switch tabs by the nav's links (one
by keyboard alone), choose Sync inventory on Items and "Awaiting payment (approved)" on
Vendors, save each (the page comes back to its tab with the notice), and see both stick, on
the pages and over REST, neither save undoing the other; every tab fits a phone's width without
scrolling sideways; the tabs pass axe; no request leaves loopback. With LEDGERLINK_SCREENSHOTS=1
the Items and Vendors tabs are photographed into docs/screenshots."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.checks import LoopbackGuard, check_accessibility
from tests.web.conftest import Shoot
from tests.web.stack import LiveStack
from tests.web.test_dashboard_signin import (
    connect_through_consent,
    owner,
    sign_in,
    turn_on_two_factor,
)

TABS = ("Items", "Customers", "Invoices", "Vendors", "Company", "Schedule", "All settings")


def _on_tab(page: Page, label: str) -> None:
    current = page.get_by_role("navigation", name="Settings").locator('[aria-current="page"]')
    expect(current).to_have_text(label)


def test_switch_tabs_choose_inventory_and_bill_approval_and_they_stick(
    stack: LiveStack, page: Page, loopback: LoopbackGuard, shoot: Shoot
) -> None:
    workspace = owner(stack, "tab@example.com")
    sign_in(page, stack, "tab@example.com")
    turn_on_two_factor(page, stack)
    cid = connect_through_consent(page, stack)
    page.get_by_role("button", name="Synchronize").click()
    expect(page.get_by_text("Synchronized: Xero's lists are up to date.")).to_be_visible()
    _on_tab(page, "All settings")  # where Connect lands: the whole form, as before
    nav = page.get_by_role("navigation", name="Settings")
    for label in TABS:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()

    # Items: the inventory app's three choices; Sync inventory saved, back on Items
    nav.get_by_role("link", name="Items", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/connections/{cid}/edit\?tab=items$"))
    _on_tab(page, "Items")
    expect(page.get_by_label("Send documents to this organisation")).to_have_count(0)  # Company's
    inventory = page.get_by_role("group", name="Inventory mode")
    expect(inventory.get_by_label("Do not sync inventory")).to_be_checked()
    inventory.get_by_label("Sync inventory", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page).to_have_url(re.compile(r"\?tab=items&said=saved$"))
    _on_tab(page, "Items")
    expect(inventory.get_by_label("Sync inventory", exact=True)).to_be_checked()
    check_accessibility(page)
    shoot(page, "connection-edit-items", full_page=True)

    # Vendors, reached by keyboard: focus its link, press Enter
    nav.get_by_role("link", name="Vendors", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?tab=vendors$"))
    _on_tab(page, "Vendors")
    approval = page.get_by_role("group", name="Approved expenses go to Xero as")
    default = approval.get_by_label("Awaiting payment only with Sync inventory (default)")
    expect(default).to_be_checked()
    approval.get_by_label("Awaiting payment (approved)").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    _on_tab(page, "Vendors")
    expect(approval.get_by_label("Awaiting payment (approved)")).to_be_checked()
    check_accessibility(page)
    shoot(page, "connection-edit-vendors", full_page=True)

    # both stick: on a fresh load of each tab, and as stored
    nav.get_by_role("link", name="Items", exact=True).click()
    expect(inventory.get_by_label("Sync inventory", exact=True)).to_be_checked()
    page.goto(stack.url + f"/connections/{cid}/edit?tab=vendors")
    expect(approval.get_by_label("Awaiting payment (approved)")).to_be_checked()
    reply = stack.rest(workspace.key).get(f"/connections/{cid}")
    assert reply.status_code == 200, reply.text
    settings = reply.json()["settings"]
    assert (settings["inventory_mode"], settings["approve_bills"]) == ("tracked", True)
    assert settings["active"] is True  # Company's switch, on neither form, untouched

    # a phone's width: the nav wraps, no tab scrolls sideways, each passes axe
    page.set_viewport_size({"width": 390, "height": 844})
    for label in TABS:
        page.get_by_role("navigation", name="Settings").get_by_role(
            "link", name=label, exact=True
        ).click()
        _on_tab(page, label)
        wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not wide, f"{label} scrolls sideways at phone width"
        check_accessibility(page)
    loopback.check()
