"""One worker process, many organisations at once (``sync.pool``).

The sandbox is the judge of "exactly once" in every organisation; the pool's threads must each
drive a different connection, the queue must hand connections out fairly, and a thread waiting
on one organisation's limits must not hold the others back.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ledgerlink.config import Settings
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Lease, SyncJob
from ledgerlink.sync import leases, oauth, queue
from ledgerlink.sync.context import WorkerConfig
from ledgerlink.sync.intake import upsert_documents
from ledgerlink.sync.limiter import Limiter, XeroLimits
from ledgerlink.sync.pool import WorkerPool
from ledgerlink.sync.worker import RunResult, Worker
from tests.engine.conftest import CUSTOM_CLIENT
from tests.engine.sync.conftest import (
    DEFAULTS,
    FAST_APP_MINUTE,
    FAST_MINUTE,
    PUBLIC_URL,
    SyncHarness,
    invoice,
)
from xero_sandbox.seed import DEMO_TENANT, UK_TENANT

UK_CLIENT, UK_SECRET = "POOL-UK-CUSTOM", "pool-uk-secret"
UK_DEFAULTS = DEFAULTS | {
    "default_sales_tax_type": "OUTPUT2",
    "default_purchase_tax_type": "INPUT2",
}


def _second_organisation(harness: SyncHarness) -> str:
    """A custom connection to the sandbox's UK organisation, in the harness's workspace."""
    harness.admin(
        "POST",
        "/_sandbox/apps",
        {
            "client_id": UK_CLIENT,
            "client_secret": UK_SECRET,
            "kind": "custom",
            "custom_tenant": UK_TENANT,
        },
    )
    with transaction(harness.factory) as session:
        connection = oauth.connect_custom(
            session, harness.workspace_id, UK_CLIENT, UK_SECRET, settings=harness.settings
        )
        conns.update_settings(session, harness.workspace_id, connection.id, UK_DEFAULTS)
        return connection.id


class _MeetFirst:
    """A limiter that makes every thread's first call wait until ``parties`` threads are
    calling at once: a pool that drove one organisation at a time would never get there."""

    def __init__(self, inner: Limiter, parties: int) -> None:
        self.inner = inner
        self.barrier = threading.Barrier(parties, timeout=60)
        self.met: set[int] = set()

    def acquire(self, tenant_id: str, max_wait: float | None = None) -> Any:
        me = threading.get_ident()
        if me not in self.met:
            self.met.add(me)
            self.barrier.wait()
        return self.inner.acquire(tenant_id, max_wait)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _pool(harness: SyncHarness, limiter: Any, size: int) -> WorkerPool:
    config = WorkerConfig(public_url=PUBLIC_URL, concurrency=size)

    def make(n: int) -> Worker:
        return Worker(
            harness.factory,
            harness.settings,
            replace(config, owner=f"pool-test/{n}"),
            limiter=limiter,
            spread=n,
        )

    return WorkerPool(harness.factory, make, size, idle_poll=0.2)


def _ours(harness: SyncHarness, tenant: str) -> Counter[str]:
    org = harness.server.state.orgs[tenant]
    return Counter(
        str(r.get("Url"))
        for r in list(org.invoices.values())
        if "ledgerlink" in str(r.get("Url") or "") and r.get("Status") != "DELETED"
    )


def test_one_process_drives_two_organisations_at_once_each_document_once(
    harness: SyncHarness, settings: Settings
) -> None:
    uk = _second_organisation(harness)
    harness.push("invoice", [invoice(n) for n in range(30)])
    upsert_documents(
        harness.factory, harness.workspace_id, uk, "invoice", [invoice(n) for n in range(100, 130)]
    )
    limits = XeroLimits(per_minute=FAST_MINUTE, app_per_minute=FAST_APP_MINUTE)
    meet = _MeetFirst(Limiter(harness.factory, CUSTOM_CLIENT, limits), parties=2)

    results = _pool(harness, meet, size=2).run(until_idle=True, max_seconds=120)

    assert meet.barrier.broken is False  # both threads were calling Xero at the same time
    assert {r.connection_id for r in results} == {harness.connection_id, uk}
    assert harness.states() == {"done": 60}
    for tenant in (DEMO_TENANT, UK_TENANT):
        ours = _ours(harness, tenant)
        assert len(ours) == 30 and set(ours.values()) == {1}, tenant
    with harness.factory() as session:
        jobs = list(session.scalars(select(SyncJob)))
        owners = {job.connection_id: job.owner for job in jobs}
    assert owners[harness.connection_id] != owners[uk]  # each thread leases as itself


def test_a_connection_just_driven_waits_behind_one_waiting_for_its_turn(
    harness: SyncHarness,
) -> None:
    """Fair order: the demo organisation's items are older, but it was driven a moment ago and
    let go (its run's slice spent); the UK organisation has not had a turn yet."""
    uk = _second_organisation(harness)
    now = harness.clock()
    harness.push("invoice", [invoice(1)])
    upsert_documents(
        harness.factory,
        harness.workspace_id,
        uk,
        "invoice",
        [invoice(2)],
        now=now + timedelta(seconds=5),
    )
    later = now + timedelta(seconds=10)
    with harness.factory() as session:
        assert leases.due_connections(session, later) == [harness.connection_id, uk]
    assert leases.acquire_lease(harness.factory, "a", 30, later) == harness.connection_id
    leases.release_lease(harness.factory, harness.connection_id, "a", later)
    with harness.factory() as session:
        assert leases.due_connections(session, later) == [uk, harness.connection_id]
        # the lease row stays, ended: nobody drives the connection now
        lease = session.get(Lease, harness.connection_id)
        assert lease is not None and queue._aware(lease.expires_at) < later


def test_threads_of_one_process_never_share_a_connection(harness: SyncHarness) -> None:
    """Each thread has its own lease owner: a second thread of the same process asking for the
    connection another holds gets nothing."""
    now = harness.clock()
    harness.push("invoice", [invoice(1)])
    assert leases.acquire_lease(harness.factory, "host:1:ab/0", 30, now) == harness.connection_id
    assert leases.acquire_lease(harness.factory, "host:1:ab/1", 30, now) is None


def test_a_long_backlog_is_let_go_after_its_slice(harness: SyncHarness) -> None:
    """A run stops claiming once its slice is spent; what is left stays queued for the next
    turn, and the next run finishes it."""
    harness.push("invoice", [invoice(n) for n in range(6)])
    worker = harness.worker(claim_size=2, run_slice_seconds=1.0)
    original = worker._round

    def slow_round(run: Any, ids: list[str]) -> bool:
        stop = original(run, ids)
        harness.clock.sleep(2.0)  # each round spends the whole slice
        return stop

    worker._round = slow_round  # type: ignore[method-assign]
    first = worker.run_once()
    assert first.counts.get("synced") == 2
    assert harness.states() == {"done": 2, "queued": 4}
    while worker.run_once().connection_id is not None:
        pass
    assert harness.states() == {"done": 6}


class _Leasing:
    """A stand-in worker whose runs lease from a shared list of connections, each run
    waiting until ``barrier``'s parties all hold one: only a pool that wakes a thread for the
    next connection as soon as one is leased gets them all going together."""

    def __init__(self, free: list[str], lock: threading.Lock, barrier: threading.Barrier) -> None:
        self.free, self.lock, self.barrier = free, lock, barrier

    def run_once(self, on_lease: Any = None) -> RunResult:
        with self.lock:
            leased = self.free.pop() if self.free else None
        if leased is None:
            return RunResult()
        if on_lease is not None:
            on_lease(leased)
        self.barrier.wait()
        return RunResult(leased, "job-" + leased, {})


def test_work_fans_out_to_idle_threads_without_waiting_for_a_poll(harness: SyncHarness) -> None:
    free = [f"connection-{n}" for n in range(5)]
    lock = threading.Lock()
    # A hang guard, not a timing: with polls a minute apart, a pool that left a leased
    # connection's neighbour asleep would wait far longer than this.
    barrier = threading.Barrier(5, timeout=30)

    def make(_n: int) -> Any:
        return _Leasing(free, lock, barrier)

    pool = WorkerPool(harness.factory, make, 5, idle_poll=60)
    results = pool.run(until_idle=True, max_seconds=120)

    assert barrier.broken is False
    assert sorted(r.connection_id or "" for r in results) == sorted(
        f"connection-{n}" for n in range(5)
    )


class _LastOut:
    """A stand-in worker: the first run of any thread leases the one connection; the thread
    that drove it then looks once more and finds nothing, and that look ends only once the
    scout is waiting for its next poll (having seen this thread busy)."""

    def __init__(self, pool_box: list[WorkerPool], leased: list[str]) -> None:
        self.pool_box, self.leased = pool_box, leased
        self.drove = False

    def run_once(self, on_lease: Any = None) -> RunResult:
        pool = self.pool_box[0]
        with pool._changed:
            first = not self.leased
            self.leased.append("connection-0")
        if first:
            if on_lease is not None:
                on_lease("connection-0")
            self.drove = True
            return RunResult("connection-0", "job-0", {})
        if self.drove:
            self.drove = False
            waiting = threading.Event()
            while not waiting.is_set():  # the scout waits on its condition (CPython's list)
                with pool._changed:
                    if pool._scout is not None and pool._look._waiters:  # type: ignore[attr-defined]
                        waiting.set()
                waiting.wait(0.01)
        return RunResult()


def test_an_idle_pool_ends_when_its_last_busy_thread_finds_nothing(harness: SyncHarness) -> None:
    """The scout saw a thread busy and waits for its poll; that thread's last look finds
    nothing. The pool ends then, not a poll later (polls an hour apart: a hang guard)."""
    box: list[WorkerPool] = []
    leased: list[str] = []

    def make(_n: int) -> Any:
        return _LastOut(box, leased)

    pool = WorkerPool(harness.factory, make, 3, idle_poll=3600)
    box.append(pool)
    results = pool.run(until_idle=True, max_seconds=3600)

    assert [r.connection_id for r in results] == ["connection-0"]
