"""Credit notes over HTTP: creation, allocation to invoices, and taking allocations back."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from tests.conftest import RunningSandbox, XeroHttp


def line(amount: str = "100", code: str = "200") -> dict[str, Any]:
    return {"Description": "Item", "Quantity": 1, "UnitAmount": amount, "AccountCode": code}


def make(xero: XeroHttp, path: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Contact": {"Name": "Bayside Club"},
        "Date": "2026-01-10",
        "DueDate": "2026-02-10",
        "Status": "AUTHORISED",
        "LineItems": [line()],
    }
    body.update(fields)
    reply = xero.put(path, body)
    assert reply.status == 200, reply.text
    made: dict[str, Any] = reply.json[path.strip("/")][0]
    return made


def messages(reply: Any) -> list[str]:
    assert reply.status == 400, reply.text
    return [m["Message"] for e in reply.json["Elements"] for m in e["ValidationErrors"]]


def allocate(xero: XeroHttp, note: dict[str, Any], invoice_id: str, amount: Any) -> Any:
    body = {
        "Allocations": [
            {"Invoice": {"InvoiceID": invoice_id}, "Amount": amount, "Date": "2026-01-15"}
        ]
    }
    return xero.put(f"/CreditNotes/{note['CreditNoteID']}/Allocations", body)


def test_credit_note_creation_and_event_data(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    note = make(xero, "/CreditNotes", Type="ACCRECCREDIT")
    assert note["CreditNoteNumber"] == "CN-0001"
    assert (note["Total"], note["RemainingCredit"], note["Status"]) == (
        D("110.00"),
        D("110.00"),
        "AUTHORISED",
    )
    event = sandbox.state.events[-1]
    assert (event.category, event.event_type, event.data) == (
        "CREDITNOTE",
        "CREATE",
        {"Type": "ACCRECCREDIT", "Status": "AUTHORISED"},
    )
    supplier = make(xero, "/CreditNotes", Type="ACCPAYCREDIT", LineItems=[line(code="429")])
    assert supplier["CreditNoteNumber"] == ""
    assert messages(
        xero.put(
            "/CreditNotes",
            {
                "Type": "ACCRECCREDIT",
                "Contact": {"Name": "X"},
                "LineItems": [dict(line(), DiscountRate=5)],
            },
        )
    ) == ["Discounts are only supported on sales invoices (ACCREC)."]
    assert (
        xero.get(f"/CreditNotes/{note['CreditNoteID']}").json["CreditNotes"][0]["CreditNoteNumber"]
        == "CN-0001"
    )
    assert xero.get("/CreditNotes/CN-0001").status == 200
    paged = xero.get("/CreditNotes", params={"page": 1}).json
    assert paged["pagination"]["itemCount"] == 2


def test_allocation_updates_both_sides_and_can_be_taken_back(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    invoice = make(xero, "/Invoices", Type="ACCREC", LineItems=[line("200")])
    note = make(xero, "/CreditNotes", Type="ACCRECCREDIT")
    reply = allocate(xero, note, invoice["InvoiceID"], "60.50")
    assert reply.status == 200, reply.text
    allocation = reply.json["Allocations"][0]
    assert allocation["Amount"] == D("60.50")
    shown = xero.get(f"/Invoices/{invoice['InvoiceID']}").json["Invoices"][0]
    assert (shown["AmountCredited"], shown["AmountDue"]) == (D("60.50"), D("159.50"))
    assert shown["CreditNotes"][0]["CreditNoteID"] == note["CreditNoteID"]
    credit = xero.get(f"/CreditNotes/{note['CreditNoteID']}").json["CreditNotes"][0]
    assert credit["RemainingCredit"] == D("49.50") and credit["Allocations"][0]["Amount"] == D(
        "60.50"
    )
    rest = xero.put(
        f"/CreditNotes/{note['CreditNoteID']}/Allocations",
        [{"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": "49.50", "Date": "2026-01-16"}],
    )
    assert rest.status == 200
    credit = xero.get(f"/CreditNotes/{note['CreditNoteID']}").json["CreditNotes"][0]
    assert (credit["Status"], credit["RemainingCredit"]) == ("PAID", 0)
    removed = xero.delete(
        f"/CreditNotes/{note['CreditNoteID']}/Allocations/{allocation['AllocationID']}"
    )
    assert removed.status == 200 and removed.json["IsDeleted"] is True
    credit = xero.get(f"/CreditNotes/{note['CreditNoteID']}").json["CreditNotes"][0]
    assert (credit["Status"], credit["RemainingCredit"]) == ("AUTHORISED", D("60.50"))
    shown = xero.get(f"/Invoices/{invoice['InvoiceID']}").json["Invoices"][0]
    assert (shown["AmountCredited"], shown["AmountDue"]) == (D("49.50"), D("170.50"))
    assert (
        xero.delete(
            f"/CreditNotes/{note['CreditNoteID']}/Allocations/{allocation['AllocationID']}"
        ).status
        == 404
    )


def test_allocation_rules(xero: XeroHttp) -> None:
    invoice = make(xero, "/Invoices", Type="ACCREC")
    bill = make(xero, "/Invoices", Type="ACCPAY", LineItems=[line(code="429")])
    note = make(xero, "/CreditNotes", Type="ACCRECCREDIT", LineItems=[line("300")])
    assert messages(allocate(xero, note, bill["InvoiceID"], 10)) == [
        "Credit Note cannot be allocated to an incorrect invoice type"
    ]
    assert messages(allocate(xero, note, invoice["InvoiceID"], "110.01")) == [
        "Credit Note cannot be allocated as amount is greater than amount outstanding"
    ]
    assert allocate(xero, note, invoice["InvoiceID"], "110.00").status == 200
    assert messages(allocate(xero, note, invoice["InvoiceID"], 1)) == [
        "The invoice you are trying to allocate to has already been paid off"
    ]
    other = make(xero, "/Invoices", Type="ACCREC", Contact={"Name": "City Limousines"})
    assert messages(allocate(xero, note, other["InvoiceID"], 1)) == [
        "The credit note and the invoice must be for the same contact."
    ]
    draft = make(xero, "/CreditNotes", Type="ACCRECCREDIT", Status="DRAFT")
    assert messages(allocate(xero, draft, invoice["InvoiceID"], 1)) == [
        "Only AUTHORISED credit notes can be allocated."
    ]
    assert (
        allocate(
            xero, {"CreditNoteID": "00000000-0000-0000-0000-000000000000"}, invoice["InvoiceID"], 1
        ).status
        == 404
    )


def test_allocated_credit_note_cannot_be_edited_or_voided(xero: XeroHttp) -> None:
    invoice = make(xero, "/Invoices", Type="ACCREC")
    note = make(xero, "/CreditNotes", Type="ACCRECCREDIT")
    assert allocate(xero, note, invoice["InvoiceID"], 5).status == 200
    assert messages(xero.post(f"/CreditNotes/{note['CreditNoteID']}", {"Status": "VOIDED"})) == [
        "This document cannot be edited as it has a payment or credit note allocated to it."
    ]
    assert messages(xero.post(f"/Invoices/{invoice['InvoiceID']}", {"LineItems": [line("5")]})) == [
        "This document cannot be edited as it has a payment or credit note allocated to it."
    ]
