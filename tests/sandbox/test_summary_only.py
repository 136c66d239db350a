"""``summaryOnly=true`` on the invoice and contact lists, and the egress the sandbox counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tests.conftest import RunningSandbox, XeroHttp


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url + "/_sandbox", timeout=30) as client:
        yield client


def paid_invoice(xero: XeroHttp) -> dict[str, Any]:
    line = {"Description": "Work", "Quantity": 2, "UnitAmount": "50", "AccountCode": "200"}
    reply = xero.put(
        "/Invoices",
        {
            "Type": "ACCREC",
            "Contact": {"Name": "Bayside Club"},
            "Date": "2026-01-10",
            "DueDate": "2026-02-10",
            "Status": "AUTHORISED",
            "LineItems": [line, line],
        },
    )
    assert reply.status == 200, reply.text
    made: dict[str, Any] = reply.json["Invoices"][0]
    payment = {
        "Invoice": {"InvoiceID": made["InvoiceID"]},
        "Account": {"Code": "090"},
        "Date": "2026-01-12",
        "Amount": "20",
    }
    assert xero.put("/Payments", payment).status == 200
    return made


def test_an_invoice_summary_keeps_status_and_amounts_and_drops_the_heavy_parts(
    xero: XeroHttp,
) -> None:
    made = paid_invoice(xero)
    ids = {"IDs": made["InvoiceID"], "page": 1}
    full = xero.get("/Invoices", params=ids)
    summary = xero.get("/Invoices", params={**ids, "summaryOnly": "true", "pageSize": 10})
    assert summary.status == 200
    assert summary.json["pagination"]["pageSize"] == 10
    whole, light = full.json["Invoices"][0], summary.json["Invoices"][0]
    assert whole["LineItems"] and whole["Payments"]
    for heavy in ("LineItems", "Payments", "CreditNotes", "Prepayments", "Overpayments"):
        assert heavy not in light
    kept = ("InvoiceID", "InvoiceNumber", "Status", "Total", "AmountDue", "AmountPaid", "Contact")
    assert {k: light[k] for k in kept} == {k: whole[k] for k in kept}
    assert len(summary.text) < len(full.text)
    # the one-invoice GET takes no summaryOnly in Xero's spec: it answers in full
    one = xero.get(f"/Invoices/{made['InvoiceID']}", params={"summaryOnly": "true"})
    assert one.json["Invoices"][0]["LineItems"]


def test_a_contact_summary_drops_addresses_phones_and_balances(xero: XeroHttp) -> None:
    contact = {
        "Name": "Summary Pty Ltd",
        "EmailAddress": "ap@summary.example",
        "BankAccountDetails": "062-000 11112222",
        "TaxNumber": "12345678901",
        "Addresses": [{"AddressType": "POBOX", "City": "Sydney"}],
        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "5550100"}],
    }
    made = xero.put("/Contacts", contact).json["Contacts"][0]
    full = xero.get("/Contacts", params={"IDs": made["ContactID"]}).json["Contacts"][0]
    light = xero.get("/Contacts", params={"IDs": made["ContactID"], "summaryOnly": "true"}).json[
        "Contacts"
    ][0]
    assert full["Addresses"] and full["Phones"] and full["TaxNumber"]
    for heavy in ("Addresses", "Phones", "TaxNumber", "ContactGroups", "Balances"):
        assert heavy not in light
    for kept in ("ContactID", "Name", "EmailAddress", "BankAccountDetails", "ContactStatus"):
        assert light[kept] == full[kept]


def test_egress_counts_the_reply_bodies_per_organisation(
    admin: httpx2.Client, xero: XeroHttp
) -> None:
    replies = [
        xero.get("/Accounts"),
        xero.get("/Contacts", params={"summaryOnly": "true"}),
        xero.get("/Invoices/NOPE"),
        xero.put("/Currencies", {"Code": "JPY"}),
    ]
    sent = sum(len(r.text.encode()) for r in replies)
    anonymous = XeroHttp(xero.base, None, xero.tenant)
    try:
        assert anonymous.get("/Organisation").status == 401  # refused before the tenant
    finally:
        anonymous.close()
    egress = admin.get("/stats").json()["egress"]
    assert egress["by_org"] == {"demo": sent, "uk": 0}
    assert egress["responses"] == 5
    assert egress["response_bytes"] > sent
    admin.post("/reset")
    assert admin.get("/stats").json()["egress"]["response_bytes"] == 0
