"""Which Xero status a document goes with, and whether a change may be sent at all.

The policy is the one the seed products use (Streamtime's help pages):

* an invoice not yet sent to the client arrives as DRAFT; a sent one as AUTHORISED ("Awaiting
  Payment");
* an expense in Draft arrives as a DRAFT bill; an Approved expense as SUBMITTED ("Awaiting
  Approval"), not AUTHORISED, because an approved expense in the app may still be edited, and Xero
  stops edits to a bill once it is awaiting payment and paid;
* a voided document is VOIDED in Xero when Xero approved it, DELETED while it is a draft there.

Changes are sent while Xero allows edits (DRAFT, SUBMITTED, AUTHORISED with nothing paid or
credited) and the status moves only along Xero's allowed transitions (DRAFT -> SUBMITTED |
AUTHORISED | DELETED, SUBMITTED -> DRAFT | AUTHORISED | DELETED, AUTHORISED -> VOIDED). Anything
else is held with a sentence saying why, instead of being sent to fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledgerlink.documents.schemas import Expense, SalesInvoice
from ledgerlink.errors import LedgerlinkError

INVOICE_STATUS = {"draft": "DRAFT", "sent": "AUTHORISED", "voided": "VOIDED"}
EXPENSE_STATUS = {"draft": "DRAFT", "approved": "SUBMITTED", "voided": "VOIDED"}

ALLOWED: dict[str, frozenset[str]] = {
    "DRAFT": frozenset({"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"}),
    "SUBMITTED": frozenset({"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"}),
    "AUTHORISED": frozenset({"AUTHORISED", "VOIDED"}),
}
_SHOWN = {
    "DRAFT": "Draft",
    "SUBMITTED": "Awaiting Approval",
    "AUTHORISED": "Awaiting Payment",
    "PAID": "Paid",
    "VOIDED": "Voided",
    "DELETED": "Deleted",
}


def xero_status(document: SalesInvoice | Expense) -> str:
    """The Xero status a document asks for (VOIDED stands for "gone": see ``decide_update``)."""
    if isinstance(document, SalesInvoice):
        return INVOICE_STATUS[document.status]
    return EXPENSE_STATUS[document.status]


@dataclass(frozen=True)
class Send:
    """Send the document to Xero with this status (create when ``current`` was None); ``note``
    says why the status differs from what the source asked for, when it does."""

    status: str
    note: str | None = None


@dataclass(frozen=True)
class Hold:
    """Do not send: Xero would refuse. The error says why and what to do."""

    error: LedgerlinkError


@dataclass(frozen=True)
class Skip:
    """Nothing to send: Xero already holds what is wanted."""

    reason: str


Decision = Send | Hold | Skip


def _shown(status: str) -> str:
    return f"{status} ({_SHOWN[status]})" if status in _SHOWN else status


def not_editable(reason: str, field: str | None = None) -> Hold:
    """Held: Xero accepts no such change (XERO_NOT_EDITABLE, the reason and the field)."""
    return Hold(LedgerlinkError("XERO_NOT_EDITABLE", reason, field=field))


def decide_update(
    current: str | None,
    amount_paid: Decimal | None,
    amount_credited: Decimal | None,
    wanted: str,
    *,
    content_changed: bool = True,
) -> Decision:
    """Send, hold or skip a document whose Xero status is ``current`` (None: not in Xero yet).

    ``wanted`` is ``xero_status(document)``; a wanted VOIDED becomes DELETED while Xero still
    holds a draft or an unapproved bill, since Xero voids only approved documents.
    """
    paid = amount_paid or Decimal(0)
    credited = amount_credited or Decimal(0)
    gone = wanted in ("VOIDED", "DELETED")
    if current is None:
        return Skip("voided before it ever reached Xero") if gone else Send(wanted)
    if current in ("VOIDED", "DELETED"):
        if gone:
            return Skip(f"already {current} in Xero")
        return not_editable(
            f"The document was {current.lower()} in Xero, so Xero accepts no further changes: "
            "create a new document instead."
        )
    if paid > 0 or credited > 0 or current == "PAID":
        applied = []
        if paid > 0 or (current == "PAID" and credited == 0):
            applied.append(f"a payment of {paid} applied" if paid > 0 else "a payment applied")
        if credited > 0:
            applied.append(f"a credit note of {credited} allocated")
        return not_editable(
            f"The document has {' and '.join(applied)} in Xero, so Xero accepts no changes to it: "
            "remove the payment or credit note in Xero first, or change the document there."
        )
    target = wanted
    if wanted == "VOIDED" and current in ("DRAFT", "SUBMITTED"):
        target = "DELETED"
    if target not in ALLOWED.get(current, frozenset()):
        return not_editable(
            f"Xero does not move a document from {_shown(current)} to {_shown(target)}: "
            f"change its status in Xero, or set it back to match {_SHOWN.get(current, current)}.",
            field="status",
        )
    if target == current and not content_changed:
        return Skip(f"unchanged and already {current} in Xero")
    return Send(target)
