"""A pay run of 25 employees and 8 kinds of pay item becomes exactly the bills its pay-item
types say, cent for cent against the hand-written fixture; generating it again makes nothing
new; a changed run updates its bills (and voids the bill of a payee no longer in it); every
generation is recorded. The sandbox's bills are the judge."""

from __future__ import annotations

from datetime import UTC, datetime

from ledgerlink.sync import directions, payroll
from tests.engine.kinds.conftest import all_done, item_of
from tests.engine.payroll.bills import bills, by_contact, generations
from tests.engine.payroll.fixture import (
    FUND,
    INSURER,
    PAY_RUN,
    TAX_OFFICE,
    UNION,
    expected_bills,
    install_types,
    pay_run,
)
from tests.engine.sync.conftest import SyncHarness
from xero_sandbox.seed import DEMO_TENANT


def _generate_again(harness: SyncHarness) -> str:
    return payroll.request_generation(
        harness.factory, harness.workspace_id, harness.connection_id, PAY_RUN, datetime.now(UTC)
    )


def test_a_pay_run_becomes_exactly_the_bills_the_mapping_says(harness: SyncHarness) -> None:
    install_types(harness.factory, harness.workspace_id, harness.connection_id)
    harness.push("pay_run", [pay_run()])
    harness.sync()
    assert by_contact(harness) == expected_bills()
    assert len(bills(harness)) == 29
    assert {b["Status"] for b in bills(harness)} == {"SUBMITTED"}
    assert {b["CurrencyCode"] for b in bills(harness)} == {"AUD"}
    assert {b["LineAmountTypes"] for b in bills(harness)} == {"NoTax"}
    all_done(harness)
    [record] = generations(harness)
    assert record.outcome == "generated" and record.version == 1
    assert len(record.bills) == 29
    assert {b["outcome"] for b in record.bills} == {"created"}


def test_generating_again_creates_nothing_new(harness: SyncHarness) -> None:
    install_types(harness.factory, harness.workspace_id, harness.connection_id)
    harness.push("pay_run", [pay_run()])
    harness.sync()
    before = {b["InvoiceID"]: b["UpdatedDateUTC"] for b in bills(harness)}
    writes = len([r for r in harness.requests() if r["method"] in ("PUT", "POST")])
    assert _generate_again(harness) == "queued"
    harness.sync()
    assert {b["InvoiceID"]: b["UpdatedDateUTC"] for b in bills(harness)} == before
    assert len([r for r in harness.requests() if r["method"] in ("PUT", "POST")]) == writes
    assert harness.push("pay_run", [pay_run()])[0].outcome == "unchanged"
    records = generations(harness)
    assert [r.outcome for r in records] == ["generated", "unchanged"]
    assert {b["outcome"] for b in records[1].bills} == {"unchanged"}
    all_done(harness)


def test_a_changed_pay_run_updates_its_bills_and_voids_a_payee_no_longer_in_it(
    harness: SyncHarness,
) -> None:
    install_types(harness.factory, harness.workspace_id, harness.connection_id)
    harness.push("pay_run", [pay_run()])
    harness.sync()
    ids = {name: b for name, b in by_contact(harness).items()}
    first_ids = {b["InvoiceID"] for b in bills(harness)}
    changed = pay_run(employees=24)  # employee 25 left the run
    changed["employees"][0]["items"][0]["amount"] = "2113.37"  # employee 1: 100.00 more
    harness.push("pay_run", [changed])
    harness.sync()
    # by hand: employee 1's wages 2120.48, net 1718.15; employee 25's amounts leave the
    # payees' bills: PAYG 458.25, employer super 221.75, union 12.34, levy 10.05
    expected = expected_bills()
    del expected["Employee 25"]
    expected["Employee 01"] = ({"477": "2120.48", "825": "-402.33"}, "1718.15")
    expected[TAX_OFFICE] = ({"825": "10299.00"}, "10299.00")
    expected[FUND] = ({"478": "4941.00", "826": "600.06"}, "5541.06")
    expected[UNION] = ({"804": "49.36"}, "49.36")
    expected[INSURER] = ({"433": "241.20"}, "241.20")
    assert by_contact(harness) == expected
    assert {b["InvoiceID"] for b in bills(harness)} < first_ids  # updated, none new
    assert len(ids) == 29
    all_done(harness)
    records = generations(harness)
    assert [r.outcome for r in records] == ["generated", "generated"]
    outcomes = sorted(b["outcome"] for b in records[1].bills)
    assert outcomes.count("updated") == 6  # employee 1, 25 (voided) and four payees
    assert outcomes.count("unchanged") == 23


def test_a_voided_pay_run_voids_every_bill(harness: SyncHarness) -> None:
    install_types(harness.factory, harness.workspace_id, harness.connection_id)
    harness.push("pay_run", [pay_run(status="draft")])
    harness.sync()
    assert len(bills(harness)) == 29
    harness.push("pay_run", [pay_run(status="voided")])
    harness.sync()
    assert bills(harness) == []
    all_done(harness)
    assert [r.outcome for r in generations(harness)] == ["generated", "voided"]


def test_an_unmapped_pay_item_holds_the_run_until_it_is_mapped(harness: SyncHarness) -> None:
    install_types(
        harness.factory,
        harness.workspace_id,
        harness.connection_id,
        leave_out="Workers compensation",
    )
    harness.push("pay_run", [pay_run()])
    harness.sync()
    item = item_of(harness, "pay_run", PAY_RUN)
    assert item.state == "needs_attention"
    assert item.error_code == "PAY_ITEM_UNMAPPED"
    assert item.error_field == "employees[0].items[4].pay_item"
    assert "'Workers comp levy'" in item.error_message
    assert bills(harness) == []
    assert [r.outcome for r in generations(harness)] == ["held"]
    install_types(harness.factory, harness.workspace_id, harness.connection_id)
    harness.sync()
    assert by_contact(harness) == expected_bills()
    all_done(harness)


def test_a_bill_below_zero_holds_the_run(harness: SyncHarness) -> None:
    install_types(harness.factory, harness.workspace_id, harness.connection_id)
    small = pay_run(employees=1)
    small["employees"][0]["items"][0]["amount"] = "100.00"  # less than the PAYG withheld
    harness.push("pay_run", [small])
    harness.sync()
    item = item_of(harness, "pay_run", PAY_RUN)
    assert item.error_code == "PAY_RUN_BILL_NEGATIVE"
    assert "Employee 01" in item.error_message
    assert bills(harness) == []


def test_a_changed_pay_run_leaves_a_bill_xero_no_longer_allows_changing(
    harness: SyncHarness,
) -> None:
    install_types(harness.factory, harness.workspace_id, harness.connection_id)
    harness.push("pay_run", [pay_run()])
    harness.sync()
    org = harness.server.state.orgs[DEMO_TENANT]
    first = next(
        b
        for b in bills(harness)
        if org.contacts[b["Contact"]["ContactID"]]["Name"] == "Employee 01"
    )
    with harness.xero() as xero:  # approved and paid in Xero, as a bookkeeper does
        approved = xero.post(
            f"/Invoices/{first['InvoiceID']}", {"Invoices": [{"Status": "AUTHORISED"}]}
        )
        assert approved.status == 200, approved.text
        payment = {
            "Invoice": {"InvoiceID": first["InvoiceID"]},
            "Account": {"Code": "090"},
            "Date": "2026-03-31",
            "Amount": "1618.15",
        }
        paid = xero.put("/Payments", {"Payments": [payment]})
        assert paid.status == 200, paid.text
    changed = pay_run()
    changed["employees"][0]["items"][0]["amount"] = "2113.37"  # employee 1: 100.00 more
    changed["employees"][1]["items"][0]["amount"] = "2126.74"  # employee 2: 100.00 more
    harness.push("pay_run", [changed])
    harness.sync()
    found = by_contact(harness)
    # by hand: employee 2's ordinary hours 2026.74 + 100.00, no overtime (n even), PAYG
    # 404.66 withheld: net 1722.08
    assert found["Employee 02"] == ({"477": "2126.74", "825": "-404.66"}, "1722.08")
    assert found["Employee 01"] == ({"477": "2020.48", "825": "-402.33"}, "1618.15")  # as paid
    held = item_of(harness, "expense", next(r.bills for r in generations(harness))[0]["source_id"])
    assert held.state == "needs_attention", (held.state, held.error_code)
    assert held.error_code == "XERO_NOT_EDITABLE"
    assert "payment of 1618.15" in str(held.error_message)
    assert item_of(harness, "pay_run", PAY_RUN).state == "done"


def test_a_connection_that_does_not_send_pay_runs_holds_them_until_it_does(
    harness: SyncHarness,
) -> None:
    install_types(harness.factory, harness.workspace_id, harness.connection_id)
    directions.save_settings(
        harness.factory, harness.workspace_id, harness.connection_id, {"not_sent": ["pay_run"]}
    )
    harness.push("pay_run", [pay_run(employees=2)])
    harness.sync()
    assert item_of(harness, "pay_run", PAY_RUN).error_code == "KIND_NOT_SENT"
    assert bills(harness) == [] and generations(harness) == []
    directions.save_settings(
        harness.factory, harness.workspace_id, harness.connection_id, {"not_sent": []}
    )
    harness.sync()
    assert len(bills(harness)) == 5  # two employees, tax office, fund, insurer (no union fees)
    all_done(harness)
