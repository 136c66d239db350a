"""Checks shared by money documents: account codes, tax types, currencies, lock dates, contacts.

Each check returns the messages Xero would list for one element (empty when fine), so a document
handler can gather every problem of an element before it refuses it, as Xero does.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from xero_sandbox import wire
from xero_sandbox.context import ApiContext
from xero_sandbox.state import Org, Record

SALES_DOCUMENTS = ("ACCREC", "ACCRECCREDIT")
LINE_DOCUMENTS = ("ACCREC", "ACCPAY", "ACCRECCREDIT", "ACCPAYCREDIT", "PURCHASEORDER")

_CLASS_FLAG = {
    "REVENUE": "CanApplyToRevenue",
    "EXPENSE": "CanApplyToExpenses",
    "ASSET": "CanApplyToAssets",
    "LIABILITY": "CanApplyToLiabilities",
    "EQUITY": "CanApplyToEquity",
}


def invalid_account_message(code: str) -> str:
    return f"Account code '{code}' is not a valid code for this document."


def account_usable(account: Record, document: str) -> bool:
    """Bank and system accounts carry their own postings in Xero; lines may not use them. A
    manual journal may not post to an INVENTORY account either (Xero keeps those for tracked
    items): reported, not documented by Xero (fact sheet 5.5, UNCONFIRMED)."""
    if account.get("Type") == "BANK" or account.get("SystemAccount"):
        return False
    return not (document == "MANUALJOURNAL" and account.get("Type") == "INVENTORY")


def line_account_errors(org: Org, code: str | None, document: str) -> list[str]:
    if code is None or not str(code).strip():
        return ["Account code must be specified on every line item."]
    account = org.account_by_code(str(code))
    if account is None:
        return [invalid_account_message(str(code))]
    if account.get("Status") != "ACTIVE":
        return [
            f"Account code '{code}' has been archived, or deleted. Each line item must "
            "reference a valid account."
        ]
    if not account_usable(account, document):
        return [invalid_account_message(str(code))]
    return []


def tax_rate(org: Org, tax_type: str) -> Record | None:
    """Tax types are codes (OUTPUT, INPUT2, TAX001); matched without regard to case."""
    found = org.tax_rates.get(tax_type)
    if found is not None:
        return found
    wanted = tax_type.strip().upper()
    for key, rate in org.tax_rates.items():
        if key.upper() == wanted:
            return rate
    return None


def effective_tax_type(tax_type: str | None, account: Record | None) -> str | None:
    """A line without a tax type takes the account's default, as Xero does."""
    if tax_type:
        return tax_type
    if account is not None:
        return account.get("TaxType") or None
    return None


def tax_type_errors(org: Org, tax_type: str | None, account: Record | None) -> list[str]:
    chosen = effective_tax_type(tax_type, account)
    if chosen is None:
        return []
    rate = tax_rate(org, chosen)
    if rate is None or rate.get("Status") != "ACTIVE":
        return [
            f"The TaxType code '{chosen}' does not exist or cannot be used for this type of "
            "transaction."
        ]
    if account is not None:
        flag = _CLASS_FLAG.get(str(account.get("Class", "")))
        if flag is not None and not rate.get(flag, False):
            return [
                f"The TaxType code '{rate['TaxType']}' cannot be used with account code "
                f"'{account.get('Code')}'."
            ]
    return []


def currency_errors(org: Org, code: str | None) -> list[str]:
    if code is None or code == "":
        return []
    wanted = str(code).strip().upper()
    if wanted == org.base_currency or wanted in org.currencies:
        return []
    return [f"Organisation is not subscribed to currency {code}"]


def lock_date_errors(org: Org, when: date) -> list[str]:
    lock = org.lock_date()
    if lock is None or when > lock:
        return []
    return [
        "The document date cannot be before the period lock date of "
        f"{lock.day} {lock:%b %Y}. Please update the date on the document."
    ]


CONTACT_ELEMENTS = (
    "The Contact must contain at least 1 of the following elements to identify the contact: "
    "Name, ContactID, ContactNumber"
)


def _text(ref: dict[str, Any], key: str) -> str | None:
    value = next((v for k, v in ref.items() if str(k).lower() == key.lower()), None)
    if value is None:
        return None
    text = wire.parse_str(value, f"Contact.{key}").strip()
    return text or None


def find_contact_ref(
    ctx: ApiContext, ref: Any, create: bool
) -> tuple[Record | None, str | None, list[str]]:
    """The contact an element names, or the Name of a contact to create later, or errors.

    Kept apart from creation so a document handler can validate the whole element before it
    adds a contact: a refused invoice must not leave a new contact behind.
    """
    from xero_sandbox.resources.contacts import find_contact

    if not isinstance(ref, dict):
        return None, None, [CONTACT_ELEMENTS]
    contact_id = _text(ref, "ContactID")
    number = _text(ref, "ContactNumber")
    name = _text(ref, "Name")
    if not (contact_id or number or name):
        return None, None, [CONTACT_ELEMENTS]
    found = find_contact(ctx.org, ref)
    if found is None:
        if contact_id:
            return None, None, [f"The contact with ContactID '{contact_id}' could not be found."]
        if name and create:
            return None, name, []
        if number and not name:
            return None, None, [f"The contact with ContactNumber '{number}' could not be found."]
        return None, None, [f"The contact '{name}' could not be found."]
    if found.get("ContactStatus") == "ARCHIVED":
        return (
            None,
            None,
            [
                f"The contact '{found.get('Name')}' is archived. Unable to assign an Archived "
                "contact to a transaction."
            ],
        )
    return found, None, []


def resolve_contact(ctx: ApiContext, ref: Any, create: bool) -> tuple[Record | None, list[str]]:
    """The Contact element of a document; with ``create`` a new Name adds the contact now."""
    from xero_sandbox.resources.contacts import create_contact_from_name

    found, new_name, problems = find_contact_ref(ctx, ref, create)
    if problems:
        return None, problems
    if found is None and new_name is not None:
        return create_contact_from_name(ctx, new_name), []
    return found, []
