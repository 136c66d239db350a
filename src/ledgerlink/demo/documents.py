"""A realistic workload for the demo and the benchmark: a trades business's sales invoices and
supplier expenses, in ledgerlink's neutral schema, with a few documents that must not reach Xero
(jobs.py adds the job-management kinds on top for the demo).

Generated from a seed so every run sends the same documents. The bad ones are the mistakes
source apps really make (pain-points.md): an account code that does not exist, a tax type given
by its display name, a currency the organisation has not enabled, an archived account, and a
negative quantity. Each carries the code ledgerlink must answer with.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

Doc = dict[str, Any]

CLIENTS = [
    "Bayside Club",
    "City Limousines",
    "Ridgeway University",
    "Harbour Cafe",
    "Northwind Traders",
    "Marine Systems",
    "Basket Case",
    "Boom FM",
    "Hamilton Smith Ltd",
    "Petrie McLoud Watson & Associates",
    "Port & Philip Freight",
    "Rex Media Group",
    "Young Bros Transport",
    "Dimples Warehouse",
    "Gable Print",
    "Espresso 31",
    "Central Copiers",
    "Orlena Greenhouse",
    "Swanston Security",
    "Truxton Property Management",
]
SUPPLIERS = [
    ("ABC Furniture", "453"),
    ("Capital Cab Co", "493"),
    ("Melrose Parking", "449"),
    ("PowerDirect", "445"),
    ("Net Connect", "489"),
    ("Office Supplies Co", "461"),
    ("Cooper Cleaning", "408"),
    ("Lee Freight", "425"),
    ("SMART Agency", "400"),
    ("Carlton Accounting", "412"),
]
SERVICES = [
    ("Call-out fee", Decimal("95.00"), None),
    ("Labour (per hour)", Decimal("88.50"), None),
    ("Materials", Decimal("42.1750"), None),
    ("Site inspection", Decimal("165.00"), "260"),
    ("Consultation", Decimal("120.00"), None),
]


@dataclass
class Workload:
    """Documents to push, by kind, and what each bad one must end as.

    The job-management mix (jobs.py) fills the other kinds and names the documents the demo
    shows off later: the invoice it revises, the purchase order it takes back to draft, and
    the invoices settled in full (by payments, or by a credit note).
    """

    invoices: list[Doc] = field(default_factory=list)
    expenses: list[Doc] = field(default_factory=list)
    purchase_orders: list[Doc] = field(default_factory=list)
    credit_notes: list[Doc] = field(default_factory=list)
    payments: list[Doc] = field(default_factory=list)
    # source_id -> (kind, code): "VALIDATION_FAILED" is refused at intake, others are held.
    expected_errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    revised: str = ""
    reverted_po: str = ""
    # invoice source_id -> how it is settled ("paid in full", "credited in full")
    settled: dict[str, str] = field(default_factory=dict)

    def by_kind(self) -> list[tuple[str, list[Doc]]]:
        """Every kind with its documents, in the order a source app sends them (what another
        document names comes first: invoices before their payments and credit notes)."""
        return [
            ("invoice", self.invoices),
            ("expense", self.expenses),
            ("purchase_order", self.purchase_orders),
            ("credit_note", self.credit_notes),
            ("payment", self.payments),
        ]

    def kinds(self) -> list[str]:
        """The kinds this workload has documents of."""
        return [kind for kind, docs in self.by_kind() if docs]

    def documents(self, kind: str) -> list[Doc]:
        return dict(self.by_kind())[kind]

    @property
    def total(self) -> int:
        return sum(len(docs) for _, docs in self.by_kind())

    def valid(self, kind: str) -> list[str]:
        """Source ids of the documents of ``kind`` that must reach Xero."""
        docs = self.documents(kind)
        return [d["source_id"] for d in docs if d["source_id"] not in self.expected_errors]


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def invoice(
    rng: random.Random, n: int, start: date, *, client: str | None = None, prefix: str = "INV"
) -> Doc:
    """One sales invoice; lines leave account and tax to the connection's defaults mostly."""
    name = client or rng.choice(CLIENTS)
    issued = start + timedelta(days=rng.randint(0, 60))
    lines = []
    for _ in range(rng.randint(1, 4)):
        text, price, account = rng.choice(SERVICES)
        line: Doc = {
            "description": text,
            "quantity": str(rng.choice([1, 1, 2, 3, Decimal("1.5"), Decimal("0.25")])),
            "unit_amount": str(price),
        }
        if account:
            line["account_code"] = account
        lines.append(line)
    return {
        "source_id": f"{prefix.lower()}-{n:05d}",
        "number": f"{prefix}-{n:05d}",
        "contact": {"key": "client-" + name.lower().replace(" ", "-"), "name": name},
        "issue_date": issued.isoformat(),
        "due_date": (issued + timedelta(days=30)).isoformat(),
        "status": "sent" if rng.random() < 0.6 else "draft",
        "reference": f"Job {1000 + n}",
        "lines": lines,
    }


def expense(rng: random.Random, n: int, start: date) -> Doc:
    supplier, account = rng.choice(SUPPLIERS)
    dated = start + timedelta(days=rng.randint(0, 60))
    lines = [
        {
            "description": f"{supplier} charges",
            "quantity": "1",
            "unit_amount": str(_money(rng, 12, 900)),
            "account_code": account,
        }
        for _ in range(rng.randint(1, 2))
    ]
    return {
        "source_id": f"exp-{n:05d}",
        "supplier": {"key": "supplier-" + supplier.lower().replace(" ", "-"), "name": supplier},
        "reference": f"SUP-{7000 + n}",
        "date": dated.isoformat(),
        "due_date": (dated + timedelta(days=14)).isoformat(),
        "status": "approved" if rng.random() < 0.5 else "draft",
        "lines": lines,
    }


def bad_invoices_and_expenses(
    rng: random.Random, start: date
) -> tuple[list[Doc], list[Doc], dict[str, Any]]:
    """The five mistakes source apps make most, and the code each must be answered with."""
    bad_account = invoice(rng, 90001, start)
    bad_account["source_id"] = "inv-bad-account"
    bad_account["lines"][0]["account_code"] = "999"
    bad_tax = invoice(rng, 90002, start)
    bad_tax["source_id"] = "inv-bad-tax"
    bad_tax["lines"][0]["tax_type"] = "GST on Income"
    negative = invoice(rng, 90003, start)
    negative["source_id"] = "inv-negative-qty"
    negative["lines"][0]["quantity"] = "-2"
    currency = expense(rng, 90004, start)
    currency["source_id"] = "exp-bad-currency"
    currency["currency"] = "JPY"
    archived = expense(rng, 90005, start)
    archived["source_id"] = "exp-archived-account"
    archived["lines"][0]["account_code"] = "499"
    expected = {
        "inv-bad-account": ("invoice", "XERO_ACCOUNT_CODE_INVALID"),
        "inv-bad-tax": ("invoice", "XERO_TAX_TYPE_INVALID"),
        "inv-negative-qty": ("invoice", "VALIDATION_FAILED"),
        "exp-bad-currency": ("expense", "XERO_CURRENCY_NOT_ENABLED"),
        "exp-archived-account": ("expense", "XERO_ACCOUNT_CODE_INVALID"),
    }
    return [bad_account, bad_tax, negative], [currency, archived], expected


def workload(total: int, *, seed: int = 7, start: date = date(2026, 3, 1)) -> Workload:
    """``total`` documents, about 70% invoices, including the five bad ones (if room)."""
    rng = random.Random(seed)
    out = Workload()
    bad_invoices, bad_expenses, expected = bad_invoices_and_expenses(rng, start)
    room = total - len(bad_invoices) - len(bad_expenses)
    if room < 2:
        bad_invoices, bad_expenses, expected, room = [], [], {}, total
    invoices = max(1, round(room * 0.7)) if room > 1 else room
    out.invoices = [invoice(rng, n, start) for n in range(1, invoices + 1)]
    out.expenses = [expense(rng, n, start) for n in range(1, room - invoices + 1)]
    # Bad ones in the middle of the stream: they must not hold back the documents after them.
    out.invoices[len(out.invoices) // 2 : len(out.invoices) // 2] = bad_invoices
    out.expenses[len(out.expenses) // 2 : len(out.expenses) // 2] = bad_expenses
    out.expected_errors = expected
    return out


def unique_contact_invoices(total: int, *, seed: int = 11) -> list[Doc]:
    """Invoices each for a client never seen before (the benchmark's worst case)."""
    rng = random.Random(seed)
    start = date(2026, 3, 1)
    return [
        invoice(rng, n, start, client=f"New Client {n:05d}", prefix="NEW")
        for n in range(1, total + 1)
    ]
