"""Xero's own lists as dropdown choices, from a connection's cached reference data (filled by
Synchronize and by the worker; nothing here calls Xero).

Each dropdown offers what fits its use, with the same rules the REST lists and preflight use:
a document kind's own account choices (revenue for sales, expense or liability for purchases,
bank or payments-enabled for payments; active, no bank or system account where lines go) and
the active tax rates Xero lets go with that class of account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from ledgerlink import kinds
from ledgerlink.kinds.product import TRACKED_ACCOUNT_TYPES
from ledgerlink.kinds.stock_movement import ACCOUNT_SETTINGS, account_choices_for
from ledgerlink.mapping.currency import plan_words, usable_currencies
from ledgerlink.mapping.preflight import account_class, tax_rate_choices
from ledgerlink.sync.reference_view import ReferenceView

Record = dict[str, Any]
# The kinds whose lines a default or an override of each usage serves (their choices rule).
SALES_KIND = "invoice"
PURCHASE_KIND = "expense"
PAYMENT_KIND = "payment"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class XeroLists:
    """The choices for one connection; ``fetched_at`` None: never synchronized (the page then
    asks for codes as text and says to press Synchronize)."""

    fetched_at: datetime | None
    accounts: dict[str, list[Choice]]
    tax_rates: dict[str, list[Choice]]
    # The currencies the organisation holds (None: never read) and its plan in words.
    currencies: list[Choice] | None = None
    plan: str = ""
    plan_currencies: list[str] = field(default_factory=list)

    @property
    def fetched(self) -> bool:
        return self.fetched_at is not None


def _account_choice(record: Record) -> Choice:
    code = str(record.get("Code") or "")
    return Choice(code, f"{code} · {record.get('Name') or ''}".strip(" ·"))


def _percent(rate: Any) -> str:
    """Xero's "10.0000" as 10; what is not a number as Xero wrote it."""
    try:
        return format(Decimal(str(rate)).normalize(), "f")
    except InvalidOperation:
        return str(rate)


def _tax_choice(record: Record) -> Choice:
    tax_type = str(record.get("TaxType") or "")
    rate = record.get("EffectiveRate", record.get("DisplayTaxRate"))
    shown = f", {_percent(rate)}%" if rate is not None else ""
    return Choice(tax_type, f"{record.get('Name') or tax_type} ({tax_type}{shown})")


def _accounts(records: list[Record], kind: str, only_class: str | None = None) -> list[Choice]:
    fitting = kinds.get(kind).account_choices(records, None)
    if only_class is not None:
        fitting = [a for a in fitting if account_class(a) == only_class]
    return [_account_choice(a) for a in fitting if a.get("Code")]


def _taxes(records: list[Record], account_class_name: str) -> list[Choice]:
    fitting = tax_rate_choices(records, {"Class": account_class_name})
    return [_tax_choice(r) for r in fitting if r.get("TaxType")]


def xero_lists(session: Session, connection_id: str) -> XeroLists:
    """The dropdowns' choices: ``accounts`` by use (revenue, expenses, purchases, payments) and
    ``tax_rates`` by usage (sales, purchase)."""
    view = ReferenceView(session, connection_id)
    marks = [view.fetched_at(name) for name in ("accounts", "tax_rates")]
    read = [mark for mark in marks if mark is not None]
    accounts = view.accounts()
    rates = view.tax_rates()
    return XeroLists(
        fetched_at=min(read) if len(read) == len(marks) else None,
        accounts={
            "revenue": _accounts(accounts, SALES_KIND),
            "expenses": _accounts(accounts, PURCHASE_KIND, "EXPENSE"),
            "purchase": _accounts(accounts, PURCHASE_KIND),
            "payments": _accounts(accounts, PAYMENT_KIND),
        },
        tax_rates={"sales": _taxes(rates, "REVENUE"), "purchase": _taxes(rates, "EXPENSE")},
        currencies=_currencies(view),
        plan=plan_words(view) if view.organisation() else "",
        plan_currencies=sorted(usable_currencies(view) or ()),
    )


def inventory_accounts(session: Session, connection_id: str) -> dict[str, list[Choice]]:
    """The choices for each valuation account setting: active, not bank or system, of the types
    the setting takes (a CURRENT asset, never INVENTORY; direct costs or expense); and for the
    tracked items' accounts (an INVENTORY account; direct costs or expense)."""
    accounts = ReferenceView(session, connection_id).accounts()
    return {
        setting: [
            _account_choice(a) for a in account_choices_for(accounts, setting) if a.get("Code")
        ]
        for setting in ACCOUNT_SETTINGS
    } | {
        setting: [
            _account_choice(a)
            for a in accounts
            if a.get("Code")
            and str(a.get("Status") or "ACTIVE") == "ACTIVE"
            and str(a.get("Type")) in types
        ]
        for setting, types in TRACKED_ACCOUNT_TYPES.items()
    }


def _currencies(view: ReferenceView) -> list[Choice] | None:
    if view.fetched_at("currencies") is None:
        return None
    records = view.all("currencies")
    return [
        Choice(str(c["Code"]), f"{c['Code']} · {c.get('Description') or ''}".strip(" ·"))
        for c in records
        if c.get("Code")
    ]
