"""Payments: a payment recorded in the app on an invoice or expense becomes a Xero Payment.

It goes once its document is in Xero and approved (AUTHORISED: a payment on a draft is refused
before any call, a document on its way is waited for), against the payment's own account or the
connection's ``payment_account_code`` (a bank account, or one with payments enabled), never
above what is still due (payments of one claim on one document are added up first). Xero lets a
payment be deleted, not changed: status ``deleted`` deletes it (``POST /Payments/{id}``, one per
request as Xero takes it); any other change is held. Payments have no Url or number: a lost
create is found among its document's payments by amount, date, account and reference.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from ledgerlink.documents.payment import Payment
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import (
    CheckContext,
    DocumentKind,
    LinkView,
    Needed,
    Prepared,
    Record,
)
from ledgerlink.mapping.status import Decision, Send, Skip, not_editable
from ledgerlink.xero import wire

CREATE_PATH = "/Payments?summarizeErrors=false"
# Where a Payment names what it pays: a credit note's (a refund) by its own field; the rest
# are Xero Invoices (invoices, bills, store orders).
_CREDIT_NOTE = ("CreditNote", "CreditNoteID")
_INVOICE = ("Invoice", "InvoiceID")
_PAID = {"credit_note": _CREDIT_NOTE}


def _paid_field(kind: str) -> tuple[str, str]:
    return _PAID.get(kind, _INVOICE)


def _paid_id(record: Record) -> str:
    """The Xero id of what a Payment record pays (its invoice or its credit note)."""
    for key, id_field in (_INVOICE, _CREDIT_NOTE):
        found = (record.get(key) or {}).get(id_field)
        if found:
            return str(found).lower()
    return ""


def _account(document: Any, settings: Any) -> str | None:
    code = document.account_code or (settings or {}).get("payment_account_code")
    return str(code).strip() or None if code else None


class PaymentKind(DocumentKind):
    name = "payment"
    model = Payment
    schema_name = "Payment"
    noun = "payment"
    resource = "Payments"
    id_field = "PaymentID"
    stage = 3
    has_lines = False
    takes_unitdp = False
    read_by = "where"
    source_words = {"AUTHORISED": "recorded", "DELETED": "deleted"}
    # The paid documents are read fresh before payments are checked against what is due.
    refresh_dependencies = True

    def account_choices(self, accounts: Iterable[Record], variant: str | None) -> list[Record]:
        """Bank accounts, and accounts with payments enabled: what Xero takes a payment on."""
        return [
            a
            for a in accounts
            if str(a.get("Status") or "ACTIVE") == "ACTIVE"
            and (a.get("Type") == "BANK" or a.get("EnablePaymentsToAccount"))
        ]

    def xero_type(self, document: Any) -> str:
        return "PAYMENT"

    def deep_link_kind(self, link_type: str | None) -> str:
        return "PAYMENT"

    def routes_with(self, document: Any) -> tuple[str, str] | None:
        return document.document.kind, document.document.source_id

    def requires(self, document: Any, link: LinkView | None) -> list[Needed]:
        if link is not None or document.status == "deleted":
            return []
        paid = document.document
        return [Needed(paid.kind, paid.source_id, "document.source_id", frozenset({"AUTHORISED"}))]

    def wanted_status(self, document: Any) -> str:
        return "DELETED" if document.status == "deleted" else "AUTHORISED"

    def decide(self, document: Any, link: LinkView | None) -> Decision:
        wanted = self.wanted_status(document)
        if link is None:
            return Skip("deleted before it reached Xero") if wanted == "DELETED" else Send(wanted)
        if link.status == "DELETED":
            if wanted == "DELETED":
                return Skip("already deleted in Xero")
            return not_editable(
                "The payment was deleted in Xero: record it again with a new source_id.", "status"
            )
        if wanted == "DELETED":
            return Send("DELETED")
        return not_editable(
            "Xero does not let a payment be changed: send it with status deleted, then record "
            "the corrected payment with a new source_id.",
            "amount",
        )

    def checks(self, document: Any, context: CheckContext) -> list[LedgerlinkError]:
        problems: list[LedgerlinkError] = []
        code = _account(document, context.settings)
        if code is None:
            problems.append(
                LedgerlinkError(
                    "PAYMENT_ACCOUNT_MISSING",
                    "account_code is missing: the payment names no account and the connection "
                    "has no payment_account_code.",
                    field="account_code",
                )
            )
        else:
            account = context.reference.account(code)
            if account is None or account.get("Status", "ACTIVE") != "ACTIVE":
                problems.append(
                    LedgerlinkError(
                        "XERO_ACCOUNT_CODE_INVALID",
                        f"account_code '{code}' is not an active account in the organisation.",
                        field="account_code",
                    )
                )
            elif account.get("Type") != "BANK" and not account.get("EnablePaymentsToAccount"):
                problems.append(
                    LedgerlinkError(
                        "PAYMENT_INVALID",
                        f"account_code '{code}' ({account.get('Name')}) is neither a bank "
                        "account nor one with payments enabled in Xero.",
                        field="account_code",
                    )
                )
        paid = document.document
        target = context.links.get((paid.kind, paid.source_id))
        if target is not None and target.amount_due is not None:
            promised = context.spent.get(target.xero_id, Decimal(0))
            left = target.amount_due - promised
            if document.amount > left:
                problems.append(
                    LedgerlinkError(
                        "PAYMENT_INVALID",
                        f"amount {document.amount} is more than the {left} still due on "
                        f"{paid.kind} {paid.source_id!r}: Xero refuses overpayments.",
                        field="amount",
                    )
                )
            elif not problems:
                context.spent[target.xero_id] = promised + document.amount
        return problems

    def write_target(self, update: bool, gone: bool, unitdp: int, link: Any) -> tuple[str, str]:
        if gone and link is not None:
            return "POST", f"/Payments/{link.xero_id}"
        return "PUT", CREATE_PATH

    def batches(self, method: str, path: str) -> bool:
        return path == CREATE_PATH

    def to_xero(self, document: Any, prepared: Prepared) -> Record:
        if prepared.status == "DELETED" and prepared.existing is not None:
            return {"PaymentID": prepared.existing.xero_id, "Status": "DELETED"}
        paid = document.document
        target = (prepared.resolved or {})[(paid.kind, paid.source_id)]
        key, id_field = _paid_field(paid.kind)
        body: Record = {
            key: {id_field: target.xero_id},
            "Account": {"Code": _account(document, prepared.settings)},
            "Date": document.date.isoformat(),
            "Amount": document.amount,
        }
        if document.reference:
            body["Reference"] = document.reference
        return body

    def link_values(self, record: Record) -> dict[str, Any]:
        values: dict[str, Any] = {
            "xero_id": record.get("PaymentID"),
            "xero_status": record.get("Status"),
            "xero_type": "PAYMENT",
        }
        if record.get("Amount") is not None:
            values["total"] = str(Decimal(str(record["Amount"])))
        account = record.get("Account") or {}
        values["details"] = {
            key: value
            for key, value in (
                ("document_xero_id", _paid_id(record)),
                ("account_code", account.get("Code")),
                ("date", str(wire.parse_day(record.get("Date")) or "") or None),
            )
            if value
        }
        return values

    def lookup_queries(self, sent: Sequence[Record]) -> list[tuple[str, dict[str, str]]]:
        found: list[tuple[str, dict[str, str]]] = []
        for key, id_field in (_INVOICE, _CREDIT_NOTE):
            ids = sorted({str((e.get(key) or {}).get(id_field) or "") for e in sent} - {""})
            found += [
                (
                    "/Payments",
                    {"where": " OR ".join(f"{key}.{id_field}=={_guid(i)}" for i in chunk)},
                )
                for chunk in (ids[n : n + 25] for n in range(0, len(ids), 25))
            ]
        return found

    def matches(self, sent: Record, found: Record) -> bool:
        if found.get("Status") == "DELETED":
            return False
        sent_invoice = _paid_id(sent)
        found_invoice = _paid_id(found)
        same_account = str((found.get("Account") or {}).get("Code") or "") == str(
            (sent.get("Account") or {}).get("Code") or ""
        ) or not (found.get("Account") or {}).get("Code")
        return (
            sent_invoice == found_invoice
            and Decimal(str(found.get("Amount", "0"))) == Decimal(str(sent.get("Amount")))
            and str(wire.parse_day(found.get("Date"))) == str(sent.get("Date"))
            and str(found.get("Reference") or "") == str(sent.get("Reference") or "")
            and same_account
        )


def _guid(value: str) -> str:
    return f"guid({json.dumps(value)})"


KIND = PaymentKind()
