"""Documents: a searchable list with the status on both sides (where the newest push stands in
the queue; Xero's status, in Xero's words and the source app's) and the blue Xero stamp that
opens the document in Xero; each document's history: versions, sends, reads back from Xero,
the events the source app was told, and the errors it met."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import Response

from ledgerlink import kinds
from ledgerlink.errors import CATALOGUE, LedgerlinkError
from ledgerlink.store.models import Connection, Document, DocumentVersion, Link, QueueItem
from ledgerlink.store.twoway import Event, PullItem
from ledgerlink.sync import listing
from ledgerlink.web.guard import Viewer, services
from ledgerlink.web.paging import (
    STATE_BADGES,
    STATE_WORDS,
    connection_names,
    paging,
    query,
    with_links,
)
from ledgerlink.web.render import page

router = APIRouter(include_in_schema=False)
EVENTS_SHOWN = 100
MAX_TEXT = 200


@dataclass(frozen=True)
class Stamp:
    """The document's counterpart in Xero, as a person reads it."""

    number: str | None
    status: str | None
    source_status: str | None
    url: str | None


@dataclass(frozen=True)
class Shown:
    document: Document
    number: str | None
    contact: str | None
    connection: str
    state: str | None
    stamp: Stamp | None


def contact_of(kind: str, body: dict[str, Any] | None) -> str | None:
    spec = kinds.find(kind)
    if spec is None or not body:
        return None
    return spec.contact_shown(body)


def stamp_of(
    link: Link | None, connection: Connection | None, kind: str, base: str
) -> Stamp | None:
    if link is None:
        return None
    spec = kinds.find(kind)
    words = spec.source_status(link.xero_status) if spec else None
    url = listing.link_url(link, connection, base, kind)
    return Stamp(link.xero_number, link.xero_status, words, url)


def _filters(q: str, kind: str, state: str, connection: str) -> dict[str, str]:
    values = {"q": q, "kind": kind, "state": state, "connection": connection}
    return {name: value.strip() for name, value in values.items()}


@router.get("/documents")
def documents_page(
    request: Request,
    who: Viewer,
    q: str = "",
    kind: str = "",
    state: str = "",
    connection: str = "",
    limit: str = "",
    offset: str = "",
) -> Response:
    filters = _filters(q, kind, state, connection)
    if len(filters["q"]) > MAX_TEXT:
        raise LedgerlinkError("VALIDATION_FAILED", f"q: at most {MAX_TEXT} characters.", "q")
    at = paging(limit, offset)
    svc = services(request)
    names = connection_names(request, who.workspace_id)
    base = svc.settings.xero_deeplink_url
    with svc.factory() as session:
        found = listing.documents_page(
            session,
            who.workspace_id,
            kind=filters["kind"] or None,
            state=filters["state"] or None,
            connection_id=filters["connection"] or None,
            text=filters["q"] or None,
            limit=at.limit + 1,
            offset=at.offset,
        )
        rows = listing.document_rows(session, found.documents[: at.limit])
    shown = [
        Shown(
            row.document,
            (row.link.xero_number if row.link else None)
            or (row.version.body.get("number") if row.version else None),
            contact_of(row.document.kind, row.version.body if row.version else None),
            names.get(row.document.connection_id, row.document.connection_id),
            row.item.state if row.item else None,
            stamp_of(row.link, row.connection, row.document.kind, base),
        )
        for row in rows
    ]
    context = {
        "rows": shown,
        "counts": found.counts,
        "filters": filters,
        "query": query(filters),
        "state_links": {
            s: "/documents?" + query(filters | {"state": s})
            for s in (*listing.STATES, listing.UNQUEUED)
        },
        "states": listing.STATES,
        "kinds": kinds.names(),
        "connections": names,
        "words": STATE_WORDS,
        "badges": STATE_BADGES,
        "paging": with_links("/documents", filters, at, len(found.documents) > at.limit),
    }
    return page(request, "documents.html", context)


@dataclass(frozen=True)
class Send:
    item: QueueItem
    fix: str


@router.get("/documents/{document_id}")
def document_page(request: Request, who: Viewer, document_id: str) -> Response:
    """One document's history, newest first in each part."""
    svc = services(request)
    with svc.factory() as session:
        document = session.get(Document, document_id)
        if document is None or document.workspace_id != who.workspace_id:
            raise LedgerlinkError("NOT_FOUND", f"No document {document_id}.", field="id")
        [row] = listing.document_rows(session, [document])
        versions = session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document.id)
            .order_by(DocumentVersion.version.desc())
        ).all()
        items = session.scalars(
            select(QueueItem)
            .where(QueueItem.document_id == document.id)
            .order_by(QueueItem.created_at.desc(), QueueItem.version.desc())
        ).all()
        intents = listing.intents_of(session, document)
        pulls = session.scalars(select(PullItem).where(PullItem.document_id == document.id)).all()
        events = session.scalars(
            select(Event)
            .where(Event.workspace_id == who.workspace_id, Event.document_id == document.id)
            .order_by(Event.id.desc())
            .limit(EVENTS_SHOWN)
        ).all()
    sends = [Send(item, CATALOGUE.get(item.error_code or "", (0, ""))[1]) for item in items]
    names = connection_names(request, who.workspace_id)
    context = {
        "document": document,
        "body": row.version.body if row.version else {},
        "contact": contact_of(document.kind, row.version.body if row.version else None),
        "connection": names.get(document.connection_id, document.connection_id),
        "state": row.item.state if row.item else None,
        "link": row.link,
        "stamp": stamp_of(row.link, row.connection, document.kind, svc.settings.xero_deeplink_url),
        "versions": versions,
        "sends": sends,
        "errors": [send for send in sends if send.item.error_code],
        "intents": intents,
        "pulls": pulls,
        "events": [(event, _summary(event.data)) for event in events],
        "words": STATE_WORDS,
        "badges": STATE_BADGES,
    }
    return page(request, "document.html", context)


def _summary(data: dict[str, Any] | None) -> str:
    """An event's facts in a line: its plain values, the error's code (what a person scans)."""
    parts = []
    for name, value in (data or {}).items():
        if name in ("kind", "source_id", "url"):
            continue
        if isinstance(value, dict) and "code" in value:
            parts.append(f"{name} {value['code']}")
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            parts.append(f"{name} {value}")
    return ", ".join(parts)
