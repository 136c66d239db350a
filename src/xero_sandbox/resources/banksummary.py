"""GET /Reports/BankSummary: each bank account's opening balance, cash received, cash spent and
closing balance over ``fromDate`` to ``toDate`` (the current month when absent), from the
journals, in the organisation's base currency.

Cash received is what the journals in the range debit the bank account (each journal counted on
its own: a payment, a bank transaction, one side of a transfer), cash spent what they credit;
the closing balance is the opening one plus received less spent, which is the account's balance
at ``toDate`` (the trial balance's). The layout is Xero's example: a row per bank account,
whose name cell carries its ``accountID`` and whose two cash cells its ``account``; a Total row.
# UNCONFIRMED: every bank account is listed, also one without a balance or movement; accounts
# in name order; the range's dates defaulting to the current month.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from starlette.responses import Response

from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.ledger import ZERO
from xero_sandbox.resources.report_common import (
    by_name,
    cell,
    date_range,
    header,
    long_date,
    money,
    month_end,
    movement,
    reading,
    report,
    section,
    summary,
)
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record

COLUMNS = ("Bank Accounts", "Opening Balance", "Cash Received", "Cash Spent", "Closing Balance")


def cash_flows(
    journals: list[Record], banks: set[str], first: date, last: date
) -> dict[str, list[Decimal]]:
    """Per bank account: [received, spent] from the journals dated ``first`` to ``last``."""
    flows: dict[str, list[Decimal]] = {account: [ZERO, ZERO] for account in banks}
    for journal in journals:
        if not first <= journal["JournalDate"] <= last:
            continue
        nets: dict[str, Decimal] = {}
        for line in journal["JournalLines"]:
            if line["AccountID"] in banks:
                nets[line["AccountID"]] = nets.get(line["AccountID"], ZERO) + line["NetAmount"]
        for account, net in nets.items():
            if net > 0:
                flows[account][0] += net
            else:
                flows[account][1] -= net
    return flows


def get_bank_summary(ctx: ApiContext) -> Response:
    today = ctx.state.clock.today()
    first, last = date_range(ctx, today.replace(day=1), month_end(today))
    journals = reading(ctx)
    banks = by_name(a for a in ctx.org.accounts.values() if a.get("Type") == "BANK")
    opening = movement(journals, None, first - timedelta(days=1))
    flows = cash_flows(journals, {a["AccountID"] for a in banks}, first, last)
    rows = []
    totals = [ZERO] * 4
    for account in banks:
        account_id = account["AccountID"]
        received, spent = flows[account_id]
        start = opening.get(account_id, ZERO)
        values = [start, received, spent, start + received - spent]
        totals = [t + v for t, v in zip(totals, values, strict=True)]
        mark = [{"Value": account_id, "Id": "account"}]
        rows.append(
            {
                "RowType": "Row",
                "Cells": [
                    cell(str(account.get("Name", "")), [{"Value": account_id, "Id": "accountID"}]),
                    cell(money(values[0])),
                    cell(money(received), list(mark)),
                    cell(money(spent), list(mark)),
                    cell(money(values[3])),
                ],
            }
        )
    shown_rows = [
        header(*COLUMNS),
        section("", [*rows, summary("Total", totals)]),
    ]
    titles = ["Bank Summary", ctx.org.name, f"From {long_date(first)} to {long_date(last)}"]
    shown = report(ctx, "BankSummary", "Bank Summary", titles, shown_rows)
    return envelope(ctx, "Reports", [shown])


ROUTES: list[ApiRoute] = [ApiRoute("GET", "/Reports/BankSummary", get_bank_summary)]
