"""After a seeded year, the trial balance (computed by the sandbox from its journals) equals,
account by account, a ledger this test builds on its own from the documents a client reads:
invoices, bills, credit notes, payments, bank transactions, transfers and manual journals.

The test's ledger follows double entry as an accountant would, from the documents' own
figures (line amounts, tax, totals, payment amounts): it shares no code with the sandbox's
posters, so a poster that drops, doubles or misroutes an amount shows here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal as D
from typing import Any

import httpx2
import pytest

from tests.conftest import RunningSandbox, XeroHttp
from tests.sandbox.test_trialbalance import report, totals
from tests.sandbox.test_year import _every
from xero_sandbox import wire

SEED = 2026
ZERO = D("0.00")
POSTED = ("AUTHORISED", "PAID")
# Documents whose lines are credited (money earned or a purchase reversed), and the control
# account each kind's total goes to.
CREDITED = {"ACCREC", "ACCPAYCREDIT", "RECEIVE"}
CONTROL = {"ACCREC": "610", "ACCRECCREDIT": "610", "ACCPAY": "800", "ACCPAYCREDIT": "800"}
# Payments: which side the bank is on (+1 money in), and the control account.
PAYMENT = {
    "ACCRECPAYMENT": (1, "610"),
    "ARCREDITPAYMENT": (-1, "610"),
    "ACCPAYPAYMENT": (-1, "800"),
    "APCREDITPAYMENT": (1, "800"),
}


def _day(value: str) -> date:
    return wire.parse_date(value, "Date")


class Ledger:
    """Balances by account code, debits positive, split at the start of the financial year:
    profit and loss from earlier years belongs to retained earnings, as a trial balance shows."""

    def __init__(self, classes: dict[str, str], year_start: date, as_at: date) -> None:
        self.classes = classes
        self.year_start = year_start
        self.as_at = as_at
        self.balances: dict[str, D] = defaultdict(lambda: ZERO)

    def post(self, code: str, amount: D, on: date) -> None:
        if on > self.as_at:
            return
        if self.classes[code] in ("REVENUE", "EXPENSE") and on < self.year_start:
            code = "960"  # an earlier year's profit
        self.balances[code] += amount

    def lines(self, doc: dict[str, Any], kind: str, control: str, on: date) -> None:
        """A document's lines (net of tax) and tax one way, its total the other."""
        sign = D(-1) if kind in CREDITED else D(1)
        inclusive = doc["LineAmountTypes"] == "Inclusive"
        for line in doc["LineItems"]:
            tax = D(line.get("TaxAmount", 0))
            net = D(line["LineAmount"]) - (tax if inclusive else ZERO)
            self.post(line["AccountCode"], sign * net, on)
            self.post("820", sign * tax, on)
        self.post(control, -sign * D(doc["Total"]), on)


def _financial_year_start(organisation: dict[str, Any], as_at: date) -> date:
    day, month = organisation["FinancialYearEndDay"], organisation["FinancialYearEndMonth"]
    end = date(as_at.year, month, day)
    if end >= as_at:
        end = date(as_at.year - 1, month, day)
    return date.fromordinal(end.toordinal() + 1)


@pytest.fixture
def seeded(sandbox: RunningSandbox, xero: XeroHttp) -> XeroHttp:
    reply = httpx2.post(
        f"{sandbox.url}/_sandbox/orgs/demo/seed-year", json={"seed": SEED}, timeout=60
    )
    assert reply.status_code == 201, reply.text
    return xero


def test_the_trial_balance_after_a_seeded_year_equals_the_documents(seeded: XeroHttp) -> None:
    xero = seeded
    organisation = xero.get("/Organisation").json["Organisations"][0]
    today = _day(xero.get("/Reports/TrialBalance").json["Reports"][0]["UpdatedDateUTC"])
    accounts = xero.get("/Accounts").json["Accounts"]
    ledger = Ledger(
        {a["Code"]: a["Class"] for a in accounts if a.get("Code")},
        _financial_year_start(organisation, today),
        today,
    )
    codes = {a["AccountID"]: a["Code"] for a in accounts}

    for invoice in _every(xero, "/Invoices", "Invoices"):
        if invoice["Status"] in POSTED:
            kind = invoice["Type"]
            ledger.lines(invoice, kind, CONTROL[kind], _day(invoice["Date"]))
    for note in _every(xero, "/CreditNotes", "CreditNotes"):
        if note["Status"] in POSTED:
            ledger.lines(note, note["Type"], CONTROL[note["Type"]], _day(note["Date"]))
    for payment in _every(xero, "/Payments", "Payments"):
        if payment["Status"] == "AUTHORISED":
            side, control = PAYMENT[payment["PaymentType"]]
            bank = codes[payment["Account"]["AccountID"]]
            ledger.post(bank, side * D(payment["Amount"]), _day(payment["Date"]))
            ledger.post(control, -side * D(payment["Amount"]), _day(payment["Date"]))
    made = _every(xero, "/BankTransactions", "BankTransactions")
    for spent in made:
        if spent["Status"] == "AUTHORISED" and spent["Type"] in ("SPEND", "RECEIVE"):
            bank = codes[spent["BankAccount"]["AccountID"]]
            ledger.lines(spent, spent["Type"], bank, _day(spent["Date"]))
    transfers = xero.get("/BankTransfers").json["BankTransfers"]
    for transfer in transfers:
        on, amount = _day(transfer["Date"]), D(transfer["Amount"])
        ledger.post(codes[transfer["FromBankAccount"]["AccountID"]], -amount, on)
        ledger.post(codes[transfer["ToBankAccount"]["AccountID"]], amount, on)
    for journal in _every(xero, "/ManualJournals", "ManualJournals"):
        if journal["Status"] == "POSTED":
            for line in journal["JournalLines"]:
                ledger.post(line["AccountCode"], D(line["LineAmount"]), _day(journal["Date"]))

    # A year of every kind, or the comparison proves little.
    assert len(made) > 50 and transfers
    assert {code for code, amount in ledger.balances.items() if amount} >= {
        "090", "091", "200", "610", "800", "820", "960"
    }  # fmt: skip

    shown = report(xero, date=today.isoformat())
    debit, credit, ytd_debit, ytd_credit = totals(shown)
    assert ytd_debit == ytd_credit and ytd_debit > D("100000")
    trial: dict[str, D] = {}
    for section in shown["Rows"][1:-1]:
        for row in section["Rows"]:
            code = row["Cells"][0]["Value"].rsplit("(", 1)[1].rstrip(")")
            values = [D(c["Value"] or "0") for c in row["Cells"][1:]]
            trial[code] = values[2] - values[3]
    expected = {code: amount for code, amount in ledger.balances.items() if amount}
    assert {code: amount for code, amount in trial.items() if amount} == expected
