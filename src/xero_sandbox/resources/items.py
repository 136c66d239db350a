"""Items (Xero's price list): GET/PUT/POST/DELETE /Items.

POST matches an existing item by ItemID, else by Code, and updates it; PUT only creates. An item
is tracked inventory when it has an InventoryAssetAccountCode (an INVENTORY account) and a
PurchaseDetails.COGSAccountCode; Xero then keeps QuantityOnHand and TotalCostPool itself
(resources/inventory.py), so those and IsTrackedAsInventory are read-only here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query, wire
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources import money
from xero_sandbox.resources.inventory import is_tracked, item_by_code
from xero_sandbox.resources.ref_common import find_record, flag, pick, text, too_long
from xero_sandbox.resources.rules import line_account_errors, tax_type_errors
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Org, Record, new_id

_DETAIL_KEYS = ("UnitPrice", "AccountCode", "COGSAccountCode", "TaxType")


def duplicate_code_message(code: str) -> str:
    return f"Price List Item with Code ''{code}'' already exists"


def _details(
    ctx: ApiContext, element: dict[str, Any], key: str, sales: bool
) -> tuple[Record | None, list[str]]:
    raw = pick(element, key)
    if raw is None:
        return None, []
    raw = wire.parse_object(raw, key)
    messages: list[str] = []
    details: Record = {}
    price = pick(raw, "UnitPrice")
    if price is not None:
        value = wire.parse_decimal(price, f"{key}.UnitPrice")
        if abs(value) >= money.LIMIT:
            messages.append(f"{key}.UnitPrice must be less than 1,000,000,000,000.")
        else:
            details["UnitPrice"] = value.quantize(
                Decimal(1).scaleb(-ctx.unitdp), rounding=ROUND_HALF_UP
            )
    document = "ACCREC" if sales else "ACCPAY"
    account = None
    for field in ("AccountCode", "COGSAccountCode"):
        code = text(raw, field, f"{key}.")
        if code is None or not code.strip():
            continue
        if field == "COGSAccountCode" and sales:
            continue
        problems = line_account_errors(ctx.org, code, document)
        messages += problems
        if not problems:
            details[field] = ctx.org.account_by_code(code)["Code"]  # type: ignore[index]
            account = account or ctx.org.account_by_code(code)
    tax = text(raw, "TaxType", f"{key}.")
    if tax:
        messages += tax_type_errors(ctx.org, tax, account)
        details["TaxType"] = tax.strip().upper()
    return details, messages


def _inventory_errors(org: Org, asset_code: str | None, cogs: str | None) -> list[str]:
    messages = []
    if asset_code:
        account = org.account_by_code(asset_code)
        if account is None or account.get("Type") != "INVENTORY":
            messages.append("The InventoryAssetAccountCode must be an account of type INVENTORY.")
        if not cogs:
            messages.append("A COGSAccountCode in PurchaseDetails is required for a tracked item.")
    elif cogs:
        messages.append(
            "COGSAccountCode can only be set on a tracked item, which needs an "
            "InventoryAssetAccountCode."
        )
    return messages


def _write(ctx: ApiContext, element: dict[str, Any], current: Record | None) -> Record:
    """Validate everything about one element, then create or update the item."""
    org = ctx.org
    code = text(element, "Code")
    name = text(element, "Name")
    messages: list[str] = []
    if current is None and (code is None or not code.strip()):
        messages.append("Item Code is required.")
    if code is not None:
        code = code.strip()
        messages += too_long(code, 30, "Code")
        other = item_by_code(org, code)
        if other is not None and other is not current:
            messages.append(duplicate_code_message(code))
    messages += too_long(name, 50, "Name")
    description = text(element, "Description")
    purchase_description = text(element, "PurchaseDescription")
    messages += too_long(description, 4000, "Description")
    messages += too_long(purchase_description, 4000, "PurchaseDescription")
    sales, problems = _details(ctx, element, "SalesDetails", True)
    messages += problems
    purchases, problems = _details(ctx, element, "PurchaseDetails", False)
    messages += problems
    asset = text(element, "InventoryAssetAccountCode")
    if asset is None and current is not None:
        asset = current.get("InventoryAssetAccountCode")
    cogs = (purchases or {}).get("COGSAccountCode")
    if purchases is None and current is not None:
        cogs = (current.get("PurchaseDetails") or {}).get("COGSAccountCode")
    messages += _inventory_errors(org, asset or None, cogs)
    if current is not None and is_tracked(current) and not (asset and cogs):
        # Xero converts a tracked item back to untracked only while it has not been used in a
        # transaction nor adjusted (help: Inventory_Convert); the API's message for the used
        # case is UNCONFIRMED.
        if Decimal(current.get("QuantityOnHand") or 0) != 0:
            messages.append("A tracked item with stock on hand cannot be made untracked.")
        elif _item_used(org, current):
            messages.append("A tracked item used in transactions cannot be made untracked.")
    if messages:
        raise errors.ElementErrors(messages)

    record: Record = current if current is not None else {"ItemID": new_id(), "IsSold": True}
    record.setdefault("IsPurchased", True)
    if code is not None:
        record["Code"] = code
    for key, value in (
        ("Name", name),
        ("Description", description),
        ("PurchaseDescription", purchase_description),
    ):
        if value is not None:
            record[key] = value
    if sales is not None:
        record["SalesDetails"] = sales
    if purchases is not None:
        record["PurchaseDetails"] = purchases
    if asset == "":
        record.pop("InventoryAssetAccountCode", None)
    elif asset:
        record["InventoryAssetAccountCode"] = org.account_by_code(asset)["Code"]  # type: ignore[index]
    _apply_flags(element, record)
    record["IsTrackedAsInventory"] = is_tracked(record)
    if record["IsTrackedAsInventory"]:
        record.setdefault("QuantityOnHand", Decimal("0.0000"))
        record.setdefault("TotalCostPool", Decimal("0.00"))
        record["PurchaseDetails"].pop("AccountCode", None)
    ctx.state.stamp(record)
    org.items[record["ItemID"]] = record
    return record


def _apply_flags(element: dict[str, Any], record: Record) -> None:
    """IsSold/IsPurchased false clear the details of that side, as the spec says."""
    for key, side, description in (
        ("IsSold", "SalesDetails", "Description"),
        ("IsPurchased", "PurchaseDetails", "PurchaseDescription"),
    ):
        value = flag(element, key)
        if value is None:
            continue
        record[key] = value
        if not value:
            record.pop(description, None)
            record.pop(side, None)


def present(ctx: ApiContext, item: Record) -> Record:
    """Unit prices are shown to 2 places unless the caller asks for ``unitdp=4``."""
    shown = dict(item)
    for side in ("SalesDetails", "PurchaseDetails"):
        details = item.get(side)
        if isinstance(details, dict):
            details = dict(details)
            if details.get("UnitPrice") is not None:
                details["UnitPrice"] = Decimal(details["UnitPrice"]).quantize(
                    Decimal(1).scaleb(-ctx.unitdp), rounding=ROUND_HALF_UP
                )
            shown[side] = details
    return shown


def _item_or_404(ctx: ApiContext) -> Record:
    ref = ctx.params["ItemID"]
    found = find_record(ctx.org.items, "ItemID", ref) or item_by_code(ctx.org, ref)
    if found is None:
        raise errors.NotFound()
    return found


def list_items(ctx: ApiContext) -> Response:
    records = query.modified_since(ctx, list(ctx.org.items.values()))
    records = query.where_filter(ctx, records)
    records = query.order_by(ctx, records, "Code")
    return envelope(ctx, "Items", [present(ctx, r) for r in records])


def get_item(ctx: ApiContext) -> Response:
    return envelope(ctx, "Items", [present(ctx, _item_or_404(ctx))])


def put_items(ctx: ApiContext) -> Response:
    return run_batch(
        ctx, "Items", "Item", lambda e: _write(ctx, e, None), present=lambda r: present(ctx, r)
    )


def _upsert(ctx: ApiContext, element: dict[str, Any]) -> Record:
    item_id = text(element, "ItemID")
    if item_id and item_id.strip():
        existing = find_record(ctx.org.items, "ItemID", item_id)
        if existing is None:
            raise errors.ElementErrors(
                [f"Item with ItemID '{item_id.strip()}' could not be found."]
            )
        return _write(ctx, element, existing)
    return _write(ctx, element, item_by_code(ctx.org, text(element, "Code")))


def post_items(ctx: ApiContext) -> Response:
    return run_batch(
        ctx, "Items", "Item", lambda e: _upsert(ctx, e), present=lambda r: present(ctx, r)
    )


def post_item(ctx: ApiContext) -> Response:
    item = _item_or_404(ctx)
    return run_batch(
        ctx, "Items", "Item", lambda e: _write(ctx, e, item), present=lambda r: present(ctx, r)
    )


def _item_used(org: Org, item: Record) -> bool:
    if item.get("_used"):
        return True
    code = str(item.get("Code", "")).lower()
    for collection in (org.invoices, org.credit_notes, org.purchase_orders):
        for document in collection.values():
            for line in document.get("LineItems") or []:
                if isinstance(line, dict) and str(line.get("ItemCode", "")).lower() == code:
                    return True
    return False


def delete_item(ctx: ApiContext) -> Response:
    item = _item_or_404(ctx)
    if is_tracked(item) and _item_used(ctx.org, item):
        shown = present(ctx, item)
        shown["ValidationErrors"] = [
            {
                "Message": f"The item '{item['Code']}' is a tracked inventory item that has been "
                "used in transactions and cannot be deleted."
            }
        ]
        raise errors.validation_exception([shown])
    del ctx.org.items[item["ItemID"]]
    return Response(status_code=204)


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/Items/{ItemID}", get_item),
    ApiRoute("POST", "/Items/{ItemID}", post_item),
    ApiRoute("DELETE", "/Items/{ItemID}", delete_item),
    ApiRoute("GET", "/Items", list_items),
    ApiRoute("PUT", "/Items", put_items),
    ApiRoute("POST", "/Items", post_items),
]
