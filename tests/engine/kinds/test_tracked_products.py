"""Sync inventory with the items sent by ledgerlink: the app's stocked products become Xero
tracked items on the connection's tracked accounts (no product names them), and after a mixed
run (bills buying, approved by default; invoices and an order selling; credit notes returning
both ways; stock movements posting nothing) the sandbox's quantities and cost pools are the
source's. Exactly once when the products' write loses its reply (replayed key, or looked up by
Code once the key expired), when it meets a 503, and when a product changes while its send is
unresolved. Both databases; the sandbox's items are the judge."""

from __future__ import annotations

import pytest

from tests.engine.kinds.conftest import all_done, item_of
from tests.engine.kinds.inventory import journals
from tests.engine.kinds.tracked_products import (
    assert_source_stock,
    catalogue,
    items_by_code,
    sync_inventory,
    trade,
)
from tests.engine.sync.conftest import SyncHarness

REPLAY = 30  # seconds: inside Xero's idempotency window, the key is replayed
LOOKUP = 3600  # an hour: the key has expired, the items are looked up by Code


def _item_writes(harness: SyncHarness) -> list[dict[str, object]]:
    writes = [r for r in harness.requests() if r["method"] != "GET"]
    return [r for r in writes if str(r["path"]).startswith("/Items")]


def _lose_the_items_reply(harness: SyncHarness) -> None:
    harness.faults(
        {"kind": "lost_reply", "endpoint": "items", "method": "POST", "count": 1},
    )


def _bills(harness: SyncHarness) -> list[str]:
    return sorted(r["Status"] for r in harness.invoices() if r["Type"] == "ACCPAY")


def test_a_mixed_run_leaves_the_sent_items_holding_the_sources_stock(
    harness: SyncHarness,
) -> None:
    sync_inventory(harness)
    harness.push("product", catalogue())
    harness.sync()
    assert [r["method"] for r in _item_writes(harness)] == ["POST"]  # one batch of three
    trade(harness)
    assert _bills(harness) == ["AUTHORISED"] * 3  # approved by default with Sync inventory
    assert_source_stock(harness)
    assert journals(harness) == []
    for source_id in ("mv-1", "mv-2"):
        assert item_of(harness, "stock_movement", source_id).state == "done"
    assert len(_item_writes(harness)) == 1  # nothing after: Xero moved the stock itself
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_products_whose_reply_was_lost_are_one_tracked_item_each(
    harness: SyncHarness, wait: int
) -> None:
    sync_inventory(harness)
    _lose_the_items_reply(harness)
    harness.push("product", catalogue())
    harness.sync()  # applied in Xero, the reply lost: the intent stays open
    harness.advance(wait)
    harness.sync()
    found = items_by_code(harness)
    assert [len(found[code]) for code in ("GADGET", "GIZMO", "FITTING")] == [1, 1, 1]
    trade(harness)
    assert_source_stock(harness)
    all_done(harness)


def test_a_product_made_stocked_while_its_send_is_unresolved_is_one_tracked_item(
    harness: SyncHarness,
) -> None:
    """Its first version (not stocked) was applied and the reply lost; the app then says it is
    stocked and renames it: the one item ends tracked, renamed, and holds the source's stock."""
    sync_inventory(harness)
    _lose_the_items_reply(harness)
    harness.push("product", catalogue(tracked=None, name="Gadget (old)"))
    harness.worker().run_once()
    [first] = items_by_code(harness)["GADGET"]
    assert first["IsTrackedAsInventory"] is False  # what the first version asked for
    harness.push("product", catalogue())
    harness.advance(LOOKUP)
    harness.sync()
    [item] = items_by_code(harness)["GADGET"]
    assert (item["ItemID"], item["Name"]) == (first["ItemID"], "Gadget")
    trade(harness)
    assert_source_stock(harness)
    all_done(harness)


def test_products_refused_with_a_503_then_changed_are_one_tracked_item_each(
    harness: SyncHarness,
) -> None:
    sync_inventory(harness)
    harness.faults(
        {"kind": "error", "endpoint": "items", "method": "POST", "status": 503, "count": 1}
    )
    harness.push("product", catalogue(tracked=None))
    harness.worker().run_once()  # a 503: nothing applied, the intent stays pending
    assert "GADGET" not in items_by_code(harness)
    harness.push("product", catalogue())
    harness.advance(REPLAY)
    harness.sync()
    found = items_by_code(harness)
    assert [len(found[code]) for code in ("GADGET", "GIZMO", "FITTING")] == [1, 1, 1]
    assert found["GADGET"][0]["IsTrackedAsInventory"] is True
    trade(harness)
    assert_source_stock(harness)
    all_done(harness)
