"""Billable expenses (linked transactions): what a link may name, and the status it has.

A linked transaction marks one line of a bill (an ACCPAY invoice; SPEND bank transactions are
not served by this sandbox yet) as billable to a customer, and later ties it to a line of that
customer's sales invoice. Its Status is not set by the caller: Xero derives it from the two
documents, and the sandbox derives it on every read:

    VOIDED   the source bill is voided or deleted
    BILLED   the target sales invoice is approved (AUTHORISED or PAID)
    ONDRAFT  the target sales invoice is a draft (DRAFT or SUBMITTED)
    DRAFT    no customer yet, or the source bill is a draft (the spec's examples show a link
             made without ContactID as DRAFT)
    APPROVED a customer and an approved source bill, not yet on a sales invoice

Messages quoted from the spec's examples: "The SourceLineItemID and SourceTransactionID do not
match", "The ContactID and the TargetTransaction ContactID do not match". UNCONFIRMED: the others
(Xero's wording was not found; they follow its style), the rule that one bill line carries at most
one link, and the refusal to change or delete a BILLED link.
"""

from __future__ import annotations

from typing import Any

from xero_sandbox import errors, query
from xero_sandbox.context import ApiContext
from xero_sandbox.resources.doc_common import text
from xero_sandbox.resources.doc_lines import has
from xero_sandbox.state import Record

LINE_MISMATCH = "The SourceLineItemID and SourceTransactionID do not match"
CONTACT_MISMATCH = "The ContactID and the TargetTransaction ContactID do not match"
TARGET_LINE_MISMATCH = "The TargetLineItemID and TargetTransactionID do not match"
SOURCE_NEEDED = "SourceTransactionID is required"
SOURCE_LINE_NEEDED = "SourceLineItemID is required"
SOURCE_NOT_FOUND = "The SourceTransactionID could not be found"
SOURCE_TYPE = "The source transaction must be an ACCPAY invoice"
TARGET_NOT_FOUND = "The TargetTransactionID could not be found"
TARGET_TYPE = "The target transaction must be an ACCREC invoice"
TARGET_CLOSED = "The target transaction cannot be voided or deleted"
TARGET_PAIR = "TargetTransactionID and TargetLineItemID must be specified together"
CONTACT_NOT_FOUND = "The ContactID could not be found"
LINE_TAKEN = "The source line item is already linked to another billable expense"
SOURCE_FIXED = "The source of a linked transaction cannot be changed"
BILLED_FIXED = "A linked transaction that has been billed cannot be changed"
BILLED_DELETE = "A linked transaction that has been billed cannot be deleted"
VOIDED_FIXED = "A voided linked transaction cannot be changed"

_CLOSED = ("VOIDED", "DELETED")


def _invoice(ctx: ApiContext, ref: str | None) -> Record | None:
    if not ref:
        return None
    return ctx.org.invoices.get(ref.lower()) or next(
        (i for i in ctx.org.invoices.values() if i["InvoiceID"].lower() == ref.lower()), None
    )


def _has_line(document: Record, line_id: str | None) -> bool:
    wanted = (line_id or "").lower()
    return any(line["LineItemID"].lower() == wanted for line in document.get("LineItems") or [])


def status(ctx: ApiContext, link: Record) -> str:
    source = _invoice(ctx, link.get("SourceTransactionID"))
    if source is None or source["Status"] in _CLOSED:
        return "VOIDED"
    target = _invoice(ctx, link.get("TargetTransactionID"))
    if target is not None and target["Status"] not in _CLOSED:
        return "BILLED" if target["Status"] in ("AUTHORISED", "PAID") else "ONDRAFT"
    if not link.get("ContactID") or source["Status"] in ("DRAFT", "SUBMITTED"):
        return "DRAFT"
    return "APPROVED"


def _guid(element: dict[str, Any], name: str) -> str | None:
    value = text(element, name)
    if not value:
        return None
    return query.canonical_guid(value) or value.lower()


def _source(ctx: ApiContext, element: dict[str, Any], record: Record) -> list[str]:
    source_id = _guid(element, "SourceTransactionID")
    line_id = _guid(element, "SourceLineItemID")
    if source_id is None:
        return [SOURCE_NEEDED]
    if line_id is None:
        return [SOURCE_LINE_NEEDED]
    source = _invoice(ctx, source_id)
    if source is None:
        return [SOURCE_NOT_FOUND]
    if source["Type"] != "ACCPAY":
        return [SOURCE_TYPE]
    if not _has_line(source, line_id):
        return [LINE_MISMATCH]
    for other in ctx.org.linked_transactions.values():
        if (
            other is not record
            and other["SourceLineItemID"] == line_id
            and status(ctx, other) != "VOIDED"
        ):
            return [LINE_TAKEN]
    record["SourceTransactionID"] = source["InvoiceID"]
    record["SourceLineItemID"] = line_id
    return []


def _target(ctx: ApiContext, element: dict[str, Any], record: Record) -> list[str]:
    target_id = _guid(element, "TargetTransactionID")
    line_id = _guid(element, "TargetLineItemID")
    if target_id is None and line_id is None:
        return []
    if target_id is None or line_id is None:
        return [TARGET_PAIR]
    target = _invoice(ctx, target_id)
    if target is None:
        return [TARGET_NOT_FOUND]
    if target["Type"] != "ACCREC":
        return [TARGET_TYPE]
    if target["Status"] in _CLOSED:
        return [TARGET_CLOSED]
    if not _has_line(target, line_id):
        return [TARGET_LINE_MISMATCH]
    customer = str(target["Contact"].get("ContactID") or "").lower()
    if record.get("ContactID") and record["ContactID"].lower() != customer:
        return [CONTACT_MISMATCH]
    record["ContactID"] = target["Contact"]["ContactID"]
    record["TargetTransactionID"] = target["InvoiceID"]
    record["TargetLineItemID"] = line_id
    return []


def prepare(ctx: ApiContext, element: dict[str, Any], existing: Record | None) -> Record:
    """The link this element makes or changes; ElementErrors says why not."""
    record: Record = dict(existing or {"Type": "BILLABLEEXPENSE"})
    if existing is not None:
        current = status(ctx, existing)
        if current == "VOIDED":
            raise errors.element_error(VOIDED_FIXED)
        if current == "BILLED":
            raise errors.element_error(BILLED_FIXED)
        for name in ("SourceTransactionID", "SourceLineItemID"):
            given = _guid(element, name)
            if given is not None and given != existing[name].lower():
                raise errors.element_error(SOURCE_FIXED)
    else:
        problems = _source(ctx, element, record)
        if problems:
            raise errors.ElementErrors(problems)
    if has(element, "ContactID"):
        contact_id = _guid(element, "ContactID")
        contact = ctx.org.contacts.get(contact_id) if contact_id else None
        if contact_id is not None and contact is None:
            raise errors.element_error(CONTACT_NOT_FOUND)
        kept_target = record.get("TargetTransactionID") and not has(element, "TargetTransactionID")
        if kept_target and contact_id != str(record.get("ContactID") or "").lower():
            raise errors.element_error(CONTACT_MISMATCH)
        record["ContactID"] = contact["ContactID"] if contact is not None else None
    problems = _target(ctx, element, record)
    if problems:
        raise errors.ElementErrors(problems)
    record["SourceTransactionTypeCode"] = "ACCPAY"
    return record
