"""Neutral documents to Xero Invoice JSON: the exact bodies, and Xero's traps avoided."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal as D
from typing import Any

from ledgerlink.kinds import validate_document
from ledgerlink.mapping import MappingDefaults, ResolvedLine, resolve_lines
from ledgerlink.xero.convert import (
    contact_element,
    contact_to_xero,
    document_unitdp,
    expense_to_xero,
    invoice_to_xero,
)
from tests.engine.documents.factories import expense_data, invoice_data

CONTACT_ID = "0d6f6d2a-1f43-4a55-9a53-5b0c0bb5a0a1"
DEFAULTS = MappingDefaults("200", "OUTPUT", "429", "INPUT")


@dataclass
class FakeLink:
    xero_id: str
    line_item_ids: list[Any] = field(default_factory=list)


def test_sales_invoice_body() -> None:
    data = invoice_data(
        status="sent",
        currency="USD",
        url="https://app.example/invoices/1",
        amounts_are="inclusive",
    )
    data["lines"][0].update(
        item_code="CONSULT",
        discount_rate="10",
        tracking=[{"name": "Region", "option": "North"}],
    )
    doc = validate_document("invoice", data)
    lines = resolve_lines(doc, defaults=DEFAULTS)
    body = invoice_to_xero(doc, lines, {"ContactID": CONTACT_ID, "Name": "x"}, "AUTHORISED")
    assert body == {
        "Type": "ACCREC",
        "Contact": {"ContactID": CONTACT_ID},
        "LineAmountTypes": "Inclusive",
        "CurrencyCode": "USD",
        "Url": "https://app.example/invoices/1",
        "Status": "AUTHORISED",
        "Date": "2026-03-02",
        "DueDate": "2026-04-01",
        "InvoiceNumber": "ST-1001",
        "Reference": "Job 42",
        "LineItems": [
            {
                "Description": "Design",
                "Quantity": D(2),
                "UnitAmount": D("150.00"),
                "ItemCode": "CONSULT",
                "AccountCode": "200",
                "TaxType": "OUTPUT",
                "DiscountRate": D(10),
                "Tracking": [{"Name": "Region", "Option": "North"}],
            },
            {
                "Description": "Printing",
                "Quantity": D(1),
                "UnitAmount": D("80.50"),
                "AccountCode": "200",
                "TaxType": "OUTPUT",
            },
        ],
    }


def test_bill_body_has_no_discount_or_reference_and_takes_the_supplier_reference() -> None:
    doc = validate_document("expense", expense_data(amounts_are="no_tax"))
    lines = resolve_lines(doc, defaults=DEFAULTS)
    body = expense_to_xero(doc, lines, {"Name": "Office Supplies Co"}, "SUBMITTED")
    assert body == {
        "Type": "ACCPAY",
        "Contact": {"Name": "Office Supplies Co"},
        "LineAmountTypes": "NoTax",
        "Status": "SUBMITTED",
        "Date": "2026-03-05",
        "DueDate": "2026-04-05",
        "InvoiceNumber": "OS-7781",
        "LineItems": [
            {
                "Description": "Paper",
                "Quantity": D(10),
                "UnitAmount": D("4.95"),
                "AccountCode": "429",
                "TaxType": "INPUT",
            }
        ],
    }
    numbered = validate_document(
        "expense", expense_data(reference=None, number="EXP-12", due_date=None)
    )
    body = expense_to_xero(numbered, lines, {"Name": "x"}, "DRAFT")
    assert body["InvoiceNumber"] == "EXP-12" and "DueDate" not in body


def test_update_echoes_line_item_ids_in_order_and_names_the_invoice() -> None:
    data = invoice_data()
    data["lines"].append({"description": "New line", "unit_amount": "5"})
    doc = validate_document("invoice", data)
    lines = resolve_lines(doc, defaults=DEFAULTS)
    link = FakeLink("inv-id-1", ["line-a", "line-b"])
    body = invoice_to_xero(doc, lines, {"ContactID": CONTACT_ID}, "DRAFT", existing=link)
    assert body["InvoiceID"] == "inv-id-1"
    assert [line.get("LineItemID") for line in body["LineItems"]] == ["line-a", "line-b", None]
    shorter = validate_document("invoice", invoice_data(lines=invoice_data()["lines"][:1]))
    body = invoice_to_xero(shorter, lines[:1], {"ContactID": CONTACT_ID}, "DRAFT", existing=link)
    assert [line["LineItemID"] for line in body["LineItems"]] == ["line-a"]


def test_void_and_delete_send_only_the_id_and_status() -> None:
    doc = validate_document("invoice", invoice_data(status="voided"))
    lines = resolve_lines(doc, defaults=DEFAULTS)
    link = FakeLink("inv-9", ["l1", "l2"])
    assert invoice_to_xero(doc, lines, {"ContactID": CONTACT_ID}, "VOIDED", link) == {
        "InvoiceID": "inv-9",
        "Status": "VOIDED",
    }
    bill = validate_document("expense", expense_data(status="voided"))
    assert expense_to_xero(
        bill, [ResolvedLine(0, None, None, None, None)], {}, "DELETED", link
    ) == {
        "InvoiceID": "inv-9",
        "Status": "DELETED",
    }


def test_unit_amounts_follow_unitdp() -> None:
    data = invoice_data(
        lines=[{"description": "kWh", "quantity": "1234.5", "unit_amount": "0.2375"}]
    )
    doc = validate_document("invoice", data)
    lines = resolve_lines(doc, defaults=DEFAULTS)
    assert document_unitdp(doc) == 4
    four = invoice_to_xero(doc, lines, {"ContactID": CONTACT_ID}, "DRAFT", unitdp=4)
    two = invoice_to_xero(doc, lines, {"ContactID": CONTACT_ID}, "DRAFT", unitdp=2)
    assert four["LineItems"][0]["UnitAmount"] == D("0.2375")
    assert two["LineItems"][0]["UnitAmount"] == D("0.24")
    assert four["LineItems"][0]["Quantity"] == D("1234.5")


def test_item_only_line_leaves_the_description_to_xero() -> None:
    data = invoice_data(lines=[{"item_code": "CONSULT", "unit_amount": "150"}])
    doc = validate_document("invoice", data)
    body = invoice_to_xero(doc, resolve_lines(doc), {"ContactID": CONTACT_ID}, "DRAFT")
    assert body["LineItems"] == [
        {"Quantity": D(1), "UnitAmount": D("150.00"), "ItemCode": "CONSULT"}
    ]


def test_contact_bodies() -> None:
    doc = validate_document(
        "invoice",
        invoice_data(contact={"key": "k1", "name": " Bayside Club ", "contact_number": "C-1"}),
    )
    assert contact_to_xero(doc.contact) == {"Name": "Bayside Club", "ContactNumber": "C-1"}
    assert contact_element({"ContactID": CONTACT_ID, "Name": "Other"}) == {"ContactID": CONTACT_ID}
    assert contact_element({"Name": "Bayside Club", "EmailAddress": None}) == {
        "Name": "Bayside Club"
    }
