"""What syncs in which direction, per document kind and connection: ``not_sent`` kinds are
held before any call (KIND_NOT_SENT) and released when switched back on (by the change itself,
and again at the start of each run of the connection: a claim that read the settings just
before the change may hold one after it); ``not_read`` kinds
are left out of what is read back from Xero in the background (polls, webhook pulls, payments
made in Xero). A person's "Refresh from Xero", and the read before an update (which protects
what Xero holds), still read them.

Every change of a connection's settings goes through ``save_settings`` (REST, dashboard,
library), so the kind names are checked against the registry and held documents released in
one place (also those a switch turned on fixes: ``RELEASED_BY``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.connection_settings import ConnectionSettings
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection, Document, QueueItem
from ledgerlink.sync import currencies, lifecycle

NOT_SENT = "KIND_NOT_SENT"
FIELDS = ("not_sent", "not_read")
# A switch turned on that fixes what held these documents: they go back to the queue then.
RELEASED_BY = {
    "create_nonexistent_products": "PRODUCT_NOT_IN_XERO",
    "tracked_inventory_asset_account": "TRACKED_ITEM_ACCOUNT_MISSING",
    "tracked_cogs_account": "TRACKED_ITEM_ACCOUNT_MISSING",
}


def not_sent_now(session: Session, connection_id: str) -> set[str]:
    """The kinds the connection does not send, as stored now (a run's own copy of the settings
    is as old as the run)."""
    stored = session.scalar(select(Connection.settings).where(Connection.id == connection_id))
    return set((stored or {}).get("not_sent") or ())


def hold_if_not_sent(not_sent: set[str], kind: kinds.DocumentKind) -> lifecycle.Outcome | None:
    """The hold for a document whose kind this connection does not send, else None."""
    if kind.name not in not_sent:
        return None
    return lifecycle.hold(
        LedgerlinkError(
            NOT_SENT,
            f"Sending {kind.noun}s to this organisation is switched off (settings.not_sent).",
            "settings.not_sent",
        )
    )


def _checked(changes: dict[str, Any]) -> dict[str, Any]:
    """The kind lists named by the registry, each once, in its order."""
    known = kinds.names()
    for field in FIELDS:
        if field not in changes:
            continue
        given = changes[field]
        if not isinstance(given, list) or not all(isinstance(n, str) for n in given):
            raise LedgerlinkError(
                "VALIDATION_FAILED",
                f"settings.{field} must be a list of kind names ({', '.join(known)}).",
                f"settings.{field}",
            )
        unknown = [n for n in given if n not in known]
        if unknown:
            raise LedgerlinkError(
                "VALIDATION_FAILED",
                f"settings.{field}: {', '.join(unknown)} is not a kind; the kinds are "
                f"{', '.join(known)}.",
                f"settings.{field}",
            )
        changes = {**changes, field: [n for n in known if n in given]}
    return changes


def release(factory: sessionmaker[Session], connection_id: str, now: datetime) -> int:
    """Documents of the connection held for what the stored settings no longer say go back to
    the queue: their kind was not sent and is sent now, or a setting that fixes their hold is
    set now (``RELEASED_BY``). Every run starts with it, so a hold made by a run that read the
    settings just before they changed does not stay. A read first: a run with none to release
    writes nothing."""
    with factory() as session:
        stored = session.scalar(select(Connection.settings).where(Connection.id == connection_id))
        stored = stored or {}
        not_sent = set(stored.get("not_sent") or ())
        fixed = sorted({code for name, code in RELEASED_BY.items() if stored.get(name)})
        kind_back = and_(
            QueueItem.error_code == NOT_SENT,
            QueueItem.document_id.in_(select(Document.id).where(Document.kind.not_in(not_sent))),
        )
        where = [
            QueueItem.connection_id == connection_id,
            QueueItem.state.in_(lifecycle.HELD),
            or_(kind_back, QueueItem.error_code.in_(fixed)) if fixed else kind_back,
        ]
        if session.scalar(select(QueueItem.id).where(*where).limit(1)) is None:
            return 0
    with transaction(factory) as session:
        return lifecycle.requeue(session, where, now)


def save_settings(
    factory: sessionmaker[Session],
    workspace_id: str,
    connection_id: str,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> ConnectionSettings:
    """Change some of a connection's settings; documents held only because their kind was not
    sent go back to the queue when it is sent again, and those held for a currency when the
    default currency changes (a default the organisation cannot use is refused)."""
    changes = _checked(changes)
    with transaction(factory) as session:
        row = conns.get_connection(session, workspace_id, connection_id)
        old = conns.connection_settings(row)
        settings = conns.update_settings(session, workspace_id, connection_id, changes)
        currency_changed = settings.default_currency != old.default_currency
        if currency_changed:
            currencies.check_default(session, connection_id, settings.model_dump())
        fixed = [
            code
            for name, code in RELEASED_BY.items()
            if getattr(settings, name) and not getattr(old, name)
        ]
        if fixed:
            where = [
                QueueItem.connection_id == connection_id,
                QueueItem.error_code.in_(fixed),
                QueueItem.state.in_(lifecycle.HELD),
            ]
            lifecycle.requeue(session, where, now or datetime.now(UTC))
    if set(old.not_sent) - set(settings.not_sent):
        release(factory, connection_id, now or datetime.now(UTC))
    if currency_changed:
        currencies.release(factory, connection_id, now or datetime.now(UTC))
    return settings
