"""Settling sends whose outcome is unknown, before anything is sent again (invariant 2).

An item that still carries a pending intent was sent and its reply never recorded: the reply
was lost, Xero answered 5xx, or the worker died mid-call. Xero keeps an Idempotency-Key about
six minutes, so:

- a young intent is replayed byte for byte with its key: Xero answers with what it stored if
  it applied the request, or applies it now;
- an older one (or one Xero refused as a whole, possibly after applying part of it) is settled
  by looking the documents up as their kind says (invoices by their contacts, matched on the
  Url marker each sent document carries; credit notes and purchase orders by their numbers;
  payments among their document's payments); updates by their ids; a follow-up (a credit
  note's allocations) by reading the document back; contacts by refreshing the cached
  contacts, where the ContactNumber finds them. What is found is linked; what is not was never
  applied and is sent again under a new intent.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ledgerlink import kinds
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import DocumentKind
from ledgerlink.store.models import Document, DocumentVersion, Link, QueueItem, SendIntent, SyncJob
from ledgerlink.sync import jobs, lifecycle
from ledgerlink.sync.contacts import KEY_PREFIX, apply_contact_reply, groups_of
from ledgerlink.sync.context import Run, Work
from ledgerlink.sync.dispatch import attempt, fail, read_failed
from ledgerlink.sync.follow_ups import apply_follow_up, settle_lost
from ledgerlink.sync.linking import (
    apply_reply,
    intent_items,
    kinds_of,
    read_records,
    upsert_link,
)
from ledgerlink.sync.reference import refresh_reference
from ledgerlink.xero import wire
from ledgerlink.xero.errors import XeroError

log = logging.getLogger(__name__)
SETTLE_MARGIN = 5.0
Record = dict[str, Any]


def _is_contacts(intent: SendIntent) -> bool:
    return bool(intent.document_ids) and str(intent.document_ids[0]).startswith(KEY_PREFIX)


def _sent_elements(intent: SendIntent, key: str) -> list[Record]:
    data = wire.decode(bytes(intent.body))
    found = data.get(key) if isinstance(data, dict) else None
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def _kind(run: Run, intent: SendIntent) -> DocumentKind:
    with run.factory() as session:
        of_kind = kinds_of(session, intent.document_ids[:1])
    found = of_kind.get(str(intent.document_ids[0])) if intent.document_ids else None
    if found is None:
        raise LedgerlinkError("NOT_FOUND", f"intent {intent.id} names no stored document")
    return found


def _find_created(run: Run, intent: SendIntent, kind: DocumentKind) -> list[Record | None]:
    """Each sent document as Xero holds it now (found as its kind finds a lost create: an
    invoice by its Url marker, a credit note or PO by its number, a payment by its document,
    amount, date and reference), or None if it is not there. A record already linked to
    another document, or matched to an earlier element, is never taken."""
    sent = _sent_elements(intent, kind.resource)
    records: list[Record] = []
    for path, params in kind.lookup_queries(sent):
        records += run.client.get_all(path, kind.resource, params, 100)
    ids = [str(r.get(kind.id_field) or "") for r in records]
    mine = set(intent.document_ids)
    with run.factory() as session:
        taken = {
            xero_id.lower()
            for xero_id, doc in session.execute(
                select(Link.xero_id, Link.document_id).where(Link.xero_id.in_(ids[:900]))
            )
            if doc not in mine
        }
    found: list[Record | None] = []
    for element in sent:
        match = next(
            (
                r
                for r in records
                if str(r.get(kind.id_field) or "").lower() not in taken and kind.matches(element, r)
            ),
            None,
        )
        if match is not None:
            taken.add(str(match.get(kind.id_field) or "").lower())
        found.append(match)
    return found


def _find_updated(run: Run, intent: SendIntent, kind: DocumentKind) -> None:
    """Refresh the links of updated documents; the update is then decided and sent again."""
    sent = _sent_elements(intent, kind.resource)
    ids = [str(e.get(kind.id_field)) for e in sent if e.get(kind.id_field)]
    by_xero = {x.lower(): d for x, d in zip(ids, intent.document_ids, strict=False)}
    records = read_records(run, kind, ids) if ids else []
    with run.factory() as session, session.begin():
        for record in records:
            doc = by_xero.get(str(record.get(kind.id_field, "")).lower())
            if doc is not None:
                upsert_link(session, run, doc, record, kind=kind)
        lifecycle.set_intent_state(session, intent.id, "resolved", run.now())
        rows = intent_items(session, intent.id)
        again = lifecycle.retry(None, delay=0, count=False, intent_id=None)
        lifecycle.settle(session, ((r.id, again) for r in rows), run.now(), run.policy, run.tally)


def _look_up(run: Run, intent: SendIntent) -> None:
    if _is_contacts(intent):
        refresh_reference(run.factory, run.client, run.connection.id, ["contacts"])
        with run.factory() as session, session.begin():
            lifecycle.set_intent_state(session, intent.id, "resolved", run.now())
        run.tally.note(run.now(), f"intent {intent.id} ({intent.path}) settled by lookup")
        return
    kind = _kind(run, intent)
    if kind.is_follow_up(intent.path):
        settle_lost(run, intent, kind)
    elif intent.method == "PUT":
        found = _find_created(run, intent, kind)
        extras = _sent_details(run, intent)  # as when sent: a follow-up may be left
        apply_reply(run, intent.id, found, found_only=True, extras=extras)
    else:
        _find_updated(run, intent, kind)
    run.tally.note(run.now(), f"intent {intent.id} ({intent.path}) settled by lookup")


def _replay(run: Run, intent: SendIntent) -> bool:
    """Send the intent again unchanged; True when the round must stop."""
    sent = attempt(run, intent, replay=True)
    if sent.reply is None:
        return sent.stop
    if _is_contacts(intent):
        apply_contact_reply(
            run, intent.id, groups_of(intent.document_ids), sent.reply.items("Contacts")
        )
    else:
        kind = _kind(run, intent)
        body = wire.decode(bytes(intent.body))
        if kind.is_follow_up(intent.path):
            key = next(iter(body))
            apply_follow_up(run, intent, kind, body, sent.reply.items(key))
        else:
            elements = kind.reply_elements(sent.reply.data, len(intent.document_ids))
            details = _sent_details(run, intent)
            apply_reply(run, intent.id, elements, extras=details, late=True)
    run.tally.note(run.now(), f"intent {intent.id} replayed with its Idempotency-Key")
    return False


def _sent_details(run: Run, intent: SendIntent) -> list[dict[str, Any]]:
    """What the link keeps of each replayed document's write (as when it was first sent), as
    its own kind says: one request to an endpoint several kinds share (Invoices: invoices,
    bills, store orders, a pay run's bills) carries documents of each, and an order's details
    are not an invoice's."""
    out: list[dict[str, Any]] = []
    with run.factory() as session:
        rows = intent_items(session, intent.id)
        for document_id in intent.document_ids:
            row = next((r for r in rows if r.document_id == document_id), None)
            document = session.get(Document, document_id)
            if row is None or document is None:
                out.append({})
                continue
            version = session.scalars(
                select(DocumentVersion).where(
                    DocumentVersion.document_id == document_id,
                    DocumentVersion.version == row.version,
                )
            ).first()
            if version is None:
                out.append({})
                continue
            parsed = kinds.validate_document(document.kind, version.body)
            out.append(kinds.get(document.kind).write_details(parsed))
    return out


def resolve(
    run: Run, works: Sequence[Work], others: Collection[str] = ()
) -> tuple[list[Work], bool]:
    """Settle the intents these works carry, and ``others`` (open intents that block them).

    Returns the works free to be sent, and whether to stop. Intents are settled oldest first,
    so an older send of a document is settled before a newer one.
    """
    intent_ids = sorted({w.intent_id for w in works if w.intent_id} | set(others))
    with run.factory() as session:
        intents = {
            i.id: i
            for i in session.scalars(select(SendIntent).where(SendIntent.id.in_(intent_ids)))
        }
    stop = False
    for intent in sorted(intents.values(), key=lambda i: (i.created_at, i.id)):
        if stop or intent.state not in lifecycle.OPEN_INTENTS:
            continue
        age = run.now() - intent.created_at
        if _maybe_in_xeros_hands(run, intent):
            continue
        try:
            if intent.state == "pending" and age.total_seconds() < run.config.replay_window_seconds:
                stop = _replay(run, intent)
            else:
                _look_up(run, intent)
        except (XeroError, LedgerlinkError) as exc:
            # The lookup itself failed: nothing is known yet; the items keep their intent.
            with run.factory() as session:
                ids = [r.id for r in intent_items(session, intent.id)]
            read_failed(run, exc, ids)
            stop = True
    return _still_open(run, works), stop


def _process(owner: str) -> str:
    """The host and process of a worker's owner name (``host:pid:run``)."""
    return owner.rsplit(":", 1)[0]


def _maybe_in_xeros_hands(run: Run, intent: SendIntent) -> bool:
    """A send another worker made may still be in Xero's hands (that worker died mid-call):
    replaying its key then could be taken as a new request. Its items wait until no call could
    still be running (the client's read timeout, and a margin, after the intent was written)."""
    if intent.owner is None or _process(intent.owner) == _process(run.owner):
        return False  # ours, or another run of this process: its calls have all returned
    if not _ended_unfinished(run, intent.owner):
        return False  # its worker ended that run itself, after its last call returned
    longest = run.settings.xero_read_timeout
    ready = intent.created_at + timedelta(seconds=longest + min(SETTLE_MARGIN, longest / 2))
    if run.now() >= ready:
        return False
    later = lifecycle.retry(None, delay=(ready - run.now()).total_seconds(), count=False)
    with run.factory() as session, session.begin():
        rows = intent_items(session, intent.id)
        lifecycle.settle(session, ((r.id, later) for r in rows), run.now(), run.policy, run.tally)
    return True


def _ended_unfinished(run: Run, owner: str) -> bool:
    """Whether ``owner``'s last run on this connection did not finish by itself (it is still
    marked running, or was found abandoned): only then may a call of it be in Xero's hands."""
    with run.factory() as session:
        state = session.scalars(
            select(SyncJob.state)
            .where(SyncJob.connection_id == run.connection.id, SyncJob.owner == owner)
            .order_by(SyncJob.created_at.desc())
            .limit(1)
        ).first()
    return state is None or state in (jobs.RUNNING, jobs.ABANDONED)


def _still_open(run: Run, works: Sequence[Work]) -> list[Work]:
    """The works whose items are still ours to send (not settled by a replay or lookup)."""
    with run.factory() as session:
        ids = [w.item_id for w in works]
        rows = {r.id: r for r in session.scalars(select(QueueItem).where(QueueItem.id.in_(ids)))}
    free: list[Work] = []
    for work in works:
        row = rows.get(work.item_id)
        if row is None or row.state != "in_flight":
            continue
        if row.intent_id is not None:
            with run.factory() as session:
                intent = session.get(SendIntent, row.intent_id)
            if intent is not None and intent.state in ("pending", "lookup"):
                continue
        work.intent_id = None
        free.append(work)
    return free


__all__ = ["fail", "resolve"]
