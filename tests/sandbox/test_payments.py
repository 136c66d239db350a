"""Payments over HTTP: paying invoices to PAID, deleting payments, refunds and the rules."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp


def make_invoice(xero: XeroHttp, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"Name": "Bayside Club"},
        "Date": "2026-01-10",
        "DueDate": "2026-02-10",
        "Status": "AUTHORISED",
        "InvoiceNumber": "P-1",
        "LineItems": [
            {"Description": "Job", "Quantity": 1, "UnitAmount": "100", "AccountCode": "200"}
        ],
    }
    body.update(fields)
    reply = xero.put("/Invoices", body)
    assert reply.status == 200, reply.text
    made: dict[str, Any] = reply.json["Invoices"][0]
    return made


def pay(invoice_id: str, amount: Any, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Invoice": {"InvoiceID": invoice_id},
        "Account": {"Code": "090"},
        "Date": "2026-01-20",
        "Amount": amount,
    }
    body.update(extra)
    return body


def messages(reply: Any) -> list[str]:
    assert reply.status == 400, reply.text
    return [m["Message"] for e in reply.json["Elements"] for m in e["ValidationErrors"]]


def invoice_now(xero: XeroHttp, invoice_id: str) -> dict[str, Any]:
    shown: dict[str, Any] = xero.get(f"/Invoices/{invoice_id}").json["Invoices"][0]
    return shown


def test_payments_bring_invoice_to_paid_and_deletion_reverses(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    invoice = make_invoice(xero)
    first = xero.put(
        "/Payments", {"Payments": [pay(invoice["InvoiceID"], "60.00", Reference="dep")]}
    )
    assert first.status == 200, first.text
    payment = first.json["Payments"][0]
    assert (payment["PaymentType"], payment["Status"], payment["Amount"]) == (
        "ACCRECPAYMENT",
        "AUTHORISED",
        D("60.00"),
    )
    assert payment["Invoice"]["InvoiceID"] == invoice["InvoiceID"]
    shown = invoice_now(xero, invoice["InvoiceID"])
    assert (shown["Status"], shown["AmountPaid"], shown["AmountDue"]) == (
        "AUTHORISED",
        D("60.00"),
        D("50.00"),
    )
    rest = xero.post(
        "/Payments",
        {
            "Invoice": {"InvoiceNumber": "P-1"},
            "Account": {"Code": "090"},
            "Date": "2026-01-25",
            "Amount": "50",
        },
    )
    assert rest.status == 200, rest.text
    shown = invoice_now(xero, invoice["InvoiceID"])
    assert (shown["Status"], shown["AmountDue"]) == ("PAID", 0)
    assert shown["FullyPaidOnDate"] == rest.json["Payments"][0]["Date"]
    assert [p["Amount"] for p in shown["Payments"]] == [D("60.00"), D("50.00")]
    updates = [
        e
        for e in sandbox.state.events
        if e.event_type == "UPDATE" and e.resource_id == invoice["InvoiceID"]
    ]
    assert len(updates) == 2
    deleted = xero.post(f"/Payments/{payment['PaymentID']}", {"Payments": [{"Status": "DELETED"}]})
    assert deleted.status == 200 and deleted.json["Payments"][0]["Status"] == "DELETED"
    shown = invoice_now(xero, invoice["InvoiceID"])
    assert (shown["Status"], shown["AmountDue"], shown["AmountPaid"]) == (
        "AUTHORISED",
        D("60.00"),
        D("50.00"),
    )
    assert "FullyPaidOnDate" not in shown
    listed = xero.get("/Payments").json["Payments"]
    assert len(listed) == 2
    only = xero.get("/Payments", params={"where": 'Status=="DELETED"'}).json["Payments"]
    assert [p["PaymentID"] for p in only] == [payment["PaymentID"]]
    assert xero.get(f"/Payments/{payment['PaymentID']}").json["Payments"][0]["Status"] == "DELETED"
    assert xero.get("/Payments/00000000-0000-0000-0000-000000000000").status == 404


def test_payment_rules(xero: XeroHttp) -> None:
    invoice = make_invoice(xero)
    draft = make_invoice(xero, Status="DRAFT", InvoiceNumber="P-2")
    assert messages(xero.put("/Payments", pay(invoice["InvoiceID"], "110.01"))) == [
        "Payment amount exceeds the amount outstanding on this document"
    ]
    assert messages(xero.put("/Payments", pay(draft["InvoiceID"], 1))) == [
        "Payments can only be made against Authorised documents"
    ]
    assert messages(xero.put("/Payments", pay(invoice["InvoiceID"], 0))) == [
        "The payment Amount must be greater than zero."
    ]
    assert messages(
        xero.put("/Payments", pay(invoice["InvoiceID"], 1, Account={"Code": "200"}))
    ) == [
        "Account code '200' cannot take payments: use a BANK account or an account with "
        "EnablePaymentsToAccount."
    ]
    assert (
        xero.put("/Payments", pay(invoice["InvoiceID"], 1, Account={"Code": "850"})).status == 200
    )
    assert messages(xero.put("/Payments", pay(invoice["InvoiceID"], 1, Date="2025-06-30"))) == [
        "The document date cannot be before the period lock date of 30 Jun 2025. Please update "
        "the date on the document."
    ]
    assert messages(
        xero.put("/Payments", {"Account": {"Code": "090"}, "Date": "2026-01-20", "Amount": 1})
    ) == ["A payment must name an Invoice or a CreditNote (by ID or number)."]
    missing = xero.put("/Payments", pay("00000000-0000-0000-0000-000000000000", 1))
    assert messages(missing) == [
        "The invoice '00000000-0000-0000-0000-000000000000' could not be found."
    ]


def test_only_deletion_and_not_when_reconciled(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    invoice = make_invoice(xero)
    made = xero.put("/Payments", pay(invoice["InvoiceID"], 10, IsReconciled=True)).json["Payments"][
        0
    ]
    path = f"/Payments/{made['PaymentID']}"
    assert messages(xero.post(path, {"Amount": 5})) == [
        "A payment can not be modified; it can only be deleted."
    ]
    assert messages(xero.post(path, {"Status": "DELETED"})) == [
        "This payment has been reconciled and cannot be deleted"
    ]
    sandbox.state.orgs[DEMO_TENANT].payments[made["PaymentID"]]["IsReconciled"] = False
    assert xero.post(path, {"Status": "DELETED"}).status == 200
    assert messages(xero.post(path, {"Status": "DELETED"})) == [
        "This payment has already been deleted."
    ]


def test_batch_payments_without_summary(xero: XeroHttp) -> None:
    invoice = make_invoice(xero)
    reply = xero.put(
        "/Payments",
        {"Payments": [pay(invoice["InvoiceID"], 40), pay(invoice["InvoiceID"], 500)]},
        params={"summarizeErrors": "false"},
    )
    assert reply.status == 200
    states = [
        (p["StatusAttributeString"], p.get("ValidationErrors")) for p in reply.json["Payments"]
    ]
    assert states == [
        ("OK", None),
        ("ERROR", [{"Message": "Payment amount exceeds the amount outstanding on this document"}]),
    ]


def test_credit_note_refund(xero: XeroHttp) -> None:
    note = xero.put(
        "/CreditNotes",
        {
            "Type": "ACCRECCREDIT",
            "Contact": {"Name": "Bayside Club"},
            "Date": "2026-01-10",
            "Status": "AUTHORISED",
            "LineItems": [{"Description": "Refund", "UnitAmount": "50", "AccountCode": "200"}],
        },
    ).json["CreditNotes"][0]
    reply = xero.put(
        "/Payments",
        {
            "CreditNote": {"CreditNoteID": note["CreditNoteID"]},
            "Account": {"Code": "090"},
            "Date": "2026-01-12",
            "Amount": "55",
        },
    )
    assert reply.status == 200, reply.text
    assert reply.json["Payments"][0]["PaymentType"] == "ARCREDITPAYMENT"
    shown = xero.get(f"/CreditNotes/{note['CreditNoteID']}").json["CreditNotes"][0]
    assert (shown["Status"], shown["RemainingCredit"]) == ("PAID", 0)
