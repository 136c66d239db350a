"""Xero's line arithmetic, in Decimal.

Xero rounds each line on its own: the unit amount to 2 (or, with ``unitdp=4``, 4) places, the line
amount to cents, and the tax of each line to cents; document totals are sums of rounded lines, so
they can differ by cents from a tax computed on the total. That per-line rounding is the behaviour a
client has to agree with to the cent, so it lives here apart from the HTTP handlers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
LIMIT = Decimal("1000000000000")
AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")


class MoneyError(ValueError):
    """A line Xero refuses on its amounts; the message names the field."""


def round_to(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def cents(value: Decimal) -> Decimal:
    return round_to(value, 2)


def bounded(value: Decimal, field: str) -> Decimal:
    """Keep amounts inside what Xero stores; larger figures are refused, never overflowed."""
    if abs(value) >= LIMIT:
        raise MoneyError(f"{field} must be less than 1,000,000,000,000.")
    return value


def amount(value: Decimal, field: str) -> Decimal:
    """An amount a caller sent, in cents; MoneyError when Xero could not hold it."""
    return cents(bounded(value, field))


def rate_errors(value: Decimal, field: str = "CurrencyRate") -> list[str]:
    if not Decimal("0.000001") <= value < LIMIT:
        return [f"The {field} must be greater than zero and less than 1,000,000,000,000."]
    return []


@dataclass
class LineFigures:
    quantity: Decimal
    unit_amount: Decimal
    line_amount: Decimal
    tax_amount: Decimal
    discount: Decimal


def line_figures(
    *,
    quantity: Decimal | None,
    unit_amount: Decimal | None,
    line_amount: Decimal | None,
    discount_rate: Decimal | None,
    discount_amount: Decimal | None,
    tax_rate: Decimal,
    amount_types: str,
    tax_amount: Decimal | None = None,
    unitdp: int = 2,
) -> LineFigures:
    """Quantity, unit amount, line amount and tax for one line as Xero works them out.

    A caller may give LineAmount instead of Quantity or UnitAmount; Xero fills in the missing one.
    An explicit TaxAmount overrides the calculated tax, as the spec allows.
    """
    if discount_rate is not None and not Decimal(0) <= discount_rate <= HUNDRED:
        raise MoneyError("Discount rate must be between 0 and 100.")
    if discount_amount is not None and discount_amount < 0:
        raise MoneyError("Discount amount must not be negative.")
    qty = round_to(bounded(quantity, "Quantity"), 4) if quantity is not None else None
    unit = round_to(bounded(unit_amount, "UnitAmount"), unitdp) if unit_amount is not None else None
    given = cents(bounded(line_amount, "LineAmount")) if line_amount is not None else None
    if qty is None:
        qty = Decimal("1.0000") if (unit is not None or given is not None) else Decimal("0.0000")
    if unit is None:
        unit = _unit_from_line(given, qty, discount_rate, discount_amount, unitdp)
    gross = cents(bounded(qty * unit, "LineAmount"))
    amount = _discounted(qty * unit, gross, discount_rate, discount_amount)
    if given is not None and unit_amount is not None and given != amount:
        raise MoneyError(
            f"The LineAmount {given} does not match Quantity multiplied by UnitAmount "
            f"less any discount ({amount})."
        )
    if tax_amount is None:
        tax = line_tax(amount, tax_rate, amount_types)
    else:
        tax = cents(bounded(tax_amount, "TaxAmount"))
    if amount_types == "NoTax":
        tax = Decimal("0.00")
    return LineFigures(qty, unit, amount, tax, gross - amount)


def _unit_from_line(
    given: Decimal | None,
    qty: Decimal,
    discount_rate: Decimal | None,
    discount_amount: Decimal | None,
    unitdp: int,
) -> Decimal:
    if given is None or qty == 0:
        return round_to(Decimal(0), unitdp)
    before = given + (discount_amount or 0)
    if discount_rate:
        if discount_rate == HUNDRED:
            return round_to(Decimal(0), unitdp)
        before = before * HUNDRED / (HUNDRED - discount_rate)
    return round_to(before / qty, unitdp)


def _discounted(
    exact: Decimal, gross: Decimal, discount_rate: Decimal | None, discount_amount: Decimal | None
) -> Decimal:
    if discount_rate:
        return cents(exact * (HUNDRED - discount_rate) / HUNDRED)
    if discount_amount:
        if discount_amount > abs(gross):
            raise MoneyError("Discount must not be greater than the line total.")
        return gross - cents(discount_amount) if gross >= 0 else gross + cents(discount_amount)
    return gross


def line_tax(amount: Decimal, rate: Decimal, amount_types: str) -> Decimal:
    """Tax on one line, to the cent: Inclusive lines hold their tax inside the amount."""
    if amount_types == "NoTax" or rate == 0:
        return Decimal("0.00")
    if amount_types == "Inclusive":
        return cents(amount * rate / (HUNDRED + rate))
    return cents(amount * rate / HUNDRED)


@dataclass
class Totals:
    sub_total: Decimal
    total_tax: Decimal
    total: Decimal
    total_discount: Decimal


def document_totals(lines: list[LineFigures], amount_types: str) -> Totals:
    """Sums of the rounded lines; Inclusive lines already contain their tax."""
    amounts = sum((line.line_amount for line in lines), Decimal("0.00"))
    tax = sum((line.tax_amount for line in lines), Decimal("0.00"))
    discount = sum((line.discount for line in lines), Decimal("0.00"))
    if amount_types == "Inclusive":
        return Totals(amounts - tax, tax, amounts, discount)
    return Totals(amounts, tax, amounts + tax, discount)
