"""Sending one write to Xero and deciding, from what happened, what its items become.

``verdict`` is the one place that turns a failure into what happens next, from the action the
error carries (``ledgerlink.xero.errors.Action``); a failed write (``fail``) and a failed read
the items waited on (``read_failed``) both go through it. For invariant 2 (nothing twice):

- WAIT (a 429, our budget) and RETRY_LATER (the request never left, a read's 5xx): Xero applied
  nothing, so a write's intent is abandoned and the items may be sent again later;
- RESOLVE (a lost reply, a write's 5xx): Xero may have applied it, so the intent stays pending
  and the items keep it; the next attempt replays the same key or looks the documents up;
- LOOK_UP (a 400 on the whole request): possibly partly applied, so the intent is marked for
  lookup;
- HOLD_CONNECTION (401 after a renewed token, 403): nothing applied, but Xero refuses this
  connection: the items are held and the connection is marked for a reconnect.

Waiting on Xero never spends an attempt (invariant 1: Xero being down is not the document's
fault); only RETRY and LOOK_UP, where the request itself was refused, do.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.models import Connection, QueueItem, SendIntent
from ledgerlink.sync import events, lifecycle
from ledgerlink.sync.context import Run
from ledgerlink.xero import wire
from ledgerlink.xero.client import XeroReply
from ledgerlink.xero.errors import (
    Action,
    XeroBudgetExhausted,
    XeroError,
    XeroUnavailable,
    action_of,
)

log = logging.getLogger(__name__)
# Errors raised before a request could leave (the token endpoint did not answer): try again.
PASSING_CODES = frozenset({"XERO_UNAVAILABLE"})
# Our budget refused background work only (the day's reserve is kept for people's changes and
# pulls, or a backfill is spread over the day): what else is queued for the connection may go.
BACKGROUND_REASONS = frozenset({"reserve", "paced"})


@dataclass
class Sent:
    """A reply to apply, or None; ``stop`` asks the worker to leave this connection for now."""

    intent: SendIntent | None
    reply: XeroReply | None
    stop: bool = False


def _items_of(session: Session, intent_id: str) -> list[str]:
    query = select(QueueItem.id).where(
        QueueItem.intent_id == intent_id, QueueItem.state.in_(("queued", "in_flight"))
    )
    return list(session.scalars(query))


def mark_needs_reauth(
    session: Session, connection_id: str, now: datetime, reason: str = ""
) -> None:
    """Xero refuses the connection: no worker leases it until a person connects it again (the
    source app is told once, as it happens)."""
    connection = session.get(Connection, connection_id)
    if connection is not None and connection.status == conns.ACTIVE:
        connection.status = conns.NEEDS_REAUTH
        events.needs_reauth(session, connection, now, reason)


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


@dataclass(frozen=True)
class Verdict:
    """What a failure means: for the items, for a write's intent, for the connection."""

    outcome: lifecycle.Outcome
    intent_state: str  # a write's intent: pending | lookup | abandoned
    pause: float | None = None  # Xero asked us to wait: nothing of the connection before then
    reconnect: bool = False  # Xero refuses the connection
    down: bool = False  # Xero could not serve the call
    offline: bool = False  # the organisation said it is offline


def verdict(exc: XeroError | LedgerlinkError) -> Verdict:
    """The one decision on what a failed call means (see the module's docstring)."""
    action = action_of(exc)
    error = exc.as_error() if isinstance(exc, XeroError) else exc
    offline = isinstance(exc, XeroUnavailable) and exc.organisation_offline
    if action is Action.WAIT:
        pause = (exc.wait_seconds if isinstance(exc, XeroError) else None) or 1.0
        error = LedgerlinkError("XERO_RATE_LIMITED", str(exc))
        outcome = lifecycle.retry(error, delay=pause, count=False, intent_id=None)
        if isinstance(exc, XeroBudgetExhausted) and exc.reason in BACKGROUND_REASONS:
            # Only background work is out of budget: a person's change or a pull may still go.
            return Verdict(outcome, "abandoned")
        return Verdict(outcome, "abandoned", pause=pause)
    if action is Action.RETRY_LATER:
        return Verdict(
            lifecycle.wait(error, intent_id=None), "abandoned", down=True, offline=offline
        )
    if action is Action.RESOLVE:
        return Verdict(lifecycle.wait(error), "pending", down=True, offline=offline)
    if action is Action.LOOK_UP:
        return Verdict(lifecycle.retry(error, count=True), "lookup")
    if action is Action.HOLD_CONNECTION:
        if isinstance(exc, XeroError) and exc.xero_status == 401:
            message = f"{exc.message}, and a newly fetched one too: connect the organisation again."
            error = LedgerlinkError(exc.code, message, "connection_id")
        return Verdict(lifecycle.hold(error), "abandoned", reconnect=True)
    if action is Action.HOLD_DOCUMENT:
        return Verdict(lifecycle.hold(error), "abandoned")
    return Verdict(lifecycle.retry(error, count=True, intent_id=None), "abandoned")


def _apply(session: Session, run: Run, found: Verdict, item_ids: Sequence[str]) -> None:
    outcome = found.outcome
    lifecycle.settle(session, ((i, outcome) for i in item_ids), run.now(), run.policy, run.tally)
    if found.pause is not None:
        _pause_connection(session, run, found.pause)
    if found.reconnect:
        reason = outcome.error.message if outcome.error is not None else ""
        mark_needs_reauth(session, run.connection.id, run.now(), reason)


def fail(run: Run, intent: SendIntent, exc: Exception, *, replay: bool = False) -> bool:
    """Record a failed send of ``intent`` on it and its items; True to stop the round.

    On a replay, an attempt that Xero did not apply says nothing about the first send, which
    may have been applied: the intent stays open and the items keep it. One failed write does
    not end the round (its items wait out their back-off while the other batches go on) unless
    Xero asked us to wait, refuses the connection, or looks down: the organisation is offline,
    or two writes running could not be served.
    """
    if not isinstance(exc, XeroError | LedgerlinkError):
        raise exc
    found = verdict(exc)
    state = found.intent_state
    outcome = found.outcome
    if replay and state != "lookup":
        state = intent.state
        outcome = replace(outcome, intent_id=lifecycle.KEEP)
    run.unavailable_streak = run.unavailable_streak + 1 if found.down else 0
    stop = (
        found.pause is not None or found.reconnect or found.offline or run.unavailable_streak >= 2
    )
    log.warning("send %s %s failed (%s): intent %s", intent.method, intent.path, exc, state)
    with run.failing, run.factory() as session, session.begin():
        lifecycle.set_intent_state(session, intent.id, state, run.now())
        _apply(session, run, replace(found, outcome=outcome), _items_of(session, intent.id))
    run.tally.note(run.now(), f"{intent.method} {intent.path}: {exc}")
    return stop


def read_failed(run: Run, exc: XeroError | LedgerlinkError, item_ids: Sequence[str]) -> None:
    """A read the items waited on failed (no write of theirs was in flight); settle them.

    The items keep any intent they carry: a lookup that failed settles nothing about it.
    """
    found = verdict(exc)
    found = replace(found, outcome=replace(found.outcome, intent_id=lifecycle.KEEP))
    log.warning("reading from Xero failed (%s): %d items wait", exc, len(item_ids))
    with run.failing, run.factory() as session, session.begin():
        _apply(session, run, found, item_ids)
    run.tally.note(run.now(), f"reading from Xero failed: {exc}")


def attempt(run: Run, intent: SendIntent, *, replay: bool = False) -> Sent:
    """Send (or replay) an intent (a 401 is sent once more by the client, with a new token)."""
    try:
        reply = run.send(intent)
    except (XeroError, LedgerlinkError) as exc:
        return Sent(intent, None, fail(run, intent, exc, replay=replay))
    run.unavailable_streak = 0
    return Sent(intent, reply)


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
