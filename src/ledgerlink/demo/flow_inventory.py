"""An inventory app's flow (the inventory seed's Xero integration): customers and vendors become
Xero contacts (the same ones their invoices and bills use), stocked products tracked items, and
with "Sync Inventory" Xero moves quantities and average cost itself through the bills (sent
approved) and invoices that name them; selling more than Xero has is held until backorders are
allowed. Then the connection switches to "Post valuation entries" and stock movements become
balanced manual journals between accounts a person made in Xero.

Checked on the sandbox's side: one contact per customer and vendor, one item per product, each
tracked item's quantity on hand what the app bought less what it sold, one journal per movement
with debits equal to credits.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from ledgerlink.demo.flow_common import (
    calls,
    held,
    push_bulk,
    settle,
    show_error,
    verdict,
)
from ledgerlink.demo.stage import EngineApi, Stage
from ledgerlink.demo.two_way import person_in_xero

VALUATION_ASSET = "631"  # made by a person in Xero: a current asset, not Xero's INVENTORY type
ADJUSTMENTS = "488"
PRODUCTS = {"LAMP": Decimal("18.00"), "CHAIR": Decimal("45.00"), "DESK": Decimal("120.00")}
SYNC_INVENTORY = {
    "inventory_mode": "tracked",
    "tracked_inventory_asset_account": "630",
    "tracked_cogs_account": "310",
}


def contacts(customers: int, vendors: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    made = [
        {
            "source_id": f"cust-{n}",
            "name": f"Customer {n} Interiors",
            "email": f"orders@customer{n}.example",
            "sales_account_code": "200",
            "payment_terms": {"day": 14, "type": "days_after_invoice"},
        }
        for n in range(1, customers + 1)
    ]
    sellers = [
        {
            "source_id": f"vend-{n}",
            "name": f"Vendor {n} Wholesale",
            "email": f"sales@vendor{n}.example",
            "purchase_account_code": "400",
            "payment_terms": {"day": 20, "type": "of_following_month"},
        }
        for n in range(1, vendors + 1)
    ]
    return made, sellers


def products() -> list[dict[str, Any]]:
    return [
        {
            "source_id": code,
            "name": code.title(),
            "sales": {"unit_price": f"{cost * 2:.2f}", "account_code": "200"},
            "tracked": True,
        }
        for code, cost in PRODUCTS.items()
    ]


def _line(code: str, quantity: int, price: Decimal) -> dict[str, Any]:
    return {"item_code": code, "quantity": str(quantity), "unit_amount": f"{price:.2f}"}


def trade(
    rounds: int, vendors: int, customers: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Counter[str]]:
    """Bills buying each product, then invoices selling part of it; what stays on hand."""
    bills, sales = [], []
    on_hand: Counter[str] = Counter()
    for n in range(1, rounds + 1):
        code = list(PRODUCTS)[n % len(PRODUCTS)]
        bought, sold = 4 + n % 5, 1 + n % 4
        bills.append(
            {
                "source_id": f"bill-{n}",
                "supplier": {
                    "key": f"vend-{1 + n % vendors}",
                    "name": f"Vendor {1 + n % vendors} Wholesale",
                },
                "date": "2026-03-02",
                "due_date": "2026-03-20",
                "status": "approved",
                "reference": f"PO-{n}",
                "lines": [_line(code, bought, PRODUCTS[code])],
            }
        )
        sales.append(
            {
                "source_id": f"sale-{n}",
                "contact": {
                    "key": f"cust-{1 + n % customers}",
                    "name": f"Customer {1 + n % customers} Interiors",
                },
                "issue_date": "2026-03-10",
                "due_date": "2026-03-24",
                "status": "sent",
                "lines": [_line(code, sold, PRODUCTS[code] * 2)],
            }
        )
        on_hand[code] += bought - sold
    return bills, sales, on_hand


def movements(count: int) -> list[dict[str, Any]]:
    kinds = ("receipt", "issue", "adjustment", "write_off")
    return [
        {
            "source_id": f"mv-{n}",
            "type": kinds[n % 4],
            "date": "2026-03-20",
            "value": f"{-12 if kinds[n % 4] == 'adjustment' and n % 8 == 2 else 40 + n}.00",
            "item_code": list(PRODUCTS)[n % len(PRODUCTS)],
            "reference": f"GRN-{n}",
        }
        for n in range(1, count + 1)
    ]


def _settings(engine: EngineApi, **changes: Any) -> None:
    engine.call("PATCH", f"/connections/{engine.connection_id}/settings", json=changes)


def inventory_flow(stage: Stage, documents_wanted: int) -> int:
    engine, console = stage.engine, stage.console
    rounds = max(6, documents_wanted // 4)
    customers, vendors = max(3, rounds // 5), max(2, rounds // 10)
    _settings(engine, name="Furniture warehouse", **SYNC_INVENTORY)
    console.print(
        "[bold]4. Settings[/] Items tab: Sync Inventory (tracked items on 630, cost of goods "
        "sold 310); bills go approved so Xero moves the stock"
    )
    buyers, sellers = contacts(customers, vendors)
    console.print(f"[bold]5. Customers and vendors[/]: {len(buyers)} and {len(sellers)}")
    push_bulk(engine, "customer", buyers)
    push_bulk(engine, "supplier", sellers)
    console.print(f"[bold]6. Items[/]: {len(PRODUCTS)} stocked products become tracked items")
    push_bulk(engine, "product", products())
    settle(engine, console)
    bills, sales, on_hand = trade(rounds, vendors, customers)
    console.print(f"[bold]7. Bills[/] buying stock: {len(bills)}")
    push_bulk(engine, "expense", bills)
    settle(engine, console)
    console.print(f"[bold]8. Invoices[/] selling part of it: {len(sales)}, and one oversell")
    oversell = dict(sales[0], source_id="sale-oversell", lines=[_line("DESK", 500, Decimal(240))])
    push_bulk(engine, "invoice", [*sales, oversell])
    settle(engine, console)
    for item in held(engine, "invoice")[:1]:
        show_error(console, f"invoice {item['source_id']}", item.get("error"))
    stock = _check_stock(stage, on_hand)
    console.print("[bold]9. Post valuation entries[/]: the accounts a person made in Xero")
    with person_in_xero(stage.sandbox) as xero:
        for code, name, kind in (
            (VALUATION_ASSET, "Inventory at cost (valuation)", "CURRENT"),
            (ADJUSTMENTS, "Stock adjustments", "EXPENSE"),
        ):
            xero.put("/Accounts", json={"Code": code, "Name": name, "Type": kind})
    engine.call("POST", f"/connections/{engine.connection_id}/reference/refresh")
    _settings(
        engine,
        inventory_mode="valuation",
        inventory_asset_account=VALUATION_ASSET,
        inventory_cogs_account="310",
        inventory_adjustment_account=ADJUSTMENTS,
    )
    moved = movements(max(8, documents_wanted // 4))
    push_bulk(engine, "stock_movement", moved)
    settle(engine, console)
    return _summary(stage, stock, buyers, sellers, moved)


def _org(stage: Stage) -> Any:
    return next(o for o in stage.sandbox.state.orgs.values() if o.key == stage.tenant)


def _check_stock(stage: Stage, on_hand: Counter[str]) -> list[str]:
    items = {str(i.get("Code")): i for i in _org(stage).items.values()}
    problems = []
    for code in PRODUCTS:
        found = items.get(code, {})
        quantity = Decimal(str(found.get("QuantityOnHand", "0")))
        stage.console.print(
            f"  {code}: the app holds {on_hand[code]}, Xero's tracked item "
            f"{quantity:g} (cost pool {found.get('TotalCostPool')})",
            highlight=False,
        )
        if not found.get("IsTrackedAsInventory") or quantity != on_hand[code]:
            problems.append(f"item {code}: Xero holds {quantity}, the app {on_hand[code]}")
    return problems


def _summary(
    stage: Stage,
    problems: list[str],
    buyers: list[dict[str, Any]],
    sellers: list[dict[str, Any]],
    moved: list[dict[str, Any]],
) -> int:
    engine, console = stage.engine, stage.console
    org = _org(stage)
    names = Counter(str(c.get("Name")) for c in org.contacts.values())
    for contact in [*buyers, *sellers]:
        if names.get(contact["name"]) != 1:
            problems.append(f"contact {contact['name']}: {names.get(contact['name'], 0)} in Xero")
    journals = [j for j in org.manual_journals.values() if j.get("Status") == "POSTED"]
    for journal in journals:
        if sum(Decimal(str(x["LineAmount"])) for x in journal["JournalLines"]) != 0:
            problems.append(f"journal {journal.get('Narration')}: debits and credits differ")
    if len(journals) != len(moved):
        problems.append(f"{len(journals)} journals in Xero for {len(moved)} stock movements")
    left = [i for i in held(engine) if i["source_id"] != "sale-oversell"]
    problems += [f"{i['kind']} {i['source_id']} held: {i['error']}" for i in left[:5]]
    rows = [
        ("customers and vendors (one contact each)", len(buyers) + len(sellers)),
        ("tracked items (quantities as the app's)", len(PRODUCTS)),
        ("valuation journals (balanced, once each)", len(journals)),
        ("Xero API calls (all)", calls(engine)),
    ]
    return verdict(
        console,
        rows,
        problems,
        "Every contact and item is in Xero once, Xero's stock is the app's, and "
        "every movement is one balanced journal.",
    )
