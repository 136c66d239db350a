"""Expenses: an ACCPAY bill. Draft is DRAFT; Approved is SUBMITTED (Awaiting Approval), so the
app can still change it, or AUTHORISED (Awaiting Payment) on a connection that approves bills
(``settings.approve_bills``, and by default with tracked inventory, whose stock Xero moves on
approved bills only); Xero's PAID reads back as paid."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledgerlink.documents.schemas import Expense
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import CheckContext, LinkView, Prepared, Record
from ledgerlink.kinds.invoice import LinedInvoiceKind
from ledgerlink.mapping.status import EXPENSE_STATUS, Decision, decide_update
from ledgerlink.store.connection_settings import bills_approved
from ledgerlink.xero.convert import expense_to_xero


class ExpenseKind(LinedInvoiceKind):
    name = "expense"
    model = Expense
    schema_name = "Expense"
    noun = "expense"
    settings_tab = "vendors"
    contact_field = "supplier"
    usage = "purchase"
    xero_types = frozenset({"ACCPAY"})
    source_words = {"SUBMITTED": "approved", "AUTHORISED": "approved", "DRAFT": "draft"}

    def xero_type(self, document: Any) -> str:
        return "ACCPAY"

    def wanted_status(self, document: Any) -> str:
        return EXPENSE_STATUS[document.status]

    def decide_for(
        self, document: Any, link: LinkView | None, settings: Mapping[str, Any]
    ) -> Decision:
        if document.status != "approved" or not bills_approved(settings):
            return self.decide(document, link)
        if link is None:
            return decide_update(None, None, None, "AUTHORISED")
        return decide_update(link.status, link.amount_paid, link.amount_credited, "AUTHORISED")

    def checks(self, document: Any, context: CheckContext) -> list[LedgerlinkError]:
        """Xero approves no bill without a due date; and Xero's classic export rule, when the
        connection asks for it: a bill carries the supplier's invoice number."""
        found = []
        if (
            document.status == "approved"
            and document.due_date is None
            and bills_approved(context.settings)
        ):
            found.append(
                LedgerlinkError(
                    "XERO_FIELD_REQUIRED",
                    "due_date is missing: Xero approves no bill without a due date, and this "
                    "connection sends approved expenses approved (settings.approve_bills, or "
                    "Sync inventory).",
                    field="due_date",
                    advice="Give the expense a due_date, or set settings.approve_bills to false "
                    "so approved expenses go to Xero awaiting approval.",
                )
            )
        return found + self._bill_number(document, context)

    def _bill_number(self, document: Any, context: CheckContext) -> list[LedgerlinkError]:
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
