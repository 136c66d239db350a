"""The seeded plan of the chaos run with issue 12's kinds (``test_chaos_kinds.py``): waves of
customers and suppliers (and invoices and bills naming the same keys, some before their
customer or supplier arrives), products and store orders (some paid, some naming products Xero
lacks, made under ``create_nonexistent_products``, some refunded, paid or not), stock movements
(valuation journals) and two pay runs, one changed twice on the way, each document new or changed in
later waves. Every document's versions are kept (``Doc``), so the judge knows each one's newest.

The bodies come from the kinds' own test factories (``tests/engine/kinds``,
``tests/engine/payroll/fixture.py``); a version differs from the one before in what the judge
reads back (a contact's e-mail, an item's description, an invoice's reference, a bill's amount,
an order's payment or refund, a journal's value, a pay run's amounts).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from tests.engine.kinds.contact_factories import customer, supplier
from tests.engine.kinds.inventory import movement
from tests.engine.kinds.store_docs import order, product
from tests.engine.payroll.fixture import FUND, INSURER, TAX_OFFICE, expected_bills, pay_run
from tests.engine.sync.conftest import expense, invoice

Body = dict[str, Any]

CUSTOMERS = 10  # client-0 .. client-9: customers, and the contacts of invoices and orders
SUPPLIERS = 5  # supplier-0 .. supplier-4: suppliers, and the contacts of bills
PRODUCTS = 14  # SKU-0001 .. SKU-0014 are pushed as products
LACKING = 6  # SKU-0015 .. SKU-0020 only orders name: made under create_nonexistent_products
MOVEMENT_TYPES = ("receipt", "issue", "adjustment", "write_off")
# An order's path through its versions: placed, paid from the start, paid later, refunded
# unpaid (a credit note applied to its invoice), refunded after it was paid (paid back).
ORDER_PATHS: dict[str, tuple[str, ...]] = {
    "placed": ("placed",),
    "paid": ("paid",),
    "paid_later": ("placed", "paid"),
    "refunded": ("placed", "refunded"),
    "paid_refunded": ("placed", "paid", "paid_refunded"),
}
REFUND = "5.00"
# The pay run's versions: employee 1's ordinary hours, and (by hand) that employee's bill: wages
# (hours and 7.11 overtime) on 477 and the net total (PAYG 402.33 withheld); nothing else moves.
PAY_RUN_HOURS = ("2013.37", "2063.37", "2113.37")
EMPLOYEE_01 = {
    "2013.37": ("2020.48", "1618.15"),
    "2063.37": ("2070.48", "1668.15"),
    "2113.37": ("2120.48", "1718.15"),
}
PAY_RUN_WAVES = (0, 3, 7)
# A second, smaller pay run (employees 1 to 4, as the fixture pays them) in the middle of the
# chaos: the same employees' contacts, its own bills (told apart by their reference).
APRIL = {
    "source_id": "PR-2026-04",
    "reference": "Payroll April 2026",
    "period_start": "2026-04-01",
    "period_end": "2026-04-30",
    "payment_date": "2026-04-30",
}
APRIL_WAVE = 5
# Its bills, by hand: employees 1 to 4 as in the fixture's table; PAYG 402.33 + 404.66 +
# 406.99 + 409.32; employer super 191.27 + 192.54 + 193.81 + 195.08, and employee 4's salary
# sacrifice; four workers comp levies; no union fees (no employee divisible by 5).
APRIL_PAYEES: dict[str, tuple[dict[str, str], str]] = {
    TAX_OFFICE: ({"825": "1623.30"}, "1623.30"),
    FUND: ({"478": "772.70", "826": "100.01"}, "872.71"),
    INSURER: ({"433": "40.20"}, "40.20"),
}


@dataclass
class Doc:
    kind: str
    n: int
    versions: list[Body] = field(default_factory=list)
    path: tuple[str, ...] = ()  # an order's states, version by version

    @property
    def source_id(self) -> str:
        return str(self.versions[0]["source_id"])

    @property
    def newest(self) -> Body:
        return self.versions[-1]


def _order_body(n: int, products: list[int], state: str) -> Body:
    contact = n % CUSTOMERS
    changes: Body = {"customer": {"key": f"client-{contact}", "name": f"Client {contact} Pty Ltd"}}
    if state in ("refunded", "paid_refunded"):
        changes["refunds"] = [{"amount": REFUND, "date": "2026-03-06"}]
    return order(n, products, paid=state in ("paid", "paid_refunded"), **changes)


def version(doc: Doc, v: int) -> Body:
    """Version ``v`` (0 first) of ``doc``."""
    n = doc.n
    if doc.kind == "customer":
        return customer(n, email=f"v{v}.accounts{n}@client{n}.example")
    if doc.kind == "supplier":
        return supplier(n, email=f"v{v}.sales@supplier{n}.example")
    if doc.kind == "invoice":
        return invoice(n, contacts=CUSTOMERS, reference=f"v{v}")
    if doc.kind == "expense":
        body = expense(n, suppliers=SUPPLIERS)
        body["lines"][0]["unit_amount"] = f"{10 + n + v}.95"
        return body
    if doc.kind == "product":
        return product(n, description=f"Product {n}, boxed v{v}")
    if doc.kind == "order":
        products = [1 + n % PRODUCTS, PRODUCTS + 1 + n % LACKING] if n % 3 else [1 + n % PRODUCTS]
        return _order_body(n, products, doc.path[v])
    if doc.kind == "stock_movement":
        value = f"{10 + n}.{25 + v:02d}"
        return movement(n, MOVEMENT_TYPES[n % 4], value, date=f"2026-03-{1 + n % 28:02d}")
    if doc.kind == "pay_run" and doc.n == 1:
        return pay_run(employees=4, **APRIL)
    if doc.kind == "pay_run":
        body = pay_run()
        body["employees"][0]["items"][0]["amount"] = PAY_RUN_HOURS[v]
        return body
    raise ValueError(doc.kind)


def final_bills(newest: Body) -> dict[str, tuple[dict[str, str], str]]:
    """A pay run's bills at its ``newest`` version, by contact name (written out by hand)."""
    if newest["source_id"] == APRIL["source_id"]:
        march = expected_bills()
        return {f"Employee 0{n}": march[f"Employee 0{n}"] for n in range(1, 5)} | APRIL_PAYEES
    bills = expected_bills()
    wages, net = EMPLOYEE_01[newest["employees"][0]["items"][0]["amount"]]
    bills["Employee 01"] = ({"477": wages, "825": "-402.33"}, net)
    return bills


# What a wave brings, on average (new documents of each kind, and changes to earlier ones).
NEW_PER_WAVE = {
    "customer": 1.0,
    "supplier": 0.5,
    "invoice": 2.0,
    "expense": 1.0,
    "product": 1.3,
    "order": 2.5,
    "stock_movement": 2.0,
}
LIMIT = {"customer": CUSTOMERS, "supplier": SUPPLIERS, "product": PRODUCTS}
CHANGES_PER_WAVE = 3
# The order intake takes them in: what others name first, as a source app uploads them.
ORDER = ("customer", "supplier", "product", "invoice", "expense", "order", "stock_movement")
ORDER_OF_KINDS = (*ORDER, "pay_run")


@dataclass
class KindsPlan:
    """``waves`` of pushes (kind, body) and every document with its versions (``docs``)."""

    seed: int
    waves_count: int = 20
    docs: dict[tuple[str, str], Doc] = field(default_factory=dict)
    waves: list[list[tuple[str, Body]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        rng = random.Random(f"{self.seed}-kinds")
        made = dict.fromkeys(ORDER, 0)
        for w in range(self.waves_count):
            wave: list[tuple[str, Body]] = []
            for kind in ORDER:
                for _ in range(_count(rng, NEW_PER_WAVE[kind])):
                    if made[kind] >= LIMIT.get(kind, 10**6):
                        break
                    n = made[kind] + (1 if kind == "product" else 0)
                    made[kind] += 1
                    doc = Doc(kind, n)
                    if kind == "order":
                        doc.path = ORDER_PATHS[rng.choice(sorted(ORDER_PATHS))]
                    wave.append(self._add(doc))
            fresh = {id(self.docs[(kind, str(body["source_id"]))]) for kind, body in wave}
            changeable = [
                d
                for d in self.docs.values()
                if _more(d) and d.kind != "pay_run" and id(d) not in fresh
            ]
            for doc in rng.sample(changeable, min(CHANGES_PER_WAVE, len(changeable))):
                wave.append(self._next(doc))
            if w == APRIL_WAVE:
                wave.append(self._add(Doc("pay_run", 1)))
            if w in PAY_RUN_WAVES:
                key = ("pay_run", "PR-2026-03")
                wave.append(
                    self._next(self.docs[key]) if key in self.docs else self._add(Doc("pay_run", 0))
                )
            wave.sort(key=lambda push: ORDER_OF_KINDS.index(push[0]))
            self.waves.append(wave)
        # every order reaches the end of its path in a last wave, so each path is judged whole
        tail = [self._next(d) for d in self.docs.values() if d.kind == "order" and _more(d)]
        while tail:
            self.waves.append(tail)
            tail = [self._next(d) for d in self.docs.values() if d.kind == "order" and _more(d)]

    def _add(self, doc: Doc) -> tuple[str, Body]:
        doc.versions.append(version(doc, 0))
        self.docs[(doc.kind, doc.source_id)] = doc
        return doc.kind, doc.newest

    def _next(self, doc: Doc) -> tuple[str, Body]:
        doc.versions.append(version(doc, len(doc.versions)))
        return doc.kind, doc.newest

    def of(self, kind: str) -> list[Doc]:
        return [d for d in self.docs.values() if d.kind == kind]


def _more(doc: Doc) -> bool:
    """Whether ``doc`` has a version still to come (an order only along its path)."""
    if doc.kind == "order":
        return len(doc.versions) < len(doc.path)
    if doc.kind == "pay_run":
        return doc.n == 0 and len(doc.versions) < len(PAY_RUN_HOURS)
    return len(doc.versions) < 4


def _count(rng: random.Random, mean: float) -> int:
    whole = int(mean)
    return whole + (1 if rng.random() < mean - whole else 0)
