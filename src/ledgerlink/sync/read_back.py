"""Xero's records read back into links: what a pull, a poll, a lookup before an update or
"Refresh from Xero" read, written the same way, with the events the change makes.

Whoever read a record, its link takes it only when it is as new as what the link holds (Xero's
``UpdatedDateUTC``: an older read changes nothing), under a row lock on PostgreSQL so two
readers cannot interleave their check and their write (SQLite's writers take turns). A change
of Xero's status tells ``document.status_changed``, a change of the fields a kind tells of
(a contact's name or email edited in Xero) ``document.changed``, and reaching the source's
"paid" tells ``document.paid``, once, in the transaction that writes the link; a moved amount
paid makes the connection's payments be read in the same run (``sync.polls``), so a payment
made in Xero is recorded with its account and reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledgerlink import kinds
from ledgerlink.kinds.base import DocumentKind
from ledgerlink.store.connection_settings import kinds_not_read
from ledgerlink.store.members import one_of
from ledgerlink.store.models import Document, Link
from ledgerlink.store.twoway import PollMark
from ledgerlink.sync import events
from ledgerlink.sync.context import Run
from ledgerlink.sync.linking import links_of, read_records, upsert_link
from ledgerlink.xero import wire

Record = dict[str, Any]
PAYMENTS = "Payments"
# How far back the first read of a connection's payments goes, when a pull asks for it.
FIRST_PAYMENTS_READ = timedelta(days=1)


@dataclass(frozen=True)
class Linked:
    """A link as a pull compares it: what the source app has been told so far."""

    document_id: str
    source_id: str
    kind: DocumentKind
    updated: datetime | None
    status: str | None
    amount_paid: str | None
    paid_date: str | None


def linked(session: Session, connection_id: str, xero_ids: Sequence[str]) -> dict[str, Linked]:
    """The links of these Xero ids on the connection, by lower-case Xero id."""
    return dict(linked_rows(session, connection_id, xero_ids))


def linked_rows(
    session: Session, connection_id: str, xero_ids: Sequence[str]
) -> list[tuple[str, Linked]]:
    """Every link of these Xero ids on the connection, with its lower-case Xero id: one Xero
    contact may be both a customer and a supplier of the source app (two links)."""
    if not xero_ids:
        return []
    query = (
        select(
            Link.xero_id,
            Link.document_id,
            Document.source_id,
            Document.kind,
            Link.xero_updated_at,
            Link.xero_status,
            Link.amount_paid,
            Link.paid_date,
        )
        .join(Document, Document.id == Link.document_id)
        .where(Link.connection_id == connection_id, one_of(Link.xero_id, list(xero_ids)))
    )
    if session.get_bind().dialect.name == "postgresql":
        # Held until the caller's transaction writes them: another reader of the same records
        # waits here, then compares against what this one wrote.
        query = query.with_for_update(of=Link)
    rows = session.execute(query)
    return [
        (str(xero).lower(), Linked(doc, source, kinds.get(kind), updated, status, paid, paid_on))
        for xero, doc, source, kind, updated, status, paid, paid_on in rows
    ]


def apply_records(
    session: Session,
    run: Run,
    records: Sequence[Record],
    kind_hint: str,
    *,
    background: bool = False,
) -> int:
    """Write Xero's records of linked documents into their links, with the events they make;
    a record of nothing ledgerlink sent is left alone, and so, for a ``background`` read (a
    poll or a webhook's pull), is one of a kind the connection does not read back. How many
    links Xero's state moved on (status, amounts, paid date), also counted in the run's
    ``changed_in_xero``."""
    now = run.now()
    by_id = {str(r.get(kinds.get(kind_hint).id_field, "")).lower(): r for r in records}
    found = linked_rows(session, run.connection.id, [x for x in by_id if x])
    if background and (off := kinds_not_read(run.connection.settings)):
        found = [(x, was) for x, was in found if was.kind.name not in off]
    known = links_of(session, [was.document_id for _, was in found])
    moved = 0
    paid_moved = False
    told: list[tuple[str, str, str | None, str | None, Mapping[str, Any]]] = []
    for xero_id, was in found:
        record = by_id[xero_id]
        updated = wire.updated_at(record)
        if was.updated is not None and (updated is None or updated < was.updated):
            continue  # an older read than the link's: it changes nothing
        before = _state(known[was.document_id])
        details = dict(known[was.document_id].details or {})
        link = upsert_link(session, run, was.document_id, record, kind=was.kind, known=known)
        link.refreshed_at = now
        fields = was.kind.changed(details, link.details or {})
        if _state(link) != before or fields:
            moved += 1
        paid_moved |= link.amount_paid != was.amount_paid and was.kind.resource != PAYMENTS
        told += _events_of(run, was, link, fields)
    events.add_many(session, told, now)
    if paid_moved:
        read_payments_now(session, run.connection.id, now)
    if moved:
        run.tally.add("changed_in_xero", moved)
    return moved


def _state(link: Link) -> tuple[Any, ...]:
    return (link.xero_status, link.total, link.amount_due, link.amount_paid, link.paid_date)


def read_payments_now(session: Session, connection_id: str, now: datetime) -> None:
    """A document's amount paid moved in Xero: the connection's payments are read in this run
    (``sync.polls``), so the payment is recorded with its account and reference at once."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    row = {
        "connection_id": connection_id,
        "kind": PAYMENTS,
        "modified_since": now - FIRST_PAYMENTS_READ,
        "next_at": now,
        "polled_at": None,
    }
    statement = insert(PollMark).on_conflict_do_update(
        index_elements=[PollMark.connection_id, PollMark.kind], set_={"next_at": now}
    )
    session.execute(statement, [row])


def _events_of(
    run: Run, was: Linked, link: Link, fields: Mapping[str, Any]
) -> list[tuple[str, str, str | None, str | None, Mapping[str, Any]]]:
    data = {
        "kind": was.kind.name,
        "source_id": was.source_id,
        "xero_id": link.xero_id,
        "xero_number": link.xero_number,
        "status": link.xero_status,
        "source_status": was.kind.source_status(link.xero_status),
        "amount_paid": link.amount_paid,
        "amount_due": link.amount_due,
        "paid_date": link.paid_date,
        "url": link.url,
    }
    workspace, connection = run.connection.workspace_id, run.connection.id
    out: list[tuple[str, str, str | None, str | None, Mapping[str, Any]]] = []
    if was.status is not None and link.xero_status != was.status:
        changed = {**data, "previous_status": was.status}
        out.append((workspace, "document.status_changed", connection, was.document_id, changed))
    if fields:
        out.append(
            (
                workspace,
                "document.changed",
                connection,
                was.document_id,
                {**data, "changed": fields},
            )
        )
    paid_now = was.kind.source_status(link.xero_status) == "paid"
    if paid_now and was.kind.source_status(was.status) != "paid":
        out.append((workspace, "document.paid", connection, was.document_id, data))
    return out


def refresh_links(
    run: Run,
    document_links: dict[str, str],
    of_kind: Mapping[str, DocumentKind],
    *,
    summary: bool = False,
) -> None:
    """Read the current state of these documents in Xero (document id -> Xero id), batched per
    kind, and write it as any read back is (``apply_records``: the newest wins, each change
    told). Before an update is decided: a payment or a status change made in Xero since our
    last push decides whether the change may be sent at all. ``summary`` for "Refresh from
    Xero", which keeps the link's line ids as they were (``read_records``)."""
    groups: dict[str, tuple[DocumentKind, list[str]]] = {}
    for doc, xero_id in sorted(document_links.items()):
        kind = of_kind[doc]
        groups.setdefault(kind.resource, (kind, []))[1].append(xero_id)
    for kind, xero_ids in groups.values():
        records = read_records(run, kind, xero_ids, summary=summary)
        with run.factory() as session, session.begin():
            apply_records(session, run, records, kind.name)
