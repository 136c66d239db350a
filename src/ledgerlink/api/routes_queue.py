"""The queue and sync jobs, as a person sees them: counts by state, errors with their fixes, a
retry button, and "sync now" for one connection."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.body import read_json
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.routes_documents import pick_connection
from ledgerlink.api.services import services
from ledgerlink.api.views import ErrorOut, JobOut, QueueItemOut, job_out, queue_item_out
from ledgerlink.errors import CATALOGUE, LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.models import ApiCall, Document, QueueItem, SyncJob
from ledgerlink.sync import jobs, queue

router = APIRouter(tags=["queue"], responses=ERROR_RESPONSES)

STATES = ("queued", "in_flight", "done", "failed", "needs_attention", "superseded")
# Far beyond any queue, and far inside what SQLite and PostgreSQL take for OFFSET (64 bits):
# an offset past it is a client's mistake, answered 422 like any other bad parameter.
MAX_OFFSET = 1_000_000_000
OFFSET_TEXT = "How many to skip, 0 to 1,000,000,000."


class QueueOut(BaseModel):
    counts: dict[str, int] = Field(description="Items by state (with the same filters).")
    items: list[QueueItemOut]


@router.get("/queue", response_model=QueueOut)
def get_queue(
    request: Request,
    workspace_id: WorkspaceId,
    state: str | None = None,
    connection_id: str | None = None,
    limit: int = Query(100, ge=1, le=1000, description="Items per page, 1 to 1,000."),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description=OFFSET_TEXT),
) -> QueueOut:
    """Queue items, newest change first, with counts by state."""
    if state is not None and state not in STATES:
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"state must be one of {', '.join(STATES)}.", field="state"
        )
    with services(request).factory() as session:
        if connection_id:
            conns.get_connection(session, workspace_id, connection_id)
        where = [QueueItem.workspace_id == workspace_id]
        if connection_id:
            where.append(QueueItem.connection_id == connection_id)
        counted = session.execute(
            select(QueueItem.state, func.count()).where(*where).group_by(QueueItem.state)
        )
        counts = {row[0]: int(row[1]) for row in counted}
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
        rows = list(session.execute(query))
        waits = queue.waits(session, [item for item, _ in rows], datetime.now(UTC))
        items = [_item_out(item, doc, waits.get(item.id)) for item, doc in rows]
    return QueueOut(counts=counts, items=items)


def _item_out(item: QueueItem, document: Document, wait: queue.Wait | None) -> QueueItemOut:
    """An item as the queue page shows it. What a person must do for it to move on (switch its
    connection on) is its error while it waits: its last attempt's is in the sentence."""
    out = queue_item_out(item, document, wait.sentence if wait else None)
    if wait is not None and wait.code is not None:
        fix = CATALOGUE.get(wait.code, (0, ""))[1]
        out.error = ErrorOut(code=wait.code, message=wait.sentence, field=wait.field, fix=fix)
    return out


@router.post("/queue/{item_id}/retry", response_model=QueueItemOut)
def retry_item(request: Request, workspace_id: WorkspaceId, item_id: str) -> QueueItemOut:
    """Send a held item again (after fixing its cause, e.g. pressing Synchronize)."""
    svc = services(request)
    with svc.factory() as session:
        item = session.get(QueueItem, item_id)
        if item is None or item.workspace_id != workspace_id:
            raise LedgerlinkError("NOT_FOUND", f"No queue item {item_id}.", field="id")
    if queue.retry_items(svc.factory, workspace_id, [item_id], datetime.now(UTC)) == 0:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"Queue item {item_id} is {item.state}: only failed or held items can be retried.",
            field="state",
            status=409,
        )
    with svc.factory() as session:
        item = session.get(QueueItem, item_id)
        assert item is not None
        return queue_item_out(item, session.get(Document, item.document_id))


@router.get("/jobs", response_model=list[JobOut])
def list_jobs(
    request: Request,
    workspace_id: WorkspaceId,
    connection_id: str | None = None,
    limit: int = Query(50, ge=1, le=500, description="Jobs per page, 1 to 500."),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description=OFFSET_TEXT),
) -> list[JobOut]:
    """Sync runs, newest first; a run whose worker died is shown ended, as abandoned."""
    rows = jobs.list_jobs(
        services(request).factory,
        workspace_id,
        datetime.now(UTC),
        connection_id=connection_id or None,
        limit=limit,
        offset=offset,
    )
    return [job_out(job) for job in rows]


class SyncNowOut(BaseModel):
    ran: bool = Field(description="False when another worker is syncing the connection now.")
    job: JobOut | None = Field(description="This run's job, or the one running elsewhere.")


@router.post("/jobs", response_model=SyncNowOut)
async def sync_now(
    request: Request, workspace_id: WorkspaceId, connection_id: str | None = None
) -> SyncNowOut:
    """Sync now: one worker run on the connection, sending everything that is due."""
    if request.headers.get("content-length", "0") not in ("", "0"):
        body = await read_json(request)
        if isinstance(body, dict) and body.get("connection_id"):
            connection_id = connection_id or str(body["connection_id"])
    svc = services(request)
    connection = pick_connection(svc, workspace_id, connection_id)
    conns.require_usable(connection)
    result = await run_in_threadpool(svc.sync_connection, connection.id)
    # "The one running elsewhere" may be a dead worker's: shown ended, not running.
    jobs.reap_abandoned(svc.factory, datetime.now(UTC), connection_id=connection.id)
    with svc.factory() as session:
        query = select(SyncJob).where(SyncJob.connection_id == connection.id)
        if result.job_id:
            query = query.where(SyncJob.id == result.job_id)
        job = session.scalars(query.order_by(SyncJob.created_at.desc()).limit(1)).first()
        return SyncNowOut(ran=result.job_id is not None, job=job_out(job) if job else None)


class UsageOut(BaseModel):
    calls: int
    by_status: dict[str, int]


@router.get("/connections/{connection_id}/usage", response_model=UsageOut, tags=["connections"])
def usage(request: Request, workspace_id: WorkspaceId, connection_id: str) -> UsageOut:
    """Calls ledgerlink made to Xero for this connection, by HTTP status (0: no answer)."""
    with services(request).factory() as session:
        conns.get_connection(session, workspace_id, connection_id)
        rows = session.execute(
            select(ApiCall.status, func.count())
            .where(ApiCall.connection_id == connection_id)
            .group_by(ApiCall.status)
        )
        by_status = {str(status): int(n) for status, n in rows}
    return UsageOut(calls=sum(by_status.values()), by_status=by_status)
