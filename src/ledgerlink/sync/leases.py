"""Connection leases: which worker thread drives which organisation, until when.

One worker drives one connection at a time (a lease row with an owner and an expiry), so the
sends to one organisation are never interleaved by two workers and its limits are spent by one.
A lease is taken with one statement (an upsert that only wins when the row is free, expired or
already ours), which is atomic on PostgreSQL (the row is locked by the conflict) and on SQLite
(``BEGIN IMMEDIATE`` holds the database's write lock).

A worker that dies leaves its lease to expire; whoever takes the connection next returns the
dead worker's in-flight items to the queue *keeping their intent*, so a send whose reply was
never recorded is resolved (replayed or looked up) instead of sent again. A lease let go keeps
its row, ended: it says when the connection was last driven, for the fair order in which free
threads take connections.

A connection a person switched off (``settings.active`` false) is never leased, so nothing is
sent to it, not even the settling of an earlier send.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, func, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection, Lease, QueueItem
from ledgerlink.store.twoway import PollMark, PullItem
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

    Reading Xero's side back counts too: pull items due (webhooks) and polls whose time has
    come. A connection whose items a dead worker left in flight (its lease expired, or gone)
    counts as due, or those items would never be taken over. Connections another worker is driving
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
    for connection, due_now in (
        (PullItem.connection_id, PullItem.not_before <= now),  # Xero's side to read back
        (PollMark.connection_id, PollMark.next_at <= now),  # a poll whose time has come
    ):
        reading = (
            select(connection)
            .join(Connection, Connection.id == connection)
            .where(due_now, Connection.status == "active", switched_on(), connection.not_in(live))
            .distinct()
            .limit(limit)
        )
        found += [c for c in session.scalars(reading) if c not in found]
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
