"""Polling for what Xero sends no webhook for: a purchase order billed in Xero reads as paid, a
payment made in Xero is recorded on its invoice once, each in one paged call per resource with
If-Modified-Since; a poll that finds nothing new tells nothing; polling can be switched off."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.store.models import Connection
from ledgerlink.store.twoway import Event
from ledgerlink.sync import polls
from tests.engine.kinds.conftest import purchase_order
from tests.engine.sync.conftest import SyncHarness, invoice

PERIOD = int(polls.DEFAULT_MINUTES * 60)


def told(harness: SyncHarness, type_: str) -> list[dict[str, Any]]:
    with harness.factory() as session:
        rows = session.scalars(select(Event).where(Event.type == type_).order_by(Event.id))
        return [dict(r.data) for r in rows]


def reads(harness: SyncHarness) -> list[str]:
    """The paths read since the sandbox's request log was last cleared."""
    return [r["path"].split("?")[0] for r in harness.requests("GET")]


def test_a_purchase_order_billed_in_xero_reads_as_paid_after_the_next_poll(
    harness: SyncHarness,
) -> None:
    harness.push("purchase_order", [purchase_order(1)])
    harness.sync()
    xero_id = next(iter(harness.links().values())).xero_id
    with harness.xero() as xero:
        for status in ("AUTHORISED", "BILLED"):  # a person approves it, then bills it
            reply = xero.post(f"/PurchaseOrders/{xero_id}", {"Status": status})
            assert reply.status == 200, reply.text
    harness.sync()  # not yet due: nothing read
    assert told(harness, "document.paid") == []

    harness.admin("DELETE", "/_sandbox/requests")
    harness.advance(PERIOD + 1)
    harness.sync()
    assert reads(harness) == ["/PurchaseOrders"]
    link = next(iter(harness.links().values()))
    assert link.xero_status == "BILLED"
    paid = told(harness, "document.paid")
    assert [(p["source_id"], p["source_status"]) for p in paid] == [("po-1", "paid")]

    harness.admin("DELETE", "/_sandbox/requests")
    harness.advance(PERIOD + 1)
    harness.sync()
    assert reads(harness) == ["/PurchaseOrders"]  # one call, nothing new
    assert len(told(harness, "document.paid")) == 1
    assert len(told(harness, "document.status_changed")) == 1


def test_a_payment_made_in_xero_is_recorded_on_its_invoice_once(harness: SyncHarness) -> None:
    harness.push("invoice", [invoice(1)])  # sent: AUTHORISED
    harness.sync()
    link = next(iter(harness.links().values()))
    with harness.xero() as xero:
        body = {
            "Invoice": {"InvoiceID": link.xero_id},
            "Account": {"Code": "090"},
            "Date": "2026-03-20",
            "Amount": "40.00",
            "Reference": "deposit",
        }
        assert xero.put("/Payments", {"Payments": [body]}).status == 200

    harness.admin("DELETE", "/_sandbox/requests")
    harness.advance(PERIOD + 1)
    harness.sync()
    assert sorted(reads(harness)) == ["/Invoices", "/Payments"]
    recorded = told(harness, "payment.recorded")
    assert len(recorded) == 1
    entry = recorded[0]
    assert (entry["source_id"], entry["amount"], entry["date"]) == ("inv-1", "40.00", "2026-03-20")
    assert (entry["account_code"], entry["reference"]) == ("090", "deposit")
    after = next(iter(harness.links().values()))
    assert after.amount_paid == "40.00" and after.xero_status == "AUTHORISED"
    assert list((after.details or {})["payments"].values())[0]["reference"] == "deposit"

    harness.advance(PERIOD + 1)
    harness.sync()
    assert len(told(harness, "payment.recorded")) == 1  # once, however often polled
    assert told(harness, "document.paid") == []


def test_polling_switched_off_reads_nothing(harness: SyncHarness) -> None:
    with harness.factory() as session, session.begin():
        row = session.get(Connection, harness.connection_id)
        assert row is not None
        row.settings = {**(row.settings or {}), "poll_minutes": 0}
    harness.push("purchase_order", [purchase_order(1)])
    harness.sync()
    harness.admin("DELETE", "/_sandbox/requests")
    harness.advance(3 * PERIOD)
    harness.sync()
    assert reads(harness) == []


def test_a_poll_that_finds_nothing_new_tells_the_app_nothing(harness: SyncHarness) -> None:
    harness.push("purchase_order", [purchase_order(1)])
    harness.sync()
    before = told(harness, "job.finished")
    for _ in range(3):  # each poll re-reads its newest record (a second's overlap): no change
        harness.advance(PERIOD + 1)
        harness.sync()
    assert told(harness, "job.finished") == before
    assert told(harness, "document.status_changed") == []


def test_a_poll_period_is_at_least_five_minutes_and_a_new_one_holds_from_now(
    harness: SyncHarness,
) -> None:
    harness.push("purchase_order", [purchase_order(1)])
    harness.sync()  # a poll mark an hour ahead
    with pytest.raises(LedgerlinkError) as refused:
        _set(harness, poll_minutes=1)
    assert refused.value.field == "settings.poll_minutes" and "every 5 minutes" in str(
        refused.value.message
    )
    _set(harness, poll_minutes=5)
    harness.admin("DELETE", "/_sandbox/requests")
    harness.advance(5 * 60 + 1)
    harness.sync()
    assert reads(harness) == ["/PurchaseOrders"]  # not an hour: five minutes from the change


def _set(harness: SyncHarness, **changes: object) -> None:
    with transaction(harness.factory) as session:
        conns.update_settings(session, harness.workspace_id, harness.connection_id, changes)
