"""Each new kind, exactly once while its send is unresolved (invariant 2): a reply lost after
Xero applied the write (settled by replaying the key, or, once the key has expired, by looking
the document up as its kind says), a 503 with the document changed before the send is settled.
The sandbox's records are the judge."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.engine.kinds.conftest import (
    all_done,
    credit_note,
    credit_notes,
    invoice,
    payment,
    payments,
    purchase_order,
    purchase_orders,
)
from tests.engine.sync.conftest import SyncHarness

REPLAY = 30  # seconds: inside Xero's idempotency window, the key is replayed
LOOKUP = 3600  # an hour: the key has expired, the document is looked up


def _lost(harness: SyncHarness, endpoint: str, method: str = "PUT") -> None:
    harness.faults({"kind": "lost_reply", "endpoint": endpoint, "method": method, "count": 1})


def _settle(harness: SyncHarness, wait: int) -> None:
    harness.worker().run_once()  # the reply is lost: the intent stays pending
    harness.advance(wait)
    harness.sync()


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_a_purchase_order_whose_reply_was_lost_is_one_po(harness: SyncHarness, wait: int) -> None:
    _lost(harness, "purchaseorders")
    harness.push("purchase_order", [purchase_order(1), purchase_order(2)])
    _settle(harness, wait)
    assert sorted(p["PurchaseOrderNumber"] for p in purchase_orders(harness)) == ["po-1", "po-2"]
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_a_credit_note_whose_reply_was_lost_is_one_credit_note(
    harness: SyncHarness, wait: int
) -> None:
    _lost(harness, "creditnotes")
    harness.push("credit_note", [credit_note(1), credit_note(2)])
    _settle(harness, wait)
    assert sorted(c["CreditNoteNumber"] for c in credit_notes(harness)) == ["cn-1", "cn-2"]
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_a_payment_whose_reply_was_lost_is_one_payment(harness: SyncHarness, wait: int) -> None:
    harness.push("invoice", [invoice(1, status="sent"), invoice(3, status="sent")])
    harness.sync()
    _lost(harness, "payments")
    harness.push("payment", [payment(1, "inv-1", "10.00"), payment(2, "inv-3", "12.00")])
    _settle(harness, wait)
    assert sorted(Decimal(str(p["Amount"])) for p in payments(harness)) == [
        Decimal("10.00"),
        Decimal("12.00"),
    ]
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_an_allocation_whose_reply_was_lost_is_made_once(harness: SyncHarness, wait: int) -> None:
    harness.push("invoice", [invoice(1, status="sent")])
    harness.push("credit_note", [credit_note(1)])
    harness.sync()
    _lost(harness, "creditnotes")
    allocated = credit_note(1, allocations=[{"document": "inv-1", "amount": "20.00"}])
    harness.push("credit_note", [allocated])
    _settle(harness, wait)
    [note] = credit_notes(harness)
    assert [Decimal(str(a["Amount"])) for a in note["Allocations"]] == [Decimal("20.00")]
    all_done(harness)


def _changed(kind: str, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    if kind == "purchase_order":
        first, later = purchase_order(n), purchase_order(n)
    else:
        first, later = credit_note(n), credit_note(n)
    later["lines"][0]["unit_amount"] = "77.00"
    return first, later


@pytest.mark.parametrize(
    ("kind", "endpoint"), [("purchase_order", "purchaseorders"), ("credit_note", "creditnotes")]
)
def test_a_change_pushed_while_the_create_is_unresolved_changes_the_one_document(
    harness: SyncHarness, kind: str, endpoint: str
) -> None:
    first, later = _changed(kind, 5)
    harness.faults({"kind": "error", "endpoint": endpoint, "method": "PUT", "status": 503})
    harness.push(kind, [first])
    harness.worker().run_once()  # a 503: nothing applied, the intent stays pending
    harness.push(kind, [later])
    harness.advance(REPLAY)
    harness.sync()
    found = purchase_orders(harness) if kind == "purchase_order" else credit_notes(harness)
    assert len(found) == 1
    assert Decimal(str(found[0]["LineItems"][0]["UnitAmount"])) == Decimal("77.00")
    all_done(harness)


@pytest.mark.parametrize(
    ("kind", "endpoint"), [("purchase_order", "purchaseorders"), ("credit_note", "creditnotes")]
)
def test_a_change_pushed_after_a_lost_create_reply_updates_the_one_document(
    harness: SyncHarness, kind: str, endpoint: str
) -> None:
    first, later = _changed(kind, 6)
    _lost(harness, endpoint)
    harness.push(kind, [first])
    harness.worker().run_once()  # applied in Xero, reply lost
    harness.push(kind, [later])
    harness.advance(LOOKUP)
    harness.sync()
    found = purchase_orders(harness) if kind == "purchase_order" else credit_notes(harness)
    assert len(found) == 1
    assert Decimal(str(found[0]["LineItems"][0]["UnitAmount"])) == Decimal("77.00")
    all_done(harness)


def test_a_payment_deleted_while_its_create_is_unresolved_leaves_no_payment(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(1, status="sent")])
    harness.sync()
    _lost(harness, "payments")
    harness.push("payment", [payment(1, "inv-1", "10.00")])
    harness.worker().run_once()  # applied in Xero, reply lost
    harness.push("payment", [payment(1, "inv-1", "10.00", status="deleted")])
    harness.advance(LOOKUP)
    harness.sync()
    assert payments(harness) == []
    all_done(harness)


def test_a_contact_whose_create_one_stage_left_unresolved_is_not_made_again_by_the_next(
    harness: SyncHarness,
) -> None:
    """An invoice and a credit note for one new client: the contact's create (for the invoice,
    the first stage) loses its reply; the credit note's stage must wait for it to be settled,
    not create the client again (found by the chaos run)."""
    _lost(harness, "contacts")
    harness.push("invoice", [invoice(1, status="sent")])
    harness.push("credit_note", [credit_note(1)])  # the same client, key and name
    harness.worker().run_once()
    assert harness.contacts_named("Client 1 Pty Ltd") == 1
    harness.advance(REPLAY)
    harness.sync()
    assert harness.contacts_named("Client 1 Pty Ltd") == 1
    assert [c["CreditNoteNumber"] for c in credit_notes(harness)] == ["cn-1"]
    all_done(harness)


def test_a_credit_note_found_by_lookup_after_a_lost_reply_still_makes_its_allocations(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(1, status="sent")])
    harness.sync()
    _lost(harness, "creditnotes")
    note = credit_note(1, allocations=[{"document": "inv-1", "amount": "15.00"}])
    harness.push("credit_note", [note])
    _settle(harness, LOOKUP)  # the key expired: found by its number, not replayed
    [found] = credit_notes(harness)
    assert [Decimal(str(a["Amount"])) for a in found["Allocations"]] == [Decimal("15.00")]
    all_done(harness)
