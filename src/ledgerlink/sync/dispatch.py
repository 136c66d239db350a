"""Sending one write to Xero and deciding, from what happened, what its items become.

Each failure means something different for invariant 2 (nothing twice):

- 429, our own limiter's budget, a request that never left: Xero applied nothing, so the
  intent is abandoned and the items may be sent again (a 429 is not a failed attempt);
- 401 or 403: Xero applied nothing either, but it refuses this connection (the client has
  already sent a 401 once more with a renewed token), so the items are held and the connection
  is marked for a reconnect rather than tried again and again;
- a lost reply or a 5xx: Xero may have applied it, so the intent stays pending and the items
  keep it; the next attempt replays the same key or looks the documents up;
- a 400 on the whole request: possibly partly applied, so the intent is marked for lookup.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.models import Connection, QueueItem, SendIntent
from ledgerlink.sync import settle
from ledgerlink.sync.context import Run
from ledgerlink.xero import wire
from ledgerlink.xero.client import XeroReply
from ledgerlink.xero.errors import (
    XeroBudgetExhausted,
    XeroError,
    XeroForbidden,
    XeroRateLimited,
    XeroTransportError,
    XeroUnauthorized,
    XeroUnavailable,
    XeroValidation,
)

log = logging.getLogger(__name__)
# Errors raised before a request could leave (the token endpoint did not answer): try again.
PASSING_CODES = frozenset({"XERO_UNAVAILABLE"})


@dataclass
class Sent:
    """A reply to apply, or None; ``stop`` asks the worker to leave this connection for now."""

    intent: SendIntent | None
    reply: XeroReply | None
    stop: bool = False


def set_intent_state(session: Session, intent_id: str, state: str, run: Run) -> None:
    row = session.get(SendIntent, intent_id)
    if row is not None:
        row.state = state
        if state != "pending":
            row.finished_at = run.now()


def _items_of(session: Session, intent_id: str) -> list[str]:
    query = select(QueueItem.id).where(
        QueueItem.intent_id == intent_id, QueueItem.state.in_(("queued", "in_flight"))
    )
    return list(session.scalars(query))


def mark_needs_reauth(session: Session, connection_id: str) -> None:
    """Xero refuses the connection: no worker leases it until a person connects it again."""
    connection = session.get(Connection, connection_id)
    if connection is not None and connection.status == conns.ACTIVE:
        connection.status = conns.NEEDS_REAUTH


def _pause_connection(session: Session, run: Run, seconds: float) -> None:
    """Xero (or our budget) said wait: nothing of this connection is due before then."""
    until = run.now() + timedelta(seconds=seconds)
    session.execute(
        update(QueueItem)
        .where(
            QueueItem.connection_id == run.connection.id,
            QueueItem.state.in_(("queued", "in_flight")),
            QueueItem.not_before < until,
        )
        .values(not_before=until)
        .execution_options(synchronize_session=False)
    )


def fail(run: Run, intent: SendIntent, exc: Exception, *, replay: bool = False) -> bool:
    """Record a failed send of ``intent`` on it and its items; True to stop the round.

    On a replay, an attempt that Xero did not apply says nothing about the first send, which
    may have been applied: the intent stays pending and the items keep it.
    """
    outcome: settle.Outcome
    state = "abandoned"
    stop = True
    if isinstance(exc, XeroRateLimited | XeroBudgetExhausted):
        wait = exc.retry_after if isinstance(exc, XeroRateLimited) else exc.delay
        error = LedgerlinkError("XERO_RATE_LIMITED", str(exc))
        outcome = settle.retry(error, delay=wait or 1.0, count=False, intent_id=None)
    elif isinstance(exc, XeroForbidden):
        outcome = settle.hold(exc.as_error())
    elif isinstance(exc, XeroUnauthorized):
        message = f"{exc.message}, and a newly fetched one too: connect the organisation again."
        outcome = settle.hold(LedgerlinkError(exc.code, message, "connection_id"))
    elif isinstance(exc, XeroTransportError) and not exc.request_sent:
        outcome = settle.retry(exc.as_error(), count=True, intent_id=None)
    elif isinstance(exc, XeroTransportError | XeroUnavailable):
        state = "pending"
        outcome = settle.retry(exc.as_error(), count=True)
    elif isinstance(exc, XeroValidation):
        state, stop = "lookup", False
        outcome = settle.retry(exc.as_error(), count=True)
    elif isinstance(exc, XeroError):
        outcome, stop = settle.retry(exc.as_error(), count=True, intent_id=None), False
    elif isinstance(exc, LedgerlinkError) and exc.code in PASSING_CODES:
        outcome = settle.retry(exc, count=True, intent_id=None)  # no token: nothing was sent
    elif isinstance(exc, LedgerlinkError):
        outcome = settle.hold(exc)
    else:
        raise exc
    if replay and state != "lookup":
        state = intent.state
        outcome = replace(outcome, intent_id=settle.KEEP)
    log.warning("send %s %s failed (%s): intent %s", intent.method, intent.path, exc, state)
    with run.factory() as session, session.begin():
        set_intent_state(session, intent.id, state, run)
        ids = _items_of(session, intent.id)
        settle.settle(session, ((i, outcome) for i in ids), run.now(), run.policy, run.tally)
        if isinstance(exc, XeroRateLimited | XeroBudgetExhausted):
            _pause_connection(session, run, outcome.delay or 1.0)
        if isinstance(exc, XeroForbidden | XeroUnauthorized):
            mark_needs_reauth(session, run.connection.id)
    run.tally.note(run.now(), f"{intent.method} {intent.path}: {exc}")
    return stop


def read_failed(run: Run, exc: XeroError | LedgerlinkError, item_ids: Sequence[str]) -> None:
    """A read the items waited on failed (no write of theirs was in flight); settle them.

    A 401 or 403 holds them and marks the connection for a reconnect; a 429 or our own budget
    pauses the connection (not an attempt); anything else is tried again after the back-off.
    The items keep any intent they carry: a lookup that failed settles nothing about it.
    """
    outcome: settle.Outcome
    pause: float | None = None
    if isinstance(exc, XeroRateLimited | XeroBudgetExhausted):
        pause = (exc.retry_after if isinstance(exc, XeroRateLimited) else exc.delay) or 1.0
        error = LedgerlinkError("XERO_RATE_LIMITED", str(exc))
        outcome = settle.retry(error, delay=pause, count=False)
    elif isinstance(exc, XeroForbidden | XeroUnauthorized):
        outcome = settle.hold(exc.as_error())
    elif isinstance(exc, XeroError):
        outcome = settle.retry(exc.as_error(), count=True)
    elif exc.code in PASSING_CODES:
        outcome = settle.retry(exc, count=True)
    else:
        outcome = settle.hold(exc)
    log.warning("reading from Xero failed (%s): %d items wait", exc, len(item_ids))
    with run.factory() as session, session.begin():
        settle.settle(session, ((i, outcome) for i in item_ids), run.now(), run.policy, run.tally)
        if pause is not None:
            _pause_connection(session, run, pause)
        if isinstance(exc, XeroForbidden | XeroUnauthorized):
            mark_needs_reauth(session, run.connection.id)
    run.tally.note(run.now(), f"reading from Xero failed: {exc}")


def attempt(run: Run, intent: SendIntent, *, replay: bool = False) -> Sent:
    """Send (or replay) an intent (a 401 is sent once more by the client, with a new token)."""
    try:
        return Sent(intent, run.send(intent))
    except (XeroError, LedgerlinkError) as exc:
        return Sent(intent, None, fail(run, intent, exc, replay=replay))


def dispatch(
    run: Run,
    method: str,
    path: str,
    body: object,
    document_ids: Sequence[str],
    item_ids: Sequence[str],
) -> Sent:
    """Commit an intent for this write, then send it once."""
    intent = run.write_intent(method, path, wire.encode(body), document_ids, item_ids)
    if intent is None:
        return Sent(None, None, stop=True)
    return attempt(run, intent)
