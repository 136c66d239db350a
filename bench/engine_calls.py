"""Xero API calls per 1,000 documents of each kind, and documents per second, through the engine.

Each scenario starts a fresh sandbox and a fresh engine (REST API and worker loop in this
process, SQLite in a temporary folder), connects the demo organisation through the custom
connection, presses Synchronize, pushes a warm-up over REST and waits for it to sync (not
counted), and then measures only the sync of the documents pushed after it: the calls the
engine made (its own ``api_calls`` count, checked against the sandbox's counter), the calls by
request as the sandbox logged them, and the wall time from the first upload until the queue is
empty.

Scenarios (the first two are the invoices-alone figures, measured as they always were):

- *invoices, contacts exist*: every client was invoiced once before (the warm-up), so the
  invoices need no new contact.
- *invoices, every invoice a new contact*: each invoice for a client Xero has never seen.
- *purchase orders*: the trade suppliers ordered from once before; most POs approved.
- *credit notes*: clients and suppliers known; sales and supplier credit notes, no allocations.
- *payments on invoices already in Xero*: the warm-up is one sent invoice per payment.
- *credit notes with allocations*: the warm-up is one sent invoice per credit note; each credit
  note applies part of its credit to its invoice.
- *mixed job-management run*: the demo's workload (``ledgerlink.demo.jobs``: invoices,
  expenses, purchase orders, credit notes, payments, the eight bad documents among them),
  every client and supplier known. Calls per 1,000 are per document synced (the held and the
  refused are not counted).
- the kinds issue 12 added (customers, suppliers, products, store orders, stock movements, pay
  runs, a Hong Kong organisation's default currency): ``kinds_calls.py``. The runner they all
  share is ``calls_runner.py``.

Rate limits are off at both ends (the sandbox's and the engine's limiter), so the time is the
engine's and the sandbox's, not Xero's 60 calls a minute. Figures only; nothing is asserted.

    .venv/bin/python bench/engine_calls.py [--documents 1000] [--only payments ...]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # ``bench`` as a package, when run as a script

from bench import kinds_calls  # noqa: E402
from bench.calls_runner import Batch, Doc, Figures, scenario, show  # noqa: E402

from ledgerlink.demo.documents import (  # noqa: E402
    CLIENTS,
    SUPPLIERS,
    expense,
    invoice,
    unique_contact_invoices,
)
from ledgerlink.demo.jobs import (  # noqa: E402
    TRADE_SUPPLIERS,
    credit_note,
    job_workload,
    payment,
    purchase_order,
)

START = date(2026, 3, 1)


# -- the documents of each scenario -----------------------------------------------------


def known_contacts() -> Batch:
    """One invoice per client and one expense per supplier: every contact the scenarios use
    is in Xero before the measured run."""
    rng = random.Random(3)
    invoices = [
        invoice(rng, n, START, client=name, prefix="WARM") for n, name in enumerate(CLIENTS, 1)
    ]
    expenses = []
    for n, (name, account) in enumerate(SUPPLIERS, 1):
        bill = expense(rng, 90000 + n, START)
        bill["supplier"] = {"key": "supplier-" + name.lower().replace(" ", "-"), "name": name}
        bill["lines"][0]["account_code"] = account
        expenses.append(bill)
    return [("invoice", invoices), ("expense", expenses)]


def known_trade_suppliers() -> Batch:
    """One purchase order per trade supplier (POs make no contacts: the engine does first)."""
    rng = random.Random(4)
    orders = []
    for n, name in enumerate(TRADE_SUPPLIERS, 1):
        order = purchase_order(rng, 90000 + n, START)
        order["supplier"] = {"key": "supplier-" + name.lower().replace(" ", "-"), "name": name}
        order["number"] = f"PO-W{n:04d}"
        orders.append(order)
    return [("purchase_order", orders)]


def sent_invoices(count: int) -> list[Doc]:
    """Invoices already sent to their clients (AUTHORISED in Xero), numbered apart."""
    rng = random.Random(6)
    docs = [invoice(rng, n, START, prefix="PAID") for n in range(1, count + 1)]
    for doc in docs:
        doc["status"] = "sent"
    return docs


def payments_on(invoices: list[Doc]) -> list[Doc]:
    """A deposit of 30% of the lines before tax on each invoice."""
    found = []
    for n, doc in enumerate(invoices, 1):
        before_tax = sum(Decimal(x["quantity"]) * Decimal(x["unit_amount"]) for x in doc["lines"])
        amount = (before_tax * Decimal("0.3")).quantize(Decimal("0.01"))
        found.append(payment(n, doc, max(amount, Decimal("0.01")), 7, "Deposit"))
    return found


def allocating_notes(invoices: list[Doc]) -> list[Doc]:
    """One sent credit note per invoice, for its client, applying 10.00 of it to the invoice."""
    rng = random.Random(8)
    notes = []
    for n, doc in enumerate(invoices, 1):
        note = credit_note(rng, n, START, client=doc["contact"]["name"])
        note["status"] = "sent"
        note["date"] = doc["issue_date"]
        note["lines"][0]["unit_amount"] = "10.00"
        note["allocations"] = [{"document": doc["source_id"], "amount": "10.00"}]
        notes.append(note)
    return notes


def scenarios(count: int) -> dict[str, Callable[[], Figures]]:
    """Each scenario by its short name (``--only``), built only when run."""

    def invoices_known() -> Figures:
        # As measured since the first figure: the same seed and order of draws.
        rng = random.Random(5)
        warmup = [
            invoice(rng, n, START, client=name, prefix="WARM") for n, name in enumerate(CLIENTS, 1)
        ]
        known = [
            invoice(rng, n, START, client=CLIENTS[n % len(CLIENTS)]) for n in range(1, count + 1)
        ]
        return scenario(
            f"{count} invoices, contacts exist", [("invoice", warmup)], [("invoice", known)]
        )

    def invoices_new() -> Figures:
        return scenario(
            f"{count} invoices, every invoice a new contact",
            [],
            [("invoice", unique_contact_invoices(count))],
        )

    def purchase_orders() -> Figures:
        rng = random.Random(9)
        orders = [purchase_order(rng, n, START) for n in range(1, count + 1)]
        return scenario(
            f"{count} purchase orders, suppliers exist",
            known_trade_suppliers(),
            [("purchase_order", orders)],
        )

    def credit_notes() -> Figures:
        rng = random.Random(10)
        notes = [credit_note(rng, n, START) for n in range(1, count + 1)]
        return scenario(
            f"{count} credit notes (sales and supplier), contacts exist",
            known_contacts(),
            [("credit_note", notes)],
        )

    def payments() -> Figures:
        paid = sent_invoices(count)
        return scenario(
            f"{count} payments on invoices already in Xero",
            [("invoice", paid)],
            [("payment", payments_on(paid))],
        )

    def allocations() -> Figures:
        credited = sent_invoices(count)
        return scenario(
            f"{count} credit notes with allocations, invoices already in Xero",
            [("invoice", credited)],
            [("credit_note", allocating_notes(credited))],
        )

    def mixed() -> Figures:
        work = job_workload(count)
        mix = ", ".join(f"{len(d)} {kind}" for kind, d in work.by_kind())
        return scenario(
            f"{count} documents, mixed job-management run ({mix}), contacts exist",
            known_contacts() + known_trade_suppliers(),
            work.by_kind(),
        )

    return {
        "invoices": invoices_known,
        "invoices-new-contacts": invoices_new,
        "purchase-orders": purchase_orders,
        "credit-notes": credit_notes,
        "payments": payments,
        "allocations": allocations,
        "mixed": mixed,
        **kinds_calls.scenarios(count),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--documents",
        "--invoices",
        dest="documents",
        type=int,
        default=1000,
        help="documents per scenario (default 1000)",
    )
    runs = scenarios(1)
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(runs),
        help="run only this scenario (repeatable); all by default",
    )
    args = parser.parse_args()

    runs = scenarios(args.documents)
    chosen = [name for name in runs if not args.only or name in args.only]
    print("engine: API calls and throughput (rate limits off, SQLite, one worker)")
    summary = []
    for name in chosen:
        print()
        figures = runs[name]()
        show(figures)
        summary.append((name, figures))
    if len(summary) > 1:
        print("\ncalls per 1,000 documents")
        for name, figures in summary:
            print(f"  {name:<24} {figures.per_1000:7.1f}  {figures.unit}")


if __name__ == "__main__":
    main()
