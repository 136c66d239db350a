"""Neutral documents to Xero's Invoice JSON (ACCREC sales invoices, ACCPAY bills).

What is sent is decided with Xero's known traps in mind:

* the Contact is named by ``ContactID`` alone once it is known: sending an id together with a
  name renames the Xero contact, and extra contact fields overwrite what the user keeps in Xero;
* on an update every existing ``LineItemID`` is echoed back in line order, or Xero deletes the
  lines and creates new ones (losing what the user added to them in Xero);
* unit amounts are rounded to the ``unitdp`` the call is made with, so what is sent is what Xero
  stores and the content hash of a re-read document stays the same;
* ACCPAY takes no discount and no ``Reference``: the supplier's reference is its
  ``InvoiceNumber``;
* voiding or deleting sends only the id and the status, so nothing else can be refused.

Money stays Decimal here; the wire encoder writes it as exact JSON numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from ledgerlink.documents.money import XERO_LINE_AMOUNT_TYPES, round_to, unitdp_for
from ledgerlink.documents.schemas import ContactRef, Expense, Line, LinedDocument, SalesInvoice
from ledgerlink.mapping.resolve import ResolvedLine


class LinkLike(Protocol):
    """What an update needs to know of the Xero document: its id and its line ids in order."""

    @property
    def xero_id(self) -> str: ...

    @property
    def line_item_ids(self) -> Sequence[Any]: ...


def document_unitdp(document: LinedDocument) -> int:
    """The ``unitdp`` to write (and read) this document with: 4 only when a price needs it."""
    return unitdp_for(line.unit_amount for line in document.lines)


def contact_number(ref: ContactRef) -> str:
    """The ContactNumber a source contact's Xero contact carries: the app's own, else the
    stable key (hashed when longer than Xero's 50 characters)."""
    if ref.contact_number:
        return ref.contact_number
    if len(ref.key) <= 50:
        return ref.key
    return "ll-" + hashlib.sha256(ref.key.encode()).hexdigest()[:40]


def contact_to_xero(ref: ContactRef) -> dict[str, Any]:
    """A new Xero contact from the source app's contact (only fields the app owns)."""
    body: dict[str, Any] = {"Name": (ref.name or "").strip()}
    if ref.email:
        body["EmailAddress"] = ref.email
    if ref.contact_number:
        body["ContactNumber"] = ref.contact_number
    return body


def contact_element(contact: Mapping[str, Any]) -> dict[str, Any]:
    """The Contact element of a document: the id alone when known, never id and name together."""
    if contact.get("ContactID"):
        return {"ContactID": str(contact["ContactID"])}
    return {key: value for key, value in contact.items() if value not in (None, "")}


def _quantity(value: Decimal) -> Decimal:
    return value.normalize() if value == value.to_integral_value() else value


def _line(
    line: Line, resolved: ResolvedLine, line_id: Any, unitdp: int, discounts: bool
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if line_id:
        body["LineItemID"] = str(line_id)
    if line.description is not None:
        body["Description"] = line.description
    body["Quantity"] = _quantity(line.quantity)
    body["UnitAmount"] = round_to(line.unit_amount, unitdp)
    if line.item_code is not None:
        body["ItemCode"] = line.item_code
    if resolved.account_code is not None:
        body["AccountCode"] = resolved.account_code
    if resolved.tax_type is not None:
        body["TaxType"] = resolved.tax_type
    if discounts and line.discount_rate is not None:
        body["DiscountRate"] = line.discount_rate
    if line.tracking:
        body["Tracking"] = [{"Name": t.name, "Option": t.option} for t in line.tracking]
    return body


def lines_to_xero(
    document: LinedDocument,
    resolved: Sequence[ResolvedLine],
    existing: LinkLike | None,
    unitdp: int,
    *,
    discounts: bool = True,
) -> list[dict[str, Any]]:
    """The LineItems of any document with lines, echoing Xero's line ids on an update."""
    if len(resolved) != len(document.lines):
        raise ValueError("resolved lines must match the document's lines one to one")
    ids = list(existing.line_item_ids) if existing is not None else []
    return [
        _line(line, res, ids[i] if i < len(ids) else None, unitdp, discounts)
        for i, (line, res) in enumerate(zip(document.lines, resolved, strict=True))
    ]


def gone(
    existing: LinkLike | None, status: str, id_field: str = "InvoiceID"
) -> dict[str, Any] | None:
    """Voiding or deleting sends only the id and the status, so nothing else can be refused."""
    if existing is not None and status in ("VOIDED", "DELETED"):
        return {id_field: existing.xero_id, "Status": status}
    return None


def common_fields(
    document: LinedDocument,
    xero_type: str | None,
    contact: Mapping[str, Any],
    status: str,
    existing: LinkLike | None,
    id_field: str = "InvoiceID",
    *,
    with_url: bool = True,
) -> dict[str, Any]:
    """Type, id, contact, amounts, currency, url and status: what every lined document has
    (``with_url`` False for resources without a Url: credit notes, purchase orders)."""
    body: dict[str, Any] = {"Type": xero_type} if xero_type else {}
    if existing is not None:
        body[id_field] = existing.xero_id
    body["Contact"] = contact_element(contact)
    body["LineAmountTypes"] = XERO_LINE_AMOUNT_TYPES[document.amounts_are]
    if document.currency is not None:
        body["CurrencyCode"] = document.currency
    if with_url and document.url is not None:
        body["Url"] = document.url
    body["Status"] = status
    return body


def invoice_to_xero(
    document: SalesInvoice,
    lines: Sequence[ResolvedLine],
    contact: Mapping[str, Any],
    status: str,
    existing: LinkLike | None = None,
    unitdp: int = 2,
) -> dict[str, Any]:
    """A sales invoice as an ACCREC Invoice element (create, or update when ``existing``)."""
    ended = gone(existing, status)
    if ended is not None:
        return ended
    body = common_fields(document, "ACCREC", contact, status, existing)
    body["Date"] = document.issue_date.isoformat()
    body["DueDate"] = document.due_date.isoformat()
    if document.number is not None:
        body["InvoiceNumber"] = document.number
    if document.reference is not None:
        body["Reference"] = document.reference
    body["LineItems"] = lines_to_xero(document, lines, existing, unitdp)
    return body


def expense_to_xero(
    document: Expense,
    lines: Sequence[ResolvedLine],
    contact: Mapping[str, Any],
    status: str,
    existing: LinkLike | None = None,
    unitdp: int = 2,
) -> dict[str, Any]:
    """An expense as an ACCPAY bill element; the supplier's reference is its InvoiceNumber."""
    ended = gone(existing, status)
    if ended is not None:
        return ended
    body = common_fields(document, "ACCPAY", contact, status, existing)
    body["Date"] = document.date.isoformat()
    if document.due_date is not None:
        body["DueDate"] = document.due_date.isoformat()
    number = document.reference or document.number
    if number:
        body["InvoiceNumber"] = number
    body["LineItems"] = lines_to_xero(document, lines, existing, unitdp, discounts=False)
    return body
