"""Local estimates of Xero's totals: worked examples, then many generated invoices."""

from __future__ import annotations

import random
from decimal import Decimal as D

import pytest

from ledgerlink.documents.money import (
    LineInput,
    cents,
    decimal_places,
    estimate_line,
    estimate_totals,
    line_tax,
    round_to,
    unitdp_for,
)
from tests.engine.documents.factories import random_invoice

GST = D(10)


def test_exclusive_invoice_worked_by_hand() -> None:
    totals = estimate_totals(
        [LineInput(D(2), D("150.00"), GST), LineInput(D(1), D("80.50"), GST)], "exclusive"
    )
    assert (totals.sub_total, totals.total_tax, totals.total) == (
        D("380.50"),
        D("38.05"),
        D("418.55"),
    )


def test_inclusive_tax_is_inside_the_amount() -> None:
    totals = estimate_totals([LineInput(D(1), D("100.00"), GST)], "inclusive")
    assert (totals.sub_total, totals.total_tax, totals.total) == (
        D("90.91"),
        D("9.09"),
        D("100.00"),
    )


def test_tax_is_rounded_per_line_not_on_the_total() -> None:
    lines = [LineInput(D(1), D("0.05"), GST)] * 3
    totals = estimate_totals(lines, "exclusive")
    assert totals.total_tax == D("0.03")  # 3 x round(0.005); on the total it would be 0.02
    assert totals.total == D("0.18")


def test_no_tax_lines_carry_no_tax() -> None:
    totals = estimate_totals([LineInput(D(3), D("9.99"), GST)], "no_tax")
    assert (totals.sub_total, totals.total_tax, totals.total) == (D("29.97"), D(0), D("29.97"))


def test_unit_amount_rounds_to_the_call_unitdp_half_away_from_zero() -> None:
    assert estimate_line(LineInput(D(1), D("1.005")), "exclusive", 2).unit_amount == D("1.01")
    assert estimate_line(LineInput(D(1), D("-1.005")), "exclusive", 2).unit_amount == D("-1.01")
    four = estimate_line(LineInput(D(3), D("1.23456")), "exclusive", 4)
    assert (four.unit_amount, four.line_amount) == (D("1.2346"), D("3.70"))


def test_discount_applies_before_the_line_is_rounded() -> None:
    line = estimate_line(LineInput(D(3), D("33.33"), GST, D("12.5")), "exclusive")
    assert (line.line_amount, line.tax_amount) == (D("87.49"), D("8.75"))
    assert estimate_line(LineInput(D(2), D(5), GST, D(100)), "exclusive").line_amount == D("0.00")


def test_helpers() -> None:
    assert cents(D("2.675")) == D("2.68")
    assert round_to(D("0.00005"), 4) == D("0.0001")
    assert line_tax(D("-10.05"), GST, "exclusive") == D("-1.01")
    assert [decimal_places(D(x)) for x in ("10", "10.50", "10.125", "1E+2")] == [0, 1, 3, 0]
    assert unitdp_for([D("1.50"), D("2.00")]) == 2
    assert unitdp_for([D("1.50"), D("2.125")]) == 4


@pytest.mark.parametrize("seed", range(5))
def test_generated_invoices_keep_xeros_invariants(seed: int) -> None:
    rng = random.Random(seed)
    rates = {"OUTPUT": D(10), "EXEMPTOUTPUT": D(0), "BASEXCLUDED": D(0)}
    for index in range(200):
        data = random_invoice(rng, index)
        lines = [
            LineInput(
                D(line["quantity"]),
                D(line["unit_amount"]),
                rates[line["tax_type"]],
                D(line["discount_rate"]) if "discount_rate" in line else None,
            )
            for line in data["lines"]
        ]
        unitdp = unitdp_for(line.unit_amount for line in lines)
        kind = data["amounts_are"]
        totals = estimate_totals(lines, kind, unitdp)
        assert all(x == cents(x) for x in (totals.sub_total, totals.total_tax, totals.total))
        if kind == "inclusive":
            assert totals.total == sum(e.line_amount for e in totals.lines)
        assert totals.total == totals.sub_total + totals.total_tax
        for line, est in zip(lines, totals.lines, strict=True):
            assert abs(est.unit_amount - line.unit_amount) <= D("0.5").scaleb(-unitdp)
            if kind == "no_tax":
                assert est.tax_amount == 0
            elif kind == "exclusive":
                assert abs(est.tax_amount - est.line_amount * line.tax_rate / 100) <= D("0.005")
