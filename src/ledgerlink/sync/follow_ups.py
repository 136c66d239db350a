"""What a kind writes once its document is in Xero (a credit note's allocations).

A follow-up is a write like any other: an intent first, the same Idempotency-Key on a replay,
and a lost reply settled by reading the document back (``settle_lost``), never by writing
again blindly. What was applied is kept on the document's link, so nothing is applied twice;
the item is done when nothing is left to follow up.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import DocumentKind
from ledgerlink.store.models import Link, SendIntent
from ledgerlink.sync import lifecycle, pause
from ledgerlink.sync.checks import Ready, view_of
from ledgerlink.sync.context import Run
from ledgerlink.sync.dispatch import dispatch
from ledgerlink.sync.linking import intent_items
from ledgerlink.xero import wire
from ledgerlink.xero.errors import validation_messages

log = logging.getLogger(__name__)
Record = dict[str, Any]


def send_follow_up(run: Run, ready: Ready) -> bool:
    """Write the document's follow-up; True when the round must stop."""
    work = ready.work
    link = view_of(work.link)
    assert link is not None
    try:
        follow = ready.kind.follow_up(work.document, link, ready.resolved)
    except LedgerlinkError as exc:
        _settle(run, [work.item_id], lifecycle.hold(exc))
        return False
    if follow is None:
        _finish(run, work.document_id, [work.item_id], {"follow_up": False})
        return False
    sent = dispatch(
        run, follow.method, follow.path, follow.body, [work.document_id], [work.item_id]
    )
    if sent.reply is not None and sent.intent is not None:
        pause.reached("reply_received")
        elements = sent.reply.items(next(iter(follow.body)))
        apply_follow_up(run, sent.intent, ready.kind, follow.body, elements)
        pause.reached("reply_applied")
        return False
    return sent.stop


def apply_follow_up(
    run: Run, intent: SendIntent, kind: DocumentKind, sent: Record, elements: Sequence[Record]
) -> None:
    """Keep what Xero applied on the link; the item is done, or held with Xero's reasons."""
    document_id = str(intent.document_ids[0])
    refused = [m for e in elements for m in validation_messages(e)]
    with run.factory() as session, session.begin():
        link = session.get(Link, document_id)
        ids = [row.id for row in intent_items(session, intent.id)]
        if link is not None:
            details = dict(link.details or {})
            details.update(kind.follow_up_applied(details, sent, elements))
            details["follow_up"] = bool(refused)
            link.details = details
            link.updated_at = run.now()
        if refused:
            error = LedgerlinkError("XERO_VALIDATION", "; ".join(refused), None)
            outcome = lifecycle.hold(error)
        else:
            outcome = lifecycle.done()
        lifecycle.set_intent_state(session, intent.id, lifecycle.IntentState.APPLIED, run.now())
        lifecycle.settle(session, ((i, outcome) for i in ids), run.now(), run.policy, run.tally)


def settle_lost(run: Run, intent: SendIntent, kind: DocumentKind) -> None:
    """A follow-up whose reply was lost: read the document back and keep what Xero applied;
    what it did not apply is sent again (the item goes back without the intent)."""
    sent = wire.decode(bytes(intent.body))
    read_path = intent.path.split("?", 1)[0].rsplit("/", 1)[0]
    records = run.client.get(read_path).items(kind.resource)
    document_id = str(intent.document_ids[0])
    with run.factory() as session, session.begin():
        link = session.get(Link, document_id)
        if link is not None and records:
            details = dict(link.details or {})
            details.update(kind.follow_up_found(details, sent, records[0]))
            link.details = details
            link.updated_at = run.now()
        lifecycle.set_intent_state(session, intent.id, lifecycle.IntentState.RESOLVED, run.now())
        again = lifecycle.retry(None, delay=0, count=False, intent_id=None)
        rows = intent_items(session, intent.id)
        lifecycle.settle(session, ((r.id, again) for r in rows), run.now(), run.policy, run.tally)


def _settle(run: Run, item_ids: list[str], outcome: lifecycle.Outcome) -> None:
    with run.factory() as session, session.begin():
        lifecycle.settle(
            session, ((i, outcome) for i in item_ids), run.now(), run.policy, run.tally
        )


def _finish(run: Run, document_id: str, item_ids: list[str], details: Record) -> None:
    with run.factory() as session, session.begin():
        link = session.get(Link, document_id)
        if link is not None:
            link.details = {**(link.details or {}), **details}
        lifecycle.settle(
            session, ((i, lifecycle.done()) for i in item_ids), run.now(), run.policy, run.tally
        )
