"""The trial balance over HTTP: computed from the journals, it balances and agrees with the
documents account by account."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp
from tests.sandbox.replay_people import scoped_xero
from tests.sandbox.test_journals import document, pay

ZERO = D("0.00")


def report(xero: XeroHttp, **params: Any) -> dict[str, Any]:
    reply = xero.get("/Reports/TrialBalance", params=params or None)
    assert reply.status == 200, reply.text
    [found] = reply.json["Reports"]
    shown: dict[str, Any] = found
    return shown


def rows(shown: dict[str, Any]) -> dict[str, tuple[D, D]]:
    """Account code -> (month balance, YTD balance), debits positive."""
    found: dict[str, tuple[D, D]] = {}
    for section in shown["Rows"]:
        for row in section.get("Rows", []):
            if row["RowType"] != "Row":
                continue
            label = row["Cells"][0]["Value"]
            code = label.rsplit("(", 1)[1].rstrip(")")
            debit, credit, ytd_debit, ytd_credit = (D(c["Value"] or "0") for c in row["Cells"][1:])
            found[code] = (debit - credit, ytd_debit - ytd_credit)
    return found


def totals(shown: dict[str, Any]) -> list[D]:
    last = shown["Rows"][-1]
    assert last["Title"] == ""
    [summary] = last["Rows"]
    assert summary["RowType"] == "SummaryRow"
    assert summary["Cells"][0]["Value"] == "Total"
    return [D(c["Value"]) for c in summary["Cells"][1:]]


def activity(xero: XeroHttp) -> None:
    """Sales, a bill, a credit note, payments, a refund, a voided bill, a deleted payment."""
    sale = document(xero, InvoiceNumber="TB-1")
    document(xero, InvoiceNumber="TB-2", LineAmountTypes="Inclusive")
    bill = document(xero, Type="ACCPAY", Contact={"Name": "TB Supplier"}, InvoiceNumber="B-1")
    voided = document(xero, Type="ACCPAY", Contact={"Name": "TB Supplier"}, InvoiceNumber="B-2")
    assert xero.post(f"/Invoices/{voided['InvoiceID']}", {"Status": "VOIDED"}).status == 200
    note = document(xero, "/CreditNotes", Type="ACCRECCREDIT", CreditNoteNumber="CN-TB")
    pay(xero, {"Invoice": {"InvoiceID": sale["InvoiceID"]}, "Amount": "60"})
    pay(xero, {"Invoice": {"InvoiceID": bill["InvoiceID"]}, "Amount": "110"})
    pay(xero, {"CreditNote": {"CreditNoteID": note["CreditNoteID"]}, "Amount": "10"})
    gone = pay(xero, {"Invoice": {"InvoiceID": sale["InvoiceID"]}, "Amount": "5"})
    assert xero.post(f"/Payments/{gone['PaymentID']}", {"Status": "DELETED"}).status == 200
    draft = document(xero, InvoiceNumber="TB-3", Status="DRAFT")
    assert draft["Status"] == "DRAFT"


def test_trial_balance_balances_and_matches_the_documents(xero: XeroHttp) -> None:
    activity(xero)
    shown = report(xero, date="2026-03-31")
    assert shown["ReportType"] == "TrialBalance"
    assert shown["ReportTitles"][0] == "Trial Balance"
    assert shown["ReportTitles"][2] == "As at 31 March 2026"
    assert shown["ReportDate"] == "31 March 2026"
    assert [c["Value"] for c in shown["Rows"][0]["Cells"]] == [
        "Account",
        "Debit",
        "Credit",
        "YTD Debit",
        "YTD Credit",
    ]
    debit, credit, ytd_debit, ytd_credit = totals(shown)
    assert debit == credit and ytd_debit == ytd_credit and ytd_debit > 0

    invoices = xero.get("/Invoices").json["Invoices"]
    notes = xero.get("/CreditNotes").json["CreditNotes"]
    payments = [p for p in xero.get("/Payments").json["Payments"] if p["Status"] != "DELETED"]

    def due(kind: str) -> D:
        open_ = [i for i in invoices if i["Type"] == kind and i["Status"] in ("AUTHORISED", "PAID")]
        return sum((i["AmountDue"] for i in open_), ZERO)

    def credit_left(kind: str) -> D:
        open_ = [n for n in notes if n["Type"] == kind and n["Status"] in ("AUTHORISED", "PAID")]
        return sum((n["RemainingCredit"] for n in open_), ZERO)

    balances = rows(shown)
    assert balances["610"][1] == due("ACCREC") - credit_left("ACCRECCREDIT") == D("50.00")
    assert (
        balances.get("800", (ZERO, ZERO))[1]
        == -(due("ACCPAY") - credit_left("ACCPAYCREDIT"))
        == ZERO
    )
    money_in = sum((p["Amount"] for p in payments if p["PaymentType"] == "ACCRECPAYMENT"), ZERO)
    money_out = sum((p["Amount"] for p in payments if p["PaymentType"] != "ACCRECPAYMENT"), ZERO)
    assert balances["090"][1] == money_in - money_out == D("-60.00")
    # GST: 10.00 and 9.09 (inclusive) on sales, less 10.00 on the bill and on the credit note.
    assert balances["820"] == (D("0.91"), D("0.91"))
    # Sales: 100.00 and 90.91 sold, 100.00 credited, 100.00 billed to the same account.
    assert balances["200"] == (D("9.09"), D("9.09"))


def test_report_date_before_the_activity(xero: XeroHttp) -> None:
    activity(xero)
    shown = report(xero, date="2026-02-28")
    assert rows(shown) == {}
    assert totals(shown) == [ZERO, ZERO, ZERO, ZERO]


def test_month_columns_and_year_to_date(xero: XeroHttp) -> None:
    document(xero, InvoiceNumber="JAN-1", Date="2026-01-15", DueDate="2026-02-15")
    document(xero, InvoiceNumber="MAR-1")
    shown = report(xero, date="2026-03-31")
    month, ytd = rows(shown)["200"]
    assert (month, ytd) == (D("-100.00"), D("-200.00"))
    debit, credit, ytd_debit, ytd_credit = totals(shown)
    assert (debit, credit) == (D("110.00"), D("110.00"))
    assert (ytd_debit, ytd_credit) == (D("220.00"), D("220.00"))


def test_profit_of_an_earlier_year_shows_in_retained_earnings(xero: XeroHttp) -> None:
    # The demo organisation is Australian: its financial year ends on 30 June.
    document(xero, InvoiceNumber="FY-1", Date="2026-06-15", DueDate="2026-07-15")
    shown = report(xero, date="2026-07-31")
    balances = rows(shown)
    assert "200" not in balances
    assert balances["960"] == (ZERO, D("-100.00"))
    assert balances["610"] == (ZERO, D("110.00"))
    retained = next(
        row
        for section in shown["Rows"]
        for row in section.get("Rows", [])
        if row["Cells"][0]["Value"] == "Retained Earnings (960)"
    )
    assert {"Value": "6/30/2026", "Id": "toDate"} in retained["Cells"][1]["Attributes"]
    debit, credit, ytd_debit, ytd_credit = totals(shown)
    assert debit == credit and ytd_debit == ytd_credit == D("110.00")


def test_payments_only(xero: XeroHttp) -> None:
    sale = document(xero, InvoiceNumber="CASH-1")
    pay(xero, {"Invoice": {"InvoiceID": sale["InvoiceID"]}, "Amount": "40"})
    shown = report(xero, date="2026-03-31", paymentsOnly="true")
    # On the cash basis the invoice shows only as far as it is paid, and no receivable.
    assert rows(shown) == {
        "090": (D("40.00"), D("40.00")),
        "200": (D("-36.36"), D("-36.36")),
        "820": (D("-3.64"), D("-3.64")),
    }
    assert totals(shown) == [D("40.00")] * 4


def test_a_bad_date_is_refused(xero: XeroHttp) -> None:
    reply = xero.get("/Reports/TrialBalance", params={"date": "someday"})
    assert reply.status == 400
    assert reply.json["ErrorNumber"] == 10
    assert reply.json["Message"] == "The value 'someday' is not valid for date."


def test_the_report_needs_a_reports_scope(sandbox: RunningSandbox) -> None:
    client = scoped_xero(sandbox.url, DEMO_TENANT, "accounting.transactions")
    try:
        refused = client.get("/Reports/TrialBalance")
        assert refused.status == 401
        assert "insufficient_scope" in refused.headers.get("www-authenticate", "")
    finally:
        client.close()
