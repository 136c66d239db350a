"""Pay-item types: how a pay run becomes bills (the payroll's "Financial Accounting Mapping").

A connection has pay-item types; each type names its payee and lists pay items, each with an
account code, a sign and an optional description. The payee is either every employee (each
gets a bill of their own: their net pay) or one contact named in the type (the tax office, the
pension fund: one bill for the whole run).

The sign says what the pay item does to its payee's bill:

- ``+`` adds the amount to the bill, on the item's account (wages on an expense account; tax
  withheld on the tax office's bill, on the withholding liability account);
- ``-`` takes it off the bill, on the item's account (tax withheld, taken off the employee's
  bill on that same liability account).

A pay item may be in several types, once in each: a tax withheld is ``-`` in the employees'
type and ``+`` in the tax office's type, on one liability account, so the liability nets to
zero and the organisation owes the employee their net pay and the tax office the tax. A pay
item in no type holds the pay run (PAY_ITEM_UNMAPPED, naming it); a bill that would add up to
less than zero holds it too (Xero refuses negative bills). A "-" line is a negative line
amount on the bill: Xero takes those while the bill's total is zero or more, as
``documents.schemas`` assumes for every bill (UNCONFIRMED in xero-facts.md; the sandbox
takes them).

Each bill has one line per (account, sign), the amounts summed with Decimal to the cent, in
the pay run's currency and without tax (payroll amounts carry none). Bills and lines come in
a fixed order (employees as the run lists them, then the named payees by name; lines by
account then sign), so the same run and mapping always give the same bills.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ledgerlink.documents.pay_run import PayRun
from ledgerlink.errors import LedgerlinkError

Sign = Literal["+", "-"]
SIGNS: tuple[Sign, ...] = ("+", "-")
EMPLOYEE = "employee"  # the payee of a type whose bills go to each employee
UNMAPPED = "PAY_ITEM_UNMAPPED"
NEGATIVE = "PAY_RUN_BILL_NEGATIVE"
FIX_PAGE = "the Payroll page (or PUT /connections/{id}/pay-item-types/{name})"
MAX_DESCRIPTION = 4000  # Xero's limit for a line's description
PAYEE_KEY_PREFIX = "payee:"


@dataclass(frozen=True)
class PayItemRule:
    pay_item: str
    account_code: str
    sign: Sign
    description: str | None = None


@dataclass(frozen=True)
class PayItemType:
    """One type: its name, its payee (``EMPLOYEE`` or a contact's name) and its pay items."""

    name: str
    payee: str
    items: tuple[PayItemRule, ...]


@dataclass
class BillLine:
    account_code: str
    sign: Sign
    amount: Decimal  # signed: a "-" line is negative
    descriptions: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        return "; ".join(self.descriptions)[:MAX_DESCRIPTION]


@dataclass
class PlannedBill:
    """One payee's bill: who (as a contact reference), its lines and its total."""

    payee_key: str
    contact: dict[str, Any]
    lines: list[BillLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def normal(pay_item: str) -> str:
    """How pay item names are matched: trimmed, case and spacing ignored."""
    return " ".join(pay_item.split()).casefold()


def payee_contact(payee: str) -> dict[str, Any]:
    """The contact a named payee's bill goes to: keyed by its name, so one Xero contact."""
    return {"key": PAYEE_KEY_PREFIX + normal(payee), "name": payee.strip()}


def _rules(types: Sequence[PayItemType]) -> dict[str, list[tuple[PayItemType, PayItemRule]]]:
    found: dict[str, list[tuple[PayItemType, PayItemRule]]] = {}
    for type_ in types:
        for rule in type_.items:
            found.setdefault(normal(rule.pay_item), []).append((type_, rule))
    return found


def unmapped(pay_run: PayRun, types: Sequence[PayItemType]) -> LedgerlinkError | None:
    """PAY_ITEM_UNMAPPED naming every pay item of the run that no type maps, or None."""
    rules = _rules(types)
    missing: dict[str, str] = {}
    for e, employee in enumerate(pay_run.employees):
        for i, item in enumerate(employee.items):
            if normal(item.pay_item) not in rules:
                missing.setdefault(normal(item.pay_item), f"employees[{e}].items[{i}].pay_item")
    if not missing:
        return None
    names = sorted(
        {i.pay_item for e in pay_run.employees for i in e.items if normal(i.pay_item) in missing}
    )
    first = next(iter(missing.values()))
    return LedgerlinkError(
        UNMAPPED,
        f"pay item {', '.join(repr(n) for n in names)} is in no pay-item type of this "
        "connection, so the pay run cannot be turned into bills.",
        field=first,
        advice=f"Add {'it' if len(names) == 1 else 'them'} to a pay-item type with an account "
        f"code and a sign on {FIX_PAGE}; the pay run is generated again by itself.",
    )


def plan_bills(pay_run: PayRun, types: Sequence[PayItemType]) -> list[PlannedBill]:
    """The bills the types make of the run; LedgerlinkError (UNMAPPED, NEGATIVE) otherwise."""
    missing = unmapped(pay_run, types)
    if missing is not None:
        raise missing
    rules = _rules(types)
    bills: dict[str, PlannedBill] = {}
    named: dict[str, PlannedBill] = {}
    for employee in pay_run.employees:
        for item in employee.items:
            for type_, rule in rules[normal(item.pay_item)]:
                if type_.payee == EMPLOYEE:
                    key = "employee:" + employee.employee.key
                    contact = employee.employee.model_dump(exclude_none=True)
                    bill = bills.setdefault(key, PlannedBill(key, contact, []))
                else:
                    contact = payee_contact(type_.payee)
                    key = contact["key"]
                    bill = named.setdefault(key, PlannedBill(key, contact, []))
                _add(bill, rule, item.amount)
    ordered = list(bills.values()) + [named[k] for k in sorted(named)]
    for bill in ordered:
        bill.lines = sorted(
            (line for line in bill.lines if line.amount != 0),
            key=lambda line: (line.account_code, SIGNS.index(line.sign)),
        )
        if bill.total < 0:
            raise LedgerlinkError(
                NEGATIVE,
                f"the bill to {bill.contact.get('name') or bill.payee_key} would add up to "
                f"{bill.total}: Xero refuses a bill below zero.",
                field="employees",
                advice=f"Check the signs of the pay items on {FIX_PAGE}: what is taken off a "
                "payee's bill ('-') must not be more than what is added to it ('+').",
            )
    return [bill for bill in ordered if bill.lines]


def _add(bill: PlannedBill, rule: PayItemRule, amount: Decimal) -> None:
    """The amount on the bill's line of the rule's (account, sign); the line's text is the
    rule's description, else the pay item as the type names it."""
    signed = amount if rule.sign == "+" else -amount
    text = (rule.description or "").strip() or rule.pay_item
    for line in bill.lines:
        if line.account_code == rule.account_code and line.sign == rule.sign:
            line.amount += signed
            if text not in line.descriptions:
                line.descriptions.append(text)
            return
    bill.lines.append(BillLine(rule.account_code, rule.sign, signed, [text]))


def bill_source_id(pay_run_source_id: str, payee_key: str) -> str:
    """The source id of the expense that is one payee's bill of one pay run: the same run and
    payee always give the same one (what makes generating again an update, never a second
    bill), within the 200 characters a source id may have."""
    head = pay_run_source_id
    if len(head) > 150:
        head = head[:130] + "~" + hashlib.sha256(head.encode()).hexdigest()[:16]
    return f"{head}~{hashlib.sha256(payee_key.encode()).hexdigest()[:16]}"


def bill_body(pay_run: PayRun, bill: PlannedBill, status: str | None = None) -> dict[str, Any]:
    """The expense (an ACCPAY bill) one payee's bill is, as a source app would send it."""
    body: dict[str, Any] = {
        "source_id": bill_source_id(pay_run.source_id, bill.payee_key),
        "supplier": bill.contact,
        "reference": (pay_run.reference or pay_run.source_id)[:255],
        "date": pay_run.payment_date.isoformat(),
        "due_date": pay_run.payment_date.isoformat(),
        "status": status or pay_run.status,
        "amounts_are": "no_tax",
        "lines": [
            {
                "description": line.description,
                "quantity": "1",
                "unit_amount": str(line.amount),
                "account_code": line.account_code,
            }
            for line in bill.lines
        ],
    }
    if pay_run.currency:
        body["currency"] = pay_run.currency
    if pay_run.url:
        body["url"] = pay_run.url
    return body
