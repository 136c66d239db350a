"""A payment recorded in the source app against an invoice or an expense."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from ledgerlink.documents.schemas import AMOUNT_LIMIT, IsoDate, Model, SourceId


class PaidDocument(Model):
    """The document paid: an invoice or a store order (money in), an expense (money out), or a
    sales credit note (a refund: money out)."""

    kind: Literal["invoice", "expense", "order", "credit_note"] = Field(
        description="invoice, expense, order, or credit_note (a refund of its credit)."
    )
    source_id: str = Field(min_length=1, max_length=200, description="Its source_id.")


class Payment(Model):
    """A payment; it becomes a Xero Payment on the document's Xero invoice or bill."""

    source_id: SourceId = Field(
        min_length=1,
        max_length=200,
        description="The source app's id for this payment; sending it again changes nothing "
        "(Xero payments cannot be edited: delete it and record a new one).",
    )
    document: PaidDocument = Field(description="What is paid; sent to Xero first if needed.")
    amount: Decimal = Field(
        gt=0,
        lt=AMOUNT_LIMIT,
        decimal_places=2,
        allow_inf_nan=False,
        description="Amount paid, at most what is still due.",
    )
    date: IsoDate = Field(description="Payment date, YYYY-MM-DD.")
    account_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="The bank account (or an account with payments enabled) it was paid "
        "into or from; absent: the connection's payment_account_code.",
    )
    reference: str | None = Field(default=None, max_length=255, description="Reference.")
    status: Literal["recorded", "deleted"] = Field(
        default="recorded",
        description="recorded: in Xero as a payment; deleted: removed in the source, so "
        "deleted in Xero.",
    )
