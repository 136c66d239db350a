"""The profit and loss, the balance sheet and the bank summary over HTTP: Xero's layout, their
parameters and refusals, computed from the same journals as the trial balance."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp
from tests.sandbox.replay_people import scoped_xero
from tests.sandbox.test_journals import document, pay

ZERO = D("0.00")
DIGITS = set("-.0123456789")


def get_report(xero: XeroHttp, name: str, **params: Any) -> dict[str, Any]:
    reply = xero.get(f"/Reports/{name}", params=params or None)
    assert reply.status == 200, reply.text
    [found] = reply.json["Reports"]
    assert found["ReportType"] == name
    shown: dict[str, Any] = found
    return shown


def lines(shown: dict[str, Any]) -> dict[str, list[D]]:
    """Every row's label -> its amounts (the cells that are amounts), across the sections."""
    found: dict[str, list[D]] = {}
    for section in shown["Rows"][1:]:
        assert section["RowType"] == "Section"
        for row in section["Rows"]:
            label, *cells = (c["Value"] for c in row["Cells"])
            found[label] = [D(v) for v in cells if v and set(v) <= DIGITS]
    return found


def titles(shown: dict[str, Any]) -> list[str]:
    return [s["Title"] for s in shown["Rows"][1:]]


def refusal(xero: XeroHttp, name: str, **params: Any) -> str:
    reply = xero.get(f"/Reports/{name}", params=params)
    assert reply.status == 400, reply.text
    assert reply.json["ErrorNumber"] == 10
    assert reply.json["Type"] == "ValidationException"
    message: str = reply.json["Message"]
    return message


def trading(xero: XeroHttp) -> None:
    """A sale, a purchase of stock for resale, an expense bill, paid in part, over two months."""
    sale = document(xero, InvoiceNumber="PL-1")
    document(xero, InvoiceNumber="PL-0", Date="2026-02-10", DueDate="2026-03-10")
    for code, amount in (("310", "30"), ("429", "20")):
        document(
            xero,
            Type="ACCPAY",
            Contact={"Name": "PL Supplier"},
            InvoiceNumber=f"PB-{code}",
            LineItems=[
                {"Description": "x", "Quantity": 1, "UnitAmount": amount, "AccountCode": code}
            ],
        )
    pay(xero, {"Invoice": {"InvoiceID": sale["InvoiceID"]}, "Amount": "55"})


def test_profit_and_loss_lays_out_income_costs_and_profit(xero: XeroHttp) -> None:
    trading(xero)
    shown = get_report(xero, "ProfitAndLoss", fromDate="2026-03-01", toDate="2026-03-31")
    assert shown["ReportName"] == "Profit and Loss"
    assert shown["ReportTitles"][0] == "Profit & Loss"
    assert shown["ReportTitles"][2] == "1 March 2026 to 31 March 2026"
    assert [c["Value"] for c in shown["Rows"][0]["Cells"]] == ["", "31 Mar 26"]
    assert titles(shown) == ["Income", "Less Cost of Sales", "", "Less Operating Expenses", ""]
    found = lines(shown)
    assert found["Sales"] == [D("100.00")]
    assert found["Total Income"] == [D("100.00")]
    assert found["Cost of Goods Sold"] == found["Total Cost of Sales"] == [D("30.00")]
    assert found["Gross Profit"] == [D("70.00")]
    assert found["General Expenses"] == found["Total Operating Expenses"] == [D("20.00")]
    assert found["Net Profit"] == [D("50.00")]
    sales = shown["Rows"][1]["Rows"][0]["Cells"]
    assert sales[1]["Attributes"][0]["Id"] == "account"


def test_profit_and_loss_compares_earlier_periods(xero: XeroHttp) -> None:
    trading(xero)
    shown = get_report(xero, "ProfitAndLoss", fromDate="2026-03-01", toDate="2026-03-31", periods=2)
    assert [c["Value"] for c in shown["Rows"][0]["Cells"]] == [
        "",
        "31 Mar 26",
        "28 Feb 26",
        "31 Jan 26",
    ]
    assert lines(shown)["Sales"] == [D("100.00"), D("100.00"), ZERO]
    yearly = get_report(
        xero, "ProfitAndLoss", fromDate="2026-01-01", toDate="2026-03-31", timeframe="YEAR"
    )
    assert lines(yearly)["Net Profit"] == [D("150.00")]
    cash = get_report(
        xero, "ProfitAndLoss", fromDate="2026-03-01", toDate="2026-03-31", paymentsOnly="true"
    )
    # Only the paid half of the March sale, net of its tax, on the cash basis.
    assert lines(cash)["Net Profit"] == [D("50.00")]
    assert titles(cash) == ["Income", ""]


def test_profit_and_loss_refuses_bad_parameters(xero: XeroHttp) -> None:
    assert refusal(xero, "ProfitAndLoss", timeframe="WEEK") == (
        "The supplied timeframe parameter must be one of the following: 'MONTH', 'QUARTER', 'YEAR'."
    )
    assert refusal(xero, "ProfitAndLoss", periods="13") == (
        "The periods parameter must be between 1 and 12."
    )
    assert refusal(xero, "ProfitAndLoss", periods="two") == (
        "The value 'two' is not valid for periods."
    )
    assert refusal(xero, "ProfitAndLoss", fromDate="someday") == (
        "The value 'someday' is not valid for fromDate."
    )
    assert refusal(xero, "ProfitAndLoss", fromDate="2026-04-01", toDate="2026-03-01") == (
        "The fromDate must be before the toDate."
    )


def test_balance_sheet_balances_with_current_year_earnings(xero: XeroHttp) -> None:
    trading(xero)
    shown = get_report(xero, "BalanceSheet", date="2026-03-31", periods=1)
    assert shown["ReportTitles"] == [
        "Balance Sheet",
        shown["ReportTitles"][1],
        "As at 31 March 2026",
    ]
    assert [c["Value"] for c in shown["Rows"][0]["Cells"]] == ["", "31 Mar 2026", "28 Feb 2026"]
    assert titles(shown)[:3] == ["Assets", "Bank", "Current Assets"]
    assert "Liabilities" in titles(shown) and titles(shown)[-1] == "Equity"
    found = lines(shown)
    assert found["Business Bank Account"] == [D("55.00"), ZERO]
    # 220 sold less 55 received; the bills owe 55 with their tax; GST 20 out less 5 in.
    assert found["Accounts Receivable"] == [D("165.00"), D("110.00")]
    assert found["Accounts Payable"] == [D("55.00"), ZERO]
    payable = next(
        r
        for s in shown["Rows"][1:]
        for r in s["Rows"]
        if r["Cells"][0]["Value"] == "Accounts Payable"
    )
    assert payable["Cells"][2]["Value"] == "0.00"  # not "-0.00"
    assert found["GST"] == [D("15.00"), D("10.00")]
    assert found["Total Assets"] == [D("220.00"), D("110.00")]
    assert found["Total Liabilities"] == [D("70.00"), D("10.00")]
    assert found["Net Assets"] == found["Total Equity"] == [D("150.00"), D("100.00")]
    assert found["Current Year Earnings"] == [D("150.00"), D("100.00")]
    earnings = next(
        r for r in shown["Rows"][-1]["Rows"] if r["Cells"][0]["Value"] == "Current Year Earnings"
    )
    assert {"Value": "7/1/2025", "Id": "fromDate"} in earnings["Cells"][1]["Attributes"]
    assert {"Value": "3/31/2026", "Id": "toDate"} in earnings["Cells"][1]["Attributes"]


def test_last_years_profit_moves_to_retained_earnings(xero: XeroHttp) -> None:
    # The demo organisation's financial year ends on 30 June.
    document(xero, InvoiceNumber="FY-1", Date="2026-06-15", DueDate="2026-07-15")
    shown = get_report(xero, "BalanceSheet", date="2026-07-31", periods=1, timeframe="MONTH")
    found = lines(shown)
    assert found["Retained Earnings"] == [D("100.00"), ZERO]
    assert found["Current Year Earnings"] == [ZERO, D("100.00")]
    assert found["Net Assets"] == found["Total Equity"] == [D("100.00"), D("100.00")]


def test_balance_sheet_refuses_bad_parameters(xero: XeroHttp) -> None:
    assert refusal(xero, "BalanceSheet", date="31/31/2026") == (
        "The value '31/31/2026' is not valid for date."
    )
    assert refusal(xero, "BalanceSheet", timeframe="DAY").startswith("The supplied timeframe")
    assert refusal(xero, "BalanceSheet", periods="0") == (
        "The periods parameter must be between 1 and 12."
    )


def test_bank_summary_opening_received_spent_closing(xero: XeroHttp) -> None:
    trading(xero)
    early = document(xero, InvoiceNumber="BS-0", Date="2026-02-01", DueDate="2026-02-20")
    pay(xero, {"Invoice": {"InvoiceID": early["InvoiceID"]}, "Amount": "40", "Date": "2026-02-05"})
    bills = [i for i in xero.get("/Invoices").json["Invoices"] if i["Type"] == "ACCPAY"]
    pay(xero, {"Invoice": {"InvoiceID": bills[0]["InvoiceID"]}, "Amount": "15"})
    shown = get_report(xero, "BankSummary", fromDate="2026-03-01", toDate="2026-03-31")
    assert shown["ReportTitles"][0] == "Bank Summary"
    assert shown["ReportTitles"][2] == "From 1 March 2026 to 31 March 2026"
    assert [c["Value"] for c in shown["Rows"][0]["Cells"]] == [
        "Bank Accounts",
        "Opening Balance",
        "Cash Received",
        "Cash Spent",
        "Closing Balance",
    ]
    found = lines(shown)
    assert found["Business Bank Account"] == [D("40.00"), D("55.00"), D("15.00"), D("80.00")]
    assert found["Total"][3] == sum((v[3] for k, v in found.items() if k != "Total"), ZERO)
    name_cell = shown["Rows"][1]["Rows"][0]["Cells"][0]
    assert name_cell["Attributes"][0]["Id"] == "accountID"
    assert refusal(xero, "BankSummary", toDate="never") == (
        "The value 'never' is not valid for toDate."
    )


def test_each_report_needs_its_reports_scope(sandbox: RunningSandbox) -> None:
    for granted, name, status in (
        ("accounting.transactions", "ProfitAndLoss", 401),
        ("accounting.reports.trialbalance.read", "BalanceSheet", 401),
        ("accounting.reports.balancesheet.read", "BalanceSheet", 200),
        ("accounting.reports.profitandloss.read", "ProfitAndLoss", 200),
        ("accounting.reports.banksummary.read", "BankSummary", 200),
        ("accounting.reports.read", "BankSummary", 200),
    ):
        client = scoped_xero(sandbox.url, DEMO_TENANT, granted)
        try:
            reply = client.get(f"/Reports/{name}")
            assert reply.status == status, (granted, name, reply.text)
            if status == 401:
                assert "insufficient_scope" in reply.headers.get("www-authenticate", "")
        finally:
            client.close()
