"""A document or its new contact changes while its send is unresolved (invariant 2).

Each test arms one fault through the sandbox's admin API so that a send's outcome is unknown
(a 503 Xero applied nothing for, a reply lost after Xero applied the write), changes the
document or sends another for the same new contact before that send is settled, and then lets
the worker finish. The sandbox's records are the judge: one Xero invoice per document, carrying
the source's newest version, one contact per name, and nothing held that only had to wait.
"""

from __future__ import annotations

from decimal import Decimal

from tests.engine.sync.conftest import SyncHarness, invoice


def _only_invoice(harness: SyncHarness) -> dict[str, object]:
    ours = [r for r in harness.invoices() if "ledgerlink" in str(r.get("Url") or "")]
    live = [r for r in ours if r.get("Status") not in ("DELETED", "VOIDED")]
    assert len(live) == 1, [(r["InvoiceID"], r.get("Total")) for r in live]
    return live[0]


def _unit_amounts(record: dict[str, object]) -> list[Decimal]:
    lines = record.get("LineItems")
    assert isinstance(lines, list)
    return [Decimal(str(line["UnitAmount"])) for line in lines]


def _all_done(harness: SyncHarness) -> None:
    left = [
        (i.version, i.state, i.error_code)
        for i in harness.items()
        if i.state not in ("done", "superseded")
    ]
    assert left == []


def test_an_update_pushed_while_the_create_is_unresolved_updates_the_one_invoice(
    harness: SyncHarness,
) -> None:
    harness.faults(
        {"kind": "error", "endpoint": "invoices", "method": "PUT", "status": 503, "count": 1}
    )
    harness.push("invoice", [invoice(1)])
    harness.worker().run_once()  # the create gets a 503: its intent stays pending
    assert harness.ours() == {}

    revised = invoice(1)
    revised["lines"][0]["unit_amount"] = "999.00"
    harness.push("invoice", [revised])  # before the create's back-off has ended
    harness.advance(30)  # both are due: the next pass claims them together
    harness.sync()

    record = _only_invoice(harness)
    assert _unit_amounts(record)[0] == Decimal("999.00")
    _all_done(harness)


def test_a_revert_pushed_while_an_update_is_unresolved_leaves_xero_at_the_newest_version(
    harness: SyncHarness,
) -> None:
    first = invoice(1)
    harness.push("invoice", [first])
    harness.sync()
    harness.faults(
        {"kind": "error", "endpoint": "invoices", "method": "POST", "status": 503, "count": 1}
    )
    changed = invoice(1)
    changed["lines"][0]["unit_amount"] = "555.00"
    harness.push("invoice", [changed])
    harness.worker().run_once()  # the update gets a 503: its intent stays pending

    harness.push("invoice", [invoice(1)])  # v3: the same content as v1
    harness.advance(30)  # both are due: the next pass claims them together
    harness.sync()

    record = _only_invoice(harness)
    assert _unit_amounts(record)[0] == Decimal(first["lines"][0]["unit_amount"])
    _all_done(harness)


def test_a_second_document_for_a_contact_whose_create_is_unresolved_waits_for_it(
    harness: SyncHarness,
) -> None:
    harness.faults({"kind": "lost_reply", "endpoint": "contacts", "method": "PUT", "count": 1})
    contact = {"key": "brand-new", "name": "Brand New Pty Ltd"}
    harness.push("invoice", [invoice(1, contact=contact)])
    harness.worker().run_once()  # Xero creates the contact; its reply is lost
    assert harness.contacts_named("Brand New Pty Ltd") == 1

    harness.push("invoice", [invoice(2, contact=contact)])
    harness.sync()

    assert harness.contacts_named("Brand New Pty Ltd") == 1
    assert set(harness.ours().values()) == {1} and len(harness.ours()) == 2
    _all_done(harness)


def test_a_failed_replay_still_holds_back_the_documents_newer_version(
    harness: SyncHarness,
) -> None:
    harness.faults(
        {"kind": "error", "endpoint": "invoices", "method": "PUT", "status": 503, "count": 2}
    )
    harness.push("invoice", [invoice(1)])
    harness.worker().run_once()  # the create gets a 503: its intent stays pending
    revised = invoice(1)
    revised["lines"][0]["unit_amount"] = "999.00"
    harness.push("invoice", [revised])
    harness.advance(30)

    harness.worker().run_once()  # the replay gets a 503 too; the round goes on without v2
    assert harness.ours() == {}

    harness.advance(60)
    harness.sync()
    record = _only_invoice(harness)
    assert _unit_amounts(record)[0] == Decimal("999.00")
    _all_done(harness)
