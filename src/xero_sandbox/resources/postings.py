"""What invoices, bills, credit notes, payments and manual journals post to the ledger.

Signs follow Xero's journals: a positive NetAmount debits the account, a negative one credits
it. A sales invoice credits its lines' accounts (tax to the GST/VAT account) and debits Accounts
Receivable with its total; a bill does the opposite against Accounts Payable; a credit note is
the mirror of its invoice. A payment moves money between the bank account and the control
account. Amounts are in the organisation's base currency: a foreign document's amounts are
divided by its CurrencyRate (units of the document's currency per unit of base currency).

Credit note allocations post nothing: both sides sit in the same control account.
# UNCONFIRMED: that Xero keeps no journal for a credit note allocation (not found in Xero's
# documentation; an allocation moves nothing between accounts in base currency).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xero_sandbox.ledger import ZERO, Line, Posting, register
from xero_sandbox.resources.inventory import is_tracked, item_by_code
from xero_sandbox.state import Org, Record

CENT = Decimal("0.01")
_POSTING_STATUSES = ("AUTHORISED", "PAID")
# Which side of the ledger a document type sits on, and the sign of its lines (the total takes
# the other sign): a sales invoice credits its lines, a bill debits them.
_LINE_SIGN = {"ACCREC": -1, "ACCPAY": 1, "ACCRECCREDIT": 1, "ACCPAYCREDIT": -1}
_CONTROL = {"ACCREC": "DEBTORS", "ACCRECCREDIT": "DEBTORS"}
# Payments that bring money in (Dr bank); the others pay money out (Cr bank).
_MONEY_IN = ("ACCRECPAYMENT", "APCREDITPAYMENT", "APOVERPAYMENTPAYMENT", "APPREPAYMENTPAYMENT")
_RECEIVABLE_SIDE = (
    "ACCRECPAYMENT",
    "ARCREDITPAYMENT",
    "AROVERPAYMENTPAYMENT",
    "ARPREPAYMENTPAYMENT",
)
# The journal SourceTypes Xero's spec lists for payments.
_PAYMENT_SOURCES = ("ACCRECPAYMENT", "ACCPAYPAYMENT", "ARCREDITPAYMENT", "APCREDITPAYMENT")
_DOCUMENT_COLLECTIONS = {"Invoices": "invoices", "CreditNotes": "credit_notes"}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_base(amount: Decimal, rate: Any) -> Decimal:
    """An amount in a document's currency, in base currency (Xero's rate: foreign per base)."""
    rate = Decimal(str(rate)) if rate not in (None, "") else Decimal(1)
    if rate in (0, 1):
        return cents(amount)
    return cents(amount / rate)


def system_account(org: Org, kind: str) -> Record | None:
    return next((a for a in org.accounts.values() if a.get("SystemAccount") == kind), None)


def account_id_by_code(org: Org, code: Any) -> str:
    account = org.account_by_code(str(code)) if code else None
    return str(account["AccountID"]) if account else ""


def _tracking(line: Record) -> tuple[tuple[str, str, str, str], ...]:
    return tuple(
        (t["TrackingCategoryID"], t["TrackingOptionID"], t["Name"], t["Option"])
        for t in line.get("Tracking") or []
    )


def _net_and_tax(line: Record, amount_types: str) -> tuple[Decimal, Decimal]:
    amount = Decimal(line.get("LineAmount") or 0)
    tax = ZERO if amount_types == "NoTax" else Decimal(line.get("TaxAmount") or 0)
    return (amount - tax if amount_types == "Inclusive" else amount), tax


def balanced(control_id: str, lines: list[Line], description: str = "") -> tuple[Line, ...]:
    """The lines with the control account's line first, taking what balances them."""
    total = sum((line.net + line.tax for line in lines), ZERO)
    return (Line(control_id, -total, description=description), *lines)


@register("invoices", "InvoiceID")
def post_invoice(org: Org, record: Record) -> list[Posting]:
    return _document(org, record, str(record.get("InvoiceNumber") or ""))


@register("credit_notes", "CreditNoteID")
def post_credit_note(org: Org, record: Record) -> list[Posting]:
    return _document(org, record, str(record.get("CreditNoteNumber") or ""))


def document_lines(org: Org, record: Record) -> tuple[str, list[Line], list[Line]] | None:
    """An approved document's control account, its lines with their tax (in base currency, signed
    as the document posts them) and the cost of the tracked items it sells; None when it posts
    nothing."""
    doc_type = str(record.get("Type"))
    if record.get("Status") not in _POSTING_STATUSES or doc_type not in _LINE_SIGN:
        return None
    control = system_account(org, _CONTROL.get(doc_type, "CREDITORS"))
    if control is None:
        return None
    sign = _LINE_SIGN[doc_type]
    rate = record.get("CurrencyRate")
    amount_types = str(record.get("LineAmountTypes") or "Exclusive")
    lines: list[Line] = []
    costs: list[Line] = []
    for item_line in record.get("LineItems") or []:
        account_id = item_line.get("AccountID") or account_id_by_code(
            org, item_line.get("AccountCode")
        )
        if not account_id:
            continue
        net, tax = _net_and_tax(item_line, amount_types)
        lines.append(
            Line(
                account_id,
                sign * to_base(net, rate),
                sign * to_base(tax, rate),
                str(item_line.get("TaxType") or ""),
                str(item_line.get("Description") or ""),
                _tracking(item_line),
            )
        )
        costs.extend(_cost_of_sale(org, doc_type, item_line))
    return str(control["AccountID"]), lines, costs


def _document(org: Org, record: Record, number: str) -> list[Posting]:
    """An approved invoice, bill or credit note: its lines, their tax, its control total. On
    the cash basis it posts nothing itself; its payments do (``_cash_posting``)."""
    found = document_lines(org, record)
    if found is None:
        return []
    control_id, lines, costs = found
    # Xero's journal Reference: the invoice's Reference, else its number.
    # UNCONFIRMED: the spec's examples show a Reference for sales invoices and "" for a bill.
    reference = str(record.get("Reference") or number)
    posted = balanced(control_id, lines + costs)
    return [Posting(str(record["Type"]), record["Date"], posted, reference, basis="accrual")]


def _cost_of_sale(org: Org, doc_type: str, line: Record) -> list[Line]:
    """A tracked item sold moves its average cost from inventory to cost of goods sold (a
    customer credit taking it back moves it the other way). Purchases of tracked items already
    post to the inventory account through their line's account.
    # UNCONFIRMED: that Xero puts these lines in the invoice's own journal.
    """
    cost = line.get("_CostOfSale")
    if doc_type not in ("ACCREC", "ACCRECCREDIT") or cost in (None, ZERO):
        return []
    item = item_by_code(org, line.get("ItemCode"))
    if item is None or not is_tracked(item):
        return []
    cogs = account_id_by_code(org, (item.get("PurchaseDetails") or {}).get("COGSAccountCode"))
    stock = account_id_by_code(org, item.get("InventoryAssetAccountCode"))
    if not cogs or not stock:
        return []
    amount = cents(Decimal(cost)) * (1 if doc_type == "ACCREC" else -1)
    description = str(line.get("Description") or "")
    return [
        Line(cogs, amount, description=description, tracking=_tracking(line)),
        Line(stock, -amount, description=description),
    ]


@register("payments", "PaymentID")
def post_payment(org: Org, record: Record) -> list[Posting]:
    """Money between the bank and Accounts Receivable or Payable, by PaymentType."""
    payment_type = str(record.get("PaymentType") or "")
    if record.get("Status") != "AUTHORISED" or not payment_type:
        return []
    receivable = payment_type in _RECEIVABLE_SIDE
    control = system_account(org, "DEBTORS" if receivable else "CREDITORS")
    bank_id = str((record.get("Account") or {}).get("AccountID") or "")
    if control is None or not bank_id:
        return []
    amount = Decimal(record.get("Amount") or 0)
    bank = to_base(amount, record.get("CurrencyRate"))
    cleared = to_base(amount, _document_rate(org, record))
    sign = 1 if payment_type in _MONEY_IN else -1
    lines = [Line(bank_id, sign * bank)]
    gains = system_account(org, "REALISEDCURRENCYGAIN")
    if cleared != bank and gains is None:
        # UNCONFIRMED: without a realised gains account the control account takes the bank's
        # amount (Xero's multicurrency charts always have one).
        cleared = bank
    lines.append(Line(control["AccountID"], -sign * cleared))
    if cleared != bank and gains is not None:
        lines.append(Line(gains["AccountID"], sign * (cleared - bank)))
    source = payment_type if payment_type in _PAYMENT_SOURCES else None
    if source is None:
        # UNCONFIRMED: the spec's SourceType enum has no refund types of overpayments or
        # prepayments; they are journalled as the payment of their side.
        source = "ACCRECPAYMENT" if receivable else "ACCPAYPAYMENT"
    when: date = record["Date"]
    reference = str(record.get("Reference") or "")
    cash = _cash_lines(org, record, bank_id, sign * bank)
    if cash is None:
        return [Posting(source, when, tuple(lines), reference)]
    return [
        Posting(source, when, tuple(lines), reference, "accrual", basis="accrual"),
        Posting(source, when, cash, reference, "cash", basis="cash"),
    ]


def _cash_lines(
    org: Org, payment: Record, bank_id: str, banked: Decimal
) -> tuple[Line, ...] | None:
    """On the cash basis a payment posts its share of the document's lines and tax against the
    bank, so income and expenses show when paid.
    # UNCONFIRMED: Xero's split of a part payment over the lines (pro rata here, the rounding
    # on the largest line).
    """
    collection = _DOCUMENT_COLLECTIONS.get(str(payment.get("_kind")))
    document = getattr(org, collection, {}).get(payment.get("_document")) if collection else None
    if document is None or document.get("Status") in ("VOIDED", "DELETED"):
        return None
    posted = {**document, "Status": "AUTHORISED"}
    found = document_lines(org, posted)
    if found is None or not found[1]:
        return None
    lines = found[1]
    whole = sum((line.net + line.tax for line in lines), ZERO)
    if whole == ZERO:
        return None
    share = -banked / whole
    scaled = [
        replace(line, net=cents(line.net * share), tax=cents(line.tax * share)) for line in lines
    ]
    left = -banked - sum((line.net + line.tax for line in scaled), ZERO)
    if left != ZERO:
        largest = max(range(len(scaled)), key=lambda i: abs(scaled[i].net))
        scaled[largest] = replace(scaled[largest], net=scaled[largest].net + left)
    return (Line(bank_id, banked), *scaled)


def _document_rate(org: Org, payment: Record) -> Any:
    """The rate of the document a payment pays (its control account holds it at that rate)."""
    collection = _DOCUMENT_COLLECTIONS.get(str(payment.get("_kind")))
    document = getattr(org, collection, {}).get(payment.get("_document")) if collection else None
    if document is None:
        return payment.get("CurrencyRate")
    return document.get("CurrencyRate")


@register("manual_journals", "ManualJournalID")
def post_manual_journal(org: Org, record: Record) -> list[Posting]:
    """A POSTED manual journal posts its lines as they are; DRAFT, DELETED, VOIDED nothing."""
    if record.get("Status") != "POSTED":
        return []
    amount_types = str(record.get("LineAmountTypes") or "NoTax")
    lines: list[Line] = []
    for row in record.get("JournalLines") or []:
        account_id = row.get("AccountID") or account_id_by_code(org, row.get("AccountCode"))
        if not account_id:
            continue
        net, tax = _net_and_tax(row, amount_types)
        lines.append(
            Line(
                account_id,
                net,
                tax,
                str(row.get("TaxType") or ""),
                str(row.get("Description") or ""),
                _tracking(row),
            )
        )
    reference = str(record.get("Narration") or "")
    basis = "" if record.get("ShowOnCashBasisReports", True) else "accrual"
    return [Posting("MANJOURNAL", record["Date"], tuple(lines), reference, basis=basis)]
