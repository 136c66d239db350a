"""A seeded year of activity: made through the API's rules, deterministic, and consistent.

The year is seeded over the admin API (``POST /_sandbox/orgs/{key}/seed-year``) and read back
over plain HTTP as any Xero client reads it; determinism and seasonality are checked in process
with the year's last day pinned, so midnight cannot fall between two seedings.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx2
import pytest

from tests.conftest import RunningSandbox, XeroHttp, custom_token
from xero_sandbox import SandboxConfig, create_app
from xero_sandbox.resources import all_routes
from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.year import YearError, seed_year

SEED = 11
PINNED = date(2026, 11, 30)
ZERO = Decimal("0.00")
_MS = re.compile(r"/Date\((-?\d+)")


def _day(value: str) -> date:
    found = _MS.match(value)
    assert found, value
    return datetime.fromtimestamp(int(found.group(1)) / 1000, tz=UTC).date()


def _admin(sandbox: RunningSandbox, path: str, body: Any = None) -> httpx2.Response:
    return httpx2.post(sandbox.url + "/_sandbox" + path, json=body, timeout=60)


def _every(xero: XeroHttp, path: str, key: str) -> list[dict[str, Any]]:
    """Every record of a list, with line items (the paged form carries them)."""
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        reply = xero.get(path, params={"page": page, "pageSize": 1000})
        assert reply.status == 200, reply.text
        found += reply.json[key]
        if page >= reply.json["pagination"]["pageCount"]:
            return found
        page += 1


@pytest.fixture
def year(sandbox: RunningSandbox) -> dict[str, Any]:
    reply = _admin(sandbox, "/orgs/demo/seed-year", {"seed": SEED})
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def _serves(method: str, pattern: str) -> bool:
    return any(r.method == method and r.pattern == pattern for r in all_routes())


def test_the_admin_api_seeds_a_year_and_says_what_it_made(
    sandbox: RunningSandbox, year: dict[str, Any]
) -> None:
    last = date.fromisoformat(year["to"])
    assert year["key"] == "demo" and year["seed"] == SEED
    assert last in (sandbox.state.clock.today(), sandbox.state.clock.today() - timedelta(days=1))
    assert year["from"] == (last - timedelta(days=364)).isoformat()
    counts = year["counts"]
    assert 200 <= counts["invoices"] <= 350
    assert 80 <= counts["bills"] <= 160
    assert counts["credit_notes"] >= 5 and counts["allocations"] >= 3
    assert counts["payments"] >= 250
    assert counts["manual_journals"] >= 20
    assert counts["invoices_voided"] >= 1 and counts["manual_journals_voided"] == 1
    # Bank transactions and transfers come with the resources, whenever this sandbox has them.
    assert ("bank_transactions" in counts) == _serves("PUT", "/BankTransactions")
    assert ("bank_transfers" in counts) == _serves("PUT", "/BankTransfers")
    # The year is history: no webhook events for it, and no calls counted against a limit.
    stats = httpx2.get(sandbox.url + "/_sandbox/stats", timeout=10).json()
    assert stats["events"] == 0
    assert stats["api_calls"]["by_org"]["demo"] == 0


def test_a_second_year_bad_seeds_and_unknown_organisations_are_refused(
    sandbox: RunningSandbox, year: dict[str, Any]
) -> None:
    again = _admin(sandbox, "/orgs/demo/seed-year", {"seed": 2})
    assert again.status_code == 409
    assert again.json()["error"] == (
        f"organisation demo already holds a seeded year (seed {SEED}); "
        "reset the sandbox to seed another"
    )
    for body in ({"seed": -1}, {"seed": "7"}, {"seed": True}):
        reply = _admin(sandbox, "/orgs/uk/seed-year", body)
        assert reply.status_code == 400
        assert reply.json()["error"].startswith("seed must be a whole number from 0")
    assert _admin(sandbox, "/orgs/uk/seed-year", {"sead": 1}).status_code == 400
    assert _admin(sandbox, "/orgs/nowhere/seed-year", {"seed": 1}).status_code == 404


def test_a_year_is_not_mixed_into_contacts_it_would_clash_with(
    sandbox: RunningSandbox, xero: XeroHttp
) -> None:
    made = xero.put("/Contacts", {"Contacts": [{"Name": "Harbourview Dental"}]})
    assert made.status == 200
    reply = _admin(sandbox, "/orgs/demo/seed-year", {"seed": 1})
    assert reply.status_code == 409
    assert "Harbourview Dental" in reply.json()["error"]
    assert xero.get("/Invoices").json["Invoices"] == []


def test_a_locked_organisation_has_no_days_to_seed(sandbox: RunningSandbox) -> None:
    locked = (sandbox.state.clock.today() + timedelta(days=1)).isoformat()
    assert _admin(sandbox, "/orgs/uk", {"period_lock_date": locked}).status_code == 200
    reply = _admin(sandbox, "/orgs/uk/seed-year", {"seed": 1})
    assert reply.status_code == 409
    assert "locked up to" in reply.json()["error"]


def test_the_year_spans_twelve_months_with_a_mix_of_documents(
    sandbox: RunningSandbox, xero: XeroHttp, year: dict[str, Any]
) -> None:
    first, last = date.fromisoformat(year["from"]), date.fromisoformat(year["to"])
    invoices = _every(xero, "/Invoices", "Invoices")
    sales = [i for i in invoices if i["Type"] == "ACCREC"]
    bills = [i for i in invoices if i["Type"] == "ACCPAY"]
    assert len(sales) == year["counts"]["invoices"] and len(bills) == year["counts"]["bills"]
    for invoice in invoices:
        assert first <= _day(invoice["Date"]) <= last
    covered = Counter((d.year, d.month) for d in (first + timedelta(days=n) for n in range(365)))
    sold = {(_day(i["Date"]).year, _day(i["Date"]).month) for i in sales}
    assert {month for month, days in covered.items() if days >= 10} <= sold
    assert len({(_day(i["Date"]).year, _day(i["Date"]).month) for i in bills}) >= 12
    # Sales are numbered in date order.
    numbered = sorted(sales, key=lambda i: int(i["InvoiceNumber"].split("-")[1]))
    assert [i["InvoiceNumber"] for i in numbered][:2] == ["INV-0001", "INV-0002"]
    dates = [_day(i["Date"]) for i in numbered]
    assert dates == sorted(dates)
    statuses = Counter(i["Status"] for i in sales)
    assert statuses["PAID"] > statuses["AUTHORISED"] > 0
    assert statuses["VOIDED"] >= 1 and statuses["DELETED"] == 1
    assert Counter(i["Status"] for i in bills)["PAID"] > len(bills) // 2
    lines = [line for i in sales for line in i["LineItems"]]
    assert max(len(i["LineItems"]) for i in sales) >= 3
    assert {line["AccountCode"] for line in lines} == {"200", "260"}
    assert {line["TaxType"] for line in lines} == {"OUTPUT", "EXEMPTOUTPUT"}
    assert any(line.get("DiscountRate") for line in lines)
    tracked = [line for line in lines if line["Tracking"]]
    assert len(lines) // 3 < len(tracked) < len(lines)
    assert {t["Name"] for line in tracked for t in line["Tracking"]} == {"Region", "Department"}
    accounts = {line["AccountCode"] for i in bills for line in i["LineItems"]}
    assert {"469", "445", "489", "710"} <= accounts and len(accounts) >= 10
    assert {i["LineAmountTypes"] for i in bills} == {"Exclusive", "Inclusive"}
    contacts = xero.get("/Contacts").json["Contacts"]
    named = {c["Name"]: c for c in contacts}
    dental = named["Harbourview Dental"]
    assert dental["EmailAddress"] == "accounts@harbourviewdental.example"
    assert [p["FirstName"] for p in dental["ContactPersons"]] == ["Mia", "Raj"]
    assert dental["Addresses"][0]["City"] == "Sydney" and dental["IsCustomer"] is True
    assert named["Collins Street Property Trust"]["IsSupplier"] is True
    journals = _every(xero, "/ManualJournals", "ManualJournals")
    narrations = Counter(j["Narration"].split(",")[0] for j in journals if j["Status"] == "POSTED")
    assert narrations["Depreciation of office equipment"] >= 11
    assert narrations["Payroll"] >= 11
    assert Counter(j["Status"] for j in journals)["VOIDED"] == 1


def test_every_balance_follows_from_its_payments_and_credits(
    sandbox: RunningSandbox, xero: XeroHttp, year: dict[str, Any]
) -> None:
    last = date.fromisoformat(year["to"])
    invoices = _every(xero, "/Invoices", "Invoices")
    notes = _every(xero, "/CreditNotes", "CreditNotes")
    payments = _every(xero, "/Payments", "Payments")
    live = [p for p in payments if p["Status"] == "AUTHORISED"]
    assert Counter(p["Status"] for p in payments)["DELETED"] == 1
    paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for payment in live:
        document = payment.get("Invoice") or payment["CreditNote"]
        key = document.get("InvoiceID") or document["CreditNoteID"]
        paid[key] += payment["Amount"]
    credited: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for note in notes:
        for allocation in note["Allocations"]:
            credited[allocation["Invoice"]["InvoiceID"]] += allocation["Amount"]
    by_id = {i["InvoiceID"]: i for i in invoices}
    for invoice in invoices:
        number = invoice["InvoiceNumber"]
        lines = invoice["LineItems"]
        assert invoice["SubTotal"] == sum((line["LineAmount"] for line in lines), ZERO) or (
            invoice["LineAmountTypes"] == "Inclusive"
        ), number
        assert invoice["Total"] == invoice["SubTotal"] + invoice["TotalTax"], number
        assert invoice["AmountPaid"] == paid[invoice["InvoiceID"]], number
        assert invoice["AmountCredited"] == credited[invoice["InvoiceID"]], number
        if invoice["Status"] in ("VOIDED", "DELETED"):
            assert invoice["AmountDue"] == ZERO and invoice["AmountPaid"] == ZERO, number
            continue
        owed = invoice["Total"] - invoice["AmountPaid"] - invoice["AmountCredited"]
        assert invoice["AmountDue"] == owed >= ZERO, number
        assert (invoice["Status"] == "PAID") == (owed == ZERO), number
    for note in notes:
        allocated = sum((a["Amount"] for a in note["Allocations"]), ZERO)
        assert note["RemainingCredit"] == note["Total"] - allocated - paid[note["CreditNoteID"]]
    assert any(n["RemainingCredit"] > 0 for n in notes)
    assert any(paid[n["CreditNoteID"]] > 0 for n in notes)
    to_invoices = sum((p["Amount"] for p in live if "Invoice" in p), ZERO)
    assert to_invoices == sum((i["AmountPaid"] for i in invoices), ZERO)
    for payment in live:
        document = payment.get("Invoice")
        if document is not None:
            issued = _day(by_id[document["InvoiceID"]]["Date"])
            assert issued <= _day(payment["Date"]) <= last
    reconciled = Counter(p["IsReconciled"] for p in live)
    assert reconciled[True] > reconciled[False] > 0


def test_aged_receivables_have_a_current_part_and_an_overdue_tail(
    sandbox: RunningSandbox, xero: XeroHttp, year: dict[str, Any]
) -> None:
    today = date.fromisoformat(year["to"])
    sales = [i for i in _every(xero, "/Invoices", "Invoices") if i["Type"] == "ACCREC"]
    owing = [i for i in sales if i["Status"] == "AUTHORISED"]
    late = [(today - _day(i["DueDate"])).days for i in owing]
    assert any(days <= 0 for days in late), "nothing is current"
    assert any(days > 0 for days in late), "nothing is overdue"
    assert sum(1 for days in late if days > 30) >= 1
    assert sum(1 for days in late if days > 0) < len(sales) // 5
    part_paid = [i for i in owing if i["AmountPaid"] > 0]
    assert part_paid and all(i["AmountDue"] > 0 for i in part_paid)
    for invoice in sales:
        if invoice["Status"] == "PAID" and invoice.get("FullyPaidOnDate"):
            assert _day(invoice["FullyPaidOnDate"]) >= _day(invoice["Date"])


def _fingerprint(state: Any) -> list[Any]:
    """What a reader sees of a year, without the ids (new every run) or update times."""
    org = state.orgs[DEMO_TENANT]

    def doc(record: dict[str, Any]) -> tuple[Any, ...]:
        number = record.get("InvoiceNumber") or record.get("CreditNoteNumber")
        lines = tuple(
            (line["Description"], line["LineAmount"], line.get("TaxType"))
            for line in record["LineItems"]
        )
        contact = org.contacts[record["Contact"]["ContactID"]]["Name"]
        return (record["Type"], number, record["Date"], contact, record["Status"], lines)

    return [
        sorted(doc(r) + (r["Total"], r["AmountDue"]) for r in org.invoices.values()),
        sorted(doc(r) + (r["Total"], r["RemainingCredit"]) for r in org.credit_notes.values()),
        sorted((p["Date"], p["Amount"], p["Status"]) for p in org.payments.values()),
        sorted(
            (j["Date"], j["Narration"], tuple(line["LineAmount"] for line in j["JournalLines"]))
            for j in org.manual_journals.values()
        ),
        sorted(c["Name"] for c in org.contacts.values()),
    ]


def _seeded(seed: int) -> list[Any]:
    state = create_app(SandboxConfig()).state
    summary = seed_year(state, state.orgs[DEMO_TENANT], seed, today=PINNED)
    assert summary.first_day == date(2025, 12, 1) and summary.last_day == PINNED
    return _fingerprint(state)


def test_the_same_seed_makes_the_same_year_and_another_seed_another() -> None:
    first = _seeded(SEED)
    assert first == _seeded(SEED)
    assert first != _seeded(SEED + 1)
    # Seasonal: the summer holiday month is the quietest full month, June or the run-up to
    # Christmas among the busiest.
    sales = Counter((d.year, d.month) for t, _, d, *_ in first[0] if t == "ACCREC")
    assert sales[(2026, 1)] == min(sales[(2026, m)] for m in range(1, 11))
    assert max(sales[(2026, 6)], sales[(2025, 12)]) > 1.6 * sales[(2026, 1)]


def test_seeding_stops_at_the_first_write_the_api_refuses() -> None:
    state = create_app(SandboxConfig()).state
    org = state.orgs[DEMO_TENANT]
    # GST on Income archived behind the API's back: every sales line that takes the sales
    # account's default rate is one the API refuses, and the seeding stops with its message.
    org.tax_rates["OUTPUT"]["Status"] = "ARCHIVED"
    with pytest.raises(YearError) as refused:
        seed_year(state, org, SEED, today=PINNED)
    assert "PUT /Invoices was refused (400)" in str(refused.value)
    assert "The TaxType code 'OUTPUT' does not exist or cannot be used" in str(refused.value)


def test_made_organisations_keep_their_year_through_a_reset(sandbox: RunningSandbox) -> None:
    made = _admin(sandbox, "/orgs", {"count": 1, "prefix": "year", "seed_year": 5})
    assert made.status_code == 201, made.text
    org = made.json()["organisations"][0]
    token = custom_token(sandbox.url, auth=(org["client_id"], org["client_secret"]))
    client = XeroHttp(sandbox.url, token, org["tenant_id"])
    demo = XeroHttp(sandbox.url, custom_token(sandbox.url), DEMO_TENANT)
    try:
        before = len(client.get("/Invoices").json["Invoices"])
        assert before > 250
        assert _admin(sandbox, "/reset").status_code == 200
        assert len(client.get("/Invoices").json["Invoices"]) > 250
        assert demo.get("/Invoices").json["Invoices"] == []
    finally:
        client.close()
        demo.close()
    bad = _admin(sandbox, "/orgs", {"count": 1, "seed_year": 1.5})
    assert bad.status_code == 400
    assert bad.json()["error"].startswith("seed_year must be a whole number from 0")
