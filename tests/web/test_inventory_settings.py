"""Edit connection, Inventory, in Chromium against a real stack: the inventory app's three
choices as radio buttons, Post valuation entries refused until its inventory asset account is
chosen (the error next to that dropdown), then saved with accounts picked from Xero's fitting
ones (never Xero's INVENTORY account); a stock movement pushed over REST then posts its
journal. The page passes axe; no request leaves loopback."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.checks import LoopbackGuard, check_accessibility
from tests.web.conftest import Shoot
from tests.web.stack import LiveStack
from tests.web.test_dashboard_flow import SYNCING_MS, live_count, menu, pushed
from tests.web.test_dashboard_signin import (
    connect_through_consent,
    owner,
    sign_in,
    turn_on_two_factor,
)


def test_choose_post_valuation_entries_and_its_accounts(
    stack: LiveStack, page: Page, loopback: LoopbackGuard, shoot: Shoot
) -> None:
    workspace = owner(stack, "ivy@example.com")
    sign_in(page, stack, "ivy@example.com")
    turn_on_two_factor(page, stack)
    connect_through_consent(page, stack)
    page.get_by_role("button", name="Synchronize").click()
    expect(page.get_by_text("Synchronized: Xero's lists are up to date.")).to_be_visible()

    inventory = page.get_by_role("group", name="Inventory mode")
    expect(inventory.get_by_label("Do not sync inventory")).to_be_checked()
    inventory.get_by_label("Post valuation entries").check()
    page.get_by_label("Cost of goods sold account", exact=True).select_option(
        label="310 · Cost of Goods Sold"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#inventory_asset_account-error")).to_contain_text(
        "inventory asset account"
    )
    expect(inventory.get_by_label("Post valuation entries")).to_be_checked()  # kept

    asset = page.get_by_label("Inventory asset account (a current asset)")
    offered = asset.locator("option").all_inner_texts()
    assert "620 · Prepayments" in offered
    assert not [o for o in offered if o.startswith(("630", "610", "090"))]
    asset.select_option(label="620 · Prepayments")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(inventory.get_by_label("Post valuation entries")).to_be_checked()
    expect(asset).to_have_value("620")
    expect(page.get_by_label("Cost of goods sold account", exact=True)).to_have_value("310")
    check_accessibility(page)
    shoot(page, "connection-edit-inventory", full_page=True)

    movement = {
        "source_id": "grn-1",
        "type": "receipt",
        "date": "2026-03-10",
        "value": "240.00",
        "item_code": "WIDGET-BLUE",
        "quantity": "12",
    }
    pushed(stack, workspace.key, "stock_movement", [movement])
    menu(page, "Sync queue")
    expect(live_count(page, "done")).to_have_text("1", timeout=SYNCING_MS)
    page.goto(stack.url + "/documents?kind=stock_movement")
    row = page.get_by_role("row").filter(has_text="grn-1")
    expect(row).to_contain_text("POSTED (posted)")  # its journal, in Xero
    loopback.check()
