"""The source app's events of the way out: each document synced or held is told once, in the
transaction that settles it; what Xero already holds unchanged tells nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ledgerlink.store.twoway import Event
from tests.engine.sync.conftest import SyncHarness, invoice


def told(harness: SyncHarness) -> list[tuple[str, str, dict[str, Any]]]:
    with harness.factory() as session:
        rows = session.scalars(
            select(Event).where(Event.type.like("document.%")).order_by(Event.id)
        )
        return [(r.type, str(r.data.get("source_id")), dict(r.data)) for r in rows]


def test_each_synced_or_held_document_is_told_once_with_its_xero_stamp_or_its_error(
    harness: SyncHarness,
) -> None:
    good = [invoice(n) for n in range(3)]
    bad = invoice(9)
    bad["lines"][0]["account_code"] = "9999"  # no such account: held before any send
    harness.push("invoice", [*good, bad])
    harness.sync()

    events = told(harness)
    synced = {source: data for type_, source, data in events if type_ == "document.synced"}
    held = {source: data for type_, source, data in events if type_ == "document.held"}
    assert sorted(synced) == sorted(d["source_id"] for d in good)
    assert list(held) == [bad["source_id"]] and len(events) == 4
    links = {link.document_id: link for link in harness.links().values()}
    for data in synced.values():
        assert data["kind"] == "invoice" and data["version"] == 1
        assert data["xero_id"] and data["status"] in ("DRAFT", "AUTHORISED") and data["url"]
        assert any(link.xero_id == data["xero_id"] for link in links.values())
    error = held[bad["source_id"]]["error"]
    assert error["code"] == "XERO_ACCOUNT_CODE_INVALID" and error["field"]

    harness.push("invoice", good)  # the same again: nothing sent, nothing told
    harness.sync()
    assert len(told(harness)) == 4

    changed = dict(good[0], reference="changed")
    harness.push("invoice", [changed])
    harness.sync()
    last = told(harness)[-1]
    assert last[0] == "document.synced" and last[1] == good[0]["source_id"]
    assert last[2]["version"] == 2
