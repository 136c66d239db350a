"""A run keeps several requests in flight to one organisation (``calls_at_once``; Xero takes
5 at once): each request has its own intent and documents, so exactly once holds as it does one
request at a time (``test_faults.py`` runs its faults both ways). The sandbox's own records
are the judge, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from ledgerlink.sync import pause, queue
from tests.engine.sync.conftest import SyncHarness, all_once, invoice
from xero_sandbox.seed import DEMO_TENANT


def _peak(harness: SyncHarness) -> int:
    stats = harness.admin("GET", "/_sandbox/stats")
    return int(stats["rate_limits"]["peak_in_flight"].get(DEMO_TENANT, 0))


def test_requests_go_side_by_side_up_to_the_setting(harness: SyncHarness) -> None:
    # Each invoice PUT takes a while at Xero's end, so the next ones start meanwhile.
    harness.faults(
        {"kind": "slow", "endpoint": "invoices", "method": "PUT", "delay_seconds": 0.3, "count": 8}
    )
    harness.push("invoice", [invoice(n) for n in range(40)])

    counts = harness.sync(batch_size=5, calls_at_once=3)

    all_once(harness, 40)
    assert counts["synced"] == 40
    assert 2 <= _peak(harness) <= 3
    puts = [r for r in harness.requests("PUT") if r["path"] == "/Invoices"]
    assert len(puts) == 8  # 40 documents, 5 to a request: nothing sent twice


def test_one_request_at_a_time_when_set_so(harness: SyncHarness) -> None:
    harness.faults(
        {"kind": "slow", "endpoint": "invoices", "method": "PUT", "delay_seconds": 0.1, "count": 4}
    )
    harness.push("invoice", [invoice(n) for n in range(20)])

    harness.sync(batch_size=5, calls_at_once=1)

    all_once(harness, 20)
    assert _peak(harness) == 1


# One claim of 30, or claims of 5: a claim's requests then still in flight while the next
# claim is prepared and sent (``sync.flight``).
@pytest.mark.parametrize("claim_size", [500, 5], ids=["one-claim", "claims-overlapping"])
def test_documents_changed_while_their_requests_are_unresolved_go_once_as_changed(
    harness: SyncHarness, claim_size: int
) -> None:
    # Two of the requests in flight together lose their replies: Xero applied them, we
    # do not know it. Meanwhile every document changes, and new clients appear.
    harness.faults(
        {"kind": "lost_reply", "endpoint": "invoices", "method": "PUT", "count": 2},
        {"kind": "slow", "endpoint": "invoices", "method": "PUT", "delay_seconds": 0.1, "count": 4},
    )
    harness.push("invoice", [invoice(n) for n in range(30)])
    first = harness.worker(batch_size=5, calls_at_once=3, claim_size=claim_size).run_once()
    assert first.counts["retrying"] >= 1

    changed = [
        invoice(
            n,
            contact={"key": f"new-client-{n % 3}", "name": f"New Client {n % 3}"},
            lines=[{"description": "Changed", "quantity": "1", "unit_amount": "12.34"}],
        )
        for n in range(30)
    ]
    harness.push("invoice", changed)
    harness.advance(400)  # past Xero's idempotency window: the lost ones are looked up
    harness.sync(batch_size=5, calls_at_once=3, claim_size=claim_size)

    ours = harness.ours()
    assert len(ours) == 30 and set(ours.values()) == {1}
    # each document's first version was written or overtaken, its second written
    assert set(harness.states()) <= {"done", "superseded"}
    assert all(link.pushed_version == 2 for link in harness.links().values())
    for record in harness.invoices():
        if "ledgerlink" in str(record.get("Url") or ""):
            assert Decimal(str(record["SubTotal"])) == Decimal("12.34"), record["InvoiceNumber"]
            assert str(record["Contact"]["Name"]).startswith("New Client")
    for n in range(3):
        assert harness.contacts_named(f"New Client {n}") == 1


def test_requests_refused_together_each_wait_and_nothing_is_lost(harness: SyncHarness) -> None:
    # Four requests in flight are refused with 429 at once: each records its failure and
    # pushes the whole connection back, one after another (at once they deadlocked on
    # PostgreSQL, each holding its own items while waiting for the other's).
    harness.faults(
        {"kind": "slow", "endpoint": "invoices", "method": "PUT", "delay_seconds": 0.2, "count": 4},
        {"kind": "rate_limit", "endpoint": "invoices", "count": 4, "problem": "minute"},
    )
    harness.push("invoice", [invoice(n) for n in range(40)])

    harness.sync(batch_size=5, calls_at_once=4)

    fired = [f["kind"] for f in harness.admin("GET", "/_sandbox/faults")["fired"]]
    assert fired.count("rate_limit") == 4
    all_once(harness, 40)


class _HeldReply:
    """Notes whether any intent was written after the first request's (a request thread's)
    and before any reply was applied: work decided while that request was in flight. The
    first reply is held (at ``reply_received``) until then or ``patience`` seconds (a hang
    guard, never a timing asserted)."""

    def __init__(self, reached: Any, patience: float) -> None:
        self.reached, self.patience = reached, patience
        self.first_sent = False
        self.applied = False
        self.held = False
        self.another = threading.Event()
        self.lock = threading.Lock()

    @property
    def written_while_held(self) -> bool:
        return self.another.is_set()

    def __call__(self, point: str) -> None:
        sender = threading.current_thread().name.startswith("ledgerlink-send")
        with self.lock:
            if point == "intent_written":
                if self.first_sent and not self.applied:
                    self.another.set()
                self.first_sent = self.first_sent or sender
            self.applied = self.applied or point == "reply_applied"
            hold = point == "reply_received" and not self.held
            self.held = self.held or hold
        if hold:
            self.another.wait(self.patience)
        self.reached(point)


def test_the_next_claim_is_prepared_and_sent_while_the_last_request_is_in_flight(
    harness: SyncHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claim's last request stays in flight while the run claims and prepares the next
    claim: its first request goes without waiting for the reply."""
    held = _HeldReply(pause.reached, patience=60)
    monkeypatch.setattr(pause, "reached", held)
    harness.push("invoice", [invoice(n) for n in range(10)])

    harness.sync(claim_size=5, batch_size=5, calls_at_once=3)  # a claim is one request

    assert held.written_while_held  # the second claim's intent, while the first was held
    all_once(harness, 10)
    assert len([r for r in harness.requests("PUT") if r["path"] == "/Invoices"]) == 2


def test_a_document_in_flight_changed_in_the_next_claim_waits_for_the_reply_and_goes_once(
    harness: SyncHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a create is in flight its document changes, and the run's next claim holds the
    new version: it is decided only once that reply is applied (the run waits for it, as it
    does for any document of its own in flight; an open send of another item of the document
    would hold it too), so it goes as an update of what Xero holds, never a second create,
    and nothing of that claim is sent meanwhile."""
    pushed = threading.Event()

    class _ChangeThenHold(_HeldReply):
        def __call__(self, point: str) -> None:
            if point == "reply_received" and not self.held:
                harness.push("invoice", [invoice(1, reference="changed while in flight")])
                pushed.set()
            super().__call__(point)

    claim = queue.claim
    claims: list[int] = []

    def second_claim_after_the_change(*args: Any, **kwargs: Any) -> list[str]:
        claims.append(1)
        if len(claims) == 2:
            assert pushed.wait(60)  # a hang guard
        return claim(*args, **kwargs)

    held = _ChangeThenHold(pause.reached, patience=1.0)
    monkeypatch.setattr(pause, "reached", held)
    monkeypatch.setattr(queue, "claim", second_claim_after_the_change)
    harness.push("invoice", [invoice(n) for n in range(5)])

    harness.sync(claim_size=5, batch_size=5, calls_at_once=3)

    assert held.held and not held.written_while_held
    mine = [r for r in harness.invoices() if r.get("InvoiceNumber") == "LL-00001"]
    assert [r.get("Reference") for r in mine] == ["changed while in flight"]
    assert harness.states() == Counter({"done": 6})
    assert len([r for r in harness.requests("PUT") if r["path"] == "/Invoices"]) == 1
    assert len([r for r in harness.requests("POST") if r["path"].startswith("/Invoices")]) == 1
