"""A worker process killed with SIGKILL, again and again, during one run of 520 documents.

Each life of ``ledgerlink worker`` is its own process and dies without running a line more:
after the intent is committed and before a byte is sent; after Xero applied a batch and before
its reply is recorded; after the reply is recorded; while Xero is still working on a batch (it
applies it after the worker is gone); and at an arbitrary moment. The next life takes the
connection over once the dead one's lease runs out. The sandbox's records are the judge: every
document is one live Xero invoice, every contact one Xero contact.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select

from ledgerlink.store.models import Link, QueueItem, SendIntent
from tests.engine.sync.conftest import (
    PUBLIC_URL,
    SyncHarness,
    expense,
    fast_limits,
    invoice,
    limits_env,
)
from tests.engine.sync.worker_process import WorkerProcess

INVOICES, EXPENSES = 420, 100


def _until(check: Callable[[], bool], worker: WorkerProcess, what: str) -> bool:
    """Poll until ``check`` holds; False if the worker finished first."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if check():
            return True
        if worker.process is not None and worker.process.poll() is not None:
            return False
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}:\n{worker.log()}")


def _put_invoices(harness: SyncHarness) -> int:
    return sum(1 for r in harness.requests("PUT") if r["path"] == "/Invoices")


def _done(harness: SyncHarness) -> int:
    with harness.factory() as session:
        query = select(func.count()).select_from(QueueItem).where(QueueItem.state == "done")
        return int(session.scalar(query) or 0)


def _kill_while_xero_works(harness: SyncHarness, worker: WorkerProcess) -> None:
    """Kill the worker while its batch sits in Xero; wait until Xero has applied it."""
    harness.faults({"kind": "slow", "endpoint": "invoices", "method": "PUT", "delay_seconds": 3.0})
    worker.start()
    fired = _until(
        lambda: bool(harness.admin("GET", "/_sandbox/faults")["fired"]), worker, "the slow call"
    )
    assert fired, f"the worker finished without meeting the slow call:\n{worker.log()}"
    logged = _put_invoices(harness)  # the slow call is not logged until Xero has done it
    worker.kill()
    _until(lambda: _put_invoices(harness) > logged, worker, "Xero to finish the slow call")


def test_a_worker_killed_at_every_step_leaves_each_document_in_xero_once(
    harness: SyncHarness, tmp_path: Path
) -> None:
    harness.push("invoice", [invoice(n, contacts=80) for n in range(INVOICES)])
    harness.push("expense", [expense(n, suppliers=20) for n in range(EXPENSES)])
    limits = limits_env(fast_limits())  # the sandbox's, as in every sync test: never reached
    # A call may take 4 s here (the slow fault's 3 s fit): a dead life's last send is replayed
    # once that has passed, never while Xero may still be working on it.
    settings = replace(harness.settings, xero_read_timeout=4.0)
    worker = WorkerProcess(settings, tmp_path, PUBLIC_URL, 2.0, limits)
    deaths: list[str] = []
    try:
        for point in ("intent_written:3", "reply_received:2", "reply_applied:2"):
            worker.start(pause_at=point)
            deaths.append(worker.wait_paused())
            worker.kill()
        _kill_while_xero_works(harness, worker)
        deaths.append("in Xero")
        worker.start()
        start = _done(harness)
        if _until(lambda: _done(harness) >= start + 40, worker, "progress"):
            worker.kill()
            deaths.append("anywhere")
        worker.start()
        assert worker.wait() == 0, worker.log()
    finally:
        worker.stop()

    assert deaths == [
        "intent_written",
        "reply_received",
        "reply_applied",
        "in Xero",
        "anywhere",
    ]
    total = INVOICES + EXPENSES
    ours = harness.ours()
    assert len(ours) == total, f"{len(ours)} of {total} documents in Xero"
    assert set(ours.values()) == {1}, [url for url, n in ours.items() if n > 1]
    held = [(i.error_code, i.error_message) for i in harness.items() if i.state != "done"]
    assert harness.states() == {"done": total}, held[:3]
    links = harness.links()
    assert len({link.xero_id for link in links.values()}) == total
    for n in (0, 7, 79):
        assert harness.contacts_named(f"Client {n} Pty Ltd") == 1
    assert harness.contacts_named("Supplier 19") == 1
    with harness.factory() as session:
        open_intents = session.scalars(
            select(SendIntent.state).where(SendIntent.state.in_(("pending", "lookup")))
        ).all()
        assert open_intents == []
        assert session.scalar(select(func.count()).select_from(Link)) == total
    # the batch Xero applied while the worker was dead, and the one whose reply was never
    # recorded, were settled by replaying their Idempotency-Keys, not by sending again
    assert harness.admin("GET", "/_sandbox/stats")["idempotent_replays"] >= 2
