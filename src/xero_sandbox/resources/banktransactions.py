"""The BankTransactions endpoints: spend and receive money, and the credits they open.

GET takes where, order, page, unitdp and If-Modified-Since; PUT creates, POST creates or
updates (matched by BankTransactionID), POST by id updates one; ``{"Status": "DELETED"}``
deletes. An overpayment or prepayment type also makes the Overpayment or Prepayment record and
comes back with its OverpaymentID or PrepaymentID. Xero sends no webhook for bank transactions
(xero-facts 8), so none is emitted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from xero_sandbox import errors, query, wire
from xero_sandbox.batch import run_batch
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources import bank_postings, credits, doc_common
from xero_sandbox.resources.bank_rules import BankPlan, prepare
from xero_sandbox.resources.doc_kinds import _unit_to_2dp
from xero_sandbox.resources.doc_lines import pick
from xero_sandbox.resources.ref_common import find_record
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Record

KEY = "BankTransactions"
# Importing the posters registers them with the ledger (xero_sandbox.ledger.SOURCES).
POSTERS = bank_postings
_APPLIED = "This document cannot be edited as it has a payment or credit note allocated to it."


def present(ctx: ApiContext, record: Record) -> Record:
    shown: Record = dict(record)
    contact_ref = record.get("Contact") or {}
    contact = ctx.org.contacts.get(contact_ref.get("ContactID", ""))
    if contact is not None:
        shown["Contact"] = dict(contact)
    account = ctx.org.accounts.get(record["BankAccount"]["AccountID"])
    if account is not None:
        shown["BankAccount"] = {
            "AccountID": account["AccountID"],
            "Code": account.get("Code"),
            "Name": account["Name"],
        }
    shown["DateString"] = wire.iso_date_string(record["Date"])
    shown["HasAttachments"] = False
    if ctx.unitdp == 2:
        shown["LineItems"] = [_unit_to_2dp(line) for line in record.get("LineItems", [])]
    return shown


def _find(ctx: ApiContext, ref: str) -> Record | None:
    return find_record(ctx.org.bank_transactions, "BankTransactionID", ref)


def list_bank_transactions(ctx: ApiContext) -> Response:
    found = query.modified_since(ctx, list(ctx.org.bank_transactions.values()))
    shown = query.where_filter(ctx, [present(ctx, r) for r in found])
    shown = query.order_by(ctx, shown, "UpdatedDateUTC")
    # The spec makes LineItems a required property of every BankTransaction it returns, so the
    # list keeps them with or without ``page`` (unlike invoices).
    chosen, pagination = query.paginate(ctx, shown)
    return envelope(ctx, KEY, chosen, pagination=pagination)


def get_bank_transaction(ctx: ApiContext) -> Response:
    record = _find(ctx, ctx.params["BankTransactionID"])
    if record is None:
        raise errors.NotFound()
    return envelope(ctx, KEY, [present(ctx, record)])


def commit(ctx: ApiContext, plan: BankPlan) -> Record:
    record = plan.record
    doc_common.make_contact_ref(ctx, record, plan.new_contact)
    record.setdefault("_app", ctx.client_id)
    record["HasAttachments"] = False
    kind = credits.kind_of_type(record["Type"])
    ctx.state.stamp(record)
    ctx.org.bank_transactions[record["BankTransactionID"]] = record
    if kind is not None and plan.existing is None:
        credits.open_credit(ctx, kind, record)
    elif kind is not None and record["Status"] == "DELETED":
        credits.close_credit(ctx, kind, record)
    return record


def _write(ctx: ApiContext, element: dict[str, Any], existing: Record | None) -> Record:
    if existing is not None and credits.has_money_applied(ctx, existing):
        raise errors.element_error(_APPLIED)
    return commit(ctx, prepare(ctx, element, existing))


def _upsert(ctx: ApiContext, element: dict[str, Any], create_only: bool) -> Record:
    given = pick(element, "BankTransactionID")
    if given is None or not str(given).strip():
        return _write(ctx, element, None)
    existing = _find(ctx, str(given))
    if existing is None:
        # UNCONFIRMED wording, as for invoices named by an unknown id.
        raise errors.element_error(f"Bank Transaction with ID '{given}' could not be found.")
    if create_only:
        raise errors.element_error(
            f"Bank Transaction with ID '{given}' already exists; use POST to update it."
        )
    return _write(ctx, element, existing)


def _batch(ctx: ApiContext, handle: Callable[[dict[str, Any]], Record]) -> Response:
    return run_batch(ctx, KEY, "BankTransaction", handle, present=lambda r: present(ctx, r))


def put_bank_transactions(ctx: ApiContext) -> Response:
    return _batch(ctx, lambda e: _upsert(ctx, e, True))


def post_bank_transactions(ctx: ApiContext) -> Response:
    return _batch(ctx, lambda e: _upsert(ctx, e, False))


def post_bank_transaction(ctx: ApiContext) -> Response:
    existing = _find(ctx, ctx.params["BankTransactionID"])
    if existing is None:
        raise errors.NotFound()
    return _batch(ctx, lambda e: _write(ctx, e, existing))


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/BankTransactions/{BankTransactionID}", get_bank_transaction),
    ApiRoute("POST", "/BankTransactions/{BankTransactionID}", post_bank_transaction),
    ApiRoute("GET", "/BankTransactions", list_bank_transactions),
    ApiRoute("PUT", "/BankTransactions", put_bank_transactions),
    ApiRoute("POST", "/BankTransactions", post_bank_transactions),
]
