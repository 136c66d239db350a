"""Accepting documents from a source app: validate, version, queue, in one transaction.

Invariant 1 (nothing lost) starts here: a document is accepted only once its version row and
its queue item are committed, and the call returns after the commit, so whatever the caller was
told "accepted" survives a crash. A bad document in a bulk upload is answered with its errors
and stored nowhere; the others are not held back by it.

Sending the same content again is "unchanged": no version, nothing queued, so nothing can reach
Xero twice because a source app retried its own upload. A change supersedes the queue items of
older versions that have not been sent, so Xero gets the newest content once; an older item
whose send may have reached Xero (a pending intent) is left to be resolved first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.documents import ValidationFailed, content_hash, validate_document
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Document, DocumentVersion, new_id
from ledgerlink.sync import lifecycle

log = logging.getLogger(__name__)

Kind = Literal["invoice", "expense"]
Outcome = Literal["created", "updated", "unchanged", "invalid"]
CHUNK = 500


@dataclass
class IntakeResult:
    """What happened to one submitted document, in the order they were submitted."""

    index: int
    source_id: str | None
    outcome: Outcome
    document_id: str | None = None
    version: int | None = None
    errors: list[LedgerlinkError] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.outcome != "invalid"


def _source_id(item: Any) -> str | None:
    if isinstance(item, dict) and isinstance(item.get("source_id"), str):
        return item["source_id"].strip() or None
    return None


def _existing(
    session: Session, workspace_id: str, kind: str, source_ids: Iterable[str]
) -> dict[str, tuple[Document, str | None]]:
    """Documents already stored for these source ids, with their current version's hash."""
    wanted = sorted(set(source_ids))
    found: dict[str, tuple[Document, str | None]] = {}
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(Document, DocumentVersion.content_hash)
            .outerjoin(
                DocumentVersion,
                (DocumentVersion.document_id == Document.id)
                & (DocumentVersion.version == Document.current_version),
            )
            .where(
                Document.workspace_id == workspace_id,
                Document.kind == kind,
                Document.source_id.in_(wanted[start : start + CHUNK]),
            )
        )
        for document, digest in session.execute(query):
            found[document.source_id] = (document, digest)
    return found


def upsert_documents(
    factory: sessionmaker[Session],
    workspace_id: str,
    connection_id: str,
    kind: Kind,
    items: Sequence[Any],
    *,
    now: datetime | None = None,
) -> list[IntakeResult]:
    """Validate and store each document; queue a push for every new or changed version.

    Raises CONNECTION_NOT_FOUND when the connection is not this workspace's; otherwise every
    item gets a result (invalid ones carry their errors) and the valid ones are committed.
    """
    now = now or datetime.now(UTC)
    results: list[IntakeResult] = []
    valid: list[tuple[int, str, dict[str, Any], str]] = []
    for index, item in enumerate(items):
        try:
            parsed = validate_document(kind, item)
        except ValidationFailed as exc:
            errors = exc.errors or [exc]
            results.append(IntakeResult(index, _source_id(item), "invalid", errors=errors))
            continue
        body = parsed.model_dump(mode="json", exclude_none=True)
        valid.append((index, parsed.source_id, body, content_hash(parsed)))
        results.append(IntakeResult(index, parsed.source_id, "unchanged"))
    with transaction(factory) as session:
        conns.get_connection(session, workspace_id, connection_id)
        known = _existing(session, workspace_id, kind, (v[1] for v in valid))
        replaced: dict[str, int] = {}
        for index, source_id, body, digest in valid:
            result = results[index]
            held = known.get(source_id)
            if held is not None and held[1] == digest:
                result.document_id, result.version = held[0].id, held[0].current_version
                continue
            if held is None:
                document = Document(
                    id=new_id(),
                    workspace_id=workspace_id,
                    connection_id=connection_id,
                    kind=kind,
                    source_id=source_id,
                    current_version=1,
                    created_at=now,
                    updated_at=now,
                )
                session.add(document)
                result.outcome = "created"
            else:
                document = held[0]
                document.current_version += 1
                document.connection_id = connection_id
                document.updated_at = now
                replaced[document.id] = document.current_version
                result.outcome = "updated"
            known[source_id] = (document, digest)
            version = document.current_version
            session.add(
                DocumentVersion(
                    document_id=document.id,
                    version=version,
                    content_hash=digest,
                    body=body,
                    created_at=now,
                )
            )
            session.add(lifecycle.new_item(workspace_id, connection_id, document.id, version, now))
            result.document_id, result.version = document.id, version
        session.flush()
        if replaced:
            lifecycle.supersede_older(session, replaced, now)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    log.info("intake %s x%d for %s: %s", kind, len(items), connection_id, counts)
    return results
