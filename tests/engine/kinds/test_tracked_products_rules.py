"""What makes a product a tracked item, and what Xero allows when that changes (both
databases, the sandbox's items the judge): Sync inventory without the tracked accounts holds
stocked products before any call with TRACKED_ITEM_ACCOUNT_MISSING naming the setting, until it
is chosen (COGS falling back to the valuation one); without Sync inventory a stocked product is
an untracked item, converted to tracked at its next version once inventory is synced (Xero
counts from then on, never backdating); ledgerlink never untracks an item Xero tracks
(ITEM_TRACKED_IN_XERO); a product Create Nonexistent Products makes for a stocked order line is
tracked. Nothing ledgerlink writes to an item carries Xero's stock figures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from ledgerlink import kinds
from ledgerlink.documents.order import OrderLine
from ledgerlink.documents.product import Product
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import Prepared
from ledgerlink.sync import queue
from tests.engine.kinds.conftest import all_done, expense, item_of
from tests.engine.kinds.inventory import set_inventory
from tests.engine.kinds.store_docs import order
from tests.engine.kinds.tracked_products import (
    COGS,
    INVENTORY,
    SYNC_INVENTORY,
    catalogue,
    items_by_code,
    line,
    sync_inventory,
)
from tests.engine.sync.conftest import SyncHarness


def _one(harness: SyncHarness, code: str) -> dict[str, Any]:
    [item] = items_by_code(harness)[code]
    return item


def _held(harness: SyncHarness, code: str) -> tuple[str, str, str]:
    found = item_of(harness, "product", code)
    return found.state, found.error_code, found.error_field


def _buy(harness: SyncHarness, n: int, quantity: int) -> None:
    bill = expense(n, status="approved", lines=[line("GADGET", quantity, Decimal(8))])
    harness.push("expense", [bill])
    harness.sync()


def test_sync_inventory_without_its_accounts_holds_stocked_products_naming_the_setting(
    harness: SyncHarness,
) -> None:
    set_inventory(harness, {"inventory_mode": "tracked"})
    harness.push("product", catalogue())
    harness.sync()
    setting = "settings.tracked_inventory_asset_account"
    assert _held(harness, "GADGET") == ("needs_attention", "TRACKED_ITEM_ACCOUNT_MISSING", setting)
    assert "Edit connection, Inventory" in item_of(harness, "product", "GADGET").error_message
    assert _held(harness, "GIZMO")[1:] == ("TRACKED_ITEM_ACCOUNT_MISSING", setting)
    assert "GADGET" not in items_by_code(harness)  # held before any call
    assert _one(harness, "FITTING")["IsTrackedAsInventory"] is False  # not stocked: goes

    # choosing the asset account releases them; GIZMO's block names its COGS account
    set_inventory(harness, {"tracked_inventory_asset_account": INVENTORY})
    harness.sync()
    assert _one(harness, "GIZMO")["IsTrackedAsInventory"] is True
    assert _held(harness, "GADGET")[1:] == (
        "TRACKED_ITEM_ACCOUNT_MISSING",
        "settings.tracked_cogs_account",
    )
    # the valuation journals' COGS account serves when tracked_cogs_account is absent
    set_inventory(harness, {"inventory_cogs_account": COGS})
    queue.retry_code(
        harness.factory, harness.workspace_id, "TRACKED_ITEM_ACCOUNT_MISSING", datetime.now(UTC)
    )
    harness.sync()
    gadget = _one(harness, "GADGET")
    assert (gadget["IsTrackedAsInventory"], gadget["PurchaseDetails"]["COGSAccountCode"]) == (
        True,
        COGS,
    )
    all_done(harness)


def test_a_tracked_account_xero_cannot_take_is_held_naming_the_setting(
    harness: SyncHarness,
) -> None:
    sync_inventory(harness, tracked_inventory_asset_account="200")  # a sales account
    harness.push("product", catalogue()[:1])
    harness.sync()
    held = item_of(harness, "product", "GADGET")
    assert (held.error_code, held.error_field) == (
        "XERO_ACCOUNT_CODE_INVALID",
        "settings.tracked_inventory_asset_account",
    )
    assert "is not an INVENTORY account" in held.error_message
    assert "GADGET" not in items_by_code(harness)
    with pytest.raises(LedgerlinkError) as refused:
        set_inventory(
            harness, {"inventory_asset_account": "631", "tracked_inventory_asset_account": "631"}
        )
    assert refused.value.field == "settings.tracked_inventory_asset_account"
    assert "two different accounts" in refused.value.message


def test_a_stocked_product_turns_tracked_once_inventory_is_synced_and_xero_counts_from_then(
    harness: SyncHarness,
) -> None:
    set_inventory(harness, {"approve_bills": True})  # Do not sync inventory
    harness.push("product", catalogue())
    harness.sync()
    untracked = _one(harness, "GADGET")
    assert untracked["IsTrackedAsInventory"] is False
    assert untracked["PurchaseDetails"]["AccountCode"] == "425"  # its own, while untracked
    _buy(harness, 1, 6)
    assert "QuantityOnHand" not in _one(harness, "GADGET")

    sync_inventory(harness)
    harness.push("product", catalogue(name="Gadget, boxed"))  # its next version
    harness.sync()
    tracked = _one(harness, "GADGET")
    assert (tracked["ItemID"], tracked["IsTrackedAsInventory"]) == (untracked["ItemID"], True)
    # Xero tracks from the conversion on: the bill before it is not counted (no backdating)
    assert Decimal(str(tracked["QuantityOnHand"])) == 0
    # a product not sent again stays as Xero has it until its next version
    assert _one(harness, "GIZMO")["IsTrackedAsInventory"] is False
    _buy(harness, 3, 4)
    assert Decimal(str(_one(harness, "GADGET")["QuantityOnHand"])) == 4
    all_done(harness)


def test_ledgerlink_never_untracks_an_item_xero_tracks(harness: SyncHarness) -> None:
    sync_inventory(harness)
    harness.push("product", catalogue())
    harness.sync()
    _buy(harness, 1, 6)
    writes = len(harness.requests())
    harness.push("product", catalogue(tracked=False))
    harness.sync()
    held = item_of(harness, "product", "GADGET")
    assert (held.state, held.error_code, held.error_field) == (
        "needs_attention",
        "ITEM_TRACKED_IN_XERO",
        "tracked",
    )
    assert "never untracks" in held.error_message
    # a stocked product on a connection no longer syncing inventory would be untracked too
    set_inventory(harness, {"inventory_mode": "off"})
    harness.push("product", catalogue(name="Gadget, boxed"))
    harness.sync()
    assert item_of(harness, "product", "GADGET").error_code == "ITEM_TRACKED_IN_XERO"
    gadget = _one(harness, "GADGET")
    assert (gadget["IsTrackedAsInventory"], gadget["Name"]) == (True, "Gadget")
    assert Decimal(str(gadget["QuantityOnHand"])) == 6  # Xero's figures untouched
    later = [r for r in harness.requests()[writes:] if r["method"] != "GET"]
    assert not [r for r in later if str(r["path"]).startswith("/Items")]


def test_a_product_made_for_a_stocked_order_line_is_a_tracked_item(harness: SyncHarness) -> None:
    sync_inventory(harness, create_nonexistent_products=True, inventory_allow_backorders=True)
    made = [
        {**line("WIDGET", 2, Decimal(15)), "product_name": "Widget", "stocked": True},
        {**line("SETUP", 1, Decimal(25)), "product_name": "Set-up"},
    ]
    harness.push("order", [order(1, [], lines=[{**x, "account_code": "200"} for x in made])])
    harness.sync()
    widget, setup = _one(harness, "WIDGET"), _one(harness, "SETUP")
    assert (widget["IsTrackedAsInventory"], widget["InventoryAssetAccountCode"]) == (
        True,
        INVENTORY,
    )
    assert Decimal(str(widget["QuantityOnHand"])) == -2  # sold before bought: a backorder
    assert setup["IsTrackedAsInventory"] is False
    all_done(harness)


def test_what_ledgerlink_writes_to_an_item_never_carries_xeros_stock_figures() -> None:
    kind = kinds.get("product")
    gadget = Product.model_validate(catalogue()[0])
    for settings, tracked in ((SYNC_INVENTORY, True), ({}, False)):
        prepared = Prepared(status="ACTIVE", lines=[], contact={}, existing=None, settings=settings)
        body = kind.to_xero(gadget, prepared)
        assert not {"QuantityOnHand", "TotalCostPool", "IsTrackedAsInventory"} & set(body)
        assert ("InventoryAssetAccountCode" in body) is tracked
        assert ("AccountCode" in body["PurchaseDetails"]) is not tracked


def test_what_says_a_product_is_stocked() -> None:
    # tracked: true takes a purchase account (used while the item is untracked)...
    Product.model_validate(catalogue()[0])
    # ...a block naming both accounts is tracked everywhere, so it takes none
    with pytest.raises(ValidationError, match="purchase.account_code"):
        Product.model_validate(
            catalogue(tracked={"inventory_asset_account_code": "630", "cogs_account_code": "310"})[
                0
            ]
        )
    with pytest.raises(ValidationError, match="stocked"):
        OrderLine.model_validate(
            {
                "description": "Shipping",
                "unit_amount": "5.00",
                "charge": "shipping",
                "stocked": True,
            }
        )
