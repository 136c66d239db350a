"""Calls per 1,000 customers (invariant 4): their contacts are created 100 to a PUT (as every
new contact is, ``contact_batch_size``), then given their details 50 to a POST; a second push
of the same customers makes no call, and a change of all of them is 50 to a POST, with no read
first. Invoices for those customers then make no contact of their own."""

from __future__ import annotations

from collections import Counter

from tests.engine.kinds.contact_factories import all_done, customer, xero_contacts
from tests.engine.sync.conftest import SyncHarness, invoice

COUNT = 1000


def _calls(harness: SyncHarness) -> Counter[str]:
    return Counter(f"{r['method']} {r['path'].split('?')[0]}" for r in harness.requests())


def test_a_thousand_new_customers_take_thirty_writes(harness: SyncHarness) -> None:
    harness.admin("DELETE", "/_sandbox/requests")
    harness.push("customer", [customer(n) for n in range(COUNT)])
    harness.sync()
    calls = _calls(harness)
    writes = {k: v for k, v in calls.items() if not k.startswith("GET")}
    assert writes == {"PUT /Contacts": COUNT // 100, "POST /Contacts": COUNT // 50}
    reads = sum(v for k, v in calls.items() if k.startswith("GET"))
    assert reads <= 6, calls  # the reference lists, once
    numbers = [str(c.get("ContactNumber")) for c in xero_contacts(harness)]
    assert sum(1 for n in numbers if n.startswith("client-")) == COUNT
    all_done(harness)

    harness.admin("DELETE", "/_sandbox/requests")
    harness.push("customer", [customer(n) for n in range(COUNT)])
    harness.sync()
    assert _calls(harness) == Counter()

    harness.admin("DELETE", "/_sandbox/requests")
    harness.push("customer", [customer(n, email=f"new{n}@x.example") for n in range(COUNT)])
    harness.sync()
    assert _calls(harness) == {"POST /Contacts": COUNT // 50}  # no read before an update


def test_invoices_for_a_thousand_pushed_customers_make_no_contact(harness: SyncHarness) -> None:
    harness.push("customer", [customer(n) for n in range(COUNT)])
    harness.sync()
    harness.admin("DELETE", "/_sandbox/requests")
    harness.push("invoice", [invoice(n, contacts=COUNT) for n in range(COUNT)])
    harness.sync()
    writes = {k: v for k, v in _calls(harness).items() if not k.startswith("GET")}
    assert writes == {"PUT /Invoices": COUNT // 50}  # each names its customer's contact
    all_done(harness)
