"""Journals over HTTP: what each document posts, reversals, numbering, paging and the rules."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from tests.conftest import XeroHttp

ZERO = D("0.00")


def journals(xero: XeroHttp, **params: Any) -> list[dict[str, Any]]:
    reply = xero.get("/Journals", params=params or None)
    assert reply.status == 200, reply.text
    found: list[dict[str, Any]] = reply.json["Journals"]
    return found


def of(xero: XeroHttp, source_id: str) -> list[dict[str, Any]]:
    return [j for j in journals(xero) if j["SourceID"] == source_id]


def lines(journal: dict[str, Any]) -> dict[str, tuple[D, D]]:
    """AccountCode -> (NetAmount, TaxAmount), summed."""
    found: dict[str, tuple[D, D]] = {}
    for row in journal["JournalLines"]:
        net, tax = found.get(row["AccountCode"], (ZERO, ZERO))
        found[row["AccountCode"]] = (net + row["NetAmount"], tax + row["TaxAmount"])
    return found


def assert_balanced(journal: dict[str, Any]) -> None:
    rows = journal["JournalLines"]
    assert sum(r["NetAmount"] for r in rows) == 0, journal
    for row in rows:
        assert row["GrossAmount"] == row["NetAmount"] + row["TaxAmount"]


def document(xero: XeroHttp, path: str = "/Invoices", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"Name": "Ledger Customer"},
        "Date": "2026-03-10",
        "DueDate": "2026-04-10",
        "Status": "AUTHORISED",
        "LineItems": [
            {"Description": "Work", "Quantity": 1, "UnitAmount": "100", "AccountCode": "200"}
        ],
    }
    body.update(fields)
    reply = xero.put(path, body)
    assert reply.status == 200, reply.text
    key = "Invoices" if path == "/Invoices" else "CreditNotes"
    made: dict[str, Any] = reply.json[key][0]
    return made


def pay(xero: XeroHttp, body: dict[str, Any]) -> dict[str, Any]:
    full = {"Account": {"Code": "090"}, "Date": "2026-03-20", **body}
    reply = xero.put("/Payments", full)
    assert reply.status == 200, reply.text
    made: dict[str, Any] = reply.json["Payments"][0]
    return made


def test_sales_invoice_posts_lines_tax_and_receivable(xero: XeroHttp) -> None:
    invoice = document(xero, Reference="Order 17")
    [journal] = of(xero, invoice["InvoiceID"])
    assert journal["SourceType"] == "ACCREC"
    assert journal["Reference"] == "Order 17"
    assert (
        journal["JournalDate"]
        == xero.get(f"/Invoices/{invoice['InvoiceID']}").json["Invoices"][0]["Date"]
    )
    assert lines(journal) == {
        "610": (D("110.00"), ZERO),
        "200": (D("-100.00"), D("-10.00")),
        "820": (D("-10.00"), ZERO),
    }
    sales = next(r for r in journal["JournalLines"] if r["AccountCode"] == "200")
    assert (sales["TaxType"], sales["TaxName"], sales["Description"]) == (
        "OUTPUT",
        "GST on Income",
        "Work",
    )
    assert (sales["AccountType"], sales["AccountName"]) == ("REVENUE", "Sales")
    assert_balanced(journal)


def test_bill_inclusive_and_no_tax_amounts(xero: XeroHttp) -> None:
    inclusive = document(
        xero,
        Type="ACCPAY",
        LineAmountTypes="Inclusive",
        Contact={"Name": "Ledger Supplier"},
        LineItems=[
            {"Description": "Paper", "Quantity": 1, "UnitAmount": 110, "AccountCode": "461"}
        ],
    )
    [journal] = of(xero, inclusive["InvoiceID"])
    assert journal["SourceType"] == "ACCPAY"
    assert lines(journal) == {
        "800": (D("-110.00"), ZERO),
        "461": (D("100.00"), D("10.00")),
        "820": (D("10.00"), ZERO),
    }
    untaxed = document(xero, Type="ACCPAY", LineAmountTypes="NoTax", InvoiceNumber="NT-1")
    [journal] = of(xero, untaxed["InvoiceID"])
    assert lines(journal) == {"800": (D("-100.00"), ZERO), "200": (D("100.00"), ZERO)}


def test_drafts_post_nothing_until_approved(xero: XeroHttp) -> None:
    draft = document(xero, Status="DRAFT")
    assert of(xero, draft["InvoiceID"]) == []
    submitted = xero.post(f"/Invoices/{draft['InvoiceID']}", {"Status": "SUBMITTED"})
    assert submitted.status == 200
    assert of(xero, draft["InvoiceID"]) == []
    approved = xero.post(f"/Invoices/{draft['InvoiceID']}", {"Status": "AUTHORISED"})
    assert approved.status == 200, approved.text
    assert [j["SourceType"] for j in of(xero, draft["InvoiceID"])] == ["ACCREC"]
    deleted = document(xero, Status="DRAFT")
    xero.post(f"/Invoices/{deleted['InvoiceID']}", {"Status": "DELETED"})
    assert of(xero, deleted["InvoiceID"]) == []


def test_bill_voided_after_approval_shows_posting_and_reversal(xero: XeroHttp) -> None:
    bill = document(xero, Type="ACCPAY", Contact={"Name": "Ledger Supplier"})
    voided = xero.post(f"/Invoices/{bill['InvoiceID']}", {"Status": "VOIDED"})
    assert voided.status == 200, voided.text
    posting, reversal = of(xero, bill["InvoiceID"])
    assert reversal["JournalNumber"] == posting["JournalNumber"] + 1
    assert reversal["SourceType"] == posting["SourceType"] == "ACCPAY"
    assert reversal["JournalDate"] == posting["JournalDate"]
    assert lines(reversal) == {code: (-n, -t) for code, (n, t) in lines(posting).items()}
    assert_balanced(reversal)


def test_changing_an_approved_invoice_reverses_then_reposts(xero: XeroHttp) -> None:
    invoice = document(xero)
    line = {"Description": "Work", "Quantity": 2, "UnitAmount": "100", "AccountCode": "200"}
    changed = xero.post(f"/Invoices/{invoice['InvoiceID']}", {"LineItems": [line]})
    assert changed.status == 200, changed.text
    first, reversal, second = of(xero, invoice["InvoiceID"])
    assert lines(reversal)["610"] == (D("-110.00"), ZERO)
    assert lines(second)["610"] == (D("220.00"), ZERO)
    # Saving it again unchanged journals nothing.
    assert xero.post(f"/Invoices/{invoice['InvoiceID']}", {"Reference": None}).status == 200
    assert len(of(xero, invoice["InvoiceID"])) == 3


def test_payment_and_its_deletion(xero: XeroHttp) -> None:
    invoice = document(xero)
    payment = pay(xero, {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": "110"})
    [journal] = of(xero, payment["PaymentID"])
    assert journal["SourceType"] == "ACCRECPAYMENT"
    assert lines(journal) == {"090": (D("110.00"), ZERO), "610": (D("-110.00"), ZERO)}
    deleted = xero.post(f"/Payments/{payment['PaymentID']}", {"Status": "DELETED"})
    assert deleted.status == 200, deleted.text
    posting, reversal = of(xero, payment["PaymentID"])
    assert lines(reversal) == {"090": (D("-110.00"), ZERO), "610": (D("110.00"), ZERO)}
    # The invoice went from PAID back to AUTHORISED: its own posting did not change.
    assert len(of(xero, invoice["InvoiceID"])) == 1


def test_bill_payment_pays_money_out(xero: XeroHttp) -> None:
    bill = document(xero, Type="ACCPAY", Contact={"Name": "Ledger Supplier"})
    payment = pay(xero, {"Invoice": {"InvoiceID": bill["InvoiceID"]}, "Amount": "50"})
    [journal] = of(xero, payment["PaymentID"])
    assert journal["SourceType"] == "ACCPAYPAYMENT"
    assert lines(journal) == {"090": (D("-50.00"), ZERO), "800": (D("50.00"), ZERO)}


def test_credit_notes_mirror_invoices_and_refunds_pay_out(xero: XeroHttp) -> None:
    note = document(xero, "/CreditNotes", Type="ACCRECCREDIT")
    [journal] = of(xero, note["CreditNoteID"])
    assert journal["SourceType"] == "ACCRECCREDIT"
    assert lines(journal) == {
        "610": (D("-110.00"), ZERO),
        "200": (D("100.00"), D("10.00")),
        "820": (D("10.00"), ZERO),
    }
    refund = pay(xero, {"CreditNote": {"CreditNoteID": note["CreditNoteID"]}, "Amount": "30"})
    [paid] = of(xero, refund["PaymentID"])
    assert paid["SourceType"] == "ARCREDITPAYMENT"
    assert lines(paid) == {"090": (D("-30.00"), ZERO), "610": (D("30.00"), ZERO)}
    supplier = document(xero, "/CreditNotes", Type="ACCPAYCREDIT", Contact={"Name": "Ledger S"})
    [journal] = of(xero, supplier["CreditNoteID"])
    assert lines(journal)["800"] == (D("110.00"), ZERO)
    back = pay(xero, {"CreditNote": {"CreditNoteID": supplier["CreditNoteID"]}, "Amount": "5"})
    [received] = of(xero, back["PaymentID"])
    assert received["SourceType"] == "APCREDITPAYMENT"
    assert lines(received) == {"090": (D("5.00"), ZERO), "800": (D("-5.00"), ZERO)}


def test_allocating_a_credit_note_posts_nothing(xero: XeroHttp) -> None:
    invoice = document(xero)
    note = document(xero, "/CreditNotes", Type="ACCRECCREDIT")
    before = len(journals(xero))
    allocation = {"Amount": "20", "Invoice": {"InvoiceID": invoice["InvoiceID"]}}
    reply = xero.put(
        f"/CreditNotes/{note['CreditNoteID']}/Allocations",
        {"Allocations": [{**allocation, "Date": "2026-03-12"}]},
    )
    assert reply.status == 200, reply.text
    assert len(journals(xero)) == before


MANUAL = {
    "Narration": "Cash view",
    "Date": "2026-03-31",
    "Status": "POSTED",
    "JournalLines": [
        {"AccountCode": "429", "LineAmount": 7},
        {"AccountCode": "880", "LineAmount": -7},
    ],
}


def test_manual_journal_posted_and_voided(xero: XeroHttp) -> None:
    body = {
        "Narration": "Accrual",
        "Date": "2026-03-31",
        "Status": "POSTED",
        "LineAmountTypes": "Exclusive",
        "JournalLines": [
            {"LineAmount": 100, "AccountCode": "429", "TaxType": "INPUT"},
            {"LineAmount": -110, "AccountCode": "880", "TaxType": "BASEXCLUDED"},
        ],
    }
    made = xero.put("/ManualJournals", body)
    assert made.status == 200, made.text
    journal_id = made.json["ManualJournals"][0]["ManualJournalID"]
    [journal] = of(xero, journal_id)
    assert (journal["SourceType"], journal["Reference"]) == ("MANJOURNAL", "Accrual")
    assert lines(journal) == {
        "429": (D("100.00"), D("10.00")),
        "880": (D("-110.00"), ZERO),
        "820": (D("10.00"), ZERO),
    }
    draft = xero.put("/ManualJournals", {**body, "Status": "DRAFT"})
    assert of(xero, draft.json["ManualJournals"][0]["ManualJournalID"]) == []
    voided = xero.post(f"/ManualJournals/{journal_id}", {"Status": "VOIDED"})
    assert voided.status == 200, voided.text
    assert len(of(xero, journal_id)) == 2


def test_tracked_item_sale_posts_cost_of_goods(xero: XeroHttp) -> None:
    line = {"ItemCode": "WIDGET-BLUE", "Quantity": 2, "AccountCode": "200"}
    invoice = document(xero, LineItems=[line])
    [journal] = of(xero, invoice["InvoiceID"])
    # 20 on hand cost 250.00: two cost 25.00, moved from inventory to cost of goods sold.
    assert lines(journal)["310"] == (D("25.00"), ZERO)
    assert lines(journal)["630"] == (D("-25.00"), ZERO)
    assert lines(journal)["610"] == (D("55.00"), ZERO)
    assert_balanced(journal)


def test_foreign_invoice_posts_in_base_currency(xero: XeroHttp) -> None:
    invoice = document(xero, CurrencyCode="USD", CurrencyRate="0.5", InvoiceNumber="USD-1")
    [journal] = of(xero, invoice["InvoiceID"])
    assert lines(journal) == {
        "610": (D("220.00"), ZERO),
        "200": (D("-200.00"), D("-20.00")),
        "820": (D("-20.00"), ZERO),
    }
