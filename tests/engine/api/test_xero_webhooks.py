"""Xero's webhooks in, end to end over HTTP: the sandbox's webhook points at a running engine.

A payment made in Xero (the sandbox) on a synced invoice and on a synced bill comes back after
one webhook delivery, without a poll: the link reads PAID with its date and amount, and the
source app's endpoint receives one signed ``document.paid`` each (verified by the
``standardwebhooks`` package). A purchase order billed in Xero, which Xero sends no webhook
for, comes back by the connection's poll the same way. The Intent to Receive check passes; a bad
signature gets 401 and stores nothing; a replayed delivery and reordered events change each
link once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, update

from ledgerlink.api.server import EngineServer
from ledgerlink.config import Settings
from ledgerlink.store.models import Link
from ledgerlink.store.twoway import Event, PollMark, PullItem, XeroEvent
from ledgerlink.sync import xero_webhooks
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.limiter import XeroLimits
from tests.conftest import XeroHttp, custom_token
from tests.engine.conftest import CUSTOM_CLIENT, CUSTOM_SECRET, TEST_KEY
from tests.engine.receiver import Receiver
from tests.engine.sync.conftest import FAST_APP_MINUTE, FAST_MINUTE, fast_limits
from xero_sandbox import SandboxConfig
from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.server import SandboxServer, free_port
from xero_sandbox.webhooks import sign

KEY = "webhook-key-of-the-test-app"
API = "/api/v1"


@dataclass
class TwoWay:
    engine: Engine
    server: EngineServer
    sandbox: SandboxServer
    api: httpx2.Client
    xero: XeroHttp
    key: str  # the workspace's API key
    connection: str

    @property
    def receiver(self) -> str:
        return f"{self.server.url}{API}/xero/webhooks"

    def push(self, kind: str, doc: dict[str, Any]) -> None:
        reply = self.api.put(f"{API}/documents/{kind}/{doc['source_id']}", json=doc)
        assert reply.status_code == 200, reply.text

    def document(self, kind: str, source_id: str) -> dict[str, Any]:
        reply = self.api.get(f"{API}/documents/{kind}/{source_id}")
        assert reply.status_code == 200, reply.text
        found: dict[str, Any] = reply.json()
        return found

    def subscribe(self) -> dict[str, Any]:
        reply = httpx2.put(
            f"{self.sandbox.url}/_sandbox/webhooks", json={"url": self.receiver, "key": KEY}
        )
        assert reply.status_code == 200, reply.text
        found: dict[str, Any] = reply.json()
        return found

    def flush(self) -> dict[str, Any]:
        reply = httpx2.post(f"{self.sandbox.url}/_sandbox/webhooks/flush", timeout=30)
        assert reply.status_code == 200, reply.text
        found: dict[str, Any] = reply.json()
        return found

    def requests(self) -> list[dict[str, Any]]:
        reply = httpx2.get(f"{self.sandbox.url}/_sandbox/requests", params={"tenant": DEMO_TENANT})
        found: list[dict[str, Any]] = reply.json()["requests"]
        return found

    def forget_requests(self) -> None:
        httpx2.delete(f"{self.sandbox.url}/_sandbox/requests")

    def count(self, model: Any, *where: Any) -> int:
        with self.engine.factory() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def route(self) -> None:
        """What a worker does with stored events before it looks for work."""
        xero_webhooks.route(self.engine.factory, datetime.now(UTC))

    def endpoint(self, url: str, types: list[str]) -> str:
        """The source app's notification endpoint; its signing secret."""
        made = self.api.post(f"{API}/endpoints", json={"url": url, "types": types})
        assert made.status_code == 201, made.text
        secret: str = made.json()["secret"]
        return secret

    def post_delivery(self, body: bytes, signature: str) -> httpx2.Response:
        return httpx2.post(
            self.receiver,
            content=body,
            headers={"x-xero-signature": signature, "content-type": "application/json"},
        )


@pytest.fixture
def two_way(db_url: str, engine: object) -> Iterator[TwoWay]:
    config = SandboxConfig(webhook_key=KEY, webhook_batch_seconds=3600.0, limits=fast_limits())
    sandbox = SandboxServer(config)
    with sandbox:
        settings = Settings(
            database_url=db_url, secret_keys=(TEST_KEY,), xero_webhook_key=KEY
        ).for_sandbox(sandbox.url)
        fast = XeroLimits(per_minute=FAST_MINUTE, app_per_minute=FAST_APP_MINUTE)
        ledger = Engine.open(settings, admin_token="", limits=fast)  # limits are not the point
        server = EngineServer(ledger, port=free_port(), worker=False)
        with server:
            workspace, key = ledger.create_workspace("Two way")
            connection = ledger.connect_custom(workspace, CUSTOM_CLIENT, CUSTOM_SECRET)
            ledger.configure(
                workspace,
                connection,
                default_revenue_account="200",
                default_expense_account="429",
            )
            api = httpx2.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=30
            )
            xero = XeroHttp(sandbox.url, custom_token(sandbox.url), DEMO_TENANT)
            try:
                yield TwoWay(ledger, server, sandbox, api, xero, key, connection)
            finally:
                api.close()
                xero.close()
                ledger.close()


def invoice(source_id: str, amount: str = "150.00") -> dict[str, Any]:
    return {
        "source_id": source_id,
        "contact": {"key": "bayside", "name": "Bayside Club"},
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "status": "sent",
        "lines": [{"description": "Job", "unit_amount": amount, "account_code": "200"}],
    }


def bill(source_id: str, amount: str = "80.00") -> dict[str, Any]:
    return {
        "source_id": source_id,
        "supplier": {"key": "hardware", "name": "Hardware Co"},
        "date": "2026-03-03",
        "due_date": "2026-04-02",
        "status": "approved",
        "lines": [{"description": "Timber", "unit_amount": amount, "account_code": "429"}],
    }


def pay(two_way: TwoWay, invoice_id: str, amount: str, day: str) -> None:
    body = {
        "Invoice": {"InvoiceID": invoice_id},
        "Account": {"Code": "090"},
        "Date": day,
        "Amount": amount,
        "Reference": "paid in Xero",
    }
    reply = two_way.xero.put("/Payments", {"Payments": [body]})
    assert reply.status == 200, reply.text


def total(two_way: TwoWay, kind: str, source_id: str) -> str:
    found: str = two_way.document(kind, source_id)["link"]["total"]
    return found


def synced(two_way: TwoWay) -> tuple[str, str]:
    """An invoice and a bill sent, the bill approved in Xero by a person: their Xero ids."""
    two_way.push("invoice", invoice("inv-1"))
    two_way.push("expense", bill("bill-1"))
    two_way.engine.sync()
    inv = two_way.document("invoice", "inv-1")["link"]
    exp = two_way.document("expense", "bill-1")["link"]
    assert inv["status"] == "AUTHORISED" and exp["status"] == "SUBMITTED"
    approved = two_way.xero.post(f"/Invoices/{exp['xero_id']}", {"Status": "AUTHORISED"})
    assert approved.status == 200, approved.text  # a person approves the bill in Xero
    return inv["xero_id"], exp["xero_id"]


def test_a_payment_made_in_xero_comes_back_by_one_webhook_delivery_without_a_poll(
    two_way: TwoWay,
) -> None:
    invoice_id, bill_id = synced(two_way)
    receiver = Receiver()
    secret = two_way.endpoint(receiver.url(), ["document.paid"])
    checked = two_way.subscribe()
    assert checked["status"] == "OK", checked  # Intent to Receive passed
    two_way.flush()  # the creates' events: nothing changed, nothing told
    two_way.engine.sync()
    assert two_way.count(Event, Event.type == "document.paid") == 0

    pay(two_way, invoice_id, total(two_way, "invoice", "inv-1"), "2026-03-20")
    pay(two_way, bill_id, total(two_way, "expense", "bill-1"), "2026-03-21")
    before = len(two_way.flush()["deliveries"])
    two_way.forget_requests()
    after = two_way.flush()
    assert len(after["deliveries"]) == before  # nothing left to send: one delivery did it
    assert two_way.count(XeroEvent, XeroEvent.state == "new") == 2  # stored, answered at once

    two_way.engine.sync()  # the worker routes them into pulls, then reads
    calls = two_way.requests()
    # Both read in one call by IDs (no poll, no GET per event); their amounts paid moved, so
    # the payments since are read at once, with their accounts and references.
    assert [(c["method"], c["path"].split("?")[0]) for c in calls] == [
        ("GET", "/Invoices"),
        ("GET", "/Payments"),
    ], calls
    inv = two_way.document("invoice", "inv-1")["link"]
    assert inv["status"] == "PAID" and inv["source_status"] == "paid"
    assert inv["paid_date"] == "2026-03-20" and inv["amount_paid"] == inv["total"]
    assert inv["amount_due"] == "0.00"
    exp = two_way.document("expense", "bill-1")["link"]
    assert exp["status"] == "PAID" and exp["paid_date"] == "2026-03-21"
    paid = _events(two_way, "document.paid")
    assert sorted(e["data"]["source_id"] for e in paid) == ["bill-1", "inv-1"]
    two_way.engine.deliver_events()  # the notify loop's pass (``ledgerlink serve`` runs it)
    got = receiver.got()
    receiver.close()
    assert len(got) == 2  # one document.paid each, signed: checked by standardwebhooks
    signed = sorted(r.verify(secret)["data"]["source_id"] for r in got)
    assert signed == ["bill-1", "inv-1"] and {r.json["type"] for r in got} == {"document.paid"}
    recorded = {e["data"]["source_id"]: e["data"] for e in _events(two_way, "payment.recorded")}
    assert sorted(recorded) == ["bill-1", "inv-1"]
    assert recorded["inv-1"]["amount"] == inv["total"] and recorded["inv-1"]["date"] == "2026-03-20"
    assert (recorded["bill-1"]["account_code"], recorded["bill-1"]["reference"]) == (
        "090",
        "paid in Xero",
    )
    shown = two_way.document("expense", "bill-1")["link"]["payments_in_xero"]
    assert [(p["amount"], p["account_code"], p["reference"]) for p in shown] == [
        (exp["total"], "090", "paid in Xero")
    ]
    assert two_way.count(PullItem) == 0


def test_a_purchase_order_billed_in_xero_reads_as_paid_by_the_next_poll(two_way: TwoWay) -> None:
    """Xero sends no webhook for purchase orders: the connection's poll brings BILLED back."""
    order = {
        "source_id": "po-1",
        "supplier": {"key": "hardware", "name": "Hardware Co"},
        "date": "2026-03-03",
        "delivery_date": "2026-03-20",
        "status": "approved",
        "lines": [{"description": "Timber", "unit_amount": "80.00", "account_code": "429"}],
    }
    two_way.push("purchase_order", order)
    two_way.engine.sync()
    receiver = Receiver()
    secret = two_way.endpoint(receiver.url(), ["document.paid"])
    xero_id = two_way.document("purchase_order", "po-1")["link"]["xero_id"]
    for status in ("AUTHORISED", "BILLED"):  # a person approves it in Xero, then bills it
        reply = two_way.xero.post(f"/PurchaseOrders/{xero_id}", {"Status": status})
        assert reply.status == 200, reply.text
    two_way.engine.sync()
    assert two_way.document("purchase_order", "po-1")["link"]["status"] == "SUBMITTED"

    with two_way.engine.factory() as session, session.begin():  # the poll's time has come
        session.execute(update(PollMark).values(next_at=datetime.now(UTC)))
    two_way.forget_requests()
    two_way.engine.sync()
    assert [c["path"].split("?")[0] for c in two_way.requests()] == ["/PurchaseOrders"]
    link = two_way.document("purchase_order", "po-1")["link"]
    assert link["status"] == "BILLED" and link["source_status"] == "paid"
    two_way.engine.deliver_events()
    got = receiver.got()
    receiver.close()
    assert [r.verify(secret)["data"]["source_id"] for r in got] == ["po-1"]


def _counted(two_way: TwoWay, name: str, label: str) -> float:
    """A counter's value on the engine's /metrics, parsed as Prometheus text."""
    text = httpx2.get(f"{two_way.server.url}/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and label in sample.labels.values():
                return float(sample.value)
    return 0.0


def test_a_bad_signature_gets_401_and_stores_nothing(two_way: TwoWay) -> None:
    invoice_id, _ = synced(two_way)
    refused = _counted(two_way, "ledgerlink_xero_webhook_refused_total", "401")
    new = _counted(two_way, "ledgerlink_xero_webhook_events_total", "new")
    body = _delivery([_event(invoice_id, "2026-03-20T01:00:00.000")])
    assert two_way.post_delivery(body, sign(body, "not-the-key")).status_code == 401
    assert two_way.post_delivery(body, "").status_code == 401
    tampered = body.replace(b"UPDATE", b"CREATE")
    assert two_way.post_delivery(tampered, sign(body, KEY)).status_code == 401
    assert two_way.count(XeroEvent) == 0 and two_way.count(PullItem) == 0

    good = two_way.post_delivery(body, sign(body, KEY))
    assert good.status_code == 200 and good.content == b""
    assert "set-cookie" not in good.headers
    assert two_way.count(XeroEvent) == 1 and two_way.count(PullItem) == 0  # answered first
    two_way.route()
    assert two_way.count(PullItem) == 1
    assert _counted(two_way, "ledgerlink_xero_webhook_refused_total", "401") == refused + 3
    assert _counted(two_way, "ledgerlink_xero_webhook_events_total", "new") == new + 1


def test_replayed_and_reordered_events_change_each_link_once(two_way: TwoWay) -> None:
    invoice_id, bill_id = synced(two_way)
    pay(two_way, invoice_id, "50.00", "2026-03-10")
    early = [_event(invoice_id, "2026-03-20T01:00:00.000")]
    late = [
        _event(invoice_id, "2026-03-20T02:00:00.000"),
        _event(bill_id, "2026-03-20T02:00:01.000"),
    ]
    stranger = [_event("00000000-0000-0000-0000-0000000000ab", "2026-03-20T03:00:00.000")]
    for events in (late, early, late, early + late + stranger, stranger):  # reordered, repeated
        body = _delivery(events)
        assert two_way.post_delivery(body, sign(body, KEY)).status_code == 200
    assert two_way.count(XeroEvent) == 4  # each event once, the stranger's recorded too
    two_way.route()
    assert two_way.count(XeroEvent, XeroEvent.state == "ignored") == 1
    assert two_way.count(PullItem) == 2  # one per linked resource, however often named

    two_way.engine.sync()
    inv = two_way.document("invoice", "inv-1")["link"]
    assert inv["status"] == "AUTHORISED" and inv["amount_paid"] == "50.00"
    rest = str(Decimal(inv["total"]) - Decimal("50.00"))
    assert inv["amount_due"] == rest
    assert _events(two_way, "document.paid") == []
    assert _changes(two_way) == [("bill-1", "SUBMITTED", "AUTHORISED")]  # approved in Xero

    pay(two_way, invoice_id, rest, "2026-03-25")
    for _ in range(3):  # Xero retries the same delivery
        body = _delivery([_event(invoice_id, "2026-03-25T09:00:00.000")])
        assert two_way.post_delivery(body, sign(body, KEY)).status_code == 200
    two_way.engine.sync()
    two_way.engine.sync()
    assert _changes(two_way) == [
        ("bill-1", "SUBMITTED", "AUTHORISED"),
        ("inv-1", "AUTHORISED", "PAID"),
    ]
    assert len(_events(two_way, "document.paid")) == 1
    with two_way.engine.factory() as session:
        link = session.scalars(select(Link).where(Link.xero_id == invoice_id)).one()
        assert link.paid_date == "2026-03-25" and link.amount_paid == inv["total"]


def _events(two_way: TwoWay, type_: str) -> list[dict[str, Any]]:
    with two_way.engine.factory() as session:
        rows = session.scalars(select(Event).where(Event.type == type_).order_by(Event.id))
        return [{"type": r.type, "data": r.data, "document_id": r.document_id} for r in rows]


def _changes(two_way: TwoWay) -> list[tuple[str, str, str]]:
    return [
        (e["data"]["source_id"], e["data"]["previous_status"], e["data"]["status"])
        for e in _events(two_way, "document.status_changed")
    ]


def _event(resource_id: str, when: str, category: str = "INVOICE") -> dict[str, Any]:
    return {
        "resourceUrl": f"https://api.xero.com/api.xro/2.0/Invoices/{resource_id}",
        "resourceId": resource_id,
        "tenantId": DEMO_TENANT,
        "tenantType": "ORGANISATION",
        "eventCategory": category,
        "eventType": "UPDATE",
        "eventDateUtc": when,
    }


def _delivery(events: list[dict[str, Any]]) -> bytes:
    body = {"events": events, "firstEventSequence": 1, "lastEventSequence": len(events)}
    body["entropy"] = "ABCDEFGHIJKLMNOPQRST"
    return json.dumps(body, separators=(",", ":")).encode()
