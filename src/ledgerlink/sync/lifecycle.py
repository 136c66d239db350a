"""The one owner of the queue item's and the send intent's lifecycle: states and transitions.

Nothing else changes an item's state or an intent's; each change is a named transition here.

A queue item (one version of one document, to be pushed to one connection)::

    new_item ──> queued ──claim──> in_flight ──settle──> done | needs_attention | superseded
                   ^  ^                │                      | queued (retry or wait)
                   │  └──release───────┘ (a run ends, a dead worker's lease is taken over)
                   │                                                   | failed (attempts spent)
                   └── requeue (a person's retry; a reconnect) <── needs_attention | failed
                                                                        | dismissed
    queued, needs_attention, failed ──supersede_older──> superseded (a newer version arrived)
    needs_attention, failed ──dismiss (a person's)──> dismissed

A dismissed item is kept to be read and is never claimed; a newer version of its document is
queued and sent as any other (the dismissal was of that version), and a person's retry brings
it back. An item whose send may have reached Xero (its intent is open) is not dismissed: that
send is settled first, or "never sent" would not be true.

A send intent (written before a write is sent; its id makes the Idempotency-Key)::

    pending ──reply recorded──> applied          lookup ──looked up──> resolved
       │ ──replay or lookup──> applied | resolved
       │ ──nothing was applied (429, never sent, refused)──> abandoned
       └ ──whole request refused (400)──> lookup

``pending`` and ``lookup`` are open: Xero may hold what they carried, so their items keep them
and nothing of their documents or contacts is sent anew until they settle (``inflight``).

What becomes of an item after an attempt is an ``Outcome``, in words a person reads on the
queue page, applied by ``settle``, so the rules hold everywhere: an error is always a code, a
sentence and a field; a retry backs off and counts the attempt only when the document or its
request was at fault: waiting on Xero (down, a lost reply, a 429) counts a *wait*, which grows
the back-off and never uses up attempts, so an outage of any length ends nothing in ``failed``.
After the last attempt the item is ``failed`` with the last error, still visible and retryable
by a person; and an item keeps its intent while that intent may have reached Xero, so it is
resolved before anything is sent again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, or_, select, update
from sqlalchemy.orm import Session

from ledgerlink import logs
from ledgerlink.config import positive_from_env
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.db import core
from ledgerlink.store.members import one_of
from ledgerlink.store.models import Document, Link, QueueItem, SendIntent, new_id
from ledgerlink.sync import events
from ledgerlink.sync.jobs import JobTally

KEEP = "keep"
CHUNK = 500
_ITEMS = cast(Table, QueueItem.__table__)
POLICY_ENV: tuple[tuple[str, str, type[Any]], ...] = (
    ("LEDGERLINK_MAX_ATTEMPTS", "max_attempts", int),
    ("LEDGERLINK_BACKOFF_SECONDS", "backoff_seconds", float),
    ("LEDGERLINK_BACKOFF_MAX_SECONDS", "backoff_max_seconds", float),
)


class ItemState(StrEnum):
    QUEUED = "queued"
    IN_FLIGHT = "in_flight"
    DONE = "done"
    NEEDS_ATTENTION = "needs_attention"
    FAILED = "failed"
    SUPERSEDED = "superseded"
    DISMISSED = "dismissed"


class IntentState(StrEnum):
    PENDING = "pending"
    LOOKUP = "lookup"
    APPLIED = "applied"
    RESOLVED = "resolved"
    ABANDONED = "abandoned"


ACTIVE = (ItemState.QUEUED, ItemState.IN_FLIGHT)
FINAL = (ItemState.DONE, ItemState.SUPERSEDED, ItemState.DISMISSED)
HELD = (ItemState.NEEDS_ATTENTION, ItemState.FAILED)
RETRYABLE = (*HELD, ItemState.DISMISSED)
OPEN_INTENTS = (IntentState.PENDING, IntentState.LOOKUP)
# Codes an item is held with because Xero refused the connection, not the document.
ACCESS_CODES = ("CONNECTION_NEEDS_REAUTH", "XERO_UNAUTHORIZED", "XERO_FORBIDDEN")


@dataclass(frozen=True)
class Policy:
    """How often and how patiently a failing item is tried again."""

    max_attempts: int = 8
    backoff_seconds: float = 5.0
    backoff_max_seconds: float = 900.0

    @classmethod
    def from_env(cls) -> Policy:
        """The defaults, or ``LEDGERLINK_MAX_ATTEMPTS``, ``LEDGERLINK_BACKOFF_SECONDS`` (the
        first wait, doubled each time) and ``LEDGERLINK_BACKOFF_MAX_SECONDS`` (the longest)."""
        base = cls()
        found: dict[str, Any] = {}
        for name, attr, kind in POLICY_ENV:
            value = positive_from_env(name, kind)
            if value is not None:
                found[attr] = value
        return replace(base, **found)

    def backoff(self, attempts: int) -> float:
        return min(self.backoff_max_seconds, self.backoff_seconds * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Outcome:
    """``state``: done | needs_attention | queued | superseded (failed is decided here)."""

    state: str
    error: LedgerlinkError | None = None
    delay: float | None = None
    count_attempt: bool = False
    intent_id: str | None = KEEP
    note: str = ""
    count_wait: bool = False


def done(note: str = "") -> Outcome:
    return Outcome("done", note=note)


def hold(error: LedgerlinkError) -> Outcome:
    return Outcome("needs_attention", error=error)


def not_applicable(error: LedgerlinkError) -> Outcome:
    """Done without a call: the connection's settings leave nothing to send (a stock movement
    while inventory is not valued). ``error`` says why on the item (no "synced" event)."""
    return Outcome("done", note="unchanged", error=error)


def retry(
    error: LedgerlinkError | None,
    *,
    delay: float | None = None,
    count: bool = True,
    intent_id: str | None = KEEP,
) -> Outcome:
    return Outcome("queued", error=error, delay=delay, count_attempt=count, intent_id=intent_id)


def wait(
    error: LedgerlinkError, *, delay: float | None = None, intent_id: str | None = KEEP
) -> Outcome:
    """Xero could not be reached or asked us to wait: back off (growing), spend no attempt."""
    return Outcome("queued", error=error, delay=delay, intent_id=intent_id, count_wait=True)


def superseded() -> Outcome:
    return Outcome("superseded", note="a newer version replaced it")


# What settling reads of a queue row, and what an outcome may write.
_READ = (QueueItem.id, QueueItem.document_id, QueueItem.attempts, QueueItem.waits, QueueItem.job_id)
_WRITTEN = (
    "intent_id",
    "attempts",
    "waits",
    "error_code",
    "error_message",
    "error_field",
    "not_before",
    "state",
    "updated_at",
    "job_id",
)


class _Row:
    """The columns of a queue row an outcome reads and writes (``apply``), without an ORM
    object: settling thousands of items a minute made those a large part of the cost."""

    __slots__ = ("id", "document_id", *_WRITTEN)
    state: str

    def __init__(self, **values: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, values.get(name))


def apply(row: Any, outcome: Outcome, now: datetime, policy: Policy, tally: JobTally) -> set[str]:
    """Write one outcome on a queue row's values; the names of the columns it set."""
    changed = {"state", "updated_at"}
    state = outcome.state
    if outcome.intent_id != KEEP:
        row.intent_id = outcome.intent_id
        changed.add("intent_id")
    if outcome.count_attempt:
        row.attempts += 1
        changed.add("attempts")
    if outcome.count_wait:
        row.waits = (row.waits or 0) + 1
        changed.add("waits")
    if outcome.error is not None:
        row.error_code = outcome.error.code
        row.error_message = outcome.error.message[:4000]
        row.error_field = outcome.error.field
        changed |= {"error_code", "error_message", "error_field"}
    elif state in ("done", "superseded"):
        row.error_code = row.error_message = row.error_field = None
        changed |= {"error_code", "error_message", "error_field"}
    if state == "queued":
        if outcome.count_attempt and row.attempts >= policy.max_attempts:
            state = "failed"
            tally.add("failed")
        else:
            delay = outcome.delay
            if delay is None and outcome.count_wait:
                delay = policy.backoff(row.waits)
            elif delay is None:
                delay = policy.backoff(row.attempts) if outcome.count_attempt else 0.0
            row.not_before = now + timedelta(seconds=max(0.0, delay))
            changed.add("not_before")
            tally.add("retrying")
    elif state == "done":
        tally.add("synced" if outcome.note != "unchanged" else "unchanged")
    elif state == "needs_attention":
        tally.add("held")
    row.state = state
    row.updated_at = now
    if row.job_id is None:
        row.job_id = tally.job_id
        changed.add("job_id")
    if outcome.note and state != "done":
        tally.note(now, f"{row.document_id}: {outcome.note}")
    elif outcome.error is not None and state != "queued":
        tally.note(now, f"{row.document_id}: {outcome.error.code} {outcome.error.message[:200]}")
    return changed


def settle(
    session: Session,
    outcomes: Iterable[tuple[str, Outcome]],
    now: datetime,
    policy: Policy,
    tally: JobTally,
) -> None:
    """Apply outcomes by item id: one query reads the rows, and one UPDATE writes each set of
    items given the same values (a reply's fifty "done" are one statement); the source app's
    events of what was synced or held go in the same transaction (``events.tell_settled``)."""
    chosen = dict(outcomes)
    if not chosen:
        return
    ids = list(chosen)
    groups: dict[tuple[tuple[str, Any], ...], list[str]] = {}
    told: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), CHUNK):
        query = (
            select(*_READ, *events.TOLD_COLUMNS)
            .join(Document, Document.id == QueueItem.document_id)
            .outerjoin(Link, Link.document_id == QueueItem.document_id)
            .where(one_of(QueueItem.id, ids[start : start + CHUNK]))
        )
        for found in core(session).execute(query):
            item_id, document_id = str(found[0]), str(found[1])
            attempts, waits, job_id = found[2], found[3], found[4]
            row = _Row(
                id=item_id, document_id=document_id, attempts=attempts, waits=waits, job_id=job_id
            )
            outcome = chosen[item_id]
            changed = apply(row, outcome, now, policy, tally)
            key = tuple((name, getattr(row, name)) for name in _WRITTEN if name in changed)
            groups.setdefault(key, []).append(item_id)
            if events.settled_type(row.state, outcome.note) is not None:
                told.append((row.state, outcome, document_id, *found[len(_READ) :]))
    for key, members in groups.items():
        for start in range(0, len(members), CHUNK):
            _move(session, [one_of(QueueItem.id, members[start : start + CHUNK])], dict(key))
    events.tell_settled(session, told, now)


# the other transitions -------------------------------------------------------------------


def new_item(
    workspace_id: str, connection_id: str, document_id: str, version: int, now: datetime
) -> QueueItem:
    """A push of one new version, due now, keeping the REST request's id (``X-Request-ID``)
    when queued while serving one, so the send's log lines carry it."""
    return QueueItem(**new_item_row(workspace_id, connection_id, document_id, version, now))


def new_item_row(
    workspace_id: str,
    connection_id: str,
    document_id: str,
    version: int,
    now: datetime,
    not_before: datetime | None = None,
) -> dict[str, Any]:
    """``new_item`` as the row's values, for a bulk insert (intake queues thousands at once);
    ``not_before``: when a scheduled connection's schedule next fires (default: now)."""
    return {
        "id": new_id(),
        "workspace_id": workspace_id,
        "connection_id": connection_id,
        "document_id": document_id,
        "version": version,
        "operation": "push",
        "state": ItemState.QUEUED,
        "attempts": 0,
        "waits": 0,
        "not_before": not_before or now,
        "created_at": now,
        "updated_at": now,
        "request_id": logs.request_id(),
    }


def new_intent(
    connection_id: str,
    method: str,
    path: str,
    body: bytes,
    document_ids: Sequence[str],
    now: datetime,
    owner: str | None = None,
) -> SendIntent:
    """A write about to be sent by ``owner``: pending, its Idempotency-Key from its id."""
    intent_id = new_id()
    return SendIntent(
        id=intent_id,
        connection_id=connection_id,
        idempotency_key=f"ledgerlink-{intent_id}",
        method=method,
        path=path,
        body=body,
        document_ids=list(document_ids),
        state=IntentState.PENDING,
        created_at=now,
        owner=owner,
    )


def intent_row(intent: SendIntent) -> dict[str, Any]:
    """An intent not yet stored, as its table row's values (for a Core INSERT)."""
    table = cast(Table, SendIntent.__table__)
    values = {column.name: getattr(intent, column.key) for column in table.columns}
    return {name: value for name, value in values.items() if value is not None}


def _move(session: Session, where: Sequence[ColumnElement[bool]], values: dict[str, Any]) -> int:
    """One UPDATE of queue rows, as Core (queue rows loaded as objects in this session are not
    refreshed: callers read states afresh)."""
    result = core(session).execute(update(_ITEMS).where(*where).values(**values))
    return int(result.rowcount)


def claim(session: Session, ids: Sequence[str], now: datetime) -> int:
    """queued -> in_flight: these items are ours to decide on (the caller holds the lease)."""
    where = [one_of(QueueItem.id, ids), QueueItem.state == ItemState.QUEUED]
    return _move(session, where, {"state": ItemState.IN_FLIGHT, "updated_at": now})


def release(session: Session, connection_id: str, now: datetime) -> int:
    """in_flight -> queued, keeping intents: a run ended, or a dead worker's lease was taken."""
    where = [QueueItem.connection_id == connection_id, QueueItem.state == ItemState.IN_FLIGHT]
    return _move(session, where, {"state": ItemState.QUEUED, "updated_at": now})


def supersede_older(session: Session, replaced: dict[str, int], now: datetime) -> None:
    """Older versions' items that never reached Xero give way to the new version's item.

    An item whose intent is open is left to be settled first: Xero may hold what it sent.
    """
    open_intents = select(SendIntent.id).where(SendIntent.state.in_(OPEN_INTENTS))
    by_version: dict[int, list[str]] = {}
    for document_id, version in replaced.items():
        by_version.setdefault(version, []).append(document_id)
    values = {
        "state": ItemState.SUPERSEDED,
        "updated_at": now,
        "error_code": None,
        "error_message": None,
        "error_field": None,
    }
    for version, ids in by_version.items():
        for start in range(0, len(ids), CHUNK):
            where = [
                one_of(QueueItem.document_id, ids[start : start + CHUNK]),
                QueueItem.version < version,
                QueueItem.state.in_((ItemState.QUEUED, *HELD)),
                or_(QueueItem.intent_id.is_(None), QueueItem.intent_id.not_in(open_intents)),
            ]
            _move(session, where, values)


def requeue(session: Session, where: Sequence[ColumnElement[bool]], now: datetime) -> int:
    """needs_attention | failed | dismissed -> queued afresh (attempts and waits start again).

    A dismissed older version brought back is superseded by the worker (``send.screen``), never
    sent over a newer one."""
    values = {"state": ItemState.QUEUED, "attempts": 0, "waits": 0, "not_before": now}
    return _move(session, [*where, QueueItem.state.in_(RETRYABLE)], {**values, "updated_at": now})


# What a queued item waiting on another document is marked with (``checks._waiting``).
WAITING_CODES = ("DEPENDENCY_WAITING", "DEPENDENCY_MISSING")


def wake_dependents(session: Session, connection_id: str, now: datetime) -> int:
    """Items waiting, in their back-off, for another document of the connection are due now.

    Called when a run has sent something: the document a payment or an order waits for may
    be among it, and the waiter's back-off (up to a quarter of an hour after a long hold) would
    otherwise keep it back that long. Only the back-off moves: state, attempts and waits stay,
    and a waiter whose document is still not there waits again."""
    where = (
        QueueItem.connection_id == connection_id,
        QueueItem.state == ItemState.QUEUED,
        QueueItem.error_code.in_(WAITING_CODES),
        QueueItem.not_before > now,
    )
    return int(core(session).execute(update(_ITEMS).where(*where).values(not_before=now)).rowcount)


def dismiss(session: Session, where: Sequence[ColumnElement[bool]], now: datetime) -> int:
    """needs_attention | failed -> dismissed (kept, never sent), unless its send is unsettled."""
    open_intents = select(SendIntent.id).where(SendIntent.state.in_(OPEN_INTENTS))
    settled = or_(QueueItem.intent_id.is_(None), QueueItem.intent_id.not_in(open_intents))
    where = [*where, QueueItem.state.in_(HELD), settled]
    return _move(session, where, {"state": ItemState.DISMISSED, "updated_at": now})


def resume_held_for_access(session: Session, connection_id: str, now: datetime) -> int:
    """A reconnect: what was held only because Xero refused the connection is queued again."""
    where = [
        QueueItem.connection_id == connection_id,
        QueueItem.state == ItemState.NEEDS_ATTENTION,
        QueueItem.error_code.in_(ACCESS_CODES),
    ]
    return requeue(session, where, now)


def set_intent_state(session: Session, intent_id: str, state: str, now: datetime) -> None:
    """An intent's transition (see the diagram); an open one has no finish time yet."""
    values: dict[str, Any] = {"state": IntentState(state)}
    if values["state"] not in OPEN_INTENTS:
        values["finished_at"] = now
    session.execute(
        update(SendIntent)
        .where(SendIntent.id == intent_id)
        .values(**values)
        .execution_options(synchronize_session="evaluate")
    )
