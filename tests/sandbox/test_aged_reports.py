"""The aged receivables and payables of one contact over HTTP: what each open document owes at
a date, payments after it left out, documents before fromDate in the opening balance."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from tests.conftest import XeroHttp
from tests.sandbox.test_journals import document, pay
from tests.sandbox.test_reports import get_report, lines, refusal

ZERO = D("0.00")


def customer_with_history(xero: XeroHttp) -> dict[str, Any]:
    """Three sales to one customer (one paid in part, one in full), a credit note allocated in
    part; the contact's id and documents."""
    old = document(xero, Contact={"Name": "Aged Customer"}, InvoiceNumber="AG-1",
                   Date="2026-01-05", DueDate="2026-01-20")  # fmt: skip
    mid = document(xero, Contact={"Name": "Aged Customer"}, InvoiceNumber="AG-2",
                   Date="2026-03-01", DueDate="2026-03-31")  # fmt: skip
    paid = document(xero, Contact={"Name": "Aged Customer"}, InvoiceNumber="AG-3",
                    Date="2026-03-02", DueDate="2026-03-31")  # fmt: skip
    pay(xero, {"Invoice": {"InvoiceID": mid["InvoiceID"]}, "Amount": "50", "Date": "2026-03-20"})
    pay(xero, {"Invoice": {"InvoiceID": paid["InvoiceID"]}, "Amount": "110"})
    note = document(xero, "/CreditNotes", Type="ACCRECCREDIT", Contact={"Name": "Aged Customer"},
                    CreditNoteNumber="AG-CN", Date="2026-03-05")  # fmt: skip
    body = {
        "Allocations": [
            {"Invoice": {"InvoiceID": old["InvoiceID"]}, "Amount": "22", "Date": "2026-03-06"}
        ]
    }
    reply = xero.put(f"/CreditNotes/{note['CreditNoteID']}/Allocations", body)
    assert reply.status == 200, reply.text
    return {"id": old["Contact"]["ContactID"], "old": old, "mid": mid, "note": note}


def test_aged_receivables_list_what_is_owed_and_total_the_amount_due(xero: XeroHttp) -> None:
    made = customer_with_history(xero)
    shown = get_report(xero, "AgedReceivablesByContact", contactId=made["id"], date="2026-03-31")
    assert shown["ReportName"] == "Aged Receivables By Contact"
    assert shown["ReportTitles"] == [
        "Invoices",
        "Aged Customer",
        "From 5 January 2026 to 31 March 2026",
        "Showing payments to 31 March 2026",
    ]
    header = [c["Value"] for c in shown["Rows"][0]["Cells"]]
    assert header == ["Date", "Number", "Due Date", "", "Total", "Paid", "Credited", "Due"]
    opening, listed, closing = shown["Rows"][1:]
    assert [c["Value"] for c in opening["Rows"][0]["Cells"]][:2] == [
        "2026-01-05T00:00:00",
        "Opening Balance",
    ]
    rows = [[c["Value"] for c in r["Cells"]] for r in listed["Rows"]]
    # The paid invoice drops out; the credit note's 88.00 left shows against them.
    assert [r[1] or r[0] for r in rows] == ["AG-1", "AG-2", "AG-CN", "Total"]
    assert rows[0] == ["2026-01-05T00:00:00", "AG-1", "2026-01-20T00:00:00", "70 days overdue",
                       "110.00", "0.00", "22.00", "88.00"]  # fmt: skip
    assert rows[1][3:] == ["", "110.00", "50.00", "0.00", "60.00"]
    assert rows[2][4:] == ["-110.00", "0.00", "-22.00", "-88.00"]
    assert listed["Rows"][0]["Cells"][1]["Attributes"] == [
        {"Value": made["old"]["InvoiceID"], "Id": "invoiceID"}
    ]
    assert lines(shown)["Closing Balance"] == [D("110.00"), D("50.00"), ZERO, D("60.00")]

    invoices = xero.get("/Invoices", params={"ContactIDs": made["id"]}).json["Invoices"]
    notes = xero.get("/CreditNotes").json["CreditNotes"]
    owed = sum((i["AmountDue"] for i in invoices if i["Type"] == "ACCREC"), ZERO)
    credit = sum((n["RemainingCredit"] for n in notes if n["CreditNoteNumber"] == "AG-CN"), ZERO)
    assert lines(shown)["Closing Balance"][3] == owed - credit


def test_payments_after_the_date_and_documents_before_from_date(xero: XeroHttp) -> None:
    made = customer_with_history(xero)
    before = get_report(xero, "AgedReceivablesByContact", contactId=made["id"], date="2026-03-10")
    found = [[c["Value"] for c in r["Cells"]] for r in before["Rows"][2]["Rows"]]
    # On 10 March nothing was paid yet: AG-2 and AG-3 owe their whole total.
    assert [r[1] or r[0] for r in found] == ["AG-1", "AG-2", "AG-3", "AG-CN", "Total"]
    assert found[1][-1] == found[2][-1] == "110.00"
    later = get_report(xero, "AgedReceivablesByContact", contactId=made["id"],
                       date="2026-03-31", fromDate="2026-03-01")  # fmt: skip
    opening = later["Rows"][1]["Rows"][0]["Cells"]
    assert (opening[0]["Value"], opening[-1]["Value"]) == ("2026-03-01T00:00:00", "88.00")
    assert lines(later)["Closing Balance"][3] == D("60.00")
    narrow = get_report(xero, "AgedReceivablesByContact", contactId=made["id"],
                        date="2026-03-31", toDate="2026-02-28")  # fmt: skip
    assert [r["Cells"][1]["Value"] for r in narrow["Rows"][2]["Rows"]] == ["AG-1", ""]


def test_aged_payables_show_the_bills_to_a_supplier(xero: XeroHttp) -> None:
    bill = document(xero, Type="ACCPAY", Contact={"Name": "Aged Supplier"}, InvoiceNumber="SUP-9")
    pay(xero, {"Invoice": {"InvoiceID": bill["InvoiceID"]}, "Amount": "10"})
    supplier = bill["Contact"]["ContactID"]
    shown = get_report(xero, "AgedPayablesByContact", contactId=supplier, date="2026-03-31")
    assert shown["ReportName"] == "Aged Payables By Contact"
    assert [c["Value"] for c in shown["Rows"][0]["Cells"]][1] == "Reference"
    assert lines(shown)["Closing Balance"] == [D("110.00"), D("10.00"), ZERO, D("100.00")]
    # The supplier has no sales: its receivables are empty.
    empty = get_report(xero, "AgedReceivablesByContact", contactId=supplier, date="2026-03-31")
    assert lines(empty)["Closing Balance"] == [ZERO] * 4


def test_aged_reports_refuse_bad_parameters(xero: XeroHttp) -> None:
    for name in ("AgedReceivablesByContact", "AgedPayablesByContact"):
        assert refusal(xero, name) == "A valid contactId must be supplied."
    contact = document(xero, Contact={"Name": "Aged Customer"})["Contact"]["ContactID"]
    assert refusal(xero, "AgedReceivablesByContact", contactId=contact, date="soon") == (
        "The value 'soon' is not valid for date."
    )
    unknown = xero.get(
        "/Reports/AgedReceivablesByContact",
        params={"contactId": "00000000-0000-0000-0000-000000000001"},
    )
    assert unknown.status == 404
