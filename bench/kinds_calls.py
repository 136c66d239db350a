"""``engine_calls.py``'s scenarios for the kinds issue 12 added, measured as its others are
(``calls_runner``: a fresh sandbox and engine each, a warm-up not counted, then the measured
sync). What a person does first goes in the scenario's ``prepare``: over the engine's REST API
as the dashboard does (settings, pay-item types) or in Xero through the organisation's custom
connection (items, accounts), then Synchronize so the engine sees them.

- *customers*: new customers (a source app's customer list), details and all; then the same
  customers changed (a new email each), the first push being the warm-up.
- *suppliers*: new suppliers.
- *products*: new products, sent as Xero items ("Add Products to Xero").
- *store orders*: orders of 1 to 3 products over 300, two thirds of them made in Xero by a person
  beforehand, the rest not in Xero with Create Nonexistent Products on; every other order paid
  into the clearing account. Counted per order, with the items made, the 25 customers and the
  payments (documents of their own in the queue) in the calls.
- *stock movements*: receipts, issues, adjustments and write-offs under Post valuation entries
  (one manual journal each), on accounts a person added in Xero first.
- *pay runs*: one pay run of N-4 employees and the four named payees (tax office, super fund,
  union, insurer) through the demo's pay-item types installed over REST: N bills, every payee
  new; then the next month's run, the payees known (the first month is the warm-up). Counted
  per bill.
- *Hong Kong, default currency USD*: invoices, clients known, to a Hong Kong organisation on
  the STANDARD plan (HKD and USD) whose connection sends documents naming no currency in USD,
  not its base currency.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from bench.calls_runner import Bench, Doc, Figures, scenario

from ledgerlink.demo.documents import CLIENTS, invoice
from ledgerlink.demo.flow_payroll import TYPES, install, pay_runs

CLEARING = "090"  # the store's clearing account: the demo organisation's bank account
PRODUCTS = 300
IN_XERO = 200  # products 1..200 made in Xero by a person, 201..300 not
INVENTORY_ASSET = "631"  # a CURRENT account: Xero takes no manual journal on 630 (INVENTORY)
STOCK_ADJUSTMENTS = "488"
MOVEMENTS = ("receipt", "issue", "adjustment", "write_off")
WARM = 10  # documents of the kind in a warm-up, numbered apart from the measured ones


# -- documents ----------------------------------------------------------------------------


def customer(n: int, email: str | None = None) -> Doc:
    return {
        "source_id": f"cust-{n:05d}",
        "name": f"Customer {n:05d} Pty Ltd",
        "first_name": "Dana",
        "last_name": f"Customer{n}",
        "email": email or f"accounts{n}@customer{n}.example",
        "account_number": f"ACC-{n:05d}",
        "phones": [{"type": "default", "number": f"555 {n:05d}", "area_code": "02"}],
        "addresses": [
            {
                "type": "street",
                "lines": [f"{n} Main Street"],
                "city": "Sydney",
                "region": "NSW",
                "postal_code": "2000",
                "country": "Australia",
            }
        ],
        "sales_account_code": "200",
        "payment_terms": {"day": 14, "type": "days_after_invoice"},
    }


def supplier(n: int) -> Doc:
    return {
        "source_id": f"supp-{n:05d}",
        "name": f"Supplier {n:05d}",
        "email": f"sales@supplier{n}.example",
        "phones": [{"type": "ddi", "number": f"555 9{n:05d}"}],
        "addresses": [{"type": "pobox", "lines": [f"PO Box {n}"], "city": "Melbourne"}],
        "purchase_account_code": "429",
        "payment_terms": {"day": 20, "type": "of_following_month"},
    }


def product(n: int) -> Doc:
    return {
        "source_id": f"SKU-{n:04d}",
        "name": f"Product {n}",
        "description": f"Product {n}, boxed",
        "sales": {"unit_price": f"{10 + n % 40}.50", "account_code": "200"},
    }


def order(n: int, products: list[int], *, paid: bool, customer: str | None = None) -> Doc:
    """A tax-inclusive store order; paid in full on the day when ``paid``."""
    lines = [
        {
            "item_code": f"SKU-{p:04d}",
            "product_name": f"Product {p}",
            "description": f"Product {p}, boxed",
            "quantity": str(1 + (n + p) % 3),
            "unit_amount": f"{10 + p % 40}.50",
        }
        for p in products
    ]
    who = customer or f"cust-{n % 25}"
    doc: Doc = {
        "source_id": f"ord-{n}",
        "number": f"WEB-{n:05d}",
        "customer": {"key": who, "name": f"Store customer {who}"},
        "date": "2026-03-04",
        "amounts_are": "inclusive",
        "status": "placed",
        "lines": lines,
    }
    if paid:
        total = sum(Decimal(x["quantity"]) * Decimal(x["unit_amount"]) for x in lines)
        doc["status"] = "paid"
        doc["payments"] = [{"amount": str(total), "date": "2026-03-04"}]
    return doc


def orders(count: int) -> list[Doc]:
    """``count`` orders of 1 to 3 products over all 300, every other one paid."""
    return [
        order(n, sorted({1 + (n * k * 7) % PRODUCTS for k in range(1, 2 + n % 3)}), paid=n % 2 == 0)
        for n in range(1, count + 1)
    ]


def movement(n: int) -> Doc:
    kind = MOVEMENTS[n % len(MOVEMENTS)]
    value = Decimal(20 + n % 300) + Decimal(n % 100) / 100
    if kind == "adjustment" and n % 8 == 2:
        value = -value  # stock counted down
    return {
        "source_id": f"mv-{n}",
        "type": kind,
        "date": "2026-03-10",
        "value": str(value),
        "item_code": f"SKU-{n % 300 + 1:04d}",
        "quantity": str(1 + n % 9),
        "reference": f"GRN-{n}",
    }


# -- what a person does first ---------------------------------------------------------------


def store_ready(bench: Bench) -> None:
    """Items 1..200 made in Xero by a person (50 a request), seen through Synchronize; the
    store's settings: the clearing account, Create Nonexistent Products on."""
    made = [product(n) for n in range(1, IN_XERO + 1)]
    for start in range(0, len(made), 50):
        bodies = [
            {
                "Code": p["source_id"],
                "Name": p["name"],
                "Description": p["description"],
                "SalesDetails": {"UnitPrice": p["sales"]["unit_price"], "AccountCode": "200"},
            }
            for p in made[start : start + 50]
        ]
        bench.xero("PUT", "/Items", {"Items": bodies})
    bench.refresh()
    bench.configure(payment_account_code=CLEARING, create_nonexistent_products=True)


def valuation_ready(bench: Bench) -> None:
    """The accounts a person adds in Xero for valuation journals, then Post valuation
    entries chosen on the connection."""
    for code, name, kind in (
        (INVENTORY_ASSET, "Inventory at cost (valuation)", "CURRENT"),
        (STOCK_ADJUSTMENTS, "Stock adjustments", "EXPENSE"),
    ):
        bench.xero("PUT", "/Accounts", {"Code": code, "Name": name, "Type": kind})
    bench.refresh()
    bench.configure(
        inventory_mode="valuation",
        inventory_asset_account=INVENTORY_ASSET,
        inventory_cogs_account="310",
        inventory_adjustment_account=STOCK_ADJUSTMENTS,
    )


def pay_item_types(bench: Bench) -> None:
    """The demo's pay-item types (PUT /connections/{id}/pay-item-types/{name})."""
    install(bench, list(TYPES))  # Bench has what install uses of EngineApi: call, connection_id


def usd_default(bench: Bench) -> None:
    bench.configure(default_currency="USD")


# -- the scenarios --------------------------------------------------------------------------


def scenarios(count: int) -> dict[str, Callable[[], Figures]]:
    """The new kinds' scenarios by their short name (``--only``), built only when run."""
    warm = range(count + 1, count + 1 + WARM)

    def customers() -> Figures:
        return scenario(
            f"{count} new customers",
            [("customer", [customer(n) for n in warm])],
            [("customer", [customer(n) for n in range(1, count + 1)])],
        )

    def customers_changed() -> Figures:
        return scenario(
            f"{count} customers changed (a new email each), in Xero already",
            [("customer", [customer(n) for n in range(1, count + 1)])],
            [("customer", [customer(n, f"new{n}@x.example") for n in range(1, count + 1)])],
        )

    def suppliers() -> Figures:
        return scenario(
            f"{count} new suppliers",
            [("supplier", [supplier(n) for n in warm])],
            [("supplier", [supplier(n) for n in range(1, count + 1)])],
        )

    def products() -> Figures:
        return scenario(
            f"{count} new products (Xero items)",
            [("product", [product(n) for n in warm])],
            [("product", [product(n) for n in range(1, count + 1)])],
        )

    def store_orders() -> Figures:
        placed = orders(count)
        paid = sum(1 for o in placed if o["status"] == "paid")
        named = {x["item_code"] for o in placed for x in o["lines"]}
        missing = sum(1 for code in named if int(code.split("-")[1]) > IN_XERO)
        warmup = [order(count + 1, [1], paid=True, customer="cust-warm")]
        warmup[0]["source_id"], warmup[0]["number"] = "ord-warm", "WEB-WARM"
        return scenario(
            f"{count} store orders over {PRODUCTS} products ({missing} not in Xero, made; "
            f"{paid} paid), Create Nonexistent Products on",
            [("order", warmup)],
            [("order", placed)],
            prepare=store_ready,
            units=count,
            unit="orders",
        )

    def stock_movements() -> Figures:
        return scenario(
            f"{count} stock movements, Post valuation entries",
            [("stock_movement", [movement(n) for n in warm])],
            [("stock_movement", [movement(n) for n in range(1, count + 1)])],
            prepare=valuation_ready,
        )

    def first_pay_run() -> Figures:
        run = pay_runs(max(count - 4, 1))[0]
        return scenario(
            f"a pay run of {len(run['employees'])} employees and 4 payees, every payee new",
            [],
            [("pay_run", [run])],
            prepare=pay_item_types,
            units=len(run["employees"]) + 4,
            unit="bills",
        )

    def next_pay_run() -> Figures:
        first, second = pay_runs(max(count - 4, 1))[:2]
        return scenario(
            f"the next month's pay run of {len(second['employees'])} employees and 4 payees, "
            "payees in Xero",
            [("pay_run", [first])],
            [("pay_run", [second])],
            prepare=pay_item_types,
            units=len(second["employees"]) + 4,
            unit="bills",
        )

    def hong_kong_usd() -> Figures:
        rng = random.Random(12)
        start = date(2026, 3, 1)
        warmup = [
            invoice(rng, n, start, client=name, prefix="WARM") for n, name in enumerate(CLIENTS, 1)
        ]
        clients = [CLIENTS[n % len(CLIENTS)] for n in range(1, count + 1)]
        docs = [invoice(rng, n, start, client=name) for n, name in enumerate(clients, 1)]
        return scenario(
            f"{count} invoices, clients known, Hong Kong organisation (STANDARD: HKD, USD), "
            "default currency USD",
            [("invoice", warmup)],
            [("invoice", docs)],
            prepare=usd_default,
            new_org={"country": "HK", "class": "STANDARD"},
        )

    runs: dict[str, Callable[[], Figures]] = {
        "customers": customers,
        "customers-changed": customers_changed,
        "suppliers": suppliers,
        "products": products,
        "orders": store_orders,
        "stock-movements": stock_movements,
        "pay-runs": first_pay_run,
        "pay-runs-known": next_pay_run,
        "hk-default-usd": hong_kong_usd,
    }
    return runs
