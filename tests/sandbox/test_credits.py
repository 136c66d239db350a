"""Overpayments and prepayments over HTTP: made by bank transactions, allocated, refunded."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from tests.conftest import XeroHttp
from tests.sandbox.test_banktransfers import add_usd_bank_account


def messages(reply: Any) -> list[str]:
    assert reply.status == 400, reply.text
    return [m["Message"] for e in reply.json["Elements"] for m in e["ValidationErrors"]]


def credit_tx(xero: XeroHttp, bank_type: str, amount: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": bank_type,
        "Contact": {"Name": "Bayside Club"},
        "BankAccount": {"Code": "090"},
        "Date": "2026-05-01",
        "LineItems": [{"Description": "Deposit", "LineAmount": amount, "AccountCode": "200"}],
    }
    body.update(fields)
    return xero.made("BankTransactions", body)


def invoice(xero: XeroHttp, amount: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"Name": "Bayside Club"},
        "Date": "2026-05-10",
        "DueDate": "2026-06-10",
        "Status": "AUTHORISED",
        "LineAmountTypes": "Inclusive",
        "LineItems": [{"Description": "Event", "LineAmount": amount, "AccountCode": "200"}],
    }
    body.update(fields)
    return xero.made("Invoices", body)


def allocation(invoice_id: str, amount: Any, when: str = "2026-05-12") -> dict[str, Any]:
    return {"Allocations": [{"Invoice": {"InvoiceID": invoice_id}, "Amount": amount, "Date": when}]}


def test_prepayment_received_then_allocated_to_a_later_invoice(xero: XeroHttp) -> None:
    deposit = credit_tx(xero, "RECEIVE-PREPAYMENT", "440", LineAmountTypes="Inclusive")
    prepayment_id = deposit["PrepaymentID"]
    prepayment = xero.get(f"/Prepayments/{prepayment_id}").json["Prepayments"][0]
    assert prepayment["Type"] == "RECEIVE-PREPAYMENT"
    assert (prepayment["Status"], prepayment["RemainingCredit"]) == ("AUTHORISED", D("440"))
    assert prepayment["TotalTax"] == D("40.00")
    assert prepayment["InvoiceNumber"].startswith("INV-")
    bill = invoice(xero, "440")
    reply = xero.put(
        f"/Prepayments/{prepayment_id}/Allocations", allocation(bill["InvoiceID"], 440)
    )
    assert reply.status == 200, reply.text
    made = reply.json["Allocations"][0]
    assert made["Amount"] == D("440")
    assert made["Prepayment"]["PrepaymentID"] == prepayment_id
    paid = xero.get(f"/Invoices/{bill['InvoiceID']}").json["Invoices"][0]
    assert (paid["Status"], paid["AmountDue"], paid["AmountCredited"]) == ("PAID", D(0), D(440))
    assert paid["Prepayments"][0]["PrepaymentID"] == prepayment_id
    used = xero.get(f"/Prepayments/{prepayment_id}").json["Prepayments"][0]
    assert (used["Status"], used["RemainingCredit"]) == ("PAID", D("0"))
    assert used["Allocations"][0]["Invoice"]["InvoiceID"] == bill["InvoiceID"]


def test_allocation_taken_back(xero: XeroHttp) -> None:
    deposit = credit_tx(xero, "RECEIVE-PREPAYMENT", "100")
    prepayment_id = deposit["PrepaymentID"]
    bill = invoice(xero, "300")
    made = xero.put(f"/Prepayments/{prepayment_id}/Allocations", allocation(bill["InvoiceID"], 60))
    allocation_id = made.json["Allocations"][0]["AllocationID"]
    reply = xero.delete(f"/Prepayments/{prepayment_id}/Allocations/{allocation_id}")
    assert reply.status == 200, reply.text
    assert reply.json["IsDeleted"] is True
    back = xero.get(f"/Invoices/{bill['InvoiceID']}").json["Invoices"][0]
    assert back["AmountDue"] == D("300.00")
    credit = xero.get(f"/Prepayments/{prepayment_id}").json["Prepayments"][0]
    assert credit["RemainingCredit"] == D("110.00")
    missing = xero.delete(f"/Prepayments/{prepayment_id}/Allocations/{allocation_id}")
    assert missing.status == 404


def test_overpayment_is_coded_to_receivables_without_tax(xero: XeroHttp) -> None:
    tip = credit_tx(xero, "RECEIVE-OVERPAYMENT", "25", Reference="Tip on order 1001")
    line = tip["LineItems"][0]
    assert (line["AccountCode"], line["TaxType"], tip["TotalTax"]) == ("610", "NONE", D("0.00"))
    assert tip["LineAmountTypes"] == "NoTax"
    overpayment = xero.get(f"/Overpayments/{tip['OverpaymentID']}").json["Overpayments"][0]
    assert (overpayment["Total"], overpayment["RemainingCredit"]) == (D("25"), D("25"))
    assert overpayment["Type"] == "RECEIVE-OVERPAYMENT"
    two_lines = [
        {"Description": "a", "LineAmount": "5"},
        {"Description": "b", "LineAmount": "5"},
    ]
    reply = xero.put(
        "/BankTransactions",
        {
            "Type": "SPEND-OVERPAYMENT",
            "Contact": {"Name": "Supplier"},
            "BankAccount": {"Code": "090"},
            "LineItems": two_lines,
        },
    )
    assert messages(reply) == ["An overpayment can only have one line item."]
    spent = credit_tx(xero, "SPEND-OVERPAYMENT", "12", Contact={"Name": "Supplier"})
    assert spent["LineItems"][0]["AccountCode"] == "800"


def test_overpayment_refunded_by_a_payment(xero: XeroHttp) -> None:
    tip = credit_tx(xero, "RECEIVE-OVERPAYMENT", "30")
    overpayment_id = tip["OverpaymentID"]
    refund = {
        "Overpayment": {"OverpaymentID": overpayment_id},
        "Account": {"Code": "090"},
        "Date": "2026-05-20",
        "Amount": "30",
    }
    too_much = xero.put("/Payments", {"Payments": [{**refund, "Amount": "31"}]})
    assert messages(too_much) == ["Payment amount exceeds the amount outstanding on this document"]
    reply = xero.put("/Payments", {"Payments": [refund]})
    assert reply.status == 200, reply.text
    payment = reply.json["Payments"][0]
    assert payment["PaymentType"] == "AROVERPAYMENTPAYMENT"
    assert payment["Overpayment"]["OverpaymentID"] == overpayment_id
    used = xero.get(f"/Overpayments/{overpayment_id}").json["Overpayments"][0]
    assert (used["Status"], used["RemainingCredit"]) == ("PAID", D("0"))
    assert used["Payments"][0]["PaymentID"] == payment["PaymentID"]
    again = xero.put("/Payments", {"Payments": [refund]})
    assert messages(again) == ["Payments can only be made against Authorised documents"]
    undone = xero.post(f"/Payments/{payment['PaymentID']}", {"Status": "DELETED"})
    assert undone.status == 200, undone.text
    back = xero.get(f"/Overpayments/{overpayment_id}").json["Overpayments"][0]
    assert (back["Status"], back["RemainingCredit"]) == ("AUTHORISED", D("30"))


def test_prepayment_refund_payment_type(xero: XeroHttp) -> None:
    deposit = credit_tx(xero, "SPEND-PREPAYMENT", "50", Contact={"Name": "Supplier"})
    refund = {
        "Prepayment": {"PrepaymentID": deposit["PrepaymentID"]},
        "Account": {"Code": "090"},
        "Date": "2026-05-20",
        "Amount": "20",
    }
    reply = xero.put("/Payments", refund)
    assert reply.status == 200, reply.text
    assert reply.json["Payments"][0]["PaymentType"] == "APPREPAYMENTPAYMENT"
    left = xero.get(f"/Prepayments/{deposit['PrepaymentID']}").json["Prepayments"][0]
    assert left["RemainingCredit"] == D("35.00")


def test_allocation_rules(xero: XeroHttp) -> None:
    tip = credit_tx(xero, "RECEIVE-OVERPAYMENT", "50")
    path = f"/Overpayments/{tip['OverpaymentID']}/Allocations"
    bill = invoice(xero, "20", Type="ACCPAY", InvoiceNumber="B-1")
    other = invoice(xero, "20", Contact={"Name": "Someone Else"})
    small = invoice(xero, "20")
    draft = invoice(xero, "20", Status="DRAFT")
    assert messages(xero.put(path, allocation(bill["InvoiceID"], 10))) == [
        "Overpayment cannot be allocated to an incorrect invoice type"
    ]
    assert messages(xero.put(path, allocation(other["InvoiceID"], 10))) == [
        "The overpayment and the invoice must be for the same contact."
    ]
    assert messages(xero.put(path, allocation(draft["InvoiceID"], 10))) == [
        "An overpayment can only be allocated to an AUTHORISED invoice."
    ]
    assert messages(xero.put(path, allocation(small["InvoiceID"], 21))) == [
        "Overpayment cannot be allocated as amount is greater than amount outstanding"
    ]
    no_date = {"Allocations": [{"Invoice": {"InvoiceID": small["InvoiceID"]}, "Amount": 5}]}
    assert messages(xero.put(path, no_date)) == ["The allocation Date is required."]
    assert xero.put(path, allocation(small["InvoiceID"], 20)).status == 200
    assert messages(xero.put(path, allocation(small["InvoiceID"], 5))) == [
        "The invoice you are trying to allocate to has already been paid off"
    ]
    assert xero.put("/Overpayments/00000000-0000-0000-0000-000000000000/Allocations").status == 404


def test_credit_bank_transactions_cannot_be_edited_only_deleted(xero: XeroHttp) -> None:
    tip = credit_tx(xero, "RECEIVE-OVERPAYMENT", "40")
    tx_id = tip["BankTransactionID"]
    assert messages(xero.post(f"/BankTransactions/{tx_id}", {"Reference": "x"})) == [
        "An overpayment or prepayment bank transaction cannot be edited."
    ]
    bill = invoice(xero, "20")
    path = f"/Overpayments/{tip['OverpaymentID']}/Allocations"
    made = xero.put(path, allocation(bill["InvoiceID"], 20)).json["Allocations"][0]
    assert messages(xero.post(f"/BankTransactions/{tx_id}", {"Status": "DELETED"})) == [
        "This document cannot be edited as it has a payment or credit note allocated to it."
    ]
    xero.delete(f"{path}/{made['AllocationID']}")
    gone = xero.post(f"/BankTransactions/{tx_id}", {"Status": "DELETED"})
    assert gone.status == 200, gone.text
    voided = xero.get(f"/Overpayments/{tip['OverpaymentID']}").json["Overpayments"][0]
    assert (voided["Status"], voided["RemainingCredit"]) == ("VOIDED", D("0"))


def test_prepayment_only_in_base_currency(xero: XeroHttp) -> None:
    add_usd_bank_account(xero)
    body = {
        "Type": "RECEIVE-PREPAYMENT",
        "Contact": {"Name": "Bayside Club"},
        "BankAccount": {"Code": "095"},
        "LineItems": [{"Description": "Deposit", "LineAmount": "10", "AccountCode": "200"}],
    }
    assert messages(xero.put("/BankTransactions", body)) == [
        "Prepayments can only be made in the base currency."
    ]


def test_list_filters(xero: XeroHttp) -> None:
    first = credit_tx(xero, "RECEIVE-OVERPAYMENT", "10", Reference="R-1")
    credit_tx(xero, "RECEIVE-OVERPAYMENT", "20", Reference="R-2")
    refs = xero.get("/Overpayments", params={"References": "R-1"}).json["Overpayments"]
    assert [o["OverpaymentID"] for o in refs] == [first["OverpaymentID"]]
    where = xero.get("/Overpayments", params={"where": "Total>15"}).json["Overpayments"]
    assert [o["Total"] for o in where] == [D("20")]
    paged = xero.get("/Overpayments", params={"page": 1, "pageSize": 1}).json
    assert paged["pagination"]["pageCount"] == 2
    deposit = credit_tx(xero, "RECEIVE-PREPAYMENT", "10")
    number = xero.get(f"/Prepayments/{deposit['PrepaymentID']}").json["Prepayments"][0]
    found = xero.get("/Prepayments", params={"InvoiceNumbers": number["InvoiceNumber"]}).json
    assert [p["PrepaymentID"] for p in found["Prepayments"]] == [deposit["PrepaymentID"]]
