"""Allocating a credit (credit note, overpayment, prepayment) to invoices, and taking it back.

One routine serves the three kinds of credit; each names its own label, lists and lookups in an
``Allocatable`` (the credit note's lives in ``creditnotes``).

``PUT /Overpayments/{id}/Allocations`` and ``PUT /Prepayments/{id}/Allocations`` take
``{"Allocations": [{"Invoice": {"InvoiceID": ...}, "Amount": ..., "Date": ...}]}`` (Amount,
Invoice and Date required, OpenAPI ``Allocation``), the same pattern as credit notes
(xero-facts 5.3). A receive credit goes to a sales invoice (ACCREC) and a spend credit to a bill
(ACCPAY) of the same contact and currency, for no more than the credit left nor the invoice's
AmountDue. The invoice lists the credit under Prepayments or Overpayments and its AmountDue,
AmountCredited and status follow; the credit's RemainingCredit falls and it is PAID when used.

Xero's wording is known for credit notes only ("Credit Note cannot be allocated as amount is
greater than amount outstanding", "The invoice you are trying to allocate to has already been
paid off"); the same sentences with the credit's name are used here: UNCONFIRMED.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, wire
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext
from xero_sandbox.resources import credits, money, rules
from xero_sandbox.resources.bank_rules import is_receive
from xero_sandbox.resources.credits import OVERPAYMENT, PREPAYMENT, CreditKind
from xero_sandbox.resources.doc_kinds import INVOICE, find_document
from xero_sandbox.resources.doc_lines import pick
from xero_sandbox.resources.doc_money import document_ref, touch
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Org, Record, new_id


@dataclass(frozen=True)
class Allocatable:
    """A kind of credit as allocating sees it: a credit note, an overpayment or a prepayment."""

    label: str  # in messages; without its space, the credit's key in an Allocation
    plural: str  # "credit notes", in messages
    invoice_key: str  # the invoice's list of the credits applied to it
    id_field: str
    find: Callable[[Org, str], Record | None]
    invoice_type: Callable[[Record], str]  # the Type of invoice the credit may go to
    applied: Callable[[Record], Record]  # how the credit names itself in the invoice's list
    refresh: Callable[[ApiContext, Record], None]  # new balance and stamp after money moved
    ref: Callable[[Record], Record]  # how the credit shows inside an Allocation


def _of_credit_kind(kind: CreditKind) -> Allocatable:
    return Allocatable(
        label=kind.label,
        plural=kind.key.lower(),
        invoice_key=kind.key,
        id_field=kind.id_field,
        find=lambda org, ref: credits.find(org, kind, ref),
        invoice_type=lambda credit: "ACCREC" if is_receive(credit["Type"]) else "ACCPAY",
        applied=lambda credit: {kind.id_field: credit[kind.id_field]},
        refresh=credits.refresh,
        ref=lambda credit: credits.ref(kind, credit),
    )


ALLOCATABLE_OVERPAYMENT = _of_credit_kind(OVERPAYMENT)
ALLOCATABLE_PREPAYMENT = _of_credit_kind(PREPAYMENT)


def too_much(kind: Allocatable) -> str:
    return f"{kind.label} cannot be allocated as amount is greater than amount outstanding"


def _credit(ctx: ApiContext, kind: Allocatable) -> Record:
    record = kind.find(ctx.org, ctx.params[kind.id_field])
    if record is None:
        raise errors.NotFound()
    return record


def _invoice(ctx: ApiContext, element: dict[str, Any]) -> tuple[Record | None, list[str]]:
    ref = pick(element, "Invoice")
    key = (pick(ref, "InvoiceID") or pick(ref, "InvoiceNumber")) if isinstance(ref, dict) else None
    if not key:
        return None, ["An Invoice with an InvoiceID or InvoiceNumber is required."]
    invoice = find_document(ctx.org, INVOICE, str(key))
    if invoice is None:
        return None, [f"The invoice '{key}' could not be found."]
    return invoice, []


def _problems(kind: Allocatable, credit: Record, invoice: Record, amount: Decimal) -> list[str]:
    problems: list[str] = []
    if invoice["Type"] != kind.invoice_type(credit):
        problems.append(f"{kind.label} cannot be allocated to an incorrect invoice type")
    if invoice["Status"] == "PAID":
        problems.append("The invoice you are trying to allocate to has already been paid off")
    elif invoice["Status"] != "AUTHORISED":
        article = "An" if kind.label[0] in "AEIOU" else "A"
        problems.append(
            f"{article} {kind.label.lower()} can only be allocated to an AUTHORISED invoice."
        )
    if invoice["Contact"].get("ContactID") != credit["Contact"].get("ContactID"):
        problems.append(f"The {kind.label.lower()} and the invoice must be for the same contact.")
    if invoice["CurrencyCode"] != credit["CurrencyCode"]:
        problems.append(f"The {kind.label.lower()} and the invoice must be in the same currency.")
    if amount <= 0:
        problems.append("The allocation Amount must be greater than zero.")
    elif amount > credit["RemainingCredit"] or (
        invoice["Status"] == "AUTHORISED" and amount > invoice["AmountDue"]
    ):
        problems.append(too_much(kind))
    return problems


def allocate(ctx: ApiContext, kind: Allocatable, credit: Record, element: dict[str, Any]) -> Record:
    if credit["Status"] != "AUTHORISED":
        if credit["Status"] == "PAID":
            raise errors.element_error(too_much(kind))
        raise errors.element_error(f"Only AUTHORISED {kind.plural} can be allocated.")
    invoice, problems = _invoice(ctx, element)
    raw_amount = pick(element, "Amount")
    amount = None
    if raw_amount is None:
        problems.append("The allocation Amount is required.")
    else:
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
        problems.extend(_problems(kind, credit, invoice, amount))
    if problems or invoice is None or amount is None or when is None:
        raise errors.ElementErrors(problems)
    allocation_id = new_id()
    credit.setdefault("Allocations", []).append(
        {
            "AllocationID": allocation_id,
            "Amount": amount,
            "Date": when,
            "Invoice": document_ref(INVOICE, invoice),
        }
    )
    applied = kind.applied(credit)
    applied.update(AppliedAmount=amount, Date=when, Total=credit["Total"])
    applied["_allocation"] = allocation_id
    invoice.setdefault(kind.invoice_key, []).append(applied)
    touch(ctx, INVOICE, invoice)
    kind.refresh(ctx, credit)
    return {
        "AllocationID": allocation_id,
        "Amount": amount,
        "Date": when,
        "Invoice": document_ref(INVOICE, invoice),
        kind.label.replace(" ", ""): kind.ref(credit),
    }


def put(ctx: ApiContext, kind: Allocatable) -> Response:
    """Allocate an AUTHORISED credit to invoices of the matching type and contact."""
    credit = _credit(ctx, kind)
    body = ctx.body()
    if isinstance(body, list):
        ctx._body = {"Allocations": body}
    return run_batch(ctx, "Allocations", "Allocation", lambda e: allocate(ctx, kind, credit, e))


def delete(ctx: ApiContext, kind: Allocatable) -> Response:
    """Take an allocation back: the invoice owes again and the credit is free again."""
    credit = _credit(ctx, kind)
    wanted = ctx.params["AllocationID"].strip().lower()
    allocations = credit.get("Allocations", [])
    allocation = next((a for a in allocations if a["AllocationID"].lower() == wanted), None)
    if allocation is None:
        raise errors.NotFound()
    locked = rules.lock_date_errors(ctx.org, allocation["Date"])
    if locked:
        raise errors.validation_exception([{"ValidationErrors": [{"Message": locked[0]}]}])
    allocations.remove(allocation)
    invoice = ctx.org.invoices.get(allocation["Invoice"]["InvoiceID"])
    if invoice is not None:
        invoice[kind.invoice_key] = [
            c
            for c in invoice.get(kind.invoice_key, [])
            if c.get("_allocation") != allocation["AllocationID"]
        ]
        touch(ctx, INVOICE, invoice)
    kind.refresh(ctx, credit)
    shown = dict(allocation)
    shown["IsDeleted"] = True
    shown[kind.label.replace(" ", "")] = kind.ref(credit)
    # The spec answers this call with the bare Allocation, not the usual envelope.
    return Response(wire.encode(shown), 200, media_type="application/json")


def put_overpayment_allocations(ctx: ApiContext) -> Response:
    return put(ctx, ALLOCATABLE_OVERPAYMENT)


def put_prepayment_allocations(ctx: ApiContext) -> Response:
    return put(ctx, ALLOCATABLE_PREPAYMENT)


def delete_overpayment_allocation(ctx: ApiContext) -> Response:
    return delete(ctx, ALLOCATABLE_OVERPAYMENT)


def delete_prepayment_allocation(ctx: ApiContext) -> Response:
    return delete(ctx, ALLOCATABLE_PREPAYMENT)


ROUTES: list[ApiRoute] = [
    ApiRoute(
        "DELETE",
        "/Overpayments/{OverpaymentID}/Allocations/{AllocationID}",
        delete_overpayment_allocation,
    ),
    ApiRoute("PUT", "/Overpayments/{OverpaymentID}/Allocations", put_overpayment_allocations),
    ApiRoute(
        "DELETE",
        "/Prepayments/{PrepaymentID}/Allocations/{AllocationID}",
        delete_prepayment_allocation,
    ),
    ApiRoute("PUT", "/Prepayments/{PrepaymentID}/Allocations", put_prepayment_allocations),
]
