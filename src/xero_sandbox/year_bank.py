"""The seeded year's manual journals and, where the sandbox serves them, its bank activity.

Every month end posts depreciation of the equipment bought at the start of the year and the
month's payroll (wages, PAYG withheld, superannuation). Bank transactions pay the net wages and,
quarterly, the PAYG and super owed; they also carry bank fees, interest on the savings account,
card spending and cash sales, with a transfer to savings now and then. Bank transactions and
transfers are made only if this sandbox has their endpoints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from xero_sandbox import year_data as data
from xero_sandbox.state import Record
from xero_sandbox.year import Seeder, month_end, month_starts
from xero_sandbox.year_docs import CENT, Parties

MONTHLY_GROSS = Decimal("22000.00")
PAYG_RATE = Decimal("0.22")
SUPER_RATE = Decimal("0.12")
PAYROLL_CODES = {"477": "EXPENSE", "478": "EXPENSE", "804": "LIABILITY", "825": "LIABILITY"}
PAYROLL_CODES["826"] = "LIABILITY"


@dataclass(frozen=True)
class PayMonth:
    """One month's payroll as journalled: paid out (net), withheld (PAYG) and super owed."""

    day: date
    net: Decimal
    payg: Decimal
    super_: Decimal


def _exact(seeder: Seeder, code: str, klass: str) -> Record | None:
    found = seeder.org.account_by_code(code)
    if found is None or found.get("Status") != "ACTIVE" or found.get("Class") != klass:
        return None
    return None if found.get("SystemAccount") else found


def _make_account(seeder: Seeder, code: str, name: str, type_: str, klass: str) -> Record | None:
    """The chart's account ``code``, made through the API if the chart lacks it."""
    found = _exact(seeder, code, klass)
    if found is not None or seeder.org.account_by_code(code) is not None:
        return found
    if any(str(a.get("Name")).lower() == name.lower() for a in seeder.org.accounts.values()):
        return None
    element = {"Code": code, "Name": name, "Type": type_, "TaxType": seeder.exempt_tax()}
    seeder.write("PUT", "/Accounts", "Accounts", [element], "accounts")
    return _exact(seeder, code, klass)


def _journal(narration: str, day: date, lines: list[tuple[str, Decimal, str]]) -> dict[str, Any]:
    return {
        "Narration": narration,
        "Date": day,
        "Status": "POSTED",
        "LineAmountTypes": "NoTax",
        "JournalLines": [
            {"AccountCode": code, "LineAmount": amount, "Description": text}
            for code, amount, text in lines
        ],
    }


def manual_journals(seeder: Seeder) -> list[PayMonth]:
    """Month-end journals; the payroll months they posted (bank transactions pay them)."""
    rng = seeder.rng
    expense = _make_account(seeder, "416", "Depreciation", "DEPRECIATN", "EXPENSE")
    accumulated = _make_account(
        seeder, "711", "Less Accumulated Depreciation on Office Equipment", "FIXED", "ASSET"
    )
    equipment = seeder.account(data.EQUIPMENT.account, "ASSET")
    depreciate = expense is not None and accumulated is not None and equipment is not None
    monthly = (data.EQUIPMENT.amount / data.DEPRECIATION_MONTHS).quantize(CENT)
    payroll = all(_exact(seeder, code, klass) for code, klass in PAYROLL_CODES.items())
    elements: list[dict[str, Any]] = []
    months: list[PayMonth] = []
    for start in month_starts(seeder.first_day, seeder.today):
        end = month_end(start)
        if end > seeder.today or end < seeder.first_day + timedelta(days=10):
            continue
        if depreciate:
            assert expense is not None and accumulated is not None
            elements.append(
                _journal(
                    f"Depreciation of office equipment, {end:%B %Y}",
                    end,
                    [
                        (expense["Code"], monthly, "Straight line over 36 months"),
                        (accumulated["Code"], -monthly, "Accumulated depreciation"),
                    ],
                )
            )
        if payroll:
            gross = (MONTHLY_GROSS * Decimal(str(round(rng.uniform(0.97, 1.06), 3)))).quantize(CENT)
            payg = (gross * PAYG_RATE).quantize(CENT)
            super_ = (gross * SUPER_RATE).quantize(CENT)
            month = PayMonth(end, gross - payg, payg, super_)
            months.append(month)
            elements.append(
                _journal(
                    f"Payroll, {end:%B %Y}",
                    end,
                    [
                        ("477", gross, "Gross wages"),
                        ("825", -payg, "PAYG withheld"),
                        ("804", -month.net, "Net wages payable"),
                        ("478", super_, "Superannuation guarantee"),
                        ("826", -super_, "Superannuation payable"),
                    ],
                )
            )
    reclass = _reclass(seeder)
    if reclass is not None:
        elements.append(reclass)
    made = seeder.write("PUT", "/ManualJournals", "ManualJournals", elements, "manual_journals")
    if reclass is not None:
        wrong = {
            "ManualJournalID": made[-1]["ManualJournalID"],
            "Narration": made[-1]["Narration"],
            "Status": "VOIDED",
        }
        seeder.write("POST", "/ManualJournals", "ManualJournals", [wrong], "manual_journals_voided")
    return months


def _reclass(seeder: Seeder) -> dict[str, Any] | None:
    """A reclassification posted in error (it is voided straight after)."""
    office = seeder.account("453", "EXPENSE")
    printing = seeder.account("461", "EXPENSE")
    if office is None or printing is None or office is printing:
        return None
    day = seeder.days(seeder.first_day + timedelta(days=60), seeder.today)
    amount = Decimal(seeder.rng.randint(150, 600))
    return _journal(
        "Reclassify toner to office expenses (entered in error)",
        day,
        [
            (office["Code"], amount, "Toner cartridges"),
            (printing["Code"], -amount, "Toner cartridges"),
        ],
    )


def _transaction(
    seeder: Seeder,
    kind: str,
    bank: Record,
    contact: str,
    day: date,
    lines: list[tuple[str, Decimal, str]],
    amounts: str,
) -> dict[str, Any]:
    reconciled = (seeder.today - day).days > 20 and seeder.rng.random() < 0.95
    return {
        "Type": kind,
        "Contact": {"ContactID": contact},
        "BankAccount": {"Code": bank["Code"]},
        "Date": day,
        "IsReconciled": reconciled,
        "LineAmountTypes": amounts,
        "LineItems": [
            {"Description": text, "Quantity": Decimal(1), "UnitAmount": amount, "AccountCode": code}
            for code, amount, text in lines
        ],
    }


def bank_activity(seeder: Seeder, parties: Parties, payroll: list[PayMonth]) -> None:
    bank = seeder.main_bank()
    if bank is None or not seeder.serves("PUT", "/BankTransactions"):
        return
    savings = seeder.bank("091")
    if savings is not None and savings["AccountID"] == bank["AccountID"]:
        savings = None
    made = _monthly(seeder, parties, bank, savings, payroll)
    made += _quarterly(seeder, parties, bank, payroll)
    made += _card_spends(seeder, parties, bank)
    made.sort(key=lambda e: e["Date"])
    seeder.write("PUT", "/BankTransactions", "BankTransactions", made, "bank_transactions")
    if savings is not None and seeder.serves("PUT", "/BankTransfers"):
        _transfers(seeder, bank, savings)


def _monthly(
    seeder: Seeder,
    parties: Parties,
    bank: Record,
    savings: Record | None,
    payroll: list[PayMonth],
) -> list[dict[str, Any]]:
    rng = seeder.rng
    others = parties.others
    made: list[dict[str, Any]] = []
    fees = seeder.account("404", "EXPENSE")
    interest = seeder.account("270", "REVENUE")
    sales = seeder.account("200", "REVENUE")
    for start in month_starts(seeder.first_day, seeder.today):
        end = min(month_end(start), seeder.today)
        if fees is not None:
            fee = Decimal("25.00") + Decimal(rng.choice((0, 250, 500, 750))) / 100
            line = [(fees["Code"], fee, "Account keeping and merchant fees")]
            made.append(
                _transaction(seeder, "SPEND", bank, others[data.BANK_NAME], end, line, "Inclusive")
            )
        if savings is not None and interest is not None:
            amount = Decimal(rng.randint(1200, 6000)) / 100
            line = [(interest["Code"], amount, "Interest")]
            made.append(
                _transaction(
                    seeder, "RECEIVE", savings, others[data.BANK_NAME], end, line, "Inclusive"
                )
            )
        if sales is not None and rng.random() < 0.8:
            day = seeder.days(start, end)
            amount = Decimal(rng.randint(5000, 40000)) / 100
            line = [(sales["Code"], amount, "Counter sale, blue widgets")]
            made.append(
                _transaction(
                    seeder, "RECEIVE", bank, others[data.CASH_CUSTOMER], day, line, "Inclusive"
                )
            )
    for month in payroll:
        line = [("804", month.net, f"Net wages, {month.day:%B %Y}")]
        made.append(
            _transaction(seeder, "SPEND", bank, others[data.PAYROLL], month.day, line, "NoTax")
        )
    return made


def _quarterly(
    seeder: Seeder, parties: Parties, bank: Record, payroll: list[PayMonth]
) -> list[dict[str, Any]]:
    """PAYG and super for each quarter that has ended, paid on the 28th of the month after."""
    made: list[dict[str, Any]] = []
    quarters: dict[date, list[PayMonth]] = {}
    for month in payroll:
        last = month.day.replace(month=(month.day.month - 1) // 3 * 3 + 3, day=1)
        quarters.setdefault(month_end(last), []).append(month)
    for end, months in sorted(quarters.items()):
        day = (end + timedelta(days=1)).replace(day=28)
        if day > seeder.today:
            continue
        payg = sum((m.payg for m in months), Decimal("0.00"))
        super_ = sum((m.super_ for m in months), Decimal("0.00"))
        label = f"quarter to {end:%d %B %Y}"
        tax = [("825", payg, f"PAYG withholding, {label}")]
        made.append(
            _transaction(seeder, "SPEND", bank, parties.others[data.TAX_OFFICE], day, tax, "NoTax")
        )
        fund = [("826", super_, f"Superannuation, {label}")]
        made.append(
            _transaction(seeder, "SPEND", bank, parties.others[data.SUPER_FUND], day, fund, "NoTax")
        )
    return made


def _card_spends(seeder: Seeder, parties: Parties, bank: Record) -> list[dict[str, Any]]:
    rng = seeder.rng
    made: list[dict[str, Any]] = []
    span = (seeder.today - seeder.first_day).days + 1
    for name, code, text, (low, high), per_year in data.BANK_SPENDS:
        account = seeder.account(code, "EXPENSE")
        if account is None:
            continue
        for _ in range(round(per_year * span / 365)):
            day = seeder.days(seeder.first_day, seeder.today, weekdays=False)
            amount = Decimal(rng.randint(low * 100, high * 100)) / 100
            line = [(account["Code"], amount, text)]
            made.append(
                _transaction(seeder, "SPEND", bank, parties.others[name], day, line, "Inclusive")
            )
    return made


def _transfers(seeder: Seeder, bank: Record, savings: Record) -> None:
    rng = seeder.rng
    elements = []
    for start in month_starts(seeder.first_day, seeder.today):
        if start.month % 3 != 2 or start + timedelta(days=10) > seeder.today:
            continue
        day = seeder.days(start + timedelta(days=10), start + timedelta(days=20))
        amount = Decimal(rng.randint(10, 30) * 500)
        elements.append(
            {
                "FromBankAccount": {"Code": bank["Code"]},
                "ToBankAccount": {"Code": savings["Code"]},
                "Amount": amount.quantize(CENT),
                "Date": day,
                "Reference": "Surplus to savings",
            }
        )
    if elements:
        seeder.write("PUT", "/BankTransfers", "BankTransfers", elements, "bank_transfers")
