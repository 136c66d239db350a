"""One unresolved send at a time per document and per contact (invariant 2 is kept here).

A send whose outcome is unknown (its intent is ``pending`` or ``lookup``: Xero may hold what it
carried) decides what every later send of the same document or contact must be: an update
rather than a create, "unchanged" only against what Xero really holds, a link to the contact
rather than a second one. So, before anything is decided for a claim, the worker keeps these
rules:

1. An open intent is settled (replayed with its Idempotency-Key, or looked up) before anything
   else is decided for the documents and contact keys (or contact names) it carries.
2. A document, contact key or contact name riding on an open intent that this claim does not
   carry waits for it: until that intent's own items are due, when both are claimed and the
   older send is settled first; or, when none of that intent's items is waiting (a person
   holds them, or they failed), the intent is settled in this round.
3. Every decision (create or update, unchanged or not, which contact) reads the links as they
   stand after those settlements, inside the transaction that decides, never a copy read before.
4. Of several versions of one document only the newest is sent; the older are superseded, so
   a superseded version never reaches Xero after a newer one.

``blockers`` applies rules 1 and 2; ``hold_back`` asks again later in the round (after settling,
so that a send whose replay or lookup failed still holds back every other version of its
documents and contacts; and before each kind's stage, so that a contact whose create an earlier
stage left unresolved is not created again for a credit note or a payment's invoice);
``send.screen`` applies 3 and 4.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerlink import kinds
from ledgerlink.store.members import one_of
from ledgerlink.store.models import QueueItem, SendIntent
from ledgerlink.sync import lifecycle
from ledgerlink.sync.contacts import groups_of
from ledgerlink.sync.context import Run, Work
from ledgerlink.sync.reference import normalise_name
from ledgerlink.xero import wire

CHUNK = 500


@dataclass
class Blockers:
    """Open intents this claim does not carry: to settle now, or to wait for (per item)."""

    settle_now: set[str] = field(default_factory=set)
    wait_until: dict[str, datetime] = field(default_factory=dict)
    # every blocked item, with the open intents that block it
    blocked: dict[str, set[str]] = field(default_factory=dict)


def _contact(work: Work) -> tuple[str, str] | None:
    """The work's (contact key, normalised name) when it may need a contact made for it."""
    ref = kinds.get(work.kind).contact(work.document) if work.document is not None else None
    if ref is None or ref.xero_contact_id:
        return None
    return ref.key, normalise_name(ref.name or ref.key)


def _document_intents(session: Session, works: Sequence[Work]) -> dict[str, set[str]]:
    """Open intents (not carried by these works) of other items of the same documents."""
    mine = {w.item_id for w in works}
    docs = sorted({w.document_id for w in works})
    found: dict[str, set[str]] = {}
    open_intents = select(SendIntent.id).where(SendIntent.state.in_(lifecycle.OPEN_INTENTS))
    for start in range(0, len(docs), CHUNK):
        query = select(QueueItem.id, QueueItem.document_id, QueueItem.intent_id).where(
            one_of(QueueItem.document_id, docs[start : start + CHUNK]),
            QueueItem.intent_id.in_(open_intents),
        )
        for item_id, document_id, intent_id in session.execute(query):
            if item_id not in mine and intent_id is not None:
                found.setdefault(document_id, set()).add(intent_id)
    return found


def _contact_intents(session: Session, connection_id: str) -> list[tuple[str, set[str]]]:
    """Each open contact-creating intent with the keys and normalised names it carries."""
    query = select(SendIntent).where(
        SendIntent.connection_id == connection_id,
        SendIntent.state.in_(lifecycle.OPEN_INTENTS),
        SendIntent.path.like("/Contacts%"),
    )
    found: list[tuple[str, set[str]]] = []
    for intent in session.scalars(query):
        marks = {"key:" + key for keys in groups_of(intent.document_ids or []) for key in keys}
        body = wire.decode(bytes(intent.body))
        sent = body.get("Contacts") if isinstance(body, dict) else None
        for element in sent if isinstance(sent, list) else []:
            if isinstance(element, dict) and element.get("Name"):
                marks.add("name:" + normalise_name(str(element["Name"])))
        found.append((intent.id, marks))
    return found


def _next_due(session: Session, intent_ids: set[str], mine: set[str]) -> dict[str, datetime]:
    """When each intent's waiting items (not ours) are next due; absent when none waits."""
    due: dict[str, datetime] = {}
    ids = sorted(intent_ids)
    for start in range(0, len(ids), CHUNK):
        query = select(QueueItem.id, QueueItem.intent_id, QueueItem.not_before).where(
            one_of(QueueItem.intent_id, ids[start : start + CHUNK]),
            QueueItem.state.in_(lifecycle.ACTIVE),
        )
        for item_id, intent_id, not_before in session.execute(query):
            if item_id in mine or intent_id is None:
                continue
            if intent_id not in due or not_before < due[intent_id]:
                due[intent_id] = not_before
    return due


def blockers(session: Session, run: Run, works: Sequence[Work]) -> Blockers:
    """Rules 1 and 2 for one claim: which open intents to settle first, which works wait."""
    carried = {w.intent_id for w in works if w.intent_id}
    by_document = _document_intents(session, works)
    contact_intents = [
        (i, marks) for i, marks in _contact_intents(session, run.connection.id) if i not in carried
    ]
    blocking: dict[str, set[str]] = {}
    for work in works:
        found = set(by_document.get(work.document_id, set()))
        contact = _contact(work)
        if contact is not None:
            key, name = contact
            found |= {i for i, marks in contact_intents if {"key:" + key, "name:" + name} & marks}
        found -= carried
        if found:
            blocking[work.item_id] = found
    result = Blockers(blocked=blocking)
    if not blocking:
        return result
    every = set().union(*blocking.values())
    due = _next_due(session, every, {w.item_id for w in works})
    now = run.now()
    result.settle_now = {i for i in every if i not in due or due[i] <= now}
    for item_id, intents in blocking.items():
        later = [due[i] for i in intents if i not in result.settle_now]
        if later:
            result.wait_until[item_id] = max(later)
    return result


def hold_back(run: Run, works: Sequence[Work]) -> list[Work]:
    """The works no open send blocks; the blocked wait (no attempt spent) until that send's
    items are due, and at least a second, so the round goes on without them."""
    with run.factory() as session:
        found = blockers(session, run, works)
    if not found.blocked:
        return list(works)
    now = run.now()
    soon = now + timedelta(seconds=1)
    outcomes = [
        (
            item_id,
            lifecycle.retry(
                None,
                delay=(max(found.wait_until.get(item_id, soon), soon) - now).total_seconds(),
                count=False,
            ),
        )
        for item_id in found.blocked
    ]
    with run.factory() as session, session.begin():
        lifecycle.settle(session, outcomes, now, run.policy, run.tally)
    return [w for w in works if w.item_id not in found.blocked]
