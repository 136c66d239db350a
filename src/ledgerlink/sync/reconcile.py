"""The reconciliation report: a connection's documents of a date range against Xero's.

Links say what Xero held when last read; a person in Xero (a hand-typed invoice, a void, a
payment) or a change in the app never sent makes them wrong without a trace. The report reads
Xero afresh, in as few calls as it allows: one paged list per resource, filtered by date on
Xero's side (``DocumentKind.dated``), as summaries where Xero has them, on the worker's client
and under the shared limiter. Only a linked record that the range did not bring back (deleted,
or re-dated in Xero) is read again by its id. Nothing is written, to Xero or to the links.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerlink import kinds
from ledgerlink.documents import ValidationFailed
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import DocumentKind, Record
from ledgerlink.mapping import MappingDefaults, Skip
from ledgerlink.store import connections as conns
from ledgerlink.store.models import Document, DocumentVersion, Link
from ledgerlink.sync.checks import item_overrides, source_total
from ledgerlink.sync.context import Run
from ledgerlink.sync.linking import SUMMARY_RESOURCES, read_records
from ledgerlink.sync.reconcile_report import (
    DIFFER,
    MISSING,
    UNKNOWN,
    Entry,
    Report,
    amount_of,
    explain_differ,
)
from ledgerlink.sync.reference_view import ReferenceView
from ledgerlink.sync.worker import Worker
from ledgerlink.xero import wire
from ledgerlink.xero.errors import XeroNotFound

log = logging.getLogger(__name__)
GONE = ("VOIDED", "DELETED")


@dataclass
class Source:
    """One source document of the range, with its link (None: never in Xero)."""

    kind: DocumentKind
    source_id: str
    document: Any
    when: date
    xero_id: str | None
    amount: Decimal | None = None


def reconcile(
    worker: Worker,
    workspace_id: str,
    connection_id: str,
    start: date,
    end: date,
    kind: str | None = None,
) -> Report:
    """The report for documents dated ``start`` to ``end`` (both kept), of one kind or all."""
    if end < start:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"to ({end.isoformat()}) is before from ({start.isoformat()}): give a range whose "
            "end is on or after its start.",
            field="to",
        )
    dated = [k.name for k in kinds.all_kinds() if k.has_date and not k.generates]
    if kind is not None and kind not in dated:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"kind must be one of {', '.join(dated)} (got {kind!r}), or left out: the report "
            "compares documents by their dates.",
            field="kind",
        )
    wanted = [kinds.get(kind)] if kind else [kinds.get(n) for n in dated]
    with worker.factory() as session:
        conns.get_connection(session, workspace_id, connection_id)
        sources = _sources(session, workspace_id, connection_id, wanted, start, end)
        linked = {
            str(x).lower()
            for x in session.scalars(
                select(Link.xero_id).where(Link.connection_id == connection_id)
            )
        }
    with worker.reading(connection_id) as run:
        records = _listed(run, wanted, start, end)
        unlisted = [s for s in sources if s.xero_id and s.xero_id.lower() not in records]
        records.update(_by_id(run, unlisted))
        calls = run.tally.counts.get("calls", 0)
    entries = [e for s in sources if (e := _compare(s, records)) is not None]
    entries += _unknown(records, linked)
    return Report(connection_id, start, end, [k.name for k in wanted], entries, calls)


def _sources(
    session: Session,
    workspace_id: str,
    connection_id: str,
    wanted: Sequence[DocumentKind],
    start: date,
    end: date,
) -> list[Source]:
    """The connection's documents of these kinds dated in the range, as they stand now (their
    current version), each with its source amount as Xero would total it."""
    by_name = {k.name: k for k in wanted}
    query = (
        select(
            Document.kind,
            Document.source_id,
            DocumentVersion.content_hash,
            DocumentVersion.body,
            Link.xero_id,
        )
        .join(
            DocumentVersion,
            (DocumentVersion.document_id == Document.id)
            & (DocumentVersion.version == Document.current_version),
        )
        .outerjoin(Link, Link.document_id == Document.id)
        .where(
            Document.workspace_id == workspace_id,
            Document.connection_id == connection_id,
            Document.kind.in_(list(by_name)),
        )
    )
    found: list[Source] = []
    for name, source_id, digest, body, xero_id in session.execute(query):
        kind = by_name[name]
        try:
            document = kinds.stored_document(name, digest, body)
        except ValidationFailed:
            log.warning("%s %s: stored body no longer validates; left out", name, source_id)
            continue
        when = kind.date_of(document)[1]
        if start <= when <= end:
            found.append(Source(kind, source_id, document, when, xero_id))
    if found:
        connection = conns.get_connection(session, workspace_id, connection_id)
        view = ReferenceView(session, connection_id)
        overrides = item_overrides(session, connection_id)
        defaults = MappingDefaults.from_settings(connection.settings or {})
        # what the settings leave unsent (a stock movement while inventory is not valued)
        # owes Xero nothing
        found = [
            s
            for s in found
            if s.xero_id
            or s.kind.not_applicable(s.document, connection.settings or {}, None) is None
        ]
        for source in found:
            source.amount = source_total(source.kind, source.document, view, overrides, defaults)
    return found


def _listed(
    run: Run, wanted: Sequence[DocumentKind], start: date, end: date
) -> dict[str, tuple[DocumentKind, Record]]:
    """Xero's records of the range, by lowercased id, each with the kind it belongs to: one
    paged list per resource (Invoices serve both invoices and bills, told apart by Type)."""
    by_resource: dict[str, list[DocumentKind]] = {}
    for kind in wanted:
        by_resource.setdefault(kind.resource, []).append(kind)
    found: dict[str, tuple[DocumentKind, Record]] = {}
    for resource, sharing in by_resource.items():
        params = sharing[0].dated(start, end)
        if resource in SUMMARY_RESOURCES:
            params["summaryOnly"] = "true"
        for record in run.client.get_all(f"/{resource}", resource, params):
            owner = next((k for k in sharing if k.takes(record)), None)
            if owner is not None:
                found[str(record.get(owner.id_field) or "").lower()] = (owner, record)
    return found


def _by_id(run: Run, sources: Iterable[Source]) -> dict[str, tuple[DocumentKind, Record]]:
    """The linked records the range did not bring back, read by id (batched as the kind's
    resource allows); one Xero no longer has is simply not in the answer."""
    groups: dict[str, tuple[DocumentKind, list[str]]] = {}
    for source in sources:
        assert source.xero_id is not None
        groups.setdefault(source.kind.name, (source.kind, []))[1].append(source.xero_id)
    found: dict[str, tuple[DocumentKind, Record]] = {}
    for kind, ids in groups.values():
        chunks = [[x] for x in ids] if kind.read_by == "one" else [ids]
        for chunk in chunks:
            try:
                records = read_records(run, kind, chunk, summary=True)
            except XeroNotFound:
                continue
            for record in records:
                found[str(record.get(kind.id_field) or "").lower()] = (kind, record)
    return found


def _entry(
    category: str, kind: DocumentKind, record: Record | None, explanation: str, **more: Any
) -> Entry:
    record = record or {}
    return Entry(
        category=category,
        kind=kind.name,
        source_id=more.get("source_id"),
        xero_id=more.get("xero_id") or record.get(kind.id_field),
        xero_number=record.get(kind.number_field) if kind.number_field else None,
        xero_status=record.get("Status"),
        source_status=more.get("source_status"),
        xero_amount=amount_of(record),
        source_amount=more.get("source_amount"),
        date=more.get("when") or wire.parse_day(record.get("Date")),
        explanation=explanation,
    )


def _compare(source: Source, records: dict[str, tuple[DocumentKind, Record]]) -> Entry | None:
    """The entry a source document makes, or None when Xero agrees with it."""
    kind, document = source.kind, source.document
    status = getattr(document, "status", None)
    facts = {
        "source_id": source.source_id,
        "source_status": status,
        "source_amount": source.amount,
        "when": source.when,
    }
    noun = f"The {kind.noun} {source.source_id!r}"
    if source.xero_id is None:
        if isinstance(kind.decide(document, None), Skip):
            return None  # voided (or deleted) before it ever reached Xero: nothing is owed
        why = f"{noun} is not in Xero: it has never been sent (see its sync state in the queue)."
        return _entry(MISSING, kind, None, why, **facts)
    found = records.get(source.xero_id.lower())
    if found is None:
        why = f"{noun} is linked to Xero record {source.xero_id}, which Xero no longer has."
        return _entry(MISSING, kind, None, why, xero_id=source.xero_id, **facts)
    record = found[1]
    xero_status = record.get("Status")
    live = kind.wanted_status(document) not in GONE
    if live and xero_status in GONE:
        why = f"{noun} is {status} in the source but {xero_status} in Xero: it is gone there."
        return _entry(MISSING, kind, record, why, **facts)
    status_differs = not kind.status_agrees(document, xero_status)
    xero_amount = amount_of(record)
    amount_differs = live and source.amount is not None and xero_amount != source.amount
    if not (status_differs or amount_differs):
        return None
    why = explain_differ(
        noun,
        status,
        xero_status if status_differs else None,
        kind.source_status(xero_status),
        (source.amount, xero_amount) if amount_differs else None,
    )
    return _entry(DIFFER, kind, record, why, **facts)


def _unknown(records: dict[str, tuple[DocumentKind, Record]], linked: set[str]) -> list[Entry]:
    """Live records of the range that no link points at (typed in Xero by hand)."""
    found = []
    for xero_id, (kind, record) in records.items():
        if xero_id in linked or record.get("Status") in GONE:
            continue
        what = record.get("Type") or kind.noun
        number = record.get(kind.number_field) if kind.number_field else None
        named = f" {number}" if number else ""
        why = (
            f"Xero's {what}{named} is not linked to any source document: it was made in Xero, "
            "or by another app."
        )
        found.append(_entry(UNKNOWN, kind, record, why))
    return found
