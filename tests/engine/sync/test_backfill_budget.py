"""A Starter-tier organisation's backfill against the sandbox: within the day, a person's change
in between, nothing failed.

Scaled down so it runs in seconds: the sandbox's Starter day is 60 calls (Xero's is 1,000) and
the engine knows the same, with its margin and reserve; documents go two to a request so the
backfill needs several days. The sandbox enforces the Starter day, so one call too many would
be a 429: the judge is the sandbox's count of refusals, and what it holds.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from ledgerlink.store.models import QueueItem
from ledgerlink.sync.limiter import XeroLimits
from ledgerlink.sync.worker import Worker
from tests.engine.conftest import CUSTOM_CLIENT
from tests.engine.sync.conftest import (
    FAST_APP_MINUTE,
    FAST_MINUTE,
    SyncHarness,
    invoice,
)

STARTER_DAY = 60
DAY = 86400.0
BACKFILL = 200


def _worker(harness: SyncHarness) -> Worker:
    limits = replace(
        XeroLimits(per_minute=FAST_MINUTE, app_per_minute=FAST_APP_MINUTE).for_tier("starter"),
        per_day=STARTER_DAY,
    )
    return harness.worker(limits, batch_size=2)


def _refused(harness: SyncHarness) -> int:
    return int(harness.admin("GET", "/_sandbox/stats")["rate_limits"]["refused_total"])


def test_a_starter_backfill_keeps_to_the_day_and_a_change_goes_through_in_between(
    harness: SyncHarness,
) -> None:
    harness.admin("PUT", "/_sandbox/limits", {"starter_per_day": STARTER_DAY})
    harness.admin("PATCH", f"/_sandbox/apps/{CUSTOM_CLIENT}", {"tier": "starter"})
    harness.push("invoice", [invoice(n, contacts=4) for n in range(BACKFILL)])
    worker = _worker(harness)

    worker.run_once()  # the first day: the backfill stops at the reserve
    states = harness.states()
    assert 0 < states["done"] < BACKFILL and states["queued"] == BACKFILL - states["done"]
    with harness.factory() as session:
        waiting = session.scalars(select(QueueItem).where(QueueItem.state == "queued")).first()
    assert waiting is not None and waiting.error_code == "XERO_RATE_LIMITED"
    assert "the day resets at" in (waiting.error_message or "")
    first_day = states["done"]

    # A person corrects a sent invoice: the change goes through today, from the reserve.
    number = str(harness.invoices()[0]["InvoiceNumber"])  # one that reached Xero today
    changed = invoice(int(number.removeprefix("LL-")), contacts=4, reference="Corrected")
    harness.push("invoice", [changed])
    worker.run_once()
    corrected = [r for r in harness.invoices() if r.get("InvoiceNumber") == number]
    assert len(corrected) == 1 and corrected[0].get("Reference") == "Corrected"
    assert harness.states()["done"] == first_day + 1  # and nothing of the backfill went with it

    days = 1
    while harness.states().get("queued"):
        harness.advance(DAY)  # the sandbox's clock and the engine's: a new day for both
        worker.run_once()
        days += 1
        assert days < 10, harness.states()
    assert days >= 3  # the backfill needed several days' budgets
    assert set(harness.states()) <= {"done", "superseded"}  # nothing failed or held
    assert _refused(harness) == 0  # never past Xero's Starter day
    ours = harness.ours()
    assert len(ours) == BACKFILL and set(ours.values()) == {1}
