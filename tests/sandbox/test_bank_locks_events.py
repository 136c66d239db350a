"""Bank transactions, transfers and allocations against the lock date, and the events they raise.

Xero sends no webhook for bank transactions, transfers, overpayments or prepayments (xero-facts
section 8); an allocation changes the invoice, which Xero does announce.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp
from tests.sandbox.test_credits import allocation, invoice, messages

LOCKED = (
    "The document date cannot be before the period lock date of 31 Mar 2026. Please update the "
    "date on the document."
)


def _lock(sandbox: RunningSandbox) -> None:
    org = sandbox.state.org_by_key(DEMO_TENANT)
    assert org is not None
    org.period_lock_date = date(2026, 3, 31)


def _invoice(xero: XeroHttp) -> dict[str, Any]:
    """An approved sales invoice of 80 (tax exclusive) for the contact the receipts are from."""
    return invoice(xero, "80", Date="2026-04-03", DueDate="2026-05-03", LineAmountTypes="Exclusive")


def _receive(bank_type: str, when: str) -> dict[str, Any]:
    return {
        "Type": bank_type,
        "Contact": {"Name": "Bayside Club"},
        "BankAccount": {"Code": "090"},
        "Date": when,
        "LineItems": [{"Description": "Money", "LineAmount": "50", "AccountCode": "200"}],
    }


def test_lock_date_refuses_bank_transactions_and_transfers(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    _lock(sandbox)
    assert messages(xero.put("/BankTransactions", _receive("RECEIVE", "2026-03-15"))) == [LOCKED]
    transfer = {
        "FromBankAccount": {"Code": "090"},
        "ToBankAccount": {"Code": "091"},
        "Amount": 10,
        "Date": "2026-03-31",
    }
    assert messages(xero.put("/BankTransfers", transfer)) == [LOCKED]
    assert xero.put("/BankTransfers", {**transfer, "Date": "2026-04-01"}).status == 200


def test_lock_date_keeps_locked_transactions(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    made = xero.put("/BankTransactions", _receive("RECEIVE", "2026-03-20"))
    tx_id = made.json["BankTransactions"][0]["BankTransactionID"]
    _lock(sandbox)
    assert messages(xero.post(f"/BankTransactions/{tx_id}", {"Status": "DELETED"})) == [LOCKED]
    assert messages(xero.post(f"/BankTransactions/{tx_id}", {"Reference": "late"})) == [LOCKED]
    flagged = xero.post(f"/BankTransactions/{tx_id}", {"IsReconciled": True})
    assert flagged.json["BankTransactions"][0]["IsReconciled"] is True


def test_lock_date_refuses_allocations(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    made = xero.put("/BankTransactions", _receive("RECEIVE-OVERPAYMENT", "2026-04-02"))
    overpayment_id = made.json["BankTransactions"][0]["OverpaymentID"]
    invoice_id = _invoice(xero)["InvoiceID"]
    _lock(sandbox)
    path = f"/Overpayments/{overpayment_id}/Allocations"
    assert messages(xero.put(path, allocation(invoice_id, 5, "2026-03-01"))) == [LOCKED]


def test_only_the_invoice_change_is_announced(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    invoice_id = _invoice(xero)["InvoiceID"]
    before = len(sandbox.state.events)
    made = xero.put("/BankTransactions", _receive("RECEIVE-PREPAYMENT", "2026-04-02"))
    prepayment_id = made.json["BankTransactions"][0]["PrepaymentID"]
    xero.put(
        "/BankTransfers",
        {"FromBankAccount": {"Code": "090"}, "ToBankAccount": {"Code": "091"}, "Amount": 3},
    )
    assert [e.category for e in sandbox.state.events[before:]] == []
    reply = xero.put(
        f"/Prepayments/{prepayment_id}/Allocations", allocation(invoice_id, 5, "2026-04-05")
    )
    assert reply.status == 200, reply.text
    seen = [(e.category, e.event_type, e.resource_id) for e in sandbox.state.events[before:]]
    assert seen == [("INVOICE", "UPDATE", invoice_id)]
