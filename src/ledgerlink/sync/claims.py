"""A claim's items as the worker works on them (one query for the rows, one for their links),
and the reference data they need checked before any send."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from ledgerlink import kinds
from ledgerlink.documents import ValidationFailed
from ledgerlink.store.members import one_of
from ledgerlink.store.models import Document, DocumentVersion, Link, QueueItem
from ledgerlink.sync import currencies, lifecycle
from ledgerlink.sync.context import Run, Work


def work_rows() -> Select[Any]:
    """A queue item's columns as a ``Work`` takes them (item, document, kind, version, current
    version, content hash, body, intent, attempts): filter it with ``.where``. Columns, not
    ORM objects: three objects per document cost more than the rest of a claim."""
    return (
        select(
            QueueItem.id,
            Document.id,
            Document.kind,
            QueueItem.version,
            Document.current_version,
            DocumentVersion.content_hash,
            DocumentVersion.body,
            QueueItem.intent_id,
            QueueItem.attempts,
        )
        .join(Document, Document.id == QueueItem.document_id)
        .join(
            DocumentVersion,
            (DocumentVersion.document_id == QueueItem.document_id)
            & (DocumentVersion.version == QueueItem.version),
        )
    )


def load_works(run: Run, ids: list[str]) -> list[Work]:
    """The claimed items as works, in claim order: each with its version's body validated
    (a body that no longer passes its schema is held here), in the connection's default
    currency when it names none, and its link as it stands."""
    works: list[Work] = []
    bad: list[tuple[str, lifecycle.Outcome]] = []
    with run.factory() as session, session.begin():
        rows = list(session.execute(work_rows().where(one_of(QueueItem.id, ids))))
        run.kinds_claimed.update(row[2] for row in rows)
        doc_ids = [row[1] for row in rows]
        links = {
            link.document_id: link
            for link in session.scalars(select(Link).where(one_of(Link.document_id, doc_ids)))
        }
        for item_id, doc_id, kind, version, current, digest, body, intent, tries in rows:
            work = Work(
                item_id,
                doc_id,
                kind,
                version,
                current,
                digest,
                body,
                intent,
                tries,
                link=links.get(doc_id),
            )
            try:
                work.document = kinds.stored_document(work.kind, digest, work.body)
            except ValidationFailed as exc:
                bad.append((work.item_id, lifecycle.hold(exc)))
                continue
            works.append(work)
        currencies.apply_default(works, currencies.stored_default(session, run.connection.id))
        lifecycle.settle(session, bad, run.now(), run.policy, run.tally)
    order = {item_id: n for n, item_id in enumerate(ids)}
    return sorted(works, key=lambda w: order[w.item_id])


# What every claim is checked against; currencies, items and tracking only when a claimed
# document needs them (``catalogues_needed``).
CORE_REFERENCE = ("organisation", "accounts", "tax_rates", "contacts")


def catalogues_needed(works: list[Work], base: str | None = None) -> tuple[str, ...]:
    """The item and tracking lists, read only once a claimed document uses an item code or
    tracking, and the currencies and actions (UseMulticurrency) once one names a currency
    other than the organisation's ``base`` (any, while the base is not known): preflight then
    refuses those the organisation cannot use before any send."""
    lines = [line for w in works for line in getattr(w.document, "lines", None) or ()]
    needed = []
    named = {getattr(w.document, "currency", None) for w in works} - {None, base}
    if named:
        needed += ["currencies", "actions"]
    if any(line.item_code for line in lines):
        needed.append("items")
    if any(line.tracking for line in lines):
        needed.append("tracking")
    return tuple(needed)
