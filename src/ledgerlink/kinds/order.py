"""Store orders: an ACCREC invoice, its products first and its payments after.

Placed and paid orders go AUTHORISED (a store's sale is final), drafts DRAFT, cancelled ones
VOIDED (DELETED while a draft in Xero). A line naming a product (``item_code``) needs the item
in Xero: found in the cached items, or the product document sent first (stage 0). With
"Create Nonexistent Products" on, a product Xero lacks is made from the line (its code, name,
price, account and tax) and the order waits for it; with it off, the order is held with
PRODUCT_NOT_IN_XERO naming the line and the product. A paid order's payments become payment
documents (``<source_id>/payment-<n>``) sent once the invoice is in Xero, 50 to a request, each
found again by its invoice, amount, date and account after a lost reply. A refund becomes a
sales credit note (``<source_id>/refund-<n>``), applied to the invoice while the order is unpaid,
paid out of the clearing account once it is paid. A version that changes only payments or
refunds writes nothing to the invoice. Shipping and discount lines take the connection's
shipping or discount account when they name none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledgerlink.documents.hashing import content_hash
from ledgerlink.documents.order import Order
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import Brought, LinkView, Needed, Prepared, Record
from ledgerlink.kinds.invoice import LinedInvoiceKind
from ledgerlink.xero.convert import common_fields, gone, lines_to_xero

STATUS = {"draft": "DRAFT", "placed": "AUTHORISED", "paid": "AUTHORISED", "cancelled": "VOIDED"}
CREATE_PRODUCTS = "create_nonexistent_products"
PRODUCT = "product"
PAYMENT = "payment"
CREDIT_NOTE = "credit_note"


class OrderKind(LinedInvoiceKind):
    name = "order"
    model = Order
    schema_name = "Order"
    noun = "order"
    contact_field = "customer"
    date_field = "date"
    usage = "sales"
    numbering = "sequence"
    xero_types = frozenset({"ACCREC"})
    source_words = {"AUTHORISED": "placed", "DRAFT": "draft", "SUBMITTED": "draft"}

    def xero_type(self, document: Any) -> str:
        return "ACCREC"

    def wanted_status(self, document: Any) -> str:
        return STATUS[document.status]

    def contact_role(self, document: Any) -> str:
        return "customer"

    def requires(self, document: Any, link: LinkView | None) -> list[Needed]:
        """Each product its lines name must be in Xero (a cancelled order needs none)."""
        if document.status == "cancelled":
            return []
        needs: dict[str, Needed] = {}
        for index, line in enumerate(document.lines):
            code = line.item_code
            if code is None or code in needs:
                continue
            field = f"lines[{index}].item_code"
            named = f" ({line.product_name})" if line.product_name else ""
            needs[code] = Needed(
                PRODUCT,
                code,
                field,
                unknown=LedgerlinkError(
                    "PRODUCT_NOT_IN_XERO",
                    f"{field} '{code}'{named} is not a product in Xero, and Create Nonexistent "
                    "Products is off for this connection: send the product first, add it in "
                    "Xero, or turn that option on.",
                    field=field,
                ),
            )
        return list(needs.values())

    def brings(self, document: Any, settings: Mapping[str, Any]) -> list[Brought]:
        if document.status == "cancelled":
            return []
        found: list[Brought] = []
        if settings.get(CREATE_PRODUCTS):
            found += [
                Brought(PRODUCT, _product(document, line, settings), False)
                for line in document.lines
                if line.item_code is not None
            ]
        for number, payment in enumerate(document.payments, start=1):
            body: dict[str, Any] = {
                "source_id": f"{document.source_id}/payment-{number}",
                "document": {"kind": self.name, "source_id": document.source_id},
                "amount": str(payment.amount),
                "date": payment.date.isoformat(),
                "reference": payment.reference or f"Order {document.number or document.source_id}",
            }
            if payment.account_code:
                body["account_code"] = payment.account_code
            found.append(Brought(PAYMENT, body, True))
        for number, refund in enumerate(document.refunds, start=1):
            found += _refund(document, number, refund)
        return found

    def written(self, document: Any, link: LinkView) -> bool:
        """A version that changes only its payments or refunds (or placed to paid) writes
        nothing to the invoice: those go as their own documents."""
        return link.details.get("send_hash") == _send_hash(document)

    def write_details(self, document: Any) -> dict[str, Any]:
        return {"send_hash": _send_hash(document)}

    def configured(self, document: Any, settings: Mapping[str, Any]) -> Any:
        lines = [
            line.model_copy(update={"account_code": settings.get(f"{line.charge}_account_code")})
            if line.charge
            and line.account_code is None
            and settings.get(f"{line.charge}_account_code")
            else line
            for line in document.lines
        ]
        if all(a is b for a, b in zip(lines, document.lines, strict=True)):
            return document
        return document.model_copy(update={"lines": lines})

    def to_xero(self, document: Any, prepared: Prepared) -> Record:
        ended = gone(prepared.existing, prepared.status)
        if ended is not None:
            return ended
        body = common_fields(
            document, "ACCREC", prepared.contact, prepared.status, prepared.existing
        )
        body["Date"] = document.date.isoformat()
        body["DueDate"] = (document.due_date or document.date).isoformat()
        number = document.number or prepared.number
        if number:
            body["InvoiceNumber"] = number
        if document.reference is not None:
            body["Reference"] = document.reference
        body["LineItems"] = lines_to_xero(
            document, prepared.lines, prepared.existing, prepared.unitdp
        )
        return body


def _send_hash(document: Any) -> str:
    """What the invoice itself carries: everything but the payments and refunds, and paid as
    placed (both AUTHORISED)."""
    shown = document.model_dump(exclude={"payments", "refunds"}, exclude_none=True)
    shown["status"] = STATUS[document.status]
    return content_hash(shown)


def _product(document: Any, line: Any, settings: Mapping[str, Any]) -> dict[str, Any]:
    """A product made from an order line: its code, name, price, and the account and tax
    type the line goes with (its own, else the connection's defaults for sales); stocked when
    the line says so, hence a tracked item when the connection syncs inventory (its accounts
    the connection's tracked ones: selling it then needs stock in Xero, or backorders)."""
    name = line.product_name or (line.description or line.item_code)[:50]
    sales: dict[str, Any] = {"unit_price": str(line.unit_amount)}
    account = line.account_code or settings.get("default_revenue_account")
    tax = line.tax_type or settings.get("default_sales_tax_type")
    if account:
        sales["account_code"] = account
    if tax:
        sales["tax_type"] = tax
    body: dict[str, Any] = {
        "source_id": line.item_code,
        "name": name.strip() or line.item_code,
        "sales": sales,
        "for_order": document.source_id,
    }
    if line.description:
        body["description"] = line.description
    if line.stocked:
        body["tracked"] = True
    return body


def _refund(document: Any, number: int, refund: Any) -> list[Brought]:
    """A refund as Xero models it: a sales credit note for the order, applied to its invoice
    while the order is unpaid; on a paid order (nothing left to apply it to), the credit is
    paid out instead, from the clearing account (a payment on the credit note)."""
    source_id = f"{document.source_id}/refund-{number}"
    words = refund.reason or f"Refund of order {document.number or document.source_id}"
    line: dict[str, Any] = {"description": words, "unit_amount": str(refund.amount)}
    if refund.account_code:
        line["account_code"] = refund.account_code
    note: dict[str, Any] = {
        "source_id": source_id,
        "type": "sales",
        "contact": document.customer.model_dump(exclude_none=True),
        "date": refund.date.isoformat(),
        "status": "sent",
        "reference": words,
        # the amount refunded is money: tax included, unless the order carries none
        "amounts_are": "no_tax" if document.amounts_are == "no_tax" else "inclusive",
        "lines": [line],
    }
    if document.currency:
        note["currency"] = document.currency
    if document.status != "paid":
        note["allocations"] = [
            {
                "document": document.source_id,
                "kind": OrderKind.name,
                "amount": str(refund.amount),
                "date": refund.date.isoformat(),
            }
        ]
        return [Brought(CREDIT_NOTE, note, True)]
    payout = {
        "source_id": f"{source_id}/payment",
        "document": {"kind": CREDIT_NOTE, "source_id": source_id},
        "amount": str(refund.amount),
        "date": refund.date.isoformat(),
        "reference": words,
    }
    return [Brought(CREDIT_NOTE, note, True), Brought(PAYMENT, payout, True)]


KIND = OrderKind()
