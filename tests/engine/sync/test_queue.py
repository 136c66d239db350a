"""Intake and the queue on SQLite and PostgreSQL: versions, unchanged pushes, superseding, bad
documents refused alone; one worker per connection, and a dead worker's items taken over with
their intents kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from ledgerlink.store.models import Document, DocumentVersion, Lease, QueueItem, SendIntent
from ledgerlink.sync import leases, queue
from tests.engine.sync.conftest import SyncHarness, invoice


def test_intake_versions_changes_and_leaves_the_same_content_alone(harness: SyncHarness) -> None:
    first = harness.push("invoice", [invoice(1), invoice(2)])
    same = harness.push("invoice", [invoice(1)])
    reordered = harness.push("invoice", [dict(reversed(list(invoice(2).items())))])
    changed = harness.push("invoice", [invoice(1, reference="Job 9")])

    assert [r.outcome for r in first] == ["created", "created"]
    assert same[0].outcome == "unchanged" and same[0].version == 1
    assert reordered[0].outcome == "unchanged"
    assert changed[0].outcome == "updated" and changed[0].version == 2
    with harness.factory() as session:
        assert session.scalar(select(func.count()).select_from(DocumentVersion)) == 3
        states = dict(
            session.execute(
                select(QueueItem.version, QueueItem.state).where(
                    QueueItem.document_id == changed[0].document_id
                )
            ).all()
        )
    assert states == {1: "superseded", 2: "queued"}


def test_a_bad_document_is_refused_alone_and_nothing_of_it_is_stored(
    harness: SyncHarness,
) -> None:
    bad = invoice(2)
    bad["lines"][0]["unit_amount"] = "abc"
    del bad["due_date"]
    results = harness.push("invoice", [invoice(1), bad, invoice(3)])

    assert [r.outcome for r in results] == ["created", "invalid", "created"]
    fields = {e.field for e in results[1].errors}
    assert {"lines[0].unit_amount", "due_date"} <= fields
    assert all(e.code == "VALIDATION_FAILED" for e in results[1].errors)
    with harness.factory() as session:
        sources = set(session.scalars(select(Document.source_id)))
    assert sources == {"inv-1", "inv-3"}


def test_a_thousand_documents_in_one_call(harness: SyncHarness) -> None:
    results = harness.push("invoice", [invoice(n) for n in range(1000)])
    assert len(results) == 1000 and {r.outcome for r in results} == {"created"}
    assert harness.states() == {"queued": 1000}


def test_one_worker_per_connection_and_a_dead_workers_items_are_taken_over(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(n) for n in range(3)])
    now = harness.clock()
    factory = harness.factory
    assert leases.acquire_lease(factory, "worker-a", 60, now) == harness.connection_id
    claimed = queue.claim(factory, harness.connection_id, "worker-a", 10, now, 60)
    assert len(claimed) == 3
    with factory.begin() as session:
        intent = SendIntent(
            connection_id=harness.connection_id,
            idempotency_key="ledgerlink-test-intent",
            method="PUT",
            path="/Invoices?summarizeErrors=false",
            body=b"{}",
            document_ids=[],
        )
        session.add(intent)
        session.flush()
        session.get(QueueItem, claimed[0]).intent_id = intent.id  # type: ignore[union-attr]
        intent_id = intent.id

    assert leases.acquire_lease(factory, "worker-b", 60, now + timedelta(seconds=30)) is None
    assert queue.claim(factory, harness.connection_id, "worker-b", 10, now, 60) == []

    later = now + timedelta(seconds=61)  # worker-a died: its lease ran out
    assert leases.acquire_lease(factory, "worker-b", 60, later) == harness.connection_id
    with factory() as session:
        rows = {r.id: r for r in session.scalars(select(QueueItem))}
    assert {r.state for r in rows.values()} == {"queued"}
    assert rows[claimed[0]].intent_id == intent_id
    with factory.begin() as session:
        assert not leases.renew_lease(session, harness.connection_id, "worker-a", 60, later)


def test_a_taken_over_send_is_settled_by_replay_not_sent_again(harness: SyncHarness) -> None:
    harness.faults({"kind": "lost_reply", "endpoint": "invoices", "method": "PUT", "count": 1})
    harness.push("invoice", [invoice(n) for n in range(3)])
    # worker-a sends, loses the reply and "dies" holding the items in flight
    worker_a = harness.worker(owner="worker-a", lease_seconds=60)
    worker_a._return_unfinished = lambda connection_id: None  # type: ignore[method-assign]
    worker_a.run_once()
    with harness.factory.begin() as session:
        for item in session.scalars(select(QueueItem)):
            item.state = "in_flight"

    harness.clock.sleep(61)
    harness.worker(owner="worker-b").run_until_idle()

    assert harness.states() == {"done": 3}
    ours = harness.ours()
    assert len(ours) == 3 and set(ours.values()) == {1}
    puts = [r for r in harness.requests("PUT") if r["path"] == "/Invoices"]
    assert len(puts) == 2  # the lost one, then its replay with the same key
    assert harness.admin("GET", "/_sandbox/stats")["idempotent_replays"] == 1


def test_items_a_worker_holds_are_due_again_when_its_lease_runs_out(harness: SyncHarness) -> None:
    """A worker with nothing queued still waits for another's in-flight items: if that worker
    died, they are due when its lease ends (``ledgerlink worker --once`` must not stop early)."""
    harness.push("invoice", [invoice(n) for n in range(3)])
    now = harness.clock()
    factory = harness.factory
    assert leases.acquire_lease(factory, "worker-a", 60, now) == harness.connection_id
    assert len(queue.claim(factory, harness.connection_id, "worker-a", 10, now, 60)) == 3

    assert queue.next_due(factory) == now + timedelta(seconds=60)
    assert queue.next_due(factory, harness.connection_id) == now + timedelta(seconds=60)

    with factory.begin() as session:  # the lease is gone, the items still in flight
        session.execute(delete(Lease))
    due = queue.next_due(factory)
    assert due is not None and due <= now

    leases.acquire_lease(factory, "worker-b", 60, now)
    leases.release_lease(factory, harness.connection_id, "worker-b")
    assert harness.states() == {"queued": 3}
    again = queue.next_due(factory)
    assert again is not None and again <= now
