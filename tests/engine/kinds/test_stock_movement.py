"""Stock movements by inventory mode: valuation posts one balanced journal per movement (the
right accounts by movement type, changed and voided with the movement); off and tracked post
nothing; valuation is refused without its accounts, and unfit ones hold a movement before any
call. The sandbox's journals judge."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledgerlink.errors import LedgerlinkError
from ledgerlink.sync.reconcile import reconcile
from ledgerlink.sync.reconcile_report import MISSING
from tests.engine.kinds.conftest import all_done, item_of, link_of
from tests.engine.kinds.inventory import (
    ADJUSTMENT,
    ASSET,
    COGS,
    VALUATION,
    add_valuation_accounts,
    balanced_once,
    journal_of,
    journals,
    movement,
    postings,
    set_inventory,
    valuation,
)
from tests.engine.sync.conftest import SyncHarness


def test_each_movement_is_one_balanced_journal_on_the_accounts_its_type_takes(
    harness: SyncHarness,
) -> None:
    valuation(harness)
    harness.push(
        "stock_movement",
        [
            movement(1, "receipt", "120.00"),
            movement(2, "issue", "45.50"),
            movement(3, "adjustment", "10.00"),
            movement(4, "adjustment", "-7.25"),
            movement(5, "write_off", "3.10"),
        ],
    )
    harness.sync()
    balanced_once(harness, [f"mv-{n}" for n in range(1, 6)])
    wanted = {
        "mv-1": {ASSET: Decimal("120.00"), COGS: Decimal("-120.00")},
        "mv-2": {COGS: Decimal("45.50"), ASSET: Decimal("-45.50")},
        "mv-3": {ASSET: Decimal("10.00"), ADJUSTMENT: Decimal("-10.00")},
        "mv-4": {ADJUSTMENT: Decimal("7.25"), ASSET: Decimal("-7.25")},
        "mv-5": {ADJUSTMENT: Decimal("3.10"), ASSET: Decimal("-3.10")},
    }
    for source_id, amounts in wanted.items():
        [journal] = journal_of(harness, source_id)
        assert postings(journal) == amounts
        assert journal["Url"].endswith(
            "/documents/" + item_of(harness, "stock_movement", source_id).document_id
        )
    all_done(harness)


def test_a_changed_movement_changes_its_journal_and_a_voided_one_voids_it(
    harness: SyncHarness,
) -> None:
    valuation(harness)
    harness.push("stock_movement", [movement(1, value="50.00"), movement(2, value="20.00")])
    harness.sync()
    harness.push(
        "stock_movement",
        [movement(1, value="65.00"), movement(2, value="20.00", status="voided")],
    )
    harness.sync()
    [journal] = journal_of(harness, "mv-1")
    assert postings(journal) == {ASSET: Decimal("65.00"), COGS: Decimal("-65.00")}
    assert journal_of(harness, "mv-2") == []
    assert len(journals(harness)) == 1
    all_done(harness)


def test_with_inventory_off_or_tracked_nothing_is_posted_and_nothing_is_held(
    harness: SyncHarness,
) -> None:
    add_valuation_accounts(harness)
    harness.push("stock_movement", [movement(1)])  # off by default
    harness.sync()
    set_inventory(harness, {"inventory_mode": "tracked"})
    harness.push("stock_movement", [movement(2)])
    harness.sync()
    assert journals(harness) == []
    items = {n: item_of(harness, "stock_movement", f"mv-{n}") for n in (1, 2)}
    assert {i.error_code for i in items.values()} == {"INVENTORY_NOT_POSTED"}
    assert "inventory mode is off" in items[1].error_message
    assert "tracked items move their own stock" in items[2].error_message
    all_done(harness)
    assert not any(
        r["path"].lower().startswith("/api.xro/2.0/manualjournals") for r in harness.requests()
    )


def test_a_journal_already_posted_still_follows_its_movement_after_the_mode_changes(
    harness: SyncHarness,
) -> None:
    valuation(harness)
    harness.push("stock_movement", [movement(1)])
    harness.sync()
    set_inventory(harness, {"inventory_mode": "tracked"})
    harness.push("stock_movement", [movement(1, status="voided")])
    harness.sync()
    assert journals(harness) == []
    all_done(harness)


def test_valuation_without_its_accounts_is_refused_and_unfit_ones_hold_the_movement(
    harness: SyncHarness,
) -> None:
    add_valuation_accounts(harness)
    with pytest.raises(LedgerlinkError) as refused:
        set_inventory(harness, {"inventory_mode": "valuation", "inventory_cogs_account": COGS})
    assert refused.value.field == "settings.inventory_asset_account"
    assert "inventory asset account" in refused.value.message
    set_inventory(harness, {**VALUATION, "inventory_asset_account": "630"})  # INVENTORY type
    harness.push("stock_movement", [movement(1)])
    set_inventory(harness, {"inventory_adjustment_account": "090"})  # a bank account
    harness.push("stock_movement", [movement(2, "write_off")])
    harness.sync()
    held = item_of(harness, "stock_movement", "mv-1")
    assert (held.state, held.error_code, held.error_field) == (
        "needs_attention",
        "XERO_ACCOUNT_CODE_INVALID",
        "settings.inventory_asset_account",
    )
    assert "INVENTORY account" in held.error_message
    held = item_of(harness, "stock_movement", "mv-2")
    assert held.error_field == "settings.inventory_asset_account"
    assert "settings.inventory_adjustment_account '090'" in held.error_message
    assert journals(harness) == []
    assert not any(r["path"] == "/ManualJournals" for r in harness.requests())


def test_a_journal_voided_in_xero_is_read_back_and_a_later_change_is_held(
    harness: SyncHarness,
) -> None:
    valuation(harness)
    harness.push("stock_movement", [movement(1)])
    harness.sync()
    [journal] = journal_of(harness, "mv-1")
    with harness.xero() as xero:
        voided = xero.post(f"/ManualJournals/{journal['ManualJournalID']}", {"Status": "VOIDED"})
        assert voided.status == 200, voided.text
    harness.advance(61 * 60)  # the connection's poll (every 60 minutes) reads it back
    harness.sync()
    assert link_of(harness, "stock_movement", "mv-1").xero_status == "VOIDED"
    harness.push("stock_movement", [movement(1, value="130.00")])
    harness.sync()
    held = item_of(harness, "stock_movement", "mv-1")
    assert (held.state, held.error_code) == ("needs_attention", "XERO_NOT_EDITABLE")
    assert journals(harness) == []


def test_the_reconciliation_report_knows_its_journals_from_a_persons_own(
    harness: SyncHarness,
) -> None:
    """A person's own journal in Xero is not a stock movement; a movement the inventory mode
    leaves unposted owes Xero nothing; a posted journal voided in Xero is a difference."""
    add_valuation_accounts(harness)
    harness.push("stock_movement", [movement(1)])  # inventory off: not posted
    harness.sync()
    set_inventory(harness, VALUATION)
    harness.push("stock_movement", [movement(2), movement(3)])
    harness.sync()
    [journal] = journal_of(harness, "mv-3")
    own = {
        "Narration": "Depreciation March",
        "Date": "2026-03-31",
        "Status": "POSTED",
        "JournalLines": [
            {"LineAmount": 50, "AccountCode": "429"},
            {"LineAmount": -50, "AccountCode": "880"},
        ],
    }
    with harness.xero() as xero:
        assert xero.put("/ManualJournals", own).status == 200
        voided = xero.post(f"/ManualJournals/{journal['ManualJournalID']}", {"Status": "VOIDED"})
        assert voided.status == 200

    def report() -> set[tuple[str, str | None, str | None]]:
        march = (date(2026, 3, 1), date(2026, 3, 31))
        found = reconcile(
            harness.worker(), harness.workspace_id, harness.connection_id, *march, "stock_movement"
        )
        return {(e.category, e.source_id, e.xero_status) for e in found.entries}

    # mv-1 was never posted (inventory was off then): valued now, the report says so
    assert report() == {(MISSING, "mv-1", None), (MISSING, "mv-3", "VOIDED")}
    set_inventory(harness, {"inventory_mode": "tracked"})
    assert report() == {(MISSING, "mv-3", "VOIDED")}


def test_a_movement_dated_in_a_locked_period_is_held_before_any_call(
    harness: SyncHarness,
) -> None:
    valuation(harness)
    harness.push("stock_movement", [movement(1, date="2025-01-10"), movement(2)])
    harness.sync()
    held = item_of(harness, "stock_movement", "mv-1")
    assert (held.state, held.error_code, held.error_field) == (
        "needs_attention",
        "XERO_LOCKED_PERIOD",
        "date",
    )
    balanced_once(harness, ["mv-2"])
