"""Replay steps for the profit and loss, the balance sheet, the bank summary and the aged
reports (run after the documents are made, so each has rows), each answered 200. The spec lists
no 400 for the reports and refuses a bad timeframe or a missing contactId itself, so the
refusals are tested over plain HTTP in test_reports.py and test_aged_reports.py instead."""

from __future__ import annotations

from typing import Any

from tests.sandbox.openapi_replay import Replay


def replay_reports(r: Replay, customer: Any, supplier: Any) -> None:
    month = {"fromDate": r.day(-30), "toDate": r.day()}
    r.call("profit and loss", "GET", "/Reports/ProfitAndLoss")
    r.call("profit and loss range", "GET", "/Reports/ProfitAndLoss", params=month)
    r.call(
        "profit and loss compared",
        "GET",
        "/Reports/ProfitAndLoss",
        params={**month, "periods": 2, "timeframe": "QUARTER", "standardLayout": "true"},
    )
    r.call("profit and loss cash", "GET", "/Reports/ProfitAndLoss", params={"paymentsOnly": "true"})
    r.call("balance sheet", "GET", "/Reports/BalanceSheet")
    r.call(
        "balance sheet compared",
        "GET",
        "/Reports/BalanceSheet",
        params={"date": r.day(), "periods": 3, "timeframe": "MONTH", "paymentsOnly": "false"},
    )
    r.call("bank summary", "GET", "/Reports/BankSummary")
    r.call("bank summary range", "GET", "/Reports/BankSummary", params=month)
    for name, contact in (
        ("AgedReceivablesByContact", customer),
        ("AgedPayablesByContact", supplier),
    ):
        if contact:
            r.call(name, "GET", f"/Reports/{name}", params={"contactId": contact})
            r.call(
                f"{name} dated",
                "GET",
                f"/Reports/{name}",
                params={"contactId": contact, "date": r.day(), "fromDate": r.day(-60)},
            )
