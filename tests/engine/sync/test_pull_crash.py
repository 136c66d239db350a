"""A worker process killed with SIGKILL while pulling Xero's side back loses no event.

120 invoices are paid in Xero and their webhook events stored; then ``ledgerlink worker`` lives
are killed after a batch is read and before it is written, and after one is written, and the
last life finishes. Every invoice reads PAID; the source app was told ``document.paid`` and
``payment.recorded`` once per invoice, not one missing and none twice; no pull is left.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from ledgerlink.store.models import Link
from ledgerlink.store.twoway import Event, PullItem, XeroEvent
from ledgerlink.sync import xero_webhooks
from tests.engine.sync.conftest import PUBLIC_URL, SyncHarness, fast_limits, invoice, limits_env
from tests.engine.sync.webhook_events import deliver, invoice_event
from tests.engine.sync.worker_process import WorkerProcess

COUNT = 120  # three batches of 50 ids per read


def _pay_all(harness: SyncHarness) -> list[str]:
    links = list(harness.links().values())
    with harness.xero() as xero:
        payments = [
            {
                "Invoice": {"InvoiceID": link.xero_id},
                "Account": {"Code": "090"},
                "Date": "2026-03-20",
                "Amount": link.total,
                "Reference": f"paid {n}",
            }
            for n, link in enumerate(links)
        ]
        reply = xero.put("/Payments", {"Payments": payments})
        assert reply.status == 200, reply.text
    return [link.xero_id for link in links]


def _announce(harness: SyncHarness, xero_ids: list[str]) -> None:
    """The webhook delivery Xero would send for the payments, stored and routed."""
    events = [invoice_event(x, "2026-03-20T01:00:00.000") for x in xero_ids]
    deliver(harness.factory, events, harness.clock())
    routed = xero_webhooks.route(harness.factory, harness.clock())
    assert routed.pulls == len(xero_ids)


def test_a_worker_killed_while_pulling_loses_no_event_and_tells_nothing_twice(
    harness: SyncHarness, tmp_path: Path
) -> None:
    harness.push("invoice", [invoice(2 * n + 1) for n in range(COUNT)])  # all sent
    harness.sync()
    _announce(harness, _pay_all(harness))

    settings = replace(harness.settings, xero_read_timeout=4.0)
    worker = WorkerProcess(settings, tmp_path, PUBLIC_URL, 2.0, limits_env(fast_limits()))
    deaths = worker.die_at("pull_read:2", "pull_applied:1")
    assert deaths == ["pull_read", "pull_applied"]
    with harness.factory() as session:
        statuses = Counter(link.xero_status for link in session.scalars(select(Link)))
        told = Counter(
            (e.type, e.document_id)
            for e in session.scalars(select(Event))
            if e.type in ("document.paid", "payment.recorded")
        )
        left = session.scalars(select(PullItem)).all()
        stored = session.scalars(select(XeroEvent)).all()
    assert statuses == {"PAID": COUNT}
    assert len(left) == 0 and len(stored) == COUNT
    assert Counter(type_ for type_, _ in told) == {
        "document.paid": COUNT,
        "payment.recorded": COUNT,
    }
    assert set(told.values()) == {1}, [k for k, n in told.items() if n > 1]
