"""Connections: connect a Xero organisation (OAuth or custom), see it, set its defaults, drop it,
and "Synchronize" its reference data."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ledgerlink import kinds
from ledgerlink.api import routes_budget, routes_reconcile
from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.body import read_object
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection, ReferenceSync
from ledgerlink.sync import directions, oauth
from ledgerlink.sync.engine import Engine

router = APIRouter(prefix="/connections", tags=["connections"], responses=ERROR_RESPONSES)


class ConnectionOut(BaseModel):
    id: str
    tenant_id: str
    tenant_name: str
    status: str
    short_code: str | None
    base_currency: str | None
    settings: dict[str, Any]
    reference_fetched_at: dict[str, datetime] = Field(
        default_factory=dict, description="When each kind of reference data was last read."
    )


class ConnectStarted(BaseModel):
    authorize_url: str = Field(description="Send the person here to choose organisations.")


class CustomConnect(BaseModel):
    client_id: str = Field(min_length=1, max_length=100)
    client_secret: str = Field(min_length=1, max_length=200)


def _out(
    session: Session, row: Connection, syncs: list[ReferenceSync] | None = None
) -> ConnectionOut:
    return ConnectionOut(
        id=row.id,
        tenant_id=row.tenant_id,
        tenant_name=row.tenant_name,
        status=row.status,
        short_code=row.short_code,
        base_currency=row.base_currency,
        settings=conns.shown_settings(session, row).model_dump(),
        reference_fetched_at={s.kind: s.fetched_at for s in syncs or []},
    )


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


@router.post("/connect", response_model=ConnectStarted)
def start_connect(request: Request, workspace_id: WorkspaceId) -> ConnectStarted:
    """Start connecting: the answer's URL is Xero's consent page for this workspace."""
    svc = services(request)
    with transaction(svc.factory) as session:
        url = oauth.start_connect(session, workspace_id, svc.settings)
    return ConnectStarted(authorize_url=url)


def _finish(svc: Engine, state: str, code: str | None, error: str | None) -> list[ConnectionOut]:
    with transaction(svc.factory) as session:
        made = oauth.finish_connect(
            session, state, code, settings=svc.settings, error=error, transport=svc.transport
        )
        return [_out(session, row) for row in made]


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def _page(title: str, lines: list[str], status: int = 200) -> HTMLResponse:
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    html = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
        f"<body><h1>{escape(title)}</h1><ul>{items}</ul></body></html>"
    )
    return HTMLResponse(html, status_code=status)


@router.get("/callback", response_model=list[ConnectionOut])
def callback(
    request: Request,
    state: str = "",
    code: str | None = None,
    error: str | None = None,
) -> Response:
    """Where Xero sends the person back; HTML for a browser, JSON for anything else."""
    svc = services(request)
    with svc.factory() as session:
        back_to = oauth.back_to_page(session, state)
    try:
        made = _finish(svc, state, code, error)
    except LedgerlinkError as exc:
        if back_to is not None:
            return RedirectResponse(f"/?connect_error={exc.code}", status_code=303)
        if not _wants_html(request):
            raise
        return _page("Not connected", [exc.message, exc.fix], status=exc.http_status)
    if back_to is not None and made:
        # started from the dashboard: straight on to the new connection's settings
        return RedirectResponse(back_to.format(id=made[0].id), status_code=303)
    if _wants_html(request):
        names = [f"{c.tenant_name or c.tenant_id} is connected." for c in made]
        return _page("Connected to Xero", names)
    return JSONResponse([c.model_dump(mode="json") for c in made])


@router.post(
    "/custom",
    status_code=201,
    response_model=ConnectionOut,
    openapi_extra=_body_schema(CustomConnect),
)
async def connect_custom(request: Request, workspace_id: WorkspaceId) -> ConnectionOut:
    """Connect with a custom connection's client id and secret (one organisation)."""
    body = CustomConnect.model_validate(await read_object(request))
    svc = services(request)

    def run() -> ConnectionOut:
        with transaction(svc.factory) as session:
            row = oauth.connect_custom(
                session,
                workspace_id,
                body.client_id,
                body.client_secret,
                settings=svc.settings,
                transport=svc.transport,
            )
            return _out(session, row)

    return await run_in_threadpool(run)


@router.get("", response_model=list[ConnectionOut])
def list_connections(request: Request, workspace_id: WorkspaceId) -> list[ConnectionOut]:
    with services(request).factory() as session:
        return [_out(session, row) for row in conns.list_connections(session, workspace_id)]


def _syncs(request: Request, workspace_id: str, connection_id: str) -> ConnectionOut:
    with services(request).factory() as session:
        row = conns.get_connection(session, workspace_id, connection_id)
        query = select(ReferenceSync).where(ReferenceSync.connection_id == row.id)
        return _out(session, row, list(session.scalars(query)))


@router.get("/{connection_id}", response_model=ConnectionOut)
def get_connection(
    request: Request, workspace_id: WorkspaceId, connection_id: str
) -> ConnectionOut:
    return _syncs(request, workspace_id, connection_id)


@router.patch(
    "/{connection_id}/settings",
    response_model=ConnectionOut,
    openapi_extra=_body_schema(conns.ConnectionSettings),
)
async def patch_settings(
    request: Request, workspace_id: WorkspaceId, connection_id: str
) -> ConnectionOut:
    """Change some settings (default accounts and tax types, branches, the invoice number
    sequence, the active switch); others stay. What a change releases (the connection or a kind
    switched on, an option or account that fixes a hold) is sent at once."""
    changes = await read_object(request)
    svc = services(request)

    def run() -> bool:
        return directions.save_settings(svc.factory, workspace_id, connection_id, changes).active

    active = await run_in_threadpool(run)
    hook = getattr(request.app.state, "on_intake", None)
    if hook is not None and active and changes:
        hook()  # in ``ledgerlink serve`` the worker loop looks at once instead of polling
    return _syncs(request, workspace_id, connection_id)


@router.delete("/{connection_id}", response_model=ConnectionOut)
def delete_connection(
    request: Request, workspace_id: WorkspaceId, connection_id: str
) -> ConnectionOut:
    """Disconnect: Xero is told, the tokens are dropped, the documents and links are kept."""
    svc = services(request)
    oauth.disconnect(
        svc.factory, workspace_id, connection_id, settings=svc.settings, transport=svc.transport
    )
    return _syncs(request, workspace_id, connection_id)


class RefreshOut(BaseModel):
    counts: dict[str, int] = Field(description="Records Xero sent, by kind.")


@router.post("/{connection_id}/reference/refresh", response_model=RefreshOut)
def refresh(
    request: Request, workspace_id: WorkspaceId, connection_id: str, full: bool = False
) -> RefreshOut:
    """Synchronize: read accounts, tax rates, currencies, contacts... changed since last time
    (everything with ``full=true``); documents held for a currency are then judged again."""
    counts = services(request).synchronize(workspace_id, connection_id, full=full)
    return RefreshOut(counts=counts)


router.include_router(routes_budget.router)


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = Field(default=None, description="The kind of the documents given.")
    documents: list[dict[str, Any]] | None = Field(
        default=None,
        description="Documents to plan (validated, not stored); absent: the connection's queue.",
    )


@router.post("/{connection_id}/plan")
async def plan(request: Request, workspace_id: WorkspaceId, connection_id: str) -> JSONResponse:
    """Plan (dry run): for the queue, or for the documents given, what a sync would create,
    update, void or leave unchanged in Xero, what it would hold (with each error's code, field
    and fix) and which contacts it would create first. Nothing is written to Xero, and the
    queue does not change."""
    raw = (
        await read_object(request)
        if request.headers.get("content-length") not in (None, "0")
        else {}
    )
    body = PlanIn.model_validate(raw)
    svc = services(request)
    with svc.factory() as session:
        conns.get_connection(session, workspace_id, connection_id)
    if body.documents is not None:
        if body.kind is None:
            raise LedgerlinkError(
                "VALIDATION_FAILED", "kind: say which kind the documents are.", field="kind"
            )
        kinds.get(body.kind)
    report = await run_in_threadpool(
        svc.plan, workspace_id, connection_id, body.kind, body.documents
    )
    return JSONResponse(report.as_json())


router.include_router(routes_reconcile.router)
