"""How many invoices per second the local Xero sandbox accepts, over real HTTP.

Starts the sandbox with uvicorn on a free loopback port (in a subprocess, so the client does not
share the server's interpreter), with rate limits disabled, takes a token through the
custom-connection grant, creates contacts, then PUTs invoices in batches (three lines each,
``summarizeErrors=false``) and prints invoices accepted per second, requests per second and
request latency. It asserts nothing about time: the figures are for people to read.

    .venv/bin/python bench/sandbox_throughput.py [--invoices 5000] [--batch 50]
    .venv/bin/python bench/sandbox_throughput.py --in-process --profile   # where the time goes
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx2
import msgspec

from xero_sandbox.config import SandboxConfig
from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.server import SandboxServer, free_port

_ENCODE = msgspec.json.Encoder(decimal_format="number").encode
_DECODE = msgspec.json.Decoder(float_hook=Decimal).decode
ACCOUNTS = ["200", "260"]
ITEMS = ["Consulting", "Installation", "Call-out fee", "Materials", "Travel", "Support plan"]


def bench_config() -> SandboxConfig:
    """Rate limits off: the bench measures the sandbox, not Xero's 60 calls a minute."""
    config = SandboxConfig()
    config.limits.enabled = False
    return config


def custom_app(config: SandboxConfig) -> tuple[str, str]:
    app = next(a for a in config.apps if a.kind == "custom" and a.custom_tenant == "demo")
    assert app.client_secret is not None
    return app.client_id, app.client_secret


def serve_forever(port: int) -> None:
    """The subprocess side: a sandbox on ``port`` until the parent closes our stdin."""
    server = SandboxServer(bench_config(), port=port).start()
    print("ready", flush=True)
    sys.stdin.read()
    server.stop()


@contextmanager
def sandbox_subprocess() -> Iterator[str]:
    port = free_port()
    cmd = [sys.executable, __file__, "--serve", str(port)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the sandbox subprocess did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=20)


class ProfiledServer(SandboxServer):
    """The sandbox in this process, its event-loop thread under cProfile."""

    profile = cProfile.Profile()

    def _run(self) -> None:
        self.profile.enable()
        try:
            asyncio.run(self.server.serve())
        finally:
            self.profile.disable()


@contextmanager
def sandbox_thread(profiled: bool) -> Iterator[tuple[str, SandboxServer]]:
    server = (ProfiledServer if profiled else SandboxServer)(bench_config()).start()
    try:
        yield server.url, server
    finally:
        server.stop()


class Client:
    """Plain HTTP to the demo organisation, timing every request."""

    def __init__(self, base: str) -> None:
        client_id, secret = custom_app(SandboxConfig())
        reply = httpx2.post(
            base + "/connect/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, secret),
            timeout=30,
        )
        reply.raise_for_status()
        headers = {
            "Authorization": f"Bearer {reply.json()['access_token']}",
            "xero-tenant-id": DEMO_TENANT,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        self.http = httpx2.Client(base_url=base + "/api.xro/2.0", headers=headers, timeout=300)
        self.latencies: list[float] = []

    def put(self, path: str, body: Any, params: dict[str, str] | None = None) -> Any:
        started = time.perf_counter()
        reply = self.http.put(path, content=_ENCODE(body), params=params)
        self.latencies.append(time.perf_counter() - started)
        if reply.status_code != 200:
            raise RuntimeError(f"PUT {path}: {reply.status_code} {reply.text[:500]}")
        return _DECODE(reply.content)

    def close(self) -> None:
        self.http.close()


def make_contacts(client: Client, count: int) -> list[str]:
    contacts = [
        {
            "Name": f"Bench Customer {i:04d}",
            "ContactNumber": f"BENCH-{i:04d}",
            "EmailAddress": f"accounts{i}@customer.example",
        }
        for i in range(count)
    ]
    ids: list[str] = []
    for start in range(0, count, 50):
        reply = client.put("/Contacts", {"Contacts": contacts[start : start + 50]})
        ids += [c["ContactID"] for c in reply["Contacts"]]
    return ids


def make_invoice(rng: random.Random, contact: str, today: date, n: int) -> dict[str, Any]:
    lines = [
        {
            "Description": rng.choice(ITEMS),
            "Quantity": Decimal(rng.randint(1, 40)) / 4,
            "UnitAmount": Decimal(rng.randint(500, 250_000)) / 100,
            "AccountCode": rng.choice(ACCOUNTS),
            "TaxType": "OUTPUT",
        }
        for _ in range(3)
    ]
    return {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact},
        "Date": today.isoformat(),
        "DueDate": (today + timedelta(days=30)).isoformat(),
        "Reference": f"Job {100000 + n}",
        "LineAmountTypes": "Exclusive",
        "Status": "AUTHORISED",
        "LineItems": lines,
    }


def run(base: str, invoices: int, batch: int, contacts: int) -> dict[str, float]:
    client = Client(base)
    rng = random.Random(7)
    today = date.today()
    try:
        contact_ids = make_contacts(client, contacts)
        client.latencies.clear()
        accepted = 0
        started = time.perf_counter()
        for start in range(0, invoices, batch):
            size = min(batch, invoices - start)
            body = {
                "Invoices": [
                    make_invoice(rng, rng.choice(contact_ids), today, start + i)
                    for i in range(size)
                ]
            }
            reply = client.put("/Invoices", body, params={"summarizeErrors": "false"})
            accepted += sum(
                1 for i in reply["Invoices"] if i["StatusAttributeString"] in ("OK", "WARNING")
            )
        wall = time.perf_counter() - started
    finally:
        client.close()
    latencies = sorted(client.latencies)
    return {
        "invoices": invoices,
        "accepted": accepted,
        "requests": len(latencies),
        "seconds": wall,
        "invoices_per_second": accepted / wall,
        "requests_per_second": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] * 1000,
    }


def report(figures: dict[str, float], batch: int, where: str) -> str:
    return "\n".join(
        [
            f"sandbox throughput ({where}, batches of {batch}, 3 lines per invoice)",
            f"  invoices accepted   {figures['accepted']:.0f} of {figures['invoices']:.0f}"
            f" in {figures['seconds']:.2f} s",
            f"  invoices/second     {figures['invoices_per_second']:.0f}",
            f"  requests/second     {figures['requests_per_second']:.1f}"
            f" ({figures['requests']:.0f} requests)",
            f"  latency p50         {figures['p50_ms']:.1f} ms",
            f"  latency p95         {figures['p95_ms']:.1f} ms",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--in-process", action="store_true", help="serve from a thread here")
    parser.add_argument("--profile", action="store_true", help="cProfile the server (in-process)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_forever(args.serve)
        return
    if args.in_process or args.profile:
        with sandbox_thread(args.profile) as (base, server):
            figures = run(base, args.invoices, args.batch, args.contacts)
        print(report(figures, args.batch, "in-process thread"))
        if isinstance(server, ProfiledServer):
            out = io.StringIO()
            pstats.Stats(server.profile, stream=out).sort_stats("cumulative").print_stats(30)
            print(out.getvalue())
        return
    with sandbox_subprocess() as base:
        figures = run(base, args.invoices, args.batch, args.contacts)
    print(report(figures, args.batch, "uvicorn subprocess"))


if __name__ == "__main__":
    main()
