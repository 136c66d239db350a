"""Purchase orders: a Xero PurchaseOrder.

Draft goes as DRAFT, Approved as SUBMITTED (Awaiting Approval: the app may still change it, and
Xero stops edits to an approved PO's figures in its own screens). Once a PO is past DRAFT in
Xero it never goes back: a revert in the app keeps Xero's status and the link says why. BILLED
(turned into a bill in Xero) reads back as the app's "paid". Lines post to expense or liability
accounts. Xero does not create contacts from purchase orders: the supplier is made first, like
every contact. Purchase orders have no Url and no ``IDs`` filter: a lost create is found by its
number among the POs of its dates, and a refresh reads each PO by its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ledgerlink.documents.purchase_order import PurchaseOrder
from ledgerlink.kinds.base import DocumentKind, LinkView, Prepared, Record
from ledgerlink.mapping.status import Decision, Send, Skip, not_editable
from ledgerlink.xero.convert import common_fields, gone, lines_to_xero

STATUS = {"draft": "DRAFT", "approved": "SUBMITTED", "voided": "DELETED"}
_KEPT = (
    "The purchase order stays {status} in Xero: Xero never takes a purchase order that was "
    "sent past Draft back to Draft. Approve it in the app so both agree."
)


class PurchaseOrderKind(DocumentKind):
    name = "purchase_order"
    model = PurchaseOrder
    schema_name = "PurchaseOrder"
    noun = "purchase order"
    settings_tab = "vendors"
    contact_field = "supplier"
    resource = "PurchaseOrders"
    id_field = "PurchaseOrderID"
    number_field = "PurchaseOrderNumber"
    usage = "purchase"
    account_classes = frozenset({"EXPENSE", "LIABILITY"})
    takes_unitdp = False
    paid_statuses = frozenset({"BILLED"})
    source_words = {
        "DRAFT": "draft",
        "SUBMITTED": "approved",
        "AUTHORISED": "approved",
        "DELETED": "voided",
    }
    read_by = "one"
    numbering = "source_id"

    def xero_type(self, document: Any) -> str:
        return "PURCHASEORDER"

    def deep_link_kind(self, link_type: str | None) -> str:
        return "PURCHASEORDER"

    def wanted_status(self, document: Any) -> str:
        return STATUS[document.status]

    def decide(self, document: Any, link: LinkView | None) -> Decision:
        wanted = self.wanted_status(document)
        if link is None:
            return Skip("voided before it reached Xero") if wanted == "DELETED" else Send(wanted)
        current = link.status or "DRAFT"
        if current == "DELETED":
            if wanted == "DELETED":
                return Skip("already deleted in Xero")
            return not_editable(
                "The purchase order was deleted in Xero: create a new one instead.", "status"
            )
        if current == "BILLED":
            return not_editable(
                "The purchase order is billed in Xero, so Xero accepts no further changes to "
                "it: change the bill in Xero instead.",
                "status",
            )
        if wanted in ("DELETED", current):
            return Send(wanted)
        if wanted == "DRAFT" or (wanted == "SUBMITTED" and current == "AUTHORISED"):
            return Send(current, note=_KEPT.format(status=current))
        return Send(wanted)

    def to_xero(self, document: Any, prepared: Prepared) -> Record:
        ended = gone(prepared.existing, prepared.status, self.id_field)
        if ended is not None:
            return ended
        body = common_fields(
            document,
            None,
            prepared.contact,
            prepared.status,
            prepared.existing,
            self.id_field,
            with_url=False,
        )
        body["Date"] = document.date.isoformat()
        if document.delivery_date is not None:
            body["DeliveryDate"] = document.delivery_date.isoformat()
        number = document.number or prepared.number
        if number:
            body["PurchaseOrderNumber"] = number
        for field, key in (
            ("reference", "Reference"),
            ("delivery_address", "DeliveryAddress"),
            ("attention_to", "AttentionTo"),
            ("telephone", "Telephone"),
            ("delivery_instructions", "DeliveryInstructions"),
        ):
            value = getattr(document, field)
            if value is not None:
                body[key] = value
        body["LineItems"] = lines_to_xero(
            document, prepared.lines, prepared.existing, prepared.unitdp
        )
        return body

    def dated(self, start: date, end: date) -> dict[str, str]:
        """Xero takes no ``where`` on purchase orders: their own date filters instead."""
        return {"DateFrom": start.isoformat(), "DateTo": end.isoformat()}

    def lookup_queries(self, sent: Sequence[Record]) -> list[tuple[str, dict[str, str]]]:
        days = sorted(str(e.get("Date") or "") for e in sent if e.get("Date"))
        if not days:
            return []
        return [("/PurchaseOrders", {"DateFrom": days[0], "DateTo": days[-1]})]


KIND = PurchaseOrderKind()
