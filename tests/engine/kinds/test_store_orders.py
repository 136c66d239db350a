"""The store flow against the sandbox: 1,000 orders over 300 products, a third of which Xero
does not have. With "Create Nonexistent Products" on, each missing item is made once and every
order is invoiced once, the paid ones paid once into the clearing account; with it off, the
orders naming a missing product are held with the code and the product, the rest are sent.
Figures (calls per 1,000 orders and per 1,000 products) are printed from the sandbox's log."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from tests.engine.kinds.conftest import all_done, item_of
from tests.engine.kinds.store_docs import (
    CLEARING,
    connect_store,
    items,
    order,
    order_total,
    product,
    store_invoices,
    store_payments,
)
from tests.engine.sync.conftest import SyncHarness

PRODUCTS = 300
IN_XERO = range(1, 201)  # made in Xero by a person; 201..300 Xero does not have


def _items_made_in_xero(harness: SyncHarness, numbers: range) -> None:
    """Items a person made in Xero (not through ledgerlink): found through the cached items."""
    bodies = [
        {
            "Code": p["source_id"],
            "Name": p["name"],
            "SalesDetails": {"UnitPrice": p["sales"]["unit_price"], "AccountCode": "200"},
        }
        for p in (product(n) for n in numbers)
    ]
    with harness.xero() as xero:
        for start in range(0, len(bodies), 50):
            reply = xero.put("/Items", {"Items": bodies[start : start + 50]})
            assert reply.status == 200, reply.text


def _orders(count: int) -> list[dict[str, Any]]:
    """``count`` orders of 1 to 3 products over all 300, every other one paid."""
    return [
        order(n, sorted({1 + (n * k * 7) % PRODUCTS for k in range(1, 2 + n % 3)}), paid=n % 2 == 0)
        for n in range(1, count + 1)
    ]


def _calls(harness: SyncHarness) -> Counter[str]:
    return Counter(
        f"{r['method']} {str(r['path']).split('?')[0]}"
        for r in harness.requests()
        if not str(r["path"]).startswith("/_sandbox")
    )


def test_a_thousand_orders_make_each_missing_product_once_and_each_invoice_once(
    harness: SyncHarness,
) -> None:
    _items_made_in_xero(harness, IN_XERO)
    connect_store(harness, create_nonexistent_products=True)
    before = _calls(harness)
    orders = _orders(1000)
    harness.push("order", orders)
    harness.sync()
    all_done(harness)

    found = items(harness)
    named = {str(o["lines"][i]["item_code"]) for o in orders for i in range(len(o["lines"]))}
    missing = {c for c in named if int(c.split("-")[1]) > 200}
    assert missing and named <= set(found)
    for code in missing:  # made once, from the order line: its name and price
        n = int(code.split("-")[1])
        assert found[code]["Name"] == f"Product {n}"
        assert Decimal(str(found[code]["SalesDetails"]["UnitPrice"])) == Decimal(
            f"{10 + n % 40}.50"
        )
    assert len(found) == 3 + 200 + len(missing)  # the demo's 3, the person's 200, ours

    invoiced = store_invoices(harness)
    assert sorted(r["InvoiceNumber"] for r in invoiced) == sorted(o["number"] for o in orders)
    assert set(harness.ours().values()) == {1}
    by_number = {r["InvoiceNumber"]: r for r in invoiced}
    paid = [o for o in orders if o["status"] == "paid"]
    payments = Counter(p["_document"] for p in store_payments(harness))
    assert sum(payments.values()) == len(paid)
    for o in orders:
        record = by_number[o["number"]]
        assert Decimal(str(record["Total"])) == order_total(o)
        if o["status"] == "paid":
            assert record["Status"] == "PAID" and payments[record["InvoiceID"]] == 1
        else:
            assert record["Status"] == "AUTHORISED" and record["InvoiceID"] not in payments
    assert {p["Account"]["Code"] for p in store_payments(harness)} == {CLEARING}

    calls = _calls(harness) - before
    print(f"\ncalls for 1,000 orders ({len(paid)} paid, {len(missing)} products made): {calls}")
    writes = {k: v for k, v in calls.items() if not k.startswith("GET")}
    # 50 to a request: what waited (orders for their products, payments for their orders) goes
    # in a later request, so a few requests are part-full
    # the 100 products made: each claim of orders brings those it names first
    assert 2 <= writes["POST /Items"] <= 3
    assert 20 <= writes["PUT /Invoices"] <= 23
    assert 10 <= writes["PUT /Payments"] <= 13
    assert writes["PUT /Contacts"] == 1  # 25 customers
    assert sum(calls.values()) <= 65


def test_with_the_option_off_an_order_naming_a_missing_product_is_held_with_it(
    harness: SyncHarness,
) -> None:
    _items_made_in_xero(harness, range(1, 3))
    connect_store(harness)
    harness.push(
        "order",
        [order(1, [1, 2], paid=True), order(2, [2, 250], paid=True), order(3, [1])],
    )
    harness.sync()
    assert sorted(r["InvoiceNumber"] for r in store_invoices(harness)) == ["WEB-00001", "WEB-00003"]
    assert set(items(harness)) == {"CONSULT", "INSTALL", "WIDGET-BLUE", "SKU-0001", "SKU-0002"}
    held = item_of(harness, "order", "ord-2")
    assert (held.state, held.error_code) == ("needs_attention", "PRODUCT_NOT_IN_XERO")
    assert held.error_field == "lines[1].item_code"
    assert "'SKU-0250' (Product 250)" in held.error_message
    assert "Create Nonexistent Products" in held.error_message
    assert len(store_payments(harness)) == 1  # ord-1's; ord-2's waits for its order
    assert item_of(harness, "payment", "ord-2/payment-1").state == "queued"

    # Switched on, the held order goes back to the queue by itself: its product is made, then
    # it goes, then its payment.
    connect_store(harness, create_nonexistent_products=True)
    assert item_of(harness, "order", "ord-2").state == "queued"
    harness.sync()
    all_done(harness)
    assert "SKU-0250" in items(harness)
    assert len(store_invoices(harness)) == 3 and len(store_payments(harness)) == 2


def test_shipping_and_discount_lines_post_to_the_connection_s_accounts(
    harness: SyncHarness,
) -> None:
    connect_store(
        harness,
        create_nonexistent_products=True,
        shipping_account_code="260",
        discount_account_code="270",
    )
    placed = order(1, [1])
    placed["lines"] += [
        {"charge": "shipping", "description": "Shipping", "unit_amount": "9.00"},
        {"charge": "discount", "description": "10% off", "unit_amount": "-2.00"},
        {"charge": "shipping", "description": "Express", "unit_amount": "5", "account_code": "200"},
    ]
    harness.push("order", [placed])
    harness.sync()
    all_done(harness)
    [found] = store_invoices(harness)
    accounts = {x["Description"]: x["AccountCode"] for x in found["LineItems"]}
    assert accounts["Shipping"] == "260" and accounts["10% off"] == "270"
    assert accounts["Express"] == "200"  # the line's own account stands
    assert Decimal(str(found["Total"])) == order_total(placed)


def test_a_hold_made_by_a_run_that_read_the_option_just_before_it_turned_is_released(
    harness: SyncHarness,
) -> None:
    """A run reads the settings when it starts: an order it holds for a product Xero lacks,
    after the option was turned on (and its holds released) meanwhile, is held under the old
    setting. The next run starts by releasing such holds, as it does for kinds switched on."""
    from ledgerlink.store import connections
    from ledgerlink.store.db import transaction

    connect_store(harness)
    harness.push("order", [order(1, [250], paid=True)])
    harness.sync()
    assert item_of(harness, "order", "ord-1").error_code == "PRODUCT_NOT_IN_XERO"
    # the option stored on, its release already past (the stale run held the order again)
    with transaction(harness.factory) as session:
        connections.update_settings(
            session,
            harness.workspace_id,
            harness.connection_id,
            {"create_nonexistent_products": True},
        )
    harness.sync()
    all_done(harness)
    assert "SKU-0250" in items(harness)
    assert len(store_invoices(harness)) == 1 and len(store_payments(harness)) == 1
