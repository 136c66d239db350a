"""An online-store hub's flow (the store seed's "accounting channel"): the catalogue goes to Xero
as items ("Add Products to Xero"), orders become sales invoices, paid ones paid into the store's
clearing account ("Account Nominal Code"), shipping and discounts on their own accounts, refunds
as credit notes. A third of the products the orders sell are not in Xero: with "Create
Nonexistent Products" off their orders are held with the product named; switched on, each
missing item is made once and the held orders go by themselves.

Checked on the sandbox's side: one item per product code, one invoice per order, paid orders
PAID with one payment each, one credit note per refund.
"""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from typing import Any

from ledgerlink.demo.flow_common import (
    calls,
    documents,
    held,
    once_by_link,
    push_bulk,
    settle,
    settle_kinds,
    show_error,
    verdict,
)
from ledgerlink.demo.stage import EngineApi, Stage

CLEARING = "090"  # the store's clearing account: the demo organisation's bank account
SHIPPING = "260"  # Other Revenue
CENT = Decimal("0.01")


def _price(n: int) -> str:
    return f"{12 + (n * 7) % 60}.95"


def products(count: int) -> list[dict[str, Any]]:
    return [
        {
            "source_id": f"SKU-{n:04d}",
            "name": f"Garden tool {n}",
            "description": f"Garden tool {n}, boxed",
            "sales": {"unit_price": _price(n), "account_code": "200", "tax_type": "OUTPUT"},
        }
        for n in range(1, count + 1)
    ]


def _line(n: int, quantity: int) -> dict[str, Any]:
    return {
        "item_code": f"SKU-{n:04d}",
        "product_name": f"Garden tool {n}",
        "description": f"Garden tool {n}, boxed",
        "quantity": str(quantity),
        "unit_amount": _price(n),
    }


def _total(order: dict[str, Any]) -> Decimal:
    return sum(
        (
            (Decimal(x.get("quantity", "1")) * Decimal(x["unit_amount"])).quantize(CENT)
            for x in order["lines"]
        ),
        Decimal(0),
    )


def orders(count: int, catalogue: int, seed: int = 5) -> list[dict[str, Any]]:
    """``count`` orders over product codes 1..``catalogue``: half paid, a quarter with shipping,
    one in ten with a discount, a few refunded."""
    rng = random.Random(seed)
    made = []
    for n in range(1, count + 1):
        picked = rng.sample(range(1, catalogue + 1), k=min(catalogue, rng.randint(1, 3)))
        order: dict[str, Any] = {
            "source_id": f"ord-{n:05d}",
            "number": f"WEB-{n:05d}",
            "customer": {"key": f"shopper-{n % 60}", "name": f"Shopper {n % 60}"},
            "date": "2026-03-04",
            "amounts_are": "inclusive",
            "status": "placed",
            "lines": [_line(p, rng.randint(1, 3)) for p in picked],
        }
        if n % 4 == 0:
            order["lines"].append(
                {"description": "Shipping", "unit_amount": "9.95", "charge": "shipping"}
            )
        if n % 10 == 0:
            order["lines"].append(
                {"description": "Spring sale", "unit_amount": "-5.00", "charge": "discount"}
            )
        if n % 2 == 0:
            order["status"] = "paid"
            order["payments"] = [
                {"amount": str(_total(order)), "date": "2026-03-05", "reference": f"txn-{n}"}
            ]
        if n % 25 == 0:
            order["refunds"] = [{"amount": "5.00", "date": "2026-03-09", "reason": "Damaged box"}]
        made.append(order)
    return made


def _settings(engine: EngineApi, **changes: Any) -> None:
    engine.call("PATCH", f"/connections/{engine.connection_id}/settings", json=changes)


def store_flow(stage: Stage, documents_wanted: int) -> int:
    engine, console = stage.engine, stage.console
    catalogue = max(9, documents_wanted * 3 // 10)
    in_catalogue = catalogue * 2 // 3  # a third of what the orders sell is not in Xero
    order_count = max(10, documents_wanted - in_catalogue)
    _settings(
        engine,
        name="Garden store",
        payment_account_code=CLEARING,
        shipping_account_code=SHIPPING,
        create_nonexistent_products=False,
    )
    console.print(
        f"[bold]4. Accounting channel[/] 'Garden store': Account Nominal Code {CLEARING}, "
        f"shipping to {SHIPPING}, Add Products to Xero on, Create Nonexistent Products off"
    )
    console.print(f"[bold]5. Add Products to Xero[/]: {in_catalogue} of {catalogue} products")
    push_bulk(engine, "product", products(in_catalogue))
    settle(engine, console)
    made = orders(order_count, catalogue)
    console.print(f"[bold]6. Orders[/]: {len(made)} (half paid, some shipped, a few refunded)")
    push_bulk(engine, "order", made)
    settle_kinds(engine, ["product", "order"])  # the held orders' payments wait for them
    waiting = held(engine, "order")
    console.print(f"  {len(waiting)} orders held: they sell products Xero does not have")
    for item in waiting[:1]:
        show_error(console, f"order {item['source_id']}", item.get("error"))
    console.print(
        "[bold]7. Create Nonexistent Products[/] switched on: each missing item is made once, "
        "from the order line, and the held orders go by themselves"
    )
    _settings(engine, create_nonexistent_products=True)
    settle(engine, console)
    return _check(stage, made, catalogue)


def _check(stage: Stage, made: list[dict[str, Any]], catalogue: int) -> int:
    engine, console = stage.engine, stage.console
    org = next(o for o in stage.sandbox.state.orgs.values() if o.key == stage.tenant)
    sold = {line["item_code"] for o in made for line in o["lines"] if line.get("item_code")}
    codes = Counter(str(i.get("Code")) for i in org.items.values())
    problems = [f"item {c}: {codes.get(c, 0)} in Xero" for c in sorted(sold) if codes.get(c) != 1]
    invoices = [r for r in org.invoices.values() if r.get("Type") == "ACCREC"]
    linked = documents(engine, "order")
    problems += once_by_link(invoices, "InvoiceID", linked)
    by_id = {str(r["InvoiceID"]).lower(): r for r in invoices}
    payments = Counter(str(p.get("_document") or "").lower() for p in org.payments.values())
    paid = 0
    for order in made:
        xero_id = str((linked[order["source_id"]].get("link") or {}).get("xero_id") or "").lower()
        record = by_id.get(xero_id, {})
        if order["status"] == "paid":
            paid += 1
            if record.get("Status") != "PAID" or payments.get(xero_id) != 1:
                problems.append(
                    f"{order['source_id']}: {record.get('Status')} with "
                    f"{payments.get(xero_id, 0)} payments, expected PAID with one"
                )
    refunds = sum(len(o.get("refunds", [])) for o in made)
    notes = [n for n in org.credit_notes.values() if n.get("Status") not in ("DELETED", "VOIDED")]
    if len(notes) != refunds:
        problems.append(f"{len(notes)} credit notes in Xero for {refunds} refunds")
    left = held(engine)
    problems += [f"{i['kind']} {i['source_id']} still held: {i['error']}" for i in left[:5]]
    rows = [
        ("products in the catalogue (sold by the orders)", len(sold)),
        ("items in Xero (pushed + made for orders)", len(codes)),
        ("orders invoiced (once each)", len(linked)),
        ("paid orders (PAID, one payment each)", paid),
        ("refunds (credit notes)", refunds),
        ("Xero API calls (all)", calls(engine)),
    ]
    return verdict(
        console,
        rows,
        problems,
        "Every product is one item in Xero, every order one invoice, every paid "
        "order paid once, every refund one credit note.",
    )
