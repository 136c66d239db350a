"""GET /Reports/BalanceSheet: assets, liabilities and equity at a date, from the journals.

Parameters: ``date`` (the end of the current month when absent), ``periods`` (1 to 12 earlier
dates to compare) stepped by ``timeframe`` (MONTH, QUARTER, YEAR; a month-end date steps to
month-ends, as the columns of Xero's example do), ``paymentsOnly`` (the cash basis) and
``standardLayout`` (the sandbox has no custom layouts).

The layout follows Xero's example: an empty Assets section, then Bank, Current Assets, Fixed
Assets and Non-current Assets each with its total, Total Assets; an empty Liabilities section,
Current and Non-current Liabilities, Total Liabilities; Net Assets; Equity, whose first line is
Current Year Earnings (the profit since the financial year began, an account of id zero) and
whose Retained Earnings line adds the profit of the years before. Assets show debit-positive,
liabilities and equity credit-positive, so Net Assets (assets less liabilities) equals Total
Equity.
# UNCONFIRMED: sections without accounts are left out; a line that is zero in every column is
# left out; LIABILITY-type accounts show under Non-current Liabilities.
# Left out: the tracking filters (trackingOptionID1, trackingOptionID2).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.ledger import ZERO
from xero_sandbox.resources.report_common import (
    NO_ACCOUNT,
    account_row,
    by_name,
    comparison,
    date_param,
    header,
    is_month_end,
    long_date,
    month_end,
    movement,
    on_its_side,
    profit,
    reading,
    report,
    row,
    section,
    shift_months,
    short_date,
    summary,
    us_date,
    year_start,
)
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record

ASSETS = (
    ("Bank", "Total Bank", ("BANK",)),
    ("Current Assets", "Total Current Assets", ("CURRENT", "INVENTORY", "PREPAYMENT")),
    ("Fixed Assets", "Total Fixed Assets", ("FIXED",)),
    ("Non-current Assets", "Total Non-current Assets", ("NONCURRENT",)),
)
LIABILITIES = (
    ("Current Liabilities", "Total Current Liabilities", ("CURRLIAB", "PAYG")),
    ("Non-current Liabilities", "Total Non-current Liabilities", ("TERMLIAB", "LIABILITY")),
)
Column = tuple[date, date, dict[str, Decimal], dict[str, Decimal]]


def dates_of(as_at: date, count: int, step: int) -> list[date]:
    ends = is_month_end(as_at)
    return [shift_months(as_at, -back * step, to_month_end=ends) for back in range(count + 1)]


def _group(
    columns: list[Column],
    accounts: list[Record],
    layout: tuple[tuple[str, str, tuple[str, ...]], ...],
    fallback: tuple[str, str, tuple[str, ...]],
) -> tuple[list[dict[str, Any]], list[Decimal]]:
    """The sections of one side, and the side's total per column."""
    width = len(columns)
    side_total = [ZERO] * width
    shown: list[dict[str, Any]] = []
    for title, label, types in layout:
        held = [
            a
            for a in accounts
            if a.get("Type") in types
            or (title == fallback[0] and not any(a.get("Type") in t[2] for t in layout))
        ]
        rows, sums = [], [ZERO] * width
        for account in by_name(held):
            account_id = account["AccountID"]
            values = [on_its_side(account, whole.get(account_id, ZERO)) for *_, whole in columns]
            if all(v == ZERO for v in values):
                continue
            rows.append(account_row(str(account.get("Name", "")), account_id, values, [[]] * width))
            sums = [s + v for s, v in zip(sums, values, strict=True)]
        if rows:
            shown.append(section(title, [*rows, summary(label, sums)]))
            side_total = [t + s for t, s in zip(side_total, sums, strict=True)]
    return shown, side_total


def _equity(ctx: ApiContext, columns: list[Column]) -> tuple[list[dict[str, Any]], list[Decimal]]:
    accounts = ctx.org.accounts
    width = len(columns)
    earnings = [profit(accounts, year) for _, _, year, _ in columns]
    earlier = [profit(accounts, whole) - profit(accounts, year) for _, _, year, whole in columns]
    rows: list[dict[str, Any]] = []
    if any(e != ZERO for e in earnings):
        spans = [
            [{"Value": us_date(start), "Id": "fromDate"}, {"Value": us_date(at), "Id": "toDate"}]
            for at, start, _, _ in columns
        ]
        rows.append(account_row("Current Year Earnings", NO_ACCOUNT, earnings, spans))
    sums = list(earnings)
    held = [a for a in accounts.values() if a.get("Class") == "EQUITY"]
    for account in by_name(held):
        account_id = account["AccountID"]
        values = [on_its_side(account, whole.get(account_id, ZERO)) for *_, whole in columns]
        extra: list[list[dict[str, str]]] = [[]] * width
        if account.get("SystemAccount") == "RETAINEDEARNINGS":
            values = [v + e for v, e in zip(values, earlier, strict=True)]
            extra = [
                [{"Value": "", "Id": "fromDate"}, {"Value": us_date(at), "Id": "toDate"}]
                for at, *_ in columns
            ]
        if all(v == ZERO for v in values):
            continue
        rows.append(account_row(str(account.get("Name", "")), account_id, values, extra))
        sums = [s + v for s, v in zip(sums, values, strict=True)]
    return [section("Equity", [*rows, summary("Total Equity", sums)])], sums


def get_balance_sheet(ctx: ApiContext) -> Response:
    as_at = date_param(ctx, "date", month_end(ctx.state.clock.today()))
    count, step = comparison(ctx)
    journals = reading(ctx)
    columns: list[Column] = []
    for at in dates_of(as_at, count, step):
        start = year_start(ctx, at)
        columns.append((at, start, movement(journals, start, at), movement(journals, None, at)))
    accounts = list(ctx.org.accounts.values())
    assets, total_assets = _group(
        columns, [a for a in accounts if a.get("Class") == "ASSET"], ASSETS, ASSETS[1]
    )
    liabilities, total_liabilities = _group(
        columns,
        [a for a in accounts if a.get("Class") == "LIABILITY"],
        LIABILITIES,
        LIABILITIES[0],
    )
    equity, _ = _equity(ctx, columns)
    net = [a - b for a, b in zip(total_assets, total_liabilities, strict=True)]
    rows = [
        header("", *(short_date(at) for at, *_ in columns)),
        section("Assets", []),
        *assets,
        section("", [summary("Total Assets", total_assets)]),
        section("Liabilities", []),
        *liabilities,
        section("", [summary("Total Liabilities", total_liabilities)]),
        section("", [row("Net Assets", net)]),
        *equity,
    ]
    titles = ["Balance Sheet", ctx.org.name, f"As at {long_date(as_at)}"]
    shown = report(ctx, "BalanceSheet", "Balance Sheet", titles, rows)
    return envelope(ctx, "Reports", [shown])


ROUTES: list[ApiRoute] = [ApiRoute("GET", "/Reports/BalanceSheet", get_balance_sheet)]
