"""Found by the chaos with issue 12's kinds (``tests/engine/sync/test_chaos_kinds.py``): one
request to Xero's Invoices endpoint carries documents of several kinds (a store order, a sales
invoice, a bill), and its reply is lost. Settling it (replaying the key, or looking the records
up once it expired) kept each document's write details as the request's first document's kind
says: an order first made an invoice's details an order's (``KeyError: 'sent'``: every run of
the connection failed from then on, nothing more was sent); an invoice first left the order
without its own (so its next version, paid, wrote the invoice again). Each document's details
are its own kind's now. Both databases; the sandbox judges."""

from __future__ import annotations

import pytest

from tests.engine.kinds.conftest import all_done
from tests.engine.kinds.store_docs import connect_store, order, store_invoices, store_payments
from tests.engine.sync.conftest import SyncHarness, expense, invoice

REPLAY = 30  # seconds: inside Xero's idempotency window, the key is replayed
LOOKUP = 3600  # an hour: the key has expired, the records are looked up by their Url marker


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
@pytest.mark.parametrize("first", ["order", "invoice"])
def test_a_lost_reply_to_orders_invoices_and_bills_sent_together_is_settled_for_each(
    harness: SyncHarness, first: str, wait: int
) -> None:
    connect_store(harness, create_nonexistent_products=True)
    pushes = {
        "order": [order(1, [1])],
        "invoice": [invoice(1, status="sent")],
        "expense": [expense(1, status="approved")],
    }
    for kind in (first, *(k for k in pushes if k != first)):
        harness.push(kind, pushes[kind])
    harness.sync()  # the order's product first: made once
    # the one request to Invoices (order, invoice and bill together): applied, reply lost
    before = len(harness.requests("PUT"))
    harness.faults({"kind": "lost_reply", "endpoint": "invoices", "method": "PUT", "count": 1})
    harness.push("order", [order(2, [1])])
    harness.push("invoice", [invoice(3, status="sent")])
    harness.push("expense", [expense(3, status="approved")])
    harness.worker().run_once()
    sent = [r for r in harness.requests("PUT")[before:] if "Invoices" in r["path"]]
    assert len(sent) == 1, "the three were not sent in one request"
    harness.advance(wait)
    harness.sync()
    all_done(harness)
    ours = harness.ours()
    assert len(ours) == 6 and set(ours.values()) == {1}
    # paid: only the payment goes (the order's invoice is not written again)
    mark = len(harness.requests())
    harness.push("order", [order(2, [1], paid=True)])
    harness.sync()
    all_done(harness)
    written = [r for r in harness.requests()[mark:] if "Invoices" in r["path"]]
    assert [r["method"] for r in written if r["method"] != "GET"] == []
    assert len(store_invoices(harness)) == 2 and len(store_payments(harness)) == 1
