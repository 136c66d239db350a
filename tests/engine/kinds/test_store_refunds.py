"""Refunds of store orders, as Xero models them: a sales credit note applied to the order's
invoice while it is unpaid; on a paid order, the credit paid back out of the clearing account
(a payment on the credit note). Each once, under a lost reply too; both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.engine.kinds.conftest import all_done, credit_notes, live, org
from tests.engine.kinds.store_docs import CLEARING, connect_store, order, store_invoices
from tests.engine.sync.conftest import SyncHarness

REPLAY, LOOKUP = 30, 3600


def _refunded(n: int, *, paid: bool, amount: str = "5.00") -> dict[str, object]:
    return order(n, [1, 2], paid=paid, refunds=[{"amount": amount, "date": "2026-03-06"}])


def test_a_refund_of_an_unpaid_order_is_a_credit_note_applied_to_its_invoice(
    harness: SyncHarness,
) -> None:
    connect_store(harness, create_nonexistent_products=True)
    harness.push("order", [_refunded(1, paid=False)])
    harness.sync()
    all_done(harness)
    [invoice] = store_invoices(harness)
    [note] = credit_notes(harness)
    assert note["CreditNoteNumber"] == "ord-1/refund-1" and note["Type"] == "ACCRECCREDIT"
    assert Decimal(str(note["Total"])) == Decimal("5.00")  # the money refunded, tax included
    assert [
        (a["Invoice"]["InvoiceID"], Decimal(str(a["Amount"]))) for a in note["Allocations"]
    ] == [(invoice["InvoiceID"], Decimal("5.00"))]
    assert Decimal(str(invoice["AmountCredited"])) == Decimal("5.00")


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_a_refund_of_a_paid_order_is_paid_out_of_the_clearing_account_once(
    harness: SyncHarness, wait: int
) -> None:
    connect_store(harness, create_nonexistent_products=True)
    harness.faults(
        {"kind": "lost_reply", "endpoint": "payments", "method": "PUT", "count": 2}
    )  # the order's payment and the refund's
    harness.push("order", [_refunded(2, paid=True)])
    harness.sync()
    harness.advance(wait)
    harness.sync()
    all_done(harness)
    [invoice] = store_invoices(harness)
    assert invoice["Status"] == "PAID"
    [note] = credit_notes(harness)
    assert note["Status"] == "PAID" and not note.get("Allocations")
    refunds = [p for p in live(org(harness).payments) if p.get("_document") == note["CreditNoteID"]]
    assert [(Decimal(str(p["Amount"])), p["Account"]["Code"]) for p in refunds] == [
        (Decimal("5.00"), CLEARING)
    ]
    paid = [p for p in live(org(harness).payments) if p.get("_document") == invoice["InvoiceID"]]
    assert len(paid) == 1


def test_an_order_paid_then_refunded_later_changes_nothing_on_its_invoice(
    harness: SyncHarness,
) -> None:
    connect_store(harness, create_nonexistent_products=True)
    placed = order(3, [1])
    harness.push("order", [placed])
    harness.sync()
    [before] = store_invoices(harness)
    paid = order(3, [1], paid=True)
    harness.push("order", [paid])
    harness.sync()
    refunded = order(3, [1], paid=True, refunds=[{"amount": "2.50", "date": "2026-03-09"}])
    harness.push("order", [refunded])
    harness.sync()
    all_done(harness)
    [after] = store_invoices(harness)
    assert after["InvoiceID"] == before["InvoiceID"] and after["Status"] == "PAID"
    assert after["LineItems"] == before["LineItems"]
    puts = [r for r in harness.requests("POST") if str(r["path"]).startswith("/Invoices")]
    assert puts == []  # the invoice was never written again
    [note] = credit_notes(harness)
    assert note["Status"] == "PAID" and Decimal(str(note["Total"])) == Decimal("2.50")
