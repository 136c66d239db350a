"""Two ``ledgerlink worker`` processes on one PostgreSQL database, one workload, Xero's limits.

One consent connects two organisations (one token set between them); each gets 300 documents.
The sandbox runs a compressed "minute" with small limits, so the two processes must share the
per-app budget through the database while each drives an organisation. The sandbox is the
judge: every document once in its organisation, and not one 429.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import QueueItem, SyncJob
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync import oauth
from ledgerlink.sync.intake import upsert_documents
from tests.engine.conftest import TEST_KEY, postgres_database
from tests.engine.sync.conftest import PUBLIC_URL, expense, invoice, limits_env
from tests.engine.sync.worker_process import WorkerProcess
from xero_sandbox import SandboxConfig
from xero_sandbox.config import Limits
from xero_sandbox.seed import DEMO_TENANT, UK_TENANT
from xero_sandbox.server import SandboxServer

WEB_CLIENT, WEB_SECRET = "LEDGERLINK-DEMO-APP", "ledgerlink-demo-secret"
# A one-second "minute" with 5 calls per organisation and 6 per app: the two organisations
# together could spend more than the app may, so the processes must share the app's budget.
LIMITS = Limits(tenant_per_minute=5, tenant_concurrent=2, app_per_minute=6, minute_seconds=1.0)
PER_ORG = (250, 50)  # invoices, expenses
DEFAULTS = {
    DEMO_TENANT: {
        "default_revenue_account": "200",
        "default_sales_tax_type": "OUTPUT",
        "default_expense_account": "429",
        "default_purchase_tax_type": "INPUT",
    },
    UK_TENANT: {
        "default_revenue_account": "200",
        "default_sales_tax_type": "OUTPUT2",
        "default_expense_account": "429",
        "default_purchase_tax_type": "INPUT2",
    },
}


@pytest.fixture
def pg_factory() -> Iterator[tuple[str, sessionmaker[Session]]]:
    with postgres_database() as found:
        yield found


def _connect_both(factory: sessionmaker[Session], settings: Settings) -> dict[str, str]:
    """A person allows both organisations in one consent; connection id by tenant."""
    with transaction(factory) as session:
        workspace, _ = create_workspace(session, "Two workers")
        url = oauth.start_connect(session, workspace.id, settings)
    reply = httpx2.get(f"{url}&sandbox_consent=allow&sandbox_tenants=demo,uk", timeout=10)
    assert reply.status_code == 302, reply.text
    back = {k: v[0] for k, v in parse_qs(urlsplit(reply.headers["location"]).query).items()}
    with transaction(factory) as session:
        made = oauth.finish_connect(session, back["state"], back["code"], settings=settings)
        for connection in made:
            conns.update_settings(
                session, workspace.id, connection.id, DEFAULTS[connection.tenant_id]
            )
        return {c.tenant_id: c.id for c in made} | {"workspace": workspace.id}


def _push(factory: sessionmaker[Session], ids: dict[str, str]) -> int:
    invoices, expenses = PER_ORG
    for offset, tenant in enumerate((DEMO_TENANT, UK_TENANT)):
        base = offset * 10_000
        docs = [invoice(base + n, contacts=60) for n in range(invoices)]
        bills = [expense(base + n, suppliers=15) for n in range(expenses)]
        for kind, items in (("invoice", docs), ("expense", bills)):
            upsert_documents(factory, ids["workspace"], ids[tenant], kind, items)
    return 2 * (invoices + expenses)


def _settled(factory: sessionmaker[Session]) -> Counter[str]:
    with factory() as session:
        return Counter(session.scalars(select(QueueItem.state)))


def _ours(server: SandboxServer, tenant: str) -> Counter[str]:
    org = server.state.orgs[tenant]
    return Counter(
        str(r.get("Url"))
        for r in list(org.invoices.values())
        if "ledgerlink" in str(r.get("Url") or "") and r.get("Status") != "DELETED"
    )


def test_two_worker_processes_share_one_database_and_xeros_limits(
    pg_factory: tuple[str, sessionmaker[Session]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, factory = pg_factory
    # connecting reads each organisation through the same limiter, under the same limits
    for name, value in limits_env(LIMITS).items():
        monkeypatch.setenv(name, value)
    with SandboxServer(SandboxConfig(limits=replace(LIMITS))) as server:
        settings = replace(
            Settings(database_url=url, secret_keys=(TEST_KEY,)).for_sandbox(server.url),
            xero_client_id=WEB_CLIENT,
            xero_client_secret=WEB_SECRET,
        )
        ids = _connect_both(factory, settings)
        total = _push(factory, ids)
        # One organisation at a time per process: two organisations, so both processes work
        # (a process driving many at once is tests/engine/sync/test_pool.py's subject).
        env = limits_env(LIMITS) | {"LEDGERLINK_WORKER_CONCURRENCY": "1"}
        workers = [
            WorkerProcess(settings, tmp_path, PUBLIC_URL, 30.0, env, once=False, name=name)
            for name in ("first", "second")
        ]
        try:
            for worker in workers:
                worker.start()
            deadline = time.monotonic() + 300
            while _settled(factory)["done"] < total and time.monotonic() < deadline:
                for worker in workers:
                    assert worker.process is not None
                    assert worker.process.poll() is None, worker.log()
                time.sleep(0.1)
            codes = [worker.terminate() for worker in workers]
        finally:
            for worker in workers:
                worker.stop()
        stats: dict[str, Any] = httpx2.get(server.url + "/_sandbox/stats", timeout=10).json()
        placed = {tenant: _ours(server, tenant) for tenant in (DEMO_TENANT, UK_TENANT)}

    assert codes == [0, 0], [w.log()[-2000:] for w in workers]
    assert _settled(factory) == {"done": total}
    for tenant, ours in placed.items():
        assert len(ours) == total // 2, tenant
        assert set(ours.values()) == {1}, [u for u, n in ours.items() if n > 1]
    limits = stats["rate_limits"]
    assert limits["refused_total"] == 0, limits["refused"]
    with factory() as session:
        jobs = list(session.scalars(select(SyncJob)))
    assert {job.connection_id for job in jobs} == {ids[DEMO_TENANT], ids[UK_TENANT]}
    # one worker drives one organisation at a time: its runs never overlap, whoever ran them
    for connection_id in (ids[DEMO_TENANT], ids[UK_TENANT]):
        runs = sorted(
            (job.created_at, job.finished_at) for job in jobs if job.connection_id == connection_id
        )
        assert all(end is not None for _, end in runs)
        for (_, end), (start, _) in zip(runs, runs[1:], strict=False):
            assert end is not None and end <= start, runs
    # both processes called Xero, and the run spanned many of Xero's (compressed) minutes
    for worker in workers:
        assert "HTTP Request: PUT" in worker.log(), worker.log()[-2000:]
    calls = stats["api_calls"]["by_org"]
    assert sum(calls.values()) > 3 * LIMITS.app_per_minute, calls
