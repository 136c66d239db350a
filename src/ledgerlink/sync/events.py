"""Events the source app hears of, written in the transaction of the change each one tells.

Whoever changes a document's state (settling a send, reading Xero's side back, a connection
losing its tokens, a job ending) adds its events to the same session before it commits, so an
event exists exactly when its change does: none lost by a crash after the change, none
invented by a crash before it. The feed (``GET /events``) and the signed notifications read
this one table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.members import one_of
from ledgerlink.store.models import Document, Link, QueueItem
from ledgerlink.store.twoway import Event

TYPES = (
    "document.synced",
    "document.held",
    "document.status_changed",
    "document.paid",
    "payment.recorded",
    "connection.needs_reauth",
    "job.finished",
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
        session.execute(insert(Event), values)
    return len(values)


def settled_type(state: str, note: str) -> str | None:
    """The event a queue item's new state makes: synced when it reached Xero (not when it was
    already there unchanged), held when a person must act (held, or out of attempts)."""
    if state == "done":
        return None if note == "unchanged" else "document.synced"
    if state in ("needs_attention", "failed"):
        return "document.held"
    return None


def tell_settled(
    session: Session,
    settled: Mapping[str, tuple[str, str, LedgerlinkError | None]],
    now: datetime,
) -> int:
    """The events of items just settled (item id -> (state, note, error)), with the document's
    Xero stamp as it now stands."""
    if not settled:
        return 0
    rows = session.execute(
        select(
            QueueItem.id,
            QueueItem.workspace_id,
            QueueItem.connection_id,
            QueueItem.document_id,
            QueueItem.version,
            Document.kind,
            Document.source_id,
            Link.xero_id,
            Link.xero_number,
            Link.xero_status,
            Link.url,
        )
        .join(Document, Document.id == QueueItem.document_id)
        .outerjoin(Link, Link.document_id == QueueItem.document_id)
        .where(one_of(QueueItem.id, list(settled)))
    )
    told = []
    for (
        item,
        workspace,
        connection,
        document,
        version,
        kind,
        source,
        xero,
        number,
        status,
        url,
    ) in rows:
        state, note, error = settled[item]
        type_ = settled_type(state, note)
        if type_ is None:
            continue
        data: dict[str, Any] = {"kind": kind, "source_id": source, "version": version}
        if type_ == "document.synced":
            data.update(xero_id=xero, xero_number=number, status=status, url=url)
        else:
            data["state"] = state
            if error is not None:
                data["error"] = {"code": error.code, "message": error.message, "field": error.field}
        told.append((workspace, type_, connection, document, data))
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
