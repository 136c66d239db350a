"""Replay steps for bank transactions, transfers, overpayments and prepayments.

Called once from ``run_replay`` in the contract test; every route of these resources gets a 2xx
here, and the refusals a client meets most (a non-bank account, an allocation too large) a 400.
"""

from __future__ import annotations

from typing import Any

from tests.sandbox.openapi_replay import Replay, first


def _bank_tx(r: Replay, bank_type: str, amount: float, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": bank_type,
        "Contact": {"Name": "Replay Bank Customer"},
        "BankAccount": {"Code": "090"},
        "Date": r.day(-3),
        "LineItems": [{"Description": "Replay", "LineAmount": amount, "AccountCode": "200"}],
    }
    body.update(fields)
    return body


def _invoice(r: Replay, label: str, amount: float) -> str | None:
    body = {
        "Type": "ACCREC",
        "Contact": {"Name": "Replay Bank Customer"},
        "Date": r.day(-2),
        "DueDate": r.day(20),
        "Status": "AUTHORISED",
        "LineItems": [{"Description": label, "LineAmount": amount, "AccountCode": "200"}],
    }
    made = r.call(f"{label} invoice", "PUT", "/Invoices", {"Invoices": [body]})
    found = first(made, "Invoices", "InvoiceID")
    return str(found) if found else None


def bank_transactions(r: Replay) -> None:
    expense = {
        **_bank_tx(r, "SPEND", 55.0, Reference="Stationery"),
        "LineItems": [
            {"Description": "Paper", "Quantity": 1.0, "UnitAmount": 55.0, "AccountCode": "429"}
        ],
    }
    payout = _bank_tx(r, "RECEIVE", 1078.0, Reference="Store payout", LineAmountTypes="Inclusive")
    made = r.call(
        "bank transactions", "PUT", "/BankTransactions", {"BankTransactions": [expense, payout]}
    )
    spend_id = first(made, "BankTransactions", "BankTransactionID")
    wrong = _bank_tx(r, "SPEND", 5.0, BankAccount={"Code": "200"})
    r.call(
        "non-bank account", "PUT", "/BankTransactions", {"BankTransactions": [wrong]}, expect=400
    )
    r.call(
        "bank transactions, each answered",
        "PUT",
        "/BankTransactions",
        {"BankTransactions": [wrong]},
        params={"summarizeErrors": "false"},
    )
    upsert = _bank_tx(r, "RECEIVE", 12.5, Reference="Interest")
    r.call("bank transaction upsert", "POST", "/BankTransactions", {"BankTransactions": [upsert]})
    r.call("bank transactions list", "GET", "/BankTransactions")
    r.call("bank transactions where", "GET", "/BankTransactions", params={"where": 'Type=="SPEND"'})
    r.call(
        "bank transactions page",
        "GET",
        "/BankTransactions",
        params={"page": 1, "order": "Date DESC"},
    )
    since = {"If-Modified-Since": "2025-01-01T00:00:00Z"}
    r.call("bank transactions since", "GET", "/BankTransactions", headers=since)
    if spend_id:
        r.call("bank transaction", "GET", f"/BankTransactions/{spend_id}", params={"unitdp": 4})
        changed = {**expense, "Reference": "Stationery, March"}
        change = {"BankTransactions": [changed]}
        r.call("update bank transaction", "POST", f"/BankTransactions/{spend_id}", change)
        delete = {"BankTransactions": [{**changed, "Status": "DELETED"}]}
        r.call("delete bank transaction", "POST", f"/BankTransactions/{spend_id}", delete)


def bank_transfers(r: Replay) -> None:
    body = {
        "FromBankAccount": {"Code": "090"},
        "ToBankAccount": {"Code": "091"},
        "Amount": 250.0,
        "Date": r.day(-1),
        "Reference": "To savings",
    }
    made = r.call("bank transfer", "PUT", "/BankTransfers", {"BankTransfers": [body]})
    transfer_id = first(made, "BankTransfers", "BankTransferID")
    same = {**body, "ToBankAccount": {"Code": "090"}}
    r.call("transfer to itself", "PUT", "/BankTransfers", {"BankTransfers": [same]}, expect=400)
    second = r.call("second transfer", "PUT", "/BankTransfers", {"BankTransfers": [body]})
    second_id = first(second, "BankTransfers", "BankTransferID")
    r.call("bank transfers", "GET", "/BankTransfers", params={"order": "Amount ASC"})
    if transfer_id:
        r.call("bank transfer by id", "GET", f"/BankTransfers/{transfer_id}")
        r.call("delete transfer", "POST", f"/BankTransfers/{transfer_id}", {"Status": "DELETED"})
    if second_id:
        delete = {"BankTransfers": [{"BankTransferID": second_id, "Status": "DELETED"}]}
        r.call("delete transfers", "POST", "/BankTransfers", delete)
    r.call("deleted transfers", "GET", "/BankTransfers", params={"includeDeleted": "true"})


def _allocate(r: Replay, resource: str, credit_id: str, invoice_id: str, amount: float) -> None:
    path = f"/{resource}/{credit_id}/Allocations"
    allocation = {"Invoice": {"InvoiceID": invoice_id}, "Amount": amount, "Date": r.day(-1)}
    made = r.call(f"{resource} allocation", "PUT", path, {"Allocations": [allocation]})
    too_much = {**allocation, "Amount": 100000.0}
    r.call(f"{resource} too much", "PUT", path, {"Allocations": [too_much]}, expect=400)
    allocation_id = first(made, "Allocations", "AllocationID")
    if allocation_id:
        r.call(f"{resource} allocation taken back", "DELETE", f"{path}/{allocation_id}")


def credits(r: Replay) -> None:
    deposit = r.call(
        "prepayment received",
        "PUT",
        "/BankTransactions",
        {"BankTransactions": [_bank_tx(r, "RECEIVE-PREPAYMENT", 200.0)]},
    )
    tip = r.call(
        "overpayment received",
        "PUT",
        "/BankTransactions",
        {"BankTransactions": [_bank_tx(r, "RECEIVE-OVERPAYMENT", 30.0, Reference="Tip")]},
    )
    prepayment_id = first(deposit, "BankTransactions", "PrepaymentID")
    overpayment_id = first(tip, "BankTransactions", "OverpaymentID")
    r.call("prepayments", "GET", "/Prepayments", params={"page": 1})
    r.call("overpayments", "GET", "/Overpayments", params={"where": 'Status=="AUTHORISED"'})
    invoice_id = _invoice(r, "Replay deposit", 500.0)
    if prepayment_id:
        r.call("prepayment", "GET", f"/Prepayments/{prepayment_id}")
        if invoice_id:
            _allocate(r, "Prepayments", prepayment_id, invoice_id, 150.0)
            path = f"/Prepayments/{prepayment_id}/Allocations"
            kept = {"Invoice": {"InvoiceID": invoice_id}, "Amount": 50.0, "Date": r.day(-1)}
            r.call("prepayment kept", "PUT", path, {"Allocations": [kept]})
            r.call("invoice with prepayment", "GET", f"/Invoices/{invoice_id}")
            r.call("prepayment used", "GET", f"/Prepayments/{prepayment_id}")
    if overpayment_id:
        r.call("overpayment", "GET", f"/Overpayments/{overpayment_id}")
        if invoice_id:
            _allocate(r, "Overpayments", overpayment_id, invoice_id, 10.0)
        refund = {
            "Overpayment": {"OverpaymentID": overpayment_id},
            "Account": {"Code": "090"},
            "Date": r.day(),
            "Amount": 30.0,
        }
        r.call("refund overpayment", "PUT", "/Payments", {"Payments": [refund]})


def replay_bank(r: Replay) -> None:
    bank_transactions(r)
    bank_transfers(r)
    credits(r)
