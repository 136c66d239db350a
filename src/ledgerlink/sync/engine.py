"""The engine's wiring, and the library's front door: ``from ledgerlink import Engine``.

One ``Engine`` per process holds the settings, the database, the shared limiter and the one
outbound HTTP client; the REST API, the CLI, the worker loop and a program using ledgerlink as
a library all reach Xero through it. Nothing here imports the web app: ``ledgerlink worker``
runs on this alone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import httpx2
from sqlalchemy import Engine as Database
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.store import connections as conns
from ledgerlink.store import migrate
from ledgerlink.store.db import make_engine, make_session_factory, transaction
from ledgerlink.store.models import Connection, TokenSet
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.twoway import Delivery, Event
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync import budgets, currencies, directions, endpoints, events, oauth, on_demand
from ledgerlink.sync import plan as plans
from ledgerlink.sync.clients import connection_client, outbound_http
from ledgerlink.sync.context import WorkerConfig, calls_at_once_from_env
from ledgerlink.sync.intake import IntakeResult, upsert_documents
from ledgerlink.sync.lifecycle import Policy
from ledgerlink.sync.limiter import CHANGE, Limiter, XeroLimits
from ledgerlink.sync.notify import DeliveryPass, Notifier
from ledgerlink.sync.pool import WorkerPool, concurrency_from_env
from ledgerlink.sync.pull import refresh_documents
from ledgerlink.sync.reconcile import reconcile
from ledgerlink.sync.reconcile_report import Report
from ledgerlink.sync.worker import RunResult, Worker
from ledgerlink.xero.client import XeroClient

# A person may be waiting on a REST call that reads from Xero: the limiter may hold it this long.
ROUTE_MAX_WAIT = 120.0


@dataclass
class Engine:
    """Settings, database, limiter and outbound HTTP for one process."""

    settings: Settings
    database: Database
    factory: sessionmaker[Session]
    # None: creating a workspace over REST is refused; "": open (tests, the demo); else the
    # token POST /workspaces must carry.
    admin_token: str | None = None
    # Whether the dashboard lets anyone create a workspace and its owner (LEDGERLINK_OPEN_SIGNUP).
    open_signup: bool = False
    transport: httpx2.BaseTransport | None = None
    limits: XeroLimits = field(default_factory=XeroLimits)
    public_url: str = "http://127.0.0.1:8000"
    worker_config: WorkerConfig | None = None
    _http: httpx2.Client | None = field(default=None, repr=False)
    _notifier: Notifier | None = field(default=None, repr=False)
    _notifier_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(
        cls,
        settings: Settings | str | None = None,
        *,
        admin_token: str | None = None,
        transport: httpx2.BaseTransport | None = None,
        limits: XeroLimits | None = None,
        public_url: str | None = None,
        migrate_schema: bool = False,
    ) -> Engine:
        """An engine on ``settings`` (a database URL, or the environment's when None)."""
        if settings is None:
            settings = Settings.from_env()
        elif isinstance(settings, str):
            settings = Settings.from_env().with_database(settings)
        if migrate_schema:
            migrate.upgrade(settings.database_url)
        database = make_engine(settings.database_url)
        token = admin_token if admin_token is not None else os.environ.get("LEDGERLINK_ADMIN_TOKEN")
        if token is not None and admin_token is None and not token.strip():
            token = None  # an empty variable is no token, never "open"
        return cls(
            settings=settings,
            database=database,
            factory=make_session_factory(database),
            admin_token=token,
            open_signup=os.environ.get("LEDGERLINK_OPEN_SIGNUP", "").lower() in ("1", "true"),
            transport=transport,
            limits=(limits or XeroLimits()).for_calls_lasting(settings.xero_read_timeout),
            public_url=public_url or "http://127.0.0.1:8000",
        )

    def close(self) -> None:
        with self._notifier_lock:
            if self._notifier is not None:
                self._notifier.close()
                self._notifier = None
        if self._http is not None:
            self._http.close()
            self._http = None
        self.database.dispose()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # the shared parts ---------------------------------------------------------------

    @property
    def http(self) -> httpx2.Client:
        """The process's one outbound HTTP client (one pool and TLS context for every org)."""
        if self._http is None:
            self._http = outbound_http(self.settings, self.transport)
        return self._http

    def notifier(self, clock: Callable[[], datetime] | None = None) -> Notifier:
        """A notifier of its own (its HTTP client and threads): the source app's receivers
        are not Xero, and a slow one must not hold connections Xero's calls need."""
        return Notifier(self.factory, self.settings, clock=clock)

    def limiter(self, client_id: str | None = None) -> Limiter:
        """The limiter every worker and route shares through the database, per Xero app: a
        workspace's own app on its own tier (``sync.budgets``)."""
        limits = self.limits
        if client_id and client_id != self.settings.xero_client_id:
            with self.factory() as session:
                limits = budgets.app_limits(session, limits, client_id)
        return Limiter(self.factory, client_id or self.settings.xero_client_id or "default", limits)

    def budgets_left(self, connection_ids: Sequence[str] | None = None) -> list[budgets.Budget]:
        """Each connection's Xero calls left this minute and day, its tier and reserve."""
        return budgets.connection_budgets(self.factory, self.limits, connection_ids)

    def _worker_config(self) -> WorkerConfig:
        return self.worker_config or WorkerConfig(
            public_url=self.public_url,
            policy=Policy.from_env(),
            concurrency=concurrency_from_env(),
            calls_at_once=calls_at_once_from_env(),
        )

    def worker(self, thread: int | None = None) -> Worker:
        """A worker on the shared limiter and HTTP client; ``thread``: the n-th of a pool,
        with a lease owner of its own."""
        config = self._worker_config()
        if thread is not None:
            config = replace(config, owner=f"{config.owner}/{thread}")
        return Worker(
            self.factory,
            self.settings,
            config,
            limiter=self.limiter(),
            http=self.http,
            spread=thread or 0,
        )

    def pool(self, size: int | None = None) -> WorkerPool:
        """Threads driving up to ``size`` connections at once (the configured concurrency)."""
        config = self._worker_config()
        return WorkerPool(
            self.factory,
            self.worker,
            size or config.concurrency,
            idle_poll=min(2.0, config.idle_poll_seconds),
        )

    def xero_client(
        self, connection: Connection, *, sending: bool = True, purpose: str = CHANGE
    ) -> XeroClient:
        """A client for one organisation: shared limiter, calls recorded, tokens refreshed.
        ``sending`` False for reads, which a switched-off connection still allows. A route's
        calls are a person's (``purpose``: they may use the day's reserve)."""
        conns.require_usable(connection, sending=sending)
        with self.factory() as session:
            token_set = session.get(TokenSet, connection.token_set_id or "")
            client_id = token_set.client_id if token_set is not None else None
        return connection_client(
            self.factory,
            self.settings,
            connection_id=connection.id,
            tenant_id=connection.tenant_id,
            token_set_id=connection.token_set_id,
            limiter=self.limiter(client_id).for_purpose(purpose),
            http=self.http,
            max_wait=ROUTE_MAX_WAIT,
            transport=self.transport,
        )

    # the library's verbs --------------------------------------------------------------

    def create_workspace(self, name: str) -> tuple[str, str]:
        """A new workspace: its id and its first API key (shown once)."""
        with transaction(self.factory) as session:
            workspace, key = create_workspace(session, name)
            return workspace.id, key

    def connect_custom(self, workspace_id: str, client_id: str, client_secret: str) -> str:
        """Connect the organisation of a Xero custom connection; the connection's id."""
        with transaction(self.factory) as session:
            connection = oauth.connect_custom(
                session,
                workspace_id,
                client_id,
                client_secret,
                settings=self.settings,
                transport=self.transport,
            )
            return connection.id

    def configure(self, workspace_id: str, connection_id: str, **settings: Any) -> None:
        """Change a connection's settings (default accounts and tax types, active...)."""
        directions.save_settings(self.factory, workspace_id, connection_id, settings)

    def push(
        self, workspace_id: str, connection_id: str | None, kind: str, documents: Sequence[Any]
    ) -> list[IntakeResult]:
        """Validate, version and queue documents of one kind (a name in ``ledgerlink.kinds``);
        a result for each, in order. ``connection_id`` None: each goes to the connection of its
        branch, of the document it follows, or the workspace's only one."""
        return upsert_documents(self.factory, workspace_id, connection_id, kind, documents)

    def refresh(self, workspace_id: str, kind: str, source_ids: Sequence[str]) -> dict[str, int]:
        """ "Refresh from Xero" for these documents of one kind (``sync.pull``): their links get
        Xero's status, amounts paid, due and credited and the paid date."""
        return refresh_documents(self.worker(), workspace_id, kind, source_ids)

    def synchronize(
        self, workspace_id: str, connection_id: str, full: bool = False
    ) -> dict[str, int]:
        """Synchronize: the organisation's reference data read again (``full``: everything),
        then documents held for a currency judged again; records read, by kind."""
        with self.factory() as session:
            row = conns.get_connection(session, workspace_id, connection_id)
        with self.xero_client(row, sending=False) as client:
            return currencies.synchronize(self.factory, client, row.id, full=full)

    def reconcile(
        self,
        workspace_id: str,
        connection_id: str,
        from_date: date,
        to_date: date,
        kind: str | None = None,
    ) -> Report:
        """The connection's documents dated ``from_date`` to ``to_date`` against Xero's: what
        is missing there, what Xero has that the source does not know, and what differs."""
        return reconcile(self.worker(), workspace_id, connection_id, from_date, to_date, kind)

    def sync_connection(self, connection_id: str) -> RunResult:
        """One worker run on this connection now; empty when another worker holds it."""
        return self.worker().run_once(connection_id)

    def start_job(self, workspace_id: str, connection_id: str, kind: str = "sync_now") -> str:
        """ "Sync now" in the background (``sync.on_demand``): the job's id at once."""
        return on_demand.start(
            self.factory,
            lambda connection, job: self._job_worker(job).run_once(connection, job_id=job),
            workspace_id,
            connection_id,
            datetime.now(UTC),
            kind,
        )

    def plan(
        self,
        workspace_id: str,
        connection_id: str,
        kind: str | None = None,
        documents: Sequence[Any] | None = None,
    ) -> plans.PlanReport:
        """What a sync would do in Xero for the queue, or for ``documents`` of ``kind``,
        without a write to Xero (``sync.plan``)."""
        return plans.run_plan(self.worker(), workspace_id, connection_id, kind, documents)

    def _job_worker(self, job_id: str) -> Worker:
        """A worker with a lease owner of its own for one job, so it never takes a connection
        as if it were the pool's thread holding it."""
        worker = self.worker()
        worker.config = replace(worker.config, owner=f"{worker.config.owner}/job-{job_id[:8]}")
        return worker

    def sync(self, max_seconds: float = 600.0) -> list[RunResult]:
        """Send everything due, waiting out back-offs, until the queue is idle: as many
        connections at once as the configured concurrency."""
        if self._worker_config().concurrency <= 1:
            return self.worker().run_until_idle(max_seconds)
        return self.pool().run(until_idle=True, max_seconds=max_seconds)

    # the source app's notifications and feed -------------------------------------------

    def add_endpoint(
        self, workspace_id: str, url: str, types: Sequence[str] = ()
    ) -> endpoints.NewEndpoint:
        """Send the workspace's events (of ``types``; empty: all) to ``url``, signed with the
        secret in the answer, which is never shown again."""
        with transaction(self.factory) as session:
            ring = KeyRing.from_settings(self.settings)
            return endpoints.add(session, ring, workspace_id, url, types)

    def events(
        self, workspace_id: str, *, after: int = 0, limit: int = 100, type_: str | None = None
    ) -> list[Event]:
        """The feed: the workspace's events after the cursor ``after``, oldest first (the
        horizon's lock is taken only when there is something after the cursor to read)."""
        types = [endpoints.check_type(type_, "type")] if type_ else []
        with self.factory() as session:
            if not events.after(session, workspace_id, after, limit=1, types=types):
                return []
        through = events.horizon(self.factory)
        with self.factory() as session:
            return events.after(
                session, workspace_id, after, limit=limit, types=types, through=through
            )

    def deliver_events(self) -> DeliveryPass:
        """One notification pass now (``sync.loops.NotifyLoop`` runs them in the background)."""
        return self._shared_notifier().deliver_due()

    def send_again(self, workspace_id: str, endpoint_id: str, event_id: int) -> Delivery:
        """Send one event to one endpoint now, whatever became of it before."""
        return self._shared_notifier().send_again(workspace_id, endpoint_id, event_id)

    def _shared_notifier(self) -> Notifier:
        with self._notifier_lock:
            if self._notifier is None:
                self._notifier = self.notifier()
            return self._notifier
