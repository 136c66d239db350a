"""Sync jobs: one row per worker run on a connection, with counts and a short log.

A person (REST, CLI, dashboard) reads what a run did from here: how many documents were synced,
held with an error, failed for good, and how many Xero calls it spent.

A job records the worker running it (``owner``). A worker that dies (SIGKILL, a lost machine)
never finishes its job, so a ``running`` job whose owner holds no live lease on its connection
is ended as ``abandoned``, with a log line saying so: when jobs are listed (REST, CLI) and when
a worker takes the connection over.

While a job runs, its id and its connection's are bound to the thread's log context (every line
the run logs carries them), and its wall time goes into ``ledgerlink_job_duration_seconds``
when it ends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from contextvars import Token
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session, sessionmaker
from structlog.contextvars import bind_contextvars, reset_contextvars

from ledgerlink import metrics
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Lease, SyncJob, new_id
from ledgerlink.sync import events

log = logging.getLogger(__name__)

COUNTS = ("synced", "unchanged", "held", "failed", "retrying", "calls")
MAX_LOG = 200
RUNNING = "running"
ABANDONED = "abandoned"
# A background run is told to the source app when it changed something: sent, held, failed, or
# read a change made in Xero (a run that only looked, a poll finding nothing new, is not); a
# job a person started is always told.
TOLD_WHEN = ("synced", "held", "failed", "changed_in_xero")
QUEUED = "queued"  # started on demand, waiting for its run to lease the connection
QUEUED_TOO_LONG_SECONDS = 900.0  # beyond on_demand.TURN_SECONDS (600): its thread is gone
SKIPPED = "skipped"  # started on demand, and another worker kept the connection throughout


@dataclass
class JobTally:
    """Counts and log lines gathered in memory during a run, written once at its end."""

    job_id: str
    counts: dict[str, int] = field(default_factory=lambda: {name: 0 for name in COUNTS})
    log: list[dict[str, Any]] = field(default_factory=list)
    # When the run started (a monotonic clock: the worker's own clock may be a test's), and the
    # log context it bound, given back when the job finishes.
    started: float = field(default_factory=time.perf_counter)
    bound: Mapping[str, Token[Any]] = field(default_factory=dict)
    # A run's requests may be in flight from several threads, each counting.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + amount

    def note(self, at: datetime, message: str) -> None:
        with self._lock:
            if len(self.log) < MAX_LOG:
                self.log.append({"at": at.isoformat(timespec="seconds"), "message": message})

    @property
    def worked(self) -> bool:
        return any(self.counts.get(name, 0) for name in COUNTS)


def _orphans(session: Session, now: datetime, where: list[ColumnElement[bool]]) -> list[SyncJob]:
    """Running jobs (among ``where``) whose worker holds no live lease on their connection.

    A job without an owner (started before owners were recorded) counts as alive while any
    worker holds its connection.
    """
    running = list(session.scalars(select(SyncJob).where(SyncJob.state == RUNNING, *where)))
    # A job started on demand whose process ended before a run took it up stays queued for
    # ever unless it is ended too: past the longest its thread waits for a turn, it is gone.
    stale = now - timedelta(seconds=QUEUED_TOO_LONG_SECONDS)
    stuck = list(
        session.scalars(
            select(SyncJob).where(SyncJob.state == QUEUED, SyncJob.created_at < stale, *where)
        )
    )
    if not running:
        return stuck
    ids = {job.connection_id for job in running if job.connection_id}
    rows = session.execute(
        select(Lease.connection_id, Lease.owner).where(
            Lease.connection_id.in_(ids), Lease.expires_at > now
        )
    )
    live = {(connection, owner) for connection, owner in rows}
    held = {connection_id for connection_id, _ in live}

    def alive(job: SyncJob) -> bool:
        if job.owner is None:
            return job.connection_id in held
        return (job.connection_id, job.owner) in live

    return stuck + [job for job in running if not alive(job)]


def _end(session: Session, job: SyncJob, now: datetime) -> bool:
    """Mark one orphan abandoned, unless it finished (or was reaped) meanwhile."""
    worker = job.owner or "a worker of an earlier version"
    message = (
        f"its worker ({worker}) stopped before the run finished: it holds no lease on the "
        "connection any more. Documents it left unsent go back to the queue when a worker "
        "next takes the connection."
    )
    if job.state == QUEUED:
        message = (
            "it was started on demand, but the process that started it stopped before a run "
            "took it up. What it would have sent is still queued: start it again, or a worker "
            "sends it."
        )
    note = {"at": now.isoformat(timespec="seconds"), "message": message}
    ended = session.execute(
        update(SyncJob)
        .where(SyncJob.id == job.id, SyncJob.state.in_((RUNNING, QUEUED)))
        .values(state=ABANDONED, finished_at=now, log=[*(job.log or [])[: MAX_LOG - 1], note])
        .execution_options(synchronize_session=False)
    )
    if not ended.rowcount:  # type: ignore[attr-defined]
        return False
    log.warning("sync job %s on %s abandoned: %s", job.id, job.connection_id, note["message"])
    return True


def reap_abandoned(
    factory: sessionmaker[Session],
    now: datetime,
    *,
    workspace_id: str | None = None,
    connection_id: str | None = None,
) -> int:
    """End the running jobs (of a workspace, of a connection, or all) whose worker is gone.

    Read first, so that listing jobs takes no write lock unless a job is to be ended.
    """
    where: list[ColumnElement[bool]] = []
    if workspace_id is not None:
        where.append(SyncJob.workspace_id == workspace_id)
    if connection_id is not None:
        where.append(SyncJob.connection_id == connection_id)
    with factory() as session:
        if not _orphans(session, now, where):
            return 0
    with transaction(factory) as session:
        return sum(_end(session, job, now) for job in _orphans(session, now, where))


def list_jobs(
    factory: sessionmaker[Session],
    workspace_id: str | None,
    now: datetime,
    *,
    connection_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[SyncJob]:
    """Jobs newest first (of one workspace, or every one for the CLI), dead workers' ended."""
    reap_abandoned(factory, now, workspace_id=workspace_id, connection_id=connection_id)
    query = select(SyncJob)
    if workspace_id is not None:
        query = query.where(SyncJob.workspace_id == workspace_id)
    if connection_id is not None:
        query = query.where(SyncJob.connection_id == connection_id)
    query = query.order_by(SyncJob.created_at.desc(), SyncJob.id).limit(limit).offset(offset)
    with factory() as session:
        return list(session.scalars(query))


def start_job(
    factory: sessionmaker[Session],
    workspace_id: str,
    connection_id: str,
    now: datetime,
    owner: str | None = None,
    job_id: str | None = None,
) -> JobTally:
    """A running job owned by ``owner``, who has just leased the connection: any job still
    running there under another worker is that dead worker's, and is ended first. ``job_id``:
    a job started on demand (``queued``) that this run carries out, instead of a new one."""
    with transaction(factory) as session:
        for orphan in _orphans(session, now, [SyncJob.connection_id == connection_id]):
            _end(session, orphan, now)
        adopted = session.get(SyncJob, job_id) if job_id else None
        if adopted is not None and adopted.state == QUEUED:
            adopted.state, adopted.owner = RUNNING, owner
        else:
            job_id = new_id()
            session.add(
                SyncJob(
                    id=job_id,
                    workspace_id=workspace_id,
                    connection_id=connection_id,
                    kind="push",
                    state=RUNNING,
                    owner=owner,
                    counts={name: 0 for name in COUNTS},
                    log=[],
                    created_at=now,
                )
            )
    assert job_id is not None
    tally = JobTally(job_id)
    tally.bound = bind_contextvars(job_id=job_id, connection_id=connection_id)
    return tally


def queue_job(
    factory: sessionmaker[Session], workspace_id: str, connection_id: str, kind: str, now: datetime
) -> str:
    """A job started on demand: shown ``queued`` until a run takes it up (``start_job``)."""
    job_id = new_id()
    with transaction(factory) as session:
        session.add(
            SyncJob(
                id=job_id,
                workspace_id=workspace_id,
                connection_id=connection_id,
                kind=kind,
                state=QUEUED,
                counts={name: 0 for name in COUNTS},
                log=[],
                created_at=now,
            )
        )
    return job_id


def save_progress(factory: sessionmaker[Session], tally: JobTally) -> None:
    """A running job's counts and log so far, for whoever watches it (``GET /jobs/{id}``)."""
    with tally._lock:
        counts, lines = dict(tally.counts), list(tally.log)
    with transaction(factory) as session:
        session.execute(
            update(SyncJob)
            .where(SyncJob.id == tally.job_id, SyncJob.state == RUNNING)
            .values(counts=counts, log=lines)
            .execution_options(synchronize_session=False)
        )


def end_unstarted(factory: sessionmaker[Session], job_id: str, now: datetime, why: str) -> None:
    """A job started on demand that no run took up, ended with the reason."""
    note = {"at": now.isoformat(timespec="seconds"), "message": why}
    ended_job = {"state": SKIPPED, "finished_at": now, "log": [note]}
    with transaction(factory) as session:
        session.execute(
            update(SyncJob)
            .where(SyncJob.id == job_id, SyncJob.state == QUEUED)
            .values(**ended_job)
            .execution_options(synchronize_session=False)
        )


def finish_job(
    factory: sessionmaker[Session], tally: JobTally, now: datetime, state: str = "finished"
) -> None:
    metrics.JOB_DURATION.labels(state).observe(time.perf_counter() - tally.started)
    if tally.bound:
        reset_contextvars(**tally.bound)
        tally.bound = {}
    with transaction(factory) as session:
        job = session.get(SyncJob, tally.job_id)
        if job is None:
            return
        job.counts = dict(tally.counts)
        job.log = list(tally.log)
        job.state = state
        job.finished_at = now
        if job.kind != "push" or any(tally.counts.get(name) for name in TOLD_WHEN):
            data = {"job_id": job.id, "state": state, "counts": job.counts}
            events.add(
                session,
                job.workspace_id,
                "job.finished",
                now,
                data,
                connection_id=job.connection_id,
            )
