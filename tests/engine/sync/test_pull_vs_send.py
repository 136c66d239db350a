"""Xero's side read back while a send of the same document is unresolved: the document is
updated once, and an older reply settled afterwards does not take back what the newer read
brought (the newest UpdatedDateUTC wins for Xero's state; the send still records its version).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ledgerlink.store.models import Link, SendIntent
from ledgerlink.store.twoway import Event
from ledgerlink.sync import xero_webhooks
from tests.engine.sync.conftest import SyncHarness, invoice
from tests.engine.sync.webhook_events import deliver, invoice_event


def test_a_payment_read_back_while_an_update_is_unresolved_is_not_taken_back_by_its_reply(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(1)])  # sent: AUTHORISED
    harness.sync()
    harness.faults({"kind": "lost_reply", "endpoint": "invoices", "method": "POST", "count": 1})
    changed = invoice(1, reference="changed at the source")
    harness.push("invoice", [changed])
    harness.worker().run_once()  # Xero applies the update; its reply is lost
    with harness.factory() as session:
        assert session.scalars(select(SendIntent.state)).all().count("pending") == 1
        link = session.scalars(select(Link)).one()
    with harness.xero() as xero:  # meanwhile a person pays it in full in Xero
        paid = xero.get(f"/Invoices/{link.xero_id}").json["Invoices"][0]
        body = {
            "Invoice": {"InvoiceID": link.xero_id},
            "Account": {"Code": "090"},
            "Date": "2026-03-20",
            "Amount": str(paid["AmountDue"]),
        }
        assert xero.put("/Payments", {"Payments": [body]}).status == 200
    deliver(
        harness.factory, [invoice_event(link.xero_id, "2026-03-20T01:00:00.000")], harness.clock()
    )

    harness.advance(30)
    harness.sync()  # the pull reads PAID first; then the lost update is settled by its replay

    with harness.factory() as session:
        link = session.scalars(select(Link)).one()
        states = session.scalars(select(SendIntent.state)).all()
        paid_told = session.scalars(select(Event).where(Event.type == "document.paid")).all()
    assert link.xero_status == "PAID" and link.paid_date == "2026-03-20"
    assert Decimal(link.amount_due or "1") == 0
    assert link.pushed_version == 2  # the update was recorded as sent, once
    assert "pending" not in states and len(paid_told) == 1
    records = [r for r in harness.invoices() if "ledgerlink" in str(r.get("Url"))]
    assert len(records) == 1 and records[0]["Reference"] == "changed at the source"
    assert records[0]["Status"] == "PAID"
    assert harness.states() == {"done": 2}


def test_a_payment_read_before_an_update_is_still_told_once(harness: SyncHarness) -> None:
    """The send path reads a document fresh before updating it: what that read finds changed
    in Xero (paid) is told as a pull's read would tell it, and the later webhook adds nothing."""
    harness.push("invoice", [invoice(1)])  # sent: AUTHORISED
    harness.sync()
    with harness.factory() as session:
        link = session.scalars(select(Link)).one()
    with harness.xero() as xero:
        due = xero.get(f"/Invoices/{link.xero_id}").json["Invoices"][0]["AmountDue"]
        body = {"Invoice": {"InvoiceID": link.xero_id}, "Account": {"Code": "090"}}
        body |= {"Date": "2026-03-20", "Amount": str(due)}
        assert xero.put("/Payments", {"Payments": [body]}).status == 200
    harness.push("invoice", [invoice(1, reference="changed")])  # before the webhook arrives
    harness.sync()
    event = invoice_event(link.xero_id, "2026-03-20T01:00:00.000")
    deliver(harness.factory, [event], harness.clock())
    harness.advance(30)
    harness.sync()

    with harness.factory() as session:
        link = session.scalars(select(Link)).one()
        told = [e.type for e in session.scalars(select(Event).order_by(Event.id))]
    assert link.xero_status == "PAID"
    assert told.count("document.paid") == 1 and told.count("document.status_changed") == 1


def test_an_event_about_a_create_whose_reply_was_lost_is_read_once_the_send_is_settled(
    harness: SyncHarness,
) -> None:
    """Xero announces a payment on an invoice whose create reply was lost: no link yet, so the
    event is set aside; once the replay settles the create, it is routed again and read."""
    harness.faults({"kind": "lost_reply", "endpoint": "invoices", "method": "PUT", "count": 1})
    harness.push("invoice", [invoice(1)])  # sent: AUTHORISED
    harness.worker().run_once()  # Xero creates it; the reply is lost
    created = next(r for r in harness.invoices() if "ledgerlink" in str(r.get("Url")))
    with harness.xero() as xero:
        body = {"Invoice": {"InvoiceID": created["InvoiceID"]}, "Account": {"Code": "090"}}
        body |= {"Date": "2026-03-20", "Amount": str(created["AmountDue"])}
        assert xero.put("/Payments", {"Payments": [body]}).status == 200
    event = invoice_event(created["InvoiceID"], "2026-03-20T01:00:00.000")
    deliver(harness.factory, [event], harness.clock())
    assert xero_webhooks.route(harness.factory, harness.clock()).ignored == 1  # no link yet

    harness.advance(30)
    harness.sync()  # the replay settles the create; the event is routed again, then read

    with harness.factory() as session:
        link = session.scalars(select(Link)).one()
        told = [e.type for e in session.scalars(select(Event).order_by(Event.id))]
    assert link.xero_status == "PAID" and told.count("document.paid") == 1
    assert len(harness.ours()) == 1
