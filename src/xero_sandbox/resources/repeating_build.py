"""Creating one repeating invoice template, and deleting one: Xero's rules.

Xero's spec (createRepeatingInvoices, updateOrCreateRepeatingInvoices "Creates or deletes",
updateRepeatingInvoice "Deletes a specific repeating invoice template") lets an API client create
templates as DRAFT or AUTHORISED and delete them; it does not edit them. A template posts
nothing. Its Schedule needs Period, Unit, DueDate, DueDateType and StartDate;
NextScheduledDate starts at StartDate (as in the spec's examples).

Xero raises invoices from AUTHORISED templates on their schedule; the sandbox does not
(a generated invoice would need Xero's rules for what it copies, its numbering, its approval and
sending options; none are documented), so NextScheduledDate stays at StartDate.
A Contact given by an unknown Name is created, as invoices do (UNCONFIRMED for templates).
UNCONFIRMED: the wording of every refusal below (Xero's was not found); they follow its style.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from xero_sandbox import errors, wire
from xero_sandbox.context import ApiContext
from xero_sandbox.resources import doc_common
from xero_sandbox.resources.doc_lines import pick
from xero_sandbox.state import Record, new_id

TYPES = ("ACCREC", "ACCPAY")
CREATE_STATUSES = ("DRAFT", "AUTHORISED")
UNITS = ("WEEKLY", "MONTHLY")
DUE_DATE_TYPES = (
    "DAYSAFTERBILLDATE",
    "DAYSAFTERBILLMONTH",
    "DAYSAFTERINVOICEDATE",
    "DAYSAFTERINVOICEMONTH",
    "OFCURRENTMONTH",
    "OFFOLLOWINGMONTH",
)
TYPE_NEEDED = "Repeating invoice Type must be ACCREC or ACCPAY."
SCHEDULE_NEEDED = "A Schedule must be specified for a repeating invoice."
NO_LINES = "A repeating invoice must have at least one line item."
ONLY_DELETE = "A repeating invoice template can only be deleted (Status DELETED), not updated."
ALREADY_DELETED = "A deleted repeating invoice template cannot be modified."
_FLAGS = ("ApprovedForSending", "SendCopy", "MarkAsSent", "IncludePDF")


@dataclass
class TemplatePlan:
    record: Record
    new_contact: str | None


def _whole(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    number = wire.parse_decimal(value, f"Schedule.{name}")
    if number != number.to_integral_value():
        raise errors.post_data_invalid(
            f"JSON for post data was invalid,Input string '{value}' is not a valid integer. "
            f"Path 'Schedule.{name}'."
        )
    return int(number)


def _count(given: dict[str, Any], name: str, least: int, problems: list[str]) -> int | None:
    """A whole-number Schedule field of ``least`` or more; what is wrong goes to ``problems``."""
    number = _whole(pick(given, name), name)
    if number is None or number < least:
        problems.append(f"Schedule {name} must be a whole number of {least} or more.")
    return number


def _schedule(raw: Any) -> tuple[Record, list[str]]:
    if raw is None:
        return {}, [SCHEDULE_NEEDED]
    given = wire.parse_object(raw, "Schedule")
    problems: list[str] = []
    schedule: Record = {}
    schedule["Period"] = _count(given, "Period", 1, problems)
    unit = str(pick(given, "Unit") or "").strip().upper()
    if unit not in UNITS:
        problems.append("Schedule Unit must be WEEKLY or MONTHLY.")
    schedule["Unit"] = unit or None
    due = schedule["DueDate"] = _count(given, "DueDate", 0, problems)
    due_type = str(pick(given, "DueDateType") or "").strip().upper()
    if due_type not in DUE_DATE_TYPES:
        problems.append(f"Schedule DueDateType must be one of {', '.join(DUE_DATE_TYPES)}.")
    elif due_type in ("OFCURRENTMONTH", "OFFOLLOWINGMONTH") and due is not None and due > 31:
        problems.append("Schedule DueDate must be a day of the month (1 to 31).")
    schedule["DueDateType"] = due_type or None
    start: date | None = doc_common.day(given, "StartDate")
    if start is None:
        problems.append("Schedule StartDate must be specified.")
    schedule["StartDate"] = start
    schedule["NextScheduledDate"] = start
    end = doc_common.day(given, "EndDate")
    if end is not None:
        schedule["EndDate"] = end
        if start is not None and end < start:
            problems.append("Schedule EndDate must be on or after its StartDate.")
    return schedule, problems


def prepare_new(ctx: ApiContext, element: dict[str, Any]) -> TemplatePlan:
    """Check one new template; ElementErrors lists every problem."""
    doc_type = (doc_common.text(element, "Type") or "").upper()
    if doc_type not in TYPES:
        raise errors.element_error(TYPE_NEEDED)
    status = (doc_common.text(element, "Status") or "DRAFT").upper()
    if status not in CREATE_STATUSES:
        raise errors.element_error(
            f"A repeating invoice cannot be created with a status of {status}."
        )
    record: Record = {"Type": doc_type, "Status": status}
    new_contact, problems = doc_common.contact(ctx, element, record, None)
    schedule, schedule_problems = _schedule(pick(element, "Schedule"))
    problems += schedule_problems
    record["Schedule"] = schedule
    reference = doc_common.text(element, "Reference")
    if reference is not None and doc_type == "ACCREC":
        record["Reference"] = reference
    theme = doc_common.text(element, "BrandingThemeID")
    if theme:
        record["BrandingThemeID"] = theme
    for name in _FLAGS:
        value = pick(element, name)
        record[name] = False if value is None else wire.parse_bool(value, name)
    kind_types = doc_common.amount_types(doc_common.text(element, "LineAmountTypes"), None)
    record["LineAmountTypes"] = kind_types
    problems += doc_common.currency(ctx, element, record)
    if not pick(element, "LineItems"):
        problems.append(NO_LINES)
    line_problems = doc_common.price(
        ctx,
        element,
        record,
        doc_type=doc_type,
        kind_types=kind_types,
        need_account=status != "DRAFT",
        discounts=False,
    )
    problems += [p for p in line_problems if p not in problems]
    if problems:
        raise errors.ElementErrors(problems)
    return TemplatePlan(record, new_contact)


def commit_new(ctx: ApiContext, plan: TemplatePlan) -> Record:
    record = plan.record
    doc_common.make_contact(ctx, record, plan.new_contact)
    record["RepeatingInvoiceID"] = record["ID"] = new_id()
    record["HasAttachments"] = False
    record["_app"] = ctx.client_id
    ctx.state.stamp(record)
    ctx.org.repeating_invoices[record["RepeatingInvoiceID"]] = record
    return record


def delete(ctx: ApiContext, element: dict[str, Any], existing: Record) -> Record:
    """POST to an existing template: Status DELETED is the one change Xero takes."""
    status = (doc_common.text(element, "Status") or "").upper()
    if existing["Status"] == "DELETED":
        raise errors.element_error(ALREADY_DELETED)
    if status != "DELETED":
        raise errors.element_error(ONLY_DELETE)
    existing["Status"] = "DELETED"
    ctx.state.stamp(existing)
    return existing
