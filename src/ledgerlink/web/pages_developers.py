"""Developers: what the source app's developers need. API keys (create with a name, revoke,
rotate; a key's plaintext is shown once, on the page that answers the form), notification
endpoints (the whsec_ signing secret shown once) with each one's delivery log and "send again",
the events feed and the API docs.

The same store and sync functions as the REST routes (``api.routes_api_keys``,
``api.routes_events``), scoped to the person's workspace.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.db import transaction
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.workspaces import (
    create_api_key,
    list_api_keys,
    revoke_api_key,
    rotate_api_key,
)
from ledgerlink.sync import endpoints
from ledgerlink.sync.events import TYPES
from ledgerlink.web.guard import Editor, Person, Viewer, check_form, services
from ledgerlink.web.render import go, page

router = APIRouter(include_in_schema=False)
FEED = "/api/v1/events"
DOCS = "/api/v1/docs"
LOG_LENGTH = 100
MAX_EVENT_ID = 2**31 - 1  # event ids are 32-bit integers in the database


def _developers_page(
    request: Request, who: Person, *, error: LedgerlinkError | None = None, **extra: Any
) -> Response:
    with services(request).factory() as session:
        keys = list_api_keys(session, who.workspace_id)
        hooks = endpoints.listed(session, who.workspace_id)
    context = {
        "keys": keys,
        "endpoints": hooks,
        "types": TYPES,
        "feed": FEED,
        "docs": DOCS,
        "error": error,
        "values": {},
    } | extra
    return page(request, "developers.html", context, status=error.http_status if error else 200)


def _shown_once(request: Request, heading: str, what: str, secret: str, note: str) -> Response:
    context = {"heading": heading, "what": what, "secret": secret, "note": note}
    return page(request, "shown_once.html", context)


@router.get("/developers")
def developers(request: Request, who: Viewer) -> Response:
    return _developers_page(request, who)


@router.post("/developers/api-keys")
async def create_key(request: Request, who: Editor) -> Response:
    form = await check_form(request, who)
    name = form.get("name")
    name = name if isinstance(name, str) else ""
    try:
        with transaction(services(request).factory) as session:
            row, plaintext = create_api_key(session, who.workspace_id, name)
            made = row.name
    except LedgerlinkError as exc:
        return _developers_page(request, who, error=exc, values={"name": name})
    note = "Use it as 'Authorization: Bearer <key>'. Only its hash is kept: store it now."
    return _shown_once(request, "API key created", f"The API key {made}", plaintext, note)


@router.post("/developers/api-keys/{key_id}/revoke")
async def revoke_key(request: Request, who: Editor, key_id: str) -> Response:
    await check_form(request, who)
    with transaction(services(request).factory) as session:
        revoke_api_key(session, who.workspace_id, key_id)
    return go("/developers", "key_revoked")


@router.post("/developers/api-keys/{key_id}/rotate")
async def rotate_key(request: Request, who: Editor, key_id: str) -> Response:
    await check_form(request, who)
    with transaction(services(request).factory) as session:
        row, plaintext = rotate_api_key(session, who.workspace_id, key_id)
        made = row.name
    note = (
        "The old key is revoked: requests with it are refused from now on. Put this one in its "
        "place; only its hash is kept."
    )
    return _shown_once(request, "API key rotated", f"The new API key {made}", plaintext, note)


@router.post("/developers/endpoints")
async def create_endpoint(request: Request, who: Editor) -> Response:
    form = await check_form(request, who)
    url = form.get("url")
    url = url if isinstance(url, str) else ""
    chosen = [str(t) for t in form.getlist("types")]
    svc = services(request)
    try:
        with transaction(svc.factory) as session:
            made = endpoints.add(
                session, KeyRing.from_settings(svc.settings), who.workspace_id, url, chosen
            )
            shown_url = made.endpoint.url
    except LedgerlinkError as exc:
        if exc.field and exc.field.startswith("types"):
            exc = LedgerlinkError(exc.code, exc.message, "types")
        values = {"url": url, "types": chosen}
        return _developers_page(request, who, error=exc, values=values)
    note = (
        "Verify each notification's signature with it, as Standard Webhooks describes. It is "
        "kept sealed and never shown again."
    )
    return _shown_once(
        request, "Endpoint added", f"The signing secret for {shown_url}", made.secret, note
    )


@router.post("/developers/endpoints/{endpoint_id}/active")
async def switch_endpoint(request: Request, who: Editor, endpoint_id: str) -> Response:
    """Pause an endpoint where it stands, or switch it on (it is sent what it missed)."""
    form = await check_form(request, who)
    with transaction(services(request).factory) as session:
        endpoints.change(
            session,
            who.workspace_id,
            endpoint_id,
            datetime.now(UTC),
            active=form.get("active") == "on",
        )
    return go("/developers", "saved")


@router.post("/developers/endpoints/{endpoint_id}/delete")
async def delete_endpoint(request: Request, who: Editor, endpoint_id: str) -> Response:
    await check_form(request, who)
    with transaction(services(request).factory) as session:
        endpoints.remove(session, who.workspace_id, endpoint_id)
    return go("/developers", "removed")


@router.get("/developers/endpoints/{endpoint_id}")
def delivery_log(request: Request, who: Viewer, endpoint_id: str) -> Response:
    with services(request).factory() as session:
        hook = endpoints.get(session, who.workspace_id, endpoint_id)
        rows = endpoints.deliveries(session, who.workspace_id, endpoint_id, limit=LOG_LENGTH)
    context = {"endpoint": hook, "deliveries": rows, "limit": LOG_LENGTH}
    return page(request, "endpoint_log.html", context)


@router.post("/developers/endpoints/{endpoint_id}/events/{event_id}/send-again")
async def send_again(
    request: Request, who: Editor, endpoint_id: str, event_id: int = Path(ge=1, le=MAX_EVENT_ID)
) -> Response:
    """Send one event to the endpoint now; the attempt joins the log."""
    await check_form(request, who)
    svc = services(request)
    await run_in_threadpool(svc.send_again, who.workspace_id, endpoint_id, event_id)
    return go(f"/developers/endpoints/{endpoint_id}", "sent_again")
