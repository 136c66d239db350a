"""A store order (an online-store hub's sale), with its payments; it becomes a sales invoice.

Lines name products by their code (``item_code``: the Xero item); shipping and discounts are
lines too, marked ``charge``, posted to the connection's shipping or discount account when the
line names none. A paid order carries the payments the customer made: each becomes a Xero
payment on the invoice, into the store's clearing or bank account.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ledgerlink.documents.schemas import (
    AMOUNT_LIMIT,
    MAX_LINES,
    ContactRef,
    IsoDate,
    Line,
    LinedDocument,
    Model,
    SourceId,
    field_rule,
)

MAX_PAYMENTS = 20
STATUS = ("draft", "placed", "paid", "cancelled")


class OrderLine(Line):
    """One line of an order: a product sold, or the order's shipping or discount."""

    product_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="The product's name: the Xero item made for item_code under Create "
        "Nonexistent Products is called so (absent: the description).",
    )
    stocked: bool | None = Field(
        default=None,
        description="The line's product is stocked (the app counts its stock): the product "
        "Create Nonexistent Products makes for item_code is then stocked too (tracked: true), "
        "a tracked item in Xero when the connection syncs inventory. Absent or false: an "
        "untracked item, as a product a store sells without counting is.",
    )
    charge: Literal["shipping", "discount"] | None = Field(
        default=None,
        description="shipping or discount: the order's shipping charge, or its discount (a "
        "negative unit_amount); posted to the connection's shipping_account_code or "
        "discount_account_code when the line names no account_code.",
    )

    @model_validator(mode="after")
    def _charge(self) -> OrderLine:
        if self.charge is not None and self.item_code is not None:
            raise field_rule("item_code", "is not taken on a shipping or discount line")
        if self.stocked and self.item_code is None:
            raise field_rule(
                "stocked",
                "is only taken on a line naming a product",
                fix="Give the line its item_code, or leave stocked out.",
            )
        return self


class OrderPayment(Model):
    """Money the customer paid for the order."""

    amount: Decimal = Field(
        gt=0, lt=AMOUNT_LIMIT, decimal_places=2, allow_inf_nan=False, description="Amount paid."
    )
    date: IsoDate = Field(description="Payment date, YYYY-MM-DD.")
    reference: str | None = Field(
        default=None, max_length=255, description="The payment's reference (a transaction id)."
    )
    account_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="The clearing or bank account paid into; absent: the connection's "
        "payment_account_code (the store's Account Nominal Code).",
    )


class OrderRefund(Model):
    """Money given back to the customer: a credit note for the order (and, on a paid order,
    the refund paid out of the clearing account)."""

    amount: Decimal = Field(
        gt=0,
        lt=AMOUNT_LIMIT,
        decimal_places=2,
        allow_inf_nan=False,
        description="Amount refunded, tax included.",
    )
    date: IsoDate = Field(description="Refund date, YYYY-MM-DD.")
    reason: str | None = Field(
        default=None, max_length=255, description="Why (the credit note's line and reference)."
    )
    account_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="Account the credit posts to; absent: the connection's default revenue "
        "account.",
    )


OrderLines = Annotated[
    list[OrderLine],
    Field(min_length=1, max_length=MAX_LINES, description=f"1 to {MAX_LINES} lines."),
]


class Order(LinedDocument):
    """A store order; it becomes an ACCREC invoice in Xero, its payments Xero payments."""

    source_id: SourceId = Field(
        min_length=1,
        max_length=150,
        description="The store's id for this order; sending it again updates it.",
    )
    number: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="The store's order number, the invoice number in Xero; absent: the "
        "connection's invoice sequence, else Xero's.",
    )
    customer: ContactRef = Field(description="The customer who ordered.")
    date: IsoDate = Field(description="Order date, YYYY-MM-DD.")
    due_date: IsoDate | None = Field(
        default=None, description="Payment due date, on or after date; absent: the order date."
    )
    status: Literal["draft", "placed", "paid", "cancelled"] = Field(
        default="placed",
        description="draft: Xero DRAFT; placed: AUTHORISED (awaiting payment); paid: "
        "AUTHORISED with its payments recorded; cancelled: VOIDED (DELETED while a draft).",
    )
    reference: str | None = Field(default=None, max_length=255, description="Reference.")
    lines: OrderLines  # type: ignore[assignment]  # its lines are Lines with more fields
    payments: list[OrderPayment] = Field(
        default_factory=list,
        max_length=MAX_PAYMENTS,
        description="What the customer paid (needed when status is paid); each becomes a Xero "
        "payment on the invoice, once.",
    )

    refunds: list[OrderRefund] = Field(
        default_factory=list,
        max_length=MAX_PAYMENTS,
        description="Money given back: each becomes a sales credit note (sent), applied to the "
        "order's invoice while it is unpaid, or paid out of the clearing account (a refund "
        "payment on the credit note) once the order is paid.",
    )

    @model_validator(mode="after")
    def _rules(self) -> Order:
        if self.due_date is not None and self.due_date < self.date:
            raise field_rule(
                "due_date", f"({self.due_date}) must be on or after date ({self.date})"
            )
        if self.status == "paid" and not self.payments:
            raise field_rule(
                "payments",
                "are needed for a paid order: the amount and date the customer paid",
                fix="Send the order's payments, or send it as placed.",
            )
        for name in ("payments", "refunds"):
            if getattr(self, name) and self.status in ("draft", "cancelled"):
                raise field_rule(
                    name,
                    f"are not taken on a {self.status} order: Xero records payments and "
                    "credits only on approved invoices",
                )
        self._check_total("order", "voided" if self.status == "cancelled" else self.status)
        return self
