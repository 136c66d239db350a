"""Products sent as Xero items ("Add Products to Xero"): 1,000 products in 20 requests of 50,
each one item; a change updates the same item (found by its Code); a tracked product becomes a
tracked inventory item (asset and COGS accounts, no purchase account); a tracked product
naming a non-INVENTORY asset account is held naming the field; products not sent while Add
Products to Xero is off, and sent once it is on; a product the source sends while an order's
run is making it (Create Nonexistent Products) is kept as the source sent it."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from ledgerlink.store.models import Document, DocumentVersion
from ledgerlink.sync import brought
from tests.engine.kinds.conftest import all_done, item_of
from tests.engine.kinds.store_docs import connect_store, items, order, product
from tests.engine.sync.conftest import SyncHarness


def test_a_thousand_products_are_a_thousand_items_fifty_to_a_request(
    harness: SyncHarness,
) -> None:
    harness.push("product", [product(n) for n in range(1, 1001)])
    harness.sync()
    all_done(harness)
    ours = [c for c in items(harness) if c.startswith("SKU-")]
    assert len(ours) == 1000
    calls = Counter(
        f"{r['method']} {str(r['path']).split('?')[0]}"
        for r in harness.requests()
        if not str(r["path"]).startswith("/_sandbox")
    )
    print(f"\ncalls for 1,000 products: {dict(calls)}")
    assert calls["POST /Items"] == 20
    assert sum(calls.values()) <= 25  # and the organisation's lists, read once

    harness.push("product", [product(7, name="Product 7 (new box)")])
    harness.sync()
    assert items(harness)["SKU-0007"]["Name"] == "Product 7 (new box)"
    assert len([c for c in items(harness) if c.startswith("SKU-")]) == 1000


def test_a_tracked_product_is_a_tracked_item(harness: SyncHarness) -> None:
    tracked = product(
        1,
        purchase={"unit_price": "4.1234", "tax_type": "INPUT"},
        tracked={"inventory_asset_account_code": "630", "cogs_account_code": "310"},
    )
    wrong = product(2, tracked={"inventory_asset_account_code": "200", "cogs_account_code": "310"})
    harness.push("product", [tracked, wrong])
    harness.sync()
    item = items(harness)["SKU-0001"]
    assert item["IsTrackedAsInventory"] is True
    assert item["InventoryAssetAccountCode"] == "630"
    assert item["PurchaseDetails"]["COGSAccountCode"] == "310"
    assert "AccountCode" not in item["PurchaseDetails"]
    assert Decimal(str(item["PurchaseDetails"]["UnitPrice"])) == Decimal("4.1234")  # unitdp=4
    held = item_of(harness, "product", "SKU-0002")
    assert (held.state, held.error_code) == ("needs_attention", "XERO_ACCOUNT_CODE_INVALID")
    assert held.error_field == "tracked.inventory_asset_account_code"
    assert "SKU-0002" not in items(harness)


def test_products_wait_while_add_products_is_off_and_go_when_it_is_on(
    harness: SyncHarness,
) -> None:
    connect_store(harness, not_sent=["product"])
    harness.push("product", [product(1)])
    harness.sync()
    assert "SKU-0001" not in items(harness)
    assert item_of(harness, "product", "SKU-0001").error_code == "KIND_NOT_SENT"
    connect_store(harness, not_sent=[])
    harness.sync()
    assert "SKU-0001" in items(harness)
    all_done(harness)


def test_a_product_sent_while_an_order_s_run_makes_it_is_kept_as_sent(
    harness: SyncHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Create Nonexistent Products makes an order's missing product only while none is stored.
    The source's own product arriving after the order's run looked (none stored) and before it
    stored the one it makes is not overwritten by it: the product stays the source's, and Xero's
    item gets the source's text (the chaos run's seed 20261201 saw the order's go instead)."""
    connect_store(harness, create_nonexistent_products=True)
    harness.push("order", [order(6, [7])])
    real, sent = brought.upsert_documents, []

    def meanwhile(*args: Any, **kwargs: Any) -> Any:
        if args[3] == "product" and not sent:  # looked: none stored; the source sends it now
            sent.extend(harness.push("product", [product(7, description="Product 7, boxed v0")]))
        return real(*args, **kwargs)

    monkeypatch.setattr(brought, "upsert_documents", meanwhile)
    harness.sync()
    all_done(harness)

    assert [r.outcome for r in sent] == ["created"]
    assert items(harness)["SKU-0007"]["Description"] == "Product 7, boxed v0"
    with harness.factory() as session:
        bodies = session.scalars(
            select(DocumentVersion.body)
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(Document.kind == "product", Document.source_id == "SKU-0007")
        ).all()
    assert [b.get("description") for b in bodies] == ["Product 7, boxed v0"]
