"""Chaos on the way back, on PostgreSQL: two ``ledgerlink worker`` processes SIGKILLed at random
moments (seeded) while invoices are paid in Xero and announced by webhook events (some repeated,
some reordered, as Xero's are), and other invoices change at the source meanwhile.

Once the chaos stops and nothing is due, the sandbox and the database are judged: each invoice is
one live Xero record carrying its newest version; each one paid in Xero reads PAID on its link;
the source app was told ``document.paid`` and ``payment.recorded`` exactly once for each, and
nothing for the others; no pull is left and nothing was held.

``LEDGERLINK_CHAOS_SEED`` runs another seed (kills, batches and which events repeat follow it).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ledgerlink.config import Settings
from ledgerlink.store.models import Link, QueueItem
from ledgerlink.store.twoway import Event, PullItem
from tests.engine.conftest import TEST_KEY, postgres_database
from tests.engine.sync.conftest import (
    PUBLIC_URL,
    SyncHarness,
    connect_harness,
    fast_limits,
    invoice,
    limits_env,
)
from tests.engine.sync.webhook_events import deliver, invoice_event
from tests.engine.sync.worker_process import WorkerProcess
from xero_sandbox import SandboxConfig
from xero_sandbox.server import SandboxServer

INVOICES = 60  # half paid in Xero, half changed at the source
STEPS = 10
DRAIN_SECONDS = 180.0  # bounds a hang, not a speed
OK = ("done", "superseded")


def _pay(harness: SyncHarness, links: list[Link]) -> None:
    with harness.xero() as xero:
        payments = [
            {
                "Invoice": {"InvoiceID": link.xero_id},
                "Account": {"Code": "090"},
                "Date": "2026-03-20",
                "Amount": link.total,
                "Reference": f"paid in Xero {link.xero_number}",
            }
            for link in links
        ]
        reply = xero.put("/Payments", {"Payments": payments})
        assert reply.status == 200, reply.text


def _idle(harness: SyncHarness) -> bool:
    with harness.factory() as session:
        active = session.scalar(
            select(func.count())
            .select_from(QueueItem)
            .where(QueueItem.state.in_(("queued", "in_flight")))
        )
        pulls = session.scalar(select(func.count()).select_from(PullItem))
    return not active and not pulls


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_workers_killed_while_pulling_and_sending_tell_each_change_once(tmp_path: Path) -> None:
    seed = int(os.environ.get("LEDGERLINK_CHAOS_SEED", "").strip() or "11")
    rng = random.Random(seed)
    with (
        postgres_database() as (url, factory),
        SandboxServer(SandboxConfig(limits=fast_limits())) as server,
    ):
        settings = Settings(database_url=url, secret_keys=(TEST_KEY,)).for_sandbox(server.url)
        harness = connect_harness(server, factory, settings, "Pull chaos")
        docs = [invoice(2 * n + 1) for n in range(INVOICES)]  # all sent: AUTHORISED
        harness.push("invoice", docs)
        harness.sync()
        links = {link.document_id: link for link in harness.links().values()}
        by_number = {link.xero_number: link for link in links.values()}
        to_pay = [by_number[d["number"]] for d in docs[: INVOICES // 2]]
        to_change = docs[INVOICES // 2 :]
        rng.shuffle(to_pay)

        env = limits_env(fast_limits())
        fleet = [
            WorkerProcess(
                replace(settings, xero_read_timeout=4.0),
                tmp_path,
                PUBLIC_URL,
                2.0,
                env,
                once=False,
                name=f"worker{n}",
            )
            for n in range(2)
        ]
        kills = 0
        sent: list[dict[str, str]] = []
        newest: dict[str, str] = {}
        try:
            for worker in fleet:
                worker.start()
            for step in range(STEPS):
                batch = to_pay[step * 3 : step * 3 + 3]
                if batch:
                    _pay(harness, batch)
                    when = f"2026-03-20T01:00:{step:02d}.000"
                    events = [invoice_event(link.xero_id, when) for link in batch]
                    sent += events
                    repeats = rng.sample(sent, min(3, len(sent)))  # Xero repeats, out of order
                    deliver(harness.factory, events + repeats, harness.clock())
                changed = [dict(d, reference=f"v{step}") for d in rng.sample(to_change, 3)]
                harness.push("invoice", changed)
                newest.update({d["source_id"]: d["reference"] for d in changed})
                time.sleep(rng.uniform(0.1, 0.5))
                victim = rng.choice(fleet)
                if victim.alive():
                    victim.kill()
                    kills += 1
                victim.start()
            deadline = time.monotonic() + DRAIN_SECONDS
            while not _idle(harness):
                assert time.monotonic() < deadline, fleet[0].log()[-3000:]
                for worker in fleet:
                    if not worker.alive():
                        worker.start()
                time.sleep(0.2)
            time.sleep(1.0)  # a run that took the last pull may still be telling: let it end
            for worker in fleet:
                worker.terminate()
        finally:
            for worker in fleet:
                worker.stop()

        assert kills >= STEPS // 2
        ours = harness.ours()
        assert len(ours) == INVOICES and set(ours.values()) == {1}, "an invoice twice or missing"
        records = {r["InvoiceNumber"]: r for r in harness.invoices() if r.get("InvoiceNumber")}
        for doc in to_change:
            if doc["source_id"] in newest:
                assert records[doc["number"]]["Reference"] == newest[doc["source_id"]], doc
        paid_ids = {link.document_id for link in to_pay}
        with harness.factory() as session:
            statuses = {
                link.document_id: link.xero_status for link in session.scalars(select(Link))
            }
            told = Counter(
                (e.type, e.document_id)
                for e in session.scalars(select(Event))
                if e.type in ("document.paid", "payment.recorded")
            )
        assert {d for d, s in statuses.items() if s == "PAID"} == paid_ids
        expected = {(t, d) for d in paid_ids for t in ("document.paid", "payment.recorded")}
        assert set(told) == expected, sorted(set(told) ^ expected)[:5]
        assert set(told.values()) == {1}, [k for k, n in told.items() if n > 1]
        held = [(i.error_code, i.error_message) for i in harness.items() if i.state not in OK]
        assert not held, held[:3]  # nothing that only had to wait was held or failed
