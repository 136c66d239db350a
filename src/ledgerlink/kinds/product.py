"""Products: a Xero Item (Products and Services), keyed by its Code.

Products go before everything else in a run (stage 0): an order line naming a product needs
the item in Xero first. Items have no status, Url or number: every write is ``POST /Items``,
which Xero matches to an existing item by its Code (and updates) or creates, so a product's
code is never made twice; a lost reply is settled by reading the items of those codes. Xero
sends no webhook for items and ledgerlink does not read them back (the item is the source's).

A stocked product (``tracked``) is a tracked item when the connection syncs inventory (its
accounts from the product, else the connection's tracked_inventory_asset_account and
tracked_cogs_account: TRACKED_ITEM_ACCOUNT_MISSING before any call when neither names one) or
when it names both accounts. Xero converts an untracked item to tracked on such a write and
counts its stock from then on (it cannot backdate tracking: stock bought before is entered in
Xero as an opening balance); it lets a tracked item go back to untracked only while it has not
been used, so ledgerlink never asks it to: a product that is not tracked on an item Xero tracks
is held with ITEM_TRACKED_IN_XERO. QuantityOnHand and TotalCostPool are Xero's and never sent.
A product already in Xero when the connection starts syncing inventory is converted at its next
version (the settings are not part of a product's content, so an unchanged product is not sent
again).

"Add Products to Xero" is the product kind being sent (``settings.not_sent`` without it). A
product that "Create Nonexistent Products" made for an order line (``for_order``) goes even
when products are not sent: the order needs it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ledgerlink.documents.product import ItemDetails, Product, Tracked
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import CheckContext, DocumentKind, LinkView, Prepared, Record
from ledgerlink.mapping.status import Decision, Send
from ledgerlink.store.connection_settings import tracked_item_accounts

PATH = "/Items?summarizeErrors=false"
# The connection's accounts for the tracked items made from stocked products, and the account
# types each is offered from (an inventory asset must be Xero's INVENTORY type).
TRACKED_ACCOUNT_TYPES = {
    "tracked_inventory_asset_account": frozenset({"INVENTORY"}),
    "tracked_cogs_account": frozenset({"DIRECTCOSTS", "EXPENSE"}),
}
WHERE_CODES = 25
LIVE = "ACTIVE"  # items have no status in Xero: what a product's link says once it is there


class ProductKind(DocumentKind):
    name = "product"
    model = Product
    schema_name = "Product"
    noun = "product"
    settings_tab = "items"
    resource = "Items"
    id_field = "ItemID"
    number_field = "Code"
    stage = 0
    has_lines = False
    read_by = "where"
    numbering = "source_id"
    polled = False
    has_date = False
    # Its records are reference data too: an order's check finds a product just sent there.
    reference_list = "items"

    def xero_type(self, document: Any) -> str:
        return "ITEM"

    def deep_link_kind(self, link_type: str | None) -> str:
        return "ITEM"

    def sent_regardless(self, document: Any) -> bool:
        return document.for_order is not None

    def known_in_xero(self, source_id: str, reference: Any) -> LinkView | None:
        """The organisation's item with this code, from the cached items (made by a person in
        Xero, or by an earlier send)."""
        found = reference.item(source_id) if reference is not None else None
        if not found or not found.get("ItemID"):
            return None
        return LinkView(str(found["ItemID"]), LIVE, None, None, None, {"code": found.get("Code")})

    def unitdp_of(self, document: Any) -> int:
        prices = [d.unit_price for d in (document.sales, document.purchase) if d and d.unit_price]
        return 4 if any(p != round(p, 2) for p in prices) else 2

    def wanted_status(self, document: Any) -> str:
        return LIVE

    def decide(self, document: Any, link: LinkView | None) -> Decision:
        return Send(LIVE)

    def checks(self, document: Any, context: CheckContext) -> list[LedgerlinkError]:
        problems: list[LedgerlinkError] = []
        accounts = item_accounts(document, context.settings)
        # a tracked item's purchases post to its inventory asset: its own is not sent
        bought = document.purchase if accounts is None else None
        for side, details in (("sales", document.sales), ("purchase", bought)):
            if details is not None and details.account_code:
                problems += _account(context, f"{side}.account_code", details.account_code, None)
        if accounts is not None:
            problems += _tracked_accounts(document, context, accounts)
        else:
            problems += _tracked_in_xero(document, context)
        return problems

    def write_target(self, update: bool, gone: bool, unitdp: int, link: Any) -> tuple[str, str]:
        return "POST", PATH + ("&unitdp=4" if unitdp == 4 else "")

    def to_xero(self, document: Any, prepared: Prepared) -> Record:
        body: Record = {"Code": document.source_id, "Name": document.name}
        if prepared.existing is not None:
            body["ItemID"] = prepared.existing.xero_id
        if document.description is not None:
            body["Description"] = document.description
        if document.purchase_description is not None:
            body["PurchaseDescription"] = document.purchase_description
        if document.sales is not None:
            body["SalesDetails"] = _details(document.sales, None)
        accounts = item_accounts(document, prepared.settings or {})
        purchase = _details(document.purchase, accounts)
        if purchase:
            body["PurchaseDetails"] = purchase
        if accounts is not None:
            body["InventoryAssetAccountCode"] = accounts[0]
        return body

    def link_values(self, record: Record) -> dict[str, Any]:
        return {
            "xero_id": record.get("ItemID"),
            "xero_status": LIVE,
            "xero_number": record.get("Code"),
            "xero_type": "ITEM",
        }

    def lookup_queries(self, sent: Sequence[Record]) -> list[tuple[str, dict[str, str]]]:
        codes = sorted({str(e.get("Code") or "") for e in sent} - {""})
        return [
            ("/Items", {"where": " OR ".join(f"Code=={json.dumps(c)}" for c in chunk)})
            for chunk in (codes[i : i + WHERE_CODES] for i in range(0, len(codes), WHERE_CODES))
        ]

    def matches(self, sent: Record, found: Record) -> bool:
        code = str(sent.get("Code") or "")
        return bool(code) and str(found.get("Code") or "").casefold() == code.casefold()


def item_accounts(document: Any, settings: Mapping[str, Any]) -> tuple[str, str] | None:
    """(inventory asset, cost of goods sold) when the product goes to Xero as a tracked item
    on a connection with these stored settings, None when it goes untracked; an account left
    to a connection that names none is "" (its check holds the product)."""
    tracked = document.tracked
    if tracked is None or tracked is False:
        return None
    block = tracked if isinstance(tracked, Tracked) else Tracked()
    if not block.complete() and settings.get("inventory_mode") != "tracked":
        return None
    asset, cogs = tracked_item_accounts(settings)
    return (
        block.inventory_asset_account_code or asset or "",
        block.cogs_account_code or cogs or "",
    )


def _tracked_accounts(
    document: Any, context: CheckContext, accounts: tuple[str, str]
) -> list[LedgerlinkError]:
    block = document.tracked if isinstance(document.tracked, Tracked) else Tracked()
    problems: list[LedgerlinkError] = []
    for code, own, setting, usage in (
        (
            accounts[0],
            block.inventory_asset_account_code,
            "tracked_inventory_asset_account",
            "INVENTORY",
        ),
        (accounts[1], block.cogs_account_code, "tracked_cogs_account", None),
    ):
        if not code:
            problems.append(_missing(document, setting))
            continue
        own_field = "inventory_asset_account_code" if usage else "cogs_account_code"
        field = f"tracked.{own_field}" if own else f"settings.{setting}"
        problems += _account(context, field, code, usage)
    return problems


def _missing(document: Any, setting: str) -> LedgerlinkError:
    what = "an INVENTORY" if setting.endswith("asset_account") else "a cost of goods sold"
    return LedgerlinkError(
        "TRACKED_ITEM_ACCOUNT_MISSING",
        f"settings.{setting} is not set: product '{document.source_id}' is stocked and the "
        f"connection syncs inventory, so it becomes a tracked item in Xero, which needs {what} "
        "account. Choose one under Edit connection, Inventory, or name it in the product's "
        "tracked block.",
        field=f"settings.{setting}",
    )


def _tracked_in_xero(document: Any, context: CheckContext) -> list[LedgerlinkError]:
    """Xero untracks an item only while it is unused, and its stock figures are its own:
    ledgerlink leaves a tracked item tracked, so a product saying otherwise is held."""
    found = context.reference.item(document.source_id) if context.reference is not None else None
    if not found or not found.get("IsTrackedAsInventory"):
        return []
    held = found.get("QuantityOnHand")
    on_hand = f" ({held} on hand when last read)" if held is not None else ""
    return [
        LedgerlinkError(
            "ITEM_TRACKED_IN_XERO",
            f"product '{document.source_id}' is a tracked inventory item in Xero{on_hand}, but "
            "the product is not stocked here (tracked is absent or false, or the connection does "
            "not sync inventory): ledgerlink never untracks an item, whose quantity and cost "
            "are Xero's.",
            field="tracked",
        )
    ]


def _details(details: ItemDetails | None, accounts: tuple[str, str] | None) -> Record:
    body: Record = {}
    if details is not None:
        if details.unit_price is not None:
            body["UnitPrice"] = details.unit_price
        if details.account_code and accounts is None:
            body["AccountCode"] = details.account_code
        if details.tax_type:
            body["TaxType"] = details.tax_type
    if accounts is not None:
        body["COGSAccountCode"] = accounts[1]
    return body


def _account(
    context: CheckContext, field: str, code: str, account_type: str | None
) -> list[LedgerlinkError]:
    account = context.reference.account(code) if context.reference is not None else None
    if account is None or account.get("Status", "ACTIVE") != "ACTIVE":
        return [
            LedgerlinkError(
                "XERO_ACCOUNT_CODE_INVALID",
                f"{field} '{code}' is not an active account in the organisation.",
                field=field,
            )
        ]
    if account_type == "INVENTORY" and account.get("Type") != "INVENTORY":
        return [
            LedgerlinkError(
                "XERO_ACCOUNT_CODE_INVALID",
                f"{field} '{code}' ({account.get('Name')}) is not an INVENTORY account: Xero "
                "keeps a tracked item's value in one.",
                field=field,
            )
        ]
    return []


KIND = ProductKind()
