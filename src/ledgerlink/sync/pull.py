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
    calls = sum(worker.refresh(c, links) for c, links in per_connection.items())
    return {"read": sum(len(links) for links in per_connection.values()), "calls": calls}
