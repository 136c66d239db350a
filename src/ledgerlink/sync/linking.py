"""Links: what Xero said about each sent document, kept as the document's "Xero stamp".

A link is written from Xero's own record (a send's reply, a replay, a lookup, a refresh), never
from what we meant to send, so its status, amounts and line ids are Xero's; which fields a
record gives is the document's kind's to say. ``apply_reply`` settles every item of an intent in
one transaction with the links and the intent itself, so a crash leaves all of it or none.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import DocumentKind
from ledgerlink.store.db import core
from ledgerlink.store.members import one_of
from ledgerlink.store.models import Document, DocumentVersion, Link, QueueItem, SendIntent
from ledgerlink.store.twoway import XeroEvent
from ledgerlink.sync import lifecycle
from ledgerlink.sync.context import Run
from ledgerlink.sync.reference import store_records
from ledgerlink.xero import links, wire
from ledgerlink.xero.errors import validation_messages

log = logging.getLogger(__name__)
IDS_PER_GET = 50
WHERE_IDS = 25
SUMMARY_RESOURCES = ("Invoices",)

Record = dict[str, Any]


def element_ok(element: Record, id_field: str = "InvoiceID") -> bool:
    status = str(element.get("StatusAttributeString") or "").upper()
    if status:
        return status in ("OK", "WARNING")
    return not element.get("HasErrors") and bool(element.get(id_field))


_KEPT = ("xero_id", "xero_type", "xero_number", "xero_status", "total", "amount_due")
_KEPT_TOO = (
    "amount_paid",
    "amount_credited",
    "paid_date",
    "line_item_ids",
    "details",
    "xero_updated_at",
)
_NEW_LINK: dict[str, Any] = {
    "xero_id": None,
    "xero_number": None,
    "xero_type": None,
    "xero_status": None,
    "amount_due": None,
    "amount_paid": None,
    "total": None,
    "pushed_version": 0,
    "pushed_hash": None,
    "line_item_ids": [],
    "url": None,
    "amount_credited": None,
    "paid_date": None,
    "details": {},
    "refreshed_at": None,
    "xero_updated_at": None,
}


def _link_values(
    run: Run,
    old: Mapping[str, Any],
    record: Record,
    pushed: tuple[int, str] | None,
    kind: DocumentKind,
    extra: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """A link's columns after Xero's record of it, over its ``old`` values: what Xero's record
    leaves out stays as it was.

    A record older than the one the link holds (a lost reply settled after a pull read the
    document as Xero has it since) changes none of Xero's state on the link: the newest
    ``UpdatedDateUTC`` wins. What ledgerlink sent (``pushed``) is still recorded."""
    seen = wire.updated_at(record)
    held = old.get("xero_updated_at")
    if seen is not None and held is not None and seen < held:
        values: dict[str, Any] = {"xero_id": old.get("xero_id")}
    else:
        values = kind.link_values(record)
    out: dict[str, Any] = {"connection_id": run.connection.id}
    out["xero_id"] = str(values.get("xero_id") or old.get("xero_id"))
    out["xero_type"] = values.get("xero_type") or old.get("xero_type")
    for field in ("xero_number", "xero_status", "total", "amount_due", "amount_paid"):
        out[field] = values.get(field) or old.get(field)
    for field in ("amount_credited", "paid_date", "line_item_ids"):
        if field in values:
            out[field] = values[field]
    details = dict(old.get("details") or {})
    details.update(values.get("details") or {})
    details.update(extra or {})
    out["details"] = details
    out["url"] = _document_url(
        run.settings.xero_deeplink_url,
        run.connection.short_code,
        kind.deep_link_kind(out["xero_type"]),
        out["xero_id"],
    )
    if pushed is not None:
        out["pushed_version"], out["pushed_hash"] = pushed
    out["xero_updated_at"] = max((t for t in (seen, held) if t is not None), default=None)
    out["updated_at"] = run.now()
    return out


def upsert_link(
    session: Session,
    run: Run,
    document_id: str,
    record: Record,
    pushed: tuple[int, str] | None = None,
    *,
    kind: DocumentKind,
    extra: Mapping[str, Any] | None = None,
    known: Mapping[str, Link] | None = None,
) -> Link:
    """Write Xero's view of the document; ``pushed`` (version, hash) when this was our send;
    ``extra`` merges into the link's details (what the kind keeps besides Xero's fields).

    ``known``: the links of a batch read at once (``links_of``); a document missing from it
    has none, so no query per document."""
    link = known.get(document_id) if known is not None else session.get(Link, document_id)
    if link is None:
        link = Link(document_id=document_id, connection_id=run.connection.id, line_item_ids=[])
        session.add(link)
    old = {name: getattr(link, name) for name in (*_KEPT, *_KEPT_TOO)}
    for name, value in _link_values(run, old, record, pushed, kind, extra).items():
        setattr(link, name, value)
    return link


class NewLinks:
    """The links a reply creates, inserted in one statement (an ORM object each cost more
    than the rest of applying the reply); a document met twice is written once, as last seen.
    """

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    def add(
        self,
        run: Run,
        document_id: str,
        record: Record,
        pushed: tuple[int, str] | None,
        kind: DocumentKind,
        extra: Mapping[str, Any] | None,
    ) -> None:
        old = self.rows.get(document_id) or _NEW_LINK
        row = {**_NEW_LINK, **old, **_link_values(run, old, record, pushed, kind, extra)}
        row["document_id"] = document_id
        self.rows[document_id] = row

    def insert(self, session: Session) -> None:
        if self.rows:
            session.execute(insert(cast(Table, Link.__table__)), list(self.rows.values()))


_PLAIN_ID = re.compile(r"[0-9A-Za-z-]+")
_ID_SLOT = "LEDGERLINKXEROID"


@functools.lru_cache(maxsize=256)
def _url_template(base: str | None, short_code: str | None, kind: str) -> str | None:
    return links.document_url(base, short_code, kind, _ID_SLOT)


def _document_url(base: str | None, short_code: str | None, kind: str, xero_id: str) -> str | None:
    """``links.document_url``, built once per organisation and page: a Xero id (a GUID) reads
    the same URL-encoded, so it fills the slot as it is; anything else is encoded in full."""
    template = _url_template(base, short_code, kind)
    if template is None or not xero_id or not _PLAIN_ID.fullmatch(xero_id):
        return links.document_url(base, short_code, kind, xero_id)
    return template.replace(_ID_SLOT, xero_id)


def links_of(session: Session, document_ids: Iterable[str]) -> dict[str, Link]:
    """The links of these documents, read in a few ``IN`` queries (for ``upsert_link``)."""
    ids = sorted(set(document_ids))
    found: dict[str, Link] = {}
    for start in range(0, len(ids), 500):
        query = select(Link).where(one_of(Link.document_id, ids[start : start + 500]))
        found.update({link.document_id: link for link in session.scalars(query)})
    return found


def version_hashes(
    session: Session, pairs: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], str]:
    wanted = set(pairs)
    found: dict[tuple[str, int], str] = {}
    ids = sorted({doc for doc, _ in wanted})
    for start in range(0, len(ids), 500):
        query = select(
            DocumentVersion.document_id, DocumentVersion.version, DocumentVersion.content_hash
        ).where(one_of(DocumentVersion.document_id, ids[start : start + 500]))
        for doc, version, digest in core(session).execute(query):
            if (doc, version) in wanted:
                found[(doc, version)] = digest
    return found


def kinds_of(session: Session, document_ids: Iterable[str]) -> dict[str, DocumentKind]:
    """Each document's kind (for reading Xero's records of it)."""
    ids = sorted(set(document_ids))
    found: dict[str, DocumentKind] = {}
    for start in range(0, len(ids), 500):
        query = select(Document.id, Document.kind).where(
            one_of(Document.id, ids[start : start + 500])
        )
        found.update({doc: kinds.get(kind) for doc, kind in core(session).execute(query)})
    return found


def intent_items(session: Session, intent_id: str) -> list[QueueItem]:
    """Every unsettled item that rode on this intent (some may not be in this claim)."""
    query = select(QueueItem).where(
        QueueItem.intent_id == intent_id, QueueItem.state.in_(("queued", "in_flight", "failed"))
    )
    return list(session.scalars(query))


class _ItemRow(NamedTuple):
    id: str
    document_id: str
    version: int


def _intent_rows(session: Session, intent_id: str) -> list[_ItemRow]:
    """``intent_items`` as the three columns a reply needs."""
    query = select(QueueItem.id, QueueItem.document_id, QueueItem.version).where(
        QueueItem.intent_id == intent_id, QueueItem.state.in_(("queued", "in_flight", "failed"))
    )
    return [_ItemRow(*row) for row in core(session).execute(query)]


def apply_reply(
    run: Run,
    intent_id: str,
    elements: Sequence[Record | None],
    found_only: bool = False,
    *,
    extras: Sequence[Mapping[str, Any] | None] = (),
    late: bool = False,
) -> set[str]:
    """Settle the intent's items from Xero's elements (in the order the documents were sent).

    ``found_only``: the elements come from a lookup (None where the document was not found in
    Xero, so was never applied: its items go back to the queue without the intent). ``extras``:
    per element, details to keep on the link (the hash of what was written). ``late``: a
    replay's reply, settled after Xero may have changed the documents (a lookup is late too):
    Xero's webhook events about them that found no link then are routed again
    (``revive_events``). Returns the ids of the items settled here.
    """
    settled: set[str] = set()
    now = run.now()
    with run.factory() as session, session.begin():
        query = select(SendIntent.document_ids).where(SendIntent.id == intent_id)
        sent = core(session).scalar(query)
        if sent is None:
            return settled
        document_ids = list(sent)
        rows = _intent_rows(session, intent_id)
        by_doc: dict[str, list[_ItemRow]] = {}
        for row in rows:
            by_doc.setdefault(row.document_id, []).append(row)
        hashes = version_hashes(session, ((r.document_id, r.version) for r in rows))
        of_kind = kinds_of(session, document_ids)
        known = links_of(session, document_ids)
        fresh = NewLinks()
        outcomes: list[tuple[str, lifecycle.Outcome]] = []
        cached: dict[str, list[Record]] = {}
        for index, document_id in enumerate(document_ids):
            element = elements[index] if index < len(elements) else None
            kind = of_kind[document_id]
            extra = extras[index] if index < len(extras) else None
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
                elif element_ok(element, kind.id_field):
                    if kind.reference_list:
                        cached.setdefault(kind.reference_list, []).append(element)
                    pushed = (row.version, hashes.get((row.document_id, row.version), ""))
                    if document_id in known:
                        upsert_link(
                            session,
                            run,
                            document_id,
                            element,
                            pushed,
                            kind=kind,
                            extra=extra,
                            known=known,
                        )
                    else:
                        fresh.add(run, document_id, element, pushed, kind, extra)
                    outcomes.append((row.id, _after_write(kind, extra)))
                else:
                    messages = validation_messages(element) or [f"Xero refused the {kind.noun}."]
                    error = kind.refusal(messages)
                    outcomes.append((row.id, lifecycle.hold(error)))
                settled.add(row.id)
        fresh.insert(session)
        for list_name, records in cached.items():
            store_records(session, run.connection.id, list_name, records)
        if (late or found_only) and fresh.rows:
            revive_events(session, run, [str(r["xero_id"]) for r in fresh.rows.values()])
        state = lifecycle.IntentState.RESOLVED if found_only else lifecycle.IntentState.APPLIED
        lifecycle.set_intent_state(session, intent_id, state, now)
        lifecycle.settle(session, outcomes, now, run.policy, run.tally)
    return settled


def _after_write(kind: DocumentKind, extra: Mapping[str, Any] | None) -> lifecycle.Outcome:
    """Done, unless the kind has more to do once the document is in Xero (a credit note's
    allocations): then the item comes straight back for that, without the intent."""
    if extra and extra.get("follow_up"):
        return lifecycle.retry(None, delay=0, count=False, intent_id=None)
    return lifecycle.done()


def read_records(
    run: Run, kind: DocumentKind, xero_ids: Sequence[str], *, summary: bool = False
) -> list[Record]:
    """Xero's current records of these ids, in as few GETs as the resource allows: 50 per GET
    by ``IDs`` (invoices), 25 per ``where`` of ids joined by OR (credit notes, payments), else
    one GET each (purchase orders take neither).

    ``summary``: status and amounts are all the caller needs (a pull), so invoices are read as
    Xero's summary objects, without their lines (Xero takes ``summaryOnly`` on Invoices and
    Contacts only); a read before an update needs the line ids, so it stays whole."""
    found: list[Record] = []
    path = f"/{kind.resource}"
    if kind.read_by == "ids":
        for start in range(0, len(xero_ids), IDS_PER_GET):
            chunk = xero_ids[start : start + IDS_PER_GET]
            params = {"IDs": ",".join(chunk), "page": "1", "pageSize": "100"}
            params.update(kind.list_params)
            if summary and kind.resource in SUMMARY_RESOURCES:
                params["summaryOnly"] = "true"
            found += run.client.get(path, params).items(kind.resource)
    elif kind.read_by == "where":
        for start in range(0, len(xero_ids), WHERE_IDS):
            chunk = xero_ids[start : start + WHERE_IDS]
            where = " OR ".join(f'{kind.id_field}==guid("{x}")' for x in chunk)
            found += run.client.get(path, {"where": where, "page": "1"}).items(kind.resource)
    else:
        for xero_id in xero_ids:
            found += run.client.get(f"{path}/{xero_id}").items(kind.resource)
    return found


def revive_events(session: Session, run: Run, xero_ids: Sequence[str]) -> int:
    """Xero's webhook events about documents whose links were only just written (a lost reply
    settled late) found no link when they were routed, and were set aside as ignored; they go
    back to be routed again, now to a pull (``sync.xero_webhooks.route``)."""
    revived = session.execute(
        update(XeroEvent)
        .where(
            XeroEvent.tenant_id == run.connection.tenant_id.lower(),
            one_of(XeroEvent.resource_id, [x.lower() for x in xero_ids]),
            XeroEvent.state == "ignored",
        )
        .values({"state": "new"})
        .execution_options(synchronize_session=False)
    )
    return int(getattr(revived, "rowcount", 0) or 0)
