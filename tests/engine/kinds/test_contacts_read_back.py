"""A contact changed in Xero comes back: Xero's CONTACT webhook event (or, without one, the
next poll with If-Modified-Since) reads it, its link takes Xero's state, and the source app is
told once: ``document.changed`` with the fields a person changed in Xero, and
``document.status_changed`` when it was archived there. Our own updates tell nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ledgerlink.store.models import Link
from ledgerlink.sync import polls
from tests.engine.kinds.contact_factories import customer, supplier, told
from tests.engine.sync.conftest import SyncHarness
from tests.engine.sync.webhook_events import deliver, update_event

PERIOD = int(polls.DEFAULT_MINUTES * 60)


def contact_event(xero_id: str, when: str) -> dict[str, str]:
    """Xero's CONTACT UPDATE event for one contact of the demo organisation."""
    return update_event("CONTACT", "Contacts", xero_id, when)


def _link(harness: SyncHarness) -> Link:
    with harness.factory() as session:
        link = session.scalars(select(Link)).one()
        session.expunge(link)
        return link


def _edit_in_xero(harness: SyncHarness, xero_id: str, body: dict[str, Any]) -> None:
    with harness.xero() as xero:
        reply = xero.post(f"/Contacts/{xero_id}", {"Contacts": [body]})
        assert reply.status == 200, reply.text


def test_a_contact_renamed_in_xero_is_told_once_after_its_webhook(harness: SyncHarness) -> None:
    harness.push("customer", [customer(1)])
    harness.sync()
    xero_id = _link(harness).xero_id
    _edit_in_xero(harness, xero_id, {"Name": "Client One (renamed)", "EmailAddress": "a@b.example"})
    event = contact_event(xero_id, "2026-03-20T01:00:00.000")
    deliver(harness.factory, [event], harness.clock())
    harness.sync()

    [changed] = told(harness, "document.changed")
    assert (changed["kind"], changed["source_id"]) == ("customer", "client-1")
    assert changed["changed"] == {"Name": "Client One (renamed)", "EmailAddress": "a@b.example"}
    assert (_link(harness).details or {})["contact"]["Name"] == "Client One (renamed)"

    deliver(harness.factory, [contact_event(xero_id, "2026-03-20T01:05:00.000")], harness.clock())
    harness.advance(PERIOD + 1)  # the event again, and a poll: nothing new
    harness.sync()
    assert len(told(harness, "document.changed")) == 1


def test_a_supplier_archived_in_xero_is_told_by_the_next_poll(harness: SyncHarness) -> None:
    harness.push("supplier", [supplier(2)])
    harness.sync()
    xero_id = _link(harness).xero_id
    _edit_in_xero(harness, xero_id, {"ContactStatus": "ARCHIVED"})
    harness.admin("DELETE", "/_sandbox/requests")
    harness.advance(PERIOD + 1)
    harness.sync()
    assert "/Contacts" in [r["path"].split("?")[0] for r in harness.requests("GET")]
    [status] = told(harness, "document.status_changed")
    assert (status["source_id"], status["source_status"]) == ("supplier-2", "archived")
    assert status["previous_status"] == "ACTIVE"
    assert _link(harness).xero_status == "ARCHIVED"

    harness.advance(PERIOD + 1)
    harness.sync()
    assert len(told(harness, "document.status_changed")) == 1
    assert told(harness, "document.changed") == []


def test_our_own_update_read_back_tells_nothing(harness: SyncHarness) -> None:
    harness.push("customer", [customer(3)])
    harness.sync()
    xero_id = _link(harness).xero_id
    harness.push("customer", [customer(3, name="Client Three")])
    harness.sync()
    deliver(harness.factory, [contact_event(xero_id, "2026-03-20T02:00:00.000")], harness.clock())
    harness.advance(PERIOD + 1)
    harness.sync()
    assert told(harness, "document.changed") == []
    assert told(harness, "document.status_changed") == []
    assert len(told(harness, "document.synced")) == 2


def test_a_contact_that_is_both_customer_and_supplier_is_one_and_tells_both(
    harness: SyncHarness,
) -> None:
    both = {"source_id": "partner-1", "name": "Partner One", "email": "p@one.example"}
    harness.push("customer", [both])
    harness.push("supplier", [both])
    harness.sync()
    links = list(harness.links().values())
    assert len(links) == 2 and links[0].xero_id == links[1].xero_id
    _edit_in_xero(harness, links[0].xero_id, {"EmailAddress": "new@one.example"})
    deliver(
        harness.factory,
        [contact_event(links[0].xero_id, "2026-03-20T03:00:00.000")],
        harness.clock(),
    )
    harness.sync()
    changed = told(harness, "document.changed")
    assert sorted(c["kind"] for c in changed) == ["customer", "supplier"]
    assert {c["changed"]["EmailAddress"] for c in changed} == {"new@one.example"}
