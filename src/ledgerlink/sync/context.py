"""What one worker run on one connection carries: settings, the client, the clock, the lease.

Shared by the worker's parts (contacts, sends, lost replies). ``write_intent`` is the one way a
write to Xero starts: the intent (its Idempotency-Key, the exact body bytes, the documents) is
committed together with a renewal of our lease before a byte is sent (invariant 2).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink import logs
from ledgerlink.config import Settings, positive_from_env
from ledgerlink.store.db import core
from ledgerlink.store.members import one_of
from ledgerlink.store.models import Link, QueueItem, SendIntent
from ledgerlink.sync import leases, lifecycle, pause
from ledgerlink.sync.jobs import JobTally
from ledgerlink.sync.lifecycle import Policy
from ledgerlink.sync.run_budget import RunBudget
from ledgerlink.xero.client import XeroClient, XeroReply

if TYPE_CHECKING:
    from ledgerlink.sync.flight import Flight

MAX_URL = 2000
_INTENTS = cast(Table, SendIntent.__table__)
_ITEMS = cast(Table, QueueItem.__table__)
# The client's logger: its line of each write is what a send's request ids are bound for.
CALL_LOGGER = "ledgerlink.xero.client"


DEFAULT_CALLS_AT_ONCE = 3


def calls_at_once_from_env(default: int = DEFAULT_CALLS_AT_ONCE) -> int:
    """``LEDGERLINK_CALLS_PER_ORGANISATION``: requests a run keeps in flight to one organisation
    (at most Xero's 5; the shared limiter holds every process to that too)."""
    value = positive_from_env("LEDGERLINK_CALLS_PER_ORGANISATION", int)
    return min(5, int(value) if value is not None else default)


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class WorkerConfig:
    """Tuning of a worker; the defaults suit Xero's limits and idempotency window."""

    owner: str = field(default_factory=default_owner)
    # Renewed by a heartbeat while the worker lives: how soon a dead worker's organisation is
    # taken over by another.
    lease_seconds: float = 30.0
    claim_size: int = 500
    batch_size: int = 50
    contact_batch_size: int = 100
    # Xero keeps an Idempotency-Key about 6 minutes; replay only well inside that.
    replay_window_seconds: float = 300.0
    reference_max_age_seconds: float = 3600.0
    public_url: str = "http://127.0.0.1:8000"
    limiter_max_wait: float = 30.0
    # How long an idle worker sleeps at most before it looks for work again.
    idle_poll_seconds: float = 5.0
    # How many connections one worker process drives at once (``sync.pool``), and how long one
    # run may keep a connection while others wait for a turn (0: until its queue is empty).
    concurrency: int = 1
    run_slice_seconds: float = 60.0
    # Requests one run keeps in flight to its organisation at once (Xero allows 5): the next
    # batch is converted and sent while Xero works on the one before.
    calls_at_once: int = 1
    policy: Policy = field(default_factory=Policy)


@dataclass(frozen=True)
class ConnectionInfo:
    id: str
    workspace_id: str
    tenant_id: str
    short_code: str | None
    base_currency: str | None
    token_set_id: str | None
    settings: dict[str, Any]
    # The scopes Xero granted the connection's tokens ("" when not known).
    scopes: str = ""
    # The Xero app the tokens belong to (its own minute and, for a workspace's app, its tier).
    client_id: str | None = None


@dataclass
class Work:
    """One claimed queue item and what sending it needs."""

    item_id: str
    document_id: str
    kind: str
    version: int
    current_version: int
    content_hash: str
    body: dict[str, Any]
    intent_id: str | None
    attempts: int
    # The validated document (its kind's model); None until loaded.
    document: Any = None
    link: Link | None = None
    contact_id: str | None = None
    # Where the document's currency comes from: its own field, or the connection's default
    # (``settings.default_currency``, filled in by ``sync.currencies.apply_default``).
    currency_field: str = "currency"


@dataclass
class Run:
    factory: sessionmaker[Session]
    settings: Settings
    config: WorkerConfig
    connection: ConnectionInfo
    client: XeroClient
    clock: Callable[[], datetime]
    tally: JobTally
    heartbeat: leases.Heartbeat | None = None
    _lease_lost: bool = False
    # Writes that Xero could not serve, one after another; two running end the round.
    unavailable_streak: int = 0
    # Held while a failure is recorded: its items, then (Xero said wait) every item of the
    # connection. Two requests in flight that fail together would otherwise each hold their
    # own items while waiting for the other's (a deadlock on PostgreSQL).
    failing: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    # Requests in flight, which may outlast a claim (``sync.flight``); None: one at a time.
    flight: Flight | None = field(default=None, repr=False, compare=False)
    # The kinds this run claimed documents of: what Xero is to be polled for afterwards.
    kinds_claimed: set[str] = field(default_factory=set, repr=False, compare=False)

    @property
    def owner(self) -> str:
        return self.config.owner

    @property
    def lease_lost(self) -> bool:
        """Another worker holds our connection now (a renewal found the lease gone)."""
        return self._lease_lost or (self.heartbeat is not None and self.heartbeat.lost.is_set())

    @lease_lost.setter
    def lease_lost(self, value: bool) -> None:
        self._lease_lost = value

    @property
    def policy(self) -> Policy:
        return self.config.policy

    def now(self) -> datetime:
        return self.clock()

    def marker(self, document_id: str, own_url: str | None) -> str:
        """The Url every sent document carries, unique to it, so a lost create can be found.

        The source app's own link is kept (Xero shows it as "Go to ..."), with the document's
        id in its fragment; without one, ledgerlink's own page for the document.
        """
        if own_url:
            joined = f"{own_url}{'&' if '#' in own_url else '#'}ledgerlink={document_id}"
            if len(joined) <= MAX_URL:
                return joined
        return f"{self.config.public_url.rstrip('/')}/documents/{document_id}"

    def write_intent(
        self,
        method: str,
        path: str,
        body: bytes,
        document_ids: Sequence[str],
        item_ids: Sequence[str],
    ) -> SendIntent | None:
        """Commit the intent and point the items at it; None if our lease was taken from us."""
        now = self.now()
        intent = lifecycle.new_intent(
            self.connection.id, method, path, body, document_ids, now, self.owner
        )
        intent_id = intent.id
        with self.factory() as session, session.begin():
            if not leases.renew_lease(
                session, self.connection.id, self.owner, self.config.lease_seconds, now
            ):
                self.lease_lost = True
                return None
            connection = core(session)
            connection.execute(insert(_INTENTS).values(lifecycle.intent_row(intent)))
            ids = list(item_ids)
            for start in range(0, len(ids), 500):
                connection.execute(
                    update(_ITEMS)
                    .where(one_of(QueueItem.id, ids[start : start + 500]))
                    .values(intent_id=intent_id, updated_at=now)
                )
        pause.reached("intent_written")
        return intent

    def send(self, intent: SendIntent) -> XeroReply:
        """Send (or replay) an intent exactly as written: same bytes, same query, same key.

        The call's log lines carry the documents it sends and the ``X-Request-ID`` of the REST
        request that queued them (``request_ids`` when the batch came from several).
        """
        parts = urlsplit(intent.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        documents = list(intent.document_ids)
        budget = self.client.limiter
        writing = budget.writing(intent.method) if isinstance(budget, RunBudget) else nullcontext()
        with (
            logs.bound(document_ids=documents, **self._request_ids(intent.id, documents)),
            writing,
        ):
            return self.client.request(
                intent.method,
                parts.path,
                bytes(intent.body),
                params=params,
                idempotency_key=intent.idempotency_key,
            )

    def _request_ids(self, intent_id: str, document_ids: Sequence[str]) -> dict[str, Any]:
        """The request ids of the items an intent sends, to bind to its log lines; read only
        when the call's line will be written, in one query per write found through the
        documents' index (not the intent's, which has none)."""
        if not document_ids or not logging.getLogger(CALL_LOGGER).isEnabledFor(logging.INFO):
            return {}
        with self.factory() as session:
            rows = session.scalars(
                select(QueueItem.request_id)
                .where(
                    one_of(QueueItem.document_id, document_ids), QueueItem.intent_id == intent_id
                )
                .distinct()
            )
            found = sorted(rid for rid in rows if rid is not None)
        if len(found) == 1:
            return {"request_id": found[0]}
        return {"request_ids": found} if found else {}
