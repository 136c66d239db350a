"""Xero's webhooks: Intent to Receive, signed batched deliveries, retries, then disabling.

Resource handlers only append to ``state.events``; this background task turns them into
deliveries, so a slow or dead receiver never slows the Accounting API. Events are batched per
delivery window and numbered in order. A delivery that does not get a 200 is retried with the
same body (same sequence numbers, same signature) after each of ``webhook_retry_seconds``; after
the last retry the subscription is disabled, as Xero disables it. Events keep being stored
while it is disabled and are delivered in order once it is re-enabled, which re-runs Intent to
Receive. Timers follow the sandbox clock, and ``flush()`` delivers what is pending now, so tests
advance the clock instead of waiting.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
import string
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx2

from xero_sandbox.state import Event, SandboxState

log = logging.getLogger("xero_sandbox.webhooks")

RESPONSE_SECONDS = 5.0
"""Xero waits five seconds for the receiver's answer."""
TICK_SECONDS = 0.05
MAX_EVENTS_PER_DELIVERY = 100
KEPT_DELIVERIES = 500
ITR_PATTERN = (True, False, True, False)
"""Which Intent to Receive payloads are correctly signed, in the order they are sent."""


def sign(body: bytes, key: str) -> str:
    """Xero's x-xero-signature: base64 of HMAC-SHA256 over the raw body bytes."""
    digest = hmac.new(key.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def entropy() -> str:
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(20))


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def event_json(event: Event) -> dict[str, Any]:
    """One event as Xero sends it: a thin pointer to the resource, plus data for credit notes."""
    when = event.when.astimezone(UTC).replace(tzinfo=None)
    body: dict[str, Any] = {
        "resourceUrl": event.resource_url,
        "resourceId": event.resource_id,
        "tenantId": event.tenant_id,
        "tenantType": "ORGANISATION",
        "eventCategory": event.category,
        "eventType": event.event_type,
        "eventDateUtc": when.isoformat(timespec="milliseconds"),
    }
    if event.data is not None:
        body["data"] = event.data
    return body


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="milliseconds")


@dataclass
class Attempt:
    at: float
    status: int | None
    error: str | None = None


@dataclass
class Delivery:
    """One POST body: sent until it gets a 200, always with the same bytes."""

    id: str
    first_sequence: int
    last_sequence: int
    event_count: int
    body: bytes
    signature: str
    next_attempt: float
    attempts: list[Attempt] = field(default_factory=list)
    failures: int = 0
    delivered: bool = False

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": "DELIVERED" if self.delivered else "PENDING",
            "firstEventSequence": self.first_sequence,
            "lastEventSequence": self.last_sequence,
            "events": self.event_count,
            "attempt_count": len(self.attempts),
            "status_codes": [a.status for a in self.attempts],
            "attempts": [
                {"at": _iso(a.at), "status": a.status, "error": a.error} for a in self.attempts
            ],
            "next_retry": None if self.delivered else _iso(self.next_attempt),
            "signature": self.signature,
            "payload": json.loads(self.body),
        }


@dataclass
class Subscription:
    url: str | None = None
    key: str = ""
    status: str = "NONE"
    reason: str | None = None
    checked_at: float | None = None


class WebhookDispatcher:
    """The app's one webhook subscription and the task that delivers to it."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        config = state.config
        self.subscription = Subscription(url=config.webhook_url, key=config.webhook_key)
        if config.webhook_url:
            # A URL given in the configuration is checked with Intent to Receive at start,
            # as Xero checks every subscription before it sends events to it.
            self.subscription.status = "PENDING"
            self.subscription.reason = "Intent to Receive runs when the sandbox starts"
        self.deliveries: list[Delivery] = []
        self.cursor = 0
        self.sequence = 0
        self.lock = asyncio.Lock()
        self.client: httpx2.AsyncClient | None = None
        self.task: asyncio.Task[None] | None = None
        self.check_task: asyncio.Task[dict[str, Any]] | None = None

    async def start(self) -> None:
        self.client = httpx2.AsyncClient(timeout=RESPONSE_SECONDS)
        self.task = asyncio.create_task(self._run(), name="xero-sandbox-webhooks")
        if self.subscription.url and self.subscription.status == "PENDING":
            self.check_task = asyncio.create_task(
                self.subscribe(self.subscription.url, self.subscription.key),
                name="xero-sandbox-webhook-itr",
            )

    async def stop(self) -> None:
        if self.check_task is not None and not self.check_task.done():
            self.check_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.check_task
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    async def _run(self) -> None:
        while True:
            try:
                async with self.lock:
                    await self._deliver_due(force_batch=False)
            except Exception:
                log.exception("webhook delivery step failed")
            await asyncio.sleep(TICK_SECONDS)

    async def flush(self) -> dict[str, Any]:
        """Batch every stored event now and send whatever is due; back-off is still honoured."""
        async with self.lock:
            await self._deliver_due(force_batch=True)
        return self.describe()

    async def reset(self) -> None:
        """Forget events and deliveries; the subscription itself is the app's and stays."""
        async with self.lock:
            self.deliveries.clear()
            self.cursor = 0

    async def unsubscribe(self) -> dict[str, Any]:
        async with self.lock:
            self.subscription = Subscription(key=self.state.config.webhook_key)
        return self.describe()

    async def subscribe(self, url: str, key: str | None) -> dict[str, Any]:
        """Set the subscription and run Intent to Receive; only a passing receiver gets events."""
        async with self.lock:
            sub = self.subscription
            sub.url = url
            sub.key = key or self.state.config.webhook_key
            sub.checked_at = self.state.clock.timestamp()
            failure = await self._intent_to_receive(url, sub.key)
            if failure is None:
                sub.status = "OK"
                sub.reason = None
                head = self._head()
                if head is not None:
                    head.failures = 0
                    head.next_attempt = self.state.clock.timestamp()
            else:
                sub.status = "FAILED"
                sub.reason = failure
        return self.describe()

    async def _intent_to_receive(self, url: str, key: str) -> str | None:
        """The reason Intent to Receive failed, or None if the receiver passed."""
        total = len(ITR_PATTERN)
        for number, correct in enumerate(ITR_PATTERN, start=1):
            payload = {
                "events": [],
                "firstEventSequence": 0,
                "lastEventSequence": 0,
                "entropy": entropy(),
            }
            body = encode(payload)
            signature = sign(body, key if correct else secrets.token_urlsafe(24))
            label = "correctly" if correct else "incorrectly"
            which = f"payload {number} of {total} ({label} signed)"
            try:
                reply = await self._post(url, body, signature)
            except httpx2.TimeoutException:
                return f"Intent to Receive failed: {which} got no reply within 5 seconds."
            except httpx2.HTTPError as exc:
                return f"Intent to Receive failed: {which} could not be sent: {exc!r}."
            expected = 200 if correct else 401
            if reply.status_code != expected:
                return (
                    f"Intent to Receive failed: {which} got {reply.status_code}, "
                    f"expected {expected}."
                )
            if reply.content:
                return (
                    f"Intent to Receive failed: {which} got a body of {len(reply.content)} "
                    "bytes; the response body must be empty."
                )
            if "set-cookie" in reply.headers:
                return f"Intent to Receive failed: {which} set a cookie; responses must not."
        return None

    async def _post(self, url: str, body: bytes, signature: str) -> httpx2.Response:
        if self.client is None:
            raise httpx2.ConnectError("the webhook dispatcher is not running")
        return await self.client.post(
            url,
            content=body,
            headers={"Content-Type": "application/json", "x-xero-signature": signature},
        )

    def _head(self) -> Delivery | None:
        if self.deliveries and not self.deliveries[-1].delivered:
            return self.deliveries[-1]
        return None

    async def _deliver_due(self, *, force_batch: bool) -> None:
        """Send deliveries strictly one after another, so events arrive in order."""
        while self.subscription.status == "OK" and self.subscription.url:
            head = self._head() or self._batch(force_batch)
            if head is None or head.next_attempt > self.state.clock.timestamp():
                return
            if not await self._attempt(head, self.subscription.url, self.subscription.key):
                return

    def _batch(self, force: bool) -> Delivery | None:
        """The next delivery from stored events, once the oldest has waited one window."""
        pending = self.state.events[self.cursor :]
        if not pending:
            return None
        now = self.state.clock.timestamp()
        if (
            not force
            and now - pending[0].when.timestamp() < self.state.config.webhook_batch_seconds
        ):
            return None
        taken = pending[:MAX_EVENTS_PER_DELIVERY]
        self.cursor += len(taken)
        first = self.sequence + 1
        self.sequence += len(taken)
        payload = {
            "events": [event_json(e) for e in taken],
            "firstEventSequence": first,
            "lastEventSequence": self.sequence,
            "entropy": entropy(),
        }
        body = encode(payload)
        delivery = Delivery(
            id=str(uuid.uuid4()),
            first_sequence=first,
            last_sequence=self.sequence,
            event_count=len(taken),
            body=body,
            signature=sign(body, self.subscription.key),
            next_attempt=now,
        )
        self.deliveries.append(delivery)
        if len(self.deliveries) > KEPT_DELIVERIES:
            del self.deliveries[: len(self.deliveries) - KEPT_DELIVERIES]
        return delivery

    async def _attempt(self, delivery: Delivery, url: str, key: str) -> bool:
        if delivery.signature != sign(delivery.body, key):
            # The key changed while this delivery waited: Xero signs with the current key.
            delivery.signature = sign(delivery.body, key)
        status: int | None = None
        error: str | None = None
        try:
            reply = await self._post(url, delivery.body, delivery.signature)
            status = reply.status_code
        except httpx2.TimeoutException:
            error = "no reply within 5 seconds"
        except httpx2.HTTPError as exc:
            error = repr(exc)
        now = self.state.clock.timestamp()
        delivery.attempts.append(Attempt(at=now, status=status, error=error))
        if status == 200:
            delivery.delivered = True
            return True
        delivery.failures += 1
        retries = self.state.config.webhook_retry_seconds
        if delivery.failures > len(retries):
            self.subscription.status = "FAILED"
            self.subscription.reason = (
                f"Delivery {delivery.id} failed {delivery.failures} times in a row "
                f"(last: {status if status is not None else error}); the subscription was "
                "disabled. Events are kept and replayed in order once it is re-enabled "
                "(PUT /_sandbox/webhooks runs Intent to Receive again)."
            )
            return False
        delivery.next_attempt = now + retries[delivery.failures - 1]
        return False

    def stats(self) -> dict[str, Any]:
        attempts = [a for d in self.deliveries for a in d.attempts]
        waiting = len(self.state.events) - self.cursor
        head = self._head()
        return {
            "subscription": self.subscription.status,
            "deliveries": len(self.deliveries),
            "delivered": sum(1 for d in self.deliveries if d.delivered),
            "events_delivered": sum(d.event_count for d in self.deliveries if d.delivered),
            "attempts": len(attempts),
            "failed_attempts": sum(1 for a in attempts if a.status != 200),
            "events_pending": waiting + (head.event_count if head else 0),
        }

    def describe(self) -> dict[str, Any]:
        sub = self.subscription
        return {
            "url": sub.url,
            "status": sub.status,
            "reason": sub.reason,
            "checked_at": _iso(sub.checked_at),
            "batch_seconds": self.state.config.webhook_batch_seconds,
            "retry_seconds": list(self.state.config.webhook_retry_seconds),
            "stats": self.stats(),
            "deliveries": [d.describe() for d in self.deliveries],
        }
