"""Products and orders exactly once while a send is unresolved (invariant 2), on both
databases: a reply lost after Xero applied the write (settled by replaying the key, or once it
expired by looking up: an item by its Code, an invoice by its Url marker, a payment by its
invoice, amount, date and account), a 5xx, a change pushed meanwhile, a new customer whose
create was lost, a product made for an order whose create was lost, and a worker killed with
SIGKILL at each step. The sandbox's records are the judge."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from tests.engine.kinds.conftest import all_done
from tests.engine.kinds.store_docs import (
    connect_store,
    items,
    order,
    order_total,
    product,
    store_invoices,
    store_payments,
)
from tests.engine.sync.conftest import PUBLIC_URL, SyncHarness, fast_limits, limits_env
from tests.engine.sync.worker_process import WorkerProcess

REPLAY = 30  # seconds: inside Xero's idempotency window, the key is replayed
LOOKUP = 3600  # an hour: the key has expired, the document is looked up


def _fault(harness: SyncHarness, kind: str, endpoint: str, method: str, **more: object) -> None:
    harness.faults({"kind": kind, "endpoint": endpoint, "method": method, "count": 1, **more})


def _settle(harness: SyncHarness, wait: int) -> None:
    harness.sync()  # the reply is lost (or refused): the intent stays open
    harness.advance(wait)
    harness.sync()


def _ours(harness: SyncHarness) -> list[str]:
    return sorted(code for code in items(harness) if code.startswith("SKU-"))


def _invoice_of(harness: SyncHarness, number: str) -> dict[str, object]:
    [found] = [r for r in store_invoices(harness) if r["InvoiceNumber"] == number]
    return found


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_a_product_whose_reply_was_lost_is_one_item(harness: SyncHarness, wait: int) -> None:
    _fault(harness, "lost_reply", "items", "POST")
    harness.push("product", [product(1), product(2)])
    _settle(harness, wait)
    assert _ours(harness) == ["SKU-0001", "SKU-0002"]
    all_done(harness)


def test_a_product_changed_while_its_send_met_a_503_is_one_item_as_changed(
    harness: SyncHarness,
) -> None:
    _fault(harness, "error", "items", "POST", status=503)
    harness.push("product", [product(1)])
    harness.worker().run_once()  # a 503: nothing applied, the intent stays pending
    harness.push("product", [product(1, name="Product 1, renamed")])
    harness.advance(REPLAY)
    harness.sync()
    assert _ours(harness) == ["SKU-0001"]
    assert items(harness)["SKU-0001"]["Name"] == "Product 1, renamed"
    all_done(harness)


def test_a_product_changed_after_a_lost_reply_updates_the_one_item(harness: SyncHarness) -> None:
    _fault(harness, "lost_reply", "items", "POST")
    harness.push("product", [product(1)])
    harness.worker().run_once()  # applied in Xero, reply lost
    changed = product(1, sales={"unit_price": "99.00", "account_code": "200"})
    harness.push("product", [changed])
    harness.advance(LOOKUP)
    harness.sync()
    assert _ours(harness) == ["SKU-0001"]
    assert Decimal(str(items(harness)["SKU-0001"]["SalesDetails"]["UnitPrice"])) == Decimal("99")
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_an_order_whose_reply_was_lost_is_one_invoice_paid_once(
    harness: SyncHarness, wait: int
) -> None:
    connect_store(harness, create_nonexistent_products=True)
    _fault(harness, "lost_reply", "invoices", "PUT")
    orders = [order(1, [1, 2], paid=True), order(2, [2])]
    harness.push("order", orders)
    _settle(harness, wait)
    assert sorted(r["InvoiceNumber"] for r in store_invoices(harness)) == ["WEB-00001", "WEB-00002"]
    assert _invoice_of(harness, "WEB-00001")["Status"] == "PAID"
    assert len(store_payments(harness)) == 1
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_an_order_payment_whose_reply_was_lost_is_paid_once(
    harness: SyncHarness, wait: int
) -> None:
    connect_store(harness, create_nonexistent_products=True)
    _fault(harness, "lost_reply", "payments", "PUT")
    orders = [order(1, [1], paid=True), order(2, [2], paid=True)]
    harness.push("order", orders)
    _settle(harness, wait)
    paid = store_payments(harness)
    assert sorted(Decimal(str(p["Amount"])) for p in paid) == sorted(order_total(o) for o in orders)
    assert {r["Status"] for r in store_invoices(harness)} == {"PAID"}
    all_done(harness)


def test_an_order_changed_while_its_send_met_a_503_is_one_invoice_as_changed(
    harness: SyncHarness,
) -> None:
    connect_store(harness, create_nonexistent_products=True)
    harness.push("product", [product(1)])
    harness.sync()
    _fault(harness, "error", "invoices", "PUT", status=503)
    harness.push("order", [order(1, [1])])
    harness.worker().run_once()  # a 503: nothing applied, the intent stays pending
    changed = order(1, [1])
    changed["lines"][0]["quantity"] = "5"
    harness.push("order", [changed])
    harness.advance(REPLAY)
    harness.sync()
    [found] = store_invoices(harness)
    assert Decimal(str(found["Total"])) == order_total(changed)
    all_done(harness)


def test_an_order_changed_after_a_lost_reply_updates_the_one_invoice(harness: SyncHarness) -> None:
    connect_store(harness, create_nonexistent_products=True)
    harness.push("product", [product(1)])
    harness.sync()
    _fault(harness, "lost_reply", "invoices", "PUT")
    harness.push("order", [order(1, [1])])
    harness.worker().run_once()  # applied in Xero, reply lost
    changed = order(1, [1], reference="Gift wrap")
    harness.push("order", [changed])
    harness.advance(LOOKUP)
    harness.sync()
    [found] = store_invoices(harness)
    assert found["Reference"] == "Gift wrap"
    all_done(harness)


def test_an_order_for_a_new_customer_whose_create_was_lost_makes_one_contact(
    harness: SyncHarness,
) -> None:
    connect_store(harness, create_nonexistent_products=True)
    _fault(harness, "lost_reply", "contacts", "PUT")
    harness.push("order", [order(1, [1], paid=True), order(26, [2])])  # both Customer 1
    _settle(harness, REPLAY)
    assert harness.contacts_named("Customer 1") == 1
    assert len(store_invoices(harness)) == 2 and len(store_payments(harness)) == 1
    all_done(harness)


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP])
def test_a_product_made_for_an_order_whose_reply_was_lost_is_made_once(
    harness: SyncHarness, wait: int
) -> None:
    connect_store(harness, create_nonexistent_products=True)
    _fault(harness, "lost_reply", "items", "POST")
    harness.push("order", [order(1, [7, 8], paid=True), order(2, [8])])
    _settle(harness, wait)
    assert _ours(harness) == ["SKU-0007", "SKU-0008"]
    assert len(store_invoices(harness)) == 2
    all_done(harness)


def test_a_worker_killed_at_each_step_leaves_products_and_orders_in_xero_once(
    harness: SyncHarness, tmp_path: Path
) -> None:
    connect_store(harness, create_nonexistent_products=True)
    harness.push("product", [product(n) for n in range(1, 41)])
    orders = [order(n, [n % 60 + 1, (n * 7) % 60 + 1], paid=n % 2 == 0) for n in range(1, 121)]
    harness.push("order", orders)
    settings = replace(harness.settings, xero_read_timeout=4.0)
    worker = WorkerProcess(settings, tmp_path, PUBLIC_URL, 2.0, limits_env(fast_limits()))
    deaths = worker.die_at(
        "intent_written:2", "reply_received:2", "reply_applied:2", "intent_written:1"
    )
    assert len(deaths) == 4
    assert _ours(harness) == sorted(f"SKU-{n:04d}" for n in range(1, 61))
    invoiced = store_invoices(harness)
    assert sorted(r["InvoiceNumber"] for r in invoiced) == sorted(o["number"] for o in orders)
    assert set(harness.ours().values()) == {1}
    assert len(store_payments(harness)) == 60
    assert {
        r["Status"] for r in invoiced if r["InvoiceNumber"].endswith(("0", "2", "4", "6", "8"))
    } == {"PAID"}
    all_done(harness)
