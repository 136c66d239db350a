"""Xero API calls per 1,000 invoices, and documents per second end to end, through the engine.

Each scenario starts a fresh sandbox and a fresh engine (REST API and worker loop in this
process, SQLite in a temporary folder), connects the demo organisation through the custom
connection, presses Synchronize, and then measures only the sync of the invoices pushed over
REST: the calls the engine made (its own ``api_calls`` count, checked against the sandbox's
counter) and the wall time from the first upload until the queue is empty.

Scenarios:

- *contacts exist*: every client was invoiced once before (a warm-up round, synced and not
  counted), so the 1,000 invoices need no new contact.
- *every invoice a new contact*: 1,000 invoices, each for a client Xero has never seen.

Rate limits are off at both ends (the sandbox's and the engine's limiter), so the time is the
engine's and the sandbox's, not Xero's 60 calls a minute. Figures only; nothing is asserted.

    .venv/bin/python bench/engine_calls.py [--invoices 1000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx2

from ledgerlink.api.server import EngineServer
from ledgerlink.config import Settings, new_key_text
from ledgerlink.demo.documents import CLIENTS, invoice, unique_contact_invoices
from ledgerlink.store import migrate
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.limiter import XeroLimits
from xero_sandbox.config import SandboxConfig
from xero_sandbox.server import SandboxServer, free_port

CUSTOM_CLIENT = "LEDGERLINK-CUSTOM-CONNECTION"
CUSTOM_SECRET = "ledgerlink-custom-secret"
CHUNK = 500
UNLIMITED = XeroLimits(per_minute=1_000_000, per_day=10_000_000, concurrent=50)


@dataclass
class Figures:
    name: str
    invoices: int
    synced: int
    calls: int
    sandbox_calls: int
    seconds: float
    refused_429: int


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
            json={"default_revenue_account": "200"},
        )
        self.call("POST", f"/connections/{self.connection_id}/reference/refresh")

    def calls(self) -> int:
        return int(self.call("GET", f"/connections/{self.connection_id}/usage")["calls"])

    def sandbox_stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = httpx2.get(self.sandbox_url + "/_sandbox/stats").json()
        return stats

    def push_and_wait(self, docs: list[dict[str, Any]]) -> int:
        """Push in bulk, wait for an empty queue; how many items are done in all."""
        for start in range(0, len(docs), CHUNK):
            self.call("POST", "/documents/invoice/bulk", json=docs[start : start + CHUNK])
        while True:
            counts = self.call("GET", "/queue", params={"limit": 1})["counts"]
            if counts.get("queued", 0) + counts.get("in_flight", 0) == 0:
                return int(counts.get("done", 0))
            time.sleep(0.05)


def scenario(name: str, warmup: list[dict[str, Any]], docs: list[dict[str, Any]]) -> Figures:
    config = SandboxConfig()
    config.limits.enabled = False
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
                started = time.perf_counter()
                done = bench.push_and_wait(docs)
                seconds = time.perf_counter() - started
                stats = bench.sandbox_stats()
                return Figures(
                    name,
                    len(docs),
                    done - before_done,
                    bench.calls() - calls_before,
                    stats["api_calls"]["by_org"]["demo"] - sandbox_before,
                    seconds,
                    int(stats["rate_limits"]["refused_total"]),
                )
        finally:
            services.close()


def show(figures: Figures) -> None:
    per_1000 = figures.calls * 1000 / max(figures.synced, 1)
    print(f"{figures.name}")
    print(f"  invoices synced        {figures.synced} of {figures.invoices}")
    print(f"  Xero API calls         {figures.calls} (sandbox counted {figures.sandbox_calls})")
    print(f"  calls per 1,000        {per_1000:.1f}")
    print(f"  wall time              {figures.seconds:.2f} s")
    print(f"  documents per second   {figures.synced / figures.seconds:.0f}")
    print(f"  429 responses          {figures.refused_429}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1000)
    args = parser.parse_args()

    rng = random.Random(5)
    start = date(2026, 3, 1)
    warmup = [
        invoice(rng, n, start, client=name, prefix="WARM") for n, name in enumerate(CLIENTS, 1)
    ]
    known = [
        invoice(rng, n, start, client=CLIENTS[n % len(CLIENTS)])
        for n in range(1, args.invoices + 1)
    ]
    print("engine: API calls and throughput (rate limits off, SQLite, one worker)\n")
    show(scenario(f"{args.invoices} invoices, contacts exist", warmup, known))
    print()
    show(
        scenario(
            f"{args.invoices} invoices, every invoice a new contact",
            [],
            unique_contact_invoices(args.invoices),
        )
    )


if __name__ == "__main__":
    main()
