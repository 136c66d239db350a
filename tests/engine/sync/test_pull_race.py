"""A webhook event routed while its pull is being read is not swallowed by that pull: the read
could not see what the event announces, so the pull stays and is read once more."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from ledgerlink.store.models import Link
from ledgerlink.store.twoway import PullItem
from ledgerlink.sync import pause, queue, xero_webhooks
from tests.engine.sync.conftest import SyncHarness, invoice
from tests.engine.sync.webhook_events import deliver, invoice_event


def _pay(harness: SyncHarness, xero_id: str, amount: str, day: str) -> None:
    body = {"Invoice": {"InvoiceID": xero_id}, "Account": {"Code": "090"}}
    body |= {"Date": day, "Amount": amount}
    with harness.xero() as xero:
        assert xero.put("/Payments", {"Payments": [body]}).status == 200


def test_an_event_routed_while_its_pull_is_read_is_read_again(
    harness: SyncHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.push("invoice", [invoice(1)])  # sent: AUTHORISED
    harness.sync()
    with harness.factory() as session:
        link = session.scalars(select(Link)).one()
    _pay(harness, link.xero_id, "1.00", "2026-03-20")
    deliver(
        harness.factory, [invoice_event(link.xero_id, "2026-03-20T01:00:00.000")], harness.clock()
    )
    real, fired = pause.reached, []

    def meanwhile(point: str) -> None:
        if point == "pull_read" and not fired:  # read, not yet written: Xero changes again
            fired.append(point)
            _pay(harness, link.xero_id, str(Decimal(link.total or "0") - 1), "2026-03-21")
            event = invoice_event(link.xero_id, "2026-03-21T01:00:00.000")
            deliver(harness.factory, [event], harness.clock())
            assert xero_webhooks.route(harness.factory, harness.clock()).pulls == 1
        real(point)

    monkeypatch.setattr(pause, "reached", meanwhile)
    harness.advance(30)
    harness.sync()

    with harness.factory() as session:
        link = session.scalars(select(Link)).one()
        left = session.scalars(select(PullItem)).all()
    assert fired and not left
    assert link.xero_status == "PAID" and link.paid_date == "2026-03-21"


def test_a_worker_whose_routing_fails_still_sends(
    harness: SyncHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Routing Xero's events can meet another worker's (a deadlock on PostgreSQL is answered
    with an error): that look's routing is left for the next, and the run goes on."""

    def deadlocked(*_args: object) -> None:
        raise OperationalError("INSERT INTO pull_items", {}, Exception("deadlock detected"))

    monkeypatch.setattr(xero_webhooks, "route", deadlocked)
    harness.push("invoice", [invoice(1)])
    harness.sync()
    assert harness.states() == {"done": 1}


def test_a_delivery_not_yet_routed_is_work_due_now_so_until_idle_does_not_stop_before_it(
    harness: SyncHarness,
) -> None:
    """A pool running until idle looks at the queue while another thread may not have routed
    a delivery yet: the events alone say there is work, so it never stops in that gap."""
    harness.push("invoice", [invoice(1)])
    harness.sync()
    with harness.factory() as session:
        link = session.scalars(select(Link)).one()
    now = harness.clock()
    assert queue.next_due(harness.factory, now=now) is None  # all sent, nothing to read

    deliver(harness.factory, [invoice_event(link.xero_id, "2026-03-20T01:00:00.000")], now)
    assert queue.next_due(harness.factory, now=now) == now  # not yet routed: due now

    assert xero_webhooks.route(harness.factory, now).pulls == 1
    assert queue.next_due(harness.factory, now=now) == now + xero_webhooks.GATHER  # the pull's
