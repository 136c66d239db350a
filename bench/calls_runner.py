"""The scenario runner ``engine_calls.py`` and ``kinds_calls.py`` share: a fresh sandbox and a
fresh engine (REST API and worker loop in this process, SQLite in a temporary folder), the
organisation connected through its custom connection, Synchronize pressed, a warm-up pushed
over REST and synced (not counted), then the measured sync of the documents pushed after it.

What a person does in Xero or on the dashboard before the warm-up (items made in Xero, accounts
added, pay-item types installed, settings changed) is a scenario's ``prepare``: it gets the
``Bench`` (the engine's REST API, and ``xero`` for the organisation as a person sees it).
"""

from __future__ import annotations

import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from ledgerlink.api.server import EngineServer
from ledgerlink.config import Settings, new_key_text
from ledgerlink.store import migrate
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.limiter import XeroLimits
from xero_sandbox.config import SandboxConfig
from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.server import SandboxServer, free_port

CUSTOM_CLIENT = "LEDGERLINK-CUSTOM-CONNECTION"
CUSTOM_SECRET = "ledgerlink-custom-secret"
CHUNK = 500
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
    # What "per 1,000" counts when it is not the queue's items done (a pay run's bills, the
    # orders whose payments are queue items of their own); None: the items done.
    units: int | None = None
    unit: str = "documents"

    @property
    def per_1000(self) -> float:
        return self.calls * 1000 / max(self.units if self.units is not None else self.synced, 1)


@dataclass
class Org:
    """The organisation a scenario sends to: its key at the sandbox, tenant id, custom app."""

    key: str = "demo"
    tenant_id: str = DEMO_TENANT
    client_id: str = CUSTOM_CLIENT
    client_secret: str = CUSTOM_SECRET


class Bench:
    def __init__(self, http: httpx2.Client, sandbox_url: str, org: Org) -> None:
        self.http = http
        self.sandbox_url = sandbox_url
        self.org = org
        self.key = ""
        self.connection_id = ""

    def call(self, method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        reply = self.http.request(method, "/api/v1" + path, headers=headers, **kw)
        if reply.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {reply.status_code}: {reply.text[:300]}")
        return reply.json() if reply.content else None

    def setup(self) -> None:
        self.key = self.call("POST", "/workspaces", json={"name": "Bench"})["api_key"]
        made = self.call(
            "POST",
            "/connections/custom",
            json={"client_id": self.org.client_id, "client_secret": self.org.client_secret},
        )
        self.connection_id = made["id"]
        self.configure(default_revenue_account="200", default_expense_account="429")
        self.refresh()

    def configure(self, **settings: Any) -> None:
        """Change the connection's settings, as Edit connection does."""
        self.call("PATCH", f"/connections/{self.connection_id}/settings", json=settings)

    def refresh(self) -> None:
        """Synchronize: the organisation's lists read again (accounts a person just made)."""
        self.call("POST", f"/connections/{self.connection_id}/reference/refresh")

    def xero(self, method: str, path: str, body: Any) -> Any:
        """The organisation as a person changes it in Xero (its custom connection's token)."""
        token = httpx2.post(
            self.sandbox_url + "/connect/token",
            data={"grant_type": "client_credentials"},
            auth=(self.org.client_id, self.org.client_secret),
            timeout=30,
        ).json()["access_token"]
        reply = httpx2.request(
            method,
            self.sandbox_url + "/api.xro/2.0" + path,
            json=body,
            headers={
                "Authorization": f"Bearer {token}",
                "xero-tenant-id": self.org.tenant_id,
                "Accept": "application/json",
            },
            timeout=300,
        )
        if reply.status_code >= 400:
            raise RuntimeError(f"Xero {method} {path} -> {reply.status_code}: {reply.text[:300]}")
        return reply.json()

    def calls(self) -> int:
        return int(self.call("GET", f"/connections/{self.connection_id}/usage")["calls"])

    def sandbox_calls(self) -> tuple[int, int]:
        """The organisation's calls as the sandbox counted them, and its 429s (all tenants)."""
        stats: dict[str, Any] = httpx2.get(self.sandbox_url + "/_sandbox/stats").json()
        calls = int(stats["api_calls"]["by_org"][self.org.key])
        return calls, int(stats["rate_limits"]["refused_total"])

    def sandbox_requests(self) -> list[dict[str, Any]]:
        """The organisation's calls as the sandbox logged them."""
        reply = httpx2.get(self.sandbox_url + "/_sandbox/requests", params={"tenant": self.org.key})
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


def _new_org(sandbox_url: str, body: dict[str, Any]) -> Org:
    """An organisation made through the sandbox's admin API, with its custom connection app."""
    reply = httpx2.post(
        sandbox_url + "/_sandbox/orgs", json={"count": 1, "prefix": "bench", **body}, timeout=30
    )
    if reply.status_code != 201:
        raise RuntimeError(f"/_sandbox/orgs -> {reply.status_code}: {reply.text[:300]}")
    made = reply.json()["organisations"][0]
    return Org(made["key"], made["tenant_id"], made["client_id"], made["client_secret"])


def scenario(
    name: str,
    warmup: Batch,
    docs: Batch,
    *,
    prepare: Callable[[Bench], None] | None = None,
    new_org: dict[str, Any] | None = None,
    units: int | None = None,
    unit: str = "documents",
) -> Figures:
    """Measure the sync of ``docs`` after ``prepare`` and the synced ``warmup``. ``new_org``:
    send to an organisation made for the run (the body of ``POST /_sandbox/orgs``), not the
    demo one. ``units``/``unit``: what calls per 1,000 counts, when not the items done."""
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
        org = _new_org(sandbox.url, new_org) if new_org is not None else Org()
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
                bench = Bench(http, sandbox.url, org)
                bench.setup()
                if prepare is not None:
                    prepare(bench)
                before_done = bench.push_and_wait(warmup) if warmup else 0
                calls_before = bench.calls()
                sandbox_before, _ = bench.sandbox_calls()
                logged_before = len(bench.sandbox_requests())
                started = time.perf_counter()
                done = bench.push_and_wait(docs)
                seconds = time.perf_counter() - started
                sandbox_after, refused = bench.sandbox_calls()
                logged = bench.sandbox_requests()[logged_before:]
                return Figures(
                    name,
                    sum(len(d) for _, d in docs),
                    done - before_done,
                    bench.calls() - calls_before,
                    sandbox_after - sandbox_before,
                    seconds,
                    refused,
                    Counter(f"{e['method']} {GUID.sub('/{id}', e['path'])}" for e in logged),
                    units,
                    unit,
                )
        finally:
            services.close()


def show(figures: Figures) -> None:
    print(f"{figures.name}")
    if figures.units is None:
        print(f"  documents synced       {figures.synced} of {figures.documents}")
    else:  # a pay run's bills, an order's payments: documents of their own in the queue
        made = f"{figures.documents} pushed, {figures.synced - figures.documents} made"
        print(f"  documents synced       {figures.synced} ({made})")
        print(f"  {figures.unit:<22} {figures.units}")
    print(f"  Xero API calls         {figures.calls} (sandbox counted {figures.sandbox_calls})")
    label = "calls per 1,000" + ("" if figures.unit == "documents" else " " + figures.unit)
    print(f"  {label:<22} {figures.per_1000:.1f}")
    print(f"  wall time              {figures.seconds:.2f} s")
    print(f"  documents per second   {figures.synced / figures.seconds:.0f}")
    print(f"  429 responses          {figures.refused_429}")
    if figures.by_request:
        calls = ", ".join(f"{name} {n}" for name, n in figures.by_request.most_common())
        print(f"  calls by request       {calls}")
