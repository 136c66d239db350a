"""Replay steps for quotes, repeating invoice templates and linked transactions (billable expenses).

Called once from ``run_replay``; every route these resources add gets a 2xx here, and every
exchange is checked against Xero's spec by the contract test.
"""

from __future__ import annotations

from typing import Any

from tests.sandbox.openapi_replay import Replay, doc_lines, first

_SINCE = {"If-Modified-Since": "2025-01-01T00:00:00Z"}


def _who(contact_id: str | None, number: str) -> dict[str, str]:
    return {"ContactID": contact_id} if contact_id else {"ContactNumber": number}


def quotes(r: Replay, customer: str | None) -> None:
    quote = {
        "Contact": _who(customer, "CUST-001"),
        "Date": r.day(),
        "ExpiryDate": r.day(30),
        "Title": "Replay fit-out",
        "Summary": "Stage one of the fit-out",
        "Terms": "Valid for 30 days",
        "Reference": "RQ-1",
        "LineAmountTypes": "EXCLUSIVE",
        "LineItems": [
            {**doc_lines(("Joinery", "4", "250.00", "200"))[0], "DiscountRate": 5.0},
            {**doc_lines(("Painting", "1", "480.00", "200"))[0], "TaxType": "OUTPUT"},
        ],
    }
    sent = {**quote, "Status": "SENT", "Reference": "RQ-2"}
    made = r.call("create quotes", "PUT", "/Quotes", {"Quotes": [quote, sent]})
    draft_id = first(made, "Quotes", "QuoteID")
    sent_id = first(made, "Quotes", "QuoteID", 1)
    number = first(made, "Quotes", "QuoteNumber")
    r.call("quote without contact", "PUT", "/Quotes", {"Quotes": [{"LineItems": []}]}, expect=400)
    r.call("quotes", "GET", "/Quotes")
    r.call("quotes since", "GET", "/Quotes", headers=_SINCE)
    window = {"DateFrom": r.day(-1), "DateTo": r.day(1), "order": "Date DESC"}
    r.call("quotes by date", "GET", "/Quotes", params=window)
    expiry = {"ExpiryDateFrom": r.day(), "ExpiryDateTo": r.day(60), "page": 1}
    r.call("quotes by expiry", "GET", "/Quotes", params=expiry)
    r.call("sent quotes", "GET", "/Quotes", params={"Status": "SENT"})
    if customer:
        r.call("quotes by contact", "GET", "/Quotes", params={"ContactID": customer})
    if number:
        r.call("quote by number", "GET", "/Quotes", params={"QuoteNumber": number})
    if draft_id:
        r.call("quote", "GET", f"/Quotes/{draft_id}")
        change = {"Quotes": [{**quote, "Reference": "RQ-1 rev B"}]}
        r.call("update quote", "POST", f"/Quotes/{draft_id}", change)
    if sent_id:
        accept = {
            "Quotes": [{"QuoteID": sent_id, "Status": "ACCEPTED", "Contact": sent["Contact"]}]
        }
        r.call("accept quote", "POST", "/Quotes", accept)


def _template(r: Replay, customer: str | None) -> dict[str, Any]:
    return {
        "Type": "ACCREC",
        "Contact": _who(customer, "CUST-001"),
        "Schedule": {
            "Period": 1,
            "Unit": "MONTHLY",
            "DueDate": 20,
            "DueDateType": "OFFOLLOWINGMONTH",
            "StartDate": r.day(7),
            "EndDate": r.day(370),
        },
        "Reference": "[Month] support",
        "Status": "AUTHORISED",
        "LineAmountTypes": "Exclusive",
        "LineItems": [{**doc_lines(("Support", "1", "300.00", "200"))[0], "TaxType": "OUTPUT"}],
        "ApprovedForSending": False,
        "SendCopy": False,
        "MarkAsSent": False,
        "IncludePDF": False,
    }


def repeating_invoices(r: Replay, customer: str | None) -> None:
    template = _template(r, customer)
    draft = {**template, "Status": "DRAFT", "Reference": "[Week] cleaning"}
    draft["Schedule"] = {**template["Schedule"], "Unit": "WEEKLY", "Period": 2}
    made = r.call(
        "create templates", "PUT", "/RepeatingInvoices", {"RepeatingInvoices": [template, draft]}
    )
    kept = first(made, "RepeatingInvoices", "RepeatingInvoiceID")
    to_delete = first(made, "RepeatingInvoices", "RepeatingInvoiceID", 1)
    no_schedule = {k: v for k, v in template.items() if k != "Schedule"}
    r.call(
        "template without schedule",
        "PUT",
        "/RepeatingInvoices",
        {"RepeatingInvoices": [no_schedule]},
        expect=400,
    )
    r.call("templates", "GET", "/RepeatingInvoices")
    where = {"where": 'Status=="AUTHORISED"', "order": "Total DESC"}
    r.call("templates where", "GET", "/RepeatingInvoices", params=where)
    posted = {**template, "Reference": "[Month] hosting"}
    r.call("template by POST", "POST", "/RepeatingInvoices", {"RepeatingInvoices": [posted]})
    if kept:
        r.call("template", "GET", f"/RepeatingInvoices/{kept}")
    if to_delete:
        gone = {"RepeatingInvoices": [{"RepeatingInvoiceID": to_delete, "Status": "DELETED"}]}
        r.call("delete template", "POST", f"/RepeatingInvoices/{to_delete}", gone)


def _invoice(r: Replay, kind: str, contact: dict[str, str], code: str) -> tuple[Any, Any]:
    body = {
        "Type": kind,
        "Contact": contact,
        "Date": r.day(),
        "DueDate": r.day(14),
        "Status": "AUTHORISED" if kind == "ACCPAY" else "DRAFT",
        "LineItems": [{**doc_lines(("Couriered parts", "1", "64.00", code))[0]}],
    }
    made = r.call(f"{kind} for billable expense", "PUT", "/Invoices", {"Invoices": [body]})
    invoice = first(made, "Invoices", "InvoiceID")
    lines = first(made, "Invoices", "LineItems") or [{}]
    return invoice, lines[0].get("LineItemID")


def linked_transactions(r: Replay, customer: str | None, supplier: str | None) -> None:
    bill, bill_line = _invoice(r, "ACCPAY", _who(supplier, "SUPP-001"), "453")
    sale, sale_line = _invoice(r, "ACCREC", _who(customer, "CUST-001"), "200")
    if not (bill and bill_line):
        return
    link = {"SourceTransactionID": bill, "SourceLineItemID": bill_line}
    made = r.call("create billable expense", "PUT", "/LinkedTransactions", link)
    link_id = first(made, "LinkedTransactions", "LinkedTransactionID")
    wrong = {"SourceTransactionID": bill, "SourceLineItemID": sale_line or bill}
    r.call("billable expense, wrong line", "PUT", "/LinkedTransactions", wrong, expect=400)
    r.call("billable expenses", "GET", "/LinkedTransactions")
    r.call("billable expenses page", "GET", "/LinkedTransactions", params={"page": 1})
    r.call("expenses of a bill", "GET", "/LinkedTransactions", params={"SourceTransactionID": bill})
    if not link_id:
        return
    r.call("billable expense", "GET", f"/LinkedTransactions/{link_id}")
    if customer and sale and sale_line:
        assign = {"LinkedTransactions": [{"ContactID": customer}]}
        r.call("assign billable expense", "POST", f"/LinkedTransactions/{link_id}", assign)
        by_customer = {"ContactID": customer, "Status": "APPROVED"}
        r.call("customer's expenses", "GET", "/LinkedTransactions", params=by_customer)
        target = {"TargetTransactionID": sale, "TargetLineItemID": sale_line}
        bill_it = {"LinkedTransactions": [target]}
        r.call("bill the expense", "POST", f"/LinkedTransactions/{link_id}", bill_it)
        r.call(
            "expenses on a sale", "GET", "/LinkedTransactions", params={"TargetTransactionID": sale}
        )
    r.call("delete billable expense", "DELETE", f"/LinkedTransactions/{link_id}", expect=204)


def replay_quotes(r: Replay, customer: str | None, supplier: str | None) -> None:
    quotes(r, customer)
    repeating_invoices(r, customer)
    linked_transactions(r, customer, supplier)
