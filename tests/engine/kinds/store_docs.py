"""Store documents (products and orders) for the store tests, and readers of what the sandbox
holds for them: its items, its invoices and payments (the only truth about "once")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.engine.kinds.conftest import live, org
from tests.engine.sync.conftest import SyncHarness

CLEARING = "090"  # the store's clearing account: the demo organisation's bank account


def product(n: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": f"SKU-{n:04d}",
        "name": f"Product {n}",
        "description": f"Product {n}, boxed",
        "sales": {"unit_price": f"{10 + n % 40}.50", "account_code": "200", "tax_type": "OUTPUT"},
    }
    data.update(changes)
    return data


def order_line(n: int, quantity: int = 1) -> dict[str, Any]:
    """A line selling product ``n`` (named so a product made from it has its name)."""
    return {
        "item_code": f"SKU-{n:04d}",
        "product_name": f"Product {n}",
        "description": f"Product {n}, boxed",
        "quantity": str(quantity),
        "unit_amount": f"{10 + n % 40}.50",
    }


def order(n: int, products: list[int], *, paid: bool = False, **changes: Any) -> dict[str, Any]:
    lines = [order_line(p, 1 + (n + p) % 3) for p in products]
    data: dict[str, Any] = {
        "source_id": f"ord-{n}",
        "number": f"WEB-{n:05d}",
        "customer": {"key": f"cust-{n % 25}", "name": f"Customer {n % 25}"},
        "date": "2026-03-04",
        "amounts_are": "inclusive",
        "status": "placed",
        "lines": lines,
    }
    if paid:
        data["status"] = "paid"
        data["payments"] = [{"amount": str(order_total(data)), "date": "2026-03-04"}]
    data.update(changes)
    return data


def order_total(data: dict[str, Any]) -> Decimal:
    """A tax-inclusive order's total: its lines' amounts as given (what the store charged)."""
    return sum(
        (
            (Decimal(x.get("quantity", "1")) * Decimal(x["unit_amount"])).quantize(Decimal("0.01"))
            for x in data["lines"]
        ),
        Decimal(0),
    )


def items(harness: SyncHarness) -> dict[str, dict[str, Any]]:
    """The organisation's items by code."""
    return {str(i["Code"]): dict(i) for i in list(org(harness).items.values())}


def store_invoices(harness: SyncHarness) -> list[dict[str, Any]]:
    """Live ACCREC invoices numbered as the store's orders are (WEB-...)."""
    return [
        r
        for r in live(org(harness).invoices)
        if str(r.get("InvoiceNumber", "")).startswith("WEB-") and r.get("Status") != "VOIDED"
    ]


def store_payments(harness: SyncHarness) -> list[dict[str, Any]]:
    """Live payments on the store's invoices."""
    ours = {r["InvoiceID"] for r in store_invoices(harness)}
    return [p for p in live(org(harness).payments) if p.get("_document") in ours]


def connect_store(harness: SyncHarness, **settings: Any) -> None:
    """The connection's store settings (clearing account, options)."""
    from ledgerlink.sync.directions import save_settings

    save_settings(
        harness.factory,
        harness.workspace_id,
        harness.connection_id,
        {"payment_account_code": CLEARING, **settings},
    )
