"""Jobs a person starts: "Sync now" and backfills, answered at once and run in the background.

``start`` writes the job (``queued``), makes what the connection has queued due now (a
scheduled connection's documents do not wait for the schedule when a person asks; a "pull
now" makes the connection's reads of Xero due instead), and runs it
on a thread of this process: one worker run on the connection, carrying the job's id so its
counts and log are saved as it goes and ``GET /jobs/{id}`` shows them live. When another worker
holds the connection, the run waits for its turn (that worker lets go at the end of its slice),
and ends the job with the reason if it never comes.

A backfill ("add all existing data to the queue") queues every stored document of one kind on
the connection, optionally only those dated from a day on, except those already waiting (a held
one is retried, as a person's retry would; a version a person dismissed is left out); what
Xero already holds unchanged is then left alone by the run, so a backfill writes only what is
missing or changed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import schedules
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection, Document, DocumentVersion, QueueItem
from ledgerlink.sync import jobs, lifecycle, polls
from ledgerlink.sync.worker import RunResult

log = logging.getLogger(__name__)
SYNC_NOW, PULL_NOW, BACKFILL = "sync_now", "pull_now", "backfill"  # jobs a person starts
TURN_SECONDS = 600.0  # how long a job waits for another worker to let the connection go
POLL_SECONDS = 0.25

_threads: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def start(
    factory: sessionmaker[Session],
    run: Callable[[str, str], RunResult],
    workspace_id: str,
    connection_id: str,
    now: datetime,
    kind: str = SYNC_NOW,
) -> str:
    """Queue a job on the connection and run it on a thread; its id at once. A pull now reads
    Xero's changes at once (the waiting documents keep to the schedule); any other kind sends
    what is queued at once."""
    job_id = jobs.queue_job(factory, workspace_id, connection_id, kind, now)
    with transaction(factory) as session:
        if kind == PULL_NOW:
            polls.read_now(session, connection_id, now)
        else:
            due_now(session, connection_id, now)
    thread = threading.Thread(
        target=_carry_out, args=(factory, run, connection_id, job_id), daemon=True
    )
    thread.name = f"ledgerlink-job-{job_id[:8]}"
    with _lock:
        _threads[job_id] = thread
    thread.start()
    return job_id


def wait(job_id: str, timeout: float | None = None) -> bool:
    """Block until the job's thread in this process is done; False if it still runs."""
    with _lock:
        thread = _threads.get(job_id)
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()


def _carry_out(
    factory: sessionmaker[Session], run: Callable[[str, str], RunResult], connection: str, job: str
) -> None:
    try:
        deadline = time.monotonic() + TURN_SECONDS
        while True:
            result = run(connection, job)
            if result.connection_id is not None:
                return
            if time.monotonic() > deadline:
                break
            time.sleep(POLL_SECONDS)
        jobs.end_unstarted(
            factory,
            job,
            datetime.now().astimezone(),
            "Another worker was syncing this connection the whole time; what was due is sent "
            "by it.",
        )
    except Exception:
        log.exception("job %s on %s failed", job, connection)
    finally:
        with _lock:
            _threads.pop(job, None)


def due_now(session: Session, connection_id: str, now: datetime) -> int:
    """What waits only for the connection's schedule is due now (a person asked)."""
    moved = session.execute(
        update(QueueItem)
        .where(
            QueueItem.connection_id == connection_id,
            QueueItem.state == "queued",
            QueueItem.not_before > now,
            QueueItem.intent_id.is_(None),
            QueueItem.attempts == 0,
            QueueItem.waits == 0,
        )
        .values(not_before=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(moved, "rowcount", 0) or 0)


def backfill(
    factory: sessionmaker[Session],
    workspace_id: str,
    connection_id: str,
    kind: str,
    since: date | None,
    now: datetime,
) -> int:
    """Queue every stored document of ``kind`` on the connection (dated ``since`` or later)
    that has nothing waiting in the queue already; how many were queued."""
    spec = kinds.get(kind)
    with transaction(factory) as session:
        row = session.get(Connection, connection_id)
        if row is None or row.workspace_id != workspace_id:
            raise LedgerlinkError(
                "CONNECTION_NOT_FOUND", f"No connection {connection_id}.", field="connection_id"
            )
        waiting = (
            select(QueueItem.document_id)
            .where(QueueItem.connection_id == connection_id)
            .where(QueueItem.state.in_(lifecycle.ACTIVE))
        )
        rows = session.execute(
            select(Document.id, Document.current_version, DocumentVersion.body)
            .join(
                DocumentVersion,
                (DocumentVersion.document_id == Document.id)
                & (DocumentVersion.version == Document.current_version),
            )
            .where(
                Document.workspace_id == workspace_id,
                Document.connection_id == connection_id,
                Document.kind == spec.name,
                Document.id.not_in(waiting),
            )
        )
        # A version a person dismissed stays dismissed (their retry brings it back).
        put_aside = session.execute(
            select(QueueItem.document_id, QueueItem.version).where(
                QueueItem.connection_id == connection_id,
                QueueItem.state == lifecycle.ItemState.DISMISSED,
            )
        )
        dismissed = {(doc, version) for doc, version in put_aside}
        wanted = {
            doc: version
            for doc, version, body in rows
            if (since is None or not spec.has_date or _dated(spec.date_field, body, since))
            and (doc, version) not in dismissed
        }
        # A document held (or out of attempts) goes back to the queue as its own retry would,
        # not as a second item beside the held one.
        held = set(
            session.scalars(
                select(QueueItem.document_id).where(
                    QueueItem.connection_id == connection_id,
                    QueueItem.state.in_(lifecycle.HELD),
                    QueueItem.document_id.in_(list(wanted)),
                )
            )
        )
        if held:
            where = [QueueItem.document_id.in_(held), QueueItem.state.in_(lifecycle.HELD)]
            lifecycle.requeue(session, where, now)
        due = schedules.due_at(row.settings or {}, now)
        values = [
            lifecycle.new_item_row(workspace_id, connection_id, doc, version, now, due)
            for doc, version in wanted.items()
            if doc not in held
        ]
        if values:
            session.execute(QueueItem.__table__.insert(), values)  # type: ignore[attr-defined]
    queued = len(values) + len(held)
    log.info("backfill of %s on %s queued %d", kind, connection_id, queued)
    return queued


def _dated(field: str, body: dict[str, Any], since: date) -> bool:
    value = body.get(field)
    try:
        return value is not None and date.fromisoformat(str(value)[:10]) >= since
    except ValueError:
        return True  # a date the schema let through but this cannot read: not left out
