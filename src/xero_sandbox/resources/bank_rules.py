"""The rules of one bank transaction (spend or receive money), checked before anything is stored.

Xero's BankTransactions take SPEND and RECEIVE, and the overpayment and prepayment variants that
open a credit for the contact (an Overpayment or Prepayment record). RECEIVE-TRANSFER and
SPEND-TRANSFER exist only as the two sides of a BankTransfer. Lines are priced by the invoice
line code (``doc_lines``) so totals agree with invoices to the cent.

Facts used (xero-facts and developer.xero.com as quoted by integrators):
- an overpayment has a single line, coded by Xero to Accounts Receivable (receive) or Accounts
  Payable (spend), without tax (Databuzz's fmAccounting notes on Xero's API);
- prepayments are in the base currency only ("Xero does not offer multi-currency for
  prepayments", help.xero.com);
- Reference is documented for SPEND and RECEIVE (OpenAPI ``BankTransaction.Reference``).
Messages without a published source are marked UNCONFIRMED where they are written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xero_sandbox import errors, wire
from xero_sandbox.context import ApiContext
from xero_sandbox.resources import doc_common, money, rules
from xero_sandbox.resources.doc_common import text
from xero_sandbox.resources.doc_lines import build_lines, has, pick
from xero_sandbox.state import Org, Record, new_id

CREATABLE = (
    "SPEND",
    "RECEIVE",
    "RECEIVE-OVERPAYMENT",
    "RECEIVE-PREPAYMENT",
    "SPEND-OVERPAYMENT",
    "SPEND-PREPAYMENT",
)
TRANSFER_TYPES = ("RECEIVE-TRANSFER", "SPEND-TRANSFER")
OVERPAYMENT_TYPES = ("RECEIVE-OVERPAYMENT", "SPEND-OVERPAYMENT")
PREPAYMENT_TYPES = ("RECEIVE-PREPAYMENT", "SPEND-PREPAYMENT")
CREDIT_TYPES = OVERPAYMENT_TYPES + PREPAYMENT_TYPES
LABEL = "Bank Transaction"
# UNCONFIRMED: Xero's wording for these refusals; written in the style of its payment messages
# ("This payment has been reconciled and cannot be deleted", xero-facts 5.4).
RECONCILED_EDIT = "This bank transaction has been reconciled and cannot be edited"
RECONCILED_DELETE = "This bank transaction has been reconciled and cannot be deleted"


def is_receive(bank_type: str) -> bool:
    return bank_type.startswith("RECEIVE")


def account_ref(account: Record) -> Record:
    """How an account shows inside a bank transaction or transfer (the spec's examples)."""
    return {"AccountID": account["AccountID"], "Code": account.get("Code"), "Name": account["Name"]}


def account_currency(org: Org, account: Record) -> str:
    return str(account.get("CurrencyCode") or org.base_currency).upper()


def bank_account(org: Org, ref: Any, field: str) -> tuple[Record | None, list[str]]:
    """The BANK account an element names by AccountID or Code.

    UNCONFIRMED: Xero's messages for a missing, unknown or non-bank account here.
    """
    if not isinstance(ref, dict):
        return None, [f"A {field} with an AccountID or a Code is required."]
    account_id = str(pick(ref, "AccountID") or "").strip().lower()
    code = str(pick(ref, "Code") or "").strip()
    if not account_id and not code:
        return None, [f"A {field} with an AccountID or a Code is required."]
    if account_id:
        found = next(
            (a for a in org.accounts.values() if a["AccountID"].lower() == account_id), None
        )
    else:
        found = org.account_by_code(code)
    shown = code or account_id
    if found is None:
        return None, [f"The {field} '{shown}' could not be found."]
    if found.get("Type") != "BANK":
        return None, [f"Account code '{found.get('Code')}' is not a bank account."]
    if found.get("Status") != "ACTIVE":
        return None, [f"The bank account '{found.get('Code')}' has been archived or deleted."]
    return found, []


def system_account(org: Org, kind: str) -> Record | None:
    """Accounts Receivable (DEBTORS) or Accounts Payable (CREDITORS)."""
    return next((a for a in org.accounts.values() if a.get("SystemAccount") == kind), None)


@dataclass
class BankPlan:
    record: Record
    existing: Record | None
    new_contact: str | None = None


def _type(element: dict[str, Any], existing: Record | None) -> str:
    given = text(element, "Type")
    if not given:
        if existing is not None:
            return str(existing["Type"])
        raise errors.element_error(f"{LABEL} Type must be specified.")
    bank_type = given.upper()
    if bank_type in TRANSFER_TYPES:
        # UNCONFIRMED wording; the rule (transfers only through BankTransfers) is the spec's.
        raise errors.element_error(
            f"Bank transactions of type {bank_type} can only be created by a bank transfer."
        )
    if bank_type not in CREATABLE:
        raise errors.post_data_invalid(
            f'JSON for post data was invalid,Error converting value "{given}" to type '
            "'BankTransactionType'. Path 'Type'."
        )
    if existing is not None and bank_type != existing["Type"]:
        raise errors.element_error(f"The {LABEL} Type cannot be changed.")
    return bank_type


def _status(element: dict[str, Any], existing: Record | None) -> str:
    status = (text(element, "Status") or (existing or {}).get("Status") or "AUTHORISED").upper()
    if existing is None and status != "AUTHORISED":
        raise errors.element_error(f"{LABEL} not of valid status for creation")
    if existing is not None and (
        existing["Status"] == "DELETED" or status not in ("AUTHORISED", "DELETED")
    ):
        raise errors.element_error(f"{LABEL} not of valid status for modification")
    return status


def _changes_only_flag(element: dict[str, Any]) -> bool:
    kept = {"banktransactionid", "status", "isreconciled", "type"}
    return all(str(k).lower() in kept for k in element)


def update_refusal(element: dict[str, Any], existing: Record, status: str) -> str | None:
    """Why Xero would not change this stored transaction, or None."""
    if existing["Type"] in TRANSFER_TYPES:
        # UNCONFIRMED wording: transfer sides change only through the BankTransfers endpoint.
        return "A bank transaction created by a bank transfer can only be changed through it."
    if existing.get("IsReconciled") and status == "DELETED":
        return RECONCILED_DELETE
    if existing.get("IsReconciled") and not _changes_only_flag(element):
        return RECONCILED_EDIT
    if existing["Type"] in CREDIT_TYPES and not (
        status == "DELETED" or _changes_only_flag(element)
    ):
        # Xero's API does not update overpayments or prepayments (Databuzz, fmAccounting notes).
        return "An overpayment or prepayment bank transaction cannot be edited."
    return None


def prepare(ctx: ApiContext, element: dict[str, Any], existing: Record | None) -> BankPlan:
    """Check a whole element and work out the record; ElementErrors lists every problem."""
    org = ctx.org
    bank_type = _type(element, existing)
    status = _status(element, existing)
    if existing is not None:
        refusal = update_refusal(element, existing, status)
        if refusal:
            raise errors.element_error(refusal)
        locked = rules.lock_date_errors(org, existing["Date"])
        if locked and (status == "DELETED" or not _changes_only_flag(element)):
            raise errors.ElementErrors(locked)
    old: Record = existing or {}
    record: Record = dict(old)
    record.update({"Type": bank_type, "Status": status})
    record.setdefault("BankTransactionID", new_id())
    plan = BankPlan(record, existing)
    problems: list[str] = []
    reconciled = pick(element, "IsReconciled")
    if reconciled is not None:
        record["IsReconciled"] = wire.parse_bool(reconciled, "IsReconciled")
    record.setdefault("IsReconciled", False)
    if existing is not None and _changes_only_flag(element):
        return plan

    account = None
    if has(element, "BankAccount") or existing is None:
        account, found = bank_account(org, pick(element, "BankAccount"), "BankAccount")
        problems.extend(found)
        if account is not None:
            record["BankAccount"] = account_ref(account)
    else:
        account = org.accounts.get(old["BankAccount"]["AccountID"])

    _, plan.new_contact, contact_problems = doc_common.contact_ref(ctx, element, record, existing)
    problems.extend(contact_problems)

    record["Date"] = doc_common.day(element, "Date") or old.get("Date") or ctx.state.clock.today()
    problems.extend(rules.lock_date_errors(org, record["Date"]))

    currency = account_currency(org, account) if account is not None else org.base_currency
    given_currency = text(element, "CurrencyCode")
    if given_currency and given_currency.upper() != currency:
        # UNCONFIRMED wording; Xero keeps a bank transaction in its bank account's currency.
        problems.append(
            f"The currency {given_currency.upper()} does not match the currency of the bank "
            f"account ({currency})."
        )
    record["CurrencyCode"] = currency
    if bank_type in PREPAYMENT_TYPES and currency != org.base_currency:
        # help.xero.com: "Xero does not offer multi-currency for prepayments". UNCONFIRMED text.
        problems.append("Prepayments can only be made in the base currency.")
    problems.extend(doc_common.currency_rate(org, element, record))

    problems.extend(_lines(ctx, element, record, old))

    reference = text(element, "Reference")
    # The spec keeps Reference to SPEND and RECEIVE; a prepayment's Reference is its invoice
    # number. UNCONFIRMED: an overpayment keeps the one sent (GET /Overpayments filters by
    # References, and the Overpayment schema has one).
    if reference is not None and bank_type not in PREPAYMENT_TYPES:
        record["Reference"] = reference
    problems.extend(doc_common.url(element, record))
    if problems:
        raise errors.ElementErrors(problems)
    return plan


def _amount_types(element: dict[str, Any], old: Record, bank_type: str) -> str:
    if bank_type in OVERPAYMENT_TYPES:
        return "NoTax"
    return doc_common.amount_types(text(element, "LineAmountTypes"), old.get("LineAmountTypes"))


def _lines(ctx: ApiContext, element: dict[str, Any], record: Record, old: Record) -> list[str]:
    """Price the lines into ``record``; the problems Xero would list for them."""
    bank_type = record["Type"]
    amount_types = _amount_types(element, old, bank_type)
    record["LineAmountTypes"] = amount_types
    raw_lines = pick(element, "LineItems")
    if raw_lines is None:
        raw_lines = [{"LineItemID": line["LineItemID"]} for line in old.get("LineItems", [])]
    overpayment = bank_type in OVERPAYMENT_TYPES
    if overpayment:
        # Xero codes an overpayment's line itself, to AR or AP, without tax.
        raw_lines = [
            {k: v for k, v in wire.parse_object(line, "LineItems").items() if _kept(k)}
            for line in wire.parse_list(raw_lines, "LineItems")
        ]
    lines, figures, problems = build_lines(
        ctx.org,
        "ACCREC" if is_receive(bank_type) else "ACCPAY",
        raw_lines,
        list(old.get("LineItems", [])),
        amount_types=amount_types,
        need_account=not overpayment,
        unitdp=ctx.unitdp,
    )
    if any(line.get("DiscountRate") or line.get("DiscountAmount") for line in lines):
        # UNCONFIRMED wording: bank transaction lines carry no discount in the spec's examples.
        problems.append("Discounts are not supported on bank transactions.")
    if not lines:
        problems.append(f"A {LABEL} must have at least one line item.")  # UNCONFIRMED wording
    if overpayment and len(lines) > 1:
        problems.append("An overpayment can only have one line item.")  # UNCONFIRMED wording
    if overpayment:
        control = system_account(ctx.org, "DEBTORS" if is_receive(bank_type) else "CREDITORS")
        if control is None:
            # UNCONFIRMED wording; every Xero chart has these system accounts.
            problems.append("The organisation has no Accounts Receivable or Payable account.")
        for line in lines:
            if control is not None:
                line["AccountCode"] = control["Code"]
                line["AccountID"] = control["AccountID"]
            line["TaxType"] = "NONE"
    record["LineItems"] = lines
    totals = money.document_totals(figures, amount_types)
    record.update(
        {"SubTotal": totals.sub_total, "TotalTax": totals.total_tax, "Total": totals.total}
    )
    if totals.total < 0:
        problems.append(f"{LABEL} total cannot be negative.")  # UNCONFIRMED wording
    return problems


def _kept(name: Any) -> bool:
    return str(name).lower() not in ("accountcode", "accountid", "taxtype", "taxamount")
