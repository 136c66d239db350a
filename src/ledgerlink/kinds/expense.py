"""Expenses: an ACCPAY bill. Draft is DRAFT; Approved is SUBMITTED (Awaiting Approval), so the
app can still change it; Xero's PAID reads back as paid."""

from __future__ import annotations

from typing import Any

from ledgerlink.documents.schemas import Expense
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import CheckContext, Prepared, Record
from ledgerlink.kinds.invoice import LinedInvoiceKind
from ledgerlink.mapping.status import EXPENSE_STATUS
from ledgerlink.xero.convert import expense_to_xero


class ExpenseKind(LinedInvoiceKind):
    name = "expense"
    model = Expense
    schema_name = "Expense"
    noun = "expense"
    contact_field = "supplier"
    usage = "purchase"
    xero_types = frozenset({"ACCPAY"})
    source_words = {"SUBMITTED": "approved", "AUTHORISED": "approved", "DRAFT": "draft"}

    def xero_type(self, document: Any) -> str:
        return "ACCPAY"

    def wanted_status(self, document: Any) -> str:
        return EXPENSE_STATUS[document.status]

    def checks(self, document: Any, context: CheckContext) -> list[LedgerlinkError]:
        """Xero's classic export rule, when the connection asks for it: a bill carries the
        supplier's invoice number."""
        if document.status == "voided" or not context.settings.get("bill_number_required"):
            return []
        if document.reference or document.number:
            return []
        return [
            LedgerlinkError(
                "XERO_FIELD_REQUIRED",
                "reference is missing: this connection requires the supplier's invoice number "
                "on every bill (settings.bill_number_required).",
                field="reference",
                advice="Give the expense the supplier's invoice number as reference, or switch "
                "off settings.bill_number_required.",
            )
        ]

    def to_xero(self, document: Any, prepared: Prepared) -> Record:
        return expense_to_xero(
            document,
            prepared.lines,
            prepared.contact,
            prepared.status,
            prepared.existing,
            prepared.unitdp,
        )


KIND = ExpenseKind()
