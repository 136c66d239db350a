"""Dismiss: a held item is put aside by a person, kept and shown as dismissed, and never sent by
a worker; a newer version of its document is sent once as usual; a retry brings it back; an
item not held, or whose last send may be in Xero, is refused with the reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from ledgerlink.store.models import QueueItem, SendIntent
from ledgerlink.sync import lifecycle
from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.documents.factories import invoice_data
from xero_sandbox.seed import DEMO_TENANT

NUMBER = "ST-4242"


def bad_invoice(account_code: str = "9999") -> dict[str, Any]:
    """9999: not in the organisation's chart of accounts."""
    line = {"description": "Design", "unit_amount": "150.00", "account_code": account_code}
    return invoice_data(source_id="inv-d", number=NUMBER, lines=[line])


def in_xero(api: Api) -> int:
    org = api.sandbox.state.orgs[DEMO_TENANT]
    return sum(1 for r in org.invoices.values() if r.get("InvoiceNumber") == NUMBER)


def held_item(api: Api) -> tuple[str, str]:
    """A workspace key and its invoice's item, held with XERO_ACCOUNT_CODE_INVALID."""
    key = api.workspace()
    api.custom(key)
    assert api.call("PUT", "/documents/invoice/inv-d", key, json=bad_invoice()).status_code == 200
    api.services.sync(max_seconds=60)
    held = api.call("GET", "/queue", key, params={"state": "needs_attention"}).json()["items"]
    assert [i["error"]["code"] for i in held] == ["XERO_ACCOUNT_CODE_INVALID"]
    return key, held[0]["id"]


@BOTH_DATABASES
def test_a_dismissed_item_is_kept_and_never_sent(api: Api) -> None:
    key, item_id = held_item(api)
    dismissed = api.call("POST", f"/queue/{item_id}/dismiss", key)
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["state"] == "dismissed"
    assert dismissed.json()["error"]["code"] == "XERO_ACCOUNT_CODE_INVALID"  # still readable
    told = api.call("GET", "/events", key).json()["events"]
    gone = [e for e in told if e["type"] == "document.dismissed"]
    assert len(gone) == 1  # the source app hears it will not be sent, and why it was held
    assert gone[0]["data"]["source_id"] == "inv-d"
    assert gone[0]["data"]["error"]["code"] == "XERO_ACCOUNT_CODE_INVALID"
    again = api.call("POST", f"/queue/{item_id}/dismiss", key)
    assert again.status_code == 409  # already dismissed: refused, and not told twice
    told = api.call("GET", "/events", key).json()["events"]
    assert len([e for e in told if e["type"] == "document.dismissed"]) == 1

    with api.services.factory.begin() as session:  # even made due, no worker claims it
        session.execute(update(QueueItem).values(not_before=datetime(2020, 1, 1, tzinfo=UTC)))
    api.services.sync(max_seconds=60)
    assert api.services.worker().run_once().connection_id is None  # nothing is due
    assert in_xero(api) == 0
    queue = api.call("GET", "/queue", key).json()
    assert queue["counts"] == {"dismissed": 1}
    doc = api.call("GET", "/documents/invoice/inv-d", key).json()
    assert doc["sync"]["state"] == "dismissed"
    listed = api.call("GET", "/documents", key, params={"state": "dismissed"}).json()
    assert [d["source_id"] for d in listed["documents"]] == ["inv-d"]

    backfill = api.call(
        "POST", f"/connections/{doc['connection_id']}/backfill", key, json={"kind": "invoice"}
    )
    assert backfill.json() == {"queued": 0}  # a dismissed version stays put aside

    retried = api.call("POST", f"/queue/{item_id}/retry", key)
    assert retried.status_code == 200 and retried.json()["state"] == "queued"


@BOTH_DATABASES
def test_a_newer_version_after_a_dismiss_is_sent_once(api: Api) -> None:
    key, item_id = held_item(api)
    assert api.call("POST", f"/queue/{item_id}/dismiss", key).status_code == 200
    put = api.call("PUT", "/documents/invoice/inv-d", key, json=bad_invoice("200"))
    assert put.json()["status"] == "updated" and put.json()["version"] == 2

    api.services.sync(max_seconds=60)
    api.services.sync(max_seconds=60)
    assert in_xero(api) == 1
    states = {i["version"]: i["state"] for i in api.call("GET", "/queue", key).json()["items"]}
    assert states == {1: "dismissed", 2: "done"}
    doc = api.call("GET", "/documents/invoice/inv-d", key).json()
    assert doc["sync"]["state"] == "done" and doc["link"]["number"] == NUMBER

    # The old version brought back never overtakes the newer one: it is superseded.
    assert api.call("POST", f"/queue/{item_id}/retry", key).status_code == 200
    api.services.sync(max_seconds=60)
    old = api.call("GET", "/queue", key, params={"state": "superseded"}).json()["items"]
    assert [i["version"] for i in old] == [1]
    assert in_xero(api) == 1


@BOTH_DATABASES
def test_dismissing_what_is_not_held_is_refused_with_the_reason(api: Api) -> None:
    key, held = held_item(api)
    other = api.workspace("Other")
    assert api.call("POST", f"/queue/{held}/dismiss", other).status_code == 404
    assert api.call("POST", "/queue/no-such-item/dismiss", key).status_code == 404

    with api.services.factory.begin() as session:
        session.execute(update(QueueItem).values(state=lifecycle.ItemState.IN_FLIGHT))
    refused = api.call("POST", f"/queue/{held}/dismiss", key)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["field"] == "state"
    assert error["message"] == (
        f"Queue item {held} is in_flight: only failed or held items can be dismissed."
    )

    with api.services.factory.begin() as session:
        session.execute(update(QueueItem).values(state=lifecycle.ItemState.DONE))
    done = api.call("POST", f"/queue/{held}/dismiss", key).json()["error"]
    assert "is done: only failed or held" in done["message"]
    assert api.call("GET", "/queue", key).json()["counts"] == {"done": 1}


@BOTH_DATABASES
def test_an_item_whose_send_may_be_in_xero_is_not_dismissed(api: Api) -> None:
    key, held = held_item(api)
    now = datetime.now(UTC)
    with api.services.factory.begin() as session:
        item = session.get(QueueItem, held)
        assert item is not None
        intent = lifecycle.new_intent(item.connection_id, "PUT", "/Invoices", b"{}", [], now)
        session.execute(SendIntent.__table__.insert(), [lifecycle.intent_row(intent)])
        session.execute(
            update(QueueItem).values(intent_id=intent.id, state=lifecycle.ItemState.FAILED)
        )
    refused = api.call("POST", f"/queue/{held}/dismiss", key)
    assert refused.status_code == 409
    assert "may already be in Xero" in refused.json()["error"]["message"]
    with api.services.factory() as session:
        state = session.scalar(select(QueueItem.state).where(QueueItem.id == held))
    assert state == "failed"


def test_a_payment_on_a_dismissed_invoice_is_held_saying_so(api: Api) -> None:
    key, item_id = held_item(api)
    assert api.call("POST", f"/queue/{item_id}/dismiss", key).status_code == 200
    paid = {
        "source_id": "pay-1",
        "document": {"kind": "invoice", "source_id": "inv-d"},
        "amount": "10.00",
        "date": "2026-03-15",
        "account_code": "090",
    }
    assert api.call("PUT", "/documents/payment/pay-1", key, json=paid).status_code == 200
    api.services.sync(max_seconds=60)
    sync = api.call("GET", "/documents/payment/pay-1", key).json()["sync"]
    assert sync["state"] == "needs_attention"
    assert sync["error"]["code"] == "DEPENDENCY_MISSING"
    assert "was dismissed on the queue page, so it is never sent" in sync["error"]["message"]
