"""The payments endpoints: paying approved invoices, refunding credit notes, overpayments and
prepayments (``Overpayment``/``Prepayment`` by id; PaymentType from the Payment schema's enum).

Xero never edits a payment: the one change it takes is ``{"Status": "DELETED"}``, which gives the
money back to the document (an invoice PAID by it goes back to AUTHORISED).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query, wire
from xero_sandbox.batch import read_elements, run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources import credits, money, rules
from xero_sandbox.resources.credits import CreditKind
from xero_sandbox.resources.doc_kinds import CREDIT_NOTE, INVOICE, DocKind, find_document, records
from xero_sandbox.resources.doc_lines import pick
from xero_sandbox.resources.doc_money import document_ref, touch
from xero_sandbox.resources.money import cents
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record, new_id

PAYMENT_TYPES = {
    "ACCREC": "ACCRECPAYMENT",
    "ACCPAY": "ACCPAYPAYMENT",
    "ACCRECCREDIT": "ARCREDITPAYMENT",
    "ACCPAYCREDIT": "APCREDITPAYMENT",
    **{t: p for kind in credits.KINDS for t, p in kind.payment_types.items()},
}
Kind = DocKind | CreditKind


def _credit_document(
    ctx: ApiContext, element: dict[str, Any]
) -> tuple[CreditKind | None, Record | None, list[str]]:
    for kind in credits.KINDS:
        ref = pick(element, kind.label)
        key = pick(ref, kind.id_field) if isinstance(ref, dict) else None
        if key:
            found = credits.find(ctx.org, kind, str(key))
            if found is None:
                return kind, None, [f"The {kind.label.lower()} '{key}' could not be found."]
            return kind, found, []
    return None, None, []


def _document(
    ctx: ApiContext, element: dict[str, Any]
) -> tuple[Kind | None, Record | None, list[str]]:
    credit_kind, credit, problems = _credit_document(ctx, element)
    if credit_kind is not None:
        return credit_kind, credit, problems
    for kind, name in ((INVOICE, "Invoice"), (CREDIT_NOTE, "CreditNote")):
        ref = pick(element, name)
        key = None
        if isinstance(ref, dict):
            key = pick(ref, kind.id_field) or pick(ref, kind.number_field)
        key = key or pick(element, kind.number_field)
        if key:
            found = find_document(ctx.org, kind, str(key))
            if found is None:
                return kind, None, [f"The {kind.label.lower()} '{key}' could not be found."]
            return kind, found, []
    return None, None, ["A payment must name an Invoice or a CreditNote (by ID or number)."]


def _account(ctx: ApiContext, element: dict[str, Any]) -> tuple[Record | None, list[str]]:
    ref = pick(element, "Account")
    if not isinstance(ref, dict):
        return None, ["A payment must name an Account by AccountID or Code."]
    account_id = str(pick(ref, "AccountID") or "").strip().lower()
    code = pick(ref, "Code")
    account = None
    if account_id:
        account = next(
            (a for a in ctx.org.accounts.values() if a["AccountID"].lower() == account_id), None
        )
    elif code:
        account = ctx.org.account_by_code(str(code))
    else:
        return None, ["A payment must name an Account by AccountID or Code."]
    shown = code or account_id
    if account is None or account.get("Status") != "ACTIVE":
        return None, [f"Account code '{shown}' is not a valid code for this document."]
    if account.get("Type") != "BANK" and not account.get("EnablePaymentsToAccount"):
        return None, [
            f"Account code '{account['Code']}' cannot take payments: use a BANK account or an "
            "account with EnablePaymentsToAccount."
        ]
    return account, []


def _amount_and_date(element: dict[str, Any]) -> tuple[Decimal | None, date | None, list[str]]:
    problems = []
    raw = pick(element, "Amount")
    amount = None
    try:
        amount = (
            money.amount(wire.parse_decimal(raw, "Amount"), "Amount") if raw is not None else None
        )
    except money.MoneyError as exc:
        problems.append(str(exc))
    else:
        if amount is None or amount <= 0:
            problems.append("The payment Amount must be greater than zero.")
    raw_date = pick(element, "Date")
    when = wire.parse_date(raw_date, "Date") if raw_date not in (None, "") else None
    if when is None:
        problems.append("The payment Date is required.")
    return amount, when, problems


def create_payment(ctx: ApiContext, element: dict[str, Any]) -> Record:
    kind, document, problems = _document(ctx, element)
    account, account_problems = _account(ctx, element)
    amount, when, more = _amount_and_date(element)
    problems += account_problems + more
    if document is not None and kind is not None:
        if document["Status"] != "AUTHORISED":
            problems.append("Payments can only be made against Authorised documents")
        else:
            due = document["AmountDue"] if kind is INVOICE else document["RemainingCredit"]
            if amount is not None and amount > due:
                problems.append("Payment amount exceeds the amount outstanding on this document")
    if when is not None:
        problems.extend(rules.lock_date_errors(ctx.org, when))
    reconciled = pick(element, "IsReconciled")
    is_reconciled = wire.parse_bool(reconciled, "IsReconciled") if reconciled is not None else False
    if problems or kind is None or document is None or account is None:
        raise errors.ElementErrors(problems)
    assert amount is not None and when is not None
    rate = Decimal("1.000000")
    if document["CurrencyCode"] != ctx.org.base_currency:
        given = pick(element, "CurrencyRate")
        rate = wire.parse_decimal(given, "CurrencyRate") if given else document["CurrencyRate"]
        rate_problems = money.rate_errors(rate)
        if rate_problems:
            raise errors.ElementErrors(rate_problems)
    reference = pick(element, "Reference")
    payment: Record = {
        "PaymentID": new_id(),
        "Date": when,
        "Amount": amount,
        "BankAmount": amount if rate == 1 else cents(amount / rate),
        "CurrencyRate": rate,
        "Reference": wire.parse_str(reference, "Reference") if reference is not None else None,
        "IsReconciled": is_reconciled,
        "Status": "AUTHORISED",
        "PaymentType": PAYMENT_TYPES[document["Type"]],
        "Account": {"AccountID": account["AccountID"], "Code": account["Code"]},
        "HasAccount": True,
        "HasValidationErrors": False,
        "_kind": kind.key,
        "_document": document[kind.id_field],
        "_app": ctx.client_id,
    }
    ctx.state.stamp(payment)
    ctx.org.payments[payment["PaymentID"]] = payment
    document.setdefault("Payments", []).append(
        {
            "PaymentID": payment["PaymentID"],
            "Date": when,
            "Amount": amount,
            "Reference": payment["Reference"],
            "CurrencyRate": rate,
            "HasAccount": True,
            "HasValidationErrors": False,
        }
    )
    _touch(ctx, kind, document)
    return payment


def _touch(ctx: ApiContext, kind: Kind, document: Record) -> None:
    if isinstance(kind, CreditKind):
        credits.refresh(ctx, document)
    else:
        touch(ctx, kind, document)


def _records(ctx: ApiContext, kind: Kind) -> dict[str, Record]:
    return (
        credits.records(ctx.org, kind) if isinstance(kind, CreditKind) else records(ctx.org, kind)
    )


def _kind_of(payment: Record) -> Kind:
    credit_kind = credits.kind_by_key(payment["_kind"])
    if credit_kind is not None:
        return credit_kind
    return INVOICE if payment["_kind"] == INVOICE.key else CREDIT_NOTE


def present(ctx: ApiContext, payment: Record) -> Record:
    shown = dict(payment)
    kind = _kind_of(payment)
    document = _records(ctx, kind).get(payment["_document"])
    if document is not None:
        if isinstance(kind, CreditKind):
            shown[kind.label] = credits.ref(kind, document)
        else:
            shown[kind.key[:-1]] = document_ref(kind, document)
    shown["UpdatedDateUTCString"] = wire.iso_date_string(payment["UpdatedDateUTC"])
    return shown


def put_payments(ctx: ApiContext) -> Response:
    return run_batch(
        ctx,
        "Payments",
        "Payment",
        lambda element: create_payment(ctx, element),
        present=lambda p: present(ctx, p),
    )


def get_payments(ctx: ApiContext) -> Response:
    found = query.modified_since(ctx, list(ctx.org.payments.values()))
    shown = query.where_filter(ctx, [present(ctx, p) for p in found])
    shown = query.order_by(ctx, shown, "UpdatedDateUTC")
    chosen, pagination = query.paginate(ctx, shown)
    return envelope(ctx, "Payments", chosen, pagination=pagination)


def _payment(ctx: ApiContext) -> Record:
    wanted = ctx.params["PaymentID"].strip().lower()
    found = next((p for p in ctx.org.payments.values() if p["PaymentID"].lower() == wanted), None)
    if found is None:
        raise errors.NotFound()
    return found


def get_payment(ctx: ApiContext) -> Response:
    return envelope(ctx, "Payments", [present(ctx, _payment(ctx))])


def _refuse(element: dict[str, Any], message: str) -> errors.ApiException:
    failed = dict(element)
    failed["ValidationErrors"] = [{"Message": message}]
    return errors.validation_exception([failed])


def delete_payment(ctx: ApiContext) -> Response:
    """POST /Payments/{id} with Status DELETED: the only change Xero lets a payment take."""
    payment = _payment(ctx)
    element = read_elements(ctx, "Payments", "Payment")[0]
    status = str(pick(element, "Status") or "").upper()
    if status != "DELETED":
        raise _refuse(element, "A payment can not be modified; it can only be deleted.")
    if payment["Status"] == "DELETED":
        raise _refuse(element, "This payment has already been deleted.")
    if payment.get("IsReconciled"):
        raise _refuse(element, "This payment has been reconciled and cannot be deleted")
    locked = rules.lock_date_errors(ctx.org, payment["Date"])
    if locked:
        raise _refuse(element, locked[0])
    kind = _kind_of(payment)
    payment["Status"] = "DELETED"
    ctx.state.stamp(payment)
    document = _records(ctx, kind).get(payment["_document"])
    if document is not None:
        document["Payments"] = [
            p for p in document.get("Payments", []) if p["PaymentID"] != payment["PaymentID"]
        ]
        _touch(ctx, kind, document)
    return envelope(ctx, "Payments", [present(ctx, payment)])


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/Payments/{PaymentID}", get_payment),
    ApiRoute("POST", "/Payments/{PaymentID}", delete_payment),
    ApiRoute("GET", "/Payments", get_payments),
    ApiRoute("PUT", "/Payments", put_payments),
    ApiRoute("POST", "/Payments", put_payments),
]
