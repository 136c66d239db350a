"""A scheduled connection sends nothing until its schedule fires, then everything queued goes
together; switching back to immediate sends what waits at once; a bad schedule is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from tests.engine.sync.conftest import SyncHarness, invoice


def _set(harness: SyncHarness, **changes: object) -> None:
    with transaction(harness.factory) as session:
        conns.update_settings(session, harness.workspace_id, harness.connection_id, changes)


def _writes(harness: SyncHarness) -> int:
    return len(harness.requests("PUT")) + len(harness.requests("POST"))


def _idle(harness: SyncHarness) -> bool:
    """A worker finds nothing of the connection's due now."""
    return harness.worker().run_once().connection_id is None


def test_a_scheduled_connection_sends_nothing_until_its_schedule_fires(
    harness: SyncHarness,
) -> None:
    _set(harness, mode="scheduled", schedule="0 2 * * *")  # 02:00 UTC every day
    harness.push("invoice", [invoice(n) for n in range(10)])
    assert _idle(harness)
    harness.push("invoice", [invoice(n) for n in range(10, 20)])
    assert _idle(harness)
    assert _writes(harness) == 0 and harness.states() == {"queued": 20}

    now = harness.clock()
    fire = (now + timedelta(days=1)).replace(hour=2, minute=0, second=0, microsecond=0)
    if fire - now > timedelta(days=1):
        fire -= timedelta(days=1)
    harness.advance((fire - now).total_seconds() - 60)  # a minute before: still waiting
    assert _idle(harness)
    assert _writes(harness) == 0

    harness.advance(61)
    harness.sync()
    assert harness.states() == {"done": 20}
    puts = [r for r in harness.requests("PUT") if r["path"] == "/Invoices"]
    assert len(puts) == 1  # everything queued since went together


def test_back_to_immediate_sends_what_waits_at_once(harness: SyncHarness) -> None:
    _set(harness, mode="scheduled", schedule="0 2 * * *")
    harness.push("invoice", [invoice(1)])
    assert _idle(harness)
    assert harness.states() == {"queued": 1}
    _set(harness, mode="immediate")
    harness.sync()
    assert harness.states() == {"done": 1}


def test_a_schedule_cron_cannot_read_is_refused_naming_the_field(harness: SyncHarness) -> None:
    for changes in ({"mode": "scheduled"}, {"mode": "scheduled", "schedule": "at two"}):
        with pytest.raises(LedgerlinkError) as refused:
            _set(harness, **changes)
        assert refused.value.code == "VALIDATION_FAILED"
        assert refused.value.field == "settings.schedule"
        assert "cron" in refused.value.message
