"""A worker process killed (SIGKILL) while it sends customers and the invoices naming them:
after Xero made the contacts and before the reply is recorded; after Xero applied a batch of
the customers' updates and before that reply is recorded; after a later send's intent is
committed and before it is sent. The next life takes the
connection over once the dead one's lease runs out. The sandbox is the judge: one Xero contact
per customer key, each invoice once, on that contact."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.engine.kinds.contact_factories import all_done, customer, numbered, xero_contacts
from tests.engine.sync.conftest import PUBLIC_URL, SyncHarness, fast_limits, invoice, limits_env
from tests.engine.sync.worker_process import WorkerProcess

CUSTOMERS, INVOICES = 120, 60


def test_a_worker_killed_at_every_step_leaves_one_contact_per_customer(
    harness: SyncHarness, tmp_path: Path
) -> None:
    harness.push("invoice", [invoice(n, contacts=CUSTOMERS) for n in range(INVOICES)])
    harness.push("customer", [customer(n) for n in range(CUSTOMERS)])
    settings = replace(harness.settings, xero_read_timeout=4.0)
    worker = WorkerProcess(settings, tmp_path, PUBLIC_URL, 2.0, limits_env(fast_limits()))
    # the contacts made in Xero, their reply lost; the first customers' update applied in
    # Xero, its reply lost; a later send's intent committed, nothing sent
    deaths = worker.die_at("contacts_received:1", "reply_received:1", "intent_written:1")
    assert deaths == ["contacts_received", "reply_received", "intent_written"]
    for n in range(CUSTOMERS):
        [contact] = numbered(harness, f"client-{n}")
        assert contact["TaxNumber"] == f"12 345 678 {n:03d}"
    names = [c["Name"] for c in xero_contacts(harness)]
    assert len(names) == len(set(names))
    ours = harness.ours()
    assert len(ours) == INVOICES and set(ours.values()) == {1}
    by_number = {c.get("ContactNumber"): c["ContactID"] for c in xero_contacts(harness)}
    for record in harness.invoices():
        number = record["InvoiceNumber"]
        n = int(number.removeprefix("LL-"))
        assert record["Contact"]["ContactID"] == by_number[f"client-{n % CUSTOMERS}"]
    all_done(harness)
