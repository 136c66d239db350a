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

from sqlalchemy import insert
from sqlalchemy.orm import Session

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
