"""The Journals endpoint over HTTP: by id or number, offset paging, If-Modified-Since, the cash
basis, read-only, its scope, and journals made outside a call."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal as D
from typing import Any

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp
from tests.sandbox.replay_people import scoped_xero
from tests.sandbox.test_journals import (
    MANUAL,
    ZERO,
    assert_balanced,
    document,
    journals,
    lines,
    of,
    pay,
)
from xero_sandbox import ledger
from xero_sandbox.journals import settle


def test_numbers_are_sequential_and_every_journal_balances(xero: XeroHttp) -> None:
    for number in range(3):
        document(xero, InvoiceNumber=f"SEQ-{number}")
    found = journals(xero)
    assert [j["JournalNumber"] for j in found] == list(range(1, len(found) + 1))
    for journal in found:
        assert_balanced(journal)


def test_one_journal_by_id_or_number(xero: XeroHttp) -> None:
    invoice = document(xero)
    [journal] = of(xero, invoice["InvoiceID"])
    by_id = xero.get(f"/Journals/{journal['JournalID']}")
    by_number = xero.get(f"/Journals/{journal['JournalNumber']}")
    assert by_id.status == by_number.status == 200
    assert by_id.json["Journals"] == by_number.json["Journals"] == [journal]
    for missing in ("999999", "00000000-0000-0000-0000-000000000000"):
        reply = xero.get(f"/Journals/{missing}")
        assert reply.status == 404
        assert reply.text == "The resource you're looking for cannot be found"


def test_journals_are_read_only(xero: XeroHttp) -> None:
    for method in ("PUT", "POST"):
        reply = xero.call(method, "/Journals", {"Journals": []})
        assert reply.status == 405
        assert reply.text == "The requested resource does not support this http method"


def test_offset_paging_by_journal_number(xero: XeroHttp) -> None:
    line = {"AccountCode": "429", "LineAmount": 1}
    batch = [
        {
            "Narration": f"Batch {n}",
            "Date": "2026-03-31",
            "Status": "POSTED",
            "JournalLines": [line, {"AccountCode": "880", "LineAmount": -1}],
        }
        for n in range(105)
    ]
    assert xero.put("/ManualJournals", {"ManualJournals": batch}).status == 200
    first = journals(xero)
    assert len(first) == 100
    assert [j["JournalNumber"] for j in first] == list(range(1, 101))
    rest = journals(xero, offset=100)
    assert rest[0]["JournalNumber"] == 101
    assert [j["JournalNumber"] for j in rest] == list(range(101, 106))
    total = 105
    assert journals(xero, offset=total) == []
    assert [j["JournalNumber"] for j in journals(xero, offset=total - 2)] == [total - 1, total]


def test_if_modified_since_reads_created_date(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    document(xero, InvoiceNumber="OLD-1")
    sandbox.state.clock.advance(120)
    since = sandbox.state.clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    newer = document(xero, InvoiceNumber="NEW-1")
    found = xero.get("/Journals", headers={"If-Modified-Since": since})
    assert found.status == 200
    assert [j["SourceID"] for j in found.json["Journals"]] == [newer["InvoiceID"]]


def test_payments_only_is_the_cash_basis(xero: XeroHttp) -> None:
    invoice = document(xero)
    payment = pay(xero, {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": "10"})
    hidden = {**MANUAL, "ShowOnCashBasisReports": False}
    assert xero.put("/ManualJournals", {"ManualJournals": [MANUAL, hidden]}).status == 200
    cash = journals(xero, paymentsOnly="true")
    assert [j["SourceType"] for j in cash] == ["ACCRECPAYMENT", "MANJOURNAL"]
    # A tenth of the invoice paid: a tenth of its income and its tax, against the bank.
    assert lines(cash[0]) == {
        "090": (D("10.00"), ZERO),
        "200": (D("-9.09"), D("-0.91")),
        "820": (D("-0.91"), ZERO),
    }
    assert_balanced(cash[0])
    accrual = journals(xero)
    assert [j["SourceType"] for j in accrual] == [
        "ACCREC",
        "ACCRECPAYMENT",
        "MANJOURNAL",
        "MANJOURNAL",
    ]
    assert lines(accrual[1]) == {"090": (D("10.00"), ZERO), "610": (D("-10.00"), ZERO)}
    # One numbering for both views: each shows its own journals in number order.
    numbers = [j["JournalNumber"] for j in accrual] + [j["JournalNumber"] for j in cash]
    assert sorted(set(numbers)) == list(range(1, 6))
    assert xero.post(f"/Payments/{payment['PaymentID']}", {"Status": "DELETED"}).status == 200
    reversed_cash = journals(xero, paymentsOnly="true")[-1]
    assert lines(reversed_cash)["200"] == (D("9.09"), D("0.91"))


def test_journals_need_their_scope(sandbox: RunningSandbox) -> None:
    client = scoped_xero(sandbox.url, DEMO_TENANT, "accounting.transactions")
    try:
        refused = client.get("/Journals")
        assert refused.status == 401
        assert refused.json["Detail"] == "AuthorizationUnsuccessful"
        assert "insufficient_scope" in refused.headers.get("www-authenticate", "")
    finally:
        client.close()


def test_records_changed_outside_a_call_are_journalled(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    """A seeding script stamps what it makes and settles; a reader settles anything left."""
    state = sandbox.state
    org = state.orgs[DEMO_TENANT]

    def seeded(narration: str) -> str:
        record = {
            "ManualJournalID": str(uuid.uuid4()),
            "Narration": narration,
            "Date": date(2026, 2, 1),
            "Status": "POSTED",
            "LineAmountTypes": "NoTax",
            "JournalLines": [
                {"AccountCode": "429", "LineAmount": D("5.00"), "TaxAmount": ZERO},
                {"AccountCode": "880", "LineAmount": D("-5.00"), "TaxAmount": ZERO},
            ],
        }
        state.stamp(record)
        org.manual_journals[record["ManualJournalID"]] = record
        return str(record["ManualJournalID"])

    settled = seeded("Seeded and settled")
    assert settle(state) == 1
    assert [j["JournalNumber"] for j in org.journals if j["SourceID"] == settled] == [1]
    left = seeded("Seeded, left for the reader")
    [journal] = of(xero, left)
    assert lines(journal) == {"429": (D("5.00"), ZERO), "880": (D("-5.00"), ZERO)}


def test_settling_looks_at_the_changed_records_only(xero: XeroHttp) -> None:
    made = [
        {
            "Type": "ACCREC",
            "Contact": {"Name": "Many"},
            "Date": "2026-03-10",
            "DueDate": "2026-04-10",
            "Status": "AUTHORISED",
            "LineItems": [
                {"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": "200"}
            ],
        }
        for _ in range(300)
    ]
    reply = xero.put("/Invoices", {"Invoices": made})
    assert reply.status == 200
    one = reply.json["Invoices"][0]["InvoiceID"]
    source = ledger.SOURCES["invoices"]
    seen: list[str] = []

    def counting(org: Any, record: dict[str, Any]) -> Any:
        seen.append(record["InvoiceID"])
        return source.poster(org, record)

    ledger.SOURCES["invoices"] = ledger.Source(source.collection, source.id_field, counting)
    try:
        pay(xero, {"Invoice": {"InvoiceID": one}, "Amount": "1.10"})
        assert journals(xero, offset=300)[0]["SourceType"] == "ACCRECPAYMENT"
    finally:
        ledger.SOURCES["invoices"] = source
    # The payment changed one invoice (now PAID, posting as before): only it was asked.
    assert seen == [one]
