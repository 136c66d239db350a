"""Queue items: what a leased worker claims, when work is next due, and what each item waits for.

Claims and settling happen under the connection's lease (``sync.leases``): a worker that dies
leaves its in-flight items to whoever takes the connection next, who returns them to the queue
*keeping their intent*, so a send whose reply was never recorded is resolved (replayed or looked
up) instead of sent again.

A connection a person switched off (``settings.active`` false) is never leased, so nothing is
sent to it, not even the settling of an earlier send: its items stay where they are, and the
queue says why (CONNECTION_SWITCHED_OFF) until it is switched on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection, Lease, QueueItem, SendIntent
from ledgerlink.store.twoway import PullItem, XeroEvent
from ledgerlink.sync import events, lifecycle, xero_webhooks
from ledgerlink.sync.leases import renew_lease, switched_on

log = logging.getLogger(__name__)


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


def next_due(
    factory: sessionmaker[Session], connection_id: str | None = None, now: datetime | None = None
) -> datetime | None:
    """When this worker may next find work (None: nothing is waiting at all).

    Per connection: its earliest queued item, or now for items someone holds in flight; but
    no sooner than the end of a lease on it, since until then the connection is another
    worker's (and if that worker died, its in-flight items are ours to take over then). A
    lease that has already run out is in the past, so it delays nothing. A switched-off
    connection's items are not waiting for a worker: they wait for a person.

    Xero's events not yet routed into pulls (``sync.xero_webhooks``) are work due now: a run
    routes them first, so a worker running until idle never stops between a delivery's
    arrival and its pulls being queued (they belong to no connection until routed); ``now``:
    the caller's clock.
    """
    with factory() as session:
        unrouted = session.scalar(
            select(XeroEvent.id).where(XeroEvent.state == xero_webhooks.NEW).limit(1)
        )
        if unrouted is not None:
            return now or datetime.now(UTC)
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
        pulling = (
            select(PullItem.connection_id, func.min(PullItem.not_before))
            .join(Connection, Connection.id == PullItem.connection_id)
            .where(Connection.status == "active", switched_on())
            .group_by(PullItem.connection_id)
        )
        if connection_id is not None:
            pulling = pulling.where(PullItem.connection_id == connection_id)
        for c, first in session.execute(pulling):
            firsts[c] = min(_aware(first), _aware(firsts[c])) if c in firsts else first
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
    """A person's retry: failed, held or dismissed items of this workspace go back to the
    queue afresh."""
    where = [QueueItem.workspace_id == workspace_id, QueueItem.id.in_(list(item_ids))]
    with transaction(factory) as session:
        return lifecycle.requeue(session, where, now)


def dismiss_items(
    factory: sessionmaker[Session], workspace_id: str, item_ids: Sequence[str], now: datetime
) -> int:
    """A person's dismiss: failed or held items of this workspace are kept and never sent."""
    where = [QueueItem.workspace_id == workspace_id, QueueItem.id.in_(list(item_ids))]
    with transaction(factory) as session:
        held = list(
            session.scalars(select(QueueItem.id).where(*where, QueueItem.state.in_(lifecycle.HELD)))
        )
        moved = lifecycle.dismiss(session, where, now)
        if moved and held:
            events.tell_dismissed(session, held, now)
        return moved


def retry_code(
    factory: sessionmaker[Session],
    workspace_id: str,
    code: str,
    now: datetime,
    connection_id: str | None = None,
) -> int:
    """A person's "retry all of a code": every failed or held item of this workspace (of one
    connection) last stopped by ``code`` goes back to the queue afresh. Dismissed ones stay
    dismissed: a person put them aside one by one."""
    where = [
        QueueItem.workspace_id == workspace_id,
        QueueItem.error_code == code,
        QueueItem.state.in_(lifecycle.HELD),
    ]
    if connection_id is not None:
        where.append(QueueItem.connection_id == connection_id)
    with transaction(factory) as session:
        return lifecycle.requeue(session, where, now)


def own_item(session: Session, workspace_id: str, item_id: str) -> QueueItem:
    """The workspace's queue item; NOT_FOUND for any other (another workspace's too)."""
    item = session.get(QueueItem, item_id)
    if item is None or item.workspace_id != workspace_id:
        raise LedgerlinkError("NOT_FOUND", f"No queue item {item_id}.", field="id")
    return item


def retry_one(
    factory: sessionmaker[Session], workspace_id: str, item_id: str, now: datetime
) -> None:
    """A person's retry of one item, or why it cannot be retried."""
    with factory() as session:
        item = own_item(session, workspace_id, item_id)
    if retry_items(factory, workspace_id, [item_id], now) == 0:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"Queue item {item_id} is {item.state}: only failed, held or dismissed items can be "
            "retried.",
            field="state",
            status=409,
        )


def dismiss_one(
    factory: sessionmaker[Session], workspace_id: str, item_id: str, now: datetime
) -> None:
    """A person's dismiss of one item, or why it cannot be dismissed: it is not held (queued,
    in flight, done...), or a send of it may have reached Xero."""
    with factory() as session:
        own_item(session, workspace_id, item_id)
    if dismiss_items(factory, workspace_id, [item_id], now):
        return
    with factory() as session:
        item = own_item(session, workspace_id, item_id)
        intent = session.get(SendIntent, item.intent_id) if item.intent_id else None
        unsettled = intent is not None and intent.state in lifecycle.OPEN_INTENTS
    if item.state in lifecycle.HELD and unsettled:
        message = (
            f"Queue item {item_id} may already be in Xero: the reply to its last send was "
            "lost. Retry it so that send is settled (replayed or looked up); dismiss it after "
            "if it is still held."
        )
    else:
        message = (
            f"Queue item {item_id} is {item.state}: only failed or held items can be dismissed."
        )
    raise LedgerlinkError("VALIDATION_FAILED", message, field="state", status=409)
