"""The store's Accounting channel form in Chromium against a real ``ledgerlink serve`` stack
and the sandbox: from Edit connection to the form, the channel name, the account nominal code
picked from Xero's bank accounts, the workspace's Xero app, Add Products to Xero off and Create
Nonexistent Products on; saved and shown again. Then a paid order naming a product Xero lacks,
pushed over REST, reaches Xero with its item made and its payment recorded into that account.
The page passes axe, and no request leaves loopback."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.engine.conftest import CUSTOM_CLIENT, CUSTOM_SECRET
from tests.web.checks import LoopbackGuard, check_accessibility
from tests.web.conftest import Shoot
from tests.web.stack import LiveStack
from tests.web.test_dashboard_flow import SYNCING_MS, live_count, menu, pushed
from tests.web.test_dashboard_signin import owner, sign_in, turn_on_two_factor
from xero_sandbox.seed import DEMO_TENANT

ORDER = {
    "source_id": "shop-5001",
    "number": "WEB-5001",
    "customer": {"key": "cust-9", "name": "Harbour Cafe"},
    "date": "2026-03-04",
    "status": "paid",
    "amounts_are": "inclusive",
    "lines": [
        {
            "item_code": "MUG-RED",
            "product_name": "Red mug",
            "description": "Red mug, 350 ml",
            "quantity": "2",
            "unit_amount": "12.50",
            "account_code": "200",
        },
        {"charge": "shipping", "description": "Shipping", "unit_amount": "7.00"},
    ],
    "payments": [{"amount": "32.00", "date": "2026-03-04", "reference": "ch_3Nx"}],
}


def test_the_store_form_sets_up_the_channel_and_a_paid_order_reaches_xero(
    stack: LiveStack, page: Page, loopback: LoopbackGuard, shoot: Shoot
) -> None:
    workspace = owner(stack, "sam@example.com")
    connection = stack.connect(workspace)
    sign_in(page, stack, "sam@example.com")
    turn_on_two_factor(page, stack)  # a Xero app's credentials need it

    page.goto(f"{stack.url}/connections/{connection}/edit")
    page.get_by_role("button", name="Synchronize").click()
    expect(page.get_by_text("Synchronized: Xero's lists are up to date.")).to_be_visible()
    page.get_by_role("link", name="Accounting channel (store)").click()
    expect(page.get_by_role("heading", name="Accounting channel: Xero")).to_be_visible()
    check_accessibility(page)

    page.get_by_label("Channel Name").fill("Harbour web shop")
    nominal = page.get_by_label("Account Nominal Code")
    nominal.select_option(label="090 · Business Bank Account")
    page.get_by_label("Shipping account").select_option(label="260 · Other Revenue")
    # the Xero app the organisation was connected with (its custom connection's)
    page.get_by_label("Client ID").fill(CUSTOM_CLIENT)
    page.get_by_label("Client Secret").fill(CUSTOM_SECRET)
    page.get_by_label("Add Products to Xero").uncheck()
    page.get_by_label("Create Nonexistent Products").check()
    expect(page.get_by_role("checkbox", name="Is Active")).to_be_checked()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label("Channel Name")).to_have_value("Harbour web shop")
    expect(nominal).to_have_value("090")
    expect(page.get_by_label("Client ID")).to_have_value(CUSTOM_CLIENT)
    expect(page.get_by_label("Client Secret")).to_have_value("")
    expect(page.get_by_text("stored: empty keeps it")).to_be_visible()
    expect(page.get_by_label("Add Products to Xero")).not_to_be_checked()
    expect(page.get_by_label("Create Nonexistent Products")).to_be_checked()
    check_accessibility(page)
    shoot(page, "store-form", full_page=True)

    pushed(stack, workspace.key, "order", [ORDER])
    menu(page, "Sync queue")
    # the order, the product it brought and its payment
    expect(live_count(page, "done")).to_have_text("3", timeout=SYNCING_MS)

    org = stack.sandbox.state.orgs[DEMO_TENANT]
    [item] = [i for i in org.items.values() if i["Code"] == "MUG-RED"]
    assert item["Name"] == "Red mug" and item["SalesDetails"]["AccountCode"] == "200"
    [invoice] = [r for r in org.invoices.values() if r.get("InvoiceNumber") == "WEB-5001"]
    assert invoice["Status"] == "PAID"
    shipping = [x for x in invoice["LineItems"] if x.get("Description") == "Shipping"]
    assert shipping[0]["AccountCode"] == "260"
    [paid] = [p for p in org.payments.values() if p.get("_document") == invoice["InvoiceID"]]
    assert paid["Account"]["Code"] == "090"
