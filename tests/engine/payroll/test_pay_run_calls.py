"""Calls per 1,000 pay-run bills: a run of 999 employees whose tax goes to one tax office is
1,000 bills, sent as every expense is (contacts 100 a request, bills 50 a request, the
reference lists read once). Counted from the sandbox's request log, first send, generating
it again (no call at all), and every employee's bill changed
(40: read, then update, 50 a request)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

from ledgerlink.store import pay_items
from ledgerlink.store.db import transaction
from ledgerlink.sync import payroll
from tests.engine.kinds.conftest import all_done
from tests.engine.payroll.bills import bills
from tests.engine.sync.conftest import SyncHarness

EMPLOYEES = 999


def _run(salary: str = "1500.00") -> dict[str, object]:
    return {
        "source_id": "PR-big",
        "period_start": "2026-03-01",
        "period_end": "2026-03-14",
        "payment_date": "2026-03-15",
        "employees": [
            {
                "employee": {"key": f"e{n}", "name": f"Staff {n:04d}"},
                "items": [
                    {"pay_item": "Salary", "amount": salary},
                    {"pay_item": "Tax", "amount": "300.00"},
                ],
            }
            for n in range(EMPLOYEES)
        ],
    }


def _calls(harness: SyncHarness) -> Counter[str]:
    return Counter(f"{r['method']} {r['path']}" for r in harness.requests())


def test_calls_per_thousand_pay_run_bills(harness: SyncHarness) -> None:
    with transaction(harness.factory) as session:
        wages = [
            {"pay_item": "Salary", "account_code": "477", "sign": "+"},
            {"pay_item": "Tax", "account_code": "825", "sign": "-"},
        ]
        tax = [{"pay_item": "Tax", "account_code": "825", "sign": "+"}]
        args = (session, harness.workspace_id, harness.connection_id)
        pay_items.put_type(*args, "Wages", "employee", wages)
        pay_items.put_type(*args, "Tax", "Tax office", tax)
    harness.push("pay_run", [_run()])
    harness.sync()
    assert len(bills(harness)) == EMPLOYEES + 1
    all_done(harness)
    first = _calls(harness)
    writes = {k: n for k, n in first.items() if not k.startswith("GET")}
    # 1,000 new contacts at 100 a request, 1,000 bills at 50 a request
    assert writes == {"PUT /Contacts": 10, "PUT /Invoices": 20}, writes
    reads = {k: n for k, n in first.items() if k.startswith("GET")}
    assert reads == {
        "GET /Organisation": 1,
        "GET /Accounts": 1,
        "GET /TaxRates": 1,
        "GET /Contacts": 1,
    }
    assert sum(first.values()) == 34  # calls per 1,000 pay-run bills
    assert (
        payroll.request_generation(
            harness.factory,
            harness.workspace_id,
            harness.connection_id,
            "PR-big",
            datetime.now(UTC),
        )
        == "queued"
    )
    harness.sync()
    assert _calls(harness) == first  # generating again: not one call
    changed = _calls(harness)
    harness.push("pay_run", [_run("1600.00")])  # every employee's bill changes
    harness.sync()
    update = _calls(harness) - changed
    # each bill read before its update (what Xero holds decides), 50 a request, then sent
    assert dict(update) == {"GET /Invoices": 20, "POST /Invoices": 20}
    totals = Counter(str(Decimal(str(b["Total"]))) for b in bills(harness))
    assert totals == {"1300.00": EMPLOYEES, "299700.00": 1}  # by hand: 1600 - 300; 999 x 300
    all_done(harness)
