"""Settling sends whose outcome is unknown, before anything is sent again (invariant 2).

An item that still carries a pending intent was sent and its reply never recorded: the reply
was lost, Xero answered 5xx, or the worker died mid-call. Xero keeps an Idempotency-Key about
six minutes, so:

- a young intent is replayed byte for byte with its key: Xero answers with what it stored if
  it applied the request, or applies it now;
- an older one (or one Xero refused as a whole, possibly after applying part of it) is settled
  by looking the documents up: invoices by their contacts, matched on the Url marker each sent
  document carries; updates by their InvoiceIDs; contacts by refreshing the cached contacts,
  where the ContactNumber finds them. What is found is linked; what is not was never applied
  and is sent again under a new intent.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.models import SendIntent, SyncJob
from ledgerlink.sync import jobs, lifecycle
from ledgerlink.sync.contacts import KEY_PREFIX, apply_contact_reply, groups_of
from ledgerlink.sync.context import Run, Work
from ledgerlink.sync.dispatch import attempt, fail, read_failed
from ledgerlink.sync.linking import apply_invoice_reply, intent_items, upsert_link
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


def _find_created(run: Run, intent: SendIntent) -> list[Record | None]:
    """Each sent invoice as Xero holds it now (by its Url marker), or None if not there."""
    sent = _sent_elements(intent, "Invoices")
    contacts = sorted({str(e.get("Contact", {}).get("ContactID", "")) for e in sent} - {""})
    by_url: dict[str, Record] = {}
    for start in range(0, len(contacts), 50):
        params = {"ContactIDs": ",".join(contacts[start : start + 50])}
        for record in run.client.get_all("/Invoices", "Invoices", params, 1000):
            if record.get("Url") and record.get("Status") != "DELETED":
                by_url.setdefault(str(record["Url"]), record)
    return [by_url.get(str(e.get("Url") or "")) for e in sent]


def _find_updated(run: Run, intent: SendIntent) -> None:
    """Refresh the links of updated invoices; the update is then decided and sent again."""
    sent = _sent_elements(intent, "Invoices")
    ids = [str(e.get("InvoiceID")) for e in sent if e.get("InvoiceID")]
    by_xero = {x.lower(): d for x, d in zip(ids, intent.document_ids, strict=False)}
    params = {"IDs": ",".join(ids), "page": "1", "pageSize": "100"}
    records = run.client.get("/Invoices", params).items("Invoices") if ids else []
    with run.factory() as session, session.begin():
        for record in records:
            doc = by_xero.get(str(record.get("InvoiceID", "")).lower())
            if doc is not None:
                upsert_link(session, run, doc, record)
        lifecycle.set_intent_state(session, intent.id, "resolved", run.now())
        rows = intent_items(session, intent.id)
        again = lifecycle.retry(None, delay=0, count=False, intent_id=None)
        lifecycle.settle(session, ((r.id, again) for r in rows), run.now(), run.policy, run.tally)


def _look_up(run: Run, intent: SendIntent) -> None:
    if _is_contacts(intent):
        refresh_reference(run.factory, run.client, run.connection.id, ["contacts"])
        with run.factory() as session, session.begin():
            lifecycle.set_intent_state(session, intent.id, "resolved", run.now())
    elif intent.method == "PUT":
        apply_invoice_reply(run, intent.id, _find_created(run, intent), found_only=True)
    else:
        _find_updated(run, intent)
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
        apply_invoice_reply(run, intent.id, sent.reply.items("Invoices"))
    run.tally.note(run.now(), f"intent {intent.id} replayed with its Idempotency-Key")
    return False


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
    from ledgerlink.store.models import QueueItem

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
