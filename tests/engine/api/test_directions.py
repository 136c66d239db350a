"""What syncs in which direction, per kind, on both databases, over HTTP against the sandbox.

A kind not sent is held before any call to Xero with KIND_NOT_SENT (the other kinds go) and
sent once, when switched back on. A kind not read back ignores Xero's webhooks and polls for
it (a payment made in Xero is not recorded on it), while the other kinds come back, and a
person's "Refresh from Xero" still reads it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from ledgerlink.store.twoway import Event, PollMark, XeroEvent
from tests.engine.api import test_xero_webhooks as hooks
from tests.engine.api.test_xero_webhooks import API, TwoWay, bill, invoice, pay, synced, total

two_way = hooks.two_way  # the fixture: an engine serving HTTP beside the sandbox


def _settings(two_way: TwoWay, **changes: object) -> dict[str, object]:
    reply = two_way.api.patch(f"{API}/connections/{two_way.connection}/settings", json=changes)
    assert reply.status_code == 200, reply.text
    found: dict[str, object] = reply.json()["settings"]
    return found


def _writes(two_way: TwoWay) -> list[str]:
    return [c["path"] for c in two_way.requests() if c["method"] in ("PUT", "POST")]


def test_a_kind_not_sent_is_held_before_any_call_and_goes_once_when_switched_on(
    two_way: TwoWay,
) -> None:
    shown = _settings(two_way, not_sent=["invoice"])
    assert shown["not_sent"] == ["invoice"]
    two_way.push("invoice", invoice("inv-9"))
    two_way.push("expense", bill("bill-9"))
    two_way.forget_requests()
    two_way.engine.sync()
    held = two_way.document("invoice", "inv-9")
    assert held["link"] is None
    assert held["sync"]["state"] == "needs_attention"
    error = held["sync"]["error"]
    assert (error["code"], error["field"]) == ("KIND_NOT_SENT", "settings.not_sent")
    assert "Edit connection" in error["fix"]
    assert two_way.document("expense", "bill-9")["link"] is not None  # other kinds go
    writes = _writes(two_way)
    assert writes.count("/Invoices") == 1  # the bill's request alone
    made = [c for c in two_way.requests() if c["path"] == "/Contacts"]
    assert all("Bayside" not in str(c.get("body")) for c in made), made  # not the invoice's

    two_way.forget_requests()
    _settings(two_way, not_sent=[])
    assert two_way.document("invoice", "inv-9")["sync"]["state"] == "queued"
    two_way.engine.sync()
    sent = two_way.document("invoice", "inv-9")
    assert sent["sync"]["state"] == "done" and sent["link"]["status"] == "AUTHORISED"
    assert _writes(two_way).count("/Invoices") == 1
    two_way.engine.sync()  # nothing more: sent once
    assert _writes(two_way).count("/Invoices") == 1


def test_kind_names_are_checked_against_the_kinds(two_way: TwoWay) -> None:
    reply = two_way.api.patch(
        f"{API}/connections/{two_way.connection}/settings", json={"not_read": ["invoices"]}
    )
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["field"] == "settings.not_read"
    assert "invoices is not a kind" in error["message"] and "invoice" in error["message"]


def test_a_kind_not_read_back_ignores_xeros_changes_but_refresh_still_reads(
    two_way: TwoWay,
) -> None:
    invoice_id, bill_id = synced(two_way)
    checked = two_way.subscribe()
    assert checked["status"] == "OK", checked
    two_way.flush()
    two_way.engine.sync()
    _settings(two_way, not_read=["invoice"])

    pay(two_way, invoice_id, total(two_way, "invoice", "inv-1"), "2026-03-20")
    pay(two_way, bill_id, total(two_way, "expense", "bill-1"), "2026-03-21")
    two_way.flush()
    two_way.engine.sync()
    assert two_way.document("invoice", "inv-1")["link"]["status"] == "AUTHORISED"
    assert two_way.document("expense", "bill-1")["link"]["status"] == "PAID"
    assert two_way.count(XeroEvent, XeroEvent.state == "ignored") >= 1
    told = two_way.count(Event, Event.type == "payment.recorded")
    assert told == 1  # the bill's; nothing recorded on the invoice

    with two_way.engine.factory() as session, session.begin():  # every poll's time has come
        session.execute(update(PollMark).values(next_at=datetime.now(UTC)))
    two_way.engine.sync()
    link = two_way.document("invoice", "inv-1")["link"]
    assert link["status"] == "AUTHORISED" and not link.get("payments_in_xero")

    refreshed = two_way.api.post(f"{API}/documents/invoice/inv-1/refresh")
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["link"]["status"] == "PAID"  # a person asked: it is read
