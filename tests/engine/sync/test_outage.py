"""Xero being down is not the document's fault: an hour offline ends nothing in ``failed``."""

from __future__ import annotations

from decimal import Decimal

from tests.engine.sync.conftest import SyncHarness, invoice
from xero_sandbox.seed import DEMO_TENANT


def test_an_organisation_offline_for_an_hour_loses_no_document_to_failed(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(n) for n in range(4)])
    harness.sync()
    harness.admin("POST", f"/_sandbox/orgs/{DEMO_TENANT}", {"offline": True})
    changed = invoice(1)
    changed["lines"][0]["unit_amount"] = "777.00"
    new_contact = {"key": "new-in-outage", "name": "Outage Newcomer Ltd"}
    harness.push("invoice", [changed, *(invoice(n, contact=new_contact) for n in range(4, 8))])

    for _ in range(24):  # an hour by the sandbox's clock and the worker's
        harness.advance(150)
        harness.worker().run_once()

    waiting = [i for i in harness.items() if i.state not in ("done", "superseded")]
    assert len(waiting) == 5
    assert {i.state for i in waiting} == {"queued"}
    assert {i.error_code for i in waiting} == {"XERO_UNAVAILABLE"}  # the reason is shown
    assert {i.attempts for i in waiting} == {0}  # waiting on Xero spends no attempt
    assert max(i.waits for i in waiting) >= 5  # tried again and again, backing off

    harness.admin("POST", f"/_sandbox/orgs/{DEMO_TENANT}", {"offline": False})
    harness.advance(900)
    harness.sync()

    ours = harness.ours()
    assert len(ours) == 8 and set(ours.values()) == {1}
    assert harness.contacts_named("Outage Newcomer Ltd") == 1
    assert {i.state for i in harness.items()} <= {"done", "superseded"}
    doc = [i.document_id for i in harness.items() if i.version == 2][0]
    record = next(
        r for r in harness.invoices() if str(r.get("Url", "")).endswith(doc) or doc in str(r["Url"])
    )
    assert Decimal(str(record["LineItems"][0]["UnitAmount"])) == Decimal("777.00")
