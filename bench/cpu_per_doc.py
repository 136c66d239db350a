"""Engine CPU per document, end to end: intake, store, plan, map, send, link.

The sandbox runs as ``ledgerlink sandbox --no-limits`` in a subprocess, so
``time.process_time()`` read around push + sync in this process is the engine's own CPU and
never the sandbox's. The engine's limiter is off too (limits far above what a run makes).

Two cases, as the issue states its target:

- contacts existing: every client was invoiced once before (a warm-up, not measured), so the
  engine already knows each contact's Xero id;
- every contact new: each invoice is for a client neither the engine nor Xero has seen.

``measure`` is what ``bench/run.py`` imports; run this file for a table (``--profile FILE``
writes a cProfile of the measured part, to read with ``python -m pstats``)::

    .venv/bin/python bench/cpu_per_doc.py [--documents 2000] [--database sqlite postgresql]
"""

from __future__ import annotations

import argparse
import cProfile
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ledgerlink.config import Settings, new_key_text
from ledgerlink.demo.documents import CLIENTS, invoice
from ledgerlink.store.models import ApiCall, QueueItem
from ledgerlink.sync.context import WorkerConfig, calls_at_once_from_env
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.limiter import XeroLimits

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # ``bench`` as a package, when run as a script

from bench.engine_side import database  # noqa: E402
from bench.xero_side import sandbox  # noqa: E402

CUSTOM_CLIENT = "LEDGERLINK-CUSTOM-CONNECTION"
CUSTOM_SECRET = "ledgerlink-custom-secret"
UNLIMITED = XeroLimits(per_minute=1_000_000, per_day=10_000_000, concurrent=50)
CHUNK = 500
START = date(2026, 3, 1)


@contextmanager
def sandbox_process() -> Iterator[str]:
    """A sandbox without rate limits on a free loopback port, in its own process."""
    with sandbox(limits=False) as running:
        yield running.url


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A migrated, empty database: SQLite in a temporary folder, or a PostgreSQL schema of its
    own (dropped afterwards)."""
    with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as url:
        yield url


def _documents(count: int, new_contacts: bool, tag: str) -> list[dict[str, Any]]:
    rng = random.Random(17)
    if new_contacts:
        return [
            invoice(rng, n, START, client=f"New Client {tag} {n:05d}", prefix=f"N{tag}")
            for n in range(1, count + 1)
        ]
    return [invoice(rng, n, START, prefix=f"E{tag}") for n in range(1, count + 1)]


def _push(engine: Engine, workspace: str, connection: str, docs: list[dict[str, Any]]) -> None:
    for start in range(0, len(docs), CHUNK):
        results = engine.push(workspace, connection, "invoice", docs[start : start + CHUNK])
        refused = [r for r in results if r.errors]
        if refused:
            raise RuntimeError(f"intake refused {refused[0].source_id}: {refused[0].errors}")


def measure(
    database_url: str,
    documents: int,
    new_contacts: bool,
    *,
    sandbox_url: str | None = None,
    profile: str | None = None,
    concurrency: int | None = None,
) -> dict[str, Any]:
    """Engine CPU per document for ``documents`` invoices pushed and synced on an empty,
    migrated ``database_url``. A sandbox is started for the run unless ``sandbox_url`` names
    one without limits (its demo organisation takes the invoices; numbers are unique per run).

    ``concurrency``: the worker pool's threads (None: the engine's configured default; 1 runs
    the worker on this thread, as a profile needs).

    Returns cpu_ms_per_document (and its intake and sync parts), the documents synced, the
    engine's Xero calls and reply bytes, and the wall seconds of the measured part."""
    if sandbox_url is None:
        with sandbox_process() as url:
            return measure(
                database_url,
                documents,
                new_contacts,
                sandbox_url=url,
                profile=profile,
                concurrency=concurrency,
            )
    tag = uuid.uuid4().hex[:6].upper()
    settings = Settings(database_url=database_url, secret_keys=(new_key_text(),)).for_sandbox(
        sandbox_url
    )
    engine = Engine.open(settings, admin_token="", limits=UNLIMITED)
    if profile:  # cProfile sees one thread: the worker runs on this one
        concurrency = 1
    if concurrency is not None:
        engine.worker_config = WorkerConfig(
            public_url=engine.public_url,
            concurrency=concurrency,
            calls_at_once=1 if profile else calls_at_once_from_env(),
        )
    try:
        workspace, _key = engine.create_workspace("CPU bench")
        connection = engine.connect_custom(workspace, CUSTOM_CLIENT, CUSTOM_SECRET)
        engine.configure(
            workspace,
            connection,
            default_revenue_account="200",
            default_expense_account="429",
        )
        # Warm-up (not measured): reference data read, and every known client invoiced once.
        rng = random.Random(5)
        warm = [
            invoice(rng, n, START, client=name, prefix=f"W{tag}") for n, name in enumerate(CLIENTS)
        ]
        _push(engine, workspace, connection, warm)
        engine.sync(max_seconds=600)
        docs = _documents(documents, new_contacts, tag)
        with engine.factory() as session:
            mark = int(session.scalar(select(func.max(ApiCall.id))) or 0)
        profiler = cProfile.Profile(time.process_time) if profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        _push(engine, workspace, connection, docs)
        intake = time.process_time() - cpu
        engine.sync(max_seconds=3600)
        if profiler is not None:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if profiler is not None and profile:
            profiler.dump_stats(profile)
        with engine.factory() as session:
            done = int(
                session.scalar(
                    select(func.count()).where(QueueItem.state == "done", QueueItem.version >= 1)
                )
                or 0
            )
            calls, size = session.execute(
                select(func.count(), func.sum(ApiCall.response_bytes)).where(ApiCall.id > mark)
            ).one()
        return {
            "documents": documents,
            "new_contacts": new_contacts,
            "synced": done - len(warm),
            "cpu_ms_per_document": 1000 * cpu / documents,
            "intake_ms_per_document": 1000 * intake / documents,
            "sync_ms_per_document": 1000 * (cpu - intake) / documents,
            "cpu_seconds": cpu,
            "wall_seconds": wall,
            "calls": int(calls),
            "reply_bytes": int(size or 0),
        }
    finally:
        engine.close()


def first_sync(
    database_url: str, documents: int, *, sandbox_url: str, new_contacts: bool = False
) -> dict[str, Any]:
    """The Xero calls and reply bytes of a first sync: connect a fresh engine to the demo
    organisation, push ``documents`` invoices and sync them; by request (method and path
    without ids), connect-time calls included."""
    tag = uuid.uuid4().hex[:6].upper()
    settings = Settings(database_url=database_url, secret_keys=(new_key_text(),)).for_sandbox(
        sandbox_url
    )
    engine = Engine.open(settings, admin_token="", limits=UNLIMITED)
    try:
        workspace, _key = engine.create_workspace("First sync")
        connection = engine.connect_custom(workspace, CUSTOM_CLIENT, CUSTOM_SECRET)
        engine.configure(
            workspace, connection, default_revenue_account="200", default_expense_account="429"
        )
        _push(engine, workspace, connection, _documents(documents, new_contacts, tag))
        engine.sync(max_seconds=600)
        by_request: dict[str, list[int]] = {}
        with engine.factory() as session:
            rows = session.execute(
                select(ApiCall.method, ApiCall.path, ApiCall.response_bytes).where(
                    ApiCall.connection_id == connection
                )
            )
            for method, path, size in rows:
                key = f"{method} {path.split('?')[0]}"
                entry = by_request.setdefault(key, [0, 0])
                entry[0] += 1
                entry[1] += int(size or 0)
        return {
            "calls": sum(c for c, _ in by_request.values()),
            "reply_bytes": sum(b for _, b in by_request.values()),
            "by_request": by_request,
        }
    finally:
        engine.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument(
        "--database", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument(
        "--case", nargs="+", default=["existing", "new"], choices=["existing", "new"]
    )
    parser.add_argument("--profile", help="write a cProfile of the measured part (one case)")
    parser.add_argument(
        "--concurrency", type=int, help="worker threads (default: the engine's configuration)"
    )
    parser.add_argument(
        "--first-sync", action="store_true", help="calls and bytes of first syncs instead"
    )
    args = parser.parse_args(argv)
    if args.first_sync:
        with sandbox_process() as url:
            for count in (10, args.documents):
                with fresh_database(args.database[0]) as db:
                    got = first_sync(db, count, sandbox_url=url)
                print(
                    f"first sync of {count} invoices: {got['calls']} calls, "
                    f"{got['reply_bytes']} reply bytes"
                )
                for key, (calls, size) in sorted(got["by_request"].items()):
                    print(f"  {key:<40}{calls:>5}{size:>10}")
        return
    print(
        f"{'database':<11}{'contacts':<10}{'docs':>6}{'synced':>8}{'cpu ms/doc':>12}"
        f"{'intake':>8}{'sync':>8}{'calls':>7}{'KB':>8}{'wall s':>8}"
    )
    with sandbox_process() as url:
        for kind in args.database:
            for case in args.case:
                with fresh_database(kind) as db:
                    got = measure(
                        db,
                        args.documents,
                        case == "new",
                        sandbox_url=url,
                        profile=args.profile,
                        concurrency=args.concurrency,
                    )
                print(
                    f"{kind:<11}{case:<10}{got['documents']:>6}{got['synced']:>8}"
                    f"{got['cpu_ms_per_document']:>12.3f}{got['intake_ms_per_document']:>8.3f}"
                    f"{got['sync_ms_per_document']:>8.3f}{got['calls']:>7}"
                    f"{got['reply_bytes'] / 1000:>8.0f}{got['wall_seconds']:>8.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
