"""Stock movements, tracked items and the inventory settings for the inventory tests, and
readers of what the sandbox holds for them (its journals and items are the judge)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerlink.sync import directions
from tests.engine.kinds.conftest import org
from tests.engine.sync.conftest import SyncHarness

ASSET = "631"  # a CURRENT account made in the test: Xero takes no journal on 630 (INVENTORY)
COGS = "310"
ADJUSTMENT = "488"  # made in the test: an EXPENSE account for stock adjustments
VALUATION = {
    "inventory_mode": "valuation",
    "inventory_asset_account": ASSET,
    "inventory_cogs_account": COGS,
    "inventory_adjustment_account": ADJUSTMENT,
}


def movement(
    n: int, kind: str = "receipt", value: str = "120.00", **changes: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": f"mv-{n}",
        "type": kind,
        "date": "2026-03-10",
        "value": value,
        "item_code": f"SKU-{n % 7}",
        "quantity": "4",
        "reference": f"GRN-{n}",
    }
    data.update(changes)
    return data


def add_valuation_accounts(harness: SyncHarness) -> None:
    """The accounts a person makes in Xero for valuation journals (before the first sync)."""
    with harness.xero() as xero:
        for code, name, kind in (
            (ASSET, "Inventory at cost (valuation)", "CURRENT"),
            (ADJUSTMENT, "Stock adjustments", "EXPENSE"),
        ):
            reply = xero.put("/Accounts", {"Code": code, "Name": name, "Type": kind})
            assert reply.status == 200, reply.text


def set_inventory(harness: SyncHarness, changes: dict[str, Any]) -> None:
    directions.save_settings(harness.factory, harness.workspace_id, harness.connection_id, changes)


def valuation(harness: SyncHarness) -> None:
    add_valuation_accounts(harness)
    set_inventory(harness, VALUATION)


def journals(harness: SyncHarness) -> list[dict[str, Any]]:
    """The organisation's live manual journals (not deleted or voided)."""
    return [
        dict(r)
        for r in list(org(harness).manual_journals.values())
        if r.get("Status") not in ("DELETED", "VOIDED")
    ]


def journal_of(harness: SyncHarness, source_id: str) -> list[dict[str, Any]]:
    marker = f"[ledgerlink stock_movement {source_id}]"
    return [j for j in journals(harness) if str(j.get("Narration", "")).endswith(marker)]


def postings(journal: dict[str, Any]) -> dict[str, Decimal]:
    """Account code -> the journal's amount on it (debit positive)."""
    found: dict[str, Decimal] = {}
    for line in journal["JournalLines"]:
        code = line["AccountCode"]
        found[code] = found.get(code, Decimal(0)) + Decimal(str(line["LineAmount"]))
    return found


def balanced_once(harness: SyncHarness, source_ids: list[str]) -> None:
    """Each movement is one live POSTED journal whose debits equal its credits."""
    for source_id in source_ids:
        found = journal_of(harness, source_id)
        assert len(found) == 1, (source_id, len(found))
        assert found[0]["Status"] == "POSTED"
        assert sum(postings(found[0]).values()) == 0
    assert len(journals(harness)) == len(source_ids)
