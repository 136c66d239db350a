"""The BankTransfers endpoints: money moved between two of the organisation's bank accounts.

A transfer makes two bank transactions, a SPEND-TRANSFER out of the From account and a
RECEIVE-TRANSFER into the To account (its FromBankTransactionID and ToBankTransactionID), which
GET /BankTransactions lists as Xero does. PUT creates; the spec's POST /BankTransfers and
POST /BankTransfers/{id} take ``{"Status": "DELETED"}`` and delete, with both sides.

CurrencyRate is read-only in the spec: the sandbox keeps 1 between accounts of one currency and
otherwise takes the rate a caller sends (Xero would use its XE.com day rate), else 1.000000,
as the sandbox does for invoices.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query, wire
from xero_sandbox.batch import read_elements, run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources import money, rules
from xero_sandbox.resources.bank_rules import account_currency, account_ref, bank_account
from xero_sandbox.resources.doc_lines import pick, tracking_entries
from xero_sandbox.resources.money import cents
from xero_sandbox.resources.ref_common import find_record
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record, new_id

KEY = "BankTransfers"
ONE = Decimal("1.000000")
# UNCONFIRMED wording for the refusals below (Xero's messages were not found published).
SAME_ACCOUNT = "The From and To bank accounts must be different."
RECONCILED = "This bank transfer has been reconciled and cannot be deleted"


def present(record: Record) -> Record:
    shown = dict(record)
    shown["DateString"] = wire.iso_date_string(record["Date"])
    shown["CreatedDateUTCString"] = wire.iso_date_string(record["CreatedDateUTC"])
    return shown


def _amounts(
    ctx: ApiContext, element: dict[str, Any], source: Record, target: Record, amount: Decimal
) -> tuple[Decimal, Decimal, Decimal, list[str]]:
    """Rate, base-currency amount and the amount arriving in the To account."""
    base = ctx.org.base_currency
    out_currency = account_currency(ctx.org, source)
    in_currency = account_currency(ctx.org, target)
    if out_currency == in_currency:
        rate = ONE if out_currency == base else _rate(element)
        base_amount = amount if out_currency == base else cents(amount / rate)
        return rate, base_amount, amount, money.rate_errors(rate)
    rate = _rate(element)
    problems = money.rate_errors(rate)
    if problems:
        return rate, amount, amount, problems
    if out_currency == base:
        return rate, amount, cents(amount * rate), []
    if in_currency == base:
        return rate, cents(amount / rate), cents(amount / rate), []
    # UNCONFIRMED: a rate between two foreign currencies cannot be told from one CurrencyRate.
    return rate, amount, amount, ["A transfer between two foreign currencies is not supported."]


def _rate(element: dict[str, Any]) -> Decimal:
    given = pick(element, "CurrencyRate")
    return wire.parse_decimal(given, "CurrencyRate") if given not in (None, "") else ONE


def _side(
    ctx: ApiContext,
    transfer: Record,
    bank_type: str,
    account: Record,
    total: Decimal,
    other: Record,
) -> Record:
    """One bank transaction of a transfer. UNCONFIRMED: the line Xero shows on it."""
    line = {
        "LineItemID": new_id(),
        "Description": "Bank Transfer",
        "Quantity": Decimal("1.0000"),
        "UnitAmount": total,
        "LineAmount": total,
        "TaxAmount": Decimal("0.00"),
        "AccountCode": other.get("Code"),
        "AccountID": other["AccountID"],
        "TaxType": "NONE",
        "Tracking": [],
    }
    reconciled = transfer["FromIsReconciled" if bank_type == "SPEND-TRANSFER" else "ToIsReconciled"]
    record: Record = {
        "BankTransactionID": new_id(),
        "Type": bank_type,
        "BankAccount": account_ref(account),
        "Date": transfer["Date"],
        "Status": "AUTHORISED",
        "IsReconciled": reconciled,
        "LineAmountTypes": "NoTax",
        "LineItems": [line],
        "SubTotal": total,
        "TotalTax": Decimal("0.00"),
        "Total": total,
        "CurrencyCode": account_currency(ctx.org, account),
        "CurrencyRate": transfer["CurrencyRate"],
        "HasAttachments": False,
        "_transfer": transfer["BankTransferID"],
        "_app": ctx.client_id,
    }
    if transfer.get("Reference"):
        record["Reference"] = transfer["Reference"]
    ctx.state.stamp(record)
    ctx.org.bank_transactions[record["BankTransactionID"]] = record
    return record


def create_transfer(ctx: ApiContext, element: dict[str, Any]) -> Record:
    org = ctx.org
    source, problems = bank_account(org, pick(element, "FromBankAccount"), "FromBankAccount")
    target, more = bank_account(org, pick(element, "ToBankAccount"), "ToBankAccount")
    problems += more
    if source is not None and target is not None and source["AccountID"] == target["AccountID"]:
        problems.append(SAME_ACCOUNT)
    raw = pick(element, "Amount")
    amount = None
    if raw in (None, ""):
        problems.append("Amount must be specified.")  # UNCONFIRMED wording
    else:
        try:
            amount = money.amount(wire.parse_decimal(raw, "Amount"), "Amount")
        except money.MoneyError as exc:
            problems.append(str(exc))
        if amount is not None and amount <= 0:
            problems.append("Amount must be greater than zero.")  # UNCONFIRMED wording
    raw_date = pick(element, "Date")
    when = wire.parse_date(raw_date, "Date") if raw_date not in (None, "") else None
    when = when or ctx.state.clock.today()
    problems.extend(rules.lock_date_errors(org, when))
    from_tracking, tracking_problems = tracking_entries(org, pick(element, "FromTracking"), "From")
    to_tracking, more_tracking = tracking_entries(org, pick(element, "ToTracking"), "To")
    problems += tracking_problems + more_tracking
    rate, base_amount, arriving = ONE, Decimal(0), Decimal(0)
    if source is not None and target is not None and amount is not None and amount > 0:
        rate, base_amount, arriving, rate_problems = _amounts(ctx, element, source, target, amount)
        problems += rate_problems
    if problems or source is None or target is None or amount is None:
        raise errors.ElementErrors(problems)
    reference = pick(element, "Reference")
    transfer: Record = {
        "BankTransferID": new_id(),
        "CreatedDateUTC": ctx.state.clock.now(),
        "Date": when,
        "Status": "AUTHORISED",
        "FromBankAccount": account_ref(source),
        "ToBankAccount": account_ref(target),
        "Amount": amount,
        "CurrencyRate": rate,
        "FromIsReconciled": _flag(element, "FromIsReconciled"),
        "ToIsReconciled": _flag(element, "ToIsReconciled"),
        "Reference": wire.parse_str(reference, "Reference") if reference is not None else None,
        "HasAttachments": False,
        "FromTracking": from_tracking,
        "ToTracking": to_tracking,
        "_base_amount": base_amount,
        "_app": ctx.client_id,
    }
    spend = _side(ctx, transfer, "SPEND-TRANSFER", source, amount, target)
    receive = _side(ctx, transfer, "RECEIVE-TRANSFER", target, arriving, source)
    transfer["FromBankTransactionID"] = spend["BankTransactionID"]
    transfer["ToBankTransactionID"] = receive["BankTransactionID"]
    ctx.state.stamp(transfer)
    org.bank_transfers[transfer["BankTransferID"]] = transfer
    return transfer


def _flag(element: dict[str, Any], name: str) -> bool:
    value = pick(element, name)
    return wire.parse_bool(value, name) if value is not None else False


def list_transfers(ctx: ApiContext) -> Response:
    found = list(ctx.org.bank_transfers.values())
    if not ctx.query.flag("includeDeleted"):
        found = [r for r in found if r["Status"] != "DELETED"]
    found = query.modified_since(ctx, found)
    shown = query.where_filter(ctx, [present(r) for r in found])
    shown = query.order_by(ctx, shown, "Date")
    return envelope(ctx, KEY, shown)


def _find(ctx: ApiContext, ref: str) -> Record | None:
    return find_record(ctx.org.bank_transfers, "BankTransferID", ref)


def get_transfer(ctx: ApiContext) -> Response:
    record = _find(ctx, ctx.params["BankTransferID"])
    if record is None:
        raise errors.NotFound()
    return envelope(ctx, KEY, [present(record)])


def put_transfers(ctx: ApiContext) -> Response:
    return run_batch(ctx, KEY, "BankTransfer", lambda e: create_transfer(ctx, e), present=present)


def delete_transfer(ctx: ApiContext, transfer: Record | None, element: dict[str, Any]) -> Record:
    """Status DELETED: the transfer and both its bank transactions go."""
    if transfer is None:
        given = pick(element, "BankTransferID")
        if given is None or not str(given).strip():
            raise errors.element_error("A BankTransferID is required.")  # UNCONFIRMED wording
        transfer = _find(ctx, wire.parse_str(given, "BankTransferID"))
        if transfer is None:
            # UNCONFIRMED wording.
            raise errors.element_error(f"Bank Transfer with ID '{given}' could not be found.")
    status = wire.parse_str(pick(element, "Status") or "", "Status").upper()
    if status != "DELETED":
        # UNCONFIRMED wording: the spec's POST only deletes (BankTransferDelete).
        raise errors.element_error("A bank transfer can not be modified; it can only be deleted.")
    if transfer["Status"] == "DELETED":
        raise errors.element_error("This bank transfer has already been deleted.")
    if transfer.get("FromIsReconciled") or transfer.get("ToIsReconciled"):
        raise errors.element_error(RECONCILED)
    locked = rules.lock_date_errors(ctx.org, transfer["Date"])
    if locked:
        raise errors.ElementErrors(locked)
    transfer["Status"] = "DELETED"
    ctx.state.stamp(transfer)
    for side in ("FromBankTransactionID", "ToBankTransactionID"):
        bank = ctx.org.bank_transactions.get(transfer[side])
        if bank is not None:
            bank["Status"] = "DELETED"
            ctx.state.stamp(bank)
    return transfer


def post_transfers(ctx: ApiContext) -> Response:
    return run_batch(
        ctx, KEY, "BankTransfer", lambda e: delete_transfer(ctx, None, e), present=present
    )


def post_transfer(ctx: ApiContext) -> Response:
    transfer = _find(ctx, ctx.params["BankTransferID"])
    if transfer is None:
        raise errors.NotFound()
    element = read_elements(ctx, KEY, "BankTransfer")[0]
    try:
        delete_transfer(ctx, transfer, element)
    except errors.ElementErrors as failure:
        failed = dict(element)
        failed["ValidationErrors"] = [{"Message": m} for m in failure.messages]
        raise errors.validation_exception([failed]) from None
    return envelope(ctx, KEY, [present(transfer)])


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/BankTransfers/{BankTransferID}", get_transfer),
    ApiRoute("POST", "/BankTransfers/{BankTransferID}", post_transfer),
    ApiRoute("GET", "/BankTransfers", list_transfers),
    ApiRoute("PUT", "/BankTransfers", put_transfers),
    ApiRoute("POST", "/BankTransfers", post_transfers),
]
