"""Links: what Xero said about each sent document, kept as the document's "Xero stamp".

A link is written from Xero's own record (a send's reply, a replay, a lookup), never from what
we meant to send, so its status, amounts and line ids are Xero's. ``apply_invoice_reply``
settles every item of an intent in one transaction with the links and the intent itself, so
a crash leaves either all of it or none of it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.models import DocumentVersion, Link, QueueItem, SendIntent
from ledgerlink.sync import lifecycle
from ledgerlink.sync.context import Run
from ledgerlink.xero import links
from ledgerlink.xero.errors import validation_messages

log = logging.getLogger(__name__)
IDS_PER_GET = 50

Record = dict[str, Any]


def _money(value: Any) -> str | None:
    return None if value is None else str(Decimal(str(value)))


def element_ok(element: Record) -> bool:
    status = str(element.get("StatusAttributeString") or "").upper()
    if status:
        return status in ("OK", "WARNING")
    return not element.get("HasErrors") and bool(element.get("InvoiceID"))


def upsert_link(
    session: Session,
    run: Run,
    document_id: str,
    record: Record,
    pushed: tuple[int, str] | None = None,
) -> Link:
    """Write Xero's view of the document; ``pushed`` (version, hash) when this was our send."""
    link = session.get(Link, document_id)
    if link is None:
        link = Link(document_id=document_id, connection_id=run.connection.id, line_item_ids=[])
        session.add(link)
    xero_id = str(record.get("InvoiceID") or link.xero_id)
    kind = str(record.get("Type") or link.xero_type or "ACCREC")
    link.connection_id = run.connection.id
    link.xero_id = xero_id
    link.xero_type = kind
    link.xero_number = record.get("InvoiceNumber") or link.xero_number
    link.xero_status = record.get("Status") or link.xero_status
    link.total = _money(record.get("Total")) or link.total
    link.amount_due = _money(record.get("AmountDue")) or link.amount_due
    link.amount_paid = _money(record.get("AmountPaid")) or link.amount_paid
    lines = record.get("LineItems")
    if isinstance(lines, list):
        link.line_item_ids = [
            str(line.get("LineItemID")) for line in lines if line.get("LineItemID")
        ]
    link.url = links.document_url(
        run.settings.xero_deeplink_url, run.connection.short_code, kind, xero_id
    )
    if pushed is not None:
        link.pushed_version, link.pushed_hash = pushed
    link.updated_at = run.now()
    return link


def version_hashes(
    session: Session, pairs: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], str]:
    wanted = set(pairs)
    found: dict[tuple[str, int], str] = {}
    ids = sorted({doc for doc, _ in wanted})
    for start in range(0, len(ids), 500):
        query = select(
            DocumentVersion.document_id, DocumentVersion.version, DocumentVersion.content_hash
        ).where(DocumentVersion.document_id.in_(ids[start : start + 500]))
        for doc, version, digest in session.execute(query):
            if (doc, version) in wanted:
                found[(doc, version)] = digest
    return found


def intent_items(session: Session, intent_id: str) -> list[QueueItem]:
    """Every unsettled item that rode on this intent (some may not be in this claim)."""
    query = select(QueueItem).where(
        QueueItem.intent_id == intent_id, QueueItem.state.in_(("queued", "in_flight", "failed"))
    )
    return list(session.scalars(query))


def apply_invoice_reply(
    run: Run, intent_id: str, elements: Sequence[Record | None], found_only: bool = False
) -> set[str]:
    """Settle the intent's items from Xero's elements (in the order the documents were sent).

    ``found_only``: the elements come from a lookup (None where the document was not found in
    Xero, so was never applied: its items go back to the queue without the intent). Returns
    the ids of the items settled here.
    """
    settled: set[str] = set()
    now = run.now()
    with run.factory() as session, session.begin():
        intent = session.get(SendIntent, intent_id)
        if intent is None:
            return settled
        rows = intent_items(session, intent_id)
        by_doc: dict[str, list[QueueItem]] = {}
        for row in rows:
            by_doc.setdefault(row.document_id, []).append(row)
        hashes = version_hashes(session, ((r.document_id, r.version) for r in rows))
        outcomes: list[tuple[str, lifecycle.Outcome]] = []
        for index, document_id in enumerate(intent.document_ids):
            element = elements[index] if index < len(elements) else None
            for row in by_doc.get(document_id, []):
                if element is None and found_only:
                    outcomes.append(
                        (row.id, lifecycle.retry(None, delay=0, count=False, intent_id=None))
                    )
                elif element is None:
                    error = LedgerlinkError(
                        "XERO_VALIDATION", "Xero's reply left this document out.", None
                    )
                    outcomes.append((row.id, lifecycle.retry(error, count=True, intent_id=None)))
                elif element_ok(element):
                    pushed = (row.version, hashes.get((row.document_id, row.version), ""))
                    upsert_link(session, run, document_id, element, pushed)
                    outcomes.append((row.id, lifecycle.done()))
                else:
                    messages = validation_messages(element) or ["Xero refused the document."]
                    error = LedgerlinkError("XERO_VALIDATION", "; ".join(messages), None)
                    outcomes.append((row.id, lifecycle.hold(error)))
                settled.add(row.id)
        state = lifecycle.IntentState.RESOLVED if found_only else lifecycle.IntentState.APPLIED
        lifecycle.set_intent_state(session, intent_id, state, now)
        lifecycle.settle(session, outcomes, now, run.policy, run.tally)
    return settled


def refresh_links(run: Run, document_links: dict[str, str]) -> None:
    """Read the current state of these Xero invoices (document id -> Xero id), 50 per call.

    Before an update is decided: a payment or a status change made in Xero since our last
    push decides whether the change may be sent at all.
    """
    pairs = sorted(document_links.items())
    for start in range(0, len(pairs), IDS_PER_GET):
        chunk = dict(pairs[start : start + IDS_PER_GET])
        by_xero = {xero.lower(): doc for doc, xero in chunk.items()}
        params = {"IDs": ",".join(chunk.values()), "page": "1", "pageSize": "100"}
        reply = run.client.get("/Invoices", params)
        with run.factory() as session, session.begin():
            for record in reply.items("Invoices"):
                doc = by_xero.get(str(record.get("InvoiceID", "")).lower())
                if doc is not None:
                    upsert_link(session, run, doc, record)
