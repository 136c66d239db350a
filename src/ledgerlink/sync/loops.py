"""The background loops of a running engine: the worker loop, the reference scheduler and the
notifier.

Each runs in its own thread, in ``ledgerlink serve`` beside the API or alone in
``ledgerlink worker``. The worker loop sleeps until the queue's next due time, or until an upload
or the scheduler wakes it, so a pushed document starts syncing at once without the loop spinning
on an idle database. The scheduler reads reference data again on a fixed period (an incremental
"Synchronize"), so codes changed in Xero are seen without a person pressing it. The notify loop
sends the source app its events (``sync.notify``) on its own thread, so a receiver that is down
or slow never holds up a sync.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.models import Connection
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.notify import DeliveryPass
from ledgerlink.sync.reference import refresh_reference
from ledgerlink.xero.errors import XeroError

log = logging.getLogger(__name__)
IDLE_POLL_SECONDS = 2.0


class WorkerLoop:
    """Runs the worker pool until stopped; ``wake()`` cuts the idle threads' wait short.

    The pool (``sync.pool``) drives as many connections at once as the configured concurrency,
    each thread one connection at a time; with a concurrency of one it is the lone worker.
    """

    def __init__(self, engine: Engine, *, idle_poll: float = IDLE_POLL_SECONDS) -> None:
        self.engine = engine
        self.pool = engine.pool()
        self.pool.idle_poll = idle_poll
        self.thread = threading.Thread(target=self.run, name="ledgerlink-worker", daemon=True)

    def wake(self) -> None:
        self.pool.wake()

    def run(self) -> None:
        self.pool.run()

    def start(self) -> None:
        self.thread.start()

    def halt(self) -> None:
        """Stop after the runs in progress (from a signal handler: it only sets events)."""
        self.pool.halt()

    def stop(self) -> None:
        self.halt()
        self.thread.join(timeout=60)


@dataclass
class RefreshRound:
    """What one scheduled round did, per connection id."""

    refreshed: dict[str, dict[str, int]] = field(default_factory=dict)  # records Xero sent, by kind
    failed: dict[str, str] = field(default_factory=dict)  # what went wrong
    switched_off: list[str] = field(default_factory=list)  # settings say inactive: not read


class Scheduler:
    """Incremental reference refresh of every active connection, every ``period`` seconds.

    One connection failing (its organisation offline, its tokens refused or unreadable, a
    database hiccup) is logged and costs only that connection its refresh: the others are still
    read, and the schedule keeps running.
    """

    def __init__(
        self, engine: Engine, loop: WorkerLoop | None = None, period: float = 3600.0
    ) -> None:
        self.engine = engine
        self.loop = loop
        self.period = period
        self.rounds = 0
        self.last: RefreshRound | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name="ledgerlink-scheduler", daemon=True)

    def _refresh_one(self, row: Connection, done: RefreshRound) -> None:
        svc = self.engine
        try:
            if not conns.connection_settings(row).active:
                done.switched_off.append(row.id)
                return
            with svc.xero_client(row) as client:
                done.refreshed[row.id] = refresh_reference(svc.factory, client, row.id)
        except (LedgerlinkError, XeroError) as exc:
            log.warning("scheduled refresh of %s failed: %s", row.id, exc)
            done.failed[row.id] = str(exc)
        except Exception as exc:
            log.exception("scheduled refresh of %s failed unexpectedly", row.id)
            done.failed[row.id] = f"{type(exc).__name__}: {exc}"

    def refresh_all(self) -> RefreshRound:
        """One round over the connections that are active now; what each came to."""
        done = RefreshRound()
        with self.engine.factory() as session:
            rows = list(
                session.scalars(
                    select(Connection)
                    .where(Connection.status == conns.ACTIVE)
                    .order_by(Connection.created_at, Connection.id)
                )
            )
        for row in rows:
            self._refresh_one(row, done)
        if self.loop is not None:
            self.loop.wake()
        return done

    def run(self) -> None:
        while not self.stopping.wait(self.period):
            try:
                self.last = self.refresh_all()
            except Exception:
                log.exception("scheduled reference refresh failed; next try in %g s", self.period)
            self.rounds += 1

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout=30)


class NotifyLoop:
    """Notification passes every ``period`` seconds, at once again while a backlog remains.

    ``clock`` decides what is due (tests move it on a day of back-off without waiting);
    ``deliver_due`` is one pass, called directly by tests and by the loop alike.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] | None = None,
        period: float = 1.0,
    ) -> None:
        self.notifier = engine.notifier(clock)
        self.period = period
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name="ledgerlink-notify", daemon=True)

    def deliver_due(self) -> DeliveryPass:
        return self.notifier.deliver_due()

    def run(self) -> None:
        while not self.stopping.is_set():
            more = False
            try:
                more = self.deliver_due().more
            except Exception:
                log.exception("notification pass failed; next try in %g s", self.period)
            if not more:
                self.stopping.wait(self.period)

    def start(self) -> None:
        self.thread.start()

    def halt(self) -> None:
        self.stopping.set()

    def stop(self) -> None:
        self.halt()
        if self.thread.is_alive():
            self.thread.join(timeout=30)
        self.notifier.close()
