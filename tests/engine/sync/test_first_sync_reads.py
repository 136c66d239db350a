"""A first sync reads only the reference data its documents need, each list once: the
organisation was read at connect time, currencies only for a document in another currency, and
contacts as Xero's summary objects."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from ledgerlink.store.models import ReferenceItem
from tests.engine.sync.conftest import SyncHarness, invoice


def _reads(harness: SyncHarness) -> Counter[str]:
    return Counter(str(r["path"]) for r in harness.requests("GET"))


def test_a_first_sync_in_the_base_currency_reads_each_list_once_and_no_currencies(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(n, contacts=3) for n in range(6)])
    harness.sync()

    reads = _reads(harness)
    assert harness.states() == Counter({"done": 6})
    assert reads["/Organisation"] == 1  # at connect time, not again
    assert reads["/Currencies"] == 0
    assert reads["/Accounts"] == 1
    assert reads["/TaxRates"] == 1
    assert reads["/Contacts"] == 1
    with harness.factory() as session:
        cached = list(
            session.scalars(select(ReferenceItem.data).where(ReferenceItem.kind == "contacts"))
        )
    read = [c for c in cached if not str(c["Name"]).startswith("Client ")]  # not ones we made
    # Xero's summary objects: no addresses or phones were sent back for any contact read.
    assert read and not any("Addresses" in c or "Phones" in c for c in read)


def test_a_document_in_another_currency_has_the_currencies_read_and_checked(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(1), invoice(2, currency="JPY")])
    harness.sync()

    held = {i.document_id: i for i in harness.items() if i.state == "needs_attention"}
    assert _reads(harness)["/Currencies"] == 1
    assert [i.error_code for i in held.values()] == ["XERO_CURRENCY_NOT_ENABLED"]
    assert harness.states()["done"] == 1
