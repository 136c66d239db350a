"""A version's body and a Xero record brought to one shape, so what does not match can be
said: ``expected_of`` (what a version asks of Xero) and ``held_of`` (what a Xero record holds),
compared by ``differences``; ``payment_of`` and ``allocations_of`` do the same for payments
and a credit note's allocations. Also what ties a Xero record to its document (``MARKER``,
``number_of``, ``RESOURCES``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

Record = dict[str, Any]

# What ties a Xero invoice to its document: the engine's marker in the invoice's Url.
MARKER = re.compile(
    r"(?:ledgerlink=|/documents/)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
# Each kind's Xero collection (the sandbox organisation's attribute), id and number fields.
RESOURCES: dict[str, tuple[str, str, str | None]] = {
    "invoice": ("invoices", "InvoiceID", "InvoiceNumber"),
    "expense": ("invoices", "InvoiceID", "InvoiceNumber"),
    "purchase_order": ("purchase_orders", "PurchaseOrderID", "PurchaseOrderNumber"),
    "credit_note": ("credit_notes", "CreditNoteID", "CreditNoteNumber"),
    "payment": ("payments", "PaymentID", None),
}
INVOICE_TYPES = {"ACCREC": "invoice", "ACCPAY": "expense"}
# The Xero status each source status asks for, per kind (lists: what may be there).
STATUSES = {
    "invoice": {"draft": "DRAFT", "sent": "AUTHORISED"},
    "expense": {"draft": "DRAFT", "approved": "SUBMITTED"},
    "purchase_order": {"draft": "DRAFT", "approved": "SUBMITTED"},
    "credit_note": {"draft": "DRAFT", "sent": "AUTHORISED"},
}


def norm(name: Any) -> str:
    return " ".join(str(name or "").split()).casefold()


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def lower_id(value: Any) -> str:
    return str(value or "").lower()


def live(record: Record) -> bool:
    return record.get("Status") != "DELETED"


def number_of(kind: str, body: Record) -> str | None:
    """The number the Xero record carries: the document's own; for a purchase order or a
    credit note without one, its source_id (what finds it again after a lost reply)."""
    if kind in ("purchase_order", "credit_note"):
        return str(body.get("number") or body.get("source_id"))
    if kind == "expense":
        return body.get("reference") or body.get("number")
    return body.get("number")


def expected_of(kind: str, body: Record, earlier: Iterable[Record] = ()) -> Record:
    """What the Xero record must hold for this version body (``earlier``: the document's
    versions before it).

    A purchase order that is draft may still be SUBMITTED when an earlier version was approved:
    once Xero holds a purchase order past Draft it never takes it back (whether that earlier
    version reached Xero before it was superseded is timing, so both are right).
    """
    who = body.get("supplier") if kind in ("expense", "purchase_order") else body.get("contact")
    source = body.get("status", "draft")
    statuses = [STATUSES[kind][source]]
    was_approved = any(b.get("status", "draft") == "approved" for b in earlier)
    if kind == "purchase_order" and source == "draft" and was_approved:
        statuses.append("SUBMITTED")
    reference = None if kind == "expense" else body.get("reference")
    return {
        "status": tuple(statuses),
        "number": number_of(kind, body),
        "reference": reference,
        "contact": norm((who or {}).get("name")),
        "lines": [
            (line.get("description"), _dec(line.get("quantity", "1")), _dec(line["unit_amount"]))
            for line in body["lines"]
        ],
    }


def held_of(org: Any, kind: str, record: Record) -> Record:
    """The same shape, read from the sandbox's record."""
    # a purchase order keeps its contact's id on itself, the others in a Contact
    contact_id = (record.get("Contact") or {}).get("ContactID") or record.get("ContactID")
    contact = org.contacts.get(contact_id) or record.get("Contact") or {}
    number_field = RESOURCES[kind][2] or ""
    return {
        "status": record.get("Status"),
        "number": record.get(number_field) or None,
        "reference": record.get("Reference") or None,
        "contact": norm(contact.get("Name")),
        "lines": [
            (line.get("Description"), _dec(line.get("Quantity")), _dec(line.get("UnitAmount")))
            for line in record.get("LineItems") or []
        ],
    }


def differences(held: Record, wanted: Record) -> list[str]:
    found = []
    for name in ("status", "number", "reference", "contact", "lines"):
        if name == "number" and wanted["number"] is None:
            continue  # Xero numbered it
        if name == "reference" and wanted["reference"] is None:
            continue
        if name == "status":
            if held["status"] not in wanted["status"]:
                found.append(f"status: Xero {held['status']!r} != {_shown(wanted['status'])}")
        elif held[name] != wanted[name]:
            found.append(f"{name}: Xero {_shown(held[name])} != {_shown(wanted[name])}")
    return found


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + "; ".join(f"{q} x {u}" for _, q, u in value) + "]"
    if isinstance(value, tuple):
        return " or ".join(repr(v) for v in value)
    return repr(value)


def brief(shape: Record) -> str:
    return (
        f"{_shown(shape['status'])} ref/number={shape['reference'] or shape['number']!r} "
        f"lines={_shown(shape['lines'])}"
    )


def payment_of(body: Record) -> Record:
    """What a payment version asks of Xero: a live payment of its amount on its invoice, or
    (deleted) none."""
    return {
        "deleted": body.get("status") == "deleted",
        "amount": Decimal(str(body["amount"])),
        "reference": body.get("reference"),
        "invoice": (body.get("document") or {}).get("source_id"),
    }


def allocations_of(body: Record) -> list[tuple[str, Decimal]]:
    """A credit note version's allocations: (invoice source_id, amount)."""
    return [(a["document"], Decimal(str(a["amount"]))) for a in body.get("allocations") or []]
