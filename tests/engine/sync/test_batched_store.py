"""Intake and the worker store and load in batches; what a person sees stays the same: a
document named twice in one upload gets both versions and Xero the newest once, and a stored
body that no longer passes validation (stored by an older version, read by a new process) is
held with the field and the fix, never sent."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import select, update

from ledgerlink import kinds
from ledgerlink.store.models import Document, DocumentVersion, QueueItem
from tests.engine.sync.conftest import SyncHarness, invoice


def test_a_document_named_twice_in_one_upload_keeps_both_versions_and_goes_once(
    harness: SyncHarness,
) -> None:
    first = invoice(1, reference="first")
    second = invoice(1, reference="second")

    results = harness.push("invoice", [first, invoice(2), second])
    harness.sync()

    assert [r.outcome for r in results] == ["created", "created", "updated"]
    assert [r.version for r in results] == [1, 1, 2]
    with harness.factory() as session:
        document = session.scalars(select(Document).where(Document.source_id == "inv-1")).one()
        versions = session.scalars(
            select(DocumentVersion.version).where(DocumentVersion.document_id == document.id)
        ).all()
    assert document.current_version == 2 and sorted(versions) == [1, 2]
    sent = [r for r in harness.invoices() if r.get("InvoiceNumber") == "LL-00001"]
    assert [r.get("Reference") for r in sent] == ["second"]
    assert harness.states() == Counter({"done": 2, "superseded": 1})


def test_a_stored_body_that_no_longer_validates_is_held_with_its_field(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(1), invoice(2)])
    with harness.factory.begin() as session:
        doc_id = session.scalars(select(Document.id).where(Document.source_id == "inv-2")).one()
        body = session.scalars(
            select(DocumentVersion.body).where(DocumentVersion.document_id == doc_id)
        ).one()
        session.execute(
            update(DocumentVersion)
            .where(DocumentVersion.document_id == doc_id)
            .values(body={**body, "due_date": "2026-01-01"})  # before its issue date
        )
    kinds._VALIDATED.clear()  # a worker process of its own: nothing validated here before

    harness.sync()

    with harness.factory() as session:
        held = session.scalars(select(QueueItem).where(QueueItem.document_id == doc_id)).one()
    assert held.state == "needs_attention" and held.error_code == "VALIDATION_FAILED"
    assert held.error_field == "due_date"
    assert [
        r.get("InvoiceNumber") for r in harness.invoices() if "LL-" in str(r.get("InvoiceNumber"))
    ] == ["LL-00001"]


def test_prices_needing_four_places_share_full_requests_with_the_rest(
    harness: SyncHarness,
) -> None:
    """A claim mixing 2- and 4-place prices goes in full requests of 50; a request carries
    ``unitdp=4`` when any of its documents needs it, so each price reaches Xero as written."""
    docs = [
        invoice(
            n,
            lines=[
                {
                    "description": "Printing",
                    "quantity": "1",
                    "unit_amount": "80.1234" if n % 7 == 0 else f"{80 + n}.25",
                }
            ],
        )
        for n in range(1, 101)
    ]
    harness.push("invoice", docs)

    harness.sync()

    writes = [r for r in harness.requests("PUT") if r["path"] == "/Invoices"]
    assert len(writes) == 2  # 100 invoices, 50 to a request, whatever their prices need
    prices = {r["InvoiceNumber"]: r["LineItems"][0]["UnitAmount"] for r in harness.invoices()}
    assert prices["LL-00007"] == prices["LL-00098"] == Decimal("80.1234")
    assert (prices["LL-00001"], prices["LL-00099"]) == (Decimal("81.25"), Decimal("179.25"))
    assert harness.states() == Counter({"done": 100})
