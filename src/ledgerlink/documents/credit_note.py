"""A credit note, sales or supplier, and the allocations that apply it to invoices or bills."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from ledgerlink.documents.schemas import (
    AMOUNT_LIMIT,
    ContactRef,
    IsoDate,
    LinedDocument,
    Model,
    field_rule,
)

MAX_ALLOCATIONS = 100


class Allocation(Model):
    """Part of the credit applied to one invoice (a sales credit) or expense (a supplier one)."""

    document: str = Field(
        min_length=1,
        max_length=200,
        description="source_id of the invoice (sales credit note) or expense (supplier credit "
        "note) the credit pays off. Sent to Xero first if it is not there yet.",
    )
    amount: Decimal = Field(
        gt=0, lt=AMOUNT_LIMIT, decimal_places=2, allow_inf_nan=False, description="Amount."
    )
    date: IsoDate | None = Field(
        default=None, description="Allocation date; absent: the credit note's date."
    )
    kind: Literal["invoice", "expense", "order"] | None = Field(
        default=None,
        description="The kind of the document credited: absent, an invoice (sales credit "
        "note) or an expense (supplier one); order for a store order's invoice.",
    )


class CreditNote(LinedDocument):
    """A credit note; it becomes a Xero ACCRECCREDIT (sales) or ACCPAYCREDIT (supplier)."""

    type: Literal["sales", "supplier"] = Field(
        default="sales", description="sales: credit to a client; supplier: credit from one."
    )
    contact: ContactRef = Field(description="The client (sales) or supplier credited.")
    number: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="The credit note number, unique in Xero; absent: the source_id is used, "
        "so a lost reply can be found by it.",
    )
    reference: str | None = Field(default=None, max_length=255, description="Reference.")
    date: IsoDate = Field(description="Credit note date, YYYY-MM-DD.")
    status: Literal["draft", "sent", "voided"] = Field(
        default="draft",
        description="As invoices: draft is Xero DRAFT; sent is AUTHORISED (needed before it "
        "can be allocated); voided is VOIDED, or DELETED while a draft in Xero.",
    )
    credits_invoice: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Credit the whole invoice (or expense, for a supplier credit note) with "
        "this source_id: with no lines given, its lines, contact and currency are copied.",
    )
    allocations: list[Allocation] = Field(
        default_factory=list,
        max_length=MAX_ALLOCATIONS,
        description="Apply the credit to invoices or expenses; each becomes a Xero "
        "allocation once the credit note is sent (status sent).",
    )

    @model_validator(mode="after")
    def _rules(self) -> CreditNote:
        if self.allocations and self.status == "draft":
            raise field_rule(
                "allocations",
                "need the credit note sent: Xero allocates only approved credit notes",
                fix="Send the credit note with status sent, or leave allocations out.",
            )
        targets = [a.document for a in self.allocations]
        if len(targets) != len(set(targets)):
            raise field_rule("allocations", "name the same document twice: add the amounts up")
        self._refuse_discounts("a credit note", "Xero takes discounts on sales invoices only")
        self._check_total("credit note", self.status)
        return self
