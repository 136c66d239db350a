"""Accepting documents from a source app: validate, version, queue, in one transaction.

Invariant 1 (nothing lost) starts here: a document is accepted only once its version row and
its queue item are committed, and the call returns after the commit, so whatever the caller was
told "accepted" survives a crash. A bad document in a bulk upload is answered with its errors
and stored nowhere; the others are not held back by it.

Sending the same content again is "unchanged": no version, nothing queued, so nothing can reach
Xero twice because a source app retried its own upload. A change supersedes the queue items of
older versions that have not been sent, so Xero gets the newest content once; an older item
whose send may have reached Xero (a pending intent) is left to be resolved first.

Each document goes to a connection: the one serving its branch when it names one, the
connection of the document it depends on (a payment goes where its invoice went), else the
connection the caller named, else the workspace's only one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink import kinds
from ledgerlink.documents import ValidationFailed, content_hash
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import DocumentKind, StoredLookup
from ledgerlink.store import connections as conns
from ledgerlink.store import schedules
from ledgerlink.store.db import transaction
from ledgerlink.store.members import one_of
from ledgerlink.store.models import (
    Connection,
    Document,
    DocumentVersion,
    Link,
    QueueItem,
    SendIntent,
    new_id,
)
from ledgerlink.sync import lifecycle

log = logging.getLogger(__name__)

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
                one_of(Document.source_id, wanted[start : start + CHUNK]),
            )
        )
        for document, digest in session.execute(query):
            found[document.source_id] = (document, digest)
    return found


class _Stored(StoredLookup):
    """What a kind may read at intake: documents already stored in this workspace."""

    def __init__(self, session: Session, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def current_body(self, kind: str, source_id: str) -> dict[str, Any] | None:
        found = _existing(self.session, self.workspace_id, kind, [source_id]).get(source_id)
        if found is None:
            return None
        version = self.session.scalars(
            select(DocumentVersion).where(
                DocumentVersion.document_id == found[0].id,
                DocumentVersion.version == found[0].current_version,
            )
        ).first()
        return dict(version.body) if version is not None else None

    def connection_of(self, kind: str, source_id: str) -> str | None:
        found = _existing(self.session, self.workspace_id, kind, [source_id]).get(source_id)
        return found[0].connection_id if found is not None else None


def _parse(
    kind: DocumentKind, items: Sequence[Any], stored: _Stored
) -> tuple[list[IntakeResult], list[tuple[int, Any, str]]]:
    """Every item validated (after its kind filled it in); the valid ones with their hash."""
    results: list[IntakeResult] = []
    valid: list[tuple[int, Any, str]] = []
    for index, item in enumerate(items):
        try:
            body = kind.expand(item, stored) if isinstance(item, dict) else item
            parsed = kinds.validate_document(kind.name, body)
        except ValidationFailed as exc:
            errors = exc.errors or [exc]
            results.append(IntakeResult(index, _source_id(item), "invalid", errors=errors))
            continue
        except LedgerlinkError as exc:
            results.append(IntakeResult(index, _source_id(item), "invalid", errors=[exc]))
            continue
        digest = content_hash(parsed)
        kinds.remember_validated(kind.name, digest, parsed)
        valid.append((index, parsed, digest))
        results.append(IntakeResult(index, parsed.source_id, "unchanged"))
    return results, valid


class _Router:
    """Which connection each document goes to (see the module's docstring)."""

    def __init__(
        self, session: Session, workspace_id: str, kind: DocumentKind, named: str | None
    ) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self.kind = kind
        self.named = conns.get_connection(session, workspace_id, named) if named else None
        self._only: Connection | None | LedgerlinkError = None
        self.stored = _Stored(session, workspace_id)
        self._due: dict[str, datetime] = {}

    def due(self, connection_id: str, now: datetime) -> datetime:
        """When a document queued now for the connection may go: now, or when its schedule
        next fires (``store.schedules``)."""
        found = self._due.get(connection_id)
        if found is None:
            row = self.session.get(Connection, connection_id)
            found = schedules.due_at((row.settings or {}) if row else {}, now)
            self._due[connection_id] = found
        return found

    def route(self, document: Any) -> str:
        branch = getattr(document, "branch", None)
        if branch:
            return conns.connection_for_branch(self.session, self.workspace_id, branch).id
        follows = self.kind.routes_with(document)
        if follows is not None:
            found = self.stored.connection_of(*follows)
            if found is not None:
                return found
        if self.named is not None:
            return self.named.id
        return self._default().id

    def _default(self) -> Connection:
        if self._only is None:
            usable = [
                c
                for c in conns.list_connections(self.session, self.workspace_id)
                if c.status == conns.ACTIVE
            ]
            if len(usable) == 1:
                self._only = usable[0]
            elif not usable:
                self._only = LedgerlinkError(
                    "CONNECTION_NOT_FOUND",
                    "This workspace has no active connection.",
                    "connection_id",
                )
            else:
                self._only = LedgerlinkError(
                    "VALIDATION_FAILED",
                    f"This workspace has {len(usable)} connections: name one with "
                    "?connection_id=, or give the document the branch a connection serves.",
                    field="connection_id",
                )
        if isinstance(self._only, LedgerlinkError):
            raise self._only
        return self._only


def _cannot_move(
    session: Session, document: Document | _NewDocument, connection_id: str
) -> LedgerlinkError | None:
    """A document goes on with the organisation that has it: once it is in Xero, or a send of
    it is under way, a new version routed elsewhere (another branch) is refused, or its link
    and sends would point into the wrong organisation."""
    if document.connection_id == connection_id:
        return None
    linked = session.get(Link, document.id) is not None
    open_intents = select(SendIntent.id).where(SendIntent.state.in_(lifecycle.OPEN_INTENTS))
    busy = session.scalars(
        select(QueueItem.id).where(
            QueueItem.document_id == document.id,
            QueueItem.state.in_(lifecycle.ACTIVE) | QueueItem.intent_id.in_(open_intents),
        )
    ).first()
    if not linked and busy is None:
        return None
    return LedgerlinkError(
        "VALIDATION_FAILED",
        "The document is already with another connection (in its Xero organisation, or on its "
        "way there); a new version cannot move it to another one.",
        field="branch",
        advice="Send it with the branch (or connection) it had, or void it and send a new "
        "document to the other organisation.",
    )


@dataclass
class _NewDocument:
    """A document first seen in this upload (a row to insert; a later entry of the same
    upload may add a version to it)."""

    id: str
    connection_id: str
    current_version: int = 1
    updated_at: datetime | None = None
    source_id: str = ""


@dataclass
class _Rows:
    """A bulk upload's new rows, inserted as one statement per table (Core, not one ORM object
    each: three objects per document cost more than validating it)."""

    documents: list[_NewDocument] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)

    def insert(self, session: Session, workspace_id: str, kind: str, now: datetime) -> None:
        documents = [
            {
                "id": d.id,
                "workspace_id": workspace_id,
                "connection_id": d.connection_id,
                "kind": kind,
                "source_id": d.source_id,
                "current_version": d.current_version,
                "created_at": now,
                "updated_at": d.updated_at or now,
            }
            for d in self.documents
        ]
        for table, rows in (
            (Document, documents),
            (DocumentVersion, self.versions),
            (QueueItem, self.items),
        ):
            if rows:
                session.execute(insert(cast(Table, table.__table__)), rows)


def upsert_documents(
    factory: sessionmaker[Session],
    workspace_id: str,
    connection_id: str | None,
    kind: str,
    items: Sequence[Any],
    *,
    now: datetime | None = None,
    only_new: bool = False,
) -> list[IntakeResult]:
    """Validate and store each document; queue a push for every new or changed version.

    Raises CONNECTION_NOT_FOUND when the named connection is not this workspace's, and NOT_FOUND
    for an unknown kind; otherwise every item gets a result (invalid ones carry their errors,
    one that no connection serves too) and the valid ones are committed.

    ``only_new``: a document already stored is left as it is (answered "unchanged"), decided in
    this transaction: what ledgerlink makes for another document (an order's missing product) is
    made once, never stored over one the source sent meanwhile.
    """
    now = now or datetime.now(UTC)
    spec = kinds.get(kind)
    with transaction(factory) as session:
        router = _Router(session, workspace_id, spec, connection_id)
        results, valid = _parse(spec, items, router.stored)
        known: dict[str, tuple[Document | _NewDocument, str | None]] = dict(
            _existing(session, workspace_id, kind, (v[1].source_id for v in valid))
        )
        replaced: dict[str, int] = {}
        rows = _Rows()
        for index, parsed, digest in valid:
            result = results[index]
            source_id = parsed.source_id
            try:
                connection_id = router.route(parsed)
            except LedgerlinkError as exc:
                if exc.code == "CONNECTION_NOT_FOUND":
                    raise  # the workspace has no connection: nothing can be accepted
                result.outcome, result.errors = "invalid", [exc]
                continue
            held = known.get(source_id)
            if held is not None and (only_new or held[1] == digest):
                result.document_id, result.version = held[0].id, held[0].current_version
                continue
            document: Document | _NewDocument
            if held is None:
                document = _NewDocument(new_id(), connection_id, source_id=source_id)
                rows.documents.append(document)
                result.outcome = "created"
            else:
                document = held[0]
                moved = _cannot_move(session, document, connection_id)
                if moved is not None:
                    result.outcome, result.errors = "invalid", [moved]
                    continue
                document.current_version += 1
                document.connection_id = connection_id
                document.updated_at = now
                replaced[document.id] = document.current_version
                result.outcome = "updated"
            known[source_id] = (document, digest)
            version = document.current_version
            rows.versions.append(
                {
                    "document_id": document.id,
                    "version": version,
                    "content_hash": digest,
                    "body": parsed.model_dump(mode="json", exclude_none=True),
                    "created_at": now,
                }
            )
            due = router.due(connection_id, now)
            rows.items.append(
                lifecycle.new_item_row(workspace_id, connection_id, document.id, version, now, due)
            )
            result.document_id, result.version = document.id, version
        session.flush()  # the documents updated in place, before their new versions' rows
        rows.insert(session, workspace_id, kind, now)
        if replaced:
            lifecycle.supersede_older(session, replaced, now)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    log.info("intake %s x%d for %s: %s", kind, len(items), connection_id, counts)
    return results
