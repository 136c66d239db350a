"""A workspace's notification endpoints: the URLs of the source app that are sent its events.

The signing secret is made here, shown once, and kept only sealed (``secret_enc``): a copy of
the database alone cannot forge a notification. A new endpoint hears of what happens from now
on; what happened before is in the feed. Switching one off pauses it where it stands, and
switching it on sends what it missed, in order, from its first undelivered event.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.models import new_id
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.twoway import Delivery, Endpoint, Event
from ledgerlink.sync.events import TYPES

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # Standard Webhooks asks for 24 to 64
MAX_URL = 2000
NO_WAIT = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class NewEndpoint:
    """An endpoint just made, with the one copy of its secret the source app will ever see."""

    endpoint: Endpoint
    secret: str


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(os.urandom(SECRET_BYTES)).decode()


def check_url(url: str) -> str:
    url = url.strip()
    problem = None
    if not url or len(url) > MAX_URL:
        problem = f"url must be 1 to {MAX_URL} characters long"
    elif any(c.isspace() for c in url):
        problem = "url must not contain spaces"
    else:
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            parts, host = None, None
        if parts is None or parts.scheme not in ("http", "https"):
            problem = f"url must start with http:// or https:// (got {url[:60]!r})"
        elif not host:
            problem = f"url names no host (got {url[:60]!r})"
    if problem:
        raise LedgerlinkError("ENDPOINT_URL_INVALID", f"{problem}.", field="url")
    return url


def check_type(name: str, field: str) -> str:
    if name not in TYPES:
        raise LedgerlinkError(
            "EVENT_TYPE_UNKNOWN",
            f"{field}: {name!r} is not an event type; the types are {', '.join(TYPES)}.",
            field=field,
        )
    return name


def check_types(types: Iterable[str]) -> list[str]:
    """The types asked for, each once, in the order given; empty means every type."""
    chosen: list[str] = []
    for index, name in enumerate(types):
        if check_type(name, f"types[{index}]") not in chosen:
            chosen.append(name)
    return chosen


def _newest_event(session: Session, workspace_id: str) -> int:
    found = session.scalar(select(func.max(Event.id)).where(Event.workspace_id == workspace_id))
    return int(found or 0)


def add(
    session: Session,
    ring: KeyRing,
    workspace_id: str,
    url: str,
    types: Iterable[str] = (),
    now: datetime | None = None,
) -> NewEndpoint:
    endpoint = Endpoint(
        id=new_id(),
        workspace_id=workspace_id,
        url=check_url(url),
        types=check_types(types),
        active=True,
        delivered_through=_newest_event(session, workspace_id),
        failures=0,
        # No back-off to wait out: due as soon as an event comes, whatever clock judges it.
        next_attempt=NO_WAIT,
    )
    if now is not None:
        endpoint.created_at = now
    secret = new_secret()
    ring.seal_field(endpoint, "secret_enc", secret)
    session.add(endpoint)
    session.flush()
    return NewEndpoint(endpoint, secret)


def get(session: Session, workspace_id: str, endpoint_id: str) -> Endpoint:
    """Another workspace's endpoint is not found, exactly like one that never existed."""
    endpoint = session.get(Endpoint, endpoint_id)
    if endpoint is None or endpoint.workspace_id != workspace_id:
        raise LedgerlinkError("NOT_FOUND", f"No endpoint {endpoint_id}.", field="endpoint_id")
    return endpoint


def listed(session: Session, workspace_id: str) -> list[Endpoint]:
    query = select(Endpoint).where(Endpoint.workspace_id == workspace_id)
    return list(session.scalars(query.order_by(Endpoint.created_at, Endpoint.id)))


def remove(session: Session, workspace_id: str, endpoint_id: str) -> None:
    session.delete(get(session, workspace_id, endpoint_id))
    session.flush()


def change(
    session: Session,
    workspace_id: str,
    endpoint_id: str,
    now: datetime,
    *,
    url: str | None = None,
    types: Iterable[str] | None = None,
    active: bool | None = None,
) -> Endpoint:
    """Switching an endpoint on tries it at once: a person just fixed whatever it was."""
    endpoint = get(session, workspace_id, endpoint_id)
    if url is not None:
        endpoint.url = check_url(url)
    if types is not None:
        endpoint.types = check_types(types)
    if active is not None:
        if active and not endpoint.active:
            endpoint.failures = 0
            endpoint.next_attempt = now
        endpoint.active = active
    session.flush()
    return endpoint


def secret(ring: KeyRing, endpoint: Endpoint) -> str:
    found = ring.open_field(endpoint, "secret_enc")
    assert found is not None  # the column is NOT NULL
    return found


def event_of(session: Session, workspace_id: str, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None or event.workspace_id != workspace_id:
        raise LedgerlinkError("NOT_FOUND", f"No event {event_id}.", field="event_id")
    return event


def deliveries(
    session: Session,
    workspace_id: str,
    endpoint_id: str,
    *,
    limit: int = 100,
    event_id: int | None = None,
) -> list[Delivery]:
    """The endpoint's delivery log, newest attempt first."""
    get(session, workspace_id, endpoint_id)
    query = select(Delivery).where(Delivery.endpoint_id == endpoint_id)
    if event_id is not None:
        query = query.where(Delivery.event_id == event_id)
    return list(session.scalars(query.order_by(Delivery.id.desc()).limit(limit)))
