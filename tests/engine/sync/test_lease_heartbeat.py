"""A living worker keeps its organisation however long a step takes; a dead one gives it back
within its (short) lease, and the next worker finishes its documents once each."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ledgerlink.store.models import Lease
from ledgerlink.sync.context import WorkerConfig
from ledgerlink.sync.limiter import Limiter, XeroLimits
from ledgerlink.sync.worker import Worker
from tests.engine.conftest import CUSTOM_CLIENT
from tests.engine.sync.conftest import (
    FAST_APP_MINUTE,
    FAST_MINUTE,
    PUBLIC_URL,
    SyncHarness,
    expense,
    fast_limits,
    invoice,
    limits_env,
)
from tests.engine.sync.worker_process import WorkerProcess

LEASE = 2.0
LIMITS = limits_env(fast_limits())


def _lease_end(harness: SyncHarness) -> datetime | None:
    with harness.factory() as session:
        row = session.get(Lease, harness.connection_id)
        return row.expires_at if row is not None else None


def _until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_paused_worker_keeps_its_lease_and_a_killed_one_gives_it_back_within_it(
    harness: SyncHarness, tmp_path: Path
) -> None:
    harness.push("invoice", [invoice(n) for n in range(30)])
    settings = replace(harness.settings, xero_read_timeout=4.0)
    worker = WorkerProcess(settings, tmp_path, PUBLIC_URL, LEASE, LIMITS)
    try:
        worker.start(pause_at="intent_written:1")
        worker.wait_paused()  # stopped mid-run, longer than its lease, but alive
        first = _lease_end(harness)
        assert first is not None
        _until(
            lambda: (_lease_end(harness) or first) > first + timedelta(seconds=3 * LEASE),
            "the heartbeat to renew the lease past three lease lengths",
        )
        assert harness.worker().run_once().connection_id is None  # not ours to take

        killed_at = datetime.now(UTC)
        worker.kill()
        end = _lease_end(harness)
        assert end is not None
        # the last beat was before the kill: the organisation is free a lease after it at most
        assert end <= killed_at + timedelta(seconds=LEASE)

        worker.start()
        assert worker.wait() == 0, worker.log()
    finally:
        worker.stop()

    ours = harness.ours()
    assert len(ours) == 30 and set(ours.values()) == {1}
    assert harness.states() == {"done": 30}


def test_a_dead_workers_send_still_in_xero_is_not_replayed_until_xero_is_done(
    harness: SyncHarness, tmp_path: Path
) -> None:
    harness.push("invoice", [invoice(n) for n in range(5)])
    harness.worker().run_once()  # reference data and contacts, then the invoices go
    harness.admin("DELETE", "/_sandbox/faults")
    # bills: Xero does not refuse a second bill with the same number, as it does an invoice
    harness.push("expense", [expense(n) for n in range(5)])
    harness.faults({"kind": "slow", "endpoint": "invoices", "method": "PUT", "delay_seconds": 3.5})
    settings = replace(harness.settings, xero_read_timeout=5.0)
    dead = WorkerProcess(settings, tmp_path, PUBLIC_URL, 1.0, LIMITS)
    try:
        dead.start()
        _until(lambda: bool(harness.admin("GET", "/_sandbox/faults")["fired"]), "the slow call")
        dead.kill()  # Xero is still working on its batch
    finally:
        dead.stop()
    harness.admin("DELETE", "/_sandbox/faults")

    # the next worker, on the real clock, takes the organisation over as soon as it can
    limits = XeroLimits(per_minute=FAST_MINUTE, app_per_minute=FAST_APP_MINUTE)
    taker = Worker(
        harness.factory,
        settings,
        WorkerConfig(public_url=PUBLIC_URL, lease_seconds=1.0, idle_poll_seconds=0.1),
        limiter=Limiter(harness.factory, CUSTOM_CLIENT, limits),
    )
    taker.run_until_idle(max_seconds=120)

    ours = harness.ours()
    assert len(ours) == 10 and set(ours.values()) == {1}
    assert harness.states() == {"done": 10}
    assert harness.admin("GET", "/_sandbox/stats")["idempotent_replays"] >= 1
