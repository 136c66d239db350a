"""Reading Xero's side back: what webhooks and polls ask for, read in batches, into the links.

Xero's webhook events are thin pointers, so each becomes a *pull item* (one per connection and
Xero id, however many events name it) that the worker driving the connection reads with many
ids per call, within the same limiter as its sends. What Xero announces nothing for (purchase
orders, payments) and anything a missed event would leave behind is *polled*: per connection
and resource, on a schedule, with If-Modified-Since from the newest ``UpdatedDateUTC`` seen.

What is read is written to the links in the transaction that deletes the pull items, with the
events the source app hears of (``sync.events``), so a worker killed mid-pull leaves the items
to the next and nothing half-told. Xero's ``UpdatedDateUTC`` decides between two reads of one
record: an older one changes nothing, so a replayed or reordered event, or a poll that meets a
webhook's read, changes each link once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledgerlink import kinds, metrics
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import DocumentKind
from ledgerlink.store.twoway import PullItem
from ledgerlink.sync import pause
from ledgerlink.sync.context import Run
from ledgerlink.sync.linking import IDS_PER_GET, WHERE_IDS, read_records
from ledgerlink.sync.read_back import apply_records
from ledgerlink.xero.errors import (
    XeroBudgetExhausted,
    XeroError,
    XeroForbidden,
    XeroRateLimited,
    XeroTransportError,
    XeroUnauthorized,
    XeroUnavailable,
)

log = logging.getLogger(__name__)
CLAIM = 500
BACKOFF_SECONDS = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0)
Record = dict[str, Any]
PullRow = tuple[str, str, str, str]  # connection, Xero id, document, kind


def queue_pulls(session: Session, rows: Iterable[PullRow], reason: str, now: datetime) -> int:
    """Ask for these linked resources to be read; one row each however often asked. A pull
    already waiting is stamped asked again (``created_at``): if a worker is reading it at that
    moment, its deletion after the read leaves the row (the event may say more than that read
    saw), and it is read once more. Rows go in key order, so two workers routing at once
    cannot deadlock on each other's."""
    values = [
        {
            "connection_id": connection,
            "xero_id": xero_id.lower(),
            "document_id": document,
            "kind": kind,
            "reason": reason,
            "attempts": 0,
            "not_before": now,
            "created_at": now,
        }
        for connection, xero_id, document, kind in sorted(dict.fromkeys(rows))
    ]
    if not values:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, PullItem.__table__)  # the table: the ORM's bulk insert costs more
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.connection_id, table.c.xero_id],
        set_={"created_at": statement.excluded.created_at},
    )
    session.execute(statement, values)
    return len(values)


# -- the worker's part ---------------------------------------------------------------------


def pull_due(run: Run) -> bool:
    """Read what is due to be pulled for the run's connection, batch after batch; False when
    Xero said stop (the rest waits, as sends do)."""
    while not run.lease_lost:
        now = run.now()
        with run.factory() as session:
            due = session.execute(
                select(PullItem.xero_id, PullItem.kind, PullItem.attempts, PullItem.created_at)
                .where(PullItem.connection_id == run.connection.id, PullItem.not_before <= now)
                .order_by(PullItem.not_before, PullItem.xero_id)
                .limit(CLAIM)
            ).all()
        if not due:
            return True
        groups: dict[str, list[Due]] = {}
        for xero_id, kind, attempts, asked in due:
            groups.setdefault(kinds.get(kind).resource, []).append(
                Due(xero_id, kind, attempts, asked)
            )
        for items in groups.values():
            if not _pull_group(run, items):
                return False
    return True


def _batch_size(kind: DocumentKind) -> int:
    return {"ids": IDS_PER_GET, "where": WHERE_IDS}.get(kind.read_by, 1)


class Due(NamedTuple):
    """A pull item as read when due; ``asked``: when it was last asked for."""

    xero_id: str
    kind: str
    attempts: int
    asked: datetime


def _pull_group(run: Run, items: list[Due]) -> bool:
    """One resource's due pulls, a read's worth at a time, each written with its deletion."""
    kind = kinds.get(items[0].kind)
    size = _batch_size(kind)
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        ids = [item.xero_id for item in chunk]
        try:
            records = read_records(run, kind, ids, summary=True)
        except (XeroError, LedgerlinkError) as exc:
            _back_off(run, chunk, exc)
            return not _says_stop(exc)
        pause.reached("pull_read")
        with run.factory() as session, session.begin():
            apply_records(session, run, records, kind.name, background=True)
            asked_as_read = [(item.xero_id, item.asked) for item in chunk]
            session.execute(  # not one asked again since it was read: that is read once more
                delete(PullItem).where(
                    PullItem.connection_id == run.connection.id,
                    tuple_(PullItem.xero_id, PullItem.created_at).in_(asked_as_read),
                )
            )
        pause.reached("pull_applied")
        run.tally.add("pulled", len(chunk))
        metrics.PULLED.labels("webhook").inc(len(records))
    return True


STOPPERS = (
    XeroRateLimited,
    XeroUnavailable,
    XeroUnauthorized,
    XeroForbidden,
    XeroTransportError,
    XeroBudgetExhausted,
)


def _says_stop(exc: Exception) -> bool:
    """Xero (or the budget) wants no more calls now: a 429, Xero down, the tokens refused."""
    return isinstance(exc, STOPPERS)


def _back_off(run: Run, chunk: list[Due], exc: Exception) -> None:
    """A failed read leaves its pulls for later, each a little later than the time before; one
    Xero keeps refusing (a record deleted since) is let go after the last back-off, since the
    next poll reads whatever became of it."""
    log.warning("pulling from Xero failed (%s): %d wait", exc, len(chunk))
    now = run.now()
    with run.factory() as session, session.begin():
        for xero_id, _, attempts, _ in chunk:
            where = (PullItem.connection_id == run.connection.id, PullItem.xero_id == xero_id)
            if attempts >= len(BACKOFF_SECONDS) and not _says_stop(exc):
                session.execute(delete(PullItem).where(*where))
                continue
            wait = BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS) - 1)]
            session.execute(
                update(PullItem)
                .where(*where)
                .values(attempts=attempts + 1, not_before=now + timedelta(seconds=wait))
            )
    run.tally.note(now, f"pulling from Xero failed, tried again later: {exc}")
