"""Signed notifications to the source app: each event to each matching endpoint, in order.

The source app must apply events in the order they happened (a document synced, then paid), so
an endpoint is a queue of one: its head event is retried with back-off while the ones after it
wait, until the head is delivered or, after about a day, given up. Endpoints never wait for
each other: each pass drives them side by side on a few threads, and a receiver that does not
answer costs its own endpoint one short timeout per pass.

Several processes may run passes against one database: an endpoint is claimed by moving its
``next_attempt`` into the future (a lease), and every later write to it is conditional on
that lease still being the one we set, so a pass that outlived its lease stops instead of
sending what another process is sending.

Signatures follow Standard Webhooks: ``webhook-id`` is the same on every attempt, so a
receiver can drop a repeat; ``webhook-timestamp`` is the wall time of the attempt, which the
receiver checks against its own clock to refuse replays.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx2
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.store.db import json_dumps, transaction
from ledgerlink.store.secrets import KeyRing
from ledgerlink.store.twoway import Delivery, Endpoint, Event
from ledgerlink.sync import endpoints, events

log = logging.getLogger(__name__)

# Waits after the 1st, 2nd... failed attempt at one event; after the last, it is given up.
BACKOFF = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=5)
TIMEOUT_SECONDS = 10.0
BATCH = 200  # events per endpoint per pass
ENDPOINTS_PER_PASS = 500
THREADS = 8
ERROR_TEXT = 500  # characters of a receiver's answer kept in the log


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(endpoints.SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def message_id(event_id: int) -> str:
    return f"evt_{event_id}"


@dataclass
class Attempt:
    status: int | None
    ok: bool
    error: str | None


@dataclass
class DeliveryPass:
    """What one pass did: attempts that were delivered, failed, or failed for the last time."""

    delivered: int = 0
    failed: int = 0
    given_up: int = 0
    endpoints: int = 0
    more: bool = False  # an endpoint had more events than one pass sends

    def add(self, other: DeliveryPass) -> None:
        self.delivered += other.delivered
        self.failed += other.failed
        self.given_up += other.given_up
        self.endpoints += other.endpoints
        self.more = self.more or other.more


def _matches(endpoint: Endpoint, event: Event) -> bool:
    return not endpoint.types or event.type in endpoint.types


class Notifier:
    """One HTTP client and a few threads, shared by every pass of one process."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        *,
        clock: Callable[[], datetime] | None = None,
        wall: Callable[[], float] = time.time,
        timeout: float = TIMEOUT_SECONDS,
        threads: int = THREADS,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self.factory = factory
        self.ring = KeyRing.from_settings(settings)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.wall = wall
        self.http = httpx2.Client(
            timeout=httpx2.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
            follow_redirects=False,
            headers={"user-agent": "ledgerlink-notify"},
        )
        self.threads = threads
        self._pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self.http.close()

    # one pass -------------------------------------------------------------------------

    def deliver_due(self) -> DeliveryPass:
        """Every endpoint that is due and has events after its cursor, side by side.

        The horizon (a lock every event writer waits behind while it is asked for) is taken
        only when some endpoint may have something to send: a pass with nothing due, the
        usual case, costs one read and holds up no writer."""
        if not self._due(self.clock(), None):
            return DeliveryPass()
        through = events.horizon(self.factory)
        due = self._due(self.clock(), through)
        done = DeliveryPass()
        if len(due) <= 1 or self.threads <= 1:
            results = [self._drive(endpoint_id, through) for endpoint_id in due]
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self.threads, thread_name_prefix="ledgerlink-notify"
                )
            results = list(self._pool.map(lambda e: self._drive(e, through), due))
        for result in results:
            done.add(result)
        return done

    def _due(self, now: datetime, through: int | None) -> list[str]:
        newer = select(Event.id).where(
            Event.workspace_id == Endpoint.workspace_id, Event.id > Endpoint.delivered_through
        )
        if through is not None:
            newer = newer.where(Event.id <= through)
        query = (
            select(Endpoint.id)
            .where(Endpoint.active.is_(True), Endpoint.next_attempt <= now, exists(newer))
            .order_by(Endpoint.next_attempt, Endpoint.id)
            .limit(ENDPOINTS_PER_PASS)
        )
        with self.factory() as session:
            return list(session.scalars(query))

    def _claim(self, endpoint_id: str, now: datetime) -> tuple[Endpoint, datetime] | None:
        lease = now + LEASE
        with transaction(self.factory) as session:
            taken = session.execute(
                update(Endpoint)
                .where(
                    Endpoint.id == endpoint_id,
                    Endpoint.active.is_(True),
                    Endpoint.next_attempt <= now,
                )
                .values(next_attempt=lease)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                return None
            endpoint = session.get(Endpoint, endpoint_id, populate_existing=True)
            assert endpoint is not None
            return endpoint, lease

    def _drive(self, endpoint_id: str, through: int | None) -> DeliveryPass:
        """The endpoint's events from its cursor, until one fails or the batch is sent."""
        done = DeliveryPass()
        try:
            claimed = self._claim(endpoint_id, self.clock())
            if claimed is None:
                return done
            endpoint, lease = claimed
            done.endpoints = 1
            secret = endpoints.secret(self.ring, endpoint)
            with self.factory() as session:
                batch = events.after(
                    session,
                    endpoint.workspace_id,
                    endpoint.delivered_through,
                    limit=BATCH,
                    through=through,
                )
            cursor, failures = endpoint.delivered_through, endpoint.failures
            for event in batch:
                if not _matches(endpoint, event):
                    cursor = event.id
                    continue
                attempt = self._post(endpoint.url, secret, event)
                failures = 0 if attempt.ok else failures + 1
                given_up = failures >= ATTEMPTS
                note = "given_up" if given_up else None
                if attempt.ok or given_up:
                    cursor, failures = event.id, 0
                    done.delivered += attempt.ok
                    done.given_up += given_up
                    if given_up:
                        log.warning(
                            "gave up sending event %s to endpoint %s after %d attempts: %s",
                            event.id,
                            endpoint.id,
                            ATTEMPTS,
                            attempt.error,
                        )
                    # Each step renews the lease: a long batch to a slow receiver stays ours.
                    renewed = self.clock() + LEASE
                    if not self._save(
                        endpoint.id, lease, cursor, 0, renewed, event.id, attempt, note
                    ):
                        return done
                    lease = renewed
                    continue
                done.failed += 1
                retry_at = self.clock() + BACKOFF[failures - 1]
                self._save(endpoint.id, lease, cursor, failures, retry_at, event.id, attempt, None)
                return done
            done.more = len(batch) >= BATCH
            self._save(endpoint.id, lease, cursor, failures, self.clock())
        except Exception:
            # Its lease runs out and another pass takes it up; the other endpoints go on.
            log.exception("notifying endpoint %s failed", endpoint_id)
        return done

    def _save(
        self,
        endpoint_id: str,
        lease: datetime,
        cursor: int,
        failures: int,
        next_attempt: datetime,
        event_id: int | None = None,
        attempt: Attempt | None = None,
        note: str | None = None,
    ) -> bool:
        """Log the attempt, and move the endpoint on if its lease is still ours."""
        with transaction(self.factory) as session:
            if event_id is not None and attempt is not None:
                self._log(session, endpoint_id, event_id, attempt, note)
            moved = session.execute(
                update(Endpoint)
                .where(Endpoint.id == endpoint_id, Endpoint.next_attempt == lease)
                .values(delivered_through=cursor, failures=failures, next_attempt=next_attempt)
            )
            return bool(moved.rowcount == 1)  # type: ignore[attr-defined]

    def _log(
        self, session: Session, endpoint_id: str, event_id: int, attempt: Attempt, note: str | None
    ) -> Delivery:
        row = Delivery(
            endpoint_id=endpoint_id,
            event_id=event_id,
            at=self.clock(),
            status=attempt.status,
            ok=attempt.ok,
            error=attempt.error,
            note=note,
        )
        session.add(row)
        session.flush()
        return row

    # one attempt ----------------------------------------------------------------------

    def _post(self, url: str, secret: str, event: Event) -> Attempt:
        body = json_dumps(events.payload(event)).encode()
        msg_id = message_id(event.id)
        stamp = int(self.wall())
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": signature(secret, msg_id, stamp, body),
        }
        try:
            # Streamed, so a receiver answering with megabytes costs us a few hundred bytes.
            with self.http.stream("POST", url, content=body, headers=headers) as response:
                status = response.status_code
                if 200 <= status < 300:
                    return Attempt(status, True, None)
                head = b""
                for chunk in response.iter_bytes():
                    head += chunk
                    if len(head) >= ERROR_TEXT:
                        break
                said = head[:ERROR_TEXT].decode(errors="replace").strip()
                return Attempt(status, False, f"HTTP {status}" + (f": {said}" if said else ""))
        except httpx2.HTTPError as exc:
            return Attempt(None, False, f"{type(exc).__name__}: {exc}"[:ERROR_TEXT])

    def send_again(self, workspace_id: str, endpoint_id: str, event_id: int) -> Delivery:
        """A person's "send again": one event now, logged, the endpoint's cursor untouched."""
        with self.factory() as session:
            endpoint = endpoints.get(session, workspace_id, endpoint_id)
            event = endpoints.event_of(session, workspace_id, event_id)
            secret = endpoints.secret(self.ring, endpoint)
        attempt = self._post(endpoint.url, secret, event)
        with transaction(self.factory) as session:
            return self._log(session, endpoint_id, event_id, attempt, "again")
