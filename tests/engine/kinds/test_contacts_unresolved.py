"""Customers and suppliers exactly once while a send is unresolved (invariant 2): the reply of
the contact's create or of its update lost (settled by replaying the key, or once the key has
expired by looking the contact up), Xero answering 503 with the customer changed before the
send is settled, and a customer pushed while an invoice for the same key is creating the
contact (and the other way round). The sandbox's contacts are the judge: one per key."""

from __future__ import annotations

import pytest

from tests.engine.kinds.conftest import expense, invoice
from tests.engine.kinds.contact_factories import (
    all_done,
    customer,
    numbered,
    supplier,
    xero_contacts,
)
from tests.engine.sync.conftest import SyncHarness

REPLAY = 30  # seconds: inside Xero's idempotency window, the key is replayed
LOOKUP = 3600  # an hour: the key has expired, the contact is looked up


def _fault(harness: SyncHarness, method: str, kind: str = "lost_reply") -> None:
    rule = {"kind": kind, "endpoint": "contacts", "method": method, "count": 1}
    if kind == "error":
        rule["status"] = 503
    harness.faults(rule)


def _one_each(harness: SyncHarness, *numbers: str) -> list[dict[str, object]]:
    found = [numbered(harness, n) for n in numbers]
    assert [len(f) for f in found] == [1] * len(numbers), [
        c["Name"] for c in xero_contacts(harness)
    ]
    names = [c["Name"] for c in xero_contacts(harness)]
    assert len(names) == len(set(names))
    return [f[0] for f in found]


@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_a_customer_whose_reply_was_lost_is_one_contact(
    harness: SyncHarness, method: str, wait: int
) -> None:
    """PUT: the contact's create; POST: the update with its details."""
    _fault(harness, method)
    harness.push("customer", [customer(1), customer(2)])
    harness.push("supplier", [supplier(3)])
    harness.worker().run_once()  # applied in Xero, the reply lost
    harness.advance(wait)
    harness.sync()
    one, two, three = _one_each(harness, "client-1", "client-2", "supplier-3")
    assert one["TaxNumber"] == "12 345 678 001"
    assert three["PurchasesDefaultAccountCode"] == "400"
    all_done(harness)


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_a_customer_changed_while_its_send_is_unresolved_changes_the_one_contact(
    harness: SyncHarness, method: str
) -> None:
    _fault(harness, method, "error")
    harness.push("customer", [customer(4)])
    harness.worker().run_once()  # a 503: nothing applied, the intent stays pending
    harness.push("customer", [customer(4, name="Client Four", email="new@four.example")])
    harness.advance(REPLAY)
    harness.sync()
    [contact] = _one_each(harness, "client-4")
    assert (contact["Name"], contact["EmailAddress"]) == ("Client Four", "new@four.example")
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_a_customer_changed_after_a_lost_create_reply_updates_the_one_contact(
    harness: SyncHarness, wait: int
) -> None:
    _fault(harness, "PUT")
    harness.push("customer", [customer(5)])
    harness.worker().run_once()  # created in Xero, the reply lost
    harness.push("customer", [customer(5, name="Client Five")])
    harness.advance(wait)
    harness.sync()
    [contact] = _one_each(harness, "client-5")
    assert contact["Name"] == "Client Five"
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_a_customer_pushed_while_its_invoice_is_creating_the_contact_is_that_contact(
    harness: SyncHarness, wait: int
) -> None:
    _fault(harness, "PUT")
    harness.push("invoice", [invoice(6)])  # client-6, "Client 6 Pty Ltd"
    harness.worker().run_once()  # the contact made in Xero, the reply lost
    harness.push("customer", [customer(6, name="Client Six")])
    harness.advance(wait)
    harness.sync()
    [contact] = _one_each(harness, "client-6")
    assert contact["Name"] == "Client Six"
    [sent] = harness.invoices()
    assert sent["Contact"]["ContactID"] == contact["ContactID"]
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_an_invoice_pushed_while_its_customer_is_creating_the_contact_uses_that_contact(
    harness: SyncHarness, wait: int
) -> None:
    _fault(harness, "PUT")
    harness.push("customer", [customer(7, name="Client Seven")])
    harness.worker().run_once()  # the contact made in Xero, the reply lost
    harness.push("invoice", [invoice(7)])  # names client-7 "Client 7 Pty Ltd"
    harness.advance(wait)
    harness.sync()
    [contact] = _one_each(harness, "client-7")
    assert contact["Name"] == "Client Seven"
    [sent] = harness.invoices()
    assert sent["Contact"]["ContactID"] == contact["ContactID"]
    all_done(harness)


def test_a_bill_pushed_while_its_suppliers_update_is_unresolved_uses_the_one_contact(
    harness: SyncHarness,
) -> None:
    _fault(harness, "POST")
    harness.push("supplier", [supplier(8)])
    harness.worker().run_once()  # made, then its update's reply lost
    harness.push("expense", [expense(8, suppliers=10)])  # supplier-8
    harness.advance(LOOKUP)
    harness.sync()
    [contact] = _one_each(harness, "supplier-8")
    assert contact["PurchasesDefaultAccountCode"] == "400"
    [bill] = harness.invoices()
    assert bill["Contact"]["ContactID"] == contact["ContactID"]
    all_done(harness)
