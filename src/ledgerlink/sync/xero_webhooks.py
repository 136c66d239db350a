"""Xero's webhooks in: verify the signature, store each event once, queue what it points at.

Xero signs each delivery with the app's webhook key (``x-xero-signature``: base64 of
HMAC-SHA256 over the raw body) and wants an answer within five seconds: 200 with an empty body
when the signature is right, 401 when it is not (its Intent to Receive check sends both kinds).
So the receiver verifies in constant time, stores the delivery's events in one transaction and
answers; reading the resources is the worker's (``sync.pulls``), never the request's.

Events are thin pointers ("invoice X of tenant T changed at D"), repeated when Xero retries a
delivery and possibly out of order. Each is stored once (a key over its fields), and one that
points at something ledgerlink sent queues a pull of it on each connection to that tenant;
anything else is recorded as ignored. A repeat queues nothing new: the pull already waiting
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
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledgerlink import kinds
from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.members import one_of
from ledgerlink.store.models import Connection, Document, Link, Workspace
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.twoway import XeroEvent
from ledgerlink.store.workspaces import workspace_webhook_key
from ledgerlink.sync.pulls import queue_pulls

# A pull waits this long after its event, so the events of a burst (Xero sends a delivery per
# change, a second or so apart) are read together, many ids a call, instead of one call each.
GATHER = timedelta(seconds=1)
SERVICE_RECEIVER = ""
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
    """What one delivery did: events stored (new), repeats, and pulls queued."""

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
    """Store a verified delivery's events and queue the pulls they ask for, in the caller's
    transaction (committed before the delivery is answered)."""
    done = Received(events=len(events))
    if not events:
        return done
    targets = _targets(session, receiver, events)
    rows: dict[str, dict[str, Any]] = {}
    for event in events:
        key = dedupe_key(receiver, event)
        tenant, resource = _text(event, "tenantId", 36).lower(), _text(event, "resourceId", 36)
        hits = targets.get((tenant, resource.lower(), _text(event, "eventCategory", 30)), [])
        rows.setdefault(
            key,
            {
                "receiver": receiver,
                "dedupe_key": key,
                "tenant_id": tenant,
                "category": _text(event, "eventCategory", 30),
                "event_type": _text(event, "eventType", 30),
                "resource_id": resource.lower(),
                "event_date": _text(event, "eventDateUtc", 40),
                "state": "queued" if hits else "ignored",
                "received_at": now,
            },
        )
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(XeroEvent)
        .on_conflict_do_nothing(index_elements=[XeroEvent.dedupe_key])
        .returning(XeroEvent.dedupe_key)
    )
    new = set(session.scalars(statement, list(rows.values()))) if rows else set()
    done.stored = len(new)
    done.repeated = len(events) - len(new)
    pulls = []
    for key in new:
        row = rows[key]
        hits = targets.get((row["tenant_id"], row["resource_id"], row["category"]), [])
        if not hits:
            done.ignored += 1
        for connection, document, kind in hits:
            pulls.append((connection, row["resource_id"], document, kind))
            done.kinds_seen[kind] = done.kinds_seen.get(kind, 0) + 1
    done.pulls = queue_pulls(session, pulls, "webhook", now + GATHER)
    return done


def _targets(
    session: Session, receiver: str, events: Sequence[dict[str, Any]]
) -> dict[tuple[str, str, str], list[tuple[str, str, str]]]:
    """(tenant, resource id, category) -> the (connection, document, kind) links it points at,
    on the receiver's connections: a workspace's own app serves that workspace, ledgerlink's
    app every workspace without one of its own."""
    by_category = _kinds_by_category()
    resource_ids = sorted({_text(e, "resourceId", 36).lower() for e in events} - {""})
    if not resource_ids:
        return {}
    query = (
        select(
            Connection.tenant_id, Link.xero_id, Link.connection_id, Link.document_id, Document.kind
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
    for tenant, xero_id, connection, document, kind in session.execute(query):
        for category, names in by_category.items():
            if kind in names:
                key = (str(tenant).lower(), str(xero_id).lower(), category)
                found.setdefault(key, []).append((connection, document, kind))
    return found
