"""What the reports share: their parameters, the financial year, the sums they take from the
journals, and the pieces of Xero's ``ReportWithRows`` shape (rows, cells, the report itself).

Amounts come from the journals (``journals.settle`` first, then ``on_basis`` for
``paymentsOnly``): a journal line's NetAmount is a debit when positive. A report shows an
account's balance "on its side": debit-positive for assets and expenses, credit-positive for
liabilities, equity and revenue.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from xero_sandbox import errors, wire
from xero_sandbox.context import ApiContext
from xero_sandbox.journals import on_basis, settle
from xero_sandbox.ledger import ZERO
from xero_sandbox.resources.organisation import organisation_record
from xero_sandbox.state import Record

PROFIT_AND_LOSS = ("REVENUE", "EXPENSE")
CREDIT_CLASSES = ("REVENUE", "LIABILITY", "EQUITY")
# Months a timeframe steps by when a report compares periods.
TIMEFRAMES = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}
# The id Xero gives the Current Year Earnings line, which is no account of the chart.
NO_ACCOUNT = "00000000-0000-0000-0000-000000000000"


# --- parameters ---------------------------------------------------------------------------


def date_param(ctx: ApiContext, name: str, default: date) -> date:
    """A date query parameter, ``default`` when absent."""
    raw = ctx.query.get(name)
    if not raw:
        return default
    try:
        return wire.parse_date(raw, name)
    except wire.PostDataInvalid as exc:
        # UNCONFIRMED: Xero's message for a report date it cannot read.
        raise errors.ApiException(f"The value '{raw}' is not valid for {name}.", number=10) from exc


def date_range(ctx: ApiContext, first: date, last: date) -> tuple[date, date]:
    """``fromDate`` and ``toDate``, defaulting to ``first`` and ``last``; in order."""
    start = date_param(ctx, "fromDate", first)
    end = date_param(ctx, "toDate", last)
    if start > end:
        # UNCONFIRMED: Xero's message for a fromDate after the toDate.
        raise errors.ApiException("The fromDate must be before the toDate.", number=10)
    return start, end


def comparison(ctx: ApiContext) -> tuple[int, int]:
    """``periods`` (how many earlier periods to show beside the first) and the months
    ``timeframe`` steps by (MONTH when absent)."""
    raw = ctx.query.get("timeframe")
    timeframe = (raw or "MONTH").strip().upper()
    if timeframe not in TIMEFRAMES:
        # Xero's message (XeroAPI/Xero-Java#118).
        raise errors.ApiException(
            "The supplied timeframe parameter must be one of the following: "
            "'MONTH', 'QUARTER', 'YEAR'.",
            number=10,
        )
    periods = ctx.query.integer("periods")
    if periods is None:
        periods = 0
    elif not 1 <= periods <= 12:
        # The spec: "The number of periods to compare (integer between 1 and 12)".
        # UNCONFIRMED: the words of Xero's message.
        raise errors.ApiException("The periods parameter must be between 1 and 12.", number=10)
    return periods, TIMEFRAMES[timeframe]


def reading(ctx: ApiContext) -> list[Record]:
    """The organisation's journals, settled, on the basis ``paymentsOnly`` asks for."""
    settle(ctx.state, ctx.org)
    return on_basis(ctx.org.journals, ctx.query.flag("paymentsOnly"))


# --- dates --------------------------------------------------------------------------------


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_month_end(day: date) -> bool:
    return day == month_end(day)


def shift_months(day: date, months: int, *, to_month_end: bool = False) -> date:
    """``day`` moved by ``months`` (back when negative), clipped to the month's length; the
    month's last day when ``to_month_end``."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, last if to_month_end else min(day.day, last))


def year_start(ctx: ApiContext, day: date) -> date:
    """The first day of the financial year ``day`` falls in."""
    shown = organisation_record(ctx)
    month, end_day = int(shown["FinancialYearEndMonth"]), int(shown["FinancialYearEndDay"])

    def year_end(year: int) -> date:
        return date(year, month, min(end_day, calendar.monthrange(year, month)[1]))

    end = year_end(day.year)
    if end < day:
        return end + timedelta(days=1)
    return year_end(day.year - 1) + timedelta(days=1)


def long_date(day: date) -> str:
    """``30 April 2019``, as Xero's titles write a date."""
    return f"{day.day} {day.strftime('%B %Y')}"


def short_date(day: date, year_digits: int = 4) -> str:
    """``30 Apr 2019`` (or ``30 Apr 19``), as Xero's column headers write one."""
    year = day.strftime("%Y" if year_digits == 4 else "%y")
    return f"{day.day} {day.strftime('%b')} {year}"


def us_date(day: date) -> str:
    """``4/30/2019``, as Xero's fromDate and toDate cell attributes write one."""
    return f"{day.month}/{day.day}/{day.year}"


def iso_midnight(day: date) -> str:
    """``2019-04-30T00:00:00``, as the aged reports' date cells write one."""
    return f"{day.isoformat()}T00:00:00"


# --- sums from the journals ---------------------------------------------------------------


def movement(journals: Iterable[Record], first: date | None, last: date) -> dict[str, Decimal]:
    """Per account: the NetAmounts of the journals dated from ``first`` (the beginning when
    None) to ``last``, both included."""
    moved: dict[str, Decimal] = {}
    for journal in journals:
        when = journal["JournalDate"]
        if when > last or (first is not None and when < first):
            continue
        for row in journal["JournalLines"]:
            account = row["AccountID"]
            moved[account] = moved.get(account, ZERO) + row["NetAmount"]
    return moved


def on_its_side(account: Record, amount: Decimal) -> Decimal:
    """A debit-positive amount as the report shows it for ``account``'s class."""
    return -amount if account.get("Class") in CREDIT_CLASSES else amount


def profit(accounts: dict[str, Record], moved: dict[str, Decimal]) -> Decimal:
    """The profit (credit-positive) the revenue and expense accounts show in ``moved``."""
    return -sum(
        (
            amount
            for account_id, amount in moved.items()
            if accounts.get(account_id, {}).get("Class") in PROFIT_AND_LOSS
        ),
        ZERO,
    )


def by_name(accounts: Iterable[Record]) -> list[Record]:
    return sorted(accounts, key=lambda a: str(a.get("Name", "")).lower())


# --- Xero's report rows -------------------------------------------------------------------


def money(value: Decimal) -> str:
    """Two decimals; a negative zero (a zero credit balance turned) shows as 0.00."""
    return f"{value if value != 0 else abs(value):.2f}"


def cell(value: str, attributes: list[dict[str, str]] | None = None) -> dict[str, Any]:
    shown: dict[str, Any] = {"Value": value}
    if attributes:
        shown["Attributes"] = attributes
    return shown


def header(*values: str) -> dict[str, Any]:
    return {"RowType": "Header", "Cells": [{"Value": v} for v in values]}


def section(title: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"RowType": "Section", "Title": title, "Rows": rows}


def row(label: str, values: Iterable[Decimal], kind: str = "Row") -> dict[str, Any]:
    """A row of a label and amounts, no attributes (totals, Gross Profit, Net Assets)."""
    return {"RowType": kind, "Cells": [{"Value": label}, *({"Value": money(v)} for v in values)]}


def summary(label: str, values: Iterable[Decimal]) -> dict[str, Any]:
    return row(label, values, "SummaryRow")


def account_row(
    label: str, account_id: str, values: Iterable[Decimal], extra: Iterable[list[dict[str, str]]]
) -> dict[str, Any]:
    """An account's row: every cell carries the account's id; ``extra`` adds, per amount,
    further attributes (the fromDate and toDate of an earnings line)."""
    mark = [{"Value": account_id, "Id": "account"}]
    cells = [cell(label, list(mark))]
    for value, more in zip(values, extra, strict=True):
        cells.append(cell(money(value), [*mark, *more]))
    return {"RowType": "Row", "Cells": cells}


def report(
    ctx: ApiContext,
    kind: str,
    name: str,
    titles: list[str],
    rows: list[dict[str, Any]],
    report_date: date | None = None,
) -> dict[str, Any]:
    """One report in Xero's shape; ReportDate is the day it is run unless told."""
    return {
        "ReportID": kind,
        "ReportName": name,
        "ReportType": kind,
        "ReportTitles": titles,
        "ReportDate": long_date(report_date or ctx.state.clock.today()),
        "UpdatedDateUTC": ctx.now,
        "Fields": [],
        "Rows": rows,
    }
