"""Refuse, before any call, what Xero would refuse, and say which field to fix and how.

Every check reads the cached reference data only, so a document that cannot succeed costs no API
call and never reaches a batch where it would share a request with good documents. Each problem is
a LedgerlinkError with its stable code, the field as the source app wrote it
(``lines[2].account_code``), the value, and where the value came from when ledgerlink chose it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ledgerlink.documents.money import LineInput, Totals, estimate_totals
from ledgerlink.documents.schemas import ContactRef, LinedDocument
from ledgerlink.errors import LedgerlinkError
from ledgerlink.mapping.currency import currency_errors
from ledgerlink.mapping.reference import Catalogue, Listing, Record, Reference
from ledgerlink.mapping.resolve import SOURCE_WORDS, ResolvedLine

_CLASS_OF_TYPE = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "FIXED": "ASSET",
    "INVENTORY": "ASSET",
    "NONCURRENT": "ASSET",
    "PREPAYMENT": "ASSET",
    "CURRLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "PAYG": "LIABILITY",
    "EQUITY": "EQUITY",
    "DEPRECIATN": "EXPENSE",
    "DIRECTCOSTS": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "OTHERINCOME": "REVENUE",
    "REVENUE": "REVENUE",
    "SALES": "REVENUE",
}
_FLAG_OF_CLASS = {
    "REVENUE": ("CanApplyToRevenue", "a revenue account"),
    "EXPENSE": ("CanApplyToExpenses", "an expense account"),
    "ASSET": ("CanApplyToAssets", "an asset account"),
    "LIABILITY": ("CanApplyToLiabilities", "a liability account"),
    "EQUITY": ("CanApplyToEquity", "an equity account"),
}


@dataclass(frozen=True)
class Subject:
    """What preflight needs to know of a document besides its lines (its kind tells it).

    ``account_classes``: the account classes its lines may post to (empty: any that takes
    documents); ``default_words``: which connection default would give a missing account.
    """

    noun: str
    date_field: str
    when: date
    contact: ContactRef | None
    role: str
    gone: bool
    account_classes: frozenset[str] = frozenset()
    default_words: str = "revenue"


def _err(code: str, field: str, message: str) -> LedgerlinkError:
    return LedgerlinkError(code, message, field=field)


def _from(source: str | None) -> str:
    return f" ({SOURCE_WORDS[source]})" if source in SOURCE_WORDS else ""


def find_tax_rate(reference: Reference, tax_type: str) -> Record | None:
    """Tax types are codes, matched as Xero does without regard to case."""
    found = reference.tax_rate(tax_type)
    if found is None and tax_type.upper() != tax_type:
        found = reference.tax_rate(tax_type.upper())
    return found


def _named(reference: Reference, value: str, kind: str) -> Record | None:
    """The record whose display *name* is ``value`` (a name sent where a code belongs)."""
    if not isinstance(reference, Listing):
        return None
    records = reference.accounts() if kind == "account" else reference.tax_rates()
    wanted = value.strip().casefold()
    return next((r for r in records if str(r.get("Name", "")).strip().casefold() == wanted), None)


def account_class(account: Record) -> str:
    return str(account.get("Class") or _CLASS_OF_TYPE.get(str(account.get("Type")), ""))


def check_account(
    reference: Reference,
    line: ResolvedLine,
    kind: str,
    classes: frozenset[str] = frozenset(),
    default_words: str | None = None,
) -> tuple[Record | None, list[LedgerlinkError]]:
    """The line's account when usable, else why not (missing, unknown, archived, bank, system,
    or of a class this kind's lines cannot post to)."""
    field = f"lines[{line.index}].account_code"
    code = line.account_code
    words = default_words or "revenue"
    if code is None:
        return None, [
            _err(
                "XERO_ACCOUNT_CODE_MISSING",
                field,
                f"{field} is missing: neither the line, an item override nor the connection's "
                f"default {words} account gives one.",
            )
        ]
    said = f"{field} '{code}'{_from(line.account_source)}"
    account = reference.account(code)
    if account is None:
        named = _named(reference, code, "account")
        hint = f": that is the name of account '{named['Code']}', use its code" if named else ""
        return None, [
            _err(
                "XERO_ACCOUNT_CODE_INVALID",
                field,
                f"{said} is not in the organisation's chart of accounts{hint}.",
            )
        ]
    if account.get("Name"):
        said = f"{field} '{code}' ({account['Name']}, {SOURCE_WORDS.get(str(line.account_source))})"
    if account.get("Status", "ACTIVE") != "ACTIVE":
        state = str(account.get("Status")).lower()
        return None, [_err("XERO_ACCOUNT_CODE_INVALID", field, f"{said} is {state} in Xero.")]
    if account.get("Type") == "BANK":
        return None, [
            _err(
                "XERO_ACCOUNT_CODE_INVALID",
                field,
                f"{said} is a bank account; {kind} lines cannot post to a bank account.",
            )
        ]
    if account.get("SystemAccount"):
        return None, [
            _err(
                "XERO_ACCOUNT_CODE_INVALID",
                field,
                f"{said} is Xero's system account {account['SystemAccount']}; "
                f"{kind} lines cannot post to it.",
            )
        ]
    found_class = account_class(account)
    if classes and found_class not in classes:
        allowed = " or ".join(sorted(c.lower() for c in classes))
        return None, [
            _err(
                "XERO_ACCOUNT_CODE_INVALID",
                field,
                f"{said} is {found_class.lower() or 'of no known'} class; {kind} lines take "
                f"{allowed} accounts only.",
            )
        ]
    return account, []


def check_tax_for_account(rate: Record, account: Record) -> bool:
    """Whether Xero lets this tax rate go with this account (its class's CanApplyTo flag)."""
    flag, _ = _FLAG_OF_CLASS.get(account_class(account), (None, ""))
    return flag is None or bool(rate.get(flag, False))


def tax_rate_choices(rates: Sequence[Record], account: Record | None) -> list[Record]:
    """The tax rates a person may pick (a dropdown): active ones, and with ``account`` (a
    record, or just ``{"Class": "REVENUE"}``) only those Xero lets go with it."""
    return [
        r
        for r in rates
        if str(r.get("Status") or "ACTIVE") == "ACTIVE"
        and (account is None or check_tax_for_account(r, account))
    ]


def check_tax(
    reference: Reference, line: ResolvedLine, account: Record | None
) -> tuple[Record | None, list[LedgerlinkError]]:
    """The line's tax rate when valid for its account, else why not."""
    if line.tax_type is None:
        return None, []
    field = f"lines[{line.index}].tax_type"
    said = f"{field} '{line.tax_type}'{_from(line.tax_source)}"
    rate = find_tax_rate(reference, line.tax_type)
    if rate is None:
        named = _named(reference, line.tax_type, "tax")
        if named is not None:
            message = f"{said} is the name of a tax rate, not its code: use '{named['TaxType']}'."
        else:
            message = f"{said} is not a tax type in this organisation."
        return None, [_err("XERO_TAX_TYPE_INVALID", field, message)]
    if rate.get("Status", "ACTIVE") != "ACTIVE":
        state = str(rate.get("Status")).lower()
        return None, [_err("XERO_TAX_TYPE_INVALID", field, f"{said} is {state} in Xero.")]
    if account is not None and not check_tax_for_account(rate, account):
        words = _FLAG_OF_CLASS[account_class(account)][1]
        return None, [
            _err(
                "XERO_TAX_TYPE_INVALID",
                field,
                f"{said} cannot be used with account '{account.get('Code')}' ({words}); "
                f"that account's own tax type is '{account.get('TaxType')}'.",
            )
        ]
    return rate, []


def check_item_and_tracking(reference: Reference, document: LinedDocument) -> list[LedgerlinkError]:
    """Item codes and tracking the organisation does not have (when their lists were read)."""
    if not isinstance(reference, Catalogue):
        return []
    problems: list[LedgerlinkError] = []
    items_known = reference.items_known()
    categories = reference.tracking_categories()
    for index, line in enumerate(document.lines):
        if items_known and line.item_code is not None and reference.item(line.item_code) is None:
            field = f"lines[{index}].item_code"
            problems.append(
                _err(
                    "XERO_ITEM_UNKNOWN",
                    field,
                    f"{field} '{line.item_code}' is not an item in the organisation's Products "
                    "and Services.",
                )
            )
        if categories is None:
            continue
        for number, tracking in enumerate(line.tracking):
            problems += _tracking_errors(categories, tracking, f"lines[{index}].tracking[{number}]")
    return problems


def _active_named(records: Any, name: str, key: str) -> Record | None:
    wanted = name.strip().casefold()
    return next(
        (
            r
            for r in records or ()
            if str(r.get(key, "")).strip().casefold() == wanted
            and str(r.get("Status") or "ACTIVE") == "ACTIVE"
        ),
        None,
    )


def _tracking_errors(categories: Any, tracking: Any, where: str) -> list[LedgerlinkError]:
    category = _active_named(categories, tracking.name, "Name")
    if category is None:
        names = sorted(
            str(c.get("Name")) for c in categories if str(c.get("Status") or "ACTIVE") == "ACTIVE"
        )
        known = ", ".join(f"'{n}'" for n in names) or "none"
        field = f"{where}.name"
        return [
            _err(
                "XERO_TRACKING_INVALID",
                field,
                f"{field} '{tracking.name}' is not an active tracking category in Xero "
                f"(active: {known}).",
            )
        ]
    if _active_named(category.get("Options"), tracking.option, "Name") is None:
        options = sorted(
            str(o.get("Name"))
            for o in category.get("Options") or ()
            if str(o.get("Status") or "ACTIVE") == "ACTIVE"
        )
        known = ", ".join(f"'{n}'" for n in options) or "none"
        field = f"{where}.option"
        return [
            _err(
                "XERO_TRACKING_INVALID",
                field,
                f"{field} '{tracking.option}' is not an active option of '{category.get('Name')}' "
                f"in Xero (active: {known}).",
            )
        ]
    return []


def _rate_percent(rate: Record | None) -> Decimal:
    if rate is None:
        return Decimal(0)
    value = rate.get("EffectiveRate", rate.get("DisplayTaxRate", 0))
    return Decimal(str(value))


def estimate(document: LinedDocument, rates: Sequence[Record | None], unitdp: int = 2) -> Totals:
    """The totals Xero will show, given each line's tax rate record."""
    inputs = [
        LineInput(line.quantity, line.unit_amount, _rate_percent(rate), line.discount_rate)
        for line, rate in zip(document.lines, rates, strict=True)
    ]
    return estimate_totals(inputs, document.amounts_are, unitdp)


def _contact_errors(subject: Subject, reference: Reference) -> list[LedgerlinkError]:
    role = subject.role
    ref = subject.contact
    if ref is None:
        return []
    if ref.xero_contact_id:
        found = reference.contact_by_id(ref.xero_contact_id)
        if found is not None and found.get("ContactStatus") == "ARCHIVED":
            field = f"{role}.xero_contact_id"
            return [
                _err(
                    "XERO_CONTACT_INVALID",
                    field,
                    f"{field} '{ref.xero_contact_id}' is the archived Xero contact "
                    f"'{found.get('Name')}'; Xero refuses documents for archived contacts: "
                    "restore it in Xero or use another contact.",
                )
            ]
        return []
    if not (ref.name or "").strip():
        field = f"{role}.name"
        return [
            _err(
                "XERO_CONTACT_INVALID",
                field,
                f"{field} is missing: Xero needs a name to find or create the {role} "
                f"(key '{ref.key}').",
            )
        ]
    return []


def locked_period(field: str, when: date, lock: date | None) -> LedgerlinkError | None:
    """XERO_LOCKED_PERIOD when ``when`` falls on or before the organisation's lock date."""
    if lock is None or when > lock:
        return None
    return _err(
        "XERO_LOCKED_PERIOD",
        field,
        f"{field} {when.isoformat()} is on or before the organisation's lock date "
        f"{lock.isoformat()}; Xero refuses documents in a locked period.",
    )


def preflight(
    document: LinedDocument,
    resolved_lines: Sequence[ResolvedLine],
    reference: Reference,
    org_lock_date: date | None,
    *,
    base_currency: str | None = None,
    unitdp: int = 2,
    subject: Subject,
    currency_field: str = "currency",
) -> list[LedgerlinkError]:
    """Every reason Xero would refuse this document (its kind describes it: ``subject``),
    found without calling Xero. ``currency_field`` names where the document's currency came
    from (``settings.default_currency`` when the connection's default filled it in)."""
    kind = subject.noun
    problems: list[LedgerlinkError] = []
    date_field = subject.date_field
    when = subject.when
    locked = locked_period(date_field, when, org_lock_date)
    if locked is not None:
        problems.append(locked)
    if subject.gone:
        return problems
    problems += _contact_errors(subject, reference)
    problems += currency_errors(document.currency, base_currency, reference, currency_field)
    problems += check_item_and_tracking(reference, document)
    rates: list[Record | None] = []
    for line in resolved_lines:
        account, account_problems = check_account(
            reference, line, kind, subject.account_classes, subject.default_words
        )
        rate, tax_problems = check_tax(reference, line, account)
        if account is not None and line.tax_type is None and document.amounts_are != "no_tax":
            field = f"lines[{line.index}].tax_type"
            tax_problems.append(
                _err(
                    "XERO_FIELD_REQUIRED",
                    field,
                    f"{field} is missing: neither the line, an item override, the connection's "
                    f"default nor account '{account.get('Code')}' gives a tax type, and the "
                    f"{kind}'s amounts are {document.amounts_are.replace('_', ' ')} of tax.",
                )
            )
        problems += account_problems + tax_problems
        rates.append(rate)
    if len(rates) == len(document.lines) and not problems:
        totals = estimate(document, rates, unitdp)
        if totals.total < 0:
            problems.append(
                _err(
                    "VALIDATION_FAILED",
                    "lines",
                    f"lines add up to a total of {totals.total}; Xero refuses a negative "
                    f"{kind}: send the difference as a credit note.",
                )
            )
    return problems
