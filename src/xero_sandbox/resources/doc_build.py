"""Creating and updating invoices and credit notes: one rule set for both, as Xero shares it.

``prepare`` checks a whole element and works out the new record without touching state;
``commit`` then stores it. A batch element that fails leaves nothing behind (no half-made
contact, no stock moved, no number used).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xero_sandbox import errors, wire
from xero_sandbox.context import ApiContext
from xero_sandbox.resources import doc_common, money, rules
from xero_sandbox.resources.brandingthemes import document_theme
from xero_sandbox.resources.doc_common import day, text
from xero_sandbox.resources.doc_kinds import DocKind, amount_due_fields, due_from_terms, records
from xero_sandbox.resources.doc_lines import build_lines, has, pick
from xero_sandbox.resources.inventory import apply_stock, stock_errors
from xero_sandbox.state import Record, new_id

TRANSITIONS = {
    "DRAFT": ("DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"),
    "SUBMITTED": ("SUBMITTED", "DRAFT", "AUTHORISED", "DELETED"),
    "AUTHORISED": ("AUTHORISED", "VOIDED"),
    "PAID": ("PAID",),
}
CREATE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
POSTED = ("AUTHORISED", "PAID", "VOIDED")
# What Xero still lets a caller send to a document that has money applied to it.
_KEPT_WHEN_APPLIED = {
    "invoiceid",
    "creditnoteid",
    "invoicenumber",
    "creditnotenumber",
    "type",
    "status",
    "duedate",
    "senttocontact",
    "expectedpaymentdate",
    "plannedpaymentdate",
}
_APPLIED = "This document cannot be edited as it has a payment or credit note allocated to it."


@dataclass
class Plan:
    kind: DocKind
    record: Record
    existing: Record | None
    new_contact: str | None = None
    old_lines: list[Record] = field(default_factory=list)


def has_money_applied(record: Record) -> bool:
    return bool(
        record.get("Payments")
        or record.get("CreditNotes")
        or record.get("Prepayments")
        or record.get("Overpayments")
        or record.get("Allocations")
        or record.get("AmountPaid")
        or record.get("AmountCredited")
    )


def _status_problems(
    kind: DocKind, element: dict[str, Any], old: Record | None, status: str
) -> list[str]:
    if old is None:
        if status not in CREATE_STATUSES:
            return [f"{kind.label} not of valid status for creation"]
        return []
    if status not in TRANSITIONS.get(old["Status"], ()):
        return [f"{kind.label} not of valid status for modification"]
    if has_money_applied(old):
        changed = [k for k in element if str(k).lower() not in _KEPT_WHEN_APPLIED]
        if changed or status != old["Status"]:
            return [_APPLIED]
    return []


def _known_numbers(ctx: ApiContext, kind: DocKind) -> set[str]:
    """Every number used so far (lower case), kept between calls so big batches stay linear.

    Rebuilt whenever the collection's size differs from the one it was built for, so records
    put in place by other means are never missed.
    """
    collection = records(ctx.org, kind)
    key = f"doc-numbers:{ctx.org.tenant_id}:{kind.key}"
    cached = ctx.state.extensions.get(key)
    if cached is None or cached[0] != len(collection):
        numbers = {str(r.get(kind.number_field) or "").lower() for r in collection.values()}
        cached = (len(collection), numbers)
        ctx.state.extensions[key] = cached
    numbers_set: set[str] = cached[1]
    return numbers_set


def _number_problems(
    ctx: ApiContext, kind: DocKind, doc_type: str, number: str, own_id: str | None
) -> list[str]:
    if len(number) > 255:
        return [f"{kind.number_field} must be no more than 255 characters long."]
    wanted = number.lower()
    if doc_type != kind.numbered_type or wanted not in _known_numbers(ctx, kind):
        return []
    for other in records(ctx.org, kind).values():
        if (
            other[kind.id_field] != own_id
            and other["Type"] == doc_type
            and other["Status"] != "DELETED"
            and str(other.get(kind.number_field, "")).lower() == wanted
        ):
            return [f"{kind.label} # must be unique."]
    return []


def prepare(
    ctx: ApiContext, kind: DocKind, element: dict[str, Any], existing: Record | None
) -> Plan:
    """Check one element and work out the record it makes; ElementErrors lists every problem."""
    org = ctx.org
    old: Record = existing or {}
    problems: list[str] = []
    doc_type = (text(element, "Type") or old.get("Type") or "").upper()
    if doc_type not in kind.types:
        shown = " or ".join(kind.types)
        given = text(element, "Type")
        problems.append(
            f"{kind.label} Type must be {shown}."
            if given
            else f"{kind.label} Type must be specified."
        )
        raise errors.ElementErrors(problems)
    if existing is not None and doc_type != existing["Type"]:
        raise errors.element_error(f"The {kind.label} Type cannot be changed.")
    status = (text(element, "Status") or old.get("Status") or "DRAFT").upper()
    status_problems = _status_problems(kind, element, existing, status)
    if status_problems:
        raise errors.ElementErrors(status_problems)
    record: Record = {k: v for k, v in old.items()}
    record.update({"Type": doc_type, "Status": status})
    record.setdefault(kind.id_field, new_id())
    plan = Plan(kind, record, existing, old_lines=list(old.get("LineItems", [])))

    contact, plan.new_contact, contact_problems = doc_common.contact_ref(
        ctx, element, record, existing
    )
    problems.extend(contact_problems)

    record["Date"] = day(element, "Date") or old.get("Date") or ctx.state.clock.today()
    if has(element, "DueDate"):
        record["DueDate"] = day(element, "DueDate")
    matched = doc_common.amount_types(text(element, "LineAmountTypes"), old.get("LineAmountTypes"))
    record["LineAmountTypes"] = matched
    problems.extend(doc_common.currency(ctx, element, record))

    raw_lines = pick(element, "LineItems")
    if raw_lines is None:
        raw_lines = [{"LineItemID": line["LineItemID"]} for line in plan.old_lines]
    lines, figures, line_problems = build_lines(
        org,
        doc_type,
        raw_lines,
        plan.old_lines,
        amount_types=matched,
        need_account=status != "DRAFT",
        unitdp=ctx.unitdp,
    )
    problems.extend(line_problems)
    record["LineItems"] = lines
    totals = money.document_totals(figures, matched)
    record.update(
        {
            "SubTotal": totals.sub_total,
            "TotalTax": totals.total_tax,
            "Total": totals.total,
            "TotalDiscount": totals.total_discount if kind.discounts else None,
            "IsDiscounted": bool(totals.total_discount) if kind.discounts else None,
        }
    )
    if totals.total < 0:
        problems.append(f"{kind.label} total cannot be negative.")
    if status in ("SUBMITTED", "AUTHORISED") and not lines:
        problems.append(
            f"{kind.label} must have at least one line item to be submitted or approved."
        )

    number = text(element, kind.number_field)
    if number:
        problems.extend(_number_problems(ctx, kind, doc_type, number, record[kind.id_field]))
        record[kind.number_field] = number
    elif existing is None:
        record[kind.number_field] = "" if doc_type != kind.numbered_type else None

    reference = text(element, "Reference")
    if reference is not None and (kind.reference_types is None or doc_type in kind.reference_types):
        record["Reference"] = reference
    problems.extend(doc_common.url(element, record))
    problems.extend(document_theme(org, element, record, doc_type in kind.sales_types))
    if has(element, "SentToContact"):
        sent = pick(element, "SentToContact")
        record["SentToContact"] = False if sent is None else wire.parse_bool(sent, "SentToContact")
        if record["SentToContact"] and status not in ("AUTHORISED", "PAID"):
            problems.append(f"Only AUTHORISED {kind.plural} may have SentToContact updated.")

    if status in POSTED or old.get("Status") in POSTED:
        problems.extend(rules.lock_date_errors(org, record["Date"]))
        if existing is not None and record["Date"] != existing["Date"]:
            for message in rules.lock_date_errors(org, existing["Date"]):
                if message not in problems:
                    problems.append(message)
    if kind.needs_due_date and status == "AUTHORISED" and record.get("DueDate") is None:
        due = due_from_terms(contact, doc_type, record["Date"])
        if due is None:
            problems.append("Due Date is required to approve an invoice.")
        record["DueDate"] = due
    becoming = status == "AUTHORISED" and old.get("Status") != "AUTHORISED"
    if becoming or (status == "AUTHORISED" and pick(element, "LineItems") is not None):
        allow = ctx.query.flag("allowBackorders")
        problems.extend(stock_errors(org, doc_type, lines, allow))
    if problems:
        raise errors.ElementErrors(problems)
    return plan


def _move_stock(ctx: ApiContext, plan: Plan) -> None:
    """Approval moves tracked stock; voiding or re-pricing an approved document reverses it."""
    doc_type = plan.record["Type"]
    inclusive = plan.record["LineAmountTypes"] == "Inclusive"
    was = plan.existing["Status"] if plan.existing else None
    now = plan.record["Status"]
    if was == "AUTHORISED" and now in ("AUTHORISED", "VOIDED"):
        apply_stock(ctx.org, doc_type, plan.old_lines, -1, tax_inclusive=inclusive)
    if now == "AUTHORISED":
        apply_stock(ctx.org, doc_type, plan.record["LineItems"], 1, tax_inclusive=inclusive)


def _auto_number(ctx: ApiContext, kind: DocKind) -> str:
    used = _known_numbers(ctx, kind)
    while True:
        number = ctx.org.next_number(kind.prefix)
        if number.lower() not in used:
            return number


def commit(ctx: ApiContext, plan: Plan) -> Record:
    """Store a prepared document, with the contact, number, stock and event it brings."""
    kind, record = plan.kind, plan.record
    doc_common.make_contact_ref(ctx, record, plan.new_contact)
    contact = ctx.org.contacts.get(record["Contact"]["ContactID"])
    if contact is not None:
        contact["IsCustomer" if record["Type"] in kind.sales_types else "IsSupplier"] = True
    if record.get(kind.number_field) is None:
        record[kind.number_field] = _auto_number(ctx, kind)
    _move_stock(ctx, plan)
    record.setdefault("_app", ctx.client_id)
    amount_due_fields(kind, record)
    ctx.state.stamp(record)
    numbers = _known_numbers(ctx, kind)
    records(ctx.org, kind)[record[kind.id_field]] = record
    numbers.add(str(record.get(kind.number_field) or "").lower())
    ctx.state.extensions[f"doc-numbers:{ctx.org.tenant_id}:{kind.key}"] = (
        len(records(ctx.org, kind)),
        numbers,
    )
    data = {"Type": record["Type"], "Status": record["Status"]} if kind.event_data else None
    event = "UPDATE" if plan.existing is not None else "CREATE"
    ctx.state.emit(ctx.org, kind.category, event, record[kind.id_field], kind.key, data)
    return record
