""" "Refresh from Xero": reading Xero's side of documents back into their links on demand.

A link holds Xero's state as last read; refreshing reads it now, batched per connection and per
kind in as few calls as the kind's resource allows (50 invoices a call by ``IDs``, 25 credit
notes or payments by ``where``, a purchase order each), within the shared limiter, beside any
worker driving the connection.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from ledgerlink import kinds
from ledgerlink.store.models import Document, Link
from ledgerlink.sync.read_back import refresh_links
from ledgerlink.sync.worker import Worker


def refresh_documents(
    worker: Worker, workspace_id: str, kind: str, source_ids: Sequence[str]
) -> dict[str, int]:
    """Refresh these documents of one kind; how many were read and the calls it took.
    Documents not in Xero yet (no link) are left as they are."""
    spec = kinds.get(kind)
    wanted = sorted(set(source_ids))
    per_connection: dict[str, dict[str, tuple[str, str]]] = {}
    with worker.factory() as session:
        for start in range(0, len(wanted), 500):
            rows = session.execute(
                select(Document.id, Link.connection_id, Link.xero_id)
                .join(Link, Link.document_id == Document.id)
                .where(
                    Document.workspace_id == workspace_id,
                    Document.kind == spec.name,
                    Document.source_id.in_(wanted[start : start + 500]),
                )
            )
            for document_id, connection_id, xero_id in rows:
                per_connection.setdefault(connection_id, {})[document_id] = (spec.name, xero_id)
    calls = sum(_refresh(worker, c, links) for c, links in per_connection.items())
    return {"read": sum(len(links) for links in per_connection.values()), "calls": calls}


def _refresh(worker: Worker, connection_id: str, document_links: dict[str, tuple[str, str]]) -> int:
    """Read these documents' Xero state (document id -> (kind, Xero id)) in as few calls as
    each kind allows and update their links; the calls made. A link holds Xero's state as
    last read, whoever read it."""
    with worker.reading(connection_id) as run:
        of_kind = {doc: kinds.get(kind) for doc, (kind, _) in document_links.items()}
        xero_ids = {doc: xero for doc, (_, xero) in document_links.items()}
        refresh_links(run, xero_ids, of_kind, summary=True)  # no lines needed: summaries
        return run.tally.counts.get("calls", 0)
