"""The queue and sync jobs, as a person sees them: counts by state, errors with their fixes, a
retry button, and "sync now" for one connection."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from ledgerlink import kinds
from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.body import read_json, read_object
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.routes_documents import pick_connection
from ledgerlink.api.services import services
from ledgerlink.api.views import ErrorOut, JobOut, QueueItemOut, job_out, queue_item_out
from ledgerlink.errors import CATALOGUE, LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.models import ApiCall, Document, QueueItem, SyncJob
from ledgerlink.sync import jobs, listing, on_demand, queue

router = APIRouter(tags=["queue"], responses=ERROR_RESPONSES)

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
    kind: str | None = Query(None, description="One kind of document (see the schemas)."),
    limit: int = Query(100, ge=1, le=1000, description="Items per page, 1 to 1,000."),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description=OFFSET_TEXT),
) -> QueueOut:
    """Queue items, newest change first, with counts by state."""
    with services(request).factory() as session:
        found = listing.queue_page(
            session,
            workspace_id,
            state=state,
            kind=kind,
            connection_id=connection_id,
            limit=limit,
            offset=offset,
        )
        waits = queue.waits(session, [item for item, _ in found.rows], datetime.now(UTC))
        items = [_item_out(item, doc, waits.get(item.id)) for item, doc in found.rows]
    return QueueOut(counts=found.counts, items=items)


def _item_out(item: QueueItem, document: Document, wait: queue.Wait | None) -> QueueItemOut:
    """An item as the queue page shows it. What a person must do for it to move on (switch its
    connection on) is its error while it waits: its last attempt's is in the sentence."""
    out = queue_item_out(item, document, wait.sentence if wait else None)
    if wait is not None and wait.code is not None:
        fix = CATALOGUE.get(wait.code, (0, ""))[1]
        out.error = ErrorOut(code=wait.code, message=wait.sentence, field=wait.field, fix=fix)
    return out


def _shown(svc: Any, item_id: str) -> QueueItemOut:
    with svc.factory() as session:
        item = session.get(QueueItem, item_id)
        assert item is not None
        return queue_item_out(item, session.get(Document, item.document_id))


@router.post("/queue/{item_id}/retry", response_model=QueueItemOut)
def retry_item(request: Request, workspace_id: WorkspaceId, item_id: str) -> QueueItemOut:
    """Send a held, failed or dismissed item again (after fixing its cause, e.g. pressing
    Synchronize)."""
    svc = services(request)
    queue.retry_one(svc.factory, workspace_id, item_id, datetime.now(UTC))
    return _shown(svc, item_id)


@router.post("/queue/{item_id}/dismiss", response_model=QueueItemOut)
def dismiss_item(request: Request, workspace_id: WorkspaceId, item_id: str) -> QueueItemOut:
    """Put a held or failed item aside: it stays listed as dismissed and is never sent (409
    for an item not held, or one whose last send may have reached Xero). A newer version of
    its document is sent as usual; a retry brings this one back."""
    svc = services(request)
    queue.dismiss_one(svc.factory, workspace_id, item_id, datetime.now(UTC))
    return _shown(svc, item_id)


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
    ran: bool | None = Field(
        description="With wait=true: false when another worker kept the connection. Without: "
        "null, the job runs in the background (follow it at GET /jobs/{id})."
    )
    job: JobOut | None = Field(description="This run's job, or the one running elsewhere.")


WAIT_SECONDS = 600.0


@router.post("/jobs", response_model=SyncNowOut, status_code=202)
async def sync_now(
    request: Request,
    workspace_id: WorkspaceId,
    connection_id: str | None = None,
    wait: bool = Query(False, description="Answer when the run has ended (at most 10 minutes)."),
) -> Response:
    """Sync now: a job that sends everything queued for the connection, a scheduled
    connection's waiting documents too. Answers 202 at once with the job (``queued``), which
    runs in the background: GET /jobs/{id} shows its counts and log as it goes. With
    ``wait=true``, answers 200 once the run has ended."""
    if request.headers.get("content-length", "0") not in ("", "0"):
        body = await read_json(request)
        if isinstance(body, dict) and body.get("connection_id"):
            connection_id = connection_id or str(body["connection_id"])
    svc = services(request)
    connection = pick_connection(svc, workspace_id, connection_id)
    conns.require_usable(connection)
    job_id = await run_in_threadpool(svc.start_job, workspace_id, connection.id)
    if not wait:
        return JSONResponse(
            SyncNowOut(ran=None, job=_job(svc, job_id)).model_dump(mode="json"), status_code=202
        )
    await run_in_threadpool(on_demand.wait, job_id, WAIT_SECONDS)
    # "The one running elsewhere" may be a dead worker's: shown ended, not running.
    jobs.reap_abandoned(svc.factory, datetime.now(UTC), connection_id=connection.id)
    job = _job(svc, job_id)
    ran = (
        job is not None and job.state not in (jobs.QUEUED,) and "Another worker" not in str(job.log)
    )
    if not ran:
        with svc.factory() as session:
            query = select(SyncJob).where(
                SyncJob.connection_id == connection.id, SyncJob.id != job_id
            )
            other = session.scalars(query.order_by(SyncJob.created_at.desc()).limit(1)).first()
            job = job_out(other) if other is not None else job
    out = SyncNowOut(ran=ran, job=job)
    return JSONResponse(out.model_dump(mode="json"), status_code=200)


def _job(svc: Any, job_id: str) -> JobOut | None:
    with svc.factory() as session:
        row = session.get(SyncJob, job_id)
        return job_out(row) if row is not None else None


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(request: Request, workspace_id: WorkspaceId, job_id: str) -> JobOut:
    """One job: its state (queued, running, finished, crashed, abandoned), counts and log, as
    they stand now while it runs."""
    svc = services(request)
    jobs.reap_abandoned(svc.factory, datetime.now(UTC), workspace_id=workspace_id)
    with svc.factory() as session:
        row = session.get(SyncJob, job_id)
        if row is None or row.workspace_id != workspace_id:
            raise LedgerlinkError("NOT_FOUND", f"No job {job_id}.", field="job_id")
        return job_out(row)


class BackfillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="The kind of document to queue again: every stored one.")
    since: date | None = Field(
        default=None, description="Only documents dated from this day (YYYY-MM-DD) on."
    )


class BackfillOut(BaseModel):
    queued: int = Field(description="Documents queued; those already waiting are not counted.")


@router.post(
    "/connections/{connection_id}/backfill",
    response_model=BackfillOut,
    tags=["connections"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BackfillIn.model_json_schema()}},
        }
    },
)
async def backfill(request: Request, workspace_id: WorkspaceId, connection_id: str) -> BackfillOut:
    """Add all existing data to the queue: every stored document of a kind on this connection
    is sent (or checked) again, on the connection's schedule. What Xero already holds as sent
    is left alone, so only what is missing or changed is written."""
    body = BackfillIn.model_validate(await read_object(request))
    svc = services(request)
    with svc.factory() as session:
        conns.get_connection(session, workspace_id, connection_id)
    kinds.get(body.kind)
    queued = await run_in_threadpool(
        on_demand.backfill,
        svc.factory,
        workspace_id,
        connection_id,
        body.kind,
        body.since,
        datetime.now(UTC),
    )
    hook = getattr(request.app.state, "on_intake", None)
    if queued and hook is not None:
        hook()
    return BackfillOut(queued=queued)


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
