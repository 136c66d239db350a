"""Xero's webhooks into ledgerlink: events a second the receiver takes, how long it takes to
answer under load (Xero waits five seconds), and the Xero calls per 1,000 events pulled.

    .venv/bin/python bench/webhook_intake.py            # SQLite, and PostgreSQL when it answers
    .venv/bin/python bench/webhook_intake.py --quick    # small, for CI

The receiver is ``ledgerlink serve --no-worker`` in its own process (its answer does not wait
on any pull); signed deliveries come from ``--clients`` threads here, each event pointing at an
invoice ledgerlink sent, some repeated (Xero retries). Then this process pulls them as a worker
does and counts its Xero calls. Figures only; nothing about time is asserted.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # ``bench`` as a package, when run as a script

from bench.baselines import invoices  # noqa: E402
from bench.engine_side import UNLIMITED, Ledger, database, postgres_reachable  # noqa: E402
from bench.xero_side import sandbox, wait_until_answering  # noqa: E402

from ledgerlink.store.models import Link  # noqa: E402
from ledgerlink.store.twoway import PullItem, XeroEvent  # noqa: E402
from ledgerlink.sync import xero_webhooks  # noqa: E402
from xero_sandbox.server import free_port  # noqa: E402

KEY = "bench-webhook-key"
REPEAT_EVERY = 10  # one delivery in ten is a repeat of an earlier one, as Xero's retries are


def _sign(body: bytes) -> str:
    return base64.b64encode(hmac.new(KEY.encode(), body, hashlib.sha256).digest()).decode()


def _deliveries(tenant: str, xero_ids: list[str], count: int, per: int) -> list[bytes]:
    bodies: list[bytes] = []
    n = 0
    for d in range(count):
        if d and d % REPEAT_EVERY == 0:
            bodies.append(bodies[d // 2])
            continue
        events = []
        for _ in range(per):
            xero_id = xero_ids[n % len(xero_ids)]
            seconds = n // len(xero_ids)
            events.append(
                {
                    "resourceUrl": f"https://api.xero.com/api.xro/2.0/Invoices/{xero_id}",
                    "resourceId": xero_id,
                    "tenantId": tenant,
                    "tenantType": "ORGANISATION",
                    "eventCategory": "INVOICE",
                    "eventType": "UPDATE",
                    "eventDateUtc": f"2026-03-20T01:00:{seconds % 60:02d}.{n % 1000:03d}",
                }
            )
            n += 1
        payload = {"events": events, "firstEventSequence": n - per + 1, "lastEventSequence": n}
        payload["entropy"] = "BENCHBENCHBENCHBENCH"
        bodies.append(json.dumps(payload, separators=(",", ":")).encode())
    return bodies


@contextmanager
def receiver(ledger: Ledger, folder: Path) -> Iterator[str]:
    """``ledgerlink serve --no-worker`` on the ledger's database; its webhook URL."""
    port = free_port()
    env = {**os.environ, **ledger.settings.as_env(), "LEDGERLINK_XERO_WEBHOOK_KEY": KEY}
    env["LEDGERLINK_LOG_LEVEL"] = "WARNING"
    cmd = [sys.executable, "-m", "ledgerlink.cli", "serve", "--port", str(port), "--no-worker"]
    cmd += ["--database-url", ledger.settings.database_url]
    log = folder / "receiver.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=sink)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(proc, url + "/openapi.json", "the receiver", log.read_text)
        yield url + "/api/v1/xero/webhooks"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _load(url: str, bodies: list[bytes], clients: int) -> tuple[list[float], float, int]:
    """Post every body from ``clients`` threads; each answer's seconds, the wall, non-200s."""
    latencies: list[float] = []
    refused = 0
    lock = threading.Lock()
    queue = list(enumerate(bodies))

    def client() -> None:
        nonlocal refused
        with httpx2.Client(timeout=30) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    _, body = queue.pop()
                headers = {"x-xero-signature": _sign(body), "content-type": "application/json"}
                started = time.perf_counter()
                reply = http.post(url, content=body, headers=headers)
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    refused += reply.status_code != 200

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started, refused


@dataclass(frozen=True)
class Sizes:
    documents: int = 2000  # invoices sent first, which the events point at
    deliveries: int = 1000
    per_delivery: int = 10
    clients: int = 16  # threads posting deliveries at once
    postgres_too: bool = True  # PostgreSQL as well as SQLite, when it answers


QUICK = Sizes(100, 40, 10, 4, postgres_too=False)


def run(kind: str, sizes: Sizes, folder: Path) -> dict[str, Any]:
    with sandbox(limits=False) as box, database(kind, folder) as url:
        org = box.new_orgs(1, f"WH{kind[:2]}")[0]
        ledger = Ledger(url, box.url, UNLIMITED)
        try:
            ledger.connect([org])
            ledger.push(org, invoices(sizes.documents, f"WH{kind[:2]}"))
            ledger.sync()
            with ledger.engine.factory() as session:
                xero_ids = list(session.scalars(select(Link.xero_id)))
            bodies = _deliveries(org.tenant_id, xero_ids, sizes.deliveries, sizes.per_delivery)
            with receiver(ledger, folder) as hook:
                _load(hook, bodies[: sizes.clients], sizes.clients)  # warm the receiver up
                latencies, wall, refused = _load(hook, bodies, sizes.clients)
            events = sum(len(json.loads(b)["events"]) for b in bodies)
            now = datetime.now(UTC)
            while xero_webhooks.route(ledger.engine.factory, now).events:
                pass  # what the workers do first: the stored events into pulls
            time.sleep(1.1)  # the pulls' gathering second
            with ledger.engine.factory() as session:
                pulls = int(session.scalar(select(func.count()).select_from(PullItem)) or 0)
            mark = ledger.mark()
            ledger.sync()
            calls = ledger.calls_since(mark)
            with ledger.engine.factory() as session:
                stored = int(session.scalar(select(func.count()).select_from(XeroEvent)) or 0)
        finally:
            ledger.close()
    ordered = sorted(latencies)
    return {
        "database": kind,
        "deliveries": len(bodies),
        "events": events,
        "stored": stored,
        "refused": refused,
        "events_per_second": events / wall,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[max(0, int(len(ordered) * 0.99) - 1)],
        "max_ms": 1000 * ordered[-1],
        "pulls": pulls,
        "calls": calls.calls,
        "calls_per_1000_events": 1000 * calls.calls / max(1, stored),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--per-delivery", type=int, default=10)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args(argv)
    sizes = (
        QUICK
        if args.quick
        else Sizes(args.documents, args.deliveries, args.per_delivery, args.clients)
    )
    kinds = ["sqlite"] + (["postgresql"] if sizes.postgres_too and postgres_reachable() else [])
    print(
        f"webhook intake: {sizes.deliveries} signed deliveries of {sizes.per_delivery} events "
        f"(one in {REPEAT_EVERY} repeated) from {sizes.clients} clients, "
        f"{sizes.documents} linked invoices"
    )
    print(HEADER)
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            print(row(run(kind, sizes, Path(tmp))))
    return 0


HEADER = (
    "database    events/s   p50 ms   p99 ms   max ms   stored  non-200   pulls  calls"
    "  calls/1000 ev"
)


def row(r: dict[str, Any]) -> str:
    return (
        f"{r['database']:<10} {r['events_per_second']:>9.0f} {r['p50_ms']:>8.1f} "
        f"{r['p99_ms']:>8.1f} {r['max_ms']:>8.1f} {r['stored']:>8} {r['refused']:>8} "
        f"{r['pulls']:>7} {r['calls']:>6} {r['calls_per_1000_events']:>14.1f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
