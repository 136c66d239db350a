"""Xero's per-line arithmetic with figures worked out by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from xero_sandbox.resources.money import (
    LineFigures,
    MoneyError,
    document_totals,
    line_figures,
    line_tax,
)


def figures(
    quantity: str | None = "1",
    unit: str | None = None,
    *,
    line: str | None = None,
    rate: str = "10",
    types: str = "Exclusive",
    dr: str | None = None,
    da: str | None = None,
    unitdp: int = 2,
    tax: str | None = None,
) -> LineFigures:
    return line_figures(
        quantity=D(quantity) if quantity is not None else None,
        unit_amount=D(unit) if unit is not None else None,
        line_amount=D(line) if line is not None else None,
        discount_rate=D(dr) if dr is not None else None,
        discount_amount=D(da) if da is not None else None,
        tax_rate=D(rate),
        amount_types=types,
        tax_amount=D(tax) if tax is not None else None,
        unitdp=unitdp,
    )


def test_exclusive_line_rounds_tax_to_the_cent() -> None:
    line = figures("3", "19.99")
    assert (line.line_amount, line.tax_amount) == (D("59.97"), D("6.00"))  # 5.997


def test_half_cent_rounds_up_not_to_even() -> None:
    assert line_tax(D("0.05"), D("10"), "Exclusive") == D("0.01")  # 0.005
    assert line_tax(D("0.25"), D("10"), "Exclusive") == D("0.03")  # 0.025


def test_inclusive_tax_is_taken_out_of_the_amount() -> None:
    line = figures("1", "19.99", types="Inclusive")
    assert line.tax_amount == D("1.82")  # 19.99 * 10 / 110 = 1.8172...
    totals = document_totals([line], "Inclusive")
    assert (totals.sub_total, totals.total_tax, totals.total) == (D("18.17"), D("1.82"), D("19.99"))


def test_inclusive_uk_rate() -> None:
    assert line_tax(D("10.03"), D("20"), "Inclusive") == D("1.67")  # 1.6716...
    assert line_tax(D("100.00"), D("20"), "Inclusive") == D("16.67")  # 16.666...


def test_unit_amount_rounds_to_unitdp() -> None:
    two = figures("3", "1.23456")
    assert (two.unit_amount, two.line_amount) == (D("1.23"), D("3.69"))
    four = figures("3", "1.23456", unitdp=4)
    assert (four.unit_amount, four.line_amount) == (D("1.2346"), D("3.70"))  # 3.7038


def test_per_line_rounding_differs_from_rounding_the_total() -> None:
    lines = [figures("1", "0.05") for _ in range(10)]
    totals = document_totals(lines, "Exclusive")
    # each line's tax 0.005 rounds to 0.01; tax on the 0.50 total would be 0.05
    assert (totals.sub_total, totals.total_tax, totals.total) == (D("0.50"), D("0.10"), D("0.60"))


def test_discount_rate_applies_before_rounding() -> None:
    line = figures("2", "49.95", dr="15")
    assert line.line_amount == D("84.92")  # 99.90 * 0.85 = 84.915
    assert line.tax_amount == D("8.49")  # 8.492
    assert line.discount == D("14.98")


def test_discount_amount_and_its_limit() -> None:
    line = figures("2", "10", da="5")
    assert line.line_amount == D("15.00")
    with pytest.raises(MoneyError, match="Discount must not be greater than the line total"):
        figures("2", "10", da="20.01")
    with pytest.raises(MoneyError, match="between 0 and 100"):
        figures("1", "10", dr="101")


def test_line_amount_alone_fills_in_the_unit_amount() -> None:
    line = figures("4", None, line="100")
    assert (line.unit_amount, line.line_amount, line.tax_amount) == (
        D("25.00"),
        D("100.00"),
        D("10.00"),
    )
    only = figures(None, None, line="12.50")
    assert (only.quantity, only.unit_amount) == (D("1"), D("12.50"))


def test_line_amount_that_disagrees_is_refused() -> None:
    with pytest.raises(MoneyError, match="does not match"):
        figures("2", "10", line="25")


def test_fractional_and_negative_quantities() -> None:
    assert figures("2.5", "10.01").line_amount == D("25.03")  # 25.025
    negative = figures("-1", "10")
    assert (negative.line_amount, negative.tax_amount) == (D("-10.00"), D("-1.00"))


def test_no_tax_and_tax_override() -> None:
    assert figures("1", "100", types="NoTax").tax_amount == D("0.00")
    assert figures("1", "100", tax="9.99").tax_amount == D("9.99")


def test_huge_values_are_refused_not_overflowed() -> None:
    with pytest.raises(MoneyError, match="UnitAmount"):
        figures("1", "1e30")
    with pytest.raises(MoneyError, match="LineAmount"):
        figures("999999999", "999999")


def test_mixed_document_totals() -> None:
    lines = [figures("1", "33.33"), figures("3", "0.99"), figures("1", "100", rate="0")]
    totals = document_totals(lines, "Exclusive")
    # taxes 3.333->3.33, 0.297->0.30, 0
    assert (totals.sub_total, totals.total_tax, totals.total) == (
        D("136.30"),
        D("3.63"),
        D("139.93"),
    )
