"""A purchase order: what the source app ordered from a supplier (a Xero PurchaseOrder)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from ledgerlink.documents.schemas import ContactRef, IsoDate, LinedDocument, field_rule


class PurchaseOrder(LinedDocument):
    """A purchase order; it becomes a Xero PurchaseOrder.

    Approved goes as SUBMITTED (Awaiting Approval) so the app may still change it; once in
    Xero it never goes back to DRAFT (a draft sent later stays SUBMITTED there, and says so).
    """

    supplier: ContactRef = Field(description="The supplier ordered from.")
    number: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="The app's purchase order number, unique in Xero; absent: the source_id "
        "is used, so a lost reply can be found by it.",
    )
    reference: str | None = Field(default=None, max_length=255, description="Reference.")
    date: IsoDate = Field(description="Order date, YYYY-MM-DD.")
    delivery_date: IsoDate | None = Field(
        default=None, description="Delivery date, YYYY-MM-DD, on or after date."
    )
    delivery_address: str | None = Field(default=None, max_length=500)
    attention_to: str | None = Field(default=None, max_length=255)
    telephone: str | None = Field(default=None, max_length=50)
    delivery_instructions: str | None = Field(
        default=None, max_length=500, description="At most 500 characters (Xero's limit)."
    )
    status: Literal["draft", "approved", "voided"] = Field(
        default="draft",
        description="draft: Xero DRAFT; approved: Xero SUBMITTED (Awaiting Approval), still "
        "editable; voided: Xero DELETED.",
    )

    @model_validator(mode="after")
    def _rules(self) -> PurchaseOrder:
        if self.delivery_date is not None and self.delivery_date < self.date:
            raise field_rule(
                "delivery_date", f"({self.delivery_date}) must be on or after date ({self.date})"
            )
        self._refuse_discounts("a purchase order", "Xero takes discounts on sales invoices only")
        cents = [
            i
            for i, line in enumerate(self.lines)
            if line.unit_amount != line.unit_amount.quantize(Decimal("0.01"))
        ]
        if cents:
            raise field_rule(
                f"lines[{cents[0]}].unit_amount",
                "has more than 2 decimal places: Xero keeps purchase order prices to the cent",
            )
        self._check_total("purchase order", self.status)
        return self
