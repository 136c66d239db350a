"""Sync inventory (inventory_mode "tracked"): Xero's tracked items move their own quantities and
average cost through the bills, invoices and credit notes that name their item codes. After a
mixed run the sandbox's quantities match the source's, its cost pools are Xero's average cost,
and ledgerlink never wrote an item nor posted a valuation journal. Selling more than Xero has
on hand is held with what to do, and goes once backorders are allowed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ledgerlink.sync import queue
from tests.engine.kinds.conftest import all_done, credit_note, expense, invoice, item_of, org
from tests.engine.kinds.inventory import journals, set_inventory
from tests.engine.kinds.tracked_products import COST, on_hand, trade
from tests.engine.sync.conftest import SyncHarness

ITEMS = COST  # code -> unit cost on the bills


def add_tracked_items(harness: SyncHarness) -> None:
    """Tracked items as a person sets them up in Xero: inventory asset 630, COGS 310."""
    with harness.xero() as xero:
        for code, cost in ITEMS.items():
            body = {
                "Code": code,
                "Name": code.title(),
                "InventoryAssetAccountCode": "630",
                "PurchaseDetails": {"UnitPrice": cost, "COGSAccountCode": "310"},
                "SalesDetails": {"UnitPrice": cost * 2, "AccountCode": "200"},
            }
            reply = xero.put("/Items", body)
            assert reply.status == 200, reply.text
            assert reply.json["Items"][0]["IsTrackedAsInventory"] is True


def _line(code: str, quantity: int, price: Decimal) -> dict[str, Any]:
    return {"item_code": code, "quantity": str(quantity), "unit_amount": f"{price:.2f}"}


def _bill_statuses(harness: SyncHarness) -> list[str]:
    return sorted(r["Status"] for r in harness.invoices() if r["Type"] == "ACCPAY")


def _item(harness: SyncHarness, code: str) -> dict[str, Any]:
    return next(dict(i) for i in org(harness).items.values() if i["Code"] == code)


def _no_item_writes(harness: SyncHarness, since: int) -> None:
    """No item written nor journal posted after the test's own setup (``since`` requests)."""
    writes = [r for r in harness.requests()[since:] if r["method"] != "GET"]
    assert not [r for r in writes if r["path"].startswith(("/Items", "/ManualJournals"))]


def test_a_mixed_run_leaves_xero_holding_the_sources_quantities(harness: SyncHarness) -> None:
    """The items made by a person in Xero (tests/engine/kinds/test_tracked_products.py: sent
    by ledgerlink as products); bills, invoices, an order, credit notes both ways and stock
    movements."""
    set_inventory(harness, {"inventory_mode": "tracked"})
    add_tracked_items(harness)
    setup = len(harness.requests())
    trade(harness, service=False)
    # approved bills go AUTHORISED with tracked inventory: Xero moves stock on those only
    assert _bill_statuses(harness) == ["AUTHORISED"] * 3
    for code, cost in ITEMS.items():
        found = _item(harness, code)
        assert Decimal(str(found["QuantityOnHand"])) == on_hand(code), code
        assert Decimal(str(found["TotalCostPool"])) == on_hand(code) * cost, code  # average cost
    assert journals(harness) == []
    _no_item_writes(harness, setup)
    all_done(harness)


def test_selling_more_than_xero_has_is_held_and_goes_once_backorders_are_allowed(
    harness: SyncHarness,
) -> None:
    set_inventory(harness, {"inventory_mode": "tracked"})
    add_tracked_items(harness)
    setup = len(harness.requests())
    harness.push("invoice", [invoice(1, status="sent", lines=[_line("GIZMO", 3, Decimal(40))])])
    harness.sync()
    held = item_of(harness, "invoice", "inv-1")
    assert (held.state, held.error_code) == ("needs_attention", "INVENTORY_INSUFFICIENT")
    assert "GIZMO" in held.error_message
    assert "settings.inventory_allow_backorders" in held.error_message
    assert [r for r in harness.invoices() if r["Type"] == "ACCREC"] == []

    set_inventory(harness, {"inventory_allow_backorders": True})
    queue.retry_code(
        harness.factory, harness.workspace_id, "INVENTORY_INSUFFICIENT", datetime.now(UTC)
    )
    harness.sync()
    [sale] = [r for r in harness.invoices() if r["Type"] == "ACCREC"]
    assert sale["Status"] == "AUTHORISED"
    assert Decimal(str(_item(harness, "GIZMO")["QuantityOnHand"])) == -3
    _no_item_writes(harness, setup)
    all_done(harness)


def test_returning_more_to_a_supplier_than_xero_has_is_held_with_what_to_do(
    harness: SyncHarness,
) -> None:
    set_inventory(harness, {"inventory_mode": "tracked", "inventory_allow_backorders": True})
    add_tracked_items(harness)
    returned = credit_note(
        1,
        type="supplier",
        status="sent",
        contact={"key": "supplier-1", "name": "Supplier 1"},
        lines=[_line("GADGET", 2, ITEMS["GADGET"])],
    )
    harness.push("credit_note", [returned])
    harness.sync()
    held = item_of(harness, "credit_note", "cn-1")
    assert (held.state, held.error_code, held.error_field) == (
        "needs_attention",
        "INVENTORY_INSUFFICIENT",
        "lines",
    )
    assert "Send the bill that buys the goods first" in held.error_message
    assert [n for n in org(harness).credit_notes.values() if n["Status"] != "DELETED"] == []


def test_approved_expenses_go_approved_as_the_connection_says(harness: SyncHarness) -> None:
    """approve_bills: absent, AUTHORISED only with tracked inventory; false keeps an approved
    expense awaiting approval (SUBMITTED) even then, and a later switch approves it in place."""
    set_inventory(harness, {"inventory_mode": "tracked", "approve_bills": False})
    add_tracked_items(harness)
    harness.push("expense", [expense(1, status="approved", lines=[_line("GADGET", 2, Decimal(8))])])
    harness.sync()
    assert _bill_statuses(harness) == ["SUBMITTED"]
    assert Decimal(str(_item(harness, "GADGET")["QuantityOnHand"])) == 0

    set_inventory(harness, {"approve_bills": True, "inventory_mode": "off"})
    harness.push(
        "expense",
        [
            expense(
                1, status="approved", reference="changed", lines=[_line("GADGET", 2, Decimal(8))]
            )
        ],
    )
    harness.sync()
    assert _bill_statuses(harness) == ["AUTHORISED"]  # the one bill, approved in place
    assert Decimal(str(_item(harness, "GADGET")["QuantityOnHand"])) == 2
    all_done(harness)


def test_an_approved_expense_without_a_due_date_is_held_where_bills_go_approved(
    harness: SyncHarness,
) -> None:
    """Xero approves no bill without a due date: held before any call, naming due_date."""
    set_inventory(harness, {"approve_bills": True})
    harness.push("expense", [expense(1, status="approved", due_date=None)])
    harness.sync()
    held = item_of(harness, "expense", "exp-1")
    assert (held.state, held.error_code, held.error_field) == (
        "needs_attention",
        "XERO_FIELD_REQUIRED",
        "due_date",
    )
    assert [r for r in harness.invoices() if r["Type"] == "ACCPAY"] == []
