"""GET /Reports/TrialBalance: every account's balance at a date, computed from the journals.

Xero's columns: Debit and Credit are the account's movement in the month of the report date
(from the 1st to the date); YTD Debit and YTD Credit are its balance at the date, counted from
the start of the financial year for revenue and expense accounts and from the beginning for
the others, with the profit of earlier years in Retained Earnings (whose row says up to which
date, as Xero's example does). Accounts are grouped by class into Revenue, Expenses, Assets,
Liabilities and Equity sections, by name within each; the last section holds the Total row.
Both columns pairs balance, since every journal does.
# UNCONFIRMED: empty sections are left out, and a month without movement shows 0.00 on the
# side of the account's year-to-date balance (as the rows of Xero's example do).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.ledger import ZERO
from xero_sandbox.resources.report_common import (
    PROFIT_AND_LOSS,
    by_name,
    date_param,
    header,
    long_date,
    money,
    reading,
    report,
    section,
    summary,
    us_date,
    year_start,
)
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record

SECTIONS = (
    ("REVENUE", "Revenue"),
    ("EXPENSE", "Expenses"),
    ("ASSET", "Assets"),
    ("LIABILITY", "Liabilities"),
    ("EQUITY", "Equity"),
)


def _sides(amount: Decimal, lean: Decimal) -> tuple[str, str]:
    """Debit and credit cells: the amount on its side; zero on the side ``lean`` is on."""
    if amount > 0 or (amount == 0 and lean >= 0):
        return money(amount), ""
    return "", money(-amount)


def balances(
    journals: list[Record], as_at: date, month_start: date, fy_start: date
) -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, Decimal]]:
    """Per account: the month's movement, the movement since the year began, the balance."""
    month: dict[str, Decimal] = {}
    year: dict[str, Decimal] = {}
    whole: dict[str, Decimal] = {}
    for journal in journals:
        when = journal["JournalDate"]
        if when > as_at:
            continue
        for row in journal["JournalLines"]:
            account, net = row["AccountID"], row["NetAmount"]
            whole[account] = whole.get(account, ZERO) + net
            if when >= fy_start:
                year[account] = year.get(account, ZERO) + net
            if when >= month_start:
                month[account] = month.get(account, ZERO) + net
    return month, year, whole


def get_trial_balance(ctx: ApiContext) -> Response:
    org = ctx.org
    journals = reading(ctx)
    when = date_param(ctx, "date", ctx.state.clock.today())
    fy_start = year_start(ctx, when)
    month, year, whole = balances(journals, when, when.replace(day=1), fy_start)
    retained = next(
        (a for a in org.accounts.values() if a.get("SystemAccount") == "RETAINEDEARNINGS"), None
    )
    earlier_profit = sum(
        (
            whole[a] - year.get(a, ZERO)
            for a, account in org.accounts.items()
            if a in whole and account.get("Class") in PROFIT_AND_LOSS
        ),
        ZERO,
    )
    totals = [ZERO, ZERO, ZERO, ZERO]
    sections: list[dict[str, Any]] = []
    for klass, title in SECTIONS:
        rows = []
        for account in by_name(a for a in org.accounts.values() if a.get("Class") == klass):
            account_id = account["AccountID"]
            moved = month.get(account_id, ZERO)
            ytd = year.get(account_id, ZERO) if klass in PROFIT_AND_LOSS else whole.get(account_id)
            ytd = ytd or ZERO
            is_retained = retained is not None and account_id == retained["AccountID"]
            if is_retained:
                ytd += earlier_profit
            if moved == ZERO and ytd == ZERO:
                continue
            cells = [*_sides(moved, ytd), *_sides(ytd, ytd)]
            for index, value in enumerate(cells):
                totals[index] += Decimal(value) if value else ZERO
            rows.append(_row(account, cells, fy_start if is_retained else None))
        if rows:
            sections.append(section(title, rows))
    rows_shown = [
        header("Account", "Debit", "Credit", "YTD Debit", "YTD Credit"),
        *sections,
        section("", [summary("Total", totals)]),
    ]
    titles = ["Trial Balance", org.name, f"As at {long_date(when)}"]
    shown = report(ctx, "TrialBalance", "Trial Balance", titles, rows_shown, when)
    return envelope(ctx, "Reports", [shown])


def _row(account: Record, values: list[str], fy_start: date | None) -> dict[str, Any]:
    name = str(account.get("Name", ""))
    label = f"{name} ({account['Code']})" if account.get("Code") else name
    attributes = [{"Value": account["AccountID"], "Id": "account"}]
    if fy_start is not None:
        # Retained Earnings: the earlier years' profit up to the end of the last year.
        before = fy_start - timedelta(days=1)
        attributes += [
            {"Value": "", "Id": "fromDate"},
            {"Value": us_date(before), "Id": "toDate"},
        ]
    cells = [{"Value": label, "Attributes": attributes}]
    cells += [{"Value": value, "Attributes": list(attributes)} for value in values]
    return {"RowType": "Row", "Cells": cells}


ROUTES: list[ApiRoute] = [ApiRoute("GET", "/Reports/TrialBalance", get_trial_balance)]
