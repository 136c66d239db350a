"""A kind switched off (not sent) while one of its documents' sends is unresolved, the document
changed meanwhile and its contact new: the lost send is still settled (replayed, or looked up
once the key has expired), never sent again; the change waits, held, while the kind is off,
and goes once as an update when it is switched back on. Both databases; the sandbox's records
are the judge."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledgerlink.store.models import Connection
from ledgerlink.sync import directions
from tests.engine.sync.conftest import SyncHarness, invoice

REPLAY = 30  # seconds: inside Xero's idempotency window
LOOKUP = 3600  # the key has expired: the invoice is looked up


def _mine(harness: SyncHarness) -> list[dict[str, object]]:
    return [i for i in harness.invoices() if i.get("InvoiceNumber") == "LL-00007"]


@pytest.mark.parametrize("wait", [REPLAY, LOOKUP], ids=["replayed", "looked-up"])
def test_a_kind_switched_off_while_its_send_is_unresolved_settles_it_and_sends_once(
    harness: SyncHarness, wait: int
) -> None:
    first = invoice(7, status="sent")
    later = invoice(7, status="sent")
    later["lines"][0]["unit_amount"] = "999.00"
    harness.faults({"kind": "lost_reply", "endpoint": "invoices", "method": "PUT", "count": 1})
    harness.push("invoice", [first])
    harness.worker().run_once()  # applied in Xero, the reply lost: the send is unresolved

    directions.save_settings(
        harness.factory, harness.workspace_id, harness.connection_id, {"not_sent": ["invoice"]}
    )
    harness.push("invoice", [later])
    harness.advance(wait)
    harness.sync()
    assert len(_mine(harness)) == 1  # the lost send settled: in Xero once, not sent again
    (item,) = [i for i in harness.items() if i.state not in ("superseded", "done")]
    assert (item.state, item.error_code) == ("needs_attention", "KIND_NOT_SENT")
    assert Decimal(str(_mine(harness)[0]["LineItems"][0]["UnitAmount"])) != Decimal("999.00")

    directions.save_settings(
        harness.factory, harness.workspace_id, harness.connection_id, {"not_sent": []}
    )
    harness.sync()
    found = _mine(harness)
    assert len(found) == 1
    assert Decimal(str(found[0]["LineItems"][0]["UnitAmount"])) == Decimal("999.00")
    assert harness.states()["needs_attention"] == 0
    assert harness.contacts_named("Client 7 Pty Ltd") == 1  # its new contact made once


def test_a_hold_made_by_a_claim_that_read_the_switch_just_before_it_turned_is_released(
    harness: SyncHarness,
) -> None:
    """The kind is switched back on between a claim's check and its hold (the stored settings
    change; nothing released then): the connection's next run releases it, and it goes once."""
    directions.save_settings(
        harness.factory, harness.workspace_id, harness.connection_id, {"not_sent": ["invoice"]}
    )
    harness.push("invoice", [invoice(8, status="sent")])
    harness.sync()
    (held,) = harness.items()
    assert (held.state, held.error_code) == ("needs_attention", "KIND_NOT_SENT")
    with harness.factory.begin() as session:  # switched on under the claim's feet
        row = session.get(Connection, harness.connection_id)
        assert row is not None
        row.settings = {**row.settings, "not_sent": []}
    harness.worker().run_once(harness.connection_id)  # the connection's next run, for any reason
    (item,) = harness.items()
    assert item.state == "done"
    assert len([i for i in harness.invoices() if i.get("InvoiceNumber") == "LL-00008"]) == 1
