"""One manual journal: Xero's rules for its lines, balance, status and lock date.

``LineAmount`` is positive for a debit and negative for a credit, and debits must equal credits.
A line naming an account code Xero does not know loses that code with a warning (the spec's
example: "Account code ''476'' has been removed as it does not match a recognised account."),
as Xero does; a DRAFT may keep such a line, but a journal is only POSTED when every line has an
account, so posting it then fails with the usual "must be specified" error. Lines may not post
to bank, system or inventory accounts (inventory: UNCONFIRMED, see ``rules.account_usable``).
Status changes: DRAFT -> DRAFT, POSTED, DELETED; POSTED -> POSTED (edits), VOIDED; DELETED and
VOIDED are final. The lock date applies to posting, editing a posted journal and voiding it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from xero_sandbox import errors, wire
from xero_sandbox.context import ApiContext
from xero_sandbox.resources import money, rules
from xero_sandbox.resources.doc_lines import tracking_entries
from xero_sandbox.resources.ref_common import flag, has, pick, text, too_long
from xero_sandbox.state import Org, Record, new_id

TRANSITIONS = {
    "DRAFT": ("DRAFT", "POSTED", "DELETED"),
    "POSTED": ("POSTED", "VOIDED"),
    "DELETED": (),
    "VOIDED": (),
    "ARCHIVED": (),
}
STATUSES = ("DRAFT", "POSTED", "DELETED", "VOIDED", "ARCHIVED")
AMOUNT_TYPES = ("NoTax", "Exclusive", "Inclusive")
NO_ACCOUNT = "Account code must be specified on every line item."


def removed_account_warning(code: str) -> str:
    return f"Account code ''{code}'' has been removed as it does not match a recognised account."


def balance_message(debits: Decimal, credits: Decimal) -> str:
    return f"The total debits ({debits:.2f}) must equal total credits ({credits:.2f})"


def _status_errors(existing: Record | None, status: str) -> list[str]:
    if status not in STATUSES:
        return [f"Manual journal Status '{status}' is not valid."]
    if existing is None:
        if status not in ("DRAFT", "POSTED"):
            return [f"A manual journal cannot be created with a status of {status}."]
        return []
    current = existing["Status"]
    if status not in TRANSITIONS[current]:
        if not TRANSITIONS[current]:
            return [f"A manual journal with a status of {current} cannot be modified."]
        return [f"The manual journal status cannot be changed from {current} to {status}."]
    return []


def _line(
    org: Org, raw: dict[str, Any], amount_types: str, path: str
) -> tuple[Record, list[str], list[str]]:
    """One journal line, its problems and its warnings."""
    problems: list[str] = []
    warnings: list[str] = []
    record: Record = {"Description": text(raw, "Description", path) or "", "IsBlank": False}
    amount_raw = pick(raw, "LineAmount")
    if amount_raw is None:
        problems.append("LineAmount must be specified on every journal line.")
        amount = Decimal("0.00")
    else:
        amount = wire.parse_decimal(amount_raw, f"{path}LineAmount")
        try:
            amount = money.cents(money.bounded(amount, "LineAmount"))
        except money.MoneyError as exc:
            problems.append(str(exc))
            amount = Decimal("0.00")
    record["LineAmount"] = amount
    code = text(raw, "AccountCode", path)
    account_id = text(raw, "AccountID", path)
    account = None
    if (code is None or not code.strip()) and account_id:
        account = next(
            (a for a in org.accounts.values() if a["AccountID"].lower() == account_id.lower()),
            None,
        )
        code = account["Code"] if account else None
    if code is not None and code.strip():
        if org.account_by_code(code) is None:
            warnings.append(removed_account_warning(code.strip()))
        else:
            found = rules.line_account_errors(org, code, "MANUALJOURNAL")
            problems += found
            if not found:
                account = org.account_by_code(code)
    if account is not None:
        record["AccountCode"] = account["Code"]
        record["AccountID"] = account["AccountID"]
    tax_type = rules.effective_tax_type(text(raw, "TaxType", path), account)
    rate = Decimal(0)
    if amount_types == "NoTax" and not text(raw, "TaxType", path):
        tax_type = None
    if tax_type is not None:
        tax_problems = rules.tax_type_errors(org, tax_type, account)
        problems += tax_problems
        found_rate = rules.tax_rate(org, tax_type)
        if found_rate is not None and not tax_problems:
            tax_type = found_rate["TaxType"]
            rate = Decimal(found_rate.get("EffectiveRate") or 0)
        record["TaxType"] = tax_type
    record["TaxAmount"] = money.line_tax(amount, rate, amount_types)
    tracking, tracking_problems = tracking_entries(org, pick(raw, "Tracking"), path.rstrip("."))
    problems += tracking_problems
    record["Tracking"] = tracking
    return record, problems, warnings


def _lines(
    org: Org, raw_lines: Any, amount_types: str
) -> tuple[list[Record], list[str], list[str]]:
    elements = wire.parse_list(raw_lines, "JournalLines")
    lines: list[Record] = []
    problems: list[str] = []
    warnings: list[str] = []
    for index, raw in enumerate(elements):
        path = f"JournalLines[{index}]."
        line, line_problems, line_warnings = _line(
            org, wire.parse_object(raw, path.rstrip(".")), amount_types, path
        )
        lines.append(line)
        problems += [p for p in line_problems if p not in problems]
        warnings += line_warnings
    return lines, problems, warnings


def _posted_amount(line: Record, amount_types: str) -> Decimal:
    amount: Decimal = line["LineAmount"]
    return amount + line["TaxAmount"] if amount_types == "Exclusive" else amount


def _balance_errors(lines: list[Record], amount_types: str) -> list[str]:
    if len(lines) < 2:
        return ["A manual journal must have at least two journal lines."]
    amounts = [_posted_amount(line, amount_types) for line in lines]
    debits = sum((a for a in amounts if a > 0), Decimal("0.00"))
    credits = sum((a for a in amounts if a < 0), Decimal("0.00"))
    if debits + credits != 0:
        return [balance_message(debits, credits)]
    return []


def _amount_types(element: dict[str, Any], old: Record) -> tuple[str, list[str]]:
    given = text(element, "LineAmountTypes")
    if given is None:
        return old.get("LineAmountTypes", "NoTax"), []
    chosen = next((t for t in AMOUNT_TYPES if t.lower() == given.strip().lower()), None)
    if chosen is None:
        return "NoTax", [f"LineAmountTypes '{given}' is not valid."]
    return chosen, []


def prepare(
    ctx: ApiContext, element: dict[str, Any], existing: Record | None
) -> tuple[Record, list[str]]:
    """The journal this element makes and its warnings; ElementErrors lists every problem."""
    org = ctx.org
    old: Record = existing or {}
    status = (text(element, "Status") or old.get("Status") or "DRAFT").strip().upper()
    problems = _status_errors(existing, status)
    if problems:
        raise errors.ElementErrors(problems)
    record: Record = dict(old)
    record["Status"] = status
    narration = text(element, "Narration")
    if narration is not None:
        record["Narration"] = narration
    if not str(record.get("Narration") or "").strip():
        problems.append("Narration must be specified.")
    problems += too_long(narration, 4000, "Narration")
    amount_types, type_problems = _amount_types(element, old)
    problems += type_problems
    record["LineAmountTypes"] = amount_types
    when = pick(element, "Date")
    if when is not None:
        record["Date"] = wire.parse_date(when, "Date")
    record.setdefault("Date", ctx.state.clock.today())
    warnings: list[str] = []
    if has(element, "JournalLines") or existing is None:
        lines, line_problems, warnings = _lines(
            org, pick(element, "JournalLines") or [], amount_types
        )
        problems += line_problems
        record["JournalLines"] = lines
    lines = record.get("JournalLines") or []
    if status not in ("DELETED", "VOIDED"):
        problems += [p for p in _balance_errors(lines, amount_types) if p not in problems]
    unaccounted = any("AccountCode" not in line for line in lines)
    if status == "POSTED" and unaccounted and NO_ACCOUNT not in problems:
        problems.append(NO_ACCOUNT)
    problems += _lock_errors(org, status, old, record["Date"])
    for key in ("Url",):
        value = text(element, key)
        if value is not None:
            record[key] = value
    cash = flag(element, "ShowOnCashBasisReports")
    if cash is not None:
        record["ShowOnCashBasisReports"] = cash
    record.setdefault("ShowOnCashBasisReports", True)
    if problems:
        raise errors.ElementErrors(problems, warnings)
    return record, warnings


def _lock_errors(org: Org, status: str, old: Record, when: date) -> list[str]:
    """Posting, editing a posted journal or voiding one must fall after the lock date."""
    touches_ledger = status == "POSTED" or old.get("Status") == "POSTED"
    if not touches_ledger:
        return []
    problems = rules.lock_date_errors(org, when)
    if old.get("Status") == "POSTED" and old.get("Date") != when:
        problems += [p for p in rules.lock_date_errors(org, old["Date"]) if p not in problems]
    return problems


def commit(ctx: ApiContext, record: Record, existing: Record | None) -> Record:
    if existing is None:
        record["ManualJournalID"] = new_id()
        record["HasAttachments"] = False
    ctx.state.stamp(record)
    if existing is not None:
        existing.clear()
        existing.update(record)
        return existing
    ctx.org.manual_journals[record["ManualJournalID"]] = record
    return record
