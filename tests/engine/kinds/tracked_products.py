"""A stocked catalogue sent by ledgerlink to a connection that syncs inventory, and a mixed run
of trade in those products, for the tracked-products tests: what the source app holds of each
(quantity, and cost at its average) is what the sandbox's tracked items must hold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.engine.kinds.conftest import credit_note, expense, invoice, org
from tests.engine.kinds.inventory import movement, set_inventory
from tests.engine.kinds.store_docs import order
from tests.engine.sync.conftest import SyncHarness

INVENTORY = "630"  # the demo organisation's INVENTORY account
COGS = "310"
SYNC_INVENTORY = {
    "inventory_mode": "tracked",
    "tracked_inventory_asset_account": INVENTORY,
    "tracked_cogs_account": COGS,
}
# code -> unit cost on the bills (the app's own average cost, the same as Xero's here)
COST = {"GADGET": Decimal("8.00"), "GIZMO": Decimal("20.00")}
BOUGHT = {"GADGET": 10, "GIZMO": 5}
SOLD = {"GADGET": 5, "GIZMO": 2}  # invoices 3 + 1 GADGET, 2 GIZMO; order 1 GADGET
RETURNED_BY_CUSTOMERS = {"GADGET": 1}
RETURNED_TO_SUPPLIERS = {"GIZMO": 1}


def catalogue(**gadget: Any) -> list[dict[str, Any]]:
    """Two stocked products naming no Xero account (one says tracked: true, one a block with
    its COGS account only), and a service the app does not stock."""
    return [
        {
            "source_id": "GADGET",
            "name": "Gadget",
            "sales": {"unit_price": "16.00", "account_code": "200"},
            "purchase": {"unit_price": "8.00", "account_code": "425"},
            "tracked": True,
            **gadget,
        },
        {
            "source_id": "GIZMO",
            "name": "Gizmo",
            "sales": {"unit_price": "40.00", "account_code": "200"},
            "tracked": {"cogs_account_code": COGS},
        },
        {"source_id": "FITTING", "name": "Fitting", "sales": {"unit_price": "30.00"}},
    ]


def line(code: str, quantity: int, price: Decimal) -> dict[str, Any]:
    return {"item_code": code, "quantity": str(quantity), "unit_amount": f"{price:.2f}"}


def sync_inventory(harness: SyncHarness, **more: Any) -> None:
    set_inventory(harness, {**SYNC_INVENTORY, **more})


def trade(harness: SyncHarness, *, service: bool = True) -> None:
    """Bills buying (approved: AUTHORISED by default with Sync inventory; with ``service``, one
    also buys the untracked FITTING), then invoices and an order selling, credit notes returning
    both ways, and stock movements (posting nothing)."""
    gadget, gizmo = COST["GADGET"], COST["GIZMO"]
    fitting = [{**line("FITTING", 1, Decimal(12)), "account_code": "425"}] if service else []
    harness.push(
        "expense",
        [
            expense(1, status="approved", lines=[line("GADGET", 6, gadget)]),
            expense(
                2,
                status="approved",
                lines=[line("GADGET", 4, gadget), *fitting],
            ),
            expense(3, status="approved", lines=[line("GIZMO", 5, gizmo)]),
        ],
    )
    harness.sync()
    harness.push(
        "invoice",
        [
            invoice(1, status="sent", lines=[line("GADGET", 3, gadget * 2)]),
            invoice(
                3,
                status="sent",
                lines=[line("GADGET", 1, gadget * 2), line("GIZMO", 2, gizmo * 2)],
            ),
        ],
    )
    harness.push("order", [order(1, [], lines=[line("GADGET", 1, gadget * 2)])])
    harness.push(
        "credit_note",
        [
            credit_note(1, status="sent", lines=[line("GADGET", 1, gadget * 2)]),
            credit_note(
                2,
                type="supplier",
                status="sent",
                contact={"key": "supplier-1", "name": "Supplier 1"},
                lines=[line("GIZMO", 1, gizmo)],
            ),
        ],
    )
    harness.push(
        "stock_movement",
        [movement(1, "receipt", item_code="GADGET"), movement(2, "issue", item_code="GIZMO")],
    )
    harness.sync()


def on_hand(code: str) -> int:
    """What the source app holds of ``code`` after ``trade``."""
    return (
        BOUGHT[code]
        - SOLD[code]
        + RETURNED_BY_CUSTOMERS.get(code, 0)
        - RETURNED_TO_SUPPLIERS.get(code, 0)
    )


def items_by_code(harness: SyncHarness) -> dict[str, list[dict[str, Any]]]:
    """Every item of the organisation under its code (a code made twice shows as two)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for item in list(org(harness).items.values()):
        found.setdefault(str(item["Code"]), []).append(dict(item))
    return found


def assert_source_stock(harness: SyncHarness) -> None:
    """One item per product; the stocked ones tracked on the connection's accounts, holding
    the source's quantities at its average cost; the service untracked."""
    found = items_by_code(harness)
    for code, cost in COST.items():
        [item] = found[code]
        assert item["IsTrackedAsInventory"] is True, code
        assert item["InventoryAssetAccountCode"] == INVENTORY, code
        assert item["PurchaseDetails"]["COGSAccountCode"] == COGS, code
        assert Decimal(str(item["QuantityOnHand"])) == on_hand(code), code
        assert Decimal(str(item["TotalCostPool"])) == on_hand(code) * cost, code
    [service] = found["FITTING"]
    assert service["IsTrackedAsInventory"] is False
    assert "QuantityOnHand" not in service
