"""A pay run: what a payroll app paid its employees for one period, pay item by pay item.

A pay run is not a Xero record of its own: the connection's pay-item types turn it into bills
(``ledgerlink.mapping.pay_items``), so its schema says what was paid to whom and in which
currency, and nothing about accounts. Amounts are to the cent, as a payslip shows them.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ledgerlink.documents.schemas import (
    AMOUNT_LIMIT,
    ContactRef,
    Currency,
    IsoDate,
    Model,
    SourceId,
    Url,
    field_rule,
)

MAX_EMPLOYEES = 2000
MAX_PAY_ITEMS = 200
CENT = Decimal("0.01")


class PayItemAmount(Model):
    """One pay item on one employee's payslip (a salary, a tax withheld, a pension share)."""

    pay_item: str = Field(
        min_length=1,
        max_length=100,
        description="The payroll's name of the pay item (e.g. 'Ordinary hours', 'PAYG "
        "withholding'); the connection's pay-item types map it to an account and a sign.",
    )
    amount: Decimal = Field(
        ge=0,
        lt=AMOUNT_LIMIT,
        description="The amount in the pay run's currency, to the cent, never negative: the "
        "pay-item type's sign says whether it adds to or takes from a bill.",
    )

    @model_validator(mode="after")
    def _cents(self) -> PayItemAmount:
        if self.amount != self.amount.quantize(CENT):
            raise field_rule("amount", f"({self.amount}) has more than 2 decimal places")
        return self


class PayRunEmployee(Model):
    """One employee's pay in the run."""

    employee: ContactRef = Field(
        description="The employee, by the payroll's key; their net pay is billed to them."
    )
    items: Annotated[
        list[PayItemAmount],
        Field(min_length=1, max_length=MAX_PAY_ITEMS, description="The employee's pay items."),
    ]


class PayRun(Model):
    """A pay run; the connection's pay-item types turn it into ACCPAY bills in Xero."""

    source_id: SourceId = Field(
        min_length=1,
        max_length=200,
        description="The payroll's id for this pay run; sending it again updates its bills.",
    )
    currency: Currency = Field(
        default=None,
        description="The payroll's currency (ISO 4217); absent means the organisation's base "
        "currency. Every bill of the run is in it.",
    )
    url: Url = Field(default=None, description="Link back to the pay run in the payroll app.")
    branch: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The payroll's branch; the run goes to the connection serving it.",
    )
    reference: str | None = Field(
        default=None,
        max_length=200,
        description="Shown as each bill's reference (absent: the source_id).",
    )
    period_start: IsoDate = Field(description="First day of the pay period, YYYY-MM-DD.")
    period_end: IsoDate = Field(description="Last day of the pay period, YYYY-MM-DD.")
    payment_date: IsoDate = Field(description="The day the run is paid: each bill's date.")
    status: Literal["draft", "approved", "voided"] = Field(
        default="approved",
        description="draft: its bills are Xero DRAFT; approved: SUBMITTED (Awaiting Approval), "
        "still editable; voided: every bill it generated is voided.",
    )
    employees: Annotated[
        list[PayRunEmployee],
        Field(min_length=1, max_length=MAX_EMPLOYEES, description="Who was paid what."),
    ]

    @model_validator(mode="after")
    def _rules(self) -> PayRun:
        if self.period_end < self.period_start:
            raise field_rule(
                "period_end",
                f"({self.period_end}) must be on or after period_start ({self.period_start})",
            )
        counts = Counter(e.employee.key for e in self.employees)
        repeated = sorted(k for k, n in counts.items() if n > 1)
        if repeated:
            raise field_rule(
                "employees",
                f"name employee {repeated[0]!r} more than once",
                fix="Send each employee once, with all their pay items.",
            )
        return self
