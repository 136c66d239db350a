"""Money in Decimal, and a local estimate of the totals Xero will compute.

Xero works line by line: the unit amount is rounded to 2 places (4 when the call says
``unitdp=4``), the quantity to 4, the line amount to cents, and the tax of each line to cents;
the document's totals are sums of those rounded lines, so they can differ by a cent or two from a
tax worked out on the total. Showing a total before sending is only useful if it is the figure
Xero will show, so this follows the same steps. Rounding is half away from zero (ROUND_HALF_UP in
``decimal``), as Xero rounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

AmountsAre = Literal["exclusive", "inclusive", "no_tax"]
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")

XERO_LINE_AMOUNT_TYPES: dict[str, str] = {
    "exclusive": "Exclusive",
    "inclusive": "Inclusive",
    "no_tax": "NoTax",
}


def round_to(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def cents(value: Decimal) -> Decimal:
    return round_to(value, 2)


def decimal_places(value: Decimal) -> int:
    """Significant decimal places: 10.50 has 1, 10.125 has 3, 10 has 0."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def unitdp_for(unit_amounts: Iterable[Decimal]) -> int:
    """4 when any unit amount needs more than 2 places, else 2 (Xero's default).

    A document must be written and read back with the same ``unitdp``, or Xero re-rounds its
    lines to 2 places.
    """
    return 4 if any(decimal_places(amount) > 2 for amount in unit_amounts) else 2


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_amount: Decimal
    tax_rate: Decimal = ZERO  # percent, e.g. 10 for GST
    discount_rate: Decimal | None = None


@dataclass(frozen=True)
class LineEstimate:
    quantity: Decimal
    unit_amount: Decimal
    line_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class Totals:
    sub_total: Decimal
    total_tax: Decimal
    total: Decimal
    lines: tuple[LineEstimate, ...]


def line_tax(line_amount: Decimal, rate: Decimal, amounts_are: AmountsAre) -> Decimal:
    """Tax on one line, to the cent; an inclusive amount already holds its tax."""
    if amounts_are == "no_tax" or rate == 0:
        return ZERO
    if amounts_are == "inclusive":
        return cents(line_amount * rate / (HUNDRED + rate))
    return cents(line_amount * rate / HUNDRED)


def estimate_line(line: LineInput, amounts_are: AmountsAre, unitdp: int = 2) -> LineEstimate:
    """One line as Xero works it out: round the inputs, then the amount, then the tax."""
    quantity = round_to(line.quantity, 4)
    unit = round_to(line.unit_amount, unitdp)
    exact = quantity * unit
    if line.discount_rate:
        exact = exact * (HUNDRED - line.discount_rate) / HUNDRED
    amount = cents(exact)
    return LineEstimate(quantity, unit, amount, line_tax(amount, line.tax_rate, amounts_are))


def estimate_totals(lines: Sequence[LineInput], amounts_are: AmountsAre, unitdp: int = 2) -> Totals:
    """Sub-total, tax and total as Xero will show them, to the cent."""
    estimates = tuple(estimate_line(line, amounts_are, unitdp) for line in lines)
    amounts = sum((e.line_amount for e in estimates), ZERO)
    tax = sum((e.tax_amount for e in estimates), ZERO)
    if amounts_are == "inclusive":
        return Totals(amounts - tax, tax, amounts, estimates)
    return Totals(amounts, tax, amounts + tax, estimates)
