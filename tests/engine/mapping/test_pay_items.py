"""Pay-item types as rules, without a database: what a sign does, pay items matched whatever
their case and spacing, one line per (account, sign) with the descriptions joined, lines that
sum to nothing left out, a bill's source id stable and short, and the refusals (an unmapped
pay item named with its field, a bill below zero, a pay run's own shape)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ledgerlink.documents import ValidationFailed
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds import validate_document
from ledgerlink.mapping.pay_items import (
    EMPLOYEE,
    PayItemRule,
    PayItemType,
    bill_body,
    bill_source_id,
    plan_bills,
)


def _run(*items: tuple[str, str], count: int = 1, **changes: Any) -> Any:
    data: dict[str, Any] = {
        "source_id": "PR-1",
        "period_start": "2026-06-01",
        "period_end": "2026-06-30",
        "payment_date": "2026-06-30",
        "employees": [
            {
                "employee": {"key": f"e{n}", "name": f"Person {n}"},
                "items": [{"pay_item": name, "amount": amount} for name, amount in items],
            }
            for n in range(1, count + 1)
        ],
    }
    data.update(changes)
    return validate_document("pay_run", data)


EMPLOYEES = PayItemType(
    "Employees",
    EMPLOYEE,
    (
        PayItemRule("Salary", "477", "+", "Wages"),
        PayItemRule("Bonus", "477", "+", "Bonus pay"),
        PayItemRule("Tax", "825", "-"),
        PayItemRule("Refund", "825", "+"),
    ),
)
TAX = PayItemType("Tax", "Tax Office", (PayItemRule("tax", "825", "+"),))


def test_a_deduction_is_taken_off_the_employee_and_billed_to_its_payee() -> None:
    run = _run(("Salary", "1000.00"), ("Bonus", "50.25"), ("TAX ", "200.10"), count=2)
    [one, two, office] = plan_bills(run, [EMPLOYEES, TAX])
    lines = [(x.account_code, x.sign, x.amount, x.description) for x in one.lines]
    assert lines == [
        ("477", "+", Decimal("1050.25"), "Wages; Bonus pay"),
        ("825", "-", Decimal("-200.10"), "Tax"),
    ]
    assert one.total == Decimal("850.15") and two.total == Decimal("850.15")
    assert one.contact == {"key": "e1", "name": "Person 1"}
    assert office.contact == {"key": "payee:tax office", "name": "Tax Office"}
    assert [(x.account_code, x.amount) for x in office.lines] == [("825", Decimal("400.20"))]


def test_lines_are_per_account_and_sign_and_nothing_sums_to_nothing() -> None:
    run = _run(("Salary", "10.00"), ("Tax", "3.00"), ("Refund", "3.00"))
    [bill, office] = plan_bills(run, [EMPLOYEES, TAX])
    assert [(x.account_code, x.sign, x.amount) for x in bill.lines] == [
        ("477", "+", Decimal("10.00")),
        ("825", "+", Decimal("3.00")),
        ("825", "-", Decimal("-3.00")),
    ]
    zero = _run(("Salary", "0.00"), ("Tax", "0.00"))
    assert plan_bills(zero, [EMPLOYEES, TAX]) == []


def test_an_unmapped_pay_item_is_named_with_its_field() -> None:
    run = _run(("Salary", "10.00"), ("Meal allowance", "5.00"), ("Parking", "1.00"))
    with pytest.raises(LedgerlinkError) as refused:
        plan_bills(run, [EMPLOYEES, TAX])
    assert refused.value.code == "PAY_ITEM_UNMAPPED"
    assert refused.value.field == "employees[0].items[1].pay_item"
    assert "'Meal allowance', 'Parking'" in refused.value.message


def test_a_bill_below_zero_is_refused() -> None:
    with pytest.raises(LedgerlinkError) as refused:
        plan_bills(_run(("Salary", "10.00"), ("Tax", "10.01")), [EMPLOYEES, TAX])
    assert refused.value.code == "PAY_RUN_BILL_NEGATIVE"
    assert "Person 1" in refused.value.message and "-0.01" in refused.value.message


def test_a_bill_s_source_id_is_stable_short_and_its_body_an_expense() -> None:
    long_id = "PR/" + "x" * 197
    assert bill_source_id("PR-1", "employee:e1") == bill_source_id("PR-1", "employee:e1")
    assert bill_source_id("PR-1", "employee:e1") != bill_source_id("PR-1", "employee:e2")
    assert len(bill_source_id(long_id, "employee:e1")) <= 200
    assert bill_source_id(long_id, "a") != bill_source_id(long_id[:-1] + "y", "a")
    run = _run(("Salary", "10.00"), currency="NZD", reference="June")
    [bill] = plan_bills(run, [EMPLOYEES])
    body = bill_body(run, bill)
    expense = validate_document("expense", body)
    assert expense.currency == "NZD" and expense.reference == "June"
    assert expense.amounts_are == "no_tax" and expense.status == "approved"
    assert expense.date.isoformat() == "2026-06-30"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period_end": "2026-05-01"}, "period_end"),
        ({"employees": []}, "employees"),
    ],
)
def test_a_pay_run_s_shape_is_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _run(("Salary", "1.00"), **change)
    assert any(e.field == field for e in refused.value.errors), refused.value.errors


def test_cents_only_and_each_employee_once() -> None:
    with pytest.raises(ValidationFailed) as refused:
        _run(("Salary", "1.005"))
    assert refused.value.errors[0].field == "employees[0].items[0].amount"
    twice = {
        "employee": {"key": "e1", "name": "Person 1"},
        "items": [{"pay_item": "Salary", "amount": "1.00"}],
    }
    run = {
        "source_id": "PR-2",
        "period_start": "2026-06-01",
        "period_end": "2026-06-30",
        "payment_date": "2026-06-30",
        "employees": [twice, twice],
    }
    with pytest.raises(ValidationFailed) as again:
        validate_document("pay_run", run)
    assert again.value.errors[0].field == "employees"
