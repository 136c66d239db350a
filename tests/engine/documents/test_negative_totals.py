"""A document whose lines add up to less than zero is refused at intake: Xero refuses a
negative invoice or bill, and the way to send money back is a credit note. Zero stays allowed
(Xero takes a zero-total invoice)."""

from __future__ import annotations

from typing import Any

import pytest

from ledgerlink.documents import ValidationFailed
from ledgerlink.kinds import validate_document
from tests.engine.documents.factories import expense_data, invoice_data


def lines(*amounts: str, **extra: Any) -> list[dict[str, Any]]:
    return [{"description": f"line {n}", "unit_amount": a, **extra} for n, a in enumerate(amounts)]


def refusal(kind: str, data: dict[str, Any]) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        validate_document(kind, data)
    return caught.value


@pytest.mark.parametrize(
    ("kind", "data", "total"),
    [
        ("invoice", invoice_data(lines=lines("-50")), "-50.00"),
        ("invoice", invoice_data(lines=lines("100", "-150.25")), "-50.25"),
        ("invoice", invoice_data(amounts_are="inclusive", lines=lines("-10")), "-10.00"),
        ("invoice", invoice_data(amounts_are="no_tax", lines=lines("5", "-5.01")), "-0.01"),
        ("expense", expense_data(lines=lines("-4.95")), "-4.95"),
        ("expense", expense_data(status="draft", lines=lines("1", "-2")), "-1.00"),
    ],
)
def test_negative_total_is_refused_with_the_credit_note_fix(
    kind: str, data: dict[str, Any], total: str
) -> None:
    error = refusal(kind, data)
    assert error.code == "VALIDATION_FAILED" and error.field == "lines"
    assert len(error.errors) == 1
    assert total in error.message and "negative" in error.message
    assert "credit note" in error.fix
    assert error.errors[0].fix == error.fix


@pytest.mark.parametrize(
    "data",
    [
        invoice_data(lines=lines("0")),
        invoice_data(lines=lines("100", "-100")),
        invoice_data(lines=lines("100", "-30")),
        invoice_data(lines=lines("-0.004")),  # rounds to 0.00, as Xero rounds it
        invoice_data(status="voided", lines=lines("-50")),  # nothing is created in Xero
    ],
)
def test_zero_and_positive_totals_stay_allowed(data: dict[str, Any]) -> None:
    validate_document("invoice", data)


def test_the_dates_are_judged_before_the_total() -> None:
    data = invoice_data(due_date="2020-01-01", lines=lines("-50"))
    assert [e.field for e in refusal("invoice", data).errors] == ["due_date"]
