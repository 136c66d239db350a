"""Sync jobs: the runs on the workspace's connections newest first, creating one (sync now,
pull now, backfill of a kind), a job's counts and log as it goes, and the scheduled
connections with their next run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store import schedules
from ledgerlink.store.models import SyncJob
from ledgerlink.sync import jobs, on_demand
from ledgerlink.web.guard import Editor, Person, Viewer, check_form, services
from ledgerlink.web.paging import connection_names, field, paging, with_links
from ledgerlink.web.render import go, page

router = APIRouter(include_in_schema=False)

JOB_WORDS = {
    on_demand.SYNC_NOW: "Sync now",
    on_demand.PULL_NOW: "Pull now",
    on_demand.BACKFILL: "Backfill",
    "push": "Worker run",
}
CREATED = (on_demand.SYNC_NOW, on_demand.PULL_NOW, on_demand.BACKFILL)
UNFINISHED = (jobs.QUEUED, jobs.RUNNING)
JOB_BADGES = {"finished": "ok", "crashed": "bad", "abandoned": "warn", "running": "warn"}
COUNT_WORDS = {
    "synced": "Synced",
    "unchanged": "Unchanged",
    "held": "Held",
    "failed": "Failed",
    "retrying": "To retry",
    "changed_in_xero": "Changed in Xero",
    "calls": "Xero calls",
}


@dataclass(frozen=True)
class Scheduled:
    connection_id: str
    name: str
    schedule: str
    next_run: datetime


def _scheduled(request: Request, workspace_id: str, now: datetime) -> list[Scheduled]:
    """The workspace's connections that send on a schedule, with when it next fires."""
    found = []
    with services(request).factory() as session:
        for row in conns.list_connections(session, workspace_id):
            settings = conns.shown_settings(session, row)
            if settings.mode != schedules.SCHEDULED or not settings.schedule:
                continue
            name = row.tenant_name or row.tenant_id
            when = schedules.next_fire(settings.schedule, now)
            found.append(Scheduled(row.id, name, settings.schedule, when))
    return found


def _jobs_page(
    request: Request,
    who: Person,
    connection: str = "",
    limit: str = "",
    offset: str = "",
    *,
    values: dict[str, str] | None = None,
    error: LedgerlinkError | None = None,
) -> Response:
    now = datetime.now(UTC)
    at = paging(limit, offset, default=25, most=100)
    svc = services(request)
    if connection:
        with svc.factory() as session:
            conns.get_connection(session, who.workspace_id, connection)
    rows = jobs.list_jobs(
        svc.factory,
        who.workspace_id,
        now,
        connection_id=connection or None,
        limit=at.limit + 1,
        offset=at.offset,
    )
    filters = {"connection": connection}
    context: dict[str, Any] = {
        "jobs": rows[: at.limit],
        "paging": with_links("/jobs", filters, at, len(rows) > at.limit),
        "filters": filters,
        "connections": connection_names(request, who.workspace_id),
        "scheduled": _scheduled(request, who.workspace_id, now),
        "words": JOB_WORDS,
        "created": CREATED,
        "badges": JOB_BADGES,
        "kinds": kinds.names(),
        "values": values or {"connection_id": connection},
        "error": error,
    }
    return page(request, "jobs.html", context, status=error.http_status if error else 200)


@router.get("/jobs")
def jobs_page(
    request: Request, who: Viewer, connection: str = "", limit: str = "", offset: str = ""
) -> Response:
    return _jobs_page(request, who, connection.strip(), limit, offset)


def _since(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise LedgerlinkError(
            "VALIDATION_FAILED", "since: give a day as YYYY-MM-DD, or leave it empty.", "since"
        ) from exc


def _start(request: Request, who: Person, values: dict[str, str]) -> str | None:
    """The job made from the form (None: a backfill that found nothing to queue)."""
    svc = services(request)
    job = values["job"]
    if job not in CREATED:
        raise LedgerlinkError(
            "VALIDATION_FAILED", "job: choose Sync now, Pull now or Backfill.", "job"
        )
    with svc.factory() as session:
        row = conns.find_connection(session, who.workspace_id, values["connection_id"])
    if row is None:
        raise LedgerlinkError(
            "CONNECTION_NOT_FOUND",
            "connection_id: choose one of this workspace's connections.",
            "connection_id",
        )
    conns.require_usable(row)  # a switched-off connection is never leased, not even to read
    if job == on_demand.BACKFILL:
        if not values["kind"]:
            raise LedgerlinkError(
                "VALIDATION_FAILED", "kind: choose the kind of document to backfill.", "kind"
            )
        spec = kinds.get(values["kind"])
        since = _since(values["since"])
        queued = on_demand.backfill(
            svc.factory, who.workspace_id, row.id, spec.name, since, datetime.now(UTC)
        )
        if not queued:
            return None
    return svc.start_job(who.workspace_id, row.id, job)


@router.post("/jobs")
async def create_job(request: Request, who: Editor) -> Response:
    form = await check_form(request, who)
    values = {name: field(form, name) for name in ("connection_id", "job", "kind", "since")}
    try:
        made = await run_in_threadpool(_start, request, who, values)
    except LedgerlinkError as exc:
        return _jobs_page(request, who, values=values, error=exc)
    if made is None:
        return go("/jobs", "backfill_none")
    return go(f"/jobs/{made}", "job_started")


def _job(request: Request, who: Person, job_id: str) -> SyncJob:
    svc = services(request)
    jobs.reap_abandoned(svc.factory, datetime.now(UTC), workspace_id=who.workspace_id)
    with svc.factory() as session:
        row = session.get(SyncJob, job_id)
        if row is None or row.workspace_id != who.workspace_id:
            raise LedgerlinkError("NOT_FOUND", f"No job {job_id}.", field="job_id")
        return row


def _job_context(request: Request, who: Person, job: SyncJob) -> dict[str, Any]:
    names = connection_names(request, who.workspace_id)
    counts = job.counts or {}
    shown = [(COUNT_WORDS.get(name, name), n) for name, n in counts.items() if name in COUNT_WORDS]
    return {
        "job": job,
        "connection": names.get(job.connection_id or "", job.connection_id or ""),
        "words": JOB_WORDS,
        "badges": JOB_BADGES,
        "counts": shown,
        "idle": not any(n for _, n in shown if isinstance(n, int)),
        "final": job.state not in UNFINISHED,
    }


@router.get("/jobs/{job_id}")
def job_page(request: Request, who: Viewer, job_id: str) -> Response:
    job = _job(request, who, job_id)
    return page(request, "job.html", _job_context(request, who, job))


@router.get("/jobs/{job_id}/live")
def job_live(request: Request, who: Viewer, job_id: str) -> Response:
    """The live part of a job's page: its state, counts and log; final once it has ended."""
    job = _job(request, who, job_id)
    return page(request, "job_live.html", _job_context(request, who, job))
