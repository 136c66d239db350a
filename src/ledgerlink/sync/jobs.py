"""Sync jobs: one row per worker run on a connection, with counts and a short log.

A person (REST, CLI, dashboard) reads what a run did from here: how many documents were synced,
held with an error, failed for good, and how many Xero calls it spent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store.db import transaction
from ledgerlink.store.models import SyncJob, new_id

COUNTS = ("synced", "unchanged", "held", "failed", "retrying", "calls")
MAX_LOG = 200


@dataclass
class JobTally:
    """Counts and log lines gathered in memory during a run, written once at its end."""

    job_id: str
    counts: dict[str, int] = field(default_factory=lambda: {name: 0 for name in COUNTS})
    log: list[dict[str, Any]] = field(default_factory=list)

    def add(self, name: str, amount: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount

    def note(self, at: datetime, message: str) -> None:
        if len(self.log) < MAX_LOG:
            self.log.append({"at": at.isoformat(timespec="seconds"), "message": message})

    @property
    def worked(self) -> bool:
        return any(self.counts.get(name, 0) for name in COUNTS)


def start_job(
    factory: sessionmaker[Session], workspace_id: str, connection_id: str, now: datetime
) -> JobTally:
    job_id = new_id()
    with transaction(factory) as session:
        session.add(
            SyncJob(
                id=job_id,
                workspace_id=workspace_id,
                connection_id=connection_id,
                kind="push",
                state="running",
                counts={name: 0 for name in COUNTS},
                log=[],
                created_at=now,
            )
        )
    return JobTally(job_id)


def finish_job(
    factory: sessionmaker[Session], tally: JobTally, now: datetime, state: str = "finished"
) -> None:
    with transaction(factory) as session:
        job = session.get(SyncJob, tally.job_id)
        if job is None:
            return
        job.counts = dict(tally.counts)
        job.log = list(tally.log)
        job.state = state
        job.finished_at = now


def get_job(session: Session, workspace_id: str, job_id: str) -> SyncJob | None:
    job = session.get(SyncJob, job_id)
    return job if job is not None and job.workspace_id == workspace_id else None
