"""After a seeded year the reports agree with each other: the profit and loss's net profit is
what the trial balance's revenue and expense accounts moved this year, the balance sheet
balances and its bank, receivable and payable lines are the trial balance's, the bank summary
closes on the trial balance's bank balances and each customer's aged receivables total what
its invoices and credit notes leave due."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

import httpx2

from tests.conftest import RunningSandbox, XeroHttp
from tests.sandbox.test_reports import get_report, lines
from tests.sandbox.test_trialbalance import rows
from tests.sandbox.test_year import _every
from tests.sandbox.test_year_ledger import _day, _financial_year_start

ZERO = D("0.00")


def test_the_reports_agree_after_a_seeded_year(sandbox: RunningSandbox, xero: XeroHttp) -> None:
    """One seeded year (seeding takes a second), every check on it."""
    reply = httpx2.post(f"{sandbox.url}/_sandbox/orgs/demo/seed-year", json={"seed": 7}, timeout=60)
    assert reply.status_code == 201, reply.text
    found = books(xero)
    net_profit_is_what_the_trial_balance_moved_this_year(xero, found)
    the_balance_sheet_balances_and_matches_the_trial_balance(xero, found)
    the_bank_summary_closes_on_the_trial_balance(xero, found)
    aged_receivables_total_what_each_customer_owes(xero, found)


def books(xero: XeroHttp) -> dict[str, Any]:
    """Today, the year's start, the accounts by code and the trial balance at today."""
    today = _day(get_report(xero, "TrialBalance")["UpdatedDateUTC"])
    trial = get_report(xero, "TrialBalance", date=today.isoformat())
    organisation = xero.get("/Organisation").json["Organisations"][0]
    accounts = {a["Code"]: a for a in xero.get("/Accounts").json["Accounts"] if a.get("Code")}
    return {
        "today": today,
        "start": _financial_year_start(organisation, today),
        "accounts": accounts,
        "trial": {code: ytd for code, (_, ytd) in rows(trial).items()},
    }


def net_profit_is_what_the_trial_balance_moved_this_year(
    xero: XeroHttp, books: dict[str, Any]
) -> None:
    today, start = books["today"], books["start"]
    shown = get_report(xero, "ProfitAndLoss", fromDate=start.isoformat(), toDate=today.isoformat())
    profit_and_loss = [
        c for c, a in books["accounts"].items() if a["Class"] in ("REVENUE", "EXPENSE")
    ]
    moved = sum((books["trial"].get(code, ZERO) for code in profit_and_loss), ZERO)
    [net] = lines(shown)["Net Profit"]
    assert net == -moved and net != ZERO
    found = lines(shown)
    assert (
        found["Total Income"][0] - found.get("Total Cost of Sales", [ZERO])[0]
        == found.get("Gross Profit", found["Total Income"])[0]
    )


def the_balance_sheet_balances_and_matches_the_trial_balance(
    xero: XeroHttp, books: dict[str, Any]
) -> None:
    shown = get_report(xero, "BalanceSheet", date=books["today"].isoformat(), periods=3)
    found = lines(shown)
    assets, liabilities = found["Total Assets"], found["Total Liabilities"]
    assert [a - b for a, b in zip(assets, liabilities, strict=True)] == found["Net Assets"]
    assert found["Net Assets"] == found["Total Equity"]
    trial, accounts = books["trial"], books["accounts"]
    for code, sign in (("090", 1), ("091", 1), ("610", 1), ("800", -1), ("820", -1)):
        assert found[accounts[code]["Name"]][0] == sign * trial[code], code
    # Current year earnings are the year's net profit.
    net = get_report(
        xero,
        "ProfitAndLoss",
        fromDate=books["start"].isoformat(),
        toDate=books["today"].isoformat(),
    )
    assert found["Current Year Earnings"][0] == lines(net)["Net Profit"][0]


def the_bank_summary_closes_on_the_trial_balance(xero: XeroHttp, books: dict[str, Any]) -> None:
    start, today = books["start"], books["today"]
    shown = get_report(xero, "BankSummary", fromDate=start.isoformat(), toDate=today.isoformat())
    found = lines(shown)
    before = get_report(xero, "TrialBalance", date=(start - timedelta(days=1)).isoformat())
    opening = {code: ytd for code, (_, ytd) in rows(before).items()}
    for code in ("090", "091"):
        name = books["accounts"][code]["Name"]
        first, received, spent, closing = found[name]
        assert first == opening.get(code, ZERO)
        assert closing == first + received - spent == books["trial"][code]
        assert received > 0 and (spent > 0 or code != "090")


def aged_receivables_total_what_each_customer_owes(xero: XeroHttp, books: dict[str, Any]) -> None:
    today: date = books["today"]
    sales = [i for i in _every(xero, "/Invoices", "Invoices") if i["Type"] == "ACCREC"]
    owing: dict[str, D] = {}
    for invoice in sales:
        if invoice["Status"] == "AUTHORISED":
            contact = invoice["Contact"]["ContactID"]
            owing[contact] = owing.get(contact, ZERO) + invoice["AmountDue"]
    for note in _every(xero, "/CreditNotes", "CreditNotes"):
        if note["Type"] == "ACCRECCREDIT" and note["Status"] == "AUTHORISED":
            contact = note["Contact"]["ContactID"]
            owing[contact] = owing.get(contact, ZERO) - note["RemainingCredit"]
    assert len(owing) >= 2
    for contact, due in sorted(owing.items())[:3]:
        shown = get_report(
            xero, "AgedReceivablesByContact", contactId=contact, date=today.isoformat()
        )
        assert lines(shown)["Closing Balance"][3] == due, contact
