"""A product of the source app (an online store's catalogue entry); it becomes a Xero Item.

Xero keys items by their Code (at most 30 characters, unique in the organisation), and so does
ledgerlink: a product's source_id is its code. A stocked product (``tracked``: true, or a block)
becomes a tracked inventory item in Xero on a connection that syncs inventory (inventory_mode
tracked), its inventory asset and cost-of-goods accounts taken from its block or else from the
connection (settings.tracked_inventory_asset_account, tracked_cogs_account); a block naming both
accounts makes it tracked on any connection. Xero then keeps its quantity and average cost
itself (ledgerlink never sends them), and its purchases post to the asset account, so it takes
no purchase account there.
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
    """A stocked product's tracked inventory item: Xero keeps its quantity on hand and its
    average cost. Each account it leaves out is the connection's."""

    inventory_asset_account_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="The INVENTORY account holding its value (Xero's "
        "InventoryAssetAccountCode); absent: the connection's "
        "settings.tracked_inventory_asset_account.",
    )
    cogs_account_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="The cost of goods sold account its sales move cost to (Xero's "
        "PurchaseDetails.COGSAccountCode); absent: the connection's settings.tracked_cogs_account "
        "(else inventory_cogs_account).",
    )

    def complete(self) -> bool:
        """Names both accounts: tracked on any connection, whatever its inventory mode."""
        return bool(self.inventory_asset_account_code and self.cogs_account_code)


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
    tracked: Tracked | bool | None = Field(
        default=None,
        description="Whether the product is stocked (the app counts its stock): true, or a block "
        "naming its Xero accounts. A stocked product becomes a tracked inventory item in Xero "
        "when the connection syncs inventory (inventory_mode tracked; accounts the block leaves "
        "out are the connection's tracked_inventory_asset_account and tracked_cogs_account), "
        "or on any connection when its block names both accounts; otherwise an untracked item. "
        "false or absent: not stocked, an untracked item. ledgerlink never untracks an item "
        "Xero tracks (such a product is held with ITEM_TRACKED_IN_XERO), and never sends "
        "quantities or costs: Xero counts a tracked item's stock from its bills, invoices and "
        "credit notes, from the day it is tracked.",
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
        complete = isinstance(self.tracked, Tracked) and self.tracked.complete()
        if complete and self.purchase and self.purchase.account_code:
            raise field_rule(
                "purchase.account_code",
                "is not taken for a tracked product: Xero posts its purchases to the "
                "inventory asset account",
                fix="Leave purchase.account_code out, or send the product untracked.",
            )
        return self
