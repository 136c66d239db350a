"""Products: a Xero Item (Products and Services), keyed by its Code.

Products go before everything else in a run (stage 0): an order line naming a product needs
the item in Xero first. Items have no status, Url or number: every write is ``POST /Items``,
which Xero matches to an existing item by its Code (and updates) or creates, so a product's
code is never made twice; a lost reply is settled by reading the items of those codes. Xero
sends no webhook for items and ledgerlink does not read them back (the item is the source's).

"Add Products to Xero" is the product kind being sent (``settings.not_sent`` without it). A
product that "Create Nonexistent Products" made for an order line (``for_order``) goes even
when products are not sent: the order needs it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ledgerlink.documents.product import ItemDetails, Product
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import CheckContext, DocumentKind, LinkView, Prepared, Record
from ledgerlink.mapping.status import Decision, Send

PATH = "/Items?summarizeErrors=false"
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
        for side, details, usage in (
            ("sales", document.sales, None),
            ("purchase", document.purchase, None),
        ):
            if details is not None and details.account_code:
                problems += _account(context, f"{side}.account_code", details.account_code, usage)
        tracked = document.tracked
        if tracked is not None:
            problems += _account(
                context,
                "tracked.inventory_asset_account_code",
                tracked.inventory_asset_account_code,
                "INVENTORY",
            )
            problems += _account(
                context, "tracked.cogs_account_code", tracked.cogs_account_code, None
            )
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
        purchase = _details(document.purchase, document.tracked)
        if purchase:
            body["PurchaseDetails"] = purchase
        if document.tracked is not None:
            body["InventoryAssetAccountCode"] = document.tracked.inventory_asset_account_code
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


def _details(details: ItemDetails | None, tracked: Any) -> Record:
    body: Record = {}
    if details is not None:
        if details.unit_price is not None:
            body["UnitPrice"] = details.unit_price
        if details.account_code and tracked is None:
            body["AccountCode"] = details.account_code
        if details.tax_type:
            body["TaxType"] = details.tax_type
    if tracked is not None:
        body["COGSAccountCode"] = tracked.cogs_account_code
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
