"""Queue items and connection leases: which worker drives which organisation, and what it holds.

One worker drives one connection at a time (a lease row with an owner and an expiry), so the
sends to one organisation are never interleaved by two workers and its limits are spent by one.
A lease is taken with one statement (an upsert that only wins when the row is free, expired or
already ours), which is atomic on PostgreSQL (the row is locked by the conflict) and on SQLite
(``BEGIN IMMEDIATE`` holds the database's write lock).

A worker that dies leaves its lease to expire; whoever takes the connection next returns the
dead worker's in-flight items to the queue *keeping their intent*, so a send whose reply was
never recorded is resolved (replayed or looked up) instead of sent again.

A connection a person switched off (``settings.active`` false) is never leased, so nothing is
sent to it, not even the settling of an earlier send: its items stay where they are, and the
queue says why (CONNECTION_SWITCHED_OFF) until it is switched on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, case, func, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection, Lease, QueueItem, SendIntent
from ledgerlink.sync import lifecycle

log = logging.getLogger(__name__)
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def _upsert_lease(
    session: Session, connection_id: str, owner: str, until: datetime, now: datetime
) -> bool:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = insert(Lease).values(connection_id=connection_id, owner=owner, expires_at=until)
    statement = values.on_conflict_do_update(
        index_elements=[Lease.connection_id],
        set_={"owner": owner, "expires_at": until},
        where=(Lease.expires_at < now) | (Lease.owner == owner),
    ).returning(Lease.connection_id)
    return session.execute(statement).first() is not None


def switched_on() -> ColumnElement[bool]:
    """Connections whose active switch is on (settings written before it existed count as on)."""
    return func.coalesce(Connection.settings["active"].as_boolean(), true())


def due_connections(session: Session, now: datetime, limit: int = 20) -> list[str]:
    """Active connections with work due now that no worker holds: the least recently driven
    first (a released lease keeps its row, ended at its release), then the longest-waiting.

    That order is what makes many connections share one worker process fairly: an
    organisation with a long backlog, let go at the end of its run's slice, goes behind every
    organisation waiting for a turn, however old its own items are.

    Switched-off connections are left out: their items wait, whatever their state.

    A connection whose items a dead worker left in flight (its lease expired, or gone) counts
    as due, or those items would never be taken over. Connections another worker is driving
    are left out: they are not ours to take, and would hide the free ones past ``limit``.
    """
    live = select(Lease.connection_id).where(Lease.expires_at >= now)
    last_driven = func.max(Lease.expires_at)
    due = (
        select(QueueItem.connection_id, func.min(QueueItem.not_before).label("first"))
        .join(Connection, Connection.id == QueueItem.connection_id)
        .outerjoin(Lease, Lease.connection_id == QueueItem.connection_id)
        .where(
            QueueItem.state == "queued",
            QueueItem.not_before <= now,
            Connection.status == "active",
            switched_on(),
            QueueItem.connection_id.not_in(live),
        )
        .group_by(QueueItem.connection_id)
        .order_by(last_driven.is_not(None), last_driven, "first")
        .limit(limit)
    )
    found = [row[0] for row in session.execute(due)]
    stranded = (
        select(QueueItem.connection_id)
        .join(Connection, Connection.id == QueueItem.connection_id)
        .where(
            QueueItem.state == "in_flight",
            Connection.status == "active",
            switched_on(),
            QueueItem.connection_id.not_in(live),
        )
        .distinct()
        .limit(limit)
    )
    found += [c for c in session.scalars(stranded) if c not in found]
    return found[:limit]


def acquire_lease(
    factory: sessionmaker[Session],
    owner: str,
    seconds: float,
    now: datetime,
    connection_id: str | None = None,
    *,
    spread: int = 0,
    candidates_limit: int = 20,
) -> str | None:
    """Lease one connection with due work (or the one named); None when there is none to take.

    Items left in flight by an earlier holder go back to the queue with their intent kept. A
    switched-off connection is not taken, even when named. ``spread``: the n-th thread of a
    worker process starts n places down the list, so threads starting together do not all
    queue on the first connection's row.
    """
    until = now + timedelta(seconds=seconds)
    with factory() as session:
        if connection_id:
            row = session.get(Connection, connection_id)
            if row is None or conns.switched_off(row):
                return None
        candidates = (
            [connection_id] if connection_id else due_connections(session, now, candidates_limit)
        )
    if spread and len(candidates) > 1:
        start = spread % len(candidates)
        candidates = candidates[start:] + candidates[:start]
    # One transaction per candidate: PostgreSQL keeps the row of an upsert that did not win
    # locked until its transaction ends, so trying the next one in the same transaction would
    # hold the first; two threads trying the same candidates in other orders would deadlock.
    for candidate in candidates:
        with transaction(factory) as session:
            if _upsert_lease(session, candidate, owner, until, now):
                lifecycle.release(session, candidate, now)
                return candidate
    return None


def renew_lease(
    session: Session, connection_id: str, owner: str, seconds: float, now: datetime
) -> bool:
    """Extend our lease inside the caller's transaction; False if another worker holds it now.

    Done in the same transaction that commits a send intent, so a send only leaves while the
    lease is ours for ``seconds`` more: a worker taking over waits for this commit and then
    finds the lease alive.
    """
    result = session.execute(
        update(Lease)
        .where(Lease.connection_id == connection_id, Lease.owner == owner)
        .values(expires_at=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


class Heartbeat:
    """Renews our lease on a connection while we work on it, from a thread of its own.

    A lease then only has to outlast a pause in the heartbeat, not the slowest send: a worker
    that dies (even by SIGKILL) gives its organisation back ``seconds`` after its last beat,
    and one that lives keeps it through a slow limiter wait or a slow Xero. ``lost`` is set
    when another worker holds the lease (ours ran out): the run must stop sending.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        connection_id: str,
        owner: str,
        seconds: float,
        clock: Callable[[], datetime],
    ) -> None:
        self.factory = factory
        self.connection_id = connection_id
        self.owner = owner
        self.seconds = seconds
        self.clock = clock
        self.interval = min(5.0, seconds / 6)
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="ledgerlink-lease", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                with transaction(self.factory) as session:
                    ours = renew_lease(
                        session, self.connection_id, self.owner, self.seconds, self.clock()
                    )
            except Exception:
                log.exception("renewing the lease on %s failed; trying again", self.connection_id)
                continue
            if not ours:
                self.lost.set()
                return

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def release_lease(
    factory: sessionmaker[Session], connection_id: str, owner: str, now: datetime | None = None
) -> None:
    """End our lease now. The row stays, ended at ``now``: it says when the connection was
    last driven, which puts it behind connections waiting for a turn (``due_connections``).
    Without ``now`` (whose clock is not known) it ends at the earliest time a lease may."""
    ended = (now or LONG_AGO) - timedelta(microseconds=1)
    with transaction(factory) as session:
        session.execute(
            update(Lease)
            .where(Lease.connection_id == connection_id, Lease.owner == owner)
            .values(expires_at=ended)
            .execution_options(synchronize_session=False)
        )


def claim(
    factory: sessionmaker[Session],
    connection_id: str,
    owner: str,
    limit: int,
    now: datetime,
    lease_seconds: float,
) -> list[str]:
    """Move up to ``limit`` due items of our leased connection to in_flight; their ids in order.

    Returns nothing if the lease is no longer ours, or the connection was switched off since
    the lease was taken (what is claimed already goes on; nothing more is).
    """
    with transaction(factory) as session:
        if not renew_lease(session, connection_id, owner, lease_seconds, now):
            return []
        row = session.get(Connection, connection_id, populate_existing=True)
        if row is None or conns.switched_off(row):
            return []
        query = (
            select(QueueItem.id)
            .where(
                QueueItem.connection_id == connection_id,
                QueueItem.state == "queued",
                QueueItem.not_before <= now,
            )
            .order_by(QueueItem.created_at, QueueItem.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if ids:
            lifecycle.claim(session, ids, now)
        return ids


def next_due(factory: sessionmaker[Session], connection_id: str | None = None) -> datetime | None:
    """When this worker may next find work (None: nothing is waiting at all).

    Per connection: its earliest queued item, or now for items someone holds in flight; but
    no sooner than the end of a lease on it, since until then the connection is another
    worker's (and if that worker died, its in-flight items are ours to take over then). A
    lease that has already run out is in the past, so it delays nothing. A switched-off
    connection's items are not waiting for a worker: they wait for a person.
    """
    with factory() as session:
        waiting = (
            select(
                QueueItem.connection_id,
                func.min(
                    case(
                        (QueueItem.state == "queued", QueueItem.not_before),
                        else_=QueueItem.updated_at,
                    )
                ),
            )
            .join(Connection, Connection.id == QueueItem.connection_id)
            .where(
                QueueItem.state.in_(lifecycle.ACTIVE),
                Connection.status == "active",
                switched_on(),
            )
            .group_by(QueueItem.connection_id)
        )
        if connection_id is not None:
            waiting = waiting.where(QueueItem.connection_id == connection_id)
        firsts = {c: first for c, first in session.execute(waiting)}
        if not firsts:
            return None
        lease_rows = session.execute(
            select(Lease.connection_id, Lease.expires_at).where(
                Lease.connection_id.in_(list(firsts))
            )
        )
        leases = {c: _aware(until) for c, until in lease_rows}
    times = [max(_aware(first), leases.get(c, _aware(first))) for c, first in firsts.items()]
    return min(times)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _clock(value: datetime) -> str:
    return _aware(value).strftime("%H:%M:%S UTC")


@dataclass(frozen=True)
class Wait:
    """What an unfinished item waits for: a sentence, and a code when a person must act."""

    sentence: str
    code: str | None = None
    field: str | None = None


def waiting_for(session: Session, items: Sequence[QueueItem], now: datetime) -> dict[str, str]:
    """What each unfinished item waits for, in a sentence for the queue page (by item id)."""
    return {item_id: wait.sentence for item_id, wait in waits(session, items, now).items()}


def waits(session: Session, items: Sequence[QueueItem], now: datetime) -> dict[str, Wait]:
    """What each unfinished item waits for (by item id).

    In flight under a live lease: a worker is on it, and if that worker died its organisation
    is taken over when the lease ends (a living worker renews it). Otherwise, on a switched-off
    connection: a person switching it on (CONNECTION_SWITCHED_OFF). In flight under a lease
    that ended: its worker stopped and the next worker takes it over. Queued: its back-off, an
    unsettled earlier send, or a worker to come.
    """
    active = [i for i in items if i.state in lifecycle.ACTIVE]
    if not active:
        return {}
    connection_ids = {i.connection_id for i in active}
    leases = {
        row.connection_id: (row.owner, _aware(row.expires_at))
        for row in session.scalars(select(Lease).where(Lease.connection_id.in_(connection_ids)))
    }
    off = {
        row.id: conns.switched_off_error(row)
        for row in session.scalars(select(Connection).where(Connection.id.in_(connection_ids)))
        if conns.switched_off(row)
    }
    intents = {i.intent_id for i in active if i.intent_id}
    open_ = set(
        session.scalars(
            select(SendIntent.id).where(
                SendIntent.id.in_(intents), SendIntent.state.in_(lifecycle.OPEN_INTENTS)
            )
        )
        if intents
        else []
    )
    found: dict[str, Wait] = {}
    for item in active:
        owner, until = leases.get(item.connection_id, (None, None))
        live = until is not None and until >= now
        switched = off.get(item.connection_id)
        if item.state == lifecycle.ItemState.IN_FLIGHT and until is not None and live:
            found[item.id] = Wait(
                f"Worker {owner} is sending it. If that worker has stopped, another takes its "
                f"organisation over when its lease ends at {_clock(until)} (a live worker "
                "renews it every few seconds)."
            )
        elif switched is not None:
            earlier = (
                " An earlier send of it may have reached Xero: once the connection is on, that "
                "send is settled (replayed or looked up) before anything is sent again."
                if item.intent_id in open_
                else ""
            )
            last = f" Its last attempt: {item.error_message}" if item.error_message else ""
            found[item.id] = Wait(switched.message + earlier + last, switched.code, switched.field)
        elif item.state == lifecycle.ItemState.IN_FLIGHT:
            found[item.id] = Wait(
                "Its worker stopped while sending it: the next worker to look takes the "
                "organisation over and settles that send (replayed or looked up, never sent twice)."
            )
        elif item.intent_id in open_:
            found[item.id] = Wait(
                "An earlier send of it may have reached Xero (its reply was lost, or Xero was "
                "unavailable): it is settled by replaying the same Idempotency-Key or by looking "
                f"it up, from {_clock(item.not_before)}, before anything is sent again."
            )
        elif _aware(item.not_before) > now:
            why = f": {item.error_message}" if item.error_message else ""
            found[item.id] = Wait(f"Waits until {_clock(item.not_before)}{why}")
        elif live:
            found[item.id] = Wait(f"Due now: worker {owner} is working on this organisation.")
        else:
            found[item.id] = Wait("Due now: the next worker to look sends it.")
    return found


def workers_of(session: Session, connection_ids: Sequence[str], now: datetime) -> dict[str, str]:
    """Who drives each connection, for ``ledgerlink status``: the worker and its lease end, or a
    stopped worker whose items wait in flight for the next one (absent: nobody, nothing held)."""
    leases = {
        row.connection_id: row
        for row in session.scalars(select(Lease).where(Lease.connection_id.in_(connection_ids)))
    }
    flying = dict(
        session.execute(
            select(QueueItem.connection_id, func.count())
            .where(
                QueueItem.connection_id.in_(connection_ids),
                QueueItem.state == lifecycle.ItemState.IN_FLIGHT,
            )
            .group_by(QueueItem.connection_id)
        ).all()
    )
    found: dict[str, str] = {}
    for connection_id in connection_ids:
        lease = leases.get(connection_id)
        waiting = int(flying.get(connection_id, 0))
        if lease is not None and _aware(lease.expires_at) >= now:
            found[connection_id] = f"{lease.owner}, lease to {_clock(lease.expires_at)}"
        elif waiting:
            ended = f" (lease ended {_clock(lease.expires_at)})" if lease is not None else ""
            found[connection_id] = (
                f"its worker stopped{ended}: {waiting} in flight wait for the next worker"
            )
    return found


def retry_items(
    factory: sessionmaker[Session], workspace_id: str, item_ids: Sequence[str], now: datetime
) -> int:
    """A person's retry: failed or held items of this workspace go back to the queue afresh."""
    where = [QueueItem.workspace_id == workspace_id, QueueItem.id.in_(list(item_ids))]
    with transaction(factory) as session:
        return lifecycle.requeue(session, where, now)
