"""How documents, queue items, links and jobs look over REST: one place, so the routes, the CLI
and the demo show the same fields with the same names."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ledgerlink import kinds
from ledgerlink.errors import CATALOGUE
from ledgerlink.store.models import Connection, Document, Link, QueueItem, SyncJob
from ledgerlink.sync import listing


class ErrorOut(BaseModel):
    code: str
    message: str | None
    field: str | None
    fix: str


class SyncOut(BaseModel):
    """Where the document's newest push stands in the queue."""

    queue_item_id: str
    version: int
    state: str = Field(
        description="queued, in_flight, done, failed, needs_attention, superseded, dismissed"
    )
    attempts: int
    updated_at: datetime
    error: ErrorOut | None = None


class LinkOut(BaseModel):
    """The document's counterpart in Xero (the "Xero stamp")."""

    xero_id: str
    number: str | None
    type: str | None
    status: str | None
    total: str | None
    amount_due: str | None
    amount_paid: str | None
    amount_credited: str | None = Field(None, description="Credit notes applied to it.")
    paid_date: str | None = Field(None, description="When Xero saw it fully paid.")
    source_status: str | None = Field(
        None,
        description="Xero's status in the app's words: paid for Xero's PAID (and a purchase "
        "order's BILLED), sent, approved, draft, voided, deleted.",
    )
    note: str | None = Field(
        None, description="Why Xero's status differs from the app's, when it does."
    )
    allocations: dict[str, str] | None = Field(
        None, description="A credit note's allocations made: Xero id of the document -> amount."
    )
    payments_in_xero: list[dict[str, Any]] | None = Field(
        None,
        description="Payments made in Xero on it (not sent by the app): payment_id, amount, "
        "date, account_code, reference, status; each also told once as payment.recorded.",
    )
    pushed_version: int
    refreshed_at: datetime | None = Field(None, description='Last "Refresh from Xero".')
    url: str | None = Field(description='"View in Xero".')


class DocumentOut(BaseModel):
    id: str
    kind: str
    source_id: str
    connection_id: str
    version: int
    content_hash: str | None
    body: dict[str, Any] | None
    sync: SyncOut | None
    link: LinkOut | None


class QueueItemOut(BaseModel):
    id: str
    connection_id: str
    document_id: str
    kind: str | None
    source_id: str | None
    version: int
    operation: str
    state: str
    attempts: int
    waits: int = Field(0, description="Times it waited on Xero (spends no attempt).")
    not_before: datetime
    updated_at: datetime
    error: ErrorOut | None = None
    waiting_for: str | None = Field(
        None,
        description="What an unfinished item waits for, in a sentence (a stopped worker's"
        " lease, a back-off, an earlier send being settled).",
    )


class JobOut(BaseModel):
    id: str
    connection_id: str | None
    kind: str
    state: str
    counts: dict[str, Any]
    log: list[Any]
    created_at: datetime
    finished_at: datetime | None


def error_of(item: QueueItem) -> ErrorOut | None:
    if not item.error_code:
        return None
    fix = CATALOGUE.get(item.error_code, (0, ""))[1]
    return ErrorOut(
        code=item.error_code, message=item.error_message, field=item.error_field, fix=fix
    )


def sync_of(item: QueueItem | None) -> SyncOut | None:
    if item is None:
        return None
    return SyncOut(
        queue_item_id=item.id,
        version=item.version,
        state=item.state,
        attempts=item.attempts,
        updated_at=item.updated_at,
        error=error_of(item),
    )


def link_of(
    link: Link | None, connection: Connection | None, deeplink_base: str, kind: str = ""
) -> LinkOut | None:
    if link is None:
        return None
    spec = kinds.find(kind)
    details = link.details or {}
    return LinkOut(
        xero_id=link.xero_id,
        number=link.xero_number,
        type=link.xero_type,
        status=link.xero_status,
        total=link.total,
        amount_due=link.amount_due,
        amount_paid=link.amount_paid,
        amount_credited=link.amount_credited,
        paid_date=link.paid_date,
        source_status=spec.source_status(link.xero_status) if spec else None,
        note=details.get("note"),
        allocations=details.get("allocations") or None,
        payments_in_xero=[
            {"payment_id": pid, **entry} for pid, entry in (details.get("payments") or {}).items()
        ]
        or None,
        pushed_version=link.pushed_version,
        refreshed_at=link.refreshed_at,
        url=listing.link_url(link, connection, deeplink_base, kind),
    )


def document_out(session: Session, document: Document, deeplink_base: str) -> DocumentOut:
    return documents_out(session, [document], deeplink_base)[0]


def documents_out(
    session: Session, documents: list[Document], deeplink_base: str
) -> list[DocumentOut]:
    """Many documents as DocumentOut, read in a few queries (a page of the list)."""
    return [
        DocumentOut(
            id=row.document.id,
            kind=row.document.kind,
            source_id=row.document.source_id,
            connection_id=row.document.connection_id,
            version=row.document.current_version,
            content_hash=row.version.content_hash if row.version else None,
            body=row.version.body if row.version else None,
            sync=sync_of(row.item),
            link=link_of(row.link, row.connection, deeplink_base, row.document.kind),
        )
        for row in listing.document_rows(session, documents)
    ]


def queue_item_out(
    item: QueueItem, document: Document | None, waiting_for: str | None = None
) -> QueueItemOut:
    return QueueItemOut(
        id=item.id,
        connection_id=item.connection_id,
        document_id=item.document_id,
        kind=document.kind if document else None,
        source_id=document.source_id if document else None,
        version=item.version,
        operation=item.operation,
        state=item.state,
        attempts=item.attempts,
        waits=item.waits or 0,
        not_before=item.not_before,
        updated_at=item.updated_at,
        error=error_of(item),
        waiting_for=waiting_for,
    )


def job_out(job: SyncJob) -> JobOut:
    return JobOut(
        id=job.id,
        connection_id=job.connection_id,
        kind=job.kind,
        state=job.state,
        counts=job.counts or {},
        log=job.log or [],
        created_at=job.created_at,
        finished_at=job.finished_at,
    )
