"""What a person lists: the queue and the documents, read the same way by the REST API and
the dashboard, one workspace at a time.

A connection named in a filter is checked to be the workspace's (CONNECTION_NOT_FOUND
otherwise), so another workspace's ids read as unknown, never as empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.orm import Session

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.models import (
    Connection,
    Document,
    DocumentVersion,
    Link,
    QueueItem,
    SendIntent,
)
from ledgerlink.sync import lifecycle
from ledgerlink.xero.links import document_url

STATES = tuple(state.value for state in lifecycle.ItemState)
# Documents never queued (refused at intake, or stored without a push) count as this.
UNQUEUED = "unqueued"


def check_state(state: str | None) -> None:
    if state is not None and state not in STATES:
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"state must be one of {', '.join(STATES)}.", field="state"
        )


def _filters(session: Session, workspace_id: str, kind: str | None, connection: str | None) -> None:
    if kind:
        kinds.get(kind)
    if connection:
        conns.get_connection(session, workspace_id, connection)


@dataclass(frozen=True)
class QueuePage:
    counts: dict[str, int]  # by state, with the filters other than the state
    rows: list[tuple[QueueItem, Document]]


def queue_page(
    session: Session,
    workspace_id: str,
    *,
    state: str | None = None,
    kind: str | None = None,
    connection_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> QueuePage:
    """Queue items, newest change first, with counts by state."""
    check_state(state)
    _filters(session, workspace_id, kind, connection_id)
    where: list[ColumnElement[bool]] = [QueueItem.workspace_id == workspace_id]
    if connection_id:
        where.append(QueueItem.connection_id == connection_id)
    if kind:
        where.append(Document.kind == kind)
    counted = (
        select(QueueItem.state, func.count())
        .join(Document, Document.id == QueueItem.document_id)
        .where(*where)
        .group_by(QueueItem.state)
    )
    counts = {row[0]: int(row[1]) for row in session.execute(counted)}
    if state:
        where.append(QueueItem.state == state)
    query = (
        select(QueueItem, Document)
        .join(Document, Document.id == QueueItem.document_id)
        .where(*where)
        .order_by(QueueItem.updated_at.desc(), QueueItem.id)
        .limit(limit)
        .offset(offset)
    )
    rows = [(item, document) for item, document in session.execute(query)]
    return QueuePage(counts, rows)


def held_codes(
    session: Session,
    workspace_id: str,
    *,
    kind: str | None = None,
    connection_id: str | None = None,
) -> dict[str, int]:
    """Held and failed items by error code (what "retry all of a code" would move)."""
    _filters(session, workspace_id, kind, connection_id)
    where: list[ColumnElement[bool]] = [
        QueueItem.workspace_id == workspace_id,
        QueueItem.state.in_(lifecycle.HELD),
        QueueItem.error_code.is_not(None),
    ]
    if connection_id:
        where.append(QueueItem.connection_id == connection_id)
    if kind:
        where.append(Document.kind == kind)
    query = (
        select(QueueItem.error_code, func.count())
        .join(Document, Document.id == QueueItem.document_id)
        .where(*where)
        .group_by(QueueItem.error_code)
        .order_by(QueueItem.error_code)
    )
    return {str(code): int(n) for code, n in session.execute(query)}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _text_matches(text: str) -> ColumnElement[bool]:
    """The source id, the number (the document's or Xero's) or the contact's name holds it."""
    pattern = _like(text.strip())
    body = DocumentVersion.body
    found = [
        Document.source_id.ilike(pattern, escape="\\"),
        Link.xero_number.ilike(pattern, escape="\\"),
        body["number"].as_string().ilike(pattern, escape="\\"),
    ]
    for spec in kinds.all_kinds():
        path = spec.contact_name_path()
        if path:
            name = body[path].as_string()
            found.append((Document.kind == spec.name) & name.ilike(pattern, escape="\\"))
    return or_(*found)


@dataclass(frozen=True)
class DocumentsPage:
    counts: dict[str, int]  # by the newest push's state (UNQUEUED: none), other filters kept
    documents: list[Document]


def documents_page(
    session: Session,
    workspace_id: str,
    *,
    kind: str | None = None,
    state: str | None = None,
    connection_id: str | None = None,
    text: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> DocumentsPage:
    """The workspace's documents, newest change first, with counts by sync state."""
    check_state(state)
    _filters(session, workspace_id, kind, connection_id)
    newest = (
        select(QueueItem.document_id, func.max(QueueItem.version).label("version"))
        .where(QueueItem.workspace_id == workspace_id)
        .group_by(QueueItem.document_id)
        .subquery()
    )
    latest = (
        select(QueueItem.document_id, func.max(QueueItem.state).label("state"))
        .join(
            newest,
            (newest.c.document_id == QueueItem.document_id)
            & (newest.c.version == QueueItem.version),
        )
        .group_by(QueueItem.document_id)
        .subquery()
    )
    where: list[ColumnElement[bool]] = [Document.workspace_id == workspace_id]
    if kind:
        where.append(Document.kind == kind)
    if connection_id:
        where.append(Document.connection_id == connection_id)
    searched = bool(text and text.strip())
    if searched:
        assert text is not None
        where.append(_text_matches(text))

    def joined(query: Any) -> Any:
        query = query.outerjoin(latest, latest.c.document_id == Document.id)
        if searched:
            query = query.outerjoin(Link, Link.document_id == Document.id).outerjoin(
                DocumentVersion,
                (DocumentVersion.document_id == Document.id)
                & (DocumentVersion.version == Document.current_version),
            )
        return query

    counted = joined(select(latest.c.state, func.count()).select_from(Document))
    counts = {
        str(row[0] or UNQUEUED): int(row[1])
        for row in session.execute(counted.where(*where).group_by(latest.c.state))
    }
    if state:
        where.append(latest.c.state == state)
    query = joined(select(Document).select_from(Document)).where(*where)
    query = query.order_by(Document.updated_at.desc(), Document.id).limit(limit).offset(offset)
    return DocumentsPage(counts, list(session.scalars(query)))


@dataclass(frozen=True)
class DocumentRow:
    """One document as a list shows it: its current version, its newest push, its link."""

    document: Document
    version: DocumentVersion | None
    item: QueueItem | None
    link: Link | None
    connection: Connection | None


def document_rows(session: Session, documents: Sequence[Document]) -> list[DocumentRow]:
    """Many documents' rows, read in a few queries (a page of the list)."""
    if not documents:
        return []
    ids = [d.id for d in documents]
    current = {(d.id, d.current_version) for d in documents}
    versions = {
        (v.document_id, v.version): v
        for v in session.scalars(
            select(DocumentVersion).where(DocumentVersion.document_id.in_(ids))
        )
        if (v.document_id, v.version) in current
    }
    found_links = {
        link.document_id: link
        for link in session.scalars(select(Link).where(Link.document_id.in_(ids)))
    }
    items: dict[str, QueueItem] = {}
    for item in session.scalars(
        select(QueueItem)
        .where(QueueItem.document_id.in_(ids))
        .order_by(QueueItem.version, QueueItem.created_at)
    ):
        items[item.document_id] = item
    wanted = {d.connection_id for d in documents}
    connections = {
        c.id: c for c in session.scalars(select(Connection).where(Connection.id.in_(wanted)))
    }
    return [
        DocumentRow(
            d,
            versions.get((d.id, d.current_version)),
            items.get(d.id),
            found_links.get(d.id),
            connections.get(d.connection_id),
        )
        for d in documents
    ]


def link_url(
    link: Link, connection: Connection | None, deeplink_base: str, kind: str = ""
) -> str | None:
    """ "View in Xero" (the Xero stamp's address): the one stored, else made from the
    organisation's short code and the kind's page."""
    if link.url or connection is None:
        return link.url
    spec = kinds.find(kind)
    page = spec.deep_link_kind(link.xero_type) if spec else link.xero_type or "ACCREC"
    return document_url(deeplink_base, connection.short_code, page, link.xero_id)


def intents_of(session: Session, document: Document, limit: int = 50) -> list[SendIntent]:
    """The writes sent to Xero carrying this document, newest first (its history)."""
    marker = f'"{document.id}"'
    query = (
        select(SendIntent)
        .where(
            SendIntent.connection_id == document.connection_id,
            cast(SendIntent.document_ids, String).contains(marker, autoescape=True),
        )
        .order_by(SendIntent.created_at.desc(), SendIntent.id)
        .limit(limit)
    )
    return list(session.scalars(query))
