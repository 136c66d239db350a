"""The credit notes endpoints, and allocating a credit note to invoices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, wire
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext
from xero_sandbox.resources import money, rules
from xero_sandbox.resources.doc_http import get_document, list_documents, write_documents
from xero_sandbox.resources.doc_kinds import CREDIT_NOTE, INVOICE, find_document
from xero_sandbox.resources.doc_lines import pick
from xero_sandbox.resources.doc_money import document_ref, touch
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record, new_id

_PAIRS = {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"}
_TOO_MUCH = "Credit Note cannot be allocated as amount is greater than amount outstanding"


def get_credit_notes(ctx: ApiContext) -> Response:
    return list_documents(ctx, CREDIT_NOTE)


def get_credit_note(ctx: ApiContext) -> Response:
    return get_document(ctx, CREDIT_NOTE, ctx.params["CreditNoteID"])


def put_credit_notes(ctx: ApiContext) -> Response:
    return write_documents(ctx, CREDIT_NOTE, create_only=True)


def post_credit_notes(ctx: ApiContext) -> Response:
    return write_documents(ctx, CREDIT_NOTE, create_only=False)


def post_credit_note(ctx: ApiContext) -> Response:
    return write_documents(ctx, CREDIT_NOTE, create_only=False, path_ref=ctx.params["CreditNoteID"])


def _credit_note(ctx: ApiContext) -> Record:
    record = find_document(ctx.org, CREDIT_NOTE, ctx.params["CreditNoteID"])
    if record is None:
        raise errors.NotFound()
    return record


def _invoice(ctx: ApiContext, element: dict[str, Any]) -> tuple[Record | None, list[str]]:
    ref = pick(element, "Invoice")
    if not isinstance(ref, dict):
        return None, ["An Invoice with an InvoiceID or InvoiceNumber is required."]
    key = pick(ref, "InvoiceID") or pick(ref, "InvoiceNumber")
    if not key:
        return None, ["An Invoice with an InvoiceID or InvoiceNumber is required."]
    invoice = find_document(ctx.org, INVOICE, str(key))
    if invoice is None:
        return None, [f"The invoice '{key}' could not be found."]
    return invoice, []


def _allocation_problems(
    ctx: ApiContext, note: Record, invoice: Record, amount: Decimal
) -> list[str]:
    problems: list[str] = []
    if _PAIRS[note["Type"]] != invoice["Type"]:
        problems.append("Credit Note cannot be allocated to an incorrect invoice type")
    if invoice["Status"] == "PAID":
        problems.append("The invoice you are trying to allocate to has already been paid off")
    elif invoice["Status"] != "AUTHORISED":
        problems.append("A credit note can only be allocated to an AUTHORISED invoice.")
    if invoice["Contact"].get("ContactID") != note["Contact"].get("ContactID"):
        problems.append("The credit note and the invoice must be for the same contact.")
    if invoice["CurrencyCode"] != note["CurrencyCode"]:
        problems.append("The credit note and the invoice must be in the same currency.")
    if amount <= 0:
        problems.append("The allocation Amount must be greater than zero.")
    elif amount > note["RemainingCredit"] or (
        invoice["Status"] == "AUTHORISED" and amount > invoice["AmountDue"]
    ):
        problems.append(_TOO_MUCH)
    return problems


def put_allocations(ctx: ApiContext) -> Response:
    """Allocate an AUTHORISED credit note to invoices of the matching type and contact."""
    note = _credit_note(ctx)
    body = ctx.body()
    if isinstance(body, list):
        ctx._body = {"Allocations": body}

    def handle(element: dict[str, Any]) -> Record:
        problems: list[str] = []
        if note["Status"] != "AUTHORISED":
            if note["Status"] == "PAID":
                raise errors.element_error(_TOO_MUCH)
            raise errors.element_error("Only AUTHORISED credit notes can be allocated.")
        invoice, problems = _invoice(ctx, element)
        raw_amount = pick(element, "Amount")
        if raw_amount is None:
            problems.append("The allocation Amount is required.")
        amount = None
        if raw_amount is not None:
            try:
                amount = money.amount(wire.parse_decimal(raw_amount, "Amount"), "Amount")
            except money.MoneyError as exc:
                problems.append(str(exc))
        raw_date = pick(element, "Date")
        when = wire.parse_date(raw_date, "Date") if raw_date not in (None, "") else None
        if when is None:
            problems.append("The allocation Date is required.")
        else:
            problems.extend(rules.lock_date_errors(ctx.org, when))
        if invoice is not None and amount is not None:
            problems.extend(_allocation_problems(ctx, note, invoice, amount))
        if problems or invoice is None or amount is None or when is None:
            raise errors.ElementErrors(problems)
        allocation_id = new_id()
        note.setdefault("Allocations", []).append(
            {
                "AllocationID": allocation_id,
                "Amount": amount,
                "Date": when,
                "Invoice": document_ref(INVOICE, invoice),
            }
        )
        invoice.setdefault("CreditNotes", []).append(
            {
                "CreditNoteID": note["CreditNoteID"],
                "CreditNoteNumber": note.get("CreditNoteNumber"),
                "ID": note["CreditNoteID"],
                "AppliedAmount": amount,
                "Date": when,
                "Total": note["Total"],
                "_allocation": allocation_id,
            }
        )
        touch(ctx, INVOICE, invoice)
        touch(ctx, CREDIT_NOTE, note)
        return {
            "AllocationID": allocation_id,
            "Amount": amount,
            "Date": when,
            "Invoice": document_ref(INVOICE, invoice),
            "CreditNote": document_ref(CREDIT_NOTE, note),
        }

    return run_batch(ctx, "Allocations", "Allocation", handle)


def delete_allocation(ctx: ApiContext) -> Response:
    """Take an allocation back: the invoice owes again and the credit is free again."""
    note = _credit_note(ctx)
    wanted = ctx.params["AllocationID"].lower()
    allocations = note.get("Allocations", [])
    allocation = next((a for a in allocations if a["AllocationID"].lower() == wanted), None)
    if allocation is None:
        raise errors.NotFound()
    problems = rules.lock_date_errors(ctx.org, allocation["Date"])
    if problems:
        raise errors.validation_exception([{"ValidationErrors": [{"Message": problems[0]}]}])
    allocations.remove(allocation)
    invoice = ctx.org.invoices.get(allocation["Invoice"]["InvoiceID"])
    if invoice is not None:
        invoice["CreditNotes"] = [
            c
            for c in invoice.get("CreditNotes", [])
            if c.get("_allocation") != allocation["AllocationID"]
        ]
        touch(ctx, INVOICE, invoice)
    touch(ctx, CREDIT_NOTE, note)
    shown = dict(allocation)
    shown["IsDeleted"] = True
    shown["CreditNote"] = document_ref(CREDIT_NOTE, note)
    # The spec answers this one call with the bare Allocation, not the usual envelope.
    return Response(wire.encode(shown), 200, media_type="application/json")


ROUTES: list[ApiRoute] = [
    ApiRoute("DELETE", "/CreditNotes/{CreditNoteID}/Allocations/{AllocationID}", delete_allocation),
    ApiRoute("PUT", "/CreditNotes/{CreditNoteID}/Allocations", put_allocations),
    ApiRoute("GET", "/CreditNotes/{CreditNoteID}", get_credit_note),
    ApiRoute("POST", "/CreditNotes/{CreditNoteID}", post_credit_note),
    ApiRoute("GET", "/CreditNotes", get_credit_notes),
    ApiRoute("PUT", "/CreditNotes", put_credit_notes),
    ApiRoute("POST", "/CreditNotes", post_credit_notes),
]
