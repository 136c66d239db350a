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

Rate limits are off at both ends (the sandbox's and the engine's limiter), so the time is the
engine's and the sandbox's, not Xero's 60 calls a minute. Figures only; nothing is asserted.

    .venv/bin/python bench/engine_calls.py [--documents 1000] [--only payments ...]
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2

from ledgerlink.api.server import EngineServer
from ledgerlink.config import Settings, new_key_text
from ledgerlink.demo.documents import (
    CLIENTS,
    SUPPLIERS,
    expense,
    invoice,
    unique_contact_invoices,
)
from ledgerlink.demo.jobs import (
    TRADE_SUPPLIERS,
    credit_note,
    job_workload,
    payment,
    purchase_order,
)
from ledgerlink.store import migrate
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.limiter import XeroLimits
from xero_sandbox.config import SandboxConfig
from xero_sandbox.server import SandboxServer, free_port

CUSTOM_CLIENT = "LEDGERLINK-CUSTOM-CONNECTION"
CUSTOM_SECRET = "ledgerlink-custom-secret"
CHUNK = 500
START = date(2026, 3, 1)
GUID = re.compile(r"/[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}")
UNLIMITED = XeroLimits(per_minute=1_000_000, per_day=10_000_000, concurrent=50)


Doc = dict[str, Any]
Batch = list[tuple[str, list[Doc]]]  # (kind, documents), pushed in this order


@dataclass
class Figures:
    name: str
    documents: int
    synced: int
    calls: int
    sandbox_calls: int
    seconds: float
    refused_429: int
    by_request: Counter[str] = field(default_factory=Counter)


class Bench:
    def __init__(self, http: httpx2.Client, sandbox_url: str) -> None:
        self.http = http
        self.sandbox_url = sandbox_url
        self.key = ""
        self.connection_id = ""

    def call(self, method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        reply = self.http.request(method, "/api/v1" + path, headers=headers, **kw)
        if reply.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {reply.status_code}: {reply.text[:300]}")
        return reply.json()

    def setup(self) -> None:
        self.key = self.call("POST", "/workspaces", json={"name": "Bench"})["api_key"]
        made = self.call(
            "POST",
            "/connections/custom",
            json={"client_id": CUSTOM_CLIENT, "client_secret": CUSTOM_SECRET},
        )
        self.connection_id = made["id"]
        self.call(
            "PATCH",
            f"/connections/{self.connection_id}/settings",
            json={"default_revenue_account": "200", "default_expense_account": "429"},
        )
        self.call("POST", f"/connections/{self.connection_id}/reference/refresh")

    def calls(self) -> int:
        return int(self.call("GET", f"/connections/{self.connection_id}/usage")["calls"])

    def sandbox_stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = httpx2.get(self.sandbox_url + "/_sandbox/stats").json()
        return stats

    def sandbox_requests(self) -> list[dict[str, Any]]:
        """The demo organisation's calls as the sandbox logged them."""
        reply = httpx2.get(self.sandbox_url + "/_sandbox/requests", params={"tenant": "demo"})
        requests: list[dict[str, Any]] = reply.json()["requests"]
        return requests

    def push_and_wait(self, batch: Batch) -> int:
        """Push in bulk, kind by kind, wait for an empty queue; how many items are done."""
        for kind, docs in batch:
            for start in range(0, len(docs), CHUNK):
                self.call("POST", f"/documents/{kind}/bulk", json=docs[start : start + CHUNK])
        while True:
            counts = self.call("GET", "/queue", params={"limit": 1})["counts"]
            if counts.get("queued", 0) + counts.get("in_flight", 0) == 0:
                return int(counts.get("done", 0))
            time.sleep(0.05)


def scenario(name: str, warmup: Batch, docs: Batch) -> Figures:
    config = SandboxConfig()
    config.limits.enabled = False
    # With its limits off the sandbox still answers Xero's remaining-calls headers, counted
    # against its limits, and the engine heeds them: a run past 60 calls would wait out the
    # minute. The sandbox's limits are raised to the engine's so both say "no limit".
    config.limits.tenant_per_minute = UNLIMITED.per_minute
    config.limits.tenant_per_day = UNLIMITED.per_day
    config.limits.app_per_minute = UNLIMITED.per_minute
    port = free_port()
    with tempfile.TemporaryDirectory() as folder, SandboxServer(config) as sandbox:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        settings = Settings(database_url=url, secret_keys=(new_key_text(),))
        services = Engine.open(
            settings.for_sandbox(sandbox.url),
            admin_token="",
            limits=UNLIMITED,
            public_url=f"http://127.0.0.1:{port}",
        )
        try:
            with (
                EngineServer(services, port=port) as server,
                httpx2.Client(base_url=server.url, timeout=300) as http,
            ):
                bench = Bench(http, sandbox.url)
                bench.setup()
                before_done = bench.push_and_wait(warmup) if warmup else 0
                calls_before = bench.calls()
                sandbox_before = bench.sandbox_stats()["api_calls"]["by_org"]["demo"]
                logged_before = len(bench.sandbox_requests())
                started = time.perf_counter()
                done = bench.push_and_wait(docs)
                seconds = time.perf_counter() - started
                stats = bench.sandbox_stats()
                logged = bench.sandbox_requests()[logged_before:]
                return Figures(
                    name,
                    sum(len(d) for _, d in docs),
                    done - before_done,
                    bench.calls() - calls_before,
                    stats["api_calls"]["by_org"]["demo"] - sandbox_before,
                    seconds,
                    int(stats["rate_limits"]["refused_total"]),
                    Counter(f"{e['method']} {GUID.sub('/{id}', e['path'])}" for e in logged),
                )
        finally:
            services.close()


def show(figures: Figures) -> None:
    per_1000 = figures.calls * 1000 / max(figures.synced, 1)
    print(f"{figures.name}")
    print(f"  documents synced       {figures.synced} of {figures.documents}")
    print(f"  Xero API calls         {figures.calls} (sandbox counted {figures.sandbox_calls})")
    print(f"  calls per 1,000        {per_1000:.1f}")
    print(f"  wall time              {figures.seconds:.2f} s")
    print(f"  documents per second   {figures.synced / figures.seconds:.0f}")
    print(f"  429 responses          {figures.refused_429}")
    if figures.by_request:
        calls = ", ".join(f"{name} {n}" for name, n in figures.by_request.most_common())
        print(f"  calls by request       {calls}")


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
            print(f"  {name:<24} {figures.calls * 1000 / max(figures.synced, 1):7.1f}")


if __name__ == "__main__":
    main()
