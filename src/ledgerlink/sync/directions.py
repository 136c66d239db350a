"""What syncs in which direction, per document kind and connection: ``not_sent`` kinds are
held before any call (KIND_NOT_SENT) and released when switched back on; ``not_read`` kinds
are left out of what is read back from Xero in the background (polls, webhook pulls, payments
made in Xero). A person's "Refresh from Xero", and the read before an update (which protects
what Xero holds), still read them.

Every change of a connection's settings goes through ``save_settings`` (REST, dashboard,
library), so the kind names are checked against the registry and held documents released in
one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.connection_settings import ConnectionSettings, kinds_not_read
from ledgerlink.store.db import transaction
from ledgerlink.sync import lifecycle, queue

NOT_SENT = "KIND_NOT_SENT"
FIELDS = ("not_sent", "not_read")
__all__ = ["NOT_SENT", "hold_if_not_sent", "kinds_not_read", "save_settings"]


def hold_if_not_sent(
    settings: Mapping[str, Any], kind: kinds.DocumentKind
) -> lifecycle.Outcome | None:
    """The hold for a document whose kind this connection does not send, else None."""
    if kind.name not in (settings.get("not_sent") or ()):
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


def save_settings(
    factory: sessionmaker[Session],
    workspace_id: str,
    connection_id: str,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> ConnectionSettings:
    """Change some of a connection's settings; documents held only because their kind was not
    sent go back to the queue when it is sent again."""
    changes = _checked(changes)
    with transaction(factory) as session:
        row = conns.get_connection(session, workspace_id, connection_id)
        before = set(conns.connection_settings(row).not_sent)
        settings = conns.update_settings(session, workspace_id, connection_id, changes)
    if before - set(settings.not_sent):
        queue.retry_code(factory, workspace_id, NOT_SENT, now or datetime.now(UTC), connection_id)
    return settings
