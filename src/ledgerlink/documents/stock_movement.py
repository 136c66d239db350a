"""A stock movement recorded in an inventory app, with the value it moves."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from ledgerlink.documents.schemas import (
    AMOUNT_LIMIT,
    IsoDate,
    Model,
    SourceId,
    Url,
    field_rule,
)

MovementType = Literal["receipt", "issue", "adjustment", "write_off"]


class StockMovement(Model):
    """Goods received, issued (sold or used), counted up or down, or written off.

    With the connection's inventory mode "valuation" it becomes one balanced Xero manual
    journal: a receipt moves its value from cost of goods sold into the inventory asset, an
    issue the reverse, an adjustment between the inventory asset and the adjustment account
    (either way, by the sign of its value), a write-off out of the inventory asset into the
    adjustment account.
    """

    source_id: SourceId = Field(
        min_length=1,
        max_length=200,
        description="The inventory app's id for this movement; sending it again changes "
        "nothing, sending it changed changes its one journal.",
    )
    type: MovementType = Field(
        description="receipt (goods in), issue (goods out: sold or used), adjustment (a stock "
        "count), write_off (damaged or lost goods)."
    )
    date: IsoDate = Field(description="Date of the movement, YYYY-MM-DD (the journal's date).")
    value: Decimal = Field(
        gt=-AMOUNT_LIMIT,
        lt=AMOUNT_LIMIT,
        decimal_places=2,
        allow_inf_nan=False,
        description="The value it moves at cost, in the organisation's base currency. Positive; "
        "an adjustment may be negative (stock counted down).",
    )
    item_code: str | None = Field(
        default=None, max_length=30, description="The item moved (shown on the journal lines)."
    )
    quantity: Decimal | None = Field(
        default=None,
        gt=-AMOUNT_LIMIT,
        lt=AMOUNT_LIMIT,
        decimal_places=4,
        allow_inf_nan=False,
        description="How many moved (shown on the journal lines; Xero's journals carry no "
        "quantity).",
    )
    reference: str | None = Field(
        default=None, max_length=255, description="The app's reference (a receipt or order no.)."
    )
    url: Url = Field(
        default=None,
        description="Link to the movement in the inventory app (Xero shows it as 'Go to ...').",
    )
    status: Literal["posted", "voided"] = Field(
        default="posted",
        description="posted: the journal is posted; voided: cancelled in the app, so the "
        "journal is voided in Xero.",
    )

    @model_validator(mode="after")
    def _value_sign(self) -> StockMovement:
        if self.value == 0:
            raise field_rule("value", "must not be 0: a movement of no value posts nothing")
        if self.value < 0 and self.type != "adjustment":
            raise field_rule(
                "value", f"must be positive for a {self.type} (only an adjustment goes down)"
            )
        return self
