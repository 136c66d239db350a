"""The demo's job-management workload and its exactly-once check, without a server: every
document the demo means to reach Xero is one Xero accepts (schema, money, contacts), the bad
ones are the mistakes they claim to be, and the check on Xero's side catches a document
missing, one twice and one nobody pushed, for every kind."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest

from ledgerlink import kinds
from ledgerlink.demo.documents import Workload, workload
from ledgerlink.demo.jobs import MIN_DOCUMENTS, PAID, job_workload, total_with_gst
from ledgerlink.demo.once import allocations, by_number, by_url, count_in_xero, payments
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import StoredLookup

SIZES = (MIN_DOCUMENTS, 60, 1000)


class Stored(StoredLookup):
    def __init__(self, work: Workload) -> None:
        self.bodies = {(k, d["source_id"]): d for k, docs in work.by_kind() for d in docs}

    def current_body(self, kind: str, source_id: str) -> dict[str, Any] | None:
        return self.bodies.get((kind, source_id))


def _invoices(work: Workload) -> dict[str, dict[str, Any]]:
    return {d["source_id"]: d for d in work.invoices}


@pytest.mark.parametrize("total", SIZES)
def test_the_mix_has_every_kind_with_invoices_the_majority(total: int) -> None:
    work = job_workload(total)
    assert work.total == total
    sizes = {kind: len(docs) for kind, docs in work.by_kind()}
    assert all(sizes.values()), sizes
    assert sizes["invoice"] > total / 2
    assert work.kinds() == ["invoice", "expense", "purchase_order", "credit_note", "payment"]
    for kind, docs in work.by_kind():
        ids = [d["source_id"] for d in docs]
        assert len(ids) == len(set(ids)), kind
    assert job_workload(total) == work  # the same documents every run


def test_fewer_documents_than_the_showcase_needs_is_refused() -> None:
    with pytest.raises(ValueError, match=f"at least {MIN_DOCUMENTS}"):
        job_workload(MIN_DOCUMENTS - 1)


@pytest.mark.parametrize("total", SIZES)
def test_each_valid_document_passes_its_schema_and_each_refused_one_fails(total: int) -> None:
    work = job_workload(total)
    stored = Stored(work)
    refused = {s for s, (_, code) in work.expected_errors.items() if code == "VALIDATION_FAILED"}
    for kind, docs in work.by_kind():
        for doc in docs:
            body = kinds.get(kind).expand(dict(doc), stored)
            if doc["source_id"] in refused:
                with pytest.raises(LedgerlinkError):
                    kinds.validate_document(kind, body)
            else:
                kinds.validate_document(kind, body)


@pytest.mark.parametrize("total", SIZES)
def test_one_bad_document_per_new_kind_with_the_code_it_must_get(total: int) -> None:
    work = job_workload(total)
    codes = {kind: code for kind, code in work.expected_errors.values() if kind != "invoice"}
    assert codes["purchase_order"] == "XERO_ACCOUNT_CODE_INVALID"
    assert codes["payment"] == "PAYMENT_INVALID"
    assert codes["credit_note"] == "VALIDATION_FAILED"
    assert len(work.expected_errors) == 8
    for source_id, (kind, _) in work.expected_errors.items():
        assert source_id in {d["source_id"] for d in work.documents(kind)}
    [po] = [d for d in work.purchase_orders if d["source_id"] == "po-bad-revenue-account"]
    assert po["lines"][0]["account_code"] == "200"  # Sales: revenue
    [over] = [d for d in work.payments if d["source_id"] == "pay-over-due"]
    paid = _invoices(work)[over["document"]["source_id"]]
    assert Decimal(over["amount"]) > total_with_gst(paid)


@pytest.mark.parametrize("total", SIZES)
def test_payments_and_credit_never_exceed_what_an_invoice_owes(total: int) -> None:
    work = job_workload(total)
    invoices = _invoices(work)
    owed: dict[str, Decimal] = defaultdict(Decimal)
    for pay in work.payments:
        if pay["source_id"] in work.expected_errors:
            continue
        paid = invoices[pay["document"]["source_id"]]
        assert paid["status"] == "sent"
        assert pay["date"] >= paid["issue_date"]
        owed[paid["source_id"]] += Decimal(pay["amount"])
    for note in work.credit_notes:
        if note["source_id"] in work.expected_errors or not note.get("allocations"):
            continue
        assert note["status"] == "sent"
        credit = sum(Decimal(a["amount"]) for a in note["allocations"])
        if "lines" in note:
            assert credit <= total_with_gst(note)
        for allocation in note["allocations"]:
            target = invoices[allocation["document"]]
            assert target["status"] == "sent"
            assert target["contact"] == note.get("contact", target["contact"])
            owed[target["source_id"]] += Decimal(allocation["amount"])
    assert owed, "no payment or allocation at all"
    for source_id, amount in owed.items():
        assert amount <= total_with_gst(invoices[source_id]), source_id
    for source_id, how in work.settled.items():
        assert owed[source_id] == total_with_gst(invoices[source_id]), how
    assert PAID in work.settled.values()
    touched = set(owed) | {p["document"]["source_id"] for p in work.payments}
    assert work.revised not in touched  # it is edited in Xero later: nothing applied to it


def test_the_showcase_documents_are_named_and_set_up() -> None:
    work = job_workload(60)
    reverted = next(d for d in work.purchase_orders if d["source_id"] == work.reverted_po)
    assert reverted["status"] == "approved"
    whole = [n for n in work.credit_notes if n.get("credits_invoice")]
    assert len(whole) == 1 and "lines" not in whole[0]
    assert whole[0]["credits_invoice"] in work.settled
    applied = [n for n in work.credit_notes if len(n.get("allocations", [])) > 1]
    assert applied, "no credit note applied to several invoices"


def test_the_invoice_and_expense_workload_is_unchanged() -> None:
    """The plain workload (tests/engine/api/test_sync.py uses it) keeps its two kinds."""
    work = workload(40)
    assert work.kinds() == ["invoice", "expense"]
    assert work.total == 40 and len(work.expected_errors) == 5


# -- exactly once, on Xero's side -----------------------------------------------------------


def _engine(sources: list[str], ids: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        s: {"id": f"doc-{s}", "link": {"xero_id": (ids or {}).get(s, f"X-{s}")}} for s in sources
    }


def test_invoices_are_matched_by_url_marker_and_a_copy_or_stranger_shows() -> None:
    docs = _engine(["a", "b", "c"])
    records = [
        {"Type": "ACCREC", "Url": "http://engine/documents/doc-a", "Status": "AUTHORISED"},
        {"Type": "ACCREC", "Url": "http://engine/documents/doc-b", "Status": "DRAFT"},
        {"Type": "ACCREC", "Url": "http://app/job/9#ledgerlink=doc-b", "Status": "DRAFT"},
        {"Type": "ACCREC", "Url": "http://engine/documents/doc-c", "Status": "DELETED"},
        {"Type": "ACCREC", "Url": "http://engine/documents/doc-zzz", "Status": "DRAFT"},
        {"Type": "ACCPAY", "Url": "http://engine/documents/doc-c", "Status": "DRAFT"},
    ]
    found = by_url(records, "ACCREC", docs, ["a", "b", "c"])
    assert (found.records, found.twice, found.missing, found.strangers) == (2, 1, ["c"], 1)
    assert not found.once
    assert "1 missing in Xero (first: c), 1 in Xero twice, 1 not from" in (
        found.problem("invoices") or ""
    )
    assert by_url(records[:2], "ACCREC", docs, ["a", "b"]).once


def test_purchase_orders_and_credit_notes_are_matched_by_number() -> None:
    pushed = [
        {"source_id": "po-1", "number": "PO-1"},
        {"source_id": "po-2"},
        {"source_id": "po-bad", "number": "PO-BAD"},
    ]
    records = [
        {"PurchaseOrderNumber": "PO-1", "Status": "SUBMITTED"},
        {"PurchaseOrderNumber": "po-2", "Status": "DRAFT"},
    ]
    assert by_number(records, "PurchaseOrderNumber", pushed, ["po-1", "po-2"]).once
    twice = by_number(records + records[:1], "PurchaseOrderNumber", pushed, ["po-1", "po-2"])
    assert twice.twice == 1
    bad_sent = records + [{"PurchaseOrderNumber": "PO-BAD", "Status": "DRAFT"}]
    assert by_number(bad_sent, "PurchaseOrderNumber", pushed, ["po-1", "po-2"]).strangers == 1


def test_payments_are_counted_per_invoice() -> None:
    invoices = _engine(["i1", "i2"], {"i1": "AAA", "i2": "BBB"})
    pushed = [
        {"source_id": "p1", "document": {"kind": "invoice", "source_id": "i1"}},
        {"source_id": "p2", "document": {"kind": "invoice", "source_id": "i1"}},
        {"source_id": "p3", "document": {"kind": "invoice", "source_id": "i2"}},
        {"source_id": "bad", "document": {"kind": "invoice", "source_id": "i2"}},
    ]
    valid = ["p1", "p2", "p3"]
    right = [
        {"Invoice": {"InvoiceID": "aaa"}, "Status": "AUTHORISED"},
        {"_document": "AAA", "Status": "AUTHORISED"},  # the sandbox's own state keeps this
        {"Invoice": {"InvoiceID": "BBB"}, "Status": "AUTHORISED"},
        {"Invoice": {"InvoiceID": "BBB"}, "Status": "DELETED"},
    ]
    assert payments(right, pushed, valid, invoices).once
    short = payments(right[1:], pushed, valid, invoices)
    assert short.missing == ["payment on i1"]
    extra = payments(right + right[2:3], pushed, valid, invoices)
    assert extra.twice == 1


def test_allocations_are_counted_per_credit_note_and_invoice() -> None:
    invoices = _engine(["i1", "i2"], {"i1": "AAA", "i2": "BBB"})
    notes = [
        {
            "source_id": "cn-1",
            "number": "CN-1",
            "allocations": [{"document": "i1"}, {"document": "i2"}],
        }
    ]
    made = {"Invoice": {"InvoiceID": "AAA"}}
    record = {"CreditNoteNumber": "CN-1", "Status": "AUTHORISED", "Allocations": [made]}
    found = allocations([record], notes, ["cn-1"], invoices)
    assert found.missing == ["cn-1 -> i2"]
    record["Allocations"] = [made, {"Invoice": {"InvoiceID": "BBB"}}, made]
    found = allocations([record], notes, ["cn-1"], invoices)
    assert found.twice == 1 and not found.missing


def test_count_in_xero_covers_every_kind_of_the_workload() -> None:
    work = job_workload(MIN_DOCUMENTS)

    class Org:
        invoices: dict[str, Any] = {}
        purchase_orders: dict[str, Any] = {}
        credit_notes: dict[str, Any] = {}
        payments: dict[str, Any] = {}

    found = count_in_xero(Org(), work, {})
    assert set(found) == {*work.kinds(), "allocation"}
    wanted = Counter(kind for kind, f in found.items() if f.missing)
    assert set(wanted) == set(found)  # nothing in an empty organisation: all missing
