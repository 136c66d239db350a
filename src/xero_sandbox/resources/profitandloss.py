"""GET /Reports/ProfitAndLoss: what the revenue and expense accounts moved in a period, from
the journals.

Parameters: ``fromDate`` and ``toDate`` (the current month when absent, as Xero's reports
page says), ``periods`` (1 to 12 earlier periods to compare) stepped by ``timeframe`` (MONTH,
QUARTER, YEAR), ``paymentsOnly`` (the cash basis) and ``standardLayout`` (the sandbox has no
custom layouts, so both layouts are the standard one).

Xero's standard layout: Income, Less Cost of Sales, Gross Profit, Plus Other Income, Less
Operating Expenses, Net Profit; revenue shown credit-positive, costs debit-positive. Each
compared period has the length of the first (whole months stay whole months), moved back by
one timeframe each, in columns after the first.
# UNCONFIRMED: sections without accounts are left out (Gross Profit only with a Cost of Sales
# section); the first title "Profit & Loss" is the one an SDK thread quotes (calcinai/xero-php
# #214); column headers "31 Mar 26" for a whole month, "1 Jan 26-31 Mar 26" otherwise.
# Left out: the tracking filters (trackingCategoryID, trackingOptionID and their 2s).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.ledger import ZERO
from xero_sandbox.resources.report_common import (
    account_row,
    by_name,
    comparison,
    date_range,
    header,
    is_month_end,
    long_date,
    month_end,
    movement,
    on_its_side,
    reading,
    report,
    row,
    section,
    shift_months,
    short_date,
    summary,
)
from xero_sandbox.routing import ApiRoute

# Section title, total label and the account types it holds, in Xero's order. Gross Profit
# follows Cost of Sales.
INCOME = ("Income", "Total Income", ("REVENUE", "SALES"))
COST_OF_SALES = ("Less Cost of Sales", "Total Cost of Sales", ("DIRECTCOSTS",))
OTHER_INCOME = ("Plus Other Income", "Total Other Income", ("OTHERINCOME",))
OPERATING = ("Less Operating Expenses", "Total Operating Expenses", ("EXPENSE", "OVERHEADS"))
LAYOUT = (INCOME, COST_OF_SALES, OTHER_INCOME, OPERATING)
# Types Xero files under operating expenses though they are of neither list above.
# UNCONFIRMED: where depreciation shows in the standard layout.
OPERATING_TOO = ("DEPRECIATN",)


def periods_of(first: date, last: date, count: int, step: int) -> list[tuple[date, date]]:
    """The report's period and ``count`` earlier ones, each ``step`` months before the last."""
    whole_months = first.day == 1 and is_month_end(last)
    shown = []
    for back in range(count + 1):
        months = -back * step
        start = shift_months(first, months)
        end = shift_months(last, months, to_month_end=whole_months)
        shown.append((start, end))
    return shown


def column_header(first: date, last: date) -> str:
    if first.day == 1 and last == month_end(first):
        return short_date(last, 2)
    return f"{short_date(first, 2)}-{short_date(last, 2)}"


def section_of(account_type: str) -> tuple[str, str, tuple[str, ...]] | None:
    for layout in LAYOUT:
        if account_type in layout[2]:
            return layout
    return OPERATING if account_type in OPERATING_TOO else None


def profit_and_loss_rows(
    ctx: ApiContext, columns: list[dict[str, Decimal]]
) -> tuple[list[dict[str, Any]], list[Decimal]]:
    """The report's sections from each column's movements; and each column's net profit."""
    width = len(columns)
    totals: dict[str, list[Decimal]] = {}
    rows: dict[str, list[dict[str, Any]]] = {}
    accounts = [a for a in ctx.org.accounts.values() if a.get("Class") in ("REVENUE", "EXPENSE")]
    for account in by_name(accounts):
        layout = section_of(str(account.get("Type", "")))
        if layout is None:
            layout = INCOME if account.get("Class") == "REVENUE" else OPERATING
        account_id = account["AccountID"]
        values = [on_its_side(account, moved.get(account_id, ZERO)) for moved in columns]
        if all(v == ZERO for v in values):
            continue
        rows.setdefault(layout[0], []).append(
            account_row(str(account.get("Name", "")), account_id, values, [[]] * width)
        )
        sums = totals.setdefault(layout[0], [ZERO] * width)
        totals[layout[0]] = [s + v for s, v in zip(sums, values, strict=True)]

    def total(layout: tuple[str, str, tuple[str, ...]]) -> list[Decimal]:
        return totals.get(layout[0], [ZERO] * width)

    gross = [i - c for i, c in zip(total(INCOME), total(COST_OF_SALES), strict=True)]
    net = [g + o - e for g, o, e in zip(gross, total(OTHER_INCOME), total(OPERATING), strict=True)]
    shown: list[dict[str, Any]] = []
    for layout in LAYOUT:
        title, total_label, _ = layout
        if title in rows:
            shown.append(section(title, [*rows[title], summary(total_label, total(layout))]))
        if layout is COST_OF_SALES and title in rows:
            shown.append(section("", [row("Gross Profit", gross)]))
    shown.append(section("", [row("Net Profit", net)]))
    return shown, net


def get_profit_and_loss(ctx: ApiContext) -> Response:
    today = ctx.state.clock.today()
    first, last = date_range(ctx, today.replace(day=1), month_end(today))
    count, step = comparison(ctx)
    journals = reading(ctx)
    spans = periods_of(first, last, count, step)
    columns = [movement(journals, start, end) for start, end in spans]
    sections, _ = profit_and_loss_rows(ctx, columns)
    rows = [header("", *(column_header(s, e) for s, e in spans)), *sections]
    titles = ["Profit & Loss", ctx.org.name, f"{long_date(first)} to {long_date(last)}"]
    shown = report(ctx, "ProfitAndLoss", "Profit and Loss", titles, rows)
    return envelope(ctx, "Reports", [shown])


ROUTES: list[ApiRoute] = [ApiRoute("GET", "/Reports/ProfitAndLoss", get_profit_and_loss)]
