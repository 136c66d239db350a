"""Overpayments and prepayments: the credits a bank transaction opens for its contact.

Xero creates them only through BankTransactions (RECEIVE-/SPEND-OVERPAYMENT and -PREPAYMENT);
the Overpayments and Prepayments endpoints read them, allocate them to invoices
(``allocations``) and a payment refunds them (``payments``). Their balance works like a credit
note's: RemainingCredit is the total less allocations and refunds, and the credit is PAID once
nothing remains.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from starlette.responses import Response

from xero_sandbox import errors, query, wire
from xero_sandbox.context import ApiContext, envelope
from xero_sandbox.resources.bank_rules import is_receive
from xero_sandbox.routing import ApiRoute
from xero_sandbox.state import Org, Record, new_id

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CreditKind:
    label: str
    key: str
    id_field: str
    collection: str
    types: tuple[str, str]
    # Payment types of a refund (the Payment schema's enum), by the credit's Type.
    payment_types: dict[str, str]
    # Journal source types (the Journal schema's enum), by the credit's Type.
    source_types: dict[str, str]


def _kind(label: str) -> CreditKind:
    """A credit kind, every name of which follows from its label (the spec's enums)."""
    name = label.upper()
    return CreditKind(
        label=label,
        key=f"{label}s",
        id_field=f"{label}ID",
        collection=f"{label.lower()}s",
        types=(f"RECEIVE-{name}", f"SPEND-{name}"),
        payment_types={f"RECEIVE-{name}": f"AR{name}PAYMENT", f"SPEND-{name}": f"AP{name}PAYMENT"},
        source_types={f"RECEIVE-{name}": f"AR{name}", f"SPEND-{name}": f"AP{name}"},
    )


OVERPAYMENT = _kind("Overpayment")
PREPAYMENT = _kind("Prepayment")

KINDS = (OVERPAYMENT, PREPAYMENT)


def kind_of_type(bank_type: str) -> CreditKind | None:
    return next((k for k in KINDS if bank_type in k.types), None)


def kind_by_key(key: str) -> CreditKind | None:
    return next((k for k in KINDS if k.key == key), None)


def records(org: Org, kind: CreditKind) -> dict[str, Record]:
    collection: dict[str, Record] = getattr(org, kind.collection)
    return collection


def find(org: Org, kind: CreditKind, ref: str) -> Record | None:
    wanted = ref.strip().lower()
    return next(
        (r for r in records(org, kind).values() if r[kind.id_field].lower() == wanted), None
    )


def balance(record: Record) -> None:
    """RemainingCredit and AppliedAmount from allocations and refunds; PAID when used up."""
    allocated = sum((a["Amount"] for a in record.get("Allocations", [])), ZERO)
    refunded = sum((p["Amount"] for p in record.get("Payments", [])), ZERO)
    closed = record["Status"] == "VOIDED"
    record["AppliedAmount"] = allocated + refunded
    record["RemainingCredit"] = ZERO if closed else record["Total"] - allocated - refunded
    if record["Status"] == "AUTHORISED" and record["RemainingCredit"] <= 0:
        record["Status"] = "PAID"
    elif record["Status"] == "PAID" and record["RemainingCredit"] > 0:
        record["Status"] = "AUTHORISED"


def refresh(ctx: ApiContext, record: Record) -> None:
    """After money moved: new balance and UpdatedDateUTC. Xero sends no webhook for these
    (xero-facts 8: PREPAYMENT/OVERPAYMENT events are unconfirmed in the snapshot)."""
    balance(record)
    ctx.state.stamp(record)


def open_credit(ctx: ApiContext, kind: CreditKind, bank: Record) -> Record:
    """The Overpayment or Prepayment a new bank transaction of that type makes."""
    credit_id = new_id()
    record: Record = {
        kind.id_field: credit_id,
        "Type": bank["Type"],
        "Contact": dict(bank["Contact"]),
        "Date": bank["Date"],
        "Status": "AUTHORISED",
        "LineAmountTypes": bank["LineAmountTypes"],
        "LineItems": [dict(line) for line in bank["LineItems"]],
        "SubTotal": bank["SubTotal"],
        "TotalTax": bank["TotalTax"],
        "Total": bank["Total"],
        "CurrencyCode": bank["CurrencyCode"],
        "CurrencyRate": bank["CurrencyRate"],
        "Allocations": [],
        "Payments": [],
        "HasAttachments": False,
        "_bank_transaction": bank["BankTransactionID"],
        "_app": ctx.client_id,
    }
    if kind is PREPAYMENT and is_receive(bank["Type"]):
        # help.xero.com: "Receive money prepayments receive invoice numbers in line with sales
        # invoices"; the spec's Prepayment.Reference "Returns Invoice number field".
        number = ctx.org.next_number("INV")
        record["InvoiceNumber"] = number
        record["Reference"] = number
    elif kind is OVERPAYMENT and bank.get("Reference"):
        record["Reference"] = bank["Reference"]
    balance(record)
    ctx.state.stamp(record)
    records(ctx.org, kind)[credit_id] = record
    bank[kind.id_field] = credit_id
    return record


def close_credit(ctx: ApiContext, kind: CreditKind, bank: Record) -> None:
    """A deleted overpayment or prepayment bank transaction voids its credit."""
    credit = records(ctx.org, kind).get(bank.get(kind.id_field) or "")
    if credit is not None:
        credit["Status"] = "VOIDED"
        refresh(ctx, credit)


def has_money_applied(ctx: ApiContext, bank: Record) -> bool:
    kind = kind_of_type(bank["Type"])
    if kind is None:
        return False
    credit = records(ctx.org, kind).get(bank.get(kind.id_field) or "")
    return credit is not None and bool(credit.get("Allocations") or credit.get("Payments"))


def ref(kind: CreditKind, record: Record) -> Record:
    """How a credit shows inside a payment or an allocation."""
    return {
        kind.id_field: record[kind.id_field],
        "Type": record["Type"],
        "Status": record["Status"],
        "Total": record["Total"],
        "RemainingCredit": record["RemainingCredit"],
        "CurrencyCode": record["CurrencyCode"],
        "Contact": dict(record["Contact"]),
    }


def present(ctx: ApiContext, kind: CreditKind, record: Record) -> Record:
    shown = dict(record)
    contact = ctx.org.contacts.get(record["Contact"].get("ContactID", ""))
    if contact is not None:
        shown["Contact"] = dict(contact)
    shown["DateString"] = wire.iso_date_string(record["Date"])
    shown["UpdatedDateUTCString"] = wire.iso_date_string(record["UpdatedDateUTC"])
    shown["Allocations"] = [dict(a) for a in record.get("Allocations", [])]
    return shown


def _list(ctx: ApiContext, kind: CreditKind) -> Response:
    found = query.modified_since(ctx, list(records(ctx.org, kind).values()))
    if kind is OVERPAYMENT:
        wanted = {r.lower() for r in ctx.query.csv("References")}
        if wanted:
            found = [r for r in found if str(r.get("Reference") or "").lower() in wanted]
    else:
        numbers = {n.lower() for n in ctx.query.csv("InvoiceNumbers")}
        if numbers:
            found = [r for r in found if str(r.get("InvoiceNumber") or "").lower() in numbers]
    shown = query.where_filter(ctx, [present(ctx, kind, r) for r in found])
    shown = query.order_by(ctx, shown, "UpdatedDateUTC")
    chosen, pagination = query.paginate(ctx, shown)
    return envelope(ctx, kind.key, chosen, pagination=pagination)


def _one(ctx: ApiContext, kind: CreditKind) -> Response:
    record = find(ctx.org, kind, ctx.params[kind.id_field])
    if record is None:
        raise errors.NotFound()
    return envelope(ctx, kind.key, [present(ctx, kind, record)])


def get_overpayments(ctx: ApiContext) -> Response:
    return _list(ctx, OVERPAYMENT)


def get_overpayment(ctx: ApiContext) -> Response:
    return _one(ctx, OVERPAYMENT)


def get_prepayments(ctx: ApiContext) -> Response:
    return _list(ctx, PREPAYMENT)


def get_prepayment(ctx: ApiContext) -> Response:
    return _one(ctx, PREPAYMENT)


ROUTES: list[ApiRoute] = [
    ApiRoute("GET", "/Overpayments/{OverpaymentID}", get_overpayment),
    ApiRoute("GET", "/Overpayments", get_overpayments),
    ApiRoute("GET", "/Prepayments/{PrepaymentID}", get_prepayment),
    ApiRoute("GET", "/Prepayments", get_prepayments),
]
