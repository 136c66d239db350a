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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledgerlink import kinds, metrics
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import DocumentKind
from ledgerlink.store.members import one_of
from ledgerlink.store.models import Document, Link
from ledgerlink.store.twoway import PollMark, PullItem
from ledgerlink.sync import events, pause
from ledgerlink.sync.context import Run
from ledgerlink.sync.linking import IDS_PER_GET, WHERE_IDS, read_records, upsert_link
from ledgerlink.xero import wire
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
PAYMENTS = "Payments"
# How far back the first read of a connection's payments goes, when a pull asks for it.
FIRST_PAYMENTS_READ = timedelta(days=1)
BACKOFF_SECONDS = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0)
Record = dict[str, Any]
PullRow = tuple[str, str, str, str]  # connection, Xero id, document, kind


def queue_pulls(session: Session, rows: Iterable[PullRow], reason: str, now: datetime) -> int:
    """Ask for these linked resources to be read; one row each however often asked (a pull
    already waiting reads the newest state when it runs, so a repeat adds nothing)."""
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
        for connection, xero_id, document, kind in dict.fromkeys(rows)
    ]
    if not values:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, PullItem.__table__)  # the table: the ORM's bulk insert costs more
    statement = insert(table).on_conflict_do_nothing(
        index_elements=[table.c.connection_id, table.c.xero_id]
    )
    session.execute(statement, values)
    return len(values)


@dataclass(frozen=True)
class Linked:
    """A link as a pull compares it: what the source app has been told so far."""

    document_id: str
    source_id: str
    kind: DocumentKind
    updated: datetime | None
    status: str | None
    amount_paid: str | None
    paid_date: str | None


def linked(session: Session, connection_id: str, xero_ids: Sequence[str]) -> dict[str, Linked]:
    """The links of these Xero ids on the connection, by lower-case Xero id."""
    if not xero_ids:
        return {}
    rows = session.execute(
        select(
            Link.xero_id,
            Link.document_id,
            Document.source_id,
            Document.kind,
            Link.xero_updated_at,
            Link.xero_status,
            Link.amount_paid,
            Link.paid_date,
        )
        .join(Document, Document.id == Link.document_id)
        .where(Link.connection_id == connection_id, one_of(Link.xero_id, list(xero_ids)))
    )
    return {
        str(xero).lower(): Linked(doc, source, kinds.get(kind), updated, status, paid, paid_on)
        for xero, doc, source, kind, updated, status, paid, paid_on in rows
    }


def apply_records(session: Session, run: Run, records: Sequence[Record], kind_hint: str) -> int:
    """Write Xero's records of linked documents into their links, with the events they make;
    a record of nothing ledgerlink sent is left alone. The links changed."""
    now = run.now()
    by_id = {str(r.get(kinds.get(kind_hint).id_field, "")).lower(): r for r in records}
    found = linked(session, run.connection.id, [x for x in by_id if x])
    changed = 0
    paid_moved = False
    told: list[tuple[str, str, str | None, str | None, Mapping[str, Any]]] = []
    for xero_id, was in found.items():
        record = by_id[xero_id]
        updated = wire.updated_at(record)
        if was.updated is not None and (updated is None or updated < was.updated):
            continue  # an older read than the link's: it changes nothing
        link = upsert_link(session, run, was.document_id, record, kind=was.kind)
        link.refreshed_at = now
        changed += 1
        paid_moved |= link.amount_paid != was.amount_paid and was.kind.resource != PAYMENTS
        told += _events_of(run, was, link)
    events.add_many(session, told, now)
    if paid_moved:
        read_payments_now(session, run.connection.id, now)
    return changed


def read_payments_now(session: Session, connection_id: str, now: datetime) -> None:
    """A document's amount paid moved in Xero: the connection's payments are read in this run
    (``sync.polls``), so the payment is recorded with its account and reference at once."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    row = {
        "connection_id": connection_id,
        "kind": PAYMENTS,
        "modified_since": now - FIRST_PAYMENTS_READ,
        "next_at": now,
        "polled_at": None,
    }
    statement = insert(PollMark).on_conflict_do_update(
        index_elements=[PollMark.connection_id, PollMark.kind], set_={"next_at": now}
    )
    session.execute(statement, [row])


def _events_of(
    run: Run, was: Linked, link: Link
) -> list[tuple[str, str, str | None, str | None, Mapping[str, Any]]]:
    data = {
        "kind": was.kind.name,
        "source_id": was.source_id,
        "xero_id": link.xero_id,
        "xero_number": link.xero_number,
        "status": link.xero_status,
        "source_status": was.kind.source_status(link.xero_status),
        "amount_paid": link.amount_paid,
        "amount_due": link.amount_due,
        "paid_date": link.paid_date,
        "url": link.url,
    }
    workspace, connection = run.connection.workspace_id, run.connection.id
    out: list[tuple[str, str, str | None, str | None, Mapping[str, Any]]] = []
    if was.status is not None and link.xero_status != was.status:
        changed = {**data, "previous_status": was.status}
        out.append((workspace, "document.status_changed", connection, was.document_id, changed))
    paid_now = was.kind.source_status(link.xero_status) == "paid"
    if paid_now and was.kind.source_status(was.status) != "paid":
        out.append((workspace, "document.paid", connection, was.document_id, data))
    return out


# -- the worker's part ---------------------------------------------------------------------


def pull_due(run: Run) -> bool:
    """Read what is due to be pulled for the run's connection, batch after batch; False when
    Xero said stop (the rest waits, as sends do)."""
    while not run.lease_lost:
        now = run.now()
        with run.factory() as session:
            due = session.execute(
                select(PullItem.xero_id, PullItem.kind, PullItem.attempts)
                .where(PullItem.connection_id == run.connection.id, PullItem.not_before <= now)
                .order_by(PullItem.not_before, PullItem.xero_id)
                .limit(CLAIM)
            ).all()
        if not due:
            return True
        groups: dict[str, list[tuple[str, str, int]]] = {}
        for xero_id, kind, attempts in due:
            groups.setdefault(kinds.get(kind).resource, []).append((xero_id, kind, attempts))
        for items in groups.values():
            if not _pull_group(run, items):
                return False
    return True


def _batch_size(kind: DocumentKind) -> int:
    return {"ids": IDS_PER_GET, "where": WHERE_IDS}.get(kind.read_by, 1)


def _pull_group(run: Run, items: list[tuple[str, str, int]]) -> bool:
    """One resource's due pulls, a read's worth at a time, each written with its deletion."""
    kind = kinds.get(items[0][1])
    size = _batch_size(kind)
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        ids = [xero_id for xero_id, _, _ in chunk]
        try:
            records = read_records(run, kind, ids, summary=True)
        except (XeroError, LedgerlinkError) as exc:
            _back_off(run, chunk, exc)
            return not _says_stop(exc)
        pause.reached("pull_read")
        with run.factory() as session, session.begin():
            apply_records(session, run, records, kind.name)
            session.execute(
                delete(PullItem).where(
                    PullItem.connection_id == run.connection.id, one_of(PullItem.xero_id, ids)
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


def _back_off(run: Run, chunk: list[tuple[str, str, int]], exc: Exception) -> None:
    """A failed read leaves its pulls for later, each a little later than the time before; one
    Xero keeps refusing (a record deleted since) is let go after the last back-off, since the
    next poll reads whatever became of it."""
    log.warning("pulling from Xero failed (%s): %d wait", exc, len(chunk))
    now = run.now()
    with run.factory() as session, session.begin():
        for xero_id, _, attempts in chunk:
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
