"""Sales invoices: an ACCREC Invoice. Unsent is DRAFT, sent is AUTHORISED (Awaiting Payment)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledgerlink.documents.schemas import SalesInvoice
from ledgerlink.kinds.base import DocumentKind, Prepared, Record
from ledgerlink.mapping.status import INVOICE_STATUS
from ledgerlink.xero.convert import invoice_to_xero


class LinedInvoiceKind(DocumentKind):
    """What sales invoices and bills share: Xero's Invoices endpoint, found by the Url marker."""

    resource = "Invoices"
    id_field = "InvoiceID"
    number_field = "InvoiceNumber"
    marks_url = True
    webhook_category = "INVOICE"

    def lookup_queries(self, sent: Sequence[Record]) -> list[tuple[str, dict[str, str]]]:
        contacts = sorted({str(e.get("Contact", {}).get("ContactID", "")) for e in sent} - {""})
        return [
            ("/Invoices", {"ContactIDs": ",".join(contacts[start : start + 50])})
            for start in range(0, len(contacts), 50)
        ]

    def matches(self, sent: Record, found: Record) -> bool:
        url = sent.get("Url")
        return bool(url) and found.get("Url") == url and found.get("Status") != "DELETED"

    def write_query(self, settings: Mapping[str, Any]) -> str:
        """Xero's allowBackorders when the connection allows selling more of a tracked item than
        Xero has on hand (a parameter of Invoices writes only)."""
        return "&allowBackorders=true" if settings.get("inventory_allow_backorders") else ""


class InvoiceKind(LinedInvoiceKind):
    name = "invoice"
    model = SalesInvoice
    schema_name = "SalesInvoice"
    noun = "invoice"
    contact_field = "contact"
    date_field = "issue_date"
    usage = "sales"
    numbering = "sequence"
    xero_types = frozenset({"ACCREC"})
    source_words = {"AUTHORISED": "sent", "DRAFT": "draft", "SUBMITTED": "draft"}

    def xero_type(self, document: Any) -> str:
        return "ACCREC"

    def wanted_status(self, document: Any) -> str:
        return INVOICE_STATUS[document.status]

    def to_xero(self, document: Any, prepared: Prepared) -> Record:
        if prepared.number and document.number is None:
            document = document.model_copy(update={"number": prepared.number})
        return invoice_to_xero(
            document,
            prepared.lines,
            prepared.contact,
            prepared.status,
            prepared.existing,
            prepared.unitdp,
        )


KIND = InvoiceKind()
