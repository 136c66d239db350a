"""GET /Reports/AgedReceivablesByContact and /Reports/AgedPayablesByContact: what one contact
owes (or is owed) invoice by invoice at a date, from its invoices, credit notes, payments and
allocations.

Parameters: ``contactId`` (required), ``date`` (the end of the current month when absent, as
Xero's MCP server documents it; payments and allocations after it are not counted: "Showing
payments to ..."), ``fromDate`` and ``toDate`` (only documents dated in between are listed;
what documents dated before ``fromDate`` still owe is the Opening Balance).

The layout is Xero's example: a header (Date, Number or Reference, Due Date, how overdue,
Total, Paid, Credited, Due), a section with the Opening Balance row dated ``fromDate``, a
section of the documents with a Total row, and a section with the Closing Balance (opening
plus total). Every cell of a document's row carries its ``invoiceID``. A document shows while
something is due on it at the report date.
# UNCONFIRMED: credit notes with credit left show as negative rows (their CreditNoteNumber,
# no due date, carrying the credit note's id as invoiceID); overpayments and prepayments are
# not listed; amounts are in the document's currency; ``fromDate`` defaults to the contact's
# earliest document (Xero's example opens on a date before every row).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from xero_sandbox import errors
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.journals import settle
from xero_sandbox.ledger import ZERO
from xero_sandbox.resources.ref_contact_lookup import contact_by_id
from xero_sandbox.resources.report_common import (
    cell,
    date_param,
    header,
    iso_midnight,
    long_date,
    money,
    month_end,
    report,
    section,
    summary,
)
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record

POSTED = ("AUTHORISED", "PAID")
# Report type -> (name, invoice type, credit note type, the second column's header).
KINDS = {
    "AgedReceivablesByContact": ("Aged Receivables By Contact", "ACCREC", "ACCRECCREDIT", "Number"),
    "AgedPayablesByContact": ("Aged Payables By Contact", "ACCPAY", "ACCPAYCREDIT", "Reference"),
}


def _up_to(entries: list[Record], as_at: date, field: str) -> Decimal:
    return sum((Decimal(e[field]) for e in entries if e["Date"] <= as_at), ZERO)


def invoice_line(invoice: Record, as_at: date) -> tuple[list[Decimal], str]:
    """[Total, Paid, Credited, Due] at ``as_at``, and how overdue it is then."""
    paid = _up_to(invoice.get("Payments", []), as_at, "Amount")
    applied = [
        entry
        for name in ("CreditNotes", "Prepayments", "Overpayments")
        for entry in invoice.get(name, [])
    ]
    credited = _up_to(applied, as_at, "AppliedAmount")
    total = Decimal(invoice["Total"])
    due_date = invoice.get("DueDate")
    late = (as_at - due_date).days if isinstance(due_date, date) else 0
    return [total, paid, credited, total - paid - credited], (
        f"{late} days overdue" if late > 0 else ""
    )


def credit_line(note: Record, as_at: date) -> list[Decimal]:
    """A credit note's [Total, Paid, Credited, Due], negative: it lowers what is owed."""
    refunded = _up_to(note.get("Payments", []), as_at, "Amount")
    allocated = _up_to(note.get("Allocations", []), as_at, "Amount")
    total = Decimal(note["Total"])
    return [-total, -refunded, -allocated, -(total - refunded - allocated)]


def _documents(ctx: ApiContext, contact_id: str, kind: str) -> list[tuple[Record, bool]]:
    """The contact's posted invoices and credit notes of the report's side (True: a credit)."""
    _, invoice_type, credit_type, _ = KINDS[kind]

    def mine(doc: Record, doc_type: str) -> bool:
        contact = doc.get("Contact") or {}
        return (
            doc.get("Type") == doc_type
            and doc.get("Status") in POSTED
            and str(contact.get("ContactID", "")).lower() == contact_id.lower()
        )

    found = [(i, False) for i in ctx.org.invoices.values() if mine(i, invoice_type)]
    found += [(n, True) for n in ctx.org.credit_notes.values() if mine(n, credit_type)]
    found.sort(key=lambda pair: (pair[0]["Date"], str(pair[0].get("UpdatedDateUTC", ""))))
    return found


def _document_row(doc: Record, credit: bool, as_at: date) -> tuple[dict[str, Any], list[Decimal]]:
    if credit:
        values, late = credit_line(doc, as_at), ""
        doc_id, number, due = doc["CreditNoteID"], doc.get("CreditNoteNumber") or "", ""
    else:
        values, late = invoice_line(doc, as_at)
        doc_id, number = doc["InvoiceID"], doc.get("InvoiceNumber") or ""
        due = iso_midnight(doc["DueDate"]) if isinstance(doc.get("DueDate"), date) else ""
    mark = [{"Value": doc_id, "Id": "invoiceID"}]
    texts = [iso_midnight(doc["Date"]), str(number), due, late, *(money(v) for v in values)]
    return {"RowType": "Row", "Cells": [cell(t, list(mark)) for t in texts]}, values


def aged_report(ctx: ApiContext, kind: str) -> Response:
    name, _, _, second = KINDS[kind]
    raw_id = ctx.query.get("contactId")
    if not raw_id:
        # UNCONFIRMED: Xero's message when the required contactId is missing.
        raise errors.ApiException("A valid contactId must be supplied.", number=10)
    contact = contact_by_id(ctx.org, raw_id)
    if contact is None:
        # UNCONFIRMED: that Xero answers an unknown contact with its 404.
        raise errors.NotFound()
    settle(ctx.state, ctx.org)
    as_at = date_param(ctx, "date", month_end(ctx.state.clock.today()))
    documents = [
        (doc, credit)
        for doc, credit in _documents(ctx, contact["ContactID"], kind)
        if doc["Date"] <= as_at
    ]
    earliest = documents[0][0]["Date"] if documents else as_at
    first = date_param(ctx, "fromDate", earliest)
    last = date_param(ctx, "toDate", as_at)
    opening = ZERO
    rows: list[dict[str, Any]] = []
    totals = [ZERO] * 4
    for doc, credit in documents:
        if doc["Date"] > last:
            continue
        shown, values = _document_row(doc, credit, as_at)
        if values[3] == ZERO:
            continue
        if doc["Date"] < first:
            opening += values[3]
            continue
        rows.append(shown)
        totals = [t + v for t, v in zip(totals, values, strict=True)]
    blank = ["", "", "", "", ""]
    closing = [totals[0], totals[1], totals[2], opening + totals[3]]
    report_rows = [
        header("Date", second, "Due Date", "", "Total", "Paid", "Credited", "Due"),
        section(
            "",
            [
                {
                    "RowType": "Row",
                    "Cells": [
                        cell(iso_midnight(first)),
                        cell("Opening Balance"),
                        *(cell(v) for v in blank),
                        cell(money(opening)),
                    ],
                }
            ],
        ),
        section("", [*rows, _summary_row("Total", totals)]),
        section("", [_summary_row("Closing Balance", closing)]),
    ]
    titles = [
        "Invoices",
        str(contact.get("Name", "")),
        f"From {long_date(first)} to {long_date(last)}",
        f"Showing payments to {long_date(as_at)}",
    ]
    shown_report = report(ctx, kind, name, titles, report_rows, as_at)
    return envelope(ctx, "Reports", [shown_report])


def _summary_row(label: str, values: list[Decimal]) -> dict[str, Any]:
    """Xero's total rows here leave the three text columns empty before the amounts."""
    built = summary(label, values)
    built["Cells"][1:1] = [{"Value": ""}, {"Value": ""}, {"Value": ""}]
    return built


def get_aged_receivables(ctx: ApiContext) -> Response:
    return aged_report(ctx, "AgedReceivablesByContact")


def get_aged_payables(ctx: ApiContext) -> Response:
    return aged_report(ctx, "AgedPayablesByContact")


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/Reports/AgedReceivablesByContact", get_aged_receivables),
    ApiRoute("GET", "/Reports/AgedPayablesByContact", get_aged_payables),
]
