"""The reconciliation report against a sandbox organisation that people also changed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledgerlink.errors import LedgerlinkError
from ledgerlink.sync.reconcile import reconcile
from ledgerlink.sync.reconcile_report import DIFFER, MISSING, UNKNOWN, Report
from tests.engine.sync.conftest import SyncHarness, expense, invoice

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def _made(reply: Any, key: str) -> dict[str, Any]:
    assert reply.status == 200, reply.text
    found: dict[str, Any] = reply.json[key][0]
    return found


def _hand_made(harness: SyncHarness, type_: str, day: str, number: str) -> dict[str, Any]:
    """A document a person types in Xero, unknown to the source app."""
    body = {
        "Type": type_,
        "Contact": {"Name": "Walk-in customer"},
        "Date": day,
        "DueDate": "2026-06-30",
        "Status": "AUTHORISED",
        "InvoiceNumber": number,
        "LineItems": [
            {"Description": "Counter sale", "Quantity": 1, "UnitAmount": "75", "AccountCode": "200"}
        ],
    }
    if type_ == "ACCPAY":
        body["LineItems"][0]["AccountCode"] = "429"
    with harness.xero() as xero:
        return _made(xero.put("/Invoices", {"Invoices": [body]}), "Invoices")


def _xero_invoice(harness: SyncHarness, number: str) -> dict[str, Any]:
    return next(r for r in harness.invoices() if r.get("InvoiceNumber") == number)


def _keys(report: Report, category: str) -> set[tuple[str, str | None]]:
    return {(e.kind, e.source_id or e.xero_number) for e in report.of(category)}


def _report(harness: SyncHarness, kind: str | None = None) -> tuple[Report, list[dict[str, Any]]]:
    """The report for March, and the requests it made to Xero."""
    before = len(harness.requests())
    found = reconcile(harness.worker(), harness.workspace_id, harness.connection_id, *MARCH, kind)
    return found, harness.requests()[before:]


def _scenario(harness: SyncHarness) -> dict[str, Any]:
    """Invoices and bills pushed and synced; then Xero and the source drift apart."""
    harness.push(
        "invoice",
        [
            invoice(1, status="sent"),  # paid by hand in Xero: no difference
            invoice(2, status="draft"),
            invoice(3, status="sent"),  # voided by hand in Xero: missing there
            invoice(4, status="sent"),  # its amount changed in the source, not sent
            invoice(5, status="sent"),  # voided in the source, not sent
            invoice(8, status="sent", issue_date="2026-04-15", due_date="2026-05-15"),
            invoice(9, status="voided"),  # voided before it was ever sent: nothing owed
        ],
    )
    harness.push("expense", [expense(1, status="approved"), expense(2, status="draft")])
    harness.sync()
    paid = _xero_invoice(harness, "LL-00001")
    with harness.xero() as xero:
        payment = {
            "Invoice": {"InvoiceID": paid["InvoiceID"]},
            "Account": {"Code": "090"},
            "Date": "2026-03-10",
            "Amount": str(paid["Total"]),
        }
        made_payment = _made(xero.put("/Payments", {"Payments": [payment]}), "Payments")
        voided = _xero_invoice(harness, "LL-00003")
        _made(
            xero.post(f"/Invoices/{voided['InvoiceID']}", {"Invoices": [{"Status": "VOIDED"}]}),
            "Invoices",
        )
    hand_invoice = _hand_made(harness, "ACCREC", "2026-03-20", "HAND-1")
    hand_bill = _hand_made(harness, "ACCPAY", "2026-03-21", "SUPP-77")
    _hand_made(harness, "ACCREC", "2026-05-01", "HAND-MAY")  # outside the range
    changed = invoice(4, status="sent")
    changed["lines"][0]["unit_amount"] = "999.00"
    harness.push("invoice", [changed, invoice(5, status="voided")])
    outside = invoice(8, status="voided", issue_date="2026-04-15", due_date="2026-05-15")
    harness.push("invoice", [outside, invoice(6, status="sent")])  # 6: never sent
    return {"payment": made_payment, "invoice": hand_invoice, "bill": hand_bill}


def test_the_report_lists_what_is_missing_unknown_and_different(harness: SyncHarness) -> None:
    hand = _scenario(harness)
    report, calls = _report(harness)

    assert _keys(report, MISSING) == {("invoice", "inv-3"), ("invoice", "inv-6")}
    assert _keys(report, UNKNOWN) == {
        ("invoice", "HAND-1"),
        ("expense", "SUPP-77"),
        ("payment", None),
    }
    assert _keys(report, DIFFER) == {("invoice", "inv-4"), ("invoice", "inv-5")}
    counts = report.counts()
    assert counts["invoice"] == {MISSING: 2, UNKNOWN: 1, DIFFER: 2}
    assert counts["expense"] == {MISSING: 0, UNKNOWN: 1, DIFFER: 0}
    assert counts["payment"] == {MISSING: 0, UNKNOWN: 1, DIFFER: 0}
    # one page of each resource, read only: Invoices, PurchaseOrders, CreditNotes, Payments
    assert {c["method"] for c in calls} == {"GET"}
    assert sorted(c["path"] for c in calls) == [
        "/CreditNotes",
        "/Invoices",
        "/ManualJournals",  # stock movements' journals
        "/Payments",
        "/PurchaseOrders",
    ]
    assert report.calls == 5

    entries = {(e.kind, e.source_id or e.xero_id): e for e in report.entries}
    voided = entries[("invoice", "inv-3")]
    assert (voided.xero_status, voided.source_status) == ("VOIDED", "sent")
    assert voided.xero_number == "LL-00003" and voided.xero_id
    assert "VOIDED in Xero" in voided.explanation
    unsent = entries[("invoice", "inv-6")]
    assert unsent.xero_id is None and "never been sent" in unsent.explanation
    amount = entries[("invoice", "inv-4")]
    assert amount.xero_amount == Decimal(str(_xero_invoice(harness, "LL-00004")["Total"]))
    assert amount.source_amount is not None and amount.source_amount > amount.xero_amount
    assert (amount.xero_status, amount.source_status) == ("AUTHORISED", "sent")
    assert f"totals {amount.source_amount} in the source" in amount.explanation
    status = entries[("invoice", "inv-5")]
    assert (status.xero_status, status.source_status) == ("AUTHORISED", "voided")
    assert "is voided in the source but AUTHORISED" in status.explanation
    bill = entries[("expense", hand["bill"]["InvoiceID"])]
    assert bill.source_id is None and bill.xero_amount == Decimal(str(hand["bill"]["Total"]))
    payment = entries[("payment", hand["payment"]["PaymentID"])]
    assert payment.xero_amount == Decimal(str(hand["payment"]["Amount"]))
    assert payment.date == date(2026, 3, 10)


def test_once_the_changes_are_sent_only_what_xero_holds_otherwise_is_left(
    harness: SyncHarness,
) -> None:
    _scenario(harness)
    harness.sync()  # the amount, the void and the unsent invoice reach Xero
    report, _ = _report(harness)
    # the totals the report works out are Xero's own, to the cent: no difference is left
    assert _keys(report, DIFFER) == set()
    assert _keys(report, MISSING) == {("invoice", "inv-3")}
    assert len(report.of(UNKNOWN)) == 3


def test_one_kind_reads_its_own_resource_once_and_tells_invoices_from_bills(
    harness: SyncHarness,
) -> None:
    _scenario(harness)
    report, calls = _report(harness, "expense")
    assert [(c["method"], c["path"]) for c in calls] == [("GET", "/Invoices")]
    assert report.kinds == ["expense"]
    assert _keys(report, UNKNOWN) == {("expense", "SUPP-77")}
    assert report.entries == report.of(UNKNOWN)


def test_a_linked_record_gone_from_xero_is_read_by_id_and_reported_missing(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(1, status="draft"), invoice(2, status="sent")])
    harness.sync()
    draft = _xero_invoice(harness, "LL-00001")
    with harness.xero() as xero:  # deleted, then re-dated out of the range
        _made(
            xero.post(f"/Invoices/{draft['InvoiceID']}", {"Invoices": [{"Status": "DELETED"}]}),
            "Invoices",
        )
        sent = _xero_invoice(harness, "LL-00002")
        body = {"Invoices": [{"Date": "2026-02-20"}]}
        # with unitdp=4, or Xero would round its 4-place prices (a difference of its own)
        _made(xero.post(f"/Invoices/{sent['InvoiceID']}", body, params={"unitdp": 4}), "Invoices")
    report, calls = _report(harness, "invoice")
    assert _keys(report, MISSING) == {("invoice", "inv-1")}
    assert report.entries == report.of(MISSING)  # inv-2, read by its id, agrees
    assert [c["method"] for c in calls] == ["GET", "GET"]


def test_a_range_ending_before_it_starts_is_refused(harness: SyncHarness) -> None:
    before = len(harness.requests())
    with pytest.raises(LedgerlinkError) as refused:
        reconcile(
            harness.worker(),
            harness.workspace_id,
            harness.connection_id,
            date(2026, 3, 31),
            date(2026, 3, 1),
        )
    assert (refused.value.code, refused.value.field) == ("VALIDATION_FAILED", "to")
    assert len(harness.requests()) == before  # refused before any call
