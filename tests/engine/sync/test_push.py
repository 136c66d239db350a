"""Pushing invoices and expenses into the sandbox: each once, with the right status, contact and
link; the same push again changes nothing in Xero; a change updates the Xero invoice in place;
bad documents are held with their code while the rest sync."""

from __future__ import annotations

from decimal import Decimal

from tests.engine.sync.conftest import SyncHarness, expense, invoice


def test_two_hundred_documents_arrive_in_xero_exactly_once(harness: SyncHarness) -> None:
    results = harness.push("invoice", [invoice(n) for n in range(150)])
    results += harness.push("expense", [expense(n) for n in range(50)])
    assert all(r.outcome == "created" for r in results)

    counts = harness.sync()

    assert counts["synced"] == 200 and counts.get("held", 0) == 0
    assert harness.states() == {"done": 200}
    ours = harness.ours()
    assert len(ours) == 200 and set(ours.values()) == {1}
    links = harness.links()
    assert len(links) == 200
    by_number = {r["InvoiceNumber"]: r for r in harness.invoices() if r.get("InvoiceNumber")}
    sent = by_number["LL-00001"]
    assert sent["Status"] == "AUTHORISED" and by_number["LL-00002"]["Status"] == "DRAFT"
    bills = [
        r for r in harness.invoices() if r["Type"] == "ACCPAY" and "ledgerlink" in str(r.get("Url"))
    ]
    assert {b["Status"] for b in bills} == {"DRAFT", "SUBMITTED"}
    link = next(lk for lk in links.values() if lk.xero_id == sent["InvoiceID"])
    assert link.xero_number == "LL-00001" and link.xero_status == "AUTHORISED"
    assert Decimal(link.total or "0") == Decimal(str(sent["Total"]))
    assert link.url and "shortcode=" in link.url and sent["InvoiceID"] in link.url
    assert len(link.line_item_ids) == 2
    # 20 clients and 10 suppliers, each created once
    assert harness.contacts_named("Client 3 Pty Ltd") == 1
    assert harness.contacts_named("Supplier 7") == 1


def test_the_same_push_again_creates_nothing_and_writes_nothing(harness: SyncHarness) -> None:
    docs = [invoice(n) for n in range(30)]
    harness.push("invoice", docs)
    harness.sync()
    before = len(harness.invoices())
    writes = len(harness.requests("PUT")) + len(harness.requests("POST"))

    again = harness.push("invoice", docs)
    counts = harness.sync()

    assert {r.outcome for r in again} == {"unchanged"}
    assert counts.get("synced", 0) == 0
    assert len(harness.invoices()) == before
    assert len(harness.requests("PUT")) + len(harness.requests("POST")) == writes


def test_a_changed_version_updates_the_xero_invoice_in_place(harness: SyncHarness) -> None:
    harness.push("invoice", [invoice(1), invoice(2)])
    harness.sync()
    first = harness.links()
    changed = invoice(1)
    changed["lines"][0]["unit_amount"] = "999.00"

    results = harness.push("invoice", [changed])
    counts = harness.sync()

    assert results[0].outcome == "updated" and results[0].version == 2
    assert counts["synced"] == 1
    after = harness.links()
    doc = results[0].document_id
    assert doc is not None
    assert after[doc].xero_id == first[doc].xero_id
    assert after[doc].pushed_version == 2
    record = next(r for r in harness.invoices() if r["InvoiceID"] == after[doc].xero_id)
    assert Decimal(str(record["SubTotal"])) == Decimal("1998.00") + Decimal("120.19")
    assert after[doc].line_item_ids == first[doc].line_item_ids
    assert len(harness.ours()) == 2


def test_invalid_documents_are_held_with_their_codes_and_the_rest_sync(
    harness: SyncHarness,
) -> None:
    bad_quantity = invoice(3)
    bad_quantity["lines"][0]["quantity"] = "-2"
    bad_account = invoice(4)
    bad_account["lines"][0]["account_code"] = "999"
    archived = invoice(5)
    archived["lines"][1]["account_code"] = "499"
    locked = invoice(6, issue_date="2025-01-10", due_date="2025-02-10")
    results = harness.push("invoice", [invoice(1), bad_quantity, bad_account, archived, locked])

    assert results[1].outcome == "invalid"
    assert results[1].errors[0].field == "lines[0].quantity"
    counts = harness.sync()

    assert counts["synced"] == 1 and counts["held"] == 3
    held = {i.document_id: i for i in harness.items() if i.state == "needs_attention"}
    codes = {results[n].document_id: held[results[n].document_id].error_code for n in (2, 3, 4)}
    assert codes[results[2].document_id] == "XERO_ACCOUNT_CODE_INVALID"
    assert held[results[2].document_id].error_field == "lines[0].account_code"
    assert codes[results[3].document_id] == "XERO_ACCOUNT_CODE_INVALID"
    assert codes[results[4].document_id] == "XERO_LOCKED_PERIOD"
    assert len(harness.ours()) == 1
