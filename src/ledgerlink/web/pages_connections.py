"""Integrations and "Your connections": the Xero tile and Connect (the consent round trip comes
back to the new connection's settings), one tile per organisation with its status, today's
call budget, the active switch, Edit connection, Disconnect, Reconnect, Synchronize and the way
to its queue and jobs; the custom connection and "bring your own Xero app" forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from ledgerlink.errors import CATALOGUE, LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import QueueItem, ReferenceItem, ReferenceSync
from ledgerlink.store.workspaces import clear_workspace_app, get_workspace, set_workspace_app
from ledgerlink.sync import directions, oauth
from ledgerlink.sync.limits import tier_day_limit
from ledgerlink.sync.refresh import ring_for
from ledgerlink.web.guard import Editor, Person, Viewer, check_form, require_two_factor, services
from ledgerlink.web.render import go, page

router = APIRouter(include_in_schema=False)
EDIT_PAGE = "/connections/{id}/edit?said=connected"
STATUS_WORDS = {
    conns.ACTIVE: "Connected",
    conns.NEEDS_REAUTH: "Needs reconnect",
    conns.DISCONNECTED: "Disconnected",
}


@dataclass(frozen=True)
class Tile:
    id: str
    name: str
    organisation: str
    status: str
    status_word: str
    active: bool
    day_left: int | None
    day_limit: int | None
    synchronized_at: datetime | None
    held: int
    queued: int
    # The organisation's Xero plan and region ("STANDARD · HK"), once its Organisation is read.
    plan: str = ""


def _plans(session: Session, ids: list[str]) -> dict[str, str]:
    """Each connection's Xero plan and region from its cached Organisation (one query)."""
    query = select(ReferenceItem.connection_id, ReferenceItem.data).where(
        ReferenceItem.connection_id.in_(ids), ReferenceItem.kind == "organisation"
    )
    found: dict[str, str] = {}
    for cid, org in session.execute(query):
        words = [str(org.get(name) or "") for name in ("Class", "CountryCode")]
        found[cid] = " · ".join(w for w in words if w)
    return found


def _tiles(request: Request, workspace_id: str) -> list[Tile]:
    svc = services(request)
    with svc.factory() as session:
        rows = conns.list_connections(session, workspace_id)
        ids = [row.id for row in rows]
        synced: dict[str, datetime] = {}
        counts: dict[tuple[str, str], int] = {}
        plans: dict[str, str] = {}
        if ids:
            query = (
                select(ReferenceSync.connection_id, func.max(ReferenceSync.fetched_at))
                .where(ReferenceSync.connection_id.in_(ids))
                .group_by(ReferenceSync.connection_id)
            )
            synced = {cid: when for cid, when in session.execute(query)}
            counted = (
                select(QueueItem.connection_id, QueueItem.state, func.count())
                .where(QueueItem.connection_id.in_(ids))
                .group_by(QueueItem.connection_id, QueueItem.state)
            )
            counts = {(cid, state): int(n) for cid, state, n in session.execute(counted)}
            plans = _plans(session, ids)
        shown = [(row, conns.shown_settings(session, row)) for row in rows]
    budgets = {b.connection_id: b for b in svc.budgets_left(ids)} if ids else {}
    tiles = []
    for row, settings in shown:
        active = settings.active
        budget = budgets.get(row.id)
        status = row.status if active or row.status != conns.ACTIVE else "off"
        tiles.append(
            Tile(
                id=row.id,
                name=settings.name or row.tenant_name or row.tenant_id,
                organisation=row.tenant_name,
                status=status,
                status_word=STATUS_WORDS.get(status, "Switched off"),
                active=active,
                day_left=budget.day_left if budget else None,
                day_limit=budget.day_limit if budget else None,
                synchronized_at=synced.get(row.id),
                held=counts.get((row.id, "needs_attention"), 0) + counts.get((row.id, "failed"), 0),
                queued=counts.get((row.id, "queued"), 0) + counts.get((row.id, "in_flight"), 0),
                plan=plans.get(row.id, ""),
            )
        )
    return tiles


@router.get("/")
def home(request: Request, who: Viewer, connect_error: str = "") -> Response:
    error = None
    if connect_error in CATALOGUE:
        error = LedgerlinkError(connect_error, "Xero did not connect the organisation.", "connect")
    context: dict[str, Any] = {"tiles": _tiles(request, who.workspace_id), "error": error}
    with services(request).factory() as session:
        workspace = get_workspace(session, who.workspace_id)
        context["own_app"] = workspace.xero_client_id if workspace else None
    return page(request, "home.html", context)


def _start(request: Request, who: Person) -> Response:
    require_two_factor(who)
    svc = services(request)
    with transaction(svc.factory) as session:
        url = oauth.start_connect(session, who.workspace_id, svc.settings, return_to=EDIT_PAGE)
    return RedirectResponse(url, status_code=303)


@router.post("/connect")
async def connect(request: Request, who: Editor) -> Response:
    await check_form(request, who)
    return _start(request, who)


@router.post("/connections/{connection_id}/reconnect")
async def reconnect(request: Request, who: Editor, connection_id: str) -> Response:
    """A new consent: Xero's answer renews this organisation's tokens (and any others it
    covers)."""
    await check_form(request, who)
    with services(request).factory() as session:
        conns.get_connection(session, who.workspace_id, connection_id)
    return _start(request, who)


@router.post("/connections/{connection_id}/active")
async def switch(request: Request, who: Editor, connection_id: str) -> Response:
    form = await check_form(request, who)
    on = form.get("active") == "on"
    directions.save_settings(
        services(request).factory, who.workspace_id, connection_id, {"active": on}
    )
    hook = getattr(request.app.state, "on_intake", None)
    if hook is not None and on:
        hook()
    return go("/", "saved")


@router.post("/connections/{connection_id}/disconnect")
async def disconnect(request: Request, who: Editor, connection_id: str) -> Response:
    await check_form(request, who)
    svc = services(request)
    await run_in_threadpool(
        oauth.disconnect,
        svc.factory,
        who.workspace_id,
        connection_id,
        settings=svc.settings,
        transport=svc.transport,
    )
    return go("/", "disconnected")


@router.post("/connections/{connection_id}/synchronize")
async def synchronize(request: Request, who: Editor, connection_id: str) -> Response:
    """Read Xero's accounts, tax rates, currencies, contacts... changed since the last time."""
    await check_form(request, who)
    svc = services(request)

    await run_in_threadpool(svc.synchronize, who.workspace_id, connection_id)
    return go(_back(request), "synchronized")


def _back(request: Request) -> str:
    """Back where the form was (the tile or the settings page), never off-site."""
    referer = request.headers.get("referer", "")
    base = str(request.base_url).rstrip("/")
    if referer.startswith(base + "/"):
        path = referer[len(base) :].split("?")[0]
        return path
    return "/"


@router.get("/connect/custom")
def custom_page(request: Request, who: Editor) -> Response:
    return page(request, "connect_custom.html", {"values": {}})


@router.post("/connect/custom")
async def connect_custom(request: Request, who: Editor) -> Response:
    form = await check_form(request, who)
    values = {k: str(form.get(k) or "") for k in ("client_id",)}
    svc = services(request)
    try:
        require_two_factor(who)
        secret = str(form.get("client_secret") or "")
        for name, value in (("client_id", values["client_id"]), ("client_secret", secret)):
            if not value.strip():
                raise LedgerlinkError(
                    "VALIDATION_FAILED", f"{name}: copy it from the custom connection.", name
                )

        def run() -> str:
            with transaction(svc.factory) as session:
                row = oauth.connect_custom(
                    session,
                    who.workspace_id,
                    values["client_id"].strip(),
                    secret.strip(),
                    settings=svc.settings,
                    transport=svc.transport,
                )
                return row.id

        made = await run_in_threadpool(run)
    except LedgerlinkError as exc:
        context = {"values": values, "error": exc}
        return page(request, "connect_custom.html", context, status=exc.http_status)
    return go(EDIT_PAGE.format(id=made).split("?")[0], "connected")


@router.get("/xero-app")
def own_app_page(request: Request, who: Viewer) -> Response:
    with services(request).factory() as session:
        workspace = get_workspace(session, who.workspace_id)
        assert workspace is not None
        values = {
            "client_id": workspace.xero_client_id or "",
            "tier": workspace.xero_app_tier or "",
        }
        has_secret = workspace.xero_client_secret_enc is not None
    context = {
        "values": values,
        "has_secret": has_secret,
        "webhook_path": f"/api/v1/xero/webhooks/{who.workspace_id}",
    }
    return page(request, "xero_app.html", context)


@router.post("/xero-app")
async def save_own_app(request: Request, who: Editor) -> Response:
    form = await check_form(request, who)
    values = {k: str(form.get(k) or "").strip() for k in ("client_id", "tier")}
    svc = services(request)
    try:
        require_two_factor(who)
        if form.get("action") == "remove":
            with transaction(svc.factory) as session:
                clear_workspace_app(session, who.workspace_id)
            return go("/xero-app", "saved")
        if values["tier"]:
            try:
                tier_day_limit(values["tier"])
            except ValueError as exc:
                raise LedgerlinkError("VALIDATION_FAILED", f"{exc}.", "tier") from exc
        secret = str(form.get("client_secret") or "").strip() or None
        webhook_key = str(form.get("webhook_key") or "").strip() or None
        with transaction(svc.factory) as session:
            set_workspace_app(
                session,
                ring_for(svc.settings),
                who.workspace_id,
                values["client_id"],
                secret,
                values["tier"] or None,
                webhook_key,
            )
    except LedgerlinkError as exc:
        context = {
            "values": values,
            "error": exc,
            "has_secret": False,
            "webhook_path": f"/api/v1/xero/webhooks/{who.workspace_id}",
        }
        return page(request, "xero_app.html", context, status=exc.http_status)
    return go("/xero-app", "saved")
