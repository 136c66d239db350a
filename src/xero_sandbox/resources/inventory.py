"""Items on document lines: line defaults and tracked-inventory stock movements.

An item is tracked when it has an InventoryAssetAccountCode (an INVENTORY account) and a
PurchaseDetails.COGSAccountCode. Xero keeps its QuantityOnHand and its TotalCostPool (value on
hand) by average cost: a bill adds the quantity and the line's net cost, a sale removes the
quantity at the current average cost. Selling more than is on hand is refused unless the
caller passes ``allowBackorders``.

Lines are the stored line records of the document (ItemCode, Quantity, LineAmount, TaxAmount
as Decimals). The cost removed by a sale is remembered on the line (``_CostOfSale``) so that a
void reverses exactly what was taken.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from xero_sandbox.state import Org, Record

CENT = Decimal("0.01")
_BUYS = ("ACCPAY", "ACCRECCREDIT")
_SELLS = ("ACCREC", "ACCPAYCREDIT")


def _decimal(value: Any) -> Decimal:
    if value is None or isinstance(value, bool):
        return Decimal(0)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def item_by_code(org: Org, code: Any) -> Record | None:
    """Item codes match without regard to case or surrounding spaces."""
    if code is None:
        return None
    wanted = str(code).strip().lower()
    if not wanted:
        return None
    return next(
        (i for i in org.items.values() if str(i.get("Code", "")).strip().lower() == wanted), None
    )


def is_tracked(item: Record) -> bool:
    purchase = item.get("PurchaseDetails") or {}
    return bool(item.get("InventoryAssetAccountCode")) and bool(purchase.get("COGSAccountCode"))


def line_defaults(org: Org, item: Record, sales: bool) -> dict[str, Any]:
    """What a line naming this item takes from it when the line leaves a field out.

    A tracked item's purchases post to its inventory asset account, not an expense account.
    """
    details = (item.get("SalesDetails") if sales else item.get("PurchaseDetails")) or {}
    description = item.get("Description") if sales else item.get("PurchaseDescription")
    if not sales and not description:
        description = item.get("Description")
    account = details.get("AccountCode")
    if not sales and is_tracked(item):
        account = item.get("InventoryAssetAccountCode")
    defaults = {
        "Description": description,
        "UnitAmount": details.get("UnitPrice"),
        "AccountCode": account,
        "TaxType": details.get("TaxType"),
    }
    return {k: v for k, v in defaults.items() if v not in (None, "")}


def _tracked_quantities(org: Org, lines: list[dict[str, Any]]) -> dict[str, Decimal]:
    wanted: dict[str, Decimal] = {}
    for line in lines:
        item = item_by_code(org, line.get("ItemCode"))
        if item is None or not is_tracked(item):
            continue
        wanted[item["ItemID"]] = wanted.get(item["ItemID"], Decimal(0)) + _decimal(
            line.get("Quantity")
        )
    return wanted


def stock_errors(
    org: Org, invoice_type: str, lines: list[dict[str, Any]], allow_backorders: bool
) -> list[str]:
    """Refuse a sale (or a return to a supplier) that takes more than is on hand."""
    if allow_backorders or invoice_type not in _SELLS:
        return []
    messages = []
    for item_id, quantity in _tracked_quantities(org, lines).items():
        item = org.items[item_id]
        on_hand = _decimal(item.get("QuantityOnHand"))
        if quantity > on_hand:
            messages.append(
                f"The quantity on hand for item '{item['Code']}' is insufficient: "
                f"{on_hand} on hand, {quantity} required. Use allowBackorders to sell more "
                "than is on hand."
            )
    return messages


def _net_cost(line: dict[str, Any], tax_inclusive: bool) -> Decimal:
    amount = _decimal(line.get("LineAmount"))
    if tax_inclusive:
        amount -= _decimal(line.get("TaxAmount"))
    return amount


def _average_cost(item: Record, quantity: Decimal, removing: bool) -> Decimal:
    on_hand = _decimal(item.get("QuantityOnHand"))
    pool = _decimal(item.get("TotalCostPool"))
    if on_hand <= 0:
        return Decimal(0)
    if removing and quantity >= on_hand:
        return pool
    return (pool / on_hand * quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def apply_stock(
    org: Org,
    invoice_type: str,
    lines: list[dict[str, Any]],
    sign: int,
    *,
    tax_inclusive: bool = False,
) -> None:
    """Move stock for an approved document (``sign`` 1) or reverse it (``sign`` -1).

    Buys (ACCPAY, and a customer credit taking goods back) add quantity; sells (ACCREC, and a
    supplier credit returning goods) remove it. Purchase-side documents move the line's net
    cost, sales-side documents move the average cost. Pass
    ``tax_inclusive`` when the document's LineAmountTypes is Inclusive so the cost excludes tax.
    """
    if invoice_type not in _BUYS and invoice_type not in _SELLS:
        return
    for line in lines:
        item = item_by_code(org, line.get("ItemCode"))
        if item is None or not is_tracked(item):
            continue
        quantity = _decimal(line.get("Quantity"))
        on_hand = _decimal(item.get("QuantityOnHand"))
        pool = _decimal(item.get("TotalCostPool"))
        buying = invoice_type in _BUYS
        if invoice_type in ("ACCPAY", "ACCPAYCREDIT"):
            cost = _net_cost(line, tax_inclusive)
        elif sign > 0:
            cost = _average_cost(item, quantity, removing=not buying)
            line["_CostOfSale"] = cost
        else:
            cost = _decimal(line.get("_CostOfSale", _average_cost(item, quantity, not buying)))
        direction = (1 if buying else -1) * sign
        item["QuantityOnHand"] = on_hand + direction * quantity
        item["TotalCostPool"] = (pool + direction * cost).quantize(CENT, rounding=ROUND_HALF_UP)
        item["_used"] = True
