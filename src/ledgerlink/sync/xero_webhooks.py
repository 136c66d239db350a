"""Xero's webhooks in: verify the signature, store each event once, queue what it points at.

Xero signs each delivery with the app's webhook key (``x-xero-signature``: base64 of
HMAC-SHA256 over the raw body) and wants an answer within five seconds: 200 with an empty body
when the signature is right, 401 when it is not (its Intent to Receive check sends both kinds).
So the receiver verifies in constant time, stores the delivery's events in one statement and
answers; the rest is the worker's: before it looks for work it routes new events into pulls
(``route``), and it reads them (``sync.pulls``), never the request.

Events are thin pointers ("invoice X of tenant T changed at D"), repeated when Xero retries a
delivery and possibly out of order. Each is stored once (a key over its fields); routed, one
that points at something ledgerlink sent queues a pull of it on each connection to that tenant,
and anything else is marked ignored. A repeat queues nothing new: the pull already waiting
reads the newest state.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink import kinds
from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.connection_settings import kinds_not_read
from ledgerlink.store.db import transaction
from ledgerlink.store.members import one_of
from ledgerlink.store.models import Connection, Document, Link, Workspace
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.twoway import XeroEvent
from ledgerlink.store.workspaces import workspace_webhook_key
from ledgerlink.sync.pulls import PullRow, queue_pulls

# A pull waits this long after its event, so the events of a burst (Xero sends a delivery per
# change, a second or so apart) are read together, many ids a call, instead of one call each.
GATHER = timedelta(seconds=1)
SERVICE_RECEIVER = ""
NEW, QUEUED, IGNORED = "new", "queued", "ignored"  # an event's states
ROUTE_BATCH = 1000
"""The receiver of ledgerlink's own Xero app (``POST /api/v1/xero/webhooks``)."""


def signature_ok(body: bytes, signature: str | None, key: str | None) -> bool:
    """Xero's ``x-xero-signature`` over these exact bytes, compared in constant time; no key
    (none configured) verifies nothing."""
    if not key or not signature:
        return False
    expected = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode())


def webhook_key(session: Session, settings: Settings, ring: KeyRing, receiver: str) -> str | None:
    """The key a receiver verifies with: the service app's setting, or a workspace app's."""
    if receiver == SERVICE_RECEIVER:
        return settings.xero_webhook_key or None
    return workspace_webhook_key(session, ring, receiver)


@dataclass
class Received:
    """What a delivery did (events, stored new, repeated), or what routing did (events
    routed, ignored, pulls queued)."""

    events: int = 0
    stored: int = 0
    repeated: int = 0
    ignored: int = 0
    pulls: int = 0
    kinds_seen: dict[str, int] = field(default_factory=dict)


class BadDelivery(LedgerlinkError):
    """A correctly signed body that is not a Xero delivery (answered 400, nothing stored)."""

    def __init__(self, message: str) -> None:
        super().__init__("WEBHOOK_MALFORMED", message, "body")


def parse(body: bytes) -> list[dict[str, Any]]:
    """The events of a delivery (none for an Intent to Receive)."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise BadDelivery(f"the body is not JSON: {exc}") from exc
    found = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(found, list) or not all(isinstance(e, dict) for e in found):
        raise BadDelivery("the body has no list of events")
    return found


def _text(event: dict[str, Any], name: str, limit: int) -> str:
    value = event.get(name)
    return str(value)[:limit] if value is not None else ""


def dedupe_key(receiver: str, event: dict[str, Any]) -> str:
    parts = [receiver] + [
        _text(event, name, 100)
        for name in ("tenantId", "eventCategory", "eventType", "resourceId", "eventDateUtc")
    ]
    return hashlib.sha256("\x1f".join(parts).lower().encode()).hexdigest()


def _kinds_by_category() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for kind in kinds.all_kinds():
        if kind.webhook_category:
            found.setdefault(kind.webhook_category, []).append(kind.name)
    return found


def store(
    session: Session, receiver: str, events: Sequence[dict[str, Any]], now: datetime
) -> Received:
    """Store a verified delivery's events, each once, in the caller's transaction (committed
    before the delivery is answered); ``route`` turns them into pulls afterwards."""
    done = Received(events=len(events))
    rows: dict[str, dict[str, Any]] = {}
    for event in events:
        key = dedupe_key(receiver, event)
        rows.setdefault(
            key,
            {
                "receiver": receiver,
                "dedupe_key": key,
                "tenant_id": _text(event, "tenantId", 36).lower(),
                "category": _text(event, "eventCategory", 30),
                "event_type": _text(event, "eventType", 30),
                "resource_id": _text(event, "resourceId", 36).lower(),
                "event_date": _text(event, "eventDateUtc", 40),
                "state": NEW,
                "received_at": now,
            },
        )
    if not rows:
        return done
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, XeroEvent.__table__)  # the table: the ORM's bulk insert costs more
    statement = insert(table).on_conflict_do_nothing(index_elements=[table.c.dedupe_key])
    new = list(session.scalars(statement.returning(table.c.dedupe_key), list(rows.values())))
    done.stored = len(new)
    done.repeated = len(events) - len(new)
    return done


def route(factory: sessionmaker[Session], now: datetime, limit: int = ROUTE_BATCH) -> Received:
    """Turn stored events into pulls (what a worker does before it looks for work): each one
    that points at something ledgerlink sent queues a pull of it on each connection of the
    receiver's to that organisation; any other is marked ignored. Safe to run anywhere, again
    and concurrently: a pull already waiting is not queued twice."""
    done = Received()
    with transaction(factory) as session:
        query = (
            select(
                XeroEvent.id,
                XeroEvent.receiver,
                XeroEvent.tenant_id,
                XeroEvent.category,
                XeroEvent.resource_id,
            )
            .where(XeroEvent.state == NEW)
            .order_by(XeroEvent.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        found = list(session.execute(query))
        if not found:
            return done
        done.events = len(found)
        queued: list[int] = []
        pulls: list[PullRow] = []
        for receiver in {row.receiver for row in found}:
            mine = [row for row in found if row.receiver == receiver]
            targets = _targets(session, receiver, [row.resource_id for row in mine])
            for row in mine:
                hits = targets.get((row.tenant_id, row.resource_id, row.category), [])
                if hits:
                    queued.append(row.id)
                for connection, document, kind in hits:
                    pulls.append((connection, row.resource_id, document, kind))
                    done.kinds_seen[kind] = done.kinds_seen.get(kind, 0) + 1
        routed = set(queued)
        ignored = [row.id for row in found if row.id not in routed]
        for state, ids in ((QUEUED, queued), (IGNORED, ignored)):
            if ids:
                session.execute(
                    update(XeroEvent).where(XeroEvent.id.in_(ids)).values({"state": state})
                )
        done.ignored = len(ignored)
        done.pulls = queue_pulls(session, pulls, "webhook", now + GATHER)
    return done


def _targets(
    session: Session, receiver: str, resource_ids: Sequence[str]
) -> dict[tuple[str, str, str], list[tuple[str, str, str]]]:
    """(tenant, resource id, category) -> the (connection, document, kind) links it points at,
    on the receiver's connections: a workspace's own app serves that workspace, ledgerlink's
    app every workspace without one of its own."""
    by_category = _kinds_by_category()
    resource_ids = sorted(set(resource_ids) - {""})
    if not resource_ids:
        return {}
    query = (
        select(
            Connection.tenant_id,
            Link.xero_id,
            Link.connection_id,
            Link.document_id,
            Document.kind,
            Connection.settings,
        )
        .join(Connection, Connection.id == Link.connection_id)
        .join(Document, Document.id == Link.document_id)
        .where(one_of(Link.xero_id, resource_ids))
    )
    if receiver == SERVICE_RECEIVER:
        query = query.join(Workspace, Workspace.id == Connection.workspace_id).where(
            Workspace.xero_client_id.is_(None)
        )
    else:
        query = query.where(Connection.workspace_id == receiver)
    found: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    for tenant, xero_id, connection, document, kind, settings in session.execute(query):
        if kind in kinds_not_read(settings or {}):
            continue  # the connection does not read this kind back: the event is ignored
        for category, names in by_category.items():
            if kind in names:
                key = (str(tenant).lower(), str(xero_id).lower(), category)
                found.setdefault(key, []).append((connection, document, kind))
    return found
