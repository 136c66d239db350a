"""The chart of accounts: GET/PUT/POST/DELETE /Accounts.

Xero takes one account per PUT (of a list only the first is processed). System accounts cannot
be archived or deleted, bank details cannot be changed through the API, and an account that has
been used can only be archived, never deleted.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.ref_common import (
    account_used,
    find_record,
    flag,
    has,
    single_write,
    text,
    too_long,
)
from xero_sandbox.resources.rules import tax_rate
from xero_sandbox.routing import ApiRoute
from xero_sandbox.seed_charts import CLASS_OF_TYPE
from xero_sandbox.state import Record, new_id

BANK_FIELDS = ("BankAccountNumber", "BankAccountType", "CurrencyCode")
CODE_TOO_LONG = "Account Code is too long. Maximum of 10 characters allowed"
UNIQUE_NAME = "Please enter a unique Name."
UNIQUE_CODE = "Please enter a unique Code."


def _field_errors(ctx: ApiContext, element: dict[str, Any], current: Record | None) -> list[str]:
    """Checks shared by create and update; ``current`` is the account being updated."""
    messages: list[str] = []
    org = ctx.org
    code = text(element, "Code")
    name = text(element, "Name")
    type_ = text(element, "Type")
    if code is not None:
        code = code.strip()
        if len(code) > 10:
            messages.append(CODE_TOO_LONG)
        other = org.account_by_code(code) if code else None
        if other is not None and other is not current:
            messages.append(UNIQUE_CODE)
    if name is not None:
        messages += too_long(name, 150, "Name")
        wanted = name.strip().lower()
        if not wanted:
            messages.append("Please enter a Name.")
        elif any(
            a is not current and str(a.get("Name", "")).strip().lower() == wanted
            for a in org.accounts.values()
        ):
            messages.append(UNIQUE_NAME)
    if type_ is not None and type_.upper() not in CLASS_OF_TYPE:
        messages.append(f"Account Type '{type_}' is not a valid account type.")
    messages += too_long(text(element, "Description"), 4000, "Description")
    tax = text(element, "TaxType")
    if tax and (tax_rate(org, tax) is None):
        messages.append(f"The TaxType code '{tax}' does not exist or cannot be used.")
    return messages


def _create(ctx: ApiContext, element: dict[str, Any]) -> Record:
    messages = _field_errors(ctx, element, None)
    code = (text(element, "Code") or "").strip()
    name = text(element, "Name")
    type_ = (text(element, "Type") or "").upper()
    if not type_:
        messages.append("Please select an Account Type.")
    if not code and type_ != "BANK":
        messages.append("Please enter a Code.")
    if name is None:
        messages.append("Please enter a Name.")
    bank_number = text(element, "BankAccountNumber")
    if type_ == "BANK" and not bank_number:
        messages.append("Bank Account Number is required for a bank account.")
    currency = text(element, "CurrencyCode")
    if (
        currency
        and currency.upper() != ctx.org.base_currency
        and currency.upper() not in (ctx.org.currencies)
    ):
        messages.append(f"Organisation is not subscribed to currency {currency}")
    if messages:
        raise errors.ElementErrors(messages)
    klass = CLASS_OF_TYPE[type_]
    tax = text(element, "TaxType")
    record: Record = {
        "AccountID": new_id(),
        "Code": code or None,
        "Name": (name or "").strip(),
        "Type": type_,
        "Status": "ACTIVE",
        "TaxType": tax_rate(ctx.org, tax)["TaxType"] if tax else "BASEXCLUDED",  # type: ignore[index]
        "Description": text(element, "Description") or "",
        "Class": klass,
        "EnablePaymentsToAccount": type_ == "BANK"
        or bool(flag(element, "EnablePaymentsToAccount")),
        "ShowInExpenseClaims": bool(flag(element, "ShowInExpenseClaims")),
        "ReportingCode": text(element, "ReportingCode") or "",
        "ReportingCodeName": "",
        "HasAttachments": False,
        "AddToWatchlist": bool(flag(element, "AddToWatchlist")),
    }
    if type_ == "BANK":
        record["BankAccountNumber"] = bank_number
        record["BankAccountType"] = (text(element, "BankAccountType") or "BANK").upper()
        record["CurrencyCode"] = (currency or ctx.org.base_currency).upper()
    ctx.state.stamp(record)
    ctx.org.accounts[record["AccountID"]] = record
    return record


def _update(ctx: ApiContext, account: Record, element: dict[str, Any]) -> Record:
    messages = _field_errors(ctx, element, account)
    type_ = (text(element, "Type") or account["Type"]).upper()
    if type_ != account["Type"] and (
        account.get("SystemAccount") or "BANK" in (type_, account["Type"])
    ):
        messages.append(f"The account type of account '{account.get('Code')}' cannot be changed.")
    for field in BANK_FIELDS:
        if has(element, field) and account["Type"] == "BANK":
            given = text(element, field)
            if given is not None and given != account.get(field):
                messages.append("Bank account details cannot be updated through the API.")
                break
    status = text(element, "Status")
    if status is not None:
        status = status.upper()
        if status not in ("ACTIVE", "ARCHIVED"):
            messages.append("Account Status must be ACTIVE or ARCHIVED.")
        elif status == "ARCHIVED" and account.get("SystemAccount"):
            messages.append("System accounts cannot be archived.")
    if messages:
        raise errors.ElementErrors(messages)
    code = text(element, "Code")
    if code is not None and code.strip():
        account["Code"] = code.strip()
    name = text(element, "Name")
    if name is not None:
        account["Name"] = name.strip()
    account["Type"] = type_
    account["Class"] = CLASS_OF_TYPE[type_]
    for field in ("Description", "ReportingCode"):
        value = text(element, field)
        if value is not None:
            account[field] = value
    tax = text(element, "TaxType")
    if tax:
        account["TaxType"] = tax_rate(ctx.org, tax)["TaxType"]  # type: ignore[index]
    for field in ("EnablePaymentsToAccount", "ShowInExpenseClaims", "AddToWatchlist"):
        chosen = flag(element, field)
        if chosen is not None and not (field == "EnablePaymentsToAccount" and type_ == "BANK"):
            account[field] = chosen
    if status is not None:
        account["Status"] = status
    ctx.state.stamp(account)
    return account


def _account_or_404(ctx: ApiContext) -> Record:
    found = find_record(ctx.org.accounts, "AccountID", ctx.params["AccountID"])
    if found is None:
        raise errors.NotFound()
    return found


def list_accounts(ctx: ApiContext) -> Response:
    records = query.modified_since(ctx, list(ctx.org.accounts.values()))
    records = query.where_filter(ctx, records)
    return envelope(ctx, "Accounts", query.order_by(ctx, records, "Code"))


def get_account(ctx: ApiContext) -> Response:
    return envelope(ctx, "Accounts", [_account_or_404(ctx)])


def put_account(ctx: ApiContext) -> Response:
    return single_write(ctx, "Accounts", "Account", lambda e: _create(ctx, e))


def post_account(ctx: ApiContext) -> Response:
    account = _account_or_404(ctx)
    return single_write(ctx, "Accounts", "Account", lambda e: _update(ctx, account, e))


def delete_account(ctx: ApiContext) -> Response:
    account = _account_or_404(ctx)
    problems = []
    if account.get("SystemAccount"):
        problems.append("System accounts cannot be deleted.")
    elif account_used(ctx.org, account):
        problems.append(
            "This account has been used and cannot be deleted. Archive the account instead."
        )
    if problems:
        shown = dict(account)
        shown["ValidationErrors"] = [{"Message": m} for m in problems]
        raise errors.validation_exception([shown])
    del ctx.org.accounts[account["AccountID"]]
    account["Status"] = "DELETED"
    ctx.state.stamp(account)
    return envelope(ctx, "Accounts", [account])


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/Accounts/{AccountID}", get_account),
    ApiRoute("POST", "/Accounts/{AccountID}", post_account),
    ApiRoute("DELETE", "/Accounts/{AccountID}", delete_account),
    ApiRoute("GET", "/Accounts", list_accounts),
    ApiRoute("PUT", "/Accounts", put_account),
]
