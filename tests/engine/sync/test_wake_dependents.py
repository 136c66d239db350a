"""A document waiting for another one goes in the run that sends that one, not after its
back-off: a paid order's payment (or a payment on an invoice) held back while its invoice was
held would otherwise wait up to a quarter of an hour once the invoice is finally sent."""

from __future__ import annotations

from sqlalchemy import select

from ledgerlink.store.models import QueueItem
from ledgerlink.sync import directions
from tests.engine.kinds.conftest import live, org, payment
from tests.engine.sync.conftest import SyncHarness, invoice


def _payment_item(harness: SyncHarness) -> QueueItem:
    return next(i for i in harness.items() if i.document_id and _kind(harness, i) == "payment")


def _kind(harness: SyncHarness, item: QueueItem) -> str:
    from ledgerlink.store.models import Document

    with harness.factory() as session:
        return str(session.scalar(select(Document.kind).where(Document.id == item.document_id)))


def test_a_payment_goes_in_the_run_that_sends_its_invoice(harness: SyncHarness) -> None:
    directions.save_settings(
        harness.factory, harness.workspace_id, harness.connection_id, {"not_sent": ["invoice"]}
    )
    harness.push("invoice", [invoice(1, status="sent")])
    harness.push("payment", [payment(1, "inv-1", "10.00")])
    for _ in range(6):  # the payment looks again and again while its invoice is held
        harness.clock.sleep(1000)  # past any back-off: it is due again
        harness.worker().run_once(harness.connection_id)
    waiting = _payment_item(harness)
    assert (waiting.state, waiting.error_code) == ("queued", "DEPENDENCY_WAITING")
    assert waiting.waits >= 5  # its back-off has grown to minutes

    directions.save_settings(
        harness.factory, harness.workspace_id, harness.connection_id, {"not_sent": []}
    )
    assert waiting.not_before > harness.clock.now  # in its back-off
    harness.worker().run_once(harness.connection_id)  # one run, the clock where it is

    [sent] = [r for r in harness.invoices() if r["Type"] == "ACCREC"]
    assert _payment_item(harness).state == "done"
    assert [p["_document"] for p in live(org(harness).payments)] == [sent["InvoiceID"]]
