"""A sync harness: a migrated database (SQLite and PostgreSQL), a sandbox on loopback with a
custom connection to its demo organisation, a worker on an injected clock, and helpers that read
what the sandbox holds (the only truth about "in Xero exactly once")."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Link, QueueItem
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync import oauth
from ledgerlink.sync.context import WorkerConfig
from ledgerlink.sync.intake import IntakeResult, upsert_documents
from ledgerlink.sync.limiter import Limiter, XeroLimits
from ledgerlink.sync.worker import Worker
from tests.conftest import XeroHttp, custom_token
from tests.engine.conftest import CUSTOM_CLIENT, CUSTOM_SECRET
from xero_sandbox import SandboxConfig
from xero_sandbox.config import Limits
from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.server import SandboxServer

PUBLIC_URL = "https://ledgerlink.test"
# Limits high enough that a test never waits, but enforced: a 429 would still be a 429.
FAST_MINUTE = 100_000
FAST_APP_MINUTE = 1_000_000
DEFAULTS = {
    "default_revenue_account": "200",
    "default_sales_tax_type": "OUTPUT",
    "default_expense_account": "429",
    "default_purchase_tax_type": "INPUT",
}


class Clock:
    """An injected clock: real time at the start, moved on by sleeps and by ``advance``."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def timestamp(self) -> float:
        return self.now.timestamp()

    def sleep(self, seconds: float) -> None:
        # Whole microseconds, rounded up: a datetime cannot move by less, and a wait rounded
        # down to nothing would be asked for again forever.
        self.now += timedelta(microseconds=math.ceil(max(0.0, seconds) * 1_000_000))


@dataclass
class SyncHarness:
    server: SandboxServer
    factory: sessionmaker[Session]
    settings: Settings
    workspace_id: str
    connection_id: str
    clock: Clock

    # the engine ---------------------------------------------------------------------

    def worker(self, limits: XeroLimits | None = None, **changes: Any) -> Worker:
        """A worker on the harness's clock; ``limits`` for the limiter (else fast ones)."""
        config = replace(WorkerConfig(public_url=PUBLIC_URL), **changes)
        limiter = Limiter(
            self.factory,
            CUSTOM_CLIENT,
            limits or XeroLimits(per_minute=FAST_MINUTE, app_per_minute=FAST_APP_MINUTE),
            clock=self.clock.timestamp,
            sleep=self.clock.sleep,
        )
        return Worker(
            self.factory,
            self.settings,
            config,
            limiter=limiter,
            clock=self.clock,
            sleep=self.clock.sleep,
        )

    def push(self, kind: str, items: list[dict[str, Any]]) -> list[IntakeResult]:
        return upsert_documents(
            self.factory, self.workspace_id, self.connection_id, kind, items, now=self.clock()
        )  # type: ignore[arg-type]

    def sync(self, **changes: Any) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for result in self.worker(**changes).run_until_idle(max_seconds=3600):
            totals.update(result.counts)
        return dict(totals)

    def items(self) -> list[QueueItem]:
        with self.factory() as session:
            return list(session.scalars(select(QueueItem).order_by(QueueItem.created_at)))

    def states(self) -> Counter[str]:
        return Counter(item.state for item in self.items())

    def links(self) -> dict[str, Link]:
        with self.factory() as session:
            return {link.document_id: link for link in session.scalars(select(Link))}

    # the sandbox --------------------------------------------------------------------

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        # generous: a long run's request log is large, and this bounds a hang, not a speed
        reply = httpx2.request(method, self.server.url + path, json=body, timeout=30)
        assert reply.status_code < 300, reply.text
        return reply.json()

    def faults(self, *rules: dict[str, Any]) -> None:
        self.admin("POST", "/_sandbox/faults", list(rules))

    def advance(self, seconds: float) -> None:
        """Move both clocks: the sandbox's (keys expire, tokens age) and the worker's."""
        self.admin("POST", "/_sandbox/clock", {"advance_seconds": seconds})
        self.clock.sleep(seconds)

    @contextmanager
    def xero(self) -> Iterator[XeroHttp]:
        """Plain HTTP to the organisation, as a person using Xero would change it."""
        http = XeroHttp(self.server.url, custom_token(self.server.url), DEMO_TENANT)
        try:
            yield http
        finally:
            http.close()

    def invoices(self) -> list[dict[str, Any]]:
        org = self.server.state.orgs[DEMO_TENANT]
        return [dict(r) for r in list(org.invoices.values())]

    def ours(self) -> Counter[str]:
        """How many live Xero invoices carry each of our Url markers (must be 1 each)."""
        return Counter(
            str(r.get("Url"))
            for r in self.invoices()
            if str(r.get("Url") or "").find("ledgerlink") >= 0 and r.get("Status") != "DELETED"
        )

    def contacts_named(self, name: str) -> int:
        org = self.server.state.orgs[DEMO_TENANT]
        wanted = name.strip().casefold()
        return sum(
            1
            for c in list(org.contacts.values())
            if str(c.get("Name")).strip().casefold() == wanted
        )

    def requests(self, method: str | None = None) -> list[dict[str, Any]]:
        query = f"?method={method}" if method else ""
        return list(self.admin("GET", "/_sandbox/requests" + query)["requests"])


def all_once(harness: SyncHarness, expected: int) -> None:
    """Each of ``expected`` documents is one live Xero invoice, and every item is done."""
    ours = harness.ours()
    assert len(ours) == expected, f"{len(ours)} of {expected} documents in Xero"
    assert set(ours.values()) == {1}, [u for u, n in ours.items() if n > 1]
    held = [(i.error_code, i.error_message) for i in harness.items() if i.state != "done"]
    assert harness.states() == {"done": expected}, held[:3]


def fast_limits(**changes: Any) -> Limits:
    """The sandbox's limits in a sync test (``FAST_MINUTE``, ``FAST_APP_MINUTE``), ``changes``
    on top."""
    return replace(Limits(tenant_per_minute=FAST_MINUTE, app_per_minute=FAST_APP_MINUTE), **changes)


def limits_env(limits: Limits) -> dict[str, str]:
    """The environment that gives a ``ledgerlink worker`` process the sandbox's ``limits``."""
    return {
        "LEDGERLINK_XERO_MINUTE_LIMIT": str(limits.tenant_per_minute),
        "LEDGERLINK_XERO_CONCURRENT_LIMIT": str(limits.tenant_concurrent),
        "LEDGERLINK_XERO_APP_MINUTE_LIMIT": str(limits.app_per_minute),
        "LEDGERLINK_XERO_MINUTE_SECONDS": str(limits.minute_seconds),
    }


def connect_harness(
    server: SandboxServer,
    factory: sessionmaker[Session],
    xero_settings: Settings,
    name: str = "Sync test",
) -> SyncHarness:
    """A new workspace with a custom connection to the sandbox's demo organisation (``DEFAULTS``
    for its accounts and taxes); ``xero_settings`` already point at ``server``."""
    with transaction(factory) as session:
        workspace, _ = create_workspace(session, name)
        connection = oauth.connect_custom(
            session, workspace.id, CUSTOM_CLIENT, CUSTOM_SECRET, settings=xero_settings
        )
        conns.update_settings(session, workspace.id, connection.id, DEFAULTS)
        workspace_id, connection_id = workspace.id, connection.id
    return SyncHarness(server, factory, xero_settings, workspace_id, connection_id, Clock())


@pytest.fixture
def sync_server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(limits=fast_limits())) as server:
        yield server


@pytest.fixture
def harness(
    session_factory: sessionmaker[Session], settings: Settings, sync_server: SandboxServer
) -> SyncHarness:
    return connect_harness(sync_server, session_factory, settings.for_sandbox(sync_server.url))


def invoice(n: int, *, contacts: int = 20, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": f"inv-{n}",
        "number": f"LL-{n:05d}",
        "contact": {"key": f"client-{n % contacts}", "name": f"Client {n % contacts} Pty Ltd"},
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "status": "sent" if n % 2 else "draft",
        "lines": [
            {"description": "Design work", "quantity": "2", "unit_amount": f"{100 + n}.50"},
            {"description": "Printing", "quantity": "1.5", "unit_amount": "80.1234"},
        ],
    }
    data.update(changes)
    return data


def expense(n: int, *, suppliers: int = 10, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": f"exp-{n}",
        "supplier": {"key": f"supplier-{n % suppliers}", "name": f"Supplier {n % suppliers}"},
        "reference": f"BILL-{n}",
        "date": "2026-03-05",
        "due_date": "2026-04-05",
        "status": "approved" if n % 2 else "draft",
        "lines": [{"description": "Materials", "quantity": "3", "unit_amount": f"{10 + n}.95"}],
    }
    data.update(changes)
    return data
