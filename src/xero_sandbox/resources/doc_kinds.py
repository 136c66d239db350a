"""What differs between invoices and credit notes, and what their balances are made of.

Invoices and credit notes share their rules; a ``DocKind`` names the fields, types and words
where they differ, so the same code serves both endpoints.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xero_sandbox import wire
from xero_sandbox.context import ApiContext
from xero_sandbox.state import Org, Record

_CENT = Decimal("0.01")

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DocKind:
    label: str
    plural: str
    key: str
    id_field: str
    number_field: str
    types: tuple[str, str]
    sales_types: tuple[str, ...]
    numbered_type: str
    collection: str
    category: str
    prefix: str
    discounts: bool
    needs_due_date: bool
    event_data: bool
    reference_types: tuple[str, ...] | None


INVOICE = DocKind(
    label="Invoice",
    plural="invoices",
    key="Invoices",
    id_field="InvoiceID",
    number_field="InvoiceNumber",
    types=("ACCREC", "ACCPAY"),
    sales_types=("ACCREC",),
    numbered_type="ACCREC",
    collection="invoices",
    category="INVOICE",
    prefix="INV",
    discounts=True,
    needs_due_date=True,
    event_data=False,
    reference_types=("ACCREC",),
)

CREDIT_NOTE = DocKind(
    label="Credit Note",
    plural="credit notes",
    key="CreditNotes",
    id_field="CreditNoteID",
    number_field="CreditNoteNumber",
    types=("ACCRECCREDIT", "ACCPAYCREDIT"),
    sales_types=("ACCRECCREDIT",),
    numbered_type="ACCRECCREDIT",
    collection="credit_notes",
    category="CREDITNOTE",
    prefix="CN",
    discounts=False,
    needs_due_date=False,
    event_data=True,
    reference_types=None,
)


def records(org: Org, kind: DocKind) -> dict[str, Record]:
    collection: dict[str, Record] = getattr(org, kind.collection)
    return collection


def find_document(org: Org, kind: DocKind, ref: str) -> Record | None:
    """A document by its id, or else by its number (Xero's GET /Invoices/{InvoiceNumber})."""
    wanted = ref.strip().lower()
    collection = records(org, kind)
    for record in collection.values():
        if record[kind.id_field].lower() == wanted:
            return record
    matches = [
        r for r in collection.values() if str(r.get(kind.number_field) or "").lower() == wanted
    ]
    live = [r for r in matches if r["Status"] != "DELETED"]
    if live:
        return live[0]
    return matches[0] if matches else None


def _add_months(day: date, months: int, day_of_month: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(max(day_of_month, 1), last))


def due_from_terms(contact: Record | None, doc_type: str, issued: date) -> date | None:
    """The due date a contact's payment terms give, as Xero fills it in when DueDate is left out."""
    if contact is None:
        return None
    terms = (contact.get("PaymentTerms") or {}).get("Sales" if doc_type == "ACCREC" else "Bills")
    if not terms or terms.get("Day") is None:
        return None
    days = int(terms["Day"])
    kind = str(terms.get("Type", ""))
    if kind == "DAYSAFTERBILLDATE":
        return issued + timedelta(days=days)
    if kind == "DAYSAFTERBILLMONTH":
        return _add_months(issued, 1, 1) + timedelta(days=days - 1)
    if kind == "OFCURRENTMONTH":
        return _add_months(issued, 0, days)
    if kind == "OFFOLLOWINGMONTH":
        return _add_months(issued, 1, days)
    return None


def amount_due_fields(kind: DocKind, record: Record) -> None:
    """Balances from the applied payments and allocations; PAID comes and goes with them."""
    payments = sum((p["Amount"] for p in record.get("Payments", [])), ZERO)
    closed = record["Status"] in ("VOIDED", "DELETED")
    if kind is INVOICE:
        # Xero's AmountCredited: credit notes, overpayments and prepayments applied to it.
        applied = [
            entry
            for name in ("CreditNotes", "Prepayments", "Overpayments")
            for entry in record.get(name, [])
        ]
        credited = sum((c["AppliedAmount"] for c in applied), ZERO)
        record["AmountPaid"] = payments
        record["AmountCredited"] = credited
        left = ZERO if closed else record["Total"] - payments - credited
        record["AmountDue"] = left
        moments = [p["Date"] for p in record.get("Payments", [])]
        moments += [c["Date"] for c in applied]
    else:
        allocated = sum((a["Amount"] for a in record.get("Allocations", [])), ZERO)
        left = ZERO if closed else record["Total"] - allocated - payments
        record["RemainingCredit"] = left
        record["AppliedAmount"] = allocated + payments
        moments = [p["Date"] for p in record.get("Payments", [])]
        moments += [a["Date"] for a in record.get("Allocations", [])]
    if record["Status"] == "AUTHORISED" and left <= 0:
        record["Status"] = "PAID"
    elif record["Status"] == "PAID" and left > 0:
        record["Status"] = "AUTHORISED"
    if record["Status"] == "PAID":
        record["FullyPaidOnDate"] = max(moments) if moments else record["Date"]
    else:
        record["FullyPaidOnDate"] = None


_SUMMARY_DROPS = (
    "LineItems",
    "Payments",
    "CreditNotes",
    "Prepayments",
    "Overpayments",
    "Allocations",
)


def present(
    ctx: ApiContext, kind: DocKind, record: Record, *, lines: bool = True, summary: bool = False
) -> Record:
    """A stored document as Xero shows it, with its contact as it is now."""
    shown: Record = dict(record)
    contact = ctx.org.contacts.get(record["Contact"].get("ContactID", ""))
    if contact is not None:
        shown["Contact"] = dict(contact)
    shown["DateString"] = wire.iso_date_string(record["Date"])
    if record.get("DueDate"):
        shown["DueDateString"] = wire.iso_date_string(record["DueDate"])
    shown["UpdatedDateUTCString"] = wire.iso_date_string(record["UpdatedDateUTC"])
    shown.setdefault("Payments", [])
    if kind is INVOICE:
        shown.setdefault("CreditNotes", [])
        shown.setdefault("Prepayments", [])
        shown.setdefault("Overpayments", [])
    else:
        shown.setdefault("Allocations", [])
    shown["HasAttachments"] = False
    shown["HasErrors"] = False
    if ctx.unitdp == 2 and record.get("LineItems"):
        # Unit amounts kept to 4 places are shown to 2 unless the caller asks for unitdp=4.
        shown["LineItems"] = [_unit_to_2dp(line) for line in record["LineItems"]]
    if summary:
        for name in _SUMMARY_DROPS:
            shown.pop(name, None)
    elif not lines:
        shown.pop("LineItems", None)
    return shown


def _unit_to_2dp(line: Record) -> Record:
    unit = line.get("UnitAmount")
    if not isinstance(unit, Decimal) or unit == unit.quantize(_CENT):
        return line
    shown = dict(line)
    shown["UnitAmount"] = unit.quantize(_CENT, rounding=ROUND_HALF_UP)
    return shown


def money_summary(kind: DocKind, record: Record) -> dict[str, Any]:
    """How a document appears inside another one (an invoice inside an allocation)."""
    return {
        kind.id_field: record[kind.id_field],
        kind.number_field: record.get(kind.number_field),
        "Type": record["Type"],
        "Total": record["Total"],
        "Status": record["Status"],
    }
