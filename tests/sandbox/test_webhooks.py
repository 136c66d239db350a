"""Webhooks: Intent to Receive, signed batched deliveries, retries with back-off, disabling."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
import pytest

from tests.conftest import DEMO_TENANT, UK_TENANT, RunningSandbox, XeroHttp
from xero_sandbox import SandboxConfig

KEY = "ledgerlink-demo-webhook-key"


@dataclass
class Received:
    body: bytes
    signature: str
    valid: bool
    answered: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver on a loopback port that checks Xero's signature like an app must."""

    key: str = KEY
    mode: str = "honest"
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/xero"

    def valid(self, body: bytes, signature: str) -> bool:
        digest = hmac.new(self.key.encode(), body, hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(digest).decode(), signature)

    def answer(self, valid: bool) -> tuple[int, bytes]:
        if self.mode == "honest":
            return (200 if valid else 401), b""
        if self.mode == "always200":
            return 200, b""
        if self.mode == "always401":
            return 401, b""
        if self.mode == "chatty":
            return (200 if valid else 401), b"thanks"
        return 500, b""

    def events(self) -> list[Received]:
        """The deliveries that carried events (Intent to Receive payloads have none)."""
        return [r for r in self.received if r.json["events"]]

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                signature = self.headers.get("x-xero-signature", "")
                valid = receiver.valid(body, signature)
                status, reply = receiver.answer(valid)
                receiver.received.append(Received(body, signature, valid, status))
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    # an hour-long window: only an explicit flush batches, so tests do not race the timer
    return SandboxConfig(webhook_batch_seconds=3600, webhook_retry_seconds=[10, 20])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url + "/_sandbox", timeout=30) as client:
        yield client


def subscribe(admin: httpx2.Client, url: str, **extra: str) -> dict[str, Any]:
    reply = admin.put("/webhooks", json={"url": url, **extra})
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def flush(admin: httpx2.Client) -> dict[str, Any]:
    reply = admin.post("/webhooks/flush")
    assert reply.status_code == 200
    body: dict[str, Any] = reply.json()
    return body


def emit(sandbox: RunningSandbox, count: int, category: str = "CONTACT") -> list[str]:
    org = sandbox.state.orgs[DEMO_TENANT]
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(len(sandbox.state.events), 99)]
    path = {"CONTACT": "Contacts", "INVOICE": "Invoices", "CREDITNOTE": "CreditNotes"}[category]
    for resource_id in ids[:count]:
        data = {"Type": "ACCRECCREDIT", "Status": "DRAFT"} if category == "CREDITNOTE" else None
        sandbox.state.emit(org, category, "CREATE", resource_id, path, data)
    return ids[:count]


def test_intent_to_receive_passes_for_an_honest_receiver(
    admin: httpx2.Client, receiver: Receiver
) -> None:
    status = subscribe(admin, receiver.url)
    assert (status["status"], status["reason"], status["url"]) == ("OK", None, receiver.url)
    assert len(receiver.received) == 4
    assert [r.valid for r in receiver.received] == [True, False, True, False]
    assert [r.answered for r in receiver.received] == [200, 401, 200, 401]
    for itr in receiver.received:
        payload = itr.json
        assert payload["events"] == []
        assert (payload["firstEventSequence"], payload["lastEventSequence"]) == (0, 0)
        assert re.fullmatch(r"[A-Z]{20}", payload["entropy"])
    assert len({r.json["entropy"] for r in receiver.received}) == 4
    assert admin.get("/webhooks").json()["status"] == "OK"


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        (
            "always200",
            "Intent to Receive failed: payload 2 of 4 (incorrectly signed) got 200, expected 401.",
        ),
        (
            "always401",
            "Intent to Receive failed: payload 1 of 4 (correctly signed) got 401, expected 200.",
        ),
        (
            "chatty",
            "Intent to Receive failed: payload 1 of 4 (correctly signed) got a body of 6 bytes; "
            "the response body must be empty.",
        ),
    ],
)
def test_intent_to_receive_fails_for_a_receiver_that_does_not_check(
    admin: httpx2.Client, sandbox: RunningSandbox, receiver: Receiver, mode: str, reason: str
) -> None:
    receiver.mode = mode
    status = subscribe(admin, receiver.url)
    assert (status["status"], status["reason"]) == ("FAILED", reason)
    # no events go to a receiver that failed Intent to Receive
    emit(sandbox, 1)
    count = len(receiver.received)
    assert flush(admin)["stats"]["events_pending"] == 1
    assert len(receiver.received) == count


def test_intent_to_receive_fails_for_an_unreachable_url(
    admin: httpx2.Client, receiver: Receiver
) -> None:
    url = receiver.url
    receiver.stop()
    status = subscribe(admin, url)
    assert status["status"] == "FAILED"
    assert status["reason"].startswith(
        "Intent to Receive failed: payload 1 of 4 (correctly signed) could not be sent:"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"url": "ftp://example.com/hook"}, "url must be an absolute http(s) URL"),
        ({"url": "/relative"}, "url must be an absolute http(s) URL"),
        ({}, "url must be an absolute http(s) URL"),
        (
            {"url": "http://127.0.0.1:9/x", "key": ""},
            "key must be a non-empty string (or left out for the default)",
        ),
    ],
)
def test_a_bad_subscription_is_refused(
    admin: httpx2.Client, body: dict[str, str], message: str
) -> None:
    reply = admin.put("/webhooks", json=body)
    assert reply.status_code == 400
    assert reply.json() == {"error": message}
    assert admin.get("/webhooks").json()["status"] == "NONE"


def test_events_are_batched_signed_and_numbered(
    admin: httpx2.Client, sandbox: RunningSandbox, receiver: Receiver
) -> None:
    subscribe(admin, receiver.url)
    ids = emit(sandbox, 3)
    assert receiver.events() == []
    assert admin.get("/webhooks").json()["stats"]["events_pending"] == 3
    status = flush(admin)
    [delivery] = receiver.events()
    assert delivery.valid and delivery.answered == 200
    payload = delivery.json
    assert set(payload) == {"events", "firstEventSequence", "lastEventSequence", "entropy"}
    assert (payload["firstEventSequence"], payload["lastEventSequence"]) == (1, 3)
    assert [e["resourceId"] for e in payload["events"]] == ids
    event = payload["events"][0]
    assert event["resourceUrl"] == f"https://api.xero.com/api.xro/2.0/Contacts/{ids[0]}"
    assert (event["eventCategory"], event["eventType"]) == ("CONTACT", "CREATE")
    assert (event["tenantId"], event["tenantType"]) == (DEMO_TENANT, "ORGANISATION")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", event["eventDateUtc"])
    assert "data" not in event
    [shown] = status["deliveries"]
    assert shown["state"] == "DELIVERED"
    assert shown["status_codes"] == [200]
    assert shown["signature"] == delivery.signature
    assert shown["payload"] == payload
    assert shown["next_retry"] is None
    assert status["stats"]["events_delivered"] == 3
    stats = admin.get("/stats").json()["webhooks"]
    assert (stats["delivered"], stats["events_pending"]) == (1, 0)
    # nothing is sent twice
    flush(admin)
    assert len(receiver.events()) == 1


def test_api_writes_become_events(admin: httpx2.Client, xero: XeroHttp, receiver: Receiver) -> None:
    subscribe(admin, receiver.url)
    headers = {"Idempotency-Key": "contact-1"}
    reply = xero.put("/Contacts", {"Name": "Webhook Test Pty"}, headers=headers)
    assert reply.status == 200
    contact_id = reply.json["Contacts"][0]["ContactID"]
    # a replayed write changes nothing, so it announces nothing
    assert xero.put("/Contacts", {"Name": "Webhook Test Pty"}, headers=headers).status == 200
    flush(admin)
    [delivery] = receiver.events()
    events = delivery.json["events"]
    assert [(e["eventCategory"], e["eventType"], e["resourceId"]) for e in events] == [
        ("CONTACT", "CREATE", contact_id)
    ]
    assert delivery.valid


def test_credit_note_events_carry_type_and_status(
    admin: httpx2.Client, sandbox: RunningSandbox, receiver: Receiver
) -> None:
    subscribe(admin, receiver.url)
    emit(sandbox, 1, "CREDITNOTE")
    flush(admin)
    [event] = receiver.events()[0].json["events"]
    assert event["eventCategory"] == "CREDITNOTE"
    assert event["data"] == {"Type": "ACCRECCREDIT", "Status": "DRAFT"}


def test_events_of_every_organisation_are_delivered(
    admin: httpx2.Client, sandbox: RunningSandbox, receiver: Receiver
) -> None:
    subscribe(admin, receiver.url)
    sandbox.state.emit(sandbox.state.orgs[UK_TENANT], "INVOICE", "UPDATE", "a-1", "Invoices")
    emit(sandbox, 1)
    flush(admin)
    events = receiver.events()[0].json["events"]
    assert [(e["tenantId"], e["eventCategory"]) for e in events] == [
        (UK_TENANT, "INVOICE"),
        (DEMO_TENANT, "CONTACT"),
    ]


def test_a_subscription_key_signs_deliveries(
    admin: httpx2.Client, sandbox: RunningSandbox, receiver: Receiver
) -> None:
    receiver.key = "another-key"
    assert subscribe(admin, receiver.url, key="another-key")["status"] == "OK"
    emit(sandbox, 1)
    flush(admin)
    assert receiver.events()[0].valid


def test_failed_deliveries_back_off_then_disable_then_replay_in_order(
    admin: httpx2.Client, sandbox: RunningSandbox, receiver: Receiver
) -> None:
    subscribe(admin, receiver.url)
    receiver.mode = "broken"
    first_ids = emit(sandbox, 2)
    flush(admin)
    assert len(receiver.events()) == 1
    # the back-off is not over: a flush sends nothing
    flush(admin)
    assert len(receiver.events()) == 1
    admin.post("/clock", json={"advance_seconds": 10})
    flush(admin)
    admin.post("/clock", json={"advance_seconds": 20})
    status = flush(admin)
    attempts = receiver.events()
    assert [a.answered for a in attempts] == [500, 500, 500]
    assert len({a.body for a in attempts}) == 1
    assert all(a.valid for a in attempts)
    assert status["status"] == "FAILED"
    assert "failed 3 times in a row (last: 500); the subscription was disabled" in status["reason"]
    [shown] = status["deliveries"]
    assert (shown["state"], shown["status_codes"]) == ("PENDING", [500, 500, 500])
    # while disabled, events are kept and nothing is sent
    later_ids = emit(sandbox, 1)
    admin.post("/clock", json={"advance_seconds": 3600})
    flush(admin)
    assert len(receiver.events()) == 3
    # re-enabling runs Intent to Receive again, then replays in order
    receiver.mode = "honest"
    before = len(receiver.received)
    assert subscribe(admin, receiver.url)["status"] == "OK"
    assert len(receiver.received) == before + 4
    flush(admin)
    replayed = receiver.events()[3:]
    assert [r.answered for r in replayed] == [200, 200]
    assert replayed[0].body == attempts[0].body
    assert [e["resourceId"] for e in replayed[0].json["events"]] == first_ids
    assert (replayed[1].json["firstEventSequence"], replayed[1].json["lastEventSequence"]) == (3, 3)
    assert [e["resourceId"] for e in replayed[1].json["events"]] == later_ids


def test_reset_forgets_events_but_keeps_the_subscription(
    admin: httpx2.Client, sandbox: RunningSandbox, receiver: Receiver
) -> None:
    subscribe(admin, receiver.url)
    emit(sandbox, 2)
    admin.post("/reset")
    status = flush(admin)
    assert status["status"] == "OK"
    assert status["deliveries"] == []
    assert receiver.events() == []


def test_the_subscription_can_be_removed(admin: httpx2.Client, receiver: Receiver) -> None:
    subscribe(admin, receiver.url)
    reply = admin.delete("/webhooks")
    assert (reply.json()["status"], reply.json()["url"]) == ("NONE", None)


class TestBackgroundDelivery:
    """The dispatcher's own timer delivers without a flush once the window has passed."""

    @pytest.fixture
    def sandbox_config(self) -> SandboxConfig:
        return SandboxConfig(webhook_batch_seconds=0.0)

    def test_events_arrive_without_a_flush(
        self, admin: httpx2.Client, sandbox: RunningSandbox, receiver: Receiver
    ) -> None:
        subscribe(admin, receiver.url)
        ids = emit(sandbox, 1)
        deadline = time.monotonic() + 10
        while not receiver.events() and time.monotonic() < deadline:
            time.sleep(0.02)
        [delivery] = receiver.events()
        assert delivery.valid
        assert delivery.json["events"][0]["resourceId"] == ids[0]
