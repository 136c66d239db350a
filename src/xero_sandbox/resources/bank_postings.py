"""What bank transactions, transfers and prepayment allocations post to the ledger.

Journal SourceTypes are the OpenAPI ``Journal.SourceType`` enum:
- SPEND posts CASHPAID (debit the line accounts and their tax, credit the bank), RECEIVE posts
  CASHREC (the reverse); the overpayment and prepayment types post AROVERPAYMENT,
  APOVERPAYMENT, ARPREPAYMENT and APPREPAYMENT with the same shape, an overpayment's single line
  being on Accounts Receivable or Payable (Xero codes it there).
- A transfer posts TRANSFER: debit the To account, credit the From account, in base currency.
  Its two bank transactions (SPEND-/RECEIVE-TRANSFER) post nothing of their own.
- UNCONFIRMED: how Xero journals a prepayment being used. Modelled as a credit note would be:
  each allocation, and each refund, moves its share of the prepayment's lines (and tax) back off
  their accounts against Accounts Receivable (Payable for a spend prepayment), dated as the
  allocation or refund. The refund's own payment (ARPREPAYMENTPAYMENT...) then posts AR/AP
  against the bank like any payment. An overpayment already sits on AR/AP, so its allocations
  move nothing (AR against AR) and post no journal.
Amounts are turned into base currency with the record's CurrencyRate (foreign / base), rounded
per line; the bank line takes the balance so every posting sums to zero. UNCONFIRMED: Xero's
rounding of foreign-currency journal lines.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from xero_sandbox.ledger import Line, Posting, register
from xero_sandbox.resources.bank_rules import TRANSFER_TYPES, is_receive, system_account
from xero_sandbox.resources.credits import PREPAYMENT, kind_of_type
from xero_sandbox.resources.money import cents
from xero_sandbox.state import Org, Record

ZERO = Decimal("0.00")
CASH_SOURCES = {"SPEND": "CASHPAID", "RECEIVE": "CASHREC"}


def _base(value: Decimal, rate: Decimal) -> Decimal:
    return value if rate == 1 else cents(value / rate)


def _line_parts(record: Record, line: Record) -> tuple[Decimal, Decimal]:
    """A line's net and tax, in base currency."""
    rate = record.get("CurrencyRate") or Decimal(1)
    tax = line.get("TaxAmount") or ZERO
    amount = line.get("LineAmount") or ZERO
    net = amount - tax if record["LineAmountTypes"] == "Inclusive" else amount
    return _base(net, rate), _base(tax, rate)


def _tracking(line: Record) -> tuple[tuple[str, str, str, str], ...]:
    return tuple(
        (t["TrackingCategoryID"], t["TrackingOptionID"], t["Name"], t["Option"])
        for t in line.get("Tracking") or []
    )


def _line(line: Record, sign: Decimal, net: Decimal, tax: Decimal) -> Line:
    """A priced line's account, signed net and tax, tax type, description and tracking."""
    return Line(
        account_id=line["AccountID"],
        net=sign * net,
        tax=sign * tax,
        tax_type=line.get("TaxType") or "",
        description=line.get("Description") or "",
        tracking=_tracking(line),
    )


def source_type(bank_type: str) -> str:
    kind = kind_of_type(bank_type)
    if kind is not None:
        return kind.source_types[bank_type]
    return CASH_SOURCES[bank_type]


@register("bank_transactions", "BankTransactionID")
def post_bank_transaction(org: Org, record: Record) -> list[Posting]:
    if record["Status"] != "AUTHORISED" or record["Type"] in TRANSFER_TYPES:
        return []
    # Money in credits the lines; money out debits them.
    sign = Decimal(-1) if is_receive(record["Type"]) else Decimal(1)
    lines = [_line(line, sign, *_line_parts(record, line)) for line in record.get("LineItems", [])]
    bank_side = -sum((line.gross for line in lines), ZERO)
    lines.insert(0, Line(account_id=record["BankAccount"]["AccountID"], net=bank_side))
    return [
        Posting(
            source_type=source_type(record["Type"]),
            journal_date=record["Date"],
            lines=tuple(lines),
            reference=record.get("Reference") or "",
        )
    ]


@register("bank_transfers", "BankTransferID")
def post_bank_transfer(org: Org, record: Record) -> list[Posting]:
    if record["Status"] != "AUTHORISED":
        return []
    amount: Decimal = record.get("_base_amount") or record["Amount"]
    lines = (
        Line(account_id=record["ToBankAccount"]["AccountID"], net=amount),
        Line(account_id=record["FromBankAccount"]["AccountID"], net=-amount),
    )
    return [
        Posting(
            source_type="TRANSFER",
            journal_date=record["Date"],
            lines=lines,
            reference=record.get("Reference") or "",
        )
    ]


def _used(record: Record) -> list[tuple[str, date, Decimal]]:
    """Each use of a credit: (part, date, amount), allocations then refunds."""
    uses = [
        (f"allocation:{a['AllocationID']}", a["Date"], a["Amount"])
        for a in record.get("Allocations", [])
    ]
    uses += [
        (f"refund:{p['PaymentID']}", p["Date"], p["Amount"]) for p in record.get("Payments", [])
    ]
    return uses


def _shares(record: Record, amount: Decimal) -> list[tuple[Record, Decimal, Decimal]]:
    """The part of each line (net, tax) that ``amount`` of the credit stands for, to the cent;
    the last line takes the rounding so the parts add up to ``amount`` exactly."""
    share = amount / record["Total"]
    parts = []
    for line in record.get("LineItems", []):
        net, tax = _line_parts(record, line)
        parts.append((line, cents(net * share), cents(tax * share)))
    if parts:
        line, net, tax = parts[-1]
        parts[-1] = (line, net + amount - sum((n + t for _, n, t in parts), ZERO), tax)
    return parts


@register("prepayments", "PrepaymentID")
def post_prepayment_use(org: Org, record: Record) -> list[Posting]:
    if record["Status"] == "VOIDED" or not record["Total"]:
        return []
    receive = is_receive(record["Type"])
    control = system_account(org, "DEBTORS" if receive else "CREDITORS")
    if control is None:
        return []
    # Using a receive prepayment debits what its receipt credited; a spend one the reverse.
    sign = Decimal(1) if receive else Decimal(-1)
    postings: list[Posting] = []
    for part, when, amount in _used(record):
        lines = [_line(line, sign, net, tax) for line, net, tax in _shares(record, amount)]
        lines.append(Line(account_id=control["AccountID"], net=-sign * amount))
        postings.append(
            Posting(
                source_type=PREPAYMENT.source_types[record["Type"]],
                journal_date=when,
                lines=tuple(lines),
                reference=record.get("Reference") or "",
                part=part,
            )
        )
    return postings
