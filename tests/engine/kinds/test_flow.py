"""The job-management flow against the sandbox: purchase orders, credit notes with their
allocations, payments, in dependency order, each once, and "Refresh from Xero"."""

from __future__ import annotations

from decimal import Decimal

from ledgerlink.sync.pull import refresh_documents
from tests.engine.kinds.conftest import (
    all_done,
    credit_note,
    credit_notes,
    expense,
    invoice,
    item_of,
    link_of,
    org,
    payment,
    payments,
    purchase_order,
    purchase_orders,
)
from tests.engine.sync.conftest import SyncHarness


def test_a_po_sent_approved_arrives_submitted_and_a_revert_stays_submitted(
    harness: SyncHarness,
) -> None:
    harness.push("purchase_order", [purchase_order(1)])
    harness.sync()
    [po] = purchase_orders(harness)
    assert po["Status"] == "SUBMITTED"
    assert po["PurchaseOrderNumber"] == "po-1"  # no number given: its source_id finds it again

    reverted = purchase_order(1, status="draft")
    reverted["lines"][0]["unit_amount"] = "99.00"
    harness.push("purchase_order", [reverted])
    harness.sync()
    [po] = purchase_orders(harness)
    assert po["Status"] == "SUBMITTED"
    assert Decimal(str(po["LineItems"][0]["UnitAmount"])) == Decimal("99.00")
    link = link_of(harness, "purchase_order", "po-1")
    assert "never takes a purchase order" in link.details["note"]
    all_done(harness)


def test_a_po_line_must_post_to_an_expense_or_liability_account(harness: SyncHarness) -> None:
    bad = purchase_order(2)
    bad["lines"][0]["account_code"] = "200"  # Sales: a revenue account
    harness.push("purchase_order", [bad])
    harness.sync()
    assert purchase_orders(harness) == []
    item = item_of(harness, "purchase_order", "po-2")
    assert item.state == "needs_attention"
    assert item.error_code == "XERO_ACCOUNT_CODE_INVALID"
    assert item.error_field == "lines[0].account_code"
    assert "expense or liability" in item.error_message


def test_a_po_billed_in_xero_reads_back_as_paid_on_refresh(harness: SyncHarness) -> None:
    harness.push("purchase_order", [purchase_order(3)])
    harness.sync()
    [po] = purchase_orders(harness)
    with harness.xero() as xero:
        for status in ("AUTHORISED", "BILLED"):
            reply = xero.post(
                f"/PurchaseOrders/{po['PurchaseOrderID']}",
                {"PurchaseOrders": [{"Status": status}]},
            )
            assert reply.status == 200, reply.text
    figures = refresh_documents(harness.worker(), harness.workspace_id, "purchase_order", ["po-3"])
    assert figures == {"read": 1, "calls": 1}
    link = link_of(harness, "purchase_order", "po-3")
    assert link.xero_status == "BILLED"
    from ledgerlink import kinds

    assert kinds.get("purchase_order").source_status(link.xero_status) == "paid"


def test_a_credit_note_applied_to_an_invoice_not_yet_in_xero_sends_the_invoice_first(
    harness: SyncHarness,
) -> None:
    note = credit_note(1, allocations=[{"document": "inv-1", "amount": "50.00"}])
    harness.push("credit_note", [note])  # the credit note arrives before its invoice
    harness.push("invoice", [invoice(1, status="sent")])
    counts = harness.sync()

    [record] = [r for r in harness.invoices() if r.get("InvoiceNumber") == "LL-00001"]
    [cn] = credit_notes(harness)
    assert cn["Status"] == "AUTHORISED"
    assert [a["Invoice"]["InvoiceID"] for a in cn["Allocations"]] == [record["InvoiceID"]]
    assert Decimal(str(cn["Allocations"][0]["Amount"])) == Decimal("50.00")
    invoice_link = link_of(harness, "invoice", "inv-1")
    cn_link = link_of(harness, "credit_note", "cn-1")
    assert invoice_link.xero_id == record["InvoiceID"]
    assert cn_link.xero_id == cn["CreditNoteID"]
    assert cn_link.details["allocations"] == {record["InvoiceID"].lower(): "50.00"}
    all_done(harness)
    assert counts.get("held", 0) == 0

    harness.push("credit_note", [note])  # the same again: nothing more in Xero
    harness.sync()
    [cn] = credit_notes(harness)
    assert len(cn["Allocations"]) == 1


def test_credit_the_whole_invoice_copies_its_lines(harness: SyncHarness) -> None:
    harness.push("invoice", [invoice(4, status="sent")])
    results = harness.push(
        "credit_note", [{"source_id": "cn-4", "date": "2026-03-11", "credits_invoice": "inv-4"}]
    )
    assert results[0].outcome == "created", results[0].errors
    harness.sync()
    [cn] = credit_notes(harness)
    [inv] = [r for r in harness.invoices() if r.get("InvoiceNumber") == "LL-00004"]
    assert cn["Total"] == inv["Total"]
    assert cn["Contact"]["ContactID"] == inv["Contact"]["ContactID"]


def test_a_payment_goes_against_its_account_and_refresh_reads_paid(harness: SyncHarness) -> None:
    harness.push("invoice", [invoice(5, status="sent")])
    harness.push("payment", [payment(1, "inv-5", "100.00")])
    harness.sync()
    [made] = payments(harness)
    assert made["Account"]["Code"] == "090"
    inv = next(r for r in harness.invoices() if r.get("InvoiceNumber") == "LL-00005")
    assert inv["AmountPaid"] == Decimal("100.00")
    all_done(harness)

    rest = Decimal(str(inv["AmountDue"]))
    harness.push("payment", [payment(2, "inv-5", str(rest))])
    harness.sync()
    refresh_documents(harness.worker(), harness.workspace_id, "invoice", ["inv-5"])
    link = link_of(harness, "invoice", "inv-5")
    assert link.xero_status == "PAID"
    assert Decimal(link.amount_due) == 0
    assert Decimal(link.amount_paid) == Decimal(str(inv["Total"]))
    assert link.paid_date == "2026-03-15"
    all_done(harness)


def test_overpayments_and_payments_on_drafts_are_refused_before_any_call(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(6, status="sent"), invoice(8, status="draft")])
    harness.sync()
    before = len(harness.requests("PUT"))
    harness.push("payment", [payment(3, "inv-6", "100000.00"), payment(4, "inv-8", "10.00")])
    harness.sync()
    assert len(harness.requests("PUT")) == before
    over = item_of(harness, "payment", "pay-3")
    draft = item_of(harness, "payment", "pay-4")
    assert (over.state, over.error_code, over.error_field) == (
        "needs_attention",
        "PAYMENT_INVALID",
        "amount",
    )
    assert (draft.state, draft.error_code) == ("needs_attention", "PAYMENT_INVALID")
    assert "DRAFT" in draft.error_message


def test_a_payment_without_an_account_uses_the_connection_s_or_says_how(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(7, status="sent")])
    harness.push("payment", [payment(5, "inv-7", "10.00", account_code=None)])
    harness.sync()
    item = item_of(harness, "payment", "pay-5")
    assert (item.state, item.error_code, item.error_field) == (
        "needs_attention",
        "PAYMENT_ACCOUNT_MISSING",
        "account_code",
    )
    from ledgerlink.store import connections as conns
    from ledgerlink.store.db import transaction

    with transaction(harness.factory) as session:
        conns.update_settings(
            session, harness.workspace_id, harness.connection_id, {"payment_account_code": "090"}
        )
    harness.push("payment", [payment(5, "inv-7", "10.00", account_code=None, reference="x")])
    harness.sync()
    assert len(payments(harness)) == 1
    all_done(harness)


def test_a_payment_on_a_document_not_yet_sent_waits_for_it(harness: SyncHarness) -> None:
    harness.push("payment", [payment(6, "inv-9", "20.00")])
    harness.sync()
    item = item_of(harness, "payment", "pay-6")
    assert item.state == "queued" and item.error_code == "DEPENDENCY_MISSING"
    assert payments(harness) == []
    harness.push("invoice", [invoice(9, status="sent")])
    harness.advance(3600)
    harness.sync()
    assert len(payments(harness)) == 1
    all_done(harness)


def test_a_payment_removed_in_the_source_is_deleted_in_xero(harness: SyncHarness) -> None:
    harness.push("invoice", [invoice(11, status="sent")])
    harness.push("payment", [payment(7, "inv-11", "30.00")])
    harness.sync()
    assert len(payments(harness)) == 1
    harness.push("payment", [payment(7, "inv-11", "30.00", status="deleted")])
    harness.sync()
    assert payments(harness) == []
    assert [p["Status"] for p in org(harness).payments.values()] == ["DELETED"]
    all_done(harness)


def test_a_supplier_credit_applies_to_a_bill(harness: SyncHarness) -> None:
    harness.push("expense", [expense(1, status="approved")])
    harness.sync()
    with harness.xero() as xero:  # approved in Xero (AUTHORISED), as a bookkeeper does
        bill = next(r for r in harness.invoices() if r.get("Type") == "ACCPAY")
        reply = xero.post(
            f"/Invoices/{bill['InvoiceID']}", {"Invoices": [{"Status": "AUTHORISED"}]}
        )
        assert reply.status == 200, reply.text
    supplier = expense(1)["supplier"]
    note = credit_note(
        2, type="supplier", contact=supplier, allocations=[{"document": "exp-1", "amount": "5.00"}]
    )
    harness.push("credit_note", [note])
    harness.sync()
    [cn] = credit_notes(harness)
    assert cn["Type"] == "ACCPAYCREDIT"
    assert len(cn["Allocations"]) == 1
    all_done(harness)


def test_an_allocation_changed_after_it_was_made_is_held_saying_so(harness: SyncHarness) -> None:
    harness.push("invoice", [invoice(12, status="sent")])
    harness.push(
        "credit_note", [credit_note(12, allocations=[{"document": "inv-12", "amount": "20.00"}])]
    )
    harness.sync()
    harness.push(
        "credit_note", [credit_note(12, allocations=[{"document": "inv-12", "amount": "30.00"}])]
    )
    harness.sync()
    [cn] = credit_notes(harness)
    assert [Decimal(str(a["Amount"])) for a in cn["Allocations"]] == [Decimal("20.00")]
    held = item_of(harness, "credit_note", "cn-12")
    assert (held.state, held.error_code, held.error_field) == (
        "needs_attention",
        "XERO_NOT_EDITABLE",
        "allocations",
    )
    assert "30.00" in held.error_message and "20.00" in held.error_message


def test_a_payment_on_a_bill_awaiting_approval_waits_until_it_is_approved_in_xero(
    harness: SyncHarness,
) -> None:
    harness.push("expense", [expense(3, status="approved")])  # SUBMITTED in Xero
    harness.sync()
    bill_payment = payment(9, "exp-3", "5.00", document={"kind": "expense", "source_id": "exp-3"})
    harness.push("payment", [bill_payment])
    harness.worker().run_once()
    waiting = item_of(harness, "payment", "pay-9")
    assert (waiting.state, waiting.error_code) == ("queued", "PAYMENT_INVALID")
    assert "approve it in Xero" in waiting.error_message
    bill = next(r for r in harness.invoices() if r.get("Type") == "ACCPAY")
    with harness.xero() as xero:
        reply = xero.post(
            f"/Invoices/{bill['InvoiceID']}", {"Invoices": [{"Status": "AUTHORISED"}]}
        )
        assert reply.status == 200, reply.text
    harness.advance(3600)
    harness.sync()
    assert len(payments(harness)) == 1
    all_done(harness)
