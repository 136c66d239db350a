"""Valuation journals exactly once while their sends are unresolved (invariant 2): a reply lost
after Xero posted the journals (settled by replaying the key, or once it expired by reading the
journals of the sent dates and matching the Url marker), a 503, a movement changed before its
send is settled, a lost update, and a worker process killed mid-send. Both databases; the
sandbox's journals are the judge: one balanced POSTED journal per movement."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from tests.engine.kinds.conftest import all_done
from tests.engine.kinds.inventory import (
    ASSET,
    COGS,
    balanced_once,
    journal_of,
    movement,
    postings,
    valuation,
)
from tests.engine.sync.conftest import PUBLIC_URL, SyncHarness, fast_limits, limits_env
from tests.engine.sync.worker_process import WorkerProcess

REPLAY = 30  # seconds: inside Xero's idempotency window, the key is replayed
LOOKUP = 3600  # an hour: the key has expired, the journals are looked up
MOVEMENTS = 60  # two requests of Xero's batch (50 and 10)
KILLED = 250  # five requests: each life of the killed worker meets new ones


def _many(count: int = MOVEMENTS) -> list[dict[str, object]]:
    kinds = ("receipt", "issue", "adjustment", "write_off")
    return [
        movement(n, kinds[n % 4], f"{10 + n}.25", date=f"2026-03-{1 + n % 28:02d}")
        for n in range(count)
    ]


def _lost(harness: SyncHarness, method: str = "PUT") -> None:
    harness.faults(
        {"kind": "lost_reply", "endpoint": "manualjournals", "method": method, "count": 1}
    )


def _valued_once(harness: SyncHarness, n: int, value: str) -> None:
    [journal] = journal_of(harness, f"mv-{n}")
    assert postings(journal) == {ASSET: Decimal(value), COGS: -Decimal(value)}


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_journals_whose_reply_was_lost_are_posted_once(harness: SyncHarness, wait: int) -> None:
    valuation(harness)
    _lost(harness)
    harness.push("stock_movement", _many())
    harness.worker().run_once()  # the first request is applied in Xero, its reply lost
    harness.advance(wait)
    harness.sync()
    balanced_once(harness, [f"mv-{n}" for n in range(MOVEMENTS)])
    all_done(harness)
    replays = harness.admin("GET", "/_sandbox/stats")["idempotent_replays"]
    looked_up = [r for r in harness.requests("GET") if r["path"] == "/ManualJournals"]
    if wait == REPLAY:
        assert replays == 1 and looked_up == []
    else:  # the key expired: found by the journals of the sent dates, not sent again
        assert replays == 0 and looked_up


def test_a_503_then_a_change_before_the_send_is_settled_posts_the_newest_once(
    harness: SyncHarness,
) -> None:
    valuation(harness)
    harness.faults({"kind": "error", "endpoint": "manualjournals", "method": "PUT", "status": 503})
    harness.push("stock_movement", [movement(1, value="40.00")])
    harness.worker().run_once()  # a 503: nothing applied, the intent stays pending
    harness.push("stock_movement", [movement(1, value="44.00")])
    harness.advance(REPLAY)
    harness.sync()
    balanced_once(harness, ["mv-1"])
    _valued_once(harness, 1, "44.00")
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_a_change_pushed_after_a_lost_create_reply_changes_the_one_journal(
    harness: SyncHarness, wait: int
) -> None:
    valuation(harness)
    _lost(harness)
    harness.push("stock_movement", [movement(1, value="40.00"), movement(2, value="9.00")])
    harness.worker().run_once()  # posted in Xero, reply lost
    harness.push("stock_movement", [movement(1, value="41.50")])
    harness.advance(wait)
    harness.sync()
    balanced_once(harness, ["mv-1", "mv-2"])
    _valued_once(harness, 1, "41.50")
    _valued_once(harness, 2, "9.00")
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_a_lost_update_reply_leaves_one_journal_at_the_new_value(
    harness: SyncHarness, wait: int
) -> None:
    valuation(harness)
    harness.push("stock_movement", [movement(1, value="40.00")])
    harness.sync()
    _lost(harness, "POST")
    harness.push("stock_movement", [movement(1, value="55.00")])
    harness.worker().run_once()
    harness.advance(wait)
    harness.sync()
    balanced_once(harness, ["mv-1"])
    _valued_once(harness, 1, "55.00")
    all_done(harness)


def test_a_worker_killed_mid_send_leaves_each_journal_posted_once(
    harness: SyncHarness, tmp_path: Path
) -> None:
    valuation(harness)
    harness.push("stock_movement", _many(KILLED))
    settings = replace(harness.settings, xero_read_timeout=4.0)
    worker = WorkerProcess(settings, tmp_path, PUBLIC_URL, 2.0, limits_env(fast_limits()))
    deaths = worker.die_at("reply_received:1", "intent_written:1")
    assert deaths == ["reply_received", "intent_written"]
    balanced_once(harness, [f"mv-{n}" for n in range(KILLED)])
    all_done(harness)


def test_a_thousand_movements_take_twenty_journal_requests(harness: SyncHarness) -> None:
    """Calls per 1,000 stock movements: Xero takes 50 manual journals a request."""
    valuation(harness)
    harness.push(
        "stock_movement",
        [movement(n, value=f"{1 + n % 90}.10") for n in range(1000)],
    )
    before = len(harness.requests())
    harness.sync()
    calls = harness.requests()[before:]
    journal_puts = [c for c in calls if c["method"] == "PUT" and c["path"] == "/ManualJournals"]
    assert len(journal_puts) == 20
    assert len(calls) <= 20 + 4  # and the first sync's reads of the organisation's lists
    all_done(harness)
