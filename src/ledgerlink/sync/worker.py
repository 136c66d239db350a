"""The worker: lease one connection, claim its due items, settle lost sends, send the rest.

One run (``run_once``) drives one connection under a lease, claim after claim, until nothing is
due; its counts go into a sync job. Nothing is held in a database transaction across a call to
Xero (on SQLite that would hold the one write lock the limiter and the call log need). Any item
this run claimed and could not finish goes back to the queue at the end, with its intent, so a
crash or an early stop never strands work.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx2
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.models import (
    Connection,
    Link,
    QueueItem,
    TokenSet,
)
from ledgerlink.sync import (
    budgets,
    currencies,
    directions,
    inflight,
    jobs,
    leases,
    lifecycle,
    payroll,
    polls,
    pulls,
    queue,
    xero_webhooks,
)
from ledgerlink.sync.claims import CORE_REFERENCE, catalogues_needed, load_works
from ledgerlink.sync.clients import connection_client
from ledgerlink.sync.context import ConnectionInfo, Run, WorkerConfig
from ledgerlink.sync.dispatch import read_failed
from ledgerlink.sync.flight import Flight, independent
from ledgerlink.sync.limiter import Limiter
from ledgerlink.sync.reference import refresh_reference, stale_reference
from ledgerlink.sync.resolve_lost import resolve
from ledgerlink.sync.run_budget import RunBudget
from ledgerlink.sync.send import send_all
from ledgerlink.xero.client import XeroClient
from ledgerlink.xero.errors import XeroError

log = logging.getLogger(__name__)
MIN_IDLE_SECONDS = 0.25


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class RunResult:
    """What one run did; ``connection_id`` None when there was nothing to lease."""

    connection_id: str | None = None
    job_id: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


class Worker:
    """Drives connections one at a time; many workers (threads or processes) may share a DB."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        config: WorkerConfig | None = None,
        *,
        limiter: Limiter | None = None,
        clock: Callable[[], datetime] = system_clock,
        sleep: Callable[[float], None] = time.sleep,
        http: httpx2.Client | None = None,
        spread: int = 0,
    ) -> None:
        self.spread = spread  # which thread of a pool this is (``leases.acquire_lease``)
        self.factory = factory
        self.settings = settings
        self.config = config or WorkerConfig()
        self.limiter = limiter
        self.clock = clock
        self.sleep = sleep
        self.http = http

    # one run --------------------------------------------------------------------------

    def run_once(
        self,
        connection_id: str | None = None,
        on_lease: Callable[[str], None] | None = None,
        job_id: str | None = None,
    ) -> RunResult:
        """Lease a connection with due work (or the one named) and drive it; ``on_lease`` is
        told which, as soon as it is ours (a pool hands its looking on to another thread);
        ``job_id``: the job started on demand that this run carries out."""
        try:  # Xero's events into pulls first; another worker may be routing the same ones
            xero_webhooks.route(self.factory, self.clock())
        except DBAPIError as exc:
            log.warning("routing Xero's webhook events failed (left for the next look): %s", exc)
        now = self.clock()
        leased = leases.acquire_lease(
            self.factory,
            self.config.owner,
            self.config.lease_seconds,
            now,
            connection_id,
            spread=self.spread,
            candidates_limit=max(20, 2 * self.config.concurrency),
        )
        if leased is None:
            return RunResult()
        try:
            if on_lease is not None:
                on_lease(leased)
            return self._drive(leased, job_id)
        finally:
            self._return_unfinished(leased)
            leases.release_lease(self.factory, leased, self.config.owner, self.clock())

    def _connection(self, connection_id: str) -> ConnectionInfo:
        with self.factory() as session:
            row = session.get(Connection, connection_id)
            assert row is not None
            tokens = session.get(TokenSet, row.token_set_id) if row.token_set_id else None
            return ConnectionInfo(
                row.id,
                row.workspace_id,
                row.tenant_id,
                row.short_code,
                row.base_currency,
                row.token_set_id,
                dict(row.settings or {}),
                tokens.scopes if tokens is not None else "",
                tokens.client_id if tokens is not None else None,
            )

    def _client(self, info: ConnectionInfo, tally: jobs.JobTally) -> XeroClient:
        return connection_client(
            self.factory,
            self.settings,
            connection_id=info.id,
            tenant_id=info.tenant_id,
            token_set_id=info.token_set_id,
            limiter=self._budget(info),
            http=self.http,
            clock=self.clock,
            max_wait=self.config.limiter_max_wait,
            on_call=lambda method, path, status: tally.add("calls"),
        )

    def _budget(self, info: ConnectionInfo) -> Limiter | RunBudget | None:
        """The shared limiter as this run sees it (``sync.run_budget``): counted against the
        connection's own Xero app, on that app's tier, told what each call is for."""
        if not isinstance(self.limiter, Limiter):
            return self.limiter  # none, or a test's own
        limiter = self.limiter
        if info.client_id and info.client_id != limiter.client_id:
            with self.factory() as session:
                limits = budgets.app_limits(session, limiter.limits, info.client_id)
            limiter = Limiter(
                limiter.session_factory, info.client_id, limits, limiter.clock, limiter.sleep
            )
        return RunBudget(limiter, self._backlog(info.id))

    def _backlog(self, connection_id: str) -> int:
        """The calls the connection's queued first sends need: a create of up to a batch of
        documents, and as many of their new contacts."""
        with self.factory() as session:
            queued = session.scalar(
                select(func.count())
                .select_from(QueueItem)
                .outerjoin(Link, Link.document_id == QueueItem.document_id)
                .where(
                    QueueItem.connection_id == connection_id,
                    QueueItem.state == "queued",
                    Link.document_id.is_(None),
                )
            )
        return 2 * math.ceil((queued or 0) / max(1, self.config.batch_size))

    def _drive(self, connection_id: str, job_id: str | None = None) -> RunResult:
        info = self._connection(connection_id)
        directions.release(self.factory, connection_id, self.clock())
        currencies.release_stale_default(self.factory, connection_id, self.clock())
        tally = jobs.start_job(
            self.factory, info.workspace_id, connection_id, self.clock(), self.config.owner, job_id
        )
        state = "finished"
        client = self._client(info, tally)
        try:  # whatever happens from here on, the job is ended
            run = Run(self.factory, self.settings, self.config, info, client, self.clock, tally)
            run.heartbeat = leases.Heartbeat(
                self.factory,
                connection_id,
                self.config.owner,
                self.config.lease_seconds,
                self.clock,
            )
            with run.heartbeat:
                self._claim_rounds(run)
        except Exception:
            state = "crashed"
            log.exception("worker run on %s failed", connection_id)
            raise
        except BaseException:
            state = "stopped"  # Ctrl-C in the middle of a run
            raise
        finally:
            client.close()
            jobs.finish_job(self.factory, tally, self.clock(), state)
        return RunResult(connection_id, tally.job_id, dict(tally.counts))

    def _claim_rounds(self, run: Run) -> None:
        """Claim after claim until nothing is due, the lease is lost, Xero says stop, or the
        run's slice is spent (the connection then waits its turn behind the others).

        What Xero changed is read first, so a document paid there since is known to be before
        its queued change is decided."""
        if not pulls.pull_due(run) or not polls.poll_due(run):
            return
        if not self._due_items(run.connection.id, 1) or not self._ensure_reference(run):
            return  # nothing to send (a run for a pull or a poll reads no reference lists)
        run.connection = self._connection(run.connection.id)
        slice_ = self.config.run_slice_seconds
        ends = self.clock() + timedelta(seconds=slice_) if slice_ > 0 else None
        if self.config.calls_at_once > 1:
            run.flight = Flight(self.config.calls_at_once)
        sent = 0
        try:
            while not run.lease_lost and (ends is None or self.clock() < ends):
                ids = queue.claim(
                    self.factory,
                    run.connection.id,
                    self.config.owner,
                    self.config.claim_size,
                    self.clock(),
                    self.config.lease_seconds,
                )
                if not ids and run.tally.counts.get("synced", 0) > sent:
                    # All that was due went (in full batches); what waited on it goes now.
                    sent = run.tally.counts.get("synced", 0)
                    with self.factory() as session, session.begin():
                        if lifecycle.wake_dependents(session, run.connection.id, self.clock()):
                            continue
                if not ids or self._round(run, ids):
                    break
                jobs.save_progress(self.factory, run.tally)
        finally:
            if run.flight is not None:  # the last requests finish before the run ends
                run.flight.close()
        polls.watch(run)

    def _ensure_reference(
        self,
        run: Run,
        kinds_wanted: tuple[str, ...] = CORE_REFERENCE,
        claimed: list[str] | None = None,
    ) -> bool:
        """Cached reference data no older than the configured age; False if Xero is unreachable."""
        oldest = self.clock() - timedelta(seconds=self.config.reference_max_age_seconds)
        stale = stale_reference(self.factory, run.connection.id, kinds_wanted, oldest)
        if not stale:
            return True
        try:
            refresh_reference(self.factory, run.client, run.connection.id, stale)
        except (XeroError, LedgerlinkError) as exc:
            # Nothing can be checked against stale reference data: what is due waits (a 429),
            # tries again after the back-off with the reason on it, or is held when Xero
            # refuses the connection (which is then marked for a reconnect).
            run.tally.note(self.clock(), f"reference data could not be refreshed: {exc}")
            read_failed(run, exc, claimed or self._due_items(run.connection.id))
            return False
        return True

    def _due_items(self, connection_id: str, limit: int | None = None) -> list[str]:
        with self.factory() as session:
            query = select(QueueItem.id).where(
                QueueItem.connection_id == connection_id,
                QueueItem.state == "queued",
                QueueItem.not_before <= self.clock(),
            )
            return list(session.scalars(query.limit(limit)))

    # one claim ------------------------------------------------------------------------

    def _round(self, run: Run, ids: list[str]) -> bool:
        """Process one claim; True when the run should stop (Xero unreachable, lease lost).

        Open sends are settled first, and what waits on one not in this claim is put back
        until then (``inflight``); only then is anything decided and sent.
        """
        works = payroll.generate_claimed(run, load_works(run, ids))
        flight = run.flight
        if flight is not None and (
            flight.stop.is_set() or (not independent(flight, works) and flight.join())
        ):
            return True  # the last claim's requests said stop: decide nothing more
        needed = catalogues_needed(works, run.connection.base_currency)
        if not self._ensure_reference(run, needed, [w.item_id for w in works]):
            return True
        with self.factory() as session:
            found = inflight.blockers(session, run, works)
        if found.wait_until:
            self._wait_for_blockers(run, found.wait_until)
            works = [w for w in works if w.item_id not in found.wait_until]
        carrying = [w for w in works if w.intent_id]
        free = [w for w in works if not w.intent_id]
        if carrying or found.settle_now:
            settled_free, stop = resolve(run, carrying, found.settle_now)
            if stop:
                return True
            free += settled_free
            # A replay or lookup that failed leaves its intent open: what shares a document or
            # a contact with it still waits (rule 2), or a second version would go out.
            free = inflight.hold_back(run, free)
        if not free:
            return False
        return send_all(run, free)

    def _wait_for_blockers(self, run: Run, until: dict[str, datetime]) -> None:
        now = self.clock()
        outcomes = [
            (item_id, lifecycle.retry(None, delay=(due - now).total_seconds(), count=False))
            for item_id, due in until.items()
        ]
        with self.factory() as session, session.begin():
            lifecycle.settle(session, outcomes, now, run.policy, run.tally)

    def _return_unfinished(self, connection_id: str) -> None:
        """Items this run claimed but did not settle go back to the queue, keeping intents."""
        with self.factory() as session, session.begin():
            if not leases.renew_lease(session, connection_id, self.config.owner, 1.0, self.clock()):
                return  # another worker holds the connection now; the items are its to recover
            lifecycle.release(session, connection_id, self.clock())

    # refresh from Xero -----------------------------------------------------------------

    @contextmanager
    def reading(self, connection_id: str) -> Iterator[Run]:
        """A run on the connection for reads only (a refresh, a plan), within the shared
        limiter beside any worker driving it: no lease is taken, nothing is claimed."""
        info = self._connection(connection_id)
        tally = jobs.JobTally(job_id="")
        client = self._client(info, tally)
        try:
            yield Run(self.factory, self.settings, self.config, info, client, self.clock, tally)
        finally:
            client.close()

    # until idle -----------------------------------------------------------------------

    def run_until_idle(
        self, max_seconds: float = 600.0, connection_id: str | None = None
    ) -> list[RunResult]:
        """Run until no item is queued, waiting (with the injected sleep) for back-offs.

        Stops after ``max_seconds`` by the injected clock, leaving the rest queued.
        """
        results: list[RunResult] = []
        deadline = self.clock() + timedelta(seconds=max_seconds)
        while self.clock() < deadline:
            result = self.run_once(connection_id)
            if result.connection_id is not None:
                results.append(result)
                continue
            due = queue.next_due(self.factory, connection_id, self.clock())
            if due is None:
                break
            # Nothing could be leased. Sleep until the next item is due, but at least a moment
            # (what is due is held by another worker) and at most ``idle_poll_seconds`` (that
            # worker may finish long before its lease would run out).
            wait = (due - self.clock()).total_seconds()
            left = max(0.0, (deadline - self.clock()).total_seconds())
            pause = min(max(wait, MIN_IDLE_SECONDS), self.config.idle_poll_seconds, left)
            self.sleep(pause + 0.001)
        return results
