"""History and notes: what Xero writes into a record's history when the record changes.

One place records it for every resource: ``journals.settle`` hands ``record_changes`` the records
changed since it last looked (every change goes through ``SandboxState.stamp``), and this module
compares each with what it saw of the record before (``Org.history_seen``, a ``Seen`` by record
id) and appends what happened to ``Org.history`` (a list of history records by record id, oldest
first; the API shows them newest first). Handlers need do nothing of their own.

What Xero documents (developer.xero.com/documentation/api/history-and-notes): the fields Changes,
DateUTC, User ("System Generated" when the change happens through the API) and Details; notes
are the only kind of change a caller can add, Details at most 250 characters; the supported
documents are the ones in ``KINDS``. Xero's own examples (its OpenAPI) show newest first,
``Changes`` values such as "Approved" and "Credit Applied", and a bank transfer's Details
"Bank transfer from Business Wells Fargo to My Savings on November 12, 2016 for 20.00.".
# UNCONFIRMED: the Changes value of each event beyond Created/Edited/Approved/Voided/Deleted/
# Credit Applied/Note ("Paid", "Payment Removed", "Sent", "Submitted", "Posted", "Archived",
# "Restored", "Accepted", "Declined", "Invoiced", "Billed") and the wording of every Details
# except the bank transfer's, which follow the example's style ("<what> for <amount>.").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from xero_sandbox import wire
from xero_sandbox.state import Org, Record, SandboxState

SYSTEM_USER = "System Generated"


@dataclass(frozen=True)
class Kind:
    """A resource with history: its path, id field, Org collection and how it is named."""

    path: str
    id_field: str
    collection: str
    noun: str
    label: str | None = None
    # Whether the record starts as a draft, so that one made in a later status was also moved
    # to it when made (an invoice PUT as AUTHORISED is Created and Approved).
    drafts: bool = False


# fmt: off
KINDS = (
    Kind("Invoices", "InvoiceID", "invoices", "Invoice", "InvoiceNumber", True),
    Kind("CreditNotes", "CreditNoteID", "credit_notes", "Credit note", "CreditNoteNumber", True),
    Kind("Payments", "PaymentID", "payments", "Payment"),
    Kind("PurchaseOrders", "PurchaseOrderID", "purchase_orders", "Purchase order",
         "PurchaseOrderNumber", True),
    Kind("ManualJournals", "ManualJournalID", "manual_journals", "Manual journal", "Narration",
         True),
    Kind("Contacts", "ContactID", "contacts", "Contact", "Name"),
    Kind("Items", "ItemID", "items", "Item", "Code"),
    Kind("BankTransactions", "BankTransactionID", "bank_transactions", "Bank transaction",
         "Reference"),
    Kind("BankTransfers", "BankTransferID", "bank_transfers", "Bank transfer"),
    Kind("Overpayments", "OverpaymentID", "overpayments", "Overpayment"),
    Kind("Prepayments", "PrepaymentID", "prepayments", "Prepayment"),
    Kind("Quotes", "QuoteID", "quotes", "Quote", "QuoteNumber", True),
    Kind("RepeatingInvoices", "RepeatingInvoiceID", "repeating_invoices", "Repeating invoice",
         None, True),
)
# fmt: on

# The Changes a move to each status is recorded as.
STATUS_CHANGES = {
    "SUBMITTED": "Submitted",
    "AUTHORISED": "Approved",
    "POSTED": "Posted",
    "VOIDED": "Voided",
    "DELETED": "Deleted",
    "ARCHIVED": "Archived",
    "SENT": "Sent",
    "ACCEPTED": "Accepted",
    "DECLINED": "Declined",
    "INVOICED": "Invoiced",
    "BILLED": "Billed",
}
# Moves back to an earlier status read as an edit; ACTIVE after ARCHIVED as a restore.
BACK_CHANGES = {"DRAFT": "Edited", "ACTIVE": "Restored"}

# Fields that change with money applied, status or sending, each told apart on its own; the rest
# of a record changing is an edit.
MOVING = frozenset(
    {
        "UpdatedDateUTC", "Status", "AmountDue", "AmountPaid", "AmountCredited", "Payments",
        "CreditNotes", "Prepayments", "Overpayments", "Allocations", "RemainingCredit",
        "AppliedAmount", "FullyPaidOnDate", "SentToContact", "HasAttachments", "IsReconciled",
        "Balances", "HasValidationErrors", "StatusAttributeString", "ContactStatus",
    }
)  # fmt: skip
CREDIT_LISTS = (("CreditNotes", "CreditNoteNumber"), ("Prepayments", None), ("Overpayments", None))
# Documents money comes in from (a payment on them is received, a line "from" the contact).
FROM_TYPES = frozenset(
    {"ACCPAY", "ACCRECCREDIT", "RECEIVE", "RECEIVE-OVERPAYMENT", "RECEIVE-PREPAYMENT"}
)


@dataclass(frozen=True)
class Seen:
    """What the history last saw of a record."""

    status: str | None
    payments: tuple[tuple[str, Any, Any], ...]
    credits: tuple[tuple[str, Any, Any, str], ...]
    allocations: tuple[tuple[str, Any, Any, str], ...]
    sent: bool
    content: int


def seen(record: Record) -> Seen:
    payments = tuple(
        (str(p.get("PaymentID")), p.get("Amount"), p.get("Date"))
        for p in record.get("Payments") or []
    )
    credits = tuple(
        (name, c.get("AppliedAmount"), c.get("Date"), str(c.get(number or "") or ""))
        for name, number in CREDIT_LISTS
        for c in record.get(name) or []
    )
    allocations = tuple(
        (
            str(a.get("AllocationID")),
            a.get("Amount"),
            a.get("Date"),
            str((a.get("Invoice") or {}).get("InvoiceNumber") or ""),
        )
        for a in record.get("Allocations") or []
    )
    # A hash of the rest of the record, so a record of thousands of lines is not kept twice.
    content = hash(repr([(k, record[k]) for k in sorted(record) if not _moving(k)]))
    status = record.get("Status", record.get("ContactStatus"))
    return Seen(
        str(status) if status is not None else None,
        payments,
        credits,
        allocations,
        bool(record.get("SentToContact")),
        content,
    )


def _moving(key: str) -> bool:
    return key.startswith("_") or key in MOVING


def money(amount: Any) -> str:
    try:
        return f"{Decimal(str(amount)):,.2f}"
    except (ArithmeticError, ValueError):
        return str(amount)


def long_date(value: Any) -> str:
    """``November 12, 2016``, as in Xero's example."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value:%B} {value.day}, {value.year}"
    return str(value)


def _contact(record: Record) -> str:
    contact = record.get("Contact")
    return str(contact.get("Name") or "") if isinstance(contact, dict) else ""


def summary(kind: Kind, record: Record) -> str:
    """What the record is, for a Details: ``INV-0001 to City Limousines for 1,250.00.``"""
    if kind.path == "BankTransfers":
        source = (record.get("FromBankAccount") or {}).get("Name", "")
        target = (record.get("ToBankAccount") or {}).get("Name", "")
        return (
            f"Bank transfer from {source} to {target} on {long_date(record.get('Date'))}"
            f" for {money(record.get('Amount'))}."
        )
    label = str(record.get(kind.label) or "") if kind.label else ""
    pieces = [label or kind.noun]
    if kind.path not in ("Contacts", "Items", "ManualJournals") and _contact(record):
        word = "from" if record.get("Type") in FROM_TYPES else "to"
        pieces.append(f"{word} {_contact(record)}")
    amount = record.get("Total", record.get("Amount"))
    if amount is not None and kind.path not in ("Contacts", "Items"):
        pieces.append(f"for {money(amount)}")
    return " ".join(pieces) + "."


def _added(before: tuple[Any, ...], after: tuple[Any, ...]) -> list[Any]:
    """The entries of ``after`` that ``before`` did not have (counting repeats)."""
    left = Counter(before)
    added = []
    for item in after:
        if left[item] > 0:
            left[item] -= 1
        else:
            added.append(item)
    return added


def changes(kind: Kind, record: Record, before: Seen | None, now: Seen) -> list[tuple[str, str]]:
    """The (Changes, Details) this change of the record makes, in the order they happened."""
    about = summary(kind, record)
    if before is None:
        made = [("Created", about)]
        if kind.drafts and now.status in STATUS_CHANGES:
            made.append((STATUS_CHANGES[now.status], about))
        return made
    found: list[tuple[str, str]] = []
    if now.content != before.content:
        found.append(("Edited", about))
    if now.status != before.status and now.status is not None:
        move = STATUS_CHANGES.get(now.status) or BACK_CHANGES.get(now.status)
        if move is not None:
            found.append((move, about))
    found += _money_moves(record, before, now)
    if now.sent and not before.sent:
        found.append(("Sent", f"{summary(kind, record)[:-1]} marked as sent."))
    return found


def _money_moves(record: Record, before: Seen, now: Seen) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    who = _contact(record)
    received = record.get("Type") not in FROM_TYPES
    for _, amount, when in _added(before.payments, now.payments):
        said = f"received from {who}" if received else f"made to {who}"
        found.append(("Paid", f"Payment {said} on {long_date(when)} for {money(amount)}."))
    for _, amount, when in _added(now.payments, before.payments):
        found.append(("Payment Removed", f"Payment on {long_date(when)} for {money(amount)}."))
    for name, amount, when, number in _added(before.credits, now.credits):
        what = number or name[:-1]
        found.append(
            ("Credit Applied", f"{what} applied on {long_date(when)} for {money(amount)}.")
        )
    for _, amount, when, number in _added(before.allocations, now.allocations):
        target = f" to {number}" if number else ""
        found.append(
            ("Credit Applied", f"Credit applied{target} on {long_date(when)} for {money(amount)}.")
        )
    return found


def entry(state: SandboxState, change: str, details: str, user: str = SYSTEM_USER) -> Record:
    """One history record, as Xero shows it."""
    now = state.clock.now()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    return {
        "Changes": change,
        "DateUTCString": wire.iso_date_string(now),
        "DateUTC": now,
        "User": user,
        "Details": details,
    }


def record_changes(state: SandboxState, orgs: list[Org], pending: list[Record]) -> None:
    """Write the history of each changed record (the records ``settle`` is given)."""
    done: set[tuple[str, str]] = set()
    for record in pending:
        for kind in KINDS:
            record_id = record.get(kind.id_field)
            if not isinstance(record_id, str):
                continue
            for org in orgs:
                current = getattr(org, kind.collection).get(record_id)
                if current is None or (org.tenant_id, record_id) in done:
                    continue
                done.add((org.tenant_id, record_id))
                _note(state, org, kind, record_id, current)
                break


def _note(state: SandboxState, org: Org, kind: Kind, record_id: str, record: Record) -> None:
    now = seen(record)
    before = org.history_seen.get(record_id)
    if before == now:
        return
    org.history_seen[record_id] = now
    made = changes(kind, record, before, now)
    if made:
        log = org.history.setdefault(record_id, [])
        log.extend(entry(state, c, d) for c, d in made)
