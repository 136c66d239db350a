"""Events the source app hears of, written in the transaction of the change each one tells.

Whoever changes a document's state (settling a send, reading Xero's side back, a connection
losing its tokens, a job ending) adds its events to the same session before it commits, so an
event exists exactly when its change does: none lost by a crash after the change, none
invented by a crash before it. The feed (``GET /events``) and the signed notifications read
this one table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store.db import transaction
from ledgerlink.store.models import Document, Link, QueueItem
from ledgerlink.store.twoway import Event

_EVENTS = cast(Table, Event.__table__)
TYPES = (
    "document.synced",
    "document.held",
    "document.dismissed",
    "document.status_changed",
    "document.paid",
    "payment.recorded",
    "connection.needs_reauth",
    "job.finished",
    "document.changed",
)
"""Every event type, as the source app subscribes to them."""


def add(
    session: Session,
    workspace_id: str,
    type_: str,
    now: datetime,
    data: Mapping[str, Any],
    *,
    connection_id: str | None = None,
    document_id: str | None = None,
) -> None:
    add_many(session, [(workspace_id, type_, connection_id, document_id, data)], now)


def add_many(
    session: Session,
    rows: Iterable[tuple[str, str, str | None, str | None, Mapping[str, Any]]],
    now: datetime,
) -> int:
    """(workspace, type, connection, document, data) each; one statement for them all."""
    values = [
        {
            "workspace_id": workspace,
            "type": type_,
            "connection_id": connection,
            "document_id": document,
            "data": dict(data),
            "created_at": now,
        }
        for workspace, type_, connection, document, data in rows
    ]
    for value in values:
        if value["type"] not in TYPES:
            raise ValueError(f"unknown event type {value['type']!r}")
    if values:
        if _on_postgres(session):
            # Shared with every other writer, exclusive only against ``horizon``.
            session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": LOCK_KEY})
        # The table, not the mapped class: an ORM bulk insert costs a dozen times more per row.
        session.execute(insert(_EVENTS), values)
    return len(values)


def settled_type(state: str, note: str) -> str | None:
    """The event a queue item's new state makes: synced when it reached Xero (not when it was
    already there unchanged), held when a person must act (held, or out of attempts)."""
    if state == "done":
        return None if note == "unchanged" else "document.synced"
    if state in ("needs_attention", "failed"):
        return "document.held"
    return None


# What settling reads of each item for its event, beside the queue row (``lifecycle.settle``).
TOLD_COLUMNS = (
    QueueItem.workspace_id,
    QueueItem.connection_id,
    QueueItem.version,
    Document.kind,
    Document.source_id,
    Link.xero_id,
    Link.xero_number,
    Link.xero_status,
    Link.url,
)


def tell_settled(session: Session, settled: Sequence[tuple[Any, ...]], now: datetime) -> int:
    """The events of items just settled: (state, outcome, document id, *TOLD_COLUMNS) each,
    read with the queue rows in the same query, so telling costs one INSERT per settling."""
    told = []
    for state, outcome, document, workspace, connection, version, kind, source, *link in settled:
        type_ = settled_type(state, outcome.note)
        if type_ is None:
            continue
        data: dict[str, Any] = {"kind": kind, "source_id": source, "version": version}
        if type_ == "document.synced":
            xero, number, status, url = link
            data.update(xero_id=xero, xero_number=number, status=status, url=url)
        else:
            data["state"] = state
            error = outcome.error
            if error is not None:
                data["error"] = {"code": error.code, "message": error.message, "field": error.field}
        told.append((workspace, type_, connection, document, data))
    return add_many(session, told, now)


def tell_dismissed(session: Session, item_ids: Sequence[str], now: datetime) -> int:
    """A person put these items aside (``lifecycle.dismiss`` just moved them): the source app
    hears each will not be sent, with the error it was held for."""
    query = (
        select(QueueItem, Document.kind, Document.source_id)
        .join(Document, Document.id == QueueItem.document_id)
        .where(QueueItem.id.in_(list(item_ids)), QueueItem.state == "dismissed")
    )
    told = []
    for item, kind, source in session.execute(query):
        data: dict[str, Any] = {"kind": kind, "source_id": source, "version": item.version}
        if item.error_code:
            data["error"] = {
                "code": item.error_code,
                "message": item.error_message,
                "field": item.error_field,
            }
        told.append(
            (item.workspace_id, "document.dismissed", item.connection_id, item.document_id, data)
        )
    return add_many(session, told, now)


def needs_reauth(session: Session, connection: Any, now: datetime, reason: str) -> None:
    """Tell the source app a connection stopped: a person must connect that Xero organisation
    again before anything more is sent to it."""
    data = {
        "tenant_id": connection.tenant_id,
        "tenant_name": connection.tenant_name,
        "reason": reason,
        "fix": "Connect the organisation again (POST /api/v1/connections/connect).",
    }
    add(
        session,
        connection.workspace_id,
        "connection.needs_reauth",
        now,
        data,
        connection_id=connection.id,
    )


# An advisory lock of PostgreSQL's, held shared by every transaction that writes events.
LOCK_KEY = 0x6C6C_6576_656E_7473
HORIZON_LOCK_TIMEOUT = "5s"


def _on_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def horizon(factory: sessionmaker[Session]) -> int | None:
    """The highest event id below which no event can still appear; None: no limit (SQLite).

    On PostgreSQL ids are taken from a sequence when a row is written, not when it commits: a
    reader could see event 12 while 11's transaction is still open, move its cursor past 12,
    and never see 11. Waiting for the exclusive lock waits out every transaction writing events
    at that moment; ids taken later are higher than any already committed. SQLite runs one
    writer at a time, so its ids commit in order.
    """
    with transaction(factory) as session:
        if not _on_postgres(session):
            return None
        session.execute(text(f"SET LOCAL lock_timeout = '{HORIZON_LOCK_TIMEOUT}'"))
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        return int(session.scalar(select(func.max(Event.id))) or 0)


def after(
    session: Session,
    workspace_id: str,
    cursor: int,
    *,
    limit: int,
    types: Iterable[str] = (),
    through: int | None = None,
) -> list[Event]:
    """The workspace's events after ``cursor``, oldest first, up to ``through`` (a horizon)."""
    query = select(Event).where(Event.workspace_id == workspace_id, Event.id > cursor)
    wanted = list(types)
    if wanted:
        query = query.where(Event.type.in_(wanted))
    if through is not None:
        query = query.where(Event.id <= through)
    return list(session.scalars(query.order_by(Event.id).limit(limit)))


def payload(event: Event) -> dict[str, Any]:
    """What the source app is told: the same in a signed notification and in the feed, so one
    parser reads both; the ids ride in ``data`` beside what the change wrote."""
    data = dict(event.data or {})
    data.update(
        event_id=event.id,
        workspace_id=event.workspace_id,
        connection_id=event.connection_id,
        document_id=event.document_id,
    )
    return {"type": event.type, "timestamp": event.created_at.isoformat(), "data": data}
