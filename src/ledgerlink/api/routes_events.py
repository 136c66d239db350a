"""What the source app hears of: endpoints it is notified at (signed, Standard Webhooks), the
log of every attempt, "send again", and the events feed for apps that would rather poll.

The signing secret is in the answer to the POST that makes an endpoint and nowhere else: it is
kept sealed, and a leaked API key alone must not let anyone forge notifications.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.body import read_object
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services
from ledgerlink.store.db import json_dumps, transaction
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.twoway import Delivery, Endpoint
from ledgerlink.sync import endpoints, events
from ledgerlink.sync.events import TYPES

router = APIRouter(tags=["events"], responses=ERROR_RESPONSES)
MAX_ID = 2**31 - 1  # event ids are 32-bit integers in the database
TYPES_TEXT = "Event types: " + ", ".join(TYPES) + "."


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(description="Where events are POSTed: an http:// or https:// URL.")
    types: list[str] = Field(
        default_factory=list, description=f"Only these types; empty: every type. {TYPES_TEXT}"
    )


class EndpointChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool | None = Field(
        default=None,
        description="false pauses it; true sends what it missed, in order, starting now.",
    )
    url: str | None = None
    types: list[str] | None = None


class EndpointOut(BaseModel):
    id: str
    url: str
    types: list[str] = Field(description="Empty: every type.")
    active: bool
    delivered_through: int = Field(
        description="The last event delivered or given up; later ones are on their way."
    )
    failures: int = Field(description="Failed attempts at the event after delivered_through.")
    next_attempt: datetime
    created_at: datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(
        description="The signing secret (whsec_...), shown once: store it now. Verify each "
        "notification with it as Standard Webhooks describes."
    )


class DeliveryOut(BaseModel):
    id: int
    event_id: int
    at: datetime
    status: int | None = Field(description="The receiver's HTTP status; null: no answer.")
    ok: bool
    error: str | None
    note: str | None = Field(description="given_up: the last try; again: a send-again.")


class EventOut(BaseModel):
    id: int = Field(description="The cursor: ask for events after it.")
    type: str
    timestamp: datetime
    data: dict[str, Any] = Field(
        description="What happened, with event_id, workspace_id, connection_id, document_id."
    )


class FeedOut(BaseModel):
    events: list[EventOut]
    next_cursor: int = Field(description="Pass as after= to read on from here.")


def _out(endpoint: Endpoint) -> EndpointOut:
    return EndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        types=list(endpoint.types),
        active=endpoint.active,
        delivered_through=endpoint.delivered_through,
        failures=endpoint.failures,
        next_attempt=endpoint.next_attempt,
        created_at=endpoint.created_at,
    )


def _delivery_out(row: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=row.id,
        event_id=row.event_id,
        at=row.at,
        status=row.status,
        ok=row.ok,
        error=row.error,
        note=row.note,
    )


def _body(model: type[BaseModel]) -> dict[str, Any]:
    schema = {"application/json": {"schema": model.model_json_schema()}}
    return {"requestBody": {"required": True, "content": schema}}


@router.post(
    "/endpoints",
    status_code=201,
    response_model=EndpointCreated,
    openapi_extra=_body(EndpointIn),
)
async def post_endpoint(request: Request, workspace_id: WorkspaceId) -> EndpointCreated:
    """Notify a URL of the workspace's events from now on; the secret is shown only here."""
    body = EndpointIn.model_validate(await read_object(request))
    svc = services(request)
    with transaction(svc.factory) as session:
        ring = KeyRing.from_settings(svc.settings)
        made = endpoints.add(session, ring, workspace_id, body.url, body.types)
        return EndpointCreated(**_out(made.endpoint).model_dump(), secret=made.secret)


@router.get("/endpoints", response_model=list[EndpointOut])
def list_endpoints(request: Request, workspace_id: WorkspaceId) -> list[EndpointOut]:
    with services(request).factory() as session:
        return [_out(row) for row in endpoints.listed(session, workspace_id)]


@router.get("/endpoints/{endpoint_id}", response_model=EndpointOut)
def get_endpoint(request: Request, workspace_id: WorkspaceId, endpoint_id: str) -> EndpointOut:
    with services(request).factory() as session:
        return _out(endpoints.get(session, workspace_id, endpoint_id))


@router.patch(
    "/endpoints/{endpoint_id}", response_model=EndpointOut, openapi_extra=_body(EndpointChange)
)
async def patch_endpoint(
    request: Request, workspace_id: WorkspaceId, endpoint_id: str
) -> EndpointOut:
    """Switch an endpoint off or on, or change its URL or types (the secret stays)."""
    body = EndpointChange.model_validate(await read_object(request))
    with transaction(services(request).factory) as session:
        row = endpoints.change(
            session,
            workspace_id,
            endpoint_id,
            datetime.now(UTC),
            url=body.url,
            types=body.types,
            active=body.active,
        )
        return _out(row)


@router.delete("/endpoints/{endpoint_id}", status_code=204)
def delete_endpoint(request: Request, workspace_id: WorkspaceId, endpoint_id: str) -> Response:
    """Stop notifying it; its delivery log goes with it (the events stay in the feed)."""
    with transaction(services(request).factory) as session:
        endpoints.remove(session, workspace_id, endpoint_id)
    return Response(status_code=204)


@router.get("/endpoints/{endpoint_id}/deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    request: Request,
    workspace_id: WorkspaceId,
    endpoint_id: str,
    limit: int = Query(100, ge=1, le=1000, description="Attempts, newest first, 1 to 1,000."),
    event_id: int | None = Query(
        None, ge=1, le=MAX_ID, description="Only the attempts at this event."
    ),
) -> list[DeliveryOut]:
    with services(request).factory() as session:
        rows = endpoints.deliveries(
            session, workspace_id, endpoint_id, limit=limit, event_id=event_id
        )
        return [_delivery_out(row) for row in rows]


@router.post("/endpoints/{endpoint_id}/events/{event_id}/send-again", response_model=DeliveryOut)
def send_again(
    request: Request,
    workspace_id: WorkspaceId,
    endpoint_id: str,
    event_id: int = Path(ge=1, le=MAX_ID),
) -> DeliveryOut:
    """Send one event to the endpoint now, delivered or given up before; the answer is the
    attempt. The endpoint's place in its events does not move."""
    return _delivery_out(services(request).send_again(workspace_id, endpoint_id, event_id))


@router.get("/events", response_model=FeedOut)
def feed(
    request: Request,
    workspace_id: WorkspaceId,
    after: int = Query(0, ge=0, le=MAX_ID, description="The cursor: events with a higher id."),
    limit: int = Query(100, ge=1, le=1000, description="Events per page, 1 to 1,000."),
    type: str | None = Query(None, description=f"Only this type. {TYPES_TEXT}"),
) -> Response:
    """The workspace's events after the cursor, oldest first: the same events (and data) the
    endpoints are sent, for an app that polls."""
    rows = services(request).events(workspace_id, after=after, limit=limit, type_=type or None)
    page = [{"id": row.id, **events.payload(row)} for row in rows]
    cursor = rows[-1].id if rows else after
    # Encoded here, not by FastAPI, so amounts in the data stay exact JSON numbers.
    return Response(
        json_dumps({"events": page, "next_cursor": cursor}), media_type="application/json"
    )
