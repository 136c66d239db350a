"""A product of the source app (an online store's catalogue entry); it becomes a Xero Item.

Xero keys items by their Code (at most 30 characters, unique in the organisation), and so does
ledgerlink: a product's source_id is its code. A tracked product (an inventory item in Xero)
names its inventory asset account and its cost-of-goods account; Xero then keeps its quantity
and cost itself, and its purchases post to the asset account, so it takes no purchase account.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from ledgerlink.documents.schemas import AMOUNT_LIMIT, Model, SourceId, field_rule


class ItemDetails(Model):
    """How the product is sold or bought: price, account and tax type (each optional)."""

    unit_price: Decimal | None = Field(
        default=None,
        gt=-AMOUNT_LIMIT,
        lt=AMOUNT_LIMIT,
        decimal_places=4,
        allow_inf_nan=False,
        description="Price per unit, at most 4 decimal places.",
    )
    account_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="Xero account code its sales (or purchases) post to.",
    )
    tax_type: str | None = Field(
        default=None, min_length=1, max_length=50, description="Xero tax type code."
    )


class Tracked(Model):
    """A tracked inventory item: Xero keeps its quantity on hand and its average cost."""

    inventory_asset_account_code: str = Field(
        min_length=1,
        max_length=10,
        description="The INVENTORY account holding its value (Xero's InventoryAssetAccountCode).",
    )
    cogs_account_code: str = Field(
        min_length=1,
        max_length=10,
        description="The cost of goods sold account its sales move cost to "
        "(Xero's PurchaseDetails.COGSAccountCode).",
    )


class Product(Model):
    """A product; it becomes a Xero Item (Products and Services) with the same code."""

    source_id: SourceId = Field(
        min_length=1,
        max_length=30,
        description="The product's code (SKU): Xero's Item Code, unique in the organisation. "
        "Order lines name the product by it (item_code).",
    )
    name: str = Field(min_length=1, max_length=50, description="The product's name in Xero.")
    description: str | None = Field(
        default=None, max_length=4000, description="Text for sales lines of this product."
    )
    purchase_description: str | None = Field(
        default=None, max_length=4000, description="Text for purchase lines of this product."
    )
    sales: ItemDetails | None = Field(default=None, description="How it is sold.")
    purchase: ItemDetails | None = Field(default=None, description="How it is bought.")
    tracked: Tracked | None = Field(
        default=None,
        description="Set for a tracked inventory item; absent: untracked (Xero's default).",
    )
    for_order: str | None = Field(
        default=None,
        max_length=200,
        description="Set by ledgerlink when 'Create Nonexistent Products' makes the product "
        "for an order line Xero had no item for: the order's source_id. Such a product is "
        "sent even where products are not (settings.not_sent).",
    )

    @model_validator(mode="after")
    def _tracked(self) -> Product:
        if self.tracked is not None and self.purchase and self.purchase.account_code:
            raise field_rule(
                "purchase.account_code",
                "is not taken for a tracked product: Xero posts its purchases to the "
                "inventory asset account",
                fix="Leave purchase.account_code out, or send the product untracked.",
            )
        return self
