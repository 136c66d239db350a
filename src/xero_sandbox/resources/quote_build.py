"""Creating and updating one quote: Xero's rules, checked before anything changes.

Quotes are sales documents that post nothing: no ledger, no lock date, no stock, no webhooks.
Lines are priced as a sales invoice's (discounts allowed, no account needed). Xero publishes no
table of the status changes it allows; two refusals are reported against a live organisation
(XeroAPI/xero-mcp-server#309: DRAFT -> DECLINED and ACCEPTED -> DECLINED). The sandbox allows

    DRAFT    -> DRAFT, SENT, DELETED
    SENT     -> SENT, DRAFT, ACCEPTED, DECLINED, DELETED
    ACCEPTED -> ACCEPTED, SENT, INVOICED, DELETED
    DECLINED -> DECLINED, SENT, DELETED
    INVOICED -> INVOICED
    DELETED  -> nothing

and creation as DRAFT or SENT. UNCONFIRMED: every arrow other than the two reported refusals
follows the Xero web app's buttons (mark as sent/accepted/declined, undo), not a Xero document.

A Contact given by a Name the organisation does not know is created on commit, as invoices do
(UNCONFIRMED for quotes). Date defaults to today, as the spec says; ContactID, Date and Status
are not demanded on an update (UNCONFIRMED either way).

The same report says an update that leaves out Reference, Terms, Title or Summary clears them,
while leaving out LineItems keeps the lines; the sandbox does the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xero_sandbox import errors
from xero_sandbox.context import ApiContext
from xero_sandbox.resources import doc_common
from xero_sandbox.resources.doc_lines import has, pick
from xero_sandbox.state import Org, Record, new_id

TRANSITIONS = {
    "DRAFT": ("DRAFT", "SENT", "DELETED"),
    "SENT": ("SENT", "DRAFT", "ACCEPTED", "DECLINED", "DELETED"),
    "ACCEPTED": ("ACCEPTED", "SENT", "INVOICED", "DELETED"),
    "DECLINED": ("DECLINED", "SENT", "DELETED"),
    "INVOICED": ("INVOICED",),
    "DELETED": (),
}
STATUSES = tuple(TRANSITIONS)
CREATE_STATUSES = ("DRAFT", "SENT")
# Xero's spelling of LineAmountTypes on quotes (QuoteLineAmountTypes in the spec).
SHOWN_TYPES = {"Exclusive": "EXCLUSIVE", "Inclusive": "INCLUSIVE", "NoTax": "NOTAX"}
_CLEARED_WHEN_LEFT_OUT = ("Reference", "Terms", "Title", "Summary")
# The spec's maxLength for each text field.
_LIMITS = {"Reference": 4000, "Terms": 4000, "Title": 100, "Summary": 3000}
# UNCONFIRMED: Xero's wording for these refusals was not found; they follow its style.
UNIQUE_NUMBER = "Quote # must be unique."
NO_LINES = "A quote must have at least one line item."
EXPIRY_BEFORE_DATE = "The ExpiryDate must be on or after the quote Date."
DELETED_QUOTE = "A deleted quote cannot be modified."


@dataclass
class QuotePlan:
    record: Record
    existing: Record | None
    new_contact: str | None


def find_by_number(org: Org, number: str) -> Record | None:
    wanted = number.strip().lower()
    return next(
        (
            q
            for q in org.quotes.values()
            if q["Status"] != "DELETED" and str(q.get("QuoteNumber", "")).lower() == wanted
        ),
        None,
    )


def _status_problems(existing: Record | None, status: str) -> list[str]:
    if status not in STATUSES:
        return [f"Quote Status '{status}' is not valid."]
    if existing is None:
        if status not in CREATE_STATUSES:
            return [f"A quote cannot be created with a status of {status}."]
        return []
    current = existing["Status"]
    if status not in TRANSITIONS[current]:
        if current == "DELETED":
            return [DELETED_QUOTE]
        return [f"The quote status cannot be changed from {current} to {status}."]
    return []


def prepare(ctx: ApiContext, element: dict[str, Any], existing: Record | None) -> QuotePlan:
    """Check one element and work out the quote it makes; ElementErrors lists every problem."""
    old: Record = existing or {}
    status = (doc_common.text(element, "Status") or old.get("Status") or "DRAFT").upper()
    problems = _status_problems(existing, status)
    if problems:
        raise errors.ElementErrors(problems)
    record: Record = dict(old)
    record["Status"] = status
    new_contact, contact_problems = doc_common.contact(ctx, element, record, existing)
    problems += contact_problems
    number = doc_common.text(element, "QuoteNumber")
    if number:
        other = find_by_number(ctx.org, number)
        if other is not None and other is not existing:
            problems.append(UNIQUE_NUMBER)
        record["QuoteNumber"] = number
    if len(number or "") > 255:
        problems.append("QuoteNumber must not be more than 255 characters long.")
    for name in _CLEARED_WHEN_LEFT_OUT:
        value = doc_common.text(element, name)
        if value is not None:
            record[name] = value
        elif existing is not None:
            record.pop(name, None)
    problems += doc_common.too_long(record, _LIMITS)
    theme = doc_common.text(element, "BrandingThemeID")
    if theme:
        record["BrandingThemeID"] = theme
    record["Date"] = doc_common.day(element, "Date") or old.get("Date") or ctx.state.clock.today()
    if has(element, "ExpiryDate"):
        record["ExpiryDate"] = doc_common.day(element, "ExpiryDate")
    if record.get("ExpiryDate") is not None and record["ExpiryDate"] < record["Date"]:
        problems.append(EXPIRY_BEFORE_DATE)
    given_types = doc_common.text(element, "LineAmountTypes")
    kind_types = doc_common.amount_types(given_types, old.get("_AmountTypes"))
    record["_AmountTypes"] = kind_types
    record["LineAmountTypes"] = SHOWN_TYPES[kind_types]
    problems += doc_common.currency(ctx, element, record)
    if existing is None and not pick(element, "LineItems"):
        problems.append(NO_LINES)
    line_problems = doc_common.price(
        ctx,
        element,
        record,
        doc_type="ACCREC",
        kind_types=kind_types,
        need_account=False,
        discounts=True,
    )
    problems += [p for p in line_problems if p not in problems]
    if problems:
        raise errors.ElementErrors(problems)
    return QuotePlan(record, existing, new_contact)


def _auto_number(org: Org) -> str:
    while True:
        candidate = org.next_number("QU")
        if find_by_number(org, candidate) is None:
            return candidate


def commit(ctx: ApiContext, plan: QuotePlan) -> Record:
    """Store a prepared quote, numbering it (QU-0001...) when the caller gave no number."""
    record = plan.record
    doc_common.make_contact(ctx, record, plan.new_contact)
    if plan.existing is None:
        record["QuoteID"] = new_id()
        record.setdefault("_app", ctx.client_id)
    if not record.get("QuoteNumber"):
        record["QuoteNumber"] = _auto_number(ctx.org)
    ctx.state.stamp(record)
    target = plan.existing if plan.existing is not None else record
    if plan.existing is not None:
        plan.existing.clear()
        plan.existing.update(record)
    ctx.org.quotes[target["QuoteID"]] = target
    return target
