"""A bookkeeper's day in the dashboard, in Chromium against a real ``ledgerlink serve`` stack
and the sandbox: connect the organisation through Xero's consent page, set it up on Edit
connection (a branch, the next invoice number, default accounts picked from Xero's lists),
see documents pushed over REST synced with their Xero stamp and follow one to Xero's page; on
the sync queue, follow a held one's fix to the mapping that fixes it, retry it and watch it
sync, and dismiss another; create a sync job and watch it finish; make, use and revoke an API
key. Every page of ours passes axe, and no request leaves loopback.

What to wait for is always something the page shows (the queue's live counts, a job's live
state), with Playwright's ``expect``: nothing here sleeps or reads the clock.
"""

from __future__ import annotations

import re
from typing import Any

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

SYNCING_MS = 30_000  # how long documents or a job may take to reach Xero's sandbox and back
CONTACT = {"key": "client-7", "name": "Bayside Club", "email": "accounts@bayside.example"}
SUPPLIER = {"key": "supp-3", "name": "Office Supplies Co"}


def invoice(source_id: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": source_id,
        "contact": CONTACT,
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "status": "sent",
        "reference": f"Job {source_id}",
        "lines": [
            {"description": "Design", "quantity": "2", "unit_amount": "150.00"},
            {"description": "Printing", "quantity": "1", "unit_amount": "80.50"},
        ],
    }
    data.update(changes)
    return data


def pushed(stack: LiveStack, key: str, kind: str, documents: list[dict[str, Any]]) -> None:
    reply = stack.rest(key).post(f"/documents/{kind}/bulk", json=documents)
    assert reply.status_code == 200, reply.text
    assert reply.json()["counts"] == {"created": len(documents)}, reply.text


def menu(page: Page, label: str) -> None:
    """Follow a link of the main navigation."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label).click()


def live_count(page: Page, state: str) -> Any:
    """The queue page's live count of one state (it refreshes itself)."""
    return page.get_by_role("list", name="Items by state").locator(f"[data-state='{state}']")


def test_set_up_sync_fix_a_held_document_run_a_job_and_revoke_a_key(
    stack: LiveStack, page: Page, loopback: LoopbackGuard, shoot: Shoot
) -> None:
    workspace = owner(stack, "eve@example.com")
    sign_in(page, stack, "eve@example.com")
    turn_on_two_factor(page, stack, shoot)
    connection = connect_through_consent(page, stack)

    # Edit connection: read Xero's lists, then a branch, the next invoice number and the
    # default accounts picked from them; what was saved is shown again.
    check_accessibility(page)
    page.get_by_role("button", name="Synchronize").click()
    expect(page.get_by_text("Synchronized: Xero's lists are up to date.")).to_be_visible()
    page.get_by_label("Branches this organisation serves").fill("North")
    page.get_by_label("Next number").fill("1042")
    revenue = page.get_by_label("Revenue account (sales)")
    revenue.select_option(label="260 · Other Revenue")
    expense = page.get_by_label("Expense account (purchases)")
    expense.select_option(label="429 · General Expenses")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page).to_have_url(f"{stack.url}/connections/{connection}/edit?said=saved")
    expect(page.get_by_label("Branches this organisation serves")).to_have_value("North")
    expect(page.get_by_label("Next number")).to_have_value("1042")
    expect(revenue).to_have_value("260")
    expect(expense).to_have_value("429")
    # What fits only: the demo organisation's active revenue accounts, no expense, archived,
    # bank or system account.
    offered = revenue.locator("option").all_inner_texts()
    assert offered == ["None", "200 · Sales", "260 · Other Revenue", "270 · Interest Income"]
    check_accessibility(page)
    shoot(page, "connection-edit", full_page=True)

    # The source app pushes over REST: two invoices and a bill that go, an invoice whose line
    # names an archived account, and a purchase order of a stock item whose Xero item posts
    # to its inventory (asset) account, where a purchase order line cannot go.
    invoices = [
        invoice("job-101", branch="North"),  # no number: the sequence gives it 1042
        invoice("job-102", number="ST-2002"),
        invoice(
            "job-103",
            number="ST-2003",
            lines=[
                {
                    "description": "Flyers",
                    "quantity": "1",
                    "unit_amount": "60",
                    "account_code": "499",
                }
            ],
        ),
    ]
    pushed(stack, workspace.key, "invoice", invoices)
    bill = {
        "source_id": "bill-201",
        "supplier": SUPPLIER,
        "reference": "OS-7781",
        "date": "2026-03-05",
        "due_date": "2026-04-05",
        "status": "approved",
        "lines": [{"description": "Paper", "quantity": "10", "unit_amount": "4.95"}],
    }
    pushed(stack, workspace.key, "expense", [bill])
    order = {
        "source_id": "po-301",
        "number": "PO-301",
        "supplier": SUPPLIER,
        "date": "2026-03-06",
        "status": "approved",
        "lines": [
            {
                "item_code": "WIDGET-BLUE",
                "description": "Blue widgets",
                "quantity": "10",
                "unit_amount": "12.50",
            }
        ],
    }
    pushed(stack, workspace.key, "purchase_order", [order])

    # The sync queue's live counts: three sent, two held.
    menu(page, "Sync queue")
    expect(live_count(page, "done")).to_have_text("3", timeout=SYNCING_MS)
    expect(live_count(page, "needs_attention")).to_have_text("2", timeout=SYNCING_MS)

    # Documents: each one sent carries the blue Xero stamp; follow one to Xero's page.
    menu(page, "Documents")
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    stamp = page.get_by_role("link", name="View 1042 in Xero")
    expect(stamp).to_have_class("stamp")
    expect(page.get_by_role("link", name="View ST-2002 in Xero")).to_be_visible()
    check_accessibility(page)
    shoot(page, "documents", full_page=True)
    page.get_by_role("link", name="invoice job-101").click()
    expect(page.get_by_role("heading", name="Invoice job-101")).to_be_visible()
    expect(page.get_by_text("AUTHORISED (the app reads sent)")).to_be_visible()
    check_accessibility(page)
    shoot(page, "document", full_page=True)
    page.get_by_role("link", name="Xero 1042").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Invoice 1042"))).to_be_visible()
    assert page.url.startswith(stack.sandbox_url), page.url
    expect(page.get_by_text("Bayside Club")).to_be_visible()
    lines = page.get_by_role("row").filter(has_text="Design")
    expect(lines.get_by_role("cell", name="260", exact=True)).to_be_visible()  # the default

    # The held purchase order: its code, field, sentence and fix, and the way to the mapping.
    page.goto(f"{stack.url}/queue?connection={connection}&state=needs_attention")
    held = page.get_by_role("row").filter(has_text="purchase order po-301")
    expect(held.get_by_text("XERO_ACCOUNT_CODE_INVALID")).to_be_visible()
    expect(held.locator("code")).to_have_text("lines[0].account_code")
    expect(held.get_by_text("'630' (Inventory, from the Xero item's details)")).to_be_visible()
    expect(held.get_by_text(re.compile(r"^Fix: "))).to_be_visible()
    expect(held.get_by_text("Line 1 is item 'WIDGET-BLUE'")).to_be_visible()
    check_accessibility(page)
    shoot(page, "queue-held", full_page=True)
    held.get_by_role("link", name="Mappings: item WIDGET-BLUE").click()

    # Mappings: the purchase override of the item, its account picked from Xero's list.
    expect(page.get_by_role("heading", name="Mappings")).to_be_visible()
    check_accessibility(page)
    form = page.get_by_role("form", name="Add or change a purchase item override")
    form.get_by_label("Item code").fill("WIDGET-BLUE")
    form.get_by_label("Account").select_option(label="310 · Cost of Goods Sold")
    form.get_by_role("button", name="Save purchase override").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    overrides = page.get_by_role("table", name="Purchase items (bills, purchase orders)")
    expect(overrides.get_by_role("row").filter(has_text="WIDGET-BLUE")).to_contain_text("310")
    check_accessibility(page)
    shoot(page, "mappings", full_page=True)

    # Back on the queue: Retry, and the live counts show it sent.
    menu(page, "Sync queue")
    page.get_by_role("button", name="Retry po-301").click()
    expect(page.get_by_role("status")).to_have_text("Queued again: the worker sends it now.")
    expect(live_count(page, "done")).to_have_text("4", timeout=SYNCING_MS)
    expect(live_count(page, "needs_attention")).to_have_text("1")
    page.reload()
    sent = page.get_by_role("row").filter(has_text="purchase order po-301")
    expect(sent.get_by_text("Done", exact=True)).to_be_visible()

    # Dismiss the invoice on the archived account: kept, shown as dismissed, never sent.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Dismiss job-103").click()
    expect(page.get_by_role("status")).to_have_text("Dismissed: it stays listed and is never sent.")
    dismissed = page.get_by_role("row").filter(has_text="invoice job-103")
    expect(dismissed.get_by_text("Dismissed", exact=True)).to_be_visible()
    expect(dismissed.get_by_text("Dismissed: kept here, never sent.")).to_be_visible()
    expect(live_count(page, "dismissed")).to_have_text("1")
    expect(live_count(page, "needs_attention")).to_have_text("0")
    check_accessibility(page)

    # Sync jobs: Sync now, and its page follows it until it has finished.
    menu(page, "Sync jobs")
    check_accessibility(page)
    page.get_by_role("radio", name="Sync now").check()
    page.get_by_role("button", name="Create job").click()
    expect(page.get_by_role("status")).to_have_text("The job has started.")
    expect(page.locator("#job-state")).to_have_text("finished", timeout=SYNCING_MS)
    check_accessibility(page)
    shoot(page, "job", full_page=True)
    page.get_by_role("link", name="All sync jobs").click()
    runs = page.get_by_role("row").filter(has_text="Sync now")
    expect(runs.get_by_text("finished")).to_be_visible()
    check_accessibility(page)
    shoot(page, "jobs", full_page=True)

    # Developers: a new key, shown once, works over REST until it is revoked on the page.
    menu(page, "Developers")
    page.get_by_label("New key's name").fill("billing app")
    page.get_by_role("button", name="Create API key").click()
    expect(page.get_by_role("heading", name="API key created")).to_be_visible()
    check_accessibility(page)
    key = page.locator("#shown-once").inner_text().strip()
    assert stack.rest(key).get("/documents").status_code == 200
    page.get_by_role("link", name="Back to Developers").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile(r"^Revoke billing app")).click()
    expect(page.get_by_role("status")).to_have_text(
        "The API key is revoked: requests with it are refused from now on."
    )
    refused = stack.rest(key).get("/documents")
    assert refused.status_code == 401, refused.text
    assert refused.json()["error"]["code"] == "AUTH_INVALID"
    check_accessibility(page)
    shoot(page, "developers", full_page=True)

    # People: the members, and an invitation for a bookkeeper who only reads.
    menu(page, "People")
    page.get_by_label("Email").fill("finn@example.com")
    page.get_by_label("Role", exact=True).select_option("viewer")
    page.get_by_role("button", name="Make an invitation link").click()
    expect(page.get_by_role("heading", name="Invitation made")).to_be_visible()
    expect(page.get_by_text("finn@example.com as viewer")).to_be_visible()
    check_accessibility(page)
    shoot(page, "people", full_page=True)
    loopback.check()
