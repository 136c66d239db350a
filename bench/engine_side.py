"""The engine's side of ``bench/run.py``: ledgerlink as a library in this process (so
``time.process_time()`` is its own CPU: intake, store, plan, map, send, link), against a
sandbox in another.

Figures come from the engine's own call log (``api_calls``: one row per Xero call, with the
status and the reply's body size), read after the run, so nothing here counts twice or misses
a call the engine made.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.xero_side import Org
from sqlalchemy import func, select, text

from ledgerlink.config import Settings, new_key_text
from ledgerlink.store import migrate
from ledgerlink.store.db import make_engine
from ledgerlink.store.models import ApiCall
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.limiter import XeroLimits

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
UNLIMITED = XeroLimits(per_minute=1_000_000, per_day=10_000_000, concurrent=50)
CHUNK = 500
Doc = dict[str, Any]


def postgres_reachable() -> bool:
    database = make_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with database.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"; the table says so
        return False
    finally:
        database.dispose()


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A migrated, empty database of ``kind`` (sqlite or postgresql); a PostgreSQL schema of
    its own is dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / ('bench-' + uuid.uuid4().hex[:8] + '.db')}"
        migrate.upgrade(url)
        yield url
        return
    schema = "bench_" + uuid.uuid4().hex[:12]
    admin = make_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        migrate.upgrade(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Calls:
    """The engine's call log since a mark: calls, 429s, reply bytes, and when each
    connection made its last call."""

    calls: int = 0
    refused_429: int = 0
    egress_bytes: int = 0
    last_call: dict[str, datetime] = field(default_factory=dict)


class Ledger:
    """One engine, one workspace, and a connection per organisation."""

    def __init__(self, url: str, sandbox_url: str, limits: XeroLimits) -> None:
        self.settings = Settings(database_url=url, secret_keys=(new_key_text(),)).for_sandbox(
            sandbox_url
        )
        self.engine = Engine.open(self.settings, admin_token="", limits=limits)
        self.workspace, _key = self.engine.create_workspace("Bench")
        self.connections: dict[str, str] = {}  # org key -> connection id

    def connect(self, orgs: list[Org]) -> None:
        for org in orgs:
            made = self.engine.connect_custom(self.workspace, org.client_id, org.client_secret)
            self.engine.configure(
                self.workspace,
                made,
                default_revenue_account="200",
                default_expense_account="429",
            )
            self.connections[org.key] = made

    def push(self, org: Org, docs: list[Doc]) -> None:
        connection = self.connections[org.key]
        for start in range(0, len(docs), CHUNK):
            results = self.engine.push(
                self.workspace, connection, "invoice", docs[start : start + CHUNK]
            )
            refused = [r for r in results if r.errors]
            if refused:
                raise RuntimeError(f"intake refused {refused[0].source_id}: {refused[0].errors}")

    def sync(self) -> None:
        self.engine.sync(max_seconds=3600)

    def mark(self) -> int:
        with self.engine.factory() as session:
            return int(session.scalar(select(func.max(ApiCall.id))) or 0)

    def calls_since(self, mark: int) -> Calls:
        found = Calls()
        by_connection = {v: k for k, v in self.connections.items()}
        with self.engine.factory() as session:
            rows = session.execute(
                select(
                    ApiCall.connection_id,
                    func.count(),
                    func.sum(ApiCall.response_bytes),
                    func.max(ApiCall.at),
                )
                .where(ApiCall.id > mark)
                .group_by(ApiCall.connection_id)
            )
            for connection, count, size, last in rows:
                found.calls += int(count)
                found.egress_bytes += int(size or 0)
                if connection in by_connection:
                    found.last_call[by_connection[connection]] = last
            found.refused_429 = int(
                session.scalar(select(func.count()).where(ApiCall.id > mark, ApiCall.status == 429))
                or 0
            )
        return found

    def close(self) -> None:
        self.engine.close()


@dataclass
class EngineRun:
    documents: int
    calls: Calls
    cpu_seconds: float
    wall_seconds: float
    started: datetime


def measured(ledger: Ledger, work: dict[str, tuple[Org, list[Doc]]]) -> EngineRun:
    """Push every organisation's documents and sync until the queue is idle: the engine's CPU,
    the wall time and its calls, from the first push to the last link."""
    mark = ledger.mark()
    started = datetime.now(UTC)
    cpu, wall = time.process_time(), time.perf_counter()
    for org, docs in work.values():
        ledger.push(org, docs)
    ledger.sync()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    count = sum(len(docs) for _, docs in work.values())
    return EngineRun(count, ledger.calls_since(mark), cpu, wall, started)


def finish_spread(run_started: datetime, last_call: dict[str, datetime]) -> tuple[float, float]:
    """(slowest organisation's finish over the median's, median finish in seconds): how fairly
    the organisations were served, each finishing at its last call. SQLite gives the stored
    UTC times back without their zone."""
    finishes = [
        max(
            (at if at.tzinfo else at.replace(tzinfo=UTC)) - run_started, timedelta(0)
        ).total_seconds()
        for at in last_call.values()
    ]
    if not finishes:
        return 0.0, 0.0
    median = statistics.median(finishes)
    return (max(finishes) / median if median > 0 else 1.0), median


def worker_processes(
    ledger: Ledger, count: int, minute_seconds: float, folder: Path, timeout: float
) -> float | None:
    """``count`` ``ledgerlink worker --once`` processes on the ledger's database, started
    together, each until nothing is due; the wall time until the last one ends, or None when
    they were still at it after ``timeout`` seconds (then they are stopped).

    Their logs go to files (warnings only): a pipe nobody reads while waiting on another
    process fills up and stops the worker writing to it.
    """
    env = {**os.environ, **ledger.settings.as_env()}
    env["LEDGERLINK_XERO_MINUTE_SECONDS"] = str(minute_seconds)
    env["LEDGERLINK_LOG_LEVEL"] = "WARNING"
    cmd = [sys.executable, "-m", "ledgerlink.cli", "worker", "--once"]
    cmd += ["--database-url", ledger.settings.database_url]
    logs = [folder / f"worker-{n}.log" for n in range(count)]
    started = time.perf_counter()
    procs = []
    for log in logs:
        with log.open("wb") as sink:
            procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=sink))
    deadline = started + timeout
    finished = True
    for proc in procs:
        try:
            proc.wait(timeout=max(deadline - time.perf_counter(), 0.1))
        except subprocess.TimeoutExpired:
            finished = False
    wall = time.perf_counter() - started
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=60)
    failed = [log for proc, log in zip(procs, logs, strict=True) if finished and proc.returncode]
    if failed:
        raise RuntimeError("a worker process failed: " + failed[0].read_text()[-800:])
    return wall if finished else None


def intake_rates(
    ledger: Ledger, org: Org, docs_for: Any, stored: list[int], batch: int
) -> list[tuple[int, float]]:
    """Documents per second that ``Engine.push`` takes in with ``stored`` documents already in
    the database (filled in between, not measured); no worker runs meanwhile."""
    rates = []
    have = 0
    for level in stored:
        if level > have:
            ledger.push(org, docs_for("FILL", have, level - have))
            have = level
        docs = docs_for("INTAKE", have, batch)
        started = time.perf_counter()
        ledger.push(org, docs)
        rates.append((level, batch / (time.perf_counter() - started)))
        have += batch
    return rates
